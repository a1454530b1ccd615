/* fuzz_history: the state file's parser (history_parse) on arbitrary bytes (a heap copy without
 * NUL, so ASan sees any read past len), then the invariants: every kept record passes the
 * validation it claims (IDs set, times finite, bounds finite and ascending, counts finite and
 * >= 0, caps kept, one record per member), and what history_format writes reads back as the
 * same records and the same text; and history_derive on every record as a previous run. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "probe/history.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_hist(const struct prom_hist *h)
{
	if (h->n_buckets > PROM_MAX_BUCKETS)
		abort();
	for (size_t i = 0; i < h->n_buckets; i++)
		if (!isfinite(h->le[i]) || (i > 0 && !(h->le[i - 1] < h->le[i])) ||
		    !isfinite(h->cum[i]) || h->cum[i] < 0)
			abort();
	if ((h->has_inf && !(isfinite(h->inf) && h->inf >= 0)) ||
	    (h->has_count && !(isfinite(h->count) && h->count >= 0)) ||
	    (h->has_sum && !isfinite(h->sum)))
		abort();
}

static void check_set(const struct history_set *s)
{
	if (s->n > HISTORY_MAX_RECORDS || s->n > s->cap)
		abort();
	for (size_t i = 0; i < s->n; i++) {
		const struct history_record *r = &s->recs[i];
		if (!r->cluster_id || !r->member_id || !isfinite(r->time) || r->time <= 0 ||
		    history_find(s, r->cluster_id, r->member_id) != r)
			abort();
		if (r->has_start && !(isfinite(r->start_time) && r->start_time >= 0))
			abort();
		for (int c = 0; c < HC__COUNT; c++)
			if (r->has_counter[c] && !(isfinite(r->counter[c]) && r->counter[c] >= 0))
				abort();
		for (int h = 0; h < MH__COUNT; h++)
			if (r->has_hist[h])
				check_hist(&r->hist[h]);
		if (r->n_peers > METRICS_MAX_PEERS || r->n_ring > HISTORY_RING_MAX)
			abort();
		for (size_t p = 0; p < r->n_peers; p++) {
			if (!r->peers[p].id)
				abort();
			check_hist(&r->peers[p].rtt);
		}
		for (size_t k = 0; k < r->n_ring; k++)
			if (!isfinite(r->ring[k].t) || r->ring[k].t > r->time ||
			    (k > 0 && !(r->ring[k - 1].t < r->ring[k].t)))
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	struct history_set s, back, again;
	char err[160];
	int e = history_parse(copy, size, &s, err, sizeof(err));
	free(copy);
	if (strlen(err) >= sizeof(err))
		abort();
	if (e != 0) {
		if (s.n || s.recs || (e != -EBADMSG && e != -EPROTO && e != -EPROTONOSUPPORT &&
				      e != -E2BIG && e != -EFBIG && e != -ENOMEM))
			abort();
		return 0;
	}
	check_set(&s);
	/* every record as the previous run of a snapshot that is the record's own figures */
	static struct metrics_snapshot now;
	static struct metrics_facts mf;
	static struct history_record next;
	for (size_t i = 0; i < s.n; i++) {
		const struct history_record *r = &s.recs[i];
		memset(&now, 0, sizeof(now));
		now.has[MS_START_TIME] = r->has_start;
		now.v[MS_START_TIME] = r->start_time;
		now.has[MS_LEADER_CHANGES] = true;
		now.v[MS_LEADER_CHANGES] = r->counter[HC_LEADER_CHANGES] + 1;
		for (int h = 0; h < MH__COUNT; h++) {
			now.has_hist[h] = r->has_hist[h];
			now.hist[h] = r->hist[h];
		}
		history_derive(&now, r, r->time + 300, &mf, &next);
		if (next.n_ring > HISTORY_RING_MAX || next.n_ring == 0 ||
		    strlen(mf.interval_note) >= sizeof(mf.interval_note) ||
		    (mf.has_wal_fsync_p99 && isnan(mf.wal_fsync_p99_s)))
			abort();
	}
	/* what is written reads back: same records, same text */
	char *text = NULL, *text2 = NULL;
	size_t len = 0, len2 = 0;
	if (history_format(&s, &text, &len) == 0) {
		if (history_parse(text, len, &back, err, sizeof(err)) != 0 || back.n != s.n ||
		    back.invalid)
			abort();
		check_set(&back);
		if (history_format(&back, &text2, &len2) != 0 ||
		    history_parse(text2, len2, &again, err, sizeof(err)) != 0)
			abort();
		free(text2);
		text2 = NULL;
		if (history_format(&again, &text2, &len2) != 0 || len2 != len ||
		    memcmp(text, text2, len) != 0)
			abort();
		history_set_free(&back);
		history_set_free(&again);
	}
	free(text);
	free(text2);
	history_set_free(&s);
	return 0;
}
