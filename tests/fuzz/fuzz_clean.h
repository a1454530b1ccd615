/* fuzz_clean.h: the invariant every decoded server string must keep, checked by a validator
 * written apart from proto/sanitize.c (so one bug does not hide itself): NUL-terminated within
 * its field, valid UTF-8 (RFC 3629: no overlong forms, surrogates, or code points above
 * U+10FFFF), no C0 control byte, DEL, '|', C1 control, U+2028/U+2029 or bidi control.
 * Aborts otherwise. */
#ifndef FUZZ_CLEAN_H
#define FUZZ_CLEAN_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline void fuzz_assert_clean(const char *s, size_t cap)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t n = strnlen(s, cap);
	if (n >= cap)
		abort(); /* no NUL inside the field */
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len;
		if (p[i] < 0x80) {
			cp = p[i], len = 1;
		} else if ((p[i] & 0xE0) == 0xC0) {
			cp = p[i] & 0x1F, len = 2;
		} else if ((p[i] & 0xF0) == 0xE0) {
			cp = p[i] & 0x0F, len = 3;
		} else if ((p[i] & 0xF8) == 0xF0) {
			cp = p[i] & 0x07, len = 4;
		} else {
			abort();
		}
		if (i + len > n)
			abort();
		for (size_t k = 1; k < len; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				abort();
			cp = cp << 6 | (p[i + k] & 0x3F);
		}
		static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
		if (cp < min_cp[len] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
			abort();
		if (cp < 0x20 || cp == 0x7F || cp == '|' || (cp >= 0x80 && cp <= 0x9F) ||
		    (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
			abort();
		i += len;
	}
}

/* The fuzzer's bytes in a heap buffer of exactly their size, so ASan sees any over-read.
 * NULL for size 0 is avoided: the decoders get a valid pointer. Free the result. */
static inline uint8_t *fuzz_copy(const uint8_t *data, size_t size)
{
	uint8_t *b = malloc(size ? size : 1);
	if (b && size)
		memcpy(b, data, size);
	return b;
}

#endif
