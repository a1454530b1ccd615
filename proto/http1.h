/* http1: the pure part of one HTTP/1.1 GET over a connection closed by the server afterwards
 * (what etcd's separate metrics listener, --listen-metrics-urls, speaks: Go's net/http without
 * h2c): the request's bytes, and the response parsed from everything read until EOF. No I/O. */
#ifndef PROTO_HTTP1_H
#define PROTO_HTTP1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The header block accepted from a server, at most (Go's default limit is 1 MiB; etcd sends
 * about 200 bytes). */
#define HTTP1_MAX_HEAD 16384

struct http1_response {
	int status;        /* 100..999 */
	uint8_t *body;     /* into the buffer given to http1_response_parse */
	size_t body_len;
};

/* Formats "GET path HTTP/1.1" with Host, Accept and Connection: close into out. Returns the
 * length, or 0 when it does not fit (or path/host hold bytes that would split the line). */
size_t http1_request_format(const char *host_port, const char *path, char *out, size_t outlen);

/* Parses a whole response (buf[0..len), everything up to the server's EOF): status line,
 * headers, then a body by Content-Length, chunked transfer coding (decoded in place, so buf is
 * modified) or up to EOF. Returns 0; -EBADMSG for a malformed or truncated response (a short
 * body, a chunk cut off, a header block over HTTP1_MAX_HEAD, obsolete line folding, both or
 * conflicting lengths, a transfer coding other than chunked). */
int http1_response_parse(uint8_t *buf, size_t len, struct http1_response *ret);

#endif
