/* utf8: validation with U+FFFD repair, and cuts on code-point boundaries. */
#include "proto/utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* RFC 3629 / Unicode Table 3-7: for each lead byte, the sequence length and the range the
 * second byte must lie in (the rest are 80..BF). The narrow second-byte ranges are what rule
 * out overlong forms (E0, F0), UTF-16 surrogates (ED) and code points past U+10FFFF (F4). */
struct utf8_lead {
	unsigned char first, last; /* lead byte range */
	unsigned char len;         /* bytes in the sequence */
	unsigned char lo, hi;      /* second byte range */
};

static const struct utf8_lead leads[] = {
	{0xc2, 0xdf, 2, 0x80, 0xbf},
	{0xe0, 0xe0, 3, 0xa0, 0xbf},
	{0xe1, 0xec, 3, 0x80, 0xbf},
	{0xed, 0xed, 3, 0x80, 0x9f},
	{0xee, 0xef, 3, 0x80, 0xbf},
	{0xf0, 0xf0, 4, 0x90, 0xbf},
	{0xf1, 0xf3, 4, 0x80, 0xbf},
	{0xf4, 0xf4, 4, 0x80, 0x8f},
};

static const struct utf8_lead *lead_of(unsigned char c)
{
	for (size_t i = 0; i < sizeof(leads) / sizeof(leads[0]); i++)
		if (c >= leads[i].first && c <= leads[i].last)
			return &leads[i];
	return NULL;
}

static size_t scan(const unsigned char *s, size_t n, int *ok)
{
	*ok = 1;
	if (s[0] < 0x80)
		return 1;
	const struct utf8_lead *l = lead_of(s[0]);
	if (!l) {
		*ok = 0;
		return 1;
	}
	size_t k = 1;
	while (k < l->len && k < n) {
		unsigned char lo = k == 1 ? l->lo : 0x80, hi = k == 1 ? l->hi : 0xbf;
		if (s[k] < lo || s[k] > hi)
			break;
		k++;
	}
	*ok = k == l->len;
	return k;
}

size_t utf8_scan(const char *s, size_t n, int *ok)
{
	return scan((const unsigned char *)s, n, ok);
}

int utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		int ok;
		i += scan(p + i, n - i, &ok);
		if (!ok)
			return 0;
	}
	return 1;
}

char *utf8_repair(const char *s, size_t n, size_t *ret_len)
{
	static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
	const unsigned char *p = (const unsigned char *)s;
	/* worst case: every byte an ill-formed subpart of its own, 1 byte -> 3 */
	if (n > (SIZE_MAX - 1) / 3)
		return NULL;
	char *out = malloc(3 * n + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		int ok;
		size_t k = scan(p + i, n - i, &ok);
		if (ok) {
			memcpy(out + o, p + i, k);
			o += k;
		} else {
			memcpy(out + o, replacement, 3);
			o += 3;
		}
		i += k;
	}
	out[o] = '\0';
	if (ret_len)
		*ret_len = o;
	return out;
}

size_t utf8_cut_len(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	/* the last lead byte within 3 bytes of the end, past only continuation bytes */
	for (size_t back = 1; back <= 4 && back <= len; back++) {
		unsigned char c = p[len - back];
		if ((c & 0xc0) == 0x80)
			continue;
		const struct utf8_lead *l = lead_of(c);
		return l && back < l->len ? len - back : len;
	}
	return len;
}
