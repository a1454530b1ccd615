/* correlate.c: join journal aggregates, certificate facts and live results into findings. */
#include "diag/correlate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/x509_vfy.h>

#include "diag/text.h"

#define DIR_MAX 64


/* What the journal says about each host: its member ID and cluster ID (latest start), name. */
struct host_info {
	char host[64];
	char local_id[DIAG_ID_LEN];
	char cluster_id[DIAG_ID_LEN];
	char mismatch_cluster_id[DIAG_ID_LEN]; /* its own cluster ID when it logged a mismatch */
	uint64_t seen_usec;
	char name[64];
};

struct directory {
	size_t n;
	struct host_info h[DIR_MAX];
	const struct diag_aggs *aggs;
	const struct diag_config *cfg;
};

static struct host_info *dir_host(struct directory *d, const char *host)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->h[i].host, host) == 0)
			return &d->h[i];
	if (d->n >= DIR_MAX || !host[0])
		return NULL;
	struct host_info *h = &d->h[d->n++];
	memset(h, 0, sizeof(*h));
	text_scopy(h->host, sizeof(h->host), host);
	return h;
}

static void dir_build(struct directory *d, const struct diag_aggs *a, const struct diag_config *cfg)
{
	memset(d, 0, sizeof(*d));
	d->aggs = a;
	d->cfg = cfg;
	for (size_t i = 0; a && i < a->n; i++) {
		const struct diag_agg *g = &a->v[i];
		struct host_info *h = dir_host(d, g->host);
		if (!h)
			continue;
		if (g->code == DIAG_FACT_LOCAL_MEMBER && g->f.local_id[0] &&
		    g->last_usec >= h->seen_usec) {
			memcpy(h->local_id, g->f.local_id, DIAG_ID_LEN);
			memcpy(h->cluster_id, g->f.cluster_id, DIAG_ID_LEN);
			h->seen_usec = g->last_usec;
		}
		if (g->code == DIAG_FACT_PUBLISHED && g->f.name[0])
			text_scopy(h->name, sizeof(h->name), g->f.name);
	}
	/* the cluster ID each host had when it logged a mismatch ("want X", "local=X"): the
	 * member may have been repaired since, the latest start would hide the culprit */
	for (size_t i = 0; a && i < a->n; i++) {
		const struct diag_agg *g = &a->v[i];
		struct host_info *h = dir_host(d, g->host);
		if (h && g->code == DIAG_CLUSTER_ID_MISMATCH && g->f.cluster_id[0])
			memcpy(h->mismatch_cluster_id, g->f.cluster_id, DIAG_ID_LEN);
	}
	for (size_t i = 0; i < d->n; i++)
		if (!d->h[i].mismatch_cluster_id[0])
			memcpy(d->h[i].mismatch_cluster_id, d->h[i].cluster_id, DIAG_ID_LEN);
}

/* The member with this ID: the host that started with it, else the peer URL host it was added
 * with, else the ID itself. */
static void dir_by_id(const struct directory *d, const char *id, char *out, size_t cap)
{
	char url_host[128] = "";
	/* the name the member published under that ID (zap lines carry both): members that
	 * share one host (one journal) are told apart this way */
	for (size_t i = 0; d->aggs && i < d->aggs->n; i++) {
		const struct diag_agg *g = &d->aggs->v[i];
		if (g->code == DIAG_FACT_PUBLISHED && g->f.name[0] &&
		    strcmp(g->f.local_id, id) == 0) {
			text_scopy(out, cap, g->f.name);
			return;
		}
	}
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->h[i].local_id, id) == 0) {
			text_scopy(out, cap, d->h[i].host);
			return;
		}
	/* a host may have had several IDs in the window (wiped and re-added) */
	for (size_t i = 0; d->aggs && i < d->aggs->n; i++) {
		const struct diag_agg *g = &d->aggs->v[i];
		if ((g->code == DIAG_FACT_LOCAL_MEMBER || g->code == DIAG_FACT_PUBLISHED) &&
		    g->host[0] && strcmp(g->f.local_id, id) == 0) {
			text_scopy(out, cap, g->host);
			return;
		}
	}
	for (size_t i = 0; d->aggs && i < d->aggs->n; i++) {
		const struct diag_agg *g = &d->aggs->v[i];
		if (g->code == DIAG_FACT_MEMBER_ADDED && strcmp(g->f.peer_id, id) == 0 &&
		    config_url_host(g->f.url, 0, url_host, sizeof(url_host)) == 0)
			break;
	}
	text_scopy(out, cap, url_host[0] ? url_host : id);
}

/* The member whose peer URL has this IP or name. */
static void dir_by_addr(const struct directory *d, const char *addr, char *out, size_t cap)
{
	char h[128];
	for (size_t i = 0; d->aggs && i < d->aggs->n; i++) {
		const struct diag_agg *g = &d->aggs->v[i];
		if (g->code == DIAG_FACT_MEMBER_ADDED && g->f.peer_id[0] &&
		    config_url_host(g->f.url, 0, h, sizeof(h)) == 0 && strcmp(h, addr) == 0) {
			dir_by_id(d, g->f.peer_id, out, cap);
			if (strcmp(out, addr) != 0)
				return;
		}
	}
	/* --initial-cluster names every member with its peer URL */
	struct config_peer peers[CONFIG_PEERS_MAX];
	int np = d->cfg ? config_initial_cluster_parse(d->cfg->initial_cluster, peers,
						       CONFIG_PEERS_MAX, NULL)
			: 0;
	for (int i = 0; i < np; i++)
		if (config_url_host(peers[i].url, 0, h, sizeof(h)) == 0 && strcmp(h, addr) == 0) {
			text_scopy(out, cap, peers[i].name);
			return;
		}
	/* the local configuration knows its own advertised peer and client addresses */
	if (d->cfg && d->cfg->name[0]) {
		const char *lists[] = {d->cfg->initial_advertise_peer_urls,
				       d->cfg->advertise_client_urls};
		for (size_t l = 0; l < 2; l++)
			for (size_t i = 0; config_url_host(lists[l], i, h, sizeof(h)) == 0; i++)
				if (strcmp(h, addr) == 0) {
					text_scopy(out, cap, d->cfg->name);
					return;
				}
	}
	text_scopy(out, cap, addr);
}

static size_t hosts_with_cluster(const struct directory *d, const char *cid)
{
	size_t n = 0;
	for (size_t i = 0; i < d->n; i++)
		n += cid[0] && strcmp(d->h[i].mismatch_cluster_id, cid) == 0;
	return n;
}

static bool agg_resolved(const struct diag_aggs *a, const struct diag_agg *g)
{
	for (size_t i = 0; i < a->n; i++) {
		const struct diag_agg *r = &a->v[i];
		/* later: by stamp, or by order when the stamps tie ("lost leader" and "elected
		 * leader" in the same second of a 3.4 raft line) */
		bool later = r->last_usec > g->last_usec ||
			     (r->last_usec == g->last_usec && r->last_seq > g->last_seq);
		if (strcmp(r->host, g->host) != 0 || !later)
			continue;
		/* a peer link that came back after the errors, or the peer elected leader after
		 * them: its messages get through (a restarted member that wins the next election
		 * before its peers' streams log a reconnect) */
		if (g->code == DIAG_PEER_UNREACHABLE &&
		    (r->code == DIAG_FACT_PEER_ACTIVE || r->code == DIAG_FACT_LEADER_ELECTED) &&
		    g->f.peer_id[0] && strcmp(r->f.peer_id, g->f.peer_id) == 0)
			return true;
		if ((g->code == DIAG_NO_LEADER || g->code == DIAG_QUORUM_LOST) &&
		    r->code == DIAG_FACT_LEADER_ELECTED)
			return true;
	}
	return false;
}

/* Decides the root-cause code and the member at fault for one aggregate. */
static enum diag_code attribute(const struct directory *d, const struct diag_agg *g, char *member,
				size_t cap)
{
	const struct classify_fields *f = &g->f;
	enum diag_code code = g->code;

	text_scopy(member, cap, g->host);
	if (f->peer_at_fault) {
		dir_by_id(d, f->peer_id, member, cap);
		return code;
	}
	switch (code) {
	case DIAG_CERT_SAN_MISMATCH:
		if (f->wanted[0])
			dir_by_addr(d, f->wanted, member, cap);
		else if (f->peer_id[0])
			dir_by_id(d, f->peer_id, member, cap);
		break;
	case DIAG_CERT_UNKNOWN_AUTHORITY:
	case DIAG_CERT_BAD_KEY_USAGE:
	case DIAG_CERT_EXPIRED:
	case DIAG_CERT_NOT_YET_VALID:
	case DIAG_CLIENT_CERT_MISSING:
		if (f->remote_addr[0]) {
			/* we rejected what a client or peer presented: the fault is theirs; the
			 * member whose certificate peers reject says "bad certificate" */
			for (size_t i = 0; d->aggs && i < d->aggs->n; i++)
				if (d->aggs->v[i].code == DIAG_CERT_REJECTED &&
				    strcmp(d->aggs->v[i].host, g->host) != 0) {
					text_scopy(member, cap, d->aggs->v[i].host);
					return code;
				}
			char ip[64];
			text_scopy(ip, sizeof(ip), f->remote_addr);
			char *colon = strrchr(ip, ':');
			if (colon)
				*colon = '\0';
			snprintf(member, cap, "client %.48s", ip);
		} else if (f->peer_id[0]) {
			dir_by_id(d, f->peer_id, member, cap);
		}
		break;
	case DIAG_PEER_NAME_UNRESOLVED:
		/* no peer ID in the line (a startup lookup): the member with that host name */
		if (f->wanted[0])
			dir_by_addr(d, f->wanted, member, cap);
		break;
	case DIAG_PEER_UNREACHABLE:
		if (f->peer_id[0])
			dir_by_id(d, f->peer_id, member, cap);
		else if (f->url[0]) {
			char h[128];
			if (config_url_host(f->url, 0, h, sizeof(h)) == 0)
				dir_by_addr(d, h, member, cap);
		}
		if (strcmp(f->detail, "connection refused") == 0)
			code = DIAG_MEMBER_DOWN;
		break;
	case DIAG_CLUSTER_ID_MISMATCH: {
		const struct host_info *self = NULL;
		for (size_t i = 0; i < d->n; i++)
			if (strcmp(d->h[i].host, g->host) == 0)
				self = &d->h[i];
		const char *mine = f->cluster_id[0] ? f->cluster_id : self ? self->cluster_id : "";
		size_t n_mine = hosts_with_cluster(d, mine);
		size_t n_theirs = hosts_with_cluster(d, f->remote_cluster_id);
		if (n_mine > n_theirs) {
			/* the odd one out is the other side */
			if (f->peer_id[0]) {
				dir_by_id(d, f->peer_id, member, cap);
			} else {
				for (size_t i = 0; i < d->n; i++)
					if (strcmp(d->h[i].mismatch_cluster_id,
						   f->remote_cluster_id) == 0) {
						text_scopy(member, cap, d->h[i].host);
						break;
					}
			}
		}
		break;
	}
	case DIAG_NOSPACE_ALARM:
	case DIAG_CORRUPT_ALARM:
		/* one finding for the cluster, named after the member that raised the alarm */
		for (size_t i = 0; !f->peer_id[0] && d->aggs && i < d->aggs->n; i++)
			if (d->aggs->v[i].code == code && d->aggs->v[i].f.peer_id[0]) {
				f = &d->aggs->v[i].f;
				break;
			}
		if (f->peer_id[0])
			dir_by_id(d, f->peer_id, member, cap);
		break;
	default:
		break;
	}
	return code;
}

static void fmt_time(uint64_t usec, char out[16])
{
	time_t t = (time_t)(usec / 1000000);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, 16, "%H:%M:%S", &tm);
}

static struct diag_finding *finding_new(struct diag_findings *r, enum diag_code code,
					const char *member)
{
	if (r->n >= FINDINGS_MAX) {
		r->dropped++;
		return NULL;
	}
	struct diag_finding *f = &r->v[r->n++];
	memset(f, 0, sizeof(*f));
	f->code = code;
	f->severity = diag_code_info_get(code)->severity;
	text_scopy(f->member, sizeof(f->member), member);
	return f;
}

static struct diag_finding *finding_get(struct diag_findings *r, enum diag_code code,
					const char *member)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].code == code && strcmp(r->v[i].member, member) == 0)
			return &r->v[i];
	return finding_new(r, code, member);
}

/* A certificate's dates are the fault of one file: an expired leaf and an expired CA on one
 * member are two findings, each remedy naming its file (renewing the leaf leaves the CA
 * expired). A finding of that code with no file yet (the journal's) takes the first file. */
static struct diag_finding *finding_get_file(struct diag_findings *r, enum diag_code code,
					     const char *member, const char *file)
{
	struct diag_finding *unfiled = NULL;
	for (size_t i = 0; i < r->n; i++) {
		struct diag_finding *f = &r->v[i];
		if (f->code != code || strcmp(f->member, member) != 0)
			continue;
		if (strcmp(f->file, file) == 0)
			return f;
		if (!f->file[0] && !unfiled)
			unfiled = f;
	}
	struct diag_finding *f = unfiled ? unfiled : finding_new(r, code, member);
	if (f)
		text_scopy(f->file, sizeof(f->file), file);
	return f;
}

static void add_evidence(struct diag_finding *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_evidence(struct diag_finding *f, const char *fmt, ...)
{
	if (f->n_evidence >= EVIDENCE_MAX) {
		f->more_evidence++;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	text_vprintf(f->evidence[f->n_evidence++], EVIDENCE_LEN, fmt, ap);
	va_end(ap);
}

/* Fields from a later source fill the gaps of the representative ones. */
static void merge_fields(struct classify_fields *dst, const struct classify_fields *src)
{
#define FILL(x)                                                                                \
	if (!dst->x[0])                                                                        \
	memcpy(dst->x, src->x, sizeof(dst->x))
	FILL(peer_id);
	FILL(wanted);
	FILL(sans);
	FILL(duration);
	FILL(url);
	FILL(name);
	FILL(detail);
	FILL(cluster_id);
	FILL(remote_cluster_id);
#undef FILL
}

static int cmp_agg_count(const void *a, const void *b)
{
	const struct diag_agg *x = *(const struct diag_agg *const *)a;
	const struct diag_agg *y = *(const struct diag_agg *const *)b;
	return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

/* The member a host's journal is of, by the name findings use: the member ID it started with,
 * named as dir_by_id names members; else the host itself. (A journal's host name need not be
 * the member's name: node-a runs m1.) */
static void dir_host_member(const struct directory *d, const char *host, char *out, size_t cap)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->h[i].host, host) == 0 && d->h[i].local_id[0]) {
			dir_by_id(d, d->h[i].local_id, out, cap);
			return;
		}
	text_scopy(out, cap, host);
}

/* Whether the member's journal showed finding f. */
static bool reported_by(const struct diag_finding *f, const char *host)
{
	size_t n = strlen(host);
	for (const char *p = f->reported_by; (p = strstr(p, host)); p += n)
		if ((p == f->reported_by || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

/* How many hosts other than the finding's member showed it. */
static size_t reporters_besides_member(const struct diag_finding *f)
{
	size_t n = 0;
	for (const char *p = f->reported_by; *p;) {
		size_t len = strcspn(p, ",");
		n += !(len == strlen(f->member) && memcmp(p, f->member, len) == 0);
		p += len;
		p += strspn(p, ", ");
	}
	return n;
}

static void from_journal(struct diag_findings *r, const struct directory *d,
			 const struct diag_aggs *a)
{
	/* biggest aggregates first, so that each finding's evidence starts with its bulk */
	const struct diag_agg **order = malloc(a->n * sizeof(*order) + 1);
	if (!order)
		return;
	for (size_t i = 0; i < a->n; i++)
		order[i] = &a->v[i];
	qsort(order, a->n, sizeof(*order), cmp_agg_count);
	for (size_t i = 0; i < a->n; i++) {
		const struct diag_agg *g = order[i];
		if (g->code >= DIAG_FACT_LOCAL_MEMBER || g->code == DIAG_CODE_NONE)
			continue;
		bool resolved = agg_resolved(a, g);
		/* a leader lost and elected again is an election, not "no leader": counted with
		 * the elections, which say whether they are too many */
		if (resolved && g->code != DIAG_NO_LEADER)
			continue;
		char member[64];
		enum diag_code code = attribute(d, g, member, sizeof(member));
		if (resolved)
			code = DIAG_LEADER_CHURN;
		struct diag_finding *f = finding_get(r, code, member);
		if (!f)
			continue;
		f->count += g->count;
		if (!f->seen_on[0])
			text_scopy(f->seen_on, sizeof(f->seen_on), g->host);
		char reporter[64];
		dir_host_member(d, g->host, reporter, sizeof(reporter));
		if (reporter[0] && !reported_by(f, reporter)) {
			size_t o = strlen(f->reported_by);
			text_printf(f->reported_by + o, sizeof(f->reported_by) - o, "%s%s",
				    o ? ", " : "", reporter);
		}
		if (!f->first_usec || g->first_usec < f->first_usec)
			f->first_usec = g->first_usec;
		if (g->last_usec > f->last_usec)
			f->last_usec = g->last_usec;
		if (code == DIAG_QUORUM_LOST && !f->f.detail[0])
			text_printf(f->f.detail, sizeof(f->f.detail), "%s stepped down: quorum not active",
				    g->host);
		merge_fields(&f->f, &g->f);
		char t1[16], t2[16];
		fmt_time(g->first_usec, t1);
		fmt_time(g->last_usec, t2);
		add_evidence(f, "%s: %llu x on %s, %s..%s: %s", aggs_source_str(g->source),
			     (unsigned long long)g->count, g->host[0] ? g->host : "?", t1, t2,
			     g->samples[0]);
		if (g->n_samples > 1 && g->count > 1)
			add_evidence(f, "%s: last on %s: %s", aggs_source_str(g->source),
				     g->host[0] ? g->host : "?", g->samples[1]);
	}
	free(order);
}

static void from_certs(struct diag_findings *r, const struct cert_report *c,
		       const struct diag_config *cfg)
{
	const char *member = cfg && cfg->name[0] ? cfg->name : "local member";
	for (size_t i = 0; i < c->n; i++) {
		const struct cert_finding *cf = &c->v[i];
		bool dates = cf->code == DIAG_CERT_EXPIRED || cf->code == DIAG_CERT_EXPIRING ||
			     cf->code == DIAG_CERT_NOT_YET_VALID;
		struct diag_finding *f = dates ? finding_get_file(r, cf->code, member, cf->file)
					       : finding_get(r, cf->code, member);
		if (!f)
			continue;
		if (dates && cf->ca)
			f->file_is_ca = true;
		if (cf->severity > f->severity)
			f->severity = cf->severity;
		if (!f->f.wanted[0])
			snprintf(f->f.wanted, sizeof(f->f.wanted), "%s", cf->wanted);
		/* key and missing-file remedies need the path; the others read better whole */
		if (!f->f.detail[0])
			text_scopy(f->f.detail, sizeof(f->f.detail),
			      cf->code == DIAG_KEY_FILE_PERMISSIONS || cf->code == DIAG_FILE_MISSING
				      ? cf->file
				      : cf->detail);
		add_evidence(f, "certificate: %s", cf->detail);
		for (size_t k = 0; k < c->n_certs; k++) {
			const struct cert_seen *s = &c->certs[k];
			if (!s->loaded || strcmp(s->file, cf->file) != 0)
				continue;
			char d1[16], d2[16];
			certinfo_date(s->facts.not_before, d1);
			certinfo_date(s->facts.not_after, d2);
			add_evidence(f, "certificate %s (%s): subject %s, issuer %s, SANs %s, valid %s to %s",
				     s->file, s->roles, s->facts.subject, s->facts.issuer,
				     s->facts.sans[0] ? s->facts.sans : "(none)", d1, d2);
		}
	}
}

/* A server certificate that failed verification, by OpenSSL's verdict. */
static const struct {
	long verify_err;
	enum diag_code code;
} verify_codes[] = {
	{X509_V_ERR_HOSTNAME_MISMATCH, DIAG_CERT_SAN_MISMATCH},
	{X509_V_ERR_IP_ADDRESS_MISMATCH, DIAG_CERT_SAN_MISMATCH},
	{X509_V_ERR_CERT_HAS_EXPIRED, DIAG_CERT_EXPIRED},
	{X509_V_ERR_CERT_NOT_YET_VALID, DIAG_CERT_NOT_YET_VALID},
	{X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, DIAG_CERT_UNKNOWN_AUTHORITY},
	{X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, DIAG_CERT_UNKNOWN_AUTHORITY},
	{X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, DIAG_CERT_UNKNOWN_AUTHORITY},
	{X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, DIAG_CERT_UNKNOWN_AUTHORITY},
	{X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, DIAG_CERT_UNKNOWN_AUTHORITY},
	{X509_V_ERR_CERT_SIGNATURE_FAILURE, DIAG_CERT_UNKNOWN_AUTHORITY},
	{X509_V_ERR_INVALID_PURPOSE, DIAG_CERT_BAD_KEY_USAGE},
};

/* The finding a live failure is, from the probe's facts (never its words). */
static enum diag_code live_code(const struct live_endpoint *e)
{
	switch (e->failure) {
	case EP_FAIL_NONE:
		return e->no_leader ? DIAG_NO_LEADER : DIAG_ENDPOINT_UNHEALTHY;
	case EP_FAIL_REFUSED:
		return DIAG_MEMBER_DOWN;
	case EP_FAIL_CLIENT_CERT_REJECTED:
		return DIAG_CLIENT_CERT_REJECTED;
	case EP_FAIL_CLIENT_CERT_REQUIRED:
		return DIAG_CLIENT_CERT_MISSING;
	case EP_FAIL_TLS_VERIFY:
		for (size_t i = 0; i < sizeof(verify_codes) / sizeof(verify_codes[0]); i++)
			if (verify_codes[i].verify_err == e->verify_err)
				return verify_codes[i].code;
		return DIAG_ENDPOINT_UNHEALTHY;
	default:
		return DIAG_ENDPOINT_UNHEALTHY;
	}
}

/* The member a live endpoint is: its name from the member list, else the member whose peer URL
 * has its address. */
static void live_member(const struct directory *d, const struct live_endpoint *e, char *out,
			size_t cap)
{
	if (e->name[0])
		text_scopy(out, cap, e->name);
	else
		dir_by_addr(d, e->host, out, cap);
}

static void from_live(struct diag_findings *r, const struct directory *d,
		      const struct live_facts *l)
{

	for (size_t i = 0; i < l->n; i++) {
		const struct live_endpoint *e = &l->v[i];
		char member[64];
		live_member(d, e, member, sizeof(member));
		if (e->alarm_nospace || e->alarm_corrupt) {
			struct diag_finding *f = finding_get(r, e->alarm_nospace ? DIAG_NOSPACE_ALARM
									 : DIAG_CORRUPT_ALARM, member);
			if (f)
				add_evidence(f, "live: %s reports alarm %s", e->url, e->alarms);
			if (e->alarm_nospace && e->alarm_corrupt &&
			    (f = finding_get(r, DIAG_CORRUPT_ALARM, member)))
				add_evidence(f, "live: %s reports alarm %s", e->url, e->alarms);
		}
		/* not probed on purpose (the token would go over http://): nothing is known */
		if (e->healthy || e->failure == EP_FAIL_DOWNGRADE)
			continue;
		enum diag_code code = live_code(e);
		/* Every member turning our certificate down (or wanting one) is one cause on our
		 * side, not one unhealthy endpoint each. */
		if (code == DIAG_CLIENT_CERT_REJECTED || code == DIAG_CLIENT_CERT_MISSING) {
			/* a peer handshake presents this member's peer certificate, not ours */
			const char *problem = e->peer ? l->peer_cert_problem : l->client_cert_problem;
			struct diag_finding *f = finding_get(r, code, e->peer ? "this member (peer "
							     "certificate)" : "this client");
			if (!f)
				continue;
			if (!f->f.detail[0])
				text_scopy(f->f.detail, sizeof(f->f.detail),
					   problem[0] ? problem : e->error);
			add_evidence(f, "live%s: %s: %s", e->peer ? " (peer handshake)" : "", e->url,
				     e->error);
			continue;
		}
		/* a peer port is only shaken hands with: its certificate and whether it listens */
		if (e->peer && code == DIAG_ENDPOINT_UNHEALTHY)
			continue;
		struct diag_finding *f = finding_get(r, code, member);
		if (!f)
			continue;
		if (e->failure == EP_FAIL_TLS_VERIFY) {
			if (!f->f.wanted[0])
				text_scopy(f->f.wanted, sizeof(f->f.wanted), e->verify_host);
			if (!f->f.sans[0])
				text_scopy(f->f.sans, sizeof(f->f.sans), e->cert_sans);
		}
		if (!f->f.detail[0])
			text_scopy(f->f.detail, sizeof(f->f.detail), e->error);
		if (!f->f.url[0])
			text_scopy(f->f.url, sizeof(f->f.url), e->url);
		add_evidence(f, "live%s: %s: %s", e->peer ? " (peer handshake)" : "", e->url,
			     e->error);
	}
}

/* Startup failures: the member exits, so it is also "down" to its peers. */
static bool explains_down(enum diag_code c)
{
	static const enum diag_code causes[] = {
		DIAG_PORT_IN_USE,	     DIAG_BIND_ADDRESS_UNAVAILABLE,
		DIAG_DATA_DIR_PERMISSION,    DIAG_FILE_MISSING,
		DIAG_CERT_KEY_MISMATCH,      DIAG_MEMBER_NOT_IN_INITIAL_CLUSTER,
		DIAG_MEMBER_ALREADY_BOOTSTRAPPED, DIAG_MEMBER_REMOVED,
		DIAG_PEM_NO_DATA,	     DIAG_FILE_PERMISSION,
		DIAG_DATA_DIR_LOCKED,	     DIAG_WAL_CORRUPT,
		DIAG_SNAPSHOT_CORRUPT,	     DIAG_RAFT_LOG_CORRUPT,
		DIAG_DISK_FULL,
	};
	for (size_t i = 0; i < sizeof(causes) / sizeof(causes[0]); i++)
		if (causes[i] == c)
			return true;
	return false;
}

/* Root causes that make a member's peer links fail (its TLS, identity, or it being down). */
static bool explains_link(enum diag_code c)
{
	static const enum diag_code causes[] = {
		DIAG_CERT_SAN_MISMATCH, DIAG_CERT_UNKNOWN_AUTHORITY, DIAG_CERT_EXPIRED,
		DIAG_CERT_NOT_YET_VALID, DIAG_CERT_KEY_MISMATCH,     DIAG_CERT_BAD_KEY_USAGE,
		DIAG_CLUSTER_ID_MISMATCH, DIAG_MEMBER_REMOVED,       DIAG_MEMBER_DOWN,
		DIAG_PEER_NAME_UNRESOLVED,
	};
	for (size_t i = 0; i < sizeof(causes) / sizeof(causes[0]); i++)
		if (causes[i] == c)
			return true;
	return explains_down(c);
}

/* A member the journal found down (its peers' dials refused) that the live checks reach now,
 * healthy, came back: the journal's lines are history, told as such (info), not the finding on
 * top. The fault matrix's leader-churn row on 3.5.16: diag ran as the last restarted member came
 * up, before its peers' streams logged a reconnect. */
static void live_clears_down(struct diag_findings *r, const struct directory *d,
			     const struct live_facts *l)
{
	for (size_t i = 0; i < r->n; i++) {
		struct diag_finding *f = &r->v[i];
		if (f->code != DIAG_MEMBER_DOWN || !f->seen_on[0])
			continue;
		for (size_t k = 0; k < l->n; k++) {
			const struct live_endpoint *e = &l->v[k];
			char member[64];
			live_member(d, e, member, sizeof(member));
			if (e->peer || !e->healthy || strcmp(member, f->member) != 0)
				continue;
			f->severity = DIAG_SEV_INFO;
			add_evidence(f, "live: %s answers now, healthy: it was down and is back",
				     e->url);
			break;
		}
	}
}

/* Removes the findings marked DIAG_CODE_NONE (joined into another). */
static void drop_folded(struct diag_findings *r)
{
	size_t o = 0;
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].code != DIAG_CODE_NONE) {
			if (o != i)
				r->v[o] = r->v[i];
			o++;
		}
	r->n = o;
}

/* Symptoms fold into the cause that explains them on the same member: a certificate rejected
 * by peers or an unreachable peer into its named TLS/identity problem; "down" into the startup
 * failure that stopped it. */
static void fold_symptoms(struct diag_findings *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct diag_finding *s = &r->v[i];
		bool (*explains)(enum diag_code);
		if (s->code == DIAG_CERT_REJECTED || s->code == DIAG_PEER_UNREACHABLE)
			explains = explains_link;
		else if (s->code == DIAG_MEMBER_DOWN)
			explains = explains_down;
		else
			continue;
		for (size_t k = 0; k < r->n; k++) {
			struct diag_finding *c = &r->v[k];
			if (k == i || c->code == DIAG_CODE_NONE || strcmp(c->member, s->member) != 0 ||
			    !explains(c->code))
				continue;
			for (size_t e = 0; e < s->n_evidence; e++)
				add_evidence(c, "%s", s->evidence[e]);
			c->count += s->count;
			s->code = DIAG_CODE_NONE; /* removed below */
			break;
		}
	}
	drop_folded(r);
}

/* The members' logs name a client whose certificate they turned down by its address only
 * ("client 127.0.0.1"). When the live checks were turned down for that same fault of our own
 * --cert, that client is this one: one finding (ours, which names the file), with the logs'
 * lines as its evidence, not a second finding for the same certificate. */
static void fold_own_client_cert(struct diag_findings *r, const struct live_facts *l)
{
	static const struct {
		enum cred_problem kind;
		enum diag_code code;
	} same[] = {
		{CRED_PROBLEM_EXPIRED, DIAG_CERT_EXPIRED},
		{CRED_PROBLEM_NOT_YET_VALID, DIAG_CERT_NOT_YET_VALID},
		{CRED_PROBLEM_NOT_CLIENT_AUTH, DIAG_CERT_BAD_KEY_USAGE},
		{CRED_PROBLEM_UNKNOWN_CA, DIAG_CERT_UNKNOWN_AUTHORITY},
	};
	enum diag_code code = DIAG_CODE_NONE;
	for (size_t i = 0; l && i < sizeof(same) / sizeof(same[0]); i++)
		if (same[i].kind == l->client_cert_kind)
			code = same[i].code;
	struct diag_finding *ours = NULL;
	for (size_t k = 0; code != DIAG_CODE_NONE && k < r->n; k++)
		if (r->v[k].code == DIAG_CLIENT_CERT_REJECTED &&
		    strcmp(r->v[k].member, "this client") == 0)
			ours = &r->v[k];
	if (!ours)
		return;
	for (size_t k = 0; k < r->n; k++) {
		struct diag_finding *f = &r->v[k];
		if (f->code != code || strncmp(f->member, "client ", 7) != 0)
			continue;
		for (size_t e = 0; e < f->n_evidence; e++)
			add_evidence(ours, "%s", f->evidence[e]);
		ours->count += f->count;
		if (f->severity > ours->severity)
			ours->severity = f->severity;
		f->code = DIAG_CODE_NONE; /* removed below */
	}
	drop_folded(r);
}

/* A member's disk or load explains what its peers see at the same time: elections, a lost
 * leader, links to it failing (etcd's leader misses heartbeats while its fsync blocks, the
 * followers' election timers fire; ETCD_LOGS.md sections 3 and 4). Within this slack of the
 * cause's span, a symptom is taken as its effect. */
#define CAUSE_SLACK_USEC (30ull * 1000000ull)

static bool is_load_cause(enum diag_code c)
{
	return c == DIAG_SLOW_DISK || c == DIAG_OVERLOADED;
}

static bool is_raft_symptom(const struct diag_finding *s, const struct diag_finding *c)
{
	bool same = strcmp(s->member, c->member) == 0;
	switch (s->code) {
	case DIAG_NO_LEADER:
		/* the others lose the leader the slow member was; the slow member itself, its raft
		 * loop stalled behind its own fsync, misses the leader's heartbeats and loses it
		 * too (the fault matrix's slow-disk follower row on 3.4.23) */
		return !same || c->code == DIAG_SLOW_DISK;
	case DIAG_LEADER_CHURN:
	case DIAG_QUORUM_LOST:
		return !same; /* the others lose the leader the slow member was, or could not be */
	case DIAG_PEER_UNREACHABLE:
		return same; /* links to the slow member time out */
	case DIAG_OVERLOADED:
		return same && c->code == DIAG_SLOW_DISK; /* late heartbeats from its own disk */
	default:
		return false;
	}
}

static void join_into(struct diag_finding *c, struct diag_finding *s);

static bool spans_meet(const struct diag_finding *a, const struct diag_finding *b)
{
	if (!a->first_usec || !b->first_usec)
		return false;
	return a->first_usec <= b->last_usec + CAUSE_SLACK_USEC &&
	       b->first_usec <= a->last_usec + CAUSE_SLACK_USEC;
}

/* Ranks the cause on top: each symptom joins the cause whose span meets its own (the slow disk
 * before mere load, then the most entries) as evidence naming it, and the cause takes the
 * symptom's severity: the cluster suffered what the symptom says, for that reason. */
static void join_load_causes(struct diag_findings *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct diag_finding *s = &r->v[i];
		struct diag_finding *best = NULL;
		for (size_t k = 0; k < r->n; k++) {
			struct diag_finding *c = &r->v[k];
			if (k == i || !is_load_cause(c->code) || c->code == DIAG_CODE_NONE ||
			    !is_raft_symptom(s, c) || !spans_meet(s, c))
				continue;
			if (!best || (c->code == DIAG_SLOW_DISK && best->code != DIAG_SLOW_DISK) ||
			    (c->code == best->code && c->count > best->count))
				best = c;
		}
		/* a cause that is itself joined elsewhere stays where it is */
		if (!best || best->caused_by[0] || (is_load_cause(s->code) && s == best))
			continue;
		join_into(best, s);
	}
	drop_folded(r);
}

/* Joins symptom s into cause c: evidence naming the cause, the symptom's severity and span. */
static void join_into(struct diag_finding *c, struct diag_finding *s)
{
	text_scopy(s->caused_by, sizeof(s->caused_by), c->member);
	char what[96];
	text_printf(what, sizeof(what), "%s on %s", diag_code_str(s->code), s->member);
	if (!strstr(c->explains, what)) {
		size_t o = strlen(c->explains);
		text_printf(c->explains + o, sizeof(c->explains) - o, "%s%s", o ? ", " : "", what);
	}
	add_evidence(c, "caused by %s's %s: %s on %s (%llu entries)", c->member,
		     diag_code_str(c->code), diag_code_str(s->code), s->member,
		     (unsigned long long)s->count);
	for (size_t e = 0; e < s->n_evidence; e++)
		add_evidence(c, "%s", s->evidence[e]);
	if (s->severity > c->severity)
		c->severity = s->severity;
	c->count += s->count;
	if (s->first_usec && (!c->first_usec || s->first_usec < c->first_usec))
		c->first_usec = s->first_usec;
	if (s->last_usec > c->last_usec)
		c->last_usec = s->last_usec;
	s->code = DIAG_CODE_NONE;
}

/* A member that cannot reach its peers (dials time out: a firewall, a partition; refused
 * dials are "down" and counted by quorum_from_down) loses its leader for that reason: the
 * unreachable links its own journal shows at the same time are the cause of its no-leader. */
static void join_link_causes(struct diag_findings *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct diag_finding *s = &r->v[i];
		if (s->code != DIAG_NO_LEADER && s->code != DIAG_QUORUM_LOST)
			continue;
		struct diag_finding *best = NULL;
		for (size_t k = 0; k < r->n; k++) {
			struct diag_finding *c = &r->v[k];
			if (k == i || c->code != DIAG_PEER_UNREACHABLE || c->caused_by[0] ||
			    strcmp(c->seen_on, s->member) != 0 || !spans_meet(s, c))
				continue;
			if (!best || c->count > best->count)
				best = c;
		}
		if (best)
			join_into(best, s);
	}
	drop_folded(r);
}

/* A member cut off from its peers (a partition, a firewall on its host) is unreachable to every
 * other member, and they are unreachable to it: its own journal names each of them. Those
 * links are one fault, the cut-off member's: each "peers cannot reach mX" that only the cut-off
 * member reported joins its finding (the count of reporters decides, not the count of lines:
 * the cut-off member retries most and logs most). A link cut between two members only has one
 * reporter on each side and stays two findings. */
static void join_cut_off(struct diag_findings *r)
{
	struct diag_finding *cut = NULL;
	for (size_t i = 0; i < r->n; i++) {
		struct diag_finding *c = &r->v[i];
		if (c->code == DIAG_PEER_UNREACHABLE && reporters_besides_member(c) >= 2 &&
		    (!cut || reporters_besides_member(c) > reporters_besides_member(cut)))
			cut = c;
	}
	if (!cut)
		return;
	for (size_t i = 0; i < r->n; i++) {
		struct diag_finding *s = &r->v[i];
		if (s == cut || s->code != DIAG_PEER_UNREACHABLE ||
		    strcmp(s->reported_by, cut->member) != 0 || !spans_meet(s, cut))
			continue;
		add_evidence(cut, "%s cannot reach %s either: the links it lost are its own",
			     cut->member, s->member);
		for (size_t e = 0; e < s->n_evidence; e++)
			add_evidence(cut, "%s", s->evidence[e]);
		if (s->explains[0]) {
			size_t o = strlen(cut->explains);
			text_printf(cut->explains + o, sizeof(cut->explains) - o, "%s%s",
				    o ? ", " : "", s->explains);
		}
		if (s->severity > cut->severity)
			cut->severity = s->severity;
		cut->count += s->count;
		s->code = DIAG_CODE_NONE;
	}
	drop_folded(r);
}

/* A candidate whose vote requests a majority of the voters never answered (granted or
 * rejected), and that saw no leader after, is without quorum: the members it asked are down
 * or cut off from it (kubeadm#2188: two of three control-plane nodes shut down). Its elections
 * are the symptom, the lost quorum the finding. */
static void quorum_from_votes(struct diag_findings *r, const struct diag_aggs *a)
{
	for (size_t i = 0; a && i < a->n; i++) {
		const struct diag_agg *e = &a->v[i];
		if (e->code != DIAG_LEADER_CHURN)
			continue;
		bool first = true, led = false;
		size_t asked = 0, answered = 0;
		char silent[160] = "";
		for (size_t k = 0; k < a->n; k++) {
			const struct diag_agg *g = &a->v[k];
			if (strcmp(g->host, e->host) != 0)
				continue;
			if (g->code == DIAG_LEADER_CHURN && k < i)
				first = false; /* one verdict per host: at its first churn row */
			if (g->code == DIAG_FACT_LEADER_ELECTED && g->last_usec >= e->first_usec)
				led = true;
			if (g->code != DIAG_FACT_VOTE_SENT || !g->f.peer_id[0])
				continue;
			bool dup = false, heard = false;
			for (size_t m = 0; m < k; m++)
				dup |= a->v[m].code == DIAG_FACT_VOTE_SENT &&
				       strcmp(a->v[m].host, g->host) == 0 &&
				       strcmp(a->v[m].f.peer_id, g->f.peer_id) == 0;
			if (dup)
				continue;
			asked++;
			for (size_t m = 0; m < a->n; m++)
				heard |= a->v[m].code == DIAG_FACT_VOTE_ANSWER &&
					 strcmp(a->v[m].host, g->host) == 0 &&
					 strcmp(a->v[m].f.peer_id, g->f.peer_id) == 0;
			if (heard) {
				answered++;
			} else {
				size_t o = strlen(silent);
				text_printf(silent + o, sizeof(silent) - o, "%s%s", o ? ", " : "",
					    g->f.peer_id);
			}
		}
		/* a majority of asked+1 voters, counting its own vote */
		if (!first || led || asked < 2 || (answered + 1) * 2 > asked + 1)
			continue;
		/* one lost quorum: the members found down already say it, the silent votes are
		 * more evidence of it */
		struct diag_finding *q = NULL;
		for (size_t k = 0; k < r->n; k++)
			if (r->v[k].code == DIAG_QUORUM_LOST)
				q = &r->v[k];
		if (!q)
			q = finding_get(r, DIAG_QUORUM_LOST, e->host);
		if (!q)
			return;
		if (!q->f.detail[0])
			text_printf(q->f.detail, sizeof(q->f.detail),
				    "%s asked %zu peers for votes, %zu answered (silent: %s)", e->host,
				    asked, answered, silent);
		add_evidence(q, "%s: %s campaigned and no leader followed; vote requests to "
				"%s went unanswered", aggs_source_str(e->source), e->host, silent);
		q->count += e->count + 1;
		if (!q->seen_on[0])
			text_scopy(q->seen_on, sizeof(q->seen_on), e->host);
		if (!q->first_usec || e->first_usec < q->first_usec)
			q->first_usec = e->first_usec;
		if (e->last_usec > q->last_usec)
			q->last_usec = e->last_usec;
		/* its elections are what the lost quorum looks like from there */
		for (size_t k = 0; k < r->n; k++)
			if (r->v[k].code == DIAG_LEADER_CHURN && strcmp(r->v[k].member, e->host) == 0)
				r->v[k].code = DIAG_CODE_NONE;
	}
	drop_folded(r);
}

static int cmp_finding(const void *a, const void *b)
{
	const struct diag_finding *x = a, *y = b;
	if (x->severity != y->severity)
		return x->severity < y->severity ? 1 : -1;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return (int)x->code - (int)y->code;
}

void correlate_fill_template(const char *tmpl, const struct diag_finding *f,
			     const struct diag_config *cfg, char *out, size_t cap)
{
	bool local = cfg && cfg->name[0] && strcmp(cfg->name, f->member) == 0;
	/* the SAN to add: an IP address as IP:, a host name as DNS: (openssl refuses IP:name) */
	char wanted_san[sizeof(f->f.wanted) + 8] = "";
	unsigned char ip[16];
	if (f->f.wanted[0])
		snprintf(wanted_san, sizeof(wanted_san), "%s:%s",
			 inet_pton(AF_INET, f->f.wanted, ip) == 1 ||
					 inet_pton(AF_INET6, f->f.wanted, ip) == 1
				 ? "IP" : "DNS", f->f.wanted);
	const struct {
		const char *name;
		const char *val;
		const char *fallback;
	} vars[] = {
		{"member", f->member, "the member"},
		{"peer", f->f.peer_id, "the peer"},
		{"wanted", f->f.wanted, "its address"},
		{"wanted_san", wanted_san, "IP:<its address>"},
		{"sans", f->f.sans, "other names"},
		{"detail", f->f.detail, ""},
		{"duration", f->f.duration, "see evidence"},
		{"url", f->f.url[0] ? f->f.url : local ? cfg->initial_advertise_peer_urls : "",
		 "https://<member>:2380"},
		{"name", f->f.name[0] ? f->f.name : f->member, "<name>"},
		/* another member's paths are taken to be this one's (etcd-install lays out every
		 * member alike), else etcd-install's defaults */
		/* a CA re-issued invalidates what it signed: those are re-issued with it */
		{"reissue", f->file_is_ca ? "the CA and every certificate it signed" : "it", "it"},
		{"cert", f->file[0] ? f->file
			 : cfg ? (cfg->peer_cert_file[0] ? cfg->peer_cert_file : cfg->cert_file) : "",
		 "/etc/etcd/ssl/etcd.pem"},
		{"key", cfg ? (cfg->peer_key_file[0] ? cfg->peer_key_file : cfg->key_file) : "",
		 "/etc/etcd/ssl/etcd-key.pem"},
		{"ca", cfg && cfg->trusted_ca_file[0] ? cfg->trusted_ca_file
			: cfg ? cfg->peer_trusted_ca_file : "", "/etc/kubernetes/ssl/ca.pem"},
		{"datadir", cfg ? cfg->data_dir : "", "/var/lib/etcd"},
		/* the unit's User=/Group= as read (every member run alike), else asked on it */
		{"user", cfg ? cfg->unit_user : "", CATALOGUE_UNIT_USER_SH},
		{"group", cfg ? cfg->unit_group : "", CATALOGUE_UNIT_GROUP_SH},
	};
	size_t o = 0;
	if (cap == 0)
		return;
	for (const char *p = tmpl; *p && o + 1 < cap; p++) {
		if (*p == '{') {
			const char *e = strchr(p, '}');
			bool done = false;
			for (size_t i = 0; e && i < sizeof(vars) / sizeof(vars[0]); i++) {
				if (strlen(vars[i].name) != (size_t)(e - p - 1) ||
				    memcmp(vars[i].name, p + 1, (size_t)(e - p - 1)) != 0)
					continue;
				const char *v = vars[i].val && vars[i].val[0] ? vars[i].val
									       : vars[i].fallback;
				size_t n = text_printf(out + o, cap - o, "%s", v);
				o += n;
				if (n < strlen(v))
					goto full; /* cut (between code points): nothing more fits */
				p = e;
				done = true;
				break;
			}
			if (done)
				continue;
		}
		out[o++] = *p;
	}
full:
	out[o] = '\0';
	/* "(...)" left empty by a missing field reads badly: drop " ()" */
	char *emp = strstr(out, " ()");
	if (emp)
		memmove(emp, emp + 3, strlen(emp + 3) + 1);
}

/* Cluster size: members added to the most common cluster ID in the journal, else the
 * configuration's --initial-cluster, else the hosts seen. */
static size_t cluster_size(const struct directory *d, const struct diag_config *cfg)
{
	const struct diag_aggs *a = d->aggs;
	size_t best = 0;
	for (size_t i = 0; a && i < a->n; i++) {
		if (a->v[i].code != DIAG_FACT_MEMBER_ADDED)
			continue;
		const char *cid = a->v[i].f.cluster_id;
		char ids[FINDINGS_MAX][DIAG_ID_LEN];
		size_t n = 0;
		for (size_t k = 0; k < a->n; k++) {
			const struct diag_agg *g = &a->v[k];
			if (g->code != DIAG_FACT_MEMBER_ADDED || strcmp(g->f.cluster_id, cid) != 0)
				continue;
			bool seen = false;
			for (size_t m = 0; m < n; m++)
				seen |= strcmp(ids[m], g->f.peer_id) == 0;
			if (!seen && n < FINDINGS_MAX)
				memcpy(ids[n++], g->f.peer_id, DIAG_ID_LEN);
		}
		if (n > best)
			best = n;
	}
	if (best)
		return best;
	struct config_peer peers[CONFIG_PEERS_MAX];
	int np = cfg ? config_initial_cluster_parse(cfg->initial_cluster, peers, CONFIG_PEERS_MAX,
						   NULL)
		     : 0;
	if (np > 0)
		return (size_t)np;
	return d->n;
}

/* Members down are each a finding; when they are a majority the headline is the lost quorum
 * (etcd needs floor(n/2)+1 members to elect a leader and commit). */
static void quorum_from_down(struct diag_findings *r, const struct directory *d,
			     const struct diag_config *cfg)
{
	size_t size = cluster_size(d, cfg), down = 0;
	uint64_t count = 0;
	char names[128] = "";
	for (size_t i = 0; i < r->n; i++) {
		/* one the live checks found back (live_clears_down) is not down */
		if (r->v[i].code != DIAG_MEMBER_DOWN || r->v[i].severity <= DIAG_SEV_INFO)
			continue;
		down++;
		count += r->v[i].count;
		size_t o = strlen(names);
		text_printf(names + o, sizeof(names) - o, "%s%s", o ? ", " : "", r->v[i].member);
	}
	if (size < 2 || down * 2 < size)
		return;
	struct diag_finding *q = NULL;
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].code == DIAG_QUORUM_LOST)
			q = &r->v[i];
	if (!q) {
		q = finding_get(r, DIAG_QUORUM_LOST, names);
		if (!q)
			return;
	}
	text_printf(q->f.detail, sizeof(q->f.detail), "%zu of %zu members down: %s", down, size, names);
	add_evidence(q, "%zu of %zu members are down (%s): no majority to elect a leader", down,
		     size, names);
	q->count += count + 1; /* ranks above each member-down it explains */
}

int correlate_run(const struct correlate_input *in, struct diag_findings *ret)
{
	struct directory *d = calloc(1, sizeof(*d));
	memset(ret, 0, sizeof(*ret));
	if (!d)
		return -ENOMEM;
	dir_build(d, in->aggs, in->cfg);
	if (in->aggs)
		from_journal(ret, d, in->aggs);
	if (in->certs)
		from_certs(ret, in->certs, in->cfg);
	if (in->live && in->live->available)
		from_live(ret, d, in->live);
	fold_symptoms(ret);
	if (in->live && in->live->available)
		fold_own_client_cert(ret, in->live);
	if (in->live && in->live->available)
		live_clears_down(ret, d, in->live);
	quorum_from_down(ret, d, in->cfg);
	quorum_from_votes(ret, in->aggs);
	for (size_t i = 0; i < ret->n; i++) {
		struct diag_finding *f = &ret->v[i];
		const struct diag_code_info *ci = diag_code_info_get(f->code);
		/* a handful of slow requests or elections is normal life */
		if (f->count && f->count < ci->min_count && f->severity > DIAG_SEV_INFO)
			f->severity = DIAG_SEV_INFO;
	}
	/* after the counts have said what is normal: a cause takes its effects' severity */
	join_load_causes(ret);
	join_link_causes(ret);
	join_cut_off(ret);
	for (size_t i = 0; i < ret->n; i++) {
		struct diag_finding *f = &ret->v[i];
		const struct diag_code_info *ci = diag_code_info_get(f->code);
		correlate_fill_template(ci->summary, f, in->cfg, f->summary, sizeof(f->summary));
		if (f->explains[0]) {
			size_t o = strlen(f->summary);
			text_printf(f->summary + o, sizeof(f->summary) - o, "; the cause of %s",
				    f->explains);
		}
		correlate_fill_template(ci->remedy, f, in->cfg, f->remedy, sizeof(f->remedy));
	}
	qsort(ret->v, ret->n, sizeof(ret->v[0]), cmp_finding);
	ret->worst = DIAG_SEV_OK;
	for (size_t i = 0; i < ret->n; i++)
		if (ret->v[i].severity > ret->worst)
			ret->worst = ret->v[i].severity;
	free(d);
	return 0;
}
