/* Unit tests for probe/options: etcdctl flags, Nagios flags, environment fallbacks, rejects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "probe/options.h"

/* argv as the kernel gives it: writable strings (the parser overwrites the password there),
 * kept after the call so that the tests can look at them */
static char args[32][256];

static int parse(struct probe_options *o, char *err, size_t errlen, ...)
{
	char *argv[32] = {"etcd-probe"};
	int argc = 1;
	va_list ap;
	va_start(ap, errlen);
	for (char *a; (a = va_arg(ap, char *)) != NULL && argc < 31; argc++) {
		snprintf(args[argc], sizeof(args[argc]), "%s", a);
		argv[argc] = args[argc];
	}
	va_end(ap);
	options_free(o); /* the previous parse's password copy, if any */
	return options_parse(argc, argv, o, err, errlen);
}

/* true when the n bytes of argv[i] from off on are all NUL */
static bool wiped(int i, size_t off, size_t n)
{
	for (size_t k = off; k < off + n; k++)
		if (args[i][k])
			return false;
	return true;
}

static char tmpdir[64];

static const char *write_file(const char *name, const char *text, mode_t mode)
{
	static char path[128];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

static int clear_env(void **state)
{
	(void)state;
	const char *vars[] = {"ETCDCTL_ENDPOINTS", "ETCDCTL_CACERT", "ETCDCTL_CERT",
			      "ETCDCTL_KEY", "ETCDCTL_USER", "ETCDCTL_PASSWORD"};
	for (size_t i = 0; i < 6; i++)
		unsetenv(vars[i]);
	return 0;
}

static void test_flags(void **state)
{
	(void)state;
	struct probe_options o = {0};
	char err[256];
	assert_int_equal(parse(&o, err, sizeof(err), "--endpoints=https://127.0.0.1:2379",
			       "--cacert", "ca.pem", "--cert=c.pem", "--key=k.pem", "-t", "2.5",
			       "-w", "latency=1", "--format=json", "--cluster",
			       "--insecure-skip-tls-verify", "-v", NULL), 0);
	assert_string_equal(o.conn.endpoints, "https://127.0.0.1:2379");
	assert_string_equal(o.conn.cacert, "ca.pem");
	assert_true(o.timeout_s == 2.5);
	assert_int_equal(o.format, FORMAT_JSON);
	assert_true(o.cluster && o.insecure);
	assert_int_equal(o.verbose, 1);
	assert_int_equal(thresholds_check(&o.th, METRIC_LATENCY, 0.9), STATE_OK);
}

static void test_env_fallback_and_user_password(void **state)
{
	(void)state;
	struct probe_options o = {0};
	char err[256];
	setenv("ETCDCTL_ENDPOINTS", "https://127.0.0.9:2379", 1);
	setenv("ETCDCTL_CACERT", "/env/ca.pem", 1);
	assert_int_equal(parse(&o, err, sizeof(err), "--cacert=/flag/ca.pem", "--user=root:s3cret",
			       NULL), 0);
	assert_string_equal(o.conn.endpoints, "https://127.0.0.9:2379");
	assert_string_equal(o.conn.cacert, "/flag/ca.pem"); /* the flag wins */
	assert_string_equal(o.conn.user, "root");
	assert_string_equal(o.conn.password, "s3cret");
	clear_env(NULL);
	assert_int_equal(parse(&o, err, sizeof(err), NULL), 0);
	assert_string_equal(o.conn.endpoints, "127.0.0.1:2379");
	assert_true(o.timeout_s == 10);
}

static void test_rejects(void **state)
{
	(void)state;
	struct probe_options o = {0};
	char err[256];
	assert_int_equal(parse(&o, err, sizeof(err), "--bogus", NULL), -EINVAL);
	assert_non_null(strstr(err, "unknown option --bogus"));
	assert_int_equal(parse(&o, err, sizeof(err), "-x", NULL), -EINVAL);
	assert_non_null(strstr(err, "unknown option -x"));
	assert_int_equal(parse(&o, err, sizeof(err), "-t", "0", NULL), -EINVAL);
	assert_int_equal(parse(&o, err, sizeof(err), "-t", "5s", NULL), -EINVAL);
	assert_non_null(strstr(err, "-t/--timeout '5s'"));
	assert_int_equal(parse(&o, err, sizeof(err), "-t", NULL), -EINVAL);
	assert_non_null(strstr(err, "needs a value"));
	assert_int_equal(parse(&o, err, sizeof(err), "--format=xml", NULL), -EINVAL);
	assert_int_equal(parse(&o, err, sizeof(err), "stray", NULL), -EINVAL);
	assert_int_equal(parse(&o, err, sizeof(err), "--password=x", NULL), -EINVAL);
	assert_int_equal(parse(&o, err, sizeof(err), "-c", "latency=abc", NULL), -EINVAL);
}

/* --format=prometheus for stdout; --textfile-dir is apart from it (the timer keeps its Nagios
 * line) and needs a directory. */
static void test_prometheus(void **state)
{
	(void)state;
	struct probe_options o = {0};
	char err[256];
	assert_int_equal(parse(&o, err, sizeof(err), "--format=prometheus", NULL), 0);
	assert_int_equal(o.format, FORMAT_PROMETHEUS);
	assert_null(o.textfile_dir);
	assert_int_equal(parse(&o, err, sizeof(err), "--textfile-dir", "/var/lib/node-exporter",
			       NULL), 0);
	assert_int_equal(o.format, FORMAT_NAGIOS);
	assert_string_equal(o.textfile_dir, "/var/lib/node-exporter");
	assert_int_equal(parse(&o, err, sizeof(err), "--textfile-dir=", NULL), -EINVAL);
	assert_non_null(strstr(err, "--textfile-dir needs a directory"));
	assert_int_equal(parse(&o, err, sizeof(err), "--format=Prometheus", NULL), -EINVAL);
	assert_non_null(strstr(err, "nagios, json or prometheus"));
}

/* --write-check: off by default, the default prefix, a prefix of one's own; refused: empty,
 * longer than 128 bytes, a space or a control byte (the key is named in reports). */
static void test_write_check(void **state)
{
	(void)state;
	struct probe_options o = {0};
	char err[256], long_prefix[140];
	assert_int_equal(parse(&o, err, sizeof(err), NULL), 0);
	assert_null(o.write_prefix);
	assert_int_equal(parse(&o, err, sizeof(err), "--write-check", NULL), 0);
	assert_string_equal(o.write_prefix, "/etcd-probe/");
	assert_int_equal(parse(&o, err, sizeof(err), "--write-check=/monitoring/w/", NULL), 0);
	assert_string_equal(o.write_prefix, "/monitoring/w/");
	assert_int_equal(parse(&o, err, sizeof(err), "--write-check=", NULL), -EINVAL);
	assert_non_null(strstr(err, "--write-check=PREFIX"));
	assert_int_equal(parse(&o, err, sizeof(err), "--write-check=a b", NULL), -EINVAL);
	assert_int_equal(parse(&o, err, sizeof(err), "--write-check=a\nb", NULL), -EINVAL);
	memset(long_prefix, 'p', 129);
	long_prefix[129] = '\0';
	char arg[160];
	snprintf(arg, sizeof(arg), "--write-check=%s", long_prefix);
	assert_int_equal(parse(&o, err, sizeof(err), arg, NULL), -EINVAL);
	long_prefix[128] = '\0';
	snprintf(arg, sizeof(arg), "--write-check=%s", long_prefix);
	assert_int_equal(parse(&o, err, sizeof(err), arg, NULL), 0);
	/* optional argument: a separate word is not the prefix (getopt), it is refused */
	assert_int_equal(parse(&o, err, sizeof(err), "--write-check", "/x/", NULL), -EINVAL);
}

static void test_timeout_not_finite(void **state)
{
	(void)state;
	struct probe_options o = {0};
	char err[256];
	static const char *const bad[] = {"nan", "-nan", "inf", "infinity", "1e999", "-1", "0",
					  "3601", ""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(&o, err, sizeof(err), "-t", bad[i], NULL), -EINVAL);
		assert_non_null(strstr(err, "-t/--timeout"));
	}
	assert_int_equal(parse(&o, err, sizeof(err), "-t", "0.25", NULL), 0);
	assert_true(o.timeout_s == 0.25);
	options_free(&o);
}

/* --password's value leaves argv (so /proc/PID/cmdline) and lives in one owned copy. */
static void test_password_leaves_argv(void **state)
{
	(void)state;
	struct probe_options o = {0};
	char err[256];
	assert_int_equal(parse(&o, err, sizeof(err), "--user", "root", "--password", "s3cret",
			       NULL), 0);
	assert_string_equal(o.conn.user, "root");
	assert_string_equal(o.conn.password, "s3cret");
	assert_true(wiped(4, 0, 6));
	assert_string_equal(args[3], "--password");
	assert_int_equal(parse(&o, err, sizeof(err), "--user=root", "--password=s3cret", NULL), 0);
	assert_string_equal(o.conn.password, "s3cret");
	assert_true(strncmp(args[2], "--password=", 11) == 0 && wiped(2, 11, 6));
	assert_int_equal(parse(&o, err, sizeof(err), "--user=root:s3cret", NULL), 0);
	assert_string_equal(o.conn.user, "root");
	assert_string_equal(o.conn.password, "s3cret");
	assert_true(strncmp(args[1], "--user=root:", 12) == 0 && wiped(1, 12, 6));
	/* a usage error stops the parse early: the password leaves argv all the same */
	assert_int_equal(parse(&o, err, sizeof(err), "--password", "s3cret", "--bogus", NULL),
			 -EINVAL);
	assert_true(wiped(2, 0, 6));
	options_free(&o);
	assert_null(o.conn.password);
	options_free(&o); /* twice is fine */
}

static void test_password_env_is_copied(void **state)
{
	(void)state;
	struct probe_options o = {0};
	char err[256];
	setenv("ETCDCTL_USER", "root", 1);
	setenv("ETCDCTL_PASSWORD", "envpw", 1);
	assert_int_equal(parse(&o, err, sizeof(err), NULL), 0);
	assert_string_equal(o.conn.password, "envpw");
	assert_ptr_not_equal(o.conn.password, getenv("ETCDCTL_PASSWORD"));
	/* a flag wins over the environment */
	assert_int_equal(parse(&o, err, sizeof(err), "--password=flagpw", NULL), 0);
	assert_string_equal(o.conn.password, "flagpw");
	options_free(&o);
}

static int make_tmpdir(void **state)
{
	(void)state;
	clear_env(NULL);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_options.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_password_file(void **state)
{
	(void)state;
	struct probe_options o = {0};
	char err[256];
	char path[128];

	snprintf(path, sizeof(path), "%s", write_file("pw", "s3cret\n", 0600));
	assert_int_equal(parse(&o, err, sizeof(err), "--user=root", "--password-file", path, NULL),
			 0);
	assert_string_equal(o.conn.password, "s3cret");
	/* first line only, CRLF as an editor may leave it; group-readable is the usual
	 * root:nagios 0640 and is accepted */
	snprintf(path, sizeof(path), "%s", write_file("pw2", "s3cret\r\nsecond line\n", 0640));
	assert_int_equal(parse(&o, err, sizeof(err), "--user=root", "--password-file", path, NULL),
			 0);
	assert_string_equal(o.conn.password, "s3cret");
	/* no newline at all */
	snprintf(path, sizeof(path), "%s", write_file("pw3", "s3cret", 0400));
	assert_int_equal(parse(&o, err, sizeof(err), "--user=root", "--password-file", path, NULL),
			 0);
	assert_string_equal(o.conn.password, "s3cret");
	/* the file wins over ETCDCTL_PASSWORD */
	setenv("ETCDCTL_PASSWORD", "envpw", 1);
	assert_int_equal(parse(&o, err, sizeof(err), "--user=root", "--password-file", path, NULL),
			 0);
	assert_string_equal(o.conn.password, "s3cret");
	unsetenv("ETCDCTL_PASSWORD");

	/* readable by everyone: refused, naming the file and the mode */
	snprintf(path, sizeof(path), "%s", write_file("pw4", "s3cret\n", 0644));
	assert_int_equal(parse(&o, err, sizeof(err), "--user=root", "--password-file", path, NULL),
			 -EPERM);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "0644"));
	assert_null(o.conn.password);
	snprintf(path, sizeof(path), "%s", write_file("pw5", "\nsecond\n", 0600));
	assert_int_equal(parse(&o, err, sizeof(err), "--user=root", "--password-file", path, NULL),
			 -EINVAL);
	assert_non_null(strstr(err, "empty"));
	assert_int_equal(parse(&o, err, sizeof(err), "--password-file", path, NULL), -EINVAL);
	snprintf(path, sizeof(path), "%s", write_file("pw6", "s3cret\n", 0600));
	assert_int_equal(parse(&o, err, sizeof(err), "--password-file", path, NULL), -EINVAL);
	assert_non_null(strstr(err, "--password-file given without --user"));
	assert_int_equal(parse(&o, err, sizeof(err), "--user=root", "--password=x",
			       "--password-file", path, NULL), -EINVAL);
	assert_non_null(strstr(err, "exclude each other"));
	snprintf(path, sizeof(path), "%s/missing", tmpdir);
	assert_int_equal(parse(&o, err, sizeof(err), "--user=root", "--password-file", path, NULL),
			 -ENOENT);
	assert_non_null(strstr(err, "missing"));

	/* a FIFO nobody writes to: refused at once, never a blocked open */
	snprintf(path, sizeof(path), "%s/fifo", tmpdir);
	assert_int_equal(mkfifo(path, 0600), 0);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(parse(&o, err, sizeof(err), "--user=root", "--password-file", path, NULL),
			 -EINVAL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_non_null(strstr(err, "not a regular file"));
	assert_true(t1.tv_sec - t0.tv_sec < 2);
	assert_int_equal(parse(&o, err, sizeof(err), "--user=root", "--password-file",
			       "/dev/zero", NULL), -EINVAL);
	assert_non_null(strstr(err, "not a regular file"));
	options_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_flags, clear_env),
		cmocka_unit_test_setup(test_env_fallback_and_user_password, clear_env),
		cmocka_unit_test_setup(test_rejects, clear_env),
		cmocka_unit_test_setup(test_prometheus, clear_env),
		cmocka_unit_test_setup(test_write_check, clear_env),
		cmocka_unit_test_setup(test_timeout_not_finite, clear_env),
		cmocka_unit_test_setup(test_password_leaves_argv, clear_env),
		cmocka_unit_test_setup(test_password_env_is_copied, clear_env),
		cmocka_unit_test_setup_teardown(test_password_file, make_tmpdir, remove_tmpdir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
