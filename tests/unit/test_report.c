/* Unit tests for probe/report: the Nagios status line, perfdata and the JSON document. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "probe/report.h"

#define NOW 1800000000

static char *render(const struct check_facts *f, bool json)
{
	struct thresholds t;
	struct verdict *v = calloc(1, sizeof(*v));
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	thresholds_defaults(&t);
	verdict_compute(f, &t, v);
	if (json)
		report_json(out, f, v);
	else
		report_nagios(out, f, v, &t);
	fclose(out);
	free(v);
	return buf;
}

static void make_facts(struct check_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->eps = calloc(2, sizeof(*f->eps));
	f->n_eps = 2;
	f->now = NOW;
	f->have_members = true;
	f->n_members = 2;
	f->members[0] = (struct member_fact){.id = 0x8e9e05c52164694d, .name = "etcd01"};
	f->members[1] = (struct member_fact){.id = 0x1, .name = "etcd|02\"x"};
	struct endpoint_facts *e = &f->eps[0];
	snprintf(e->ep.url, sizeof(e->ep.url), "https://127.0.9.1:2379");
	snprintf(e->ep.host, sizeof(e->ep.host), "127.0.9.1");
	snprintf(e->name, sizeof(e->name), "etcd01");
	e->has_status = e->healthy = e->health_done = true;
	e->cluster_id = 0xcdf818194e3a8c32;
	e->member_id = e->leader = 0x8e9e05c52164694d;
	e->db_size = 2048;
	e->raft_index = 12;
	e->raft_applied_index = 12;
	e->latency_s = 0.0015;
	e->has_cert = true;
	e->cert_not_after = NOW + 100 * 86400 + 5;
	snprintf(e->version, sizeof(e->version), "3.4.23");
	e = &f->eps[1];
	snprintf(e->ep.url, sizeof(e->ep.url), "https://127.0.9.2:2379");
	snprintf(e->ep.host, sizeof(e->ep.host), "127.0.9.2");
	snprintf(e->ep.port, sizeof(e->ep.port), "2379");
	snprintf(e->name, sizeof(e->name), "etcd|02\"x");
	e->failed = true;
	e->failed_step = "TLS handshake";
	snprintf(e->error, sizeof(e->error), "certificate is valid for 127.0.0.1, 127.0.9.1, not 127.0.9.2");
}

static void test_nagios(void **state)
{
	(void)state;
	struct check_facts f;
	make_facts(&f);
	char *s = render(&f, false);
	/* first line: status, summary, one '|' then perfdata */
	assert_true(strncmp(s, "ETCD CRITICAL - quorum lost: 1 of 2", 35) == 0);
	char *nl = strchr(s, '\n');
	assert_non_null(nl);
	size_t bars = 0;
	for (char *p = s; p < nl; p++)
		bars += *p == '|';
	assert_int_equal(bars, 1);
	assert_non_null(strstr(s, "'etcd01_latency'=0.001500s;0.5;2;0;"));
	assert_non_null(strstr(s, "'etcd01_db_size'=2048B;;;0;"));
	assert_non_null(strstr(s, "'etcd01_cert_days'=100;30:;7:;"));
	assert_non_null(strstr(s, "'members'=2;7;;0;"));
	/* endpoint lines */
	assert_non_null(strstr(s, "\nOK: https://127.0.9.1:2379 etcd01 8e9e05c52164694d leader v3.4.23"));
	/* no /metrics: the quota is etcd's default, assumed, so not shown as the member's */
	assert_null(strstr(s, "quota"));
	free(s);
	/* with /metrics: the real quota, the p99s, the slowest peer, the 15-minute count */
	struct endpoint_facts *e = &f.eps[0];
	e->m.read = e->m.has_quota = e->m.has_wal_fsync_p99 = e->m.has_leader_changes = true;
	e->m.quota_bytes = 8.0 * (1 << 30);
	e->m.wal_fsync_p99_s = 0.0045;
	e->m.n_peers = 2;
	e->m.peers[0] = (struct peer_rtt_fact){1, 0.0012};
	e->m.peers[1] = (struct peer_rtt_fact){2, 0.0031};
	e->m.leader_changes_15m = 2;
	s = render(&f, false);
	assert_non_null(strstr(s, ", quota 8.0 GiB) term"));
	assert_non_null(strstr(s, " fsync p99 4.5 ms peer p99 3.1 ms (lifetime) leader changes 15m 2"));
	assert_non_null(strstr(s, "'etcd01_db_quota'=8589934592B;;;0;"));
	assert_non_null(strstr(s, "'etcd01_wal_fsync_p99'=0.004500s;0.5;1;0;"));
	assert_non_null(strstr(s, "'etcd01_peer_rtt_p99'=0.003100s;0.15;;0;"));
	assert_non_null(strstr(s, "\nCRITICAL: https://127.0.9.2:2379 etcd/02\"x - TLS handshake: "
				  "certificate is valid for 127.0.0.1, 127.0.9.1, not 127.0.9.2\n") ||
			strstr(s, "\nCRITICAL: https://127.0.9.2:2379 etcd|02\"x - TLS handshake: "
				  "certificate is valid for 127.0.0.1, 127.0.9.1, not 127.0.9.2\n"));
	free(s);
	check_facts_free(&f);
}

static void test_json(void **state)
{
	(void)state;
	struct check_facts f;
	make_facts(&f);
	char *s = render(&f, true);
	assert_true(strncmp(s, "{\"status\":\"CRITICAL\",\"exit_code\":2,\"summary\":", 45) == 0);
	assert_non_null(strstr(s, "\"cluster\":{\"id\":\"cdf818194e3a8c32\",\"size\":2"));
	assert_non_null(strstr(s, "\"member_id\":\"8e9e05c52164694d\",\"name\":\"etcd01\","
				  "\"is_leader\":true"));
	assert_non_null(strstr(s, "\"name\":\"etcd|02\\\"x\""));
	assert_non_null(strstr(s, "\"latency_seconds\":0.0015,"));
	assert_non_null(strstr(s, "\"cert_not_after\":\"2027-"));
	assert_non_null(strstr(s, "\"db_size\":null"));
	/* balanced structure outside strings */
	int depth = 0;
	bool in_str = false;
	for (const char *p = s; *p; p++) {
		if (in_str) {
			if (*p == '\\')
				p++;
			else if (*p == '"')
				in_str = false;
		} else if (*p == '"') {
			in_str = true;
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']') {
			depth--;
			assert_true(depth >= 0);
		}
	}
	assert_int_equal(depth, 0);
	assert_false(in_str);
	free(s);
	check_facts_free(&f);
}

/* Server-chosen bytes in every string field: invalid UTF-8 (grpc-message %FF%FE), a UTF-8
 * sequence cut by a bounded copy, control bytes, quotes and backslashes. The document must parse
 * and carry the text repaired (U+FFFD) and escaped, not dropped. */
static void test_json_hostile_strings(void **state)
{
	(void)state;
	struct check_facts f;
	make_facts(&f);
	snprintf(f.eps[0].name, sizeof(f.eps[0].name), "bad\xff\xfe");
	snprintf(f.eps[0].version, sizeof(f.eps[0].version), "3.4\nETCD OK - \"x\\\x01");
	snprintf(f.eps[1].error, sizeof(f.eps[1].error), "Unavailable: \xff\xfe cut \xe2\x9c");
	snprintf(f.members[0].name, sizeof(f.members[0].name), "bad\xff\xfe");
	char *s = render(&f, true);
	json_error_t jerr;
	json_t *d = json_loads(s, 0, &jerr);
	if (!d)
		fail_msg("report_json is not valid JSON (%s at %d): %s", jerr.text, jerr.position, s);
	json_t *e0 = json_array_get(json_object_get(d, "endpoints"), 0);
	json_t *e1 = json_array_get(json_object_get(d, "endpoints"), 1);
	assert_string_equal(json_string_value(json_object_get(e0, "name")),
			    "bad\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(json_string_value(json_object_get(e0, "version")),
			    "3.4\nETCD OK - \"x\\\x01");
	const char *err = json_string_value(json_object_get(e1, "error"));
	assert_non_null(err);
	assert_non_null(strstr(err, "Unavailable: \xef\xbf\xbd\xef\xbf\xbd cut \xef\xbf\xbd"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(d, "cluster"),
							      "leader_name")),
			    "bad\xef\xbf\xbd\xef\xbf\xbd");
	/* the types the consumers rely on */
	assert_true(json_is_integer(json_object_get(d, "exit_code")));
	assert_true(json_is_real(json_object_get(e0, "latency_seconds")));
	assert_true(json_is_integer(json_object_get(e0, "db_size")));
	assert_true(json_is_null(json_object_get(e1, "db_size")));
	assert_true(json_is_boolean(json_object_get(e0, "is_leader")));
	/* a version that does not parse is in no advisory; no Status, no list */
	assert_true(json_is_array(json_object_get(e0, "advisories")));
	assert_int_equal(json_array_size(json_object_get(e0, "advisories")), 0);
	assert_true(json_is_null(json_object_get(e1, "advisories")));
	json_decref(d);
	free(s);
	check_facts_free(&f);
}

/* A release the etcd maintainers warn against: the sources, in table order. */
static void test_json_advisories(void **state)
{
	(void)state;
	struct check_facts f;
	make_facts(&f);
	snprintf(f.eps[0].version, sizeof(f.eps[0].version), "3.5.1");
	char *s = render(&f, true);
	json_t *d = json_loads(s, 0, NULL);
	assert_non_null(d);
	json_t *adv = json_object_get(json_array_get(json_object_get(d, "endpoints"), 0),
				      "advisories");
	assert_int_equal(json_array_size(adv), 2);
	assert_string_equal(json_string_value(json_array_get(adv, 0)), "etcd-io/etcd#13766");
	assert_string_equal(json_string_value(json_array_get(adv, 1)), "etcd-io/etcd#14733");
	json_decref(d);
	free(s);
	check_facts_free(&f);
}

/* --write-check: "write 12.0 ms" and perfdata write_latency on the endpoint that wrote, the
 * refusal in its reason; JSON write_ok / write_latency_s / write_error, null elsewhere. */
static void test_write_check(void **state)
{
	(void)state;
	struct check_facts f;
	make_facts(&f);
	struct endpoint_facts *e = &f.eps[0];
	e->write_done = e->write_ok = true;
	e->write_latency_s = 0.012;
	char *s = render(&f, false);
	assert_non_null(strstr(s, "'etcd01_write_latency'=0.012000s;0.5;2;0;"));
	assert_non_null(strstr(s, " latency 1.5 ms write 12.0 ms cert "));
	free(s);
	s = render(&f, true);
	json_error_t jerr;
	json_t *d = json_loads(s, 0, &jerr);
	assert_non_null(d);
	json_t *e0 = json_array_get(json_object_get(d, "endpoints"), 0);
	json_t *e1 = json_array_get(json_object_get(d, "endpoints"), 1);
	assert_true(json_is_true(json_object_get(e0, "write_ok")));
	assert_true(json_real_value(json_object_get(e0, "write_latency_s")) == 0.012);
	assert_true(json_is_null(json_object_get(e0, "write_error")));
	assert_true(json_is_null(json_object_get(e1, "write_ok")));
	assert_true(json_is_null(json_object_get(e1, "write_latency_s")));
	assert_true(json_is_null(json_object_get(e1, "write_error")));
	json_decref(d);
	free(s);

	e->write_ok = false;
	e->write_grpc_code = 8;
	snprintf(e->write_error, sizeof(e->write_error),
		 "NOSPACE (Put: ResourceExhausted: etcdserver: mvcc: database space exceeded)");
	s = render(&f, false);
	assert_null(strstr(s, "write_latency"));
	assert_null(strstr(s, " write 0"));
	assert_non_null(strstr(s, "\nCRITICAL: https://127.0.9.1:2379 etcd01 "));
	assert_non_null(strstr(s, "write refused: NOSPACE (Put: ResourceExhausted: "));
	free(s);
	s = render(&f, true);
	d = json_loads(s, 0, &jerr);
	assert_non_null(d);
	e0 = json_array_get(json_object_get(d, "endpoints"), 0);
	assert_true(json_is_false(json_object_get(e0, "write_ok")));
	assert_true(json_is_null(json_object_get(e0, "write_latency_s")));
	assert_string_equal(json_string_value(json_object_get(e0, "write_error")),
			    "NOSPACE (Put: ResourceExhausted: etcdserver: mvcc: database space "
			    "exceeded)");
	json_decref(d);
	free(s);
	check_facts_free(&f);
}

static void test_size(void **state)
{
	(void)state;
	char sz[32];
	report_size(1536, sz, sizeof(sz));
	assert_string_equal(sz, "1.5 KiB");
	report_size(100, sz, sizeof(sz));
	assert_string_equal(sz, "100 B");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nagios),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_hostile_strings),
		cmocka_unit_test(test_json_advisories),
		cmocka_unit_test(test_write_check),
		cmocka_unit_test(test_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
