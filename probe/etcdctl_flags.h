/* etcdctl_flags: the connection settings etcd-probe and etcd-diag both take the way etcdctl does
 * (--endpoints, --cacert, --cert, --key, --user, --password), with ETCDCTL_* fallbacks. */
#ifndef PROBE_ETCDCTL_FLAGS_H
#define PROBE_ETCDCTL_FLAGS_H

#include <stddef.h>

struct etcdctl_flags {
	const char *endpoints; /* comma-separated URLs */
	const char *cacert, *cert, *key;
	const char *user;      /* after etcdctl_flags_finish: the name only */
	const char *password;
	char user_buf[128];    /* the name part when --user carried "name:password" */
};

/* Fills each absent setting from its ETCDCTL_* variable, splits --user=name:password as etcdctl
 * does, and rejects a password without a user. Returns 0 or -EINVAL with err set. */
int etcdctl_flags_finish(struct etcdctl_flags *f, char *err, size_t errlen);

#endif
