/* metrics: a member's /metrics text into a raw snapshot, through one want table. */
#include "probe/metrics.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *const metrics_sample_names[MS__COUNT] = {
	[MS_QUOTA_BYTES] = "etcd_server_quota_backend_bytes",
	[MS_DB_SIZE_BYTES] = "etcd_mvcc_db_total_size_in_bytes",
	[MS_DB_IN_USE_BYTES] = "etcd_mvcc_db_total_size_in_use_in_bytes",
	[MS_START_TIME] = "process_start_time_seconds",
	[MS_HAS_LEADER] = "etcd_server_has_leader",
	[MS_LEADER_CHANGES] = "etcd_server_leader_changes_seen_total",
	[MS_PROPOSALS_FAILED] = "etcd_server_proposals_failed_total",
	[MS_PROPOSALS_PENDING] = "etcd_server_proposals_pending",
	[MS_SLOW_APPLIES] = "etcd_server_slow_apply_total",
	[MS_HEARTBEAT_FAILURES] = "etcd_server_heartbeat_send_failures_total",
};

const char *const metrics_hist_names[MH__COUNT] = {
	[MH_WAL_FSYNC] = "etcd_disk_wal_fsync_duration_seconds",
	[MH_BACKEND_COMMIT] = "etcd_disk_backend_commit_duration_seconds",
};

static const char peer_rtt_name[] = "etcd_network_peer_round_trip_time_seconds";

/* The want table: the samples, then the histograms, then the peers' round trips. */
enum { W_HIST = MS__COUNT, W_PEERS = MS__COUNT + MH__COUNT, W_COUNT };

/* The To label: a member ID in hex without leading zeros (etcd's types.ID.String()). */
static bool parse_peer_id(const char *s, uint64_t *ret)
{
	uint64_t v = 0;
	size_t n = 0;
	for (; s[n]; n++) {
		char c = s[n];
		int d = c >= '0' && c <= '9' ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0 || n >= 16)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	*ret = v;
	return n > 0 && v != 0;
}

int metrics_extract(const char *text, size_t len, struct metrics_snapshot *ret)
{
	struct prom_want want[W_COUNT];
	struct prom_scan_stats st;
	memset(ret, 0, sizeof(*ret));
	for (int i = 0; i < MS__COUNT; i++)
		want[i] = (struct prom_want){metrics_sample_names[i], PROM_WANT_VALUE, NULL};
	for (int i = 0; i < MH__COUNT; i++)
		want[W_HIST + i] = (struct prom_want){metrics_hist_names[i], PROM_WANT_HISTOGRAM, NULL};
	want[W_PEERS] = (struct prom_want){peer_rtt_name, PROM_WANT_HISTOGRAM, "To"};

	/* about 10 KiB a row: not for the stack */
	struct prom_value *out = calloc(W_COUNT, sizeof(*out));
	if (!out)
		return -ENOMEM;
	int e = prom_text_scan(text, len, want, W_COUNT, out, &st);
	if (e < 0) {
		free(out);
		return e;
	}
	size_t found = 0;
	for (int i = 0; i < MS__COUNT; i++) {
		if (out[i].n_series == 0)
			continue;
		ret->has[i] = true;
		ret->v[i] = out[i].series[0].value;
		found++;
	}
	for (int i = 0; i < MH__COUNT; i++) {
		const struct prom_value *pv = &out[W_HIST + i];
		/* without +Inf no quantile can be computed: as if absent */
		if (pv->n_series == 0 || !pv->series[0].hist.has_inf)
			continue;
		ret->has_hist[i] = true;
		ret->hist[i] = pv->series[0].hist;
		found++;
	}
	const struct prom_value *pv = &out[W_PEERS];
	for (size_t i = 0; i < pv->n_series && ret->n_peers < METRICS_MAX_PEERS; i++) {
		struct metrics_peer *p = &ret->peers[ret->n_peers];
		if (!parse_peer_id(pv->series[i].label, &p->id) || !pv->series[i].hist.has_inf)
			continue;
		/* "a", "A" and "00a" are one ID: the first series of it counts, so that a peer is
		 * judged and written once (two samples of one series make an exposition invalid) */
		bool seen = false;
		for (size_t j = 0; j < ret->n_peers; j++)
			seen |= ret->peers[j].id == p->id;
		if (seen)
			continue;
		p->rtt = pv->series[i].hist;
		ret->n_peers++;
	}
	ret->bad_lines = st.bad_lines;
	ret->truncated = st.truncated;
	free(out);
	/* the quota or the DB size at least: what makes it an etcd member's /metrics */
	if (found == 0 || !(ret->has[MS_QUOTA_BYTES] || ret->has[MS_DB_SIZE_BYTES]))
		return -EBADMSG;
	return 0;
}
