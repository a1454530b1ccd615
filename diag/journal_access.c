/* journal_access.c: whether this user may read the journal files etcd-diag is to scan. */
#include "diag/journal_access.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-id128.h>

#include "diag/text.h"

/* A journal file in dir (or one level below) that this user may not read; 0 when none. As a
 * user outside the groups systemd-journal and adm, sd-journal skips such files silently and
 * shows only the user's own entries: that must be said, never read as a quiet journal. */
static int unreadable_file_in(const char *dir, int depth, char *out, size_t cap)
{
	DIR *d = opendir(dir);
	if (!d) {
		if (errno != EACCES)
			return 0;
		text_scopy(out, cap, dir);
		return -EACCES;
	}
	struct dirent *e;
	int r = 0;
	while (r == 0 && (e = readdir(d)) != NULL) {
		char p[1024];
		size_t n = strlen(e->d_name);
		if (e->d_name[0] == '.' || (size_t)snprintf(p, sizeof(p), "%s/%s", dir, e->d_name) >=
						    sizeof(p))
			continue;
		if (n > 8 && strcmp(e->d_name + n - 8, ".journal") == 0) {
			if (access(p, R_OK) != 0 && errno == EACCES) {
				text_scopy(out, cap, p);
				r = -EACCES;
			}
		} else if (depth > 0 && e->d_type == DT_DIR) {
			r = unreadable_file_in(p, depth - 1, out, cap);
		}
	}
	closedir(d);
	return r;
}

int journal_access_check(const struct journal_opts *o, char *out, size_t cap)
{
	if (o->files[0]) {
		for (size_t i = 0; o->files[i]; i++)
			if (access(o->files[i], R_OK) != 0 && errno == EACCES) {
				text_scopy(out, cap, o->files[i]);
				return -EACCES;
			}
		return 0;
	}
	if (o->dir)
		return unreadable_file_in(o->dir, 1, out, cap);
	/* the local journal: this machine's directories */
	sd_id128_t m;
	char id[SD_ID128_STRING_MAX], dir[256];
	if (sd_id128_get_machine(&m) < 0)
		return 0;
	sd_id128_to_string(m, id);
	static const char *const roots[] = {"/var/log/journal", "/run/log/journal"};
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/%s", roots[i], id);
		int r = unreadable_file_in(dir, 0, out, cap);
		if (r < 0)
			return r;
	}
	return 0;
}
