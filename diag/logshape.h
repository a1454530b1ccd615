/* logshape.h: what one line of a log file is (a CRI container log line, a docker json-file
 * record, a syslog line, or etcd's own output), when it was written, and the etcd text inside it;
 * and the joining of the parts a container runtime split one line into. Pure: no I/O. */
#ifndef DIAG_LOGSHAPE_H
#define DIAG_LOGSHAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOGSHAPE_LINE_MAX (64 * 1024) /* a longer line is cut here; a joined one too */

enum logshape_kind {
	LOGSHAPE_PLAIN = 0, /* etcd's own output: capnslog, Go std-log, zap JSON, or anything */
	LOGSHAPE_CRI,       /* "<RFC3339Nano> stdout|stderr F|P <line>" (containerd, CRI-O) */
	LOGSHAPE_DOCKER,    /* {"log":"<line>\n","stream":"stderr","time":"<RFC3339Nano>"} */
	LOGSHAPE_SYSLOG,    /* "Nov 24 19:13:39 host tag[pid]: text", or RFC 3339 stamped */
	LOGSHAPE__MAX,
};

/* How to read stamps that lack a year or a zone (RFC 3164, capnslog, Go std-log). */
struct logshape_clock {
	int year;         /* RFC 3164 has no year: this one (the file's mtime) ... */
	int month;        /* ... 1..12; a line of a later month than this is last year's */
	long local_off_s; /* seconds east of UTC of the host's zone, for zone-less stamps */
};

/* The last RFC 3339 stamp's date and time to the second, and its seconds: a reader's own. */
struct logshape_memo {
	char head[19];
	long long secs;
	bool valid;
};

struct logshape_opts {
	struct logshape_clock clock;
	const char *const *tags;   /* NULL-terminated syslog tags that are etcd's ("etcd", ...) */
	struct logshape_memo *memo; /* NULL, or the reader's: the same answers, faster */
};

struct logshape_line {
	enum logshape_kind kind;
	const char *text; /* the etcd text: inside the input line, or in scratch (docker) */
	size_t text_len;
	uint64_t usec;    /* the line's own time (CLOCK_REALTIME us), 0 when it has none */
	bool partial;     /* CRI "P", or a docker record without its newline: the next continues it */
	bool etcd;        /* a syslog line from one of tags; true for every other shape */
	char host[64];    /* the syslog line's hostname, else "" */
};

/* Reads one line (without its '\n'; may hold any byte). scratch (scratch_cap bytes, at least
 * LOGSHAPE_LINE_MAX for whole docker records) receives the unescaped docker "log" value. A line
 * that fits no wrapper is LOGSHAPE_PLAIN with usec from its etcd text (logshape_text_time).
 * Always fills *ret. */
void logshape_parse(const char *line, size_t len, const struct logshape_opts *o, char *scratch,
		    size_t scratch_cap, struct logshape_line *ret);

/* The time in etcd's own text: capnslog "2026-11-24 19:13:39.106784 W | ..." and Go std-log
 * "raft2026/11/25 05:30:53 INFO: ..." (local time), zap's "ts":"2026-11-24T19:13:39.106Z" or
 * 3.4's "ts":1732475619.106. 0 when none is found. */
uint64_t logshape_text_time(const char *text, size_t len, const struct logshape_clock *clk);

/* "2026-11-24T19:13:39.106784123Z" or "...+01:00" (also "+0100") at s: returns the bytes it
 * took and sets *ret_usec, or returns 0 (no such stamp; a zone is required). */
size_t logshape_parse_rfc3339(const char *s, size_t len, uint64_t *ret_usec);

/* Joins the parts of one split line (CRI "P" ... "F", docker records without '\n'), in a
 * buffer of its own, cut at LOGSHAPE_LINE_MAX. */
struct logjoin {
	char buf[LOGSHAPE_LINE_MAX];
	size_t len;
	bool open;        /* parts are waiting for their final one */
	bool cut;         /* the line being joined outgrew buf */
	uint64_t usec;    /* the first part's time */
};

/* Adds one part. Returns the whole line (*ret_len, *ret_cut: it was cut at the cap) when this
 * part ends it: the part itself when nothing was open (no copy), else the joined buffer, valid
 * until the next call. NULL while the line goes on. */
const char *logjoin_add(struct logjoin *j, const char *part, size_t len, bool partial,
			uint64_t usec, size_t *ret_len, bool *ret_cut);
/* Ends an open line whose final part never came (another shape followed, or the file ended):
 * returns it as logjoin_add would, or NULL when nothing is open. */
const char *logjoin_flush(struct logjoin *j, size_t *ret_len, bool *ret_cut);

const char *logshape_kind_str(enum logshape_kind k);

#endif
