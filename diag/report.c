/* report.c: etcd-diag's output: readable text (summary line first) and JSON, and the exit code. */
#include "diag/report.h"

#include <string.h>
#include <time.h>

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
	if (n == 0)
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
	char sum[1024], win[80];

	summary_line(f, m, sum, sizeof(sum));
	window_str(m, win, sizeof(win));
	fprintf(out, "ETCD-DIAG %s - %s\n", diag_report_status_str(code), sum);
	fprintf(out, "looked at: %llu journal entries (%s), %zu certificate file%s, %zu endpoint%s%s%s\n",
		(unsigned long long)m->entries, win, m->certs_checked,
		m->certs_checked == 1 ? "" : "s", m->endpoints_checked,
		m->endpoints_checked == 1 ? "" : "s", !m->unknown && m->why[0] ? "; " : "",
		!m->unknown ? m->why : "");
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

static void json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

void diag_report_json(FILE *out, const struct diag_findings *f, const struct report_meta *m)
{
	int code = diag_report_exit_code(f, m);
	char sum[1024];

	summary_line(f, m, sum, sizeof(sum));
	fprintf(out, "{\"status\":");
	json_str(out, diag_report_status_str(code));
	fprintf(out, ",\"exit_code\":%d,\"summary\":", code);
	json_str(out, sum);
	fprintf(out, ",\"entries\":%llu,\"certificates\":%zu,\"endpoints\":%zu,\"notes\":",
		(unsigned long long)m->entries, m->certs_checked, m->endpoints_checked);
	json_str(out, m->why);
	fprintf(out, ",\"findings\":[");
	for (size_t i = 0; i < f->n; i++) {
		const struct diag_finding *x = &f->v[i];
		fprintf(out, "%s{\"code\":", i ? "," : "");
		json_str(out, diag_code_str(x->code));
		fprintf(out, ",\"severity\":");
		json_str(out, diag_severity_str(x->severity));
		fprintf(out, ",\"member\":");
		json_str(out, x->member);
		fprintf(out, ",\"summary\":");
		json_str(out, x->summary);
		fprintf(out, ",\"count\":%llu,\"evidence\":[", (unsigned long long)x->count);
		for (size_t e = 0; e < x->n_evidence; e++) {
			if (e)
				fputc(',', out);
			json_str(out, x->evidence[e]);
		}
		fprintf(out, "],\"remedy\":");
		json_str(out, x->remedy);
		fputc('}', out);
	}
	fprintf(out, "]}\n");
}
