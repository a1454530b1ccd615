/* Unit tests for probe/prom_out and probe/textfile: the exposition of hand-made facts (healthy, a
 * member down, hostile names, NaN), its structure (each family once, HELP and TYPE before its
 * samples, samples together), its values read back with proto/prom_text (another reader than the
 * writer), and the atomic textfile. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe/prom_out.h"
#include "probe/textfile.h"
#include "proto/prom_text.h"

#define NOW 1800000000
#define DAY 86400
#define GIB 1073741824.0

static void set_ep(struct endpoint_facts *e, int i, const char *name, uint64_t id)
{
	snprintf(e->ep.url, sizeof(e->ep.url), "https://127.0.9.%d:2379", i);
	snprintf(e->ep.host, sizeof(e->ep.host), "127.0.9.%d", i);
	snprintf(e->ep.port, sizeof(e->ep.port), "2379");
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->has_status = e->healthy = e->health_done = true;
	e->alarms_answered = e->members_answered = true;
	e->cluster_id = 0xc1c1c1c1c1c1c1c1;
	e->member_id = id;
	e->leader = 0x11;
	e->db_size = 1048576;
	e->db_size_in_use = 524288;
	e->raft_index = 100;
	e->raft_applied_index = 97;
	e->latency_s = 0.0015;
	e->has_cert = true;
	e->cert_not_after = NOW + 100 * DAY;
	snprintf(e->version, sizeof(e->version), "3.5.16");
}

/* Three healthy members m1 (leader) m2 m3; quotas from Status (m2), /metrics (m3) and the default
 * (m1); m1 also has /metrics figures, m2 a --write-check. */
static void make_facts(struct check_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->eps = calloc(3, sizeof(*f->eps));
	assert_non_null(f->eps);
	f->n_eps = 3;
	f->now = NOW;
	f->elapsed_s = 0.25;
	f->timeout_s = 10;
	f->have_members = f->have_alarms = true;
	f->have_client_cert = true;
	f->client_cert_not_after = NOW + 50 * DAY;
	f->n_members = 3;
	static const char *const names[] = {"m1", "m2", "m3"};
	for (int i = 0; i < 3; i++) {
		f->members[i].id = 0x11 * (uint64_t)(i + 1);
		snprintf(f->members[i].name, sizeof(f->members[i].name), "%s", names[i]);
		snprintf(f->members[i].client_url, sizeof(f->members[i].client_url),
			 "https://127.0.9.%d:2379", i + 1);
		set_ep(&f->eps[i], i + 1, names[i], f->members[i].id);
	}
	f->eps[1].db_size_quota = 4294967296; /* etcd 3.6 reports its quota */
	f->eps[2].m.has_quota = true;
	f->eps[2].m.quota_bytes = 8 * GIB;
	struct metrics_facts *m = &f->eps[0].m;
	m->read = m->interval = true;
	m->interval_s = 60;
	m->has_wal_fsync_p99 = m->has_backend_commit_p99 = true;
	m->wal_fsync_p99_s = 0.004;
	m->backend_commit_p99_s = 0.008;
	m->n_peers = 2;
	m->peers[0] = (struct peer_rtt_fact){0x22, 0.0002};
	m->peers[1] = (struct peer_rtt_fact){0x99, 0.0004}; /* not in the member list */
	m->has_leader_changes = m->has_proposals_failed = m->has_proposals_pending = true;
	m->leader_changes_15m = 1;
	m->proposals_failed_15m = 0;
	m->proposals_pending = 2;
	m->has_slow_applies = m->has_heartbeat_failures = true;
	m->slow_applies = 3;
	m->heartbeat_failures = 0;
	f->eps[1].write_done = f->eps[1].write_ok = true;
	f->eps[1].write_latency_s = 0.012;
}

/* Renders f (judged with the default thresholds) into a malloc'd string; *ret_state gets the
 * verdict's state. */
static char *render(const struct check_facts *f, enum state *ret_state)
{
	struct thresholds t;
	struct verdict *v = calloc(1, sizeof(*v));
	char *buf = NULL;
	size_t len = 0;
	assert_non_null(v);
	FILE *out = open_memstream(&buf, &len);
	assert_non_null(out);
	thresholds_defaults(&t);
	verdict_compute(f, &t, v);
	assert_int_equal(report_prometheus(out, f, v), 0);
	fclose(out);
	if (ret_state)
		*ret_state = v->state;
	free(v);
	return buf;
}

static bool name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	       (!first && c >= '0' && c <= '9');
}

/* The structure the format requires, checked line by line: every family's # HELP and # TYPE
 * (gauge) exactly once, in that order, before its samples; every sample belongs to the family
 * opened last (so a family's samples are together); names etcd_probe_*; no NaN or Inf value;
 * every line ends in '\n'. Returns the number of families. */
static size_t check_structure(const char *text)
{
	char families[64][96];
	size_t n_fam = 0;
	const char *cur = NULL;
	bool typed = false;
	size_t samples = 0;
	assert_true(text[0] != '\0');
	assert_int_equal(text[strlen(text) - 1], '\n');
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		assert_non_null(nl);
		size_t len = (size_t)(nl - line);
		char l[1024];
		assert_true(len < sizeof(l));
		memcpy(l, line, len);
		l[len] = '\0';
		if (strncmp(l, "# HELP ", 7) == 0) {
			char name[96];
			assert_int_equal(sscanf(l + 7, "%95s", name), 1);
			for (size_t i = 0; i < n_fam; i++)
				if (strcmp(families[i], name) == 0)
					fail_msg("family %s opened twice", name);
			assert_true(n_fam < 64);
			snprintf(families[n_fam], sizeof(families[0]), "%s", name);
			cur = families[n_fam++];
			typed = false;
			assert_true(strlen(l) > 7 + strlen(name) + 1); /* a help text */
		} else if (strncmp(l, "# TYPE ", 7) == 0) {
			assert_non_null(cur);
			assert_false(typed);
			char want[128];
			snprintf(want, sizeof(want), "# TYPE %s gauge", cur);
			assert_string_equal(l, want);
			typed = true;
		} else {
			assert_true(l[0] != '#');
			assert_non_null(cur);
			assert_true(typed);
			size_t k = 0;
			while (name_char(l[k], k == 0))
				k++;
			if (k != strlen(cur) || strncmp(l, cur, k) != 0)
				fail_msg("sample '%s' outside its family (open: %s)", l, cur);
			assert_true(l[k] == '{' || l[k] == ' ');
			const char *val = strrchr(l, ' ');
			assert_non_null(val);
			char *end;
			double d = strtod(val + 1, &end);
			assert_true(*end == '\0' && end != val + 1);
			assert_true(isfinite(d));
			/* no series twice: name and labels, everything before the value */
			static char seen[512][512];
			size_t klen = (size_t)(val - l);
			assert_true(klen < sizeof(seen[0]) && samples < 512);
			for (size_t i = 0; i < samples; i++)
				if (strlen(seen[i]) == klen && strncmp(seen[i], l, klen) == 0)
					fail_msg("series written twice: %.*s", (int)klen, l);
			memcpy(seen[samples], l, klen);
			seen[samples][klen] = '\0';
			samples++;
		}
		line = nl + 1;
	}
	for (size_t i = 0; i < n_fam; i++)
		assert_true(strncmp(families[i], "etcd_probe_", 11) == 0);
	assert_true(samples > 0);
	return n_fam;
}

/* prom_text_scan over the whole text: no bad line, not truncated. */
static void scan(const char *text, const struct prom_want *want, size_t n, struct prom_value *out)
{
	struct prom_scan_stats st;
	assert_int_equal(prom_text_scan(text, strlen(text), want, n, out, &st), 0);
	assert_int_equal(st.bad_lines, 0);
	assert_false(st.truncated);
}

static double series(const struct prom_value *v, const char *label)
{
	const struct prom_series *s = prom_value_series(v, label);
	if (!s)
		fail_msg("no series '%s'", label);
	return s->value;
}

static void test_healthy(void **state)
{
	(void)state;
	struct check_facts f;
	enum state st;
	make_facts(&f);
	char *s = render(&f, &st);
	assert_int_equal(st, STATE_OK);
	size_t n_fam = check_structure(s);
	assert_true(n_fam >= 25);

	static const struct prom_want want[] = {
		{"etcd_probe_state", PROM_WANT_VALUE, "cluster_id"},
		{"etcd_probe_endpoint_up", PROM_WANT_VALUE, "member"},
		{"etcd_probe_db_quota_ratio", PROM_WANT_VALUE, "member"},
		{"etcd_probe_db_quota_bytes", PROM_WANT_VALUE, "member"},
		{"etcd_probe_read_latency_seconds", PROM_WANT_VALUE, "member"},
		{"etcd_probe_cert_expiry_seconds", PROM_WANT_VALUE, "cert"},
		{"etcd_probe_peer_rtt_p99_seconds", PROM_WANT_VALUE, "peer"},
		{"etcd_probe_is_leader", PROM_WANT_VALUE, "member"},
		{"etcd_probe_apply_lag_entries", PROM_WANT_VALUE, "endpoint"},
		{"etcd_probe_write_latency_seconds", PROM_WANT_VALUE, "member"},
		{"etcd_probe_alarm", PROM_WANT_VALUE, "type"},
		{"etcd_probe_duration_seconds", PROM_WANT_VALUE, NULL},
		{"etcd_probe_voting_members", PROM_WANT_VALUE, NULL},
		{"etcd_probe_wal_fsync_p99_seconds", PROM_WANT_VALUE, "member"},
		{"etcd_probe_metrics_interval_seconds", PROM_WANT_VALUE, NULL},
		{"etcd_probe_db_size_bytes", PROM_WANT_VALUE, NULL},
	};
	struct prom_value v[16];
	scan(s, want, 16, v);
	assert_int_equal(v[0].type, PROM_TYPE_GAUGE);
	assert_true(series(&v[0], "c1c1c1c1c1c1c1c1") == 0);
	assert_int_equal(v[1].n_series, 3);
	for (int i = 0; i < 3; i++)
		assert_true(v[1].series[i].value == 1);
	/* ratios 0..1, bytes: the default 2 GiB, Status's 4 GiB, /metrics' 8 GiB */
	assert_true(series(&v[2], "m1") == 1048576 / (2 * GIB));
	assert_true(series(&v[2], "m2") == 1048576 / (4 * GIB));
	assert_true(series(&v[2], "m3") == 1048576 / (8 * GIB));
	assert_true(series(&v[3], "m1") == 2 * GIB);
	assert_true(series(&v[3], "m3") == 8 * GIB);
	/* seconds, not milliseconds */
	assert_true(series(&v[4], "m2") == 0.0015);
	/* three server certificates at 100 days, the client's at 50 */
	assert_true(series(&v[5], "server") == 3 * 100.0 * DAY);
	assert_true(series(&v[5], "client") == 50.0 * DAY);
	assert_int_equal(v[5].n_series, 2);
	/* a peer by its name, or its ID when the member list has none */
	assert_true(series(&v[6], "m2") == 0.0002);
	assert_true(series(&v[6], "0000000000000099") == 0.0004);
	assert_true(series(&v[7], "m1") == 1);
	assert_true(series(&v[7], "m2") == 0);
	assert_true(series(&v[8], "https://127.0.9.3:2379") == 3);
	assert_int_equal(v[9].n_series, 1);
	assert_true(series(&v[9], "m2") == 0.012);
	/* every member answered: 0 for each type etcd has */
	assert_true(series(&v[10], "NOSPACE") == 0);
	assert_true(series(&v[10], "CORRUPT") == 0);
	assert_int_equal(v[10].series[0].n_samples, 3);
	assert_true(series(&v[11], "") == 0.25);
	assert_true(series(&v[12], "") == 3);
	assert_true(series(&v[13], "m1") == 0.004);
	assert_true(series(&v[14], "") == 60);
	assert_true(series(&v[15], "") == 3 * 1048576.0);
	/* the labels as written */
	assert_non_null(strstr(s, "etcd_probe_endpoint_state{cluster_id=\"c1c1c1c1c1c1c1c1\","
				  "member=\"m1\",endpoint=\"https://127.0.9.1:2379\"} 0\n"));
	assert_non_null(strstr(s, "etcd_probe_cert_expiry_seconds{cluster_id=\"c1c1c1c1c1c1c1c1\","
				  "cert=\"client\"} 4320000\n"));
	free(s);
	check_facts_free(&f);
}

/* Families an endpoint that did not answer may have. */
static bool down_family(const char *line)
{
	return strncmp(line, "etcd_probe_endpoint_state{", 26) == 0 ||
	       strncmp(line, "etcd_probe_endpoint_up{", 23) == 0;
}

static void test_member_down(void **state)
{
	(void)state;
	struct check_facts f;
	enum state st;
	make_facts(&f);
	struct endpoint_facts *e = &f.eps[2];
	char name[64];
	snprintf(name, sizeof(name), "%s", e->name);
	struct endpoint saved = e->ep;
	memset(e, 0, sizeof(*e));
	e->ep = saved;
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->failed = true;
	e->failure = EP_FAIL_CLOSED;
	e->failed_step = "HTTP/2";
	snprintf(e->error, sizeof(e->error), "the server closed the connection");
	/* the handshake got as far as the certificate: still no sample but state and up */
	e->has_cert = true;
	e->cert_not_after = NOW + 100 * DAY;
	char *s = render(&f, &st);
	assert_int_equal(st, STATE_WARNING);
	check_structure(s);
	size_t lines = 0;
	for (char *p = strstr(s, "endpoint=\"https://127.0.9.3:2379\""); p;
	     p = strstr(p + 1, "endpoint=\"https://127.0.9.3:2379\"")) {
		char *bol = p;
		while (bol > s && bol[-1] != '\n')
			bol--;
		if (!down_family(bol))
			fail_msg("a sample for the endpoint that did not answer: %.80s", bol);
		lines++;
	}
	assert_int_equal(lines, 2);
	static const struct prom_want want[] = {
		{"etcd_probe_endpoint_up", PROM_WANT_VALUE, "member"},
		{"etcd_probe_endpoint_state", PROM_WANT_VALUE, "member"},
		{"etcd_probe_state", PROM_WANT_VALUE, NULL},
		{"etcd_probe_endpoint_state", PROM_WANT_VALUE, "cluster_id"},
	};
	struct prom_value v[4];
	scan(s, want, 4, v);
	assert_true(series(&v[0], "m3") == 0);
	assert_true(series(&v[0], "m1") == 1);
	assert_true(series(&v[1], "m3") == STATE_CRITICAL);
	assert_true(series(&v[2], "") == STATE_WARNING);
	/* the member that is down keeps the cluster's ID: its series stays the same */
	assert_int_equal(v[3].n_series, 1);
	assert_int_equal(v[3].series[0].n_samples, 3);
	free(s);
	check_facts_free(&f);
}

static void test_all_down(void **state)
{
	(void)state;
	struct check_facts f;
	make_facts(&f);
	for (size_t i = 0; i < f.n_eps; i++) {
		struct endpoint saved = f.eps[i].ep;
		memset(&f.eps[i], 0, sizeof(f.eps[i]));
		f.eps[i].ep = saved;
		f.eps[i].failed = true;
		f.eps[i].failure = EP_FAIL_REFUSED;
		f.eps[i].failed_step = "TCP connect";
	}
	f.have_members = f.have_alarms = f.have_client_cert = false;
	f.n_members = 0;
	enum state st;
	char *s = render(&f, &st);
	assert_int_equal(st, STATE_CRITICAL);
	check_structure(s);
	assert_null(strstr(s, "cluster_id=")); /* nothing answered: no cluster ID known */
	assert_null(strstr(s, "etcd_probe_alarm")); /* unknown, not 0 */
	assert_null(strstr(s, "etcd_probe_db_size_bytes"));
	assert_non_null(strstr(s, "etcd_probe_state 2\n"));
	free(s);
	check_facts_free(&f);
}

/* Names and URLs come from the network: quotes, backslashes, a newline, a brace and invalid
 * UTF-8 must stay inside the label value. */
static void test_hostile_names(void **state)
{
	(void)state;
	struct check_facts f;
	make_facts(&f);
	snprintf(f.eps[0].name, sizeof(f.eps[0].name), "a\"b\\c\nd} x=\"1");
	snprintf(f.eps[1].name, sizeof(f.eps[1].name), "bad\xff\xfeutf8");
	snprintf(f.eps[2].ep.url, sizeof(f.eps[2].ep.url), "https://h\\\"\n:2379");
	char *s = render(&f, NULL);
	check_structure(s);
	assert_non_null(strstr(s, "member=\"a\\\"b\\\\c\\nd} x=\\\"1\""));
	assert_non_null(strstr(s, "member=\"bad\xef\xbf\xbd\xef\xbf\xbdutf8\""));
	assert_non_null(strstr(s, "endpoint=\"https://h\\\\\\\"\\n:2379\""));
	static const struct prom_want want[] = {
		{"etcd_probe_endpoint_up", PROM_WANT_VALUE, "member"},
		{"etcd_probe_endpoint_up", PROM_WANT_VALUE, "endpoint"},
	};
	struct prom_value v[2];
	scan(s, want, 2, v);
	/* prom_text unescapes, then sanitizes (the newline becomes '?') */
	assert_int_equal(v[0].n_series, 3);
	assert_true(series(&v[0], "a\"b\\c?d} x=\"1") == 1);
	assert_true(series(&v[0], "bad\xef\xbf\xbd\xef\xbf\xbdutf8") == 1);
	assert_true(series(&v[1], "https://h\\\"?:2379") == 1);
	free(s);
	check_facts_free(&f);
}

/* NaN and infinities are never written: the sample is left out, the family too when empty. */
/* Two peers with one name (the member list is the server's: a hostile one, or two members
 * given the same --name) and two unprobed members alike: each still one series of its own. */
static void test_equal_names(void **state)
{
	(void)state;
	struct check_facts f;
	make_facts(&f);
	snprintf(f.members[2].name, sizeof(f.members[2].name), "m2");
	snprintf(f.members[2].client_url, sizeof(f.members[2].client_url), "%s",
		 f.members[1].client_url);
	f.eps[0].m.peers[1].peer_id = f.members[2].id;
	f.n_eps = 1; /* m2 and its twin are not probed: their alarms come from the member list */
	f.have_alarms = true;
	f.n_alarms = 2;
	f.alarms[0] = (struct alarm_fact){f.members[1].id, ALARM_NOSPACE};
	f.alarms[1] = (struct alarm_fact){f.members[2].id, ALARM_NOSPACE};
	char *s = render(&f, NULL);
	check_structure(s); /* fails on a series written twice */
	assert_non_null(strstr(s, "peer=\"m2\",peer_id=\"0000000000000022\""));
	assert_non_null(strstr(s, "peer=\"m2\",peer_id=\"0000000000000033\""));
	free(s);
	check_facts_free(&f);
}

static void test_not_finite(void **state)
{
	(void)state;
	struct check_facts f;
	make_facts(&f);
	for (size_t i = 0; i < f.n_eps; i++)
		f.eps[i].latency_s = NAN;
	f.eps[0].m.wal_fsync_p99_s = INFINITY;
	f.eps[0].m.peers[0].p99_s = -INFINITY;
	f.eps[0].m.slow_applies = NAN;
	char *s = render(&f, NULL);
	check_structure(s);
	assert_null(strstr(s, "etcd_probe_read_latency_seconds"));
	assert_null(strstr(s, "etcd_probe_wal_fsync_p99_seconds"));
	assert_null(strstr(s, "etcd_probe_slow_applies"));
	assert_null(strstr(s, "peer=\"m2\""));
	assert_non_null(strstr(s, "peer=\"0000000000000099\""));
	assert_null(strstr(s, "NaN"));
	assert_null(strstr(s, "Inf"));
	assert_null(strstr(s, "nan"));
	assert_null(strstr(s, "inf "));
	free(s);
	check_facts_free(&f);
}

/* A URL given twice is one series (a repeated label set is a duplicate sample); an alarm is 1
 * on the member that raised it; one raised by a member not probed gets the member list's name
 * and URL. Without --write-check and /metrics their families are left out. */
static void test_repeats_alarms(void **state)
{
	(void)state;
	struct check_facts f;
	make_facts(&f);
	f.eps[1].write_done = false;
	memset(&f.eps[0].m, 0, sizeof(f.eps[0].m));
	/* the third endpoint repeats the first's URL */
	f.eps[2].ep = f.eps[0].ep;
	f.eps[2].member_id = f.eps[0].member_id;
	snprintf(f.eps[2].name, sizeof(f.eps[2].name), "m1");
	f.n_alarms = 2;
	f.alarms[0] = (struct alarm_fact){0x11, ALARM_NOSPACE};
	f.alarms[1] = (struct alarm_fact){0x33, ALARM_CORRUPT}; /* m3: not probed now */
	enum state st;
	char *s = render(&f, &st);
	assert_int_equal(st, STATE_CRITICAL);
	check_structure(s);
	static const struct prom_want want[] = {
		{"etcd_probe_endpoint_up", PROM_WANT_VALUE, "endpoint"},
		{"etcd_probe_alarm", PROM_WANT_VALUE, "member"},
		{"etcd_probe_alarm", PROM_WANT_VALUE, "type"},
	};
	struct prom_value v[3];
	scan(s, want, 3, v);
	assert_int_equal(v[0].n_series, 2);
	assert_int_equal(v[0].series[0].n_samples, 1);
	assert_true(series(&v[1], "m1") == 1);
	assert_true(series(&v[1], "m2") == 0);
	assert_true(series(&v[1], "m3") == 1);
	assert_true(series(&v[2], "NOSPACE") == 1);
	assert_true(series(&v[2], "CORRUPT") == 1);
	assert_non_null(strstr(s, "etcd_probe_alarm{cluster_id=\"c1c1c1c1c1c1c1c1\",member=\"m3\","
				  "endpoint=\"https://127.0.9.3:2379\",type=\"CORRUPT\","
				  "member_id=\"0000000000000033\"} 1\n"));
	assert_null(strstr(s, "etcd_probe_write"));
	assert_null(strstr(s, "etcd_probe_metrics_interval_seconds"));
	assert_null(strstr(s, "etcd_probe_peer_rtt"));
	free(s);
	check_facts_free(&f);
}

static void test_write_error(void **state)
{
	(void)state;
	struct check_facts f;
	struct thresholds t;
	struct verdict *v = calloc(1, sizeof(*v));
	assert_non_null(v);
	make_facts(&f);
	thresholds_defaults(&t);
	verdict_compute(&f, &t, v);
	FILE *full = fopen("/dev/full", "w");
	if (!full) {
		free(v);
		check_facts_free(&f);
		skip();
	}
	assert_int_equal(report_prometheus(full, &f, v), -EIO);
	fclose(full);
	free(v);
	check_facts_free(&f);
}

/* --- textfile ----------------------------------------------------------------------------- */

static char *slurp(const char *path)
{
	FILE *in = fopen(path, "r");
	assert_non_null(in);
	static char buf[65536];
	size_t n = fread(buf, 1, sizeof(buf) - 1, in);
	fclose(in);
	buf[n] = '\0';
	return buf;
}

static size_t dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	size_t n = 0;
	for (struct dirent *de; (de = readdir(d));)
		n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	closedir(d);
	return n;
}

static void test_textfile(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_prom_out.XXXXXX", path[128], err[256];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/x.prom", dir);
	mode_t old = umask(077);
	assert_int_equal(textfile_write(dir, "x.prom", "first version, longer\n", 22, err,
					sizeof(err)), 0);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0644); /* whatever the umask */
	ino_t first = sb.st_ino;
	assert_int_equal(textfile_write(dir, "x.prom", "second\n", 7, err, sizeof(err)), 0);
	umask(old);
	/* replaced, not appended to nor overwritten in place */
	assert_string_equal(slurp(path), "second\n");
	assert_int_equal(stat(path, &sb), 0);
	assert_true(sb.st_ino != first);
	assert_int_equal(dir_entries(dir), 1); /* no temporary file left */

	/* a directory that is not there: one line naming the file and the step */
	char missing[160];
	snprintf(missing, sizeof(missing), "%s/nope", dir);
	assert_int_equal(textfile_write(missing, "x.prom", "x\n", 2, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nope/x.prom: creating a temporary file: "));
	assert_null(strchr(err, '\n'));
	/* a file where the directory should be */
	assert_int_equal(textfile_write(path, "x.prom", "x\n", 2, err, sizeof(err)), -ENOTDIR);
	/* the rename fails (a directory in the way): the temporary file is removed */
	char blocker[160];
	snprintf(blocker, sizeof(blocker), "%s/y.prom", dir);
	assert_int_equal(mkdir(blocker, 0755), 0);
	int r = textfile_write(dir, "y.prom", "x\n", 2, err, sizeof(err));
	assert_true(r == -EISDIR || r == -ENOTEMPTY || r == -EEXIST);
	assert_non_null(strstr(err, ": rename: "));
	assert_int_equal(dir_entries(dir), 2);
	rmdir(blocker);

	/* the prometheus one */
	struct check_facts f;
	struct thresholds t;
	struct verdict *v = calloc(1, sizeof(*v));
	assert_non_null(v);
	make_facts(&f);
	thresholds_defaults(&t);
	verdict_compute(&f, &t, v);
	assert_int_equal(textfile_write_prometheus(dir, &f, v, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/" TEXTFILE_NAME, dir);
	char *text = slurp(path);
	check_structure(text);
	char *mem = render(&f, NULL);
	assert_string_equal(text, mem);
	free(mem);
	free(v);
	check_facts_free(&f);
	unlink(path);
	snprintf(path, sizeof(path), "%s/x.prom", dir);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equal_names),
		cmocka_unit_test(test_healthy),
		cmocka_unit_test(test_member_down),
		cmocka_unit_test(test_all_down),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_not_finite),
		cmocka_unit_test(test_repeats_alarms),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_textfile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
