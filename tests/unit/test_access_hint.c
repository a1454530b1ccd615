/* Unit tests for diag/access_hint: the advice for a file closed to this user, from the file's own
 * mode, group and owner, and the groups named by convention when it cannot even be looked at.
 * Files are made in a temporary directory. The unit tests run as root, for whom no directory is
 * closed: a path under a directory that does not exist fails stat() the same way (the EACCES of
 * a closed directory is tests/integration/diag_nonroot.sh's, as the user nobody). */
#include <grp.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "diag/access_hint.h"

/* Journals (diag/journal.c) and log files (diag/logfile.c) name the groups that read them by
 * convention; a key or a config file (NULL) only that the directory is closed. */
static void test_cannot_look(void **state)
{
	(void)state;
	char out[160];
	access_hint("/nonexistent.test_access_hint/sys/m1.journal", "systemd-journal or adm", out,
		    sizeof(out));
	assert_string_equal(out, "run as root or as a member of group systemd-journal or adm");
	access_hint("/nonexistent.test_access_hint/etcd.conf", NULL, out, sizeof(out));
	assert_string_equal(out, "run as root: its directory is closed to this user");
	/* bounded: a short buffer is cut, not overrun */
	char small[12];
	access_hint("/nonexistent.test_access_hint/x", "systemd-journal or adm", small,
		    sizeof(small));
	assert_string_equal(small, "run as root");
}

/* A file that can be looked at: its group when the group may read it (whatever the convention
 * says), else its owner (not root) and mode, else its mode only. One row per mode. */
static void test_from_the_file(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_access_hint.XXXXXX", path[64], want[160], out[160];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/m1.journal", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	const struct group *g = getgrgid(getegid());
	const struct passwd *pw = getpwuid(geteuid());
	assert_non_null(g);
	assert_non_null(pw);
	char group[64], user[64];
	snprintf(group, sizeof(group), "%s", g->gr_name);
	snprintf(user, sizeof(user), "%s", pw->pw_name);
	static const mode_t modes[] = {0640, 0600, 0000};
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		assert_int_equal(chmod(path, modes[i]), 0);
		if (modes[i] & S_IRGRP)
			snprintf(want, sizeof(want), "run as root or as a member of group %s", group);
		else if ((modes[i] & S_IRUSR) && geteuid() != 0)
			snprintf(want, sizeof(want), "run as root or as %s; it is mode %04o", user,
				 (unsigned)modes[i]);
		else
			snprintf(want, sizeof(want), "run as root; it is mode %04o",
				 (unsigned)modes[i]);
		access_hint(path, "systemd-journal or adm", out, sizeof(out));
		assert_string_equal(out, want);
	}
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cannot_look),
		cmocka_unit_test(test_from_the_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
