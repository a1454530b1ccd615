/* check: one poll() loop over every endpoint's state machine (connect, TLS, HTTP/2, calls),
 * one deadline, and one place where a call's answer becomes facts. */
#include "probe/check.h"

#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etcd.pb-c.h"
#include "proto/conn.h"
#include "proto/etcd_rpc.h"
#include "proto/grpc_frame.h"

enum call_kind { CALL_AUTH, CALL_STATUS, CALL_HEALTH, CALL_ALARM, CALL_MEMBERS, CALL_COUNT };

static const char *const call_names[CALL_COUNT] = {
	[CALL_AUTH] = "Authenticate", [CALL_STATUS] = "Status", [CALL_HEALTH] = "health read",
	[CALL_ALARM] = "Alarm", [CALL_MEMBERS] = "MemberList",
};

struct target {
	struct endpoint_facts *f;
	struct conn *conn;
	struct conn_call calls[CALL_COUNT];
	bool taken[CALL_COUNT]; /* the call's answer (or failure) became facts */
	bool resolved;
	bool finished;
	/* A repeated URL waits for the first connection to it (its pilot) to get a session
	 * ticket, then resumes it: no full handshake, no certificate signature each time. */
	bool waiting;
	bool repeat; /* a URL given again: its pilot asks the cluster-wide questions */
	size_t pilot;
	SSL_SESSION *ticket;
	struct sockaddr_storage addr;
	socklen_t addrlen;
};

enum auth_state { AUTH_NONE, AUTH_NEEDED, AUTH_IN_FLIGHT, AUTH_DONE };

struct run {
	const struct check_config *cfg;
	struct check_facts *facts;
	struct target *targets; /* FACTS_MAX_ENDPOINTS, parallel to facts->eps */
	uint64_t deadline_ns;
	enum auth_state auth;
	char *token;
};

static uint64_t remaining_ms(const struct run *r)
{
	uint64_t now = conn_now_ns();
	return now >= r->deadline_ns ? 0 : (r->deadline_ns - now) / 1000000;
}

/* ---- resolving (before the loop, and for discovered members) ---- */

static void target_resolve(struct target *t)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST};
	struct addrinfo *res = NULL;
	int e = getaddrinfo(t->f->ep.host, t->f->ep.port, &hints, &res);
	if (e == EAI_NONAME) {
		hints.ai_flags = AI_ADDRCONFIG;
		e = getaddrinfo(t->f->ep.host, t->f->ep.port, &hints, &res);
	}
	if (e != 0 || !res) {
		t->f->failed = true;
		t->f->failed_step = "name resolution";
		snprintf(t->f->error, sizeof(t->f->error), "cannot resolve host %s: %s",
			 t->f->ep.host, gai_strerror(e));
		t->finished = true;
		return;
	}
	memcpy(&t->addr, res->ai_addr, res->ai_addrlen);
	t->addrlen = res->ai_addrlen;
	freeaddrinfo(res);
	t->resolved = true;
}

static void target_fail_conn(const struct run *r, struct target *t)
{
	struct conn *c = t->conn;
	const char *why = r->cfg->client_cert_problem;
	t->f->failed = true;
	t->f->failed_step = conn_stage_str(c->failed_stage);
	if (c->client_cert_rejected && why && why[0])
		/* the alert only says "bad certificate": what we see in the file says why */
		snprintf(t->f->error, sizeof(t->f->error),
			 "server rejected our client certificate: %s", why);
	else
		snprintf(t->f->error, sizeof(t->f->error), "%s", c->err);
	t->finished = true;
}

static int target_start(struct run *r, struct target *t, SSL_SESSION *resume)
{
	t->conn = conn_new(&t->f->ep, r->cfg->ctx, r->cfg->insecure);
	if (!t->conn)
		return -ENOMEM;
	conn_set_resume(t->conn, resume);
	if (t->f->ep.tls && !r->cfg->ctx) {
		conn_fail(t->conn, CONN_ERR_INTERNAL, "https endpoint but no TLS context");
		target_fail_conn(r, t);
		return 0;
	}
	if (conn_connect(t->conn, (struct sockaddr *)&t->addr, t->addrlen) < 0)
		target_fail_conn(r, t);
	return 0;
}

/* Adds a target. A URL given twice is probed twice, each its own connection (as etcdctl
 * does); the second waits for the first's TLS session to resume it. */
static int add_endpoint(struct run *r, const struct endpoint *ep)
{
	struct check_facts *f = r->facts;
	if (f->n_eps == FACTS_MAX_ENDPOINTS)
		return 0;
	struct endpoint_facts *ef = &f->eps[f->n_eps];
	struct target *t = &r->targets[f->n_eps];
	for (size_t i = 0; ep->tls && i < f->n_eps; i++) {
		if (strcmp(f->eps[i].ep.url, ep->url) == 0) {
			t->waiting = t->repeat = true;
			t->pilot = i;
			break;
		}
	}
	f->n_eps++;
	memset(ef, 0, sizeof(*ef));
	ef->ep = *ep;
	t->f = ef;
	target_resolve(t);
	if (t->resolved && !t->waiting)
		return target_start(r, t, NULL);
	return 0;
}

/* A waiting target starts once its pilot has a ticket, or is done (a server that issues no
 * tickets: then a full handshake). */
static int target_release(struct run *r, struct target *t)
{
	const struct target *p = &r->targets[t->pilot];
	if (!p->ticket && !p->finished)
		return 0;
	t->waiting = false;
	return target_start(r, t, p->ticket);
}

/* ---- starting calls ---- */

static int start_call(struct run *r, struct target *t, enum call_kind k, const uint8_t *msg,
		      size_t len)
{
	static const enum etcd_rpc rpcs[CALL_COUNT] = {
		[CALL_AUTH] = ETCD_RPC_AUTHENTICATE, [CALL_STATUS] = ETCD_RPC_STATUS,
		[CALL_HEALTH] = ETCD_RPC_RANGE, [CALL_ALARM] = ETCD_RPC_ALARM,
		[CALL_MEMBERS] = ETCD_RPC_MEMBER_LIST,
	};
	uint64_t ms = remaining_ms(r);
	/* Leave a little of the budget for the answer to travel back. */
	ms = ms > 100 ? ms - 50 : (ms ? ms : 1);
	const char *token = (k != CALL_AUTH && r->auth == AUTH_DONE) ? r->token : NULL;
	int e = conn_call_start(t->conn, &t->calls[k], etcd_rpc_path(rpcs[k]), msg, len, token, ms);
	if (e < 0 && e != -ENOMEM) {
		/* The connection refused a new stream (after GOAWAY, say): the endpoint fails,
		 * the run goes on. conn_fail keeps the first reason. */
		conn_fail(t->conn, CONN_ERR_INTERNAL, "cannot start the %s call", call_names[k]);
		return 0;
	}
	return e;
}

static int start_health(struct run *r, struct target *t, bool serializable)
{
	uint8_t buf[ETCD_RPC_SMALL_REQUEST_MAX];
	size_t n = etcd_rpc_encode_health_read(serializable, buf);
	return start_call(r, t, CALL_HEALTH, buf, n);
}

static int start_auth(struct run *r, struct target *t)
{
	uint8_t *buf;
	size_t len;
	if (etcd_rpc_encode_authenticate(r->cfg->user, r->cfg->password, &buf, &len) < 0)
		return -ENOMEM;
	int e = start_call(r, t, CALL_AUTH, buf, len);
	OPENSSL_cleanse(buf, len);
	free(buf);
	return e;
}

/* MemberList, linearizable (3.5+): the member list as the quorum has it, not this member's
 * possibly stale copy. Without a leader such a read only waits (for -t, measured on 3.5.16), so
 * take_status asks again serializably. 3.4 ignores the field. */
static int start_members(struct run *r, struct target *t, bool linearizable)
{
	uint8_t buf[ETCD_RPC_SMALL_REQUEST_MAX];
	size_t n = etcd_rpc_encode_member_list(linearizable, buf);
	return start_call(r, t, CALL_MEMBERS, buf, n);
}

static int start_checks(struct run *r, struct target *t)
{
	int e;
	if (r->cfg->handshake_only) {
		t->finished = true;
		return 0;
	}
	if ((e = start_call(r, t, CALL_STATUS, NULL, 0)) < 0)
		return e;
	if (t->repeat) {
		/* The same server already answers these for its first connection; Alarm GET is a
		 * raft proposal in etcd 3.4: do not multiply them. */
		t->taken[CALL_ALARM] = t->taken[CALL_MEMBERS] = true;
		return 0;
	}
	if ((e = start_call(r, t, CALL_ALARM, NULL, 0)) < 0 ||
	    (e = start_members(r, t, true)) < 0)
		return e;
	return 0;
}

/* ---- answers become facts ---- */

static bool needs_creds(int code, const char *msg)
{
	/* etcd answers PermissionDenied, or InvalidArgument "user name is empty" when a request
	 * carries no token on a cluster with auth enabled, or Unauthenticated for a bad token.
	 * With --client-cert-auth the certificate's CN is the user: a CN that is no etcd user
	 * gets FailedPrecondition "user name not found" (3.5.28+ ask it of Status too). */
	return code == GRPC_PERMISSION_DENIED || code == GRPC_UNAUTHENTICATED ||
	       (code == GRPC_INVALID_ARGUMENT && strstr(msg, "user name is empty")) ||
	       (code == GRPC_FAILED_PRECONDITION && strstr(msg, "user name not found"));
}

static int take_status(struct run *r, struct target *t, const uint8_t *msg, size_t len)
{
	struct endpoint_facts *f = t->f;
	Etcdserverpb__StatusResponse *s = etcdserverpb__status_response__unpack(NULL, len, msg);
	if (!s) {
		snprintf(f->status_error, sizeof(f->status_error),
			 "Status: malformed response (not etcd?)");
		return 0;
	}
	f->has_status = true;
	if (s->header) {
		f->cluster_id = s->header->cluster_id;
		f->member_id = s->header->member_id;
	}
	f->leader = s->leader;
	f->raft_term = s->raftterm;
	f->raft_index = s->raftindex;
	f->raft_applied_index = s->raftappliedindex;
	f->db_size = s->dbsize;
	f->db_size_in_use = s->dbsizeinuse;
	f->db_size_quota = s->dbsizequota;
	f->is_learner = s->islearner;
	snprintf(f->version, sizeof(f->version), "%s", s->version ? s->version : "");
	for (size_t i = 0; i < s->n_errors; i++) {
		size_t used = strlen(f->status_errors);
		snprintf(f->status_errors + used, sizeof(f->status_errors) - used, "%s%s",
			 used ? "; " : "", s->errors[i]);
	}
	etcdserverpb__status_response__free_unpacked(s, NULL);
	if (f->leader == 0 && !t->calls[CALL_HEALTH].submitted) {
		/* Status is answered locally: no leader means a quorum read cannot succeed now,
		 * so say so at once instead of waiting for the read to time out. */
		f->health_done = true;
		snprintf(f->health_error, sizeof(f->health_error),
			 "no leader: this member cannot reach a quorum of its peers");
		/* Alarm GET goes through raft (etcd 3.4): without a leader it would only wait. */
		conn_call_reset(t->conn, &t->calls[CALL_ALARM]);
		t->taken[CALL_ALARM] = true;
		/* The linearizable MemberList would wait as well: ask for the local view. */
		if (t->calls[CALL_MEMBERS].submitted && !t->calls[CALL_MEMBERS].done &&
		    !t->taken[CALL_MEMBERS]) {
			conn_call_reset(t->conn, &t->calls[CALL_MEMBERS]);
			return start_members(r, t, false);
		}
	}
	return 0;
}

static void take_alarms(struct run *r, struct endpoint_facts *f, const uint8_t *msg, size_t len)
{
	struct check_facts *cf = r->facts;
	Etcdserverpb__AlarmResponse *a = etcdserverpb__alarm_response__unpack(NULL, len, msg);
	if (!a)
		return;
	f->alarms_answered = true;
	cf->have_alarms = true;
	for (size_t i = 0; i < a->n_alarms; i++) {
		struct alarm_fact af = {a->alarms[i]->memberid, a->alarms[i]->alarm};
		bool seen = false;
		for (size_t j = 0; j < cf->n_alarms; j++)
			seen |= cf->alarms[j].member_id == af.member_id && cf->alarms[j].type == af.type;
		if (!seen && cf->n_alarms < FACTS_MAX_ALARMS)
			cf->alarms[cf->n_alarms++] = af;
	}
	etcdserverpb__alarm_response__free_unpacked(a, NULL);
}

static int take_members(struct run *r, struct endpoint_facts *f, const uint8_t *msg, size_t len)
{
	struct check_facts *cf = r->facts;
	Etcdserverpb__MemberListResponse *m =
		etcdserverpb__member_list_response__unpack(NULL, len, msg);
	if (!m)
		return 0;
	f->members_answered = true;
	if (!cf->have_members) {
		cf->have_members = true;
		for (size_t i = 0; i < m->n_members && cf->n_members < FACTS_MAX_MEMBERS; i++) {
			struct member_fact *mf = &cf->members[cf->n_members++];
			mf->id = m->members[i]->id;
			snprintf(mf->name, sizeof(mf->name), "%s",
				 m->members[i]->name ? m->members[i]->name : "");
			mf->is_learner = m->members[i]->islearner;
			if (m->members[i]->n_clienturls)
				snprintf(mf->client_url, sizeof(mf->client_url), "%s",
					 m->members[i]->clienturls[0]);
		}
	}
	int e = 0;
	if (r->cfg->discover) {
		for (size_t i = 0; i < m->n_members && e == 0; i++) {
			bool known = false;
			struct endpoint eps[8];
			size_t n = 0;
			for (size_t u = 0; u < m->members[i]->n_clienturls && n < 8; u++) {
				char err[128];
				if (endpoint_parse(m->members[i]->clienturls[u], true, &eps[n], err,
						   sizeof(err)) == 0)
					n++;
			}
			for (size_t u = 0; u < n; u++)
				for (size_t j = 0; j < cf->n_eps; j++)
					known |= strcmp(cf->eps[j].ep.url, eps[u].url) == 0;
			if (!known && n)
				e = add_endpoint(r, &eps[0]);
		}
	}
	etcdserverpb__member_list_response__free_unpacked(m, NULL);
	return e;
}

static void take_auth(struct run *r, int code, const char *err, const uint8_t *msg, size_t len)
{
	struct check_facts *cf = r->facts;
	if (code == GRPC_OK) {
		Etcdserverpb__AuthenticateResponse *a =
			etcdserverpb__authenticate_response__unpack(NULL, len, msg);
		if (a && a->token && a->token[0]) {
			r->token = strdup(a->token);
			r->auth = r->token ? AUTH_DONE : AUTH_NONE;
		} else {
			r->auth = AUTH_NONE;
		}
		if (a) {
			OPENSSL_cleanse(a->token, a->token ? strlen(a->token) : 0);
			etcdserverpb__authenticate_response__free_unpacked(a, NULL);
		}
		return;
	}
	if (code == GRPC_FAILED_PRECONDITION) {
		/* "authentication is not enabled": go on without a token, as etcdctl would not */
		r->auth = AUTH_NONE;
		return;
	}
	if (code > 0 && code != GRPC_UNAVAILABLE && code != GRPC_DEADLINE_EXCEEDED) {
		cf->auth_failed = true;
		snprintf(cf->auth_error, sizeof(cf->auth_error), "authentication failed for user "
								  "'%s': %s", r->cfg->user, err);
		r->auth = AUTH_NONE;
		return;
	}
	r->auth = AUTH_NEEDED; /* transport trouble: let another endpoint try */
}

/* Handles every call of t that completed since the last pass. */
static int target_collect(struct run *r, struct target *t)
{
	struct endpoint_facts *f = t->f;
	int e = 0;

	for (int k = 0; k < CALL_COUNT; k++) {
		struct conn_call *c = &t->calls[k];
		if (!c->submitted || !c->done || t->taken[k])
			continue;
		const uint8_t *msg;
		size_t len;
		char err[FACTS_ERR_LEN];
		int code = grpc_response_check(&c->resp, &msg, &len, err, sizeof(err));
		if (code < 0 && t->conn->goaway[0])
			snprintf(err, sizeof(err), "%s", t->conn->goaway);
		switch ((enum call_kind)k) {
		case CALL_AUTH:
			take_auth(r, code, err, msg, len);
			break;
		case CALL_STATUS:
			if (code == GRPC_OK)
				e = take_status(r, t, msg, len);
			else if (needs_creds(code, err))
				f->status_needs_creds = true;
			else
				snprintf(f->status_error, sizeof(f->status_error), "Status: %s", err);
			if (e == 0 && !f->health_done && !t->calls[CALL_HEALTH].submitted)
				e = start_health(r, t, f->is_learner);
			break;
		case CALL_HEALTH:
			f->health_done = true;
			f->latency_s = (double)(c->end_ns - c->start_ns) / 1e9;
			if (code == GRPC_OK || needs_creds(code, err)) {
				/* PermissionDenied still proves the quorum read happened (etcdctl). */
				f->healthy = true;
			} else {
				snprintf(f->health_error, sizeof(f->health_error), "health read: %s",
					 err);
			}
			break;
		case CALL_ALARM:
			if (code == GRPC_OK)
				take_alarms(r, f, msg, len);
			else if (needs_creds(code, err))
				f->alarms_need_creds = true;
			break;
		case CALL_MEMBERS:
			if (code == GRPC_OK)
				e = take_members(r, f, msg, len);
			else if (needs_creds(code, err))
				f->members_need_creds = true;
			break;
		default:
			break;
		}
		conn_call_reset(t->conn, c);
		t->taken[k] = true;
		if (e < 0)
			return e;
	}
	return 0;
}

static bool target_all_answered(const struct target *t)
{
	return t->f->health_done && t->taken[CALL_STATUS] && t->taken[CALL_ALARM] &&
	       t->taken[CALL_MEMBERS];
}

/* Moves one endpoint forward after I/O: start what can start, collect what finished. */
static int target_advance(struct run *r, struct target *t)
{
	struct conn *c;
	int e;

	if (t->finished)
		return 0;
	if (t->waiting)
		return target_release(r, t);
	c = t->conn;
	if (c->stage >= CONN_STAGE_HTTP2 && c->resumed) {
		r->facts->tls_resumed++;
		c->resumed = false; /* counted */
	}
	if (c->ticket && !t->ticket) {
		SSL_SESSION_up_ref(c->ticket);
		t->ticket = c->ticket;
	}
	if (c->stage == CONN_STAGE_CLOSED) {
		/* Answers that arrived before the close still count. */
		if ((e = target_collect(r, t)) < 0)
			return e;
		if (r->auth == AUTH_IN_FLIGHT && t->calls[CALL_AUTH].submitted && !t->taken[CALL_AUTH])
			r->auth = AUTH_NEEDED;
		if (!target_all_answered(t))
			target_fail_conn(r, t);
		t->finished = true;
		return 0;
	}
	if (c->stage != CONN_STAGE_READY)
		return 0;
	if (c->ep.tls && c->verify_err && r->cfg->insecure)
		snprintf(t->f->tls_warning, sizeof(t->f->tls_warning), "%s", c->verify_msg);
	if (c->have_peer_cert) {
		t->f->has_cert = true;
		t->f->cert_not_after = c->peer.not_after;
	}
	if ((e = target_collect(r, t)) < 0)
		return e;
	if (r->auth == AUTH_NEEDED) {
		if ((e = start_auth(r, t)) < 0)
			return e;
		r->auth = AUTH_IN_FLIGHT;
		return 0;
	}
	if (r->auth == AUTH_IN_FLIGHT)
		return 0;
	if (!t->calls[CALL_STATUS].submitted && !t->taken[CALL_STATUS])
		return start_checks(r, t);
	if (target_all_answered(t)) {
		t->finished = true;
		conn_free(t->conn);
		t->conn = NULL;
	}
	return 0;
}

/* At the deadline: say, for each unfinished endpoint, where it was stuck. */
static void target_timeout(struct run *r, struct target *t)
{
	struct endpoint_facts *f = t->f;
	struct conn *c = t->conn;
	double secs = r->cfg->timeout_s;

	if (!c) {
		if (t->waiting) {
			f->failed = true;
			f->timed_out = true;
			f->failed_step = "TCP connect";
			snprintf(f->error, sizeof(f->error), "timed out after %.1f s before the "
				 "first connection to the same URL got anywhere", secs);
		}
		return;
	}
	if (c->stage != CONN_STAGE_READY) {
		f->failed = true;
		f->timed_out = true;
		f->failed_step = conn_stage_str(c->stage);
		if (c->stage == CONN_STAGE_CONNECT)
			snprintf(f->error, sizeof(f->error), "timed out after %.1f s: no answer to "
							     "TCP connect", secs);
		else if (c->stage == CONN_STAGE_TLS && !c->got_bytes)
			snprintf(f->error, sizeof(f->error),
				 "timed out after %.1f s: TCP accepted but no TLS answer (an etcd "
				 "member serves clients only once its cluster has a leader)",
				 secs);
		else if (c->stage == CONN_STAGE_TLS)
			snprintf(f->error, sizeof(f->error), "timed out after %.1f s in the TLS "
							     "handshake", secs);
		else if (!c->got_bytes)
			snprintf(f->error, sizeof(f->error),
				 "timed out after %.1f s: TCP accepted but no HTTP/2 answer (an etcd "
				 "member serves clients only once its cluster has a leader)", secs);
		else
			snprintf(f->error, sizeof(f->error), "timed out after %.1f s: no HTTP/2 "
							     "SETTINGS from server (not etcd?)", secs);
		return;
	}
	for (int k = 0; k < CALL_COUNT; k++) {
		struct conn_call *call = &t->calls[k];
		if (k == CALL_HEALTH && !f->health_done) {
			f->health_done = true;
			snprintf(f->health_error, sizeof(f->health_error),
				 "health read timed out after %.1f s (no quorum, overloaded, or a "
				 "stalled server)",
				 secs);
		} else if (k == CALL_STATUS && !t->taken[k] && !f->has_status) {
			snprintf(f->status_error, sizeof(f->status_error), "Status timed out");
		} else if (k == CALL_AUTH && r->auth == AUTH_IN_FLIGHT && call->submitted &&
			   !t->taken[k]) {
			r->facts->auth_failed = true;
			snprintf(r->facts->auth_error, sizeof(r->facts->auth_error),
				 "authentication for user '%s' timed out", r->cfg->user);
		}
	}
	if (!f->has_status && !f->health_done) {
		f->failed = true;
		f->timed_out = true;
		f->failed_step = "gRPC";
		snprintf(f->error, sizeof(f->error), "timed out after %.1f s waiting for %s", secs,
			 call_names[CALL_STATUS]);
	}
}

int check_run(const struct check_config *cfg, struct check_facts *ret)
{
	struct check_facts *f = ret;
	struct run r = {.cfg = cfg, .facts = f};
	struct pollfd *pfds = NULL;
	size_t *pidx = NULL;
	int e = 0;

	memset(f, 0, sizeof(*f));
	signal(SIGPIPE, SIG_IGN);
	uint64_t start = cfg->start_ns ? cfg->start_ns : conn_now_ns();
	r.deadline_ns = start + (uint64_t)(cfg->timeout_s * 1e9);
	f->now = time(NULL);
	f->timeout_s = cfg->timeout_s;
	f->insecure = cfg->insecure;
	f->eps = calloc(FACTS_MAX_ENDPOINTS, sizeof(*f->eps));
	r.targets = calloc(FACTS_MAX_ENDPOINTS, sizeof(*r.targets));
	pfds = calloc(FACTS_MAX_ENDPOINTS, sizeof(*pfds));
	pidx = calloc(FACTS_MAX_ENDPOINTS, sizeof(*pidx));
	if (!f->eps || !r.targets || !pfds || !pidx) {
		e = -ENOMEM;
		goto out;
	}
	r.auth = (cfg->user && cfg->user[0] && !cfg->handshake_only) ? AUTH_NEEDED : AUTH_NONE;
	if (cfg->ctx)
		conn_ctx_enable_resumption(cfg->ctx);
	for (size_t i = 0; i < cfg->n_eps && e == 0; i++)
		e = add_endpoint(&r, &cfg->eps[i]);

	while (e == 0) {
		size_t n = 0;
		bool busy = false, all_done = true;
		for (size_t i = 0; i < f->n_eps && e == 0; i++) {
			struct target *t = &r.targets[i];
			if (!t->finished)
				e = target_advance(&r, t);
			if (t->waiting)
				all_done = false;
			if (t->finished || !t->conn)
				continue;
			all_done = false;
			pfds[n] = (struct pollfd){.fd = t->conn->fd,
						  .events = conn_poll_events(t->conn)};
			pidx[n++] = i;
			busy |= t->conn->read_pending;
		}
		if (e < 0 || all_done)
			break;
		uint64_t now = conn_now_ns();
		if (now >= r.deadline_ns)
			break;
		uint64_t wait_ns = r.deadline_ns - now;
		int wait_ms = busy ? 0 : (int)((wait_ns + 999999) / 1000000);
		int pr = poll(pfds, n, wait_ms);
		if (pr < 0 && errno != EINTR) {
			e = -errno;
			break;
		}
		for (size_t j = 0; j < n && pr >= 0; j++) {
			struct target *t = &r.targets[pidx[j]];
			if (pfds[j].revents || t->conn->read_pending || t->conn->stage >= CONN_STAGE_HTTP2)
				conn_process(t->conn, pfds[j].revents);
		}
	}
	for (size_t i = 0; i < f->n_eps; i++) {
		struct target *t = &r.targets[i];
		if (!t->finished)
			target_timeout(&r, t);
	}
	/* Names come from the member list: by member ID, else by client URL. */
	for (size_t i = 0; i < f->n_eps; i++) {
		struct endpoint_facts *ef = &f->eps[i];
		const struct member_fact *m = ef->has_status ? facts_member_by_id(f, ef->member_id) : NULL;
		for (size_t j = 0; !m && j < f->n_members; j++) {
			struct endpoint mep;
			char err[64];
			if (endpoint_parse(f->members[j].client_url, true, &mep, err, sizeof(err)) == 0 &&
			    strcmp(mep.url, ef->ep.url) == 0)
				m = &f->members[j];
		}
		if (m)
			snprintf(ef->name, sizeof(ef->name), "%s", m->name);
	}
	f->elapsed_s = (double)(conn_now_ns() - start) / 1e9;
out:
	for (size_t i = 0; r.targets && i < f->n_eps; i++) {
		for (int k = 0; k < CALL_COUNT; k++)
			conn_call_reset(r.targets[i].conn, &r.targets[i].calls[k]);
		conn_free(r.targets[i].conn);
		SSL_SESSION_free(r.targets[i].ticket);
	}
	if (r.token) {
		OPENSSL_cleanse(r.token, strlen(r.token));
		free(r.token);
	}
	free(r.targets);
	free(pfds);
	free(pidx);
	if (e < 0)
		check_facts_free(f);
	return e;
}
