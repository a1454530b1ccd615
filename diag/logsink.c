/* logsink.c: one etcd log entry, from whichever reader, into the classifier and aggregates. */
#include "diag/logsink.h"

#include <string.h>

#include "diag/classify.h"
#include "diag/text.h"
#include "proto/utf8.h"

/* True when one of the 8 bytes in x is below 0x20 or is 0x7f (SWAR, "has less than"). */
static inline bool word_has_control(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t del = x ^ (0x7f * ones);
	return (((x - 0x20 * ones) & ~x) | ((del - ones) & ~del)) & high;
}

/* True when s[0..n) holds a C0 control (NUL too) or DEL: 8 bytes at a time, then the tail. */
static bool has_control(const char *s, size_t n)
{
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t x;
		memcpy(&x, s + i, 8);
		if (word_has_control(x))
			return true;
	}
	for (; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return true;
	return false;
}

/* C0 controls and DEL to '?': a hostile line must not move the terminal's cursor or start a
 * report line of its own (the trailing newline is already gone). */
static void defang(char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			s[i] = '?';
}

bool logsink_add(struct diag_aggs *a, uint64_t usec, const char *msg, size_t len,
		 logsink_more_fn more, void *ctx)
{
	aggs_count_entry(a, usec);
	struct classify_result res;
	classify_entry(msg, len, -1, &res);
	if (res.code == DIAG_CODE_NONE)
		return false;
	struct logsink_more m = {-1, NULL, 0};
	if (more)
		more(ctx, &m);
	if (res.priority < 0)
		res.priority = m.priority;
	char host[64];
	text_copy(host, sizeof(host), m.host ? m.host : "", m.host ? m.host_len : 0);
	defang(host, strlen(host));
	/* the sample is at most AGG_SAMPLE_LEN bytes of the line: defang a copy of that much */
	while (len && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
		len--;
	char copy[AGG_SAMPLE_LEN];
	size_t n = len < sizeof(copy) - 1 ? len : utf8_cut_len(msg, sizeof(copy) - 1);
	const char *sample = msg; /* nearly every line is clean: no copy then */
	bool dirty = has_control(msg, n);
	if (dirty) {
		memcpy(copy, msg, n);
		defang(copy, n);
		sample = copy;
	}
	/* the fields the classifier cut out of the line reach summaries and remedies too; they
	 * are pieces of the line (or the catalogue's own words): clean when all of it was seen
	 * clean */
	if (dirty || n < len) {
		struct classify_fields *f = &res.f;
		char *const texts[] = {f->remote_addr, f->wanted, f->sans, f->duration, f->url,
				       f->name, f->detail};
		for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
			defang(texts[i], strlen(texts[i]));
	}
	aggs_add(a, &res, host, usec, sample, n);
	return true;
}
