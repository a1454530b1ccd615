/* logshape.c: the shape of one log-file line (CRI, docker json-file, syslog, etcd's own), its
 * time, the etcd text inside it, and the joining of split lines. */
#include "diag/logshape.h"

#include <string.h>

#include <jansson.h>

#include "diag/text.h"

static const char *const kind_names[LOGSHAPE__MAX] = {
	[LOGSHAPE_PLAIN] = "plain", [LOGSHAPE_CRI] = "cri", [LOGSHAPE_DOCKER] = "docker",
	[LOGSHAPE_SYSLOG] = "syslog",
};

const char *logshape_kind_str(enum logshape_kind k)
{
	return (unsigned)k < LOGSHAPE__MAX ? kind_names[k] : "?";
}

/* n decimal digits at s, or -1. */
static long digits(const char *s, size_t n)
{
	long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil):
 * timegm() without the locale lock, one call per line of a million-line file. */
static long days_from_civil(long y, long m, long d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Civil time in seconds since the epoch (as if UTC); -1 when out of range (before 1970,
 * fields out of bounds). */
static long long civil_secs(long y, long mo, long d, long h, long mi, long s)
{
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    s > 60 || h < 0 || mi < 0 || s < 0)
		return -1;
	return (long long)days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

/* Seconds of a civil time minus off_s (the stamp's zone) plus us, in microseconds; 0 when out
 * of range. */
static uint64_t zoned_usec(long long secs, long us, long off_s)
{
	if (secs < 0 || secs - off_s <= 0)
		return 0;
	return (uint64_t)(secs - off_s) * 1000000ull + (uint64_t)us;
}

static uint64_t civil_usec(long y, long mo, long d, long h, long mi, long s, long us, long off_s)
{
	return zoned_usec(civil_secs(y, mo, d, h, mi, s), us, off_s);
}

/* ".106784123" at s: microseconds (the first 6 digits, at most 9 taken), the bytes taken in
 * *used (0: no fraction). On every line of a file: one pass, no second scaling loop. */
static long fraction_us(const char *s, size_t len, size_t *used)
{
	static const long scale[7] = {0, 100000, 10000, 1000, 100, 10, 1};
	size_t i = 1, end = len < 10 ? len : 10;
	long us = 0;
	*used = 0;
	if (len < 2 || s[0] != '.')
		return 0;
	for (; i < end && i <= 6 && (unsigned)(s[i] - '0') < 10; i++)
		us = us * 10 + (s[i] - '0');
	if (i == 1)
		return 0;
	us *= scale[i - 1];
	while (i < end && (unsigned)(s[i] - '0') < 10)
		i++;
	*used = i;
	return us;
}

/* "YYYY<sep>MM<sep>DD<tsep>HH:MM:SS" at s into its fields; false when it is not one. */
static bool parse_civil(const char *s, size_t len, char sep, char tsep, long f[6])
{
	if (len < 19 || s[4] != sep || s[7] != sep || s[10] != tsep || s[13] != ':' || s[16] != ':')
		return false;
	static const size_t at[6] = {0, 5, 8, 11, 14, 17};
	static const size_t width[6] = {4, 2, 2, 2, 2, 2};
	for (size_t i = 0; i < 6; i++)
		if ((f[i] = digits(s + at[i], width[i])) < 0)
			return false;
	return true;
}

/* RFC 3339 at s; memo (or NULL) keeps the last stamp's seconds: a file's consecutive lines
 * mostly share them, and the date arithmetic is most of the parse. */
static size_t rfc3339(const char *s, size_t len, struct logshape_memo *memo, uint64_t *ret_usec)
{
	long f[6];
	long long secs;
	size_t used, i = 19;
	if (memo && memo->valid && len >= 19 && memcmp(s, memo->head, 19) == 0) {
		secs = memo->secs;
	} else {
		if (!parse_civil(s, len, '-', 'T', f) ||
		    (secs = civil_secs(f[0], f[1], f[2], f[3], f[4], f[5])) < 0)
			return 0;
		if (memo) {
			memcpy(memo->head, s, 19);
			memo->secs = secs;
			memo->valid = true;
		}
	}
	long us = fraction_us(s + i, len - i, &used);
	i += used;
	long off = 0;
	if (i < len && s[i] == 'Z') {
		i++;
	} else if (i + 5 <= len && (s[i] == '+' || s[i] == '-')) {
		/* "+01:00" (CRI-O, rsyslog) or "+0100" (journalctl -o short-iso) */
		long hh = digits(s + i + 1, 2), mm;
		size_t n = 5;
		if (i + 6 <= len && s[i + 3] == ':') {
			mm = digits(s + i + 4, 2);
			n = 6;
		} else {
			mm = digits(s + i + 3, 2);
		}
		if (hh < 0 || mm < 0 || hh > 23 || mm > 59)
			return 0;
		off = (hh * 3600 + mm * 60) * (s[i] == '-' ? -1 : 1);
		i += n;
	} else {
		return 0;
	}
	uint64_t t = zoned_usec(secs, us, off);
	if (!t)
		return 0;
	*ret_usec = t;
	return i;
}

size_t logshape_parse_rfc3339(const char *s, size_t len, uint64_t *ret_usec)
{
	return rfc3339(s, len, NULL, ret_usec);
}

/* "Nov 24 19:13:39[.ffffff]" (RFC 3164, journalctl's default): bytes taken, 0 if not one. */
static size_t parse_rfc3164(const char *s, size_t len, const struct logshape_clock *clk,
			    uint64_t *ret_usec)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	if (len < 15 || s[3] != ' ' || s[6] != ' ' || s[9] != ':' || s[12] != ':')
		return 0;
	long mo = 0;
	for (long m = 0; m < 12; m++)
		if (memcmp(s, months + 3 * m, 3) == 0)
			mo = m + 1;
	long d = s[4] == ' ' ? digits(s + 5, 1) : digits(s + 4, 2);
	long h = digits(s + 7, 2), mi = digits(s + 10, 2), sec = digits(s + 13, 2);
	if (!mo || d < 0 || h < 0 || mi < 0 || sec < 0)
		return 0;
	size_t used;
	long us = fraction_us(s + 15, len - 15, &used);
	/* no year in the line: the file's; a month later than the file's last write is last year's */
	long y = clk->year - (mo > clk->month ? 1 : 0);
	uint64_t t = civil_usec(y, mo, d, h, mi, sec, us, clk->local_off_s);
	if (!t)
		return 0;
	*ret_usec = t;
	return 15 + used;
}

/* zap's "ts": an RFC 3339 string, or 3.4's float seconds. */
static uint64_t zap_ts(const char *s, size_t len)
{
	uint64_t t = 0;
	if (len && s[0] == '"')
		return logshape_parse_rfc3339(s + 1, len - 1, &t) ? t : 0;
	size_t i = 0;
	uint64_t secs = 0;
	while (i < len && i < 12 && s[i] >= '0' && s[i] <= '9')
		secs = secs * 10 + (uint64_t)(s[i++] - '0');
	if (i < 9 || i >= 12)
		return 0;
	size_t used;
	long us = fraction_us(s + i, len - i, &used);
	return secs * 1000000ull + (uint64_t)us;
}

uint64_t logshape_text_time(const char *s, size_t len, const struct logshape_clock *clk)
{
	long f[6];
	size_t used;
	if (len && s[0] == '{') {
		/* zap puts ts second or third ("level","ts" / "level","ts"); look in the head only */
		size_t head = len < 128 ? len : 128;
		const char *p = memmem(s, head, "\"ts\":", 5);
		return p ? zap_ts(p + 5, len - (size_t)(p + 5 - s)) : 0;
	}
	if (parse_civil(s, len, '-', ' ', f)) /* capnslog, local time */
		return civil_usec(f[0], f[1], f[2], f[3], f[4], f[5],
				  fraction_us(s + 19, len - 19, &used), clk->local_off_s);
	/* Go std-log: "raft2026/11/25 05:30:53", "WARNING: 2026/11/25 05:32:50", local time */
	size_t i = 0;
	while (i < len && i < 16 && !(s[i] >= '0' && s[i] <= '9'))
		i++;
	if (i < len && parse_civil(s + i, len - i, '/', ' ', f))
		return civil_usec(f[0], f[1], f[2], f[3], f[4], f[5],
				  fraction_us(s + i + 19, len - i - 19, &used), clk->local_off_s);
	return 0;
}

/* "host tag[pid]: text" after a syslog stamp; false when the rest is not that. */
static bool parse_syslog_rest(const char *s, size_t len, const struct logshape_opts *o,
			      struct logshape_line *r)
{
	size_t i = 0;
	if (len < 1 || s[0] != ' ')
		return false;
	i = 1;
	size_t h0 = i;
	while (i < len && s[i] != ' ' && i - h0 < 64)
		i++;
	if (i == h0 || i >= len || s[i] != ' ')
		return false;
	size_t hlen = i - h0;
	i++;
	size_t t0 = i;
	while (i < len && s[i] != '[' && s[i] != ':' && s[i] != ' ' && i - t0 < 48)
		i++;
	size_t tlen = i - t0;
	if (tlen == 0 || i >= len)
		return false;
	if (s[i] == '[') {
		while (i < len && s[i] != ']' && s[i] != ' ')
			i++;
		if (i >= len || s[i] != ']')
			return false;
		i++;
	}
	if (i >= len || s[i] != ':')
		return false;
	i++;
	if (i < len && s[i] == ' ')
		i++;
	r->kind = LOGSHAPE_SYSLOG;
	r->etcd = false;
	for (const char *const *t = o->tags; t && *t; t++)
		if (strlen(*t) == tlen && memcmp(*t, s + t0, tlen) == 0)
			r->etcd = true;
	text_copy(r->host, sizeof(r->host), s + h0, hlen);
	r->text = s + i;
	r->text_len = len - i;
	/* CoreOS's etcd-wrapper and etcd-member, and etcd embedded in k3s or rke2: the tag is
	 * not etcd's, the line is (it carries etcd's own stamp: capnslog, zap, Go's log); the
	 * process's other lines (klog, logfmt) do not */
	if (!r->etcd && ((tlen > 4 && memcmp(s + t0, "etcd-", 5) == 0) ||
			 logshape_text_time(r->text, r->text_len, &o->clock) != 0))
		r->etcd = true;
	return true;
}

/* "<stamp> stdout|stderr F|P <line>" after the stamp; false when not that. */
static bool parse_cri_rest(const char *s, size_t len, struct logshape_line *r)
{
	if (len < 9 || s[0] != ' ' || (memcmp(s + 1, "stderr ", 7) && memcmp(s + 1, "stdout ", 7)))
		return false;
	if ((s[8] != 'F' && s[8] != 'P') || (len > 9 && s[9] != ' '))
		return false;
	r->kind = LOGSHAPE_CRI;
	r->partial = s[8] == 'P';
	r->text = len > 10 ? s + 10 : s + len;
	r->text_len = len > 10 ? len - 10 : 0;
	return true;
}

/* {"log":"...","stream":"...","time":"..."}: bounded (the line is), NULs kept. */
static bool parse_docker(const char *s, size_t len, char *scratch, size_t cap,
			 struct logshape_line *r)
{
	json_error_t jerr;
	json_t *doc = json_loadb(s, len, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &jerr);
	json_t *log = doc ? json_object_get(doc, "log") : NULL;
	if (!json_is_string(log)) {
		json_decref(doc);
		return false;
	}
	size_t n = json_string_length(log);
	const char *v = json_string_value(log);
	r->partial = !(n && v[n - 1] == '\n'); /* docker splits lines over 16 KiB without it */
	if (!r->partial)
		n--;
	if (n > cap)
		n = cap;
	memcpy(scratch, v, n);
	r->kind = LOGSHAPE_DOCKER;
	r->text = scratch;
	r->text_len = n;
	const char *t = json_string_value(json_object_get(doc, "time"));
	if (t)
		logshape_parse_rfc3339(t, strlen(t), &r->usec);
	json_decref(doc);
	return true;
}

void logshape_parse(const char *s, size_t len, const struct logshape_opts *o, char *scratch,
		    size_t scratch_cap, struct logshape_line *r)
{
	/* field by field, not memset: this runs on every line of a file */
	r->kind = LOGSHAPE_PLAIN;
	r->etcd = true;
	r->partial = false;
	r->usec = 0;
	r->host[0] = '\0';
	r->text = s;
	r->text_len = len;
	uint64_t t = 0;
	size_t n;
	if (len > 8 && s[0] == '{' && memcmp(s, "{\"log\":", 7) == 0 &&
	    parse_docker(s, len, scratch, scratch_cap, r))
		return;
	if (len && s[0] >= '0' && s[0] <= '9' && (n = rfc3339(s, len, o->memo, &t)) != 0) {
		r->usec = t;
		if (parse_cri_rest(s + n, len - n, r) || parse_syslog_rest(s + n, len - n, o, r))
			return;
		r->text = s; /* a stamped line of some other shape: its stamp, all of it as text */
		r->text_len = len;
		return;
	}
	if (len >= 6 && memcmp(s, "-- ", 3) == 0 && memcmp(s + len - 3, " --", 3) == 0) {
		r->kind = LOGSHAPE_SYSLOG; /* journalctl's "-- Boot 0123... --": no one's line */
		r->etcd = false;
		return;
	}
	if (len && s[0] >= 'A' && s[0] <= 'S' && (n = parse_rfc3164(s, len, &o->clock, &t)) != 0 &&
	    parse_syslog_rest(s + n, len - n, o, r)) {
		r->usec = t;
		return;
	}
	r->usec = logshape_text_time(s, len, &o->clock);
}

const char *logjoin_add(struct logjoin *j, const char *part, size_t len, bool partial,
			uint64_t usec, size_t *ret_len, bool *ret_cut)
{
	if (!j->open && !partial) {
		*ret_len = len;
		*ret_cut = false;
		return part;
	}
	if (!j->open) {
		j->open = true;
		j->len = 0;
		j->cut = false;
		j->usec = usec;
	}
	size_t room = sizeof(j->buf) - j->len;
	if (len > room) {
		len = room;
		j->cut = true;
	}
	memcpy(j->buf + j->len, part, len);
	j->len += len;
	if (partial)
		return NULL;
	return logjoin_flush(j, ret_len, ret_cut);
}

const char *logjoin_flush(struct logjoin *j, size_t *ret_len, bool *ret_cut)
{
	if (!j->open)
		return NULL;
	j->open = false;
	*ret_len = j->len;
	*ret_cut = j->cut;
	return j->buf;
}
