/* report.h: etcd-diag's output: readable text (summary line first) and JSON, and the exit code. */
#ifndef DIAG_REPORT_H
#define DIAG_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "diag/correlate.h"

/* What was looked at, for the summary line. */
struct report_meta {
	bool unknown;          /* could not diagnose: exit 3 */
	char why[384];         /* the reason when unknown, or notes ("live checks skipped") */
	uint64_t entries;      /* log entries read: journal and log files */
	uint64_t since_usec, until_usec;
	size_t certs_checked;
	size_t endpoints_checked;
	const struct diag_config *cfg; /* the configuration read (deployment, provenance); NULL: none */
	char unread[160];    /* what could not be read, for the summary ("the journal: ...") */
	char live_cert[600]; /* the client certificate of the live checks taken from cfg, "" none */
};

/* Nagios-style: 0 nothing wrong (info only), 1 warning, 2 critical, 3 unknown. */
int diag_report_exit_code(const struct diag_findings *f, const struct report_meta *m);
/* "OK", "WARNING", "CRITICAL", "UNKNOWN" for an exit code. */
const char *diag_report_status_str(int exit_code);

/* Text report; ANSI colour only when colour is true (main passes isatty()). */
void diag_report_text(FILE *out, const struct diag_findings *f, const struct report_meta *m,
		 bool colour);
/* One JSON document: {status, exit_code, summary, entries, certificates, endpoints, notes,
 * config:{deployment, path, dropins, settings:{FLAG: SOURCE}, note, user, group, live_cert}, findings:[{code, severity,
 * member, summary, count, evidence:[...], remedy}]} on one line, written by probe/json_out (every string
 * valid UTF-8: journal bytes that are not become U+FFFD). Returns 0, -ENOMEM (nothing written) or
 * -EIO (the stream failed): main() exits 3 on either. */
int diag_report_json(FILE *out, const struct diag_findings *f, const struct report_meta *m);

#endif
