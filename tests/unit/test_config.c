/* test_config.c: the merge of a member's configuration: --initial-cluster, URLs, the files of a
 * host (unit + drop-ins + env file + YAML named in them; a kubeadm manifest found by itself
 * under ETCD_DIAG_ROOT), where each setting came from, and files that cannot be read. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "diag/config.h"

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

static void test_initial_cluster(void **state)
{
	(void)state;
	struct config_peer p[CONFIG_PEERS_MAX];
	size_t skipped = 9;
	assert_int_equal(config_initial_cluster_parse("m1=https://127.0.100.1:2380,"
						      "m2=https://127.0.100.2:2380,,"
						      "m1=https://127.0.101.1:2380",
						      p, CONFIG_PEERS_MAX, &skipped),
			 3);
	assert_int_equal(skipped, 0);
	assert_string_equal(p[0].name, "m1");
	assert_string_equal(p[1].url, "https://127.0.100.2:2380");
	assert_string_equal(p[2].name, "m1");
	/* items that are no name=url are skipped and counted, the others kept */
	assert_int_equal(config_initial_cluster_parse("bare,=https://127.0.0.1:2380,x=,y=u", p,
						      CONFIG_PEERS_MAX, &skipped),
			 1);
	assert_int_equal(skipped, 3);
	assert_string_equal(p[0].name, "y");
	assert_int_equal(config_initial_cluster_parse("", p, CONFIG_PEERS_MAX, NULL), 0);
	assert_int_equal(config_initial_cluster_parse(NULL, p, CONFIG_PEERS_MAX, NULL), 0);
	assert_int_equal(config_initial_cluster_parse("a=u,b=v,c=w", p, 2, &skipped), 2);
	assert_int_equal(skipped, 1);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void rm_tree(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* config_load with files: unit + env file + YAML named in the environment */
static void test_load_files(void **state)
{
	(void)state;
	char dir[] = "/tmp/test-config.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char unit[256], envf[256], yaml[256], text[1024];
	snprintf(unit, sizeof(unit), "%s/etcd.service", dir);
	snprintf(envf, sizeof(envf), "%s/etcd.env", dir);
	snprintf(yaml, sizeof(yaml), "%s/etcd.yml", dir);
	snprintf(text, sizeof(text),
		 "[Service]\nEnvironmentFile=-%s/missing.env\nEnvironmentFile=%s\n"
		 "ExecStart=/usr/bin/etcd $DAEMON_ARGS\n",
		 dir, envf);
	write_file(dir, "etcd.service", text);
	write_file(dir, "etcd.env", "DAEMON_ARGS=\"--name m3 --data-dir /d3\"\n"
				    "ETCD_PEER_CERT_FILE=/p.crt\n");

	struct diag_config cfg;
	char err[256] = "", desc[640];
	struct config_sources src = {.unit_file = unit};
	assert_int_equal(config_load(&src, &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.name, "m3");
	assert_string_equal(cfg.data_dir, "/d3");
	assert_string_equal(cfg.peer_cert_file, "/p.crt");
	assert_int_equal(cfg.deployment, CONFIG_DEPLOY_UNIT_FILE);
	assert_string_equal(cfg.deployment_path, unit);
	config_describe(&cfg, desc, sizeof(desc));
	/* DAEMON_ARGS and ETCD_* were set in the env file: that is where they came from */
	char want[512];
	/* no User= in the unit: systemd runs it as root */
	snprintf(want, sizeof(want), "deployment: unit file %s, runs as root:root; name, data-dir, "
		 "peer-cert-file from %s", unit, envf);
	assert_string_equal(desc, want);

	/* an explicit --config-file wins over flags and variables, as in etcd */
	write_file(dir, "etcd.yml", "name: y3\nclient-transport-security:\n  cert-file: /c.crt\n");
	struct config_sources src2 = {.unit_file = unit, .env_file = envf, .config_file = yaml};
	assert_int_equal(config_load(&src2, &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.name, "y3");
	assert_string_equal(cfg.data_dir, "");
	config_describe(&cfg, desc, sizeof(desc));
	snprintf(want, sizeof(want), "deployment: unit file %s, runs as root:root; name, cert-file "
		 "from %s", unit, yaml);
	assert_string_equal(desc, want);
	/* only the config file: named once */
	struct config_sources src4 = {.unit_file = NULL, .config_file = yaml};
	setenv("ETCD_DIAG_ROOT", dir, 1); /* no unit, manifest or env file there */
	assert_int_equal(config_load(&src4, &cfg, err, sizeof(err)), 0);
	unsetenv("ETCD_DIAG_ROOT");
	config_describe(&cfg, desc, sizeof(desc));
	snprintf(want, sizeof(want), "deployment: config file %s; name, cert-file from it", yaml);
	assert_string_equal(desc, want);

	struct config_sources src3 = {.unit_file = unit, .config_file = "/nonexistent/etcd.yml"};
	assert_int_equal(config_load(&src3, &cfg, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/etcd.yml"));

	/* malformed YAML: the file and the line */
	write_file(dir, "etcd.yml", "name: y3\nclient-transport-security: [\n");
	assert_int_equal(config_load(&src2, &cfg, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "cannot parse config file %s line 3: ", yaml);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("%s", err);
	rm_tree(dir);
}

/* Drop-ins beside the unit file, in lexical order, each named as the source of what it set. */
static void test_load_dropins(void **state)
{
	(void)state;
	char dir[] = "/tmp/test-config.XXXXXX", d[300], unit[300], text[600];
	assert_non_null(mkdtemp(dir));
	snprintf(unit, sizeof(unit), "%s/etcd.service", dir);
	snprintf(d, sizeof(d), "%s/etcd.service.d", dir);
	assert_int_equal(mkdir(d, 0755), 0);
	write_file(dir, "etcd.service", "[Service]\nEnvironment=ETCD_NAME=base\n"
					"ExecStart=/usr/bin/etcd --data-dir /base\n");
	write_file(d, "20-exec.conf", "[Service]\nExecStart=\n"
				      "ExecStart=/usr/bin/etcd --data-dir /dropped\n");
	write_file(d, "10-env.conf", "[Service]\nEnvironment=ETCD_NAME=ten ETCD_CERT_FILE=/ten.crt\n");
	write_file(d, "30-name.conf", "[Service]\nEnvironment=ETCD_NAME=thirty\n");
	write_file(d, "README", "[Service]\nEnvironment=ETCD_NAME=not-a-conf\n");
	struct diag_config cfg;
	char err[256] = "", desc[640], want[900];
	struct config_sources src = {.unit_file = unit};
	assert_int_equal(config_load(&src, &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.name, "thirty");
	assert_string_equal(cfg.data_dir, "/dropped");
	assert_string_equal(cfg.cert_file, "/ten.crt");
	assert_int_equal(cfg.n_dropins, 3);
	config_describe(&cfg, desc, sizeof(desc));
	snprintf(want, sizeof(want),
		 "deployment: unit file %s + 3 drop-ins, runs as root:root; cert-file from "
		 "%s/10-env.conf; "
		 "data-dir from %s/20-exec.conf; name from %s/30-name.conf",
		 unit, d, d, d);
	assert_string_equal(desc, want);
	(void)text;
	rm_tree(dir);
}

/* Nothing named: a kubeadm manifest under ETCD_DIAG_ROOT is found by itself. */
static void test_load_discover_manifest(void **state)
{
	(void)state;
	char dir[] = "/tmp/test-config.XXXXXX", p[400];
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "mkdir -p %s/etc/kubernetes/manifests %s/pki/etcd", dir, dir);
	assert_int_equal(system(p), 0);
	char m[1200];
	snprintf(m, sizeof(m),
		 "kind: Pod\nspec:\n  containers:\n  - name: etcd\n    command:\n    - etcd\n"
		 "    - --name=cp1\n    - --cert-file=%s/pki/etcd/server.crt\n"
		 "    - --key-file=%s/pki/etcd/server.key\n"
		 "    - --trusted-ca-file=%s/pki/etcd/ca.crt\n",
		 dir, dir, dir);
	snprintf(p, sizeof(p), "%s/etc/kubernetes/manifests", dir);
	write_file(p, "etcd.yaml", m);
	snprintf(p, sizeof(p), "%s/pki/etcd", dir);
	write_file(p, "healthcheck-client.crt", "");
	/* and a Debian env file, which the manifest wins over */
	snprintf(p, sizeof(p), "mkdir -p %s/etc/default", dir);
	assert_int_equal(system(p), 0);
	snprintf(p, sizeof(p), "%s/etc/default", dir);
	write_file(p, "etcd", "ETCD_NAME=debian\n");

	setenv("ETCD_DIAG_ROOT", dir, 1);
	struct diag_config cfg;
	char err[256] = "", want[600];
	assert_int_equal(config_load(NULL, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.deployment, CONFIG_DEPLOY_MANIFEST);
	assert_string_equal(cfg.name, "cp1");
	snprintf(want, sizeof(want), "%s/pki/etcd/healthcheck-client.key", dir);
	assert_string_equal(cfg.healthcheck_key_file, want);

	/* without the manifest: the env file */
	snprintf(p, sizeof(p), "%s/etc/kubernetes/manifests/etcd.yaml", dir);
	unlink(p);
	assert_int_equal(config_load(NULL, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.deployment, CONFIG_DEPLOY_ENV_FILE);
	assert_string_equal(cfg.name, "debian");
	/* an env file named on the command line is the deployment when nothing else is there */
	char envf[400];
	snprintf(envf, sizeof(envf), "%s/etc/default/etcd", dir);
	struct config_sources src = {.env_file = envf};
	assert_int_equal(config_load(&src, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.deployment, CONFIG_DEPLOY_ENV_FILE);
	assert_string_equal(cfg.deployment_path, envf);
	/* and with nothing at all */
	snprintf(p, sizeof(p), "%s/etc/default/etcd", dir);
	unlink(p);
	assert_int_equal(config_load(NULL, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.deployment, CONFIG_DEPLOY_NONE);
	char desc[200];
	config_describe(&cfg, desc, sizeof(desc));
	assert_string_equal(desc, "deployment: none");
	unsetenv("ETCD_DIAG_ROOT");
	rm_tree(dir);
}

/* A unit found in systemd's directories gets the drop-ins of /etc, /run and /lib (a name in /etc
 * masks the same name in /lib), applied in lexical order of their names. */
static void test_load_discover_unit_dropins(void **state)
{
	(void)state;
	char dir[] = "/tmp/test-config.XXXXXX", p[400];
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "mkdir -p %s/lib/systemd/system/etcd.service.d "
			       "%s/etc/systemd/system/etcd.service.d %s/run/systemd/system/etcd.service.d",
		 dir, dir, dir);
	assert_int_equal(system(p), 0);
	snprintf(p, sizeof(p), "%s/lib/systemd/system", dir);
	write_file(p, "etcd.service", "[Service]\nEnvironment=ETCD_NAME=lib\n"
				      "ExecStart=/usr/bin/etcd --data-dir /lib-dir\n");
	snprintf(p, sizeof(p), "%s/lib/systemd/system/etcd.service.d", dir);
	write_file(p, "10-lib.conf", "[Service]\nEnvironment=ETCD_NAME=ten-lib\n");
	write_file(p, "30-masked.conf", "[Service]\nEnvironment=ETCD_NAME=masked\n");
	snprintf(p, sizeof(p), "%s/etc/systemd/system/etcd.service.d", dir);
	write_file(p, "30-masked.conf", "[Service]\nEnvironment=ETCD_CERT_FILE=/etc.crt\n");
	snprintf(p, sizeof(p), "%s/run/systemd/system/etcd.service.d", dir);
	write_file(p, "20-run.conf", "[Service]\nEnvironment=ETCD_NAME=twenty-run\n");
	setenv("ETCD_DIAG_ROOT", dir, 1);
	struct diag_config cfg;
	char err[256] = "";
	assert_int_equal(config_load(NULL, &cfg, err, sizeof(err)), 0);
	unsetenv("ETCD_DIAG_ROOT");
	assert_int_equal(cfg.deployment, CONFIG_DEPLOY_UNIT_FILE);
	assert_int_equal(cfg.n_dropins, 3);
	assert_string_equal(cfg.name, "twenty-run");
	assert_string_equal(cfg.cert_file, "/etc.crt");
	assert_string_equal(cfg.data_dir, "/lib-dir");
	rm_tree(dir);
}

static void test_describe_bounded(void **state)
{
	(void)state;
	struct diag_config *cfg = calloc(1, sizeof(*cfg));
	assert_non_null(cfg);
	char path[300], out[120];
	memset(path, 'p', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	cfg->deployment = CONFIG_DEPLOY_CONFIG_FILE;
	config_source_add(cfg, path);
	for (size_t i = 0; i < config_setting_count(); i++)
		if (!config_setting_is_bool(i))
			assert_int_equal(config_setting_set(cfg, i, "x"), 0);
	config_describe(cfg, out, sizeof(out));
	assert_int_equal(strlen(out), sizeof(out) - 1);
	assert_string_equal(out + sizeof(out) - 4, "...");
	config_describe(NULL, out, sizeof(out));
	assert_string_equal(out, "deployment: none");
	free(cfg);
}

static void test_read_error(void **state)
{
	(void)state;
	char out[200];
	config_read_error("config file", "/etc/etcd/etcd.conf.yml", EACCES, out, sizeof(out));
	assert_string_equal(out, "cannot read config file /etc/etcd/etcd.conf.yml (run as root or "
				 "as a member of group etcd)");
	config_read_error("unit file", "/x", ENOENT, out, sizeof(out));
	assert_string_equal(out, "unit file /x does not exist");
}

/* A config file that is there but unreadable is said so, not "missing" (needs a non-root run:
 * root reads it anyway; tests/integration/diag_manifest.sh runs it as nobody). */
static void test_load_unreadable(void **state)
{
	(void)state;
	if (geteuid() == 0)
		skip();
	char dir[] = "/tmp/test-config.XXXXXX", yaml[300], err[300];
	assert_non_null(mkdtemp(dir));
	write_file(dir, "etcd.yml", "name: secret\n");
	snprintf(yaml, sizeof(yaml), "%s/etcd.yml", dir);
	assert_int_equal(chmod(yaml, 0), 0);
	struct diag_config cfg;
	struct config_sources src = {.config_file = yaml};
	assert_int_equal(config_load(&src, &cfg, err, sizeof(err)), -EACCES);
	assert_non_null(strstr(err, "(run as root or as a member of group etcd)"));
	rm_tree(dir);
}

/* Loads the configuration from the unit file unit alone (and its drop-ins): must succeed. */
static void load_unit(const char *unit, struct diag_config *cfg)
{
	char err[256] = "";
	struct config_sources src = {.unit_file = unit};
	assert_int_equal(config_load(&src, cfg, err, sizeof(err)), 0);
}

/* The unit's User=/Group= (a drop-in may set them) are kept for the remedies and hints and said
 * on the provenance line; no Group= is the user's own group, no User= is root. */
static void test_unit_user(void **state)
{
	(void)state;
	char dir[] = "/tmp/test-config.XXXXXX", unit[256], desc[640], want[640];
	assert_non_null(mkdtemp(dir));
	snprintf(unit, sizeof(unit), "%s/etcd.service", dir);
	write_file(dir, "etcd.service", "[Service]\nUser=etcd\nExecStart=/usr/bin/etcd --name m1\n");
	char d[300];
	snprintf(d, sizeof(d), "%s/etcd.service.d", dir);
	assert_int_equal(mkdir(d, 0755), 0);
	write_file(d, "10-user.conf", "[Service]\nUser=kvstore\nGroup=kvkeys\n");
	struct diag_config cfg;
	load_unit(unit, &cfg);
	assert_string_equal(cfg.unit_user, "kvstore");
	assert_string_equal(cfg.unit_group, "kvkeys");
	config_describe(&cfg, desc, sizeof(desc));
	snprintf(want, sizeof(want), "deployment: unit file %s + 1 drop-in, runs as kvstore:kvkeys; "
		 "name from it", unit);
	assert_string_equal(desc, want);
	/* User=root without Group=: root's own group, from this host's database */
	write_file(d, "10-user.conf", "[Service]\nUser=root\n");
	load_unit(unit, &cfg);
	assert_string_equal(cfg.unit_user, "root");
	assert_string_equal(cfg.unit_group, "root");
	/* the hint where the file's own group cannot be seen names the unit's group */
	char out[200];
	config_read_error_as("config file", "/nonexistent-dir/etcd.yml", EACCES, "kvkeys", out,
			     sizeof(out));
	assert_string_equal(out, "cannot read config file /nonexistent-dir/etcd.yml (run as root "
				 "or as a member of group kvkeys)");
	rm_tree(dir);
}

/* --unit-file: the specifiers of the unit and its drop-ins expanded as systemd would (%H this
 * host, %p/%N/%i from the file's name), in ExecStart=, Environment= and EnvironmentFile=. */
static void test_unit_file_specifiers(void **state)
{
	(void)state;
	char dir[] = "/tmp/test-config.XXXXXX", unit[256], host[256] = "", want[300];
	assert_non_null(mkdtemp(dir));
	assert_int_equal(gethostname(host, sizeof(host) - 1), 0);
	snprintf(unit, sizeof(unit), "%s/etcd@m2.service", dir);
	char text[1024];
	snprintf(text, sizeof(text),
		 "[Service]\nEnvironment=ETCD_CERT_FILE=/pki/%%p-%%H.pem\n"
		 "EnvironmentFile=%s/%%i.env\n"
		 "ExecStart=/usr/bin/etcd --name %%i --data-dir /var/lib/%%N\n", dir);
	write_file(dir, "etcd@m2.service", text);
	write_file(dir, "m2.env", "ETCD_INITIAL_CLUSTER_TOKEN=tok-m2\n");
	struct diag_config cfg;
	load_unit(unit, &cfg);
	assert_string_equal(cfg.name, "m2");
	assert_string_equal(cfg.data_dir, "/var/lib/etcd@m2");
	snprintf(want, sizeof(want), "/pki/etcd-%s.pem", host);
	assert_string_equal(cfg.cert_file, want);
	assert_string_equal(cfg.initial_cluster_token, "tok-m2");
	rm_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_host),
		cmocka_unit_test(test_initial_cluster),
		cmocka_unit_test(test_load_files),
		cmocka_unit_test(test_load_dropins),
		cmocka_unit_test(test_load_discover_manifest),
		cmocka_unit_test(test_load_discover_unit_dropins),
		cmocka_unit_test(test_describe_bounded),
		cmocka_unit_test(test_read_error),
		cmocka_unit_test(test_load_unreadable),
		cmocka_unit_test(test_unit_user),
		cmocka_unit_test(test_unit_file_specifiers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
