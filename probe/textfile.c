/* textfile: an atomic file replacement (temporary file, fsync, rename) and the prometheus one. */
#include "probe/textfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe/prom_out.h"

static int fail(int e, const char *path, const char *step, char *err, size_t errlen)
{
	snprintf(err, errlen, "cannot write %s: %s: %s", path, step, strerror(e));
	return -e;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int textfile_write(const char *dir, const char *name, const char *data, size_t len, char *err,
		   size_t errlen)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	int m = snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path) || m < 0 || (size_t)m >= sizeof(tmp))
		return fail(ENAMETOOLONG, dir, "directory name", err, errlen);

	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return fail(errno, path, "creating a temporary file", err, errlen);
	const char *step = NULL;
	int e = 0;
	if (fchmod(fd, 0644) < 0) {
		e = errno;
		step = "chmod 0644";
	} else if ((e = -write_all(fd, data, len)) != 0) {
		step = "writing";
	} else if (fsync(fd) < 0) {
		e = errno;
		step = "fsync";
	}
	/* close reports a delayed write error (NFS) */
	if (close(fd) < 0 && !step) {
		e = errno;
		step = "close";
	}
	if (!step && rename(tmp, path) < 0) {
		e = errno;
		step = "rename";
	}
	if (step) {
		unlink(tmp);
		return fail(e, path, step, err, errlen);
	}
	/* The rename is on disk once the directory is; best effort: some file systems refuse
	 * fsync on a directory, and the file itself is complete either way. */
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
}

int textfile_write_prometheus(const char *dir, const struct check_facts *f,
			      const struct verdict *v, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	if (!mem) {
		snprintf(err, errlen, "cannot write %s/%s: out of memory", dir, TEXTFILE_NAME);
		return -ENOMEM;
	}
	int r = report_prometheus(mem, f, v);
	if (fclose(mem) != 0 || r < 0) {
		free(buf);
		snprintf(err, errlen, "cannot write %s/%s: out of memory", dir, TEXTFILE_NAME);
		return -ENOMEM;
	}
	r = textfile_write(dir, TEXTFILE_NAME, buf, len, err, errlen);
	free(buf);
	return r;
}
