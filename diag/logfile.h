/* logfile.h: read etcd's log files (--log-file, --log-dir, kubeadm's /var/log/pods) line by
 * line with a fixed buffer into the classifier and aggregates, and say what each file held. */
#ifndef DIAG_LOGFILE_H
#define DIAG_LOGFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag/aggregate.h"
#include "diag/logshape.h"

#define LOGFILE_NAMED_MAX 32 /* --log-file and --log-dir each */
#define LOGFILE_MAX 64       /* files read in one run; more are counted, not read */
#define LOGFILE_PODS_ROOT "/var/log/pods"

struct logfile_opts {
	const char *files[LOGFILE_NAMED_MAX]; /* --log-file */
	size_t n_files;
	const char *dirs[LOGFILE_NAMED_MAX]; /* --log-dir */
	size_t n_dirs;
	const char *pods_root; /* kubeadm's pod logs, looked for when they exist; NULL: not */
	uint64_t since_usec, until_usec; /* realtime window, 0 = open */
	const char *const *tags;         /* syslog tags that are etcd's, NULL-terminated */
	uint64_t deadline_ns;            /* conn_now_ns() to stop at, 0 = none */
};

/* What one file held. */
struct logfile_stat {
	char path[256];
	char host[64];         /* the host its entries are aggregated under */
	bool named;            /* given with --log-file: unreadable is an error, not a note */
	int err;               /* -errno when it could not be read */
	enum logshape_kind kind; /* shape of its first etcd line */
	uint64_t lines;        /* lines read */
	uint64_t etcd_lines;   /* of those, etcd's (not other programs' syslog lines) */
	uint64_t in_window;    /* of those, within --since/--until */
	uint64_t after_until;  /* of those, later than --until (the rest out of it: before --since) */
	uint64_t cut;          /* lines over LOGSHAPE_LINE_MAX, cut there */
	uint64_t joined_cut;   /* split lines whose joined whole was cut */
	uint64_t first_usec, last_usec; /* span of its etcd lines */
};

struct logfile_scan {
	size_t n;
	struct logfile_stat v[LOGFILE_MAX];
	size_t not_read;   /* files beyond LOGFILE_MAX */
	size_t skipped_gz; /* rotated *.log.*.gz: not read (no zlib here) */
	char dir_err[160]; /* the first --log-dir that could not be listed, with its reason */
};

/* Lists the files (named ones, *.log of each dir sorted, kubeadm's etcd pods), then reads each
 * to its size at open, at most o->deadline_ns (then aggs->cut_by_deadline). Memory does not grow
 * with the files. Returns 0 or -ENOMEM; per-file failures are in s->v[i].err. */
int logfile_scan_all(const struct logfile_opts *o, struct diag_aggs *aggs, struct logfile_scan *s);

/* The notes a report owes about the files: unreadable ones, those with lines but none in the
 * window (and their span), cut lines, skipped ones; "" when none. Returns the length. */
size_t logfile_notes(const struct logfile_scan *s, char *out, size_t cap);

/* True when a --log-file could not be read: the run cannot claim it looked. */
bool logfile_named_failed(const struct logfile_scan *s);

/* kubeadm's pod directory name "kube-system_etcd-NODE_UID": NODE into out; false if not one. */
bool logfile_pod_node(const char *dirname, char *out, size_t cap);

#endif
