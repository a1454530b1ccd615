/* certinfo: the facts of one X.509 certificate that an operator needs (names, SANs, dates, key
 * usage), and a one-line explanation of a verification failure in Go's wording. */
#ifndef PROTO_CERTINFO_H
#define PROTO_CERTINFO_H

#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct cert_facts {
	char subject[256]; /* one line, e.g. "CN=etcd, O=k8s" */
	char issuer[256];
	char sans[512];    /* "127.0.0.1, 127.0.5.1, etcd.local" (IPs and DNS names, in order) */
	time_t not_before;
	time_t not_after;
	bool eku_server;   /* extendedKeyUsage allows serverAuth (or no EKU at all) */
	bool eku_client;   /* extendedKeyUsage allows clientAuth (or no EKU at all) */
	bool has_eku;
};

/* Go's name rule (crypto/x509 VerifyHostname), which etcd and etcdctl follow: a DNS name only
 * against DNS SANs, never the subject CN (Go 1.15 dropped that fallback); "*." only as the
 * whole leftmost label, matching exactly one label. conn.c hands these to OpenSSL's check. */
#define CERTINFO_HOST_FLAGS \
	(X509_CHECK_FLAG_NEVER_CHECK_SUBJECT | X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS)

/* True when host is an IPv4 or IPv6 literal (no brackets): Go checks it against IP SANs only. */
bool certinfo_host_is_ip(const char *host);

/* True when cert covers host by Go's rule: an IP only by an equal IP SAN (never a DNS SAN
 * spelling it), a name only by a DNS SAN (CERTINFO_HOST_FLAGS). */
bool certinfo_covers(X509 *cert, const char *host);

/* One line saying why cert does not cover host, in Go's words (x509.HostnameError) followed by
 * what the certificate does present: "certificate relies on legacy Common Name field, use SANs
 * instead (CN=localhost, no subject alternative names)", "cannot validate certificate for
 * 127.0.0.1 because it doesn't contain any IP SANs (DNS SANs: 127.0.0.1)", "certificate is
 * valid for 127.0.0.1, 127.0.5.1, not 127.0.5.3". */
void certinfo_explain_name(X509 *cert, const char *host, char *out, size_t outlen);

/* Fills *ret from cert. Returns 0, or -EINVAL when a date cannot be read. */
int certinfo_read(X509 *cert, struct cert_facts *ret);

/* Formats t as "2026-01-02" (UTC). */
void certinfo_date(time_t t, char out[16]);

/* One line saying why verification failed, with facts from the certificate that failed (may be
 * NULL): "certificate is valid for 127.0.0.1, 127.0.5.1, not 127.0.5.3", "certificate signed by
 * unknown authority (issuer CN=other-ca)", "certificate expired 2026-01-02", ... host is the
 * name or IP that was checked; a name mismatch is worded by certinfo_explain_name. */
void certinfo_explain_verify(long verify_err, X509 *cert, const char *host, char *out,
			     size_t outlen);

#endif
