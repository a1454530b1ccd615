/* fuzz_grpc_frame: grpc_response_check and grpc_message_decode on arbitrary responses; the
 * decoded grpc-message must come out clean (fuzz_clean.h). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/grpc_frame.h"
#include "tests/fuzz/fuzz_clean.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Byte 0: flags, bytes 1-2: HTTP status, byte 3: grpc-status (255: none), byte 4: decode
	 * buffer size; the rest is the body, and also the grpc-message text. */
	if (size < 5)
		return 0;
	struct grpc_response r;
	memset(&r, 0, sizeof(r));
	r.too_large = data[0] & 1;
	r.too_many_headers = data[0] & 2;
	r.content_type_grpc = data[0] & 4;
	r.rst_code = (data[0] >> 3) & 0xf;
	r.http_status = (data[1] << 8 | data[2]) % 1000;
	r.grpc_status = data[3] == 255 ? -1 : data[3];
	size_t outlen = data[4];
	data += 5;
	size -= 5;
	/* A heap copy of exactly size bytes, so ASan sees any over-read. */
	uint8_t *body = malloc(size ? size : 1);
	if (!body)
		return 0;
	memcpy(body, data, size);
	grpc_message_decode((const char *)body, size, r.grpc_message, sizeof(r.grpc_message));
	fuzz_assert_clean(r.grpc_message, sizeof(r.grpc_message));
	r.body = body;
	r.body_len = size;

	const uint8_t *msg;
	size_t msg_len;
	char err[200];
	int code = grpc_response_check(&r, &msg, &msg_len, err, sizeof(err));
	if (code == 0 && (msg < body || msg + msg_len > body + size))
		abort();
	if (strlen(err) >= sizeof(err))
		abort();

	char *out = malloc(outlen ? outlen : 1);
	if (out) {
		grpc_message_decode((const char *)body, size, out, outlen);
		if (outlen)
			fuzz_assert_clean(out, outlen);
		free(out);
	}
	free(body);
	return 0;
}
