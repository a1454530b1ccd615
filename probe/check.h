/* check: the live checks. Probes every endpoint concurrently in one poll() loop (connect, TLS,
 * HTTP/2, then Status, the timed "health" read, Alarm and MemberList) under one deadline, and
 * returns the facts. Judging them is verdict.c's job. */
#ifndef PROBE_CHECK_H
#define PROBE_CHECK_H

#include <openssl/ssl.h>
#include <stdbool.h>
#include <stddef.h>

#include "probe/facts.h"
#include "proto/endpoint.h"

struct check_config {
	const struct endpoint *eps; /* the endpoints to probe */
	size_t n_eps;
	SSL_CTX *ctx;               /* client TLS context (cred_ctx_new); NULL: http:// only */
	bool insecure;              /* --insecure-skip-tls-verify */
	const char *user;           /* --user, NULL for none */
	const char *password;
	bool discover;              /* --cluster: also probe every member's client URL */
	double timeout_s;           /* overall deadline, counted from start_ns */
	uint64_t start_ns;          /* conn_now_ns() when the run started; 0: now */
	bool handshake_only;        /* stop after TLS + HTTP/2 (etcd-diag's certificate look) */
	bool no_metrics;            /* --no-metrics: no GET of /metrics */
	/* --metrics-url: as many as eps, paired in order; else each used for the endpoints on
	 * its host. An endpoint without one reads its own client URL's /metrics. */
	const struct endpoint *metrics_eps;
	size_t n_metrics_eps;
	/* struct cred_client's problem line ("" or NULL for none): the reason given when a
	 * server turns the client certificate down */
	const char *client_cert_problem;
	/* --write-check: the key prefix ("/etcd-probe/"); NULL: no write. One endpoint per run
	 * writes (LeaseGrant, a Put bound to the lease, its DeleteRange): endpoint_facts.write_*. */
	const char *write_prefix;
};

/* Runs the checks. Returns 0 with *ret filled (free with check_facts_free), or -ENOMEM. The
 * run ends by cfg->start_ns + timeout_s whatever the servers do. */
int check_run(const struct check_config *cfg, struct check_facts *ret);

#endif
