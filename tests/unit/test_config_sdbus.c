/* test_config_sdbus.c: systemd's Properties.GetAll replies (a{sv}) for etcd.service turned into
 * struct diag_unit without a bus: the messages are built on an sd-bus object that is started on
 * one end of a socketpair and never talks to anyone. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <systemd/sd-bus.h>

#include "diag/config.h"
#include "diag/config_sdbus.h"

struct fixture {
	int fds[2];
	sd_bus *bus;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, f->fds) < 0)
		return -1;
	if (sd_bus_new(&f->bus) < 0 || sd_bus_set_fd(f->bus, f->fds[0], f->fds[0]) < 0 ||
	    sd_bus_start(f->bus) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	sd_bus_close_unref(f->bus);
	close(f->fds[1]);
	free(f);
	return 0;
}

/* A message holding body, sealed and rewound so it reads as a reply does. */
static sd_bus_message *reply_new(struct fixture *f)
{
	sd_bus_message *m = NULL;
	assert_true(sd_bus_message_new_method_call(f->bus, &m, "org.freedesktop.systemd1",
						   "/org/freedesktop/systemd1/unit/etcd_2eservice",
						   "org.freedesktop.DBus.Properties", "GetAll") >= 0);
	assert_true(sd_bus_message_open_container(m, 'a', "{sv}") >= 0);
	return m;
}

static void reply_seal(sd_bus_message *m)
{
	assert_true(sd_bus_message_close_container(m) >= 0);
	assert_true(sd_bus_message_seal(m, 1, 0) >= 0);
	assert_true(sd_bus_message_rewind(m, true) >= 0);
}

static void add_exec(sd_bus_message *m, const char *path, const char *const *argv)
{
	assert_true(sd_bus_message_open_container(m, 'e', "sv") >= 0);
	assert_true(sd_bus_message_append(m, "s", "ExecStart") >= 0);
	assert_true(sd_bus_message_open_container(m, 'v', "a(sasbttttuii)") >= 0);
	assert_true(sd_bus_message_open_container(m, 'a', "(sasbttttuii)") >= 0);
	assert_true(sd_bus_message_open_container(m, 'r', "sasbttttuii") >= 0);
	assert_true(sd_bus_message_append(m, "s", path) >= 0);
	assert_true(sd_bus_message_append_strv(m, (char **)argv) >= 0);
	assert_true(sd_bus_message_append(m, "bttttuii", 0, (uint64_t)0, (uint64_t)0, (uint64_t)0,
					  (uint64_t)0, 0u, 0, 0) >= 0);
	assert_true(sd_bus_message_close_container(m) >= 0);
	assert_true(sd_bus_message_close_container(m) >= 0);
	assert_true(sd_bus_message_close_container(m) >= 0);
	assert_true(sd_bus_message_close_container(m) >= 0);
}

static void test_service_reply(void **state)
{
	struct fixture *f = *state;
	sd_bus_message *m = reply_new(f);
	static const char *const argv[] = {"/usr/bin/etcd", "--name", "m1",
					   "--cert-file=/etc/etcd/pki/a \"b\".crt", "$DAEMON_ARGS",
					   "--data-dir=${DATA}/x", NULL};
	add_exec(m, "/usr/bin/etcd", argv);
	/* an unknown property and one of the wrong type: skipped */
	assert_true(sd_bus_message_append(m, "{sv}", "Restart", "s", "on-failure") >= 0);
	assert_true(sd_bus_message_append(m, "{sv}", "User", "u", 7u) >= 0);
	assert_true(sd_bus_message_append(m, "{sv}", "Environment", "as", 3,
					  "DAEMON_ARGS=--listen-peer-urls https://127.0.100.1:2380",
					  "DATA=/var/lib/etcd", "not an assignment") >= 0);
	assert_true(sd_bus_message_open_container(m, 'e', "sv") >= 0);
	assert_true(sd_bus_message_append(m, "s", "EnvironmentFiles") >= 0);
	assert_true(sd_bus_message_append(m, "v", "a(sb)", 2, "/etc/default/etcd", 1,
					  "/etc/etcd/etcd.env", 0) >= 0);
	assert_true(sd_bus_message_close_container(m) >= 0);
	assert_true(sd_bus_message_append(m, "{sv}", "User", "s", "etcd") >= 0);
	assert_true(sd_bus_message_append(m, "{sv}", "Group", "s", "etcd-keys") >= 0);
	reply_seal(m);

	struct diag_unit *u = calloc(1, sizeof(*u));
	assert_non_null(u);
	u->env.cur_source = 1;
	assert_int_equal(config_sdbus_read_service(m, u), 0);
	sd_bus_message_unref(m);
	assert_string_equal(u->user, "etcd");
	assert_string_equal(u->group, "etcd-keys");
	assert_int_equal(u->n_env_files, 2);
	assert_string_equal(u->env_files[0].path, "/etc/default/etcd");
	assert_true(u->env_files[0].optional);
	assert_false(u->env_files[1].optional);
	assert_string_equal(config_env_get(&u->env, "DATA"), "/var/lib/etcd");
	assert_int_equal(u->exec_source, 1);

	/* the argv, quoted back, reads as systemd would run it */
	struct diag_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(config_apply_cmdline(&cfg, u->exec_start, &u->env, u->exec_source), 0);
	assert_string_equal(cfg.name, "m1");
	assert_string_equal(cfg.cert_file, "/etc/etcd/pki/a \"b\".crt");
	assert_string_equal(cfg.listen_peer_urls, "https://127.0.100.1:2380");
	assert_string_equal(cfg.data_dir, "/var/lib/etcd/x");
	free(u);
}

static void test_unit_reply(void **state)
{
	struct fixture *f = *state;
	sd_bus_message *m = reply_new(f);
	assert_true(sd_bus_message_append(m, "{sv}", "LoadState", "s", "loaded") >= 0);
	assert_true(sd_bus_message_append(m, "{sv}", "ActiveState", "s", "active") >= 0);
	assert_true(sd_bus_message_append(m, "{sv}", "FragmentPath", "s",
					  "/lib/systemd/system/etcd.service") >= 0);
	assert_true(sd_bus_message_append(m, "{sv}", "DropInPaths", "as", 2,
					  "/etc/systemd/system/etcd.service.d/10-tls.conf",
					  "/run/systemd/system/etcd.service.d/50-x.conf") >= 0);
	assert_true(sd_bus_message_append(m, "{sv}", "Names", "as", 1, "etcd.service") >= 0);
	reply_seal(m);
	struct diag_unit *u = calloc(1, sizeof(*u));
	assert_non_null(u);
	assert_int_equal(config_sdbus_read_unit(m, u), 0);
	sd_bus_message_unref(m);
	assert_string_equal(u->load_state, "loaded");
	assert_string_equal(u->active_state, "active");
	assert_string_equal(u->fragment_path, "/lib/systemd/system/etcd.service");
	assert_int_equal(u->n_dropins, 2);
	assert_string_equal(u->dropins[1], "/run/systemd/system/etcd.service.d/50-x.conf");
	free(u);
}

/* A reply of another shape is an error, not a crash. */
static void test_bad_reply(void **state)
{
	struct fixture *f = *state;
	sd_bus_message *m = NULL;
	assert_true(sd_bus_message_new_method_call(f->bus, &m, NULL, "/x", "x.y", "Z") >= 0);
	assert_true(sd_bus_message_append(m, "s", "not a dict") >= 0);
	assert_true(sd_bus_message_seal(m, 2, 0) >= 0);
	assert_true(sd_bus_message_rewind(m, true) >= 0);
	struct diag_unit *u = calloc(1, sizeof(*u));
	assert_non_null(u);
	assert_true(config_sdbus_read_unit(m, u) < 0);
	sd_bus_message_unref(m);
	free(u);
}

/* No bus at the address: a prompt error, never a hang. */
static void test_no_bus(void **state)
{
	(void)state;
	struct diag_unit *u = calloc(1, sizeof(*u));
	char err[256] = "";
	assert_non_null(u);
	setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/bus", 1);
	int r = config_sdbus_load("etcd.service", 200000, u, err, sizeof(err));
	unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
	/* where systemd's private socket exists (a systemd host, as root) it may answer */
	if (r < 0)
		assert_true(err[0] != '\0');
	free(u);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A bus that accepts the connection and never answers: bounded by the timeout, no hang. */
static void test_stalled_bus(void **state)
{
	(void)state;
	char dir[] = "/tmp/test-sdbus.XXXXXX", addr[200];
	assert_non_null(mkdtemp(dir));
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/bus", dir);
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(l >= 0);
	assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(l, 4), 0); /* connects complete in the backlog, nobody reads */
	snprintf(addr, sizeof(addr), "unix:path=%s", sa.sun_path);
	setenv("DBUS_SYSTEM_BUS_ADDRESS", addr, 1);
	struct diag_unit *u = calloc(1, sizeof(*u));
	char err[256] = "";
	assert_non_null(u);
	double t0 = now_s();
	int r = config_sdbus_load("etcd.service", 300000, u, err, sizeof(err));
	double took = now_s() - t0;
	unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
	/* the stalled bus costs one timeout; systemd's private socket, where there is one, another */
	assert_true(took < 1.5);
	if (r < 0)
		assert_true(err[0] != '\0');
	free(u);
	close(l);
	unlink(sa.sun_path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_service_reply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unit_reply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_reply, setup, teardown),
		cmocka_unit_test(test_no_bus),
		cmocka_unit_test(test_stalled_bus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
