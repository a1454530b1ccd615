/* fuzz_classify: etcd-diag's log-line classifier (classify_entry) on arbitrary messages. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag/classify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int priority = (int)(data[0] % 9) - 1; /* -1..7 */
	/* An exact-size heap copy (not NUL-terminated, like a journal MESSAGE). */
	char *msg = malloc(size - 1 ? size - 1 : 1);
	if (!msg)
		return 0;
	memcpy(msg, data + 1, size - 1);
	struct classify_result r;
	classify_entry(msg, size - 1, priority, &r);
	if (r.code < DIAG_CODE_NONE || r.code >= DIAG_CODE__MAX)
		abort();
	const struct classify_fields *f = &r.f;
	if (strnlen(f->peer_id, sizeof(f->peer_id)) == sizeof(f->peer_id) ||
	    strnlen(f->detail, sizeof(f->detail)) == sizeof(f->detail) ||
	    strnlen(f->sans, sizeof(f->sans)) == sizeof(f->sans) ||
	    strnlen(f->url, sizeof(f->url)) == sizeof(f->url) || r.sample_len > sizeof(r.sample))
		abort();
	(void)diag_code_str(r.code);
	free(msg);
	return 0;
}
