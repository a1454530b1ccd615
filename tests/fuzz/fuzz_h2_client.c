/* fuzz_h2_client: the server-to-client byte path. Arbitrary bytes, as a hostile server would
 * send them, go through a real struct conn (proto/conn.h) over a socketpair: nghttp2's client
 * session, the per-stream callbacks, then grpc_response_check and protobuf decoding.
 *
 * Input: 2 bytes big-endian N, then N bytes sent before the calls start (the server's
 * SETTINGS), then the rest, sent once three calls (Status, Range, Alarm) are open. Every loop
 * is bounded, so a slow input is a bug (libFuzzer -timeout). */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "etcd.pb-c.h"
#include "proto/conn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ROUNDS 256

/* Throws away what the client wrote (its preface, SETTINGS, requests). */
static void drain(int fd)
{
	char buf[65536];
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

/* Sends p[0..n) into the client's socket, letting the client read between partial writes. */
static void feed(struct conn *c, int fd, const uint8_t *p, size_t n)
{
	for (int round = 0; round < MAX_ROUNDS && c->stage != CONN_STAGE_CLOSED; round++) {
		if (n) {
			ssize_t w = send(fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (w > 0) {
				p += w;
				n -= (size_t)w;
			} else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
				return;
			}
		}
		conn_process(c, POLLIN | POLLOUT);
		drain(fd);
		if (n == 0 && !c->read_pending)
			return;
	}
}

static void check_call(struct conn_call *call)
{
	const uint8_t *msg;
	size_t len;
	char err[256];
	if (!call->submitted || !call->done)
		return;
	if (grpc_response_check(&call->resp, &msg, &len, err, sizeof(err)) != 0)
		return;
	Etcdserverpb__StatusResponse *s = etcdserverpb__status_response__unpack(NULL, len, msg);
	etcdserverpb__status_response__free_unpacked(s, NULL);
	Etcdserverpb__RangeResponse *r = etcdserverpb__range_response__unpack(NULL, len, msg);
	etcdserverpb__range_response__free_unpacked(r, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t range_req[] = {0x0a, 0x06, 'h', 'e', 'a', 'l', 't', 'h'};
	static const char *const paths[3] = {"/etcdserverpb.Maintenance/Status",
					     "/etcdserverpb.KV/Range",
					     "/etcdserverpb.Maintenance/Alarm"};
	struct endpoint ep;
	char err[128];
	int sv[2];

	if (size < 2)
		return 0;
	size_t first = (size_t)(data[0] << 8 | data[1]);
	data += 2;
	size -= 2;
	if (first > size)
		first = size;
	if (endpoint_parse("http://127.0.0.1:2379", false, &ep, err, sizeof(err)) != 0)
		abort();
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0)
		return 0;
	struct conn *c = conn_new(&ep, NULL, false);
	if (!c) {
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	c->fd = sv[0]; /* "connected": conn_process takes it from the connect step to HTTP/2 */
	conn_process(c, POLLOUT);
	drain(sv[1]);

	struct conn_call calls[3];
	memset(calls, 0, sizeof(calls));
	feed(c, sv[1], data, first);
	if (c->stage == CONN_STAGE_READY) {
		for (int k = 0; k < 3; k++)
			conn_call_start(c, &calls[k], paths[k], k == 1 ? range_req : NULL,
					k == 1 ? sizeof(range_req) : 0, k == 1 ? "tok" : NULL, 1000);
		conn_process(c, POLLOUT);
		drain(sv[1]);
	}
	feed(c, sv[1], data + first, size - first);
	shutdown(sv[1], SHUT_WR); /* the server goes away: every path must end */
	for (int round = 0; round < MAX_ROUNDS && c->stage != CONN_STAGE_CLOSED; round++) {
		conn_process(c, POLLIN);
		drain(sv[1]);
	}
	for (int k = 0; k < 3; k++) {
		check_call(&calls[k]);
		conn_call_reset(c, &calls[k]);
	}
	conn_free(c); /* closes sv[0] */
	close(sv[1]);
	return 0;
}
