/* access_hint: the one advice etcd-diag gives when a file it should read is closed to the user
 * running it ("run as root or as a member of group etcd"), so that a key, a config file, a
 * journal and a log file are explained alike. */
#ifndef DIAG_ACCESS_HINT_H
#define DIAG_ACCESS_HINT_H

#include <stddef.h>

/* Writes into out (cap bytes) who may read path: the file's own group when its mode lets the
 * group read it (the group this user should join), else its owner and mode. When the file
 * cannot even be looked at (a directory on the way is closed), groups names the groups that
 * grant it by convention ("etcd", "systemd-journal or adm"), or NULL to say only that. */
void access_hint(const char *path, const char *groups, char *out, size_t cap);

#endif
