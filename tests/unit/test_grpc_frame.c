/* Unit tests for proto/grpc_frame: framing, response validation, grpc-message decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "proto/grpc_frame.h"

static struct grpc_response ok_response(const uint8_t *body, size_t len)
{
	struct grpc_response r = {.http_status = 200, .content_type_grpc = true, .grpc_status = 0,
				  .body = body, .body_len = len};
	return r;
}

static void test_prefix(void **state)
{
	(void)state;
	uint8_t p[5];
	grpc_frame_prefix(p, 0x01020304);
	uint8_t want[5] = {0, 1, 2, 3, 4};
	assert_memory_equal(p, want, 5);
}

static void test_ok_message(void **state)
{
	(void)state;
	const uint8_t body[] = {0, 0, 0, 0, 2, 0x0a, 0x00};
	struct grpc_response r = ok_response(body, sizeof(body));
	const uint8_t *msg;
	size_t len;
	char err[128];
	assert_int_equal(grpc_response_check(&r, &msg, &len, err, sizeof(err)), 0);
	assert_int_equal(len, 2);
	assert_ptr_equal(msg, body + 5);
}

static void test_empty_message(void **state)
{
	(void)state;
	const uint8_t body[] = {0, 0, 0, 0, 0};
	struct grpc_response r = ok_response(body, sizeof(body));
	const uint8_t *msg;
	size_t len;
	char err[128];
	assert_int_equal(grpc_response_check(&r, &msg, &len, err, sizeof(err)), 0);
	assert_int_equal(len, 0);
}

static void test_truncated(void **state)
{
	(void)state;
	const uint8_t body[] = {0, 0, 0, 0, 9, 1, 2};
	struct grpc_response r = ok_response(body, sizeof(body));
	const uint8_t *msg;
	size_t len;
	char err[128];
	assert_int_equal(grpc_response_check(&r, &msg, &len, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "truncated"));
	r.body_len = 3;
	assert_int_equal(grpc_response_check(&r, &msg, &len, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "truncated"));
}

static void test_compressed(void **state)
{
	(void)state;
	const uint8_t body[] = {1, 0, 0, 0, 1, 0};
	struct grpc_response r = ok_response(body, sizeof(body));
	const uint8_t *msg;
	size_t len;
	char err[128];
	assert_int_equal(grpc_response_check(&r, &msg, &len, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "compressed"));
}

static void test_oversize_length(void **state)
{
	(void)state;
	const uint8_t body[] = {0, 0x7f, 0xff, 0xff, 0xff};
	struct grpc_response r = ok_response(body, sizeof(body));
	const uint8_t *msg;
	size_t len;
	char err[128];
	assert_int_equal(grpc_response_check(&r, &msg, &len, err, sizeof(err)), -EMSGSIZE);
	assert_non_null(strstr(err, "4 MiB"));
	r.too_large = true;
	assert_int_equal(grpc_response_check(&r, &msg, &len, err, sizeof(err)), -EMSGSIZE);
}

static void test_grpc_error_status(void **state)
{
	(void)state;
	struct grpc_response r = {.http_status = 200, .grpc_status = 14};
	strcpy(r.grpc_message, "etcdserver: no leader");
	const uint8_t *msg;
	size_t len;
	char err[128];
	assert_int_equal(grpc_response_check(&r, &msg, &len, err, sizeof(err)), 14);
	assert_string_equal(err, "Unavailable: etcdserver: no leader");
}

static void test_missing_trailer_and_http_errors(void **state)
{
	(void)state;
	const uint8_t body[] = {0, 0, 0, 0, 0};
	struct grpc_response r = ok_response(body, sizeof(body));
	r.grpc_status = -1;
	const uint8_t *msg;
	size_t len;
	char err[128];
	assert_int_equal(grpc_response_check(&r, &msg, &len, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "grpc-status"));
	r.http_status = 404;
	assert_int_equal(grpc_response_check(&r, &msg, &len, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "404"));
	r.http_status = 0;
	r.rst_code = 7;
	assert_int_equal(grpc_response_check(&r, &msg, &len, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "REFUSED_STREAM"));
}

static void test_message_decode(void **state)
{
	(void)state;
	char out[64];
	const char *in = "etcdserver%3A no%20leader %25 %zz %0a";
	grpc_message_decode(in, strlen(in), out, sizeof(out));
	assert_string_equal(out, "etcdserver: no leader % %zz ?");
	grpc_message_decode("abc%4", 5, out, sizeof(out));
	assert_string_equal(out, "abc%4");
	grpc_message_decode("abcdef", 6, out, 4);
	assert_string_equal(out, "abc");
}

/* The decoded bytes are the server's: sanitized before they reach a report or JSON. */
static void test_message_decode_hostile(void **state)
{
	(void)state;
	char out[256];
	static const struct {
		const char *in;
		size_t outlen;
		const char *want;
	} cases[] = {
		{"%FF%FE", 256, "\xEF\xBF\xBD\xEF\xBF\xBD"}, /* no UTF-8: U+FFFD each */
		{"%C0%AF", 256, "\xEF\xBF\xBD\xEF\xBF\xBD"}, /* overlong '/' */
		{"3.4%0AETCD OK - fake", 256, "3.4?ETCD OK - fake"},
		{"a|b a%7Cb", 256, "a/b a/b"}, /* '|' starts perfdata */
		{"%E2%9C%93 ok", 256, "\xE2\x9C\x93 ok"}, /* valid UTF-8 kept */
		{"%E2%80%AEevil", 256, "?evil"}, /* bidi override */
		{"ab%E2%9C%93", 5, "ab"}, /* cut between code points */
		{"ab%E2%9C", 256, "ab\xEF\xBF\xBD"}, /* a sequence cut short: one U+FFFD */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		grpc_message_decode(cases[i].in, strlen(cases[i].in), out, cases[i].outlen);
		assert_string_equal(out, cases[i].want);
	}
}

static void test_timeout_format(void **state)
{
	(void)state;
	char out[16];
	grpc_timeout_format(1500, out);
	assert_string_equal(out, "1500m");
	grpc_timeout_format(200000000ull, out);
	assert_string_equal(out, "200000S");
	assert_string_equal(grpc_status_str(8), "ResourceExhausted");
	assert_string_equal(grpc_status_str(99), "Unknown");
	assert_string_equal(h2_error_str(11), "ENHANCE_YOUR_CALM");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_ok_message),
		cmocka_unit_test(test_empty_message),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_compressed),
		cmocka_unit_test(test_oversize_length),
		cmocka_unit_test(test_grpc_error_status),
		cmocka_unit_test(test_missing_trailer_and_http_errors),
		cmocka_unit_test(test_message_decode),
		cmocka_unit_test(test_message_decode_hostile),
		cmocka_unit_test(test_timeout_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
