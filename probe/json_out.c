/* json_out: jansson trees from facts, strings repaired to UTF-8, one compact line out. */
#include "probe/json_out.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "proto/utf8.h"

json_t *json_out_str(const char *s)
{
	if (!s)
		return json_null();
	size_t n = strlen(s);
	json_t *j = json_stringn(s, n); /* NULL when s is not valid UTF-8 (or out of memory) */
	if (j)
		return j;
	size_t len;
	char *fixed = utf8_repair(s, n, &len);
	if (!fixed)
		return NULL;
	j = json_stringn(fixed, len);
	free(fixed);
	return j;
}

json_t *json_out_str_or_null(const char *s)
{
	return s && s[0] ? json_out_str(s) : json_null();
}

json_t *json_out_id(uint64_t id)
{
	char hex[17];
	if (!id)
		return json_null();
	snprintf(hex, sizeof(hex), "%016" PRIx64, id);
	return json_string(hex);
}

json_t *json_out_uint(uint64_t v)
{
	return v <= INT64_MAX ? json_integer((json_int_t)v) : json_real((double)v);
}

json_t *json_out_real6(double v)
{
	if (!isfinite(v))
		return json_null(); /* jansson's json_real refuses NaN and infinities */
	return json_real(round(v * 1e6) / 1e6);
}

void json_out_set(json_t *obj, const char *key, json_t *value, int *err)
{
	/* json_object_set_new releases value itself when obj is NULL or the insertion fails */
	if (!value || json_object_set_new(obj, key, value) < 0)
		*err = -ENOMEM;
}

void json_out_push(json_t *arr, json_t *value, int *err)
{
	if (!value || json_array_append_new(arr, value) < 0)
		*err = -ENOMEM;
}

int json_out_write(FILE *out, json_t *doc, int err)
{
	/* %.15g of a number with at most 15 significant digits prints exactly those digits
	 * (DBL_DIG): json_out_real6's values come out as the shortest decimal, 0.0015 */
	const size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15);
	if (err >= 0 && !doc)
		err = -ENOMEM;
	if (err < 0) {
		json_decref(doc);
		return err;
	}
	char *text = json_dumps(doc, flags);
	json_decref(doc);
	if (!text)
		return -ENOMEM;
	size_t n = strlen(text);
	int bad = fwrite(text, 1, n, out) != n || fputc('\n', out) == EOF || fflush(out) != 0 ||
		  ferror(out);
	free(text);
	return bad ? -EIO : 0;
}
