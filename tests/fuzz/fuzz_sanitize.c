/* fuzz_sanitize: sanitize_text on arbitrary bytes and output sizes; the output must be clean
 * (fuzz_clean.h), within out_cap, as long as it says, and no longer than the input allows. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/sanitize.h"
#include "tests/fuzz/fuzz_clean.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* byte 0: out_cap (0 means 1), the rest: the input */
	if (size < 1)
		return 0;
	size_t cap = data[0] ? data[0] : 1;
	uint8_t *in = fuzz_copy(data + 1, size - 1);
	char *out = malloc(cap);
	if (!in || !out) {
		free(in);
		free(out);
		return 0;
	}
	size_t n = sanitize_text((const char *)in, size - 1, out, cap);
	fuzz_assert_clean(out, cap);
	/* every input byte becomes at most 3 output bytes (U+FFFD) */
	if (n != strlen(out) || n >= cap || n > 3 * (size - 1))
		abort();
	/* with room for all of it, the input's ASCII letters all come through */
	if (cap == 255 && size - 1 <= 80) {
		size_t letters_in = 0, letters_out = 0;
		for (size_t i = 0; i < size - 1; i++)
			letters_in += (in[i] >= 'a' && in[i] <= 'z');
		for (size_t i = 0; i < n; i++)
			letters_out += (out[i] >= 'a' && out[i] <= 'z');
		if (letters_in != letters_out)
			abort();
	}
	free(in);
	free(out);
	return 0;
}
