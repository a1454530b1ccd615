/* catalogue.h: the stable finding codes and what etcd-diag says about each (severity, summary,
 * remedy): the catalogue, apart from the signatures that find them in a log (classify.c). */
#ifndef DIAG_CATALOGUE_H
#define DIAG_CATALOGUE_H

/* The remedies' {user} and {group} when the unit's User=/Group= are not known: asked of the
 * unit on the member itself (Debian's unit has User=etcd, older ones none: root). */
#define CATALOGUE_UNIT_USER_SH "\"$(systemctl show -P User etcd.service | grep . || echo root)\""
#define CATALOGUE_UNIT_GROUP_SH "\"$(id -gn " CATALOGUE_UNIT_USER_SH ")\""

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
	DIAG_RAFT_LOG_CORRUPT,
	DIAG_DATA_DIR_LOCKED,
	DIAG_WAL_CORRUPT,
	DIAG_SNAPSHOT_CORRUPT,
	DIAG_PEM_NO_DATA,
	DIAG_AUTH_TOKEN_INVALID,
	DIAG_REVISION_COMPACTED,
	DIAG_MESSAGE_TOO_LARGE,
	DIAG_PEER_NAME_UNRESOLVED,
	DIAG_FILE_PERMISSION,  /* etcd itself cannot open a file: permission denied */
	DIAG_CANNOT_READ_HERE, /* etcd-diag (not root) may not read a file it should inspect */
	DIAG_DISK_FULL,        /* a write to the data dir failed: no space left on device */
	DIAG_FACT_LOCAL_MEMBER, /* "starting member ID in cluster CID" / local-member-id */
	DIAG_FACT_MEMBER_ADDED, /* "added member ID [URL] to cluster CID" */
	DIAG_FACT_PUBLISHED,    /* "published {Name:N ...} to cluster CID" */
	DIAG_FACT_PEER_ACTIVE,  /* "peer ID became active": a peer link recovered */
	DIAG_FACT_LEADER_ELECTED, /* "elected leader": the member has a leader again */
	DIAG_FACT_VOTE_SENT,      /* "sent MsgVote request to ID": a vote asked of that peer */
	DIAG_FACT_VOTE_ANSWER,    /* "received MsgVoteResp [rejection] from ID": the peer answered */
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

/* Catalogue lookups; never NULL for a valid code (a placeholder row for out-of-range). */
const struct diag_code_info *diag_code_info_get(enum diag_code code);
const char *diag_code_str(enum diag_code code);
const char *diag_severity_str(enum diag_severity sev);
/* Code from its stable string; DIAG_CODE_NONE when unknown. */
enum diag_code diag_code_from_str(const char *name);

#endif
