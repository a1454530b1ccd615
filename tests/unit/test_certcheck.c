/* Unit tests for diag/certcheck: does a member's certificate cover the addresses it advertises,
 * by Go's rule (the one its clients and peers apply)? Certificates are made in memory and
 * written to a temporary directory; no CA or network involved (a key file only for its mode). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "diag/certcheck.h"

#define T0 1800000000 /* 2027-01-15 */

/* Writes a self-signed certificate (CN=cn, SANs sans or none, a year valid from T0) to path. */
static void write_cert(const char *path, const char *cn, const char *sans)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	assert_non_null(key);
	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 9);
	X509_NAME *n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, n);
	ASN1_TIME_set(X509_getm_notBefore(x), T0);
	ASN1_TIME_set(X509_getm_notAfter(x), T0 + 365 * 86400);
	X509_set_pubkey(x, key);
	if (sans) {
		X509V3_CTX ctx;
		X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
		X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, sans);
		assert_non_null(e);
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	}
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_X509(f, x), 1);
	fclose(f);
	X509_free(x);
	EVP_PKEY_free(key);
}

/* A temporary directory with a certificate server.pem in it (CN=cn, SANs sans), a configuration
 * naming it and an empty report: what every test here starts from. */
struct cert_dir {
	char dir[32];
	struct diag_config *cfg;
	struct cert_report *r;
};

static void cert_dir_make(struct cert_dir *d, const char *cn, const char *sans)
{
	snprintf(d->dir, sizeof(d->dir), "/tmp/test_certcheck.XXXXXX");
	assert_non_null(mkdtemp(d->dir));
	d->cfg = calloc(1, sizeof(*d->cfg));
	d->r = calloc(1, sizeof(*d->r));
	assert_non_null(d->cfg);
	assert_non_null(d->r);
	snprintf(d->cfg->cert_file, sizeof(d->cfg->cert_file), "%s/server.pem", d->dir);
	write_cert(d->cfg->cert_file, cn, sans);
}

/* Removes what cert_dir_make and the test wrote (a key file, if the configuration names one). */
static void cert_dir_remove(struct cert_dir *d)
{
	if (d->cfg->key_file[0])
		unlink(d->cfg->key_file);
	unlink(d->cfg->cert_file);
	rmdir(d->dir);
	free(d->cfg);
	free(d->r);
}

/* The SAN-mismatch findings of a client certificate advertised at urls: the hosts wanted,
 * space-separated in order, into wanted; the first detail into detail. */
static void san_findings(const char *cn, const char *sans, const char *urls, char *wanted,
			 size_t wanted_len, char *detail, size_t detail_len)
{
	struct cert_dir d;
	cert_dir_make(&d, cn, sans);
	snprintf(d.cfg->advertise_client_urls, sizeof(d.cfg->advertise_client_urls), "%s", urls);
	assert_int_equal(certcheck_run(d.cfg, T0 + 86400, d.r), 0);
	wanted[0] = detail[0] = '\0';
	for (size_t i = 0; i < d.r->n; i++) {
		if (d.r->v[i].code != DIAG_CERT_SAN_MISMATCH)
			continue;
		size_t used = strlen(wanted);
		snprintf(wanted + used, wanted_len - used, "%s%s", used ? " " : "", d.r->v[i].wanted);
		if (!detail[0])
			snprintf(detail, detail_len, "%s", d.r->v[i].detail);
	}
	cert_dir_remove(&d);
}

/* One row per certificate and advertised URLs: the hosts certcheck must say are not covered. */
static void test_san_go_rule(void **state)
{
	(void)state;
	static const struct {
		const char *cn, *sans, *urls, *mismatched;
	} rows[] = {
		/* CN only: Go (and so etcdctl and the peers) never falls back to the CN */
		{"localhost", NULL, "https://localhost:2379", "localhost"},
		/* an IP written as a DNS SAN does not cover the IP */
		{"etcd", "DNS:127.0.0.1", "https://127.0.0.1:2379", "127.0.0.1"},
		{"127.0.0.1", NULL, "https://127.0.0.1:2379", "127.0.0.1"},
		{"etcd", "IP:127.0.0.1,DNS:localhost",
		 "https://127.0.0.1:2379,https://localhost:2379", ""},
		/* "*." is a whole leftmost label matching exactly one label */
		{"etcd", "DNS:*.example.com",
		 "https://a.example.com:2379,https://a.b.example.com:2379,https://example.com:2379",
		 "a.b.example.com example.com"},
		{"etcd", "DNS:m*.example.com", "https://m1.example.com:2379", "m1.example.com"},
	};
	char wanted[256], detail[400];
	unsigned bad = 0;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		san_findings(rows[i].cn, rows[i].sans, rows[i].urls, wanted, sizeof(wanted), detail,
			     sizeof(detail));
		if (strcmp(wanted, rows[i].mismatched) != 0) {
			print_error("row %zu (%s, CN=%s) at %s: mismatch findings for \"%s\", "
				    "want \"%s\"\n", i, rows[i].sans ? rows[i].sans : "no SANs",
				    rows[i].cn, rows[i].urls, wanted, rows[i].mismatched);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* The finding says why, in Go's words, and what the certificate presents. */
static void test_san_detail(void **state)
{
	(void)state;
	char wanted[256], detail[400];
	san_findings("localhost", NULL, "https://localhost:2379", wanted, sizeof(wanted), detail,
		     sizeof(detail));
	assert_non_null(strstr(detail, "certificate relies on legacy Common Name field, use SANs "
				       "instead (CN=localhost, no subject alternative names)"));
	san_findings("etcd", "DNS:127.0.0.1", "https://127.0.0.1:2379", wanted, sizeof(wanted),
		     detail, sizeof(detail));
	assert_non_null(strstr(detail, "cannot validate certificate for 127.0.0.1 because it "
				       "doesn't contain any IP SANs (DNS SANs: 127.0.0.1)"));
}

/* A key shared with its daemon's group (etcd-install: root:etcd 0640) is no finding; a key
 * others may read, or its group may write, is. One row per mode. */
static void test_key_mode(void **state)
{
	(void)state;
	static const struct {
		mode_t mode;
		bool finding;
	} rows[] = {{0600, false}, {0640, false}, {0400, false}, {0644, true},
		    {0604, true},  {0660, true},  {0620, true}};
	struct cert_dir d;
	cert_dir_make(&d, "etcd", "IP:127.0.0.1");
	snprintf(d.cfg->key_file, sizeof(d.cfg->key_file), "%s/server-key.pem", d.dir);
	FILE *f = fopen(d.cfg->key_file, "w");
	assert_non_null(f);
	fclose(f);
	unsigned bad = 0;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(chmod(d.cfg->key_file, rows[i].mode), 0);
		memset(d.r, 0, sizeof(*d.r));
		assert_int_equal(certcheck_run(d.cfg, T0 + 86400, d.r), 0);
		bool seen = false;
		for (size_t k = 0; k < d.r->n; k++)
			seen |= d.r->v[k].code == DIAG_KEY_FILE_PERMISSIONS;
		if (seen != rows[i].finding) {
			print_error("key mode %04o: key-file-permissions %s, want %s\n",
				    (unsigned)rows[i].mode, seen ? "found" : "not found",
				    rows[i].finding ? "found" : "not found");
			bad++;
		}
	}
	cert_dir_remove(&d);
	assert_int_equal(bad, 0);
}

/* A certificate CN=cn valid [nb, na], signed by (ca, ca_key) or self-signed when ca is NULL (then
 * a CA: basicConstraints CA:TRUE). Writes it to path; returns it and its key (caller frees). */
static X509 *write_dated(const char *path, const char *cn, time_t nb, time_t na, X509 *ca,
			 EVP_PKEY *ca_key, EVP_PKEY **ret_key)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	assert_non_null(key);
	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), ca ? 11 : 10);
	X509_NAME *n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, ca ? X509_get_subject_name(ca) : n);
	ASN1_TIME_set(X509_getm_notBefore(x), nb);
	ASN1_TIME_set(X509_getm_notAfter(x), na);
	X509_set_pubkey(x, key);
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, ca ? ca : x, x, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, ca ? NID_subject_alt_name
							      : NID_basic_constraints,
						ca ? "IP:127.0.0.1" : "critical,CA:TRUE");
	assert_non_null(e);
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	if (ca) {
		e = X509V3_EXT_conf_nid(NULL, &ctx, NID_ext_key_usage, "serverAuth");
		assert_non_null(e);
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	}
	assert_true(X509_sign(x, ca ? ca_key : key, EVP_sha256()) > 0);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_X509(f, x), 1);
	fclose(f);
	*ret_key = key;
	return x;
}

/* The CA file is checked for its own dates and counted: a valid server certificate signed by a
 * CA that expired yesterday is cert-expired naming the CA file (etcd's clients and peers refuse
 * every chain through it); a CA expiring within the leaves' thresholds warns as they do. One
 * row per CA validity, seen from T0 + 1 day. */
static void test_ca_dates(void **state)
{
	(void)state;
	static const struct {
		const char *what;
		time_t ca_nb, ca_na;
		enum diag_code code; /* DIAG_CODE_NONE: no finding */
		enum diag_severity sev;
	} rows[] = {
		{"CA expired yesterday", T0 - 365 * 86400, T0, DIAG_CERT_EXPIRED, DIAG_SEV_CRITICAL},
		{"CA expires in 20 days", T0 - 86400, T0 + 21 * 86400 + 60, DIAG_CERT_EXPIRING,
		 DIAG_SEV_WARNING},
		{"CA expires in 3 days", T0 - 86400, T0 + 4 * 86400 + 60, DIAG_CERT_EXPIRING,
		 DIAG_SEV_CRITICAL},
		{"CA not valid yet", T0 + 2 * 86400, T0 + 3650 * 86400, DIAG_CERT_NOT_YET_VALID,
		 DIAG_SEV_CRITICAL},
		{"CA valid ten years", T0 - 86400, T0 + 3650 * 86400, DIAG_CODE_NONE, DIAG_SEV_OK},
	};
	char dir[] = "/tmp/test_certcheck.XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct diag_config *cfg = calloc(1, sizeof(*cfg));
	struct cert_report *r = calloc(1, sizeof(*r));
	assert_non_null(cfg);
	assert_non_null(r);
	snprintf(cfg->cert_file, sizeof(cfg->cert_file), "%s/server.pem", dir);
	snprintf(cfg->trusted_ca_file, sizeof(cfg->trusted_ca_file), "%s/ca.pem", dir);
	snprintf(cfg->advertise_client_urls, sizeof(cfg->advertise_client_urls),
		 "https://127.0.0.1:2379");
	unsigned bad = 0;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		EVP_PKEY *ca_key, *key;
		X509 *ca = write_dated(cfg->trusted_ca_file, "etcd-ca", rows[i].ca_nb, rows[i].ca_na,
				       NULL, NULL, &ca_key);
		X509 *leaf = write_dated(cfg->cert_file, "etcd", T0 - 86400, T0 + 365 * 86400, ca,
					 ca_key, &key);
		memset(r, 0, sizeof(*r));
		assert_int_equal(certcheck_run(cfg, T0 + 86400, r), 0);
		const struct cert_finding *f = NULL;
		for (size_t k = 0; k < r->n; k++)
			if (strcmp(r->v[k].file, cfg->trusted_ca_file) == 0)
				f = &r->v[k];
		bool counted = false;
		for (size_t k = 0; k < r->n_certs; k++)
			counted |= strcmp(r->certs[k].file, cfg->trusted_ca_file) == 0 &&
				   r->certs[k].loaded;
		enum diag_code got = f ? f->code : DIAG_CODE_NONE;
		if (got != rows[i].code || (f && f->severity != rows[i].sev) ||
		    (f && !strstr(f->detail, cfg->trusted_ca_file)) || !counted ||
		    r->n != (rows[i].code != DIAG_CODE_NONE)) {
			print_error("%s: %zu findings, on the CA %s (%s), CA %scounted\n",
				    rows[i].what, r->n, diag_code_str(got),
				    f ? f->detail : "no finding", counted ? "" : "not ");
			bad++;
		}
		X509_free(leaf);
		X509_free(ca);
		EVP_PKEY_free(key);
		EVP_PKEY_free(ca_key);
	}
	unlink(cfg->cert_file);
	unlink(cfg->trusted_ca_file);
	rmdir(dir);
	free(cfg);
	free(r);
	assert_int_equal(bad, 0);
}

/* A CA file is dated once per path even when the certificates looked at are full (kubeadm's
 * ca.crt named as client CA, peer CA and --cacert), and its findings say it is a CA. */
static void test_ca_once_when_full(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_certcheck.XXXXXX", ca[64];
	assert_non_null(mkdtemp(dir));
	snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
	EVP_PKEY *key;
	X509 *x = write_dated(ca, "etcd-ca", T0 - 365 * 86400, T0, NULL, NULL, &key);
	struct cert_report *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	r->n_certs = CERTCHECK_MAX_CERTS; /* three leaves and three others before it */
	for (int i = 0; i < 3; i++)
		certcheck_ca(r, ca, T0 + 86400);
	assert_int_equal(r->n, 1);
	assert_int_equal(r->v[0].code, DIAG_CERT_EXPIRED);
	assert_string_equal(r->v[0].file, ca);
	assert_true(r->v[0].ca);
	unlink(ca);
	rmdir(dir);
	X509_free(x);
	EVP_PKEY_free(key);
	free(r);
}

/* A CA file no job named (--cacert) that is missing or holds no certificate is a finding
 * naming it, once; one a job already said something of is left to that. */
static void test_ca_unusable(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_certcheck.XXXXXX", junk[64], gone[64];
	assert_non_null(mkdtemp(dir));
	snprintf(junk, sizeof(junk), "%s/junk.pem", dir);
	snprintf(gone, sizeof(gone), "%s/gone.pem", dir);
	FILE *f = fopen(junk, "w");
	assert_non_null(f);
	fputs("not a certificate\n", f);
	fclose(f);
	struct cert_report *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	certcheck_ca(r, junk, T0);
	certcheck_ca(r, junk, T0);
	certcheck_ca(r, gone, T0);
	assert_int_equal(r->n, 2);
	assert_int_equal(r->v[0].code, DIAG_FILE_MISSING);
	assert_string_equal(r->v[0].file, junk);
	assert_non_null(strstr(r->v[0].detail, "holds no PEM certificate"));
	assert_int_equal(r->v[1].code, DIAG_FILE_MISSING);
	assert_string_equal(r->v[1].file, gone);
	assert_int_equal(r->n_certs, 0);
	/* already said by a job: not said again */
	memset(r, 0, sizeof(*r));
	r->n = 1;
	r->v[0].code = DIAG_FILE_MISSING;
	snprintf(r->v[0].file, sizeof(r->v[0].file), "%s", junk);
	certcheck_ca(r, junk, T0);
	assert_int_equal(r->n, 1);
	unlink(junk);
	rmdir(dir);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_san_go_rule),
		cmocka_unit_test(test_san_detail),
		cmocka_unit_test(test_key_mode),
		cmocka_unit_test(test_ca_dates),
		cmocka_unit_test(test_ca_once_when_full),
		cmocka_unit_test(test_ca_unusable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
