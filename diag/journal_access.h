/* journal_access.h: whether this user may read the journal files etcd-diag is to scan (as a
 * user outside systemd-journal/adm, sd-journal shows only that user's own entries, silently). */
#ifndef DIAG_JOURNAL_ACCESS_H
#define DIAG_JOURNAL_ACCESS_H

#include <stddef.h>

#include "diag/journal.h"

/* The --journal-file files, the *.journal files of --journal-dir (and one level below), or
 * this machine's system journal directories: 0 when all can be read, -EACCES with the first
 * file (or directory) that cannot in out. */
int journal_access_check(const struct journal_opts *o, char *out, size_t cap);

#endif
