/* cred: loads the client's TLS credentials (--cacert, --cert, --key) into an OpenSSL client
 * context, checking each file so that a bad one is named before any connection is made. */
#ifndef PROTO_CRED_H
#define PROTO_CRED_H

#include <openssl/ssl.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "proto/certinfo.h"

struct cred_config {
	const char *cacert; /* NULL: the system's trusted CAs, as etcdctl */
	const char *cert;   /* client certificate (chain), NULL for none */
	const char *key;    /* its private key */
	bool insecure;      /* --insecure-skip-tls-verify: verify, record, do not fail */
};

/* Creates a TLS 1.2+ client context offering ALPN h2 only. On success returns 0, *ret owns the
 * context (SSL_CTX_free), and *client (if not NULL) holds the client certificate's facts,
 * *have_client set. On failure returns -errno (-ENOENT, -EACCES, -EINVAL, ...) and err says
 * which file is at fault, e.g. "--key /x/k.pem does not match --cert /x/c.pem". */
int cred_ctx_new(const struct cred_config *cfg, SSL_CTX **ret, struct cert_facts *client,
		 bool *have_client, char *err, size_t errlen);

/* Looks at the client certificate loaded in ctx as the members will: its dates at now, its
 * extended key usage (clientAuth), its chain to --cacert. Returns 1 with one line in out
 * naming --cert and what is wrong ("--cert /x/c.pem expired 2026-01-02"), 0 with out empty
 * when nothing is (or there is no client certificate). Used to say why a server turned the
 * certificate down. */
int cred_client_problem(SSL_CTX *ctx, const struct cred_config *cfg, time_t now, char *out,
			size_t len);

#endif
