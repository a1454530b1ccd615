/* history: snapshots to judged figures over the interval since the last run (pure), the state
 * file's JSON (pure), and the file itself (lock, read, write atomically). */
#include "probe/history.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "proto/regfile.h"

/* process_start_time_seconds is computed from the kernel's boot time, which /proc/stat rounds
 * to a second and which moves with clock steps: a difference this small is the same process. */
#define HISTORY_START_SLACK_S 2.0
/* The member's clock (its start time) against ours: this much skew still reads as "young". */
#define HISTORY_CLOCK_SLACK_S 60.0

/* The counters: which sample each comes from and its key in the file. */
static const struct {
	enum msample ms;
	const char *key;
} counter_defs[HC__COUNT] = {
	[HC_LEADER_CHANGES] = {MS_LEADER_CHANGES, "leader_changes"},
	[HC_PROPOSALS_FAILED] = {MS_PROPOSALS_FAILED, "proposals_failed"},
	[HC_SLOW_APPLIES] = {MS_SLOW_APPLIES, "slow_applies"},
	[HC_HEARTBEAT_FAILURES] = {MS_HEARTBEAT_FAILURES, "heartbeat_failures"},
};

/* The histograms' keys in the file, by enum mhist. */
static const char *const hist_keys[MH__COUNT] = {
	[MH_WAL_FSYNC] = "wal_fsync",
	[MH_BACKEND_COMMIT] = "backend_commit",
};

/* ---- the pure core: two snapshots to figures ---- */

/* A counter went down or the start time moved: the member's counters started again. */
static bool history_restarted(const struct metrics_snapshot *now, const struct history_record *prev)
{
	if (now->has[MS_START_TIME] && prev->has_start &&
	    fabs(now->v[MS_START_TIME] - prev->start_time) > HISTORY_START_SLACK_S)
		return true;
	for (int c = 0; c < HC__COUNT; c++) {
		enum msample ms = counter_defs[c].ms;
		if (now->has[ms] && prev->has_counter[c] && now->v[ms] < prev->counter[c])
			return true;
	}
	for (int h = 0; h < MH__COUNT; h++)
		if (now->has_hist[h] && prev->has_hist[h] &&
		    ((now->hist[h].has_inf && prev->hist[h].has_inf &&
		      now->hist[h].inf < prev->hist[h].inf) ||
		     (now->hist[h].has_count && prev->hist[h].has_count &&
		      now->hist[h].count < prev->hist[h].count)))
			return true;
	return false;
}

/* Why prev gives no interval, or NULL when it does. */
static const char *history_no_interval(const struct metrics_snapshot *now,
				       const struct history_record *prev, double now_unix)
{
	if (!prev)
		return "first run: figures are the member's lifetime";
	if (!(prev->time <= now_unix))
		return "the last run is in the future (clock set back): a new interval starts";
	if (now_unix - prev->time <= 0)
		return "no time passed since the last run: a new interval starts";
	if (now_unix - prev->time > HISTORY_MAX_INTERVAL_S)
		return "the last run is over 7 days old: a new interval starts";
	if (history_restarted(now, prev))
		return "member restarted since the last run: figures are its lifetime";
	return NULL;
}

/* p99 over [before, now]; before NULL: the lifetime. A count that went down for this one
 * histogram alone (a peer removed and added again) falls back to its lifetime, which began
 * within the interval, as a new peer's does; nothing observed is no figure, which is not a
 * problem. */
static bool history_p99(const struct prom_hist *now, const struct prom_hist *before, double *ret)
{
	int e = prom_histogram_quantile(now, before, 0.99, ret);
	if ((e == -ESTALE || e == -EBADMSG) && before)
		e = prom_histogram_quantile(now, NULL, 0.99, ret);
	return e == 0;
}

static const struct history_peer *history_peer_find(const struct history_record *r, uint64_t id)
{
	for (size_t i = 0; r && i < r->n_peers && i < METRICS_MAX_PEERS; i++)
		if (r->peers[i].id == id)
			return &r->peers[i];
	return NULL;
}

/* The 15-minute increase of windowed counter c, value v now, from the ring of prev (samples
 * oldest first). The window starts at the newest sample at least HISTORY_WINDOW_S old; the
 * increase since then is scaled to 15 minutes. Without one that old, the oldest sample gives
 * the increase over a shorter window: a lower bound, still worth judging. */
static bool history_window(const struct history_record *prev, int c, double v, double now_unix,
			   double *ret)
{
	const struct history_sample *start = NULL;
	for (size_t i = 0; i < prev->n_ring && i < HISTORY_RING_MAX; i++) {
		const struct history_sample *s = &prev->ring[i];
		if (!s->has[c] || !(s->t < now_unix))
			continue;
		if (!start || now_unix - s->t >= HISTORY_WINDOW_S)
			start = s;
	}
	if (!start)
		return false;
	double delta = v - start->c[c], age = now_unix - start->t;
	if (!(delta >= 0))
		return false;
	*ret = age > HISTORY_WINDOW_S ? delta * HISTORY_WINDOW_S / age : delta;
	return true;
}

/* Keeps what a 15-minute window can still need: the newest sample at least HISTORY_WINDOW_S
 * old and those after it (an older one can never again be the newest that old). Past
 * HISTORY_RING_MAX (a probe run every few seconds), the inner sample whose neighbours are
 * closest goes, so the ring keeps covering the window rather than its last minutes. */
static void history_ring_prune(struct history_record *r, double now_unix)
{
	size_t keep_from = 0;
	for (size_t i = 0; i < r->n_ring; i++)
		if (now_unix - r->ring[i].t >= HISTORY_WINDOW_S)
			keep_from = i;
	if (keep_from > 0) {
		memmove(r->ring, r->ring + keep_from, (r->n_ring - keep_from) * sizeof(r->ring[0]));
		r->n_ring -= keep_from;
	}
	while (r->n_ring > HISTORY_RING_MAX - 1) {
		size_t best = 1;
		for (size_t i = 2; i + 1 < r->n_ring; i++)
			if (r->ring[i + 1].t - r->ring[i - 1].t <
			    r->ring[best + 1].t - r->ring[best - 1].t)
				best = i;
		memmove(r->ring + best, r->ring + best + 1,
			(r->n_ring - best - 1) * sizeof(r->ring[0]));
		r->n_ring--;
	}
}

/* What history_parse would accept: the record holds only what can be read back. */
static bool history_hist_storable(const struct prom_hist *h)
{
	if (h->n_buckets > PROM_MAX_BUCKETS || (h->has_inf && !(isfinite(h->inf) && h->inf >= 0)) ||
	    (h->has_count && !(isfinite(h->count) && h->count >= 0)) ||
	    (h->has_sum && !isfinite(h->sum)))
		return false;
	for (size_t i = 0; i < h->n_buckets; i++)
		if (!isfinite(h->le[i]) || !(isfinite(h->cum[i]) && h->cum[i] >= 0) ||
		    (i > 0 && !(h->le[i - 1] < h->le[i])))
			return false;
	return true;
}

/* next: what this run leaves for the next one. The ring carries on only over an interval. */
static void history_record_fill(const struct metrics_snapshot *now,
				const struct history_record *before, double now_unix,
				struct history_record *next)
{
	next->time = now_unix;
	next->has_start = now->has[MS_START_TIME];
	next->start_time = next->has_start ? now->v[MS_START_TIME] : 0;
	for (int c = 0; c < HC__COUNT; c++) {
		double v = now->v[counter_defs[c].ms];
		next->has_counter[c] = now->has[counter_defs[c].ms] && isfinite(v) && v >= 0;
		next->counter[c] = next->has_counter[c] ? v : 0;
	}
	for (int h = 0; h < MH__COUNT; h++) {
		next->has_hist[h] = now->has_hist[h] && history_hist_storable(&now->hist[h]);
		if (next->has_hist[h])
			next->hist[h] = now->hist[h];
	}
	for (size_t i = 0; i < now->n_peers && i < METRICS_MAX_PEERS; i++) {
		if (!now->peers[i].id || history_peer_find(next, now->peers[i].id) ||
		    !history_hist_storable(&now->peers[i].rtt))
			continue;
		next->peers[next->n_peers].id = now->peers[i].id;
		next->peers[next->n_peers].rtt = now->peers[i].rtt;
		next->n_peers++;
	}
	if (before)
		for (size_t i = 0; i < before->n_ring && i < HISTORY_RING_MAX; i++)
			if (before->ring[i].t < now_unix)
				next->ring[next->n_ring++] = before->ring[i];
	/* prune first: it leaves room for this run's sample (at most HISTORY_RING_MAX - 1) */
	history_ring_prune(next, now_unix);
	struct history_sample *s = &next->ring[next->n_ring++];
	s->t = now_unix;
	for (int c = 0; c < HISTORY_WINDOWED; c++) {
		s->has[c] = next->has_counter[c];
		s->c[c] = next->counter[c];
	}
}

/* Sample ms of now when present and finite. */
static bool history_value(const struct metrics_snapshot *now, enum msample ms, double *ret)
{
	if (!now->has[ms] || !isfinite(now->v[ms]))
		return false;
	*ret = now->v[ms];
	return true;
}

void history_derive(const struct metrics_snapshot *now, const struct history_record *prev,
		    double now_unix, struct metrics_facts *out, struct history_record *next)
{
	memset(out, 0, sizeof(*out));
	memset(next, 0, sizeof(*next));
	out->read = true;
	const char *why = history_no_interval(now, prev, now_unix);
	const struct history_record *before = why ? NULL : prev;
	out->interval = before != NULL;
	out->interval_s = before ? now_unix - before->time : 0;
	snprintf(out->interval_note, sizeof(out->interval_note), "%s", why ? why : "");

	/* gauges: as they are now (a "NaN" or "+Inf" sample, which the exposition format allows,
	 * is no figure) */
	out->has_quota = history_value(now, MS_QUOTA_BYTES, &out->quota_bytes);
	out->has_db_size = history_value(now, MS_DB_SIZE_BYTES, &out->db_size_bytes);
	out->has_db_in_use = history_value(now, MS_DB_IN_USE_BYTES, &out->db_in_use_bytes);
	out->has_proposals_pending =
		history_value(now, MS_PROPOSALS_PENDING, &out->proposals_pending);

	/* histograms: p99 over the interval, or the lifetime */
	if (now->has_hist[MH_WAL_FSYNC])
		out->has_wal_fsync_p99 = history_p99(
			&now->hist[MH_WAL_FSYNC],
			before && before->has_hist[MH_WAL_FSYNC] ? &before->hist[MH_WAL_FSYNC] : NULL,
			&out->wal_fsync_p99_s);
	if (now->has_hist[MH_BACKEND_COMMIT])
		out->has_backend_commit_p99 =
			history_p99(&now->hist[MH_BACKEND_COMMIT],
				    before && before->has_hist[MH_BACKEND_COMMIT]
					    ? &before->hist[MH_BACKEND_COMMIT] : NULL,
				    &out->backend_commit_p99_s);
	for (size_t i = 0; i < now->n_peers && i < METRICS_MAX_PEERS; i++) {
		const struct history_peer *bp = history_peer_find(before, now->peers[i].id);
		double p99;
		if (out->n_peers < FACTS_MAX_PEERS &&
		    history_p99(&now->peers[i].rtt, bp ? &bp->rtt : NULL, &p99)) {
			out->peers[out->n_peers].peer_id = now->peers[i].id;
			out->peers[out->n_peers].p99_s = p99;
			out->n_peers++;
		}
	}

	/* increases over the interval */
	bool *has_inc[] = {[HC_SLOW_APPLIES] = &out->has_slow_applies,
			   [HC_HEARTBEAT_FAILURES] = &out->has_heartbeat_failures};
	double *inc[] = {[HC_SLOW_APPLIES] = &out->slow_applies,
			 [HC_HEARTBEAT_FAILURES] = &out->heartbeat_failures};
	for (int c = HISTORY_WINDOWED; c < HC__COUNT; c++) {
		double v;
		if (!before || !before->has_counter[c] || !history_value(now, counter_defs[c].ms, &v))
			continue;
		*has_inc[c] = v >= before->counter[c];
		*inc[c] = *has_inc[c] ? v - before->counter[c] : 0;
	}

	/* the 15-minute window: a member younger than that has its lifetime total as the window
	 * (its counters started at 0), else the ring of past runs tells */
	bool *has_win[] = {[HC_LEADER_CHANGES] = &out->has_leader_changes,
			   [HC_PROPOSALS_FAILED] = &out->has_proposals_failed};
	double *win[] = {[HC_LEADER_CHANGES] = &out->leader_changes_15m,
			 [HC_PROPOSALS_FAILED] = &out->proposals_failed_15m};
	double age = now->has[MS_START_TIME] ? now_unix - now->v[MS_START_TIME] : NAN;
	bool young = age < HISTORY_WINDOW_S && age > -HISTORY_CLOCK_SLACK_S;
	for (int c = 0; c < HISTORY_WINDOWED; c++) {
		double v;
		if (!history_value(now, counter_defs[c].ms, &v) || v < 0)
			continue;
		if (young) {
			*has_win[c] = true;
			*win[c] = v;
		} else if (before) {
			*has_win[c] = history_window(before, c, v, now_unix, win[c]);
		}
	}

	history_record_fill(now, before, now_unix, next);
}

/* ---- the file's JSON ---- */

void history_set_free(struct history_set *s)
{
	if (!s)
		return;
	free(s->recs);
	memset(s, 0, sizeof(*s));
}

const struct history_record *history_find(const struct history_set *s, uint64_t cluster_id,
					  uint64_t member_id)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (s->recs[i].cluster_id == cluster_id && s->recs[i].member_id == member_id)
			return &s->recs[i];
	return NULL;
}

/* A slot for one more record (its content is the caller's). */
static struct history_record *history_set_add(struct history_set *s)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		struct history_record *r = realloc(s->recs, cap * sizeof(*r));
		if (!r)
			return NULL;
		s->recs = r;
		s->cap = cap;
	}
	return &s->recs[s->n++];
}

/* An etcd ID as the file holds it: 1 to 16 hex digits, not 0. */
static bool parse_id(const json_t *j, uint64_t *ret)
{
	const char *s = json_string_value(j);
	if (!s)
		return false;
	size_t n = json_string_length(j);
	uint64_t v = 0;
	if (n == 0 || n > 16)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	*ret = v;
	return v != 0;
}

/* A number that is finite and, unless negative_ok, >= 0. JSON has no NaN; jansson reads
 * overflowing reals as an error, so finiteness is checked for the record's own sake. */
static bool parse_num(const json_t *j, bool negative_ok, double *ret)
{
	if (!json_is_number(j))
		return false;
	double v = json_number_value(j);
	if (!isfinite(v) || (!negative_ok && v < 0))
		return false;
	*ret = v;
	return true;
}

/* An optional number: absent is fine (*has false), present must be valid. */
static bool parse_opt(const json_t *obj, const char *key, bool negative_ok, bool *has, double *ret)
{
	const json_t *j = json_object_get(obj, key);
	*has = j != NULL;
	*ret = 0;
	return !j || parse_num(j, negative_ok, ret);
}

/* {"le":[...],"cum":[...],"inf":N,"sum":S,"count":C}: bounds finite and strictly ascending,
 * counts finite and >= 0, at most PROM_MAX_BUCKETS. */
static bool parse_hist(const json_t *j, struct prom_hist *h)
{
	memset(h, 0, sizeof(*h));
	const json_t *le = json_object_get(j, "le"), *cum = json_object_get(j, "cum");
	if (!json_is_object(j) || !json_is_array(le) || !json_is_array(cum))
		return false;
	size_t n = json_array_size(le);
	if (n > PROM_MAX_BUCKETS || json_array_size(cum) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!parse_num(json_array_get(le, i), true, &h->le[i]) ||
		    !parse_num(json_array_get(cum, i), false, &h->cum[i]))
			return false;
		if (i > 0 && !(h->le[i - 1] < h->le[i]))
			return false;
	}
	h->n_buckets = n;
	return parse_opt(j, "inf", false, &h->has_inf, &h->inf) &&
	       parse_opt(j, "sum", true, &h->has_sum, &h->sum) &&
	       parse_opt(j, "count", false, &h->has_count, &h->count);
}

static bool parse_ring(const json_t *arr, struct history_record *r)
{
	if (!arr)
		return true;
	if (!json_is_array(arr) || json_array_size(arr) > HISTORY_RING_MAX)
		return false;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const json_t *j = json_array_get(arr, i);
		struct history_sample *s = &r->ring[i];
		if (!json_is_object(j) || !parse_num(json_object_get(j, "t"), false, &s->t))
			return false;
		/* oldest first, none after the record's own run */
		if ((i > 0 && !(r->ring[i - 1].t < s->t)) || s->t > r->time)
			return false;
		for (int c = 0; c < HISTORY_WINDOWED; c++)
			if (!parse_opt(j, counter_defs[c].key, false, &s->has[c], &s->c[c]))
				return false;
		r->n_ring = i + 1;
	}
	return true;
}

static bool parse_peers(const json_t *arr, struct history_record *r)
{
	if (!arr)
		return true;
	if (!json_is_array(arr) || json_array_size(arr) > METRICS_MAX_PEERS)
		return false;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const json_t *j = json_array_get(arr, i);
		struct history_peer *p = &r->peers[i];
		if (!json_is_object(j) || !parse_id(json_object_get(j, "id"), &p->id) ||
		    history_peer_find(r, p->id) || !parse_hist(json_object_get(j, "rtt"), &p->rtt))
			return false;
		r->n_peers = i + 1;
	}
	return true;
}

/* One record; false when any part fails validation. Unknown keys are ignored. */
static bool parse_record(const json_t *j, struct history_record *r)
{
	memset(r, 0, sizeof(*r));
	if (!json_is_object(j) || !parse_id(json_object_get(j, "cluster_id"), &r->cluster_id) ||
	    !parse_id(json_object_get(j, "member_id"), &r->member_id) ||
	    !parse_num(json_object_get(j, "time"), false, &r->time) || r->time == 0 ||
	    !parse_opt(j, "start_time", false, &r->has_start, &r->start_time))
		return false;
	const json_t *counters = json_object_get(j, "counters");
	if (counters && !json_is_object(counters))
		return false;
	for (int c = 0; c < HC__COUNT; c++)
		if (counters && !parse_opt(counters, counter_defs[c].key, false, &r->has_counter[c],
					   &r->counter[c]))
			return false;
	const json_t *hists = json_object_get(j, "histograms");
	if (hists && !json_is_object(hists))
		return false;
	for (int h = 0; h < MH__COUNT; h++) {
		const json_t *hj = hists ? json_object_get(hists, hist_keys[h]) : NULL;
		if (hj && !parse_hist(hj, &r->hist[h]))
			return false;
		r->has_hist[h] = hj != NULL;
	}
	return parse_peers(json_object_get(j, "peers"), r) &&
	       parse_ring(json_object_get(j, "ring"), r);
}

int history_parse(const char *text, size_t len, struct history_set *ret, char *err,
		  size_t errlen)
{
	json_error_t je;
	memset(ret, 0, sizeof(*ret));
	snprintf(err, errlen, "%s", "");
	if (len > HISTORY_MAX_FILE_BYTES) {
		snprintf(err, errlen, "larger than %u bytes", HISTORY_MAX_FILE_BYTES);
		return -EFBIG;
	}
	if (len == 0 || !text) {
		snprintf(err, errlen, "empty");
		return -EBADMSG;
	}
	/* integers as reals: a counter over 2^63 must not make the file unreadable; duplicate
	 * keys are a file nobody wrote with history_format; any value: a bare "x" is JSON, not
	 * ours */
	json_t *doc = json_loadb(text, len, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL | JSON_REJECT_DUPLICATES, &je);
	if (!doc) {
		/* je.text quotes the file's bytes: the position only, the note is shown */
		snprintf(err, errlen, "not JSON (line %d, column %d)", je.line, je.column);
		return -EBADMSG;
	}
	int e = 0;
	const json_t *format = json_object_get(doc, "format");
	const json_t *version = json_object_get(doc, "version");
	const json_t *records = json_object_get(doc, "records");
	if (!json_is_object(doc) || !json_is_string(format) ||
	    strcmp(json_string_value(format), HISTORY_FORMAT) != 0) {
		snprintf(err, errlen, "not an etcd-probe state file");
		e = -EPROTO;
	} else if (!json_is_number(version) || json_number_value(version) != HISTORY_VERSION) {
		if (json_is_number(version) && fabs(json_number_value(version)) < 1e9)
			snprintf(err, errlen, "version %.0f, not %d", json_number_value(version),
				 HISTORY_VERSION);
		else
			snprintf(err, errlen, "no version %d", HISTORY_VERSION);
		e = -EPROTONOSUPPORT;
	} else if (!json_is_array(records)) {
		snprintf(err, errlen, "no records");
		e = -EPROTO;
	} else if (json_array_size(records) > HISTORY_MAX_RECORDS) {
		snprintf(err, errlen, "over %d records", HISTORY_MAX_RECORDS);
		e = -E2BIG;
	}
	for (size_t i = 0; e == 0 && i < json_array_size(records); i++) {
		struct history_record *r = history_set_add(ret);
		if (!r) {
			snprintf(err, errlen, "out of memory");
			e = -ENOMEM;
			break;
		}
		if (!parse_record(json_array_get(records, i), r)) {
			ret->n--;
			ret->invalid++;
			continue;
		}
		/* one record per member: the newest wins */
		for (size_t k = 0; k + 1 < ret->n; k++) {
			struct history_record *o = &ret->recs[k];
			if (o->cluster_id != r->cluster_id || o->member_id != r->member_id)
				continue;
			if (r->time > o->time)
				*o = *r;
			ret->n--;
			break;
		}
	}
	json_decref(doc);
	if (e < 0) {
		history_set_free(ret);
		return e;
	}
	if (ret->invalid)
		snprintf(err, errlen, "%zu invalid record%s dropped", ret->invalid,
			 ret->invalid == 1 ? "" : "s");
	return 0;
}

/* A count as an integer when it is one (the file stays readable), else a real. */
static json_t *fmt_num(double v)
{
	if (v == floor(v) && fabs(v) < 9007199254740992.0)
		return json_integer((json_int_t)v);
	return json_real(v);
}

static json_t *fmt_id(uint64_t id)
{
	char hex[17];
	snprintf(hex, sizeof(hex), "%016" PRIx64, id);
	return json_string(hex);
}

/* Adds value under key; a NULL value or a failed insertion sets *err (sticky). */
static void fmt_set(json_t *obj, const char *key, json_t *value, int *err)
{
	if (!value || json_object_set_new(obj, key, value) < 0)
		*err = -ENOMEM;
}

static void fmt_push(json_t *arr, json_t *value, int *err)
{
	if (!value || json_array_append_new(arr, value) < 0)
		*err = -ENOMEM;
}

static json_t *fmt_hist(const struct prom_hist *h, int *err)
{
	json_t *j = json_object(), *le = json_array(), *cum = json_array();
	for (size_t i = 0; i < h->n_buckets && i < PROM_MAX_BUCKETS; i++) {
		fmt_push(le, json_real(h->le[i]), err);
		fmt_push(cum, fmt_num(h->cum[i]), err);
	}
	fmt_set(j, "le", le, err);
	fmt_set(j, "cum", cum, err);
	if (h->has_inf)
		fmt_set(j, "inf", fmt_num(h->inf), err);
	if (h->has_sum)
		fmt_set(j, "sum", json_real(h->sum), err);
	if (h->has_count)
		fmt_set(j, "count", fmt_num(h->count), err);
	return j;
}

static json_t *fmt_record(const struct history_record *r, int *err)
{
	json_t *j = json_object();
	fmt_set(j, "cluster_id", fmt_id(r->cluster_id), err);
	fmt_set(j, "member_id", fmt_id(r->member_id), err);
	fmt_set(j, "time", json_real(r->time), err);
	if (r->has_start)
		fmt_set(j, "start_time", json_real(r->start_time), err);
	json_t *counters = json_object();
	for (int c = 0; c < HC__COUNT; c++)
		if (r->has_counter[c])
			fmt_set(counters, counter_defs[c].key, fmt_num(r->counter[c]), err);
	fmt_set(j, "counters", counters, err);
	json_t *hists = json_object();
	for (int h = 0; h < MH__COUNT; h++)
		if (r->has_hist[h])
			fmt_set(hists, hist_keys[h], fmt_hist(&r->hist[h], err), err);
	fmt_set(j, "histograms", hists, err);
	json_t *peers = json_array();
	for (size_t i = 0; i < r->n_peers && i < METRICS_MAX_PEERS; i++) {
		json_t *p = json_object();
		fmt_set(p, "id", fmt_id(r->peers[i].id), err);
		fmt_set(p, "rtt", fmt_hist(&r->peers[i].rtt, err), err);
		fmt_push(peers, p, err);
	}
	fmt_set(j, "peers", peers, err);
	json_t *ring = json_array();
	for (size_t i = 0; i < r->n_ring && i < HISTORY_RING_MAX; i++) {
		json_t *s = json_object();
		fmt_set(s, "t", json_real(r->ring[i].t), err);
		for (int c = 0; c < HISTORY_WINDOWED; c++)
			if (r->ring[i].has[c])
				fmt_set(s, counter_defs[c].key, fmt_num(r->ring[i].c[c]), err);
		fmt_push(ring, s, err);
	}
	fmt_set(j, "ring", ring, err);
	return j;
}

/* The newest first, for keeping the newest when some must go; then by key, so that the text
 * of a set does not depend on its order (qsort is not stable). */
static int cmp_newest_first(const void *a, const void *b)
{
	const struct history_record *ra = *(const struct history_record *const *)a;
	const struct history_record *rb = *(const struct history_record *const *)b;
	if (ra->time != rb->time)
		return ra->time > rb->time ? -1 : 1;
	if (ra->cluster_id != rb->cluster_id)
		return ra->cluster_id < rb->cluster_id ? -1 : 1;
	return ra->member_id < rb->member_id ? -1 : ra->member_id > rb->member_id;
}

/* The text of the newest n records of order[]. */
static char *fmt_doc(const struct history_record *const *order, size_t n)
{
	int err = 0;
	json_t *doc = json_object(), *records = json_array();
	fmt_set(doc, "format", json_string(HISTORY_FORMAT), &err);
	fmt_set(doc, "version", json_integer(HISTORY_VERSION), &err);
	for (size_t i = 0; i < n; i++)
		fmt_push(records, fmt_record(order[i], &err), &err);
	fmt_set(doc, "records", records, &err);
	/* 17 significant digits: every double reads back as itself */
	char *text = err == 0 && doc ? json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(17))
				     : NULL;
	json_decref(doc);
	return text;
}

int history_format(const struct history_set *s, char **ret_text, size_t *ret_len)
{
	size_t n = s->n < HISTORY_MAX_RECORDS ? s->n : HISTORY_MAX_RECORDS;
	const struct history_record **order = malloc((s->n ? s->n : 1) * sizeof(*order));
	if (!order)
		return -ENOMEM;
	for (size_t i = 0; i < s->n; i++)
		order[i] = &s->recs[i];
	qsort(order, s->n, sizeof(*order), cmp_newest_first);
	for (;;) {
		char *text = fmt_doc(order, n);
		if (!text) {
			free(order);
			return -ENOMEM;
		}
		size_t len = strlen(text);
		if (len <= HISTORY_MAX_FILE_BYTES) {
			free(order);
			*ret_text = text;
			*ret_len = len;
			return 0;
		}
		free(text);
		if (n <= 1) {
			free(order);
			return -EFBIG;
		}
		n -= (n + 3) / 4; /* the oldest quarter goes: a bounded number of tries */
	}
}

/* ---- the file ---- */

/* Appends "; " and text to the note (one line, cut at notelen). */
static void note_add(char *note, size_t notelen, const char *text)
{
	size_t used = strlen(note);
	if (used + 1 < notelen)
		snprintf(note + used, notelen - used, "%s%s", used ? "; " : "", text);
}

/* An exclusive flock on PATH.lock, tried without blocking for at most HISTORY_LOCK_WAIT_MS:
 * another probe writing the same file must not make this one miss its deadline. Returns the
 * fd, -EWOULDBLOCK when it stayed locked, or -errno. O_NOFOLLOW: a symlink planted there must
 * not make us create or lock a file elsewhere. */
static int history_lock(const char *path)
{
	char lock[4096];
	if ((size_t)snprintf(lock, sizeof(lock), "%s.lock", path) >= sizeof(lock))
		return -ENAMETOOLONG;
	int fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
		      0600);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	struct timespec t0, t, pause = {0, 10 * 1000 * 1000};
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		int e = errno;
		if (e != EWOULDBLOCK && e != EINTR) {
			close(fd);
			return -e;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		double ms = (double)(t.tv_sec - t0.tv_sec) * 1e3 +
			    (double)(t.tv_nsec - t0.tv_nsec) / 1e6;
		if (ms >= HISTORY_LOCK_WAIT_MS) {
			close(fd);
			return -EWOULDBLOCK;
		}
		nanosleep(&pause, NULL);
	}
}

/* Writes text to path atomically: a new temp file beside it (mkstemp: O_EXCL, so never
 * through a symlink), mode 0600, fsync, rename. The directory is not synced: a rename lost in a
 * crash costs one interval, and every fsync is time taken from the probe's -t (on the disk
 * whose slowness it may be reporting). */
static int history_write(const char *path, const char *text, size_t len)
{
	char tmp[4096];
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int e = 0;
	if (fchmod(fd, 0600) < 0)
		e = -errno;
	for (size_t off = 0; e == 0 && off < len;) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			e = n < 0 ? -errno : -EIO;
		else
			off += (size_t)n;
	}
	if (e == 0 && fsync(fd) < 0)
		e = -errno;
	if (close(fd) < 0 && e == 0)
		e = -errno;
	if (e == 0 && rename(tmp, path) < 0)
		e = -errno;
	if (e < 0)
		unlink(tmp);
	return e;
}

/* Endpoints whose figures can be derived: a snapshot, and the IDs that key the record. */
static bool history_eligible(const struct endpoint_facts *e)
{
	return e->metrics_raw && e->has_status && e->cluster_id != 0 && e->member_id != 0;
}

/* Puts r in s in place of the record with the same key, else adds it. */
static int history_upsert(struct history_set *s, const struct history_record *r)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->recs[i].cluster_id == r->cluster_id && s->recs[i].member_id == r->member_id) {
			s->recs[i] = *r;
			return 0;
		}
	struct history_record *slot = history_set_add(s);
	if (!slot)
		return -ENOMEM;
	*slot = *r;
	return 0;
}

/* Reads the state file into *set. Returns 0, -ENOENT (no state yet), -EINVAL (not a regular
 * file: neither read nor replaced), or another -errno; *why says what, for the note. */
/* A file with content that is not ours (not even a damaged state file: our writer puts the
 * format first) is left alone: a mistyped --state-file must not replace someone's file. */
static bool history_text_ours(const char *text, size_t len)
{
	static const char marker[] = "\"format\":\"" HISTORY_FORMAT "\"";
	size_t n = len < 64 ? len : 64;
	return memmem(text, n, marker, sizeof(marker) - 1) != NULL;
}

static int history_load(const char *path, struct history_set *set, char *why, size_t whylen,
			bool *ret_foreign)
{
	char *text = NULL, err[256];
	size_t len = 0;
	*ret_foreign = false;
	int e = regfile_read("--state-file", path, HISTORY_MAX_FILE_BYTES, &text, &len, NULL, err,
			     sizeof(err));
	if (e == -ENOENT) {
		snprintf(why, whylen, "no state yet");
		return e;
	}
	if (e == -EINVAL) {
		snprintf(why, whylen, "not a regular file, not used");
		return e;
	}
	if (e == -EFBIG) {
		/* never written by us (512 records stay far below): someone else's */
		*ret_foreign = true;
		snprintf(why, whylen, "larger than %u bytes, not an etcd-probe state file",
			 HISTORY_MAX_FILE_BYTES);
		return e;
	}
	if (e < 0) {
		snprintf(why, whylen, "cannot read: %s", strerror(-e));
		return e;
	}
	e = history_parse(text, len, set, err, sizeof(err));
	*ret_foreign = e < 0 && len > 0 && !history_text_ours(text, len);
	free(text);
	if (e < 0 || set->invalid)
		snprintf(why, whylen, "%s", err);
	return e;
}

int history_apply(const char *path, struct check_facts *f, char *note, size_t notelen)
{
	return history_apply_within(path, f, note, notelen, true);
}

int history_apply_within(const char *path, struct check_facts *f, char *note, size_t notelen,
			 bool may_save)
{
	struct history_set set = {0};
	char why[300] = "", ivnote[160], line[300] = "", probs[400] = "";
	int ret = 0, lockfd = -1;
	bool can_save = path != NULL && may_save;
	struct timespec ts;

	snprintf(note, notelen, "%s", "");
	clock_gettime(CLOCK_REALTIME, &ts);
	double now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;

	if (path) {
		lockfd = may_save ? history_lock(path) : -ETIME;
		if (lockfd < 0) {
			ret = lockfd == -ETIME ? 0 : lockfd;
			can_save = false;
		}
		bool foreign;
		int e = history_load(path, &set, why, sizeof(why), &foreign);
		if (e == -EINVAL || foreign)
			can_save = false; /* never rename over a FIFO, a device, or another's file */
		if (e < 0 && e != -ENOENT && ret == 0)
			ret = e;
		if (why[0])
			note_add(probs, sizeof(probs), why);
		if (foreign)
			note_add(probs, sizeof(probs), "left alone, not saved");
		if (lockfd == -EWOULDBLOCK)
			snprintf(line, sizeof(line), "locked by another etcd-probe, not saved");
		else if (lockfd == -ETIME)
			snprintf(line, sizeof(line), "no time left within -t to save it, not saved");
		else if (lockfd < 0)
			snprintf(line, sizeof(line), "cannot lock it (%s), not saved",
				 strerror(-lockfd));
		if (lockfd < 0)
			note_add(probs, sizeof(probs), line);
	}
	/* a member without a record in a file that had a problem: the line says the file, not
	 * "first run" */
	bool file_bad = why[0] && strcmp(why, "no state yet") != 0;
	snprintf(ivnote, sizeof(ivnote), "state file unusable (%.100s): a new interval starts",
		 why);

	struct history_record *next = malloc(sizeof(*next));
	if (!next) {
		history_set_free(&set);
		if (lockfd >= 0)
			close(lockfd);
		snprintf(note, notelen, "state file: out of memory");
		return -ENOMEM;
	}
	/* derive from the file's records as read: two URLs of one member both compare with the
	 * last run, not with each other */
	struct history_set out = {0};
	bool oom = false;
	/* stale records go; so do those as far in the future (a clock once set wrong), which
	 * the age rule alone would keep for ever */
	for (size_t i = 0; i < set.n; i++)
		if (fabs(set.recs[i].time - now) <= HISTORY_MAX_AGE_S &&
		    history_upsert(&out, &set.recs[i]) < 0)
			oom = true;
	for (size_t i = 0; i < f->n_eps; i++) {
		struct endpoint_facts *ef = &f->eps[i];
		if (ef->metrics_raw && !history_eligible(ef)) {
			/* read but not keyed (Status refused, e.g. root-only on 3.5.28+): its
			 * lifetime figures still count, the real quota first; nothing is stored */
			history_derive(ef->metrics_raw, NULL, now, &ef->m, next);
			snprintf(ef->m.interval_note, sizeof(ef->m.interval_note),
				 "no member ID (Status not answered): figures are the member's "
				 "lifetime");
			continue;
		}
		if (!history_eligible(ef))
			continue;
		const struct history_record *prev =
			history_find(&set, ef->cluster_id, ef->member_id);
		history_derive(ef->metrics_raw, prev, now, &ef->m, next);
		if (!path)
			snprintf(ef->m.interval_note, sizeof(ef->m.interval_note),
				 "no state file: figures are the member's lifetime");
		else if (!prev && file_bad)
			snprintf(ef->m.interval_note, sizeof(ef->m.interval_note), "%s", ivnote);
		next->cluster_id = ef->cluster_id;
		next->member_id = ef->member_id;
		if (history_upsert(&out, next) < 0)
			oom = true;
	}
	free(next);
	if (oom && can_save) {
		can_save = false;
		ret = ret ? ret : -ENOMEM;
		note_add(probs, sizeof(probs), "out of memory, not saved");
	}

	if (can_save) {
		char *text = NULL;
		size_t len = 0;
		int e = history_format(&out, &text, &len);
		if (e == 0)
			e = history_write(path, text, len);
		free(text);
		if (e < 0) {
			ret = ret ? ret : e;
			snprintf(line, sizeof(line), "cannot save it: %s", strerror(-e));
			note_add(probs, sizeof(probs), line);
		}
	}
	if (probs[0])
		snprintf(note, notelen, "state file %s: %s", path, probs);
	if (lockfd >= 0)
		close(lockfd);
	history_set_free(&out);
	history_set_free(&set);
	return ret;
}

/* mkdir of the last component only: a missing parent is the operator's to create. */
static void history_mkdir_parent(const char *path)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return;
	*slash = '\0';
	(void)mkdir(dir, 0700); /* EEXIST is the usual case; other errors show when saving */
}

const char *history_default_path(char *buf, size_t len)
{
	const char *sd = getenv("STATE_DIRECTORY"), *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	int n;
	if (sd && sd[0] == '/') {
		/* systemd joins several StateDirectory= entries with ':' */
		size_t first = strcspn(sd, ":");
		n = snprintf(buf, len, "%.*s/state", (int)first, sd);
		return n >= 0 && (size_t)n < len ? buf : NULL; /* systemd made that directory */
	}
	if (geteuid() == 0)
		n = snprintf(buf, len, "/var/lib/etcd-probe/state");
	else if (xdg && xdg[0] == '/') /* the XDG spec: a relative path is to be ignored */
		n = snprintf(buf, len, "%s/etcd-probe/state", xdg);
	else if (home && home[0] == '/')
		n = snprintf(buf, len, "%s/.local/state/etcd-probe/state", home);
	else
		return NULL;
	if (n < 0 || (size_t)n >= len)
		return NULL;
	history_mkdir_parent(buf);
	return buf;
}
