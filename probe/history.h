/* history: the state file (--state-file) that makes the /metrics figures cover the interval
 * since the previous run instead of the member's lifetime. A pure core (history_derive: two
 * snapshots to judged figures; history_parse/history_format: the file's JSON from/to memory)
 * and one edge (history_apply: lock, read, derive, write atomically). */
#ifndef PROBE_HISTORY_H
#define PROBE_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe/facts.h"
#include "probe/metrics.h"

#define HISTORY_FORMAT "etcd-probe-state" /* the file's "format": tells ours from any JSON */
#define HISTORY_VERSION 1
#define HISTORY_MAX_FILE_BYTES (4u << 20) /* a larger file is refused as corrupt */
#define HISTORY_MAX_RECORDS 512           /* members kept (the oldest go first) */
#define HISTORY_MAX_AGE_S (24 * 3600.0)   /* records of members not checked for longer go */
#define HISTORY_RING_MAX 32               /* samples kept per member for the 15-minute window */
#define HISTORY_WINDOW_S 900.0            /* the etcd-mixin's increase(...[15m]) */
#define HISTORY_MAX_INTERVAL_S (7 * 86400.0) /* a longer interval is no interval */
#define HISTORY_LOCK_WAIT_MS 200          /* the longest wait for another probe's lock */

/* Counters kept from run to run, in the record and the file. The first HISTORY_WINDOWED are
 * judged over 15 minutes and so also sampled in the ring; the others over the interval. */
enum history_counter {
	HC_LEADER_CHANGES,     /* MS_LEADER_CHANGES */
	HC_PROPOSALS_FAILED,   /* MS_PROPOSALS_FAILED */
	HC_SLOW_APPLIES,       /* MS_SLOW_APPLIES */
	HC_HEARTBEAT_FAILURES, /* MS_HEARTBEAT_FAILURES */
	HC__COUNT
};
#define HISTORY_WINDOWED 2

/* One past run's windowed counters, for the 15-minute window. */
struct history_sample {
	double t; /* Unix time of that run (the probe's clock) */
	bool has[HISTORY_WINDOWED];
	double c[HISTORY_WINDOWED];
};

struct history_peer {
	uint64_t id;
	struct prom_hist rtt;
};

/* What one run keeps of one member for the next. */
struct history_record {
	uint64_t cluster_id, member_id; /* the key; history_derive leaves them to the caller */
	double time;                    /* Unix time of the run (the probe's clock) */
	bool has_start;
	double start_time;              /* process_start_time_seconds (the member's clock) */
	bool has_counter[HC__COUNT];
	double counter[HC__COUNT];
	bool has_hist[MH__COUNT];
	struct prom_hist hist[MH__COUNT];
	size_t n_peers;
	struct history_peer peers[METRICS_MAX_PEERS];
	size_t n_ring;                  /* oldest first, this run's sample last */
	struct history_sample ring[HISTORY_RING_MAX];
};

/* Derives the judged figures of snapshot now into *out (zeroed first) and the record the next
 * run needs into *next (zeroed first; its cluster_id and member_id are left 0). prev is the
 * record of the previous run of this member or NULL. Figures cover [prev->time, now_unix] when
 * prev is usable (out->interval), else the member's lifetime with out->interval_note saying
 * why: no prev, the member restarted (start time changed or a counter went down), or the clocks
 * disagree (prev in the future, no time passed, over HISTORY_MAX_INTERVAL_S). Pure. */
void history_derive(const struct metrics_snapshot *now, const struct history_record *prev,
		    double now_unix, struct metrics_facts *out, struct history_record *next);

/* The records of one state file. */
struct history_set {
	struct history_record *recs; /* n of them, cap allocated */
	size_t n, cap;
	size_t invalid; /* records history_parse dropped because they failed validation */
};

/* Frees what s holds and zeroes it; accepts NULL. */
void history_set_free(struct history_set *s);

/* The record of (cluster_id, member_id) in s, or NULL. */
const struct history_record *history_find(const struct history_set *s, uint64_t cluster_id,
					  uint64_t member_id);

/* Reads a state file's text (text[0..len), no NUL needed) into *ret (emptied first). Returns 0
 * (records that fail validation are dropped and counted in ret->invalid); -EFBIG over
 * HISTORY_MAX_FILE_BYTES, -EBADMSG for text that is not JSON (garbage, truncated), -EPROTO for
 * JSON that is not a state file, -EPROTONOSUPPORT for another version, -E2BIG over
 * HISTORY_MAX_RECORDS; err gets one line (no path) on failure and when records were dropped,
 * "" else. On failure *ret is empty. */
int history_parse(const char *text, size_t len, struct history_set *ret, char *err,
		  size_t errlen);

/* The JSON text of s (NUL-terminated, free it) into *ret_text and its length into *ret_len.
 * Returns 0 or -ENOMEM; -EFBIG when even one record would not fit HISTORY_MAX_FILE_BYTES.
 * Writes at most HISTORY_MAX_RECORDS, the newest, and drops more of the oldest when the text
 * would be over HISTORY_MAX_FILE_BYTES, so that what is written can always be read back. */
int history_format(const struct history_set *s, char **ret_text, size_t *ret_len);

/* For every endpoint with metrics_raw and has_status: finds the record of its (cluster_id,
 * member_id) in the state file at path, derives ef->m, and saves the new records (other
 * members' kept, those older than HISTORY_MAX_AGE_S, or as far in the future, dropped)
 * atomically. path NULL: the state file is disabled, figures are lifetime. Never blocks for
 * long: another probe's lock is waited for at most HISTORY_LOCK_WAIT_MS, then the figures are
 * derived and not saved; a FIFO or device at path is refused. Returns 0 or -errno; note gets one line for the report when the file had
 * a problem ("" else). The figures are derived whatever happens to the file. */
int history_apply(const char *path, struct check_facts *f, char *note, size_t notelen);

/* history_apply, saving only when may_save: false when the run has no time left within -t for
 * the lock wait and the write (the file is still read, the figures still derived, the note
 * says it was not saved). */
int history_apply_within(const char *path, struct check_facts *f, char *note, size_t notelen,
			 bool may_save);

/* The default state file: $STATE_DIRECTORY (its first entry; systemd's StateDirectory=) +
 * "/state"; for root /var/lib/etcd-probe/state; else $XDG_STATE_HOME/etcd-probe/state or
 * $HOME/.local/state/etcd-probe/state. Creates its directory (0700, only the last component)
 * when missing. Returns buf, or NULL when no place is known or it does not fit len. */
const char *history_default_path(char *buf, size_t len);

#endif
