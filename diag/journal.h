/* journal.h: stream etcd's entries from the systemd journal into the classifier and aggregates. */
#ifndef DIAG_JOURNAL_H
#define DIAG_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "diag/aggregate.h"

#define JOURNAL_FILES_MAX 32

struct journal_opts {
	const char *dir;                       /* --journal-dir, or NULL */
	const char *files[JOURNAL_FILES_MAX + 1]; /* --journal-file (NULL-terminated), or empty */
	uint64_t since_usec, until_usec;       /* realtime window, 0 = open */
	const char *unit;                      /* default "etcd.service" */
	const char *identifier;                /* default "etcd" */
	uint64_t deadline_ns;                  /* conn_now_ns() to stop reading at, 0 = none */
};

/* Reads every matching entry in the window and adds it to *aggs. Returns 0, or -errno with a
 * one-line reason in err (no journal, cannot open). Memory does not grow with the journal. At
 * o->deadline_ns it stops with what it read so far and sets aggs->cut_by_deadline. */
int journal_scan(const struct journal_opts *o, struct diag_aggs *aggs, char *err, size_t errlen);

/* Parses --since/--until: "-1h", "-30m", "-2d", "now", "@<unix seconds>", or
 * "YYYY-MM-DD HH:MM[:SS]" (UTC). now_usec is the reference. Returns 0 or -EINVAL. */
int journal_parse_time(const char *s, uint64_t now_usec, uint64_t *ret_usec);

#endif
