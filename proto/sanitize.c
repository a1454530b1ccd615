/* sanitize: server-supplied strings made valid UTF-8 without control characters or '|'. */
#include "proto/sanitize.h"

#include "proto/utf8.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

static uint32_t utf8_code_point(const uint8_t *p, size_t len)
{
	static const uint8_t lead_mask[5] = {0, 0x7F, 0x1F, 0x0F, 0x07};
	uint32_t cp = p[0] & lead_mask[len];
	for (size_t k = 1; k < len; k++)
		cp = cp << 6 | (p[k] & 0x3F);
	return cp;
}

/* Valid code points that still must not reach a report: they break lines or reorder text. */
static const struct {
	uint32_t first, last;
} cp_forbidden[] = {
	{0x0080, 0x009F}, /* C1 controls (NEL U+0085 is a line break) */
	{0x2028, 0x2029}, /* line and paragraph separators */
	{0x202A, 0x202E}, /* bidi embeddings and overrides */
	{0x2066, 0x2069}, /* bidi isolates */
};

static bool cp_is_forbidden(uint32_t cp)
{
	for (size_t i = 0; i < sizeof(cp_forbidden) / sizeof(cp_forbidden[0]); i++)
		if (cp >= cp_forbidden[i].first && cp <= cp_forbidden[i].last)
			return true;
	return false;
}

size_t sanitize_text(const char *in, size_t in_len, char *out, size_t out_cap)
{
	const uint8_t *p = (const uint8_t *)in;
	size_t o = 0;

	if (out_cap == 0)
		return 0;
	for (size_t i = 0; i < in_len;) {
		int ok;
		size_t n = utf8_scan(in + i, in_len - i, &ok);
		const char *rep; /* what goes out for the n input bytes at p + i */
		size_t rep_len;
		char one;
		if (!ok) {
			rep = REPLACEMENT, rep_len = 3; /* one per maximal ill-formed subpart */
		} else if (n == 1) {
			one = (char)p[i];
			if (p[i] < 0x20 || p[i] == 0x7F)
				one = '?';
			else if (p[i] == '|')
				one = '/';
			rep = &one, rep_len = 1;
		} else if (cp_is_forbidden(utf8_code_point(p + i, n))) {
			rep = "?", rep_len = 1;
		} else {
			rep = (const char *)p + i, rep_len = n;
		}
		if (rep_len > out_cap - 1 - o)
			break; /* the next code point does not fit whole: stop between two */
		memcpy(out + o, rep, rep_len);
		o += rep_len;
		i += n;
	}
	out[o] = '\0';
	return o;
}
