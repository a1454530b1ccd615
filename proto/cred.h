/* cred: loads the client's TLS credentials (--cacert, --cert, --key) into an OpenSSL client
 * context, checking each file so that a bad one is named before any connection is made. */
#ifndef PROTO_CRED_H
#define PROTO_CRED_H

#include <openssl/ssl.h>
#include <stdbool.h>
#include <stddef.h>

#include "proto/certinfo.h"

struct cred_config {
	const char *cacert; /* NULL: the system's trusted CAs, as etcdctl */
	const char *cert;   /* client certificate (chain), NULL for none */
	const char *key;    /* its private key */
	bool insecure;      /* --insecure-skip-tls-verify: verify, record, do not fail */
};

/* What cred_ctx_new saw of the client certificate (--cert). */
/* What the members will object to in a client certificate, as a fact. */
enum cred_problem {
	CRED_PROBLEM_NONE,
	CRED_PROBLEM_EXPIRED,
	CRED_PROBLEM_NOT_YET_VALID,
	CRED_PROBLEM_NOT_CLIENT_AUTH,
	CRED_PROBLEM_UNKNOWN_CA,
};

struct cred_client {
	bool present;            /* a client certificate was loaded */
	struct cert_facts facts; /* its leaf */
	/* what the members will object to, for the operator when a server turns the
	 * certificate down (its alert only says "bad certificate"): "--cert /x/c.pem expired
	 * 2026-01-02", "... has extended key usage serverAuth, not clientAuth", "... is not
	 * signed by a CA in --cacert ..."; "" when nothing is */
	char problem[320];
	enum cred_problem problem_kind; /* the same as a fact */
};

/* Creates a TLS 1.2+ client context offering ALPN h2 only. On success returns 0, *ret owns the
 * context (SSL_CTX_free), and *client (if not NULL) says what the client certificate is. On
 * failure returns -errno (-ENOENT, -EACCES, -EINVAL, ...) and err says which file is at fault,
 * e.g. "--key /x/k.pem does not match --cert /x/c.pem". */
int cred_ctx_new(const struct cred_config *cfg, SSL_CTX **ret, struct cred_client *client,
		 char *err, size_t errlen);

#endif
