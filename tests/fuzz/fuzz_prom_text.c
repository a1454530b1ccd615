/* fuzz_prom_text: prom_text_scan on arbitrary bytes (a heap copy without NUL, so ASan sees any
 * read past len), then the invariants: counts within their caps, bounds ascending and finite,
 * histogram counts finite and >= 0, kept label values clean, stats consistent; and
 * prom_histogram_quantile on every histogram read, alone and against the other scan half. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "proto/prom_text.h"
#include "tests/fuzz/fuzz_clean.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* etcd's families as the probe will ask for them, plus short names the fuzzer finds at once. */
static const struct prom_want want[] = {
	{"etcd_server_quota_backend_bytes", PROM_WANT_VALUE, NULL},
	{"etcd_mvcc_db_total_size_in_bytes", PROM_WANT_VALUE, NULL},
	{"etcd_disk_wal_fsync_duration_seconds", PROM_WANT_HISTOGRAM, NULL},
	{"etcd_network_peer_round_trip_time_seconds", PROM_WANT_HISTOGRAM, "To"},
	{"m", PROM_WANT_VALUE, NULL},
	{"m", PROM_WANT_VALUE, "a"},
	{"h", PROM_WANT_HISTOGRAM, NULL},
	{"h", PROM_WANT_HISTOGRAM, "a"},
	{"h_count", PROM_WANT_VALUE, "le"},
};
#define N_WANT (sizeof(want) / sizeof(want[0]))

static struct prom_value out[N_WANT], out2[N_WANT];

static void check_hist(const struct prom_hist *h)
{
	if (h->n_buckets > PROM_MAX_BUCKETS)
		abort();
	for (size_t i = 0; i < h->n_buckets; i++) {
		if (!isfinite(h->le[i]) || (i > 0 && !(h->le[i - 1] < h->le[i])))
			abort();
		if (!(h->cum[i] >= 0) || isnan(h->cum[i]))
			abort();
	}
	if (!(h->inf >= 0) || !(h->count >= 0))
		abort();
}

static void check_values(const struct prom_value *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i].n_series > PROM_MAX_SERIES || (unsigned)v[i].type > PROM_TYPE_UNTYPED)
			abort();
		if (!want[i].by_label && v[i].n_series > 1)
			abort();
		for (size_t k = 0; k < v[i].n_series; k++) {
			const struct prom_series *s = &v[i].series[k];
			fuzz_assert_clean(s->label, sizeof(s->label));
			if (!want[i].by_label && s->label[0])
				abort();
			if (s->n_samples == 0 || prom_value_series(&v[i], s->label) != &v[i].series[k])
				abort(); /* one series per label value */
			check_hist(&s->hist);
		}
	}
}

static void check_quantiles(const struct prom_value *now, const struct prom_value *before)
{
	static const double qs[] = {0, 0.5, 0.99, 1};
	for (size_t i = 0; i < N_WANT; i++) {
		if (want[i].kind != PROM_WANT_HISTOGRAM)
			continue;
		for (size_t k = 0; k < now[i].n_series; k++) {
			const struct prom_hist *h = &now[i].series[k].hist;
			const struct prom_series *b = prom_value_series(&before[i], now[i].series[k].label);
			for (size_t j = 0; j < sizeof(qs) / sizeof(qs[0]); j++) {
				double p = -12345;
				int e = prom_histogram_quantile(h, b ? &b->hist : NULL, qs[j], &p);
				if (e == 0 && isnan(p))
					abort();
				if (e != 0 && (p != -12345 || (e != -EBADMSG && e != -ESTALE &&
								e != -ENODATA)))
					abort();
				/* the answer lies within the bounds (or at 0, the first one's start) */
				if (e == 0 && h->n_buckets > 0 &&
				    (p > h->le[h->n_buckets - 1] || p < fmin(0, h->le[0])))
					abort();
			}
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = fuzz_copy(data, size);
	if (!copy)
		return 0;
	struct prom_scan_stats st;
	/* "h_count" by "le" is refused: the table is checked before any byte is read */
	if (prom_text_scan((const char *)copy, size, want, N_WANT, out, &st) != -EINVAL)
		abort();
	if (prom_text_scan((const char *)copy, size, want, N_WANT - 1, out, &st) != 0)
		abort();
	if (st.kept > st.samples || st.samples + st.bad_lines > st.lines || st.lines > size ||
	    (st.bad_lines == 0) != (st.first_bad_line == 0) || st.first_bad_line > st.lines)
		abort();
	if (st.truncated != (size > 0 && copy[size - 1] != '\n'))
		abort();
	check_values(out, N_WANT - 1);
	/* the first half as the "before" scan of the whole: a quantile of any pair is defined */
	struct prom_scan_stats st2;
	if (prom_text_scan((const char *)copy, size / 2, want, N_WANT - 1, out2, &st2) != 0)
		abort();
	check_values(out2, N_WANT - 1);
	check_quantiles(out, out2);
	check_quantiles(out2, out);
	free(copy);
	return 0;
}
