/* Unit tests for probe/verdict: quorum arithmetic, leader agreement, cluster IDs, alarms,
 * learners, thresholds, built from hand-made facts (no sockets). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/verdict.h"

#define NOW 1800000000

struct fixture {
	struct check_facts f;
	struct thresholds t;
	struct verdict v;
};

/* A healthy n-member cluster, each member probed, member i+1 leads. */
static int setup(void **state)
{
	struct fixture *x = calloc(1, sizeof(*x));
	x->f.eps = calloc(FACTS_MAX_ENDPOINTS, sizeof(struct endpoint_facts));
	x->f.now = NOW;
	thresholds_defaults(&x->t);
	x->f.have_members = true;
	x->f.have_alarms = true;
	for (int i = 0; i < 3; i++) {
		struct member_fact *m = &x->f.members[x->f.n_members++];
		m->id = 0x100 + (uint64_t)i;
		snprintf(m->name, sizeof(m->name), "etcd0%d", i + 1);
		snprintf(m->client_url, sizeof(m->client_url), "https://127.0.9.%d:2379", i + 1);
		struct endpoint_facts *e = &x->f.eps[x->f.n_eps++];
		snprintf(e->ep.url, sizeof(e->ep.url), "https://127.0.9.%d:2379", i + 1);
		snprintf(e->ep.host, sizeof(e->ep.host), "127.0.9.%d", i + 1);
		snprintf(e->ep.port, sizeof(e->ep.port), "2379");
		snprintf(e->name, sizeof(e->name), "etcd0%d", i + 1);
		e->has_status = true;
		e->cluster_id = 0xabc;
		e->member_id = m->id;
		e->leader = 0x100;
		e->raft_term = 2;
		e->raft_index = e->raft_applied_index = 10;
		e->db_size = 20480;
		snprintf(e->version, sizeof(e->version), "3.4.23");
		e->health_done = e->healthy = true;
		e->latency_s = 0.002;
		e->has_cert = true;
		e->cert_not_after = NOW + 365 * 86400;
	}
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *x = *state;
	check_facts_free(&x->f);
	free(x);
	return 0;
}

static void run(struct fixture *x)
{
	verdict_compute(&x->f, &x->t, &x->v);
}

static void down(struct endpoint_facts *e, const char *why)
{
	e->has_status = false;
	e->healthy = false;
	e->failed = true;
	e->failed_step = "TCP connect";
	snprintf(e->error, sizeof(e->error), "%s", why);
}

static void test_healthy(void **state)
{
	struct fixture *x = *state;
	run(x);
	assert_int_equal(x->v.state, STATE_OK);
	assert_int_equal(x->v.voting_members, 3);
	assert_int_equal(x->v.healthy_members, 3);
	assert_int_equal(x->v.quorum, 2);
	assert_true(x->v.quorum_ok);
	assert_int_equal(x->v.leader_id, 0x100);
	assert_non_null(strstr(x->v.summary, "3/3 members healthy, leader etcd01"));
}

static void test_one_down_is_warning(void **state)
{
	struct fixture *x = *state;
	down(&x->f.eps[2], "connection refused: nothing listening on 127.0.9.3:2379");
	run(x);
	assert_int_equal(x->v.state, STATE_WARNING);
	assert_int_equal(x->v.eps[2].state, STATE_CRITICAL);
	assert_non_null(strstr(x->v.summary, "1 of 3 members down"));
	assert_non_null(strstr(x->v.summary, "etcd03: connection refused"));
	assert_true(x->v.quorum_ok);
}

/* Two members whose member-list URL is http:// while the seed was https:// and auth is on: the
 * probe does not send them the token, so nothing is known about them; no worse than WARNING,
 * and not counted as down (it was CRITICAL "quorum lost" before they were told apart). */
static void test_not_probed_downgrade_is_warning(void **state)
{
	struct fixture *x = *state;
	for (int i = 1; i < 3; i++) {
		down(&x->f.eps[i], "the member list gives http://..., an http:// URL");
		x->f.eps[i].failure = EP_FAIL_DOWNGRADE;
		x->f.eps[i].failed_step = "not probed";
	}
	run(x);
	assert_int_equal(x->v.state, STATE_WARNING);
	assert_int_equal(x->v.eps[1].state, STATE_WARNING);
	assert_non_null(strstr(x->v.eps[1].reason, "not probed: "));
	assert_null(strstr(x->v.summary, "quorum lost"));
	assert_null(strstr(x->v.summary, "down"));
}

static void test_two_down_is_quorum_lost(void **state)
{
	struct fixture *x = *state;
	down(&x->f.eps[1], "connection refused");
	down(&x->f.eps[2], "connection refused");
	/* the survivor may still answer a read if it has not noticed yet: counts alone */
	run(x);
	assert_int_equal(x->v.state, STATE_CRITICAL);
	assert_false(x->v.quorum_ok);
	assert_non_null(strstr(x->v.summary, "quorum lost: 1 of 3"));
}

static void test_no_leader(void **state)
{
	struct fixture *x = *state;
	for (size_t i = 0; i < 3; i++) {
		x->f.eps[i].leader = 0;
		x->f.eps[i].healthy = false;
		snprintf(x->f.eps[i].health_error, sizeof(x->f.eps[i].health_error), "no leader");
	}
	run(x);
	assert_int_equal(x->v.state, STATE_CRITICAL);
	assert_non_null(strstr(x->v.summary, "quorum lost"));
	assert_non_null(strstr(x->v.summary, "no leader"));
}

static void test_leader_disagreement(void **state)
{
	struct fixture *x = *state;
	x->f.eps[2].leader = 0x102;
	run(x);
	assert_int_equal(x->v.state, STATE_CRITICAL);
	assert_non_null(strstr(x->v.summary, "disagree on the leader"));
	assert_int_equal(x->v.leader_id, 0);
}

/* A rolling restart in the fault matrix: the leader etcd01 stopped and handed over to etcd03
 * (term 3) while etcd02's Status, read a moment before, still named etcd01 (term 2); etcd02's
 * quorum read went through. The leader changed during the check: WARNING, not "disagree" (it was
 * CRITICAL with the quorum held). Without etcd02's read, or in one term, it stays CRITICAL. */
static void test_leader_changed_during_check(void **state)
{
	struct fixture *x = *state;
	down(&x->f.eps[0], "connection refused");
	x->f.eps[2].leader = 0x102;
	x->f.eps[2].raft_term = 3;
	run(x);
	assert_int_equal(x->v.state, STATE_WARNING);
	assert_non_null(strstr(x->v.summary, "the leader changed during the check (etcd01 in term 2, "
					     "then etcd03 in term 3)"));
	assert_null(strstr(x->v.summary, "disagree"));
	assert_int_equal(x->v.leader_id, 0x102);
	assert_true(x->v.quorum_ok);
	/* the stale view's member could not do its quorum read: a split, perhaps */
	x->f.eps[1].healthy = false;
	snprintf(x->f.eps[1].health_error, sizeof(x->f.eps[1].health_error), "timed out");
	run(x);
	assert_int_equal(x->v.state, STATE_CRITICAL);
	assert_non_null(strstr(x->v.summary, "disagree on the leader"));
	/* two leaders named in one term */
	x->f.eps[1].healthy = true;
	x->f.eps[2].raft_term = 2;
	run(x);
	assert_int_equal(x->v.state, STATE_CRITICAL);
	assert_non_null(strstr(x->v.summary, "disagree on the leader"));
}

static void test_cluster_id_mismatch(void **state)
{
	struct fixture *x = *state;
	x->f.eps[2].cluster_id = 0xdef;
	x->f.eps[2].leader = 0;
	run(x);
	assert_int_equal(x->v.state, STATE_CRITICAL);
	assert_int_equal(x->v.cluster_id, 0xabc);
	assert_non_null(strstr(x->v.summary, "cluster ID mismatch: etcd03"));
	assert_int_equal(x->v.eps[2].state, STATE_CRITICAL);
	assert_int_equal(x->v.healthy_members, 2);
}

static void test_alarm_named(void **state)
{
	struct fixture *x = *state;
	x->f.alarms[0] = (struct alarm_fact){0x101, ALARM_NOSPACE};
	x->f.n_alarms = 1;
	run(x);
	assert_int_equal(x->v.state, STATE_CRITICAL);
	assert_non_null(strstr(x->v.summary, "alarm NOSPACE raised by member etcd02"));
	assert_non_null(strstr(x->v.eps[1].reason, "alarm NOSPACE"));
	x->f.alarms[0].type = ALARM_CORRUPT;
	run(x);
	assert_non_null(strstr(x->v.summary, "alarm CORRUPT"));
}

static void test_learner_not_counted(void **state)
{
	struct fixture *x = *state;
	/* a fourth member, a learner: 3 voting members, quorum 2 */
	struct member_fact *m = &x->f.members[x->f.n_members++];
	m->id = 0x200;
	m->is_learner = true;
	snprintf(m->name, sizeof(m->name), "learner");
	down(&x->f.eps[1], "refused");
	down(&x->f.eps[2], "refused");
	struct endpoint_facts *e = &x->f.eps[x->f.n_eps++];
	*e = x->f.eps[0];
	e->member_id = 0x200;
	e->is_learner = true;
	snprintf(e->name, sizeof(e->name), "learner");
	run(x);
	assert_int_equal(x->v.voting_members, 3);
	assert_int_equal(x->v.healthy_members, 1);
	assert_int_equal(x->v.state, STATE_CRITICAL);
}

static void test_partial_probe_is_ok(void **state)
{
	struct fixture *x = *state;
	x->f.n_eps = 1; /* only etcd01 given, no --cluster */
	run(x);
	assert_int_equal(x->v.state, STATE_OK);
	assert_true(x->v.quorum_ok);
	assert_non_null(strstr(x->v.summary, "1 of 3 members probed"));
}

static void test_all_unreachable(void **state)
{
	struct fixture *x = *state;
	x->f.have_members = false;
	x->f.n_members = 0;
	for (size_t i = 0; i < 3; i++)
		down(&x->f.eps[i], "connection refused");
	run(x);
	assert_int_equal(x->v.state, STATE_CRITICAL);
	assert_non_null(strstr(x->v.summary, "all endpoints unreachable"));
}

/* A member that takes the TCP connection and never answers (SIGSTOP, hung, a wiped member waiting
 * for a quorum of its own): while the others have a leader it is this member that is wrong, not
 * "no leader" (seen in the fault matrix: a frozen follower was said to wait for a leader). One row
 * per level it got to: not a byte of TLS, not a byte of HTTP/2 (http://), and TLS and HTTP/2 up
 * but no call answered (etcd serving, so neither stopped nor waiting to join; Status needs no
 * leader, so with none among the others nothing is added). */
static void test_silent_member(void **state)
{
	struct fixture *x = *state;
	static const struct {
		enum endpoint_silence silence;
		const char *step, *error, *led, *unled;
	} rows[] = {
		{EP_SILENT_ACCEPTED, "TLS handshake", "timed out after 5.0 s: TCP accepted but no TLS "
		 "answer", "hung, stopped or overloaded, or not joined to their cluster)",
		 " (an etcd member serves clients only once its cluster has a leader)"},
		{EP_SILENT_ACCEPTED, "HTTP/2 setup", "timed out after 5.0 s: TCP accepted but no "
		 "HTTP/2 answer", "hung, stopped or overloaded, or not joined to their cluster)",
		 " (an etcd member serves clients only once its cluster has a leader)"},
		{EP_SILENT_CALLS, "gRPC", "timed out after 5.0 s waiting for Status",
		 "hung or overloaded)", ""},
	};
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		char want[512];
		struct endpoint_facts healthy[2] = {x->f.eps[0], x->f.eps[1]};
		down(&x->f.eps[2], rows[r].error);
		x->f.eps[2].failed_step = rows[r].step;
		x->f.eps[2].silence = rows[r].silence;
		run(x);
		assert_int_equal(x->v.state, STATE_WARNING);
		snprintf(want, sizeof(want), "%s: %s (not answering while the other members have a "
			 "leader: %s", rows[r].step, rows[r].error, rows[r].led);
		assert_string_equal(x->v.eps[2].reason, want);
		snprintf(want, sizeof(want), "etcd03: %s (not answering while the other members",
			 rows[r].error);
		assert_non_null(strstr(x->v.summary, want));
		assert_null(strstr(x->v.summary, "once its cluster has a leader"));
		assert_int_equal(x->v.eps[0].state, STATE_OK);
		assert_int_equal(x->v.eps[1].state, STATE_OK);

		/* nobody has a leader */
		for (size_t i = 0; i < 3; i++) {
			down(&x->f.eps[i], rows[r].error);
			x->f.eps[i].failed_step = rows[r].step;
			x->f.eps[i].silence = rows[r].silence;
		}
		run(x);
		assert_int_equal(x->v.state, STATE_CRITICAL);
		snprintf(want, sizeof(want), "%s: %s%s", rows[r].step, rows[r].error, rows[r].unled);
		assert_string_equal(x->v.eps[0].reason, want);
		x->f.eps[0] = healthy[0];
		x->f.eps[1] = healthy[1];
	}
}

static void test_thresholds_and_certs(void **state)
{
	struct fixture *x = *state;
	x->f.eps[0].latency_s = 0.7;
	x->f.eps[1].cert_not_after = NOW + 10 * 86400 + 60;
	run(x);
	assert_int_equal(x->v.state, STATE_WARNING);
	assert_non_null(strstr(x->v.eps[0].reason, "read latency 0.700 s"));
	assert_non_null(strstr(x->v.eps[1].reason, "certificate expires in 10 days"));
	x->f.eps[2].db_size = (int64_t)(0.96 * (double)(2LL << 30));
	run(x);
	assert_int_equal(x->v.state, STATE_CRITICAL);
	assert_non_null(strstr(x->v.eps[2].reason, "DB size 96%"));
	x->f.eps[2].db_size = 0;
	x->f.eps[1].cert_not_after = NOW - 86400;
	run(x);
	assert_int_equal(x->v.state, STATE_CRITICAL);
	assert_non_null(strstr(x->v.eps[1].reason, "expired"));
}

static void test_client_cert_and_insecure(void **state)
{
	struct fixture *x = *state;
	x->f.have_client_cert = true;
	x->f.client_cert_not_after = NOW + 20 * 86400 + 60;
	run(x);
	assert_int_equal(x->v.state, STATE_WARNING);
	assert_non_null(strstr(x->v.summary, "client certificate (--cert) expires in 20 days"));
	x->f.client_cert_not_after = NOW + 400 * 86400;
	x->f.insecure = true;
	run(x);
	assert_int_equal(x->v.state, STATE_WARNING);
	assert_non_null(strstr(x->v.summary, "not verified"));
}

static void test_versions_and_creds(void **state)
{
	struct fixture *x = *state;
	snprintf(x->f.eps[2].version, sizeof(x->f.eps[2].version), "3.5.9");
	run(x);
	assert_int_equal(x->v.state, STATE_WARNING);
	assert_non_null(strstr(x->v.summary, "versions differ"));
	snprintf(x->f.eps[2].version, sizeof(x->f.eps[2].version), "3.4.23");
	x->f.eps[1].status_needs_creds = true;
	run(x);
	assert_int_equal(x->v.state, STATE_WARNING);
	assert_non_null(strstr(x->v.summary, "needs credentials"));
	x->f.auth_failed = true;
	snprintf(x->f.auth_error, sizeof(x->f.auth_error), "authentication failed for user 'x'");
	run(x);
	assert_non_null(strstr(x->v.summary, "authentication failed"));
}

/* A member on a release the etcd maintainers warn against (probe/advisory.c) is a WARNING that
 * names the defects and the release to move to; the other members stay OK. */
static void test_advised_against_version_is_warning(void **state)
{
	struct fixture *x = *state;
	for (size_t i = 0; i < x->f.n_eps; i++)
		snprintf(x->f.eps[i].version, sizeof(x->f.eps[i].version), "3.5.16");
	run(x);
	assert_int_equal(x->v.state, STATE_OK);
	snprintf(x->f.eps[1].version, sizeof(x->f.eps[1].version), "3.5.1");
	run(x);
	assert_int_equal(x->v.state, STATE_WARNING);
	assert_int_equal(x->v.eps[0].state, STATE_OK);
	assert_int_equal(x->v.eps[1].state, STATE_WARNING);
	assert_non_null(strstr(x->v.eps[1].reason, "runs etcd 3.5.1: "));
	assert_non_null(strstr(x->v.eps[1].reason, "(etcd-io/etcd#13766)"));
	assert_non_null(strstr(x->v.eps[1].reason, "(etcd-io/etcd#14733)"));
	/* 3.5.3 fixes #13766 but not the defragmentation crash: the target is 3.5.6 */
	assert_non_null(strstr(x->v.eps[1].reason, "; upgrade to 3.5.6 or later"));
	assert_non_null(strstr(x->v.summary, "etcd02: runs etcd 3.5.1: "));
	assert_non_null(strstr(x->v.summary, "versions differ"));
	/* one row only: its own fix */
	snprintf(x->f.eps[1].version, sizeof(x->f.eps[1].version), "3.4.21");
	run(x);
	assert_non_null(strstr(x->v.eps[1].reason, "(etcd-io/etcd#14649)"));
	assert_non_null(strstr(x->v.eps[1].reason, "upgrade to 3.4.22 or later"));
	/* a version that does not parse is no advisory (the versions still differ) */
	snprintf(x->f.eps[1].version, sizeof(x->f.eps[1].version), "3.5.1?ETCD OK");
	run(x);
	assert_int_equal(x->v.eps[1].state, STATE_OK);
	/* no Status, no version judged */
	snprintf(x->f.eps[1].version, sizeof(x->f.eps[1].version), "3.5.1");
	x->f.eps[1].has_status = false;
	run(x);
	assert_null(strstr(x->v.eps[1].reason, "runs etcd"));
}

/* More problems than the summary keeps: the worst one still decides the state, and the
 * summary says how many were left out. Old code dropped the 18th problem with its state. */
static void test_worst_state_survives_many_problems(void **state)
{
	struct fixture *x = *state;
	x->f.have_members = false;
	x->f.n_members = 0;
	for (size_t i = 3; i < 20; i++) {
		struct endpoint_facts *e = &x->f.eps[x->f.n_eps++];
		*e = x->f.eps[0];
		e->member_id = 0x100 + i;
		snprintf(e->name, sizeof(e->name), "etcd%02zu", i + 1);
	}
	for (size_t i = 0; i < 17; i++)
		x->f.eps[i].latency_s = 1.0; /* WARNING each (default 0.5) */
	x->f.eps[19].latency_s = 3.0;        /* CRITICAL (default 2) */
	run(x);
	assert_int_equal(x->v.eps[19].state, STATE_CRITICAL);
	assert_int_equal(x->v.state, STATE_CRITICAL);
	/* the critical problem leads the summary, the rest is counted */
	assert_non_null(strstr(x->v.summary, "etcd20: read latency 3.000 s"));
	assert_true(strncmp(x->v.summary, "etcd20: ", 8) == 0);
	const char *more = strstr(x->v.summary, "; and ");
	assert_non_null(more);
	unsigned n = 0;
	assert_int_equal(sscanf(more, "; and %u more", &n), 1);
	assert_true(n >= 2 && n <= 17);
}

/* A member given by a URL that is not its advertised client URL (an IP where the members
 * advertise names, a typo) and down: still one member of three down, quorum held, WARNING.
 * Old code did not count it as probed, so it fell through as a CRITICAL endpoint problem. */
static void test_unmatched_url_minority_down_is_warning(void **state)
{
	struct fixture *x = *state;
	struct endpoint_facts *e = &x->f.eps[2];
	down(e, "connection refused: nothing listening on 127.0.0.3:2379");
	e->name[0] = '\0'; /* the member list knows no member by this URL */
	snprintf(e->ep.url, sizeof(e->ep.url), "https://127.0.0.3:2379");
	run(x);
	assert_int_equal(x->v.eps[2].state, STATE_CRITICAL);
	assert_int_equal(x->v.state, STATE_WARNING);
	assert_true(x->v.quorum_ok);
	assert_non_null(strstr(x->v.summary, "1 of 3 members down"));
	assert_non_null(strstr(x->v.summary, "https://127.0.0.3:2379: connection refused"));
	/* two such endpoints down: quorum lost, CRITICAL */
	down(&x->f.eps[1], "connection refused");
	x->f.eps[1].name[0] = '\0';
	run(x);
	assert_int_equal(x->v.state, STATE_CRITICAL);
	assert_false(x->v.quorum_ok);
}

/* A member removed from the cluster (etcdctl member remove) but still in --endpoints: the member
 * list holds two members, both healthy. The removed one is not in the list: WARNING naming that,
 * never CRITICAL (the fault matrix's removed rows: it was "CRITICAL: TCP connect: connection
 * refused" once it stopped itself) and never counted as a voter while it still answers. */
static void test_removed_member_not_in_list(void **state)
{
	struct fixture *x = *state;
	struct endpoint_facts *e = &x->f.eps[1];
	x->f.members[1] = x->f.members[2];
	x->f.n_members = 2;
	/* it stopped itself on hearing of its removal */
	down(e, "connection refused: nothing listening on 127.0.9.2:2379");
	e->name[0] = '\0';
	run(x);
	assert_int_equal(x->v.state, STATE_WARNING);
	assert_int_equal(x->v.eps[1].state, STATE_WARNING);
	assert_non_null(strstr(x->v.eps[1].reason, "not in the member list"));
	assert_non_null(strstr(x->v.eps[1].reason, "connection refused"));
	assert_non_null(strstr(x->v.summary, "https://127.0.9.2:2379: not in the member list"));
	assert_null(strstr(x->v.summary, "down"));
	assert_true(x->v.quorum_ok);
	assert_int_equal(x->v.voting_members, 2);
	assert_int_equal(x->v.healthy_members, 2);
	/* still running (it has not heard yet, or is cut off): its Status has the old ID */
	e->failed = false;
	e->failed_step = NULL;
	e->error[0] = '\0';
	e->has_status = e->healthy = true;
	run(x);
	assert_int_equal(x->v.state, STATE_WARNING);
	assert_int_equal(x->v.eps[1].state, STATE_WARNING);
	assert_non_null(strstr(x->v.eps[1].reason, "not in the member list (removed from the "
					     "cluster, still running)"));
	assert_int_equal(x->v.healthy_members, 2);
	/* one of the two real members down as well: 1 of 2, quorum lost, the stray no help */
	down(&x->f.eps[2], "connection refused");
	run(x);
	assert_int_equal(x->v.state, STATE_CRITICAL);
	assert_false(x->v.quorum_ok);
}

/* A wrong password is UNKNOWN (README): the checks ran without the credentials, whatever they
 * found is not the cluster's state. */
static void test_auth_failed_is_unknown(void **state)
{
	struct fixture *x = *state;
	x->f.auth_failed = true;
	snprintf(x->f.auth_error, sizeof(x->f.auth_error),
		 "authentication failed for user 'root': invalid user ID or password");
	x->f.eps[1].status_needs_creds = true;
	run(x);
	assert_int_equal(x->v.state, STATE_UNKNOWN);
	assert_true(strncmp(x->v.summary, "authentication failed", 21) == 0);
	/* a lost quorum makes Authenticate (a raft request) fail too: CRITICAL stays */
	down(&x->f.eps[1], "connection refused");
	down(&x->f.eps[2], "connection refused");
	run(x);
	assert_int_equal(x->v.state, STATE_CRITICAL);
	assert_non_null(strstr(x->v.summary, "quorum lost"));
}

/* --write-check: latency by its threshold; NOSPACE, no leader and a timeout are CRITICAL; the
 * check's user without write permission is UNKNOWN ("cannot check"), not an outage. */
static void write_refused(struct endpoint_facts *e, int code, const char *why)
{
	e->write_done = true;
	e->write_ok = false;
	e->write_grpc_code = code;
	snprintf(e->write_error, sizeof(e->write_error), "%s", why);
}

static void test_write_check(void **state)
{
	struct fixture *x = *state;
	struct endpoint_facts *e = &x->f.eps[0];
	e->write_done = e->write_ok = true;
	e->write_latency_s = 0.012;
	run(x);
	assert_int_equal(x->v.state, STATE_OK);
	assert_string_equal(x->v.eps[0].reason, "");
	e->write_latency_s = 0.7;
	run(x);
	assert_int_equal(x->v.state, STATE_WARNING);
	assert_non_null(strstr(x->v.summary, "etcd01: write latency 0.700 s"));
	e->write_latency_s = 2.5;
	run(x);
	assert_int_equal(x->v.state, STATE_CRITICAL);
	x->t.crit[METRIC_WRITE_LATENCY].set = false;
	x->t.warn[METRIC_WRITE_LATENCY].set = false;
	run(x);
	assert_int_equal(x->v.state, STATE_OK);

	write_refused(e, 8, "NOSPACE (Put: ResourceExhausted: etcdserver: mvcc: database space "
		      "exceeded)");
	run(x);
	assert_int_equal(x->v.state, STATE_CRITICAL);
	assert_int_equal(x->v.eps[0].state, STATE_CRITICAL);
	assert_non_null(strstr(x->v.eps[0].reason, "write refused: NOSPACE (Put: "));
	assert_non_null(strstr(x->v.summary, "etcd01: write refused: NOSPACE"));

	write_refused(e, 14, "no leader (Put: Unavailable: etcdserver: no leader)");
	run(x);
	assert_int_equal(x->v.state, STATE_CRITICAL);
	write_refused(e, 0, "write check timed out after 2.0 s waiting for Put; the key goes "
		      "with its lease within 60 s");
	run(x);
	assert_int_equal(x->v.state, STATE_CRITICAL);
	assert_non_null(strstr(x->v.eps[0].reason, "write failed: write check timed out"));

	/* the user's permission: UNKNOWN with the reason, the reads still judged */
	write_refused(e, 7, "permission denied for user 'ro' (Put: PermissionDenied: etcdserver: "
		      "permission denied)");
	run(x);
	assert_int_equal(x->v.state, STATE_UNKNOWN);
	assert_int_equal(x->v.eps[0].state, STATE_UNKNOWN);
	assert_non_null(strstr(x->v.summary, "etcd01: write refused: permission denied for "
				"user 'ro'"));
	write_refused(e, 3, "permission denied for the client certificate's user, no --user given "
		      "(Put: InvalidArgument: etcdserver: user name is empty)");
	run(x);
	assert_int_equal(x->v.state, STATE_UNKNOWN);
	/* a definite problem elsewhere outranks "cannot check" */
	down(&x->f.eps[2], "connection refused");
	run(x);
	assert_int_equal(x->v.state, STATE_WARNING);
	assert_non_null(strstr(x->v.summary, "1 of 3 members down"));
}


/* /metrics figures: the real quota over the assumed one; fsync/commit p99 with the lifetime
 * marker; leader changes and failed proposals over 15 minutes; fragmentation only over the
 * in-use floor; an unreadable --metrics-url. */
static void test_metrics_figures(void **state)
{
	struct fixture *x = *state;
	struct endpoint_facts *e = &x->f.eps[1];
	/* 3.5 MiB of a 4 MiB quota: OK against the 2 GiB default, WARNING against the real one */
	e->db_size = 3500000;
	run(x);
	assert_int_equal(x->v.state, STATE_OK);
	e->m.read = e->m.has_quota = true;
	e->m.quota_bytes = 4194304;
	run(x);
	assert_int_equal(x->v.eps[1].state, STATE_WARNING);
	assert_non_null(strstr(x->v.eps[1].reason, "DB size 83% of the 4 MiB quota"));
	assert_null(strstr(x->v.eps[1].reason, "assumed"));
	e->db_size = 20480;
	/* fsync: 0.7 s over the interval is WARNING, 1.5 s lifetime CRITICAL and says lifetime */
	e->m.interval = true;
	e->m.has_wal_fsync_p99 = true;
	e->m.wal_fsync_p99_s = 0.7;
	run(x);
	assert_int_equal(x->v.eps[1].state, STATE_WARNING);
	assert_string_equal(x->v.eps[1].reason, "WAL fsync p99 0.700 s (slow disk)");
	e->m.interval = false;
	e->m.wal_fsync_p99_s = 1.5;
	run(x);
	assert_int_equal(x->v.eps[1].state, STATE_CRITICAL);
	assert_string_equal(x->v.eps[1].reason, "WAL fsync p99 1.500 s (lifetime) (slow disk)");
	e->m.has_wal_fsync_p99 = false;
	/* 4 leader changes in 15 minutes warn, 3 do not; -w none switches it off */
	e->m.interval = true;
	e->m.has_leader_changes = true;
	e->m.leader_changes_15m = 3;
	run(x);
	assert_int_equal(x->v.state, STATE_OK);
	e->m.leader_changes_15m = 4;
	run(x);
	assert_int_equal(x->v.eps[1].state, STATE_WARNING);
	assert_non_null(strstr(x->v.eps[1].reason, "leader changes in 15 min: 4"));
	char err[128];
	assert_int_equal(thresholds_parse(&x->t, "leader_changes=none", false, err, sizeof(err)), 0);
	run(x);
	assert_int_equal(x->v.state, STATE_OK);
	e->m.has_leader_changes = false;
	/* fragmentation: 60 % free pages of a 300 MiB file with 120 MiB in use; not under 100 MiB */
	e->db_size = 300LL << 20;
	e->db_size_in_use = 120LL << 20;
	e->m.quota_bytes = 8.0 * (1 << 30);
	run(x);
	assert_int_equal(x->v.eps[1].state, STATE_WARNING);
	assert_non_null(strstr(x->v.eps[1].reason, "60% free pages (fragmented: etcdctl defrag "
						  "--endpoints=https://127.0.9.2:2379"));
	e->db_size = 200LL << 20;
	e->db_size_in_use = 80LL << 20;
	run(x);
	assert_int_equal(x->v.state, STATE_OK);
	/* a --metrics-url that could not be read is a WARNING naming why; a default one is not */
	snprintf(e->metrics_error, sizeof(e->metrics_error), "http://127.0.0.1:2381: refused");
	run(x);
	assert_int_equal(x->v.state, STATE_OK);
	e->metrics_url_given = true;
	run(x);
	assert_int_equal(x->v.eps[1].state, STATE_WARNING);
	assert_non_null(strstr(x->v.eps[1].reason, "metrics not read: http://127.0.0.1:2381"));
}

/* A slow round trip to a peer whose own disk is slow is that peer's problem, said on its own
 * line, not the network's on the members that measured it (a real slow-disk run showed both). */
static void test_peer_rtt_blames_slow_peer(void **state)
{
	struct fixture *x = *state;
	struct endpoint_facts *e1 = &x->f.eps[0], *e3 = &x->f.eps[2];
	e1->m.read = e1->m.interval = true;
	e1->m.n_peers = 2;
	e1->m.peers[0] = (struct peer_rtt_fact){0x101, 0.002};
	e1->m.peers[1] = (struct peer_rtt_fact){0x102, 0.8};
	run(x);
	assert_int_equal(x->v.eps[0].state, STATE_WARNING);
	assert_non_null(strstr(x->v.eps[0].reason, "round trip to etcd03 p99 0.800 s"));
	e3->m.read = e3->m.interval = true;
	e3->m.has_wal_fsync_p99 = true;
	e3->m.wal_fsync_p99_s = 2.0;
	run(x);
	assert_int_equal(x->v.eps[0].state, STATE_OK);
	assert_int_equal(x->v.eps[2].state, STATE_CRITICAL);
	assert_non_null(strstr(x->v.eps[2].reason, "WAL fsync p99 2.000 s"));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_metrics_figures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_silent_member, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peer_rtt_blames_slow_peer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_removed_member_not_in_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leader_changed_during_check, setup, teardown),
		T(test_healthy),         T(test_one_down_is_warning), T(test_two_down_is_quorum_lost),
		T(test_no_leader),       T(test_leader_disagreement), T(test_cluster_id_mismatch),
		T(test_alarm_named),     T(test_learner_not_counted), T(test_partial_probe_is_ok),
		T(test_all_unreachable), T(test_thresholds_and_certs), T(test_client_cert_and_insecure),
		T(test_versions_and_creds), T(test_worst_state_survives_many_problems),
		T(test_unmatched_url_minority_down_is_warning), T(test_auth_failed_is_unknown),
		T(test_not_probed_downgrade_is_warning), T(test_advised_against_version_is_warning),
		T(test_not_probed_downgrade_is_warning), T(test_write_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
