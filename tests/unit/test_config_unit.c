/* test_config_unit.c: systemd units (continuations, Environment=, EnvironmentFile=, drop-ins
 * applied in order), environment files and ExecStart= expansion with the origin of each word. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "diag/config.h"
#include "diag/config_env.h"
#include "diag/config_unit.h"

static const char unit_text[] =
	"[Unit]\n"
	"Description=etcd\n"
	"ExecStart=/bin/false\n" /* not in [Service]: ignored */
	"\n"
	"[Service]\n"
	"Type=notify\n"
	"Environment=ETCD_DATA_DIR=/var/lib/etcd/default \"GREETING=hello world\"\n"
	"Environment=PEER_CERT=/etc/etcd/pki/peer.crt\n"
	"EnvironmentFile=-/etc/default/etcd\n"
	"EnvironmentFile=/etc/etcd/etcd.env\n"
	"ExecStart=/usr/bin/etcd --name m1 \\\n"
	"  --listen-peer-urls=https://127.0.100.1:2380 \\\n"
	"# a comment inside the continuation\n"
	"  --initial-advertise-peer-urls https://127.0.100.1:2380 \\\n"
	"  --peer-cert-file=${PEER_CERT} --peer-key-file \"/etc/etcd/pki/peer key.pem\" \\\n"
	"  --peer-client-cert-auth \\\n"
	"  --initial-cluster m1=https://127.0.100.1:2380,m2=https://127.0.100.2:2380 \\\n"
	"  $DAEMON_ARGS\n"
	"Restart=on-failure\n";

static void test_unit_parse(void **state)
{
	(void)state;
	struct diag_unit *u = calloc(1, sizeof(*u));
	assert_non_null(u);
	assert_int_equal(config_unit_parse(unit_text, u), 0);
	assert_non_null(strstr(u->exec_start, "/usr/bin/etcd --name m1"));
	assert_non_null(strstr(u->exec_start, "$DAEMON_ARGS"));
	assert_null(strstr(u->exec_start, "comment"));
	assert_string_equal(config_env_get(&u->env, "ETCD_DATA_DIR"), "/var/lib/etcd/default");
	assert_string_equal(config_env_get(&u->env, "GREETING"), "hello world");
	assert_int_equal(u->n_env_files, 2);
	assert_string_equal(u->env_files[0].path, "/etc/default/etcd");
	assert_true(u->env_files[0].optional);
	assert_string_equal(u->env_files[1].path, "/etc/etcd/etcd.env");
	assert_false(u->env_files[1].optional);

	/* the unit's own variables plus an env file, then the command line on top */
	struct diag_env *env = calloc(1, sizeof(*env));
	assert_non_null(env);
	*env = u->env;
	assert_int_equal(config_env_parse("# Debian's /etc/default/etcd\n"
					  "ETCD_NAME=ignored-because-flag\n"
					  "export ETCD_CERT_FILE='/etc/etcd/pki/server.crt'\n"
					  "ETCD_CLIENT_CERT_AUTH=\"true\"\n"
					  "DAEMON_ARGS=\"--advertise-client-urls https://127.0.100.1:2379 "
					  "--initial-cluster-state existing\"\n",
					  env),
			 0);
	struct diag_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	config_apply_env(&cfg, env);
	assert_int_equal(config_apply_cmdline(&cfg, u->exec_start, env, 0), 0);
	assert_string_equal(cfg.name, "m1");
	assert_string_equal(cfg.data_dir, "/var/lib/etcd/default");
	assert_string_equal(cfg.cert_file, "/etc/etcd/pki/server.crt");
	assert_true(cfg.client_cert_auth);
	assert_string_equal(cfg.listen_peer_urls, "https://127.0.100.1:2380");
	assert_string_equal(cfg.initial_advertise_peer_urls, "https://127.0.100.1:2380");
	assert_string_equal(cfg.peer_cert_file, "/etc/etcd/pki/peer.crt");
	assert_string_equal(cfg.peer_key_file, "/etc/etcd/pki/peer key.pem");
	assert_true(cfg.peer_client_cert_auth);
	assert_string_equal(cfg.initial_cluster,
			    "m1=https://127.0.100.1:2380,m2=https://127.0.100.2:2380");
	/* unbraced $DAEMON_ARGS splits into words, as systemd does */
	assert_string_equal(cfg.advertise_client_urls, "https://127.0.100.1:2379");
	assert_string_equal(cfg.initial_cluster_state, "existing");
	free(env);
	free(u);
}

static void test_unit_reset_and_prefix(void **state)
{
	(void)state;
	struct diag_unit *u = calloc(1, sizeof(*u));
	assert_non_null(u);
	assert_int_equal(config_unit_parse("[Service]\nExecStart=/usr/bin/etcd --name a\n"
					   "ExecStart=\nExecStart=-/usr/bin/etcd --name=b\n",
					   u),
			 0);
	assert_string_equal(u->exec_start, "/usr/bin/etcd --name=b");
	assert_int_equal(config_unit_parse("[Service]\nEnvironment=not-an-assignment\n", u),
			 -EINVAL);
	/* Environment= words split as ExecStart= words do: an escaped blank stays inside */
	assert_int_equal(config_unit_parse("[Service]\nEnvironment=A=one\\ word B='x y'\n", u), 0);
	assert_string_equal(config_env_get(&u->env, "A"), "one word");
	assert_string_equal(config_env_get(&u->env, "B"), "x y");
	free(u);
}

static void test_env_parse(void **state)
{
	(void)state;
	struct diag_env *env = calloc(1, sizeof(*env));
	assert_non_null(env);
	assert_int_equal(config_env_parse("  A=1\n; comment\nB = 2\nC=\"x \\\"y\\\"\"\nA=3\n", env),
			 -EINVAL); /* "B = 2" is not an assignment; the rest is still read */
	assert_string_equal(config_env_get(env, "A"), "3");
	assert_string_equal(config_env_get(env, "C"), "x \"y\"");
	assert_null(config_env_get(env, "B"));
	assert_null(config_env_get(NULL, "A"));
	free(env);
}

/* Drop-ins as systemd applies them: an empty ExecStart= resets, Environment= and
 * EnvironmentFile= append (an empty one resets), the later ExecStart= is the one run. */
static void test_unit_dropins(void **state)
{
	(void)state;
	struct diag_unit *u = calloc(1, sizeof(*u));
	assert_non_null(u);
	u->env.cur_source = 1;
	assert_int_equal(config_unit_parse("[Service]\n"
					   "Environment=ETCD_NAME=base ETCD_DATA_DIR=/var/lib/etcd\n"
					   "EnvironmentFile=-/etc/default/etcd\n"
					   "ExecStart=/usr/bin/etcd --name base\n"
					   "User=etcd\n",
					   u),
			 0);
	assert_string_equal(u->user, "etcd");
	assert_int_equal(u->exec_source, 1);
	u->env.cur_source = 2; /* 10-tls.conf */
	assert_int_equal(config_unit_parse_dropin("[Service]\n"
						  "Environment=ETCD_CERT_FILE=/pki/s.crt\n"
						  "EnvironmentFile=/etc/etcd/tls.env\n",
						  u),
			 0);
	assert_string_equal(config_env_get(&u->env, "ETCD_NAME"), "base");
	assert_string_equal(config_env_get(&u->env, "ETCD_CERT_FILE"), "/pki/s.crt");
	assert_int_equal(u->n_env_files, 2);
	assert_string_equal(u->exec_start, "/usr/bin/etcd --name base");
	u->env.cur_source = 3; /* 20-exec.conf */
	assert_int_equal(config_unit_parse_dropin("[Service]\nExecStart=\n"
						  "ExecStart=/usr/bin/etcd --name dropped-in\n"
						  "EnvironmentFile=\nEnvironmentFile=-/etc/etcd/only.env\n",
						  u),
			 0);
	assert_string_equal(u->exec_start, "/usr/bin/etcd --name dropped-in");
	assert_int_equal(u->exec_source, 3);
	assert_int_equal(u->n_env_files, 1);
	assert_string_equal(u->env_files[0].path, "/etc/etcd/only.env");
	/* only the reset: no command left */
	assert_int_equal(config_unit_parse_dropin("[Service]\nExecStart=\n", u), 0);
	assert_string_equal(u->exec_start, "");
	assert_int_equal(config_unit_parse_dropin("[Service]\nEnvironment=\n", u), 0);
	assert_null(config_env_get(&u->env, "ETCD_NAME"));

	/* the origin of each setting: a whole-word $VAR is the variable's source */
	struct diag_env *env = calloc(1, sizeof(*env));
	assert_non_null(env);
	env->cur_source = 4;
	assert_int_equal(config_env_set(env, "DAEMON_ARGS", "--data-dir /d --name n"), 0);
	struct diag_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(config_apply_cmdline(&cfg, "/usr/bin/etcd --cert-file=/c.crt $DAEMON_ARGS",
					      env, 3),
			 0);
	int cf = config_setting_by_flag("cert-file", 9), dd = config_setting_by_flag("data-dir", 8);
	assert_true(cf >= 0 && dd >= 0);
	assert_int_equal(cfg.origin[cf], 3);
	assert_int_equal(cfg.origin[dd], 4);
	assert_string_equal(cfg.name, "n");
	free(env);
	free(u);
}

/* systemd's specifiers, as it expands them when it loads a unit file: one row per text. */
static void test_specifiers(void **state)
{
	(void)state;
	static const struct {
		const char *unit, *in, *out;
	} rows[] = {
		{"etcd.service", "/etc/default/%p", "/etc/default/etcd"},
		{"etcd.service", "ETCD_NAME=%H", "ETCD_NAME=node7"},
		{"etcd.service", "--name=%H --data-dir=/var/lib/%N", "--name=node7 --data-dir=/var/lib/etcd"},
		{"etcd@m2.service", "%p/%i/%N/%n", "etcd/m2/etcd@m2/etcd@m2.service"},
		{"etcd.service", "100%% %i.", "100% ."},
		/* a specifier etcd-diag does not know is left as written; so is a trailing % */
		{"etcd.service", "%t/x %", "%t/x %"},
		{"etcd.service", "no specifier", "no specifier"},
	};
	char buf[128];
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		snprintf(buf, sizeof(buf), "%s", rows[i].in);
		assert_int_equal(config_unit_specifiers(buf, sizeof(buf), rows[i].unit, "node7"), 0);
		if (strcmp(buf, rows[i].out) != 0)
			fail_msg("row %zu: \"%s\" in %s gave \"%s\", want \"%s\"", i, rows[i].in,
				 rows[i].unit, buf, rows[i].out);
	}
	/* too long for its field: -E2BIG, unchanged */
	char small[12] = "%n-%n";
	assert_int_equal(config_unit_specifiers(small, sizeof(small), "etcd.service", "h"), -E2BIG);
	assert_string_equal(small, "%n-%n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unit_parse),
		cmocka_unit_test(test_unit_reset_and_prefix),
		cmocka_unit_test(test_env_parse),
		cmocka_unit_test(test_unit_dropins),
		cmocka_unit_test(test_specifiers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
