/* access_hint.c: "run as root or as a member of group G", from the file's own mode and group. */
#include "diag/access_hint.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>

#include "diag/text.h"

void access_hint(const char *path, const char *groups, char *out, size_t cap)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		if (groups)
			text_printf(out, cap, "run as root or as a member of group %s", groups);
		else
			text_scopy(out, cap, "run as root: its directory is closed to this user");
		return;
	}
	/* getgrgid/getpwuid: a name the admin knows; a number only when the databases lack it */
	const struct group *g = (st.st_mode & S_IRGRP) ? getgrgid(st.st_gid) : NULL;
	const struct passwd *pw = (st.st_mode & S_IRUSR) && st.st_uid ? getpwuid(st.st_uid) : NULL;
	unsigned mode = (unsigned)(st.st_mode & 07777);
	if (g)
		text_printf(out, cap, "run as root or as a member of group %s", g->gr_name);
	else if (pw)
		text_printf(out, cap, "run as root or as %s; it is mode %04o", pw->pw_name, mode);
	else
		text_printf(out, cap, "run as root; it is mode %04o", mode);
}
