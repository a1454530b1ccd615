/* Unit tests for proto/certinfo: facts read from a certificate made in memory, and the one-line
 * wording of each verification failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include <stdbool.h>
#include <string.h>

#include "proto/certinfo.h"

#define T0 1800000000 /* 2027-01-15 */

/* A self-signed EC certificate, subject O=k8s and CN=cn, with the given SANs and extended key
 * usage. */
static X509 *make_cert_cn(const char *cn, const char *sans, const char *eku, time_t nb, time_t na)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	assert_non_null(key);
	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_NAME *n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"k8s", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, n);
	ASN1_TIME_set(X509_getm_notBefore(x), nb);
	ASN1_TIME_set(X509_getm_notAfter(x), na);
	X509_set_pubkey(x, key);
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	if (sans) {
		X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, sans);
		assert_non_null(e);
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	}
	if (eku) {
		X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, NID_ext_key_usage, eku);
		assert_non_null(e);
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	}
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	EVP_PKEY_free(key);
	return x;
}

static X509 *make_cert(const char *sans, const char *eku, time_t nb, time_t na)
{
	return make_cert_cn("etcd", sans, eku, nb, na);
}

static void test_facts(void **state)
{
	(void)state;
	X509 *x = make_cert("IP:127.0.0.1,DNS:etcd.local,IP:127.0.5.1", "serverAuth", T0, T0 + 86400);
	struct cert_facts f;
	assert_int_equal(certinfo_read(x, &f), 0);
	assert_string_equal(f.subject, "O=k8s, CN=etcd");
	assert_string_equal(f.sans, "127.0.0.1, 127.0.5.1, etcd.local");
	assert_int_equal(f.not_before, T0);
	assert_int_equal(f.not_after, T0 + 86400);
	assert_true(f.has_eku);
	assert_true(f.eku_server);
	assert_false(f.eku_client);
	char d[16];
	certinfo_date(T0, d);
	assert_string_equal(d, "2027-01-15");
	X509_free(x);
}

static void test_wordings(void **state)
{
	(void)state;
	X509 *x = make_cert("IP:127.0.0.1,IP:127.0.5.1", NULL, T0, T0 + 86400);
	char out[320];
	certinfo_explain_verify(X509_V_ERR_IP_ADDRESS_MISMATCH, x, "127.0.5.3", out, sizeof(out));
	assert_string_equal(out, "certificate is valid for 127.0.0.1, 127.0.5.1, not 127.0.5.3");
	certinfo_explain_verify(X509_V_ERR_CERT_HAS_EXPIRED, x, "h", out, sizeof(out));
	assert_string_equal(out, "certificate expired 2027-01-16 (O=k8s, CN=etcd)");
	certinfo_explain_verify(X509_V_ERR_CERT_NOT_YET_VALID, x, "h", out, sizeof(out));
	assert_non_null(strstr(out, "not valid before 2027-01-15"));
	certinfo_explain_verify(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, x, "h", out,
				sizeof(out));
	assert_string_equal(out, "certificate signed by unknown authority (issuer O=k8s, CN=etcd): "
				 "not the --cacert CA");
	certinfo_explain_verify(X509_V_ERR_IP_ADDRESS_MISMATCH, NULL, "127.0.5.3", out, sizeof(out));
	assert_string_equal(out, "certificate is not valid for 127.0.5.3");
	certinfo_explain_verify(X509_V_ERR_CERT_REVOKED, x, "h", out, sizeof(out));
	assert_non_null(strstr(out, "certificate verify failed: "));
	X509_free(x);
	x = make_cert(NULL, NULL, T0, T0 + 1);
	certinfo_explain_verify(X509_V_ERR_HOSTNAME_MISMATCH, x, "etcd1", out, sizeof(out));
	assert_non_null(strstr(out, "no subject alternative names"));
	struct cert_facts f;
	assert_int_equal(certinfo_read(x, &f), 0);
	assert_true(f.eku_server && f.eku_client && !f.has_eku);
	X509_free(x);
}

/* Go's VerifyHostname: no CN fallback, IPs only by IP SANs, "*." a whole leftmost label
 * matching one label. Each row: SANs (NULL: none), CN, host, covered. */
static void test_covers_go_rule(void **state)
{
	(void)state;
	static const struct {
		const char *sans, *cn, *host;
		bool covered;
	} rows[] = {
		{NULL, "localhost", "localhost", false},  /* CN only: Go 1.15+ refuses */
		{"DNS:localhost", "localhost", "localhost", true},
		{"DNS:127.0.0.1", "etcd", "127.0.0.1", false}, /* an IP spelt as a DNS SAN */
		{"IP:127.0.0.1", "etcd", "127.0.0.1", true},
		{"IP:127.0.0.1", "127.0.0.2", "127.0.0.2", false}, /* nor an IP in the CN */
		{"IP:::1", "etcd", "::1", true},
		{"DNS:*.example.com", "etcd", "a.example.com", true},
		{"DNS:*.example.com", "etcd", "A.Example.COM", true},
		{"DNS:*.example.com", "etcd", "a.b.example.com", false}, /* one label only */
		{"DNS:*.example.com", "etcd", "example.com", false},
		{"DNS:a*.example.com", "etcd", "ab.example.com", false}, /* partial label */
		{"DNS:a.*.example.com", "etcd", "a.b.example.com", false}, /* not leftmost */
		{"DNS:etcd.local", "etcd", "etcd.local", true},
		{"DNS:etcd.local", "etcd", "etcd2.local", false},
	};
	unsigned bad = 0;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		X509 *x = make_cert_cn(rows[i].cn, rows[i].sans, NULL, T0, T0 + 86400);
		if (certinfo_covers(x, rows[i].host) != rows[i].covered) {
			print_error("row %zu: %s (CN=%s) for %s: want %s\n", i,
				    rows[i].sans ? rows[i].sans : "no SANs", rows[i].cn,
				    rows[i].host, rows[i].covered ? "covered" : "refused");
			bad++;
		}
		X509_free(x);
	}
	assert_int_equal(bad, 0);
	assert_true(certinfo_host_is_ip("127.0.0.1"));
	assert_true(certinfo_host_is_ip("::1"));
	assert_false(certinfo_host_is_ip("localhost"));
	assert_false(certinfo_host_is_ip("[::1]"));
}

/* The name-mismatch wording, Go's sentence first, then what the certificate presents. */
static void test_name_wordings(void **state)
{
	(void)state;
	static const struct {
		const char *sans, *cn, *host, *want;
	} rows[] = {
		{NULL, "localhost", "localhost",
		 "certificate relies on legacy Common Name field, use SANs instead (CN=localhost, "
		 "no subject alternative names)"},
		{NULL, "*.example.com", "a.example.com",
		 "certificate relies on legacy Common Name field, use SANs instead "
		 "(CN=*.example.com, no subject alternative names)"},
		{NULL, "etcd", "localhost",
		 "certificate is not valid for any names, but wanted to match localhost (no "
		 "subject alternative names; subject O=k8s, CN=etcd)"},
		{"DNS:127.0.0.1,DNS:etcd.local", "etcd", "127.0.0.1",
		 "cannot validate certificate for 127.0.0.1 because it doesn't contain any IP SANs "
		 "(DNS SANs: 127.0.0.1, etcd.local)"},
		{"IP:127.0.0.1", "etcd", "etcd.local",
		 "certificate is not valid for any names, but wanted to match etcd.local (IP SANs: "
		 "127.0.0.1)"},
		{"IP:127.0.0.1,DNS:etcd.local", "etcd", "etcd2.local",
		 "certificate is valid for etcd.local, not etcd2.local"},
		{"IP:127.0.0.1,DNS:etcd.local,IP:127.0.5.1", "etcd", "127.0.5.3",
		 "certificate is valid for 127.0.0.1, 127.0.5.1, not 127.0.5.3"},
		/* a SAN extension present: Go does not mention the CN even when it matches */
		{"DNS:etcd.local", "localhost", "localhost",
		 "certificate is valid for etcd.local, not localhost"},
	};
	char out[320];
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		X509 *x = make_cert_cn(rows[i].cn, rows[i].sans, NULL, T0, T0 + 86400);
		certinfo_explain_name(x, rows[i].host, out, sizeof(out));
		if (strcmp(out, rows[i].want) != 0)
			fail_msg("row %zu: got \"%s\", want \"%s\"", i, out, rows[i].want);
		/* the verification wording is the same sentence */
		long err = certinfo_host_is_ip(rows[i].host) ? X509_V_ERR_IP_ADDRESS_MISMATCH
							     : X509_V_ERR_HOSTNAME_MISMATCH;
		certinfo_explain_verify(err, x, rows[i].host, out, sizeof(out));
		assert_string_equal(out, rows[i].want);
		X509_free(x);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_facts),
		cmocka_unit_test(test_wordings),
		cmocka_unit_test(test_covers_go_rule),
		cmocka_unit_test(test_name_wordings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
