/* certcheck.c: inspect the member's certificate files with OpenSSL and return findings. */
#include "diag/certcheck.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "diag/access_hint.h"
#include "diag/text.h"
#include "proto/regfile.h"

/* One certificate to check and what it must satisfy (merged when client and peer share a
 * file: the etcd guides use one certificate for both). */
struct cert_job {
	const char *cert, *key, *ca;
	char hosts[8][128];
	size_t n_hosts;
	bool need_server, need_client;
	char roles[32];
	const char *group; /* the unit's Group= for the hints, NULL when not known */
};

static void add_finding(struct cert_report *r, enum diag_code code, enum diag_severity sev,
			const char *file, const char *wanted, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void add_finding(struct cert_report *r, enum diag_code code, enum diag_severity sev,
			const char *file, const char *wanted, const char *fmt, ...)
{
	if (r->n >= CERTCHECK_MAX_FINDINGS)
		return;
	struct cert_finding *f = &r->v[r->n++];
	memset(f, 0, sizeof(*f));
	f->code = code;
	f->severity = sev;
	text_scopy(f->file, sizeof(f->file), file ? file : "");
	text_scopy(f->wanted, sizeof(f->wanted), wanted ? wanted : "");
	va_list ap;
	va_start(ap, fmt);
	text_vprintf(f->detail, sizeof(f->detail), fmt, ap);
	va_end(ap);
}

static void job_add_hosts(struct cert_job *j, const char *urls)
{
	char h[128];
	for (size_t i = 0; config_url_host(urls, i, h, sizeof(h)) == 0; i++) {
		/* wildcard listen addresses say nothing about the names clients use */
		if (strcmp(h, "0.0.0.0") == 0 || strcmp(h, "::") == 0 || !h[0])
			continue;
		bool dup = false;
		for (size_t k = 0; k < j->n_hosts; k++)
			dup |= strcmp(j->hosts[k], h) == 0;
		if (!dup && j->n_hosts < sizeof(j->hosts) / sizeof(j->hosts[0]))
			snprintf(j->hosts[j->n_hosts++], sizeof(j->hosts[0]), "%s", h);
	}
}

/* etcd-diag run as a user who may not read a file etcd reads: said as such, never "missing"
 * (etcd-install keeps keys 0640 root:etcd, Debian's package 0600 etcd). */
static void cannot_read(struct cert_report *r, const char *path, const char *what,
			const char *group)
{
	char hint[160];
	access_hint(path, group, hint, sizeof(hint));
	add_finding(r, DIAG_CANNOT_READ_HERE, DIAG_SEV_INFO, path, NULL, "cannot read %s %s (%s)",
		    what, path, hint);
}

/* A file that must exist: FILE_MISSING otherwise, CANNOT_READ_HERE when it exists but this
 * user may not read it. Returns true when it can be read. */
static bool check_exists(struct cert_report *r, const char *path, const char *what,
			 const char *group)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		if (errno == EACCES)
			cannot_read(r, path, what, group);
		else
			add_finding(r, DIAG_FILE_MISSING, DIAG_SEV_CRITICAL, path, NULL, "%s %s: %s",
				    what, path, strerror(errno));
		return false;
	}
	if (access(path, R_OK) != 0 && errno == EACCES) {
		cannot_read(r, path, what, group);
		return false;
	}
	return true;
}

/* OpenSSL's default callback would ask for a passphrase on the terminal: never wait for one
 * (an encrypted key is unusable by etcd anyway). */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf, (void)size, (void)rwflag, (void)u;
	return -1;
}

/* The file as a stream, never blocking on a FIFO or device (regfile). */
static FILE *open_pem(const char *path)
{
	char err[64];
	return regfile_fopen("file", path, err, sizeof(err));
}

static X509 *load_cert(const char *path, STACK_OF(X509) * chain)
{
	FILE *f = open_pem(path);
	if (!f)
		return NULL;
	X509 *leaf = PEM_read_X509(f, NULL, no_passphrase, NULL);
	X509 *extra;
	while (leaf && chain && (extra = PEM_read_X509(f, NULL, no_passphrase, NULL)) != NULL)
		if (!sk_X509_push(chain, extra))
			X509_free(extra);
	fclose(f);
	ERR_clear_error();
	return leaf;
}

static EVP_PKEY *load_key(const char *path)
{
	FILE *f = open_pem(path);
	if (!f)
		return NULL;
	EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, no_passphrase, NULL);
	fclose(f);
	ERR_clear_error();
	return k;
}

/* Verifies the chain against the CA file; dates are checked on their own, so ignored here. */
static void check_chain(struct cert_report *r, X509 *x, STACK_OF(X509) * chain, const char *ca,
			const char *file, const struct cert_facts *cf)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	if (!store || !ctx)
		goto out;
	if (X509_STORE_load_file(store, ca) != 1) {
		add_finding(r, DIAG_FILE_MISSING, DIAG_SEV_CRITICAL, ca, NULL,
			    "trusted CA file %s holds no readable certificate", ca);
		goto out;
	}
	X509_STORE_set_flags(store, X509_V_FLAG_NO_CHECK_TIME | X509_V_FLAG_PARTIAL_CHAIN);
	if (X509_STORE_CTX_init(ctx, store, x, chain) != 1)
		goto out;
	if (X509_verify_cert(ctx) != 1) {
		int e = X509_STORE_CTX_get_error(ctx);
		add_finding(r, DIAG_CERT_UNKNOWN_AUTHORITY, DIAG_SEV_CRITICAL, file, NULL,
			    "%s (issuer %s) does not verify against %s: %s", file, cf->issuer, ca,
			    X509_verify_cert_error_string(e));
	}
out:
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	ERR_clear_error();
}

/* Expired, not yet valid or expiring soon, one finding at most; file is what the finding is
 * about, label how the detail names it. */
static void check_dates(struct cert_report *r, const char *file, const char *label,
			const struct cert_facts *cf, time_t now)
{
	char d1[16], d2[16];
	certinfo_date(cf->not_before, d1);
	certinfo_date(cf->not_after, d2);
	if (cf->not_after && now > cf->not_after) {
		add_finding(r, DIAG_CERT_EXPIRED, DIAG_SEV_CRITICAL, file, NULL,
			    "%s expired on %s (valid %s to %s)", label, d2, d1, d2);
	} else if (cf->not_before && now < cf->not_before) {
		add_finding(r, DIAG_CERT_NOT_YET_VALID, DIAG_SEV_CRITICAL, file, NULL,
			    "%s is not valid before %s", label, d1);
	} else if (cf->not_after) {
		long days = (long)((cf->not_after - now) / 86400);
		if (days < CERTCHECK_EXPIRING_DAYS)
			add_finding(r, DIAG_CERT_EXPIRING,
				    days < CERTCHECK_CRITICAL_DAYS ? DIAG_SEV_CRITICAL
								   : DIAG_SEV_WARNING,
				    file, NULL, "%s expires in %ld days (%s)", label, days, d2);
	}
}

/* Whether something was already said of path (a job's missing CA, check_chain's unreadable
 * one): said once. */
static bool said_of(const struct cert_report *r, const char *path)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].file, path) == 0)
			return true;
	return false;
}

/* A trusted CA file: every certificate in it (a bundle may hold several) checked for its dates,
 * which check_chain ignores (X509_V_FLAG_NO_CHECK_TIME) but Go's verifier does not: a CA past
 * its notAfter fails every handshake that chains to it. Once per path, by a list of its own:
 * the certificates looked at may be full already. A file no job named (--cacert, a CA without
 * a certificate beside it) that is missing, closed or holds no certificate is said here. */
void certcheck_ca(struct cert_report *r, const char *ca, time_t now)
{
	if (!ca || !ca[0])
		return;
	for (size_t i = 0; i < r->n_ca_dated; i++)
		if (strcmp(r->ca_dated[i], ca) == 0)
			return;
	if (r->n_ca_dated >= CERTCHECK_MAX_CAS)
		return;
	text_scopy(r->ca_dated[r->n_ca_dated++], sizeof(r->ca_dated[0]), ca);
	bool said = said_of(r, ca);
	if (said ? access(ca, R_OK) != 0 : !check_exists(r, ca, "trusted CA file", NULL))
		return;
	STACK_OF(X509) *rest = sk_X509_new_null();
	X509 *x = load_cert(ca, rest);
	if (!x && !said)
		add_finding(r, DIAG_FILE_MISSING, DIAG_SEV_CRITICAL, ca, NULL,
			    "trusted CA file %s holds no PEM certificate", ca);
	struct cert_seen *seen = NULL;
	if (x && r->n_certs < CERTCHECK_MAX_CERTS) {
		seen = &r->certs[r->n_certs++];
		memset(seen, 0, sizeof(*seen));
		snprintf(seen->file, sizeof(seen->file), "%s", ca);
		snprintf(seen->roles, sizeof(seen->roles), "%s", CERTCHECK_ROLE_CA);
	}
	size_t first = r->n;
	for (int i = -1; x && i < (rest ? sk_X509_num(rest) : 0); i++) {
		X509 *c = i < 0 ? x : sk_X509_value(rest, i);
		struct cert_facts cf;
		if (certinfo_read(c, &cf) < 0)
			continue;
		if (seen && i < 0) {
			seen->loaded = true;
			seen->facts = cf;
		}
		char label[CONFIG_PATH_LEN + 200];
		snprintf(label, sizeof(label), "trusted CA file %s (CA %s)", ca, cf.subject);
		check_dates(r, ca, label, &cf, now);
	}
	for (size_t i = first; i < r->n; i++)
		r->v[i].ca = true;
	X509_free(x);
	sk_X509_pop_free(rest, X509_free);
	ERR_clear_error();
}

static void check_job(struct cert_report *r, const struct cert_job *j, time_t now)
{
	STACK_OF(X509) *chain = sk_X509_new_null();
	X509 *x = NULL;
	EVP_PKEY *k = NULL;
	struct cert_seen *seen = NULL;
	struct stat kst;

	if (r->n_certs < CERTCHECK_MAX_CERTS) {
		seen = &r->certs[r->n_certs++];
		memset(seen, 0, sizeof(*seen));
		snprintf(seen->file, sizeof(seen->file), "%s", j->cert);
		snprintf(seen->key_file, sizeof(seen->key_file), "%s", j->key ? j->key : "");
		snprintf(seen->ca_file, sizeof(seen->ca_file), "%s", j->ca ? j->ca : "");
		snprintf(seen->roles, sizeof(seen->roles), "%s", j->roles);
	}
	if (!check_exists(r, j->cert, "certificate", j->group))
		goto keyfile;
	x = load_cert(j->cert, chain);
	if (!x) {
		add_finding(r, DIAG_FILE_MISSING, DIAG_SEV_CRITICAL, j->cert, NULL,
			    "%s holds no PEM certificate", j->cert);
		goto keyfile;
	}
	struct cert_facts cf;
	if (certinfo_read(x, &cf) < 0)
		memset(&cf, 0, sizeof(cf));
	if (seen) {
		seen->loaded = true;
		seen->facts = cf;
	}
	check_dates(r, j->cert, j->cert, &cf, now);
	/* Go's rule, as the clients and peers of this member apply it: no CN fallback, an IP only
	 * by an IP SAN (certinfo_covers). */
	for (size_t i = 0; i < j->n_hosts; i++) {
		if (certinfo_covers(x, j->hosts[i]))
			continue;
		char why[300];
		certinfo_explain_name(x, j->hosts[i], why, sizeof(why));
		add_finding(r, DIAG_CERT_SAN_MISMATCH, DIAG_SEV_CRITICAL, j->cert, j->hosts[i],
			    "%s: %s", j->cert, why);
	}
	if ((j->need_server && !cf.eku_server) || (j->need_client && !cf.eku_client))
		add_finding(r, DIAG_CERT_BAD_KEY_USAGE, DIAG_SEV_CRITICAL, j->cert, NULL,
			    "%s (%s) has extended key usage %s%s%s, needs %s", j->cert, j->roles,
			    cf.eku_server ? "serverAuth" : "",
			    cf.eku_server && cf.eku_client ? "," : "",
			    cf.eku_client ? "clientAuth" : "",
			    j->need_client && j->need_server ? "serverAuth,clientAuth"
			    : j->need_client		     ? "clientAuth"
							     : "serverAuth");
	if (j->ca && j->ca[0] && check_exists(r, j->ca, "trusted CA file", j->group))
		check_chain(r, x, chain, j->ca, j->cert, &cf);
keyfile:
	/* the mode is seen even by a user who may not read the key. Read by the group is how a key
	 * is shared with its daemon (etcd-install: root:etcd 0640, as Debian's ssl-cert does):
	 * others' bits or a group that may write it are the fault. */
	if (j->key && j->key[0] && stat(j->key, &kst) == 0 && (kst.st_mode & 037))
		add_finding(r, DIAG_KEY_FILE_PERMISSIONS, DIAG_SEV_WARNING, j->key, NULL,
			    "%s has mode %04o (%s)", j->key, (unsigned)(kst.st_mode & 07777),
			    kst.st_mode & 007 ? "others may read it" : "its group may write it");
	if (j->key && j->key[0] && check_exists(r, j->key, "key file", j->group)) {
		k = load_key(j->key);
		if (!k)
			add_finding(r, DIAG_FILE_MISSING, DIAG_SEV_CRITICAL, j->key, NULL,
				    "%s holds no readable PEM private key", j->key);
		else if (x && X509_check_private_key(x, k) != 1)
			add_finding(r, DIAG_CERT_KEY_MISMATCH, DIAG_SEV_CRITICAL, j->cert, NULL,
				    "%s does not match the key %s", j->cert, j->key);
	}
	EVP_PKEY_free(k);
	X509_free(x);
	sk_X509_pop_free(chain, X509_free);
	ERR_clear_error();
}

int certcheck_run(const struct diag_config *cfg, time_t now, struct cert_report *ret)
{
	struct cert_job jobs[3];
	size_t n = 0;

	memset(ret, 0, sizeof(*ret));
	memset(jobs, 0, sizeof(jobs));
	if (cfg->cert_file[0]) {
		struct cert_job *j = &jobs[n++];
		j->cert = cfg->cert_file;
		j->key = cfg->key_file;
		j->ca = cfg->trusted_ca_file;
		j->need_server = true;
		snprintf(j->roles, sizeof(j->roles), "client");
		job_add_hosts(j, cfg->advertise_client_urls);
		job_add_hosts(j, cfg->listen_client_urls);
	}
	if (cfg->peer_cert_file[0]) {
		struct cert_job *j = &jobs[n];
		if (n == 1 && strcmp(jobs[0].cert, cfg->peer_cert_file) == 0) {
			j = &jobs[0];
			snprintf(j->roles, sizeof(j->roles), "client+peer");
		} else {
			n++;
			j->cert = cfg->peer_cert_file;
			j->key = cfg->peer_key_file;
			j->ca = cfg->peer_trusted_ca_file;
			j->need_server = true;
			snprintf(j->roles, sizeof(j->roles), "peer");
		}
		/* peers present the same certificate when they dial: clientAuth too (LAB_NOTES) */
		j->need_client = true;
		if (!j->ca || !j->ca[0])
			j->ca = cfg->peer_trusted_ca_file;
		job_add_hosts(j, cfg->initial_advertise_peer_urls);
		job_add_hosts(j, cfg->listen_peer_urls);
	}
	if (cfg->healthcheck_cert_file[0]) {
		/* kubeadm's healthcheck-client: a client certificate only (EKU clientAuth) */
		struct cert_job *j = &jobs[n++];
		j->cert = cfg->healthcheck_cert_file;
		j->key = cfg->healthcheck_key_file;
		j->ca = cfg->trusted_ca_file;
		j->need_client = true;
		snprintf(j->roles, sizeof(j->roles), "healthcheck-client");
	}
	for (size_t i = 0; i < n; i++) {
		jobs[i].group = cfg->unit_group[0] ? cfg->unit_group : NULL;
		check_job(ret, &jobs[i], now);
	}
	for (size_t i = 0; i < n; i++)
		certcheck_ca(ret, jobs[i].ca, now);
	return 0;
}
