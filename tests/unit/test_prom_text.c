/* Unit tests for proto/prom_text: the text exposition parser on made-up lines and on real
 * /metrics of etcd 3.4.23 and 3.5.16 (tests/unit/data/), and the quantile helper. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/prom_text.h"

/* Scans a copy of text without its NUL, in a heap block of exactly its size: ASan sees any
 * read past len. */
static int scan(const char *text, const struct prom_want *want, size_t n_want,
		struct prom_value *out, struct prom_scan_stats *st)
{
	size_t len = strlen(text);
	char *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, text, len);
	int e = prom_text_scan(copy, len, want, n_want, out, st);
	free(copy);
	return e;
}

static struct prom_value vals[8];

static void test_gauge_counter_type(void **state)
{
	(void)state;
	static const char text[] =
		"# HELP etcd_server_quota_backend_bytes Current backend storage quota size in bytes.\n"
		"# TYPE etcd_server_quota_backend_bytes gauge\n"
		"etcd_server_quota_backend_bytes 2.147483648e+09\n"
		"# a comment\n"
		"\n"
		"   \t\n"
		"# TYPE etcd_server_leader_changes_seen_total counter\n"
		"etcd_server_leader_changes_seen_total 3 1700000000000\n"
		"etcd_server_proposals_failed_total{} 0\n";
	static const struct prom_want want[] = {
		{"etcd_server_quota_backend_bytes", PROM_WANT_VALUE, NULL},
		{"etcd_server_leader_changes_seen_total", PROM_WANT_VALUE, NULL},
		{"etcd_server_proposals_failed_total", PROM_WANT_VALUE, NULL},
		{"etcd_absent", PROM_WANT_VALUE, NULL},
	};
	struct prom_scan_stats st;
	assert_int_equal(scan(text, want, 4, vals, &st), 0);
	assert_int_equal(vals[0].type, PROM_TYPE_GAUGE);
	assert_int_equal(vals[0].n_series, 1);
	assert_true(vals[0].series[0].value == 2147483648.0);
	assert_string_equal(vals[0].series[0].label, "");
	assert_int_equal(vals[1].type, PROM_TYPE_COUNTER);
	assert_true(vals[1].series[0].value == 3);
	assert_int_equal(vals[2].type, PROM_TYPE_NONE);
	assert_int_equal(vals[2].n_series, 1);
	assert_true(vals[2].series[0].value == 0);
	assert_int_equal(vals[3].n_series, 0);
	assert_int_equal(st.lines, 9);
	assert_int_equal(st.samples, 3);
	assert_int_equal(st.kept, 3);
	assert_int_equal(st.bad_lines, 0);
	assert_false(st.truncated);
	assert_string_equal(prom_type_str(PROM_TYPE_HISTOGRAM), "histogram");
	assert_string_equal(prom_type_str((enum prom_type)99), "?");
}

/* One row per value token: whether it parses, and to what. */
static const struct {
	const char *tok;
	bool ok;
	double v; /* NAN: must be NaN */
} value_rows[] = {
	{"1.5e+09", true, 1.5e9},   {"+Inf", true, INFINITY}, {"-Inf", true, -INFINITY},
	{"inf", true, INFINITY},    {"NaN", true, NAN},	      {"nan", true, NAN},
	{"-0.25", true, -0.25},	    {"7", true, 7},	      {"1e-05", true, 1e-5},
	{".5", true, 0.5},	    {"1e999", false, 0},      {"0x10", false, 0},
	{"nan(1)", false, 0},	    {"1.5.5", false, 0},      {"1e", false, 0},
	{"+", false, 0},	    {"Infx", false, 0},	      {"1,5", false, 0},
	{"12345678901234567890123456789012345678901234567890123456789012345", false, 0},
};

static void test_values(void **state)
{
	(void)state;
	static const struct prom_want want[] = {{"m", PROM_WANT_VALUE, NULL}};
	for (size_t i = 0; i < sizeof(value_rows) / sizeof(value_rows[0]); i++) {
		char line[160];
		snprintf(line, sizeof(line), "m %s\n", value_rows[i].tok);
		struct prom_scan_stats st;
		assert_int_equal(scan(line, want, 1, vals, &st), 0);
		if (!value_rows[i].ok) {
			if (st.bad_lines != 1 || vals[0].n_series != 0)
				fail_msg("%s: accepted", value_rows[i].tok);
			continue;
		}
		if (st.bad_lines != 0 || vals[0].n_series != 1)
			fail_msg("%s: refused", value_rows[i].tok);
		double got = vals[0].series[0].value, w = value_rows[i].v;
		if (isnan(w) ? !isnan(got) : got != w)
			fail_msg("%s: got %g", value_rows[i].tok, got);
	}
}

static void test_timestamps(void **state)
{
	(void)state;
	static const struct prom_want want[] = {{"m", PROM_WANT_VALUE, NULL}};
	struct prom_scan_stats st;
	assert_int_equal(scan("m 1 1700000000000\nm{a=\"b\"} 2 -5  \nm 4 12x\nm 8 1 2\n"
			      "m 16 12345678901234567890\n",
			      want, 1, vals, &st),
			 0);
	assert_true(vals[0].series[0].value == 3);
	assert_int_equal(st.bad_lines, 3);
	assert_int_equal(st.first_bad_line, 3);
}

static void test_labels_by(void **state)
{
	(void)state;
	static const char text[] =
		"# TYPE etcd_network_peer_sent_failures_total counter\n"
		"etcd_network_peer_sent_failures_total{To=\"8e9e05c52164694d\"} 1\n"
		"etcd_network_peer_sent_failures_total{To=\"a\\\"b\\\\c\\nd\",x=\"y\"} 2\n"
		"etcd_network_peer_sent_failures_total { x = \"1\" , To = \"8e9e05c52164694d\" , } 4\n"
		"etcd_network_peer_sent_failures_total{x=\"no To\"} 8\n"
		"etcd_network_peer_sent_failures_total{To=\"|bar\"} 16\n";
	static const struct prom_want want[] = {
		{"etcd_network_peer_sent_failures_total", PROM_WANT_VALUE, "To"},
		{"etcd_network_peer_sent_failures_total", PROM_WANT_VALUE, NULL},
	};
	struct prom_scan_stats st;
	assert_int_equal(scan(text, want, 2, vals, &st), 0);
	assert_int_equal(st.bad_lines, 0);
	assert_int_equal(vals[0].n_series, 4);
	assert_string_equal(vals[0].series[0].label, "8e9e05c52164694d");
	assert_true(vals[0].series[0].value == 5);
	assert_int_equal(vals[0].series[0].n_samples, 2);
	/* escapes undone, then sanitized: the newline and the quote are no report's business */
	assert_string_equal(vals[0].series[1].label, "a\"b\\c?d");
	assert_true(vals[0].series[1].value == 2);
	assert_string_equal(vals[0].series[2].label, "");
	assert_true(vals[0].series[2].value == 8);
	assert_string_equal(vals[0].series[3].label, "/bar");
	const struct prom_series *s = prom_value_series(&vals[0], "8e9e05c52164694d");
	assert_ptr_equal(s, &vals[0].series[0]);
	assert_null(prom_value_series(&vals[0], "nope"));
	assert_null(prom_value_series(NULL, ""));
	/* the same line, summed over every label set by the second row */
	assert_int_equal(vals[1].n_series, 1);
	assert_true(vals[1].series[0].value == 31);
	assert_int_equal(st.kept, 5);
}

static void test_label_caps(void **state)
{
	(void)state;
	char text[4096];
	size_t n = 0;
	for (int i = 0; i < PROM_MAX_SERIES + 3; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "m{p=\"peer%02d\"} %d\n", i, i);
	/* a value of PROM_LABEL_VALUE_MAX - 1 bytes fits; one byte more is dropped, not cut */
	char big[PROM_LABEL_VALUE_MAX + 1];
	memset(big, 'v', sizeof(big));
	big[PROM_LABEL_VALUE_MAX - 1] = '\0';
	n += (size_t)snprintf(text + n, sizeof(text) - n, "m2{p=\"%s\"} 1\n", big);
	big[PROM_LABEL_VALUE_MAX - 1] = 'v';
	big[PROM_LABEL_VALUE_MAX] = '\0';
	n += (size_t)snprintf(text + n, sizeof(text) - n, "m2{p=\"%s\"} 1\n", big);
	static const struct prom_want want[] = {
		{"m", PROM_WANT_VALUE, "p"},
		{"m2", PROM_WANT_VALUE, "p"},
	};
	struct prom_scan_stats st;
	assert_int_equal(scan(text, want, 2, vals, &st), 0);
	assert_int_equal(vals[0].n_series, PROM_MAX_SERIES);
	assert_int_equal(vals[0].dropped_series, 3);
	assert_string_equal(vals[0].series[PROM_MAX_SERIES - 1].label, "peer15");
	assert_int_equal(vals[1].n_series, 1);
	assert_int_equal(strlen(vals[1].series[0].label), PROM_LABEL_VALUE_MAX - 1);
	assert_int_equal(vals[1].dropped_series, 1);
	assert_int_equal(st.bad_lines, 0);
}

/* Lines that must be skipped, each changing nothing. */
#define ROW(s) {s, sizeof(s) - 1}
static const struct {
	const char *text;
	size_t len;
} bad_rows[] = {
	ROW("m{a=\"1\"  2\n"),	     /* no closing brace */
	ROW("m{a=\"1} 2\n"),	     /* unterminated value */
	ROW("m{a=1} 2\n"),	     /* unquoted */
	ROW("m{a=\"\\t\"} 2\n"),     /* unknown escape */
	ROW("m{a=\"x\\\"} 2\n"),     /* the backslash eats the closing quote */
	ROW("m{,} 2\n"),	     /* empty pair */
	ROW("m{a=\"1\",,} 2\n"),     /* two commas */
	ROW("m{a=\"1\" b=\"2\"} 2\n"), /* no comma */
	ROW("m{1a=\"1\"} 2\n"),	     /* label name starts with a digit */
	ROW("m{a:b=\"1\"} 2\n"),     /* no ':' in label names */
	ROW("m\n"),		     /* no value */
	ROW("m{}\n"),		     /* no value */
	ROW("m 1\r\n"),		     /* CR is no blank in this format */
	ROW("m 1 2 3\n"),	     /* trailing junk */
	ROW("9m 1\n"),		     /* name starts with a digit */
	ROW("m\x00 1\n"),	     /* NUL */
	ROW("m{a=\"1\"\x00} 1\n"),   /* NUL */
	ROW("{a=\"1\"} 1\n"),	     /* no name */
	ROW("# TYPE m\n"),	     /* TYPE without a type */
	ROW("# TYPE m gauge extra\n"),
	ROW("# TYPE m sometype\n"),
	ROW("# TYPE m{} gauge\n"),
	ROW("#  TYPE\n"),
};

static void test_bad_lines(void **state)
{
	(void)state;
	static const struct prom_want want[] = {{"m", PROM_WANT_VALUE, "a"}};
	for (size_t i = 0; i < sizeof(bad_rows) / sizeof(bad_rows[0]); i++) {
		char *copy = malloc(bad_rows[i].len);
		assert_non_null(copy);
		memcpy(copy, bad_rows[i].text, bad_rows[i].len);
		struct prom_scan_stats st;
		assert_int_equal(prom_text_scan(copy, bad_rows[i].len, want, 1, vals, &st), 0);
		free(copy);
		if (st.bad_lines != 1 || st.first_bad_line != 1 || vals[0].n_series != 0 ||
		    vals[0].type != PROM_TYPE_NONE || st.kept != 0)
			fail_msg("row %zu accepted: %s", i, bad_rows[i].text);
	}
	/* A bad line between good ones: counted, its number kept, the rest read. */
	struct prom_scan_stats st;
	assert_int_equal(scan("m 1\nm{a=1} 2\nm 4\nm{ 8\nm {a=\"x\"} 16\n", want, 1, vals, &st),
			 0);
	assert_int_equal(st.bad_lines, 2);
	assert_int_equal(st.first_bad_line, 2);
	assert_true(vals[0].series[0].value == 5);
	assert_string_equal(vals[0].series[1].label, "x");
}

static void test_truncated(void **state)
{
	(void)state;
	/* A body cut at a cap: the last line's number is cut too, so it is not read at all. */
	static const char full[] = "a 1\netcd_mvcc_db_total_size_in_bytes 2.04e+09\n";
	static const struct prom_want want[] = {
		{"etcd_mvcc_db_total_size_in_bytes", PROM_WANT_VALUE, NULL},
	};
	struct prom_scan_stats st;
	for (size_t len = 0; len < sizeof(full) - 1; len++) {
		char *copy = malloc(len ? len : 1);
		assert_non_null(copy);
		memcpy(copy, full, len);
		assert_int_equal(prom_text_scan(copy, len, want, 1, vals, &st), 0);
		free(copy);
		assert_int_equal(vals[0].n_series, 0);
		assert_int_equal(st.truncated, len != 0 && len != 4);
		assert_int_equal(st.bad_lines, 0);
	}
	assert_int_equal(scan(full, want, 1, vals, &st), 0);
	assert_false(st.truncated);
	assert_true(vals[0].series[0].value == 2.04e9);
}

static void test_histogram(void **state)
{
	(void)state;
	/* Bounds out of order and summed over two label sets; +Inf apart. */
	static const char text[] =
		"# TYPE h histogram\n"
		"h_bucket{le=\"0.002\",x=\"1\"} 3\n"
		"h_bucket{le=\"0.001\",x=\"1\"} 1\n"
		"h_bucket{le=\"+Inf\",x=\"1\"} 4\n"
		"h_sum{x=\"1\"} 0.5\n"
		"h_count{x=\"1\"} 4\n"
		"h_bucket{x=\"2\",le=\"0.001\"} 10\n"
		"h_bucket{x=\"2\",le=\"0.002\"} 10\n"
		"h_bucket{x=\"2\",le=\"+Inf\"} 10\n"
		"h_sum{x=\"2\"} 0.01\n"
		"h_count{x=\"2\"} 10\n"
		"h_bucket{x=\"3\"} 10\n"		/* no le */
		"h_bucket{le=\"abc\"} 10\n"		/* le not a number */
		"h_bucket{le=\"NaN\"} 10\n"
		"h_bucket{le=\"-Inf\"} 10\n"
		"h_bucket{le=\"1\"} -1\n"		/* negative count */
		"h_count NaN\n"
		"h_total 5\n";			/* not a part of h */
	static const struct prom_want want[] = {
		{"h", PROM_WANT_HISTOGRAM, NULL},
		{"h", PROM_WANT_HISTOGRAM, "x"},
		{"h_count", PROM_WANT_VALUE, NULL},
	};
	struct prom_scan_stats st;
	assert_int_equal(scan(text, want, 3, vals, &st), 0);
	assert_int_equal(st.bad_lines, 6);
	assert_int_equal(st.first_bad_line, 12);
	assert_int_equal(vals[0].type, PROM_TYPE_HISTOGRAM);
	assert_int_equal(vals[0].n_series, 1);
	const struct prom_hist *h = &vals[0].series[0].hist;
	assert_int_equal(h->n_buckets, 2);
	assert_true(h->le[0] == 0.001 && h->le[1] == 0.002);
	assert_true(h->cum[0] == 11 && h->cum[1] == 13);
	assert_true(h->has_inf && h->inf == 14);
	assert_true(h->has_sum && fabs(h->sum - 0.51) < 1e-12);
	assert_true(h->has_count && h->count == 14);
	assert_int_equal(vals[1].n_series, 2);
	assert_string_equal(vals[1].series[1].label, "2");
	assert_true(vals[1].series[1].hist.cum[0] == 10);
	assert_true(vals[2].series[0].value == 14);
	double p;
	/* rank 0.5 * 14 = 7 falls in the first bucket (11): 0.001 * 7 / 11 */
	assert_int_equal(prom_histogram_quantile(h, NULL, 0.5, &p), 0);
	assert_true(fabs(p - 0.001 * 7 / 11) < 1e-12);
}

static void test_bucket_cap(void **state)
{
	(void)state;
	char text[8192];
	size_t n = 0;
	for (int i = 0; i < PROM_MAX_BUCKETS + 4; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "h_bucket{le=\"%d\"} %d\n", i + 1,
				      i + 1);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "h_bucket{le=\"+Inf\"} 100\n");
	static const struct prom_want want[] = {{"h", PROM_WANT_HISTOGRAM, NULL}};
	struct prom_scan_stats st;
	assert_int_equal(scan(text, want, 1, vals, &st), 0);
	const struct prom_hist *h = &vals[0].series[0].hist;
	assert_int_equal(h->n_buckets, PROM_MAX_BUCKETS);
	assert_int_equal(vals[0].dropped_buckets, 4);
	assert_true(h->le[PROM_MAX_BUCKETS - 1] == PROM_MAX_BUCKETS);
	assert_true(h->has_inf && h->inf == 100);
	assert_int_equal(st.bad_lines, 0);
}

static void test_bad_args(void **state)
{
	(void)state;
	static const struct prom_want ok[] = {{"m", PROM_WANT_VALUE, NULL}};
	static const struct prom_want le[] = {{"m", PROM_WANT_HISTOGRAM, "le"}};
	static const struct prom_want noname[] = {{NULL, PROM_WANT_VALUE, NULL}};
	static const struct prom_want empty[] = {{"", PROM_WANT_VALUE, NULL}};
	static const struct prom_want kind[] = {{"m", (enum prom_want_kind)7, NULL}};
	char longname[PROM_NAME_MAX + 2];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	const struct prom_want toolong[] = {{longname, PROM_WANT_VALUE, NULL}};
	struct prom_scan_stats st;
	assert_int_equal(prom_text_scan("m 1\n", 4, ok, 1, NULL, &st), -EINVAL);
	assert_int_equal(prom_text_scan("m 1\n", 4, NULL, 1, vals, &st), -EINVAL);
	assert_int_equal(prom_text_scan(NULL, 4, ok, 1, vals, &st), -EINVAL);
	assert_int_equal(prom_text_scan("m 1\n", 4, le, 1, vals, &st), -EINVAL);
	assert_int_equal(prom_text_scan("m 1\n", 4, noname, 1, vals, &st), -EINVAL);
	assert_int_equal(prom_text_scan("m 1\n", 4, empty, 1, vals, &st), -EINVAL);
	assert_int_equal(prom_text_scan("m 1\n", 4, kind, 1, vals, &st), -EINVAL);
	assert_int_equal(prom_text_scan("m 1\n", 4, toolong, 1, vals, &st), -EINVAL);
	assert_int_equal(prom_text_scan("m 1\n", 4, ok, PROM_MAX_WANTS + 1, vals, &st), -EINVAL);
	/* nothing asked, nothing given: fine */
	assert_int_equal(prom_text_scan(NULL, 0, NULL, 0, NULL, NULL), 0);
	assert_int_equal(prom_text_scan("m 1\n", 4, NULL, 0, NULL, &st), 0);
	assert_int_equal(st.samples, 1);
}

/* A histogram from bounds and cumulative counts, +Inf last. */
static struct prom_hist hist_of(size_t n, const double *le, const double *cum, double inf)
{
	struct prom_hist h;
	memset(&h, 0, sizeof(h));
	h.n_buckets = n;
	memcpy(h.le, le, n * sizeof(double));
	memcpy(h.cum, cum, n * sizeof(double));
	h.inf = h.count = inf;
	h.has_inf = h.has_count = true;
	return h;
}

static void test_quantile(void **state)
{
	(void)state;
	static const double le[] = {0.001, 0.002, 0.004, 0.008};
	double p = -1;
	/* before: 100 fast fsyncs; now: 10 more fast, 90 between 4 and 8 ms */
	struct prom_hist before = hist_of(4, le, (double[]){100, 100, 100, 100}, 100);
	struct prom_hist now = hist_of(4, le, (double[]){110, 110, 110, 200}, 200);
	assert_int_equal(prom_histogram_quantile(&now, &before, 0.99, &p), 0);
	/* rank 99 of 100: 10 below 1 ms, 89 of the 90 in (4, 8] */
	assert_true(fabs(p - (0.004 + 0.004 * 89.0 / 90.0)) < 1e-12);
	/* lifetime: rank 198 of 200, 110 below 4 ms */
	assert_int_equal(prom_histogram_quantile(&now, NULL, 0.99, &p), 0);
	assert_true(fabs(p - (0.004 + 0.004 * 88.0 / 90.0)) < 1e-12);
	assert_int_equal(prom_histogram_quantile(&now, &before, 0, &p), 0);
	assert_true(p == 0);
	assert_int_equal(prom_histogram_quantile(&now, &before, 1, &p), 0);
	assert_true(p == 0.008);

	/* past the highest finite bound: that bound */
	struct prom_hist slow = hist_of(4, le, (double[]){110, 110, 110, 110}, 200);
	assert_int_equal(prom_histogram_quantile(&slow, &before, 0.99, &p), 0);
	assert_true(p == 0.008);

	/* a restart: the counts went down */
	p = -1;
	assert_int_equal(prom_histogram_quantile(&before, &now, 0.99, &p), -ESTALE);
	struct prom_hist reset = hist_of(4, le, (double[]){50, 100, 100, 100}, 200);
	assert_int_equal(prom_histogram_quantile(&reset, &now, 0.99, &p), -ESTALE);
	assert_true(p == -1);
	/* nothing observed in the interval */
	assert_int_equal(prom_histogram_quantile(&now, &now, 0.99, &p), -ENODATA);
	assert_int_equal(prom_histogram_quantile(&now, NULL, 1.5, &p), -EDOM);
	assert_int_equal(prom_histogram_quantile(&now, NULL, -0.1, &p), -EDOM);
	assert_int_equal(prom_histogram_quantile(&now, NULL, NAN, &p), -EDOM);
	assert_int_equal(prom_histogram_quantile(NULL, NULL, 0.5, &p), -EINVAL);
	assert_int_equal(prom_histogram_quantile(&now, NULL, 0.5, NULL), -EINVAL);
	struct prom_hist noinf = now;
	noinf.has_inf = false;
	assert_int_equal(prom_histogram_quantile(&noinf, NULL, 0.5, &p), -EBADMSG);
	assert_int_equal(prom_histogram_quantile(&now, &noinf, 0.5, &p), -EBADMSG);
	struct prom_hist onlyinf = hist_of(0, le, le, 5);
	assert_int_equal(prom_histogram_quantile(&onlyinf, NULL, 0.5, &p), -ENODATA);
	assert_true(p == -1);
}

static void test_quantile_layouts(void **state)
{
	(void)state;
	/* An upgrade changed the bounds: only the shared ones (0.002, 0.008) are used. */
	struct prom_hist before = hist_of(3, (double[]){0.001, 0.002, 0.008},
					  (double[]){10, 10, 10}, 10);
	struct prom_hist now = hist_of(3, (double[]){0.002, 0.004, 0.008},
				       (double[]){20, 100, 110}, 110);
	double p;
	/* deltas: <=0.002: 10, <=0.008: 100 of 100; rank 50 in (0.002, 0.008]: 40/90 of it */
	assert_int_equal(prom_histogram_quantile(&now, &before, 0.5, &p), 0);
	assert_true(fabs(p - (0.002 + 0.006 * 40.0 / 90.0)) < 1e-12);
	/* a scrape read while observations landed: a later bucket lags; read as the running max */
	struct prom_hist torn = hist_of(3, (double[]){1, 2, 4}, (double[]){5, 4, 10}, 10);
	assert_int_equal(prom_histogram_quantile(&torn, NULL, 0.5, &p), 0);
	assert_true(p == 1);
	/* ... and a bucket ahead of +Inf is cut to it: rank 10 of 10 is at the top of (1, 2] */
	struct prom_hist ahead = hist_of(2, (double[]){1, 2}, (double[]){5, 12}, 10);
	assert_int_equal(prom_histogram_quantile(&ahead, NULL, 1, &p), 0);
	assert_true(p == 2);
	/* negative bounds: the first bucket does not start at 0 */
	struct prom_hist neg = hist_of(2, (double[]){-1, 1}, (double[]){5, 10}, 10);
	assert_int_equal(prom_histogram_quantile(&neg, NULL, 0.1, &p), 0);
	assert_true(p == -1);
}

/* What the probe will ask of etcd (issue 12), as one table. */
enum {
	W_QUOTA,
	W_DB,
	W_DB_DEBUGGING,
	W_DB_IN_USE,
	W_FSYNC,
	W_COMMIT,
	W_LEADER_CHANGES,
	W_PROPOSALS_FAILED,
	W_PEER_RTT,
	W_HAS_LEADER,
	W_VERSION,
	W_COUNT,
};
static const struct prom_want etcd_want[W_COUNT] = {
	[W_QUOTA] = {"etcd_server_quota_backend_bytes", PROM_WANT_VALUE, NULL},
	[W_DB] = {"etcd_mvcc_db_total_size_in_bytes", PROM_WANT_VALUE, NULL},
	[W_DB_DEBUGGING] = {"etcd_debugging_mvcc_db_total_size_in_bytes", PROM_WANT_VALUE, NULL},
	[W_DB_IN_USE] = {"etcd_mvcc_db_total_size_in_use_in_bytes", PROM_WANT_VALUE, NULL},
	[W_FSYNC] = {"etcd_disk_wal_fsync_duration_seconds", PROM_WANT_HISTOGRAM, NULL},
	[W_COMMIT] = {"etcd_disk_backend_commit_duration_seconds", PROM_WANT_HISTOGRAM, NULL},
	[W_LEADER_CHANGES] = {"etcd_server_leader_changes_seen_total", PROM_WANT_VALUE, NULL},
	[W_PROPOSALS_FAILED] = {"etcd_server_proposals_failed_total", PROM_WANT_VALUE, NULL},
	[W_PEER_RTT] = {"etcd_network_peer_round_trip_time_seconds", PROM_WANT_HISTOGRAM, "To"},
	[W_HAS_LEADER] = {"etcd_server_has_leader", PROM_WANT_VALUE, NULL},
	[W_VERSION] = {"etcd_server_version", PROM_WANT_VALUE, "server_version"},
};

/* One row per capture (tests/unit/data/capture-metrics.sh: member 1 of a fresh 3-member
 * cluster after 5 puts), with what its text says, read off it by grep. */
static const struct capture {
	const char *path, *version;
	size_t lines;
	double db, db_in_use;
	bool has_debugging_db; /* 3.4 keeps the deprecated etcd_debugging_ name too; 3.5 dropped it */
	double fsync_count, fsync_le_0_001, fsync_p99;
	const char *peers[2];
	double peer_le_0_0008[2];
} captures[] = {
	{"tests/unit/data/metrics-3.4.23.txt", "3.4.23", 1543, 20480, 16384, true, 12, 8,
	 0.002 + 0.002 * 0.88, {"4016c3d35c2b614", "8e9faa71bf9bc281"}, {0, 0}},
	{"tests/unit/data/metrics-3.5.16.txt", "3.5.16", 1676, 24576, 16384, false, 16, 14,
	 0.002 + 0.002 * 0.92, {"e3379d10cdcfd237", "fbda61c64daabb8d"}, {2, 2}},
};

/* The file in a heap block of exactly its size, no NUL (as the HTTP/2 body will be). */
static char *load(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("%s: cannot open (the unit tests run from the repository root)", path);
	static char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof(buf), f);
	assert_true(n > 0 && n < sizeof(buf));
	fclose(f);
	char *copy = malloc(n);
	assert_non_null(copy);
	memcpy(copy, buf, n);
	*ret_len = n;
	return copy;
}

static struct prom_value etcd_vals[W_COUNT];

static void test_real_metrics(void **state)
{
	(void)state;
	for (size_t c = 0; c < sizeof(captures) / sizeof(captures[0]); c++) {
		const struct capture *cap = &captures[c];
		size_t len;
		char *text = load(cap->path, &len);
		struct prom_scan_stats st;
		assert_int_equal(prom_text_scan(text, len, etcd_want, W_COUNT, etcd_vals, &st), 0);
		free(text);
		const struct prom_value *v = etcd_vals;
		assert_int_equal(st.lines, cap->lines);
		assert_int_equal(st.bad_lines, 0);
		assert_false(st.truncated);
		/* the quota: etcd's default 2 GiB, as "2.147483648e+09", in both versions */
		assert_int_equal(v[W_QUOTA].type, PROM_TYPE_GAUGE);
		assert_true(v[W_QUOTA].series[0].value == 2147483648.0);
		assert_true(v[W_DB].series[0].value == cap->db);
		assert_true(v[W_DB_IN_USE].series[0].value == cap->db_in_use);
		assert_int_equal(v[W_DB_DEBUGGING].n_series, cap->has_debugging_db ? 1 : 0);
		if (cap->has_debugging_db)
			assert_true(v[W_DB_DEBUGGING].series[0].value == cap->db);
		assert_int_equal(v[W_LEADER_CHANGES].type, PROM_TYPE_COUNTER);
		assert_true(v[W_LEADER_CHANGES].series[0].value == 1);
		assert_int_equal(v[W_PROPOSALS_FAILED].n_series, 1);
		assert_true(v[W_PROPOSALS_FAILED].series[0].value == 0);
		assert_true(v[W_HAS_LEADER].series[0].value == 1);
		assert_int_equal(v[W_VERSION].n_series, 1);
		assert_string_equal(v[W_VERSION].series[0].label, cap->version);

		/* WAL fsync: 0.001 * 2^0..13 and +Inf */
		assert_int_equal(v[W_FSYNC].type, PROM_TYPE_HISTOGRAM);
		const struct prom_hist *h = &v[W_FSYNC].series[0].hist;
		assert_int_equal(h->n_buckets, 14);
		assert_true(h->le[0] == 0.001 && h->le[13] == 8.192);
		assert_true(h->cum[0] == cap->fsync_le_0_001);
		assert_true(h->has_inf && h->has_sum && h->has_count);
		assert_true(h->inf == cap->fsync_count && h->count == cap->fsync_count);
		assert_true(h->sum > 0 && h->sum < 1);
		assert_int_equal(v[W_FSYNC].dropped_buckets, 0);
		double p99;
		assert_int_equal(prom_histogram_quantile(h, NULL, 0.99, &p99), 0);
		assert_true(fabs(p99 - cap->fsync_p99) < 1e-12);
		assert_true(v[W_COMMIT].series[0].hist.has_inf);

		/* peer round trip by "To": one series per peer, 0.0001 * 2^0..15 and +Inf */
		assert_int_equal(v[W_PEER_RTT].n_series, 2);
		assert_int_equal(v[W_PEER_RTT].dropped_series, 0);
		for (size_t k = 0; k < 2; k++) {
			const struct prom_series *ps = prom_value_series(&v[W_PEER_RTT], cap->peers[k]);
			assert_non_null(ps);
			assert_int_equal(ps->hist.n_buckets, 16);
			assert_true(ps->hist.le[0] == 0.0001 && ps->hist.le[15] == 3.2768);
			assert_true(ps->hist.le[3] == 0.0008);
			assert_true(ps->hist.cum[3] == cap->peer_le_0_0008[k]);
			assert_true(ps->hist.inf == 2 && ps->hist.count == 2);
			assert_int_equal(prom_histogram_quantile(&ps->hist, NULL, 0.99, &p99), 0);
			assert_true(p99 > 0 && p99 <= 0.0512);
		}
	}
}

/* A real body cut anywhere: what lies before the cut is read, the cut line is not, nothing is
 * read past the end (ASan), no line is called malformed. */
static void test_real_metrics_cut(void **state)
{
	(void)state;
	size_t len;
	char *text = load(captures[1].path, &len);
	for (size_t cut = 0; cut < len; cut += 997) {
		char *part = malloc(cut ? cut : 1);
		assert_non_null(part);
		memcpy(part, text, cut);
		struct prom_scan_stats st;
		assert_int_equal(prom_text_scan(part, cut, etcd_want, W_COUNT, etcd_vals, &st), 0);
		assert_int_equal(st.bad_lines, 0);
		assert_int_equal(st.truncated, cut > 0 && part[cut - 1] != '\n');
		const char *q = memmem(part, cut, "\netcd_server_quota_backend_bytes ", 33);
		bool whole = q && memchr(q + 1, '\n', cut - (size_t)(q + 1 - part));
		assert_int_equal(etcd_vals[W_QUOTA].n_series, whole ? 1 : 0);
		free(part);
	}
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gauge_counter_type),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_timestamps),
		cmocka_unit_test(test_labels_by),
		cmocka_unit_test(test_label_caps),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_bucket_cap),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_quantile),
		cmocka_unit_test(test_quantile_layouts),
		cmocka_unit_test(test_real_metrics),
		cmocka_unit_test(test_real_metrics_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
