/* logsink.h: one etcd log entry, from whichever reader (the journal, a log file), into the
 * classifier and the aggregates: the one place an entry's text becomes evidence. */
#ifndef DIAG_LOGSINK_H
#define DIAG_LOGSINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag/aggregate.h"

/* What a reader knows of an entry besides its text; asked for only when the entry is a hit
 * (most entries are healthy chatter, and each journal field costs a lookup). */
struct logsink_more {
	int priority;     /* syslog level 0..7, or -1 */
	const char *host; /* not NUL-terminated, host_len bytes; NULL for none */
	size_t host_len;
};
typedef void (*logsink_more_fn)(void *ctx, struct logsink_more *ret);

/* Counts the entry (at usec) in *a, classifies msg/len and, for a hit, adds it with the
 * priority and host more() gives (more may be NULL: no priority, no host). Control bytes of
 * the host and of the kept sample become '?' here, once, whatever the reader. Returns true for
 * a hit. */
bool logsink_add(struct diag_aggs *a, uint64_t usec, const char *msg, size_t len,
		 logsink_more_fn more, void *ctx);

#endif
