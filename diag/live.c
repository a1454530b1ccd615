/* live.c: runs the probe's live checks (probe/check.h) for etcd-diag and keeps the facts that
 * correlation joins with the journal and the certificates. */
#include "diag/live.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/check.h"
#include "probe/facts.h"
#include "proto/cred.h"
#include "proto/endpoint.h"
#include "diag/text.h"

/* Copies what correlation needs from the probe's facts of one endpoint. */
static void keep_endpoint(const struct check_facts *cf, const struct endpoint_facts *e,
			  struct live_endpoint *out)
{
	memset(out, 0, sizeof(*out));
	text_scopy(out->url, sizeof(out->url), e->ep.url);
	text_scopy(out->host, sizeof(out->host), e->ep.host);
	text_scopy(out->name, sizeof(out->name), e->name);
	out->healthy = !e->failed && e->health_done && e->healthy;
	out->failure = e->failure;
	out->no_leader = e->no_leader;
	out->verify_err = e->verify_err;
	text_scopy(out->verify_host, sizeof(out->verify_host), e->verify_host);
	text_scopy(out->cert_sans, sizeof(out->cert_sans), e->cert_sans);
	const char *why = e->failed			? e->error
			  : e->health_error[0]		? e->health_error
			  : e->status_error[0]		? e->status_error
			  : !e->health_done		? "no answer to the health read"
							: "";
	if (e->failed && e->failed_step)
		text_printf(out->error, sizeof(out->error), "%s: %s", e->failed_step, why);
	else
		text_scopy(out->error, sizeof(out->error), why);
	for (size_t a = 0; cf->have_alarms && a < cf->n_alarms; a++) {
		if (cf->alarms[a].member_id != e->member_id || !e->has_status)
			continue;
		char buf[16];
		out->alarm_nospace |= cf->alarms[a].type == ALARM_NOSPACE;
		out->alarm_corrupt |= cf->alarms[a].type == ALARM_CORRUPT;
		size_t used = strlen(out->alarms);
		snprintf(out->alarms + used, sizeof(out->alarms) - used, "%s%s", used ? " " : "",
			 alarm_type_str(cf->alarms[a].type, buf));
	}
}

/* One probe run over a list of URLs; handshake_only for peer ports (they speak rafthttp,
 * not gRPC). Appends to ret; returns 0, 1 when it could not run (ret->why says why), or
 * -ENOMEM. */
static int run_list(const char *list, const char *cacert, const char *cert, const char *key,
		    const struct live_opts *o, bool peer, struct live_facts *ret)
{
	struct endpoint *eps = calloc(LIVE_MAX_ENDPOINTS, sizeof(*eps));
	SSL_CTX *ctx = NULL;
	char err[320];
	int rc = 1;

	if (!eps)
		return -ENOMEM;
	bool tls_flags = cacert || cert || key;
	int n = endpoint_parse_list(list, tls_flags, eps, LIVE_MAX_ENDPOINTS, err, sizeof(err));
	if (n <= 0) {
		snprintf(ret->why, sizeof(ret->why), "bad endpoints: %s", n < 0 ? err : list);
		goto out;
	}
	bool any_tls = false;
	for (int i = 0; i < n; i++)
		any_tls |= eps[i].tls;
	if (peer && !any_tls) {
		rc = 0; /* plain-HTTP peers: no certificate to look at */
		goto out;
	}
	struct cred_config cc = {cacert, cert, key, false};
	struct cred_client client = {0};
	/* the client pass discovers members: one may be https:// even when the seed is not */
	if ((any_tls || tls_flags || !peer) &&
	    cred_ctx_new(&cc, &ctx, &client, err, sizeof(err)) < 0) {
		snprintf(ret->why, sizeof(ret->why), "%s", err);
		goto out;
	}
	text_scopy(peer ? ret->peer_cert_problem : ret->client_cert_problem,
		   sizeof(ret->client_cert_problem), client.problem);
	if (!peer)
		ret->client_cert_kind = client.problem_kind;
	struct check_config cfg = {
		.eps = eps,
		.n_eps = (size_t)n,
		.ctx = ctx,
		.user = peer ? NULL : o->conn.user,
		.password = peer ? NULL : o->conn.password,
		.timeout_s = o->timeout_s > 0 ? o->timeout_s : 5,
		.start_ns = o->start_ns,
		.handshake_only = peer,
		.discover = !peer, /* every member's client URL, from the member list */
		.client_cert_problem = client.problem,
	};
	struct check_facts facts;
	if (check_run(&cfg, &facts) < 0) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < facts.n_eps && ret->n < LIVE_MAX_ENDPOINTS; i++) {
		struct live_endpoint *e = &ret->v[ret->n++];
		keep_endpoint(&facts, &facts.eps[i], e);
		e->peer = peer;
		if (peer && !facts.eps[i].failed)
			e->healthy = true; /* the handshake is all we asked for */
	}
	check_facts_free(&facts);
	rc = 0;
out:
	SSL_CTX_free(ctx);
	free(eps);
	return rc;
}

int live_run(const struct live_opts *o, const char *default_endpoints, struct live_facts *ret)
{
	const char *list = o->conn.endpoints ? o->conn.endpoints : default_endpoints;

	memset(ret, 0, sizeof(*ret));
	if (!list || !*list) {
		snprintf(ret->why, sizeof(ret->why),
			 "no endpoints (give --endpoints, or a configuration with client URLs)");
		return 0;
	}
	int r = run_list(list, o->conn.cacert, o->conn.cert, o->conn.key, o, false, ret);
	if (r < 0)
		return r;
	if (r > 0)
		return 0;
	ret->available = true;
	if (o->peer_urls && *o->peer_urls) {
		/* r > 0: the client side ran, ret->why says why the peer side did not */
		r = run_list(o->peer_urls, o->peer_cacert, o->peer_cert, o->peer_key, o, true, ret);
		if (r < 0)
			return r;
	}
	return 0;
}
