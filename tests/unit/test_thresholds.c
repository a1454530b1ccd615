/* Unit tests for probe/thresholds: Nagios range syntax and the -w/-c METRIC=RANGE lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "probe/thresholds.h"

static bool alerts(const char *range, double v)
{
	struct nrange r;
	assert_int_equal(nrange_parse(range, &r), 0);
	return nrange_alerts(&r, v);
}

static void test_ranges(void **state)
{
	(void)state;
	/* "10": outside 0..10 */
	assert_false(alerts("10", 0));
	assert_false(alerts("10", 10));
	assert_true(alerts("10", 10.1));
	assert_true(alerts("10", -1));
	/* "10:": below 10 */
	assert_true(alerts("10:", 9.99));
	assert_false(alerts("10:", 1e9));
	/* "~:10": above 10 */
	assert_false(alerts("~:10", -1e9));
	assert_true(alerts("~:10", 11));
	/* "10:20": outside */
	assert_true(alerts("10:20", 9));
	assert_false(alerts("10:20", 15));
	assert_true(alerts("10:20", 21));
	/* "@10:20": inside, inclusive */
	assert_true(alerts("@10:20", 10));
	assert_true(alerts("@10:20", 20));
	assert_false(alerts("@10:20", 21));
	assert_true(alerts("0.5", 0.51));
}

static void test_range_rejects(void **state)
{
	(void)state;
	struct nrange r;
	const char *bad[] = {"", "abc", "10:5", "1e999", "nan", "10::", "@", ":", "~", "1,2",
			     "12345678901234567890123456789012345"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(nrange_parse(bad[i], &r), -EINVAL);
}

static void test_defaults_and_check(void **state)
{
	(void)state;
	struct thresholds t;
	thresholds_defaults(&t);
	assert_int_equal(thresholds_check(&t, METRIC_LATENCY, 0.1), STATE_OK);
	assert_int_equal(thresholds_check(&t, METRIC_LATENCY, 0.6), STATE_WARNING);
	assert_int_equal(thresholds_check(&t, METRIC_LATENCY, 3), STATE_CRITICAL);
	assert_int_equal(thresholds_check(&t, METRIC_CERT_DAYS, 10), STATE_WARNING);
	assert_int_equal(thresholds_check(&t, METRIC_CERT_DAYS, 3), STATE_CRITICAL);
	assert_int_equal(thresholds_check(&t, METRIC_CERT_DAYS, 300), STATE_OK);
	assert_int_equal(thresholds_check(&t, METRIC_DB_PCT, 96), STATE_CRITICAL);
	assert_int_equal(thresholds_check(&t, METRIC_MEMBERS, 9), STATE_WARNING);
}

static void test_parse_lists(void **state)
{
	(void)state;
	struct thresholds t;
	char err[256];
	thresholds_defaults(&t);
	assert_int_equal(thresholds_parse(&t, "latency=0.1,db_pct=50", false, err, sizeof(err)), 0);
	assert_int_equal(thresholds_check(&t, METRIC_LATENCY, 0.2), STATE_WARNING);
	assert_int_equal(thresholds_check(&t, METRIC_DB_PCT, 60), STATE_WARNING);
	assert_int_equal(thresholds_parse(&t, "latency=none", true, err, sizeof(err)), 0);
	assert_int_equal(thresholds_check(&t, METRIC_LATENCY, 100), STATE_WARNING);
	assert_int_equal(thresholds_parse(&t, "bogus=1", false, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "unknown metric 'bogus'"));
	/* every metric of the table is named, the last one too (the list was once 5 of 15) */
	for (int i = 0; i < METRIC_COUNT; i++)
		assert_non_null(strstr(err, metric_defs[i].name));
	assert_non_null(strstr(err, "write_latency)"));
	assert_int_equal(thresholds_parse(&t, "latency", false, err, sizeof(err)), -EINVAL);
	assert_int_equal(thresholds_parse(&t, "latency=x", true, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "-c latency"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_range_rejects),
		cmocka_unit_test(test_defaults_and_check),
		cmocka_unit_test(test_parse_lists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
