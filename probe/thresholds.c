/* thresholds: Nagios range parsing and the metric table with its defaults. */
#include "probe/thresholds.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Defaults follow etcd's own alerting (etcd-mixin): DB > 95% of quota is critical; the apply
 * lag limit mirrors etcd's 5000-entry gap at which it rejects requests ("too many requests");
 * more than 7 voting members is against etcd's sizing advice. */
const struct metric_def metric_defs[METRIC_COUNT] = {
	[METRIC_LATENCY] = {"latency", "s", "0.5", "2", "linearizable read latency, seconds"},
	[METRIC_DB_PCT] = {"db_pct", "%", "80", "95", "DB size as % of the backend quota"},
	[METRIC_CERT_DAYS] = {"cert_days", "", "30:", "7:",
			      "days left on the server's and the client's certificate"},
	[METRIC_APPLY_LAG] = {"apply_lag", "", "1000", "5000",
			      "raft entries committed but not yet applied"},
	[METRIC_MEMBERS] = {"members", "", "7", NULL, "voting members in the cluster"},
	/* etcd-mixin: etcdHighFsyncDurations, etcdHighCommitDurations, etcdMemberCommunicationSlow,
	 * etcdHighNumberOfLeaderChanges (>= 4 in 15 min, so "3": more than 3 alerts). Failed
	 * proposals: 5 in 15 minutes (the mixin's rate > 5/s would never fire before an outage).
	 * Pending proposals as Rancher's etcd-monitor pages on them. Fragmentation: the mixin's
	 * in-use < 50 %, i.e. more than 50 % of the file free (only over --frag-min-bytes). */
	[METRIC_WAL_FSYNC_P99] = {"wal_fsync_p99", "s", "0.5", "1", "WAL fsync p99, seconds"},
	[METRIC_BACKEND_COMMIT_P99] = {"backend_commit_p99", "s", "0.25", NULL,
				       "backend commit p99, seconds"},
	[METRIC_PEER_RTT_P99] = {"peer_rtt_p99", "s", "0.15", NULL,
				 "peer round-trip p99 (the slowest peer), seconds"},
	[METRIC_LEADER_CHANGES] = {"leader_changes", "", "3", NULL,
				   "leader changes in the last 15 minutes"},
	[METRIC_PROPOSALS_FAILED] = {"proposals_failed", "", "4", NULL,
				     "failed proposals in the last 15 minutes"},
	[METRIC_PROPOSALS_PENDING] = {"proposals_pending", "", "100", "1000",
				      "proposals waiting to be committed"},
	[METRIC_SLOW_APPLIES] = {"slow_applies", "", NULL, NULL,
				 "applies slower than 100 ms since the last run"},
	[METRIC_HEARTBEAT_FAILURES] = {"heartbeat_failures", "", NULL, NULL,
				       "heartbeats not sent since the last run"},
	[METRIC_FRAG_PCT] = {"frag_pct", "%", "50", NULL,
			     "% of the DB file not in use (reclaimed by defragment)"},
	[METRIC_WRITE_LATENCY] = {"write_latency", "s", "0.5", "2",
				  "--write-check: put and delete, seconds"},
};

static int parse_num(const char *s, size_t len, double *ret)
{
	char buf[32];
	char *end;
	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	double v = strtod(buf, &end);
	if (errno || *end != '\0' || end == buf || !isfinite(v))
		return -EINVAL;
	*ret = v;
	return 0;
}

int nrange_parse(const char *text, struct nrange *ret)
{
	struct nrange r = {.set = true};
	const char *p = text;
	size_t len = strlen(text);

	if (len == 0 || len >= sizeof(r.text))
		return -EINVAL;
	memcpy(r.text, text, len + 1);
	if (*p == '@') {
		r.inside = true;
		p++;
	}
	const char *colon = strchr(p, ':');
	if (!colon) {
		r.start = 0;
		if (parse_num(p, strlen(p), &r.end) < 0)
			return -EINVAL;
	} else {
		size_t slen = (size_t)(colon - p);
		if (slen == 0 && colon[1] == '\0')
			return -EINVAL; /* ":" alone says nothing */
		if (slen == 1 && *p == '~')
			r.start_inf = true;
		else if (slen == 0)
			r.start = 0;
		else if (parse_num(p, slen, &r.start) < 0)
			return -EINVAL;
		const char *e = colon + 1;
		if (*e == '\0')
			r.end_inf = true;
		else if (parse_num(e, strlen(e), &r.end) < 0)
			return -EINVAL;
	}
	if (!r.start_inf && !r.end_inf && r.start > r.end)
		return -EINVAL;
	*ret = r;
	return 0;
}

bool nrange_alerts(const struct nrange *r, double v)
{
	if (!r->set)
		return false;
	bool in = (r->start_inf || v >= r->start) && (r->end_inf || v <= r->end);
	return r->inside ? in : !in;
}

void thresholds_defaults(struct thresholds *t)
{
	memset(t, 0, sizeof(*t));
	t->frag_min_bytes = THRESHOLDS_FRAG_MIN_BYTES;
	for (int m = 0; m < METRIC_COUNT; m++) {
		if (metric_defs[m].warn)
			nrange_parse(metric_defs[m].warn, &t->warn[m]);
		if (metric_defs[m].crit)
			nrange_parse(metric_defs[m].crit, &t->crit[m]);
	}
}

int thresholds_parse(struct thresholds *t, const char *spec, bool is_crit, char *err,
		     size_t errlen)
{
	const char *p = spec;
	const char *flag = is_crit ? "-c" : "-w";

	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		if (!eq) {
			snprintf(err, errlen, "%s '%.*s': expected METRIC=RANGE", flag, (int)len, p);
			return -EINVAL;
		}
		size_t nlen = (size_t)(eq - p);
		int m = -1;
		for (int i = 0; i < METRIC_COUNT; i++)
			if (strlen(metric_defs[i].name) == nlen &&
			    memcmp(metric_defs[i].name, p, nlen) == 0)
				m = i;
		if (m < 0) {
			/* the list comes from the table, so a new metric is never missing here */
			int w = snprintf(err, errlen, "%s: unknown metric '%.*s' (known:", flag,
					 (int)nlen, p);
			for (int i = 0; i < METRIC_COUNT && w >= 0 && (size_t)w < errlen; i++)
				w += snprintf(err + w, errlen - (size_t)w, "%s %s", i ? "," : "",
					      metric_defs[i].name);
			if (w >= 0 && (size_t)w < errlen)
				snprintf(err + w, errlen - (size_t)w, ")");
			return -EINVAL;
		}
		char val[40];
		size_t vlen = len - nlen - 1;
		if (vlen >= sizeof(val)) {
			snprintf(err, errlen, "%s %.*s: range too long", flag, (int)nlen, p);
			return -EINVAL;
		}
		memcpy(val, eq + 1, vlen);
		val[vlen] = '\0';
		struct nrange *dst = is_crit ? &t->crit[m] : &t->warn[m];
		if (vlen == 0 || strcmp(val, "none") == 0) {
			memset(dst, 0, sizeof(*dst));
		} else if (nrange_parse(val, dst) < 0) {
			snprintf(err, errlen, "%s %s: bad range '%s' (use 10, 10:, ~:10, 10:20 or "
					      "@10:20)", flag, metric_defs[m].name, val);
			return -EINVAL;
		}
		if (!end)
			break;
		p = end + 1;
	}
	return 0;
}

enum state thresholds_check(const struct thresholds *t, enum metric m, double value)
{
	if (nrange_alerts(&t->crit[m], value))
		return STATE_CRITICAL;
	if (nrange_alerts(&t->warn[m], value))
		return STATE_WARNING;
	return STATE_OK;
}
