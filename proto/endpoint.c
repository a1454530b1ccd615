/* endpoint: strict parsing of etcd client URLs. */
#include "proto/endpoint.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static bool host_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-' || c == '_';
}

int endpoint_parse(const char *url, bool default_tls, struct endpoint *ret, char *err,
		   size_t errlen)
{
	struct endpoint ep = {0};
	const char *p = url;
	size_t n = strlen(url);

	if (n == 0 || n >= ENDPOINT_URL_MAX) {
		snprintf(err, errlen, "bad endpoint URL '%.64s': %s", url, n ? "too long" : "empty");
		return -EINVAL;
	}
	if (strncmp(p, "https://", 8) == 0) {
		ep.tls = true;
		p += 8;
	} else if (strncmp(p, "http://", 7) == 0) {
		ep.tls = false;
		p += 7;
	} else if (strstr(p, "://")) {
		snprintf(err, errlen, "bad endpoint URL '%s': scheme must be https:// or http://", url);
		return -EINVAL;
	} else {
		ep.tls = default_tls;
	}

	const char *host = p, *host_end, *port = NULL;
	if (*p == '[') {
		host = p + 1;
		host_end = strchr(host, ']');
		if (!host_end) {
			snprintf(err, errlen, "bad endpoint URL '%s': unclosed '['", url);
			return -EINVAL;
		}
		p = host_end + 1;
	} else {
		while (*p && *p != ':' && *p != '/')
			p++;
		host_end = p;
	}
	if (*p == ':') {
		port = ++p;
		while (*p >= '0' && *p <= '9')
			p++;
		if (p == port || p - port > 5) {
			snprintf(err, errlen, "bad endpoint URL '%s': port must be a number", url);
			return -EINVAL;
		}
	}
	/* Allow a trailing "/" (etcd prints client URLs without one, users paste them with one). */
	if (*p == '/' && p[1] == '\0')
		p++;
	if (*p != '\0') {
		snprintf(err, errlen, "bad endpoint URL '%s': unexpected '%.16s'", url, p);
		return -EINVAL;
	}
	size_t hlen = (size_t)(host_end - host);
	if (hlen == 0) {
		snprintf(err, errlen, "bad endpoint URL '%s': no host", url);
		return -EINVAL;
	}
	memcpy(ep.host, host, hlen);
	ep.host[hlen] = '\0';

	unsigned char buf[16];
	bool v6 = inet_pton(AF_INET6, ep.host, buf) == 1;
	ep.host_is_ip = v6 || inet_pton(AF_INET, ep.host, buf) == 1;
	if (!ep.host_is_ip) {
		for (size_t i = 0; i < hlen; i++) {
			if (!host_char_ok(ep.host[i])) {
				snprintf(err, errlen, "bad endpoint URL '%s': bad character in host",
					 url);
				return -EINVAL;
			}
		}
	}
	unsigned long portnum = 2379;
	if (port) {
		portnum = 0;
		for (const char *q = port; q < p && *q >= '0' && *q <= '9'; q++)
			portnum = portnum * 10 + (unsigned long)(*q - '0');
		if (portnum == 0 || portnum > 65535) {
			snprintf(err, errlen, "bad endpoint URL '%s': port out of range", url);
			return -EINVAL;
		}
	}
	snprintf(ep.port, sizeof(ep.port), "%lu", portnum);
	snprintf(ep.url, sizeof(ep.url), "%s://%s%s%s:%s", ep.tls ? "https" : "http",
		 v6 ? "[" : "", ep.host, v6 ? "]" : "", ep.port);
	*ret = ep;
	return 0;
}

int endpoint_parse_list(const char *list, bool default_tls, struct endpoint *ret, size_t cap,
			char *err, size_t errlen)
{
	size_t count = 0;
	const char *p = list;

	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char item[ENDPOINT_URL_MAX + 1];
		/* Tolerate spaces around commas, as etcdctl users paste "a, b". */
		while (len && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len > ENDPOINT_URL_MAX) {
			snprintf(err, errlen, "bad endpoint URL '%.64s...': too long", p);
			return -EINVAL;
		}
		if (len) {
			if (count == cap) {
				snprintf(err, errlen, "too many endpoints (at most %zu)", cap);
				return -E2BIG;
			}
			memcpy(item, p, len);
			item[len] = '\0';
			int r = endpoint_parse(item, default_tls, &ret[count], err, errlen);
			if (r < 0)
				return r;
			count++;
		}
		if (!end)
			break;
		p = end + 1;
	}
	if (count == 0) {
		snprintf(err, errlen, "no endpoint given");
		return -EINVAL;
	}
	return (int)count;
}
