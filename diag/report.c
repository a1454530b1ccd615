/* report.c: etcd-diag's output: readable text (summary line first) and JSON, and the exit code. */
#include "diag/report.h"

#include <string.h>
#include <time.h>

#include "probe/json_out.h"

int diag_report_exit_code(const struct diag_findings *f, const struct report_meta *m)
{
	if (m && m->unknown)
		return 3;
	switch (f ? f->worst : DIAG_SEV_OK) {
	case DIAG_SEV_CRITICAL:
		return 2;
	case DIAG_SEV_WARNING:
		return 1;
	default:
		return 0;
	}
}

const char *diag_report_status_str(int exit_code)
{
	static const char *const names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
	return exit_code >= 0 && exit_code <= 3 ? names[exit_code] : "UNKNOWN";
}

static size_t count_at_least(const struct diag_findings *f, enum diag_severity s)
{
	size_t n = 0;
	for (size_t i = 0; i < f->n; i++)
		n += f->v[i].severity >= s;
	return n;
}

/* "2 problems: cert-san-mismatch on m3, member-down on m2" or "no problem found". */
static void summary_line(const struct diag_findings *f, const struct report_meta *m, char *out,
			 size_t cap)
{
	size_t n = count_at_least(f, DIAG_SEV_WARNING);
	size_t o = 0;
	int k;

	if (m->unknown) {
		snprintf(out, cap, "cannot diagnose: %s", m->why);
		return;
	}
	if (n == 0 && m->unread[0])
		k = snprintf(out, cap, "no problem found in what could be read (%s)", m->unread);
	else if (n == 0)
		k = snprintf(out, cap, "no problem found");
	else
		k = snprintf(out, cap, "%zu problem%s:", n, n == 1 ? "" : "s");
	o = k > 0 ? (size_t)k : 0;
	for (size_t i = 0, shown = 0; i < f->n && shown < 3 && o < cap; i++) {
		if (f->v[i].severity < DIAG_SEV_WARNING)
			continue;
		k = snprintf(out + o, cap - o, "%s %s on %s", shown ? "," : "",
			     diag_code_str(f->v[i].code), f->v[i].member);
		o += k > 0 ? (size_t)k : 0;
		shown++;
	}
	if (o < cap && n > 3)
		snprintf(out + o, cap - o, ", ...");
}

static void window_str(const struct report_meta *m, char *out, size_t cap)
{
	char a[32] = "start", b[32] = "now";
	struct tm tm;
	time_t t;
	if (m->since_usec) {
		t = (time_t)(m->since_usec / 1000000);
		localtime_r(&t, &tm);
		strftime(a, sizeof(a), "%Y-%m-%d %H:%M:%S", &tm);
	}
	if (m->until_usec) {
		t = (time_t)(m->until_usec / 1000000);
		localtime_r(&t, &tm);
		strftime(b, sizeof(b), "%H:%M:%S", &tm);
	}
	snprintf(out, cap, "%s..%s", a, b);
}

void diag_report_text(FILE *out, const struct diag_findings *f, const struct report_meta *m,
		 bool colour)
{
	static const char *const sev_colour[] = {"\033[32m", "\033[36m", "\033[33m", "\033[31m"};
	const char *reset = colour ? "\033[0m" : "";
	int code = diag_report_exit_code(f, m);
	char sum[1024], win[80], conf[640];

	summary_line(f, m, sum, sizeof(sum));
	window_str(m, win, sizeof(win));
	fprintf(out, "ETCD-DIAG %s - %s\n", diag_report_status_str(code), sum);
	fprintf(out, "looked at: %llu log entries (%s), %zu certificate file%s, %zu endpoint%s%s%s\n",
		(unsigned long long)m->entries, win, m->certs_checked,
		m->certs_checked == 1 ? "" : "s", m->endpoints_checked,
		m->endpoints_checked == 1 ? "" : "s", !m->unknown && m->why[0] ? "; " : "",
		!m->unknown ? m->why : "");
	/* which deployment was found and where each setting came from, on one bounded line */
	config_describe(m->cfg, conf, sizeof(conf));
	fprintf(out, "config: %s%s%s%s%s\n", conf, m->cfg && m->cfg->note[0] ? "; " : "",
		m->cfg ? m->cfg->note : "", m->live_cert[0] ? "; live checks present " : "",
		m->live_cert);
	for (size_t i = 0; i < f->n; i++) {
		const struct diag_finding *x = &f->v[i];
		const char *sc = colour ? sev_colour[x->severity & 3] : "";
		char sev[16];
		snprintf(sev, sizeof(sev), "%s", diag_severity_str(x->severity));
		for (char *c = sev; *c; c++)
			*c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
		fprintf(out, "\n%s[%s]%s %s on %s: %s\n", sc, sev, reset, diag_code_str(x->code),
			x->member, x->summary);
		for (size_t e = 0; e < x->n_evidence; e++)
			fprintf(out, "    - %s\n", x->evidence[e]);
		if (x->more_evidence)
			fprintf(out, "    - (%zu more)\n", x->more_evidence);
		if (x->remedy[0] && x->severity >= DIAG_SEV_WARNING)
			fprintf(out, "    remedy: %s\n", x->remedy);
	}
	if (f->dropped)
		fprintf(out, "\n(%zu more findings not shown)\n", f->dropped);
}

/* One finding: code, severity, the member at fault, its summary, evidence lines and remedy. */
static json_t *json_finding(const struct diag_finding *x, int *err)
{
	json_t *j = json_object();
	json_out_set(j, "code", json_out_str(diag_code_str(x->code)), err);
	json_out_set(j, "severity", json_out_str(diag_severity_str(x->severity)), err);
	json_out_set(j, "member", json_out_str(x->member), err);
	json_out_set(j, "summary", json_out_str(x->summary), err);
	json_out_set(j, "count", json_out_uint(x->count), err);
	json_t *ev = json_array();
	for (size_t e = 0; e < x->n_evidence; e++)
		json_out_push(ev, json_out_str(x->evidence[e]), err);
	json_out_set(j, "evidence", ev, err);
	json_out_set(j, "remedy", json_out_str(x->remedy), err);
	return j;
}

/* {deployment, path, dropins, settings: {flag: source}, note, live_cert} */
static json_t *json_config(const struct diag_config *c, const char *live_cert, int *err)
{
	json_t *j = json_object();
	json_t *set = json_object();
	json_out_set(j, "deployment",
		     json_out_str(config_deployment_str(c ? c->deployment : CONFIG_DEPLOY_NONE)), err);
	json_out_set(j, "path", json_out_str(c ? c->deployment_path : ""), err);
	json_out_set(j, "dropins", json_out_uint(c ? c->n_dropins : 0), err);
	for (size_t i = 0; c && i < config_setting_count() && i < CONFIG_SETTINGS_MAX; i++)
		if (c->origin[i] && c->origin[i] <= c->n_sources)
			json_out_set(set, config_setting_flag(i),
				     json_out_str(c->sources[c->origin[i] - 1]), err);
	json_out_set(j, "settings", set, err);
	json_out_set(j, "note", json_out_str(c ? c->note : ""), err);
	json_out_set(j, "user", json_out_str(c ? c->unit_user : ""), err);
	json_out_set(j, "group", json_out_str(c ? c->unit_group : ""), err);
	json_out_set(j, "live_cert", json_out_str(live_cert), err);
	return j;
}

int diag_report_json(FILE *out, const struct diag_findings *f, const struct report_meta *m)
{
	int code = diag_report_exit_code(f, m);
	char sum[1024];
	int err = 0;

	summary_line(f, m, sum, sizeof(sum));
	json_t *doc = json_object();
	json_out_set(doc, "status", json_out_str(diag_report_status_str(code)), &err);
	json_out_set(doc, "exit_code", json_integer(code), &err);
	json_out_set(doc, "summary", json_out_str(sum), &err);
	json_out_set(doc, "entries", json_out_uint(m->entries), &err);
	json_out_set(doc, "certificates", json_out_uint(m->certs_checked), &err);
	json_out_set(doc, "endpoints", json_out_uint(m->endpoints_checked), &err);
	json_out_set(doc, "notes", json_out_str(m->why), &err);
	json_out_set(doc, "config", json_config(m->cfg, m->live_cert, &err), &err);
	json_t *findings = json_array();
	for (size_t i = 0; i < f->n; i++)
		json_out_push(findings, json_finding(&f->v[i], &err), &err);
	json_out_set(doc, "findings", findings, &err);
	return json_out_write(out, doc, err);
}
