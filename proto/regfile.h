/* regfile: reads a file named on the command line without ever blocking on it: a FIFO, a
 * terminal or a device given where a file is expected is refused at once, naming the flag. */
#ifndef PROTO_REGFILE_H
#define PROTO_REGFILE_H

#include <stddef.h>
#include <stdio.h>

/* Opens path read-only with O_NONBLOCK|O_NOCTTY (so neither a FIFO without writer nor a
 * terminal can stall or adopt us) and checks with fstat that it is a regular file. Returns the
 * fd (the caller closes it), or -errno with err set to one line naming flag and path, e.g.
 * "cannot read --cacert /x/ca.pem: not a regular file". */
int regfile_open(const char *flag, const char *path, char *err, size_t errlen);

/* regfile_open as a stdio stream ("re"); NULL with errno set (EINVAL: not a regular file) and
 * err set on failure. */
FILE *regfile_fopen(const char *flag, const char *path, char *err, size_t errlen);

/* Reads the whole regular file (at most max_len bytes, -EFBIG beyond) into a new NUL-terminated
 * buffer: *ret (free it; OPENSSL_cleanse it first when it holds a secret), *ret_len without the
 * NUL. If ret_mode is not NULL it receives st_mode. Returns 0 or -errno with err set. */
int regfile_read(const char *flag, const char *path, size_t max_len, char **ret, size_t *ret_len,
		 unsigned *ret_mode, char *err, size_t errlen);

#endif
