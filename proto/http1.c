/* http1: one HTTP/1.1 request written, one response read back, as RFC 9112 frames them. */
#include "proto/http1.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

size_t http1_request_format(const char *host_port, const char *path, char *out, size_t outlen)
{
	for (const char *s = host_port; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return 0;
	for (const char *s = path; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return 0;
	int n = snprintf(out, outlen,
			 "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: etcd-probe\r\n"
			 "Accept: text/plain\r\nConnection: close\r\n\r\n", path, host_port);
	return n > 0 && (size_t)n < outlen ? (size_t)n : 0;
}

/* The line starting at *pos, without its CRLF (a bare LF is accepted, as Go does); advances
 * past it. False when no line end comes before limit. */
static bool next_line(const uint8_t *buf, size_t limit, size_t *pos, size_t *ret_len)
{
	for (size_t i = *pos; i < limit; i++) {
		if (buf[i] != '\n')
			continue;
		size_t end = i > *pos && buf[i - 1] == '\r' ? i - 1 : i;
		*ret_len = end - *pos;
		*pos = i + 1;
		return true;
	}
	return false;
}

static bool parse_uint(const uint8_t *s, size_t len, int base, size_t max, size_t *ret)
{
	size_t v = 0;
	if (len == 0 || len > 16)
		return false;
	for (size_t i = 0; i < len; i++) {
		int d = s[i] >= '0' && s[i] <= '9' ? s[i] - '0'
			: base == 16 && s[i] >= 'a' && s[i] <= 'f' ? s[i] - 'a' + 10
			: base == 16 && s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 10 : -1;
		if (d < 0)
			return false;
		v = v * (size_t)base + (size_t)d;
		if (v > max)
			return false;
	}
	*ret = v;
	return true;
}

static const uint8_t *trim(const uint8_t *s, size_t *len)
{
	while (*len && (s[0] == ' ' || s[0] == '\t'))
		s++, (*len)--;
	while (*len && (s[*len - 1] == ' ' || s[*len - 1] == '\t'))
		(*len)--;
	return s;
}

/* Chunked body at buf[pos..len): decoded in place to buf[pos..). */
static int dechunk(uint8_t *buf, size_t len, size_t pos, size_t *ret_len)
{
	size_t out = pos, first = pos;
	for (;;) {
		size_t llen, start = pos;
		if (!next_line(buf, len, &pos, &llen))
			return -EBADMSG;
		size_t digits = 0;
		while (digits < llen && buf[start + digits] != ';' && buf[start + digits] != ' ' &&
		       buf[start + digits] != '\t')
			digits++;
		size_t n;
		if (!parse_uint(buf + start, digits, 16, len, &n))
			return -EBADMSG;
		if (n == 0)
			break;
		if (len - pos < n + 1)
			return -EBADMSG;
		memmove(buf + out, buf + pos, n);
		out += n;
		pos += n;
		/* the chunk's CRLF */
		if (pos < len && buf[pos] == '\r')
			pos++;
		if (pos >= len || buf[pos] != '\n')
			return -EBADMSG;
		pos++;
	}
	/* trailers until the empty line */
	for (size_t llen = 1; llen;)
		if (!next_line(buf, len, &pos, &llen))
			return -EBADMSG;
	*ret_len = out - first;
	return 0;
}

int http1_response_parse(uint8_t *buf, size_t len, struct http1_response *ret)
{
	size_t pos = 0, llen;
	size_t head_limit = len < HTTP1_MAX_HEAD ? len : HTTP1_MAX_HEAD;
	memset(ret, 0, sizeof(*ret));

	/* "HTTP/1.x SSS reason" */
	if (!next_line(buf, head_limit, &pos, &llen) || llen < 12 || memcmp(buf, "HTTP/1.", 7) != 0 ||
	    buf[8] != ' ' || (llen > 12 && buf[12] != ' '))
		return -EBADMSG;
	size_t status;
	if (!parse_uint(buf + 9, 3, 10, 999, &status) || status < 100)
		return -EBADMSG;

	bool chunked = false, have_length = false;
	size_t length = 0;
	for (;;) {
		size_t start = pos;
		if (!next_line(buf, head_limit, &pos, &llen))
			return -EBADMSG;
		if (llen == 0)
			break;
		if (buf[start] == ' ' || buf[start] == '\t')
			return -EBADMSG; /* obsolete line folding */
		const uint8_t *colon = memchr(buf + start, ':', llen);
		if (!colon)
			return -EBADMSG;
		size_t nlen = (size_t)(colon - (buf + start));
		size_t vlen = llen - nlen - 1;
		const uint8_t *v = trim(colon + 1, &vlen);
		if (nlen == 14 && strncasecmp((const char *)buf + start, "content-length", 14) == 0) {
			size_t n;
			if (!parse_uint(v, vlen, 10, (size_t)1 << 40, &n) || (have_length && n != length))
				return -EBADMSG;
			have_length = true;
			length = n;
		} else if (nlen == 17 &&
			   strncasecmp((const char *)buf + start, "transfer-encoding", 17) == 0) {
			if (vlen != 7 || strncasecmp((const char *)v, "chunked", 7) != 0)
				return -EBADMSG;
			chunked = true;
		}
	}
	if (chunked && have_length)
		return -EBADMSG; /* a smuggling shape: refuse rather than guess */
	ret->status = (int)status;
	ret->body = buf + pos;
	if (chunked)
		return dechunk(buf, len, pos, &ret->body_len);
	if (have_length) {
		if (len - pos < length)
			return -EBADMSG;
		ret->body_len = length;
		return 0;
	}
	ret->body_len = len - pos;
	return 0;
}
