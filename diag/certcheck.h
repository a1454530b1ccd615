/* certcheck.h: inspect the member's certificate files with OpenSSL (names, dates, chain, key,
 * key usage, key file mode) and return findings as plain data. */
#ifndef DIAG_CERTCHECK_H
#define DIAG_CERTCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "diag/classify.h"
#include "diag/config.h"
#include "proto/certinfo.h"

#define CERTCHECK_MAX_FINDINGS 32
#define CERTCHECK_MAX_CERTS 6 /* three leaves and their CA files */
#define CERTCHECK_MAX_CAS 4   /* CA files dated: client, peer, --cacert, and one spare */
#define CERTCHECK_EXPIRING_DAYS 30
#define CERTCHECK_CRITICAL_DAYS 7

struct cert_finding {
	enum diag_code code;
	enum diag_severity severity;
	char file[CONFIG_PATH_LEN];
	char wanted[64];  /* SAN mismatch: the address the certificate lacks */
	char detail[384]; /* one line of facts */
	bool ca;          /* file is a trusted CA file (its dates: certcheck_ca) */
};

/* One certificate file looked at, for the evidence. */
struct cert_seen {
	char file[CONFIG_PATH_LEN];
	char key_file[CONFIG_PATH_LEN];
	char ca_file[CONFIG_PATH_LEN];
	char roles[32]; /* "client", "peer", "client+peer", "healthcheck-client", "trusted CA" */
	bool loaded;
	struct cert_facts facts;
};

struct cert_report {
	size_t n;
	struct cert_finding v[CERTCHECK_MAX_FINDINGS];
	size_t n_certs;
	struct cert_seen certs[CERTCHECK_MAX_CERTS];
	size_t n_ca_dated; /* CA files dated, whether or not counted among certs */
	char ca_dated[CERTCHECK_MAX_CAS][CONFIG_PATH_LEN];
};

/* Checks every certificate named in cfg against the member's own listen/advertise hosts at
 * time now. Returns 0 (findings in *ret, possibly none; no TLS configured gives none). */
int certcheck_run(const struct diag_config *cfg, time_t now, struct cert_report *ret);

/* Checks the dates of every certificate in a trusted CA file (expired, not yet valid, expiring
 * by the leaves' thresholds; those findings have ca set) and counts the file among those looked
 * at (role CERTCHECK_ROLE_CA), once per path whatever the room left in certs: kubeadm's ca.crt
 * is both the client and the peer CA, and --cacert often the same file. certcheck_run calls it
 * for the CA files of its jobs; main for the CAs the configuration and the live checks use. A
 * file that is missing, closed to this user or holds no certificate is a finding, unless one
 * already names it (the job that names it said so). */
#define CERTCHECK_ROLE_CA "trusted CA"
void certcheck_ca(struct cert_report *r, const char *ca, time_t now);

#endif
