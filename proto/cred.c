/* cred: client TLS context from the etcdctl-style --cacert/--cert/--key files. */
#include "proto/cred.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto/regfile.h"

/* Every PEM file is read through regfile (never blocks on a FIFO or device, names the file on
 * error) and parsed from memory, so OpenSSL never opens a path itself. */
#define CRED_FILE_MAX (4u << 20)

/* OpenSSL's default PEM callback asks for a passphrase on the terminal: a monitoring check must
 * never wait for one. -1 makes any encrypted PEM fail to load instead. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf, (void)size, (void)rwflag, (void)u;
	return -1;
}

static BIO *file_bio(const char *flag, const char *path, char **ret_buf, size_t *ret_len,
		     char *err, size_t errlen, int *ret_err)
{
	int r = regfile_read(flag, path, CRED_FILE_MAX, ret_buf, ret_len, NULL, err, errlen);
	if (r < 0) {
		*ret_err = r;
		return NULL;
	}
	BIO *bio = BIO_new_mem_buf(*ret_buf, (int)*ret_len);
	if (!bio) {
		OPENSSL_cleanse(*ret_buf, *ret_len);
		free(*ret_buf);
		*ret_buf = NULL;
		snprintf(err, errlen, "cannot read %s %s: out of memory", flag, path);
		*ret_err = -ENOMEM;
	}
	return bio;
}

/* An encrypted key, PKCS#8 ("BEGIN ENCRYPTED PRIVATE KEY") or legacy PEM ("Proc-Type:
 * 4,ENCRYPTED" in an RSA/EC key): etcd itself cannot use one either (Go's tls.X509KeyPair
 * takes no passphrase). */
static bool pem_is_encrypted(const char *pem)
{
	return strstr(pem, "-----BEGIN ENCRYPTED PRIVATE KEY-----") ||
	       strstr(pem, "Proc-Type: 4,ENCRYPTED");
}

static void last_ssl_error(char *buf, size_t len)
{
	unsigned long e = ERR_peek_last_error();
	const char *reason = e ? ERR_reason_error_string(e) : NULL;
	snprintf(buf, len, "%s", reason ? reason : "unknown error");
	ERR_clear_error();
}

/* What the members will object to in the client certificate: its dates at now, clientAuth in
 * its extended key usage, its chain to --cacert. One line naming --cert, or "". */
static void client_problem(SSL_CTX *ctx, const struct cred_config *cfg, X509 *leaf,
			   const struct cert_facts *cf, time_t now, char *out, size_t len,
			   enum cred_problem *kind)
{
	char d[16];
	out[0] = '\0';
	*kind = CRED_PROBLEM_NONE;
	if (cf->not_after && now > cf->not_after) {
		certinfo_date(cf->not_after, d);
		snprintf(out, len, "--cert %s expired %s", cfg->cert, d);
		*kind = CRED_PROBLEM_EXPIRED;
	} else if (cf->not_before && now < cf->not_before) {
		certinfo_date(cf->not_before, d);
		snprintf(out, len, "--cert %s is not valid before %s", cfg->cert, d);
		*kind = CRED_PROBLEM_NOT_YET_VALID;
	} else if (!cf->eku_client) {
		*kind = CRED_PROBLEM_NOT_CLIENT_AUTH;
		/* Go's server verifies a client certificate for clientAuth (x509 ExtKeyUsage). */
		snprintf(out, len, "--cert %s has extended key usage %s, not clientAuth", cfg->cert,
			 cf->eku_server ? "serverAuth" : "without clientAuth");
	} else if (cfg->cacert) {
		/* The members trust their --trusted-ca-file, which is usually --cacert too. */
		STACK_OF(X509) *chain = NULL;
		SSL_CTX_get0_chain_certs(ctx, &chain);
		X509_STORE_CTX *vc = X509_STORE_CTX_new();
		if (vc && X509_STORE_CTX_init(vc, SSL_CTX_get_cert_store(ctx), leaf, chain) == 1) {
			X509_STORE_CTX_set_flags(vc, X509_V_FLAG_NO_CHECK_TIME);
			if (X509_verify_cert(vc) != 1) {
				snprintf(out, len, "--cert %s (issuer %s) is not signed by a CA in "
						   "--cacert %s", cfg->cert, cf->issuer, cfg->cacert);
				*kind = CRED_PROBLEM_UNKNOWN_CA;
			}
		}
		X509_STORE_CTX_free(vc);
		ERR_clear_error();
	}
}

static int load_client(SSL_CTX *ctx, const struct cred_config *cfg, struct cred_client *client,
		       char *err, size_t errlen)
{
	char why[128];
	int r;

	char *pem = NULL;
	size_t len = 0;
	BIO *bio = file_bio("--cert", cfg->cert, &pem, &len, err, errlen, &r);
	if (!bio)
		return r;
	/* as SSL_CTX_use_certificate_chain_file: the leaf first, then its chain */
	X509 *x = PEM_read_bio_X509_AUX(bio, NULL, no_passphrase, NULL);
	r = x && SSL_CTX_use_certificate(ctx, x) == 1 ? 0 : -EINVAL;
	X509_free(x);
	if (r == 0 && SSL_CTX_clear_chain_certs(ctx) == 1) {
		X509 *ca;
		while ((ca = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL)) != NULL)
			if (SSL_CTX_add0_chain_cert(ctx, ca) != 1) {
				X509_free(ca);
				r = -EINVAL;
				break;
			}
		unsigned long e = ERR_peek_last_error();
		if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE)
			ERR_clear_error(); /* the end of the chain */
	}
	BIO_free(bio);
	free(pem);
	if (r < 0) {
		last_ssl_error(why, sizeof(why));
		snprintf(err, errlen, "--cert %s is not a PEM certificate (%s)", cfg->cert, why);
		return -EINVAL;
	}

	bio = file_bio("--key", cfg->key, &pem, &len, err, errlen, &r);
	if (!bio)
		return r;
	EVP_PKEY *pkey = NULL;
	bool encrypted = pem_is_encrypted(pem);
	if (!encrypted)
		pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	OPENSSL_cleanse(pem, len);
	free(pem);
	if (encrypted) {
		snprintf(err, errlen, "--key %s is encrypted; etcd and etcd-probe need an "
				      "unencrypted key", cfg->key);
		return -EINVAL;
	}
	if (!pkey) {
		last_ssl_error(why, sizeof(why));
		snprintf(err, errlen, "--key %s is not a usable PEM private key (%s)", cfg->key,
			 why);
		return -EINVAL;
	}
	r = SSL_CTX_use_PrivateKey(ctx, pkey);
	EVP_PKEY_free(pkey);
	if (r != 1) {
		unsigned long e = ERR_peek_last_error();
		int reason = ERR_GET_LIB(e) == ERR_LIB_X509 ? ERR_GET_REASON(e) : 0;
		last_ssl_error(why, sizeof(why));
		if (reason == X509_R_KEY_VALUES_MISMATCH || reason == X509_R_KEY_TYPE_MISMATCH)
			snprintf(err, errlen, "--key %s does not match --cert %s", cfg->key,
				 cfg->cert);
		else
			snprintf(err, errlen, "--key %s is not a usable PEM private key (%s)",
				 cfg->key, why);
		return -EINVAL;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		ERR_clear_error();
		snprintf(err, errlen, "--key %s does not match --cert %s", cfg->key, cfg->cert);
		return -EINVAL;
	}
	X509 *leaf = SSL_CTX_get0_certificate(ctx);
	if (client && leaf && certinfo_read(leaf, &client->facts) == 0) {
		client->present = true;
		client_problem(ctx, cfg, leaf, &client->facts, time(NULL), client->problem,
			       sizeof(client->problem), &client->problem_kind);
	}
	return 0;
}

int cred_ctx_new(const struct cred_config *cfg, SSL_CTX **ret, struct cred_client *client,
		 char *err, size_t errlen)
{
	int r;

	*ret = NULL;
	if (client)
		memset(client, 0, sizeof(*client));
	if ((cfg->cert == NULL) != (cfg->key == NULL)) {
		snprintf(err, errlen, "%s given without %s", cfg->cert ? "--cert" : "--key",
			 cfg->cert ? "--key" : "--cert");
		return -EINVAL;
	}
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx) {
		snprintf(err, errlen, "cannot create a TLS context (out of memory?)");
		return -ENOMEM;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	/* etcd's server offers ALPN h2 only (ETCD_FACTS.md). */
	static const unsigned char alpn[] = "\x02h2";
	SSL_CTX_set_alpn_protos(ctx, alpn, sizeof(alpn) - 1);

	if (cfg->cacert) {
		char *pem = NULL;
		size_t len = 0;
		BIO *bio = file_bio("--cacert", cfg->cacert, &pem, &len, err, errlen, &r);
		if (!bio) {
			SSL_CTX_free(ctx);
			return r;
		}
		STACK_OF(X509_INFO) *infos = PEM_X509_INFO_read_bio(bio, NULL, no_passphrase, NULL);
		X509_STORE *store = SSL_CTX_get_cert_store(ctx);
		int ncerts = 0;
		for (int i = 0; infos && i < sk_X509_INFO_num(infos); i++) {
			X509_INFO *xi = sk_X509_INFO_value(infos, i);
			if (xi->x509 && X509_STORE_add_cert(store, xi->x509) == 1)
				ncerts++;
			if (xi->crl)
				X509_STORE_add_crl(store, xi->crl);
		}
		sk_X509_INFO_pop_free(infos, X509_INFO_free);
		BIO_free(bio);
		free(pem);
		ERR_clear_error();
		if (ncerts == 0) {
			snprintf(err, errlen, "--cacert %s holds no PEM certificate", cfg->cacert);
			SSL_CTX_free(ctx);
			return -EINVAL;
		}
	} else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
		ERR_clear_error();
	}
	if (cfg->cert && (r = load_client(ctx, cfg, client, err, errlen)) < 0) {
		SSL_CTX_free(ctx);
		return r;
	}
	*ret = ctx;
	return 0;
}
