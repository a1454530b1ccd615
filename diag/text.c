/* text: bounded string copies that cut on code-point boundaries. */
#include "diag/text.h"

#include <stdio.h>
#include <string.h>

#include "proto/utf8.h"

void text_copy(char *out, size_t cap, const char *s, size_t n)
{
	if (cap == 0)
		return;
	if (n >= cap)
		n = utf8_cut_len(s, cap - 1);
	memcpy(out, s, n);
	out[n] = '\0';
}

void text_scopy(char *out, size_t cap, const char *s)
{
	if (cap == 0)
		return;
	/* strnlen up to cap: one byte past what fits says whether the copy truncates */
	text_copy(out, cap, s, strnlen(s, cap));
}

size_t text_vprintf(char *out, size_t cap, const char *fmt, va_list ap)
{
	if (cap == 0)
		return 0;
	int k = vsnprintf(out, cap, fmt, ap);
	if (k < 0) {
		out[0] = '\0';
		return 0;
	}
	if ((size_t)k < cap)
		return (size_t)k;
	size_t n = utf8_cut_len(out, cap - 1);
	out[n] = '\0';
	return n;
}

size_t text_printf(char *out, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t n = text_vprintf(out, cap, fmt, ap);
	va_end(ap);
	return n;
}
