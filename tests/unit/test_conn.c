/* Unit tests for proto/conn's pure parts: the stable keys of enum conn_error, which reports,
 * JSON and etcd-diag map instead of reading the English line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/conn.h"

static void test_error_keys(void **state)
{
	(void)state;
	static const struct {
		enum conn_error e;
		const char *key;
	} rows[] = {
		{CONN_ERR_NONE, "none"},
		{CONN_ERR_REFUSED, "refused"},
		{CONN_ERR_UNREACHABLE, "unreachable"},
		{CONN_ERR_IO, "io"},
		{CONN_ERR_CLOSED, "closed"},
		{CONN_ERR_TLS_VERIFY, "tls-verify"},
		{CONN_ERR_CLIENT_CERT_REJECTED, "client-cert-rejected"},
		{CONN_ERR_CLIENT_CERT_REQUIRED, "client-cert-required"},
		{CONN_ERR_NOT_TLS, "not-tls"},
		{CONN_ERR_NO_H2, "no-h2"},
		{CONN_ERR_TLS, "tls"},
		{CONN_ERR_HTTP2, "http2"},
		{CONN_ERR_INTERNAL, "internal"},
	};
	size_t n = sizeof(rows) / sizeof(rows[0]);
	/* every value in the table, in order: a new kind must get a row here and a key there */
	assert_int_equal(n, CONN_ERR_INTERNAL + 1);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(rows[i].e, i);
		assert_string_equal(conn_error_str(rows[i].e), rows[i].key);
	}
	assert_string_equal(conn_error_str((enum conn_error)(CONN_ERR_INTERNAL + 1)), "?");
	assert_string_equal(conn_error_str((enum conn_error)-1), "?");
}

/* conn_fail records the kind with the reason; the first one wins. */
static void test_fail_first_wins(void **state)
{
	(void)state;
	struct endpoint ep;
	memset(&ep, 0, sizeof(ep));
	struct conn *c = conn_new(&ep, NULL, false);
	assert_non_null(c);
	assert_int_equal(c->err_kind, CONN_ERR_NONE);
	conn_fail(c, CONN_ERR_HTTP2, "server sent GOAWAY (%s)", "NO_ERROR");
	conn_fail(c, CONN_ERR_INTERNAL, "cannot start the %s call", "Status");
	assert_int_equal(c->err_kind, CONN_ERR_HTTP2);
	assert_string_equal(c->err, "server sent GOAWAY (NO_ERROR)");
	assert_int_equal(c->failed_stage, CONN_STAGE_CONNECT);
	assert_int_equal(c->stage, CONN_STAGE_CLOSED);
	conn_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_keys),
		cmocka_unit_test(test_fail_first_wins),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
