/* endpoint: parses an etcd client URL (https://host:port, http://host:port, host:port, [v6]:port). */
#ifndef PROTO_ENDPOINT_H
#define PROTO_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>

#define ENDPOINT_URL_MAX 256

struct endpoint {
	char url[ENDPOINT_URL_MAX];  /* normalised: scheme://host:port */
	char host[ENDPOINT_URL_MAX]; /* without brackets for IPv6 */
	char port[8];
	bool tls;
	bool host_is_ip; /* verify against an IP SAN, send no SNI */
};

/* Parses url into *ret. A URL without scheme uses https when default_tls, else http (as
 * etcdctl decides from the TLS flags). Returns 0, or -EINVAL with err naming what is wrong. */
int endpoint_parse(const char *url, bool default_tls, struct endpoint *ret, char *err,
		   size_t errlen);

/* Splits a comma-separated list, calling endpoint_parse on each non-empty item. Returns the
 * number parsed (at most cap), or -EINVAL (err says which item) / -E2BIG. */
int endpoint_parse_list(const char *list, bool default_tls, struct endpoint *ret, size_t cap,
			char *err, size_t errlen);

#endif
