/* prom_text: one bounded pass over a Prometheus text exposition (0.0.4), filling the caller's
 * want table. Grammar from the format's documentation ("Exposition formats", text format):
 *   line    = comment | sample | blank
 *   sample  = name [ "{" [ label { "," label } [ "," ] ] "}" ] value [ timestamp ]
 *   label   = lname "=" '"' escaped-value '"'
 * Every read is checked against the end of the text: etcd's body is not NUL-terminated. */
#include "proto/prom_text.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/sanitize.h"

static const char *const type_names[] = {
	[PROM_TYPE_NONE] = "none",	     [PROM_TYPE_COUNTER] = "counter",
	[PROM_TYPE_GAUGE] = "gauge",	     [PROM_TYPE_HISTOGRAM] = "histogram",
	[PROM_TYPE_SUMMARY] = "summary",     [PROM_TYPE_UNTYPED] = "untyped",
};

const char *prom_type_str(enum prom_type t)
{
	if ((size_t)t >= sizeof(type_names) / sizeof(type_names[0]))
		return "?";
	return type_names[t];
}

/* A byte range of the text; never NUL-terminated. */
struct span {
	const char *p;
	size_t n;
};

static bool span_is(struct span s, const char *lit)
{
	size_t n = strlen(lit);
	return s.n == n && memcmp(s.p, lit, n) == 0;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static const char *skip_blank(const char *p, const char *end)
{
	while (p < end && is_blank(*p))
		p++;
	return p;
}

static bool is_alpha_(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Metric names: [a-zA-Z_:][a-zA-Z0-9_:]*; label names the same without ':'. Returns the span
 * (n == 0 when p does not start one) and moves *pp past it. */
static struct span take_name(const char **pp, const char *end, bool colon)
{
	const char *p = *pp;
	struct span s = {p, 0};
	if (p == end || !(is_alpha_(*p) || (colon && *p == ':')))
		return s;
	while (p < end && (is_alpha_(*p) || is_digit(*p) || (colon && *p == ':')))
		p++;
	s.n = (size_t)(p - s.p);
	*pp = p;
	return s;
}

/* A token up to the next blank or the end of the line. */
static struct span take_token(const char **pp, const char *end)
{
	const char *p = *pp;
	struct span s = {p, 0};
	while (p < end && !is_blank(*p))
		p++;
	s.n = (size_t)(p - s.p);
	*pp = p;
	return s;
}

/* A label pair; the value still escaped. */
struct label {
	struct span name, raw;
};

/* Reads the next label pair of a label set (after its '{'). Returns 1 with *l set, 0 at the
 * closing brace (*pp then points past it), -1 when malformed. Escapes are the format's three:
 * \\, \" and \n; anything else after a backslash is malformed (as in Prometheus' parser). */
static int label_next(const char **pp, const char *end, struct label *l)
{
	const char *p = skip_blank(*pp, end);
	if (p == end)
		return -1;
	if (*p == '}') {
		*pp = p + 1;
		return 0;
	}
	l->name = take_name(&p, end, false);
	if (l->name.n == 0)
		return -1;
	p = skip_blank(p, end);
	if (p == end || *p != '=')
		return -1;
	p = skip_blank(p + 1, end);
	if (p == end || *p != '"')
		return -1;
	l->raw.p = ++p;
	while (p < end && *p != '"') {
		if (*p == '\\') {
			if (++p == end || (*p != '\\' && *p != '"' && *p != 'n'))
				return -1;
		}
		p++;
	}
	if (p == end)
		return -1;
	l->raw.n = (size_t)(p - l->raw.p);
	p = skip_blank(p + 1, end);
	if (p < end && *p == ',')
		p++;
	else if (p == end || *p != '}')
		return -1;
	*pp = p;
	return 1;
}

/* The raw value of label name in a well-formed label set (the bytes after '{'), if present. */
static bool label_find(struct span set, const char *name, struct span *ret_raw)
{
	const char *p = set.p, *end = set.p + set.n;
	struct label l;
	while (label_next(&p, end, &l) == 1) {
		if (span_is(l.name, name)) {
			*ret_raw = l.raw;
			return true;
		}
	}
	return false;
}

/* Unescapes a checked raw label value into out. Returns its length, or SIZE_MAX when it does
 * not fit in cap - 1 bytes (a cut value could merge two label values into one series). */
static size_t label_unescape(struct span raw, char *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < raw.n; i++) {
		char c = raw.p[i];
		if (c == '\\' && i + 1 < raw.n) {
			c = raw.p[++i];
			if (c == 'n')
				c = '\n';
		}
		if (n + 1 >= cap)
			return SIZE_MAX;
		out[n++] = c;
	}
	out[n] = '\0';
	return n;
}

/* Go's ParseFloat spellings of the non-finite values (client_golang writes "+Inf", "-Inf",
 * "NaN"; ParseFloat, which Prometheus reads them with, ignores case). */
static const struct {
	const char *text;
	double value;
} special_floats[] = {
	{"inf", INFINITY},	{"+inf", INFINITY},	   {"-inf", -INFINITY},
	{"infinity", INFINITY}, {"+infinity", INFINITY}, {"-infinity", -INFINITY},
	{"nan", NAN},
};

/* Parses a whole token as a float: decimal notation only (no hex, no "nan(...)", which strtod
 * would take). strtod reads a NUL-terminated copy; the programs never call setlocale(), so its
 * decimal point is '.'. Overflow ("1e999") is malformed, as for ParseFloat. */
static bool parse_float(struct span s, double *ret)
{
	char buf[64];
	if (s.n == 0 || s.n >= sizeof(buf))
		return false;
	for (size_t i = 0; i < sizeof(special_floats) / sizeof(special_floats[0]); i++) {
		if (strlen(special_floats[i].text) == s.n &&
		    strncasecmp(s.p, special_floats[i].text, s.n) == 0) {
			*ret = special_floats[i].value;
			return true;
		}
	}
	for (size_t i = 0; i < s.n; i++) {
		if (!is_digit(s.p[i]) && !strchr(".eE+-", s.p[i]))
			return false;
	}
	memcpy(buf, s.p, s.n);
	buf[s.n] = '\0';
	char *e;
	errno = 0;
	double d = strtod(buf, &e);
	if (e != buf + s.n || (errno == ERANGE && isinf(d)))
		return false;
	*ret = d;
	return true;
}

/* A timestamp: an int64 of milliseconds, optional '-'. */
static bool timestamp_ok(struct span s)
{
	size_t i = (s.n > 0 && s.p[0] == '-') ? 1 : 0;
	if (s.n == i || s.n - i > 19)
		return false;
	for (; i < s.n; i++) {
		if (!is_digit(s.p[i]))
			return false;
	}
	return true;
}

/* What a sample line is to one want row. */
enum role {
	ROLE_NONE,
	ROLE_VALUE,
	ROLE_BUCKET,
	ROLE_SUM,
	ROLE_COUNT,
};

static const struct {
	const char *suffix;
	enum role role;
} hist_suffixes[] = {
	{"_bucket", ROLE_BUCKET},
	{"_sum", ROLE_SUM},
	{"_count", ROLE_COUNT},
};

static enum role role_of(struct span name, const struct prom_want *w, size_t wlen)
{
	if (w->kind == PROM_WANT_VALUE)
		return (name.n == wlen && memcmp(name.p, w->name, wlen) == 0) ? ROLE_VALUE
									     : ROLE_NONE;
	if (name.n <= wlen || memcmp(name.p, w->name, wlen) != 0)
		return ROLE_NONE;
	struct span rest = {name.p + wlen, name.n - wlen};
	for (size_t i = 0; i < sizeof(hist_suffixes) / sizeof(hist_suffixes[0]); i++) {
		if (span_is(rest, hist_suffixes[i].suffix))
			return hist_suffixes[i].role;
	}
	return ROLE_NONE;
}

/* One scan's state: the want table with its name lengths, and the output. */
struct scan {
	const struct prom_want *want;
	size_t n_want;
	size_t wlen[PROM_MAX_WANTS];
	struct prom_value *out;
	struct prom_scan_stats st;
};

/* The series of want i that a sample with label set `set` belongs to, made when new; NULL when
 * it has no slot (counted). */
static struct prom_series *series_for(struct scan *s, size_t i, bool has_set, struct span set)
{
	struct prom_value *v = &s->out[i];
	char raw[PROM_LABEL_VALUE_MAX], clean[PROM_LABEL_VALUE_MAX];
	clean[0] = '\0';
	if (s->want[i].by_label) {
		struct span rv;
		if (has_set && label_find(set, s->want[i].by_label, &rv)) {
			size_t n = label_unescape(rv, raw, sizeof(raw));
			if (n == SIZE_MAX) {
				v->dropped_series++;
				return NULL;
			}
			sanitize_text(raw, n, clean, sizeof(clean));
		}
	}
	for (size_t k = 0; k < v->n_series; k++) {
		if (strcmp(v->series[k].label, clean) == 0)
			return &v->series[k];
	}
	if (v->n_series == PROM_MAX_SERIES) {
		v->dropped_series++;
		return NULL;
	}
	struct prom_series *ps = &v->series[v->n_series++];
	memcpy(ps->label, clean, strlen(clean) + 1);
	return ps;
}

/* Adds a bucket count at bound le (finite) in ascending place. False when there is no room. */
static bool hist_add_bucket(struct prom_hist *h, double le, double count)
{
	size_t i = 0;
	while (i < h->n_buckets && h->le[i] < le)
		i++;
	if (i < h->n_buckets && h->le[i] == le) {
		h->cum[i] += count;
		return true;
	}
	if (h->n_buckets == PROM_MAX_BUCKETS)
		return false;
	memmove(&h->le[i + 1], &h->le[i], (h->n_buckets - i) * sizeof(h->le[0]));
	memmove(&h->cum[i + 1], &h->cum[i], (h->n_buckets - i) * sizeof(h->cum[0]));
	h->le[i] = le;
	h->cum[i] = count;
	h->n_buckets++;
	return true;
}

static void bad_line(struct scan *s)
{
	if (s->st.bad_lines++ == 0)
		s->st.first_bad_line = s->st.lines;
}

static const struct {
	const char *word;
	enum prom_type type;
} type_words[] = {
	{"counter", PROM_TYPE_COUNTER}, {"gauge", PROM_TYPE_GAUGE},
	{"histogram", PROM_TYPE_HISTOGRAM}, {"summary", PROM_TYPE_SUMMARY},
	{"untyped", PROM_TYPE_UNTYPED},
};

/* A '#' line (p past the '#'): "# TYPE name type" sets a wanted family's type; "# HELP" and
 * other comments are skipped unread. */
static void scan_comment(struct scan *s, const char *p, const char *end)
{
	p = skip_blank(p, end);
	struct span word = take_token(&p, end);
	if (!span_is(word, "TYPE"))
		return;
	const char *q = skip_blank(p, end);
	if (q == p)
		goto bad;
	struct span name = take_name(&q, end, true);
	if (name.n == 0 || q == end || !is_blank(*q))
		goto bad;
	q = skip_blank(q, end);
	struct span tw = take_token(&q, end);
	if (skip_blank(q, end) != end)
		goto bad;
	enum prom_type type = PROM_TYPE_NONE;
	for (size_t i = 0; i < sizeof(type_words) / sizeof(type_words[0]); i++) {
		if (span_is(tw, type_words[i].word))
			type = type_words[i].type;
	}
	if (type == PROM_TYPE_NONE)
		goto bad;
	for (size_t i = 0; i < s->n_want; i++) {
		if (name.n == s->wlen[i] && memcmp(name.p, s->want[i].name, name.n) == 0)
			s->out[i].type = type;
	}
	return;
bad:
	bad_line(s);
}

/* One sample line, whole: syntax first, then what it means to each want, then (only when all
 * of that holds) into the output, so a malformed line changes nothing. */
static void scan_sample(struct scan *s, const char *p, const char *end)
{
	struct span name = take_name(&p, end, true);
	if (name.n == 0)
		goto bad;
	struct span set = {NULL, 0};
	bool has_set = false;
	const char *after_name = p;
	p = skip_blank(p, end); /* Prometheus' parser allows "name {a=\"b\"} 1" too */
	if (p < end && *p == '{') {
		const char *q = p + 1;
		struct label l;
		int r;
		while ((r = label_next(&q, end, &l)) == 1)
			;
		if (r < 0)
			goto bad;
		set.p = p + 1;
		set.n = (size_t)(q - set.p);
		has_set = true;
		p = q;
	}
	if (!has_set && p == after_name)
		goto bad; /* "name1" would be a name: the value needs a blank before it */
	p = skip_blank(p, end);
	double value;
	if (!parse_float(take_token(&p, end), &value))
		goto bad;
	p = skip_blank(p, end);
	if (p < end) {
		if (!timestamp_ok(take_token(&p, end)))
			goto bad;
		if (skip_blank(p, end) != end)
			goto bad;
	}
	unsigned char role[PROM_MAX_WANTS];
	bool any = false, need_le = false, need_count = false;
	for (size_t i = 0; i < s->n_want; i++) {
		role[i] = (unsigned char)role_of(name, &s->want[i], s->wlen[i]);
		any |= role[i] != ROLE_NONE;
		need_le |= role[i] == ROLE_BUCKET;
		need_count |= role[i] == ROLE_BUCKET || role[i] == ROLE_COUNT;
	}
	if (!any) {
		s->st.samples++;
		return;
	}
	/* A histogram's counts are finite and >= 0, a bucket has one le that is a number, not
	 * NaN nor -Inf: anything else would poison every quantile computed from it. */
	if (need_count && !(isfinite(value) && value >= 0))
		goto bad;
	double le = 0;
	if (need_le) {
		struct span raw;
		char buf[64];
		if (!has_set || !label_find(set, "le", &raw))
			goto bad;
		size_t n = label_unescape(raw, buf, sizeof(buf));
		struct span ls = {buf, n};
		if (n == SIZE_MAX || !parse_float(ls, &le) || isnan(le) || le == -INFINITY)
			goto bad;
	}
	for (size_t i = 0; i < s->n_want; i++) {
		if (role[i] == ROLE_NONE)
			continue;
		struct prom_series *ps = series_for(s, i, has_set, set);
		if (!ps)
			continue;
		struct prom_hist *h = &ps->hist;
		switch ((enum role)role[i]) {
		case ROLE_VALUE:
			ps->value += value;
			break;
		case ROLE_BUCKET:
			if (isinf(le)) {
				h->inf += value;
				h->has_inf = true;
			} else if (!hist_add_bucket(h, le, value)) {
				s->out[i].dropped_buckets++;
				continue;
			}
			break;
		case ROLE_SUM:
			h->sum += value;
			h->has_sum = true;
			break;
		case ROLE_COUNT:
			h->count += value;
			h->has_count = true;
			break;
		case ROLE_NONE:
			break;
		}
		ps->n_samples++;
	}
	s->st.samples++;
	s->st.kept++;
	return;
bad:
	bad_line(s);
}

int prom_text_scan(const char *text, size_t len, const struct prom_want *want, size_t n_want,
		   struct prom_value *out, struct prom_scan_stats *ret_stats)
{
	struct scan s = {.want = want, .n_want = n_want, .out = out};
	if (ret_stats)
		memset(ret_stats, 0, sizeof(*ret_stats));
	if (n_want > PROM_MAX_WANTS || (n_want > 0 && (!want || !out)))
		return -EINVAL;
	if (out)
		memset(out, 0, n_want * sizeof(*out));
	if (!text && len > 0)
		return -EINVAL;
	for (size_t i = 0; i < n_want; i++) {
		if (!want[i].name || (want[i].kind != PROM_WANT_VALUE &&
				      want[i].kind != PROM_WANT_HISTOGRAM))
			return -EINVAL;
		s.wlen[i] = strnlen(want[i].name, PROM_NAME_MAX + 1);
		if (s.wlen[i] == 0 || s.wlen[i] > PROM_NAME_MAX)
			return -EINVAL;
		const char *bl = want[i].by_label;
		if (bl && (strnlen(bl, PROM_NAME_MAX + 1) > PROM_NAME_MAX || !*bl ||
			   strcmp(bl, "le") == 0))
			return -EINVAL;
	}
	const char *p = text, *end = text ? text + len : NULL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			/* "The last line must end with a line feed character": without it the
			 * line may be a body cut short at a cap, its number cut with it. */
			s.st.truncated = true;
			break;
		}
		s.st.lines++;
		const char *q = skip_blank(p, nl);
		if (q < nl && *q == '#')
			scan_comment(&s, q + 1, nl);
		else if (q < nl)
			scan_sample(&s, q, nl);
		p = nl + 1;
	}
	if (ret_stats)
		*ret_stats = s.st;
	return 0;
}

const struct prom_series *prom_value_series(const struct prom_value *v, const char *label_value)
{
	if (!v || !label_value)
		return NULL;
	size_t n = v->n_series < PROM_MAX_SERIES ? v->n_series : PROM_MAX_SERIES;
	for (size_t k = 0; k < n; k++) {
		if (strncmp(v->series[k].label, label_value, sizeof(v->series[k].label)) == 0)
			return &v->series[k];
	}
	return NULL;
}

int prom_histogram_quantile(const struct prom_hist *now, const struct prom_hist *before, double q,
			    double *ret_value)
{
	if (!now || !ret_value)
		return -EINVAL;
	if (!(q >= 0 && q <= 1))
		return -EDOM;
	if (!now->has_inf || (before && !before->has_inf))
		return -EBADMSG;
	double total = now->inf - (before ? before->inf : 0);
	if (!isfinite(total))
		return -EBADMSG;
	if (total < 0)
		return -ESTALE;
	/* The bounds both scans kept (each list ascending), with the interval's counts. */
	double le[PROM_MAX_BUCKETS], cum[PROM_MAX_BUCKETS];
	size_t n = 0, j = 0;
	size_t n_now = now->n_buckets < PROM_MAX_BUCKETS ? now->n_buckets : PROM_MAX_BUCKETS;
	size_t n_before = 0;
	if (before)
		n_before = before->n_buckets < PROM_MAX_BUCKETS ? before->n_buckets
								: PROM_MAX_BUCKETS;
	for (size_t i = 0; i < n_now; i++) {
		double b = 0;
		if (before) {
			while (j < n_before && before->le[j] < now->le[i])
				j++;
			if (j == n_before || before->le[j] != now->le[i])
				continue;
			b = before->cum[j];
		}
		double d = now->cum[i] - b;
		if (!isfinite(d) || !isfinite(now->le[i]))
			return -EBADMSG;
		if (d < 0)
			return -ESTALE;
		le[n] = now->le[i];
		cum[n] = d;
		n++;
	}
	if (total == 0 || n == 0)
		return -ENODATA;
	/* Prometheus does the same (ensureMonotonic): the buckets of one scrape are not read
	 * at one instant, so a later bucket can lag an earlier one. */
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && cum[i] < cum[i - 1])
			cum[i] = cum[i - 1];
		if (cum[i] > total)
			cum[i] = total;
	}
	double rank = q * total;
	size_t i = 0;
	while (i < n && (cum[i] < rank || cum[i] == 0))
		i++;
	if (i == n) {
		*ret_value = le[n - 1];
		return 0;
	}
	if (i == 0 && le[0] <= 0) {
		*ret_value = le[0];
		return 0;
	}
	double lo = i > 0 ? le[i - 1] : 0, lo_count = i > 0 ? cum[i - 1] : 0;
	double in_bucket = cum[i] - lo_count;
	double frac = rank > lo_count ? (rank - lo_count) / in_bucket : 0;
	/* Weighted rather than lo + (hi - lo) * frac: hi - lo can overflow (-1e308, 1e308), and
	 * the rounding must not put the answer outside its bucket. */
	double r = lo * (1 - frac) + le[i] * frac;
	*ret_value = fmax(lo, fmin(le[i], r));
	return 0;
}
