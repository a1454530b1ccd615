/* logsink.c: one etcd log entry, from whichever reader, into the classifier and aggregates. */
#include "diag/logsink.h"

#include <string.h>

#include "diag/classify.h"
#include "diag/text.h"

/* C0 controls and DEL to '?': a hostile line must not move the terminal's cursor or start a
 * report line of its own (the trailing newline is already gone: aggregate.c strips it). */
static void defang(char *s, size_t n)
{
	for (size_t i = 0; i < n && s[i]; i++)
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
	defang(host, sizeof(host));
	/* the sample is at most AGG_SAMPLE_LEN bytes of the line: defang a copy of that much */
	while (len && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
		len--;
	char sample[AGG_SAMPLE_LEN];
	size_t n = len < sizeof(sample) - 1 ? len : sizeof(sample) - 1;
	text_copy(sample, sizeof(sample), msg, n);
	n = strlen(sample);
	defang(sample, n);
	aggs_add(a, &res, host, usec, sample, n);
	return true;
}
