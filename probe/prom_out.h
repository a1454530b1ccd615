/* prom_out: the check's result in the Prometheus text exposition format 0.0.4, for
 * node_exporter's textfile collector (--textfile-dir) and for --format=prometheus. A function from
 * facts + verdict to a FILE, like the other reports.
 *
 * Every family is a gauge named etcd_probe_* in base units (seconds, bytes, ratios 0..1), written
 * once with its # HELP and # TYPE lines and all its samples together; a family without samples is
 * left out. Samples carry cluster_id (16 hex digits), member (the member name) and endpoint (the
 * URL probed) labels; cluster-wide ones cluster_id alone. An endpoint that did not answer has only
 * etcd_probe_endpoint_state and etcd_probe_endpoint_up. A URL given twice is written once (a
 * repeated label set would be a duplicate series). Label values are escaped (\\, \", \n) and made
 * valid UTF-8; NaN and infinities are never written. */
#ifndef PROBE_PROM_OUT_H
#define PROBE_PROM_OUT_H

#include <stdio.h>

#include "probe/facts.h"
#include "probe/verdict.h"

/* Writes the exposition to out and flushes it. Returns 0, or -EIO when the stream reports a
 * write error (main() exits 3 then). */
int report_prometheus(FILE *out, const struct check_facts *f, const struct verdict *v);

#endif
