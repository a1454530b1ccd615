/* prom_text: a bounded reader of the Prometheus text exposition format (version 0.0.4), as
 * etcd serves it on /metrics. The caller names the families it wants in a table; one pass over
 * the text fills one fixed-size struct prom_value per row. Pure: no I/O, no allocation at all,
 * never reads past len (the text need not be NUL-terminated). */
#ifndef PROTO_PROM_TEXT_H
#define PROTO_PROM_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Bounds of what one want keeps. etcd's histograms have 15 to 17 buckets (fsync and backend
 * commit: 0.001 * 2^0..13 and +Inf; peer round trip: 0.0001 * 2^0..15 and +Inf); a cluster has
 * at most 7 peers of interest (etcd advises 7 voting members). What does not fit is counted. */
#define PROM_MAX_BUCKETS 32	/* finite `le` bounds per series; +Inf is kept apart */
#define PROM_MAX_SERIES 16	/* label values kept per want (by_label) */
#define PROM_LABEL_VALUE_MAX 64 /* bytes of a kept label value, NUL included */
#define PROM_NAME_MAX 128	/* bytes of a wanted family or label name, NUL excluded */
#define PROM_MAX_WANTS 64	/* rows of one want table */

/* What the caller asks for. */
enum prom_want_kind {
	/* Samples named exactly `name` (a counter, gauge or untyped family; also one part of a
	 * histogram, e.g. "etcd_disk_wal_fsync_duration_seconds_count"). */
	PROM_WANT_VALUE,
	/* The histogram family `name`: its name_bucket{le=...}, name_sum and name_count samples. */
	PROM_WANT_HISTOGRAM,
};

struct prom_want {
	const char *name; /* family name, e.g. "etcd_server_quota_backend_bytes" */
	enum prom_want_kind kind;
	/* NULL: every label set is summed into one series (etcd's histograms and counters that
	 * matter have one label set, or ones that add up: a total over grpc methods).
	 * A label name (e.g. "To" for etcd_network_peer_round_trip_time_seconds): one series per
	 * value of that label, the other labels summed; a sample without that label counts under
	 * the value "" (Prometheus' own reading of a missing label). Not "le". */
	const char *by_label;
};

/* The family's type as its "# TYPE" line gave it. */
enum prom_type {
	PROM_TYPE_NONE, /* no TYPE line for this family (seen before its samples or not at all) */
	PROM_TYPE_COUNTER,
	PROM_TYPE_GAUGE,
	PROM_TYPE_HISTOGRAM,
	PROM_TYPE_SUMMARY,
	PROM_TYPE_UNTYPED,
};

/* "counter", "gauge", ... ("none" for PROM_TYPE_NONE, "?" out of range). */
const char *prom_type_str(enum prom_type t);

/* A histogram as exposed: cumulative counts, the finite bounds ascending. Cumulative buckets
 * have a property used throughout: any subset of them is still a valid (coarser) histogram, so
 * dropping bounds past PROM_MAX_BUCKETS, or comparing two scans on the bounds they share, keeps
 * every kept count exact. */
struct prom_hist {
	size_t n_buckets;	      /* finite bounds kept */
	double le[PROM_MAX_BUCKETS];  /* ascending, finite */
	double cum[PROM_MAX_BUCKETS]; /* observations <= le[i] */
	double inf;		      /* the le="+Inf" bucket: every observation */
	double sum, count;	      /* name_sum, name_count */
	bool has_inf, has_sum, has_count;
};

struct prom_series {
	char label[PROM_LABEL_VALUE_MAX]; /* the by_label value, sanitized (proto/sanitize.h);
					     "" when summed */
	double value;			  /* PROM_WANT_VALUE: the sum of its samples */
	struct prom_hist hist;		  /* PROM_WANT_HISTOGRAM */
	size_t n_samples;		  /* samples that went into this series */
};

/* One per want row, filled by prom_text_scan(). */
struct prom_value {
	enum prom_type type; /* from "# TYPE" */
	size_t n_series;     /* 0: no sample of the family was seen; summed: at most 1 */
	struct prom_series series[PROM_MAX_SERIES]; /* by_label: in the order first seen */
	size_t dropped_series;	/* samples whose label value had no slot left, or was longer
				   than PROM_LABEL_VALUE_MAX - 1 bytes */
	size_t dropped_buckets; /* bucket samples whose finite bound had no slot left */
};

/* Whole-text counters. */
struct prom_scan_stats {
	size_t lines;	       /* lines ended by '\n' */
	size_t samples;	       /* well-formed sample lines, wanted or not (not bad_lines) */
	size_t kept;	       /* samples that went into out */
	size_t bad_lines;      /* malformed lines skipped (syntax; for a wanted family also a
				  bucket without a valid le, or a count that is negative/NaN) */
	size_t first_bad_line; /* 1-based number of the first of them, 0 for none */
	bool truncated;	       /* text did not end in '\n': the last line was not read (a body cut
				  at a cap must not yield "2.0" from "2.04e+09") */
};

/* Reads text[0..len) once and fills out[i] (zeroed first) for want[i], i < n_want, and
 * *ret_stats when not NULL. Malformed lines are skipped and counted, never fatal: one odd line
 * must not hide the quota. Comments and # HELP lines are skipped; # TYPE sets prom_value.type.
 * Values as Go's ParseFloat writes them ("1.5e+09", "+Inf", "-Inf", "NaN", any case); an optional
 * timestamp (integer milliseconds) is checked and ignored. Label values may hold \\, \" and \n
 * escapes; other escapes make the line malformed.
 * Returns 0; -EINVAL for a NULL out or want (n_want > 0), text NULL with len > 0, n_want over
 * PROM_MAX_WANTS, or a want row with no name, a name or by_label over PROM_NAME_MAX, or by_label
 * "le" (out is zeroed then too, unless NULL or n_want is over PROM_MAX_WANTS). */
int prom_text_scan(const char *text, size_t len, const struct prom_want *want, size_t n_want,
		   struct prom_value *out, struct prom_scan_stats *ret_stats);

/* The series of v whose label is label_value (a C string; "" for a summed want), or NULL. For
 * matching one peer across two scans: series order follows the text. */
const struct prom_series *prom_value_series(const struct prom_value *v, const char *label_value);

/* The q-quantile (0 <= q <= 1) of the observations made between two scans of one histogram, as
 * Prometheus' histogram_quantile() computes it: linear interpolation inside the bucket where the
 * rank falls, the first bucket starting at 0; a rank past the highest finite bound gives that
 * bound (a lower limit: "p99 >= 8.192 s"). before may be NULL: every observation since the
 * member started. Only the bounds both scans kept are used. Counts that go down from bucket to
 * bucket (the exposition is not atomic) are read as the running maximum.
 * Returns 0 with *ret_value set; -EDOM for q outside [0, 1] or NaN; -EINVAL for a NULL now or
 * ret_value; -EBADMSG when a histogram has no +Inf bucket; -ESTALE when a count went down since
 * before (the member restarted: use now alone); -ENODATA when nothing was observed in between,
 * or no finite bound is shared. *ret_value is left alone on failure. */
int prom_histogram_quantile(const struct prom_hist *now, const struct prom_hist *before, double q,
			    double *ret_value);

#endif
