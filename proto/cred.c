/* cred: client TLS context from the etcdctl-style --cacert/--cert/--key files. */
#include "proto/cred.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Opens the file ourselves first so that the error names the file and errno, not an OpenSSL
 * error stack. */
static int file_check(const char *flag, const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot read %s %s: %s", flag, path, strerror(e));
		return -e;
	}
	int r = fstat(fd, &st);
	close(fd);
	if (r == 0 && !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "cannot read %s %s: not a regular file", flag, path);
		return -EINVAL;
	}
	return 0;
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
			   const struct cert_facts *cf, time_t now, char *out, size_t len)
{
	char d[16];
	out[0] = '\0';
	if (cf->not_after && now > cf->not_after) {
		certinfo_date(cf->not_after, d);
		snprintf(out, len, "--cert %s expired %s", cfg->cert, d);
	} else if (cf->not_before && now < cf->not_before) {
		certinfo_date(cf->not_before, d);
		snprintf(out, len, "--cert %s is not valid before %s", cfg->cert, d);
	} else if (!cf->eku_client) {
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
			if (X509_verify_cert(vc) != 1)
				snprintf(out, len, "--cert %s (issuer %s) is not signed by a CA in "
						   "--cacert %s", cfg->cert, cf->issuer, cfg->cacert);
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

	if ((r = file_check("--cert", cfg->cert, err, errlen)) < 0 ||
	    (r = file_check("--key", cfg->key, err, errlen)) < 0)
		return r;
	if (SSL_CTX_use_certificate_chain_file(ctx, cfg->cert) != 1) {
		last_ssl_error(why, sizeof(why));
		snprintf(err, errlen, "--cert %s is not a PEM certificate (%s)", cfg->cert, why);
		return -EINVAL;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, cfg->key, SSL_FILETYPE_PEM) != 1) {
		last_ssl_error(why, sizeof(why));
		if (strstr(why, "values mismatch") || strstr(why, "mismatch"))
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
			       sizeof(client->problem));
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
	if (cfg->cacert && (r = file_check("--cacert", cfg->cacert, err, errlen)) < 0)
		return r;

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
		STACK_OF(X509_INFO) *infos = NULL;
		BIO *bio = BIO_new_file(cfg->cacert, "r");
		if (bio)
			infos = PEM_X509_INFO_read_bio(bio, NULL, NULL, NULL);
		int ncerts = 0;
		for (int i = 0; infos && i < sk_X509_INFO_num(infos); i++)
			ncerts += sk_X509_INFO_value(infos, i)->x509 != NULL;
		sk_X509_INFO_pop_free(infos, X509_INFO_free);
		BIO_free(bio);
		ERR_clear_error();
		if (ncerts == 0 || SSL_CTX_load_verify_locations(ctx, cfg->cacert, NULL) != 1) {
			ERR_clear_error();
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
