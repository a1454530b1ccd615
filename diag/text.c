/* text: bounded string copies. */
#include "diag/text.h"

#include <string.h>

void text_copy(char *out, size_t cap, const char *s, size_t n)
{
	if (cap == 0)
		return;
	if (n >= cap)
		n = cap - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

void text_scopy(char *out, size_t cap, const char *s)
{
	if (cap == 0)
		return;
	text_copy(out, cap, s, strnlen(s, cap - 1));
}
