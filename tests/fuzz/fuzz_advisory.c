/* fuzz_advisory: the version parser and the table lookup (probe/advisory.c) on any text: no
 * crash, no read past the bound, and every row found really contains the version. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "probe/advisory.h"
#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	if (!text)
		return 0;
	struct advisory_version v;
	int parsed = advisory_parse_version(text, &v);
	size_t rows = 0;
	for (const struct advisory *a = advisory_find(text); a; a = advisory_next(text, a)) {
		if (parsed < 0 || advisory_version_cmp(&v, &a->first_bad) < 0 ||
		    advisory_version_cmp(&v, &a->fixed_in) >= 0 || ++rows > 64)
			abort();
	}
	free(text);
	return 0;
}
