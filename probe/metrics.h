/* metrics: what one read of a member's /metrics holds, raw (counters, gauges and histograms as
 * the member exposes them), read out of the text by a want table over proto/prom_text. Pure: no
 * I/O. The figures judged (p99s and increases over an interval) are derived from two snapshots
 * by probe/history.c. */
#ifndef PROBE_METRICS_H
#define PROBE_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/prom_text.h"

/* Peers kept per member (etcd advises at most 7 voting members; learners add a few). */
#define METRICS_MAX_PEERS 16

/* Single-valued samples, by their role; metrics_sample_names[] gives the family. */
enum msample {
	MS_QUOTA_BYTES,         /* etcd_server_quota_backend_bytes */
	MS_DB_SIZE_BYTES,       /* etcd_mvcc_db_total_size_in_bytes: the file, what the quota is
				   enforced on */
	MS_DB_IN_USE_BYTES,     /* etcd_mvcc_db_total_size_in_use_in_bytes */
	MS_START_TIME,          /* process_start_time_seconds (Unix time): a restart resets the
				   counters */
	MS_HAS_LEADER,          /* etcd_server_has_leader */
	MS_LEADER_CHANGES,      /* etcd_server_leader_changes_seen_total (counter) */
	MS_PROPOSALS_FAILED,    /* etcd_server_proposals_failed_total (counter) */
	MS_PROPOSALS_PENDING,   /* etcd_server_proposals_pending (gauge) */
	MS_SLOW_APPLIES,        /* etcd_server_slow_apply_total (counter) */
	MS_HEARTBEAT_FAILURES,  /* etcd_server_heartbeat_send_failures_total (counter) */
	MS__COUNT
};

/* Histograms, by their role. */
enum mhist {
	MH_WAL_FSYNC,       /* etcd_disk_wal_fsync_duration_seconds */
	MH_BACKEND_COMMIT,  /* etcd_disk_backend_commit_duration_seconds */
	MH__COUNT
};

extern const char *const metrics_sample_names[MS__COUNT];
extern const char *const metrics_hist_names[MH__COUNT];

struct metrics_peer {
	uint64_t id;          /* the To label: the peer's member ID in hex */
	struct prom_hist rtt; /* etcd_network_peer_round_trip_time_seconds{To=...} */
};

struct metrics_snapshot {
	bool has[MS__COUNT];
	double v[MS__COUNT];
	bool has_hist[MH__COUNT];
	struct prom_hist hist[MH__COUNT];
	size_t n_peers;
	struct metrics_peer peers[METRICS_MAX_PEERS];
	size_t bad_lines;     /* malformed lines skipped (prom_scan_stats) */
	bool truncated;       /* the body did not end in a newline (cut at the cap?) */
};

/* Reads a /metrics body into *ret (zeroed first). Returns 0; -EBADMSG when the text holds none
 * of the families wanted (not etcd's /metrics). */
int metrics_extract(const char *text, size_t len, struct metrics_snapshot *ret);

#endif
