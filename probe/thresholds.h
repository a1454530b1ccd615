/* thresholds: Nagios ranges ("10", "10:", "~:10", "10:20", "@10:20") and the table of metrics
 * etcd-probe judges, with their defaults; parsing of -w/-c METRIC=RANGE[,METRIC=RANGE...]. */
#ifndef PROBE_THRESHOLDS_H
#define PROBE_THRESHOLDS_H

#include <stdbool.h>
#include <stddef.h>

#include "probe/state.h"

struct nrange {
	bool set;
	bool start_inf, end_inf; /* "~:" start, no end */
	bool inside;             /* '@': alert inside the range */
	double start, end;
	char text[32];           /* as given, for perfdata */
};

enum metric {
	METRIC_LATENCY,   /* linearizable read latency, seconds */
	METRIC_DB_PCT,    /* DB size as a percentage of the backend quota */
	METRIC_CERT_DAYS, /* days until a certificate (server's or client's) expires */
	METRIC_APPLY_LAG, /* raft entries committed but not yet applied */
	METRIC_MEMBERS,   /* voting members in the cluster */
	/* From the member's /metrics (probe/metrics.h), over the interval since the last run: */
	METRIC_WAL_FSYNC_P99,      /* WAL fsync p99, seconds */
	METRIC_BACKEND_COMMIT_P99, /* backend commit p99, seconds */
	METRIC_PEER_RTT_P99,       /* worst peer round-trip p99, seconds */
	METRIC_LEADER_CHANGES,     /* leader changes seen in the last 15 minutes */
	METRIC_PROPOSALS_FAILED,   /* failed proposals in the last 15 minutes */
	METRIC_PROPOSALS_PENDING,  /* proposals waiting to commit, now */
	METRIC_SLOW_APPLIES,       /* applies slower than 100 ms, in the interval */
	METRIC_HEARTBEAT_FAILURES, /* heartbeats the leader could not send, in the interval */
	METRIC_FRAG_PCT,           /* % of the DB file not in use (defragment reclaims it) */
	METRIC_WRITE_LATENCY,      /* --write-check: put + delete, seconds */
	METRIC_COUNT
};

struct metric_def {
	const char *name;
	const char *uom; /* perfdata unit */
	const char *warn, *crit; /* defaults, NULL for none */
	const char *help;
};

/* The metric table, indexed by enum metric. */
extern const struct metric_def metric_defs[METRIC_COUNT];

#define THRESHOLDS_FRAG_MIN_BYTES (100.0 * 1024 * 1024)

struct thresholds {
	struct nrange warn[METRIC_COUNT];
	struct nrange crit[METRIC_COUNT];
	/* frag_pct is judged only on a DB with more in use than this (the mixin's 100 MiB): a
	 * small DB's free pages cost nothing. --frag-min-bytes. */
	double frag_min_bytes;
};

/* Parses one range. Returns 0 or -EINVAL. */
int nrange_parse(const char *text, struct nrange *ret);

/* True when value is outside the range (or inside it, for '@' ranges). */
bool nrange_alerts(const struct nrange *r, double value);

/* Fills *t with the table's defaults. */
void thresholds_defaults(struct thresholds *t);

/* Applies "METRIC=RANGE[,METRIC=RANGE...]" to t's warning (critical when is_crit) ranges. A
 * RANGE of "" or "none" disables that threshold. Returns 0 or -EINVAL with err set. */
int thresholds_parse(struct thresholds *t, const char *spec, bool is_crit, char *err,
		     size_t errlen);

/* The state a value of metric m earns. */
enum state thresholds_check(const struct thresholds *t, enum metric m, double value);

#endif
