/* Unit tests for proto/certinfo: facts read from a certificate made in memory, and the one-line
 * wording of each verification failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "proto/certinfo.h"

#define T0 1800000000 /* 2027-01-15 */

/* A self-signed EC certificate with the given SANs and extended key usage. */
static X509 *make_cert(const char *sans, const char *eku, time_t nb, time_t na)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	assert_non_null(key);
	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_NAME *n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"k8s", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"etcd", -1, -1, 0);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_facts),
		cmocka_unit_test(test_wordings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
