/* check: the engine. One poll() loop over every endpoint, each in ONE explicit state
 * (RESOLVING, WAITING_FOR_TICKET, CONNECTING, AUTH or WAITING_FOR_AUTH, CALLS, DONE) with one
 * exit, target_done(); name resolution (c-ares), connections and calls share one deadline.
 * Authentication is the run's: one endpoint carries it at a time. Each answer becomes facts in
 * one take_*() function, through the pure decoders of proto/etcd_rpc.c. */
#include "probe/check.h"

#include <ares.h>
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe/metrics.h"
#include "proto/conn.h"
#include "proto/etcd_rpc.h"
#include "proto/grpc_frame.h"
#include "proto/sanitize.h"

/* Addresses of one name tried in turn (a dual-stack "localhost": ::1, then 127.0.0.1). */
#define TARGET_MAX_ADDRS 8
/* Authenticate is sent at most this often when a member answers it with Unavailable. */
#define AUTH_MAX_TRIES 3
/* c-ares sockets polled at once (one per nameserver and protocol in practice). */
#define RESOLVER_MAX_SOCKS ARES_GETSOCK_MAXNUM

enum call_kind {
	CALL_AUTH, CALL_STATUS, CALL_HEALTH, CALL_ALARM, CALL_MEMBERS,
	CALL_LEASE_GRANT, CALL_PUT, CALL_DELETE, /* --write-check, chained in this order */
	CALL_COUNT
};

static const char *const call_names[CALL_COUNT] = {
	[CALL_AUTH] = "Authenticate", [CALL_STATUS] = "Status", [CALL_HEALTH] = "health read",
	[CALL_ALARM] = "Alarm", [CALL_MEMBERS] = "MemberList",
	[CALL_LEASE_GRANT] = "LeaseGrant", [CALL_PUT] = "Put", [CALL_DELETE] = "DeleteRange",
};

static const enum etcd_rpc call_rpcs[CALL_COUNT] = {
	[CALL_AUTH] = ETCD_RPC_AUTHENTICATE, [CALL_STATUS] = ETCD_RPC_STATUS,
	[CALL_HEALTH] = ETCD_RPC_RANGE, [CALL_ALARM] = ETCD_RPC_ALARM,
	[CALL_MEMBERS] = ETCD_RPC_MEMBER_LIST,
	[CALL_LEASE_GRANT] = ETCD_RPC_LEASE_GRANT, [CALL_PUT] = ETCD_RPC_PUT,
	[CALL_DELETE] = ETCD_RPC_DELETE_RANGE,
};

/* The write check's key lives under a lease this long: should the delete never arrive (a
 * timeout, a lost connection, a crash), etcd drops the key when the lease expires, so runs
 * every minute cannot pile keys up. */
#define WRITE_LEASE_TTL_S 60

enum target_state {
	TARGET_RESOLVING,          /* c-ares is looking the host name up */
	TARGET_WAITING_FOR_TICKET, /* a repeated URL waits for its pilot's TLS session */
	TARGET_CONNECTING,         /* TCP, TLS and HTTP/2 until the connection is ready */
	TARGET_AUTH,               /* carries the run's Authenticate call */
	TARGET_WAITING_FOR_AUTH,   /* ready; another endpoint is authenticating */
	TARGET_CALLS,              /* Status, the health read, Alarm and MemberList in flight */
	TARGET_DONE,
};

enum call_state { CALL_UNSENT, CALL_PENDING, CALL_TAKEN, CALL_SKIPPED };

/* The most of a /metrics answer read (etcd 3.5 serves about 170 KiB; a member with many gRPC
 * methods and peers a few times that). */
#define METRICS_MAX_BODY (8u * 1024 * 1024)
/* The share of -t a /metrics fetch may take: a member that never answers it (its metrics
 * handler stuck, a proxy) must not hold every other result until the deadline. etcd answers it
 * in 15-40 ms here. */
#define METRICS_SHARE 0.4

/* A member's /metrics: over the endpoint's own HTTP/2 connection (an https:// client URL), or
 * over a connection of its own speaking HTTP/1.1 (an http:// client URL, whose cmux hands
 * HTTP/2 to the gRPC server only, or --metrics-url: etcd's plain metrics listener). */
enum metrics_state {
	METRICS_OFF,        /* not asked (--no-metrics, a repeated URL, --handshake-only) */
	METRICS_RESOLVING,  /* own connection: its host is being looked up */
	METRICS_CONNECTING, /* own connection: TCP (and TLS) */
	METRICS_GETTING,    /* the GET is in flight */
	METRICS_DONE,       /* answered, failed or given up: metrics_raw or metrics_error */
};

struct metrics_fetch {
	enum metrics_state state;
	bool own_conn;
	struct endpoint ep;    /* where: the endpoint itself or its --metrics-url */
	struct conn *conn;     /* own_conn only */
	struct conn_call call;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	uint64_t deadline_ns;  /* its share of -t, from its start */
};

struct run;

struct target {
	struct run *run;
	struct endpoint_facts *f;
	enum target_state state;
	struct conn *conn;
	struct conn_call calls[CALL_COUNT];
	enum call_state call[CALL_COUNT];
	/* A repeated URL waits for the first connection to it (its pilot) to get a session
	 * ticket, then resumes it: no full handshake, no certificate signature each time. The
	 * pilot asks the cluster-wide questions (Alarm, MemberList) for both. */
	bool repeat;
	size_t pilot;
	SSL_SESSION *ticket; /* our own reference to the first ticket our connection got */
	struct sockaddr_storage addrs[TARGET_MAX_ADDRS];
	socklen_t addrlens[TARGET_MAX_ADDRS];
	size_t n_addrs, addr_next;
	uint64_t connect_deadline_ns; /* the current address's share of the time */
	bool auth_tried;              /* this endpoint carried an Authenticate already */
	bool members_linearizable;    /* the MemberList in flight is the linearizable one */
	uint64_t auth_deadline_ns;    /* when its Authenticate try is given up (TARGET_AUTH) */
	unsigned health_retries;      /* health reads sent again after "leader changed" */
	unsigned status_retries;      /* Status asked again after it said no leader */
	uint64_t status_again_ns;     /* when to ask it again (0: not waiting) */
	struct metrics_fetch metrics;
};

/* A Status that says no leader may come in the moment a leader hands over (the fault matrix's
 * rolling restart: a follower without a leader for a few milliseconds, the quorum held): asked
 * again every STATUS_AGAIN_MS, this many times, before the member is said to have none. A member
 * that really has none is said so that much later, well within -t. */
#define STATUS_NO_LEADER_RETRIES 4
#define STATUS_AGAIN_MS 100

/* A linearizable read in flight when the leader changes is answered Unavailable "etcdserver:
 * leader changed" (a leader stopped gracefully hands over; the fault matrix's rolling restart
 * saw it on every member at once): no fault of this member, and etcd's own clients send such a
 * read again. So does the probe, within -t, this many times. */
#define HEALTH_MAX_RETRIES 2

enum auth_state { AUTH_NONE, AUTH_NEEDED, AUTH_IN_FLIGHT, AUTH_DONE, AUTH_FAILED };

/* --write-check: wanted until one endpoint carries it; one write per run, not one per member. */
enum write_state { WRITE_OFF, WRITE_WANTED, WRITE_CARRIED };

struct run {
	const struct check_config *cfg;
	struct check_facts *facts;
	struct target *targets; /* FACTS_MAX_ENDPOINTS, parallel to facts->eps */
	uint64_t deadline_ns;
	bool seed_tls;          /* some endpoint given was https:// */
	struct {
		enum auth_state state;
		struct target *carrier; /* the endpoint whose Authenticate is in flight */
		char *token;
	} auth;
	ares_channel resolver;  /* made when the first host name needs it */
	bool resolver_ready;
	struct {
		enum write_state state;
		struct target *carrier;
		char key[ETCD_RPC_KEY_MAX + 1];
		int64_t lease;
	} write;
};

static uint64_t remaining_ms(const struct run *r)
{
	uint64_t now = conn_now_ns();
	return now >= r->deadline_ns ? 0 : (r->deadline_ns - now) / 1000000;
}

/* Formats a line for people into dst, sanitized: it may quote what a server sent. */
static void set_text(char *dst, size_t dstlen, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static void set_text(char *dst, size_t dstlen, const char *fmt, va_list ap)
{
	char buf[FACTS_ERR_LEN];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	sanitize_text(buf, strlen(buf), dst, dstlen);
}

/* ---- the one exit ---- */

static void metrics_close(struct target *t)
{
	struct metrics_fetch *m = &t->metrics;
	conn_call_reset(m->own_conn ? m->conn : t->conn, &m->call);
	conn_free(m->conn);
	m->conn = NULL;
}

static void target_close(struct target *t)
{
	metrics_close(t);
	for (int k = 0; k < CALL_COUNT; k++)
		conn_call_reset(t->conn, &t->calls[k]);
	conn_free(t->conn);
	t->conn = NULL;
}

/* Ends the endpoint: failure EP_FAIL_NONE when it answered, else why not, in a line for people
 * (sanitized here: it may quote what the server sent). */
static void target_done(struct target *t, enum endpoint_failure failure, const char *step,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void target_done(struct target *t, enum endpoint_failure failure, const char *step,
			const char *fmt, ...)
{
	struct endpoint_facts *f = t->f;
	struct run *r = t->run;

	if (t->state == TARGET_DONE)
		return;
	if (r->auth.carrier == t) {
		/* Its Authenticate will not be answered: let another endpoint try. */
		r->auth.carrier = NULL;
		r->auth.state = AUTH_NEEDED;
		if (r->facts->auth_tries >= AUTH_MAX_TRIES) {
			r->auth.state = AUTH_FAILED;
			r->facts->auth_failed = true;
			snprintf(r->facts->auth_error, sizeof(r->facts->auth_error),
				 "authentication for user '%s' got no answer (%u tries)",
				 r->cfg->user, r->facts->auth_tries);
		}
	}
	t->state = TARGET_DONE;
	if (failure != EP_FAIL_NONE) {
		va_list ap;
		va_start(ap, fmt);
		set_text(f->error, sizeof(f->error), fmt, ap);
		va_end(ap);
		f->failed = true;
		f->failure = failure;
		f->failed_step = step;
	}
	target_close(t);
}

/* What the connection's failure kind means for the endpoint. */
static const enum endpoint_failure conn_failures[] = {
	[CONN_ERR_NONE] = EP_FAIL_INTERNAL,
	[CONN_ERR_REFUSED] = EP_FAIL_REFUSED,
	[CONN_ERR_UNREACHABLE] = EP_FAIL_UNREACHABLE,
	[CONN_ERR_IO] = EP_FAIL_IO,
	[CONN_ERR_CLOSED] = EP_FAIL_CLOSED,
	[CONN_ERR_TLS_VERIFY] = EP_FAIL_TLS_VERIFY,
	[CONN_ERR_CLIENT_CERT_REJECTED] = EP_FAIL_CLIENT_CERT_REJECTED,
	[CONN_ERR_CLIENT_CERT_REQUIRED] = EP_FAIL_CLIENT_CERT_REQUIRED,
	[CONN_ERR_NOT_TLS] = EP_FAIL_NOT_TLS,
	[CONN_ERR_NO_H2] = EP_FAIL_NOT_HTTP2,
	[CONN_ERR_TLS] = EP_FAIL_TLS,
	[CONN_ERR_HTTP2] = EP_FAIL_HTTP2,
	[CONN_ERR_INTERNAL] = EP_FAIL_INTERNAL,
};

static void target_fail_conn(struct target *t)
{
	struct endpoint_facts *f = t->f;
	const struct conn *c = t->conn;
	const char *why = t->run->cfg->client_cert_problem;
	enum endpoint_failure kind = (unsigned)c->err_kind < sizeof(conn_failures) /
								 sizeof(conn_failures[0])
					     ? conn_failures[c->err_kind] : EP_FAIL_INTERNAL;

	if (kind == EP_FAIL_TLS_VERIFY) {
		f->verify_err = c->verify_err;
		snprintf(f->verify_host, sizeof(f->verify_host), "%s", c->verify_host);
		if (c->have_peer_cert)
			sanitize_text(c->peer.sans, strlen(c->peer.sans), f->cert_sans,
				      sizeof(f->cert_sans));
	}
	const char *step = conn_stage_str(c->failed_stage);
	if (kind == EP_FAIL_CLIENT_CERT_REJECTED && why && why[0])
		/* the alert only says "bad certificate": what we see in the file says why */
		target_done(t, kind, step, "server rejected our client certificate: %s", why);
	else if (t->n_addrs > 1 && c->failed_stage == CONN_STAGE_CONNECT)
		target_done(t, kind, step, "%s (every one of the %zu addresses of %s)", c->err,
			    t->n_addrs, f->ep.host);
	else
		target_done(t, kind, step, "%s", c->err);
}

/* ---- resolving and connecting ---- */

static int target_connect_next(struct target *t)
{
	struct run *r = t->run;
	SSL_SESSION *resume = t->repeat ? r->targets[t->pilot].ticket : NULL;

	target_close(t);
	t->conn = conn_new(&t->f->ep, r->cfg->ctx, r->cfg->insecure);
	if (!t->conn)
		return -ENOMEM;
	conn_set_resume(t->conn, resume);
	t->state = TARGET_CONNECTING;
	/* Like Go's dialer: each address left gets an equal share of the time left, so one that
	 * never answers does not use up the deadline of the next. */
	size_t left = t->n_addrs - t->addr_next;
	uint64_t now = conn_now_ns();
	uint64_t rest = r->deadline_ns > now ? r->deadline_ns - now : 0;
	t->connect_deadline_ns = left > 1 ? now + rest / left : r->deadline_ns;
	size_t i = t->addr_next++;
	if (conn_connect(t->conn, (struct sockaddr *)&t->addrs[i], t->addrlens[i]) < 0 &&
	    t->addr_next < t->n_addrs)
		return target_connect_next(t); /* refused or unreachable at once: the next one */
	return 0;
}

/* The addresses are known: connect now, or wait for the pilot's ticket. */
static int target_resolved(struct target *t)
{
	if (t->repeat) {
		t->state = TARGET_WAITING_FOR_TICKET;
		return 0;
	}
	return target_connect_next(t);
}

static void on_addrinfo(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
	struct target *t = arg;
	(void)timeouts;
	if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED || t->state != TARGET_RESOLVING) {
		ares_freeaddrinfo(res);
		return;
	}
	for (struct ares_addrinfo_node *n = res ? res->nodes : NULL;
	     n && t->n_addrs < TARGET_MAX_ADDRS; n = n->ai_next) {
		if (n->ai_addrlen > sizeof(t->addrs[0]))
			continue;
		memcpy(&t->addrs[t->n_addrs], n->ai_addr, n->ai_addrlen);
		t->addrlens[t->n_addrs++] = n->ai_addrlen;
	}
	ares_freeaddrinfo(res);
	if (status != ARES_SUCCESS || t->n_addrs == 0) {
		target_done(t, EP_FAIL_RESOLVE, "name resolution", "cannot resolve host %s: %s",
			    t->f->ep.host, status == ARES_SUCCESS ? "no address" : ares_strerror(status));
		return;
	}
	/* target_advance connects (conn still NULL): nothing starts inside c-ares' callback */
	t->state = t->repeat ? TARGET_WAITING_FOR_TICKET : TARGET_CONNECTING;
}

static int resolver_start(struct run *r)
{
	if (r->resolver_ready)
		return 0;
	struct ares_options opts = {0};
	int mask = 0;
	if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS)
		return -ENOMEM;
	if (ares_init_options(&r->resolver, &opts, mask) != ARES_SUCCESS) {
		ares_library_cleanup();
		return -ENOMEM;
	}
	r->resolver_ready = true;
	return 0;
}

static int target_resolve(struct target *t)
{
	struct run *r = t->run;
	struct endpoint_facts *f = t->f;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&t->addrs[0];
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&t->addrs[0];
	unsigned long port = strtoul(f->ep.port, NULL, 10); /* endpoint_parse checked it */

	if (inet_pton(AF_INET, f->ep.host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		t->addrlens[0] = sizeof(*in4);
		t->n_addrs = 1;
		return target_resolved(t);
	}
	if (inet_pton(AF_INET6, f->ep.host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		t->addrlens[0] = sizeof(*in6);
		t->n_addrs = 1;
		return target_resolved(t);
	}
	int e = resolver_start(r);
	if (e < 0) {
		target_done(t, EP_FAIL_RESOLVE, "name resolution",
			    "cannot resolve host %s: the resolver could not start", f->ep.host);
		return 0;
	}
	struct ares_addrinfo_hints hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
					    .ai_flags = ARES_AI_NUMERICSERV};
	t->state = TARGET_RESOLVING;
	ares_getaddrinfo(r->resolver, f->ep.host, f->ep.port, &hints, on_addrinfo, t);
	return 0;
}

/* Adds a target. A URL given twice is probed twice, each its own connection (as etcdctl
 * does); the second waits for the first's TLS session to resume it. */
static int add_endpoint(struct run *r, const struct endpoint *ep, bool discovered)
{
	struct check_facts *f = r->facts;
	if (f->n_eps == FACTS_MAX_ENDPOINTS)
		return 0;
	struct endpoint_facts *ef = &f->eps[f->n_eps];
	struct target *t = &r->targets[f->n_eps];
	f->n_eps++;
	memset(ef, 0, sizeof(*ef));
	ef->ep = *ep;
	t->f = ef;
	t->run = r;
	for (size_t i = 0; ep->tls && i + 1 < f->n_eps; i++) {
		if (strcmp(f->eps[i].ep.url, ep->url) == 0) {
			t->repeat = true;
			t->pilot = i;
			break;
		}
	}
	if (discovered && !ep->tls && r->seed_tls && r->auth.state != AUTH_NONE) {
		target_done(t, EP_FAIL_DOWNGRADE, "not probed",
			    "the member list gives %s, an http:// URL: the auth token is not sent "
			    "in clear text to a member found through https:// (give it in "
			    "--endpoints to probe it anyway)", ep->url);
		return 0;
	}
	if (ep->tls && !r->cfg->ctx) {
		target_done(t, EP_FAIL_TLS, "TLS handshake", "%s is https:// but TLS is not set up "
			    "(give --cacert, or --cert and --key)", ep->url);
		return 0;
	}
	return target_resolve(t);
}

/* ---- /metrics ---- */

/* Ends the fetch; fmt NULL when the snapshot was taken, else why not (sanitized: it may quote
 * the server). */
static void metrics_done(struct target *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void metrics_done(struct target *t, const char *fmt, ...)
{
	struct metrics_fetch *m = &t->metrics;
	if (m->state == METRICS_DONE || m->state == METRICS_OFF)
		return;
	m->state = METRICS_DONE;
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		set_text(t->f->metrics_error, sizeof(t->f->metrics_error), fmt, ap);
		va_end(ap);
	}
	metrics_close(t);
}

static int metrics_get(struct target *t)
{
	struct metrics_fetch *m = &t->metrics;
	struct conn *c = m->own_conn ? m->conn : t->conn;
	int e = conn_get_start(c, &m->call, "/metrics", METRICS_MAX_BODY);
	if (e == -ENOMEM)
		return e;
	if (e < 0) {
		metrics_done(t, "cannot send the GET of %s/metrics", m->ep.url);
		return 0;
	}
	m->state = METRICS_GETTING;
	return 0;
}

static int metrics_connect(struct target *t)
{
	struct metrics_fetch *m = &t->metrics;
	struct run *r = t->run;
	m->conn = conn_new(&m->ep, r->cfg->ctx, r->cfg->insecure);
	if (!m->conn)
		return -ENOMEM;
	conn_use_http1(m->conn);
	m->state = METRICS_CONNECTING;
	conn_connect(m->conn, (struct sockaddr *)&m->addr, m->addrlen); /* a failure: CLOSED */
	return 0;
}

static void on_metrics_addrinfo(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
	struct target *t = arg;
	struct metrics_fetch *m = &t->metrics;
	(void)timeouts;
	if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED || m->state != METRICS_RESOLVING) {
		ares_freeaddrinfo(res);
		return;
	}
	struct ares_addrinfo_node *n = res ? res->nodes : NULL;
	if (status == ARES_SUCCESS && n && n->ai_addrlen <= sizeof(m->addr)) {
		memcpy(&m->addr, n->ai_addr, n->ai_addrlen);
		m->addrlen = n->ai_addrlen;
		m->state = METRICS_CONNECTING; /* metrics_advance connects (m->conn still NULL) */
	} else {
		metrics_done(t, "cannot resolve host %s of %s: %s", m->ep.host, m->ep.url,
			     status == ARES_SUCCESS ? "no address" : ares_strerror(status));
	}
	ares_freeaddrinfo(res);
}

/* Starts the fetch with the other checks: the GET goes beside the gRPC calls. */
static int metrics_start(struct target *t)
{
	struct metrics_fetch *m = &t->metrics;
	struct run *r = t->run;
	if (r->cfg->no_metrics || t->repeat)
		return 0;
	const struct endpoint *mep = NULL;
	for (size_t i = 0; i < r->cfg->n_metrics_eps && !mep; i++)
		if ((r->cfg->n_metrics_eps == r->cfg->n_eps && t - r->targets == (ptrdiff_t)i) ||
		    (r->cfg->n_metrics_eps != r->cfg->n_eps &&
		     strcmp(r->cfg->metrics_eps[i].host, t->f->ep.host) == 0))
			mep = &r->cfg->metrics_eps[i];
	m->ep = mep ? *mep : t->f->ep;
	uint64_t share = (uint64_t)(r->cfg->timeout_s * METRICS_SHARE * 1e9);
	m->deadline_ns = conn_now_ns() + share;
	if (m->deadline_ns > r->deadline_ns)
		m->deadline_ns = r->deadline_ns;
	t->f->metrics_url_given = mep != NULL;
	m->own_conn = mep || !t->f->ep.tls;
	snprintf(t->f->metrics_url, sizeof(t->f->metrics_url), "%s/metrics", m->ep.url);
	if (!m->own_conn)
		return metrics_get(t);
	if (m->ep.tls && !r->cfg->ctx) {
		m->state = METRICS_CONNECTING;
		metrics_done(t, "%s is https:// but TLS is not set up", m->ep.url);
		return 0;
	}
	unsigned long port = strtoul(m->ep.port, NULL, 10); /* endpoint_parse checked it */
	struct sockaddr_in *in4 = (struct sockaddr_in *)&m->addr;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&m->addr;
	if (inet_pton(AF_INET, m->ep.host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		m->addrlen = sizeof(*in4);
		return metrics_connect(t);
	}
	if (inet_pton(AF_INET6, m->ep.host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		m->addrlen = sizeof(*in6);
		return metrics_connect(t);
	}
	m->state = METRICS_RESOLVING;
	if (resolver_start(r) < 0) {
		metrics_done(t, "cannot resolve host %s: the resolver could not start", m->ep.host);
		return 0;
	}
	struct ares_addrinfo_hints hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
					    .ai_flags = ARES_AI_NUMERICSERV};
	ares_getaddrinfo(r->resolver, m->ep.host, m->ep.port, &hints, on_metrics_addrinfo, t);
	return 0;
}

static int take_metrics(struct target *t)
{
	struct metrics_fetch *m = &t->metrics;
	const struct grpc_response *resp = &m->call.resp;
	if (resp->too_large) {
		metrics_done(t, "%s/metrics: the answer is over %u MiB", m->ep.url,
			     METRICS_MAX_BODY >> 20);
		return 0;
	}
	if (resp->rst_code != 0) {
		/* a stream reset after some DATA: what came is not the whole text */
		metrics_done(t, "%s/metrics: the answer was cut short (stream reset: %s)", m->ep.url,
			     h2_error_str(resp->rst_code));
		return 0;
	}
	if (resp->http_status != 200) {
		if (resp->http_status == 0)
			metrics_done(t, "%s/metrics: no valid HTTP answer", m->ep.url);
		else
			metrics_done(t, "%s/metrics: HTTP status %d", m->ep.url, resp->http_status);
		return 0;
	}
	struct metrics_snapshot *snap = malloc(sizeof(*snap));
	if (!snap)
		return -ENOMEM;
	int e = metrics_extract((const char *)resp->body, resp->body_len, snap);
	if (e == 0 && snap->truncated) {
		/* no final newline: cut short (a family late in the text, the start time, would
		 * be missing and a restart missed); etcd's text always ends in one */
		free(snap);
		metrics_done(t, "%s/metrics: the answer was cut short (no final newline)", m->ep.url);
		return 0;
	}
	if (e < 0) {
		free(snap);
		if (e == -ENOMEM)
			return e;
		metrics_done(t, "%s/metrics: not etcd's metrics (no quota, no DB size)", m->ep.url);
		return 0;
	}
	free(t->f->metrics_raw);
	t->f->metrics_raw = snap;
	metrics_done(t, NULL);
	return 0;
}

static bool metrics_pending(const struct target *t)
{
	return t->metrics.state != METRICS_OFF && t->metrics.state != METRICS_DONE;
}

/* Moves the fetch on after I/O. */
static int metrics_advance(struct target *t)
{
	struct metrics_fetch *m = &t->metrics;
	struct conn *c = m->own_conn ? m->conn : t->conn;
	if (metrics_pending(t) && !m->call.done && conn_now_ns() >= m->deadline_ns) {
		metrics_done(t, "%s/metrics: no answer within %.1f s (its share of -t)", m->ep.url,
			     t->run->cfg->timeout_s * METRICS_SHARE);
		return 0;
	}
	switch (m->state) {
	case METRICS_CONNECTING:
		if (!m->conn)
			return metrics_connect(t); /* just resolved */
		if (m->conn->stage == CONN_STAGE_CLOSED) {
			metrics_done(t, "%s: %s", m->ep.url, m->conn->err);
			return 0;
		}
		return m->conn->stage == CONN_STAGE_READY ? metrics_get(t) : 0;
	case METRICS_GETTING:
		if (m->call.done)
			return take_metrics(t);
		if (!c || c->stage == CONN_STAGE_CLOSED)
			metrics_done(t, "%s/metrics: %s", m->ep.url, c ? c->err : "connection closed");
		return 0;
	default:
		return 0;
	}
}

/* ---- starting calls ---- */

/* Starts call k; budget_ms 0: the rest of the run. */
static int start_call_within(struct target *t, enum call_kind k, const uint8_t *msg, size_t len,
			     uint64_t budget_ms)
{
	struct run *r = t->run;
	uint64_t ms = budget_ms ? budget_ms : remaining_ms(r);
	/* Leave a little of the budget for the answer to travel back. */
	ms = ms > 100 ? ms - 50 : (ms ? ms : 1);
	const char *token = (k != CALL_AUTH && r->auth.state == AUTH_DONE) ? r->auth.token : NULL;
	conn_call_reset(t->conn, &t->calls[k]);
	int e = conn_call_start(t->conn, &t->calls[k], etcd_rpc_path(call_rpcs[k]), msg, len,
				token, ms);
	if (e == -ENOMEM)
		return e;
	if (e < 0) {
		/* The connection refused a new stream (after GOAWAY, say): the endpoint fails,
		 * the run goes on. conn_fail keeps the first reason. */
		conn_fail(t->conn, CONN_ERR_INTERNAL, "cannot start the %s call", call_names[k]);
		return 0;
	}
	t->call[k] = CALL_PENDING;
	return 0;
}

static int start_call(struct target *t, enum call_kind k, const uint8_t *msg, size_t len)
{
	return start_call_within(t, k, msg, len, 0);
}

static int start_health(struct target *t, bool serializable)
{
	uint8_t buf[ETCD_RPC_SMALL_REQUEST_MAX];
	size_t n = etcd_rpc_encode_health_read(serializable, buf);
	return start_call(t, CALL_HEALTH, buf, n);
}

/* MemberList, linearizable (3.5+): the member list as the quorum has it, not this member's
 * possibly stale copy. Without a quorum such a read only waits (for -t, measured on 3.5.16),
 * and then the run knows no member's name: take_status asks again serializably when Status
 * shows no leader, and a leader that has just lost its quorum (it still says it leads until
 * its election timeout) gets MEMBERS_SHARE of -t, then the same serializable ask. 3.4 ignores
 * the field. */
#define MEMBERS_SHARE 0.4

static int start_members(struct target *t, bool linearizable)
{
	uint8_t buf[ETCD_RPC_SMALL_REQUEST_MAX];
	size_t n = etcd_rpc_encode_member_list(linearizable, buf);
	t->members_linearizable = linearizable;
	/* its share, and never more than half the time left: a member reached late (after a
	 * slow connect) must still have time for the serializable ask; 0: the rest of the run */
	uint64_t budget = 0;
	if (linearizable) {
		uint64_t share = (uint64_t)(t->run->cfg->timeout_s * MEMBERS_SHARE * 1e3);
		uint64_t half = remaining_ms(t->run) / 2;
		budget = share < half ? share : half;
		if (budget == 0)
			budget = 1;
	}
	return start_call_within(t, CALL_MEMBERS, buf, n, budget);
}

static int start_auth(struct target *t)
{
	struct run *r = t->run;
	uint8_t *buf;
	size_t len;
	if (etcd_rpc_encode_authenticate(r->cfg->user, r->cfg->password, &buf, &len) < 0)
		return -ENOMEM;
	/* Each try gets an equal share of the time left: a member that holds Authenticate (it
	 * goes through raft: no leader, no answer) must not use up the others' tries. */
	unsigned left = AUTH_MAX_TRIES - r->facts->auth_tries;
	uint64_t budget = remaining_ms(r) / (left ? left : 1);
	int e = start_call_within(t, CALL_AUTH, buf, len, budget ? budget : 1);
	OPENSSL_cleanse(buf, len);
	free(buf);
	if (e < 0)
		return e;
	if (t->conn->stage == CONN_STAGE_CLOSED) {
		target_fail_conn(t); /* never sent: not a try; another endpoint takes it */
		return 0;
	}
	r->facts->auth_tries++;
	r->auth.state = AUTH_IN_FLIGHT;
	r->auth.carrier = t;
	t->auth_tried = true;
	t->auth_deadline_ns = conn_now_ns() + budget * 1000000;
	t->state = TARGET_AUTH;
	return 0;
}

static int start_checks(struct target *t)
{
	int e;
	if (t->run->cfg->handshake_only) {
		target_done(t, EP_FAIL_NONE, NULL, "%s", "");
		return 0;
	}
	t->state = TARGET_CALLS;
	/* --write-check: not this endpoint's unless it becomes the carrier (take_write_start) */
	t->call[CALL_LEASE_GRANT] = t->call[CALL_PUT] = t->call[CALL_DELETE] = CALL_SKIPPED;
	if ((e = start_call(t, CALL_STATUS, NULL, 0)) < 0 || (e = metrics_start(t)) < 0)
		return e;
	if (t->repeat) {
		/* The same server already answers these for its first connection; Alarm GET is a
		 * raft proposal in etcd 3.4: do not multiply them. */
		t->call[CALL_ALARM] = t->call[CALL_MEMBERS] = CALL_SKIPPED;
		return 0;
	}
	if ((e = start_call(t, CALL_ALARM, NULL, 0)) < 0 || (e = start_members(t, true)) < 0)
		return e;
	return 0;
}

/* t already tried Authenticate and another endpoint that has not is still on its way to ready:
 * the retry is its to make. */
static bool auth_wait_for_untried(const struct target *t)
{
	const struct run *r = t->run;
	/* not for ever: one that never gets ready must not starve the retries */
	if (!t->auth_tried || conn_now_ns() >= t->auth_deadline_ns)
		return false;
	for (size_t i = 0; i < r->facts->n_eps; i++) {
		const struct target *o = &r->targets[i];
		if (o != t && !o->auth_tried && o->state != TARGET_DONE &&
		    o->state != TARGET_CALLS && o->state != TARGET_AUTH)
			return true;
	}
	return false;
}

/* The connection is ready: authenticate first if the run still must, else the checks. */
static int target_begin(struct target *t)
{
	struct run *r = t->run;
	switch (r->auth.state) {
	case AUTH_NEEDED:
		if (auth_wait_for_untried(t)) {
			t->state = TARGET_WAITING_FOR_AUTH;
			return 0;
		}
		return start_auth(t);
	case AUTH_IN_FLIGHT:
		t->state = TARGET_WAITING_FOR_AUTH;
		return 0;
	default:
		return start_checks(t);
	}
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

static int take_status(struct target *t, const uint8_t *msg, size_t len)
{
	struct endpoint_facts *f = t->f;
	struct etcd_status s;
	int e = etcd_rpc_decode_status(msg, len, &s);
	if (e == -ENOMEM)
		return e;
	if (e < 0) {
		snprintf(f->status_error, sizeof(f->status_error),
			 "Status: malformed response (not etcd?)");
		return 0;
	}
	f->has_status = true;
	f->cluster_id = s.header.cluster_id;
	f->member_id = s.header.member_id;
	f->leader = s.leader;
	f->raft_term = s.raft_term;
	f->raft_index = s.raft_index;
	f->raft_applied_index = s.raft_applied_index;
	f->db_size = s.db_size;
	f->db_size_in_use = s.db_size_in_use;
	f->db_size_quota = s.db_size_quota;
	f->is_learner = s.is_learner;
	snprintf(f->version, sizeof(f->version), "%s", s.version);
	snprintf(f->status_errors, sizeof(f->status_errors), "%s", s.errors);
	if (f->leader != 0)
		return 0;
	/* Status is answered locally: no leader means a quorum read cannot succeed now, so say
	 * so at once instead of waiting for the read to time out. */
	f->no_leader = true;
	f->health_done = true;
	t->call[CALL_HEALTH] = CALL_SKIPPED;
	snprintf(f->health_error, sizeof(f->health_error),
		 "no leader: this member cannot reach a quorum of its peers");
	/* Alarm GET goes through raft (etcd 3.4): without a leader it would only wait. */
	if (t->call[CALL_ALARM] == CALL_PENDING && !t->calls[CALL_ALARM].done) {
		conn_call_reset(t->conn, &t->calls[CALL_ALARM]);
		t->call[CALL_ALARM] = CALL_SKIPPED;
	}
	/* The linearizable MemberList would wait as well: ask for the local view. */
	if (t->call[CALL_MEMBERS] == CALL_PENDING && !t->calls[CALL_MEMBERS].done)
		return start_members(t, false);
	return 0;
}

static int take_alarms(struct target *t, const uint8_t *msg, size_t len)
{
	struct check_facts *cf = t->run->facts;
	struct etcd_alarms a;
	int e = etcd_rpc_decode_alarms(msg, len, &a);
	if (e < 0)
		return e == -ENOMEM ? e : 0;
	t->f->alarms_answered = true;
	cf->have_alarms = true;
	for (size_t i = 0; i < a.n; i++) {
		bool seen = false;
		for (size_t j = 0; j < cf->n_alarms; j++)
			seen |= cf->alarms[j].member_id == a.v[i].member_id &&
				cf->alarms[j].type == a.v[i].type;
		if (!seen && cf->n_alarms < FACTS_MAX_ALARMS)
			cf->alarms[cf->n_alarms++] = (struct alarm_fact){a.v[i].member_id, a.v[i].type};
	}
	return 0;
}

/* --cluster: every member's client URL not probed yet becomes a target. */
static int discover(struct run *r, const struct etcd_members *m)
{
	struct check_facts *cf = r->facts;
	int e = 0;
	for (size_t i = 0; i < m->n && e == 0; i++) {
		struct endpoint eps[ETCD_RPC_URLS_MAX];
		size_t n = 0;
		bool known = false;
		for (size_t u = 0; u < m->v[i].n_client_urls; u++) {
			char err[128];
			if (endpoint_parse(m->v[i].client_urls[u], true, &eps[n], err, sizeof(err)) == 0)
				n++;
		}
		for (size_t u = 0; u < n; u++)
			for (size_t j = 0; j < cf->n_eps; j++)
				known |= strcmp(cf->eps[j].ep.url, eps[u].url) == 0;
		if (known || n == 0)
			continue;
		/* from an https:// seed, the member's first https:// URL when it has one */
		size_t pick = 0;
		while (r->seed_tls && pick + 1 < n && !eps[pick].tls)
			pick++;
		e = add_endpoint(r, &eps[eps[pick].tls ? pick : 0], true);
	}
	return e;
}

static int take_members(struct target *t, const uint8_t *msg, size_t len)
{
	struct run *r = t->run;
	struct check_facts *cf = r->facts;
	struct etcd_members *m = malloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	int e = etcd_rpc_decode_members(msg, len, m);
	if (e < 0) {
		free(m);
		return e == -ENOMEM ? e : 0;
	}
	t->f->members_answered = true;
	if (!cf->have_members) {
		cf->have_members = true;
		for (size_t i = 0; i < m->n && cf->n_members < FACTS_MAX_MEMBERS; i++) {
			struct member_fact *mf = &cf->members[cf->n_members++];
			mf->id = m->v[i].id;
			snprintf(mf->name, sizeof(mf->name), "%s", m->v[i].name);
			mf->is_learner = m->v[i].is_learner;
			if (m->v[i].n_client_urls)
				snprintf(mf->client_url, sizeof(mf->client_url), "%s",
					 m->v[i].client_urls[0]);
		}
	}
	if (r->cfg->discover)
		e = discover(r, m);
	free(m);
	return e;
}

/* Authenticate's answer: a token, "auth is off", a refusal, or trouble worth another try. */
static int take_auth(struct target *t, int code, const char *err, const uint8_t *msg, size_t len)
{
	struct run *r = t->run;
	struct check_facts *cf = r->facts;
	r->auth.carrier = NULL;
	if (code == GRPC_OK) {
		char *token = NULL;
		int e = etcd_rpc_decode_authenticate(msg, len, &token);
		if (e == -ENOMEM)
			return e;
		r->auth.state = e == 0 ? AUTH_DONE : AUTH_FAILED;
		r->auth.token = token;
		if (e < 0) {
			cf->auth_failed = true;
			snprintf(cf->auth_error, sizeof(cf->auth_error), "authentication for user "
				 "'%s': malformed answer (no usable token)", r->cfg->user);
		}
		return 0;
	}
	if (code == GRPC_FAILED_PRECONDITION) {
		/* "authentication is not enabled": go on without a token */
		r->auth.state = AUTH_NONE;
		return 0;
	}
	bool retry = code < 0 || code == GRPC_UNAVAILABLE || code == GRPC_DEADLINE_EXCEEDED;
	if (retry && cf->auth_tries < AUTH_MAX_TRIES) {
		r->auth.state = AUTH_NEEDED; /* this endpoint asks again, or another one does */
		return 0;
	}
	r->auth.state = AUTH_FAILED;
	cf->auth_failed = true;
	snprintf(cf->auth_error, sizeof(cf->auth_error), "authentication failed for user '%s': "
		 "%s%s", r->cfg->user, err, retry ? " (after 3 tries)" : "");
	return 0;
}

/* ---- the write check (--write-check) ---- */

/* The key: PREFIX + "<host name>-<pid>". The host name keeps apart probes on different machines
 * that write through the same member at the same moment (a shared key would let one's delete
 * remove the other's put), the PID runs on one machine; short, and it tells an operator who
 * finds one where it came from. Characters outside [A-Za-z0-9._-] become '_'. */
static void write_key_make(struct run *r, const char *prefix)
{
	char host[64];
	if (gethostname(host, sizeof(host)) < 0 || !host[0])
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	for (char *p = host; *p; p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
		*p = ok ? c : '_';
	}
	snprintf(r->write.key, sizeof(r->write.key), "%s%s-%ld", prefix, host, (long)getpid());
}

/* Was the Put sent? Then the key may exist until its lease expires. */
static const char *write_lease_note(const struct target *t)
{
	bool put_sent = t->call[CALL_PUT] == CALL_PENDING || t->call[CALL_PUT] == CALL_TAKEN;
	return put_sent ? "; the key goes with its lease within 60 s" : "";
}

/* Ends the write check as failed, with why (sanitized: it quotes the server); the calls still to
 * come are not sent. */
static void write_end(struct target *t, int grpc_code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void write_end(struct target *t, int grpc_code, const char *fmt, ...)
{
	struct endpoint_facts *f = t->f;
	va_list ap;
	va_start(ap, fmt);
	set_text(f->write_error, sizeof(f->write_error), fmt, ap);
	va_end(ap);
	f->write_done = true;
	f->write_ok = false;
	f->write_grpc_code = grpc_code;
	for (int k = CALL_LEASE_GRANT; k <= CALL_DELETE; k++)
		if (t->call[k] == CALL_UNSENT)
			t->call[k] = CALL_SKIPPED;
}

/* What etcd's refusals of a write mean, by gRPC code and the words of etcd's message
 * (api/v3rpc/rpctypes; ETCD_FACTS.md): the first row that matches names the reason. */
static const struct write_refusal {
	int code;
	const char *says; /* NULL: any message */
	const char *reason;
} write_refusals[] = {
	{GRPC_RESOURCE_EXHAUSTED, "database space exceeded", "NOSPACE"},
	{GRPC_RESOURCE_EXHAUSTED, "too many requests", "too many requests"},
	{GRPC_UNAVAILABLE, "no leader", "no leader"},
	{GRPC_UNAVAILABLE, "leader changed", "leader changed"},
	{GRPC_UNAVAILABLE, "timed out", "timed out"},
	{GRPC_UNAVAILABLE, "learner", "learner"},
	{GRPC_DEADLINE_EXCEEDED, NULL, "timed out"},
	{GRPC_DATA_LOSS, NULL, "CORRUPT"},
};

static void take_write_refusal(struct target *t, enum call_kind k, int code, const char *err)
{
	const struct check_config *cfg = t->run->cfg;
	/* a refused Put wrote nothing; a refused DeleteRange leaves the key to its lease */
	const char *note = k == CALL_DELETE ? write_lease_note(t) : "";
	if (code > 0 && needs_creds(code, err)) {
		/* the check's user may not write under the prefix: its configuration, not an
		 * outage (verdict: UNKNOWN) */
		if (cfg->user && cfg->user[0])
			write_end(t, code, "permission denied for user '%s' (%s: %s)%s", cfg->user,
				  call_names[k], err, note);
		else
			write_end(t, code, "permission denied for the client certificate's user, no "
				  "--user given (%s: %s)%s", call_names[k], err, note);
		return;
	}
	for (size_t i = 0; code > 0 && i < sizeof(write_refusals) / sizeof(write_refusals[0]); i++) {
		const struct write_refusal *w = &write_refusals[i];
		if (w->code == code && (!w->says || strstr(err, w->says))) {
			write_end(t, code, "%s (%s: %s)%s", w->reason, call_names[k], err, note);
			return;
		}
	}
	/* code < 0: the server broke the protocol; no gRPC status to keep */
	write_end(t, code > 0 ? code : 0, "%s: %s%s", call_names[k], err, note);
}

/* Status answered: the first voting member whose Status shows a leader carries the run's one
 * write. Since 3.5.28 (3.4.42, 3.6.9) etcd gives Status only to root when auth is on, so for a
 * monitoring user with write permission under the prefix the refusal of Status takes its place:
 * the leader is not known then, and a write without one is refused ("no leader") or times out,
 * named either way. */
static int take_write_start(struct target *t)
{
	struct run *r = t->run;
	const struct endpoint_facts *f = t->f;
	bool leader_seen = f->has_status && f->leader != 0 && !f->is_learner;
	if (r->write.state != WRITE_WANTED || !(leader_seen || f->status_needs_creds))
		return 0;
	uint8_t buf[ETCD_RPC_SMALL_REQUEST_MAX];
	size_t n = etcd_rpc_encode_lease_grant(WRITE_LEASE_TTL_S, buf);
	r->write.state = WRITE_CARRIED;
	r->write.carrier = t;
	/* to come: the endpoint is not done until the chain is (target_all_answered) */
	for (int k = CALL_LEASE_GRANT; k <= CALL_DELETE; k++)
		t->call[k] = CALL_UNSENT;
	return start_call(t, CALL_LEASE_GRANT, buf, n);
}

/* The chain: LeaseGrant -> Put (bound to the lease) -> DeleteRange. Latency is Put + DeleteRange:
 * what a client waits for to write; the lease is bookkeeping. */
static int take_write(struct target *t, enum call_kind k, int code, const char *err,
		      const uint8_t *msg, size_t len)
{
	struct run *r = t->run;
	struct endpoint_facts *f = t->f;
	const struct conn_call *c = &t->calls[k];
	double took_s = (double)(c->end_ns - c->start_ns) / 1e9;
	uint8_t buf[ETCD_RPC_WRITE_REQUEST_MAX];
	size_t n = 0;
	int e;

	if (code != GRPC_OK) {
		take_write_refusal(t, k, code, err);
		return 0;
	}
	if (k == CALL_LEASE_GRANT) {
		struct etcd_lease_grant g;
		if ((e = etcd_rpc_decode_lease_grant(msg, len, &g)) == -ENOMEM)
			return e;
		if (e < 0 || g.id == 0) {
			write_end(t, 0, "LeaseGrant: %s", e < 0 ? "malformed response (not etcd?)"
							   : g.error[0] ? g.error : "no lease granted");
			return 0;
		}
		r->write.lease = g.id;
		if (etcd_rpc_encode_put(r->write.key, "etcd-probe", g.id, buf, sizeof(buf), &n) < 0) {
			write_end(t, 0, "write key longer than %d bytes", ETCD_RPC_KEY_MAX);
			return 0;
		}
		return start_call(t, CALL_PUT, buf, n);
	}
	if (k == CALL_PUT) {
		struct etcd_header h;
		if ((e = etcd_rpc_decode_put(msg, len, &h)) == -ENOMEM)
			return e;
		if (e < 0) {
			write_end(t, 0, "Put: malformed response (not etcd?)%s", write_lease_note(t));
			return 0;
		}
		f->write_latency_s = took_s;
		if (etcd_rpc_encode_delete(r->write.key, buf, sizeof(buf), &n) < 0) {
			write_end(t, 0, "write key longer than %d bytes", ETCD_RPC_KEY_MAX);
			return 0;
		}
		return start_call(t, CALL_DELETE, buf, n);
	}
	struct etcd_delete_range d;
	if ((e = etcd_rpc_decode_delete_range(msg, len, &d)) == -ENOMEM)
		return e;
	if (e < 0) {
		write_end(t, 0, "DeleteRange: malformed response (not etcd?)%s", write_lease_note(t));
		return 0;
	}
	f->write_latency_s += took_s;
	f->write_done = f->write_ok = true;
	return 0;
}

/* At the deadline: the step the chain waited for is named; the reads keep their facts. */
static void take_write_timeout(struct target *t, double secs)
{
	for (int k = CALL_LEASE_GRANT; k <= CALL_DELETE; k++)
		if (t->call[k] == CALL_PENDING) {
			write_end(t, 0, "write check timed out after %.1f s waiting for %s%s", secs,
				  call_names[k], write_lease_note(t));
			return;
		}
}

/* After the loop: a wanted write that got no answer says why, on one endpoint. */
static void take_write_unfinished(struct run *r)
{
	struct check_facts *cf = r->facts;
	if (r->write.state == WRITE_CARRIED) {
		struct target *t = r->write.carrier;
		if (!t->f->write_done)
			write_end(t, 0, "write check did not finish: the connection failed%s",
				  write_lease_note(t));
		return;
	}
	if (r->write.state != WRITE_WANTED)
		return;
	/* no voting member showed a leader, so no write was sent: a write would be refused */
	for (size_t i = 0; i < cf->n_eps; i++) {
		if (cf->eps[i].has_status && cf->eps[i].no_leader && !cf->eps[i].is_learner) {
			write_end(&r->targets[i], 0, "no leader: not tried, no member's Status "
				  "showed a leader");
			return;
		}
	}
}

/* A voting member's Status without a leader, retries and time left: schedules the next ask
 * (target_advance sends it) and keeps the endpoint open; the answer is not taken. */
static bool status_ask_again(struct target *t, const uint8_t *msg, size_t len)
{
	struct etcd_status s;
	if (t->status_retries >= STATUS_NO_LEADER_RETRIES ||
	    remaining_ms(t->run) < 4 * STATUS_AGAIN_MS ||
	    etcd_rpc_decode_status(msg, len, &s) < 0 || s.leader != 0 || s.is_learner)
		return false;
	t->status_retries++;
	t->status_again_ns = conn_now_ns() + STATUS_AGAIN_MS * 1000000ull;
	t->call[CALL_STATUS] = CALL_UNSENT;
	return true;
}

static int take_answer(struct target *t, enum call_kind k, int code, const char *err,
		       const uint8_t *msg, size_t len)
{
	struct endpoint_facts *f = t->f;
	const struct conn_call *c = &t->calls[k];
	int e = 0;
	switch (k) {
	case CALL_AUTH:
		return take_auth(t, code, err, msg, len);
	case CALL_STATUS:
		if (code == GRPC_OK && status_ask_again(t, msg, len))
			return 0;
		if (code == GRPC_OK)
			e = take_status(t, msg, len);
		else if (needs_creds(code, err))
			f->status_needs_creds = true;
		else
			snprintf(f->status_error, sizeof(f->status_error), "Status: %s", err);
		if (e == 0 && t->call[CALL_HEALTH] == CALL_UNSENT)
			e = start_health(t, f->is_learner);
		if (e == 0)
			e = take_write_start(t);
		return e;
	case CALL_HEALTH:
		f->health_done = true;
		f->latency_s = (double)(c->end_ns - c->start_ns) / 1e9;
		struct etcd_header h;
		if (code == GRPC_OK && etcd_rpc_decode_range(msg, len, &h) < 0) {
			snprintf(f->health_error, sizeof(f->health_error),
				 "health read: malformed response (not etcd?)");
		} else if (code == GRPC_OK || needs_creds(code, err)) {
			/* PermissionDenied still proves the quorum read happened (etcdctl). */
			f->healthy = true;
		} else if (code == GRPC_UNAVAILABLE && strstr(err, "leader changed") &&
			   t->health_retries < HEALTH_MAX_RETRIES && remaining_ms(t->run) > 100) {
			t->health_retries++;
			f->health_done = false;
			return start_health(t, f->is_learner);
		} else {
			f->health_grpc_code = code;
			snprintf(f->health_error, sizeof(f->health_error), "health read: %s", err);
		}
		return 0;
	case CALL_ALARM:
		if (code == GRPC_OK)
			return take_alarms(t, msg, len);
		f->alarms_need_creds = needs_creds(code, err);
		return 0;
	case CALL_MEMBERS:
		if (code == GRPC_OK)
			return take_members(t, msg, len);
		/* the quorum did not answer within its share: this member's own view then */
		if (t->members_linearizable &&
		    (code == GRPC_DEADLINE_EXCEEDED || code == GRPC_UNAVAILABLE))
			return start_members(t, false);
		f->members_need_creds = needs_creds(code, err);
		return 0;
	case CALL_LEASE_GRANT:
	case CALL_PUT:
	case CALL_DELETE:
		return take_write(t, k, code, err, msg, len);
	default:
		return 0;
	}
}

/* Handles every call of t that completed since the last pass. */
static int target_collect(struct target *t)
{
	for (int k = 0; k < CALL_COUNT && t->state != TARGET_DONE; k++) {
		struct conn_call *c = &t->calls[k];
		if (t->call[k] != CALL_PENDING || !c->done)
			continue;
		const uint8_t *msg;
		size_t len;
		char raw[FACTS_ERR_LEN], err[FACTS_ERR_LEN];
		int code = grpc_response_check(&c->resp, &msg, &len, raw, sizeof(raw));
		if (code < 0 && t->conn->goaway[0])
			snprintf(raw, sizeof(raw), "%s", t->conn->goaway);
		sanitize_text(raw, strlen(raw), err, sizeof(err));
		t->call[k] = CALL_TAKEN;
		int e = take_answer(t, (enum call_kind)k, code, err, msg, len);
		/* take_answer may have started this call again (MemberList, Authenticate) */
		if (t->call[k] == CALL_TAKEN)
			conn_call_reset(t->conn, c);
		if (e < 0)
			return e;
	}
	return 0;
}

static bool target_all_answered(const struct target *t)
{
	for (int k = CALL_STATUS; k < CALL_COUNT; k++)
		if (t->call[k] == CALL_UNSENT || t->call[k] == CALL_PENDING)
			return false;
	return !metrics_pending(t);
}

/* Notes what the connection learned on the way: a resumed session, a ticket, the certificate. */
static void target_note_conn(struct target *t)
{
	struct conn *c = t->conn;
	if (c->stage >= CONN_STAGE_HTTP2 && c->resumed) {
		t->run->facts->tls_resumed++;
		c->resumed = false; /* counted */
	}
	if (c->ticket && !t->ticket) {
		SSL_SESSION_up_ref(c->ticket);
		t->ticket = c->ticket;
	}
}

static int target_ready(struct target *t)
{
	struct conn *c = t->conn;
	struct run *r = t->run;
	if (c->ep.tls && c->verify_err && r->cfg->insecure)
		sanitize_text(c->verify_msg, strlen(c->verify_msg), t->f->tls_warning,
			      sizeof(t->f->tls_warning));
	if (c->have_peer_cert) {
		t->f->has_cert = true;
		t->f->cert_not_after = c->peer.not_after;
	}
	return target_begin(t);
}

/* After a retriable answer on t: another ready endpoint that has not tried yet asks (a learner
 * or a member without a leader answers Unavailable every time), else t asks again. */
static int auth_retry(struct target *t)
{
	struct run *r = t->run;
	for (size_t i = 0; i < r->facts->n_eps; i++) {
		struct target *o = &r->targets[i];
		if (o != t && o->state == TARGET_WAITING_FOR_AUTH && !o->auth_tried) {
			t->state = TARGET_WAITING_FOR_AUTH;
			return start_auth(o);
		}
	}
	unsigned left = AUTH_MAX_TRIES - r->facts->auth_tries;
	t->auth_deadline_ns = conn_now_ns() + remaining_ms(r) * 1000000 / (left + 1);
	if (auth_wait_for_untried(t)) {
		t->state = TARGET_WAITING_FOR_AUTH; /* the next one ready asks */
		return 0;
	}
	return start_auth(t);
}

/* Can t move on without any I/O (so poll() must not sleep)? */
static bool target_can_move(const struct target *t)
{
	const struct run *r = t->run;
	switch (t->state) {
	case TARGET_WAITING_FOR_TICKET:
		return r->targets[t->pilot].ticket || r->targets[t->pilot].state == TARGET_DONE;
	case TARGET_WAITING_FOR_AUTH:
		return (r->auth.state != AUTH_IN_FLIGHT && !auth_wait_for_untried(t)) ||
		       (t->conn && t->conn->stage == CONN_STAGE_CLOSED);
	case TARGET_CALLS:
		if (t->metrics.state == METRICS_CONNECTING && !t->metrics.conn)
			return true; /* just resolved: connect */
		if (metrics_pending(t) && (t->metrics.call.done ||
		    (t->metrics.conn && t->metrics.conn->stage == CONN_STAGE_CLOSED) ||
		    conn_now_ns() >= t->metrics.deadline_ns))
			return true;
		if (t->status_again_ns && conn_now_ns() >= t->status_again_ns)
			return true;
		return !t->conn || t->conn->stage == CONN_STAGE_CLOSED;
	case TARGET_CONNECTING:
	case TARGET_AUTH:
		return !t->conn || t->conn->stage == CONN_STAGE_CLOSED;
	default:
		return false;
	}
}

/* Moves one endpoint forward after I/O, by its state. */
static int target_advance(struct target *t)
{
	struct run *r = t->run;
	int e;

	if (t->conn)
		target_note_conn(t);
	switch (t->state) {
	case TARGET_RESOLVING:
	case TARGET_DONE:
		return 0;
	case TARGET_WAITING_FOR_TICKET: {
		const struct target *p = &r->targets[t->pilot];
		/* a server that issues no tickets: a full handshake once the pilot is done */
		if (!p->ticket && p->state != TARGET_DONE)
			return 0;
		return target_connect_next(t);
	}
	case TARGET_CONNECTING:
		if (!t->conn)
			return target_connect_next(t); /* just resolved */
		if (t->conn->stage == CONN_STAGE_CLOSED) {
			if (t->conn->failed_stage == CONN_STAGE_CONNECT && t->addr_next < t->n_addrs)
				return target_connect_next(t);
			target_fail_conn(t);
			return 0;
		}
		if (t->conn->stage == CONN_STAGE_CONNECT && t->addr_next < t->n_addrs &&
		    conn_now_ns() >= t->connect_deadline_ns)
			return target_connect_next(t); /* this address used its share */
		return t->conn->stage == CONN_STAGE_READY ? target_ready(t) : 0;
	case TARGET_AUTH:
	case TARGET_WAITING_FOR_AUTH:
	case TARGET_CALLS:
		break;
	}

	/* Answers that arrived before a close still count. */
	if ((e = target_collect(t)) < 0)
		return e;
	if (t->state == TARGET_DONE)
		return 0;
	bool closed = t->conn->stage == CONN_STAGE_CLOSED;
	switch (t->state) {
	case TARGET_AUTH:
		if (closed) {
			target_fail_conn(t);
			return 0;
		}
		if (r->auth.state == AUTH_IN_FLIGHT && conn_now_ns() >= t->auth_deadline_ns) {
			/* this try's share is up: give it up here, as Unavailable would */
			conn_call_reset(t->conn, &t->calls[CALL_AUTH]);
			t->call[CALL_AUTH] = CALL_UNSENT;
			int ae = take_auth(t, GRPC_DEADLINE_EXCEEDED, "no answer in its share of -t",
					   NULL, 0);
			if (ae < 0)
				return ae;
		}
		if (r->auth.state == AUTH_NEEDED)
			return auth_retry(t); /* a retriable answer: ask again, elsewhere if we can */
		if (r->auth.state != AUTH_IN_FLIGHT)
			return start_checks(t);
		return 0;
	case TARGET_WAITING_FOR_AUTH:
		if (closed)
			target_fail_conn(t);
		else if (r->auth.state != AUTH_IN_FLIGHT)
			return target_begin(t);
		return 0;
	case TARGET_CALLS:
		if ((e = metrics_advance(t)) < 0)
			return e;
		if (t->status_again_ns && conn_now_ns() >= t->status_again_ns && !closed) {
			t->status_again_ns = 0;
			if ((e = start_call(t, CALL_STATUS, NULL, 0)) < 0)
				return e;
		}
		if (target_all_answered(t))
			target_done(t, EP_FAIL_NONE, NULL, "%s", "");
		else if (closed)
			target_fail_conn(t);
		return 0;
	default:
		return 0;
	}
}

/* Whether the server answered any call of t's (a whole answer, or one taken). */
static bool target_answered_any(const struct target *t)
{
	for (int k = 0; k < CALL_COUNT; k++)
		if (t->call[k] == CALL_TAKEN || (t->call[k] == CALL_PENDING && t->calls[k].done))
			return true;
	return false;
}

/* At the deadline: say, for each unfinished endpoint, where it was stuck. */
static void target_timeout(struct target *t)
{
	struct run *r = t->run;
	struct endpoint_facts *f = t->f;
	const struct conn *c = t->conn;
	double secs = r->cfg->timeout_s;

	switch (t->state) {
	case TARGET_DONE:
		return;
	case TARGET_RESOLVING:
		target_done(t, EP_FAIL_TIMEOUT, "name resolution", "timed out after %.1f s resolving "
			    "%s: no answer from the name servers (/etc/resolv.conf)", secs, f->ep.host);
		return;
	case TARGET_WAITING_FOR_TICKET:
		target_done(t, EP_FAIL_TIMEOUT, "TCP connect", "timed out after %.1f s before the "
			    "first connection to the same URL got anywhere", secs);
		return;
	case TARGET_CONNECTING:
		if (!c)
			target_done(t, EP_FAIL_TIMEOUT, "TCP connect", "timed out after %.1f s, just "
				    "after resolving %s", secs, f->ep.host);
		else if (c->stage == CONN_STAGE_CONNECT)
			target_done(t, EP_FAIL_TIMEOUT, "TCP connect", "timed out after %.1f s: no "
				    "answer to TCP connect", secs);
		else if (c->stage == CONN_STAGE_TLS && !c->got_bytes) {
			f->silence = EP_SILENT_ACCEPTED;
			target_done(t, EP_FAIL_TIMEOUT, "TLS handshake", "timed out after %.1f s: TCP "
				    "accepted but no TLS answer", secs);
		} else if (c->stage == CONN_STAGE_TLS)
			target_done(t, EP_FAIL_TIMEOUT, "TLS handshake", "timed out after %.1f s in "
				    "the TLS handshake", secs);
		else if (!c->got_bytes) {
			f->silence = EP_SILENT_ACCEPTED;
			target_done(t, EP_FAIL_TIMEOUT, "HTTP/2 setup", "timed out after %.1f s: TCP "
				    "accepted but no HTTP/2 answer", secs);
		} else
			target_done(t, EP_FAIL_TIMEOUT, "HTTP/2 setup", "timed out after %.1f s: no "
				    "HTTP/2 SETTINGS from server (not etcd?)", secs);
		return;
	case TARGET_AUTH:
		r->facts->auth_failed = true;
		snprintf(r->facts->auth_error, sizeof(r->facts->auth_error),
			 "authentication for user '%s' timed out", r->cfg->user);
		target_done(t, EP_FAIL_TIMEOUT, "gRPC", "timed out after %.1f s waiting for the "
			    "answer to Authenticate", secs);
		return;
	case TARGET_WAITING_FOR_AUTH:
		target_done(t, EP_FAIL_TIMEOUT, "gRPC", "timed out after %.1f s waiting for "
			    "authentication (through another endpoint)", secs);
		return;
	case TARGET_CALLS:
		break;
	}
	if (metrics_pending(t))
		metrics_done(t, "%s/metrics: no answer within %.1f s", t->metrics.ep.url, secs);
	if (!f->has_status && t->call[CALL_STATUS] == CALL_PENDING && !f->health_done) {
		/* nothing answered: the health read is sent after Status, so blame Status */
		if (!target_answered_any(t))
			f->silence = EP_SILENT_CALLS;
		target_done(t, EP_FAIL_TIMEOUT, "gRPC", "timed out after %.1f s waiting for %s",
			    secs, call_names[CALL_STATUS]);
		return;
	}
	if (t->call[CALL_STATUS] == CALL_PENDING)
		snprintf(f->status_error, sizeof(f->status_error), "Status timed out");
	if (!f->health_done) {
		f->health_done = true;
		snprintf(f->health_error, sizeof(f->health_error),
			 "health read timed out after %.1f s (no quorum, overloaded, or a stalled "
			 "server)", secs);
	}
	take_write_timeout(t, secs);
	target_done(t, EP_FAIL_NONE, NULL, "%s", "");
}

/* ---- the loop ---- */

/* Adds the resolver's sockets to the poll set; returns how many. */
static size_t resolver_pollfds(struct run *r, struct pollfd *pfds)
{
	ares_socket_t socks[RESOLVER_MAX_SOCKS];
	if (!r->resolver_ready)
		return 0;
	int bits = ares_getsock(r->resolver, socks, RESOLVER_MAX_SOCKS);
	size_t n = 0;
	for (int i = 0; i < RESOLVER_MAX_SOCKS; i++) {
		short ev = (short)((ARES_GETSOCK_READABLE(bits, i) ? POLLIN : 0) |
				   (ARES_GETSOCK_WRITABLE(bits, i) ? POLLOUT : 0));
		if (ev)
			pfds[n++] = (struct pollfd){.fd = socks[i], .events = ev};
	}
	return n;
}

static void resolver_process(struct run *r, const struct pollfd *pfds, size_t n)
{
	if (!r->resolver_ready)
		return;
	for (size_t i = 0; i < n; i++)
		if (pfds[i].revents)
			ares_process_fd(r->resolver,
					pfds[i].revents & (POLLIN | POLLERR | POLLHUP) ? pfds[i].fd
										       : ARES_SOCKET_BAD,
					pfds[i].revents & POLLOUT ? pfds[i].fd : ARES_SOCKET_BAD);
	ares_process_fd(r->resolver, ARES_SOCKET_BAD, ARES_SOCKET_BAD); /* its timeouts */
}

/* How long poll() may sleep: until the deadline, a connect share, or a resolver timeout. */
static int loop_wait_ms(struct run *r, bool busy)
{
	uint64_t now = conn_now_ns();
	uint64_t until = r->deadline_ns;
	if (busy)
		return 0;
	for (size_t i = 0; i < r->facts->n_eps; i++) {
		const struct target *t = &r->targets[i];
		if (t->state == TARGET_CONNECTING && t->addr_next < t->n_addrs &&
		    t->connect_deadline_ns < until)
			until = t->connect_deadline_ns;
		if ((t->state == TARGET_AUTH || t->state == TARGET_WAITING_FOR_AUTH) &&
		    t->auth_tried && t->auth_deadline_ns > now && t->auth_deadline_ns < until)
			until = t->auth_deadline_ns;
		if (t->state == TARGET_CALLS && metrics_pending(t) && t->metrics.deadline_ns < until)
			until = t->metrics.deadline_ns;
		if (t->state == TARGET_CALLS && t->status_again_ns && t->status_again_ns < until)
			until = t->status_again_ns;
	}
	if (until <= now)
		return 0;
	uint64_t ms = (until - now + 999999) / 1000000;
	if (r->resolver_ready) {
		struct timeval max = {(time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000}, tv;
		struct timeval *tvp = ares_timeout(r->resolver, &max, &tv);
		uint64_t rms = (uint64_t)tvp->tv_sec * 1000 + (uint64_t)(tvp->tv_usec + 999) / 1000;
		if (rms < ms)
			ms = rms;
	}
	return ms > 60000 ? 60000 : (int)ms;
}

static int run_loop(struct run *r, struct pollfd *pfds, struct conn **pconn)
{
	struct check_facts *f = r->facts;
	for (;;) {
		size_t n = 0;
		bool busy = false, all_done = true;
		for (size_t i = 0; i < f->n_eps; i++) {
			struct target *t = &r->targets[i];
			int e = target_advance(t);
			if (e < 0)
				return e;
			if (t->state == TARGET_DONE)
				continue;
			all_done = false;
			busy |= target_can_move(t);
			struct conn *cs[2] = {t->conn, t->metrics.conn};
			for (int k = 0; k < 2; k++) {
				if (!cs[k] || cs[k]->stage == CONN_STAGE_CLOSED)
					continue;
				pfds[n] = (struct pollfd){.fd = cs[k]->fd, .events = conn_poll_events(cs[k])};
				pconn[n++] = cs[k];
				busy |= cs[k]->read_pending;
			}
		}
		if (all_done || conn_now_ns() >= r->deadline_ns)
			return 0;
		size_t n_res = resolver_pollfds(r, pfds + n);
		int pr = poll(pfds, n + n_res, loop_wait_ms(r, busy));
		if (pr < 0 && errno != EINTR)
			return -errno;
		if (pr < 0)
			continue;
		for (size_t j = 0; j < n; j++) {
			struct conn *c = pconn[j];
			if (pfds[j].revents || c->read_pending || (c->stage >= CONN_STAGE_HTTP2 && !c->http1))
				conn_process(c, pfds[j].revents);
		}
		resolver_process(r, pfds + n, n_res);
	}
}

/* Names come from the member list: by member ID, else by client URL. */
static void name_endpoints(struct check_facts *f)
{
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
}

int check_run(const struct check_config *cfg, struct check_facts *ret)
{
	struct check_facts *f = ret;
	struct run r = {.cfg = cfg, .facts = f};
	/* every endpoint's socket and its metrics connection's, then the resolver's */
	size_t cap = 2 * FACTS_MAX_ENDPOINTS + RESOLVER_MAX_SOCKS;
	struct pollfd *pfds = NULL;
	struct conn **pconn = NULL;
	int e = 0;

	memset(f, 0, sizeof(*f));
	uint64_t start = cfg->start_ns ? cfg->start_ns : conn_now_ns();
	r.deadline_ns = start + (uint64_t)(cfg->timeout_s * 1e9);
	f->now = time(NULL);
	f->timeout_s = cfg->timeout_s;
	f->insecure = cfg->insecure;
	f->eps = calloc(FACTS_MAX_ENDPOINTS, sizeof(*f->eps));
	r.targets = calloc(FACTS_MAX_ENDPOINTS, sizeof(*r.targets));
	pfds = calloc(cap, sizeof(*pfds));
	pconn = calloc(cap, sizeof(*pconn));
	if (!f->eps || !r.targets || !pfds || !pconn) {
		e = -ENOMEM;
		goto out;
	}
	r.auth.state = (cfg->user && cfg->user[0] && !cfg->handshake_only) ? AUTH_NEEDED : AUTH_NONE;
	if (cfg->write_prefix && !cfg->handshake_only) {
		r.write.state = WRITE_WANTED;
		write_key_make(&r, cfg->write_prefix);
	}
	for (size_t i = 0; i < cfg->n_eps; i++)
		r.seed_tls |= cfg->eps[i].tls;
	if (cfg->ctx)
		conn_ctx_enable_resumption(cfg->ctx);
	for (size_t i = 0; i < cfg->n_eps && e == 0; i++)
		e = add_endpoint(&r, &cfg->eps[i], false);
	if (e == 0)
		e = run_loop(&r, pfds, pconn);
	if (e < 0)
		goto out;
	for (size_t i = 0; i < f->n_eps; i++)
		target_timeout(&r.targets[i]);
	take_write_unfinished(&r);
	name_endpoints(f);
	f->elapsed_s = (double)(conn_now_ns() - start) / 1e9;
out:
	/* the resolver first: its cancelled queries call back into the targets */
	if (r.resolver_ready) {
		ares_destroy(r.resolver);
		ares_library_cleanup();
	}
	for (size_t i = 0; r.targets && i < f->n_eps; i++) {
		target_close(&r.targets[i]);
		SSL_SESSION_free(r.targets[i].ticket);
	}
	if (r.auth.token) {
		OPENSSL_cleanse(r.auth.token, strlen(r.auth.token));
		free(r.auth.token);
	}
	free(r.targets);
	free(pfds);
	free(pconn);
	if (e < 0)
		check_facts_free(f);
	return e;
}
