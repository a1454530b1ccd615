/* test_aggregate.c: folding classified entries into bounded aggregates. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "diag/aggregate.h"

static void add_line(struct diag_aggs *a, const char *host, uint64_t usec, const char *line)
{
	struct classify_result r;
	aggs_count_entry(a, usec);
	classify_entry(line, strlen(line), -1, &r);
	if (r.code != DIAG_CODE_NONE)
		aggs_add(a, &r, host, usec, line, strlen(line));
}

static void test_fold(void **state)
{
	(void)state;
	struct diag_aggs *a = aggs_new();
	assert_non_null(a);
	/* the same x509 error every 100 ms from two peers: two aggregates, not 200 */
	for (int i = 0; i < 100; i++) {
		char l[256];
		snprintf(l, sizeof(l),
			 "2026-11-25 12:59:%02d.%06d W | rafthttp: health check for peer "
			 "f3e60613aa798362 could not connect: x509: certificate is valid for "
			 "127.0.0.1, 127.0.100.1, not 127.0.100.3",
			 10 + i / 10, (i % 10) * 100000);
		add_line(a, "m1", 1000 + (uint64_t)i, l);
		add_line(a, "m2", 2000 + (uint64_t)i, l);
	}
	add_line(a, "m1", 5000, "2026-11-25 12:59:15.000000 I | embed: ready to serve client requests");
	assert_int_equal(a->n, 2);
	assert_int_equal(a->entries, 201);
	assert_int_equal(a->matched, 200);
	assert_int_equal(a->v[0].count, 100);
	assert_int_equal(a->v[0].first_usec, 1000);
	assert_int_equal(a->v[0].last_usec, 1099);
	assert_int_equal(a->v[0].n_samples, 2);
	assert_non_null(strstr(a->v[0].samples[0], "12:59:10.000000"));
	assert_non_null(strstr(a->v[0].samples[1], "12:59:19.900000"));
	assert_string_equal(a->v[1].host, "m2");
	assert_int_equal(a->first_usec, 1000);
	assert_int_equal(a->last_usec, 5000);
	aggs_free(a);
	aggs_free(NULL);
}

static void test_cap(void **state)
{
	(void)state;
	struct diag_aggs *a = aggs_new();
	assert_non_null(a);
	/* distinct peers: one aggregate each, until the cap; then counted as dropped */
	for (int i = 0; i < AGG_MAX + 10; i++) {
		char l[160];
		snprintf(l, sizeof(l), "W | rafthttp: lost the TCP streaming connection with peer "
				       "%016x (stream Message reader)", i + 1);
		add_line(a, "m1", (uint64_t)i, l);
	}
	assert_int_equal(a->n, AGG_MAX);
	assert_int_equal(a->dropped, 10);
	/* a known key still counts when full */
	const char *l = "W | rafthttp: lost the TCP streaming connection with peer "
			"0000000000000001 (stream Message reader)";
	struct classify_result r;
	classify_entry(l, strlen(l), -1, &r);
	assert_int_equal(aggs_add(a, &r, "m1", 99999, l, strlen(l)), 0);
	assert_int_equal(a->v[0].count, 2);
	assert_int_equal(aggs_add(a, &r, "m9", 99999, l, strlen(l)), -ENOSPC);
	aggs_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
