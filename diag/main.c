/* main.c: etcd-diag's command line: learn the config, read the journal, inspect certificates,
 * run live checks, correlate, report; errors are turned into one line and an exit code here. */
#include <errno.h>
#include <stddef.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "diag/aggregate.h"
#include "diag/certcheck.h"
#include "diag/classify.h"
#include "diag/config.h"
#include "diag/correlate.h"
#include "diag/journal.h"
#include "diag/live.h"
#include "diag/logfile.h"
#include "diag/report.h"
#include "diag/text.h"
#include "probe/backstop.h"
#include "proto/conn.h"

#define DIAG_VERSION "0.1"

struct diag_opts {
	struct config_sources src;
	struct journal_opts jo;
	size_t n_files;
	struct logfile_opts lo;
	const char *since, *until;
	bool offline;
	bool json;
	bool no_config;
	bool stats;
	struct live_opts live;
};

enum {
	OPT_UNIT = 256,
	OPT_ENV,
	OPT_CONFIG,
	OPT_MANIFEST,
	OPT_JDIR,
	OPT_JFILE,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_OFFLINE,
	OPT_FORMAT,
	OPT_ENDPOINTS,
	OPT_CACERT,
	OPT_CERT,
	OPT_KEY,
	OPT_USER,
	OPT_PASSWORD,
	OPT_PASSWORD_FILE,
	OPT_NO_CONFIG,
	OPT_UNITNAME,
	OPT_LIST_SIGNATURES,
	OPT_STATS,
	OPT_LOG_FILE,
	OPT_LOG_DIR,
};

static const struct option long_opts[] = {
	{"unit-file", required_argument, NULL, OPT_UNIT},
	{"env-file", required_argument, NULL, OPT_ENV},
	{"config-file", required_argument, NULL, OPT_CONFIG},
	{"manifest", required_argument, NULL, OPT_MANIFEST},
	{"no-config", no_argument, NULL, OPT_NO_CONFIG},
	{"journal-dir", required_argument, NULL, OPT_JDIR},
	{"journal-file", required_argument, NULL, OPT_JFILE},
	{"unit", required_argument, NULL, OPT_UNITNAME},
	{"log-file", required_argument, NULL, OPT_LOG_FILE},
	{"log-dir", required_argument, NULL, OPT_LOG_DIR},
	{"since", required_argument, NULL, OPT_SINCE},
	{"until", required_argument, NULL, OPT_UNTIL},
	{"offline", no_argument, NULL, OPT_OFFLINE},
	{"format", required_argument, NULL, OPT_FORMAT},
	{"endpoints", required_argument, NULL, OPT_ENDPOINTS},
	{"cacert", required_argument, NULL, OPT_CACERT},
	{"cert", required_argument, NULL, OPT_CERT},
	{"key", required_argument, NULL, OPT_KEY},
	{"user", required_argument, NULL, OPT_USER},
	{"password", required_argument, NULL, OPT_PASSWORD},
	{"password-file", required_argument, NULL, OPT_PASSWORD_FILE},
	{"list-signatures", no_argument, NULL, OPT_LIST_SIGNATURES},
	{"stats", no_argument, NULL, OPT_STATS},
	{"timeout", required_argument, NULL, 't'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

static void usage(FILE *out)
{
	fputs("usage: etcd-diag [--unit-file F] [--env-file F] [--config-file F] [--manifest F]\n"
	      "                 [--no-config]\n"
	      "                 [--journal-dir D | --journal-file F ...] [--unit NAME]\n"
	      "                 [--log-file F ...] [--log-dir D ...]\n"
	      "                 [--since T] [--until T] [--offline] [--format=text|json]\n"
	      "                 [--endpoints URLS] [--cacert F] [--cert F] [--key F]\n"
	      "                 [--user U] [--password-file F] [-t SECONDS] [--list-signatures]\n"
	      "                 [--stats]\n"
	      "                 [-h] [-V]\n"
	      "--password-file F: the password is F's first line (F not readable by others); or\n"
	      "ETCDCTL_PASSWORD. --password P works too but every local user can read argv (ps).\n"
	      "Diagnoses an etcd member from its journal, certificates and live checks.\n"
	      "--log-file/--log-dir: etcd's log files (CRI/kubeadm pods, docker json-file,\n"
	      "syslog, etcd's own output); the system journal is then read only when\n"
	      "--journal-dir or --journal-file names it.\n"
	      "T: -1h, -30m, -2d, now, @UNIX, \"YYYY-MM-DD HH:MM[:SS]\" (default: the last hour).\n"
	      "-t SECONDS (default 5): the whole diagnosis ends within it: the journal scan gets\n"
	      "half of it when live checks follow (all of it with --offline), the live checks the\n"
	      "rest. A scan cut short says so.\n"
	      "Exit: 0 OK, 1 warning, 2 critical, 3 could not diagnose.\n",
	      out);
}

/* --stats: one line on stderr; anonymous memory is what our own allocations cost (the mapped
 * journal files are file pages, counted in RssFile). */
static void print_stats(const struct diag_aggs *a)
{
	char line[128], anon[32] = "?", file[32] = "?";
	FILE *f = fopen("/proc/self/status", "re");
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "RssAnon:", 8) == 0)
			sscanf(line + 8, "%31s", anon);
		else if (strncmp(line, "RssFile:", 8) == 0)
			sscanf(line + 8, "%31s", file);
	}
	if (f)
		fclose(f);
	fprintf(stderr, "etcd-diag: %llu entries, %llu matched, %zu aggregates, %llu dropped, "
			"RssAnon %s kB, RssFile %s kB\n",
		(unsigned long long)a->entries, (unsigned long long)a->matched, a->n,
		(unsigned long long)a->dropped, anon, file);
}

static uint64_t now_usec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000ull + (uint64_t)ts.tv_nsec / 1000;
}

/* -h, -V, --list-signatures: exit 0 only if what they printed reached stdout. */
static __attribute__((noreturn)) void exit_after_output(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "etcd-diag: cannot write to stdout: %s\n", strerror(errno));
		exit(3);
	}
	exit(0);
}

/* Strict positive seconds ("nan" compares false with everything: refused by isfinite). */
static int parse_seconds(const char *s, double *ret)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v <= 0 || v > 3600)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int parse_opts(int argc, char **argv, struct diag_opts *o)
{
	int c;
	memset(o, 0, sizeof(*o));
	o->live.timeout_s = 5;
	while ((c = getopt_long(argc, argv, "t:hV", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_UNIT:
			o->src.unit_file = optarg;
			break;
		case OPT_ENV:
			o->src.env_file = optarg;
			break;
		case OPT_CONFIG:
			o->src.config_file = optarg;
			break;
		case OPT_MANIFEST:
			o->src.manifest = optarg;
			break;
		case OPT_NO_CONFIG:
			o->no_config = true;
			break;
		case OPT_JDIR:
			o->jo.dir = optarg;
			break;
		case OPT_JFILE:
			if (o->n_files >= JOURNAL_FILES_MAX) {
				fprintf(stderr, "etcd-diag: too many --journal-file (max %d)\n",
					JOURNAL_FILES_MAX);
				return -E2BIG;
			}
			o->jo.files[o->n_files++] = optarg;
			break;
		case OPT_LOG_FILE:
		case OPT_LOG_DIR: {
			bool dir = c == OPT_LOG_DIR;
			size_t *n = dir ? &o->lo.n_dirs : &o->lo.n_files;
			if (*n >= LOGFILE_NAMED_MAX) {
				fprintf(stderr, "etcd-diag: too many --log-%s (max %d)\n",
					dir ? "dir" : "file", LOGFILE_NAMED_MAX);
				return -E2BIG;
			}
			(dir ? o->lo.dirs : o->lo.files)[(*n)++] = optarg;
			break;
		}
		case OPT_UNITNAME:
			o->jo.unit = optarg;
			o->src.unit_name = optarg;
			break;
		case OPT_SINCE:
			o->since = optarg;
			break;
		case OPT_UNTIL:
			o->until = optarg;
			break;
		case OPT_OFFLINE:
			o->offline = true;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "json") == 0)
				o->json = true;
			else if (strcmp(optarg, "text") != 0) {
				fprintf(stderr, "etcd-diag: --format must be text or json\n");
				return -EINVAL;
			}
			break;
		case OPT_ENDPOINTS:
			o->live.conn.endpoints = optarg;
			break;
		case OPT_CACERT:
			o->live.conn.cacert = optarg;
			break;
		case OPT_CERT:
			o->live.conn.cert = optarg;
			break;
		case OPT_KEY:
			o->live.conn.key = optarg;
			break;
		case OPT_USER:
			o->live.conn.user = optarg;
			break;
		case OPT_PASSWORD:
			o->live.conn.password_arg = optarg;
			break;
		case OPT_PASSWORD_FILE:
			o->live.conn.password_file = optarg;
			break;
		case 't':
			if (parse_seconds(optarg, &o->live.timeout_s) < 0) {
				fprintf(stderr, "etcd-diag: bad -t %s\n", optarg);
				return -EINVAL;
			}
			break;
		case OPT_STATS:
			o->stats = true;
			break;
		case OPT_LIST_SIGNATURES: {
			/* "CODE<TAB>NEEDLE" per failure signature (healthy and identity rows left out) */
			enum diag_code code;
			const char *n;
			for (size_t i = 0; (n = classify_signature_needle(i, &code)) != NULL; i++)
				if (code != DIAG_CODE_NONE && code < DIAG_FACT_LOCAL_MEMBER)
					printf("%s\t%s\n", diag_code_str(code), n);
			exit_after_output();
		}
		case 'h':
			usage(stdout);
			exit_after_output();
		case 'V':
			printf("etcd-diag %s\n", DIAG_VERSION);
			exit_after_output();
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "etcd-diag: unexpected argument %s\n", argv[optind]);
		return -EINVAL;
	}
	if (o->jo.dir && o->n_files) {
		fprintf(stderr, "etcd-diag: --journal-dir and --journal-file exclude each other\n");
		return -EINVAL;
	}
	/* etcdctl's environment and --user=name:password, as etcd-probe reads them */
	char err[160];
	if (etcdctl_flags_finish(&o->live.conn, err, sizeof(err)) < 0) {
		fprintf(stderr, "etcd-diag: %s\n", err);
		return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct diag_opts o;
	struct diag_config cfg;
	struct report_meta meta;
	struct cert_report *certs = NULL;
	struct live_facts *live = NULL;
	struct diag_findings *findings = NULL;
	struct diag_aggs *aggs = NULL;
	struct logfile_scan *logs = NULL;
	char err[512] = "";
	int rc = 3;
	bool journal_ok = false;

	/* A closed stdout is an EPIPE from write, handled below, not a death by signal. */
	signal(SIGPIPE, SIG_IGN);
	if (parse_opts(argc, argv, &o) < 0) {
		/* stopped before etcdctl_flags_finish: the password leaves argv anyway */
		if (o.live.conn.password_arg)
			memset(o.live.conn.password_arg, 0, strlen(o.live.conn.password_arg));
		etcdctl_flags_wipe(&o.live.conn);
		return 3;
	}
	/* the promise to a timer or a scheduler: -t, plus a second for reading the configuration,
	 * the certificates and writing the report */
	backstop_arm(o.live.timeout_s + 1.0, "ETCD-DIAG UNKNOWN - internal deadline exceeded\n");
	/* one deadline for the run: the journal's share first, the live passes share the rest */
	uint64_t start_ns = conn_now_ns();
	uint64_t budget_ns = (uint64_t)(o.live.timeout_s * 1e9);
	o.live.start_ns = start_ns;
	o.jo.deadline_ns = start_ns + (o.offline ? budget_ns : budget_ns / 2);
	memset(&meta, 0, sizeof(meta));
	memset(&cfg, 0, sizeof(cfg));
	certs = calloc(1, sizeof(*certs));
	live = calloc(1, sizeof(*live));
	findings = calloc(1, sizeof(*findings));
	aggs = aggs_new();
	logs = calloc(1, sizeof(*logs));
	if (!certs || !live || !findings || !aggs || !logs) {
		fprintf(stderr, "etcd-diag: out of memory\n");
		goto out;
	}

	meta.cfg = o.no_config ? NULL : &cfg;
	if (!o.no_config && config_load(&o.src, &cfg, err, sizeof(err)) < 0) {
		printf("ETCD-DIAG UNKNOWN - cannot diagnose: %s\n", err);
		goto out;
	}

	uint64_t now = now_usec();
	o.jo.since_usec = now - 3600ull * 1000000ull;
	o.jo.until_usec = 0;
	if ((o.since && journal_parse_time(o.since, now, &o.jo.since_usec) < 0) ||
	    (o.until && journal_parse_time(o.until, now, &o.jo.until_usec) < 0)) {
		fprintf(stderr, "etcd-diag: bad --since/--until (use -1h, now, @UNIX, "
				"\"YYYY-MM-DD HH:MM:SS\")\n");
		goto out;
	}
	meta.since_usec = o.jo.since_usec;
	meta.until_usec = o.jo.until_usec;
	char jerr[256] = "";
	/* named log files are what to read; the system journal then only when named too, and
	 * kubeadm's pod logs are looked for only when no log file is named */
	bool named_logs = o.lo.n_files || o.lo.n_dirs;
	bool read_journal = !named_logs || o.jo.dir || o.n_files;
	int jr = read_journal ? journal_scan(&o.jo, aggs, jerr, sizeof(jerr)) : 0;
	journal_ok = jr == 0;
	/* an OK from what could be read must not pass for an OK from the logs (a non-root
	 * on-call run): the summary line says what was closed to it */
	if (jr == -EACCES || jr == -EPERM)
		text_scopy(meta.unread, sizeof(meta.unread),
			   "the journal: permission denied, run as root or in group systemd-journal");
	/* syslog lines count when their tag is etcd's: the usual names, and --unit's */
	char unit_tag[64] = "";
	if (o.jo.unit) {
		snprintf(unit_tag, sizeof(unit_tag), "%s", o.jo.unit);
		char *dot = strrchr(unit_tag, '.');
		if (dot && strcmp(dot, ".service") == 0)
			*dot = '\0';
	}
	const char *tags[] = {"etcd", "etcd2", "etcd3", unit_tag[0] ? unit_tag : NULL, NULL};
	o.lo.tags = tags;
	o.lo.since_usec = o.jo.since_usec;
	o.lo.until_usec = o.jo.until_usec;
	o.lo.deadline_ns = o.jo.deadline_ns;
	/* ETCD_DIAG_PODS_ROOT: a copy of /var/log/pods elsewhere, for tests */
	const char *pods = getenv("ETCD_DIAG_PODS_ROOT");
	o.lo.pods_root = named_logs ? NULL : pods && pods[0] ? pods : LOGFILE_PODS_ROOT;
	if (logfile_scan_all(&o.lo, aggs, logs) < 0) {
		fprintf(stderr, "etcd-diag: out of memory\n");
		goto out;
	}
	meta.entries = aggs->entries;

	/* on a member, its own client credentials reach it (as etcdctl would be run);
	 * kubeadm's healthcheck-client certificate is the one made for this. Each part not given
	 * is taken from the configuration on its own: --cacert alone must not leave a member that
	 * requires a client certificate without one. The CA is resolved before the certificate
	 * checks, which date the one the live checks trust. */
	if (!o.live.conn.cacert && cfg.trusted_ca_file[0])
		o.live.conn.cacert = cfg.trusted_ca_file;
	if (cfg.cert_file[0] || cfg.peer_cert_file[0] || cfg.healthcheck_cert_file[0])
		certcheck_run(&cfg, time(NULL), certs);
	/* the CAs etcd and the live checks trust, with or without a certificate beside them:
	 * expired, every handshake through one fails (certcheck_ca dates each path once) */
	certcheck_ca(certs, o.live.conn.cacert, time(NULL));
	certcheck_ca(certs, cfg.trusted_ca_file, time(NULL));
	certcheck_ca(certs, cfg.peer_trusted_ca_file, time(NULL));
	meta.certs_checked = certs->n_certs;

	if (!o.offline) {
		if (!o.live.conn.cert && !o.live.conn.key) {
			bool hc = cfg.healthcheck_cert_file[0] && cfg.healthcheck_key_file[0];
			bool own = cfg.cert_file[0] && cfg.key_file[0];
			o.live.conn.cert = hc ? cfg.healthcheck_cert_file
					   : own ? cfg.cert_file : NULL;
			o.live.conn.key = hc ? cfg.healthcheck_key_file : own ? cfg.key_file : NULL;
			if (o.live.conn.cert)
				text_printf(meta.live_cert, sizeof(meta.live_cert), "%s%s",
					    o.live.conn.cert,
					    hc ? " (kubeadm's healthcheck-client)" : "");
		}
		/* the peer URLs of --initial-cluster ("name=url,..."): the certificate each member
		 * presents to its peers, checked from here */
		char peers[CONFIG_URLS_LEN] = "";
		struct config_peer ic[CONFIG_PEERS_MAX];
		int nic = config_initial_cluster_parse(cfg.initial_cluster, ic, CONFIG_PEERS_MAX, NULL);
		size_t po = 0;
		for (int i = 0; i < nic; i++)
			po += text_printf(peers + po, sizeof(peers) - po, "%s%s", po ? "," : "",
					  ic[i].url);
		if (nic <= 0)
			text_scopy(peers, sizeof(peers), cfg.initial_advertise_peer_urls);
		o.live.peer_urls = peers[0] ? peers : NULL;
		o.live.peer_cacert = cfg.peer_trusted_ca_file[0] ? cfg.peer_trusted_ca_file : NULL;
		o.live.peer_cert = cfg.peer_cert_file[0] ? cfg.peer_cert_file : NULL;
		o.live.peer_key = cfg.peer_key_file[0] ? cfg.peer_key_file : NULL;
		char def[CONFIG_URLS_LEN];
		snprintf(def, sizeof(def), "%s", cfg.advertise_client_urls);
		if (live_run(&o.live, def[0] ? def : NULL, live) < 0) {
			fprintf(stderr, "etcd-diag: out of memory\n");
			goto out;
		}
		meta.endpoints_checked = live->n;
	}

	struct correlate_input in = {aggs, certs, live, &cfg};
	if (correlate_run(&in, findings) < 0) {
		fprintf(stderr, "etcd-diag: out of memory\n");
		goto out;
	}

	size_t w = 0;
	if (!journal_ok)
		w += (size_t)snprintf(meta.why + w, sizeof(meta.why) - w, "%s", jerr);
	else if (aggs->entries == 0)
		w += (size_t)snprintf(meta.why + w, sizeof(meta.why) - w,
				      "no etcd entries in the %s in this window",
				      !read_journal ? "log files"
				      : logs->n ? "journal or the log files" : "journal");
	char notes[sizeof(meta.why)];
	if (logfile_notes(logs, notes, sizeof(notes)) && w < sizeof(meta.why))
		w += (size_t)snprintf(meta.why + w, sizeof(meta.why) - w, "%s%s", w ? "; " : "",
				      notes);
	if (aggs->dropped && w < sizeof(meta.why))
		w += (size_t)snprintf(meta.why + w, sizeof(meta.why) - w,
				      "%s%llu entries not aggregated (cap %d)", w ? "; " : "",
				      (unsigned long long)aggs->dropped, AGG_MAX);
	if (aggs->cut_by_deadline && w < sizeof(meta.why))
		w += (size_t)snprintf(meta.why + w, sizeof(meta.why) - w,
				      "%sjournal scan stopped at its share of -t %.1f s after %llu "
				      "entries (give a larger -t or a narrower --since)", w ? "; " : "",
				      o.live.timeout_s, (unsigned long long)aggs->entries);
	if (!o.offline && !live->available && w < sizeof(meta.why))
		w += (size_t)snprintf(meta.why + w, sizeof(meta.why) - w, "%slive checks: %s",
				      w ? "; " : "", live->why);
	/* nothing at all to go on: say so (exit 3) rather than "OK" */
	if (aggs->entries == 0 && meta.certs_checked == 0 && meta.endpoints_checked == 0 &&
	    findings->n == 0)
		meta.unknown = true;

	int wr = 0;
	if (o.json)
		wr = diag_report_json(stdout, findings, &meta);
	else
		diag_report_text(stdout, findings, &meta, isatty(STDOUT_FILENO));
	rc = diag_report_exit_code(findings, &meta);
	if (wr < 0) {
		fprintf(stderr, "etcd-diag: cannot write the JSON report: %s\n", strerror(-wr));
		rc = 3;
	}
	if (o.stats)
		print_stats(aggs);
out:
	etcdctl_flags_wipe(&o.live.conn);
	/* the report is the product: if it cannot be written, could not diagnose */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "etcd-diag: cannot write the report to stdout: %s\n",
			strerror(errno));
		rc = 3;
	}
	aggs_free(aggs);
	free(logs);
	free(findings);
	free(live);
	free(certs);
	return rc;
}
