/* facts: what the live checks learned about each endpoint and the cluster, as plain data.
 * check.c fills it from the network; verdict.c, report.c and etcd-diag read it. */
#ifndef PROBE_FACTS_H
#define PROBE_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "proto/endpoint.h"

#define FACTS_MAX_ENDPOINTS 256
#define FACTS_MAX_MEMBERS 64
#define FACTS_MAX_ALARMS 16
#define FACTS_ERR_LEN 320

enum alarm_type { ALARM_NONE = 0, ALARM_NOSPACE = 1, ALARM_CORRUPT = 2 };

struct alarm_fact {
	uint64_t member_id;
	int type; /* enum alarm_type; other values are shown as numbers */
};

struct endpoint_facts {
	struct endpoint ep;
	char name[64];            /* member name, from the member list */

	/* Transport: set when the endpoint could not be reached or spoken to. */
	bool failed;
	const char *failed_step;  /* "TCP connect", "TLS handshake", "HTTP/2 setup", "gRPC" */
	char error[FACTS_ERR_LEN];
	bool timed_out;
	char tls_warning[FACTS_ERR_LEN]; /* verification failure ignored by --insecure-... */

	/* Server certificate, as presented in the handshake. */
	bool has_cert;
	time_t cert_not_after;

	/* Maintenance/Status */
	bool has_status;
	bool status_needs_creds;
	char status_error[FACTS_ERR_LEN];
	uint64_t cluster_id, member_id, leader;
	uint64_t raft_term, raft_index, raft_applied_index;
	int64_t db_size, db_size_in_use, db_size_quota;
	bool is_learner;
	char version[32];
	char status_errors[256]; /* the member's own errors list, "; "-joined */

	/* KV/Range "health", timed */
	bool health_done;
	bool healthy;
	double latency_s;
	char health_error[FACTS_ERR_LEN];

	/* Maintenance/Alarm and Cluster/MemberList answered by this endpoint */
	bool alarms_answered;
	bool alarms_need_creds;
	bool members_answered;
	bool members_need_creds;
};

struct member_fact {
	uint64_t id;
	char name[64];
	char client_url[ENDPOINT_URL_MAX]; /* first client URL, "" for a member not started */
	bool is_learner;
};

struct check_facts {
	struct endpoint_facts *eps; /* n_eps of them, owned by the facts (check_facts_free) */
	size_t n_eps;

	bool have_members;
	struct member_fact members[FACTS_MAX_MEMBERS];
	size_t n_members;

	bool have_alarms;
	struct alarm_fact alarms[FACTS_MAX_ALARMS];
	size_t n_alarms;

	bool have_client_cert;
	time_t client_cert_not_after;

	bool insecure;
	bool auth_failed;
	char auth_error[FACTS_ERR_LEN];

	size_t tls_resumed; /* handshakes that resumed a session instead of a full handshake */
	time_t now;        /* wall clock at the start of the check */
	double elapsed_s;
	double timeout_s;
};

/* Frees what the facts own; accepts NULL. */
void check_facts_free(struct check_facts *f);

/* "NOSPACE", "CORRUPT", or "ALARM<n>" into buf. */
const char *alarm_type_str(int type, char buf[16]);

/* The member of the member list with this ID, or NULL. */
const struct member_fact *facts_member_by_id(const struct check_facts *f, uint64_t id);

#endif
