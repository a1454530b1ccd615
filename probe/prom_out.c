/* prom_out: the Prometheus text exposition of a check's result; one table row per endpoint family. */
#include "probe/prom_out.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "proto/utf8.h"

#define MAX_LABELS 5

struct label {
	const char *name;
	const char *value; /* NULL or "" leaves the label out: Prometheus reads both alike */
};

struct writer {
	FILE *out;
	const struct check_facts *f;
	const struct verdict *v;
	size_t n_eps;                    /* f->n_eps, bounded by the verdict's FACTS_MAX_ENDPOINTS */
	bool first[FACTS_MAX_ENDPOINTS]; /* the first endpoint with its URL: the one written */
	const char *name, *help;         /* the family being written */
	bool header_done;
};

/* Starts a family; its # HELP and # TYPE go out with its first sample, so that a family with no
 * sample (no --write-check, no /metrics) is left out whole. */
static void family(struct writer *w, const char *name, const char *help)
{
	w->name = name;
	w->help = help;
	w->header_done = false;
}

/* A label value as the format wants it: \\, \" and \n escaped, and valid UTF-8 (Prometheus
 * refuses a scrape with an invalid label value): each ill-formed subpart becomes U+FFFD. The
 * facts are sanitized already; a report must not rely on it. */
static void put_label_value(FILE *out, const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		int ok;
		size_t k = utf8_scan(s + i, n - i, &ok);
		if (!ok)
			fputs("\xef\xbf\xbd", out);
		else if (s[i] == '\\')
			fputs("\\\\", out);
		else if (s[i] == '"')
			fputs("\\\"", out);
		else if (s[i] == '\n')
			fputs("\\n", out);
		else
			fwrite(s + i, 1, k, out);
		i += k;
	}
}

static void sample(struct writer *w, const struct label *labels, size_t n_labels, double value)
{
	if (!isfinite(value))
		return; /* NaN or Inf would read as a real value; no sample says "unknown" */
	if (!w->header_done) {
		fprintf(w->out, "# HELP %s %s\n# TYPE %s gauge\n", w->name, w->help, w->name);
		w->header_done = true;
	}
	fputs(w->name, w->out);
	bool any = false;
	for (size_t i = 0; i < n_labels; i++) {
		if (!labels[i].value || !labels[i].value[0])
			continue;
		fprintf(w->out, "%c%s=\"", any ? ',' : '{', labels[i].name);
		put_label_value(w->out, labels[i].value);
		fputc('"', w->out);
		any = true;
	}
	if (any)
		fputc('}', w->out);
	/* %.15g: DBL_DIG digits, so a decimal read in comes out as written (0.0015, not
	 * 0.0015000000000000000312); Go's ParseFloat reads every form printf gives */
	fprintf(w->out, " %.15g\n", value);
}

static void hex_id(uint64_t id, char buf[17])
{
	if (id)
		snprintf(buf, 17, "%016" PRIx64, id);
	else
		buf[0] = '\0';
}

/* The labels of endpoint i: cluster_id (its own when Status answered, else the cluster's, so a
 * member that goes down keeps its series), member and endpoint; room for one more after them. */
struct ep_labels {
	char cid[17];
	struct label l[MAX_LABELS];
	size_t n;
};

static void ep_labels(const struct writer *w, size_t i, struct ep_labels *ret)
{
	const struct endpoint_facts *e = &w->f->eps[i];
	hex_id(e->has_status ? e->cluster_id : w->v->cluster_id, ret->cid);
	ret->l[0] = (struct label){"cluster_id", ret->cid};
	ret->l[1] = (struct label){"member", e->name};
	ret->l[2] = (struct label){"endpoint", e->ep.url};
	ret->n = 3;
}

/* --- endpoint families: a value, or false for "no sample" ----------------------------------- */

typedef bool (*ep_value_fn)(const struct writer *w, size_t i, double *ret);

static bool v_state(const struct writer *w, size_t i, double *ret)
{
	*ret = (double)w->v->eps[i].state;
	return true;
}

static bool v_up(const struct writer *w, size_t i, double *ret)
{
	*ret = !w->f->eps[i].failed;
	return true;
}

static bool v_read_latency(const struct writer *w, size_t i, double *ret)
{
	*ret = w->f->eps[i].latency_s;
	return w->f->eps[i].healthy;
}

static bool v_write_ok(const struct writer *w, size_t i, double *ret)
{
	*ret = w->f->eps[i].write_ok;
	return w->f->eps[i].write_done;
}

static bool v_write_latency(const struct writer *w, size_t i, double *ret)
{
	*ret = w->f->eps[i].write_latency_s;
	return w->f->eps[i].write_done && w->f->eps[i].write_ok;
}

static bool v_db_size(const struct writer *w, size_t i, double *ret)
{
	*ret = (double)w->f->eps[i].db_size;
	return w->f->eps[i].has_status;
}

static bool v_db_in_use(const struct writer *w, size_t i, double *ret)
{
	*ret = (double)w->f->eps[i].db_size_in_use;
	return w->f->eps[i].has_status;
}

/* The quota the member enforces, by facts_quota_bytes' rule (Status, /metrics, etcd's 2 GiB
 * default); nothing when neither Status nor /metrics was read. */
static bool v_quota(const struct writer *w, size_t i, double *ret)
{
	const struct endpoint_facts *e = &w->f->eps[i];
	bool assumed;
	*ret = facts_quota_bytes(e, &assumed);
	return e->has_status || !assumed;
}

static bool v_quota_ratio(const struct writer *w, size_t i, double *ret)
{
	double quota;
	if (!w->f->eps[i].has_status || !v_quota(w, i, &quota))
		return false;
	*ret = (double)w->f->eps[i].db_size / quota;
	return true;
}

static bool v_apply_lag(const struct writer *w, size_t i, double *ret)
{
	const struct endpoint_facts *e = &w->f->eps[i];
	*ret = e->raft_index > e->raft_applied_index
		       ? (double)(e->raft_index - e->raft_applied_index) : 0;
	return e->has_status;
}

static bool v_is_leader(const struct writer *w, size_t i, double *ret)
{
	const struct endpoint_facts *e = &w->f->eps[i];
	*ret = e->member_id && e->leader == e->member_id;
	return e->has_status;
}

static bool v_has_leader(const struct writer *w, size_t i, double *ret)
{
	*ret = w->f->eps[i].leader != 0;
	return w->f->eps[i].has_status;
}

static bool v_learner(const struct writer *w, size_t i, double *ret)
{
	*ret = w->f->eps[i].is_learner;
	return w->f->eps[i].has_status;
}

static bool v_cert_expiry(const struct writer *w, size_t i, double *ret)
{
	*ret = difftime(w->f->eps[i].cert_not_after, w->f->now);
	return w->f->eps[i].has_cert;
}

/* From the member's /metrics (probe/facts.h struct metrics_facts): each when its has_ flag is. */
#define M_VALUE(fn, flag, field)                                                                 \
	static bool fn(const struct writer *w, size_t i, double *ret)                            \
	{                                                                                        \
		*ret = w->f->eps[i].m.field;                                                     \
		return w->f->eps[i].m.flag;                                                      \
	}
M_VALUE(v_wal_fsync, has_wal_fsync_p99, wal_fsync_p99_s)
M_VALUE(v_backend_commit, has_backend_commit_p99, backend_commit_p99_s)
M_VALUE(v_leader_changes, has_leader_changes, leader_changes_15m)
M_VALUE(v_proposals_failed, has_proposals_failed, proposals_failed_15m)
M_VALUE(v_proposals_pending, has_proposals_pending, proposals_pending)
M_VALUE(v_slow_applies, has_slow_applies, slow_applies)
M_VALUE(v_heartbeat_failures, has_heartbeat_failures, heartbeat_failures)
#undef M_VALUE

static bool v_metrics_interval(const struct writer *w, size_t i, double *ret)
{
	*ret = w->f->eps[i].m.interval_s;
	return w->f->eps[i].m.read && w->f->eps[i].m.interval;
}

struct ep_family {
	const char *name, *help;
	ep_value_fn value;
	bool always;             /* also for an endpoint that did not answer */
	const char *extra_label; /* a constant label, e.g. cert="server" */
	const char *extra_value;
};

/* Gauges all: a count over a window (leader changes in 15 minutes) or over the interval since
 * the last run goes down as well as up, so it is not a Prometheus counter (which would also
 * need a _total name; promtool check metrics enforces both). */
static const struct ep_family ep_families[] = {
	{"etcd_probe_endpoint_state", "Nagios state of the endpoint: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
	 v_state, true, NULL, NULL},
	{"etcd_probe_endpoint_up", "1 when the endpoint answered (TCP, TLS and HTTP/2 succeeded), else 0.",
	 v_up, true, NULL, NULL},
	{"etcd_probe_read_latency_seconds", "Duration of the linearizable read of key \"health\".",
	 v_read_latency, false, NULL, NULL},
	{"etcd_probe_write_ok", "1 when the --write-check put and delete succeeded, else 0.",
	 v_write_ok, false, NULL, NULL},
	{"etcd_probe_write_latency_seconds", "Duration of the --write-check put and delete.",
	 v_write_latency, false, NULL, NULL},
	{"etcd_probe_db_size_bytes", "Size of the member's backend database file (Status dbSize).",
	 v_db_size, false, NULL, NULL},
	{"etcd_probe_db_size_in_use_bytes", "Bytes of the backend database in use (Status dbSizeInUse).",
	 v_db_in_use, false, NULL, NULL},
	{"etcd_probe_db_quota_bytes", "Backend quota the member enforces (Status, else its /metrics, else etcd's 2 GiB default).",
	 v_quota, false, NULL, NULL},
	{"etcd_probe_db_quota_ratio", "Database file size as a fraction of the backend quota (1 = NOSPACE).",
	 v_quota_ratio, false, NULL, NULL},
	{"etcd_probe_apply_lag_entries", "Raft entries committed but not yet applied by the member.",
	 v_apply_lag, false, NULL, NULL},
	{"etcd_probe_is_leader", "1 when the member is the raft leader.",
	 v_is_leader, false, NULL, NULL},
	{"etcd_probe_has_leader", "1 when the member knows a raft leader.",
	 v_has_leader, false, NULL, NULL},
	{"etcd_probe_learner", "1 when the member is a learner (not voting).",
	 v_learner, false, NULL, NULL},
	{"etcd_probe_cert_expiry_seconds", "Seconds from the probe's run until the certificate expires (negative once expired).",
	 v_cert_expiry, false, "cert", "server"},
	{"etcd_probe_wal_fsync_p99_seconds", "99th percentile of WAL fsync durations over the metrics interval.",
	 v_wal_fsync, false, NULL, NULL},
	{"etcd_probe_backend_commit_p99_seconds", "99th percentile of backend commit durations over the metrics interval.",
	 v_backend_commit, false, NULL, NULL},
	{"etcd_probe_leader_changes_15m", "Leader changes the member saw in the last 15 minutes.",
	 v_leader_changes, false, NULL, NULL},
	{"etcd_probe_proposals_failed_15m", "Failed raft proposals in the last 15 minutes.",
	 v_proposals_failed, false, NULL, NULL},
	{"etcd_probe_proposals_pending", "Raft proposals waiting to commit.",
	 v_proposals_pending, false, NULL, NULL},
	{"etcd_probe_slow_applies", "Applies slower than 100 ms over the metrics interval.",
	 v_slow_applies, false, NULL, NULL},
	{"etcd_probe_heartbeat_failures", "Heartbeats the leader failed to send over the metrics interval.",
	 v_heartbeat_failures, false, NULL, NULL},
	{"etcd_probe_metrics_interval_seconds", "Length of the interval the /metrics figures cover (since the last run).",
	 v_metrics_interval, false, NULL, NULL},
};

/* An endpoint whose samples are written: the first with its URL, and one that answered unless
 * the family is one of state and up. */
static bool ep_written(const struct writer *w, size_t i, bool always)
{
	return w->first[i] && (always || !w->f->eps[i].failed);
}

static void write_ep_family(struct writer *w, const struct ep_family *fam)
{
	family(w, fam->name, fam->help);
	for (size_t i = 0; i < w->n_eps; i++) {
		double value;
		if (!ep_written(w, i, fam->always) || !fam->value(w, i, &value))
			continue;
		struct ep_labels el;
		ep_labels(w, i, &el);
		if (fam->extra_label)
			el.l[el.n++] = (struct label){fam->extra_label, fam->extra_value};
		sample(w, el.l, el.n, value);
	}
}

/* --- families with labels of their own -------------------------------------------------------- */

/* The client certificate is the probe's own: one sample with cluster_id and cert="client". */
static void write_client_cert(struct writer *w)
{
	char cid[17];
	if (!w->f->have_client_cert)
		return;
	hex_id(w->v->cluster_id, cid);
	struct label l[] = {{"cluster_id", cid}, {"cert", "client"}};
	sample(w, l, 2, difftime(w->f->client_cert_not_after, w->f->now));
}

/* peer: the peer's member name from the member list, its 16-digit ID when the list has none. */
static void write_peer_rtt(struct writer *w)
{
	family(w, "etcd_probe_peer_rtt_p99_seconds",
	       "99th percentile of the round trip to a peer over the metrics interval.");
	for (size_t i = 0; i < w->n_eps; i++) {
		const struct endpoint_facts *e = &w->f->eps[i];
		if (!ep_written(w, i, false))
			continue;
		size_t n = e->m.n_peers < FACTS_MAX_PEERS ? e->m.n_peers : FACTS_MAX_PEERS;
		for (size_t p = 0; p < n; p++) {
			char hex[17];
			const struct member_fact *mf = facts_member_by_id(w->f, e->m.peers[p].peer_id);
			hex_id(e->m.peers[p].peer_id, hex);
			struct ep_labels el;
			ep_labels(w, i, &el);
			/* the ID keeps two peers apart whose names are equal (names come from the
			 * member list: a hostile one would make duplicate series) */
			el.l[el.n++] = (struct label){"peer", mf && mf->name[0] ? mf->name : hex};
			el.l[el.n++] = (struct label){"peer_id", hex};
			sample(w, el.l, el.n, e->m.peers[p].p99_s);
		}
	}
}

static bool alarm_raised(const struct check_facts *f, uint64_t member_id, int type)
{
	for (size_t a = 0; a < f->n_alarms; a++)
		if (f->alarms[a].member_id == member_id && f->alarms[a].type == type)
			return true;
	return false;
}

/* A written endpoint that answered Status as this member: its alarms are written with it. */
static bool alarm_member_written(const struct writer *w, uint64_t member_id)
{
	for (size_t i = 0; i < w->n_eps; i++)
		if (ep_written(w, i, false) && w->f->eps[i].has_status &&
		    w->f->eps[i].member_id == member_id)
			return true;
	return false;
}

/* 0 or 1 per member that answered, for each type etcd has, so that an alarm being cleared is a
 * 0 rather than a series that vanishes; an alarm of a type etcd may add later, or raised by a
 * member not probed, is a 1 of its own (labels from the member list). Only when some member
 * answered the Alarm call: otherwise nothing is known. */
static void write_alarms(struct writer *w)
{
	static const int known[] = {ALARM_NOSPACE, ALARM_CORRUPT};
	const struct check_facts *f = w->f;
	char buf[16];
	if (!f->have_alarms)
		return;
	family(w, "etcd_probe_alarm", "1 while the member has raised the alarm of this type.");
	for (size_t i = 0; i < w->n_eps; i++) {
		const struct endpoint_facts *e = &f->eps[i];
		if (!ep_written(w, i, false) || !e->has_status)
			continue;
		struct ep_labels el;
		ep_labels(w, i, &el);
		struct label *type = &el.l[el.n++];
		for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
			*type = (struct label){"type", alarm_type_str(known[k], buf)};
			sample(w, el.l, el.n, alarm_raised(f, e->member_id, known[k]));
		}
		for (size_t a = 0; a < f->n_alarms; a++) {
			int t = f->alarms[a].type;
			if (f->alarms[a].member_id != e->member_id || t == ALARM_NOSPACE ||
			    t == ALARM_CORRUPT)
				continue;
			*type = (struct label){"type", alarm_type_str(t, buf)};
			sample(w, el.l, el.n, 1);
		}
	}
	char cid[17];
	hex_id(w->v->cluster_id, cid);
	for (size_t a = 0; a < f->n_alarms; a++) {
		if (alarm_member_written(w, f->alarms[a].member_id))
			continue;
		char hex[17];
		const struct member_fact *mf = facts_member_by_id(f, f->alarms[a].member_id);
		hex_id(f->alarms[a].member_id, hex);
		struct label l[] = {
			{"cluster_id", cid},
			{"member", mf && mf->name[0] ? mf->name : hex},
			{"endpoint", mf ? mf->client_url : NULL},
			{"type", alarm_type_str(f->alarms[a].type, buf)},
			{"member_id", hex}, /* names and URLs of the member list may repeat */
		};
		sample(w, l, 5, 1);
	}
}

static void write_cluster(struct writer *w)
{
	const struct verdict *v = w->v;
	char cid[17];
	hex_id(v->cluster_id, cid);
	struct label l[] = {{"cluster_id", cid}};

	family(w, "etcd_probe_state", "Nagios state of the run: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.");
	sample(w, l, 1, (double)v->state);
	family(w, "etcd_probe_duration_seconds", "Wall-clock duration of the probe's checks.");
	sample(w, l, 1, w->f->elapsed_s);
	family(w, "etcd_probe_timestamp_seconds",
	       "Unix time the probe ran (a textfile that stops changing is stale).");
	sample(w, l, 1, (double)w->f->now);
	family(w, "etcd_probe_voting_members", "Voting members in the member list (learners left out).");
	sample(w, l, 1, (double)v->voting_members);
	family(w, "etcd_probe_healthy_members", "Distinct voting members that answered a quorum read.");
	sample(w, l, 1, (double)v->healthy_members);
	family(w, "etcd_probe_quorum_ok", "1 when enough voting members are healthy for a quorum.");
	sample(w, l, 1, v->quorum_ok);
}

int report_prometheus(FILE *out, const struct check_facts *f, const struct verdict *v)
{
	struct writer w = {.out = out, .f = f, .v = v};
	w.n_eps = f->n_eps < FACTS_MAX_ENDPOINTS ? f->n_eps : FACTS_MAX_ENDPOINTS;
	for (size_t i = 0; i < w.n_eps; i++) {
		w.first[i] = true;
		for (size_t j = 0; j < i && w.first[i]; j++)
			w.first[i] = strcmp(f->eps[i].ep.url, f->eps[j].ep.url) != 0;
	}

	write_cluster(&w);
	for (size_t k = 0; k < sizeof(ep_families) / sizeof(ep_families[0]); k++) {
		write_ep_family(&w, &ep_families[k]);
		/* the probe's client certificate joins the servers' family, still open */
		if (ep_families[k].value == v_cert_expiry)
			write_client_cert(&w);
	}
	write_peer_rtt(&w);
	write_alarms(&w);
	return fflush(out) != 0 || ferror(out) ? -EIO : 0;
}
