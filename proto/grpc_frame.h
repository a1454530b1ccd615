/* grpc_frame: the pure part of gRPC over HTTP/2: message framing, response validation,
 * grpc-message percent-decoding, grpc-timeout encoding, status code names. No I/O. */
#ifndef PROTO_GRPC_FRAME_H
#define PROTO_GRPC_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest response message accepted from a server (etcd itself accepts 2 MiB requests). */
#define GRPC_MAX_MESSAGE_LEN (4u * 1024 * 1024)
#define GRPC_FRAME_PREFIX_LEN 5
/* Most header fields accepted in one response's HEADERS + trailers (etcd sends about 6). */
#define GRPC_MAX_HEADER_FIELDS 64

/* gRPC status codes that matter to etcd (the full set 0-16 has names in grpc_status_str()). */
enum grpc_code {
	GRPC_OK = 0,
	GRPC_INVALID_ARGUMENT = 3,
	GRPC_DEADLINE_EXCEEDED = 4,
	GRPC_PERMISSION_DENIED = 7,
	GRPC_RESOURCE_EXHAUSTED = 8,
	GRPC_FAILED_PRECONDITION = 9,
	GRPC_UNIMPLEMENTED = 12,
	GRPC_UNAVAILABLE = 14,
	GRPC_DATA_LOSS = 15,
	GRPC_UNAUTHENTICATED = 16,
};

/* Name of a gRPC status code ("Unavailable"), "Unknown" for codes outside 0-16. */
const char *grpc_status_str(int code);

/* Name of an HTTP/2 error code ("REFUSED_STREAM"), "error code N" beyond the known ones. */
const char *h2_error_str(uint32_t code);

/* Writes the 5-byte prefix (uncompressed, big-endian length) for a message of len bytes. */
void grpc_frame_prefix(uint8_t out[GRPC_FRAME_PREFIX_LEN], uint32_t len);

/* Everything the transport collected about one unary call's response. */
struct grpc_response {
	int http_status;        /* :status, 0 when no HEADERS came */
	bool content_type_grpc; /* content-type starts with application/grpc */
	int grpc_status;        /* -1 when no grpc-status header or trailer came */
	char grpc_message[256]; /* already percent-decoded */
	const uint8_t *body;    /* the concatenated DATA frames */
	size_t body_len;
	bool too_large;         /* the body hit GRPC_MAX_MESSAGE_LEN and the stream was reset */
	bool too_many_headers;  /* more than GRPC_MAX_HEADER_FIELDS: the stream was reset */
	uint32_t rst_code;      /* HTTP/2 error code the stream closed with, 0 for NO_ERROR */
};

/* Validates a finished unary response. Returns 0 (GRPC_OK) with msg and msg_len set to the one
 * protobuf message; a positive gRPC status code with err describing it; or -EPROTO / -EMSGSIZE
 * with err saying what the server did wrong. err is always NUL-terminated. */
int grpc_response_check(const struct grpc_response *r, const uint8_t **msg, size_t *msg_len,
			char *err, size_t errlen);

/* Decodes grpc-message's percent-encoding (%XX) into out (always NUL-terminated when
 * outlen >= 1), then sanitizes it (proto/sanitize.h: control bytes -> '?', '|' -> '/', invalid
 * UTF-8 -> U+FFFD, cut between code points), since the text ends up in a one-line report and in
 * JSON. An incomplete escape ("%4", "%zz") is kept as it is. */
void grpc_message_decode(const char *in, size_t in_len, char *out, size_t outlen);

/* Formats a grpc-timeout value ("1500m") for a deadline of ms milliseconds (at most 8 digits). */
void grpc_timeout_format(uint64_t ms, char out[16]);

#endif
