/* correlate.h: join journal aggregates, certificate facts and live results into findings, one
 * per root cause, each naming the member at fault, its evidence and the remedy. */
#ifndef DIAG_CORRELATE_H
#define DIAG_CORRELATE_H

#include <stddef.h>
#include <stdint.h>

#include "diag/aggregate.h"
#include "diag/certcheck.h"
#include "diag/classify.h"
#include "diag/config.h"
#include "diag/live.h"

#define FINDINGS_MAX 64
#define EVIDENCE_MAX 6
#define EVIDENCE_LEN 640

struct diag_finding {
	enum diag_code code;
	enum diag_severity severity;
	char member[64];
	char summary[384];
	char remedy[768];
	size_t n_evidence;
	char evidence[EVIDENCE_MAX][EVIDENCE_LEN];
	uint64_t count;           /* journal entries joined */
	size_t more_evidence;     /* evidence items left out */
	struct classify_fields f; /* representative fields (templates) */
	uint64_t first_usec, last_usec; /* span of the journal entries joined, 0 when none */
	char seen_on[64];         /* the host whose journal showed it first ("" when not from one) */
	char reported_by[160];    /* every member whose journal showed it, ", "-separated */
	char caused_by[64];       /* the member whose cause explains this one ("" when none) */
	char explains[160];       /* what a cause explains on other members: "no-leader on m2" */
	char file[CONFIG_PATH_LEN]; /* a certificate's dates: the file at fault ({cert}), else "" */
	bool file_is_ca;          /* that file is a trusted CA file ({reissue}) */
};

struct diag_findings {
	size_t n;
	struct diag_finding v[FINDINGS_MAX];
	enum diag_severity worst;
	size_t dropped; /* findings beyond FINDINGS_MAX */
};

struct correlate_input {
	const struct diag_aggs *aggs;     /* may be NULL */
	const struct cert_report *certs;  /* may be NULL */
	const struct live_facts *live;    /* may be NULL */
	const struct diag_config *cfg;    /* may be NULL */
};

/* Builds the findings, ranked by severity then evidence count. Pure; returns 0 or -ENOMEM. */
int correlate_run(const struct correlate_input *in, struct diag_findings *ret);

/* Fills a summary/remedy template: {member} {peer} {wanted} {sans} {detail} {duration} {url}
 * {name} {cert} {key} {ca} {datadir} {reissue} ("it", or the CA and what it signed). */
void correlate_fill_template(const char *tmpl, const struct diag_finding *f,
			     const struct diag_config *cfg, char *out, size_t cap);

#endif
