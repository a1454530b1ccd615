/* conn: a non-blocking TCP + TLS + HTTP/2 client connection carrying unary gRPC calls.
 * nghttp2 does no I/O here: bytes go through nghttp2_session_mem_recv/mem_send, and OpenSSL's
 * want-read/want-write is mapped to poll events in one place (conn_poll_events). */
#include "proto/conn.h"
#include "proto/http1.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>

#define READ_CHUNK 16384
/* Reads per conn_process call: a flooding server cannot keep the loop from other endpoints. */
#define READS_PER_PROCESS 64

static const char *const stage_names[] = {
	[CONN_STAGE_CONNECT] = "TCP connect",
	[CONN_STAGE_TLS] = "TLS handshake",
	[CONN_STAGE_HTTP2] = "HTTP/2 setup",
	[CONN_STAGE_READY] = "gRPC",
	[CONN_STAGE_CLOSED] = "closed",
};

const char *conn_stage_str(enum conn_stage stage)
{
	return stage <= CONN_STAGE_CLOSED ? stage_names[stage] : "?";
}

uint64_t conn_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static const char *const error_names[] = {
	[CONN_ERR_NONE] = "none",
	[CONN_ERR_REFUSED] = "refused",
	[CONN_ERR_UNREACHABLE] = "unreachable",
	[CONN_ERR_IO] = "io",
	[CONN_ERR_CLOSED] = "closed",
	[CONN_ERR_TLS_VERIFY] = "tls-verify",
	[CONN_ERR_CLIENT_CERT_REJECTED] = "client-cert-rejected",
	[CONN_ERR_CLIENT_CERT_REQUIRED] = "client-cert-required",
	[CONN_ERR_NOT_TLS] = "not-tls",
	[CONN_ERR_NO_H2] = "no-h2",
	[CONN_ERR_TLS] = "tls",
	[CONN_ERR_HTTP2] = "http2",
	[CONN_ERR_INTERNAL] = "internal",
};

const char *conn_error_str(enum conn_error e)
{
	return (unsigned)e < sizeof(error_names) / sizeof(error_names[0]) && error_names[e]
		       ? error_names[e]
		       : "?";
}

void conn_fail(struct conn *c, enum conn_error kind, const char *fmt, ...)
{
	if (c->stage == CONN_STAGE_CLOSED)
		return; /* the first reason is the one that counts */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	c->err_kind = kind;
	c->failed_stage = c->stage;
	c->stage = CONN_STAGE_CLOSED;
}

/* What an OpenSSL error reason means for an etcd operator, and what kind of failure it is.
 * One row per reason. "verdict": an alert that judges the handshake (our certificate, the
 * versions, the ciphers); TLS 1.3 delivers it after our side of the handshake is done, when we
 * already speak HTTP/2, and it is still the TLS step that failed. */
static const struct {
	int reason;
	enum conn_error kind;
	bool verdict;
	const char *text;
} tls_reasons[] = {
	{SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED, CONN_ERR_CLIENT_CERT_REQUIRED, true,
	 "server requires a client certificate: pass --cert and --key"},
	{SSL_R_SSLV3_ALERT_BAD_CERTIFICATE, CONN_ERR_CLIENT_CERT_REJECTED, true,
	 "server rejected our client certificate (bad certificate): is --cert signed by the "
	 "cluster's CA?"},
	{SSL_R_TLSV1_ALERT_UNKNOWN_CA, CONN_ERR_CLIENT_CERT_REJECTED, true,
	 "server rejected our client certificate (unknown CA): --cert is not signed by the "
	 "cluster's CA"},
	{SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED, CONN_ERR_CLIENT_CERT_REJECTED, true,
	 "server rejected our client certificate: expired"},
	{SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE, CONN_ERR_CLIENT_CERT_REJECTED, true,
	 "server rejected our client certificate (unsupported certificate: key usage?)"},
	{SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED, CONN_ERR_CLIENT_CERT_REJECTED, true,
	 "server rejected our client certificate: revoked"},
	{SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN, CONN_ERR_CLIENT_CERT_REJECTED, true,
	 "server rejected our client certificate (certificate unknown)"},
	{SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE, CONN_ERR_TLS, true,
	 "server refused the handshake (it may require a client certificate: --cert/--key)"},
	{SSL_R_TLSV1_ALERT_NO_APPLICATION_PROTOCOL, CONN_ERR_NO_H2, true,
	 "server does not offer HTTP/2 (ALPN h2): not an etcd v3 client port"},
	{SSL_R_TLSV1_ALERT_PROTOCOL_VERSION, CONN_ERR_TLS, true,
	 "no common TLS version (TLS 1.2+ required)"},
	{SSL_R_NO_SHARED_CIPHER, CONN_ERR_TLS, true, "no common TLS cipher"},
	{SSL_R_CERTIFICATE_VERIFY_FAILED, CONN_ERR_TLS_VERIFY, true,
	 "server certificate verification failed"},
	/* record errors: "not TLS at all" only in the handshake; later they are garbage inside
	 * an established TLS stream and get the generic wording */
	{SSL_R_WRONG_VERSION_NUMBER, CONN_ERR_NOT_TLS, false,
	 "server does not speak TLS here (an http:// endpoint?)"},
	{SSL_R_PACKET_LENGTH_TOO_LONG, CONN_ERR_NOT_TLS, false,
	 "server does not speak TLS here (an http:// endpoint?)"},
	{SSL_R_UNEXPECTED_EOF_WHILE_READING, CONN_ERR_CLOSED, false,
	 "server closed the connection during TLS"},
};

/* Words OpenSSL error e, seen at stage, for the operator: its kind, and in *verdict whether
 * it judges the handshake (see tls_reasons). */
static enum conn_error tls_error_text(unsigned long e, enum conn_stage stage, bool *verdict,
				      char *out, size_t outlen)
{
	int reason = ERR_GET_REASON(e);
	*verdict = false;
	for (size_t i = 0; i < sizeof(tls_reasons) / sizeof(tls_reasons[0]); i++) {
		if (tls_reasons[i].reason != reason)
			continue;
		if (tls_reasons[i].kind == CONN_ERR_NOT_TLS && stage != CONN_STAGE_TLS)
			break;
		snprintf(out, outlen, "%s", tls_reasons[i].text);
		*verdict = tls_reasons[i].verdict;
		return tls_reasons[i].kind;
	}
	const char *s = ERR_reason_error_string(e);
	snprintf(out, outlen, "TLS error%s: %s",
		 stage == CONN_STAGE_TLS ? "" : " after the handshake", s ? s : "unknown");
	return CONN_ERR_TLS;
}

/* The one place where an OpenSSL or socket result becomes "progress", "wait" or "fail". */
enum io_result { IO_OK, IO_WAIT, IO_EOF, IO_FAIL };

static enum io_result io_ssl_result(struct conn *c, int ret, const char *what)
{
	int e = SSL_get_error(c->ssl, ret);
	unsigned long oe;
	char buf[320];
	enum conn_error kind;
	bool verdict;

	switch (e) {
	case SSL_ERROR_WANT_READ:
		c->io_want_write = false;
		return IO_WAIT;
	case SSL_ERROR_WANT_WRITE:
		c->io_want_write = true;
		return IO_WAIT;
	case SSL_ERROR_ZERO_RETURN:
		return IO_EOF;
	case SSL_ERROR_SYSCALL:
		oe = ERR_get_error();
		ERR_clear_error();
		if (oe == 0 && errno != 0 && ret < 0) {
			conn_fail(c, CONN_ERR_IO, "%s: %s", what, strerror(errno));
			return IO_FAIL;
		}
		return IO_EOF;
	default:
		oe = ERR_peek_last_error();
		if (ERR_GET_REASON(oe) == SSL_R_CERTIFICATE_VERIFY_FAILED && c->verify_err) {
			/* only when verification is what stopped us: under
			 * --insecure-skip-tls-verify it never does, and the real error counts */
			kind = CONN_ERR_TLS_VERIFY;
			verdict = true;
			snprintf(buf, sizeof(buf), "%s", c->verify_msg);
		} else if (ERR_GET_REASON(oe) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
			ERR_clear_error();
			return IO_EOF;
		} else if (ERR_GET_REASON(oe) == SSL_R_SSLV3_ALERT_BAD_CERTIFICATE &&
			   !SSL_CTX_get0_certificate(c->ctx)) {
			/* Go's server answers a missing client certificate with "bad certificate". */
			kind = CONN_ERR_CLIENT_CERT_REQUIRED;
			verdict = true;
			snprintf(buf, sizeof(buf), "server requires a client certificate: pass "
						   "--cert and --key");
		} else {
			kind = tls_error_text(oe, c->stage, &verdict, buf, sizeof(buf));
		}
		ERR_clear_error();
		if (c->stage == CONN_STAGE_CLOSED)
			return IO_FAIL; /* an earlier reason counts */
		conn_fail(c, kind, "%s", buf);
		/* a verdict on the handshake is the TLS step's failure wherever it arrives;
		 * anything else failed at the stage it happened in (conn_fail) */
		if (verdict)
			c->failed_stage = CONN_STAGE_TLS;
		return IO_FAIL;
	}
}

static ssize_t io_read(struct conn *c, uint8_t *buf, size_t len, enum io_result *res)
{
	*res = IO_OK;
	if (c->ssl) {
		ERR_clear_error();
		int n = SSL_read(c->ssl, buf, (int)len);
		if (n > 0)
			return n;
		*res = io_ssl_result(c, n, "read");
		return 0;
	}
	ssize_t n = recv(c->fd, buf, len, 0);
	if (n > 0)
		return n;
	if (n == 0)
		*res = IO_EOF;
	else if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		*res = IO_WAIT;
	else {
		conn_fail(c, CONN_ERR_IO, "read: %s", strerror(errno));
		*res = IO_FAIL;
	}
	return 0;
}

static ssize_t io_write(struct conn *c, const uint8_t *buf, size_t len, enum io_result *res)
{
	*res = IO_OK;
	if (c->ssl) {
		ERR_clear_error();
		int n = SSL_write(c->ssl, buf, (int)(len > 1u << 30 ? 1u << 30 : len));
		if (n > 0)
			return n;
		*res = io_ssl_result(c, n, "write");
		if (*res == IO_EOF) {
			conn_fail(c, CONN_ERR_CLOSED, "server closed the connection");
			*res = IO_FAIL;
		}
		return 0;
	}
	ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);
	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
		*res = IO_WAIT;
	} else {
		conn_fail(c, CONN_ERR_IO, "write: %s", strerror(errno));
		*res = IO_FAIL;
	}
	return 0;
}

/* ---- nghttp2 callbacks: they only fill the per-stream struct conn_call ---- */

static bool name_is(const uint8_t *name, size_t len, const char *lit)
{
	size_t n = strlen(lit);
	return len == n && memcmp(name, lit, n) == 0;
}

static int on_header(nghttp2_session *s, const nghttp2_frame *frame, const uint8_t *name,
		     size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags, void *ud)
{
	(void)flags;
	(void)ud;
	if (frame->hd.type != NGHTTP2_HEADERS)
		return 0;
	struct conn_call *call = nghttp2_session_get_stream_user_data(s, frame->hd.stream_id);
	if (!call)
		return 0;
	if (++call->n_headers > GRPC_MAX_HEADER_FIELDS) {
		/* nghttp2 resets the stream; the reason must not read as the server's reset */
		call->resp.too_many_headers = true;
		return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
	}
	struct grpc_response *r = &call->resp;
	if (name_is(name, namelen, ":status")) {
		int st = 0;
		for (size_t i = 0; i < valuelen && i < 3; i++)
			st = (value[i] >= '0' && value[i] <= '9') ? st * 10 + (value[i] - '0') : -1000;
		r->http_status = (valuelen == 3 && st >= 100) ? st : 999;
	} else if (name_is(name, namelen, "content-type")) {
		r->content_type_grpc = valuelen >= 16 && memcmp(value, "application/grpc", 16) == 0;
	} else if (name_is(name, namelen, "grpc-status")) {
		int st = 0;
		for (size_t i = 0; i < valuelen; i++)
			st = (value[i] >= '0' && value[i] <= '9' && st < 1000) ? st * 10 + (value[i] - '0')
									       : 1000;
		r->grpc_status = (valuelen > 0 && st < 1000) ? st : 2; /* garbage: Unknown */
	} else if (name_is(name, namelen, "grpc-message")) {
		grpc_message_decode((const char *)value, valuelen, r->grpc_message,
				    sizeof(r->grpc_message));
	}
	return 0;
}

static int on_data_chunk(nghttp2_session *s, uint8_t flags, int32_t stream_id,
			 const uint8_t *data, size_t len, void *ud)
{
	(void)flags;
	(void)ud;
	struct conn_call *call = nghttp2_session_get_stream_user_data(s, stream_id);
	if (!call || call->resp.too_large)
		return 0;
	size_t cap = call->max_body ? call->max_body : GRPC_MAX_MESSAGE_LEN + GRPC_FRAME_PREFIX_LEN;
	if (call->buf_len + len > cap) {
		call->resp.too_large = true;
		free(call->buf);
		call->buf = NULL;
		call->buf_len = 0;
		nghttp2_submit_rst_stream(s, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_CANCEL);
		return 0;
	}
	uint8_t *nb = realloc(call->buf, call->buf_len + len);
	if (!nb)
		return NGHTTP2_ERR_CALLBACK_FAILURE;
	memcpy(nb + call->buf_len, data, len);
	call->buf = nb;
	call->buf_len += len;
	return 0;
}

static int on_stream_close(nghttp2_session *s, int32_t stream_id, uint32_t error_code, void *ud)
{
	struct conn *c = ud;
	struct conn_call *call = nghttp2_session_get_stream_user_data(s, stream_id);
	if (!call || call->done)
		return 0;
	call->done = true;
	call->end_ns = conn_now_ns();
	call->resp.rst_code = error_code;
	call->resp.body = call->buf;
	call->resp.body_len = call->buf_len;
	if (c->calls_open)
		c->calls_open--;
	return 0;
}

static int on_frame_recv(nghttp2_session *s, const nghttp2_frame *frame, void *ud)
{
	(void)s;
	struct conn *c = ud;
	if (frame->hd.type == NGHTTP2_SETTINGS && !(frame->hd.flags & NGHTTP2_FLAG_ACK)) {
		if (c->stage == CONN_STAGE_HTTP2)
			c->stage = CONN_STAGE_READY;
	} else if (frame->hd.type == NGHTTP2_GOAWAY) {
		const nghttp2_goaway *g = &frame->goaway;
		char dbg[96];
		grpc_message_decode((const char *)g->opaque_data,
				    g->opaque_data_len < 95 ? g->opaque_data_len : 95, dbg,
				    sizeof(dbg));
		snprintf(c->goaway, sizeof(c->goaway), "server sent GOAWAY (%s%s%s)",
			 h2_error_str(g->error_code), dbg[0] ? ": " : "", dbg);
	}
	return 0;
}

static ssize_t read_request(nghttp2_session *s, int32_t stream_id, uint8_t *buf, size_t length,
			    uint32_t *data_flags, nghttp2_data_source *source, void *ud)
{
	(void)s;
	(void)stream_id;
	(void)ud;
	struct conn_call *call = source->ptr;
	size_t n = call->req_len - call->req_off;
	if (n > length)
		n = length;
	memcpy(buf, call->req + call->req_off, n);
	call->req_off += n;
	if (call->req_off == call->req_len)
		*data_flags |= NGHTTP2_DATA_FLAG_EOF;
	return (ssize_t)n;
}

/* nghttp2 serializes frames into c->wbuf; a full buffer says "would block" and nghttp2 picks
 * up where it stopped on the next nghttp2_session_send. */
static ssize_t on_send(nghttp2_session *s, const uint8_t *data, size_t length, int flags, void *ud)
{
	(void)s;
	(void)flags;
	struct conn *c = ud;
	size_t room = CONN_WBUF - c->out_len;
	if (room == 0)
		return NGHTTP2_ERR_WOULDBLOCK;
	if (length > room)
		length = room;
	memcpy(c->wbuf + c->out_len, data, length);
	c->out_len += length;
	return (ssize_t)length;
}

static int h2_start(struct conn *c)
{
	nghttp2_session_callbacks *cbs;
	nghttp2_option *opt;

	if (!c->wbuf && !(c->wbuf = malloc(CONN_WBUF)))
		return -ENOMEM;
	if (nghttp2_session_callbacks_new(&cbs) != 0)
		return -ENOMEM;
	nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data_chunk);
	nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_stream_close);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, on_frame_recv);
	nghttp2_session_callbacks_set_send_callback(cbs, on_send);
	if (nghttp2_option_new(&opt) != 0) {
		nghttp2_session_callbacks_del(cbs);
		return -ENOMEM;
	}
	/* Bound what a hostile server can make us keep. */
	nghttp2_option_set_max_reserved_remote_streams(opt, 0);
	nghttp2_option_set_max_outbound_ack(opt, 64);
	int r = nghttp2_session_client_new2(&c->h2, cbs, c, opt);
	nghttp2_session_callbacks_del(cbs);
	nghttp2_option_del(opt);
	if (r != 0)
		return -ENOMEM;
	/* A window as large as the biggest message we accept: no WINDOW_UPDATE round trips. */
	const int32_t window = (int32_t)(GRPC_MAX_MESSAGE_LEN + 65536);
	nghttp2_settings_entry iv[] = {
		{NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
		{NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, (uint32_t)window},
		{NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, 65536},
	};
	if (nghttp2_submit_settings(c->h2, NGHTTP2_FLAG_NONE, iv, sizeof(iv) / sizeof(iv[0])) != 0 ||
	    nghttp2_session_set_local_window_size(c->h2, NGHTTP2_FLAG_NONE, 0, window) != 0)
		return -ENOMEM;
	c->stage = CONN_STAGE_HTTP2;
	return 0;
}

/* Verification callback: records the first failure in Go's words, with the certificate at
 * fault, and lets the handshake go on only with --insecure-skip-tls-verify. */
static int verify_cb(int ok, X509_STORE_CTX *x)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct conn *c = ssl ? SSL_get_app_data(ssl) : NULL;
	if (!c)
		return ok;
	/* the leaf's facts even when it fails: the line names the SANs presented */
	X509 *leaf = X509_STORE_CTX_get0_cert(x);
	if (!c->have_peer_cert && leaf && certinfo_read(leaf, &c->peer) == 0)
		c->have_peer_cert = true;
	if (ok)
		return ok;
	if (!c->verify_err) {
		c->verify_err = X509_STORE_CTX_get_error(x);
		X509 *cert = X509_STORE_CTX_get_current_cert(x);
		if (!cert)
			cert = X509_STORE_CTX_get0_cert(x);
		certinfo_explain_verify(c->verify_err, cert, c->verify_host, c->verify_msg,
					sizeof(c->verify_msg));
	}
	return c->insecure ? 1 : 0;
}

static int tls_setup(struct conn *c)
{
	c->ssl = SSL_new(c->ctx);
	if (!c->ssl)
		return -ENOMEM;
	SSL_set_app_data(c->ssl, c);
	/* Read whole socket buffers, not a record header then its body: half the read calls.
	 * h2_read drains OpenSSL's buffer until it asks for the socket again. */
	SSL_set_read_ahead(c->ssl, 1);
	SSL_set_verify(c->ssl, SSL_VERIFY_PEER, verify_cb);
	static const unsigned char alpn_h1[] = "\x08http/1.1";
	if (c->http1 && SSL_set_alpn_protos(c->ssl, alpn_h1, sizeof(alpn_h1) - 1) != 0)
		return -ENOMEM;
	X509_VERIFY_PARAM *param = SSL_get0_param(c->ssl);
	snprintf(c->verify_host, sizeof(c->verify_host), "%s", c->ep.host);
	if (c->ep.host_is_ip) {
		if (X509_VERIFY_PARAM_set1_ip_asc(param, c->ep.host) != 1)
			return -EINVAL;
	} else {
		/* Go's rule (certinfo.h): never the subject CN, whole-label wildcards only */
		X509_VERIFY_PARAM_set_hostflags(param, CERTINFO_HOST_FLAGS);
		if (X509_VERIFY_PARAM_set1_host(param, c->ep.host, 0) != 1 ||
		    SSL_set_tlsext_host_name(c->ssl, c->ep.host) != 1)
			return -EINVAL;
	}
	/* Go's crypto/tls checks the server's extended key usage for serverAuth too. */
	X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
	if (SSL_set_fd(c->ssl, c->fd) != 1)
		return -EINVAL;
	if (c->resume && SSL_set_session(c->ssl, c->resume) != 1)
		ERR_clear_error(); /* not resumable: a full handshake it is */
	SSL_set_connect_state(c->ssl);
	return 0;
}

/* OpenSSL hands over each session ticket here (TLS 1.3 sends them after the handshake).
 * We keep a copy that no connection owns: OpenSSL marks a connection's own session "not
 * resumable" when that connection resumed it (TLS 1.3 tickets are single-use for OpenSSL)
 * or closed without close_notify, and a copy cannot be marked by either. */
static int on_new_session(SSL *ssl, SSL_SESSION *sess)
{
	struct conn *c = SSL_get_app_data(ssl);
	if (c && !c->ticket && !c->resume)
		c->ticket = SSL_SESSION_dup(sess); /* NULL (out of memory): no resumption */
	return 0; /* OpenSSL keeps its own reference */
}

void conn_ctx_enable_resumption(SSL_CTX *ctx)
{
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(ctx, on_new_session);
}

void conn_set_resume(struct conn *c, SSL_SESSION *sess)
{
	if (!sess || c->resume)
		return;
	/* Each connection offers its own copy: several connections to one URL resume one
	 * ticket at the same moment (etcd's Go server accepts that), and OpenSSL's marking the
	 * one that resumed first must not turn the others into full handshakes. */
	c->resume = SSL_SESSION_dup(sess);
}

struct conn *conn_new(const struct endpoint *ep, SSL_CTX *ctx, bool insecure)
{
	struct conn *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->ep = *ep;
	c->fd = -1;
	c->insecure = insecure;
	c->stage = CONN_STAGE_CONNECT;
	if (ep->tls && ctx) {
		SSL_CTX_up_ref(ctx);
		c->ctx = ctx;
	}
	return c;
}

void conn_free(struct conn *c)
{
	if (!c)
		return;
	nghttp2_session_del(c->h2);
	free(c->wbuf);
	SSL_SESSION_free(c->resume);
	SSL_SESSION_free(c->ticket);
	SSL_free(c->ssl);
	SSL_CTX_free(c->ctx);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

int conn_connect(struct conn *c, const struct sockaddr *addr, socklen_t addrlen)
{
	c->fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		int e = errno;
		conn_fail(c, CONN_ERR_INTERNAL, "socket: %s", strerror(e));
		return -e;
	}
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, addr, addrlen) < 0 && errno != EINPROGRESS) {
		int e = errno;
		if (e == ECONNREFUSED)
			conn_fail(c, CONN_ERR_REFUSED,
				  "connection refused: nothing listening on %s:%s", c->ep.host,
				  c->ep.port);
		else
			conn_fail(c, CONN_ERR_UNREACHABLE, "connect to %s:%s: %s", c->ep.host,
				  c->ep.port, strerror(e));
		return -e;
	}
	return 0;
}

short conn_poll_events(const struct conn *c)
{
	switch (c->stage) {
	case CONN_STAGE_CONNECT:
		return POLLOUT;
	case CONN_STAGE_TLS:
		return c->io_want_write ? POLLOUT : POLLIN;
	case CONN_STAGE_HTTP2:
	case CONN_STAGE_READY:
		if (c->out_off < c->out_len || c->io_want_write || (c->h2 && nghttp2_session_want_write(c->h2)))
			return POLLIN | POLLOUT;
		return POLLIN;
	default:
		return 0;
	}
}

static int step_connect(struct conn *c, short revents)
{
	int err = 0;
	socklen_t len = sizeof(err);
	if (!(revents & (POLLOUT | POLLERR | POLLHUP)))
		return 0;
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err == ECONNREFUSED) {
		conn_fail(c, CONN_ERR_REFUSED, "connection refused: nothing listening on %s:%s",
			  c->ep.host, c->ep.port);
		return -1;
	}
	if (err) {
		conn_fail(c, CONN_ERR_UNREACHABLE, "connect to %s:%s: %s", c->ep.host, c->ep.port,
			  strerror(err));
		return -1;
	}
	if (c->ctx) {
		if (tls_setup(c) < 0) {
			conn_fail(c, CONN_ERR_INTERNAL, "cannot set up TLS for %s", c->ep.host);
			return -1;
		}
		c->stage = CONN_STAGE_TLS;
		c->io_want_write = true;
		return 0;
	}
	if (c->http1) {
		c->stage = CONN_STAGE_READY;
		return 0;
	}
	if (h2_start(c) < 0) {
		conn_fail(c, CONN_ERR_INTERNAL, "cannot set up HTTP/2 (out of memory)");
		return -1;
	}
	return 0;
}

static int step_tls(struct conn *c)
{
	ERR_clear_error();
	int r = SSL_connect(c->ssl);
	BIO *rbio = SSL_get_rbio(c->ssl);
	if (rbio && BIO_number_read(rbio) > 0)
		c->got_bytes = true;
	if (r != 1) {
		switch (io_ssl_result(c, r, "TLS handshake")) {
		case IO_WAIT:
			return 0;
		case IO_EOF:
			conn_fail(c, CONN_ERR_CLOSED,
				  "server closed the connection during the TLS handshake");
			return -1;
		default:
			return -1;
		}
	}
	c->resumed = SSL_session_reused(c->ssl) == 1;
	X509 *peer = SSL_get0_peer_certificate(c->ssl);
	if (peer && certinfo_read(peer, &c->peer) == 0)
		c->have_peer_cert = true;
	if (c->http1) {
		c->io_want_write = false;
		c->stage = CONN_STAGE_READY;
		return 0;
	}
	const unsigned char *proto = NULL;
	unsigned int plen = 0;
	SSL_get0_alpn_selected(c->ssl, &proto, &plen);
	if (plen != 2 || memcmp(proto, "h2", 2) != 0) {
		conn_fail(c, CONN_ERR_NO_H2,
			  "server did not agree to HTTP/2 (ALPN h2): not an etcd v3 client port");
		return -1;
	}
	c->io_want_write = false;
	/* The server's first HTTP/2 bytes may sit in OpenSSL's buffer already: read before
	 * polling again. */
	c->read_pending = true;
	if (h2_start(c) < 0) {
		conn_fail(c, CONN_ERR_INTERNAL, "cannot set up HTTP/2 (out of memory)");
		return -1;
	}
	return 0;
}

/* One write of wbuf[out_off..out_len): 1 when something went out, 0 when the socket (or TLS)
 * must wait, -1 on failure (c->err). */
static int wbuf_write(struct conn *c)
{
	enum io_result res;
	ssize_t w = io_write(c, c->wbuf + c->out_off, c->out_len - c->out_off, &res);
	if (res == IO_FAIL)
		return -1;
	if (res == IO_WAIT)
		return 0;
	c->out_off += (size_t)w;
	c->io_want_write = false;
	return 1;
}

/* Writes what nghttp2 has to send. A whole flight (preface, SETTINGS, HEADERS and DATA of
 * every call started) goes out as one TLS record in one segment, not one per frame: fewer
 * wake-ups and records to decrypt on both sides. */
static int h2_flush(struct conn *c)
{
	for (;;) {
		if (c->out_off == c->out_len) {
			c->out_off = c->out_len = 0;
			int r = nghttp2_session_send(c->h2);
			if (r != 0) {
				conn_fail(c, CONN_ERR_HTTP2, "HTTP/2: %s", nghttp2_strerror(r));
				return -1;
			}
			if (c->out_len == 0)
				return 0;
		}
		int r = wbuf_write(c);
		if (r <= 0)
			return r;
	}
}

static void describe_eof(struct conn *c)
{
	if (c->goaway[0])
		conn_fail(c, CONN_ERR_HTTP2, "%s", c->goaway);
	else if (c->stage == CONN_STAGE_HTTP2)
		conn_fail(c, CONN_ERR_CLOSED,
			  "server closed the connection before HTTP/2 SETTINGS");
	else
		conn_fail(c, CONN_ERR_CLOSED, "server closed the connection");
}

static int h2_read(struct conn *c)
{
	uint8_t buf[READ_CHUNK];

	c->read_pending = false;
	for (int i = 0; i < READS_PER_PROCESS; i++) {
		enum io_result res;
		ssize_t n = io_read(c, buf, sizeof(buf), &res);
		if (res == IO_WAIT)
			return 0;
		if (res == IO_FAIL)
			return -1;
		if (res == IO_EOF) {
			if (c->calls_open || c->stage != CONN_STAGE_READY) {
				describe_eof(c);
				return -1;
			}
			conn_fail(c, CONN_ERR_CLOSED, "server closed the connection");
			return 0;
		}
		/* Before the server's SETTINGS, "HTTP/" can only be an HTTP/1.x answer (in clear
		 * text, or over TLS from a server that selected h2 and then did not speak it). */
		if (c->stage == CONN_STAGE_HTTP2 && (c->ssl || !c->got_bytes) && n >= 5 &&
		    memcmp(buf, "HTTP/", 5) == 0) {
			conn_fail(c, CONN_ERR_NO_H2,
				  "server answered HTTP/1.x, not HTTP/2: not an etcd v3 client port "
				  "(or a proxy without h2c)");
			return -1;
		}
		c->got_bytes = true;
		ssize_t r = nghttp2_session_mem_recv(c->h2, buf, (size_t)n);
		if (r < 0) {
			conn_fail(c, CONN_ERR_HTTP2, "HTTP/2 protocol error from server: %s",
				  nghttp2_strerror((int)r));
			return -1;
		}
	}
	c->read_pending = true;
	return 0;
}

/* The HTTP/1.1 GET's answer is complete at the server's EOF. */
static void h1_finish(struct conn *c, struct conn_call *call)
{
	struct http1_response r;
	call->done = true;
	call->end_ns = conn_now_ns();
	c->h1_call = NULL;
	if (c->calls_open)
		c->calls_open--;
	if (!call->resp.too_large && call->buf && http1_response_parse(call->buf, call->buf_len, &r) == 0) {
		call->resp.http_status = r.status;
		call->resp.body = r.body;
		call->resp.body_len = r.body_len;
	}
	conn_fail(c, CONN_ERR_CLOSED, "server closed the connection"); /* one request only */
}

static int h1_process(struct conn *c, short revents)
{
	(void)revents;
	while (c->out_off < c->out_len) {
		int r = wbuf_write(c);
		if (r <= 0)
			return r;
	}
	struct conn_call *call = c->h1_call;
	c->read_pending = false;
	for (int i = 0; call && i < READS_PER_PROCESS; i++) {
		uint8_t buf[READ_CHUNK];
		enum io_result res;
		ssize_t n = io_read(c, buf, sizeof(buf), &res);
		if (res == IO_WAIT)
			return 0;
		if (res == IO_FAIL)
			return -1;
		if (res == IO_EOF) {
			h1_finish(c, call);
			return 0;
		}
		c->got_bytes = true;
		if (call->buf_len + (size_t)n > call->max_body + HTTP1_MAX_HEAD) {
			call->resp.too_large = true;
			h1_finish(c, call);
			return 0;
		}
		uint8_t *nb = realloc(call->buf, call->buf_len + (size_t)n);
		if (!nb) {
			conn_fail(c, CONN_ERR_INTERNAL, "out of memory");
			return -1;
		}
		memcpy(nb + call->buf_len, buf, (size_t)n);
		call->buf = nb;
		call->buf_len += (size_t)n;
	}
	if (call)
		c->read_pending = true;
	return 0;
}

int conn_process(struct conn *c, short revents)
{
	if (c->stage == CONN_STAGE_CLOSED)
		return -1;
	if (c->stage == CONN_STAGE_CONNECT) {
		if (step_connect(c, revents) < 0)
			return -1;
		if (c->stage == CONN_STAGE_CONNECT)
			return 0;
	}
	if (c->stage == CONN_STAGE_TLS) {
		if (revents == 0 && !c->io_want_write)
			return 0;
		if (step_tls(c) < 0)
			return -1;
		if (c->stage == CONN_STAGE_TLS)
			return 0;
	}
	if (c->http1)
		return h1_process(c, revents);
	/* HTTP/2 setup or ready */
	if ((revents & (POLLIN | POLLHUP | POLLERR)) || c->read_pending || (c->io_want_write && (revents & POLLOUT))) {
		if (h2_read(c) < 0)
			return -1;
		if (c->stage == CONN_STAGE_CLOSED)
			return 0;
	}
	if (h2_flush(c) < 0)
		return -1;
	if (!nghttp2_session_want_read(c->h2) && !nghttp2_session_want_write(c->h2) &&
	    c->out_off == c->out_len) {
		if (c->goaway[0])
			conn_fail(c, CONN_ERR_HTTP2, "%s", c->goaway);
		else if (c->stage == CONN_STAGE_HTTP2)
			conn_fail(c, CONN_ERR_NO_H2,
				  "server's answer is not HTTP/2: not an etcd v3 client port");
		else
			conn_fail(c, CONN_ERR_HTTP2,
				  "HTTP/2 session ended (protocol error from server?)");
		return c->calls_open ? -1 : 0;
	}
	return 0;
}

/* ":authority" (and HTTP/1.1's Host): host:port, an IPv6 address in brackets. */
static void format_authority(const struct conn *c, char *out, size_t outlen)
{
	bool v6 = strchr(c->ep.host, ':') != NULL;
	snprintf(out, outlen, "%s%s%s:%s", v6 ? "[" : "", c->ep.host, v6 ? "]" : "", c->ep.port);
}

/* Submits a request on a new HTTP/2 stream and counts the call open; prd NULL for a GET. */
static int h2_submit(struct conn *c, struct conn_call *call, const nghttp2_nv *hdrs, size_t nh,
		     const nghttp2_data_provider *prd)
{
	int32_t id = nghttp2_submit_request(c->h2, NULL, hdrs, nh, prd, call);
	if (id < 0) {
		/* After a GOAWAY nghttp2 refuses new streams: that is the reason to report. */
		conn_fail(c, c->goaway[0] ? CONN_ERR_HTTP2 : CONN_ERR_INTERNAL, "%s",
			  c->goaway[0] ? c->goaway : nghttp2_strerror(id));
		return -EIO;
	}
	call->stream_id = id;
	return 0;
}

static void call_opened(struct conn *c, struct conn_call *call)
{
	call->submitted = true;
	call->start_ns = conn_now_ns();
	c->calls_open++;
}

int conn_call_start(struct conn *c, struct conn_call *call, const char *path, const uint8_t *msg,
		    size_t msg_len, const char *token, uint64_t timeout_ms)
{
	char authority[ENDPOINT_URL_MAX + 10], tmo[16];

	if (c->stage != CONN_STAGE_READY || msg_len > GRPC_MAX_MESSAGE_LEN)
		return -EINVAL;
	memset(call, 0, sizeof(*call));
	call->resp.grpc_status = -1;
	call->path = path;
	call->req = malloc(GRPC_FRAME_PREFIX_LEN + msg_len);
	if (!call->req)
		return -ENOMEM;
	grpc_frame_prefix(call->req, (uint32_t)msg_len);
	if (msg_len)
		memcpy(call->req + GRPC_FRAME_PREFIX_LEN, msg, msg_len);
	call->req_len = GRPC_FRAME_PREFIX_LEN + msg_len;
	format_authority(c, authority, sizeof(authority));
	grpc_timeout_format(timeout_ms ? timeout_ms : 1, tmo);

#define NV(n, v) {(uint8_t *)(n), (uint8_t *)(v), strlen(n), strlen(v), NGHTTP2_NV_FLAG_NONE}
	nghttp2_nv hdrs[] = {
		NV(":method", "POST"),
		NV(":scheme", c->ssl ? "https" : "http"),
		NV(":path", path),
		NV(":authority", authority),
		NV("content-type", "application/grpc"),
		NV("te", "trailers"),
		NV("grpc-timeout", tmo),
		NV("user-agent", "etcd-probe"),
		NV("token", token ? token : ""),
	};
#undef NV
	size_t nh = sizeof(hdrs) / sizeof(hdrs[0]) - (token ? 0 : 1);
	/* The token is a credential: keep it out of HPACK's dynamic table. */
	hdrs[8].flags = NGHTTP2_NV_FLAG_NO_INDEX;
	nghttp2_data_provider prd = {.source.ptr = call, .read_callback = read_request};
	if (h2_submit(c, call, hdrs, nh, &prd) < 0) {
		free(call->req);
		call->req = NULL;
		return -EIO;
	}
	call_opened(c, call);
	return 0;
}

void conn_use_http1(struct conn *c)
{
	c->http1 = true;
}

int conn_get_start(struct conn *c, struct conn_call *call, const char *path, size_t max_body)
{
	char authority[ENDPOINT_URL_MAX + 10];

	if (c->stage != CONN_STAGE_READY || max_body == 0 || (c->http1 && c->h1_call))
		return -EINVAL;
	memset(call, 0, sizeof(*call));
	call->resp.grpc_status = -1;
	call->path = path;
	call->max_body = max_body;
	format_authority(c, authority, sizeof(authority));
	if (c->http1) {
		if (!c->wbuf && !(c->wbuf = malloc(CONN_WBUF)))
			return -ENOMEM;
		size_t n = http1_request_format(authority, path, (char *)c->wbuf, CONN_WBUF);
		if (n == 0)
			return -EINVAL;
		c->out_off = 0;
		c->out_len = n;
		c->h1_call = call;
	} else {
#define NV(n, v) {(uint8_t *)(n), (uint8_t *)(v), strlen(n), strlen(v), NGHTTP2_NV_FLAG_NONE}
		nghttp2_nv hdrs[] = {
			NV(":method", "GET"),
			NV(":scheme", c->ssl ? "https" : "http"),
			NV(":path", path),
			NV(":authority", authority),
			NV("accept", "text/plain"),
			NV("user-agent", "etcd-probe"),
		};
#undef NV
		if (h2_submit(c, call, hdrs, sizeof(hdrs) / sizeof(hdrs[0]), NULL) < 0)
			return -EIO;
	}
	call_opened(c, call);
	return 0;
}

void conn_call_reset(struct conn *c, struct conn_call *call)
{
	if (c && c->h1_call == call) {
		c->h1_call = NULL;
		if (c->calls_open)
			c->calls_open--;
	}
	if (c && c->h2 && call->submitted && !call->done) {
		nghttp2_session_set_stream_user_data(c->h2, call->stream_id, NULL);
		nghttp2_submit_rst_stream(c->h2, NGHTTP2_FLAG_NONE, call->stream_id, NGHTTP2_CANCEL);
		if (c->calls_open)
			c->calls_open--;
	}
	free(call->req);
	free(call->buf);
	memset(call, 0, sizeof(*call));
}
