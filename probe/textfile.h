/* textfile: the run's Prometheus exposition as a file for node_exporter's textfile collector
 * (--textfile-dir), replaced atomically so that a scrape never reads half of it. */
#ifndef PROBE_TEXTFILE_H
#define PROBE_TEXTFILE_H

#include <stddef.h>

#include "probe/facts.h"
#include "probe/verdict.h"

/* The collector reads the files of DIR whose names end in .prom; the temporary one's does not. */
#define TEXTFILE_NAME "etcd_probe.prom"

/* Writes data[0..len) to DIR/NAME: a temporary file in DIR (so rename is atomic: same file
 * system), mode 0644 whatever the umask (the collector often runs as another user), written,
 * fsync'd, then renamed over DIR/NAME; the temporary file is removed on every failure. Returns 0,
 * or -errno with err set to one line ("cannot write DIR/NAME: creating a temporary file:
 * Permission denied"). */
int textfile_write(const char *dir, const char *name, const char *data, size_t len, char *err,
		   size_t errlen);

/* report_prometheus() of f and v into DIR/etcd_probe.prom with textfile_write(). Returns 0 or
 * -errno (-ENOMEM: nothing written) with err set. */
int textfile_write_prometheus(const char *dir, const struct check_facts *f,
			      const struct verdict *v, char *err, size_t errlen);

#endif
