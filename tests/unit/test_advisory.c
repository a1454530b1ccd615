/* Unit tests for probe/advisory: every row's edges, the versions the test bed runs, suffixes, and
 * input that is not a version. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "probe/advisory.h"

static void vstr(const struct advisory_version *v, char buf[32])
{
	snprintf(buf, 32, "%u.%u.%u", v->major, v->minor, v->patch);
}

/* Is row r among the rows version falls in? */
static int matches(const char *version, const struct advisory *r)
{
	for (const struct advisory *a = advisory_find(version); a; a = advisory_next(version, a))
		if (a == r)
			return 1;
	return 0;
}

/* Every row: its first bad release and the one before its fix fall in it, the fix and the
 * release before the first bad do not. */
static void test_every_row_edges(void **state)
{
	(void)state;
	char buf[32];
	size_t n = 0;
	for (const struct advisory *r; (r = advisory_row(n)); n++) {
		assert_non_null(r->reason);
		assert_non_null(r->source);
		assert_true(advisory_version_cmp(&r->first_bad, &r->fixed_in) < 0);
		vstr(&r->first_bad, buf);
		assert_true(matches(buf, r));
		vstr(&r->fixed_in, buf);
		assert_false(matches(buf, r));
		assert_int_not_equal(r->fixed_in.patch, 0); /* all fixes are patch releases */
		struct advisory_version last = r->fixed_in;
		last.patch--;
		vstr(&last, buf);
		assert_true(matches(buf, r));
		if (r->first_bad.patch > 0) {
			struct advisory_version before = r->first_bad;
			before.patch--;
			vstr(&before, buf);
			assert_false(matches(buf, r));
		}
	}
	assert_int_equal(n, 5);
	assert_null(advisory_row(n));
}

/* The rows the lead asked for by name, and what a caller sees first. */
static void test_known_ranges(void **state)
{
	(void)state;
	const struct advisory *a = advisory_find("3.5.1");
	assert_non_null(a);
	assert_string_equal(a->source, "etcd-io/etcd#13766");
	assert_int_equal(a->fixed_in.patch, 3);
	/* 3.5.1 is also in the defragmentation row: the next one */
	a = advisory_next("3.5.1", a);
	assert_non_null(a);
	assert_string_equal(a->source, "etcd-io/etcd#14733");
	assert_null(advisory_next("3.5.1", a));
	assert_string_equal(advisory_find("3.5.2")->source, "etcd-io/etcd#13766");
	assert_string_equal(advisory_find("3.5.3")->source, "etcd-io/etcd#14733");
	assert_string_equal(advisory_find("3.5.5")->source, "etcd-io/etcd#14733");
	assert_string_equal(advisory_next("3.5.5", advisory_find("3.5.5"))->source,
			    "etcd-io/etcd#14648");
	assert_string_equal(advisory_find("3.4.20")->source, "etcd-io/etcd#14649");
	assert_string_equal(advisory_find("3.4.21")->source, "etcd-io/etcd#14649");
	assert_string_equal(advisory_find("3.4.19")->source, "etcd-io/etcd CHANGELOG/README.md");
	assert_string_equal(advisory_find("3.3.27")->source, "etcd-io/etcd CHANGELOG/README.md");
	assert_string_equal(advisory_find("3.0.0")->source, "etcd-io/etcd CHANGELOG/README.md");
	/* a foreign pointer is no row: nothing follows it */
	struct advisory fake = *advisory_find("3.5.1");
	assert_null(advisory_next("3.5.1", &fake));
}

/* What the test bed runs and what is current: none is in the table. */
static void test_unaffected(void **state)
{
	(void)state;
	const char *ok[] = {"3.4.22", "3.4.23", "3.4.45", "3.5.6", "3.5.16", "3.5.30", "3.5.33",
			    "3.6.0", "3.6.14", "3.7.0", "4.0.0", "2.3.8", "0.0.0"};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (advisory_find(ok[i]))
			fail_msg("%s should not be in the table", ok[i]);
	}
}

static void test_suffixes(void **state)
{
	(void)state;
	struct advisory_version v;
	assert_int_equal(advisory_parse_version("3.5.0-rc.1", &v), 0);
	assert_int_equal(v.major, 3);
	assert_int_equal(v.minor, 5);
	assert_int_equal(v.patch, 0);
	/* a pre-release is judged as the release it leads to */
	assert_non_null(advisory_find("3.5.0-rc.1"));
	assert_non_null(advisory_find("3.5.0-alpha.0"));
	assert_null(advisory_find("3.6.0-rc.5"));
	/* build metadata is ignored */
	assert_non_null(advisory_find("3.5.1+git"));
	assert_null(advisory_find("3.4.23+git"));
	assert_non_null(advisory_find("3.5.2-rc.0+build.5"));
	assert_non_null(advisory_find("3.5.1-x-y"));
	/* malformed suffixes are not a version */
	const char *bad[] = {"3.5.1-", "3.5.1+", "3.5.1-rc..1", "3.5.1-.rc", "3.5.1-rc.",
			     "3.5.1-rc_1", "3.5.1+git+x", "3.5.1-rc 1", "3.5.1 ", "3.5.1\n",
			     "3.5.1-rc.1+", "3.5.1~rc1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (advisory_parse_version(bad[i], &v) != -EINVAL)
			fail_msg("\"%s\" should not parse", bad[i]);
		assert_null(advisory_find(bad[i]));
	}
}

static void test_garbage(void **state)
{
	(void)state;
	struct advisory_version v = {7, 7, 7};
	const char *bad[] = {"", "3", "3.5", "3.5.", "x.y.z", "3.x.1", ".5.1", "3..1", "v3.5.1",
			     "-3.5.1", "3.-5.1", "3.5.-1", "3.5.1.2", "03.5.1", "3.05.1", "3.5.01",
			     "1234567.5.1", "3.5.1234567", "99999999999999999999.5.1",
			     " 3.5.1", "3.5.1?ETCD OK", "3.4?ETCD OK - fake", "\xff.5.1", "3.5.\x01"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (advisory_parse_version(bad[i], &v) != -EINVAL)
			fail_msg("\"%s\" should not parse", bad[i]);
		assert_null(advisory_find(bad[i]));
	}
	/* *ret untouched on failure */
	assert_int_equal(v.major, 7);
	assert_int_equal(advisory_parse_version(NULL, &v), -EINVAL);
	assert_null(advisory_find(NULL));
	assert_null(advisory_next(NULL, NULL));
	/* the widest numbers accepted */
	assert_int_equal(advisory_parse_version("999999.999999.999999", &v), 0);
	assert_int_equal(v.patch, 999999u);
	assert_int_equal(advisory_parse_version("0.0.0", &v), 0);
}

/* Length is bounded: a long suffix just under the cap parses, at the cap it does not, and a
 * string with no terminator within the cap is never read past it. */
static void test_length_bound(void **state)
{
	(void)state;
	char buf[ADVISORY_VERSION_MAX + 16];
	struct advisory_version v;
	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "3.5.1-", 6);
	buf[ADVISORY_VERSION_MAX - 1] = '\0'; /* length cap - 1 */
	assert_int_equal(advisory_parse_version(buf, &v), 0);
	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "3.5.1-", 6);
	buf[ADVISORY_VERSION_MAX] = '\0'; /* length cap */
	assert_int_equal(advisory_parse_version(buf, &v), -EINVAL);
	/* digits without end: never a version */
	memset(buf, '9', sizeof(buf));
	buf[sizeof(buf) - 1] = '\0';
	assert_int_equal(advisory_parse_version(buf, &v), -EINVAL);
	/* exactly ADVISORY_VERSION_MAX bytes, no NUL inside them: strnlen stops at the cap */
	char exact[ADVISORY_VERSION_MAX];
	memset(exact, '1', sizeof(exact));
	assert_int_equal(advisory_parse_version(exact, &v), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_row_edges), cmocka_unit_test(test_known_ranges),
		cmocka_unit_test(test_unaffected),      cmocka_unit_test(test_suffixes),
		cmocka_unit_test(test_garbage),         cmocka_unit_test(test_length_bound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
