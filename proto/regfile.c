/* regfile: open-then-fstat on the same fd, so nothing can swap a FIFO in between the check and
 * the read. */
#include "proto/regfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

int regfile_open(const char *flag, const char *path, char *err, size_t errlen)
{
	struct stat st;
	/* O_NONBLOCK: open(2) of a FIFO with no writer returns at once instead of waiting, and
	 * on a regular file it changes nothing. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot read %s %s: %s", flag, path, strerror(e));
		return -e;
	}
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		snprintf(err, errlen, "cannot read %s %s: %s", flag, path, strerror(e));
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(err, errlen, "cannot read %s %s: not a regular file", flag, path);
		return -EINVAL;
	}
	return fd;
}

FILE *regfile_fopen(const char *flag, const char *path, char *err, size_t errlen)
{
	int fd = regfile_open(flag, path, err, errlen);
	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	FILE *f = fdopen(fd, "re");
	if (!f) {
		int e = errno;
		close(fd);
		snprintf(err, errlen, "cannot read %s %s: %s", flag, path, strerror(e));
		errno = e;
	}
	return f;
}

int regfile_read(const char *flag, const char *path, size_t max_len, char **ret, size_t *ret_len,
		 unsigned *ret_mode, char *err, size_t errlen)
{
	struct stat st;
	int fd = regfile_open(flag, path, err, errlen);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		snprintf(err, errlen, "cannot read %s %s: %s", flag, path, strerror(e));
		return -e;
	}
	if ((size_t)st.st_size > max_len) {
		close(fd);
		snprintf(err, errlen, "cannot read %s %s: larger than %zu bytes", flag, path,
			 max_len);
		return -EFBIG;
	}
	/* one byte more than the file's size tells a file that grew meanwhile */
	size_t cap = (size_t)st.st_size + 2, len = 0;
	char *buf = malloc(cap);
	if (!buf) {
		close(fd);
		snprintf(err, errlen, "cannot read %s %s: out of memory", flag, path);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			OPENSSL_cleanse(buf, cap);
			free(buf);
			close(fd);
			snprintf(err, errlen, "cannot read %s %s: %s", flag, path, strerror(e));
			return -e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == cap - 1) {
			OPENSSL_cleanse(buf, cap);
			free(buf);
			close(fd);
			snprintf(err, errlen, "cannot read %s %s: it changed while being read", flag,
				 path);
			return -EAGAIN;
		}
	}
	close(fd);
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	if (ret_mode)
		*ret_mode = (unsigned)st.st_mode;
	return 0;
}
