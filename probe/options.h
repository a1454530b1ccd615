/* options: etcd-probe's command line (etcdctl's connection flags plus the Nagios plugin
 * conventions) and the ETCDCTL_* environment fallbacks. */
#ifndef PROBE_OPTIONS_H
#define PROBE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "probe/etcdctl_flags.h"
#include "probe/thresholds.h"

enum output_format { FORMAT_NAGIOS, FORMAT_JSON, FORMAT_PROMETHEUS };

struct probe_options {
	struct etcdctl_flags conn; /* endpoints default to 127.0.0.1:2379, as etcdctl's */
	bool insecure;
	bool cluster;
	bool no_metrics;           /* --no-metrics */
	const char *metrics_urls;  /* --metrics-url, comma-separated, NULL for none */
	const char *write_prefix; /* --write-check[=PREFIX]: NULL when off */
	double timeout_s;
	struct thresholds th;
	enum output_format format;
	const char *textfile_dir; /* --textfile-dir: also write DIR/etcd_probe.prom; NULL: no */
	int verbose;
	bool help, version;
	const char *state_file; /* --state-file; NULL: history_default_path() */
	bool no_state_file;     /* --no-state-file: /metrics figures over the lifetime */
};

/* Parses argv (and the environment for absent flags). Returns 0, or -errno (-EINVAL, -ENOENT
 * for a missing --password-file, ...) with err set to one line naming the bad flag or value.
 * The password given in argv is overwritten there (see etcdctl_flags_finish), even on error;
 * options_free is needed either way. */
int options_parse(int argc, char **argv, struct probe_options *ret, char *err, size_t errlen);

/* Cleanses the password copy; accepts a zeroed struct. */
void options_free(struct probe_options *o);

/* The --help text. */
void options_usage(FILE *out);

#endif
