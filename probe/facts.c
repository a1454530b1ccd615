/* facts: ownership and small look-ups over the check facts. */
#include "probe/facts.h"

#include <stdio.h>
#include <stdlib.h>

void check_facts_free(struct check_facts *f)
{
	if (!f)
		return;
	for (size_t i = 0; f->eps && i < f->n_eps; i++) {
		free(f->eps[i].metrics_raw);
		f->eps[i].metrics_raw = NULL;
	}
	free(f->eps);
	f->eps = NULL;
	f->n_eps = 0;
}

const char *alarm_type_str(int type, char buf[16])
{
	static const char *const names[] = {"NONE", "NOSPACE", "CORRUPT"};
	if (type >= 0 && type <= ALARM_CORRUPT)
		return names[type];
	snprintf(buf, 16, "ALARM%d", type);
	return buf;
}

const char *endpoint_failure_str(enum endpoint_failure f)
{
	static const char *const keys[EP_FAIL__COUNT] = {
		[EP_FAIL_NONE] = "none",
		[EP_FAIL_RESOLVE] = "resolve",
		[EP_FAIL_REFUSED] = "refused",
		[EP_FAIL_UNREACHABLE] = "unreachable",
		[EP_FAIL_TIMEOUT] = "timeout",
		[EP_FAIL_TLS_VERIFY] = "tls-verify",
		[EP_FAIL_CLIENT_CERT_REJECTED] = "client-cert-rejected",
		[EP_FAIL_CLIENT_CERT_REQUIRED] = "client-cert-required",
		[EP_FAIL_NOT_TLS] = "not-tls",
		[EP_FAIL_NOT_HTTP2] = "not-http2",
		[EP_FAIL_TLS] = "tls",
		[EP_FAIL_HTTP2] = "http2",
		[EP_FAIL_CLOSED] = "closed",
		[EP_FAIL_IO] = "io",
		[EP_FAIL_DOWNGRADE] = "downgrade",
		[EP_FAIL_INTERNAL] = "internal",
	};
	return (unsigned)f < EP_FAIL__COUNT && keys[f] ? keys[f] : "internal";
}

const struct member_fact *facts_member_by_id(const struct check_facts *f, uint64_t id)
{
	for (size_t i = 0; i < f->n_members; i++)
		if (f->members[i].id == id)
			return &f->members[i];
	return NULL;
}

double facts_quota_bytes(const struct endpoint_facts *e, bool *assumed)
{
	*assumed = false;
	if (e->db_size_quota > 0)
		return (double)e->db_size_quota;
	if (e->m.has_quota && e->m.quota_bytes > 0)
		return e->m.quota_bytes;
	*assumed = true;
	return (double)(2LL << 30);
}
