/* etcdctl_flags: ETCDCTL_* fallbacks and the name:password split, shared by both programs. */
#include "probe/etcdctl_flags.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int etcdctl_flags_finish(struct etcdctl_flags *f, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(env_fallbacks) / sizeof(env_fallbacks[0]); i++) {
		const char **slot = (const char **)(void *)((char *)f + env_fallbacks[i].offset);
		const char *v = getenv(env_fallbacks[i].env);
		if (!*slot && v && v[0])
			*slot = v;
	}
	if (f->user && !f->password) {
		const char *colon = strchr(f->user, ':');
		if (colon) {
			size_t n = (size_t)(colon - f->user);
			if (n >= sizeof(f->user_buf)) {
				snprintf(err, errlen, "--user name too long");
				return -EINVAL;
			}
			memcpy(f->user_buf, f->user, n);
			f->user_buf[n] = '\0';
			f->password = colon + 1;
			f->user = f->user_buf;
		}
	}
	if (f->password && !f->user) {
		snprintf(err, errlen, "--password given without --user");
		return -EINVAL;
	}
	return 0;
}
