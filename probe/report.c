/* report: Nagios and JSON renderings of a check's result. */
#include "probe/report.h"

#include <inttypes.h>
#include <string.h>

#include "proto/certinfo.h"

void report_size(int64_t bytes, char *out, size_t outlen)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)bytes;
	int u = 0;
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, outlen, "%" PRId64 " B", bytes);
	else
		snprintf(out, outlen, "%.1f %s", v, units[u]);
}

/* Perfdata labels: the member name when known (stable across runs), else host:port. */
static void perf_label(const struct endpoint_facts *e, char *out, size_t outlen)
{
	const char *src = e->name[0] ? e->name : e->ep.host;
	size_t o = 0;
	for (size_t i = 0; src[i] && o + 1 < outlen; i++) {
		char c = src[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
		out[o++] = ok ? c : '_';
	}
	if (!e->name[0] && o + 1 < outlen) {
		out[o] = '\0';
		snprintf(out + o, outlen - o, "_%s", e->ep.port);
		return;
	}
	out[o] = '\0';
}

static void perf(FILE *out, const char *label, const char *metric, double value, const char *fmt,
		 const char *uom, const struct thresholds *t, int m, const char *minmax)
{
	fprintf(out, " '%s%s%s'=", label, label[0] ? "_" : "", metric);
	fprintf(out, fmt, value);
	fprintf(out, "%s;%s;%s;%s", uom, m >= 0 ? t->warn[m].text : "",
		m >= 0 ? t->crit[m].text : "", minmax);
}

static void sanitize_line(const char *in, char *out, size_t outlen)
{
	size_t o = 0;
	for (size_t i = 0; in[i] && o + 1 < outlen; i++)
		out[o++] = (in[i] == '|' || in[i] == '\n' || in[i] == '\r') ? '/' : in[i];
	out[o] = '\0';
}

void report_nagios(FILE *out, const struct check_facts *f, const struct verdict *v,
		   const struct thresholds *t)
{
	char line[VERDICT_TEXT_LEN], label[96], sz[32], sz2[32], date[16];

	sanitize_line(v->summary, line, sizeof(line));
	fprintf(out, "ETCD %s - %s |", state_str(v->state), line);
	perf(out, "", "members", (double)v->voting_members, "%.0f", "", t, METRIC_MEMBERS, "0;");
	perf(out, "", "healthy", (double)v->healthy_members, "%.0f", "", t, -1, "0;");
	perf(out, "", "alarms", (double)f->n_alarms, "%.0f", "", t, -1, "0;");
	for (size_t i = 0; i < f->n_eps; i++) {
		const struct endpoint_facts *e = &f->eps[i];
		perf_label(e, label, sizeof(label));
		if (e->healthy)
			perf(out, label, "latency", e->latency_s, "%.6f", "s", t, METRIC_LATENCY,
			     "0;");
		if (e->has_status) {
			int64_t quota = e->db_size_quota > 0 ? e->db_size_quota : 2LL << 30;
			perf(out, label, "db_size", (double)e->db_size, "%.0f", "B", t, -1, "0;");
			perf(out, label, "db_pct", 100.0 * (double)e->db_size / (double)quota, "%.2f",
			     "%", t, METRIC_DB_PCT, "0;100");
			double lag = e->raft_index > e->raft_applied_index
					     ? (double)(e->raft_index - e->raft_applied_index) : 0;
			perf(out, label, "apply_lag", lag, "%.0f", "", t, METRIC_APPLY_LAG, "0;");
			perf(out, label, "raft_index", (double)e->raft_index, "%.0f", "c", t, -1, ";");
		}
		if (e->has_cert)
			perf(out, label, "cert_days",
			     (double)verdict_days_left(f->now, e->cert_not_after), "%.0f", "", t,
			     METRIC_CERT_DAYS, ";");
	}
	fputc('\n', out);

	for (size_t i = 0; i < f->n_eps; i++) {
		const struct endpoint_facts *e = &f->eps[i];
		const struct endpoint_verdict *ev = &v->eps[i];
		fprintf(out, "%s: %s", state_str(ev->state), e->ep.url);
		if (e->name[0])
			fprintf(out, " %s", e->name);
		if (e->has_status) {
			report_size(e->db_size, sz, sizeof(sz));
			report_size(e->db_size_in_use, sz2, sizeof(sz2));
			fprintf(out, " %016" PRIx64 " %s v%s db %s (in use %s) term %" PRIu64
				     " index %" PRIu64 " applied %" PRIu64,
				e->member_id,
				e->is_learner ? "learner"
				: e->leader == e->member_id ? "leader" : "follower",
				e->version, sz, sz2, e->raft_term, e->raft_index,
				e->raft_applied_index);
		}
		if (e->healthy)
			fprintf(out, " latency %.1f ms", e->latency_s * 1000);
		if (e->has_cert) {
			certinfo_date(e->cert_not_after, date);
			fprintf(out, " cert %ld days (%s)", verdict_days_left(f->now, e->cert_not_after),
				date);
		}
		if (ev->reason[0]) {
			sanitize_line(ev->reason, line, sizeof(line));
			fprintf(out, " - %s", line);
		}
		fputc('\n', out);
	}
}

void report_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

static void json_id(FILE *out, uint64_t id)
{
	if (id)
		fprintf(out, "\"%016" PRIx64 "\"", id);
	else
		fputs("null", out);
}

void report_json(FILE *out, const struct check_facts *f, const struct verdict *v)
{
	char buf[16], date[32];

	fprintf(out, "{\"status\":\"%s\",\"exit_code\":%d,\"summary\":", state_str(v->state),
		(int)v->state);
	report_json_string(out, v->summary);
	fputs(",\"cluster\":{\"id\":", out);
	json_id(out, v->cluster_id);
	fprintf(out, ",\"size\":%zu,\"healthy\":%zu,\"leader\":", v->voting_members,
		v->healthy_members);
	json_id(out, v->leader_id);
	const struct member_fact *lm = facts_member_by_id(f, v->leader_id);
	fputs(",\"leader_name\":", out);
	if (lm && lm->name[0])
		report_json_string(out, lm->name);
	else
		fputs("null", out);
	fprintf(out, ",\"quorum\":%zu,\"quorum_ok\":%s,\"alarms\":[", v->quorum,
		v->quorum_ok ? "true" : "false");
	for (size_t i = 0; i < f->n_alarms; i++) {
		fprintf(out, "%s{\"member_id\":", i ? "," : "");
		json_id(out, f->alarms[i].member_id);
		fprintf(out, ",\"alarm\":\"%s\"}", alarm_type_str(f->alarms[i].type, buf));
	}
	fputs("]},\"endpoints\":[", out);
	for (size_t i = 0; i < f->n_eps; i++) {
		const struct endpoint_facts *e = &f->eps[i];
		fprintf(out, "%s{\"endpoint\":", i ? "," : "");
		report_json_string(out, e->ep.url);
		fprintf(out, ",\"status\":\"%s\",\"healthy\":%s,\"error\":",
			state_str(v->eps[i].state), e->healthy ? "true" : "false");
		if (v->eps[i].reason[0])
			report_json_string(out, v->eps[i].reason);
		else
			fputs("null", out);
		fputs(",\"member_id\":", out);
		json_id(out, e->has_status ? e->member_id : 0);
		fputs(",\"name\":", out);
		if (e->name[0])
			report_json_string(out, e->name);
		else
			fputs("null", out);
		if (e->has_status) {
			fprintf(out, ",\"is_leader\":%s,\"is_learner\":%s,\"version\":",
				e->leader == e->member_id ? "true" : "false",
				e->is_learner ? "true" : "false");
			report_json_string(out, e->version);
			fprintf(out, ",\"db_size\":%" PRId64 ",\"db_size_in_use\":%" PRId64
				     ",\"raft_term\":%" PRIu64 ",\"raft_index\":%" PRIu64
				     ",\"raft_applied_index\":%" PRIu64,
				e->db_size, e->db_size_in_use, e->raft_term, e->raft_index,
				e->raft_applied_index);
		} else {
			fputs(",\"is_leader\":null,\"is_learner\":null,\"version\":null,\"db_size\":"
			      "null,\"db_size_in_use\":null,\"raft_term\":null,\"raft_index\":null,"
			      "\"raft_applied_index\":null", out);
		}
		fputs(",\"alarms\":[", out);
		size_t na = 0;
		for (size_t a = 0; a < f->n_alarms; a++)
			if (e->has_status && f->alarms[a].member_id == e->member_id)
				fprintf(out, "%s\"%s\"", na++ ? "," : "",
					alarm_type_str(f->alarms[a].type, buf));
		fputs("],\"latency_seconds\":", out);
		if (e->healthy)
			fprintf(out, "%.6f", e->latency_s);
		else
			fputs("null", out);
		fputs(",\"cert_not_after\":", out);
		if (e->has_cert) {
			struct tm tm;
			gmtime_r(&e->cert_not_after, &tm);
			strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
			fprintf(out, "\"%s\"", date);
		} else {
			fputs("null", out);
		}
		fputc('}', out);
	}
	fputs("]}\n", out);
}
