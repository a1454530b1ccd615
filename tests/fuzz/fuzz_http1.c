/* fuzz_http1: http1_response_parse on arbitrary bytes, as a metrics listener could send them
 * (a heap copy of exactly size bytes: ASan sees any read past the end); then the invariants:
 * a parsed body lies inside the buffer, the status is a three-digit code, and metrics_extract
 * reads the body without trouble. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "probe/metrics.h"
#include "proto/http1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct metrics_snapshot snap;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	struct http1_response r;
	int e = http1_response_parse(buf, size, &r);
	if (e != 0 && e != -EBADMSG)
		abort();
	if (e == 0) {
		if (r.status < 100 || r.status > 999)
			abort();
		if (r.body < buf || r.body > buf + size || r.body_len > (size_t)(buf + size - r.body))
			abort();
		int me = metrics_extract((const char *)r.body, r.body_len, &snap);
		if (me != 0 && me != -EBADMSG && me != -ENOMEM)
			abort();
		if (me == 0 && snap.n_peers > METRICS_MAX_PEERS)
			abort();
	}
	free(buf);
	return 0;
}
