/* Unit tests for proto/endpoint: URL parsing, defaults, and the rejects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "proto/endpoint.h"

static void test_https_ip(void **state)
{
	(void)state;
	struct endpoint ep;
	char err[256];
	assert_int_equal(endpoint_parse("https://127.0.5.1:2379", false, &ep, err, sizeof(err)), 0);
	assert_true(ep.tls);
	assert_true(ep.host_is_ip);
	assert_string_equal(ep.host, "127.0.5.1");
	assert_string_equal(ep.port, "2379");
	assert_string_equal(ep.url, "https://127.0.5.1:2379");
}

static void test_defaults(void **state)
{
	(void)state;
	struct endpoint ep;
	char err[256];
	assert_int_equal(endpoint_parse("127.0.0.1", true, &ep, err, sizeof(err)), 0);
	assert_true(ep.tls);
	assert_string_equal(ep.url, "https://127.0.0.1:2379");
	assert_int_equal(endpoint_parse("localhost:23790/", false, &ep, err, sizeof(err)), 0);
	assert_false(ep.tls);
	assert_false(ep.host_is_ip);
	assert_string_equal(ep.url, "http://localhost:23790");
	assert_int_equal(endpoint_parse("https://[::1]:2379", false, &ep, err, sizeof(err)), 0);
	assert_string_equal(ep.host, "::1");
	assert_true(ep.host_is_ip);
	assert_string_equal(ep.url, "https://[::1]:2379");
}

static void test_rejects(void **state)
{
	(void)state;
	struct endpoint ep;
	char err[256];
	const char *bad[] = {"", "unix://x", "https://", "https://:2379", "https://h:99999",
			     "https://h:0", "https://h:12a", "https://h:2379/v3", "https://h o",
			     "https://[::1", "ftp://x:1", "https://h:"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(endpoint_parse(bad[i], true, &ep, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "endpoint"));
	}
}

static void test_list(void **state)
{
	(void)state;
	struct endpoint eps[4];
	char err[256];
	assert_int_equal(endpoint_parse_list("https://127.0.0.1:2379, https://127.0.0.2:2379,",
					     false, eps, 4, err, sizeof(err)), 2);
	assert_string_equal(eps[1].host, "127.0.0.2");
	assert_int_equal(endpoint_parse_list(",,", false, eps, 4, err, sizeof(err)), -EINVAL);
	assert_int_equal(endpoint_parse_list("a,b,c,d,e", false, eps, 4, err, sizeof(err)), -E2BIG);
	assert_int_equal(endpoint_parse_list("a,unix://b", false, eps, 4, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "unix://b"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_https_ip),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
