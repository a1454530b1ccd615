/* classify.h: the catalogue of etcd failure signatures and the classifier of one log entry. */
#ifndef DIAG_CLASSIFY_H
#define DIAG_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>

/* Severity of a finding; ordered so that max() combines them (monitoring-plugins style). */
enum diag_severity {
	DIAG_SEV_OK = 0,
	DIAG_SEV_INFO = 1,
	DIAG_SEV_WARNING = 2,
	DIAG_SEV_CRITICAL = 3,
};

/* Stable finding codes (the README lists them). DIAG_FACT_* are not failures: they carry the
 * identity of members (IDs, peer URLs, cluster IDs) that the correlation needs to name the
 * member at fault. */
enum diag_code {
	DIAG_CODE_NONE = 0,
	DIAG_CERT_SAN_MISMATCH,
	DIAG_CERT_UNKNOWN_AUTHORITY,
	DIAG_CERT_EXPIRED,
	DIAG_CERT_NOT_YET_VALID,
	DIAG_CERT_EXPIRING,
	DIAG_CERT_KEY_MISMATCH,
	DIAG_CERT_BAD_KEY_USAGE,
	DIAG_CERT_REJECTED,
	DIAG_KEY_FILE_PERMISSIONS,
	DIAG_CLIENT_CERT_MISSING,
	DIAG_CLIENT_CERT_REJECTED,
	DIAG_CLUSTER_ID_MISMATCH,
	DIAG_MEMBER_ALREADY_BOOTSTRAPPED,
	DIAG_MEMBER_NOT_IN_INITIAL_CLUSTER,
	DIAG_MEMBER_REMOVED,
	DIAG_PEER_UNREACHABLE,
	DIAG_MEMBER_DOWN,
	DIAG_QUORUM_LOST,
	DIAG_NO_LEADER,
	DIAG_LEADER_CHURN,
	DIAG_SLOW_DISK,
	DIAG_OVERLOADED,
	DIAG_NOSPACE_ALARM,
	DIAG_CORRUPT_ALARM,
	DIAG_CLOCK_DRIFT,
	DIAG_PORT_IN_USE,
	DIAG_BIND_ADDRESS_UNAVAILABLE,
	DIAG_DATA_DIR_PERMISSION,
	DIAG_DATA_DIR_MODE,
	DIAG_FILE_MISSING,
	DIAG_ENDPOINT_UNHEALTHY,
	DIAG_FACT_LOCAL_MEMBER, /* "starting member ID in cluster CID" / local-member-id */
	DIAG_FACT_MEMBER_ADDED, /* "added member ID [URL] to cluster CID" */
	DIAG_FACT_PUBLISHED,    /* "published {Name:N ...} to cluster CID" */
	DIAG_FACT_PEER_ACTIVE,  /* "peer ID became active": a peer link recovered */
	DIAG_FACT_LEADER_ELECTED, /* "elected leader": the member has a leader again */
	DIAG_CODE__MAX,
};

/* What the catalogue knows about one code. */
struct diag_code_info {
	enum diag_code code;
	const char *name;     /* stable code string, e.g. "cert-san-mismatch" */
	const char *category; /* "tls", "membership", "raft", "disk", "space", "startup", ... */
	enum diag_severity severity;
	unsigned min_count; /* fewer journal entries than this in the window: only INFO */
	const char *summary; /* one line, may use {peer} {wanted} {sans} {detail} {duration} */
	const char *remedy;  /* command template; placeholders filled by the report */
};

enum diag_log_format {
	DIAG_FMT_BARE = 0, /* journal-native capnslog: bare text, level in PRIORITY */
	DIAG_FMT_CAPNSLOG, /* "2026-11-24 19:13:39.106784 W | pkg: text" */
	DIAG_FMT_STDLOG,   /* 3.4 raft / grpc on stderr: "raft2026/11/25 05:30:53 INFO: text" */
	DIAG_FMT_ZAP,      /* {"level":"warn",...,"msg":"...",fields} */
};

#define DIAG_ID_LEN 17 /* 16 hex digits + NUL */

/* Fields extracted from one entry; empty string when absent. */
struct classify_fields {
	char peer_id[DIAG_ID_LEN];    /* the remote peer the line is about */
	char local_id[DIAG_ID_LEN];   /* the logging member's own ID, when the line says it */
	char cluster_id[DIAG_ID_LEN]; /* the logging member's own cluster ID */
	char remote_cluster_id[DIAG_ID_LEN];
	char remote_addr[64];  /* "127.0.0.1:35442" of a rejected connection */
	char wanted[64];       /* x509 "not X": the address the certificate should have had */
	char sans[160];        /* x509 "valid for A, B": what the certificate has */
	char duration[32];     /* "1.2s", "[1.5s > 1s]" */
	char url[128];         /* peer URL of an added member, listen address, ... */
	char name[64];         /* member name (published / couldn't find local name) */
	char detail[192];      /* path, alarm, error text */
	bool peer_at_fault;    /* peer_id names the member at fault, not the logging host */
};

struct classify_result {
	enum diag_code code;
	enum diag_log_format format;
	int priority; /* syslog level 0..7 from the text when it has one, else the journal's, else -1 */
	struct classify_fields f;
};

/* Catalogue lookups; never NULL for a valid code (a placeholder row for out-of-range). */
const struct diag_code_info *diag_code_info_get(enum diag_code code);
const char *diag_code_str(enum diag_code code);
const char *diag_severity_str(enum diag_severity sev);
/* Code from its stable string; DIAG_CODE_NONE when unknown. */
enum diag_code diag_code_from_str(const char *name);

/* Classifies one log entry: msg/len is the MESSAGE (not NUL-terminated, may end in '\n'),
 * priority the journal PRIORITY or -1. Always fills *ret (code DIAG_CODE_NONE for healthy or
 * unknown lines). Pure, no allocation; fast path is one pass over the message. */
void classify_entry(const char *msg, size_t len, int priority, struct classify_result *ret);

/* Number of signature rows, for tests and the README. */
size_t classify_signature_count(void);
/* The i-th row's needle and code (what `etcd-diag --list-signatures` prints, for the bench's
 * grep -E of the same signatures); NULL past the end. */
const char *classify_signature_needle(size_t i, enum diag_code *ret_code);

#endif
