/* Unit tests for probe/options: etcdctl flags, Nagios flags, environment fallbacks, rejects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "probe/options.h"

static int parse(struct probe_options *o, char *err, size_t errlen, ...)
{
	char *argv[32] = {"etcd-probe"};
	int argc = 1;
	va_list ap;
	va_start(ap, errlen);
	for (char *a; (a = va_arg(ap, char *)) != NULL && argc < 31;)
		argv[argc++] = a;
	va_end(ap);
	return options_parse(argc, argv, o, err, errlen);
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
	struct probe_options o;
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
	struct probe_options o;
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
	struct probe_options o;
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_flags, clear_env),
		cmocka_unit_test_setup(test_env_fallback_and_user_password, clear_env),
		cmocka_unit_test_setup(test_rejects, clear_env),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
