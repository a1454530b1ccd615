/* Unit tests for diag/text: bounded copies that never cut a UTF-8 code point in two. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "diag/text.h"

/* One row per copy: the source, the destination size, what must be kept. */
static const struct {
	const char *in;
	size_t cap;
	const char *want;
} copies[] = {
	{"short", 16, "short"},
	{"exactly7", 9, "exactly7"},
	{"truncated", 5, "trun"},
	{"ab\xc3\xa9", 4, "ab"},                  /* é would be cut after its lead byte */
	{"ab\xc3\xa9", 5, "ab\xc3\xa9"},          /* é fits */
	{"a\xe2\x9c\x93z", 3, "a"},               /* ✓ cut after 1 of 3 bytes */
	{"a\xe2\x9c\x93z", 4, "a"},               /* ... after 2 of 3 */
	{"a\xe2\x9c\x93z", 5, "a\xe2\x9c\x93"},   /* whole */
	{"\xf0\x9f\x98\x80!", 4, ""},             /* U+1F600 cut after 3 of 4 */
	{"ab\xff\xfe", 4, "ab\xff"},              /* not UTF-8: copied as is (JSON repairs it) */
	{"x", 1, ""},
};

static void test_copies(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(copies) / sizeof(copies[0]); i++) {
		char out[32];
		memset(out, 'Z', sizeof(out));
		text_scopy(out, copies[i].cap, copies[i].in);
		assert_string_equal(out, copies[i].want);
		memset(out, 'Z', sizeof(out));
		text_copy(out, copies[i].cap, copies[i].in, strlen(copies[i].in));
		assert_string_equal(out, copies[i].want);
		memset(out, 'Z', sizeof(out));
		size_t n = text_printf(out, copies[i].cap, "%s", copies[i].in);
		assert_string_equal(out, copies[i].want);
		assert_int_equal(n, strlen(copies[i].want));
	}
	char out[4] = "abc";
	text_scopy(out, 0, "xyz"); /* cap 0: nothing written */
	assert_string_equal(out, "abc");
	assert_int_equal(text_printf(out, 0, "%s", "xyz"), 0);
}

static void test_printf_cut(void **state)
{
	(void)state;
	char out[10];
	/* "id 7: éé" is 10 bytes: 9 fit, and the 9th is the lead byte of the second é */
	assert_int_equal(text_printf(out, sizeof(out), "id %d: %s", 7, "\xc3\xa9\xc3\xa9"), 8);
	assert_string_equal(out, "id 7: \xc3\xa9");
	assert_int_equal(text_printf(out, sizeof(out), "%s", "fits"), 4);
	assert_string_equal(out, "fits");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copies),
		cmocka_unit_test(test_printf_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
