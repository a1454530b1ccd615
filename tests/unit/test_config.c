/* test_config.c: the configuration parsers: systemd units (continuations, Environment=,
 * EnvironmentFile=), environment files, ExecStart= expansion and etcd's YAML config file. */
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
	assert_int_equal(config_apply_cmdline(&cfg, u->exec_start, env), 0);
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

static void test_yaml(void **state)
{
	(void)state;
	struct diag_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(config_apply_yaml(&cfg,
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
					   "cert-file: /top/level/is/not/tls\n"),
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
	assert_int_equal(config_apply_yaml(&cfg, "client-transport-security:\n"
						 "  client-cert-auth: maybe\n"),
			 -EINVAL);
}

static void test_url_host(void **state)
{
	(void)state;
	char h[64];
	assert_int_equal(config_url_host("https://127.0.100.1:2380,https://127.0.100.9:2380", 1, h,
					 sizeof(h)),
			 0);
	assert_string_equal(h, "127.0.100.9");
	assert_int_equal(config_url_host("http://[::1]:2379", 0, h, sizeof(h)), 0);
	assert_string_equal(h, "::1");
	assert_int_equal(config_url_host("127.0.100.1:2379", 0, h, sizeof(h)), 0);
	assert_string_equal(h, "127.0.100.1");
	assert_int_equal(config_url_host("https://127.0.100.1:2380", 1, h, sizeof(h)), -EINVAL);
	assert_int_equal(config_url_host("", 0, h, sizeof(h)), -EINVAL);
}

/* config_load with files: unit + env file + YAML named in the environment */
static void test_load_files(void **state)
{
	(void)state;
	char dir[] = "/tmp/test-config.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char unit[256], envf[256], yaml[256];
	snprintf(unit, sizeof(unit), "%s/etcd.service", dir);
	snprintf(envf, sizeof(envf), "%s/etcd.env", dir);
	snprintf(yaml, sizeof(yaml), "%s/etcd.yml", dir);
	FILE *f = fopen(unit, "w");
	assert_non_null(f);
	fprintf(f, "[Service]\nEnvironmentFile=-%s/missing.env\nEnvironmentFile=%s\n"
		   "ExecStart=/usr/bin/etcd $DAEMON_ARGS\n",
		dir, envf);
	fclose(f);
	f = fopen(envf, "w");
	assert_non_null(f);
	fprintf(f, "DAEMON_ARGS=\"--name m3 --data-dir /d3\"\nETCD_PEER_CERT_FILE=/p.crt\n");
	fclose(f);

	struct diag_config cfg;
	char err[256] = "";
	struct config_sources src = {unit, NULL, NULL};
	assert_int_equal(config_load(&src, &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.name, "m3");
	assert_string_equal(cfg.data_dir, "/d3");
	assert_string_equal(cfg.peer_cert_file, "/p.crt");
	assert_non_null(strstr(cfg.sources, "etcd.service"));

	/* an explicit --config-file wins over flags and variables, as in etcd */
	f = fopen(yaml, "w");
	assert_non_null(f);
	fprintf(f, "name: y3\n");
	fclose(f);
	struct config_sources src2 = {unit, envf, yaml};
	assert_int_equal(config_load(&src2, &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.name, "y3");
	assert_string_equal(cfg.data_dir, "");

	struct config_sources src3 = {unit, NULL, "/nonexistent/etcd.yml"};
	assert_int_equal(config_load(&src3, &cfg, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/etcd.yml"));
	unlink(unit);
	unlink(envf);
	unlink(yaml);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unit_parse),   cmocka_unit_test(test_unit_reset_and_prefix),
		cmocka_unit_test(test_env_parse),    cmocka_unit_test(test_yaml),
		cmocka_unit_test(test_url_host),     cmocka_unit_test(test_load_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
