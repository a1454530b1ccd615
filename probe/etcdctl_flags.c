/* etcdctl_flags: ETCDCTL_* fallbacks, --password-file and the name:password split, shared by both
 * programs; the password is kept in exactly one owned buffer that is cleansed at the end. */
#include "probe/etcdctl_flags.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "proto/regfile.h"

static const struct {
	const char *env;
	size_t offset;
} env_fallbacks[] = {
	{"ETCDCTL_ENDPOINTS", offsetof(struct etcdctl_flags, endpoints)},
	{"ETCDCTL_CACERT", offsetof(struct etcdctl_flags, cacert)},
	{"ETCDCTL_CERT", offsetof(struct etcdctl_flags, cert)},
	{"ETCDCTL_KEY", offsetof(struct etcdctl_flags, key)},
	{"ETCDCTL_USER", offsetof(struct etcdctl_flags, user)},
	{"ETCDCTL_PASSWORD", offsetof(struct etcdctl_flags, password)},
};

/* The one owned copy of the password: n bytes of s. */
static int keep_password(struct etcdctl_flags *f, const char *s, size_t n, char *err,
			 size_t errlen)
{
	etcdctl_flags_wipe(f);
	f->password_buf = malloc(n + 1);
	if (!f->password_buf) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memcpy(f->password_buf, s, n);
	f->password_buf[n] = '\0';
	f->password = f->password_buf;
	return 0;
}

/* The first line of the file, without its "\n" or "\r\n": what `echo pw > file` and an editor
 * leave behind. */
static int read_password_file(struct etcdctl_flags *f, char *err, size_t errlen)
{
	char *buf;
	size_t len;
	unsigned mode;
	int r = regfile_read("--password-file", f->password_file, ETCDCTL_PASSWORD_FILE_MAX, &buf,
			     &len, &mode, err, errlen);
	if (r < 0)
		return r;
	/* Group-readable is how a monitoring user is usually given a secret (root:nagios 0640),
	 * so it is accepted; readable or writable by everyone is a leaked or forgeable password:
	 * refused rather than warned about, since a warning on stderr of a scheduled check is
	 * read by nobody (ssh refuses a world-readable key for the same reason). */
	if (mode & (S_IROTH | S_IWOTH)) {
		snprintf(err, errlen, "--password-file %s is accessible by others (mode %04o); "
			 "chmod o-rw it", f->password_file, mode & 07777);
		r = -EPERM;
	} else {
		size_t n = strcspn(buf, "\n");
		if (n > 0 && buf[n - 1] == '\r')
			n--;
		if (n == 0) {
			snprintf(err, errlen, "--password-file %s: its first line is empty",
				 f->password_file);
			r = -EINVAL;
		} else {
			r = keep_password(f, buf, n, err, errlen);
		}
	}
	OPENSSL_cleanse(buf, len);
	free(buf);
	return r;
}

int etcdctl_flags_finish(struct etcdctl_flags *f, char *err, size_t errlen)
{
	int r;

	if (f->password_arg && f->password_file) {
		snprintf(err, errlen, "--password and --password-file exclude each other");
		return -EINVAL;
	}
	if (f->password_arg) {
		size_t n = strlen(f->password_arg);
		r = keep_password(f, f->password_arg, n, err, errlen);
		/* argv is world-readable in /proc/PID/cmdline: gone from there from now on */
		memset(f->password_arg, 0, n);
		if (r < 0)
			return r;
	} else if (f->password_file && (r = read_password_file(f, err, errlen)) < 0) {
		return r;
	}
	bool env_password = !f->password;
	for (size_t i = 0; i < sizeof(env_fallbacks) / sizeof(env_fallbacks[0]); i++) {
		const char **slot = (const char **)(void *)((char *)f + env_fallbacks[i].offset);
		const char *v = getenv(env_fallbacks[i].env);
		if (!*slot && v && v[0])
			*slot = v;
	}
	if (env_password && f->password &&
	    (r = keep_password(f, f->password, strlen(f->password), err, errlen)) < 0)
		return r;
	if (f->user && !f->password) {
		char *colon = (char *)strchr(f->user, ':');
		if (colon) {
			size_t n = (size_t)(colon - f->user);
			if (n >= sizeof(f->user_buf)) {
				snprintf(err, errlen, "--user name too long");
				return -EINVAL;
			}
			memcpy(f->user_buf, f->user, n);
			f->user_buf[n] = '\0';
			r = keep_password(f, colon + 1, strlen(colon + 1), err, errlen);
			/* argv or environ: both writable; the name stays readable, the password not */
			memset(colon + 1, 0, strlen(colon + 1));
			f->user = f->user_buf;
			if (r < 0)
				return r;
		}
	}
	if (f->password && !f->user) {
		snprintf(err, errlen, "%s given without --user",
			 f->password_file ? "--password-file" : "--password");
		return -EINVAL;
	}
	return 0;
}

void etcdctl_flags_wipe(struct etcdctl_flags *f)
{
	if (!f)
		return;
	if (f->password_buf) {
		OPENSSL_cleanse(f->password_buf, strlen(f->password_buf));
		free(f->password_buf);
	}
	f->password_buf = NULL;
	f->password = NULL;
}
