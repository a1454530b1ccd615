/* live.h: the live checks of etcd-diag (the probe's engine), reduced to what correlation needs. */
#ifndef DIAG_LIVE_H
#define DIAG_LIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "probe/etcdctl_flags.h"
#include "probe/facts.h"
#include "proto/cred.h"

#define LIVE_MAX_ENDPOINTS 16

/* The probe's connection flags (and ETCDCTL_* fallbacks), as given to etcd-diag. */
struct live_opts {
	/* etcdctl's settings; endpoints NULL: the member's advertised client URLs */
	struct etcdctl_flags conn;
	double timeout_s;
	uint64_t start_ns; /* conn_now_ns() the deadline counts from (both passes share it); 0: now */
	/* Peer URLs whose certificate is checked by a TLS handshake (what this member's peers
	 * see), with the peer credentials; NULL: none. */
	const char *peer_urls;
	const char *peer_cacert, *peer_cert, *peer_key;
};

struct live_endpoint {
	char url[256];
	char host[128];
	char name[64];  /* member name when the member list said it */
	bool healthy;
	/* Why it failed, as the probe's facts say it (correlation maps these, never the words) */
	enum endpoint_failure failure; /* EP_FAIL_NONE: reached (it may still be unhealthy) */
	long verify_err;                /* EP_FAIL_TLS_VERIFY: X509_V_ERR_* */
	char verify_host[128];          /* ... the name or IP checked */
	char cert_sans[160];            /* ... the SANs the certificate has */
	char error[320]; /* the probe's reason for people (evidence), e.g. "TCP connect: ..." */
	bool no_leader;                 /* reached, but Status said it has no leader */
	bool alarm_nospace, alarm_corrupt;
	char alarms[64]; /* "NOSPACE", "CORRUPT", "" (for people) */
	bool peer;       /* a peer URL, handshake only: only certificate facts count */
};

struct live_facts {
	bool available; /* false: the live part could not run (see why) */
	char why[256];
	/* what the members will object to in the client certificate (struct cred_client), "" */
	char client_cert_problem[320];
	enum cred_problem client_cert_kind; /* the same as a fact */
	char peer_cert_problem[320]; /* the same for the peer certificate of the handshakes */
	size_t n;
	struct live_endpoint v[LIVE_MAX_ENDPOINTS];
};

/* Runs the live checks against o->endpoints (or default_endpoints), then a TLS handshake with
 * each of o->peer_urls. Returns 0 with *ret filled (ret->available false and ret->why set when
 * they cannot run), or -ENOMEM. */
int live_run(const struct live_opts *o, const char *default_endpoints, struct live_facts *ret);

#endif
