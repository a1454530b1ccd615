/* etcdctl_flags: the connection settings etcd-probe and etcd-diag both take the way etcdctl does
 * (--endpoints, --cacert, --cert, --key, --user, --password), with ETCDCTL_* fallbacks, plus
 * --password-file, which keeps the password out of argv. */
#ifndef PROBE_ETCDCTL_FLAGS_H
#define PROBE_ETCDCTL_FLAGS_H

#include <stddef.h>

/* --password-file: at most this many bytes are read (the first line is the password). */
#define ETCDCTL_PASSWORD_FILE_MAX 65536

struct etcdctl_flags {
	const char *endpoints; /* comma-separated URLs */
	const char *cacert, *cert, *key;
	const char *user;      /* after etcdctl_flags_finish: the name only */
	/* --password as given: a string of argv, overwritten in place by etcdctl_flags_finish */
	char *password_arg;
	const char *password_file;
	/* after etcdctl_flags_finish: the password (points into password_buf) or NULL */
	const char *password;
	char user_buf[128];    /* the name part when --user carried "name:password" */
	char *password_buf;    /* owned copy; etcdctl_flags_wipe cleanses and frees it */
};

/* Fills each absent setting from its ETCDCTL_* variable, reads --password-file, splits
 * --user=name:password as etcdctl does, and rejects a password without a user, or --password
 * together with --password-file. The password ends up in one owned copy (f->password); its
 * occurrence in argv (--password, or the part of --user after ':') is overwritten with NUL
 * bytes, so /proc/PID/cmdline stops showing it: those strings must be writable, as argv is.
 * ETCDCTL_PASSWORD is copied, not overwritten (/proc/PID/environ is readable by the owner
 * only). A --password-file readable or writable by others is refused (-EPERM): the password
 * would be anyone's to read. Returns 0 or -errno with err set; etcdctl_flags_wipe is needed
 * either way. */
int etcdctl_flags_finish(struct etcdctl_flags *f, char *err, size_t errlen);

/* Cleanses and frees the owned password copy; f->password becomes NULL. Accepts NULL and a
 * zeroed or half-finished struct; may be called twice. */
void etcdctl_flags_wipe(struct etcdctl_flags *f);

#endif
