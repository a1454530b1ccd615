/* conn: one non-blocking client connection to an etcd endpoint (TCP, TLS with verification,
 * HTTP/2) carrying unary gRPC calls. It does no waiting of its own: the owner polls
 * conn_poll_events() on conn_fd() and hands the result to conn_process(). */
#ifndef PROTO_CONN_H
#define PROTO_CONN_H

#include <nghttp2/nghttp2.h>
#include <openssl/ssl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "proto/certinfo.h"
#include "proto/endpoint.h"
#include "proto/grpc_frame.h"

enum conn_stage {
	CONN_STAGE_CONNECT, /* TCP connect in progress */
	CONN_STAGE_TLS,     /* TLS handshake */
	CONN_STAGE_HTTP2,   /* HTTP/2 preface sent, waiting for the server's SETTINGS */
	CONN_STAGE_READY,   /* calls can be started */
	CONN_STAGE_CLOSED,  /* failed or closed: see err */
};

/* "TCP connect", "TLS handshake", "HTTP/2", "ready", "closed". */
const char *conn_stage_str(enum conn_stage stage);

/* What kind of failure closed a connection: a fact consumers map, instead of reading err. */
enum conn_error {
	CONN_ERR_NONE,
	CONN_ERR_REFUSED,              /* connect: ECONNREFUSED */
	CONN_ERR_UNREACHABLE,          /* connect: other errors (EHOSTUNREACH, ENETUNREACH, ...) */
	CONN_ERR_IO,                   /* read/write error once connected */
	CONN_ERR_CLOSED,               /* the server closed the connection */
	CONN_ERR_TLS_VERIFY,           /* the server certificate failed verification: verify_err,
					* verify_host, peer */
	CONN_ERR_CLIENT_CERT_REJECTED, /* an alert about the client certificate we presented */
	CONN_ERR_CLIENT_CERT_REQUIRED, /* the server wants a client certificate and we gave none */
	CONN_ERR_NOT_TLS,              /* the server does not speak TLS on this port */
	CONN_ERR_NO_H2,                /* no ALPN h2, or an HTTP/1.x answer: not an etcd v3
					* client port */
	CONN_ERR_TLS,                  /* any other TLS failure */
	CONN_ERR_HTTP2,                /* HTTP/2 protocol error, GOAWAY, flow control, a cap hit */
	CONN_ERR_INTERNAL,             /* out of memory, a stream that cannot be created */
};

/* Stable keys for reports and JSON: "none", "refused", "unreachable", "io", "closed",
 * "tls-verify", "client-cert-rejected", "client-cert-required", "not-tls", "no-h2", "tls",
 * "http2", "internal"; "?" out of range. */
const char *conn_error_str(enum conn_error e);

/* One unary call. The owner keeps it alive while it is submitted; conn_call_reset frees it. */
struct conn_call {
	const char *path;
	bool submitted, done;
	int32_t stream_id;
	uint64_t start_ns, end_ns; /* CLOCK_MONOTONIC */
	struct grpc_response resp; /* resp.body points into buf */
	uint8_t *req, *buf;
	size_t req_len, req_off, buf_len;
	size_t max_body;           /* the cap on what is kept of the answer (GET); 0: gRPC's */
	unsigned n_headers;
};

/* Outgoing HTTP/2 bytes are gathered up to this much per write (one full TLS record). */
#define CONN_WBUF 16384

struct conn {
	struct endpoint ep;
	int fd;
	SSL_CTX *ctx; /* a reference, NULL for http:// */
	SSL *ssl;
	nghttp2_session *h2;
	enum conn_stage stage;
	enum conn_stage failed_stage; /* the stage at which err happened */
	enum conn_error err_kind;     /* what failed, set with err (the first reason wins) */
	char err[320];                /* why the connection failed, one line for people */
	bool insecure;
	bool got_bytes;               /* anything at all came from the server */
	long verify_err;              /* first certificate verification error, 0 if none; under
				       * --insecure-skip-tls-verify the handshake goes on */
	char verify_msg[320];         /* verify_err in words */
	char verify_host[256];        /* the name or IP the certificate was checked against */
	bool have_peer_cert;          /* peer is filled, even when verification failed */
	struct cert_facts peer;       /* the server's leaf certificate */
	uint8_t *wbuf;                /* CONN_WBUF bytes: frames nghttp2 produced, one write */
	size_t out_off, out_len;      /* wbuf[out_off..out_len) is not written yet */
	bool io_want_write;           /* OpenSSL asked for POLLOUT to progress a read or handshake */
	unsigned calls_open;
	bool read_pending;            /* stopped reading with data left: poll without waiting */
	SSL_SESSION *resume;          /* session to resume (conn_set_resume), our own copy */
	SSL_SESSION *ticket;          /* copy of the server's first ticket (none when resuming) */
	bool resumed;                 /* the handshake resumed c->resume */
	bool http1;                   /* one HTTP/1.1 GET, not HTTP/2 (conn_use_http1) */
	struct conn_call *h1_call;    /* that GET, while it is open */
	char goaway[160];
};

/* Monotonic clock in nanoseconds. */
uint64_t conn_now_ns(void);

/* Creates a connection object; ctx NULL for http:// endpoints. Returns NULL on out of memory. */
struct conn *conn_new(const struct endpoint *ep, SSL_CTX *ctx, bool insecure);
/* Tears down nghttp2 session, then SSL, then the socket. Accepts NULL. */
void conn_free(struct conn *c);

/* Lets connections made with ctx keep a copy of the TLS session the server offers
 * (conn->ticket, owned by the conn), so another connection to the same URL can resume it
 * instead of a full handshake. A connection that resumes keeps no ticket. */
void conn_ctx_enable_resumption(SSL_CTX *ctx);

/* Offers sess (a ticket from an earlier connection to the same URL) in the handshake. Call
 * before conn_connect. Takes its own copy: the caller keeps sess. */
void conn_set_resume(struct conn *c, SSL_SESSION *sess);

/* Starts a non-blocking connect to addr. Returns 0 or -errno (err set, stage CLOSED). */
int conn_connect(struct conn *c, const struct sockaddr *addr, socklen_t addrlen);

/* The events to poll for, 0 when closed. */
short conn_poll_events(const struct conn *c);

/* Advances the connection with what poll() returned (0 to just flush). Completed calls get
 * done = true. Returns 0, or -1 when the connection failed (c->err, c->failed_stage). */
int conn_process(struct conn *c, short revents);

/* Starts a unary call with the protobuf message msg. token, when not NULL, goes into etcd's
 * "token" metadata header. Returns 0 or -errno. */
int conn_call_start(struct conn *c, struct conn_call *call, const char *path, const uint8_t *msg,
		    size_t msg_len, const char *token, uint64_t timeout_ms);

/* Makes c speak HTTP/1.1 instead of HTTP/2 (ALPN http/1.1 over TLS): one GET, then the server
 * closes. For etcd's separate metrics listener (--listen-metrics-urls), a plain Go net/http
 * server. Call before conn_connect. */
void conn_use_http1(struct conn *c);

/* Starts a GET of path; at most max_body bytes of the answer are kept (over it, the call ends
 * with resp.too_large). Over HTTP/2 a stream beside the gRPC calls; over HTTP/1.1 the one
 * request. Done calls have resp.http_status (0: no valid HTTP answer) and resp.body.
 * Returns 0 or -errno. */
int conn_get_start(struct conn *c, struct conn_call *call, const char *path, size_t max_body);

/* Frees a call's buffers and zeroes it; if still open on c, the stream is cancelled. */
void conn_call_reset(struct conn *c, struct conn_call *call);

/* Marks the connection failed at its current stage with a kind and a reason (e.g. a timeout).
 * A connection already closed keeps its first kind and reason. */
void conn_fail(struct conn *c, enum conn_error kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
