/* etcd-probe: parse the command line, load credentials, run the checks, judge, report, and
 * turn the outcome into an exit code (0-3, nothing else). The one place that prints errors. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/backstop.h"
#include "probe/check.h"
#include "probe/history.h"
#include "probe/options.h"
#include "probe/prom_out.h"
#include "probe/report.h"
#include "probe/textfile.h"
#include "probe/verdict.h"
#include "proto/conn.h"
#include "proto/cred.h"

#ifndef VERSION
#define VERSION "0.1.0"
#endif

static int unknown(const char *msg)
{
	printf("ETCD UNKNOWN - %s\n", msg);
	return STATE_UNKNOWN;
}

static int run(int argc, char **argv, struct probe_options *o);

/* The /metrics figures over the interval since the last run (the state file), when some
 * endpoint's /metrics was read. A state-file problem is a note in the report, never a failure. */
/* The backstop fires this long after -t. */
#define BACKSTOP_SLACK_S 0.5
/* The state file's lock wait and write need this much of what is left before the backstop,
 * with the report still to write. */
#define HISTORY_SAVE_NEEDS_NS (400ull * 1000000)

static void apply_history(const struct probe_options *o, struct check_facts *f,
			  uint64_t start_ns)
{
	char buf[4096];
	bool any = false;
	for (size_t i = 0; i < f->n_eps; i++)
		any |= f->eps[i].metrics_raw != NULL;
	if (!any)
		return;
	const char *path = o->no_state_file ? NULL
			   : o->state_file  ? o->state_file
					    : history_default_path(buf, sizeof(buf));
	/* a run that used up -t (an endpoint that never answered) must still print its result
	 * before the backstop: on a slow disk the lock wait and the fsync could take that away */
	uint64_t backstop = start_ns + (uint64_t)((o->timeout_s + BACKSTOP_SLACK_S) * 1e9);
	bool may_save = conn_now_ns() + HISTORY_SAVE_NEEDS_NS < backstop;
	(void)history_apply_within(path, f, f->history_note, sizeof(f->history_note), may_save);
	if (!path && !o->no_state_file)
		snprintf(f->history_note, sizeof(f->history_note),
			 "no state file ($STATE_DIRECTORY and $HOME unset): lifetime figures");
}

int main(int argc, char **argv)
{
	struct probe_options o;

	/* A closed stdout (a scheduler that stopped reading) is an EPIPE from write, handled
	 * below as a write error, not a silent death by signal. */
	signal(SIGPIPE, SIG_IGN);
	int code = run(argc, argv, &o);
	options_free(&o);
	/* The status line is the product: if it cannot be written, the run is UNKNOWN. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		int e = errno;
		fprintf(stderr, "etcd-probe: cannot write the result to stdout: %s\n",
			strerror(e));
		return STATE_UNKNOWN;
	}
	return code;
}

static int run(int argc, char **argv, struct probe_options *o)
{
	uint64_t start_ns = conn_now_ns();
	char err[512];
	static struct endpoint eps[FACTS_MAX_ENDPOINTS];

	if (options_parse(argc, argv, o, err, sizeof(err)) < 0) {
		fprintf(stderr, "Usage: etcd-probe [--endpoints=URL,...] [--cacert F] [--cert F "
				"--key F] [-t SECONDS] ... (see --help)\n");
		return unknown(err);
	}
	backstop_arm(o->timeout_s + BACKSTOP_SLACK_S, "ETCD UNKNOWN - internal deadline exceeded\n");
	if (o->help) {
		options_usage(stdout);
		return 0;
	}
	if (o->version) {
		printf("etcd-probe %s\n", VERSION);
		return 0;
	}
	bool tls_flags = o->conn.cacert || o->conn.cert || o->conn.key;
	int n = endpoint_parse_list(o->conn.endpoints, tls_flags, eps, FACTS_MAX_ENDPOINTS, err,
				    sizeof(err));
	if (n < 0) {
		fprintf(stderr, "Usage: etcd-probe --endpoints=https://HOST:2379[,...] (see --help)\n");
		return unknown(err);
	}
	bool any_tls = false;
	for (int i = 0; i < n; i++)
		any_tls |= eps[i].tls;
	static struct endpoint meps[FACTS_MAX_ENDPOINTS];
	int n_meps = 0;
	if (o->metrics_urls && !o->no_metrics) {
		n_meps = endpoint_parse_list(o->metrics_urls, false, meps, FACTS_MAX_ENDPOINTS, err,
					     sizeof(err));
		if (n_meps < 0) {
			char why[sizeof(err)];
			snprintf(why, sizeof(why), "--metrics-url: %s", err);
			return unknown(why);
		}
		for (int i = 0; i < n_meps; i++)
			any_tls |= meps[i].tls;
	}

	SSL_CTX *ctx = NULL;
	struct cred_client client = {0};
	struct cred_config cc = {o->conn.cacert, o->conn.cert, o->conn.key, o->insecure};
	if ((any_tls || o->cluster || tls_flags) &&
	    cred_ctx_new(&cc, &ctx, &client, err, sizeof(err)) < 0)
		return unknown(err);

	struct check_config cfg = {
		.eps = eps,
		.n_eps = (size_t)n,
		.ctx = ctx,
		.insecure = o->insecure,
		.user = o->conn.user,
		.password = o->conn.password,
		.discover = o->cluster,
		.no_metrics = o->no_metrics,
		.metrics_eps = meps,
		.n_metrics_eps = (size_t)n_meps,
		.timeout_s = o->timeout_s,
		.start_ns = start_ns,
		.client_cert_problem = client.problem,
		.write_prefix = o->write_prefix,
	};
	struct check_facts facts;
	if (check_run(&cfg, &facts) < 0) {
		SSL_CTX_free(ctx);
		return unknown("out of memory");
	}
	facts.have_client_cert = client.present;
	facts.client_cert_not_after = client.present ? client.facts.not_after : 0;
	apply_history(o, &facts, start_ns);

	struct verdict *v = malloc(sizeof(*v));
	if (!v) {
		check_facts_free(&facts);
		SSL_CTX_free(ctx);
		return unknown("out of memory");
	}
	verdict_compute(&facts, &o->th, v);
	int wr = 0;
	if (o->format == FORMAT_JSON)
		wr = report_json(stdout, &facts, v);
	else if (o->format == FORMAT_PROMETHEUS)
		wr = report_prometheus(stdout, &facts, v);
	else
		report_nagios(stdout, &facts, v, &o->th);
	if (o->verbose) {
		size_t n_metrics = 0;
		for (size_t i = 0; i < facts.n_eps; i++)
			n_metrics += facts.eps[i].metrics_raw != NULL;
		fprintf(stderr, "etcd-probe: %zu endpoints in %.3f s (%zu TLS sessions resumed, "
			"%zu /metrics read)\n", facts.n_eps, facts.elapsed_s, facts.tls_resumed,
			n_metrics);
		for (size_t i = 0; i < facts.n_eps; i++)
			if (facts.eps[i].metrics_error[0])
				fprintf(stderr, "etcd-probe: %s\n", facts.eps[i].metrics_error);
	}
	int code = (int)v->state;
	if (wr < 0) {
		/* -ENOMEM: nothing written; -EIO: main() says so too */
		fprintf(stderr, "etcd-probe: cannot write the result: %s\n", strerror(-wr));
		code = STATE_UNKNOWN;
	}
	/* The textfile is a second product: the timer's Nagios line stays, the run is UNKNOWN. */
	if (o->textfile_dir &&
	    textfile_write_prometheus(o->textfile_dir, &facts, v, err, sizeof(err)) < 0) {
		fprintf(stderr, "etcd-probe: %s\n", err);
		code = STATE_UNKNOWN;
	}
	free(v);
	check_facts_free(&facts);
	SSL_CTX_free(ctx);
	return code >= 0 && code <= 3 ? code : STATE_UNKNOWN;
}
