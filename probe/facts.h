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
#define FACTS_MAX_PEERS 16

struct metrics_snapshot;

enum alarm_type { ALARM_NONE = 0, ALARM_NOSPACE = 1, ALARM_CORRUPT = 2 };

struct alarm_fact {
	uint64_t member_id;
	int type; /* enum alarm_type; other values are shown as numbers */
};

/* Why an endpoint could not be reached or spoken to: what the verdict, the reports and etcd-diag
 * act on. The English line (endpoint_facts.error) is for people only. */
enum endpoint_failure {
	EP_FAIL_NONE,
	EP_FAIL_RESOLVE,              /* the host name did not resolve */
	EP_FAIL_REFUSED,              /* TCP connect refused */
	EP_FAIL_UNREACHABLE,          /* other TCP connect errors */
	EP_FAIL_TIMEOUT,              /* the deadline passed; failed_step says where */
	EP_FAIL_TLS_VERIFY,           /* the server certificate failed: verify_err, verify_host */
	EP_FAIL_CLIENT_CERT_REJECTED, /* the server turned our client certificate down */
	EP_FAIL_CLIENT_CERT_REQUIRED, /* the server wants a client certificate, none was given */
	EP_FAIL_NOT_TLS,              /* no TLS on this port */
	EP_FAIL_NOT_HTTP2,            /* no ALPN h2 or an HTTP/1.x answer: not an etcd v3 port */
	EP_FAIL_TLS,                  /* any other TLS failure */
	EP_FAIL_HTTP2,                /* HTTP/2 protocol error, GOAWAY, a cap hit */
	EP_FAIL_CLOSED,               /* the server closed the connection */
	EP_FAIL_IO,                   /* a read or write error */
	EP_FAIL_DOWNGRADE,            /* not probed: the token would go over http:// */
	EP_FAIL_INTERNAL,             /* out of memory, a stream that cannot be opened */
	EP_FAIL__COUNT
};

/* How an endpoint that took the connection then said nothing within -t. Only a fact for the
 * engine: why is the verdict's to say, knowing whether the others have a leader. */
enum endpoint_silence {
	EP_SILENT_NONE,
	EP_SILENT_ACCEPTED, /* TCP accepted, then not a byte of TLS or HTTP/2 */
	EP_SILENT_CALLS,    /* TLS and HTTP/2 up, then not one call answered */
};

/* A stable key for each failure ("refused", "tls-verify", ...): JSON and etcd-diag use it. */
const char *endpoint_failure_str(enum endpoint_failure f);

/* What the member's /metrics say, derived by probe/history.c: over the interval since the last
 * run when the state file has one, else over the member's lifetime. A figure is present only
 * when its has_ flag is set. */
struct peer_rtt_fact {
	uint64_t peer_id;
	double p99_s;
};

struct metrics_facts {
	bool read;                 /* a snapshot was derived */
	bool interval;             /* figures cover [last run, now]; false: the member's lifetime */
	double interval_s;         /* length of that interval */
	char interval_note[160];   /* why there is no interval: "first run", "member restarted",
				      "state file unreadable: ..."; "" with an interval */
	bool has_quota, has_db_size, has_db_in_use;
	double quota_bytes, db_size_bytes, db_in_use_bytes;
	bool has_wal_fsync_p99, has_backend_commit_p99;
	double wal_fsync_p99_s, backend_commit_p99_s;
	size_t n_peers;            /* peers with a p99 */
	struct peer_rtt_fact peers[FACTS_MAX_PEERS];
	/* Counts over a 15-minute window (the mixin's): judged only when the window is known,
	 * i.e. the state file holds a run 15 minutes back or the member started less than 15
	 * minutes ago; else has_ is false and the lifetime total is left out. */
	bool has_leader_changes, has_proposals_failed;
	double leader_changes_15m, proposals_failed_15m;
	bool has_proposals_pending;
	double proposals_pending;
	/* Increases over the interval (none without one). */
	bool has_slow_applies, has_heartbeat_failures;
	double slow_applies, heartbeat_failures;
};

struct endpoint_facts {
	struct endpoint ep;
	char name[64];            /* member name, from the member list */

	/* Transport: set once, by the engine's one exit, when the endpoint failed. */
	bool failed;              /* failure != EP_FAIL_NONE */
	enum endpoint_failure failure;
	const char *failed_step;  /* "name resolution", "TCP connect", "TLS handshake", ... */
	char error[FACTS_ERR_LEN]; /* the English line, sanitized */
	enum endpoint_silence silence; /* how it took the connection and then said nothing */
	long verify_err;          /* X509_V_ERR_* when the server certificate failed, else 0 */
	char verify_host[128];    /* the name or IP it was checked against */
	char cert_sans[512];      /* the SANs it presented, sanitized */
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
	bool no_leader;           /* Status said there is no leader: no quorum read was tried */
	int health_grpc_code;     /* the failed read's gRPC status; 0 when it succeeded or timed out */
	double latency_s;
	char health_error[FACTS_ERR_LEN];

	/* Maintenance/Alarm and Cluster/MemberList answered by this endpoint */
	bool alarms_answered;
	bool alarms_need_creds;
	bool members_answered;
	bool members_need_creds;

	/* /metrics: the raw read (check.c) and what it means over the interval (history.c) */
	struct metrics_snapshot *metrics_raw; /* NULL when not read; owned (check_facts_free) */
	char metrics_url[ENDPOINT_URL_MAX];    /* where it was read from */
	char metrics_error[FACTS_ERR_LEN];     /* why it was not, when asked */
	bool metrics_url_given;               /* from --metrics-url: a failure is a WARNING */
	struct metrics_facts m;

	/* --write-check: a put under a short lease, then its delete */
	bool write_done;          /* the check ran to an answer or a timeout */
	bool write_ok;
	double write_latency_s;   /* put + delete */
	int write_grpc_code;      /* the refusal's gRPC status, 0 when it succeeded */
	char write_error[FACTS_ERR_LEN]; /* "NOSPACE", "permission denied for user x", ... */
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
	unsigned auth_tries;      /* Authenticate calls sent */

	size_t tls_resumed; /* handshakes that resumed a session instead of a full handshake */
	char history_note[160]; /* a problem with the state file (probe/history.c), "" for none */
	time_t now;        /* wall clock at the start of the check */
	double elapsed_s;
	double timeout_s;
};

/* Frees what the facts own; accepts NULL. */
void check_facts_free(struct check_facts *f);

/* "NOSPACE", "CORRUPT", or "ALARM<n>" into buf. */
const char *alarm_type_str(int type, char buf[16]);

/* The backend quota a member enforces, in bytes: its Status's (etcd 3.6), else its /metrics'
 * etcd_server_quota_backend_bytes, else etcd's 2 GiB default (*assumed set). */
double facts_quota_bytes(const struct endpoint_facts *e, bool *assumed);

/* The member of the member list with this ID, or NULL. */
const struct member_fact *facts_member_by_id(const struct check_facts *f, uint64_t id);

#endif
