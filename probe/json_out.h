/* json_out: the one JSON writer of etcd-probe and etcd-diag, on jansson. The reports build a
 * jansson tree with these constructors and write it with json_out_write. Every string is made
 * valid UTF-8 first (utf8_repair: invalid bytes become U+FFFD), because jansson refuses invalid
 * UTF-8 and any byte a server or a log line chose must not make the document unparsable;
 * jansson escapes quotes, backslashes and control bytes. */
#ifndef PROBE_JSON_OUT_H
#define PROBE_JSON_OUT_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

/* Constructors: each returns a new reference, or NULL when out of memory (never for bad input). */

/* s as a JSON string, repaired to valid UTF-8; s NULL gives JSON null. */
json_t *json_out_str(const char *s);
/* As json_out_str, but "" also gives JSON null (the reports' "unknown"). */
json_t *json_out_str_or_null(const char *s);
/* An etcd ID as 16 lower-case hex digits, as etcdctl prints it; 0 (no ID) gives JSON null. */
json_t *json_out_id(uint64_t id);
/* An unsigned counter; above INT64_MAX (jansson's integers are signed) a JSON real. */
json_t *json_out_uint(uint64_t v);
/* v rounded to 6 decimals (microseconds for seconds); not finite gives JSON null. */
json_t *json_out_real6(double v);

/* Adds value to obj under key (key order is insertion order). The value's reference is taken,
 * also on failure. A NULL obj or value, or a failed insertion, sets *err to -ENOMEM; *err is
 * sticky, so a report builds its whole tree and checks once. Add a child object or array only
 * once it is complete: on failure it is freed. */
void json_out_set(json_t *obj, const char *key, json_t *value, int *err);
/* Appends value to the array arr, with json_out_set's rules. */
void json_out_push(json_t *arr, json_t *value, int *err);

/* Writes doc as one compact line plus '\n' to out and flushes it. Always releases doc. Returns 0,
 * err when err is already negative (nothing written), -ENOMEM when doc is NULL, -EIO when the
 * stream reports a write error. */
int json_out_write(FILE *out, json_t *doc, int err);

#endif
