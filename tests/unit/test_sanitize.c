/* test_sanitize.c: what a hostile server can put in a string, and what reaches a report. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/sanitize.h"

#define FFFD "\xEF\xBF\xBD"

static void check(const char *in, size_t in_len, size_t cap, const char *want)
{
	char out[256];
	assert_true(cap <= sizeof(out));
	memset(out, 'X', sizeof(out));
	size_t n = sanitize_text(in, in_len, out, cap);
	assert_int_equal(n, strlen(want));
	assert_string_equal(out, want);
}

#define CHECK(in, want) check(in, sizeof(in) - 1, 256, want)

/* A version "3.4\nETCD OK - fake" must not print a second status line. */
static void test_controls(void **state)
{
	(void)state;
	CHECK("3.4\nETCD OK - fake", "3.4?ETCD OK - fake");
	CHECK("a\r\tb\x7f\x1b[31m", "a??b??[31m");
	CHECK("a\0b", "a?b"); /* NUL inside in_len is a byte like the others */
	CHECK("", "");
}

static void test_pipe(void **state)
{
	(void)state;
	CHECK("a|b", "a/b");
	CHECK("x | 'db'=1B;;;;", "x / 'db'=1B;;;;");
}

static void test_valid_utf8_kept(void **state)
{
	(void)state;
	CHECK("caf\xC3\xA9", "caf\xC3\xA9");                     /* U+00E9 */
	CHECK("\xE2\x9C\x93 ok", "\xE2\x9C\x93 ok");             /* U+2713 */
	CHECK("\xF0\x9F\x98\x80!", "\xF0\x9F\x98\x80!");         /* U+1F600, 4 bytes */
	CHECK("\xF4\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF");           /* U+10FFFF, the last */
	CHECK("\xEF\xBB\xBF\xEE\x80\x80", "\xEF\xBB\xBF\xEE\x80\x80"); /* U+FEFF, U+E000 */
}

/* grpc-message "%FF%FE" decodes to two bytes that start no UTF-8 sequence. */
static void test_invalid_utf8(void **state)
{
	(void)state;
	CHECK("\xFF\xFE", FFFD FFFD);
	CHECK("\xC0\xAF", FFFD FFFD);                    /* overlong '/' */
	CHECK("\xE0\x80\xAF", FFFD FFFD FFFD);           /* overlong, 3 bytes */
	CHECK("\xF0\x80\x80\xAF", FFFD FFFD FFFD FFFD);  /* overlong, 4 bytes */
	CHECK("\xED\xA0\x80", FFFD FFFD FFFD);           /* surrogate U+D800 */
	CHECK("\xF4\x90\x80\x80", FFFD FFFD FFFD FFFD);  /* U+110000 */
	CHECK("\xF5\x80", FFFD FFFD);
	/* a sequence cut short is one maximal ill-formed subpart: one U+FFFD (Unicode 3.9, as
	 * utf8_repair and Python's decoder) */
	CHECK("ab\xE2\x9C", "ab" FFFD);                  /* cut at the end of the input */
	CHECK("\xE2\x9Cx", FFFD "x");                    /* cut by an ASCII byte */
	CHECK("\x80\xBF", FFFD FFFD);                    /* stray continuation bytes */
}

static void test_forbidden_code_points(void **state)
{
	(void)state;
	CHECK("a\xC2\x85" "b", "a?b");       /* NEL, a C1 line break */
	CHECK("\xC2\x80\xC2\x9F\xC2\xA0", "??\xC2\xA0"); /* C1 range ends; NBSP kept */
	CHECK("\xE2\x80\xA8\xE2\x80\xA9", "??"); /* U+2028, U+2029 */
	CHECK("\xE2\x80\xAA\xE2\x80\xAE", "??"); /* U+202A, U+202E (RLO) */
	CHECK("\xE2\x81\xA6\xE2\x81\xA9", "??"); /* U+2066, U+2069 */
	CHECK("\xE2\x80\xA7\xE2\x80\xAF\xE2\x81\xA5\xE2\x81\xAA",
	      "\xE2\x80\xA7\xE2\x80\xAF\xE2\x81\xA5\xE2\x81\xAA"); /* their neighbours stay */
}

/* Truncation falls between code points: never half a sequence at the end. */
static void test_truncation(void **state)
{
	(void)state;
	static const char emoji[] = "ab\xF0\x9F\x98\x80";
	check(emoji, 6, 7, "ab\xF0\x9F\x98\x80"); /* fits exactly */
	check(emoji, 6, 6, "ab");
	check(emoji, 6, 3, "ab");
	check("\xFF", 1, 3, "");                  /* U+FFFD needs 3 bytes, 2 are free */
	check("\xFF", 1, 4, FFFD);
	check("abcdef", 6, 4, "abc");
	check("abc", 3, 1, "");
	char out[1] = {'X'};
	assert_int_equal(sanitize_text("abc", 3, out, 0), 0);
	assert_int_equal(out[0], 'X'); /* nothing written without room for the NUL */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_pipe),
		cmocka_unit_test(test_valid_utf8_kept),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_forbidden_code_points),
		cmocka_unit_test(test_truncation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
