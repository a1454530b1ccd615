/* fuzz_logshape: etcd-diag's log-file line parser (logshape_parse: CRI, docker json-file,
 * syslog, etcd's own stamps) and the joiner of split lines, on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag/logshape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const tags[] = {"etcd", "etcd2", "etcd3", NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct logjoin join;
	static struct logshape_memo memo; /* kept across inputs, as across a file's lines */
	if (size < 1 || size - 1 > LOGSHAPE_LINE_MAX)
		return 0;
	/* byte 0: the clock (month 1..12, a zone -12h..+12h) */
	struct logshape_opts o = {{2026, 1 + data[0] % 12, ((long)(data[0] % 25) - 12) * 3600}, tags,
				  data[0] & 0x80 ? &memo : NULL};
	size_t len = size - 1;
	/* exact-size heap copies: a read past the line or the scratch is an ASan report */
	char *line = malloc(len ? len : 1);
	char *scratch = malloc(LOGSHAPE_LINE_MAX);
	if (!line || !scratch) {
		free(line);
		free(scratch);
		return 0;
	}
	memcpy(line, data + 1, len);
	struct logshape_line l;
	logshape_parse(line, len, &o, scratch, LOGSHAPE_LINE_MAX, &l);
	if ((unsigned)l.kind >= LOGSHAPE__MAX || strnlen(l.host, sizeof(l.host)) == sizeof(l.host))
		abort();
	bool in_line = l.text >= line && l.text + l.text_len <= line + len;
	bool in_scratch = l.text >= scratch && l.text + l.text_len <= scratch + LOGSHAPE_LINE_MAX;
	if (!in_line && !in_scratch && l.text_len)
		abort();
	if (l.kind != LOGSHAPE_SYSLOG && !l.etcd)
		abort();
	/* the joiner keeps its state across inputs, as across a file's lines */
	size_t n;
	bool cut;
	const char *p = logjoin_add(&join, l.text, l.text_len, l.partial, l.usec, &n, &cut);
	if (p && n > LOGSHAPE_LINE_MAX)
		abort();
	(void)logshape_text_time(line, len, &o.clock);
	free(scratch);
	free(line);
	return 0;
}
