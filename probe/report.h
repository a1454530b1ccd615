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
/* One JSON document on one line (probe/json_out: every string valid UTF-8, server bytes that are
 * not become U+FFFD). Returns 0, -ENOMEM (nothing written) or -EIO (the stream failed): main()
 * exits 3 on either. */
int report_json(FILE *out, const struct check_facts *f, const struct verdict *v);

/* Human size: "20.0 KiB", "1.5 GiB". */
void report_size(int64_t bytes, char *out, size_t outlen);

#endif
