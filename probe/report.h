/* report: the check's result as text: the Nagios plugin format (status line with perfdata,
 * then one line per endpoint) or one JSON document. Functions from facts + verdict to a FILE. */
#ifndef PROBE_REPORT_H
#define PROBE_REPORT_H

#include <stdio.h>

#include "probe/facts.h"
#include "probe/thresholds.h"
#include "probe/verdict.h"

void report_nagios(FILE *out, const struct check_facts *f, const struct verdict *v,
		   const struct thresholds *t);
void report_json(FILE *out, const struct check_facts *f, const struct verdict *v);

/* Writes s as a JSON string literal (quotes included), escaping as RFC 8259 requires. */
void report_json_string(FILE *out, const char *s);

/* Human size: "20.0 KiB", "1.5 GiB". */
void report_size(int64_t bytes, char *out, size_t outlen);

#endif
