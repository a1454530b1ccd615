/* verdict: cluster and endpoint states from the facts. Quorum arithmetic follows etcd: n voting
 * members need n/2+1 healthy; learners are left out of the count. */
#include "probe/verdict.h"

#include "probe/advisory.h"
#include "proto/certinfo.h"
#include "proto/grpc_frame.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Problems are collected with their state, then the summary lists the worst ones first. Past
 * MAX_PROBLEMS a problem's text may be left out (the least severe goes first), its state never:
 * worst is the max of every problem ever added, and dropped is said as "and N more". */
#define MAX_PROBLEMS 16
struct problems {
	size_t n;
	enum state st[MAX_PROBLEMS];
	char text[MAX_PROBLEMS][480];
	enum state worst;
	size_t dropped;
};

/* Order in the summary: CRITICAL, WARNING, then the rest (UNKNOWN-ranked notes). */
static int summary_rank(enum state s)
{
	return s == STATE_CRITICAL ? 2 : s == STATE_WARNING ? 1 : 0;
}

static void problem(struct problems *p, enum state st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void problem(struct problems *p, enum state st, const char *fmt, ...)
{
	p->worst = state_max(p->worst, st);
	size_t slot = p->n;
	if (p->n == MAX_PROBLEMS) {
		/* full: the new one replaces the least severe kept, if it is more severe */
		slot = 0;
		for (size_t i = 1; i < p->n; i++)
			if (summary_rank(p->st[i]) < summary_rank(p->st[slot]))
				slot = i;
		p->dropped++;
		if (summary_rank(st) <= summary_rank(p->st[slot]))
			return;
	} else {
		p->n++;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->text[slot], sizeof(p->text[0]), fmt, ap);
	va_end(ap);
	p->st[slot] = st;
}

static void add_reason(struct endpoint_verdict *ev, enum state st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void add_reason(struct endpoint_verdict *ev, enum state st, const char *fmt, ...)
{
	char buf[VERDICT_TEXT_LEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	size_t used = strlen(ev->reason);
	snprintf(ev->reason + used, sizeof(ev->reason) - used, "%s%s", used ? "; " : "", buf);
	ev->state = state_max(ev->state, st);
}

/* A release the etcd maintainers warn against (probe/advisory.c) is a WARNING naming each
 * defect and the release to move to: the highest fix of the rows it falls in, since patch
 * releases of a line are cumulative. */
static void judge_version(const struct endpoint_facts *e, struct endpoint_verdict *ev)
{
	const struct advisory *a = advisory_find(e->version);
	if (!a)
		return;
	char why[VERDICT_TEXT_LEN] = "";
	struct advisory_version to = a->fixed_in;
	for (; a; a = advisory_next(e->version, a)) {
		size_t used = strlen(why);
		snprintf(why + used, sizeof(why) - used, "%s%s (%s)", used ? ", and " : "",
			 a->reason, a->source);
		if (advisory_version_cmp(&a->fixed_in, &to) > 0)
			to = a->fixed_in;
	}
	add_reason(ev, STATE_WARNING, "runs etcd %s: %s; upgrade to %u.%u.%u or later",
		   e->version, why, to.major, to.minor, to.patch);
}

long verdict_days_left(time_t now, time_t t)
{
	double d = difftime(t, now) / 86400.0;
	return d < 0 ? (long)d - 1 : (long)d;
}

static const char *ep_label(const struct endpoint_facts *e)
{
	return e->name[0] ? e->name : e->ep.url;
}

static void judge_metrics(const struct check_facts *f, const struct thresholds *t,
			  const struct endpoint_facts *e, struct endpoint_verdict *ev);

/* --write-check refusals that are the check's own configuration, not an outage: the user may
 * not write under the prefix (PermissionDenied), has no valid token (Unauthenticated), or etcd
 * wants a user the check did not give (InvalidArgument "user name is empty", FailedPrecondition
 * "user name not found"). UNKNOWN, as Nagios plugins say "cannot check"; every other failed
 * write (NOSPACE, no leader, a timeout, CORRUPT) means clients cannot write: CRITICAL. */
static const int write_cannot_check_codes[] = {
	GRPC_INVALID_ARGUMENT, GRPC_PERMISSION_DENIED, GRPC_FAILED_PRECONDITION,
	GRPC_UNAUTHENTICATED,
};

static void judge_write(const struct thresholds *t, const struct endpoint_facts *e,
			struct endpoint_verdict *ev)
{
	if (!e->write_done)
		return;
	if (e->write_ok) {
		enum state st = thresholds_check(t, METRIC_WRITE_LATENCY, e->write_latency_s);
		if (st != STATE_OK)
			add_reason(ev, st, "write latency %.3f s", e->write_latency_s);
		return;
	}
	enum state st = STATE_CRITICAL;
	for (size_t i = 0; i < sizeof(write_cannot_check_codes) / sizeof(int); i++)
		if (e->write_grpc_code == write_cannot_check_codes[i])
			st = STATE_UNKNOWN;
	add_reason(ev, st, "write %s: %s", e->write_grpc_code ? "refused" : "failed",
		   e->write_error);
}

/* Why an endpoint that took the connection and then said nothing did, by how far it got and
 * whether the others have a leader. Not a byte: with a leader among the others this member is
 * the one at fault (hung, stopped, overloaded, or not part of their cluster: a wiped member
 * bootstrapped again waits for a quorum of its own); with none, etcd serves clients only once
 * its cluster has a leader (until then its client port accepts TCP and says nothing). TLS and
 * HTTP/2 up but no call answered: etcd was serving (so it was neither stopped nor waiting to
 * join) and answers Status with or without a leader; with a leader among the others it is
 * hung or overloaded (or a proxy in front of such a member); with none, nothing more is known. */
static const struct {
	enum endpoint_silence silence;
	bool others_led;
	const char *why;
} silence_why[] = {
	{EP_SILENT_ACCEPTED, true, "not answering while the other members have a leader: hung, "
				   "stopped or overloaded, or not joined to their cluster"},
	{EP_SILENT_ACCEPTED, false, "an etcd member serves clients only once its cluster has a "
				    "leader"},
	{EP_SILENT_CALLS, true, "not answering while the other members have a leader: hung or "
				"overloaded"},
};

/* The failure of endpoint e as said on its line and in the summary. */
static const char *ep_error(const struct check_facts *f, const struct endpoint_facts *e,
			    char *buf, size_t cap)
{
	if (e->silence == EP_SILENT_NONE)
		return e->error;
	bool others_led = false;
	for (size_t i = 0; i < f->n_eps; i++)
		others_led |= &f->eps[i] != e && f->eps[i].has_status && f->eps[i].leader;
	for (size_t i = 0; i < sizeof(silence_why) / sizeof(silence_why[0]); i++)
		if (silence_why[i].silence == e->silence && silence_why[i].others_led == others_led) {
			snprintf(buf, cap, "%s (%s)", e->error, silence_why[i].why);
			return buf;
		}
	return e->error;
}

static void judge_endpoint(const struct check_facts *f, const struct thresholds *t,
			   const struct endpoint_facts *e, struct endpoint_verdict *ev)
{
	char date[16];

	memset(ev, 0, sizeof(*ev));
	if (e->failure == EP_FAIL_DOWNGRADE) {
		/* not probed on purpose: nothing is known about it, so no worse than WARNING */
		add_reason(ev, STATE_WARNING, "%s: %s", e->failed_step, e->error);
		return;
	}
	if (e->failed) {
		char why[FACTS_ERR_LEN + 160];
		add_reason(ev, STATE_CRITICAL, "%s: %s", e->failed_step ? e->failed_step : "error",
			   ep_error(f, e, why, sizeof(why)));
		return;
	}
	if (e->tls_warning[0])
		add_reason(ev, STATE_WARNING, "TLS verification skipped: %s", e->tls_warning);
	if (e->health_done && !e->healthy)
		add_reason(ev, STATE_CRITICAL, "unhealthy: %s", e->health_error);
	if (e->status_needs_creds)
		add_reason(ev, STATE_WARNING, "Status needs credentials (--user)");
	else if (e->status_error[0])
		add_reason(ev, STATE_WARNING, "%s", e->status_error);
	if (e->status_errors[0] && !(e->health_done && !e->healthy)) {
		/* An alarm in the member's own errors is as bad as one from the Alarm call. */
		bool alarm = strstr(e->status_errors, "NOSPACE") || strstr(e->status_errors, "CORRUPT");
		add_reason(ev, alarm ? STATE_CRITICAL : STATE_WARNING, "member reports: %s",
			   e->status_errors);
	}
	if (e->healthy) {
		enum state st = thresholds_check(t, METRIC_LATENCY, e->latency_s);
		if (st != STATE_OK)
			add_reason(ev, st, "read latency %.3f s", e->latency_s);
	}
	judge_write(t, e, ev);
	if (e->has_status) {
		/* The quota the member enforces: Status (3.6), else its /metrics; the 2 GiB
		 * default only when neither says. etcd enforces it on the file's size. */
		bool assumed;
		double quota = facts_quota_bytes(e, &assumed);
		double pct = 100.0 * (double)e->db_size / quota;
		enum state st = thresholds_check(t, METRIC_DB_PCT, pct);
		if (st != STATE_OK)
			add_reason(ev, st, "DB size %.0f%% of the %.0f MiB quota%s", pct,
				   quota / 1048576, assumed ? " (assumed: etcd's default)" : "");
		double lag = e->raft_index > e->raft_applied_index
				     ? (double)(e->raft_index - e->raft_applied_index) : 0;
		st = thresholds_check(t, METRIC_APPLY_LAG, lag);
		if (st != STATE_OK)
			add_reason(ev, st, "%.0f committed entries not applied", lag);
		judge_version(e, ev);
	}
	if (e->has_cert) {
		long days = verdict_days_left(f->now, e->cert_not_after);
		enum state st = thresholds_check(t, METRIC_CERT_DAYS, (double)days);
		certinfo_date(e->cert_not_after, date);
		if (st != STATE_OK && days < 0)
			add_reason(ev, st, "server certificate expired %s", date);
		else if (st != STATE_OK)
			add_reason(ev, st, "server certificate expires in %ld days (%s)", days, date);
	}
	judge_metrics(f, t, e, ev);
}

/* A figure from /metrics: over the interval since the last run, or the member's lifetime. */
static void judge_metric(struct endpoint_verdict *ev, const struct thresholds *t,
			 const struct metrics_facts *m, enum metric k, double value,
			 const char *what, const char *why)
{
	enum state st = thresholds_check(t, k, value);
	if (st == STATE_OK)
		return;
	bool secs = metric_defs[k].uom[0] == 's';
	/* %g for counts: a server's 1e308 must not become a 309-digit reason */
	char num[32];
	snprintf(num, sizeof(num), secs ? "%.3f" : "%.6g", value);
	/* only a percentile can be a lifetime figure: gauges are now, counts have their window */
	add_reason(ev, st, "%s %s%s%s%s%s", what, num, secs ? " s" : "",
		   secs && !m->interval ? " (lifetime)" : "", why[0] ? " " : "", why);
}

/* Does the member with this ID, probed too, show a slow disk in its own figures? */
static bool peer_disk_is_slow(const struct check_facts *f, const struct thresholds *t, uint64_t id)
{
	for (size_t i = 0; i < f->n_eps; i++) {
		const struct endpoint_facts *p = &f->eps[i];
		if (!p->has_status || p->member_id != id || !p->m.read)
			continue;
		if ((p->m.has_wal_fsync_p99 &&
		     thresholds_check(t, METRIC_WAL_FSYNC_P99, p->m.wal_fsync_p99_s) != STATE_OK) ||
		    (p->m.has_backend_commit_p99 &&
		     thresholds_check(t, METRIC_BACKEND_COMMIT_P99, p->m.backend_commit_p99_s) !=
			     STATE_OK))
			return true;
	}
	return false;
}

static void judge_metrics(const struct check_facts *f, const struct thresholds *t,
			  const struct endpoint_facts *e, struct endpoint_verdict *ev)
{
	const struct metrics_facts *m = &e->m;
	if (e->metrics_url_given && !e->metrics_raw)
		add_reason(ev, STATE_WARNING, "metrics not read: %s", e->metrics_error);
	if (e->has_status && e->db_size > 0 && (double)e->db_size_in_use > t->frag_min_bytes) {
		/* etcd-mixin's etcdDatabaseHighFragmentationRatio; only defragment gives it back */
		double frag = 100.0 * (1.0 - (double)e->db_size_in_use / (double)e->db_size);
		enum state st = thresholds_check(t, METRIC_FRAG_PCT, frag);
		if (st != STATE_OK)
			add_reason(ev, st, "DB file %.0f%% free pages (fragmented: etcdctl defrag "
				   "--endpoints=%s, one member at a time)", frag, e->ep.url);
	}
	if (!m->read)
		return;
	if (m->has_wal_fsync_p99)
		judge_metric(ev, t, m, METRIC_WAL_FSYNC_P99, m->wal_fsync_p99_s, "WAL fsync p99",
			     "(slow disk)");
	if (m->has_backend_commit_p99)
		judge_metric(ev, t, m, METRIC_BACKEND_COMMIT_P99, m->backend_commit_p99_s,
			     "backend commit p99", "(slow disk)");
	/* The slowest peer, by name. A round trip counts the peer's own time to answer: one whose
	 * disk is slow (its own line says so) slows every round trip to it, and blaming the
	 * network on the members that measured it would page for the wrong thing. */
	const struct peer_rtt_fact *worst = NULL;
	for (size_t i = 0; i < m->n_peers; i++)
		if ((!worst || m->peers[i].p99_s > worst->p99_s) &&
		    !peer_disk_is_slow(f, t, m->peers[i].peer_id))
			worst = &m->peers[i];
	if (worst) {
		const struct member_fact *pm = facts_member_by_id(f, worst->peer_id);
		char what[96];
		if (pm && pm->name[0])
			snprintf(what, sizeof(what), "round trip to %s p99", pm->name);
		else
			snprintf(what, sizeof(what), "round trip to %016" PRIx64 " p99", worst->peer_id);
		judge_metric(ev, t, m, METRIC_PEER_RTT_P99, worst->p99_s, what,
			     "(a slow network, or that member is overloaded)");
	}
	if (m->has_leader_changes)
		judge_metric(ev, t, m, METRIC_LEADER_CHANGES, m->leader_changes_15m,
			     "leader changes in 15 min:", "");
	if (m->has_proposals_failed)
		judge_metric(ev, t, m, METRIC_PROPOSALS_FAILED, m->proposals_failed_15m,
			     "failed proposals in 15 min:", "");
	if (m->has_proposals_pending)
		judge_metric(ev, t, m, METRIC_PROPOSALS_PENDING, m->proposals_pending,
			     "proposals pending:", "");
	if (m->has_slow_applies)
		judge_metric(ev, t, m, METRIC_SLOW_APPLIES, m->slow_applies, "slow applies:", "");
	if (m->has_heartbeat_failures)
		judge_metric(ev, t, m, METRIC_HEARTBEAT_FAILURES, m->heartbeat_failures,
			     "heartbeats not sent:", "");
}

/* With a member list, an ID it does not hold votes no more: a member removed from the cluster
 * answers Status for a moment (or for good, cut off from the news) with its old ID. */
static bool is_voting_member(const struct check_facts *f, uint64_t id)
{
	const struct member_fact *m = facts_member_by_id(f, id);
	return m ? !m->is_learner : !f->have_members;
}

static void summary_join(struct verdict *v, const struct problems *p, const char *ok_text)
{
	/* room kept at the end for "; and N more" */
	const size_t reserve = 32, cap = sizeof(v->summary) - reserve;
	size_t used = 0, omitted = p->dropped;
	v->summary[0] = '\0';
	for (int want = 2; want >= 0; want--) {
		for (size_t i = 0; i < p->n; i++) {
			if (summary_rank(p->st[i]) != want)
				continue;
			size_t len = strlen(p->text[i]) + (used ? 2 : 0);
			if (used + len >= cap && used) {
				omitted++;
				continue;
			}
			snprintf(v->summary + used, cap - used, "%s%s", used ? "; " : "",
				 p->text[i]);
			used = strlen(v->summary);
		}
	}
	if (omitted)
		snprintf(v->summary + used, sizeof(v->summary) - used, "; and %zu more", omitted);
	if (!v->summary[0])
		snprintf(v->summary, sizeof(v->summary), "%s", ok_text);
}

void verdict_compute(const struct check_facts *f, const struct thresholds *t,
		     struct verdict *v)
{
	struct problems p = {0};
	char buf[16], date[16];
	size_t reached = 0, healthy_eps = 0;

	memset(v, 0, sizeof(*v));
	for (size_t i = 0; i < f->n_eps; i++) {
		judge_endpoint(f, t, &f->eps[i], &v->eps[i]);
		reached += !f->eps[i].failed;
		healthy_eps += f->eps[i].healthy;
	}

	/* Cluster IDs: the most common one is the cluster; others bootstrapped on their own. */
	uint64_t best_id = 0;
	size_t best_n = 0;
	for (size_t i = 0; i < f->n_eps; i++) {
		if (!f->eps[i].has_status)
			continue;
		size_t n = 0;
		for (size_t j = 0; j < f->n_eps; j++)
			n += f->eps[j].has_status && f->eps[j].cluster_id == f->eps[i].cluster_id;
		if (n > best_n) {
			best_n = n;
			best_id = f->eps[i].cluster_id;
		}
	}
	v->cluster_id = best_id;
	for (size_t i = 0; i < f->n_eps; i++) {
		const struct endpoint_facts *e = &f->eps[i];
		if (e->has_status && e->cluster_id != best_id) {
			add_reason(&v->eps[i], STATE_CRITICAL, "cluster ID %016" PRIx64 " differs "
				   "from the cluster's %016" PRIx64 ": bootstrapped into a cluster of "
				   "its own", e->cluster_id, best_id);
			problem(&p, STATE_CRITICAL, "cluster ID mismatch: %s is in cluster %016" PRIx64
				", the others in %016" PRIx64, ep_label(e), e->cluster_id, best_id);
		}
	}

	/* Quorum: distinct healthy voting members against the member list. */
	size_t probed_voting = 0;
	bool stray[FACTS_MAX_ENDPOINTS] = {false}; /* no member of the list: see below */
	uint64_t seen[FACTS_MAX_ENDPOINTS];
	size_t n_seen = 0;
	for (size_t i = 0; i < f->n_eps; i++) {
		const struct endpoint_facts *e = &f->eps[i];
		if (!e->healthy || e->is_learner || (e->has_status && e->cluster_id != best_id))
			continue;
		uint64_t id = e->has_status ? e->member_id : (uint64_t)i + 1;
		/* only a Status's ID can be looked up in the list (one refused for want of
		 * credentials has none: probe_auth on 3.5.30 counted its member as no voter) */
		if (e->has_status && !is_voting_member(f, id))
			continue;
		bool dup = false;
		for (size_t j = 0; j < n_seen; j++)
			dup |= seen[j] == id;
		if (!dup)
			seen[n_seen++] = id;
	}
	v->healthy_members = n_seen;
	if (f->have_members) {
		for (size_t i = 0; i < f->n_members; i++) {
			if (f->members[i].is_learner)
				continue;
			v->voting_members++;
			/* probed: some endpoint is this member (by ID or client URL) */
			for (size_t j = 0; j < f->n_eps; j++) {
				const struct endpoint_facts *e = &f->eps[j];
				if (e->failure == EP_FAIL_DOWNGRADE)
					continue; /* not probed */
				bool same = (e->has_status && e->member_id == f->members[i].id) ||
					    (e->name[0] && strcmp(e->name, f->members[i].name) == 0);
				if (same) {
					probed_voting++;
					break;
				}
			}
		}
		/* A failed endpoint that is no member's client URL (given by IP where the members
		 * advertise names, or a typo) and had no Status: a member all the same, one not
		 * otherwise probed; left out, a minority outage would look like an unexplained
		 * CRITICAL endpoint. Counted as probed and down, as many as members are left. */
		for (size_t j = 0; j < f->n_eps; j++) {
			const struct endpoint_facts *e = &f->eps[j];
			if (e->healthy || e->has_status || e->is_learner ||
			    e->failure == EP_FAIL_DOWNGRADE)
				continue;
			bool known = false;
			for (size_t i = 0; i < f->n_members && !known; i++)
				known = e->name[0] && strcmp(e->name, f->members[i].name) == 0;
			/* every member already accounted for: this one is none of them (removed
			 * from the cluster, or a URL no member has) */
			if (!known && probed_voting >= v->voting_members)
				stray[j] = true;
			else
				probed_voting += !known;
		}
		/* a Status from the cluster with an ID the member list does not hold: removed */
		for (size_t j = 0; j < f->n_eps; j++) {
			const struct endpoint_facts *e = &f->eps[j];
			stray[j] |= e->has_status && e->cluster_id == best_id &&
				    !facts_member_by_id(f, e->member_id);
		}
	} else {
		v->voting_members = f->n_eps;
		probed_voting = f->n_eps;
	}
	if (v->voting_members == 0)
		v->voting_members = f->n_eps;
	v->quorum = v->voting_members / 2 + 1;
	size_t down = probed_voting > v->healthy_members ? probed_voting - v->healthy_members : 0;
	bool all_probed = probed_voting >= v->voting_members;
	/* A linearizable read that succeeded proves a quorum right now; when every voting member
	 * was probed, count them too. */
	v->quorum_ok = v->healthy_members > 0 && (!all_probed || v->healthy_members >= v->quorum);

	if (reached == 0 && f->n_eps) {
		const struct endpoint_facts *e = &f->eps[0];
		char why[FACTS_ERR_LEN + 160];
		problem(&p, STATE_CRITICAL, "%s unreachable%s%s",
			f->n_eps == 1 ? "endpoint" : "all endpoints",
			f->n_eps == 1 ? ": " : " (first: ", ep_error(f, e, why, sizeof(why)));
		if (f->n_eps > 1) {
			size_t used = strlen(p.text[p.n - 1]);
			snprintf(p.text[p.n - 1] + used, sizeof(p.text[0]) - used, ")");
		}
	} else if (!v->quorum_ok) {
		if (healthy_eps == 0)
			problem(&p, STATE_CRITICAL, "quorum lost: no member could do a quorum read "
				"(%zu of %zu voting members healthy, %zu needed)", v->healthy_members,
				v->voting_members, v->quorum);
		else
			problem(&p, STATE_CRITICAL, "quorum lost: %zu of %zu voting members healthy, "
				"%zu needed", v->healthy_members, v->voting_members, v->quorum);
	} else if (down > 0) {
		/* Name each member that is down and why: the reason is what the operator needs. */
		char names[400] = "";
		for (size_t i = 0; i < f->n_eps; i++) {
			const struct endpoint_facts *e = &f->eps[i];
			if (e->healthy || e->is_learner || e->failure == EP_FAIL_DOWNGRADE ||
			    stray[i])
				continue;
			size_t used = strlen(names);
			char why[FACTS_ERR_LEN + 160];
			snprintf(names + used, sizeof(names) - used, "%s%s: %s", used ? ", " : "",
				 ep_label(e), e->failed ? ep_error(f, e, why, sizeof(why))
							: e->health_error);
		}
		problem(&p, STATE_WARNING, "%zu of %zu members down or unhealthy (%s), quorum held "
			"(%zu/%zu)", down, v->voting_members, names, v->healthy_members,
			v->voting_members);
	}

	/* Leader agreement among members of the main cluster. A Status read before a leader change
	 * names the leader of its (lower) raft term: when every member of an older view still did
	 * its quorum read, the leader changed during the check (a leader stopped hands over: the
	 * fault matrix's rolling restart), not a split: the newest term's leader, a WARNING. A
	 * stale view without a quorum read, or two leaders in one term, stays CRITICAL. */
	uint64_t leader = 0, top_term = 0, old_leader = 0, old_term = 0;
	bool disagree = false, any_status = false, stale_ok = true;
	for (size_t i = 0; i < f->n_eps; i++) {
		const struct endpoint_facts *e = &f->eps[i];
		if (!e->has_status || e->cluster_id != best_id || stray[i])
			continue;
		any_status = true;
		if (e->leader != 0 && (!leader || e->raft_term > top_term)) {
			leader = e->leader;
			top_term = e->raft_term;
		}
	}
	for (size_t i = 0; i < f->n_eps; i++) {
		const struct endpoint_facts *e = &f->eps[i];
		if (!e->has_status || e->cluster_id != best_id || stray[i] || e->leader == 0 ||
		    e->leader == leader)
			continue;
		disagree = true;
		stale_ok &= e->raft_term < top_term && e->healthy;
		old_leader = e->leader;
		old_term = e->raft_term;
	}
	if (disagree && stale_ok) {
		const struct member_fact *om = facts_member_by_id(f, old_leader);
		const struct member_fact *nm = facts_member_by_id(f, leader);
		char o[24], n[24];
		snprintf(o, sizeof(o), "%016" PRIx64, old_leader);
		snprintf(n, sizeof(n), "%016" PRIx64, leader);
		problem(&p, STATE_WARNING, "the leader changed during the check (%s in term %" PRIu64
			", then %s in term %" PRIu64 ")", om && om->name[0] ? om->name : o, old_term,
			nm && nm->name[0] ? nm->name : n, top_term);
		v->leader_id = leader;
	} else if (disagree) {
		problem(&p, STATE_CRITICAL, "members disagree on the leader (election in progress "
			"or a partition)");
	} else if (any_status && leader == 0) {
		problem(&p, STATE_CRITICAL, "no leader");
	} else {
		v->leader_id = leader;
	}

	/* Alarms: any alarm blocks writes (NOSPACE) or the whole member (CORRUPT). */
	for (size_t i = 0; i < f->n_alarms; i++) {
		const struct member_fact *m = facts_member_by_id(f, f->alarms[i].member_id);
		problem(&p, STATE_CRITICAL, "alarm %s raised by member %s%s%016" PRIx64 "%s",
			alarm_type_str(f->alarms[i].type, buf), m && m->name[0] ? m->name : "",
			m && m->name[0] ? " (" : "", f->alarms[i].member_id,
			m && m->name[0] ? ")" : "");
		for (size_t j = 0; j < f->n_eps; j++)
			if (f->eps[j].has_status && f->eps[j].member_id == f->alarms[i].member_id)
				add_reason(&v->eps[j], STATE_CRITICAL, "alarm %s",
					   alarm_type_str(f->alarms[i].type, buf));
	}

	/* Versions */
	const char *ver = NULL;
	for (size_t i = 0; i < f->n_eps; i++) {
		const char *s = f->eps[i].has_status ? f->eps[i].version : NULL;
		if (!s || !s[0])
			continue;
		if (ver && strcmp(ver, s) != 0) {
			problem(&p, STATE_WARNING, "member versions differ (%s, %s)", ver, s);
			break;
		}
		ver = s;
	}

	enum state st = thresholds_check(t, METRIC_MEMBERS, (double)v->voting_members);
	if (st != STATE_OK && f->have_members)
		problem(&p, st, "%zu voting members", v->voting_members);
	if (f->have_client_cert) {
		long days = verdict_days_left(f->now, f->client_cert_not_after);
		st = thresholds_check(t, METRIC_CERT_DAYS, (double)days);
		certinfo_date(f->client_cert_not_after, date);
		if (st != STATE_OK && days < 0)
			problem(&p, st, "client certificate (--cert) expired %s", date);
		else if (st != STATE_OK)
			problem(&p, st, "client certificate (--cert) expires in %ld days (%s)", days,
				date);
	}

	/* An endpoint that is no member of the cluster is the check's stale configuration or a
	 * member removed that still runs, not an outage of the cluster: WARNING, said first. */
	for (size_t i = 0; i < f->n_eps; i++) {
		if (!stray[i])
			continue;
		struct endpoint_verdict *ev = &v->eps[i];
		char was[VERDICT_TEXT_LEN];
		snprintf(was, sizeof(was), "%s", ev->reason);
		snprintf(ev->reason, sizeof(ev->reason), "not in the member list (%s)%s%.400s",
			 f->eps[i].has_status ? "removed from the cluster, still running"
					      : "removed from the cluster, or no member's client URL",
			 was[0] ? ": " : "", was);
		ev->state = STATE_WARNING;
	}

	/* Endpoint problems not already in the summary, by endpoint. */
	for (size_t i = 0; i < f->n_eps; i++) {
		const struct endpoint_facts *e = &f->eps[i];
		if (v->eps[i].state == STATE_OK)
			continue;
		if (v->eps[i].state == STATE_CRITICAL && !e->failed && e->healthy) {
			problem(&p, STATE_CRITICAL, "%s: %s", ep_label(e), v->eps[i].reason);
		} else if (v->eps[i].state == STATE_WARNING) {
			problem(&p, STATE_WARNING, "%s: %s", ep_label(e), v->eps[i].reason);
		} else if (down == 0 && v->quorum_ok) {
			problem(&p, v->eps[i].state, "%s: %s", ep_label(e), v->eps[i].reason);
		}
	}
	if (f->insecure)
		problem(&p, STATE_WARNING, "server certificates not verified "
			"(--insecure-skip-tls-verify)");

	/* Every problem's state counts, kept in the summary or not. A failed authentication
	 * means the checks ran without the credentials given: a WARNING they found (Status
	 * needs credentials, ...) is an artefact of that, so the run is UNKNOWN (README); a
	 * CRITICAL stays, since etcd's Authenticate goes through raft and times out when quorum
	 * is lost: the lost quorum is the news, not the authentication. */
	v->state = p.worst;
	if (f->auth_failed && v->state != STATE_CRITICAL)
		v->state = STATE_UNKNOWN;

	char ok[VERDICT_TEXT_LEN];
	const struct member_fact *lm = facts_member_by_id(f, v->leader_id);
	if (all_probed || !f->have_members)
		snprintf(ok, sizeof(ok), "%zu/%zu members healthy, leader %s, no alarms",
			 v->healthy_members, v->voting_members, lm && lm->name[0] ? lm->name : "ok");
	else
		snprintf(ok, sizeof(ok), "%zu of %zu members probed and healthy (use --cluster for "
			 "all), leader %s, no alarms", v->healthy_members, v->voting_members,
			 lm && lm->name[0] ? lm->name : "ok");
	summary_join(v, &p, ok);
	if (f->auth_failed) {
		/* the reason for UNKNOWN leads; what was seen without credentials follows */
		char rest[VERDICT_TEXT_LEN];
		snprintf(rest, sizeof(rest), "%s", p.n || p.dropped ? v->summary : "");
		snprintf(v->summary, sizeof(v->summary), "%s%s%s", f->auth_error,
			 rest[0] ? "; " : "", rest);
	}
}
