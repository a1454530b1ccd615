/* Unit tests for probe/utf8: U+FFFD repair by maximal subparts, and cuts between code points. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "proto/utf8.h"

#define FFFD "\xef\xbf\xbd"

/* One row per input: the bytes, and what utf8_repair must make of them. */
static const struct {
	const char *in, *want;
} repairs[] = {
	{"plain ascii", "plain ascii"},
	{"", ""},
	{"\xff\xfe", FFFD FFFD},                          /* grpc-message %FF%FE */
	{"ok \xe2\x9c\x93", "ok \xe2\x9c\x93"},           /* a check mark, whole */
	{"cut \xe2\x9c", "cut " FFFD},                    /* cut inside it: one subpart */
	{"\xe2\x9c" "x", FFFD "x"},                       /* ... also in the middle */
	{"\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9"},       /* été */
	{"\xc0\xaf", FFFD FFFD},                          /* overlong '/' */
	{"\xe0\x80\xaf", FFFD FFFD FFFD},                 /* overlong, 3 bytes */
	{"\xed\xa0\x80", FFFD FFFD FFFD},                 /* UTF-16 surrogate D800 */
	{"\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD},        /* past U+10FFFF */
	{"\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"},         /* U+1F600, 4 bytes */
	{"\xf0\x9f\x98", FFFD},                           /* ... cut */
	{"\x80\xbf", FFFD FFFD},                          /* lone continuation bytes */
	{"a\x01\x7f\"\\", "a\x01\x7f\"\\"},              /* valid UTF-8: left to the JSON escaper */
};

static void test_repair_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(repairs) / sizeof(repairs[0]); i++) {
		size_t len = 99;
		char *got = utf8_repair(repairs[i].in, strlen(repairs[i].in), &len);
		assert_non_null(got);
		assert_string_equal(got, repairs[i].want);
		assert_int_equal(len, strlen(repairs[i].want));
		assert_true(utf8_valid(got, len));
		assert_int_equal(utf8_valid(repairs[i].in, strlen(repairs[i].in)),
				 strcmp(repairs[i].in, repairs[i].want) == 0);
		free(got);
	}
}

static void test_repair_keeps_nul_and_bounds(void **state)
{
	(void)state;
	size_t len;
	char *got = utf8_repair("a\0\xff", 3, &len);
	assert_non_null(got);
	assert_int_equal(len, 5);
	assert_memory_equal(got, "a\0" FFFD, 6);
	free(got);
	/* n bounds the read: the cut sequence at the end is not completed from beyond n */
	got = utf8_repair("\xe2\x9c\x93", 2, NULL);
	assert_string_equal(got, FFFD);
	free(got);
}

/* One row per cut: the head of a longer string, and the length utf8_cut_len keeps. */
static const struct {
	const char *head;
	size_t keep;
} cuts[] = {
	{"abc", 3},
	{"", 0},
	{"ab\xc3", 2},                 /* é cut after its lead byte */
	{"ab\xc3\xa9", 4},             /* é whole */
	{"ab\xe2", 2},                 /* ✓ cut after 1 of 3 */
	{"ab\xe2\x9c", 2},             /* ... after 2 of 3 */
	{"ab\xe2\x9c\x93", 5},         /* whole */
	{"\xf0\x9f\x98", 0},           /* U+1F600 cut after 3 of 4 */
	{"a\xf0\x9f\x98\x80", 5},      /* whole */
	{"ab\xff", 3},                 /* not UTF-8: left to utf8_repair */
	{"a\x80\x80\x80\x80", 5},      /* continuation bytes without a lead */
};

static void test_cut_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++)
		assert_int_equal(utf8_cut_len(cuts[i].head, strlen(cuts[i].head)), cuts[i].keep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_repair_table),
		cmocka_unit_test(test_repair_keeps_nul_and_bounds),
		cmocka_unit_test(test_cut_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
