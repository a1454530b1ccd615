/* fuzz_utf8: utf8_repair, utf8_cut_len and the JSON writer's strings (json_out_str through
 * json_out_write and back with json_loads). Aborts when repaired text is not valid UTF-8, when
 * valid input is changed, when a cut of valid text is not valid, or when the document written
 * does not parse back to the repaired string. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/json_out.h"
#include "proto/utf8.h"
#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_cuts(const char *s, size_t size, int valid)
{
	for (size_t k = 0; k <= size && k <= 256; k++) {
		size_t c = utf8_cut_len(s, k);
		if (c > k || c + 3 < k)
			abort();
		if (valid && !utf8_valid(s, c))
			abort();
	}
}

static void check_document(const char *text)
{
	size_t want_len;
	char *want = utf8_repair(text, strlen(text), &want_len);
	if (!want)
		return;
	int err = 0;
	json_t *doc = json_object();
	json_out_set(doc, "s", json_out_str(text), &err);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	if (!out)
		abort();
	int rc = json_out_write(out, doc, err);
	fclose(out);
	if (rc == 0) {
		json_error_t jerr;
		json_t *back = json_loads(buf, 0, &jerr);
		const char *got = json_string_value(json_object_get(back, "s"));
		if (!got || json_string_length(json_object_get(back, "s")) != want_len ||
		    memcmp(got, want, want_len) != 0)
			abort();
		json_decref(back);
	}
	free(buf);
	free(want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	size_t len;
	char *fixed = utf8_repair(s, size, &len);
	if (!fixed)
		return 0;
	int valid = utf8_valid(s, size);
	if (!utf8_valid(fixed, len) || (valid && (len != size || memcmp(fixed, s, size) != 0)))
		abort();
	json_t *j = json_stringn(fixed, len); /* jansson's own check agrees */
	if (!j)
		abort();
	json_decref(j);
	free(fixed);
	check_cuts(s, size, valid);

	char *text = fuzz_text(data, size);
	if (text) {
		check_document(text);
		free(text);
	}
	return 0;
}
