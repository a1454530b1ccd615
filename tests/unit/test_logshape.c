/* test_logshape.c: the shape, time and inner text of log-file lines (CRI from containerd and
 * CRI-O, docker json-file, syslog, etcd's own), stamps, and the joining of split lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diag/logshape.h"

/* 2026-11-24T19:13:39Z */
#define T0 1795547619ull
#define US(s) ((uint64_t)(s) * 1000000ull)

static const char *const tags[] = {"etcd", "etcd2", "etcd3", NULL};
static const struct logshape_opts opts = {{2026, 12, 0}, tags, NULL};
static char scratch[LOGSHAPE_LINE_MAX];

static struct logshape_line parse(const char *s)
{
	struct logshape_line l;
	logshape_parse(s, strlen(s), &opts, scratch, sizeof(scratch), &l);
	return l;
}

static void assert_text(const struct logshape_line *l, const char *want)
{
	assert_int_equal(l->text_len, strlen(want));
	assert_memory_equal(l->text, want, l->text_len);
}

static void test_rfc3339(void **state)
{
	(void)state;
	uint64_t t;
	const char *s = "2026-11-24T19:13:39.106784123Z";
	assert_int_equal(logshape_parse_rfc3339(s, strlen(s), &t), strlen(s));
	assert_int_equal(t, US(T0) + 106784);
	s = "2026-11-24T20:13:39.106784123+01:00 x";
	assert_int_equal(logshape_parse_rfc3339(s, strlen(s), &t), strlen(s) - 2);
	assert_int_equal(t, US(T0) + 106784);
	s = "2026-11-24T14:13:39-0500";
	assert_int_equal(logshape_parse_rfc3339(s, strlen(s), &t), strlen(s));
	assert_int_equal(t, US(T0));
	s = "2026-11-24T19:13:39.1Z";
	assert_int_equal(logshape_parse_rfc3339(s, strlen(s), &t), strlen(s));
	assert_int_equal(t, US(T0) + 100000);
	/* no zone, bad fields, cut short, before 1970: not a stamp */
	static const char *const bad[] = {"2026-11-24T19:13:39", "2026-13-24T19:13:39Z",
					  "2026-11-24T25:13:39Z", "2026-11-24 19:13:39Z",
					  "2026-11-24T19:13", "1969-12-31T23:59:59Z",
					  "2026-11-24T19:13:39+1", "2026-11-24T19:13:39.Z", "x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(logshape_parse_rfc3339(bad[i], strlen(bad[i]), &t), 0);
}

static void test_cri(void **state)
{
	(void)state;
	/* containerd */
	struct logshape_line l = parse("2026-11-24T19:13:39.106784123Z stderr F {\"level\":\"warn\"}");
	assert_int_equal(l.kind, LOGSHAPE_CRI);
	assert_false(l.partial);
	assert_true(l.etcd);
	assert_int_equal(l.usec, US(T0) + 106784);
	assert_text(&l, "{\"level\":\"warn\"}");
	/* CRI-O: offset stamps; a partial part */
	l = parse("2026-11-24T20:13:39.106784123+01:00 stdout P 2026-11-24 19:13:39.106784 W | x");
	assert_int_equal(l.kind, LOGSHAPE_CRI);
	assert_true(l.partial);
	assert_int_equal(l.usec, US(T0) + 106784);
	assert_text(&l, "2026-11-24 19:13:39.106784 W | x");
	/* an empty line, with and without the space */
	l = parse("2026-11-24T19:13:39Z stderr F ");
	assert_int_equal(l.kind, LOGSHAPE_CRI);
	assert_int_equal(l.text_len, 0);
	l = parse("2026-11-24T19:13:39Z stderr F");
	assert_int_equal(l.kind, LOGSHAPE_CRI);
	assert_int_equal(l.text_len, 0);
	/* not CRI: another stream word, another tag letter */
	l = parse("2026-11-24T19:13:39Z stdin F x");
	assert_int_not_equal(l.kind, LOGSHAPE_CRI);
	l = parse("2026-11-24T19:13:39Z stderr X x");
	assert_int_not_equal(l.kind, LOGSHAPE_CRI);
}

static void test_docker(void **state)
{
	(void)state;
	struct logshape_line l = parse("{\"log\":\"2026-11-24 19:13:39.106784 W | rafthttp: a \\\"q\\\" "
				       "\\u00e9\\n\",\"stream\":\"stderr\",\"time\":"
				       "\"2026-11-24T19:13:39.106784123Z\"}");
	assert_int_equal(l.kind, LOGSHAPE_DOCKER);
	assert_false(l.partial);
	assert_int_equal(l.usec, US(T0) + 106784);
	assert_text(&l, "2026-11-24 19:13:39.106784 W | rafthttp: a \"q\" \xc3\xa9");
	/* over 16 KiB docker splits a line: no newline at the end of the part */
	l = parse("{\"log\":\"part\",\"stream\":\"stderr\",\"time\":\"2026-11-24T19:13:39Z\"}");
	assert_int_equal(l.kind, LOGSHAPE_DOCKER);
	assert_true(l.partial);
	/* a NUL inside is kept, with its length */
	l = parse("{\"log\":\"a\\u0000b\\n\",\"time\":\"2026-11-24T19:13:39Z\"}");
	assert_int_equal(l.kind, LOGSHAPE_DOCKER);
	assert_int_equal(l.text_len, 3);
	assert_memory_equal(l.text, "a\0b", 3);
	/* broken JSON, or "log" not a string: a plain line */
	l = parse("{\"log\":\"unterminated");
	assert_int_equal(l.kind, LOGSHAPE_PLAIN);
	l = parse("{\"log\":1,\"time\":\"2026-11-24T19:13:39Z\"}");
	assert_int_equal(l.kind, LOGSHAPE_PLAIN);
}

static void test_syslog(void **state)
{
	(void)state;
	/* RFC 3164 (and journalctl's default output): year from the clock, zone-less */
	struct logshape_line l = parse("Nov 24 19:13:39 m1 etcd[1234]: 2026-11-24 19:13:39.106784 W | x");
	assert_int_equal(l.kind, LOGSHAPE_SYSLOG);
	assert_true(l.etcd);
	assert_string_equal(l.host, "m1");
	assert_int_equal(l.usec, US(T0));
	assert_text(&l, "2026-11-24 19:13:39.106784 W | x");
	l = parse("Nov  4 19:13:39 m1 etcd: x");
	assert_int_equal(l.kind, LOGSHAPE_SYSLOG);
	assert_int_equal(l.usec, US(T0) - US(20 * 86400));
	/* rsyslog's high precision stamps; journalctl -o short-precise */
	l = parse("2026-11-24T19:13:39.106784+00:00 node-a etcd3[77]: text");
	assert_int_equal(l.kind, LOGSHAPE_SYSLOG);
	assert_string_equal(l.host, "node-a");
	assert_int_equal(l.usec, US(T0) + 106784);
	assert_text(&l, "text");
	l = parse("Nov 24 19:13:39.500000 m2 etcd[1]: y");
	assert_int_equal(l.usec, US(T0) + 500000);
	/* another program's line: a syslog line, not etcd's */
	l = parse("Nov 24 19:13:39 m1 kubelet[99]: etcd is slow");
	assert_int_equal(l.kind, LOGSHAPE_SYSLOG);
	assert_false(l.etcd);
	l = parse("Nov 24 19:13:39 m1 etcdctl[99]: x");
	assert_false(l.etcd);
	/* CoreOS's wrapper, and etcd inside k3s: etcd's own lines under another tag count, the
	 * process's other lines (klog) do not (reallogs 008, 050) */
	l = parse("Jul 18 15:47:56 core-01 etcd-wrapper[1027]: x");
	assert_true(l.etcd);
	l = parse("Jan 25 06:42:36 m1 k3s[2189071]: {\"level\":\"warn\",\"ts\":\"2021-01-25T06:42:36.000+0100\",\"msg\":\"slow fdatasync\"}");
	assert_true(l.etcd);
	l = parse("Jan 25 06:42:36 m1 k3s[2189071]: 2021-01-25 06:42:36.000000 W | wal: sync duration of 2s");
	assert_true(l.etcd);
	l = parse("Jan 25 06:42:36 m1 k3s[2189071]: raft2021/01/25 06:42:36 INFO: 1 became leader");
	assert_true(l.etcd);
	l = parse("Jan 25 06:42:41 m1 k3s[2189071]: E0125 06:42:39.880363 2189071 status.go:71] etcd");
	assert_false(l.etcd);
	l = parse("Jan 25 06:42:41 m1 k3s[2189071]: time=\"2021-01-25T06:42:41+01:00\" level=info");
	assert_false(l.etcd);
	/* journalctl's own markers are nobody's lines */
	l = parse("-- Boot 0123456789abcdef0123456789abcdef --");
	assert_false(l.etcd);
	l = parse("-- No entries --");
	assert_false(l.etcd);
	/* a December line in a file last written in January is last year's */
	struct logshape_opts jan = {{2027, 1, 0}, tags, NULL};
	const char *s = "Dec 31 23:00:00 m1 etcd: x";
	logshape_parse(s, strlen(s), &jan, scratch, sizeof(scratch), &l);
	assert_int_equal(l.usec, US(1798758000ull));
	/* the host's zone for zone-less stamps */
	struct logshape_opts east = {{2026, 12, 3600}, tags, NULL};
	s = "Nov 24 20:13:39 m1 etcd: x";
	logshape_parse(s, strlen(s), &east, scratch, sizeof(scratch), &l);
	assert_int_equal(l.usec, US(T0));
	/* not syslog: a month that is not one, no colon after the tag */
	l = parse("Noq 24 19:13:39 m1 etcd[1]: x");
	assert_int_equal(l.kind, LOGSHAPE_PLAIN);
	l = parse("Nov 24 19:13:39 m1 etcd[1] x");
	assert_int_equal(l.kind, LOGSHAPE_PLAIN);
}

static void test_plain(void **state)
{
	(void)state;
	struct logshape_line l = parse("2026-11-24 19:13:39.106784 W | rafthttp: x");
	assert_int_equal(l.kind, LOGSHAPE_PLAIN);
	assert_true(l.etcd);
	assert_int_equal(l.usec, US(T0) + 106784);
	assert_text(&l, "2026-11-24 19:13:39.106784 W | rafthttp: x");
	l = parse("raft2026/11/24 19:13:39 INFO: 8e9e05c52164694d became follower");
	assert_int_equal(l.usec, US(T0));
	l = parse("WARNING: 2026/11/24 19:13:39 [core] grpc: addrConn.createTransport failed");
	assert_int_equal(l.usec, US(T0));
	l = parse("{\"level\":\"warn\",\"ts\":\"2026-11-24T19:13:39.106Z\",\"msg\":\"x\"}");
	assert_int_equal(l.kind, LOGSHAPE_PLAIN);
	assert_int_equal(l.usec, US(T0) + 106000);
	l = parse("{\"level\":\"warn\",\"ts\":1795547619.106784,\"msg\":\"x\"}");
	assert_int_equal(l.usec, US(T0) + 106784);
	l = parse("{\"level\":\"warn\",\"ts\":\"2026-11-24T20:13:39.106+0100\",\"msg\":\"x\"}");
	assert_int_equal(l.usec, US(T0) + 106000);
	/* no time in it: 0, the reader gives it the previous line's */
	l = parse("[WARNING] Deprecated '--logger=capnslog' flag is set");
	assert_int_equal(l.usec, 0);
	l = parse("");
	assert_int_equal(l.usec, 0);
	assert_int_equal(l.kind, LOGSHAPE_PLAIN);
	l = parse("{\"level\":\"warn\",\"ts\":12,\"msg\":\"x\"}");
	assert_int_equal(l.usec, 0);
	/* a stamped line of no known shape: its stamp, the whole line as text */
	l = parse("2026-11-24T19:13:39Z something else");
	assert_int_equal(l.kind, LOGSHAPE_PLAIN);
	assert_int_equal(l.usec, US(T0));
	assert_text(&l, "2026-11-24T19:13:39Z something else");
}

/* the reader's memo of the last stamp: the same answers as without it, line after line */
static void test_memo(void **state)
{
	(void)state;
	static const char *const lines[] = {
		"2026-11-24T19:13:39.1Z stderr F a",
		"2026-11-24T19:13:39.2Z stderr F b",       /* same second: from the memo */
		"2026-11-24T20:13:39.3+01:00 stderr F c",  /* same head, another zone */
		"2026-11-24T19:13:40.0Z stderr F d",       /* the next second */
		"2026-11-24T19:13:40 stderr F e",           /* same head, no zone: not a stamp */
		"2026-11-25T19:13:40.0Z stderr F f",
	};
	struct logshape_memo memo = {0};
	struct logshape_opts with = {{2026, 12, 0}, tags, &memo};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct logshape_line a, b;
		logshape_parse(lines[i], strlen(lines[i]), &opts, scratch, sizeof(scratch), &a);
		logshape_parse(lines[i], strlen(lines[i]), &with, scratch, sizeof(scratch), &b);
		assert_int_equal(a.kind, b.kind);
		assert_int_equal(a.usec, b.usec);
	}
	assert_true(memo.valid);
}

static void test_join(void **state)
{
	(void)state;
	struct logjoin *j = calloc(1, sizeof(*j));
	assert_non_null(j);
	size_t n;
	bool cut;
	/* a whole line is handed back as it is */
	const char *line = "whole";
	assert_ptr_equal(logjoin_add(j, line, 5, false, 1, &n, &cut), line);
	assert_int_equal(n, 5);
	assert_false(cut);
	/* P P F: one line, the first part's time */
	assert_null(logjoin_add(j, "ab", 2, true, 10, &n, &cut));
	assert_null(logjoin_add(j, "cd", 2, true, 11, &n, &cut));
	const char *p = logjoin_add(j, "ef", 2, false, 12, &n, &cut);
	assert_non_null(p);
	assert_int_equal(n, 6);
	assert_memory_equal(p, "abcdef", 6);
	assert_false(cut);
	assert_int_equal(j->usec, 10);
	assert_null(logjoin_flush(j, &n, &cut));
	/* bounded: parts beyond the cap are dropped and the line says it was cut */
	static char big[LOGSHAPE_LINE_MAX];
	memset(big, 'x', sizeof(big));
	assert_null(logjoin_add(j, big, sizeof(big) - 1, true, 1, &n, &cut));
	assert_null(logjoin_add(j, "yz", 2, true, 2, &n, &cut));
	p = logjoin_add(j, "!", 1, false, 3, &n, &cut);
	assert_int_equal(n, LOGSHAPE_LINE_MAX);
	assert_true(cut);
	assert_int_equal(p[n - 1], 'y');
	/* a P with no F: flush gives what was there */
	assert_null(logjoin_add(j, "half", 4, true, 5, &n, &cut));
	p = logjoin_flush(j, &n, &cut);
	assert_non_null(p);
	assert_int_equal(n, 4);
	assert_false(cut);
	assert_false(j->open);
	free(j);
}

/* Hostile bytes: any prefix of any line parses without reading past it (ASan checks). */
static void test_hostile_prefixes(void **state)
{
	(void)state;
	static const char *const lines[] = {
		"2026-11-24T19:13:39.106784123Z stderr P x",
		"2026-11-24T20:13:39.106784123+01:00 stdout F y",
		"{\"log\":\"z\\n\",\"stream\":\"stderr\",\"time\":\"2026-11-24T19:13:39Z\"}",
		"Nov 24 19:13:39.123 m1 etcd[1234]: t",
		"2026-11-24T19:13:39.106784+00:00 host etcd[1]: u",
		"2026-11-24 19:13:39.106784 W | v",
		"raft2026/11/25 05:30:53 INFO: w",
		"{\"level\":\"warn\",\"ts\":1795547619.106,\"msg\":\"x\"}",
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		size_t len = strlen(lines[i]);
		for (size_t k = 0; k <= len; k++) {
			char *c = malloc(k ? k : 1);
			assert_non_null(c);
			memcpy(c, lines[i], k);
			struct logshape_line l;
			logshape_parse(c, k, &opts, scratch, sizeof(scratch), &l);
			assert_true(l.text_len <= (l.kind == LOGSHAPE_DOCKER ? sizeof(scratch) : k));
			free(c);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3339), cmocka_unit_test(test_cri),
		cmocka_unit_test(test_docker),  cmocka_unit_test(test_syslog),
		cmocka_unit_test(test_plain),   cmocka_unit_test(test_join),
		cmocka_unit_test(test_memo),
		cmocka_unit_test(test_hostile_prefixes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
