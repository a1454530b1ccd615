/* Unit tests for probe/json_out: constructors, sticky errors, and the document on the stream. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/json_out.h"

/* Writes doc through json_out_write into a string; the return code goes to *rc. */
static char *write_doc(json_t *doc, int err, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	assert_non_null(out);
	*rc = json_out_write(out, doc, err);
	fclose(out);
	return buf;
}

static void test_document_order_and_types(void **state)
{
	(void)state;
	int err = 0, rc;
	json_t *doc = json_object();
	json_out_set(doc, "z", json_out_str("first"), &err);
	json_out_set(doc, "a", json_out_id(0x8e9e05c52164694d), &err);
	json_out_set(doc, "m", json_out_id(0), &err);
	json_out_set(doc, "n", json_out_uint(UINT64_C(18446744073709551615)), &err);
	json_out_set(doc, "i", json_out_uint(42), &err);
	json_out_set(doc, "l", json_out_real6(0.0015), &err);
	json_out_set(doc, "l2", json_out_real6(1.23456789), &err);
	json_out_set(doc, "nan", json_out_real6(NAN), &err);
	json_out_set(doc, "e", json_out_str_or_null(""), &err);
	json_out_set(doc, "s", json_out_str(NULL), &err);
	json_t *arr = json_array();
	json_out_push(arr, json_out_str("x"), &err);
	json_out_push(arr, json_boolean(true), &err);
	json_out_set(doc, "arr", arr, &err);
	assert_int_equal(err, 0);
	char *s = write_doc(doc, err, &rc);
	assert_int_equal(rc, 0);
	/* insertion order, compact, one line */
	assert_string_equal(s, "{\"z\":\"first\",\"a\":\"8e9e05c52164694d\",\"m\":null,"
			       "\"n\":1.84467440737096e19,\"i\":42,\"l\":0.0015,\"l2\":1.234568,"
			       "\"nan\":null,\"e\":null,\"s\":null,\"arr\":[\"x\",true]}\n");
	free(s);
}

static void test_strings_repaired_and_escaped(void **state)
{
	(void)state;
	int err = 0, rc;
	json_t *doc = json_object();
	json_out_set(doc, "bad", json_out_str("\xff\xfe"), &err);
	json_out_set(doc, "cut", json_out_str("ok \xe2\x9c"), &err);
	json_out_set(doc, "esc", json_out_str("a\"b\\c\n\x01"), &err);
	char *s = write_doc(doc, err, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(s, "{\"bad\":\"\xef\xbf\xbd\xef\xbf\xbd\",\"cut\":\"ok \xef\xbf\xbd\","
			       "\"esc\":\"a\\\"b\\\\c\\n\\u0001\"}\n");
	json_error_t jerr;
	json_t *back = json_loads(s, 0, &jerr);
	assert_non_null(back);
	assert_string_equal(json_string_value(json_object_get(back, "esc")), "a\"b\\c\n\x01");
	json_decref(back);
	free(s);
}

static void test_errors_are_values(void **state)
{
	(void)state;
	int err = 0, rc;
	json_t *doc = json_object();
	json_out_set(doc, "x", NULL, &err); /* a constructor that ran out of memory */
	assert_int_equal(err, -ENOMEM);
	json_out_set(doc, "y", json_out_str("later"), &err);
	assert_int_equal(err, -ENOMEM); /* sticky */
	char *s = write_doc(doc, err, &rc);
	assert_int_equal(rc, -ENOMEM);
	assert_string_equal(s, ""); /* nothing written */
	free(s);
	err = 0;
	json_out_push(NULL, json_out_str("x"), &err); /* no array: value released, error set */
	assert_int_equal(err, -ENOMEM);
	s = write_doc(NULL, 0, &rc);
	assert_int_equal(rc, -ENOMEM);
	free(s);
	/* a stream that cannot be written */
	FILE *ro = fopen("/dev/null", "r");
	assert_non_null(ro);
	doc = json_object();
	err = 0;
	json_out_set(doc, "k", json_out_str("v"), &err);
	assert_int_equal(json_out_write(ro, doc, err), -EIO);
	fclose(ro);
	FILE *full = fopen("/dev/full", "w");
	if (full) {
		err = 0;
		doc = json_object();
		json_out_set(doc, "k", json_out_str("v"), &err);
		assert_int_equal(json_out_write(full, doc, err), -EIO);
		fclose(full);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_document_order_and_types),
		cmocka_unit_test(test_strings_repaired_and_escaped),
		cmocka_unit_test(test_errors_are_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
