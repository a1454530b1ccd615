/* journal.c: stream etcd's entries from the systemd journal into the classifier and aggregates. */
#include "diag/journal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "diag/access_hint.h"
#include "diag/journal_access.h"
#include "diag/logsink.h"
#include "diag/text.h"
#include "proto/conn.h"

static int journal_scan_readable(const struct journal_opts *o, struct diag_aggs *aggs, char *err,
				 size_t errlen);

/* One filter per call (systemd style): unit OR identifier. */
static int add_match_field(sd_journal *j, const char *field, const char *value)
{
	char buf[256];
	int n = snprintf(buf, sizeof(buf), "%s=%s", field, value);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -EINVAL;
	return sd_journal_add_match(j, buf, 0);
}

static int add_etcd_matches(sd_journal *j, const struct journal_opts *o)
{
	int r = add_match_field(j, "_SYSTEMD_UNIT", o->unit ? o->unit : "etcd.service");
	if (r < 0)
		return r;
	/* nothing here runs as a unit in labs or containers: the identifier too (LAB_NOTES) */
	r = sd_journal_add_disjunction(j);
	if (r < 0)
		return r;
	return add_match_field(j, "SYSLOG_IDENTIFIER", o->identifier ? o->identifier : "etcd");
}

/* The value of FIELD= in the current entry; *len 0 when absent. */
static const char *field_get(sd_journal *j, const char *field, size_t *len)
{
	const void *d;
	size_t n;
	size_t fl = strlen(field);
	*len = 0;
	if (sd_journal_get_data(j, field, &d, &n) < 0 || n < fl + 1)
		return NULL;
	*len = n - fl - 1;
	return (const char *)d + fl + 1;
}

static int parse_priority(const char *p, size_t n)
{
	return (n == 1 && p[0] >= '0' && p[0] <= '7') ? p[0] - '0' : -1;
}

/* The other fields only for hits (logsink asks): most entries are healthy chatter. */
static void entry_more(void *ctx, struct logsink_more *ret)
{
	sd_journal *j = ctx;
	size_t plen;
	const char *prio = field_get(j, "PRIORITY", &plen);
	ret->priority = prio ? parse_priority(prio, plen) : -1;
	ret->host = field_get(j, "_HOSTNAME", &ret->host_len);
}

int journal_scan(const struct journal_opts *o, struct diag_aggs *aggs, char *err, size_t errlen)
{
	char hidden[512] = "";
	int hr = journal_access_check(o, hidden, sizeof(hidden));
	int r0 = journal_scan_readable(o, aggs, err, errlen);
	if (hr < 0 && (r0 == 0 || r0 == -EACCES)) {
		char hint[160];
		access_hint(hidden, "systemd-journal or adm", hint, sizeof(hint));
		snprintf(err, errlen, "cannot read %s as uid %u (%s): etcd's entries there were not seen",
			 hidden, (unsigned)getuid(), hint);
		return -EACCES;
	}
	return r0;
}

static int journal_scan_readable(const struct journal_opts *o, struct diag_aggs *aggs, char *err,
				 size_t errlen)
{
	sd_journal *j = NULL;
	int r;

	if (o->dir)
		r = sd_journal_open_directory(&j, o->dir, 0);
	else if (o->files[0])
		r = sd_journal_open_files(&j, (const char **)o->files, 0);
	else
		r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
	if (r < 0) {
		snprintf(err, errlen, "cannot open the journal%s%s: %s", o->dir ? " in " : "",
			 o->dir ? o->dir : "", strerror(-r));
		return r;
	}
	r = add_etcd_matches(j, o);
	if (r < 0) {
		snprintf(err, errlen, "cannot filter the journal: %s", strerror(-r));
		goto out;
	}
	r = o->since_usec ? sd_journal_seek_realtime_usec(j, o->since_usec)
			  : sd_journal_seek_head(j);
	if (r < 0) {
		snprintf(err, errlen, "cannot seek in the journal: %s", strerror(-r));
		goto out;
	}
	/* bounded: MESSAGE larger than this is truncated by sd-journal, not by us */
	sd_journal_set_data_threshold(j, 64 * 1024);
	for (uint64_t n = 0;; n++) {
		/* the clock every 1024 entries: a few microseconds' worth of reading each */
		if (o->deadline_ns && (n & 1023) == 0 && conn_now_ns() >= o->deadline_ns) {
			aggs->cut_by_deadline = true;
			break;
		}
		r = sd_journal_next(j);
		if (r < 0) {
			snprintf(err, errlen, "cannot read the journal: %s", strerror(-r));
			goto out;
		}
		if (r == 0)
			break;
		uint64_t usec = 0;
		if (sd_journal_get_realtime_usec(j, &usec) < 0)
			continue;
		if (o->since_usec && usec < o->since_usec)
			continue;
		if (o->until_usec && usec > o->until_usec)
			break;
		size_t mlen;
		const char *msg = field_get(j, "MESSAGE", &mlen);
		if (!msg) {
			aggs_count_entry(aggs, usec);
			continue;
		}
		logsink_add(aggs, usec, msg, mlen, entry_more, j);
	}
	r = 0;
out:
	sd_journal_close(j);
	return r;
}

/* Strict unsigned decimal; -EINVAL on anything else. */
static int parse_u64(const char *s, size_t n, uint64_t *ret)
{
	uint64_t v = 0;
	if (n == 0 || n > 18)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*ret = v;
	return 0;
}

int journal_parse_time(const char *s, uint64_t now_usec, uint64_t *ret_usec)
{
	static const struct {
		char unit;
		uint64_t usec;
	} units[] = {
		{'s', 1000000ull}, {'m', 60000000ull}, {'h', 3600000000ull}, {'d', 86400000000ull},
	};
	uint64_t v;
	size_t n = s ? strlen(s) : 0;

	if (n == 0)
		return -EINVAL;
	if (strcmp(s, "now") == 0) {
		*ret_usec = now_usec;
		return 0;
	}
	if (s[0] == '@') {
		if (parse_u64(s + 1, n - 1, &v) < 0)
			return -EINVAL;
		*ret_usec = v * 1000000ull;
		return 0;
	}
	if (s[0] == '-' && n >= 3) {
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (s[n - 1] == units[i].unit) {
				if (parse_u64(s + 1, n - 2, &v) < 0 || v > UINT64_MAX / units[i].usec)
					return -EINVAL;
				uint64_t d = v * units[i].usec;
				*ret_usec = d > now_usec ? 0 : now_usec - d;
				return 0;
			}
		return -EINVAL;
	}
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *end = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
	if (!end || *end) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, "%Y-%m-%d %H:%M", &tm);
	}
	if (!end || *end)
		return -EINVAL;
	tm.tm_isdst = -1;
	time_t t = mktime(&tm); /* local time, as journalctl --since reads it */
	if (t == (time_t)-1)
		return -EINVAL;
	*ret_usec = (uint64_t)t * 1000000ull;
	return 0;
}
