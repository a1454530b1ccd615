/* options: getopt_long over one table of flags; strict number parsing; env fallbacks. */
#include "probe/options.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_ENDPOINTS = 256, OPT_CACERT, OPT_CERT, OPT_KEY, OPT_USER, OPT_PASSWORD, OPT_PASSWORD_FILE,
	OPT_INSECURE, OPT_CLUSTER, OPT_FORMAT, OPT_NO_METRICS, OPT_METRICS_URL, OPT_FRAG_MIN,
	OPT_TEXTFILE_DIR,
	OPT_WRITE_CHECK,
	OPT_STATE_FILE, OPT_NO_STATE_FILE,
};

static const struct option long_opts[] = {
	{"endpoints", required_argument, NULL, OPT_ENDPOINTS},
	{"cacert", required_argument, NULL, OPT_CACERT},
	{"cert", required_argument, NULL, OPT_CERT},
	{"key", required_argument, NULL, OPT_KEY},
	{"user", required_argument, NULL, OPT_USER},
	{"password", required_argument, NULL, OPT_PASSWORD},
	{"password-file", required_argument, NULL, OPT_PASSWORD_FILE},
	{"insecure-skip-tls-verify", no_argument, NULL, OPT_INSECURE},
	{"cluster", no_argument, NULL, OPT_CLUSTER},
	{"format", required_argument, NULL, OPT_FORMAT},
	{"no-metrics", no_argument, NULL, OPT_NO_METRICS},
	{"metrics-url", required_argument, NULL, OPT_METRICS_URL},
	{"frag-min-bytes", required_argument, NULL, OPT_FRAG_MIN},
	{"textfile-dir", required_argument, NULL, OPT_TEXTFILE_DIR},
	{"write-check", optional_argument, NULL, OPT_WRITE_CHECK},
	{"state-file", required_argument, NULL, OPT_STATE_FILE},
	{"no-state-file", no_argument, NULL, OPT_NO_STATE_FILE},
	{"timeout", required_argument, NULL, 't'},
	{"warning", required_argument, NULL, 'w'},
	{"critical", required_argument, NULL, 'c'},
	{"verbose", no_argument, NULL, 'v'},
	{"version", no_argument, NULL, 'V'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

void options_usage(FILE *out)
{
	fputs("Usage: etcd-probe [--endpoints=URL[,URL...]] [--cacert=FILE] [--cert=FILE --key=FILE]\n"
	      "                  [--user=NAME] [--password-file=FILE] [--cluster]\n"
	      "                  [--insecure-skip-tls-verify] [-t SECONDS] [-w METRIC=RANGE,...]\n"
	      "                  [-c METRIC=RANGE,...] [--format=nagios|json|prometheus]\n"
	      "                  [--textfile-dir=DIR] [--write-check[=PREFIX]]\n"
	      "                  [--no-metrics | --metrics-url=URL[,URL...]] [--frag-min-bytes=N]\n"
	      "                  [--state-file=FILE | --no-state-file] [-v] [-V] [-h]\n"
	      "\n"
	      "Checks every etcd member over its v3 gRPC API (Status, a linearizable read of key\n"
	      "\"health\", Alarm, MemberList) and its /metrics, all endpoints at once, and prints a\n"
	      "Nagios-style result.\n"
	      "Exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.\n"
	      "\n"
	      "  --endpoints      client URLs (default 127.0.0.1:2379; https when TLS flags are given)\n"
	      "  --cacert/--cert/--key  CA bundle, client certificate and key (PEM)\n"
	      "  --user NAME      etcd user when auth is enabled (authenticates once per run)\n"
	      "  --password-file  a file whose first line is the password (not readable by\n"
	      "                   others), or ETCDCTL_PASSWORD; --password PW and --user NAME:PW\n"
	      "                   also work but put it in argv, which every local user can read\n"
	      "                   (ps) until the probe overwrites it\n"
	      "  --cluster        also probe every member found in the member list\n"
	      "  --write-check[=PREFIX]  also write: a put of PREFIX<host>-<pid> (default prefix\n"
	      "                   /etcd-probe/) under a 60 s lease, then its delete, through one\n"
	      "                   member; timed as write_latency. Needs write permission there.\n"
	      "  --insecure-skip-tls-verify  do not fail on server certificate errors (WARNING)\n"
	      "  -t, --timeout    overall deadline in seconds (default 10)\n"
	      "  -w, --warning / -c, --critical  METRIC=RANGE[,METRIC=RANGE...], Nagios ranges\n"
	      "                   (10 = outside 0..10, 10: = below 10, ~:10 = above 10, @10:20 = inside)\n"
	      "  --format         nagios (default), json, or prometheus (text exposition 0.0.4)\n"
	      "  --textfile-dir   also write DIR/etcd_probe.prom (Prometheus text, replaced\n"
	      "                   atomically) for node_exporter's textfile collector; stdout and\n"
	      "                   the exit code stay as --format says; a failed write exits 3\n"
	      "  --no-metrics     do not read each member's /metrics (fsync, commit, peer round\n"
	      "                   trips, leader changes, failed proposals, the real quota)\n"
	      "  --metrics-url URL[,URL...]  where members serve /metrics when not on the client\n"
	      "                   URL (--listen-metrics-urls, kubeadm's http://127.0.0.1:2381): as\n"
	      "                   many as --endpoints, in order, or else matched by host\n"
	      "  --frag-min-bytes N  judge frag_pct only on a DB with more than N bytes in use\n"
	      "                   (default 104857600, etcd-mixin's)\n"
	      "  --state-file F   where the /metrics figures of the last run are kept, so that\n"
	      "                   rates and p99s cover the time since then (default\n"
	      "                   $STATE_DIRECTORY/state, /var/lib/etcd-probe/state for root,\n"
	      "                   else ~/.local/state/etcd-probe/state); --no-state-file: none\n"
	      "Environment: ETCDCTL_ENDPOINTS, ETCDCTL_CACERT, ETCDCTL_CERT, ETCDCTL_KEY,\n"
	      "ETCDCTL_USER, ETCDCTL_PASSWORD are used when the flag is absent.\n"
	      "\n"
	      "Metrics and default thresholds (warning / critical):\n", out);
	for (int m = 0; m < METRIC_COUNT; m++)
		fprintf(out, "  %-18s %-6s / %-6s %s\n", metric_defs[m].name,
			metric_defs[m].warn ? metric_defs[m].warn : "-",
			metric_defs[m].crit ? metric_defs[m].crit : "-", metric_defs[m].help);
	fputs("Any alarm, lost quorum, no leader, differing cluster IDs or a refused --write-check are\n"
	      "CRITICAL; a minority of members down, differing versions, a release the etcd\n"
	      "maintainers warn against or skipped verification are WARNING.\n", out);
}

static int parse_timeout(const char *s, double *ret)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end != '\0' || !isfinite(v) || v <= 0 || v > 3600)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* The key is PREFIX + host name (<= 63) + "-" + PID: this bound keeps it within etcd_rpc's
 * ETCD_RPC_KEY_MAX. Printable ASCII only: the key is named in reports. */
#define WRITE_PREFIX_MAX 128

static int parse_write_prefix(const char *arg, const char **ret)
{
	const char *p = arg ? arg : "/etcd-probe/";
	size_t n = strlen(p);
	if (n == 0 || n > WRITE_PREFIX_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x21 || (unsigned char)p[i] > 0x7e)
			return -EINVAL;
	*ret = p;
	return 0;
}

static int parse(int argc, char **argv, struct probe_options *o, char *err, size_t errlen)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->timeout_s = 10;
	thresholds_defaults(&o->th);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":t:w:c:vVh", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_ENDPOINTS: o->conn.endpoints = optarg; break;
		case OPT_CACERT: o->conn.cacert = optarg; break;
		case OPT_CERT: o->conn.cert = optarg; break;
		case OPT_KEY: o->conn.key = optarg; break;
		case OPT_USER: o->conn.user = optarg; break;
		case OPT_PASSWORD: o->conn.password_arg = optarg; break;
		case OPT_PASSWORD_FILE: o->conn.password_file = optarg; break;
		case OPT_INSECURE: o->insecure = true; break;
		case OPT_CLUSTER: o->cluster = true; break;
		case OPT_NO_METRICS: o->no_metrics = true; break;
		case OPT_METRICS_URL: o->metrics_urls = optarg; break;
		case OPT_FRAG_MIN: {
			char *end;
			errno = 0;
			double v = strtod(optarg, &end);
			if (errno || end == optarg || *end || !isfinite(v) || v < 0) {
				snprintf(err, errlen, "--frag-min-bytes '%s': expected bytes, >= 0",
					 optarg);
				return -EINVAL;
			}
			o->th.frag_min_bytes = v;
			break;
		}
		case OPT_TEXTFILE_DIR:
			if (!optarg[0]) {
				snprintf(err, errlen, "--textfile-dir needs a directory");
				return -EINVAL;
			}
			o->textfile_dir = optarg;
			break;
		case OPT_WRITE_CHECK:
			if (parse_write_prefix(optarg, &o->write_prefix) < 0) {
				snprintf(err, errlen, "--write-check=PREFIX: 1 to %d printable bytes",
					 WRITE_PREFIX_MAX);
				return -EINVAL;
			}
			break;
		case OPT_STATE_FILE:
			if (!optarg[0]) {
				snprintf(err, errlen, "--state-file needs a path");
				return -EINVAL;
			}
			o->state_file = optarg;
			break;
		case OPT_NO_STATE_FILE: o->no_state_file = true; break;
		case OPT_FORMAT:
			if (strcmp(optarg, "json") == 0)
				o->format = FORMAT_JSON;
			else if (strcmp(optarg, "prometheus") == 0)
				o->format = FORMAT_PROMETHEUS;
			else if (strcmp(optarg, "nagios") == 0 || strcmp(optarg, "text") == 0)
				o->format = FORMAT_NAGIOS;
			else {
				snprintf(err, errlen, "--format must be nagios, json or prometheus, "
					 "not '%s'", optarg);
				return -EINVAL;
			}
			break;
		case 't':
			if (parse_timeout(optarg, &o->timeout_s) < 0) {
				snprintf(err, errlen, "-t/--timeout '%s': expected seconds, > 0 and "
						      "<= 3600", optarg);
				return -EINVAL;
			}
			break;
		case 'w':
		case 'c':
			if (thresholds_parse(&o->th, optarg, c == 'c', err, errlen) < 0)
				return -EINVAL;
			break;
		case 'v': o->verbose++; break;
		case 'V': o->version = true; break;
		case 'h': o->help = true; break;
		case ':':
			snprintf(err, errlen, "option %s needs a value", argv[optind - 1]);
			return -EINVAL;
		default:
			if (optopt)
				snprintf(err, errlen, "unknown option -%c", optopt);
			else
				snprintf(err, errlen, "unknown option %s", argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	int r = etcdctl_flags_finish(&o->conn, err, errlen);
	if (r < 0)
		return r;
	if (!o->conn.endpoints)
		o->conn.endpoints = "127.0.0.1:2379";
	return 0;
}

void options_free(struct probe_options *o)
{
	etcdctl_flags_wipe(&o->conn);
}

int options_parse(int argc, char **argv, struct probe_options *o, char *err, size_t errlen)
{
	int r = parse(argc, argv, o, err, errlen);
	/* a usage error stops before etcdctl_flags_finish: the password leaves argv anyway */
	if (r < 0 && o->conn.password_arg)
		memset(o->conn.password_arg, 0, strlen(o->conn.password_arg));
	return r;
}
