/* test_correlate.c: root causes from aggregates (real 3.4 lines), certificate facts and live
 * results: the member at fault, one finding per cause, ranking and remedy templates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/x509_vfy.h>
#include <jansson.h>

#include "diag/correlate.h"
#include "diag/report.h"

struct fixture {
	struct diag_aggs *a;
	struct diag_findings *f;
};

static int setup(void **state)
{
	struct fixture *x = calloc(1, sizeof(*x));
	if (!x)
		return -1;
	x->a = aggs_new();
	x->f = calloc(1, sizeof(*x->f));
	*state = x;
	return x->a && x->f ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *x = *state;
	aggs_free(x->a);
	free(x->f);
	free(x);
	return 0;
}

/* A fresh, empty set of aggregates for the next case of a test. */
static void reset_aggs(struct fixture *x)
{
	aggs_free(x->a);
	x->a = aggs_new();
	assert_non_null(x->a);
}

static void feed(struct diag_aggs *a, const char *host, uint64_t usec, const char *line,
		 int times)
{
	struct classify_result r;
	classify_entry(line, strlen(line), -1, &r);
	for (int i = 0; i < times; i++) {
		aggs_count_entry(a, usec + (uint64_t)i);
		if (r.code != DIAG_CODE_NONE)
			aggs_add(a, &r, host, usec + (uint64_t)i, line, strlen(line));
	}
}

#define SEC 1000000ull

/* zap lines of etcd 3.5 (the shapes of ETCD_LOGS.md sections 3 and 4) at t seconds. */
static void feed_zap(struct diag_aggs *a, const char *host, uint64_t t, const char *level,
		     const char *msg, const char *fields, int times)
{
	char l[768];
	snprintf(l, sizeof(l), "{\"level\":\"%s\",\"ts\":\"2026-11-25T13:00:20.065Z\",\"caller\":"
			       "\"x.go:1\",\"msg\":\"%s\"%s%s}", level, msg, fields[0] ? "," : "",
		 fields);
	feed(a, host, t * SEC, l, times);
}

/* The identity lines every member logs at start (captured from etcd 3.4.23). */
static void feed_start(struct diag_aggs *a)
{
	static const char *const ids[] = {"148df766a26ff8aa", "7f3444a8a26e7b4c",
					  "f3e60613aa798362"};
	char l[256];
	for (int h = 0; h < 3; h++) {
		char host[8];
		snprintf(host, sizeof(host), "m%d", h + 1);
		snprintf(l, sizeof(l), "2026-11-25 12:59:15.690512 I | etcdserver: starting member %s "
				       "in cluster 8ced206069a8eb34", ids[h]);
		feed(a, host, 100, l, 1);
		for (int m = 0; m < 3; m++) {
			snprintf(l, sizeof(l), "2026-11-25 12:59:15.700000 I | "
					       "etcdserver/membership: added member %s "
					       "[https://127.0.100.%d:2380] to cluster 8ced206069a8eb34",
				 ids[m], m + 1);
			feed(a, host, 101, l, 1);
		}
	}
}

static void test_san_mismatch_names_the_presenter(void **state)
{
	struct fixture *x = *state;
	feed_start(x->a);
	const char *l = "2026-11-25 12:59:25.702967 W | rafthttp: health check for peer "
			"f3e60613aa798362 could not connect: x509: certificate is valid for "
			"127.0.0.1, 127.0.100.1, not 127.0.100.3";
	feed(x->a, "m1", 1000, l, 40);
	feed(x->a, "m2", 1000, l, 30);
	feed(x->a, "m3", 1000, "2026-11-25 12:59:20.390727 I | embed: rejected connection from "
			       "\"127.0.0.1:35442\" (error \"remote error: tls: bad certificate\", "
			       "ServerName \"\")", 50);
	/* the peer links to m3 are down because of it: folded, not a finding of their own */
	feed(x->a, "m1", 1100, "2026-11-25 12:59:18.081591 W | rafthttp: lost the TCP streaming "
			       "connection with peer f3e60613aa798362 (stream MsgApp v2 reader)", 3);
	struct correlate_input in = {x->a, NULL, NULL, NULL};
	correlate_run(&in, x->f);
	assert_int_equal(x->f->n, 1);
	const struct diag_finding *f = &x->f->v[0];
	assert_int_equal(f->code, DIAG_CERT_SAN_MISMATCH);
	assert_string_equal(f->member, "m3");
	assert_int_equal(f->severity, DIAG_SEV_CRITICAL);
	assert_int_equal(f->count, 40 + 30 + 50 + 3);
	assert_non_null(strstr(f->summary, "valid for 127.0.0.1, 127.0.100.1, not 127.0.100.3"));
	assert_non_null(strstr(f->remedy, "IP:127.0.100.3"));
	assert_int_equal(x->f->worst, DIAG_SEV_CRITICAL);
}

static void test_member_down_and_recovered_links(void **state)
{
	struct fixture *x = *state;
	feed_start(x->a);
	/* m2 was refused at start but came up (became active later): not a finding */
	feed(x->a, "m1", 200, "W | rafthttp: health check for peer 7f3444a8a26e7b4c could not "
			      "connect: dial tcp 127.0.100.2:2380: connect: connection refused", 2);
	feed(x->a, "m1", 300, "I | rafthttp: peer 7f3444a8a26e7b4c became active", 1);
	/* m3 is refused until the end */
	feed(x->a, "m1", 1000, "W | rafthttp: health check for peer f3e60613aa798362 could not "
			       "connect: dial tcp 127.0.100.3:2380: connect: connection refused", 5);
	feed(x->a, "m2", 1000, "W | rafthttp: health check for peer f3e60613aa798362 could not "
			       "connect: dial tcp 127.0.100.3:2380: connect: connection refused", 4);
	feed(x->a, "m1", 300, "raft2026/11/25 12:59:15 INFO: 148df766a26ff8aa is starting a new "
			      "election at term 1", 1);
	struct correlate_input in = {x->a, NULL, NULL, NULL};
	correlate_run(&in, x->f);
	assert_true(x->f->n >= 1);
	assert_int_equal(x->f->v[0].code, DIAG_MEMBER_DOWN);
	assert_string_equal(x->f->v[0].member, "m3");
	assert_int_equal(x->f->v[0].count, 9);
	for (size_t i = 1; i < x->f->n; i++)
		assert_true(x->f->v[i].severity <= DIAG_SEV_INFO); /* one election: normal */
}

static void test_quorum_from_members_down(void **state)
{
	struct fixture *x = *state;
	feed_start(x->a);
	feed(x->a, "m1", 1000, "W | rafthttp: health check for peer f3e60613aa798362 could not "
			       "connect: dial tcp 127.0.100.3:2380: connect: connection refused", 5);
	feed(x->a, "m1", 1000, "W | rafthttp: health check for peer 7f3444a8a26e7b4c could not "
			       "connect: dial tcp 127.0.100.2:2380: connect: connection refused", 6);
	struct correlate_input in = {x->a, NULL, NULL, NULL};
	correlate_run(&in, x->f);
	assert_int_equal(x->f->n, 3);
	assert_int_equal(x->f->v[0].code, DIAG_QUORUM_LOST);
	assert_string_equal(x->f->v[0].member, "m2, m3");
	assert_string_equal(x->f->v[0].summary,
			    "the cluster lost quorum (2 of 3 members down: m2, m3)");
	assert_int_equal(x->f->v[1].code, DIAG_MEMBER_DOWN);
	assert_int_equal(x->f->v[2].code, DIAG_MEMBER_DOWN);
}

static void test_cluster_id_minority(void **state)
{
	struct fixture *x = *state;
	feed_start(x->a);
	/* m3 wiped and bootstrapped with another token: both sides log, the minority is m3 */
	feed(x->a, "m3", 2000, "2026-11-25 12:59:34.126547 I | etcdserver: starting member "
			       "6170e239260ce242 in cluster 100e6db47dcf7193", 1);
	feed(x->a, "m1", 2100, "E | rafthttp: request cluster ID mismatch (got 100e6db47dcf7193 "
			       "want 8ced206069a8eb34)", 100);
	feed(x->a, "m2", 2100, "E | rafthttp: request sent was ignored (cluster ID mismatch: "
			       "peer[6170e239260ce242]=100e6db47dcf7193, local=8ced206069a8eb34)", 90);
	feed(x->a, "m3", 2100, "E | rafthttp: request cluster ID mismatch (got 8ced206069a8eb34 "
			       "want 100e6db47dcf7193)", 200);
	struct correlate_input in = {x->a, NULL, NULL, NULL};
	correlate_run(&in, x->f);
	assert_int_equal(x->f->n, 1);
	assert_int_equal(x->f->v[0].code, DIAG_CLUSTER_ID_MISMATCH);
	assert_string_equal(x->f->v[0].member, "m3");
	assert_int_equal(x->f->v[0].count, 390);
}

static void test_certs_and_live(void **state)
{
	struct fixture *x = *state;
	struct diag_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.name, sizeof(cfg.name), "m3");
	snprintf(cfg.peer_cert_file, sizeof(cfg.peer_cert_file), "/pki/m3.crt");
	snprintf(cfg.peer_key_file, sizeof(cfg.peer_key_file), "/pki/m3.key");
	snprintf(cfg.trusted_ca_file, sizeof(cfg.trusted_ca_file), "/pki/ca.crt");
	snprintf(cfg.advertise_client_urls, sizeof(cfg.advertise_client_urls),
		 "https://127.0.100.3:2379");
	struct cert_report *c = calloc(1, sizeof(*c));
	struct live_facts *l = calloc(1, sizeof(*l));
	assert_non_null(c);
	assert_non_null(l);
	c->n = 2;
	c->v[0] = (struct cert_finding){DIAG_CERT_EXPIRING, DIAG_SEV_WARNING, "/pki/m3.crt", "",
					"/pki/m3.crt expires in 12 days (2026-12-07)", false};
	c->v[1] = (struct cert_finding){DIAG_KEY_FILE_PERMISSIONS, DIAG_SEV_WARNING, "/pki/m3.key",
					"", "/pki/m3.key has mode 0644", false};
	l->available = true;
	l->n = 2;
	snprintf(l->v[0].url, sizeof(l->v[0].url), "https://127.0.100.3:2379");
	snprintf(l->v[0].host, sizeof(l->v[0].host), "127.0.100.3");
	snprintf(l->v[0].error, sizeof(l->v[0].error),
		 "TLS handshake: certificate is valid for 127.0.0.1, 127.0.100.1, not 127.0.100.3");
	/* correlation reads the facts, not the words */
	l->v[0].failure = EP_FAIL_TLS_VERIFY;
	l->v[0].verify_err = X509_V_ERR_IP_ADDRESS_MISMATCH;
	snprintf(l->v[0].verify_host, sizeof(l->v[0].verify_host), "127.0.100.3");
	snprintf(l->v[0].cert_sans, sizeof(l->v[0].cert_sans), "127.0.0.1, 127.0.100.1");
	snprintf(l->v[1].url, sizeof(l->v[1].url), "https://127.0.100.2:2379");
	snprintf(l->v[1].host, sizeof(l->v[1].host), "127.0.100.2");
	l->v[1].healthy = true;
	snprintf(l->v[1].alarms, sizeof(l->v[1].alarms), "NOSPACE");
	l->v[1].alarm_nospace = true;
	struct correlate_input in = {NULL, c, l, &cfg};
	correlate_run(&in, x->f);
	assert_int_equal(x->f->n, 4);
	/* critical first; the live SAN failure is named after the local member by its address */
	assert_int_equal(x->f->v[0].severity, DIAG_SEV_CRITICAL);
	int san = 0, nospace = 0, key = 0;
	for (size_t i = 0; i < x->f->n; i++) {
		const struct diag_finding *f = &x->f->v[i];
		if (f->code == DIAG_CERT_SAN_MISMATCH) {
			san++;
			assert_string_equal(f->member, "m3");
			assert_non_null(strstr(f->remedy, "/pki/m3.crt"));
		}
		if (f->code == DIAG_NOSPACE_ALARM)
			nospace++;
		if (f->code == DIAG_KEY_FILE_PERMISSIONS) {
			key++;
			/* the group is the unit's User='s (etcd under etcd-install's unit and
			 * Debian's, root under an old install), asked of systemd, not guessed */
			assert_string_equal(f->remedy,
					    "on m3: chown root:\"$(id -gn \"$(systemctl show -P User "
					    "etcd.service | grep . || echo root)\")\" /pki/m3.key && "
					    "chmod 640 /pki/m3.key");
		}
	}
	assert_int_equal(san + nospace + key, 3);
	free(c);
	free(l);
}

/* The live checks of three members at 127.0.100.1-3: the first `rejected` of them turned our
 * --cert down for problem (kind, as cred says), the others refused the connection (down). */
static struct live_facts *live_cert_rejected(int rejected, const char *problem,
					     enum cred_problem kind)
{
	struct live_facts *l = calloc(1, sizeof(*l));
	assert_non_null(l);
	l->available = true;
	l->n = 3;
	snprintf(l->client_cert_problem, sizeof(l->client_cert_problem), "%s", problem);
	l->client_cert_kind = kind;
	for (int i = 0; i < 3; i++) {
		snprintf(l->v[i].url, sizeof(l->v[i].url), "https://127.0.100.%d:2379", i + 1);
		snprintf(l->v[i].host, sizeof(l->v[i].host), "127.0.100.%d", i + 1);
		if (i < rejected) {
			l->v[i].failure = EP_FAIL_CLIENT_CERT_REJECTED;
			snprintf(l->v[i].error, sizeof(l->v[i].error), "TLS handshake: server "
				 "rejected our client certificate: %s", problem);
		} else {
			l->v[i].failure = EP_FAIL_REFUSED;
			snprintf(l->v[i].error, sizeof(l->v[i].error), "TCP connect: connection "
				 "refused: nothing listening on 127.0.100.%d:2379", i + 1);
		}
	}
	return l;
}

/* Every member turning the checks' client certificate down is one cause, on this client,
 * with the probe's reason for it; a member that is simply down stays its own finding. */
static void test_client_cert_rejected_once(void **state)
{
	struct fixture *x = *state;
	struct live_facts *l = live_cert_rejected(2, "--cert /c.pem expired 2020-01-02",
						  CRED_PROBLEM_NONE);
	struct correlate_input in = {NULL, NULL, l, NULL};
	correlate_run(&in, x->f);
	assert_int_equal(x->f->n, 2);
	const struct diag_finding *f = &x->f->v[0];
	assert_int_equal(f->code, DIAG_CLIENT_CERT_REJECTED);
	assert_int_equal(f->severity, DIAG_SEV_CRITICAL);
	assert_string_equal(f->member, "this client");
	assert_int_equal(f->n_evidence, 2);
	assert_non_null(strstr(f->summary, "(--cert /c.pem expired 2020-01-02)"));
	assert_non_null(strstr(f->remedy, "extendedKeyUsage=clientAuth"));
	assert_int_equal(x->f->v[1].code, DIAG_MEMBER_DOWN);
	free(l);
}

/* Our --cert turned down by every member for a fault cred knows (expired, not yet valid, not
 * clientAuth, unknown CA): the members log "rejected connection from 127.0.0.1 (...)" with Go's
 * x509 text for it, and the live checks are turned down for it. One finding, ours, with the log
 * lines as evidence (the fault matrix saw cert-expired on "client 127.0.0.1" beside it); a
 * rejection in the logs for another fault than ours stays its own. One row per fault, each fed
 * once as etcd 3.4 logs it (capnslog, Go <= 1.19: "failed to verify client certificate"; the
 * expired row without Go's detail, as older Go wrote it) and once as 3.5.16 does (zap, Go >= 1.21:
 * "rejected connection on client endpoint", "failed to verify certificate"). */
static void test_own_client_cert_in_logs_once(void **state)
{
	struct fixture *x = *state;
	static const char unknown_ca[] = "x509: certificate signed by unknown authority";
	static const char expired[] = "x509: certificate has expired or is not yet valid: current "
				      "time 2026-11-25T12:59:42Z is after 2020-01-02T00:00:00Z";
	static const struct {
		enum cred_problem kind;
		enum diag_code code;
		const char *problem, *x509_34, *x509_35, *other, *evidence;
		enum diag_code other_code;
	} rows[] = {
		{CRED_PROBLEM_EXPIRED, DIAG_CERT_EXPIRED, "--cert /c.pem expired 2020-01-02",
		 "x509: certificate has expired or is not yet valid", expired, unknown_ca,
		 "certificate has expired", DIAG_CERT_UNKNOWN_AUTHORITY},
		{CRED_PROBLEM_NOT_YET_VALID, DIAG_CERT_NOT_YET_VALID,
		 "--cert /c.pem is not valid before 2027-01-01",
		 "x509: certificate has expired or is not yet valid: current time "
		 "2026-11-25T12:59:42Z is before 2027-01-01T00:00:00Z",
		 "x509: certificate has expired or is not yet valid: current time "
		 "2026-11-25T12:59:42Z is before 2027-01-01T00:00:00Z",
		 unknown_ca, "is before 2027-01-01", DIAG_CERT_UNKNOWN_AUTHORITY},
		{CRED_PROBLEM_NOT_CLIENT_AUTH, DIAG_CERT_BAD_KEY_USAGE,
		 "--cert /c.pem has extended key usage serverAuth, not clientAuth",
		 "x509: certificate specifies an incompatible key usage",
		 "x509: certificate specifies an incompatible key usage", unknown_ca,
		 "incompatible key usage", DIAG_CERT_UNKNOWN_AUTHORITY},
		{CRED_PROBLEM_UNKNOWN_CA, DIAG_CERT_UNKNOWN_AUTHORITY,
		 "--cert /c.pem is not signed by a CA in --cacert /ca.pem", unknown_ca, unknown_ca,
		 expired, "signed by unknown authority", DIAG_CERT_EXPIRED},
	};
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		for (int zap = 0; zap < 2; zap++) {
			char line[512], other[512];
			const char *x509 = zap ? rows[r].x509_35 : rows[r].x509_34;
			if (zap) {
				snprintf(line, sizeof(line), "{\"level\":\"warn\",\"ts\":\"2026-11-25T12:59:"
					 "42.501Z\",\"caller\":\"embed/config_logging.go:169\",\"msg\":"
					 "\"rejected connection on client endpoint\",\"remote-addr\":"
					 "\"127.0.0.1:44948\",\"server-name\":\"\",\"error\":\"tls: "
					 "failed to verify certificate: %s\"}", x509);
				snprintf(other, sizeof(other), "{\"level\":\"warn\",\"ts\":\"2026-11-25T12:59:"
					 "42.501Z\",\"caller\":\"embed/config_logging.go:169\",\"msg\":"
					 "\"rejected connection on client endpoint\",\"remote-addr\":"
					 "\"127.0.0.9:44948\",\"server-name\":\"\",\"error\":\"tls: "
					 "failed to verify certificate: %s\"}", rows[r].other);
			} else {
				snprintf(line, sizeof(line), "2026-11-25 12:59:42.501365 I | embed: rejected "
					 "connection from \"127.0.0.1:44948\" (error \"tls: failed to "
					 "verify client certificate: %s\", ServerName \"\")", x509);
				snprintf(other, sizeof(other), "2026-11-25 12:59:42.501365 I | embed: "
					 "rejected connection from \"127.0.0.9:44948\" (error \"tls: "
					 "failed to verify client certificate: %s\", ServerName \"\")",
					 rows[r].other);
			}
			reset_aggs(x);
			struct live_facts *l = live_cert_rejected(3, rows[r].problem, rows[r].kind);
			for (int m = 1; m <= 3; m++) {
				char host[8];
				snprintf(host, sizeof(host), "m%d", m);
				feed(x->a, host, 1000000, line, 3);
			}
			feed(x->a, "m1", 2000000, other, 3);
			struct correlate_input in = {x->a, NULL, l, NULL};
			correlate_run(&in, x->f);
			size_t ours = 0, left = 0, others = 0;
			for (size_t i = 0; i < x->f->n; i++) {
				const struct diag_finding *f = &x->f->v[i];
				if (f->code == DIAG_CLIENT_CERT_REJECTED) {
					ours++;
					assert_string_equal(f->member, "this client");
					assert_int_equal(f->count, 9); /* 3 lines on each member */
					bool log_evidence = false;
					for (size_t e = 0; e < f->n_evidence; e++)
						log_evidence |= strstr(f->evidence[e],
								       rows[r].evidence) != NULL;
					if (!log_evidence)
						print_error("row %zu (%s): no log line in the evidence\n",
							    r, zap ? "zap" : "capnslog");
					assert_true(log_evidence);
				}
				left += f->code == rows[r].code;
				if (f->code == rows[r].other_code) {
					others++;
					assert_string_equal(f->member, "client 127.0.0.9");
				}
			}
			if (ours != 1 || left != 0 || others != 1 || x->f->n != 2)
				print_error("row %zu (%s): %zu of ours, %zu left, %zu others, %zu "
					    "findings\n", r, zap ? "zap" : "capnslog", ours, left,
					    others, x->f->n);
			assert_int_equal(ours, 1);
			assert_int_equal(left, 0);
			assert_int_equal(others, 1);
			assert_int_equal(x->f->n, 2);
			free(l);
		}
	}
}

/* The SAN a cert-san-mismatch remedy adds: IP: for an address, DNS: for a name (openssl refuses
 * "IP:localhost"; the remedy wrote it for every address before). */
static void test_san_remedy_ip_or_dns(void **state)
{
	(void)state;
	static const struct {
		const char *wanted, *want, *not;
	} cases[] = {
		{"localhost", "IP:127.0.0.1,DNS:localhost ", "IP:localhost"},
		{"127.0.5.3", "IP:127.0.0.1,IP:127.0.5.3 ", "DNS:"},
		{"::1", "IP:127.0.0.1,IP:::1 ", "DNS:"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct diag_finding f;
		char out[1024];
		memset(&f, 0, sizeof(f));
		f.code = DIAG_CERT_SAN_MISMATCH;
		snprintf(f.member, sizeof(f.member), "m3");
		snprintf(f.f.wanted, sizeof(f.f.wanted), "%s", cases[i].wanted);
		correlate_fill_template(diag_code_info_get(f.code)->remedy, &f, NULL, out,
					sizeof(out));
		assert_non_null(strstr(out, cases[i].want));
		assert_null(strstr(out, cases[i].not));
	}
}

/* Live facts mapped by kind: a member with no leader is no-leader (not a generic unhealthy
 * endpoint), one not probed on purpose (downgrade) is no finding, and a peer handshake that
 * turns down this member's peer certificate is filed with the peer certificate's problem. */
static void test_live_kinds(void **state)
{
	struct fixture *x = *state;
	struct live_facts *l = calloc(1, sizeof(*l));
	assert_non_null(l);
	l->available = true;
	l->n = 3;
	snprintf(l->client_cert_problem, sizeof(l->client_cert_problem), "--cert /c.pem is fine");
	snprintf(l->peer_cert_problem, sizeof(l->peer_cert_problem), "--cert /p.pem expired");
	for (int i = 0; i < 3; i++) {
		snprintf(l->v[i].url, sizeof(l->v[i].url), "https://127.0.100.%d:2379", i + 1);
		snprintf(l->v[i].host, sizeof(l->v[i].host), "127.0.100.%d", i + 1);
		snprintf(l->v[i].name, sizeof(l->v[i].name), "m%d", i + 1);
	}
	l->v[0].no_leader = true;
	snprintf(l->v[0].error, sizeof(l->v[0].error), "no leader: ...");
	l->v[1].failure = EP_FAIL_DOWNGRADE;
	l->v[2].failure = EP_FAIL_CLIENT_CERT_REJECTED;
	l->v[2].peer = true;
	struct correlate_input in = {NULL, NULL, l, NULL};
	correlate_run(&in, x->f);
	int no_leader = 0, peer_rej = 0;
	for (size_t i = 0; i < x->f->n; i++) {
		const struct diag_finding *f = &x->f->v[i];
		assert_string_not_equal(f->member, "m2");
		if (f->code == DIAG_NO_LEADER && strcmp(f->member, "m1") == 0)
			no_leader++;
		if (f->code == DIAG_CLIENT_CERT_REJECTED) {
			peer_rej++;
			assert_string_equal(f->member, "this member (peer certificate)");
			assert_string_equal(f->f.detail, "--cert /p.pem expired");
		}
	}
	assert_int_equal(no_leader, 1);
	assert_int_equal(peer_rej, 1);
	free(l);
}

static void test_report_json_and_exit(void **state)
{
	struct fixture *x = *state;
	feed(x->a, "m\"1", 100, "C | etcdmain: listen tcp 127.0.100.1:2379: bind: address already "
				"in use", 1);
	struct correlate_input in = {x->a, NULL, NULL, NULL};
	correlate_run(&in, x->f);
	struct report_meta m;
	memset(&m, 0, sizeof(m));
	m.entries = 1;
	assert_int_equal(diag_report_exit_code(x->f, &m), 2);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	assert_non_null(out);
	diag_report_json(out, x->f, &m);
	fclose(out);
	assert_non_null(strstr(buf, "\"status\":\"CRITICAL\",\"exit_code\":2"));
	assert_non_null(strstr(buf, "\"code\":\"port-in-use\""));
	assert_non_null(strstr(buf, "\"member\":\"m\\\"1\"")); /* escaped */
	assert_non_null(strstr(buf, "127.0.100.1:2379"));
	free(buf);
	m.unknown = true;
	assert_int_equal(diag_report_exit_code(x->f, &m), 3);
	struct diag_findings empty;
	memset(&empty, 0, sizeof(empty));
	m.unknown = false;
	assert_int_equal(diag_report_exit_code(&empty, &m), 0);
	assert_string_equal(diag_report_status_str(1), "WARNING");
}

/* A journal line with bytes that are not UTF-8 and a tail of "é" long enough that the kept
 * sample (AGG_SAMPLE_LEN - 1 bytes) ends where an "é" is cut in two: etcd-diag's JSON must parse,
 * show the bad bytes as U+FFFD, and end the sample on a whole "é". */
static void test_report_json_hostile_journal_line(void **state)
{
	struct fixture *x = *state;
	char line[1024];
	int o = snprintf(line, sizeof(line), "C | etcdmain: listen tcp 127.0.100.1:2379: bind: "
					     "address already in use \xff\xfe \"q\\ \x01 ");
	if ((AGG_SAMPLE_LEN - 1 - (size_t)o) % 2 == 0)
		line[o++] = 'x';
	while ((size_t)o + 2 < sizeof(line)) {
		line[o++] = '\xc3';
		line[o++] = '\xa9';
	}
	line[o] = '\0';
	feed(x->a, "m1", 100, line, 1);
	struct correlate_input in = {x->a, NULL, NULL, NULL};
	correlate_run(&in, x->f);
	assert_true(x->f->n >= 1);
	struct report_meta m;
	memset(&m, 0, sizeof(m));
	m.entries = 1;
	snprintf(m.why, sizeof(m.why), "note \xe2\x9c");
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	assert_non_null(out);
	diag_report_json(out, x->f, &m);
	fclose(out);
	json_error_t jerr;
	json_t *d = json_loads(buf, 0, &jerr);
	if (!d)
		fail_msg("diag_report_json is not valid JSON (%s at %d)", jerr.text, jerr.position);
	assert_string_equal(json_string_value(json_object_get(d, "notes")), "note \xef\xbf\xbd");
	json_t *f0 = json_array_get(json_object_get(d, "findings"), 0);
	assert_string_equal(json_string_value(json_object_get(f0, "code")), "port-in-use");
	const char *ev = json_string_value(json_array_get(json_object_get(f0, "evidence"), 0));
	assert_non_null(ev);
	assert_non_null(strstr(ev, "already in use \xef\xbf\xbd\xef\xbf\xbd \"q\\ \x01 "));
	size_t n = strlen(ev);
	assert_true(n > 2);
	assert_memory_equal(ev + n - 2, "\xc3\xa9", 2); /* cut between two "é", not inside one */
	assert_true(json_is_integer(json_object_get(d, "entries")));
	assert_true(json_is_integer(json_object_get(f0, "count")));
	json_decref(d);
	free(buf);
}

/* etcd checks the certificate a CONNECTING peer presents against the address it comes from
 * (checkCertSAN): the member it dials logs the rejection; the fault is the connecting member's,
 * found by its IP among the peer URLs, never the logging host's. */
static void test_rejected_connecting_peer(void **state)
{
	struct fixture *x = *state;
	feed_start(x->a);
	feed(x->a, "m1", 1000, "2026-11-25 12:59:20.390727 I | embed: rejected connection from "
			       "\"127.0.100.3:35442\" (error \"tls: \\\"127.0.100.3\\\" does not match "
			       "any of DNSNames [\\\"m1\\\"]\", ServerName \"\", IPAddresses "
			       "[\"127.0.100.1\"], DNSNames [\"m1\"])", 30);
	feed(x->a, "m2", 1000, "{\"level\":\"warn\",\"ts\":\"2026-11-25T13:00:25.277Z\",\"caller\":"
			       "\"embed/config_logging.go:160\",\"msg\":\"rejected connection on peer "
			       "endpoint\",\"remote-addr\":\"127.0.100.3:35443\",\"server-name\":\"\","
			       "\"ip-addresses\":[\"127.0.100.1\"],\"dns-names\":[\"m1\"],\"error\":"
			       "\"tls: \\\"127.0.100.3\\\" does not match any of DNSNames [\\\"m1\\\"]\"}",
	     20);
	struct correlate_input in = {x->a, NULL, NULL, NULL};
	correlate_run(&in, x->f);
	assert_int_equal(x->f->n, 1);
	const struct diag_finding *f = &x->f->v[0];
	assert_int_equal(f->code, DIAG_CERT_SAN_MISMATCH);
	assert_string_equal(f->member, "m3");
	assert_int_equal(f->count, 50);
	assert_int_equal(f->severity, DIAG_SEV_CRITICAL);
	assert_string_equal(f->summary, "certificate presented by m3 is valid for IP 127.0.100.1, DNS "
					"m1, not 127.0.100.3");
	assert_non_null(strstr(f->remedy, "IP:127.0.100.3"));
	/* the zap sample is evidence without JSON escapes */
	int unescaped = 0;
	for (size_t i = 0; i < f->n_evidence; i++)
		unescaped += strstr(f->evidence[i], "error=tls: \"127.0.100.3\" does not match") != NULL;
	assert_true(unescaped >= 1);

	/* no member-added facts: --initial-cluster of the configuration maps the IP */
	reset_aggs(x);
	feed(x->a, "m1", 1000, "rejected connection from \"127.0.100.3:35442\" (error \"tls: "
			       "\\\"127.0.100.3\\\" does not match any of DNSNames [\\\"m1\\\"]\", "
			       "ServerName \"\", IPAddresses [\"127.0.100.1\"], DNSNames [\"m1\"])", 3);
	struct diag_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.initial_cluster, sizeof(cfg.initial_cluster),
		 "etcd01=https://127.0.100.1:2380,etcd02=https://127.0.100.2:2380,"
		 "etcd03=https://127.0.100.3:2380");
	struct correlate_input in2 = {x->a, NULL, NULL, &cfg};
	correlate_run(&in2, x->f);
	assert_int_equal(x->f->n, 1);
	assert_int_equal(x->f->v[0].code, DIAG_CERT_SAN_MISMATCH);
	assert_string_equal(x->f->v[0].member, "etcd03");
}

/* m1, the leader, has a slow disk; at the same time m2 and m3 lose it and elect a new leader,
 * and their links to m1 time out. One cause on top, on m1, with the others' symptoms joined as
 * its evidence; the elections that ended with a leader are not "no leader". */
static void test_slow_disk_causes_elections(void **state)
{
	struct fixture *x = *state;
	feed_start(x->a);
	feed_zap(x->a, "m1", 1000, "warn", "slow fdatasync",
		 "\"took\":\"1.873s\",\"expected-duration\":\"1s\"", 12);
	feed_zap(x->a, "m1", 1001, "warn",
		 "leader failed to send out heartbeat on time; took too long, leader is overloaded "
		 "likely from slow disk",
		 "\"to\":\"7f3444a8a26e7b4c\",\"heartbeat-interval\":\"100ms\",\"expected-duration\":"
		 "\"200ms\",\"exceeded-duration\":\"1.6s\"", 25);
	for (int h = 2; h <= 3; h++) {
		char host[4];
		snprintf(host, sizeof(host), "m%d", h);
		const char *id = h == 2 ? "7f3444a8a26e7b4c" : "f3e60613aa798362";
		char m[160];
		snprintf(m, sizeof(m), "raft.node: %s lost leader 148df766a26ff8aa at term 2", id);
		feed_zap(x->a, host, 1003, "info", m, "\"logger\":\"raft\"", 1);
		snprintf(m, sizeof(m), "%s is starting a new election at term 2", id);
		feed_zap(x->a, host, 1003, "info", m, "\"logger\":\"raft\"", 1);
		snprintf(m, sizeof(m), "raft.node: %s elected leader 7f3444a8a26e7b4c at term 3", id);
		feed_zap(x->a, host, 1005, "info", m, "\"logger\":\"raft\"", 1);
		feed_zap(x->a, host, 1004, "warn", "prober detected unhealthy status",
			 "\"round-tripper-name\":\"ROUND_TRIPPER_RAFT_MESSAGE\",\"remote-peer-id\":"
			 "\"148df766a26ff8aa\",\"rtt\":\"0s\",\"error\":\"read tcp 127.0.100.2:41234->"
			 "127.0.100.1:2380: i/o timeout\"", 4);
	}
	/* an unrelated link failure to m3 an hour later is not joined */
	feed(x->a, "m1", 5000 * SEC, "W | rafthttp: health check for peer f3e60613aa798362 could "
				     "not connect: dial tcp 127.0.100.3:2380: i/o timeout", 3);
	struct correlate_input in = {x->a, NULL, NULL, NULL};
	correlate_run(&in, x->f);
	const struct diag_finding *top = &x->f->v[0];
	assert_int_equal(top->code, DIAG_SLOW_DISK);
	assert_string_equal(top->member, "m1");
	assert_int_equal(top->severity, DIAG_SEV_WARNING);
	assert_non_null(strstr(top->summary, "1.873s"));
	assert_non_null(strstr(top->summary, "the cause of "));
	assert_non_null(strstr(top->summary, "peer-unreachable on m1"));
	assert_non_null(strstr(top->summary, "leader-churn on m2"));
	int caused = 0;
	for (size_t i = 0; i < top->n_evidence; i++)
		caused += strncmp(top->evidence[i], "caused by m1's slow-disk: ", 26) == 0;
	assert_true(caused >= 2);
	/* nothing else about m1's load or the elections stands on its own */
	for (size_t i = 1; i < x->f->n; i++) {
		const struct diag_finding *f = &x->f->v[i];
		assert_int_not_equal(f->code, DIAG_NO_LEADER);
		assert_int_not_equal(f->code, DIAG_OVERLOADED);
		assert_int_not_equal(f->code, DIAG_LEADER_CHURN);
		assert_false(f->code == DIAG_PEER_UNREACHABLE && strcmp(f->member, "m1") == 0);
	}
	int other = 0;
	for (size_t i = 0; i < x->f->n; i++)
		other += x->f->v[i].code == DIAG_PEER_UNREACHABLE &&
			 strcmp(x->f->v[i].member, "m3") == 0;
	assert_int_equal(other, 1);
}

/* The same disk, but m2 never gets a leader back: the cluster suffered, and the cause ranks on
 * top with the symptom's severity; "no-leader on m2" names it. */
static size_t count_code(const struct diag_findings *f, enum diag_code code);

static void test_slow_disk_causes_no_leader(void **state)
{
	struct fixture *x = *state;
	feed_start(x->a);
	feed_zap(x->a, "m1", 1000, "warn", "slow fdatasync",
		 "\"took\":\"2.5s\",\"expected-duration\":\"1s\"", 3);
	feed_zap(x->a, "m2", 1010, "info",
		 "raft.node: 7f3444a8a26e7b4c lost leader 148df766a26ff8aa at term 2",
		 "\"logger\":\"raft\"", 1);
	feed_zap(x->a, "m2", 1011, "warn", "failed to publish local member to cluster through raft",
		 "\"local-member-id\":\"7f3444a8a26e7b4c\",\"error\":\"etcdserver: request timed "
		 "out\"", 40);
	struct correlate_input in = {x->a, NULL, NULL, NULL};
	correlate_run(&in, x->f);
	assert_int_equal(x->f->n, 1);
	const struct diag_finding *f = &x->f->v[0];
	assert_int_equal(f->code, DIAG_SLOW_DISK);
	assert_string_equal(f->member, "m1");
	assert_int_equal(f->severity, DIAG_SEV_CRITICAL);
	assert_int_equal(f->count, 3 + 1 + 40);
	assert_non_null(strstr(f->summary, "the cause of no-leader on m2"));

	/* the slow member's own no-leader (its raft loop stalled behind its fsync, capnslog as on
	 * 3.4.23 in the fault matrix's slow-disk follower row) is the disk's too: one finding */
	reset_aggs(x);
	feed_start(x->a);
	feed(x->a, "m1", 1000 * SEC, "2026-12-02 03:40:01.000000 W | wal: sync duration of 2.0s, "
				     "expected less than 1s", 3);
	feed(x->a, "m1", 1002 * SEC, "raft2026/12/02 03:40:03 INFO: raft.node: 148df766a26ff8aa "
				     "lost leader 7f3444a8a26e7b4c at term 2", 1);
	in.aggs = x->a;
	correlate_run(&in, x->f);
	assert_true(x->f->n >= 1);
	assert_int_equal(x->f->v[0].code, DIAG_SLOW_DISK);
	assert_string_equal(x->f->v[0].member, "m1");
	assert_int_equal(count_code(x->f, DIAG_NO_LEADER), 0);

	/* without the disk, the same no-leader stands as it is */
	reset_aggs(x);
	feed_start(x->a);
	feed_zap(x->a, "m2", 1010, "info",
		 "raft.node: 7f3444a8a26e7b4c lost leader 148df766a26ff8aa at term 2",
		 "\"logger\":\"raft\"", 1);
	in.aggs = x->a;
	correlate_run(&in, x->f);
	assert_int_equal(x->f->n, 1);
	assert_int_equal(x->f->v[0].code, DIAG_NO_LEADER);
	assert_int_equal(x->f->v[0].severity, DIAG_SEV_CRITICAL);
}

/* One transient election that ended with a leader: no "no-leader", at most an INFO. */
static void test_transient_election(void **state)
{
	struct fixture *x = *state;
	feed_start(x->a);
	feed(x->a, "m2", 1000 * SEC, "raft2026/11/25 12:59:15 INFO: raft.node: 7f3444a8a26e7b4c lost "
				     "leader 148df766a26ff8aa at term 2", 1);
	feed(x->a, "m2", 1000 * SEC, "raft2026/11/25 12:59:15 INFO: 7f3444a8a26e7b4c is starting a "
				     "new election at term 2", 1);
	feed(x->a, "m2", 1001 * SEC, "raft2026/11/25 12:59:16 INFO: raft.node: 7f3444a8a26e7b4c "
				     "elected leader 7f3444a8a26e7b4c at term 3", 1);
	struct correlate_input in = {x->a, NULL, NULL, NULL};
	correlate_run(&in, x->f);
	for (size_t i = 0; i < x->f->n; i++) {
		assert_int_not_equal(x->f->v[i].code, DIAG_NO_LEADER);
		assert_true(x->f->v[i].severity <= DIAG_SEV_INFO);
	}
	assert_true(x->f->worst <= DIAG_SEV_INFO);
}

/* A fresh set of aggregates: the members' start lines, then m1's campaign of kubeadm#2188 (it
 * asks both peers for votes and hears only itself). */
static void feed_campaign(struct fixture *x)
{
	static const char *const lines[] = {
		"raft2020/06/21 05:43:24 INFO: e121085cb2a6a09a is starting a new election at term 9780",
		"raft2020/06/21 05:43:24 INFO: e121085cb2a6a09a became candidate at term 9781",
		"raft2020/06/21 05:43:24 INFO: e121085cb2a6a09a received MsgVoteResp from e121085cb2a6a09a at term 9781",
		"raft2020/06/21 05:43:24 INFO: e121085cb2a6a09a [logterm: 9637, index: 5290395] sent MsgVote request to 1e1194c275755c28 at term 9781",
		"raft2020/06/21 05:43:24 INFO: e121085cb2a6a09a [logterm: 9637, index: 5290395] sent MsgVote request to 4e8d639ed37e166c at term 9781",
	};
	reset_aggs(x);
	feed_start(x->a);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		feed(x->a, "m1", 1000 * SEC, lines[i], 1);
}

static size_t count_code(const struct diag_findings *f, enum diag_code code)
{
	size_t n = 0;
	for (size_t i = 0; i < f->n; i++)
		n += f->v[i].code == code;
	return n;
}

/* A leaf and its CA both expired on one member: two cert-expired findings, each remedy naming
 * its own file (renewing the leaf leaves the CA expired), the CA's saying to re-issue what it
 * signed too; a CA expiring soon the same. */
static void test_leaf_and_ca_expired(void **state)
{
	struct fixture *x = *state;
	struct diag_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.name, sizeof(cfg.name), "m1");
	snprintf(cfg.cert_file, sizeof(cfg.cert_file), "/pki/m1.crt");
	snprintf(cfg.trusted_ca_file, sizeof(cfg.trusted_ca_file), "/pki/ca.crt");
	struct cert_report *c = calloc(1, sizeof(*c));
	assert_non_null(c);
	c->n = 3;
	c->v[2] = (struct cert_finding){DIAG_CERT_EXPIRING, DIAG_SEV_WARNING, "/pki/peer-ca.crt",
					"", "trusted CA file /pki/peer-ca.crt (CA peer-ca) expires in "
					"9 days (2026-01-12)", true};
	c->v[0] = (struct cert_finding){DIAG_CERT_EXPIRED, DIAG_SEV_CRITICAL, "/pki/m1.crt", "",
					"/pki/m1.crt expired on 2026-01-01", false};
	c->v[1] = (struct cert_finding){DIAG_CERT_EXPIRED, DIAG_SEV_CRITICAL, "/pki/ca.crt", "",
					"trusted CA file /pki/ca.crt (CA etcd-ca) expired on "
					"2026-01-02", true};
	struct correlate_input in = {NULL, c, NULL, &cfg};
	correlate_run(&in, x->f);
	assert_int_equal(count_code(x->f, DIAG_CERT_EXPIRED), 2);
	const struct diag_finding *leaf = NULL, *ca = NULL;
	for (size_t i = 0; i < x->f->n; i++) {
		if (strstr(x->f->v[i].remedy, "-in /pki/m1.crt;"))
			leaf = &x->f->v[i];
		if (strstr(x->f->v[i].remedy, "-in /pki/ca.crt;"))
			ca = &x->f->v[i];
	}
	assert_non_null(leaf);
	assert_non_null(ca);
	assert_non_null(strstr(leaf->summary, "/pki/m1.crt"));
	assert_non_null(strstr(ca->summary, "/pki/ca.crt"));
	assert_non_null(strstr(leaf->remedy, "re-issue it and"));
	assert_non_null(strstr(ca->remedy, "re-issue the CA and every certificate it signed"));
	/* expiring, the same: a CA renewed alone would leave what it signed to a dead issuer */
	assert_int_equal(count_code(x->f, DIAG_CERT_EXPIRING), 1);
	for (size_t i = 0; i < x->f->n; i++)
		if (x->f->v[i].code == DIAG_CERT_EXPIRING)
			assert_string_equal(x->f->v[i].remedy,
					    "on m1: before /pki/peer-ca.crt expires, re-issue the CA "
					    "and every certificate it signed");
	free(c);
}

/* kubeadm#2188: a candidate whose vote requests to both peers went unanswered, with no leader
 * after, has lost quorum; one peer answering (a rejection is an answer) is a majority. */
static void test_unanswered_votes(void **state)
{
	struct fixture *x = *state;
	struct correlate_input in = {NULL, NULL, NULL, NULL};
	feed_campaign(x);
	in.aggs = x->a;
	correlate_run(&in, x->f);
	assert_true(x->f->n >= 1);
	assert_int_equal(x->f->v[0].code, DIAG_QUORUM_LOST);
	assert_string_equal(x->f->v[0].member, "m1");
	assert_non_null(strstr(x->f->v[0].summary, "0 answered"));
	assert_int_equal(count_code(x->f, DIAG_LEADER_CHURN), 0);

	/* one of the two answers: the candidate can win, nothing lost */
	feed(x->a, "m1", 1000 * SEC, "raft2020/06/21 05:43:24 INFO: e121085cb2a6a09a received "
				     "MsgVoteResp rejection from 4e8d639ed37e166c at term 9781", 1);
	correlate_run(&in, x->f);
	assert_int_equal(count_code(x->f, DIAG_QUORUM_LOST), 0);

	/* unanswered, but a leader was elected afterwards: an election, not a lost quorum */
	feed_campaign(x);
	feed(x->a, "m1", 1003 * SEC, "raft2020/06/21 05:43:27 INFO: raft.node: e121085cb2a6a09a "
				     "elected leader 1e1194c275755c28 at term 9782", 1);
	in.aggs = x->a;
	correlate_run(&in, x->f);
	assert_int_equal(count_code(x->f, DIAG_QUORUM_LOST), 0);

	/* the same two peers also found down (their dials refused): one lost quorum, not two */
	feed_campaign(x);
	feed(x->a, "m1", 1000 * SEC, "2026-11-25 12:59:25.702967 W | rafthttp: health check for peer "
				     "7f3444a8a26e7b4c could not connect: dial tcp 127.0.1.2:2380: "
				     "connect: connection refused", 1);
	feed(x->a, "m1", 1000 * SEC, "2026-11-25 12:59:25.702967 W | rafthttp: health check for peer "
				     "f3e60613aa798362 could not connect: dial tcp 127.0.1.3:2380: "
				     "connect: connection refused", 1);
	in.aggs = x->a;
	correlate_run(&in, x->f);
	assert_int_equal(count_code(x->f, DIAG_QUORUM_LOST), 1);
	assert_int_equal(x->f->v[0].code, DIAG_QUORUM_LOST);
}

/* etcd#8377: a firewall drops the peer port; the member's dials time out and it has no
 * leader: the unreachable links it logs at the same time are the cause, on top. */
static void test_timeouts_cause_no_leader(void **state)
{
	struct fixture *x = *state;
	feed_start(x->a);
	feed(x->a, "k8node2", 1000 * SEC, "publish error: etcdserver: request timed out", 1);
	feed(x->a, "k8node2", 1000 * SEC, "health check for peer f54a37612c5cfa79 could not "
					  "connect: dial tcp 127.0.1.2:2380: i/o timeout", 1);
	feed(x->a, "k8node2", 1000 * SEC, "health check for peer ff1a39e8ec6861fc could not "
					  "connect: dial tcp 127.0.1.3:2380: i/o timeout", 1);
	struct correlate_input in = {x->a, NULL, NULL, NULL};
	correlate_run(&in, x->f);
	assert_true(x->f->n >= 1);
	assert_int_equal(x->f->v[0].code, DIAG_PEER_UNREACHABLE);
	assert_int_equal(x->f->v[0].severity, DIAG_SEV_CRITICAL);
	assert_non_null(strstr(x->f->v[0].summary, "the cause of no-leader on k8node2"));
	for (size_t i = 0; i < x->f->n; i++)
		assert_int_not_equal(x->f->v[i].code, DIAG_NO_LEADER);

	/* the same no-leader an hour away from the timeouts stands on its own */
	reset_aggs(x);
	feed_start(x->a);
	feed(x->a, "k8node2", 1000 * SEC, "publish error: etcdserver: request timed out", 1);
	feed(x->a, "k8node2", 4600 * SEC, "health check for peer f54a37612c5cfa79 could not "
					  "connect: dial tcp 127.0.1.2:2380: i/o timeout", 1);
	in.aggs = x->a;
	correlate_run(&in, x->f);
	assert_int_equal(x->f->v[0].code, DIAG_NO_LEADER);
}

/* The fault matrix's partitioned row (etcd 3.4.23): m1 cut off from both peers by nft. m2 and
 * m3 each say they cannot reach m1, and m1, retrying most, logs most that it cannot reach
 * them: one finding, m1's, on top, not "peers cannot reach m2" first. A link cut between two
 * members only stays a finding on each side. */
static void feed_unreachable(struct diag_aggs *a, const char *host, const char *peer_id,
			     int times)
{
	char l[256];
	snprintf(l, sizeof(l), "2026-12-02 01:56:57.805857 W | rafthttp: health check for peer %s "
			       "could not connect: <nil>", peer_id);
	feed(a, host, 1000 * SEC, l, times);
}

static void test_cut_off_member(void **state)
{
	struct fixture *x = *state;
	struct correlate_input in = {x->a, NULL, NULL, NULL};
	feed_start(x->a);
	feed_unreachable(x->a, "m1", "7f3444a8a26e7b4c", 9);
	feed_unreachable(x->a, "m1", "f3e60613aa798362", 8);
	feed_unreachable(x->a, "m2", "148df766a26ff8aa", 3);
	feed_unreachable(x->a, "m3", "148df766a26ff8aa", 3);
	correlate_run(&in, x->f);
	assert_true(x->f->n >= 1);
	assert_int_equal(x->f->v[0].code, DIAG_PEER_UNREACHABLE);
	assert_string_equal(x->f->v[0].member, "m1");
	assert_int_equal(count_code(x->f, DIAG_PEER_UNREACHABLE), 1);
	bool said = false;
	for (size_t e = 0; e < x->f->v[0].n_evidence; e++)
		said |= strstr(x->f->v[0].evidence[e], "m1 cannot reach m2 either") != NULL;
	assert_true(said);

	/* the same with journals whose host names are not the members' names (node-a runs m1,
	 * named by its zap "published" line): the reporters are members, not hosts */
	reset_aggs(x);
	static const char *const ids[] = {"148df766a26ff8aa", "7f3444a8a26e7b4c",
					  "f3e60613aa798362"};
	char l[512];
	for (int h = 0; h < 3; h++) {
		char host[16];
		snprintf(host, sizeof(host), "node-%c", 'a' + h);
		snprintf(l, sizeof(l), "2026-11-25 12:59:15.690512 I | etcdserver: starting member %s "
				       "in cluster 8ced206069a8eb34", ids[h]);
		feed(x->a, host, 100, l, 1);
		snprintf(l, sizeof(l), "{\"level\":\"info\",\"ts\":\"2026-11-25T12:59:16.000Z\","
				       "\"msg\":\"published local member to cluster through raft\","
				       "\"local-member-id\":\"%s\",\"local-member-attributes\":"
				       "\"{Name:m%d ClientURLs:[https://127.0.100.%d:2379]}\","
				       "\"cluster-id\":\"8ced206069a8eb34\"}", ids[h], h + 1, h + 1);
		feed(x->a, host, 101, l, 1);
	}
	feed_unreachable(x->a, "node-a", ids[1], 9);
	feed_unreachable(x->a, "node-a", ids[2], 8);
	feed_unreachable(x->a, "node-b", ids[0], 3);
	feed_unreachable(x->a, "node-c", ids[0], 3);
	in.aggs = x->a;
	correlate_run(&in, x->f);
	assert_true(x->f->n >= 1);
	assert_int_equal(x->f->v[0].code, DIAG_PEER_UNREACHABLE);
	assert_string_equal(x->f->v[0].member, "m1");
	assert_int_equal(count_code(x->f, DIAG_PEER_UNREACHABLE), 1);

	/* m1 and m2 lose each other only: neither is cut off, two findings */
	reset_aggs(x);
	feed_start(x->a);
	feed_unreachable(x->a, "m1", "7f3444a8a26e7b4c", 9);
	feed_unreachable(x->a, "m2", "148df766a26ff8aa", 3);
	in.aggs = x->a;
	correlate_run(&in, x->f);
	assert_int_equal(count_code(x->f, DIAG_PEER_UNREACHABLE), 2);
}

/* The fault matrix's leader-churn row (etcd 3.4.23, the leader stopped and restarted four
 * times): 3.4's raft lines have whole seconds, so "lost leader" and the "elected leader" that
 * ends it can share a stamp: the order of the lines decides, not a no-leader. And a peer found
 * down (refused) that its peers then elect leader is up again, though their streams logged no
 * reconnect: not member-down. */
static void test_churn_restarts(void **state)
{
	struct fixture *x = *state;
	struct correlate_input in = {x->a, NULL, NULL, NULL};
	feed_start(x->a);
	feed(x->a, "m1", 1001 * SEC, "2026-12-02 02:15:55.509402 W | rafthttp: health check for peer "
				     "f3e60613aa798362 could not connect: dial tcp 127.0.100.3:2380: "
				     "connect: connection refused", 2);
	feed(x->a, "m1", 1002 * SEC, "raft2026/12/02 02:15:56 INFO: raft.node: 148df766a26ff8aa lost "
				     "leader 7f3444a8a26e7b4c at term 8", 1);
	feed(x->a, "m1", 1002 * SEC, "raft2026/12/02 02:15:56 INFO: raft.node: 148df766a26ff8aa "
				     "elected leader f3e60613aa798362 at term 9", 1);
	correlate_run(&in, x->f);
	assert_int_equal(count_code(x->f, DIAG_NO_LEADER), 0);
	assert_int_equal(count_code(x->f, DIAG_MEMBER_DOWN), 0);
	assert_int_equal(count_code(x->f, DIAG_PEER_UNREACHABLE), 0);

	/* the same refusals with another member elected: m3 may still be down */
	reset_aggs(x);
	feed_start(x->a);
	feed(x->a, "m1", 1001 * SEC, "2026-12-02 02:15:55.509402 W | rafthttp: health check for peer "
				     "f3e60613aa798362 could not connect: dial tcp 127.0.100.3:2380: "
				     "connect: connection refused", 2);
	feed(x->a, "m1", 1002 * SEC, "raft2026/12/02 02:15:56 INFO: raft.node: 148df766a26ff8aa "
				     "elected leader 7f3444a8a26e7b4c at term 9", 1);
	in.aggs = x->a;
	correlate_run(&in, x->f);
	assert_int_equal(count_code(x->f, DIAG_MEMBER_DOWN), 1);
}

/* The fault matrix's leader-churn row on 3.5.16, once in seven: diag ran as the last restarted
 * member came up, before its peers logged a reconnect; the live checks found it healthy. The
 * journal's refusals are history then (info), not member-down on top; a member the live checks
 * do not reach stays down. */
static void test_live_clears_down(void **state)
{
	struct fixture *x = *state;
	feed_start(x->a);
	feed(x->a, "m1", 1000, "W | rafthttp: health check for peer f3e60613aa798362 could not "
			       "connect: dial tcp 127.0.100.3:2380: connect: connection refused", 5);
	struct live_facts *l = calloc(1, sizeof(*l));
	assert_non_null(l);
	l->available = true;
	l->n = 3;
	for (int i = 0; i < 3; i++) {
		snprintf(l->v[i].url, sizeof(l->v[i].url), "https://127.0.100.%d:2379", i + 1);
		snprintf(l->v[i].host, sizeof(l->v[i].host), "127.0.100.%d", i + 1);
		snprintf(l->v[i].name, sizeof(l->v[i].name), "m%d", i + 1);
		l->v[i].healthy = true;
	}
	struct correlate_input in = {x->a, NULL, l, NULL};
	correlate_run(&in, x->f);
	for (size_t i = 0; i < x->f->n; i++)
		assert_true(x->f->v[i].severity <= DIAG_SEV_INFO);
	assert_int_equal(count_code(x->f, DIAG_QUORUM_LOST), 0);

	/* m3 refused by the live checks too: down, on top */
	l->v[2].healthy = false;
	l->v[2].failure = EP_FAIL_REFUSED;
	correlate_run(&in, x->f);
	assert_true(x->f->n >= 1);
	assert_int_equal(x->f->v[0].code, DIAG_MEMBER_DOWN);
	assert_string_equal(x->f->v[0].member, "m3");
	assert_true(x->f->v[0].severity > DIAG_SEV_INFO);
	free(l);
}

/* Remedies name the paths and unit of the configuration found, else those deploy/etcd-install
 * uses (etcd.service, /var/lib/etcd, /etc/etcd/ssl/etcd.pem + etcd-key.pem), and ask systemd for
 * the unit's user instead of assuming one (etcd-install's unit runs as root). */
static void test_remedies_follow_install(void **state)
{
	(void)state;
	struct diag_finding f;
	char out[1024];
	memset(&f, 0, sizeof(f));
	snprintf(f.member, sizeof(f.member), "etcd02");
	f.code = DIAG_DATA_DIR_PERMISSION;
	correlate_fill_template(diag_code_info_get(f.code)->remedy, &f, NULL, out, sizeof(out));
	assert_string_equal(out, "on etcd02: chown -R \"$(systemctl show -P User etcd.service | grep . "
				 "|| echo root)\": /var/lib/etcd && chmod 700 /var/lib/etcd && "
				 "systemctl restart etcd");
	f.code = DIAG_PEM_NO_DATA;
	correlate_fill_template(diag_code_info_get(f.code)->remedy, &f, NULL, out, sizeof(out));
	assert_non_null(strstr(out, "-in /etc/etcd/ssl/etcd.pem"));
	assert_non_null(strstr(out, "-in /etc/etcd/ssl/etcd-key.pem"));
	assert_non_null(strstr(out, "systemctl restart etcd"));
	struct diag_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.name, sizeof(cfg.name), "etcd01");
	snprintf(cfg.data_dir, sizeof(cfg.data_dir), "/srv/etcd");
	snprintf(cfg.cert_file, sizeof(cfg.cert_file), "/pki/etcd.pem");
	snprintf(cfg.key_file, sizeof(cfg.key_file), "/pki/etcd-key.pem");
	f.code = DIAG_WAL_CORRUPT;
	correlate_fill_template(diag_code_info_get(f.code)->remedy, &f, &cfg, out, sizeof(out));
	assert_non_null(strstr(out, "cp -a /srv/etcd /srv/etcd.broken"));
	assert_null(strstr(out, "/var/lib/etcd"));
	f.code = DIAG_PEM_NO_DATA;
	correlate_fill_template(diag_code_info_get(f.code)->remedy, &f, &cfg, out, sizeof(out));
	assert_non_null(strstr(out, "-in /pki/etcd.pem"));
	assert_non_null(strstr(out, "-in /pki/etcd-key.pem"));
	/* every failure's remedy fits the finding's buffer whole */
	for (int c = 1; c < DIAG_FACT_LOCAL_MEMBER; c++) {
		struct diag_finding g;
		memset(&g, 0, sizeof(g));
		g.code = (enum diag_code)c;
		correlate_fill_template(diag_code_info_get(g.code)->remedy, &g, &cfg, g.remedy,
					sizeof(g.remedy));
		assert_true(strlen(g.remedy) + 1 < sizeof(g.remedy));
	}
}

/* A member stopped by a broken WAL is down to its peers: one finding, the WAL; a peer URL whose
 * host does not resolve is the cause of the links to it failing, named after that peer. */
static void test_startup_causes_fold(void **state)
{
	struct fixture *x = *state;
	feed_start(x->a);
	feed(x->a, "m2", 1000, "{\"level\":\"fatal\",\"ts\":\"2026-11-25T13:01:05.536Z\",\"caller\":"
			       "\"etcdserver/storage.go:108\",\"msg\":\"failed to read WAL, cannot be "
			       "repaired\",\"error\":\"walpb: crc mismatch\"}", 3);
	feed(x->a, "m1", 1001, "W | rafthttp: health check for peer 7f3444a8a26e7b4c could not "
			       "connect: dial tcp 127.0.100.2:2380: connect: connection refused", 7);
	feed(x->a, "m1", 1001, "W | rafthttp: health check for peer f3e60613aa798362 could not "
			       "connect: dial tcp: lookup m3.lan on 127.0.0.53:53: no such host", 9);
	feed(x->a, "m1", 1002, "W | rafthttp: lost the TCP streaming connection with peer "
			       "f3e60613aa798362 (stream MsgApp v2 reader)", 2);
	struct correlate_input in = {x->a, NULL, NULL, NULL};
	correlate_run(&in, x->f);
	assert_int_equal(x->f->n, 2);
	int wal = 0, dns = 0;
	for (size_t i = 0; i < x->f->n; i++) {
		const struct diag_finding *f = &x->f->v[i];
		if (f->code == DIAG_WAL_CORRUPT) {
			wal++;
			assert_string_equal(f->member, "m2");
			assert_int_equal(f->count, 10);
			assert_non_null(strstr(f->summary, "walpb: crc mismatch"));
		}
		if (f->code == DIAG_PEER_NAME_UNRESOLVED) {
			dns++;
			assert_string_equal(f->member, "m3");
			assert_int_equal(f->count, 11);
			assert_string_equal(f->summary, "the peer URL host m3.lan of m3 does not resolve "
							"(lookup m3.lan on 127.0.0.53:53: no such host)");
		}
	}
	assert_int_equal(wal + dns, 2);
}

/* Lines read from log files are labelled as such in the evidence, the journal's as the
 * journal's: an on-call engineer looks for them where they came from. */
static void test_evidence_labels_its_source(void **state)
{
	struct fixture *x = *state;
	static const char *const line = "W | rafthttp: health check for peer 7f3444a8a26e7b4c "
					"could not connect: dial tcp 127.0.100.2:2380: connect: "
					"connection refused";
	feed_start(x->a);
	feed(x->a, "m1", 1000 * SEC, line, 3);
	x->a->source = AGG_SOURCE_LOG_FILE;
	feed(x->a, "m3", 1000 * SEC, line, 2);
	x->a->source = AGG_SOURCE_JOURNAL;
	struct correlate_input in = {x->a, NULL, NULL, NULL};
	correlate_run(&in, x->f);
	int journal = 0, file = 0;
	for (size_t i = 0; i < x->f->n; i++)
		for (size_t e = 0; e < x->f->v[i].n_evidence; e++) {
			const char *ev = x->f->v[i].evidence[e];
			journal += strncmp(ev, "journal: 3 x on m1, ", 20) == 0;
			file += strncmp(ev, "log file: 2 x on m3, ", 21) == 0;
			assert_null(strstr(ev, "journal: 2 x on m3"));
		}
	assert_int_equal(journal, 1);
	assert_int_equal(file, 1);
}

/* m1 overloaded (its heartbeats late), no slow fsync logged: the overload alone is the cause of
 * m2's elections, which ended with a leader (so no no-leader). One finding on top, on m1. */
static void test_overload_causes_elections(void **state)
{
	struct fixture *x = *state;
	feed_start(x->a);
	feed_zap(x->a, "m1", 1001, "warn",
		 "leader failed to send out heartbeat on time; took too long, leader is overloaded "
		 "likely from slow disk",
		 "\"to\":\"7f3444a8a26e7b4c\",\"heartbeat-interval\":\"100ms\",\"expected-duration\":"
		 "\"200ms\",\"exceeded-duration\":\"1.6s\"", 25);
	feed_zap(x->a, "m2", 1003, "info",
		 "raft.node: 7f3444a8a26e7b4c lost leader 148df766a26ff8aa at term 2",
		 "\"logger\":\"raft\"", 1);
	feed_zap(x->a, "m2", 1003, "info", "7f3444a8a26e7b4c is starting a new election at term 2",
		 "\"logger\":\"raft\"", 1);
	feed_zap(x->a, "m2", 1005, "info",
		 "raft.node: 7f3444a8a26e7b4c elected leader 7f3444a8a26e7b4c at term 3",
		 "\"logger\":\"raft\"", 1);
	struct correlate_input in = {x->a, NULL, NULL, NULL};
	correlate_run(&in, x->f);
	assert_true(x->f->n >= 1);
	const struct diag_finding *top = &x->f->v[0];
	assert_int_equal(top->code, DIAG_OVERLOADED);
	assert_string_equal(top->member, "m1");
	assert_non_null(strstr(top->summary, "the cause of "));
	assert_non_null(strstr(top->summary, "leader-churn on m2"));
	assert_int_equal(count_code(x->f, DIAG_NO_LEADER), 0);
	assert_int_equal(count_code(x->f, DIAG_OVERLOADED), 1);
	/* the elections are joined to their cause, not a finding of their own */
	assert_int_equal(count_code(x->f, DIAG_LEADER_CHURN), 0);
	int caused = 0;
	for (size_t i = 0; i < top->n_evidence; i++)
		caused += strncmp(top->evidence[i], "caused by m1's overloaded: ", 27) == 0;
	assert_true(caused >= 1);
}

/* The remedies that change ownership name the unit's User=/Group= when the configuration said
 * them (systemctl is asked only when it did not). */
static void test_remedies_name_unit_user(void **state)
{
	(void)state;
	struct diag_finding f;
	struct diag_config cfg;
	char out[1024];
	memset(&f, 0, sizeof(f));
	memset(&cfg, 0, sizeof(cfg));
	snprintf(f.member, sizeof(f.member), "m1");
	snprintf(f.f.detail, sizeof(f.f.detail), "/pki/etcd-key.pem");
	snprintf(cfg.data_dir, sizeof(cfg.data_dir), "/srv/etcd");
	snprintf(cfg.unit_user, sizeof(cfg.unit_user), "kvstore");
	snprintf(cfg.unit_group, sizeof(cfg.unit_group), "kvkeys");
	f.code = DIAG_DATA_DIR_PERMISSION;
	correlate_fill_template(diag_code_info_get(f.code)->remedy, &f, &cfg, out, sizeof(out));
	assert_string_equal(out, "on m1: chown -R kvstore: /srv/etcd && chmod 700 /srv/etcd && "
				 "systemctl restart etcd");
	f.code = DIAG_KEY_FILE_PERMISSIONS;
	correlate_fill_template(diag_code_info_get(f.code)->remedy, &f, &cfg, out, sizeof(out));
	assert_string_equal(out, "on m1: chown root:kvkeys /pki/etcd-key.pem && chmod 640 "
				 "/pki/etcd-key.pem");
	f.code = DIAG_FILE_PERMISSION;
	correlate_fill_template(diag_code_info_get(f.code)->remedy, &f, &cfg, out, sizeof(out));
	assert_non_null(strstr(out, "chgrp kvkeys /pki/etcd-key.pem && chmod g+r"));
	assert_null(strstr(out, "systemctl show"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_san_mismatch_names_the_presenter, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_member_down_and_recovered_links, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_quorum_from_members_down, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cluster_id_minority, setup, teardown),
		cmocka_unit_test_setup_teardown(test_certs_and_live, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leaf_and_ca_expired, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_cert_rejected_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_own_client_cert_in_logs_once, setup, teardown),
		cmocka_unit_test(test_san_remedy_ip_or_dns),
		cmocka_unit_test(test_remedies_follow_install),
		cmocka_unit_test_setup_teardown(test_startup_causes_fold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rejected_connecting_peer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_disk_causes_elections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_disk_causes_no_leader, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transient_election, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unanswered_votes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeouts_cause_no_leader, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cut_off_member, setup, teardown),
		cmocka_unit_test_setup_teardown(test_churn_restarts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_clears_down, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_kinds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_json_and_exit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_json_hostile_journal_line, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_evidence_labels_its_source, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overload_causes_elections, setup, teardown),
		cmocka_unit_test(test_remedies_name_unit_user),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
