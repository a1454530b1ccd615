/* aggregate.c: bounded aggregation of classified journal entries per (code, host, key fields). */
#include "diag/aggregate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag/text.h"
#include "proto/utf8.h"

#define SLOT_COUNT (AGG_MAX * 2) /* load factor <= 0.5 */

struct diag_aggs *aggs_new(void)
{
	struct diag_aggs *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->v = calloc(AGG_MAX, sizeof(*a->v));
	a->slots = malloc(SLOT_COUNT * sizeof(*a->slots));
	if (!a->v || !a->slots) {
		aggs_free(a);
		return NULL;
	}
	for (size_t i = 0; i < SLOT_COUNT; i++)
		a->slots[i] = -1;
	return a;
}

void aggs_free(struct diag_aggs *a)
{
	if (!a)
		return;
	free(a->v);
	free(a->slots);
	free(a);
}

void aggs_count_entry(struct diag_aggs *a, uint64_t usec)
{
	a->entries++;
	if (!a->first_usec || usec < a->first_usec)
		a->first_usec = usec;
	if (usec > a->last_usec)
		a->last_usec = usec;
}

static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* Appends s (at most max bytes) and a separator to key[*o], bounded by cap. */
static void key_part(char *key, size_t cap, size_t *o, const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	if (*o + n + 2 > cap)
		n = *o + 2 < cap ? cap - *o - 2 : 0;
	memcpy(key + *o, s, n);
	*o += n;
	if (*o + 1 < cap)
		key[(*o)++] = '|';
	key[*o] = '\0';
}

/* The key: what makes two entries the same evidence. Durations and remote ports vary per
 * line and are left out, so a repeated error folds into one aggregate. (No snprintf: this
 * runs for every hit of a million-entry scan.) */
static void make_key(char *key, size_t cap, const struct classify_result *r, const char *host,
		     enum agg_source source)
{
	const struct classify_fields *f = &r->f;
	size_t o = 0;
	key[0] = (char)('A' + (int)r->code % 64);
	key[1] = (char)('A' + (int)r->code / 64);
	key[2] = (char)('a' + (int)source); /* a journal line and a file's apart: labelled apart */
	key[3] = '|';
	key[4] = '\0';
	o = 4;
	key_part(key, cap, &o, host, 63);
	key_part(key, cap, &o, f->peer_id, DIAG_ID_LEN);
	key_part(key, cap, &o, f->local_id, DIAG_ID_LEN);
	key_part(key, cap, &o, f->wanted, sizeof(f->wanted));
	key_part(key, cap, &o, f->cluster_id, DIAG_ID_LEN);
	key_part(key, cap, &o, f->remote_cluster_id, DIAG_ID_LEN);
	key_part(key, cap, &o, f->name, sizeof(f->name));
	key_part(key, cap, &o, f->url, 40);
	key_part(key, cap, &o, f->detail, 120);
}

static void add_sample(struct diag_agg *g, const char *msg, size_t len)
{
	while (len && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
		len--;
	if (len >= AGG_SAMPLE_LEN)
		len = utf8_cut_len(msg, AGG_SAMPLE_LEN - 1); /* between code points */
	/* keep the first and the latest line */
	size_t i = g->n_samples < AGG_SAMPLES ? g->n_samples++ : AGG_SAMPLES - 1;
	memcpy(g->samples[i], msg, len);
	g->samples[i][len] = '\0';
}

int aggs_add(struct diag_aggs *a, const struct classify_result *r, const char *host,
	     uint64_t usec, const char *msg, size_t len)
{
	/* the classifier's rendering (zap values unescaped, secrets cut) when it made one */
	if (r->sample_len) {
		msg = r->sample;
		len = r->sample_len < sizeof(r->sample) ? r->sample_len : sizeof(r->sample);
	}
	char key[sizeof(a->v[0].key)];
	make_key(key, sizeof(key), r, host ? host : "", a->source);
	a->matched++;
	uint32_t h = fnv1a(key) % SLOT_COUNT;
	while (a->slots[h] >= 0) {
		struct diag_agg *g = &a->v[a->slots[h]];
		if (strcmp(g->key, key) == 0) {
			g->count++;
			if (usec < g->first_usec)
				g->first_usec = usec;
			if (usec >= g->last_usec) {
				g->last_usec = usec;
				g->last_seq = a->matched;
				add_sample(g, msg, len);
			}
			return 0;
		}
		h = (h + 1) % SLOT_COUNT;
	}
	if (a->n >= AGG_MAX) {
		a->dropped++;
		return -ENOSPC;
	}
	struct diag_agg *g = &a->v[a->n];
	memset(g, 0, sizeof(*g));
	g->code = r->code;
	g->source = a->source;
	text_scopy(g->host, sizeof(g->host), host ? host : "");
	g->f = r->f;
	g->count = 1;
	g->first_usec = g->last_usec = usec;
	g->last_seq = a->matched;
	memcpy(g->key, key, sizeof(key));
	add_sample(g, msg, len);
	a->slots[h] = (int32_t)a->n++;
	return 0;
}

const char *aggs_source_str(enum agg_source s)
{
	return s == AGG_SOURCE_LOG_FILE ? "log file" : "journal";
}
