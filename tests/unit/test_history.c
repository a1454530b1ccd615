/* Unit tests for probe/history: figures from two snapshots (interval, restart, clocks, the
 * 15-minute window and its ring), the state file's JSON, and the file itself in a temp dir
 * (missing, empty, garbage, truncated, foreign, other version, oversized, a FIFO, other
 * members kept, stale ones dropped, mode, another probe's lock). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe/history.h"

#define T0 1800000000.0 /* "now" of the pure tests */
#define CLUSTER 0xcdef0123456789abULL
#define MEMBER 0x8e9e05c52164694dULL
#define PEER_A 0x1111ULL
#define PEER_B 0x2222ULL

/* etcd's WAL fsync histogram: bounds 0.001 * 2^0..13; `fast` observations under 1 ms,
 * `slow` ones between 0.256 and 0.512 s. */
static void fsync_hist(struct prom_hist *h, double fast, double slow)
{
	memset(h, 0, sizeof(*h));
	h->n_buckets = 14;
	for (size_t k = 0; k < 14; k++) {
		h->le[k] = 0.001 * (double)(1u << k);
		h->cum[k] = fast + (k >= 9 ? slow : 0);
	}
	h->inf = h->count = fast + slow;
	h->sum = fast * 0.0005 + slow * 0.3;
	h->has_inf = h->has_count = h->has_sum = true;
}

/* etcd's peer round trip: bounds 0.0001 * 2^0..15; n observations in (0.0032, 0.0064]. */
static void rtt_hist(struct prom_hist *h, double fast, double n)
{
	memset(h, 0, sizeof(*h));
	h->n_buckets = 16;
	for (size_t k = 0; k < 16; k++) {
		h->le[k] = 0.0001 * (double)(1u << k);
		h->cum[k] = fast + (k >= 6 ? n : 0);
	}
	h->inf = h->count = fast + n;
	h->has_inf = h->has_count = true;
}

struct counts {
	double start, leader, failed, slow_applies, heartbeats;
	double fast, slow; /* WAL fsync observations */
};

static void make_snap(struct metrics_snapshot *s, const struct counts *c)
{
	memset(s, 0, sizeof(*s));
	static const enum msample all[] = {MS_QUOTA_BYTES, MS_DB_SIZE_BYTES, MS_DB_IN_USE_BYTES,
					   MS_START_TIME, MS_HAS_LEADER, MS_LEADER_CHANGES,
					   MS_PROPOSALS_FAILED, MS_PROPOSALS_PENDING,
					   MS_SLOW_APPLIES, MS_HEARTBEAT_FAILURES};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		s->has[all[i]] = true;
	s->v[MS_QUOTA_BYTES] = 2147483648.0;
	s->v[MS_DB_SIZE_BYTES] = 20480;
	s->v[MS_DB_IN_USE_BYTES] = 16384;
	s->v[MS_START_TIME] = c->start;
	s->v[MS_HAS_LEADER] = 1;
	s->v[MS_LEADER_CHANGES] = c->leader;
	s->v[MS_PROPOSALS_FAILED] = c->failed;
	s->v[MS_PROPOSALS_PENDING] = 3;
	s->v[MS_SLOW_APPLIES] = c->slow_applies;
	s->v[MS_HEARTBEAT_FAILURES] = c->heartbeats;
	s->has_hist[MH_WAL_FSYNC] = s->has_hist[MH_BACKEND_COMMIT] = true;
	fsync_hist(&s->hist[MH_WAL_FSYNC], c->fast, c->slow);
	fsync_hist(&s->hist[MH_BACKEND_COMMIT], c->fast, 0);
	s->n_peers = 2;
	s->peers[0].id = PEER_A;
	rtt_hist(&s->peers[0].rtt, 100 + c->fast, 0);
	s->peers[1].id = PEER_B;
	rtt_hist(&s->peers[1].rtt, 100, c->slow);
}

static double p99(const struct prom_hist *now, const struct prom_hist *before)
{
	double v = -1;
	assert_int_equal(prom_histogram_quantile(now, before, 0.99, &v), 0);
	return v;
}

static struct metrics_snapshot snap1, snap2;
static struct metrics_facts mf;
static struct history_record rec1, rec2;

static void test_derive_no_prev(void **state)
{
	(void)state;
	struct counts c = {.start = T0 - 3600, .leader = 2, .failed = 1, .fast = 1000};
	make_snap(&snap1, &c);
	history_derive(&snap1, NULL, T0, &mf, &rec1);
	assert_true(mf.read);
	assert_false(mf.interval);
	assert_string_equal(mf.interval_note, "first run: figures are the member's lifetime");
	assert_true(mf.has_quota && mf.quota_bytes == 2147483648.0);
	assert_true(mf.has_db_size && mf.db_size_bytes == 20480);
	assert_true(mf.has_db_in_use && mf.db_in_use_bytes == 16384);
	assert_true(mf.has_proposals_pending && mf.proposals_pending == 3);
	assert_true(mf.has_wal_fsync_p99);
	assert_true(mf.wal_fsync_p99_s == p99(&snap1.hist[MH_WAL_FSYNC], NULL));
	assert_true(mf.has_backend_commit_p99);
	/* peer B has observations; peer A too (100 fast ones) */
	assert_int_equal(mf.n_peers, 2);
	assert_true(mf.peers[0].peer_id == PEER_A && mf.peers[1].peer_id == PEER_B);
	/* an hour-old member without history: its lifetime total is not a 15-minute figure */
	assert_false(mf.has_leader_changes);
	assert_false(mf.has_proposals_failed);
	assert_false(mf.has_slow_applies);
	assert_false(mf.has_heartbeat_failures);
	/* what the next run gets */
	assert_true(rec1.time == T0);
	assert_true(rec1.has_start && rec1.start_time == T0 - 3600);
	assert_true(rec1.has_counter[HC_LEADER_CHANGES] && rec1.counter[HC_LEADER_CHANGES] == 2);
	assert_true(rec1.has_hist[MH_WAL_FSYNC] && rec1.hist[MH_WAL_FSYNC].inf == 1000);
	assert_int_equal(rec1.n_peers, 2);
	assert_int_equal(rec1.n_ring, 1);
	assert_true(rec1.ring[0].t == T0 && rec1.ring[0].c[HC_LEADER_CHANGES] == 2);
	assert_true(rec1.cluster_id == 0 && rec1.member_id == 0);
}

static void test_derive_interval(void **state)
{
	(void)state;
	struct counts c1 = {.start = T0 - 3600, .leader = 2, .failed = 1, .slow_applies = 4,
			    .heartbeats = 1, .fast = 1000};
	struct counts c2 = c1;
	c2.slow = 100; /* 100 slow fsyncs in the last 5 minutes */
	c2.slow_applies = 9;
	c2.heartbeats = 3;
	c2.leader = 3;
	make_snap(&snap1, &c1);
	make_snap(&snap2, &c2);
	history_derive(&snap1, NULL, T0, &mf, &rec1);
	history_derive(&snap2, &rec1, T0 + 300, &mf, &rec2);
	assert_true(mf.interval);
	assert_true(mf.interval_s == 300);
	assert_string_equal(mf.interval_note, "");
	double interval = p99(&snap2.hist[MH_WAL_FSYNC], &snap1.hist[MH_WAL_FSYNC]);
	double lifetime = p99(&snap2.hist[MH_WAL_FSYNC], NULL);
	assert_true(mf.has_wal_fsync_p99 && mf.wal_fsync_p99_s == interval);
	assert_true(fabs(interval - lifetime) > 0.01); /* 0.509 against 0.484 */
	assert_true(interval > 0.5);
	/* the backend commit histogram did not move: nothing observed, no figure, no problem */
	assert_false(mf.has_backend_commit_p99);
	/* peer A saw nothing new, peer B the slow ones */
	assert_int_equal(mf.n_peers, 1);
	assert_true(mf.peers[0].peer_id == PEER_B);
	assert_true(mf.peers[0].p99_s == p99(&snap2.peers[1].rtt, &snap1.peers[1].rtt));
	assert_true(mf.has_slow_applies && mf.slow_applies == 5);
	assert_true(mf.has_heartbeat_failures && mf.heartbeat_failures == 2);
	/* one sample 5 minutes back: the increase since then, a lower bound */
	assert_true(mf.has_leader_changes && mf.leader_changes_15m == 1);
	assert_true(mf.has_proposals_failed && mf.proposals_failed_15m == 0);
	assert_int_equal(rec2.n_ring, 2);
}

static void test_derive_peer_order(void **state)
{
	(void)state;
	struct counts c1 = {.start = T0 - 3600, .fast = 10};
	struct counts c2 = c1;
	c2.slow = 50;
	make_snap(&snap1, &c1);
	make_snap(&snap2, &c2);
	/* the peers come in another order and a third one is new */
	struct metrics_peer tmp = snap2.peers[0];
	snap2.peers[0] = snap2.peers[1];
	snap2.peers[1] = tmp;
	snap2.peers[2].id = 0x3333;
	rtt_hist(&snap2.peers[2].rtt, 7, 0);
	snap2.n_peers = 3;
	history_derive(&snap1, NULL, T0, &mf, &rec1);
	history_derive(&snap2, &rec1, T0 + 60, &mf, &rec2);
	assert_true(mf.interval);
	/* B by its own before; A did not move; the new peer's lifetime */
	assert_int_equal(mf.n_peers, 2);
	assert_true(mf.peers[0].peer_id == PEER_B);
	assert_true(mf.peers[0].p99_s == p99(&snap2.peers[0].rtt, &snap1.peers[1].rtt));
	assert_true(mf.peers[1].peer_id == 0x3333);
	assert_true(mf.peers[1].p99_s == p99(&snap2.peers[2].rtt, NULL));
	assert_int_equal(rec2.n_peers, 3);
}

static void test_derive_restart_start_time(void **state)
{
	(void)state;
	struct counts c1 = {.start = T0 - 3600, .leader = 1, .fast = 1000};
	struct counts c2 = {.start = T0 + 100, .leader = 5, .fast = 1000, .slow = 100};
	make_snap(&snap1, &c1);
	make_snap(&snap2, &c2);
	history_derive(&snap1, NULL, T0, &mf, &rec1);
	history_derive(&snap2, &rec1, T0 + 300, &mf, &rec2);
	assert_false(mf.interval);
	assert_true(strstr(mf.interval_note, "restarted") != NULL);
	assert_true(mf.wal_fsync_p99_s == p99(&snap2.hist[MH_WAL_FSYNC], NULL));
	assert_false(mf.has_slow_applies);
	/* started 200 s ago: its lifetime total is the window */
	assert_true(mf.has_leader_changes && mf.leader_changes_15m == 5);
	/* the ring starts again */
	assert_int_equal(rec2.n_ring, 1);
	assert_true(rec2.ring[0].t == T0 + 300);
	/* a start time one second off (the kernel's boot time rounding) is no restart */
	c1.start += 1;
	make_snap(&snap2, &c1);
	history_derive(&snap2, &rec1, T0 + 300, &mf, &rec2);
	assert_true(mf.interval);
}

static void test_derive_restart_counter_down(void **state)
{
	(void)state;
	struct counts c1 = {.start = T0 - 3600, .leader = 4, .failed = 2, .fast = 1000};
	struct counts c2 = c1;
	c2.failed = 1;
	make_snap(&snap1, &c1);
	make_snap(&snap2, &c2);
	/* no start time in either: the counters tell */
	snap1.has[MS_START_TIME] = snap2.has[MS_START_TIME] = false;
	history_derive(&snap1, NULL, T0, &mf, &rec1);
	history_derive(&snap2, &rec1, T0 + 300, &mf, &rec2);
	assert_false(mf.interval);
	assert_true(strstr(mf.interval_note, "restarted") != NULL);
	assert_false(mf.has_leader_changes); /* age unknown: not judged */
	/* the fsync count going down is one too */
	make_snap(&snap2, &c1);
	snap2.has[MS_START_TIME] = false;
	fsync_hist(&snap2.hist[MH_WAL_FSYNC], 10, 0);
	history_derive(&snap2, &rec1, T0 + 300, &mf, &rec2);
	assert_false(mf.interval);
}

/* "NaN" and "+Inf" are valid samples in the exposition format: no figure from them, and
 * nothing the file could not hold. */
static void test_derive_not_finite(void **state)
{
	(void)state;
	struct counts c = {.start = T0 - 300, .leader = 1, .fast = 10};
	make_snap(&snap1, &c);
	history_derive(&snap1, NULL, T0, &mf, &rec1);
	snap1.v[MS_QUOTA_BYTES] = NAN;
	snap1.v[MS_LEADER_CHANGES] = INFINITY;
	snap1.v[MS_SLOW_APPLIES] = NAN;
	snap1.hist[MH_WAL_FSYNC].sum = NAN;
	history_derive(&snap1, &rec1, T0 + 60, &mf, &rec2);
	assert_false(mf.has_quota);
	assert_false(mf.has_leader_changes);
	assert_false(mf.has_slow_applies);
	assert_true(mf.has_db_size);
	assert_false(rec2.has_counter[HC_LEADER_CHANGES]);
	assert_false(rec2.has_counter[HC_SLOW_APPLIES]);
	assert_false(rec2.has_hist[MH_WAL_FSYNC]);
	assert_true(rec2.has_hist[MH_BACKEND_COMMIT]);
	struct history_set s = {.recs = &rec2, .n = 1, .cap = 1}, back = {0};
	rec2.cluster_id = rec2.member_id = 1;
	char *text, err[64];
	size_t len;
	assert_int_equal(history_format(&s, &text, &len), 0);
	assert_int_equal(history_parse(text, len, &back, err, sizeof(err)), 0);
	assert_int_equal(back.n, 1);
	assert_int_equal(back.invalid, 0);
	free(text);
	history_set_free(&back);
}

static void test_derive_clocks(void **state)
{
	(void)state;
	struct counts c = {.start = T0 - 30 * 86400.0, .leader = 1, .fast = 1000};
	make_snap(&snap1, &c);
	history_derive(&snap1, NULL, T0, &mf, &rec1);
	static const struct {
		double now;
		const char *note;
	} cases[] = {
		{T0 - 60, "in the future"},
		{T0, "no time passed"},
		{T0 + 8 * 86400.0, "over 7 days"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		history_derive(&snap1, &rec1, cases[i].now, &mf, &rec2);
		assert_false(mf.interval);
		assert_true(strstr(mf.interval_note, cases[i].note) != NULL);
		assert_false(mf.has_leader_changes);
		assert_int_equal(rec2.n_ring, 1);
	}
}

/* A record whose ring holds samples `ages` seconds old, leader changes `vals`. */
static void ring_record(struct history_record *r, const double *ages, const double *vals,
			size_t n, double now)
{
	struct counts c = {.start = now - 86400, .leader = vals[n - 1], .fast = 1000};
	make_snap(&snap1, &c);
	history_derive(&snap1, NULL, now - ages[n - 1], &mf, r);
	r->n_ring = n;
	for (size_t i = 0; i < n; i++) {
		r->ring[i].t = now - ages[i];
		r->ring[i].has[HC_LEADER_CHANGES] = r->ring[i].has[HC_PROPOSALS_FAILED] = true;
		r->ring[i].c[HC_LEADER_CHANGES] = vals[i];
		r->ring[i].c[HC_PROPOSALS_FAILED] = 0;
	}
}

static void test_window(void **state)
{
	(void)state;
	/* samples 30, 16, 10 and 5 minutes old; leader changes 0, 2, 5, 6; now 10 */
	static const double ages[] = {1800, 960, 600, 300}, vals[] = {0, 2, 5, 6};
	ring_record(&rec1, ages, vals, 4, T0);
	struct counts c = {.start = T0 - 86400, .leader = 10, .fast = 1000};
	make_snap(&snap2, &c);
	history_derive(&snap2, &rec1, T0, &mf, &rec2);
	assert_true(mf.interval);
	/* from the 16-minute one: 8 changes in 960 s, scaled to 900 s */
	assert_true(mf.has_leader_changes);
	assert_true(fabs(mf.leader_changes_15m - 8 * 900.0 / 960.0) < 1e-9);
	assert_true(mf.has_proposals_failed && mf.proposals_failed_15m == 0);
	/* the 30-minute sample is no longer needed: pruned; this run's sample added */
	assert_int_equal(rec2.n_ring, 4);
	assert_true(rec2.ring[0].t == T0 - 960);
	assert_true(rec2.ring[3].t == T0);

	/* only 10 and 5 minutes back: the oldest, unscaled (a lower bound) */
	ring_record(&rec1, ages + 2, vals + 2, 2, T0);
	history_derive(&snap2, &rec1, T0, &mf, &rec2);
	assert_true(mf.has_leader_changes && mf.leader_changes_15m == 5);
	assert_int_equal(rec2.n_ring, 3);

	/* exactly 15 minutes back counts as the window's start */
	static const double ages15[] = {900, 300}, vals15[] = {4, 6};
	ring_record(&rec1, ages15, vals15, 2, T0);
	history_derive(&snap2, &rec1, T0, &mf, &rec2);
	assert_true(mf.has_leader_changes && mf.leader_changes_15m == 6);
	assert_true(rec2.ring[0].t == T0 - 900);
}

static void test_window_young_member(void **state)
{
	(void)state;
	struct counts c = {.start = T0 - 300, .leader = 2, .failed = 7, .fast = 10};
	make_snap(&snap1, &c);
	history_derive(&snap1, NULL, T0, &mf, &rec1);
	assert_false(mf.interval);
	assert_true(mf.has_leader_changes && mf.leader_changes_15m == 2);
	assert_true(mf.has_proposals_failed && mf.proposals_failed_15m == 7);
	/* 15 minutes old and more: not judged without history */
	c.start = T0 - 901;
	make_snap(&snap1, &c);
	history_derive(&snap1, NULL, T0, &mf, &rec1);
	assert_false(mf.has_leader_changes || mf.has_proposals_failed);
}

/* A probe every 10 s for an hour: the ring stays within its cap and keeps covering the
 * window, so the figure is the true rate scaled. */
static void test_ring_cap(void **state)
{
	(void)state;
	struct counts c = {.start = T0 - 86400, .fast = 10};
	struct history_record *prev = &rec1, *next = &rec2;
	make_snap(&snap1, &c);
	history_derive(&snap1, NULL, T0, &mf, prev);
	for (int i = 1; i <= 360; i++) {
		c.leader = i / 6; /* one leader change a minute: 15 in 15 minutes */
		make_snap(&snap1, &c);
		history_derive(&snap1, prev, T0 + 10.0 * i, &mf, next);
		assert_true(next->n_ring <= HISTORY_RING_MAX);
		for (size_t k = 1; k < next->n_ring; k++)
			assert_true(next->ring[k - 1].t < next->ring[k].t);
		struct history_record *t = prev;
		prev = next;
		next = t;
	}
	assert_true(mf.interval);
	assert_true(mf.has_leader_changes);
	assert_true(fabs(mf.leader_changes_15m - 15) <= 2);
	assert_true(T0 + 3600 - prev->ring[0].t >= HISTORY_WINDOW_S);
	assert_true(T0 + 3600 - prev->ring[0].t < HISTORY_WINDOW_S + 120);
}

/* ---- the JSON ---- */

static int parse_str(const char *text, struct history_set *s, char *err, size_t errlen)
{
	size_t len = strlen(text);
	char *copy = malloc(len ? len : 1); /* no NUL: ASan sees a read past len */
	assert_non_null(copy);
	memcpy(copy, text, len);
	int e = history_parse(copy, len, s, err, errlen);
	free(copy);
	return e;
}

static void test_json_round_trip(void **state)
{
	(void)state;
	struct history_set s = {0}, back = {0};
	struct counts c1 = {.start = T0 - 3600.25, .leader = 2, .failed = 1e15 + 1,
			    .fast = 1000};
	make_snap(&snap1, &c1);
	history_derive(&snap1, NULL, T0 + 0.123456789, &mf, &rec1);
	rec1.cluster_id = CLUSTER;
	rec1.member_id = MEMBER;
	snap1.has[MS_SLOW_APPLIES] = false; /* an absent counter stays absent */
	snap1.hist[MH_BACKEND_COMMIT].has_sum = false;
	history_derive(&snap1, &rec1, T0 + 60, &mf, &rec2);
	rec2.cluster_id = CLUSTER;
	rec2.member_id = 1;
	s.recs = calloc(2, sizeof(*s.recs));
	s.recs[0] = rec1;
	s.recs[1] = rec2;
	s.n = s.cap = 2;
	char *text = NULL, *text2 = NULL, err[128];
	size_t len = 0, len2 = 0;
	assert_int_equal(history_format(&s, &text, &len), 0);
	assert_int_equal(strlen(text), len);
	assert_int_equal(history_parse(text, len, &back, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(back.n, 2);
	const struct history_record *r = history_find(&back, CLUSTER, MEMBER);
	assert_non_null(r);
	assert_true(r->time == T0 + 0.123456789);
	assert_true(r->start_time == T0 - 3600.25);
	assert_true(r->counter[HC_PROPOSALS_FAILED] == 1e15 + 1);
	assert_int_equal(r->hist[MH_WAL_FSYNC].n_buckets, 14);
	assert_true(r->hist[MH_WAL_FSYNC].le[13] == 8.192);
	assert_int_equal(r->n_peers, 2);
	assert_int_equal(r->n_ring, 1);
	r = history_find(&back, CLUSTER, 1);
	assert_non_null(r);
	assert_false(r->has_counter[HC_SLOW_APPLIES]);
	assert_false(r->hist[MH_BACKEND_COMMIT].has_sum);
	assert_int_equal(r->n_ring, 2);
	assert_null(history_find(&back, 1, MEMBER));
	/* and the same text again */
	assert_int_equal(history_format(&back, &text2, &len2), 0);
	free(text); /* formats sort newest first: compare after a second pass */
	history_set_free(&s);
	struct history_set again = {0};
	assert_int_equal(history_parse(text2, len2, &again, err, sizeof(err)), 0);
	assert_int_equal(history_format(&again, &text, &len), 0);
	assert_string_equal(text, text2);
	free(text);
	free(text2);
	history_set_free(&back);
	history_set_free(&again);
	history_set_free(NULL);
}

#define HDR "{\"format\":\"etcd-probe-state\",\"version\":1,\"records\":["
#define GOOD "{\"cluster_id\":\"cdef0123456789ab\",\"member_id\":\"8e9e05c52164694d\",\"time\":1e9}"

static void test_json_refused(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		int e;
		const char *err;
	} cases[] = {
		{"", -EBADMSG, "empty"},
		{"garbage\x01\xff", -EBADMSG, "not JSON (line 1"},
		{HDR GOOD, -EBADMSG, "not JSON"}, /* truncated */
		{"{\"a\":1}", -EPROTO, "not an etcd-probe state file"},
		{"[1,2]", -EPROTO, "not an etcd-probe state file"},
		{"\"etcd-probe-state\"", -EPROTO, "not an etcd-probe"},
		{"null", -EPROTO, "not an etcd-probe"},
		{"{\"format\":\"etcd-probe-state\",\"version\":2,\"records\":[]}", -EPROTONOSUPPORT,
		 "version 2, not 1"},
		{"{\"format\":\"etcd-probe-state\",\"records\":[]}", -EPROTONOSUPPORT, "no version"},
		{"{\"format\":\"etcd-probe-state\",\"version\":1}", -EPROTO, "no records"},
		{"{\"format\":\"etcd-probe-state\",\"version\":1,\"version\":1,\"records\":[]}",
		 -EBADMSG, "not JSON"},
		{HDR GOOD "]}x", -EBADMSG, "not JSON"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct history_set s = {0};
		char err[128];
		int e = parse_str(cases[i].text, &s, err, sizeof(err));
		if (e != cases[i].e || !strstr(err, cases[i].err))
			fail_msg("case %zu: %d '%s'", i, e, err);
		assert_int_equal(s.n, 0);
		assert_null(s.recs);
	}
}

static void test_json_records_validated(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"{\"cluster_id\":\"cdef\",\"member_id\":\"0\",\"time\":1e9}",
		"{\"cluster_id\":\"cdef\",\"member_id\":\"12345678901234567\",\"time\":1e9}",
		"{\"cluster_id\":\"xyz\",\"member_id\":\"1\",\"time\":1e9}",
		"{\"cluster_id\":\"1\",\"member_id\":\"1\"}",
		"{\"cluster_id\":\"1\",\"member_id\":\"1\",\"time\":-5}",
		"{\"cluster_id\":\"1\",\"member_id\":\"1\",\"time\":1e9,\"counters\":{\"leader_changes\":-1}}",
		"{\"cluster_id\":\"1\",\"member_id\":\"1\",\"time\":1e9,\"counters\":{\"leader_changes\":\"1\"}}",
		"{\"cluster_id\":\"1\",\"member_id\":\"1\",\"time\":1e9,\"histograms\":{\"wal_fsync\":"
		"{\"le\":[0.2,0.1],\"cum\":[1,2]}}}",
		"{\"cluster_id\":\"1\",\"member_id\":\"1\",\"time\":1e9,\"histograms\":{\"wal_fsync\":"
		"{\"le\":[0.1,0.2],\"cum\":[1]}}}",
		"{\"cluster_id\":\"1\",\"member_id\":\"1\",\"time\":1e9,\"histograms\":{\"wal_fsync\":"
		"{\"le\":[0.1],\"cum\":[-1]}}}",
		"{\"cluster_id\":\"1\",\"member_id\":\"1\",\"time\":1e9,\"histograms\":{\"wal_fsync\":"
		"{\"le\":[0.1],\"cum\":[1],\"inf\":-1}}}",
		"{\"cluster_id\":\"1\",\"member_id\":\"1\",\"time\":1e9,\"peers\":[{\"id\":\"2\",\"rtt\":"
		"{\"le\":[],\"cum\":[]}},{\"id\":\"2\",\"rtt\":{\"le\":[],\"cum\":[]}}]}",
		"{\"cluster_id\":\"1\",\"member_id\":\"1\",\"time\":1e9,\"ring\":[{\"t\":5},{\"t\":4}]}",
		"{\"cluster_id\":\"1\",\"member_id\":\"1\",\"time\":1e9,\"ring\":[{\"t\":2e9}]}",
		"[]",
	};
	char text[4096], err[128];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct history_set s = {0};
		snprintf(text, sizeof(text), HDR GOOD ",%s]}", bad[i]);
		if (parse_str(text, &s, err, sizeof(err)) != 0 || s.n != 1 || s.invalid != 1)
			fail_msg("record %zu: n %zu invalid %zu", i, s.n, s.invalid);
		assert_string_equal(err, "1 invalid record dropped");
		assert_non_null(history_find(&s, CLUSTER, MEMBER));
		history_set_free(&s);
	}
	/* over PROM_MAX_BUCKETS bounds */
	size_t o = (size_t)snprintf(text, sizeof(text), HDR "{\"cluster_id\":\"1\",\"member_id\":"
					 "\"1\",\"time\":1e9,\"histograms\":{\"wal_fsync\":{\"le\":[");
	for (int k = 0; k <= PROM_MAX_BUCKETS; k++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "%s%d", k ? "," : "", k);
	o += (size_t)snprintf(text + o, sizeof(text) - o, "],\"cum\":[");
	for (int k = 0; k <= PROM_MAX_BUCKETS; k++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "%s%d", k ? "," : "", k);
	snprintf(text + o, sizeof(text) - o, "]}}}]}");
	struct history_set s = {0};
	assert_int_equal(parse_str(text, &s, err, sizeof(err)), 0);
	assert_int_equal(s.invalid, 1);
	assert_int_equal(s.n, 0);
	history_set_free(&s);
	/* two records of one member: the newer stays */
	snprintf(text, sizeof(text), HDR GOOD ",%s," GOOD "]}",
		 "{\"cluster_id\":\"cdef0123456789ab\",\"member_id\":\"8e9e05c52164694d\",\"time\":2e9}");
	assert_int_equal(parse_str(text, &s, err, sizeof(err)), 0);
	assert_int_equal(s.n, 1);
	assert_true(s.recs[0].time == 2e9);
	history_set_free(&s);
}

static void test_json_limits(void **state)
{
	(void)state;
	struct history_set s = {0};
	char err[128];
	/* too many records */
	size_t cap = 64 * (HISTORY_MAX_RECORDS + 2), o;
	char *text = malloc(cap);
	assert_non_null(text);
	o = (size_t)snprintf(text, cap, HDR);
	for (int i = 0; i <= HISTORY_MAX_RECORDS; i++)
		o += (size_t)snprintf(text + o, cap - o, "%s{\"cluster_id\":\"1\",\"member_id\":"
				      "\"%x\",\"time\":1e9}", i ? "," : "", i + 1);
	snprintf(text + o, cap - o, "]}");
	assert_int_equal(parse_str(text, &s, err, sizeof(err)), -E2BIG);
	assert_string_equal(err, "over 512 records");
	free(text);
	/* over the size cap, refused before parsing */
	assert_int_equal(history_parse("x", HISTORY_MAX_FILE_BYTES + 1, &s, err, sizeof(err)),
			 -EFBIG);
	/* a deep nest is jansson's to refuse */
	text = malloc(200001);
	memset(text, '[', 200000);
	assert_int_equal(history_parse(text, 200000, &s, err, sizeof(err)), -EBADMSG);
	free(text);
}

/* history_format keeps the newest HISTORY_MAX_RECORDS. */
static void test_format_caps(void **state)
{
	(void)state;
	struct history_set s = {0}, back = {0};
	s.n = s.cap = HISTORY_MAX_RECORDS + 10;
	s.recs = calloc(s.n, sizeof(*s.recs));
	assert_non_null(s.recs);
	for (size_t i = 0; i < s.n; i++) {
		s.recs[i].cluster_id = 1;
		s.recs[i].member_id = i + 1;
		s.recs[i].time = T0 + (double)i;
	}
	char *text, err[128];
	size_t len;
	assert_int_equal(history_format(&s, &text, &len), 0);
	assert_int_equal(history_parse(text, len, &back, err, sizeof(err)), 0);
	assert_int_equal(back.n, HISTORY_MAX_RECORDS);
	assert_null(history_find(&back, 1, 10));      /* among the oldest */
	assert_non_null(history_find(&back, 1, 11));  /* the oldest kept */
	free(text);
	history_set_free(&s);
	history_set_free(&back);
}

/* ---- the file ---- */

struct tmp {
	char dir[64];
	char path[128];
};

static int tmp_setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));
	if (!t)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/test_history.XXXXXX");
	if (!mkdtemp(t->dir)) {
		free(t);
		return -1;
	}
	snprintf(t->path, sizeof(t->path), "%s/state", t->dir);
	*state = t;
	return 0;
}

static int tmp_teardown(void **state)
{
	struct tmp *t = *state;
	DIR *d = opendir(t->dir);
	struct dirent *de;
	char p[512];
	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			snprintf(p, sizeof(p), "%s/%s", t->dir, de->d_name);
			unlink(p);
		}
	if (d)
		closedir(d);
	int e = rmdir(t->dir);
	free(t);
	return e;
}

static struct check_facts facts;

/* Two endpoints: members 1 and 2 of one cluster, both with a snapshot. */
static void facts_make(const struct counts *c)
{
	check_facts_free(&facts);
	memset(&facts, 0, sizeof(facts));
	facts.eps = calloc(3, sizeof(*facts.eps));
	assert_non_null(facts.eps);
	facts.n_eps = 3;
	for (size_t i = 0; i < 2; i++) {
		struct endpoint_facts *e = &facts.eps[i];
		e->has_status = true;
		e->cluster_id = CLUSTER;
		e->member_id = MEMBER + i;
		e->metrics_raw = malloc(sizeof(*e->metrics_raw));
		assert_non_null(e->metrics_raw);
		make_snap(e->metrics_raw, c);
	}
	/* the third had no Status: no key, nothing stored, its lifetime figures derived */
	facts.eps[2].metrics_raw = malloc(sizeof(*facts.eps[2].metrics_raw));
	make_snap(facts.eps[2].metrics_raw, c);
}

static void write_file(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

static char *read_text(const char *path)
{
	static char buf[1 << 16];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_file_round_trip(void **state)
{
	struct tmp *t = *state;
	char note[160];
	struct counts c = {.start = wall() - 3600, .leader = 1, .fast = 1000};
	facts_make(&c);
	assert_int_equal(history_apply(t->path, &facts, note, sizeof(note)), 0);
	assert_true(strstr(note, "no state yet") != NULL);
	assert_true(facts.eps[0].m.read && !facts.eps[0].m.interval);
	assert_string_equal(facts.eps[0].m.interval_note,
			    "first run: figures are the member's lifetime");
	/* no Status (its key unknown): lifetime figures, the real quota first, nothing stored */
	assert_true(facts.eps[2].m.read && !facts.eps[2].m.interval && facts.eps[2].m.has_quota);
	assert_true(strstr(facts.eps[2].m.interval_note, "no member ID") != NULL);
	struct stat st;
	assert_int_equal(stat(t->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(t->path, &st), 0);
	/* the second run has an interval */
	c.slow = 100;
	facts_make(&c);
	assert_int_equal(history_apply(t->path, &facts, note, sizeof(note)), 0);
	assert_string_equal(note, "");
	for (size_t i = 0; i < 2; i++) {
		assert_true(facts.eps[i].m.interval);
		assert_true(facts.eps[i].m.interval_s > 0 && facts.eps[i].m.interval_s < 60);
		assert_true(facts.eps[i].m.has_wal_fsync_p99 && facts.eps[i].m.wal_fsync_p99_s > 0.5);
	}
	char *text = read_text(t->path);
	assert_non_null(text);
	struct history_set s = {0};
	char err[128];
	assert_int_equal(history_parse(text, strlen(text), &s, err, sizeof(err)), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(history_find(&s, CLUSTER, MEMBER)->n_ring, 2);
	history_set_free(&s);
	/* no temp file left beside it, only the lock */
	DIR *d = opendir(t->dir);
	struct dirent *de;
	int files = 0;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			files++;
			assert_true(!strcmp(de->d_name, "state") || !strcmp(de->d_name, "state.lock"));
		}
	closedir(d);
	assert_int_equal(files, 2);
}

/* Each unusable file: said in the note, figures still derived (lifetime), file rewritten. */
static void test_file_unusable(void **state)
{
	struct tmp *t = *state;
	/* ours: empty, or damaged but with our format first: rewritten; anything else (a
	 * mistyped --state-file) is someone's file: left alone */
	static const struct {
		const char *text;
		const char *note;
		bool rewritten;
	} cases[] = {
		{"", "empty", true},
		{"\x7f" "ELF\x01\x02garbage", "not JSON", false},
		{HDR GOOD ",{\"cluster_id\":\"cd", "not JSON", true},
		{"{\"some\":\"other program's\"}", "not an etcd-probe state file", false},
		{"{\"format\":\"etcd-probe-state\",\"version\":99,\"records\":[]}", "version 99", true},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char note[160];
		struct counts c = {.start = wall() - 3600, .fast = 10};
		facts_make(&c);
		write_file(t->path, cases[i].text, strlen(cases[i].text));
		int e = history_apply(t->path, &facts, note, sizeof(note));
		if (e >= 0 || !strstr(note, cases[i].note) || !strstr(note, t->path))
			fail_msg("case %zu: %d '%s'", i, e, note);
		assert_true(facts.eps[0].m.read && !facts.eps[0].m.interval);
		assert_true(strstr(facts.eps[0].m.interval_note, "state file unusable") != NULL);
		assert_true(facts.eps[0].m.has_wal_fsync_p99);
		if (!cases[i].rewritten) {
			assert_true(strstr(note, "left alone, not saved") != NULL);
			char back[64] = "";
			int fd = open(t->path, O_RDONLY);
			assert_true(fd >= 0);
			ssize_t n = read(fd, back, sizeof(back) - 1);
			close(fd);
			assert_true(n == (ssize_t)strlen(cases[i].text) &&
				    memcmp(back, cases[i].text, (size_t)n) == 0);
			continue;
		}
		/* rewritten whole: the next run has its interval */
		facts_make(&c);
		assert_int_equal(history_apply(t->path, &facts, note, sizeof(note)), 0);
		assert_string_equal(note, "");
		assert_true(facts.eps[0].m.interval);
	}
}

static void test_file_oversized(void **state)
{
	struct tmp *t = *state;
	char note[160];
	int fd = open(t->path, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, HISTORY_MAX_FILE_BYTES + 1), 0);
	close(fd);
	struct counts c = {.start = wall() - 3600, .fast = 10};
	facts_make(&c);
	assert_int_equal(history_apply(t->path, &facts, note, sizeof(note)), -EFBIG);
	assert_true(strstr(note, "larger than") != NULL);
	assert_true(facts.eps[0].m.read);
	assert_true(strstr(note, "left alone") != NULL);
	struct stat st;
	assert_int_equal(stat(t->path, &st), 0);
	assert_true(st.st_size == HISTORY_MAX_FILE_BYTES + 1); /* never ours: not replaced */
}

static void test_file_fifo(void **state)
{
	struct tmp *t = *state;
	char note[160];
	assert_int_equal(mkfifo(t->path, 0600), 0);
	struct counts c = {.start = wall() - 3600, .fast = 10};
	facts_make(&c);
	double t0 = wall();
	assert_int_equal(history_apply(t->path, &facts, note, sizeof(note)), -EINVAL);
	assert_true(wall() - t0 < 1);
	assert_true(strstr(note, "not a regular file") != NULL);
	assert_true(facts.eps[0].m.read && !facts.eps[0].m.interval);
	struct stat st;
	assert_int_equal(lstat(t->path, &st), 0);
	assert_true(S_ISFIFO(st.st_mode)); /* neither read nor replaced */
}

static void test_file_keeps_others_drops_stale(void **state)
{
	struct tmp *t = *state;
	char note[160], err[128], *text;
	size_t len;
	struct history_set s = {0};
	double now = wall();
	s.n = s.cap = 4;
	s.recs = calloc(4, sizeof(*s.recs));
	s.recs[0].cluster_id = 0x77; /* another cluster, checked an hour ago */
	s.recs[0].member_id = 0x78;
	s.recs[0].time = now - 3600;
	s.recs[1].cluster_id = CLUSTER; /* a member gone two days ago */
	s.recs[1].member_id = 0x99;
	s.recs[1].time = now - 2 * 86400;
	s.recs[2].cluster_id = 0x77; /* a record from the future stays for its member */
	s.recs[2].member_id = 0x79;
	s.recs[2].time = now + 3600;
	s.recs[3].cluster_id = 0x77; /* two days ahead: a clock once set wrong */
	s.recs[3].member_id = 0x7a;
	s.recs[3].time = now + 2 * 86400;
	assert_int_equal(history_format(&s, &text, &len), 0);
	write_file(t->path, text, len);
	free(text);
	history_set_free(&s);
	struct counts c = {.start = now - 3600, .fast = 10};
	facts_make(&c);
	assert_int_equal(history_apply(t->path, &facts, note, sizeof(note)), 0);
	assert_string_equal(note, "");
	/* our members had no record: a first run, not a file problem */
	assert_string_equal(facts.eps[0].m.interval_note,
			    "first run: figures are the member's lifetime");
	text = read_text(t->path);
	assert_int_equal(history_parse(text, strlen(text), &s, err, sizeof(err)), 0);
	assert_int_equal(s.n, 4);
	assert_non_null(history_find(&s, 0x77, 0x78));
	assert_non_null(history_find(&s, 0x77, 0x79));
	assert_null(history_find(&s, CLUSTER, 0x99));
	assert_null(history_find(&s, 0x77, 0x7a));
	assert_non_null(history_find(&s, CLUSTER, MEMBER));
	assert_non_null(history_find(&s, CLUSTER, MEMBER + 1));
	history_set_free(&s);
}

static void test_file_locked(void **state)
{
	struct tmp *t = *state;
	char note[160], lock[160];
	snprintf(lock, sizeof(lock), "%s.lock", t->path);
	int fd = open(lock, O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	struct counts c = {.start = wall() - 3600, .fast = 10};
	facts_make(&c);
	double t0 = wall();
	assert_int_equal(history_apply(t->path, &facts, note, sizeof(note)), -EWOULDBLOCK);
	double took = wall() - t0;
	assert_true(took >= HISTORY_LOCK_WAIT_MS / 1000.0 * 0.9 && took < 1);
	assert_true(strstr(note, "locked by another etcd-probe, not saved") != NULL);
	assert_true(facts.eps[0].m.read);
	assert_int_equal(access(t->path, F_OK), -1); /* not saved */
	close(fd);
	facts_make(&c);
	assert_int_equal(history_apply(t->path, &facts, note, sizeof(note)), 0);
	assert_int_equal(access(t->path, F_OK), 0);
}

/* A symlink planted at PATH.lock is not followed (nor created through). */
static void test_file_lock_symlink(void **state)
{
	struct tmp *t = *state;
	char note[160], lock[160], target[160];
	snprintf(lock, sizeof(lock), "%s.lock", t->path);
	snprintf(target, sizeof(target), "%s/elsewhere", t->dir);
	assert_int_equal(symlink(target, lock), 0);
	struct counts c = {.start = wall() - 3600, .fast = 10};
	facts_make(&c);
	assert_true(history_apply(t->path, &facts, note, sizeof(note)) < 0);
	assert_true(strstr(note, "cannot lock") != NULL);
	assert_int_equal(access(target, F_OK), -1);
	assert_int_equal(access(t->path, F_OK), -1);
	assert_true(facts.eps[0].m.read);
}

static void test_file_disabled_and_unwritable(void **state)
{
	struct tmp *t = *state;
	char note[160], path[200];
	struct counts c = {.start = wall() - 3600, .fast = 10};
	facts_make(&c);
	assert_int_equal(history_apply(NULL, &facts, note, sizeof(note)), 0);
	assert_string_equal(note, "");
	assert_true(facts.eps[0].m.read && facts.eps[0].m.has_wal_fsync_p99);
	assert_true(strstr(facts.eps[0].m.interval_note, "no state file") != NULL);
	/* no time left within -t: read and derived, not locked, not written, said */
	struct stat st;
	facts_make(&c);
	assert_int_equal(history_apply_within(t->path, &facts, note, sizeof(note), false), 0);
	assert_true(strstr(note, "no time left within -t to save it, not saved") != NULL);
	assert_true(facts.eps[0].m.read);
	assert_true(stat(t->path, &st) < 0 && errno == ENOENT);
	/* a directory that does not exist: said, derived anyway */
	snprintf(path, sizeof(path), "%s/missing/state", t->dir);
	facts_make(&c);
	assert_true(history_apply(path, &facts, note, sizeof(note)) < 0);
	assert_true(strstr(note, "not saved") != NULL);
	assert_true(facts.eps[0].m.read);
}

/* The non-root branches; as root, run in a child that became nobody, so plain checks (a
 * cmocka failure in the child would jump back into its copy of the runner). Returns the
 * number of the first check that failed, 0 when all held. */
static int default_path_user(const struct tmp *t)
{
	char buf[256], want[256];
	const char *got;
	struct stat st;
	setenv("XDG_STATE_HOME", t->dir, 1);
	snprintf(want, sizeof(want), "%s/etcd-probe/state", t->dir);
	got = history_default_path(buf, sizeof(buf));
	if (!got || strcmp(got, want) != 0)
		return 1;
	snprintf(want, sizeof(want), "%s/etcd-probe", t->dir);
	if (stat(want, &st) != 0 || !S_ISDIR(st.st_mode) || (st.st_mode & 0777) != 0700)
		return 2;
	rmdir(want);
	setenv("XDG_STATE_HOME", "relative", 1); /* the XDG spec: ignored */
	setenv("HOME", t->dir, 1);
	snprintf(want, sizeof(want), "%s/.local/state/etcd-probe/state", t->dir);
	got = history_default_path(buf, sizeof(buf));
	if (!got || strcmp(got, want) != 0)
		return 3;
	/* only the last component is created: $HOME/.local/state is missing here */
	snprintf(want, sizeof(want), "%s/.local", t->dir);
	if (stat(want, &st) == 0)
		return 4;
	unsetenv("XDG_STATE_HOME");
	unsetenv("HOME");
	if (history_default_path(buf, sizeof(buf)) != NULL)
		return 5;
	return 0;
}

static void test_default_path(void **state)
{
	struct tmp *t = *state;
	char buf[256];
	setenv("STATE_DIRECTORY", "/var/lib/etcd-probe-a:/var/lib/other", 1);
	assert_string_equal(history_default_path(buf, sizeof(buf)), "/var/lib/etcd-probe-a/state");
	assert_null(history_default_path(buf, 10));
	setenv("STATE_DIRECTORY", "relative", 1); /* not systemd's: ignored */
	if (geteuid() != 0) {
		assert_int_equal(default_path_user(t), 0);
		unsetenv("STATE_DIRECTORY");
		return;
	}
	/* as root the default is /var/lib/etcd-probe/state, which this test must not create */
	assert_int_equal(chmod(t->dir, 0777), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(77);
		_exit(default_path_user(t));
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	unsetenv("STATE_DIRECTORY");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
		skip();
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static int facts_teardown(void **state)
{
	(void)state;
	check_facts_free(&facts);
	return 0;
}

#define FILE_TEST(f) cmocka_unit_test_setup_teardown(f, tmp_setup, tmp_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_derive_no_prev),
		cmocka_unit_test(test_derive_interval),
		cmocka_unit_test(test_derive_peer_order),
		cmocka_unit_test(test_derive_restart_start_time),
		cmocka_unit_test(test_derive_restart_counter_down),
		cmocka_unit_test(test_derive_not_finite),
		cmocka_unit_test(test_derive_clocks),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_window_young_member),
		cmocka_unit_test(test_ring_cap),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_json_refused),
		cmocka_unit_test(test_json_records_validated),
		cmocka_unit_test(test_json_limits),
		cmocka_unit_test(test_format_caps),
		FILE_TEST(test_file_round_trip),
		FILE_TEST(test_file_unusable),
		FILE_TEST(test_file_oversized),
		FILE_TEST(test_file_fifo),
		FILE_TEST(test_file_keeps_others_drops_stale),
		FILE_TEST(test_file_locked),
		FILE_TEST(test_file_lock_symlink),
		FILE_TEST(test_file_disabled_and_unwritable),
		FILE_TEST(test_default_path),
	};
	return cmocka_run_group_tests(tests, NULL, facts_teardown);
}
