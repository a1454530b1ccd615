/* grpc_frame: gRPC message framing and response validation, pure functions. */
#include "proto/grpc_frame.h"

#include "proto/sanitize.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const grpc_code_names[] = {
	"OK",           "Canceled",          "Unknown",            "InvalidArgument",
	"DeadlineExceeded", "NotFound",      "AlreadyExists",      "PermissionDenied",
	"ResourceExhausted", "FailedPrecondition", "Aborted",      "OutOfRange",
	"Unimplemented", "Internal",         "Unavailable",        "DataLoss",
	"Unauthenticated",
};

const char *grpc_status_str(int code)
{
	if (code < 0 || (size_t)code >= sizeof(grpc_code_names) / sizeof(grpc_code_names[0]))
		return "Unknown";
	return grpc_code_names[code];
}

static const char *const h2_error_names[] = {
	"NO_ERROR",       "PROTOCOL_ERROR", "INTERNAL_ERROR",    "FLOW_CONTROL_ERROR",
	"SETTINGS_TIMEOUT", "STREAM_CLOSED", "FRAME_SIZE_ERROR", "REFUSED_STREAM",
	"CANCEL",         "COMPRESSION_ERROR", "CONNECT_ERROR",  "ENHANCE_YOUR_CALM",
	"INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED",
};

const char *h2_error_str(uint32_t code)
{
	if (code >= sizeof(h2_error_names) / sizeof(h2_error_names[0]))
		return "unknown error code";
	return h2_error_names[code];
}

void grpc_frame_prefix(uint8_t out[GRPC_FRAME_PREFIX_LEN], uint32_t len)
{
	out[0] = 0;
	out[1] = (uint8_t)(len >> 24);
	out[2] = (uint8_t)(len >> 16);
	out[3] = (uint8_t)(len >> 8);
	out[4] = (uint8_t)len;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decoded bytes looked at: enough for any out up to 341 bytes, since a sanitized code point is
 * never more than 3 times shorter than its input (U+2028 -> '?'). Far above the 256 of
 * struct grpc_response. */
#define GRPC_MESSAGE_DECODED_MAX 1024

void grpc_message_decode(const char *in, size_t in_len, char *out, size_t outlen)
{
	char dec[GRPC_MESSAGE_DECODED_MAX];
	size_t n = 0;

	if (outlen == 0)
		return;
	for (size_t i = 0; i < in_len && n < sizeof(dec); i++) {
		unsigned char c = (unsigned char)in[i];
		if (c == '%' && i + 2 < in_len && hexval(in[i + 1]) >= 0 && hexval(in[i + 2]) >= 0) {
			c = (unsigned char)(hexval(in[i + 1]) * 16 + hexval(in[i + 2]));
			i += 2;
		}
		dec[n++] = (char)c;
	}
	/* The bytes are the server's: "%FF%FE" or "%0A" must not reach a report or JSON as such. */
	sanitize_text(dec, n, out, outlen);
}

void grpc_timeout_format(uint64_t ms, char out[16])
{
	/* The value has at most 8 digits: fall back to seconds, then hours, for long deadlines. */
	if (ms < 100000000ull)
		snprintf(out, 16, "%llum", (unsigned long long)ms);
	else if (ms / 1000 < 100000000ull)
		snprintf(out, 16, "%lluS", (unsigned long long)(ms / 1000));
	else
		snprintf(out, 16, "%lluH", (unsigned long long)(ms / 3600000 % 100000000ull));
}

int grpc_response_check(const struct grpc_response *r, const uint8_t **msg, size_t *msg_len,
			char *err, size_t errlen)
{
	*msg = NULL;
	*msg_len = 0;
	err[0] = '\0';

	if (r->too_large) {
		snprintf(err, errlen, "response larger than the %u MiB cap", GRPC_MAX_MESSAGE_LEN >> 20);
		return -EMSGSIZE;
	}
	if (r->too_many_headers) {
		snprintf(err, errlen, "response with more than %d header fields", GRPC_MAX_HEADER_FIELDS);
		return -EPROTO;
	}
	if (r->http_status == 0) {
		if (r->rst_code)
			snprintf(err, errlen, "HTTP/2 stream reset (%s)",
				 h2_error_str(r->rst_code));
		else
			snprintf(err, errlen, "HTTP/2 stream closed without a response");
		return -EPROTO;
	}
	if (r->http_status != 200) {
		snprintf(err, errlen, "HTTP status %d instead of a gRPC response", r->http_status);
		return -EPROTO;
	}
	if (r->grpc_status < 0) {
		if (r->rst_code)
			snprintf(err, errlen, "HTTP/2 stream reset (%s) before grpc-status",
				 h2_error_str(r->rst_code));
		else
			snprintf(err, errlen, "response without grpc-status trailer");
		return -EPROTO;
	}
	if (r->grpc_status != GRPC_OK) {
		snprintf(err, errlen, "%s: %s", grpc_status_str(r->grpc_status),
			 r->grpc_message[0] ? r->grpc_message : "(no message)");
		return r->grpc_status;
	}
	if (!r->content_type_grpc) {
		snprintf(err, errlen, "content-type is not application/grpc");
		return -EPROTO;
	}
	if (r->body_len < GRPC_FRAME_PREFIX_LEN) {
		snprintf(err, errlen, "truncated gRPC message (%zu bytes)", r->body_len);
		return -EPROTO;
	}
	if (r->body[0] != 0) {
		/* We never offer grpc-accept-encoding, so a compressed message is a protocol error. */
		snprintf(err, errlen, "compressed gRPC message, but no compression was offered");
		return -EPROTO;
	}
	uint32_t len = (uint32_t)r->body[1] << 24 | (uint32_t)r->body[2] << 16 |
		       (uint32_t)r->body[3] << 8 | r->body[4];
	if (len > GRPC_MAX_MESSAGE_LEN) {
		snprintf(err, errlen, "response larger than the %u MiB cap", GRPC_MAX_MESSAGE_LEN >> 20);
		return -EMSGSIZE;
	}
	if ((size_t)len != r->body_len - GRPC_FRAME_PREFIX_LEN) {
		snprintf(err, errlen, "truncated or trailing gRPC data (message says %u bytes, got %zu)",
			 len, r->body_len - GRPC_FRAME_PREFIX_LEN);
		return -EPROTO;
	}
	*msg = r->body + GRPC_FRAME_PREFIX_LEN;
	*msg_len = len;
	return GRPC_OK;
}
