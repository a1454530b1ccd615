/* report: Nagios and JSON renderings of a check's result. */
#include "probe/report.h"

#include <inttypes.h>
#include <string.h>

#include "probe/advisory.h"
#include "probe/json_out.h"
#include "proto/certinfo.h"

void report_size(int64_t bytes, char *out, size_t outlen)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)bytes;
	int u = 0;
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, outlen, "%" PRId64 " B", bytes);
	else
		snprintf(out, outlen, "%.1f %s", v, units[u]);
}

/* Perfdata labels: the member name when known (stable across runs), else host:port. */
static void perf_label(const struct endpoint_facts *e, char *out, size_t outlen)
{
	const char *src = e->name[0] ? e->name : e->ep.host;
	size_t o = 0;
	for (size_t i = 0; src[i] && o + 1 < outlen; i++) {
		char c = src[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
		out[o++] = ok ? c : '_';
	}
	if (!e->name[0] && o + 1 < outlen) {
		out[o] = '\0';
		snprintf(out + o, outlen - o, "_%s", e->ep.port);
		return;
	}
	out[o] = '\0';
}

static void perf(FILE *out, const char *label, const char *metric, double value, const char *fmt,
		 const char *uom, const struct thresholds *t, int m, const char *minmax)
{
	fprintf(out, " '%s%s%s'=", label, label[0] ? "_" : "", metric);
	fprintf(out, fmt, value);
	fprintf(out, "%s;%s;%s;%s", uom, m >= 0 ? t->warn[m].text : "",
		m >= 0 ? t->crit[m].text : "", minmax);
}

static void sanitize_line(const char *in, char *out, size_t outlen)
{
	size_t o = 0;
	for (size_t i = 0; in[i] && o + 1 < outlen; i++)
		out[o++] = (in[i] == '|' || in[i] == '\n' || in[i] == '\r') ? '/' : in[i];
	out[o] = '\0';
}

/* The /metrics figures present, as perfdata. */
static void perf_metrics(FILE *out, const char *label, const struct metrics_facts *m,
			 const struct thresholds *t)
{
	if (!m->read)
		return;
	const struct {
		bool has;
		double v;
		enum metric k;
	} rows[] = {
		{m->has_wal_fsync_p99, m->wal_fsync_p99_s, METRIC_WAL_FSYNC_P99},
		{m->has_backend_commit_p99, m->backend_commit_p99_s, METRIC_BACKEND_COMMIT_P99},
		{m->has_leader_changes, m->leader_changes_15m, METRIC_LEADER_CHANGES},
		{m->has_proposals_failed, m->proposals_failed_15m, METRIC_PROPOSALS_FAILED},
		{m->has_proposals_pending, m->proposals_pending, METRIC_PROPOSALS_PENDING},
		{m->has_slow_applies, m->slow_applies, METRIC_SLOW_APPLIES},
		{m->has_heartbeat_failures, m->heartbeat_failures, METRIC_HEARTBEAT_FAILURES},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct metric_def *d = &metric_defs[rows[i].k];
		if (rows[i].has)
			perf(out, label, d->name, rows[i].v, d->uom[0] == 's' ? "%.6f" : "%.0f", d->uom,
			     t, (int)rows[i].k, "0;");
	}
	double worst = -1;
	for (size_t i = 0; i < m->n_peers; i++)
		if (m->peers[i].p99_s > worst)
			worst = m->peers[i].p99_s;
	if (worst >= 0)
		perf(out, label, "peer_rtt_p99", worst, "%.6f", "s", t, METRIC_PEER_RTT_P99, "0;");
}

void report_nagios(FILE *out, const struct check_facts *f, const struct verdict *v,
		   const struct thresholds *t)
{
	char line[VERDICT_TEXT_LEN], label[96], sz[32], sz2[32], date[16];

	sanitize_line(v->summary, line, sizeof(line));
	fprintf(out, "ETCD %s - %s |", state_str(v->state), line);
	perf(out, "", "members", (double)v->voting_members, "%.0f", "", t, METRIC_MEMBERS, "0;");
	perf(out, "", "healthy", (double)v->healthy_members, "%.0f", "", t, -1, "0;");
	perf(out, "", "alarms", (double)f->n_alarms, "%.0f", "", t, -1, "0;");
	for (size_t i = 0; i < f->n_eps; i++) {
		const struct endpoint_facts *e = &f->eps[i];
		perf_label(e, label, sizeof(label));
		if (e->healthy)
			perf(out, label, "latency", e->latency_s, "%.6f", "s", t, METRIC_LATENCY,
			     "0;");
		if (e->write_ok)
			perf(out, label, "write_latency", e->write_latency_s, "%.6f", "s", t,
			     METRIC_WRITE_LATENCY, "0;");
		if (e->has_status) {
			bool assumed;
			double quota = facts_quota_bytes(e, &assumed);
			perf(out, label, "db_size", (double)e->db_size, "%.0f", "B", t, -1, "0;");
			perf(out, label, "db_pct", 100.0 * (double)e->db_size / quota, "%.2f",
			     "%", t, METRIC_DB_PCT, "0;100");
			if (!assumed)
				perf(out, label, "db_quota", quota, "%.0f", "B", t, -1, "0;");
			if (e->db_size > 0)
				perf(out, label, "frag_pct",
				     100.0 * (1.0 - (double)e->db_size_in_use / (double)e->db_size),
				     "%.2f", "%", t, METRIC_FRAG_PCT, "0;100");
			double lag = e->raft_index > e->raft_applied_index
					     ? (double)(e->raft_index - e->raft_applied_index) : 0;
			perf(out, label, "apply_lag", lag, "%.0f", "", t, METRIC_APPLY_LAG, "0;");
			perf(out, label, "raft_index", (double)e->raft_index, "%.0f", "c", t, -1, ";");
		}
		if (e->has_cert)
			perf(out, label, "cert_days",
			     (double)verdict_days_left(f->now, e->cert_not_after), "%.0f", "", t,
			     METRIC_CERT_DAYS, ";");
		perf_metrics(out, label, &e->m, t);
	}
	fputc('\n', out);

	for (size_t i = 0; i < f->n_eps; i++) {
		const struct endpoint_facts *e = &f->eps[i];
		const struct endpoint_verdict *ev = &v->eps[i];
		fprintf(out, "%s: %s", state_str(ev->state), e->ep.url);
		if (e->name[0])
			fprintf(out, " %s", e->name);
		if (e->has_status) {
			report_size(e->db_size, sz, sizeof(sz));
			report_size(e->db_size_in_use, sz2, sizeof(sz2));
			bool assumed;
			double quota = facts_quota_bytes(e, &assumed);
			char qs[48] = "";
			if (!assumed) {
				char q[32];
				report_size((int64_t)quota, q, sizeof(q));
				snprintf(qs, sizeof(qs), ", quota %s", q);
			}
			fprintf(out, " %016" PRIx64 " %s v%s db %s (in use %s%s) term %" PRIu64
				     " index %" PRIu64 " applied %" PRIu64,
				e->member_id,
				e->is_learner ? "learner"
				: e->leader == e->member_id ? "leader" : "follower",
				e->version, sz, sz2, qs, e->raft_term, e->raft_index,
				e->raft_applied_index);
		}
		if (e->healthy)
			fprintf(out, " latency %.1f ms", e->latency_s * 1000);
		if (e->write_ok) /* a failed write is in the reason: "write refused: NOSPACE ..." */
			fprintf(out, " write %.1f ms", e->write_latency_s * 1000);
		if (e->m.has_wal_fsync_p99)
			fprintf(out, " fsync p99 %.1f ms", e->m.wal_fsync_p99_s * 1000);
		if (e->m.has_backend_commit_p99)
			fprintf(out, " commit p99 %.1f ms", e->m.backend_commit_p99_s * 1000);
		double rtt = -1;
		for (size_t p = 0; p < e->m.n_peers; p++)
			if (e->m.peers[p].p99_s > rtt)
				rtt = e->m.peers[p].p99_s;
		if (rtt >= 0)
			fprintf(out, " peer p99 %.1f ms", rtt * 1000);
		if ((e->m.has_wal_fsync_p99 || e->m.has_backend_commit_p99 || rtt >= 0) &&
		    !e->m.interval)
			fprintf(out, " (lifetime)");
		if (e->m.has_leader_changes)
			fprintf(out, " leader changes 15m %.6g", e->m.leader_changes_15m);
		if (e->has_cert) {
			certinfo_date(e->cert_not_after, date);
			fprintf(out, " cert %ld days (%s)", verdict_days_left(f->now, e->cert_not_after),
				date);
		}
		if (ev->reason[0]) {
			sanitize_line(ev->reason, line, sizeof(line));
			fprintf(out, " - %s", line);
		}
		if (e->metrics_error[0] && !e->metrics_url_given) {
			sanitize_line(e->metrics_error, line, sizeof(line));
			fprintf(out, " (metrics not read: %s)", line);
		}
		fputc('\n', out);
	}
	if (f->history_note[0]) {
		sanitize_line(f->history_note, line, sizeof(line));
		fprintf(out, "%s\n", line);
	}
}

/* The cluster object: ID, size, leader, quorum and every alarm with the member that raised it. */
static json_t *json_cluster(const struct check_facts *f, const struct verdict *v, int *err)
{
	char buf[16];
	json_t *c = json_object();
	json_out_set(c, "id", json_out_id(v->cluster_id), err);
	json_out_set(c, "size", json_out_uint(v->voting_members), err);
	json_out_set(c, "healthy", json_out_uint(v->healthy_members), err);
	json_out_set(c, "leader", json_out_id(v->leader_id), err);
	const struct member_fact *lm = facts_member_by_id(f, v->leader_id);
	json_out_set(c, "leader_name", json_out_str_or_null(lm ? lm->name : NULL), err);
	json_out_set(c, "quorum", json_out_uint(v->quorum), err);
	json_out_set(c, "quorum_ok", json_boolean(v->quorum_ok), err);
	json_t *alarms = json_array();
	for (size_t i = 0; i < f->n_alarms; i++) {
		json_t *a = json_object();
		json_out_set(a, "member_id", json_out_id(f->alarms[i].member_id), err);
		json_out_set(a, "alarm", json_out_str(alarm_type_str(f->alarms[i].type, buf)), err);
		json_out_push(alarms, a, err);
	}
	json_out_set(c, "alarms", alarms, err);
	return c;
}

static json_t *json_opt(bool has, double v)
{
	return has ? json_real(v) : json_null();
}

/* What /metrics said, null when it was not asked; "error" when it could not be read. */
static json_t *json_metrics(const struct endpoint_facts *e, int *err)
{
	const struct metrics_facts *m = &e->m;
	char id[24];
	if (!e->metrics_url[0])
		return json_null();
	json_t *j = json_object();
	json_out_set(j, "url", json_out_str(e->metrics_url), err);
	json_out_set(j, "error", json_out_str_or_null(e->metrics_error), err);
	json_out_set(j, "interval_seconds", m->read && m->interval ? json_real(m->interval_s)
								  : json_null(), err);
	json_out_set(j, "note", json_out_str_or_null(m->interval_note), err);
	json_out_set(j, "quota_bytes", json_opt(m->has_quota, m->quota_bytes), err);
	json_out_set(j, "wal_fsync_p99_seconds", json_opt(m->has_wal_fsync_p99, m->wal_fsync_p99_s),
		     err);
	json_out_set(j, "backend_commit_p99_seconds",
		     json_opt(m->has_backend_commit_p99, m->backend_commit_p99_s), err);
	json_t *peers = json_object();
	for (size_t i = 0; i < m->n_peers; i++) {
		snprintf(id, sizeof(id), "%016" PRIx64, m->peers[i].peer_id);
		json_out_set(peers, id, json_real(m->peers[i].p99_s), err);
	}
	json_out_set(j, "peer_rtt_p99_seconds", peers, err);
	json_out_set(j, "leader_changes_15m", json_opt(m->has_leader_changes, m->leader_changes_15m),
		     err);
	json_out_set(j, "proposals_failed_15m",
		     json_opt(m->has_proposals_failed, m->proposals_failed_15m), err);
	json_out_set(j, "proposals_pending", json_opt(m->has_proposals_pending, m->proposals_pending),
		     err);
	json_out_set(j, "slow_applies", json_opt(m->has_slow_applies, m->slow_applies), err);
	json_out_set(j, "heartbeat_failures",
		     json_opt(m->has_heartbeat_failures, m->heartbeat_failures), err);
	return j;
}

/* One endpoint: what it answered; the Status fields are null when Status was not read. */
static json_t *json_endpoint(const struct check_facts *f, const struct endpoint_facts *e,
			     const struct endpoint_verdict *ev, int *err)
{
	char buf[16], date[32];
	json_t *j = json_object();
	json_out_set(j, "endpoint", json_out_str(e->ep.url), err);
	json_out_set(j, "status", json_out_str(state_str(ev->state)), err);
	json_out_set(j, "healthy", json_boolean(e->healthy), err);
	json_out_set(j, "error", json_out_str_or_null(ev->reason), err);
	/* for machines: why it could not be reached ("refused", "tls-verify", ...), null if it was */
	json_out_set(j, "failure",
		     e->failed ? json_out_str(endpoint_failure_str(e->failure)) : json_null(), err);
	json_out_set(j, "member_id", json_out_id(e->has_status ? e->member_id : 0), err);
	json_out_set(j, "name", json_out_str_or_null(e->name), err);
	bool st = e->has_status;
	json_out_set(j, "is_leader", st ? json_boolean(e->leader == e->member_id) : json_null(),
		     err);
	json_out_set(j, "is_learner", st ? json_boolean(e->is_learner) : json_null(), err);
	json_out_set(j, "version", st ? json_out_str(e->version) : json_null(), err);
	/* where the etcd maintainers warn against this version (probe/advisory.c), [] if nowhere */
	json_t *adv = st ? json_array() : json_null();
	for (const struct advisory *a = st ? advisory_find(e->version) : NULL; a;
	     a = advisory_next(e->version, a))
		json_out_push(adv, json_out_str(a->source), err);
	json_out_set(j, "advisories", adv, err);
	json_out_set(j, "db_size", st ? json_integer(e->db_size) : json_null(), err);
	json_out_set(j, "db_size_in_use", st ? json_integer(e->db_size_in_use) : json_null(), err);
	json_out_set(j, "raft_term", st ? json_out_uint(e->raft_term) : json_null(), err);
	json_out_set(j, "raft_index", st ? json_out_uint(e->raft_index) : json_null(), err);
	json_out_set(j, "raft_applied_index", st ? json_out_uint(e->raft_applied_index)
						 : json_null(), err);
	json_t *alarms = json_array();
	for (size_t a = 0; a < f->n_alarms; a++)
		if (st && f->alarms[a].member_id == e->member_id)
			json_out_push(alarms, json_out_str(alarm_type_str(f->alarms[a].type, buf)),
				      err);
	json_out_set(j, "alarms", alarms, err);
	json_out_set(j, "latency_seconds", e->healthy ? json_out_real6(e->latency_s) : json_null(),
		     err);
	json_t *not_after = json_null();
	if (e->has_cert) {
		struct tm tm;
		gmtime_r(&e->cert_not_after, &tm);
		strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
		not_after = json_out_str(date);
	}
	json_out_set(j, "cert_not_after", not_after, err);
	bool assumed = true;
	double quota = st ? facts_quota_bytes(e, &assumed) : 0;
	json_out_set(j, "db_quota_bytes", st ? json_real(quota) : json_null(), err);
	json_out_set(j, "db_quota_assumed", st ? json_boolean(assumed) : json_null(), err);
	json_out_set(j, "metrics", json_metrics(e, err), err);
	/* --write-check: on the endpoint that wrote; null elsewhere and without the flag */
	bool w = e->write_done;
	json_out_set(j, "write_ok", w ? json_boolean(e->write_ok) : json_null(), err);
	json_out_set(j, "write_latency_s", w && e->write_ok ? json_out_real6(e->write_latency_s)
							  : json_null(), err);
	json_out_set(j, "write_error", w && !e->write_ok ? json_out_str(e->write_error)
							 : json_null(), err);
	return j;
}

int report_json(FILE *out, const struct check_facts *f, const struct verdict *v)
{
	int err = 0;
	json_t *doc = json_object();
	json_out_set(doc, "status", json_out_str(state_str(v->state)), &err);
	json_out_set(doc, "exit_code", json_integer((int)v->state), &err);
	json_out_set(doc, "summary", json_out_str(v->summary), &err);
	json_out_set(doc, "cluster", json_cluster(f, v, &err), &err);
	json_t *eps = json_array();
	for (size_t i = 0; i < f->n_eps; i++)
		json_out_push(eps, json_endpoint(f, &f->eps[i], &v->eps[i], &err), &err);
	json_out_set(doc, "endpoints", eps, &err);
	json_out_set(doc, "state_file_note", json_out_str_or_null(f->history_note), &err);
	return json_out_write(out, doc, err);
}
