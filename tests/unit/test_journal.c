/* test_journal.c: --since/--until parsing, and reading a real .journal file written by
 * systemd-journal-remote (skipped when that tool is missing). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "diag/journal.h"

static void test_parse_time(void **state)
{
	(void)state;
	const uint64_t now = 1764000000ull * 1000000ull;
	uint64_t t;
	assert_int_equal(journal_parse_time("-1h", now, &t), 0);
	assert_int_equal(t, now - 3600ull * 1000000ull);
	assert_int_equal(journal_parse_time("-30m", now, &t), 0);
	assert_int_equal(t, now - 1800ull * 1000000ull);
	assert_int_equal(journal_parse_time("-2d", now, &t), 0);
	assert_int_equal(journal_parse_time("now", now, &t), 0);
	assert_int_equal(t, now);
	assert_int_equal(journal_parse_time("@1764000000", now, &t), 0);
	assert_int_equal(t, now);
	assert_int_equal(journal_parse_time("2026-11-25 12:00:00", now, &t), 0);
	assert_int_equal(journal_parse_time("2026-11-25 12:00", now, &t), 0);
	static const char *const bad[] = {"", "-1", "-1x", "-h", "@12a", "yesterday-ish",
					  "2026-11-25 12:00:00 junk", "-99999999999999999999h"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(journal_parse_time(bad[i], now, &t), -EINVAL);
	assert_int_equal(journal_parse_time(NULL, now, &t), -EINVAL);
}

static void test_scan_file(void **state)
{
	(void)state;
	const char *remote = "/lib/systemd/systemd-journal-remote";
	if (access(remote, X_OK) != 0)
		skip();
	char dir[] = "/tmp/test-journal.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char cmd[512], file[256];
	snprintf(file, sizeof(file), "%s/m1.journal", dir);
	snprintf(cmd, sizeof(cmd), "%s -o %s - 2>/dev/null", remote, file);
	FILE *p = popen(cmd, "w");
	assert_non_null(p);
	/* one etcd entry by identifier, one by unit, one from something else */
	fprintf(p, "__REALTIME_TIMESTAMP=1764000000000000\n_HOSTNAME=m1\nSYSLOG_IDENTIFIER=etcd\n"
		   "PRIORITY=4\nMESSAGE=alarm NOSPACE raised by peer 148df766a26ff8aa\n\n"
		   "__REALTIME_TIMESTAMP=1764000001000000\n_HOSTNAME=m1\n"
		   "_SYSTEMD_UNIT=etcd.service\nSYSLOG_IDENTIFIER=etcd-wrapper\nPRIORITY=6\n"
		   "MESSAGE=2026-11-25 12:59:15.000000 C | etcdmain: listen tcp "
		   "127.0.100.1:2379: bind: address already in use\n\n"
		   "__REALTIME_TIMESTAMP=1764000002000000\n_HOSTNAME=m1\nSYSLOG_IDENTIFIER=sshd\n"
		   "MESSAGE=alarm NOSPACE raised by peer 0000000000000001\n\n");
	assert_int_equal(pclose(p), 0);

	struct diag_aggs *a = aggs_new();
	assert_non_null(a);
	struct journal_opts o = {.files = {file, NULL}};
	char err[256] = "";
	assert_int_equal(journal_scan(&o, a, err, sizeof(err)), 0);
	assert_int_equal(a->entries, 2);
	assert_int_equal(a->n, 2);
	assert_string_equal(a->v[0].host, "m1");
	assert_int_equal(a->v[0].first_usec, 1764000000000000ull);

	/* the window: only the second entry */
	aggs_free(a);
	a = aggs_new();
	assert_non_null(a);
	struct journal_opts w = {.dir = dir, .since_usec = 1764000000500000ull,
				 .until_usec = 1764000001500000ull};
	assert_int_equal(journal_scan(&w, a, err, sizeof(err)), 0);
	assert_int_equal(a->entries, 1);
	assert_int_equal(a->v[0].code, DIAG_PORT_IN_USE);
	aggs_free(a);
	unlink(file);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_time),
		cmocka_unit_test(test_scan_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
