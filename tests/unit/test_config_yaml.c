/* test_config_yaml.c: etcd's YAML --config-file through libyaml: YAML 1.1 booleans as etcd
 * (sigs.k8s.io/yaml over go-yaml v2) reads them, comments, quoting, flow mappings, block scalars,
 * anchors, the TLS maps; malformed input named by line; hostile input bounded. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "diag/config.h"
#include "diag/config_yaml.h"

static int yaml(struct diag_config *cfg, const char *text, struct config_error *e)
{
	memset(cfg, 0, sizeof(*cfg));
	return config_yaml_parse(text, strlen(text), cfg, e);
}

static void test_yaml(void **state)
{
	(void)state;
	struct diag_config cfg;
	struct config_error e;
	assert_int_equal(yaml(&cfg,
					   "# etcd.conf.yml\n"
					   "name: 'm2'\n"
					   "data-dir: /var/lib/etcd/m2   # comment\n"
					   "listen-client-urls: https://127.0.100.2:2379\n"
					   "advertise-client-urls: \"https://127.0.100.2:2379\"\n"
					   "initial-cluster-token: tok\n"
					   "client-transport-security:\n"
					   "  cert-file: /pki/m2.crt\n"
					   "  key-file: /pki/m2.key\n"
					   "  client-cert-auth: true\n"
					   "  trusted-ca-file: /pki/ca.crt\n"
					   "peer-transport-security:\n"
					   "  cert-file: /pki/m2-peer.crt\n"
					   "  key-file: /pki/m2-peer.key\n"
					   "  client-cert-auth: false\n"
					   "  trusted-ca-file: /pki/ca.crt\n"
					   "log-level: info\n"
					   "cert-file: /top/level/is/not/tls\n", &e),
			 0);
	assert_string_equal(cfg.name, "m2");
	assert_string_equal(cfg.data_dir, "/var/lib/etcd/m2");
	assert_string_equal(cfg.advertise_client_urls, "https://127.0.100.2:2379");
	assert_string_equal(cfg.initial_cluster_token, "tok");
	assert_string_equal(cfg.cert_file, "/pki/m2.crt");
	assert_true(cfg.client_cert_auth);
	assert_string_equal(cfg.trusted_ca_file, "/pki/ca.crt");
	assert_string_equal(cfg.peer_cert_file, "/pki/m2-peer.crt");
	assert_string_equal(cfg.peer_key_file, "/pki/m2-peer.key");
	assert_false(cfg.peer_client_cert_auth);
	assert_int_equal(yaml(&cfg, "client-transport-security:\n"
						 "  client-cert-auth: maybe\n", &e),
			 -EINVAL);
}

/* The three defects of the hand-written parser this replaced (each failed on it). */
static void test_yaml_old_defects(void **state)
{
	(void)state;
	struct diag_config cfg;
	struct config_error e;
	/* a comment after the map's key lost the map */
	assert_int_equal(yaml(&cfg, "client-transport-security:   # TLS for clients\n"
				    "  cert-file: /pki/s.crt\n", &e),
			 0);
	assert_string_equal(cfg.cert_file, "/pki/s.crt");
	/* a '#' inside quotes is no comment */
	assert_int_equal(yaml(&cfg, "name: 'etcd #1'\n", &e), 0);
	assert_string_equal(cfg.name, "etcd #1");
	/* YAML 1.1 "yes" is a boolean to etcd; it made etcd-diag exit 3 */
	assert_int_equal(yaml(&cfg, "client-transport-security:\n  client-cert-auth: yes\n", &e), 0);
	assert_true(cfg.client_cert_auth);
}

static void test_yaml_booleans(void **state)
{
	(void)state;
	static const char *const yes[] = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE",
					  "on", "On", "ON"};
	static const char *const no[] = {"n", "N", "no", "No", "NO", "false", "False", "FALSE",
					 "off", "Off", "OFF"};
	struct diag_config cfg;
	struct config_error e;
	char t[128];
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		snprintf(t, sizeof(t), "peer-transport-security:\n  client-cert-auth: %s\n", yes[i]);
		assert_int_equal(yaml(&cfg, t, &e), 0);
		assert_true(cfg.peer_client_cert_auth);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		snprintf(t, sizeof(t), "peer-transport-security:\n  client-cert-auth: %s\n", no[i]);
		cfg.peer_client_cert_auth = true;
		assert_int_equal(config_yaml_parse(t, strlen(t), &cfg, &e), 0);
		assert_false(cfg.peer_client_cert_auth);
	}
	/* a quoted "true" is a string, 1 an integer: etcd refuses both for a boolean */
	assert_int_equal(yaml(&cfg, "name: x\nclient-transport-security:\n"
				    "  client-cert-auth: \"true\"\n", &e),
			 -EINVAL);
	assert_int_equal(e.line, 3);
	assert_non_null(strstr(e.msg, "client-cert-auth"));
	assert_int_equal(yaml(&cfg, "client-transport-security: {client-cert-auth: 1}\n", &e),
			 -EINVAL);
	assert_int_equal(e.line, 1);
}

static void test_yaml_syntax(void **state)
{
	(void)state;
	struct diag_config cfg;
	struct config_error e;
	/* quoting both ways, escapes, flow mappings, block scalars, comments everywhere */
	assert_int_equal(yaml(&cfg,
			      "%YAML 1.1\n"
			      "---   # the document\n"
			      "name: \"etcd \\\"one\\\"\"   # double quotes\n"
			      "data-dir: '/var/lib/it''s'\n"
			      "client-transport-security: {cert-file: /pki/a.crt, "
			      "'key-file': \"/pki/a.key\", client-cert-auth: on}\n"
			      "peer-transport-security:\n"
			      "  # a comment line inside the map\n"
			      "  trusted-ca-file: |-\n"
			      "    /pki/ca.crt\n"
			      "  cert-file: >-\n"
			      "    /pki/folded\n"
			      "    path.crt\n"
			      "initial-cluster-token: ~\n"
			      "initial-cluster-state: null\n"
			      "log-outputs: [stderr]\n"
			      "unknown-map: {a: {b: [1, 2, {c: d}]}}\n"
			      "...\n"
			      "---\n"
			      "name: second-document-ignored\n",
			      &e),
			 0);
	assert_string_equal(cfg.name, "etcd \"one\"");
	assert_string_equal(cfg.data_dir, "/var/lib/it's");
	assert_string_equal(cfg.cert_file, "/pki/a.crt");
	assert_string_equal(cfg.key_file, "/pki/a.key");
	assert_true(cfg.client_cert_auth);
	assert_string_equal(cfg.peer_trusted_ca_file, "/pki/ca.crt");
	assert_string_equal(cfg.peer_cert_file, "/pki/folded path.crt");
	assert_string_equal(cfg.initial_cluster_token, "");
	assert_string_equal(cfg.initial_cluster_state, "");
	/* anchors and aliases: one CA for both sides */
	assert_int_equal(yaml(&cfg,
			      "client-transport-security:\n  trusted-ca-file: &ca /pki/ca.crt\n"
			      "peer-transport-security:\n  trusted-ca-file: *ca\n"
			      "tls: &tls {cert-file: /pki/x.crt}\n",
			      &e),
			 0);
	assert_string_equal(cfg.peer_trusted_ca_file, "/pki/ca.crt");
	/* a key repeated: the last one counts (go-yaml v2 into a map, then JSON) */
	assert_int_equal(yaml(&cfg, "name: a\nname: b\n", &e), 0);
	assert_string_equal(cfg.name, "b");
	/* an empty file and an empty document: etcd's defaults */
	assert_int_equal(yaml(&cfg, "", &e), 0);
	assert_int_equal(yaml(&cfg, "# nothing\n---\n", &e), 0);
	assert_int_equal(yaml(&cfg, "~\n", &e), 0);
}

static void test_yaml_malformed(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		size_t line;
	} cases[] = {
		{"name: m1\nname: [unclosed\n", 3},
		{"name: m1\n  data-dir: /x\n", 2},
		{"name: m1\ndata-dir: \"unterminated\n", 3},
		{"a: b\n\tc: d\n", 2},
		{"just a scalar\n", 1},
		{"- a\n- list\n", 1},
		{"name: *nowhere\n", 1},
		{"client-transport-security: /not/a/map\n", 1},
		{"name: {a: b}\n", 1},
		{"x: 1\nname: \"bad \xff utf-8\"\n", 2},
		{"name: x\n\x01\n", 2},
	};
	struct diag_config cfg;
	struct config_error e;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		e.line = 99;
		assert_int_equal(yaml(&cfg, cases[i].text, &e), -EINVAL);
		if (e.line != cases[i].line)
			fail_msg("case %zu: line %zu, want %zu (%s)", i, e.line, cases[i].line, e.msg);
		assert_true(e.msg[0] != '\0');
	}
	/* a NUL byte inside the text */
	assert_int_equal(config_yaml_parse("name: a\0b\n", 10, &cfg, &e), -EINVAL);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Hostile input: every one ends at once with -EINVAL or a result, never a crash. */
static void test_yaml_hostile(void **state)
{
	(void)state;
	struct diag_config cfg;
	struct config_error e;
	size_t big = 900 * 1024;
	char *t = malloc(big + 64);
	assert_non_null(t);
	double t0 = now_s();

	/* a huge scalar: too long for any setting */
	memcpy(t, "name: ", 6);
	memset(t + 6, 'a', big);
	strcpy(t + 6 + big, "\n");
	assert_int_equal(yaml(&cfg, t, &e), -EINVAL);
	assert_int_equal(e.line, 1);
	/* ... under a key etcd-diag does not read: kept in the tree, harmless */
	memcpy(t, "xxxx: ", 6);
	assert_int_equal(yaml(&cfg, t, &e), 0);

	/* deep nesting, flow and block */
	size_t depth = 100000;
	memset(t, '[', depth);
	t[depth] = '\0';
	assert_int_equal(yaml(&cfg, t, &e), -EINVAL);
	size_t o = 0;
	for (size_t d = 0; d < 200 && o + 256 < big; d++) {
		memset(t + o, ' ', d);
		o += d;
		o += (size_t)sprintf(t + o, "k%zu:\n", d);
	}
	t[o] = '\0';
	assert_int_equal(yaml(&cfg, t, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "nested"));

	/* a billion laughs: each level nine aliases of the one before; never expanded */
	o = (size_t)sprintf(t, "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
	for (int l = 1; l < 30; l++)
		o += (size_t)sprintf(t + o, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, "
					    "*a%d, *a%d]\n",
				     l, l, l - 1, l - 1, l - 1, l - 1, l - 1, l - 1, l - 1, l - 1,
				     l - 1);
	o += (size_t)sprintf(t + o, "name: *a29\n");
	assert_int_equal(yaml(&cfg, t, &e), -EINVAL); /* name: a list */
	assert_non_null(strstr(e.msg, "list"));
	assert_int_equal(e.line, 31);
	/* too many anchors */
	o = 0;
	for (int l = 0; l < 100; l++)
		o += (size_t)sprintf(t + o, "k%d: &x%d v\n", l, l);
	assert_int_equal(yaml(&cfg, t, &e), -EINVAL);
	/* very many nodes */
	o = (size_t)sprintf(t, "x: [");
	while (o + 8 < big)
		o += (size_t)sprintf(t + o, "1,");
	strcpy(t + o, "1]\n");
	assert_int_equal(yaml(&cfg, t, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "nodes"));

	/* all of that in well under a second or two, even under ASan */
	assert_true(now_s() - t0 < 10.0);
	free(t);
}

static void test_ytree(void **state)
{
	(void)state;
	struct ytree t;
	struct config_error e;
	const char *text = "a: {b: [x, y]}\nc: 'q'\nc: r\n";
	assert_int_equal(ytree_parse(text, strlen(text), &t, &e), 0);
	int a = ytree_get(&t, t.root, "a");
	assert_true(a >= 0);
	int b = ytree_get(&t, a, "b");
	assert_true(b >= 0);
	assert_int_equal(t.nodes[b].type, YTREE_SEQ);
	assert_string_equal(ytree_str(&t, ytree_get(&t, t.root, "c")), "r");
	assert_int_equal(ytree_get(&t, t.root, "zz"), -1);
	assert_int_equal(ytree_get(&t, b, "x"), -1); /* not a mapping */
	assert_string_equal(ytree_str(&t, -1), "");
	ytree_free(&t);
	ytree_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yaml),	     cmocka_unit_test(test_yaml_old_defects),
		cmocka_unit_test(test_yaml_booleans), cmocka_unit_test(test_yaml_syntax),
		cmocka_unit_test(test_yaml_malformed), cmocka_unit_test(test_yaml_hostile),
		cmocka_unit_test(test_ytree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
