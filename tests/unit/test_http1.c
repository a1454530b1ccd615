/* Unit tests for proto/http1: the GET request line, and responses as Go's net/http writes them
 * (Content-Length, chunked, to EOF) or as a hostile server might (cut, conflicting, folded). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proto/http1.h"

/* Parses a heap copy of exactly strlen(text) bytes: ASan sees any read past the end. */
static int parse(const char *text, char *body, size_t bodylen, int *status)
{
	size_t len = strlen(text);
	uint8_t *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, text, len);
	struct http1_response r;
	int e = http1_response_parse(copy, len, &r);
	if (e == 0) {
		assert_true(r.body_len < bodylen);
		memcpy(body, r.body, r.body_len);
		body[r.body_len] = '\0';
		*status = r.status;
	}
	free(copy);
	return e;
}

static void test_request(void **state)
{
	(void)state;
	char buf[256];
	size_t n = http1_request_format("127.0.0.1:2381", "/metrics", buf, sizeof(buf));
	assert_int_equal(n, strlen(buf));
	assert_string_equal(buf, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:2381\r\n"
				 "User-Agent: etcd-probe\r\nAccept: text/plain\r\n"
				 "Connection: close\r\n\r\n");
	assert_int_equal(http1_request_format("h:1", "/a b", buf, sizeof(buf)), 0);
	assert_int_equal(http1_request_format("h\r\nX: y", "/m", buf, sizeof(buf)), 0);
	assert_int_equal(http1_request_format("h:1", "/metrics", buf, 20), 0);
}

static void test_good(void **state)
{
	(void)state;
	char body[256];
	int st;
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
			       "Content-Length: 5\r\n\r\nhello", body, sizeof(body), &st), 0);
	assert_int_equal(st, 200);
	assert_string_equal(body, "hello");
	/* Go's chunked form, with a chunk extension and a trailer */
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			       "5\r\nhello\r\n7;x=y\r\n, world\r\n0\r\nX-T: 1\r\n\r\n",
			       body, sizeof(body), &st), 0);
	assert_string_equal(body, "hello, world");
	/* no length: to EOF; bare LF line ends; no reason phrase */
	assert_int_equal(parse("HTTP/1.0 404\nServer: x\n\nnot found", body, sizeof(body), &st), 0);
	assert_int_equal(st, 404);
	assert_string_equal(body, "not found");
	assert_int_equal(parse("HTTP/1.1 204 No Content\r\n\r\n", body, sizeof(body), &st), 0);
	assert_string_equal(body, "");
}

static void test_bad(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",
		"HTTP/1.1 200 OK",                                   /* no line end */
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n",          /* no end of headers */
		"HTTP/2 200\r\n\r\n",
		"SSH-2.0-OpenSSH_9.2\r\n\r\n",
		"HTTP/1.1 2x0 OK\r\n\r\n",
		"HTTP/1.1 099 Low\r\n\r\n",
		"HTTP/1.1 200OK\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
		"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxx",
		"HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n",             /* folding */
		"HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", /* no last */
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n",         /* no end */
	};
	char body[256];
	int st;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse(bad[i], body, sizeof(body), &st) != -EBADMSG)
			fail_msg("accepted bad response %zu", i);
	/* a header block over the limit */
	size_t n = HTTP1_MAX_HEAD + 64;
	char *big = malloc(n + 1);
	assert_non_null(big);
	memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
	memset(big + 20, 'a', n - 24);
	memcpy(big + n - 4, "\r\n\r\n", 4);
	big[n] = '\0';
	assert_int_equal(parse(big, body, sizeof(body), &st), -EBADMSG);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
