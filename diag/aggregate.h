/* aggregate.h: bounded aggregation of classified journal entries per (code, host, key fields). */
#ifndef DIAG_AGGREGATE_H
#define DIAG_AGGREGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag/classify.h"

#define AGG_MAX 1024       /* distinct aggregates kept; more are counted in `dropped` */
#define AGG_SAMPLES 2
#define AGG_SAMPLE_LEN 512

/* Which reader an entry came from: the evidence is labelled by it. */
enum agg_source {
	AGG_SOURCE_JOURNAL = 0,
	AGG_SOURCE_LOG_FILE, /* --log-file, --log-dir, kubeadm's pod logs */
};
/* "journal", "log file" */
const char *aggs_source_str(enum agg_source s);

struct diag_agg {
	enum diag_code code;
	enum agg_source source;
	char host[64];
	struct classify_fields f; /* fields of the first entry (the key fields are equal) */
	uint64_t count;
	uint64_t first_usec, last_usec; /* CLOCK_REALTIME microseconds */
	uint64_t last_seq; /* the set's `matched` count at the latest entry: the order of entries
			    * whose stamps tie (3.4's raft lines have whole seconds) */
	size_t n_samples;
	char samples[AGG_SAMPLES][AGG_SAMPLE_LEN];
	char key[480];
};

struct diag_aggs {
	size_t n;
	struct diag_agg *v;    /* AGG_MAX entries */
	int32_t *slots;        /* open-addressing hash of v indexes */
	uint64_t entries;      /* entries read */
	uint64_t matched;      /* entries with a code (failures and facts) */
	uint64_t dropped;      /* matched entries not kept because AGG_MAX was reached */
	uint64_t first_usec, last_usec; /* span of the entries read */
	bool cut_by_deadline;  /* the scan stopped at its deadline before the window's end */
	enum agg_source source; /* what aggs_add records: the reader sets it before its scan */
};

/* Returns a new, empty set or NULL (ENOMEM). */
struct diag_aggs *aggs_new(void);
void aggs_free(struct diag_aggs *a);

/* Counts one entry read (classified or not) at usec. */
void aggs_count_entry(struct diag_aggs *a, uint64_t usec);
/* Adds one classified entry (r->code != NONE). msg/len: the MESSAGE, kept as a sample (or
 * r->sample, the classifier's rendering of it, when r->sample_len > 0).
 * Returns 0, or -ENOSPC when it was dropped (the cap is reached). */
int aggs_add(struct diag_aggs *a, const struct classify_result *r, const char *host,
	     uint64_t usec, const char *msg, size_t len);

#endif
