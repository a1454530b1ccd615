/* classify.c: the etcd 3.2-3.6 failure signatures and the one-pass classifier. */
#include "diag/classify.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "diag/text.h"

/* Which fields each code needs: extraction is the costly part of a hit, and a million-entry
 * journal has many hits of the identity facts, so each code extracts only what it uses. */
enum field_mask {
	F_PEER = 1 << 0,
	F_LOCAL = 1 << 1,
	F_CLUSTER = 1 << 2,
	F_ADDR = 1 << 3,
	F_X509 = 1 << 4,
	F_DURATION = 1 << 5,
	F_URL = 1 << 6,
	F_NAME = 1 << 7,
	F_ALL = 0xff,
};

#define F_TLS (F_PEER | F_ADDR | F_X509 | F_URL)
static const unsigned code_fields[DIAG_CODE__MAX] = {
	[DIAG_CERT_SAN_MISMATCH] = F_TLS,
	[DIAG_CERT_UNKNOWN_AUTHORITY] = F_TLS,
	[DIAG_CERT_EXPIRED] = F_TLS,
	[DIAG_CERT_NOT_YET_VALID] = F_TLS,
	[DIAG_CERT_EXPIRING] = F_TLS,
	[DIAG_CERT_KEY_MISMATCH] = F_TLS,
	[DIAG_CERT_BAD_KEY_USAGE] = F_TLS,
	[DIAG_CERT_REJECTED] = F_TLS,
	[DIAG_KEY_FILE_PERMISSIONS] = 0,
	[DIAG_CLIENT_CERT_MISSING] = F_TLS,
	[DIAG_CLIENT_CERT_REJECTED] = 0,
	[DIAG_CLUSTER_ID_MISMATCH] = F_PEER | F_LOCAL | F_CLUSTER,
	[DIAG_MEMBER_ALREADY_BOOTSTRAPPED] = F_PEER,
	[DIAG_MEMBER_NOT_IN_INITIAL_CLUSTER] = F_NAME | F_URL,
	[DIAG_MEMBER_REMOVED] = F_PEER | F_LOCAL,
	[DIAG_PEER_UNREACHABLE] = F_PEER | F_URL,
	[DIAG_MEMBER_DOWN] = F_PEER | F_URL,
	[DIAG_QUORUM_LOST] = F_LOCAL,
	[DIAG_NO_LEADER] = F_LOCAL,
	[DIAG_LEADER_CHURN] = F_LOCAL,
	[DIAG_SLOW_DISK] = F_DURATION,
	[DIAG_OVERLOADED] = F_DURATION | F_PEER,
	[DIAG_NOSPACE_ALARM] = F_PEER,
	[DIAG_CORRUPT_ALARM] = F_PEER,
	[DIAG_CLOCK_DRIFT] = F_PEER | F_DURATION,
	[DIAG_PORT_IN_USE] = F_URL,
	[DIAG_BIND_ADDRESS_UNAVAILABLE] = F_URL,
	[DIAG_DATA_DIR_PERMISSION] = 0,
	[DIAG_DATA_DIR_MODE] = 0,
	[DIAG_FILE_MISSING] = 0,
	[DIAG_ENDPOINT_UNHEALTHY] = F_ALL,
	[DIAG_RAFT_LOG_CORRUPT] = F_LOCAL,
	[DIAG_DATA_DIR_LOCKED] = 0,
	[DIAG_WAL_CORRUPT] = 0,
	[DIAG_SNAPSHOT_CORRUPT] = 0,
	[DIAG_PEM_NO_DATA] = 0,
	[DIAG_AUTH_TOKEN_INVALID] = 0,
	[DIAG_REVISION_COMPACTED] = 0,
	[DIAG_MESSAGE_TOO_LARGE] = 0,
	[DIAG_PEER_NAME_UNRESOLVED] = F_PEER | F_URL,
	[DIAG_FILE_PERMISSION] = 0,
	[DIAG_DISK_FULL] = 0,
	[DIAG_FACT_LOCAL_MEMBER] = F_LOCAL | F_CLUSTER,
	[DIAG_FACT_MEMBER_ADDED] = F_PEER | F_CLUSTER | F_URL,
	[DIAG_FACT_PUBLISHED] = F_LOCAL | F_CLUSTER | F_NAME,
	[DIAG_FACT_PEER_ACTIVE] = F_PEER,
	[DIAG_FACT_LEADER_ELECTED] = F_LOCAL | F_PEER, /* the peer: the leader elected */
	[DIAG_FACT_VOTE_SENT] = F_PEER,
	[DIAG_FACT_VOTE_ANSWER] = F_PEER,
};

/* How the detail field of a row is filled. */
enum detail_kind {
	DETAIL_SNIPPET = 0, /* the text from the needle on, up to a quote */
	DETAIL_REASON,      /* a short network reason ("connection refused") */
	DETAIL_AFTER,       /* the token after `from` up to one of `stop` */
	DETAIL_NEEDLE,      /* the needle itself (alarm names) */
	DETAIL_FROM,        /* from `from` (included) up to one of `stop` */
	DETAIL_KEY,         /* the zap field named `from`, else the snippet */
	DETAIL_NONE,
};

/* One failure signature. `needle` (>= 4 bytes) is searched with the one-pass index; `also`
 * must also be present, `unless` must not. Rows are tried in table order: specific causes
 * (the x509 text inside a peer-link error) come before the generic symptom that carries them,
 * and healthy lines that would otherwise match come first with DIAG_CODE_NONE. */
struct signature {
	enum diag_code code;
	const char *needle;
	const char *also;
	const char *unless;
	enum detail_kind detail;
	const char *from;
	const char *stop;
	/* The member at fault is the peer the line names, not the member that logs it: etcd's
	 * "rejected ... from removed member" lines are written by the members that remain. */
	bool peer_at_fault;
};

static const struct signature sig_table[] = {
	/* healthy or shutdown noise that contains failure words */
	{DIAG_CODE_NONE, "alarm disarmed", NULL, NULL, DETAIL_NONE, NULL, NULL, false},
	{DIAG_CODE_NONE, "use of closed network connection", NULL, NULL, DETAIL_NONE, NULL, NULL,
		false},
	{DIAG_CODE_NONE, "failed to find local node", NULL, NULL, DETAIL_NONE, NULL, NULL, false},
	/* 3.5: names no member; the "rejected Raft message from removed member" line beside it
	 * does (removed-member-id) */
	{DIAG_CODE_NONE, "cannot process message from removed member", NULL, NULL, DETAIL_NONE,
		NULL, NULL, false},
	/* TLS (ETCD_LOGS.md section 1): the Go x509/tls text decides, whatever carries it */
	{DIAG_CERT_SAN_MISMATCH, "certificate is valid for", NULL, NULL, DETAIL_NONE, NULL, NULL,
		false},
	/* etcd's own check of a connecting peer's certificate against its address (pkg/transport
	 * checkCertSAN, 3.2-3.6), logged in "rejected connection" by the member it dials */
	{DIAG_CERT_SAN_MISMATCH, "does not match any of DNSNames", NULL, NULL, DETAIL_NONE, NULL,
		NULL, false},
	{DIAG_CERT_SAN_MISMATCH, "doesn't contain any IP SANs", NULL, NULL, DETAIL_SNIPPET, NULL,
		NULL, false},
	{DIAG_CERT_SAN_MISMATCH, "legacy Common Name field", NULL, NULL, DETAIL_SNIPPET, NULL, NULL,
		false},
	{DIAG_CERT_UNKNOWN_AUTHORITY, "signed by unknown authority", NULL, NULL, DETAIL_SNIPPET,
		NULL, NULL, false},
	{DIAG_CERT_UNKNOWN_AUTHORITY, "unknown certificate authority", NULL, NULL, DETAIL_SNIPPET,
		NULL, NULL, false},
	{DIAG_CERT_NOT_YET_VALID, "certificate has expired or is not yet valid", "is before", NULL,
		DETAIL_AFTER, "is before ", " \"\\)", false},
	{DIAG_CERT_EXPIRED, "certificate has expired or is not yet valid", NULL, NULL, DETAIL_AFTER,
		"is after ", " \"\\)", false},
	{DIAG_CERT_EXPIRED, "tls: expired certificate", NULL, NULL, DETAIL_SNIPPET, NULL, NULL,
		false},
	{DIAG_CERT_BAD_KEY_USAGE, "incompatible key usage", NULL, NULL, DETAIL_SNIPPET, NULL, NULL,
		false},
	{DIAG_CERT_BAD_KEY_USAGE, "tls: unsupported certificate", NULL, NULL, DETAIL_SNIPPET, NULL,
		NULL, false},
	/* Go crypto/tls X509KeyPair on an empty, DER or swapped file (startup, section 7) */
	{DIAG_PEM_NO_DATA, "tls: failed to find any PEM data", NULL, NULL, DETAIL_SNIPPET, NULL, NULL,
		false},
	{DIAG_PEM_NO_DATA, "PEM block in key input", NULL, NULL, DETAIL_SNIPPET, NULL, NULL, false},
	{DIAG_PEM_NO_DATA, "PEM block in certificate input", NULL, NULL, DETAIL_SNIPPET, NULL, NULL,
		false},
	{DIAG_PEM_NO_DATA, "rather than a key in the PEM", NULL, NULL, DETAIL_SNIPPET, NULL, NULL,
		false},
	{DIAG_CERT_KEY_MISMATCH, "private key does not match public key", NULL, NULL,
		DETAIL_SNIPPET, NULL, NULL, false},
	{DIAG_CLIENT_CERT_MISSING, "didn't provide a certificate", NULL, NULL, DETAIL_SNIPPET, NULL,
		NULL, false},
	{DIAG_CLIENT_CERT_MISSING, "tls: certificate required", NULL, NULL, DETAIL_SNIPPET, NULL,
		NULL, false},
	{DIAG_CERT_REJECTED, "tls: bad certificate", NULL, NULL, DETAIL_SNIPPET, NULL, NULL, false},
	/* cluster identity and membership (section 2, startup errors of section 7) */
	{DIAG_CLUSTER_ID_MISMATCH, "cluster ID mismatch", NULL, NULL, DETAIL_NONE, NULL, NULL,
		false},
	{DIAG_MEMBER_ALREADY_BOOTSTRAPPED, "has already been bootstrapped", NULL, NULL,
		DETAIL_SNIPPET, NULL, NULL, false},
	{DIAG_MEMBER_NOT_IN_INITIAL_CLUSTER, "couldn't find local name", NULL, NULL, DETAIL_SNIPPET,
		NULL, NULL, false},
	{DIAG_MEMBER_NOT_IN_INITIAL_CLUSTER, "member count is unequal", NULL, NULL, DETAIL_SNIPPET,
		NULL, NULL, false},
	{DIAG_MEMBER_NOT_IN_INITIAL_CLUSTER, "no match found for existing member", NULL, NULL,
		DETAIL_SNIPPET, NULL, NULL, false},
	{DIAG_MEMBER_NOT_IN_INITIAL_CLUSTER, "but missing from --initial-advertise-peer-urls", NULL,
		NULL, DETAIL_SNIPPET, NULL, NULL, false},
	{DIAG_MEMBER_REMOVED, "permanently removed from the cluster", NULL, NULL, DETAIL_NONE, NULL,
		NULL, false},
	{DIAG_MEMBER_REMOVED, "data-dir used by this member must be removed", NULL, NULL,
		DETAIL_NONE, NULL, NULL, false},
	{DIAG_MEMBER_REMOVED, "since it was removed", NULL, NULL, DETAIL_NONE, NULL, NULL, true},
	{DIAG_MEMBER_REMOVED, "because it was removed", NULL, NULL, DETAIL_NONE, NULL, NULL, true},
	{DIAG_MEMBER_REMOVED, "from removed member", NULL, NULL, DETAIL_NONE, NULL, NULL, true},
	/* startup (section 7) */
	{DIAG_PORT_IN_USE, "address already in use", NULL, NULL, DETAIL_SNIPPET, NULL, NULL, false},
	{DIAG_BIND_ADDRESS_UNAVAILABLE, "cannot assign requested address", NULL, NULL,
		DETAIL_SNIPPET, NULL, NULL, false},
	{DIAG_DATA_DIR_MODE, "check file permission", NULL, NULL, DETAIL_AFTER, "directory ", " ,",
		false},
	{DIAG_DATA_DIR_PERMISSION, "cannot access data directory", NULL, NULL, DETAIL_SNIPPET, NULL,
		NULL, false},
	{DIAG_DATA_DIR_PERMISSION, "error listing data dir", NULL, NULL, DETAIL_SNIPPET, NULL, NULL,
		false},
	{DIAG_DATA_DIR_PERMISSION, "failed to list data directory", NULL, NULL, DETAIL_SNIPPET,
		NULL, NULL, false},
	{DIAG_DATA_DIR_PERMISSION, "cannot write to member directory", NULL, NULL, DETAIL_SNIPPET,
		NULL, NULL, false},
	/* raft's panics when the log on disk is behind what it committed (raft/log.go commitTo,
	 * raft.go loadState; same text 3.2-3.6) */
	{DIAG_RAFT_LOG_CORRUPT, "Was the raft log corrupted", NULL, NULL, DETAIL_FROM, "tocommit(",
		".\"", false},
	{DIAG_RAFT_LOG_CORRUPT, "state.commit ", "is out of range", NULL, DETAIL_FROM,
		"state.commit ", "\"", false},
	/* a second etcd on the same data dir: bbolt's flock waits (etcdserver backend.go, 10 s) */
	{DIAG_DATA_DIR_LOCKED, "holds the file lock", NULL, NULL, DETAIL_AFTER, "is using \"",
		"\"", false},
	{DIAG_DATA_DIR_LOCKED, "db file is flocked by another process", NULL, NULL, DETAIL_KEY,
		"path", NULL, false},
	{DIAG_DATA_DIR_LOCKED, "fileutil: file already locked", NULL, NULL, DETAIL_SNIPPET, NULL,
		NULL, false},
	/* the data dir's filesystem is full (ENOSPC, Go's "no space left on device"): 3.4's
	 * "cannot commit tx (write F: ...)", 3.5's "failed to commit tx" with that error, a WAL
	 * that cannot be cut or opened; etcd exits. Before the WAL rows ("failed to open WAL"),
	 * and nothing to do with the quota's NOSPACE alarm */
	{DIAG_DISK_FULL, "no space left on device", "write ", NULL, DETAIL_FROM, "write ", ")\"",
		false},
	{DIAG_DISK_FULL, "no space left on device", NULL, NULL, DETAIL_SNIPPET, NULL, NULL, false},
	/* snapshots (snap/snapshotter.go, snap/db.go, etcdserver backend.go); before the WAL rows:
	 * "snap: crc mismatch" is the snapshot's */
	{DIAG_SNAPSHOT_CORRUPT, "failed to find [SNAPSHOT-INDEX].snap.db", NULL, NULL, DETAIL_KEY,
		"snapshot-file-path", NULL, false},
	{DIAG_SNAPSHOT_CORRUPT, "failed to find database snapshot file", NULL, NULL, DETAIL_SNIPPET,
		NULL, NULL, false},
	{DIAG_SNAPSHOT_CORRUPT, "snapshot file doesn't exist", NULL, NULL, DETAIL_SNIPPET, NULL,
		NULL, false},
	{DIAG_SNAPSHOT_CORRUPT, "snap: crc mismatch", NULL, NULL, DETAIL_SNIPPET, NULL, NULL, false},
	{DIAG_SNAPSHOT_CORRUPT, "snap file is corrupt", NULL, NULL, DETAIL_KEY, "path", NULL, false},
	{DIAG_SNAPSHOT_CORRUPT, "corrupted snapshot file", NULL, NULL, DETAIL_SNIPPET, NULL, NULL,
		false},
	{DIAG_SNAPSHOT_CORRUPT, "failed to unmarshal snappb.Snapshot", NULL, NULL, DETAIL_KEY,
		"path", NULL, false},
	{DIAG_SNAPSHOT_CORRUPT, "failed to unmarshal raftpb.Snapshot", NULL, NULL, DETAIL_KEY,
		"path", NULL, false},
	{DIAG_SNAPSHOT_CORRUPT, "recovering backend from snapshot error", NULL, NULL,
		DETAIL_SNIPPET, NULL, NULL, false},
	{DIAG_SNAPSHOT_CORRUPT, "failed to recover v3 backend from snapshot", NULL, NULL,
		DETAIL_SNIPPET, NULL, NULL, false},
	/* the write-ahead log (wal/wal.go, walpb/record.go, etcdserver storage.go) */
	{DIAG_WAL_CORRUPT, "crc mismatch", NULL, NULL, DETAIL_SNIPPET, NULL, NULL, false},
	{DIAG_WAL_CORRUPT, "wal: slice bounds out of range", NULL, NULL, DETAIL_SNIPPET, NULL, NULL,
		false},
	{DIAG_WAL_CORRUPT, "wal: max entry size limit exceeded", NULL, NULL, DETAIL_SNIPPET, NULL,
		NULL, false},
	{DIAG_WAL_CORRUPT, "wal: snapshot mismatch", NULL, NULL, DETAIL_SNIPPET, NULL, NULL, false},
	{DIAG_WAL_CORRUPT, "read wal error", NULL, NULL, DETAIL_SNIPPET, NULL, NULL, false},
	{DIAG_WAL_CORRUPT, "cannot be repaired", NULL, NULL, DETAIL_SNIPPET, NULL, NULL, false},
	{DIAG_WAL_CORRUPT, "failed to repair WAL", NULL, NULL, DETAIL_SNIPPET, NULL, NULL, false},
	{DIAG_WAL_CORRUPT, "failed to open WAL", NULL, "permission denied", DETAIL_SNIPPET, NULL,
		NULL, false},
	{DIAG_WAL_CORRUPT, "open wal error", NULL, "permission denied", DETAIL_SNIPPET, NULL, NULL,
		false},
	{DIAG_FILE_MISSING, "no such file or directory", "open ", NULL, DETAIL_AFTER, "open ",
		": \"", false},
	{DIAG_FILE_PERMISSION, "permission denied", "open ", NULL, DETAIL_AFTER, "open ", ": \"",
		false},
	/* space and corruption (section 5) */
	{DIAG_NOSPACE_ALARM, "NOSPACE", NULL, NULL, DETAIL_NEEDLE, NULL, NULL, false},
	{DIAG_NOSPACE_ALARM, "exceeded backend quota", NULL, NULL, DETAIL_NONE, NULL, NULL, false},
	{DIAG_NOSPACE_ALARM, "database space exceeded", NULL, NULL, DETAIL_NONE, NULL, NULL, false},
	{DIAG_NOSPACE_ALARM, "etcdserver: no space", NULL, NULL, DETAIL_NONE, NULL, NULL, false},
	{DIAG_CORRUPT_ALARM, "CORRUPT", NULL, NULL, DETAIL_NEEDLE, NULL, NULL, false},
	{DIAG_CORRUPT_ALARM, "data inconsistency", NULL, NULL, DETAIL_SNIPPET, NULL, NULL, false},
	{DIAG_CORRUPT_ALARM, "hash mismatch", NULL, NULL, DETAIL_SNIPPET, NULL, NULL, false},
	{DIAG_CORRUPT_ALARM, "mismatched hashes", NULL, NULL, DETAIL_SNIPPET, NULL, NULL, false},
	{DIAG_CORRUPT_ALARM, "different hash values", NULL, NULL, DETAIL_SNIPPET, NULL, NULL,
		false},
	{DIAG_CORRUPT_ALARM, "hashes must match", NULL, NULL, DETAIL_SNIPPET, NULL, NULL, false},
	{DIAG_CORRUPT_ALARM, "'s hash ", "!=", NULL, DETAIL_SNIPPET, NULL, NULL, false},
	/* clock (section 6) */
	{DIAG_CLOCK_DRIFT, "clock difference against peer", NULL, NULL, DETAIL_NONE, NULL, NULL,
		false},
	{DIAG_CLOCK_DRIFT, "high clock drift", NULL, NULL, DETAIL_NONE, NULL, NULL, false},
	/* raft (section 3) */
	{DIAG_QUORUM_LOST, "quorum is not active", NULL, NULL, DETAIL_NONE, NULL, NULL, false},
	{DIAG_NO_LEADER, "lost leader", NULL, NULL, DETAIL_NONE, NULL, NULL, false},
	{DIAG_NO_LEADER, "etcdserver: no leader", NULL, NULL, DETAIL_NONE, NULL, NULL, false},
	{DIAG_NO_LEADER, "failed to publish local member", NULL, NULL, DETAIL_NONE, NULL, NULL,
		false},
	{DIAG_NO_LEADER, "publish error", NULL, NULL, DETAIL_SNIPPET, NULL, NULL, false},
	{DIAG_LEADER_CHURN, "is starting a new election", NULL, NULL, DETAIL_NONE, NULL, NULL,
		false},
	{DIAG_LEADER_CHURN, "changed leader from", NULL, NULL, DETAIL_NONE, NULL, NULL, false},
	/* slow disk and requests (section 4) */
	{DIAG_SLOW_DISK, "sync duration of", NULL, NULL, DETAIL_NONE, NULL, NULL, false},
	{DIAG_SLOW_DISK, "slow fdatasync", NULL, NULL, DETAIL_NONE, NULL, NULL, false},
	{DIAG_OVERLOADED, "send out heartbeat on time", NULL, NULL, DETAIL_NONE, NULL, NULL, false},
	{DIAG_OVERLOADED, "tick missed to fire", NULL, NULL, DETAIL_NONE, NULL, NULL, false},
	{DIAG_OVERLOADED, "took too long", NULL, NULL, DETAIL_NONE, NULL, NULL, false},
	{DIAG_OVERLOADED, "timed out waiting for read index", NULL, NULL, DETAIL_NONE, NULL, NULL,
		false},
	/* gRPC size limits and etcd's --max-request-bytes (request results in section 4 lines
	 * stay "overloaded": rows above win) */
	{DIAG_MESSAGE_TOO_LARGE, "grpc: received message larger than max", NULL, NULL, DETAIL_SNIPPET,
		NULL, NULL, false},
	{DIAG_MESSAGE_TOO_LARGE, "trying to send message larger than max", NULL, NULL,
		DETAIL_SNIPPET, NULL, NULL, false},
	{DIAG_MESSAGE_TOO_LARGE, "request is too large", NULL, NULL, DETAIL_SNIPPET, NULL, NULL,
		false},
	{DIAG_REVISION_COMPACTED, "required revision has been compacted", NULL, NULL, DETAIL_NONE,
		NULL, NULL, false},
	/* auth/store.go, auth/jwt.go (3.2-3.6); the token itself is kept out of the sample */
	{DIAG_AUTH_TOKEN_INVALID, "invalid auth token", NULL, NULL, DETAIL_NONE, NULL, NULL, false},
	{DIAG_AUTH_TOKEN_INVALID, "invalid jwt token", NULL, NULL, DETAIL_NONE, NULL, NULL, false},
	{DIAG_AUTH_TOKEN_INVALID, "failed to parse jwt token", NULL, NULL, DETAIL_NONE, NULL, NULL,
		false},
	/* Go's resolver inside a dial error: the peer URL names a host that does not resolve */
	{DIAG_PEER_NAME_UNRESOLVED, "no such host", NULL, NULL, DETAIL_FROM, "lookup ", "\")",
		true},
	{DIAG_PEER_NAME_UNRESOLVED, "server misbehaving", "lookup ", NULL, DETAIL_FROM, "lookup ",
		"\")", true},
	/* pkg/netutil resolving the member's own or a peer's URL at start (3.2-3.4) */
	{DIAG_PEER_NAME_UNRESOLVED, "could not resolve host", NULL, NULL, DETAIL_AFTER,
		"resolve host ", " \"", false},
	{DIAG_PEER_NAME_UNRESOLVED, "Temporary failure in name resolution", NULL, NULL, DETAIL_FROM,
		"lookup ", "\")", true},
	/* a member shutting down cancels its own streams: not a peer problem */
	{DIAG_CODE_NONE, "context canceled", NULL, NULL, DETAIL_NONE, NULL, NULL, false},
	/* peer links (section 1): the symptom when no more specific cause is in the line */
	{DIAG_PEER_UNREACHABLE, "failed to dial", NULL, NULL, DETAIL_REASON, NULL, NULL, false},
	{DIAG_PEER_UNREACHABLE, "became inactive", NULL, NULL, DETAIL_REASON, NULL, NULL, false},
	{DIAG_PEER_UNREACHABLE, "could not connect", NULL, NULL, DETAIL_REASON, NULL, NULL, false},
	{DIAG_PEER_UNREACHABLE, "prober detected unhealthy", NULL, NULL, DETAIL_REASON, NULL, NULL,
		false},
	{DIAG_PEER_UNREACHABLE, "lost the TCP streaming connection", NULL, NULL, DETAIL_REASON,
		NULL, NULL, false},
	{DIAG_PEER_UNREACHABLE, "lost TCP streaming connection", NULL, NULL, DETAIL_REASON, NULL,
		NULL, false},
	{DIAG_PEER_UNREACHABLE, "failed to reach the peer", NULL, NULL, DETAIL_REASON, NULL, NULL,
		false},
	{DIAG_PEER_UNREACHABLE, "cannot fetch cluster info from peer urls", NULL, NULL,
		DETAIL_SNIPPET, NULL, NULL, false},
	/* identity facts (healthy lines) */
	{DIAG_FACT_LOCAL_MEMBER, "starting member ", " in cluster ", NULL, DETAIL_NONE, NULL, NULL,
		false},
	{DIAG_FACT_LOCAL_MEMBER, "restarting member ", " in cluster ", NULL, DETAIL_NONE, NULL,
		NULL, false},
	{DIAG_FACT_LOCAL_MEMBER, "starting local member", NULL, NULL, DETAIL_NONE, NULL, NULL,
		false},
	{DIAG_FACT_LOCAL_MEMBER, "restarting local member", NULL, NULL, DETAIL_NONE, NULL, NULL,
		false},
	{DIAG_FACT_MEMBER_ADDED, "added member", NULL, NULL, DETAIL_NONE, NULL, NULL, false},
	{DIAG_FACT_PUBLISHED, "published ", "{Name:", NULL, DETAIL_NONE, NULL, NULL, false},
	{DIAG_FACT_PEER_ACTIVE, "became active", NULL, NULL, DETAIL_NONE, NULL, NULL, false},
	{DIAG_FACT_PEER_ACTIVE, "established a TCP streaming connection", NULL, NULL, DETAIL_NONE,
		NULL, NULL, false},
	{DIAG_FACT_PEER_ACTIVE, "established TCP streaming connection", NULL, NULL, DETAIL_NONE,
		NULL, NULL, false},
	{DIAG_FACT_LEADER_ELECTED, "elected leader", NULL, NULL, DETAIL_NONE, NULL, NULL, false},
	/* raft's campaign (raft/raft.go, same text 3.2-3.6): whom a candidate asked for votes and
	 * who answered, granted or not; a majority silent is a majority down or cut off */
	{DIAG_FACT_VOTE_SENT, "sent MsgVote request to", NULL, NULL, DETAIL_NONE, NULL, NULL, false},
	{DIAG_FACT_VOTE_SENT, "sent MsgPreVote request to", NULL, NULL, DETAIL_NONE, NULL, NULL,
		false},
	{DIAG_FACT_VOTE_ANSWER, "received MsgVoteResp", NULL, NULL, DETAIL_NONE, NULL, NULL, false},
	{DIAG_FACT_VOTE_ANSWER, "received MsgPreVoteResp", NULL, NULL, DETAIL_NONE, NULL, NULL,
		false},
	{DIAG_FACT_LEADER_ELECTED, "became leader at term", NULL, NULL, DETAIL_NONE, NULL, NULL,
		false},
};

#define SIG_COUNT (sizeof(sig_table) / sizeof(sig_table[0]))
#define SIG_WORDS ((SIG_COUNT + 63) / 64)
#define HASH_BITS 14
#define HASH_SIZE (1u << HASH_BITS)

size_t classify_signature_count(void)
{
	return SIG_COUNT;
}

const char *classify_signature_needle(size_t i, enum diag_code *ret_code)
{
	if (i >= SIG_COUNT)
		return NULL;
	if (ret_code)
		*ret_code = sig_table[i].code;
	return sig_table[i].needle;
}

/* One-pass multi-needle index, sampled: every needle is at least MIN bytes long, so any
 * occurrence of one covers a position j that is a multiple of step = MIN - 3 with the 4 bytes
 * at j inside the needle's first MIN bytes, at an offset k < step. The 4-grams of each
 * needle at offsets 0..step-1 are hashed into HASH_SIZE buckets; a line is looked up only every
 * step bytes and a bucket's entries say which needle to compare at j - k. Four times fewer
 * lookups than one per byte, and far cheaper than one memmem per needle. */
struct sig_entry {
	uint16_t row;
	uint8_t off;
};

struct sig_index {
	bool ready;
	size_t step;
	uint64_t bloom[HASH_SIZE / 64];
	uint16_t first[HASH_SIZE + 1]; /* bucket h's entries: ent[first[h] .. first[h + 1]) */
	struct sig_entry ent[SIG_COUNT * 4];
	size_t needle_len[SIG_COUNT];
};

static struct sig_index sig_index;

static inline uint32_t load32(const char *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t hash32(uint32_t v)
{
	return (v * 2654435761u) >> (32 - HASH_BITS);
}

static void sig_index_build(void)
{
	size_t min = SIZE_MAX;
	for (size_t i = 0; i < SIG_COUNT; i++) {
		sig_index.needle_len[i] = strlen(sig_table[i].needle);
		if (sig_index.needle_len[i] < min)
			min = sig_index.needle_len[i];
	}
	/* needles of 4..6 bytes would only make the step smaller; none is shorter than 4
	 * (test_classify checks) */
	size_t step = min >= 7 ? 4 : min >= 4 ? min - 3 : 1;
	sig_index.step = step;
	static uint16_t count[HASH_SIZE];
	memset(count, 0, sizeof(count));
	for (size_t i = 0; i < SIG_COUNT; i++)
		for (size_t k = 0; k < step; k++)
			count[hash32(load32(sig_table[i].needle + k))]++;
	uint16_t o = 0;
	for (size_t h = 0; h < HASH_SIZE; h++) {
		sig_index.first[h] = o;
		o = (uint16_t)(o + count[h]);
		count[h] = sig_index.first[h]; /* now the fill cursor */
	}
	sig_index.first[HASH_SIZE] = o;
	for (size_t i = 0; i < SIG_COUNT; i++)
		for (size_t k = 0; k < step; k++) {
			uint32_t h = hash32(load32(sig_table[i].needle + k));
			sig_index.ent[count[h]++] = (struct sig_entry){(uint16_t)i, (uint8_t)k};
			sig_index.bloom[h / 64] |= 1ull << (h % 64);
		}
	sig_index.ready = true;
}

static bool contains(const char *s, size_t len, const char *needle)
{
	return memmem(s, len, needle, strlen(needle)) != NULL;
}

/* Returns the index of the first row (table order) that matches, or -1. */
static int sig_match(const char *s, size_t len)
{
	uint64_t hit[SIG_WORDS] = {0};
	bool any = false;

	if (!sig_index.ready)
		sig_index_build();
	const size_t step = sig_index.step;
	for (size_t j = 0; j + 4 <= len; j += step) {
		uint32_t h = hash32(load32(s + j));
		if (!(sig_index.bloom[h / 64] & (1ull << (h % 64))))
			continue;
		for (size_t e = sig_index.first[h]; e < sig_index.first[h + 1]; e++) {
			size_t r = sig_index.ent[e].row, k = sig_index.ent[e].off;
			if (k > j || (hit[r / 64] & (1ull << (r % 64))))
				continue;
			size_t i = j - k, n = sig_index.needle_len[r];
			if (n <= len - i && memcmp(s + i, sig_table[r].needle, n) == 0) {
				hit[r / 64] |= 1ull << (r % 64);
				any = true;
			}
		}
	}
	if (!any)
		return -1;
	for (size_t r = 0; r < SIG_COUNT; r++) {
		if (!(hit[r / 64] & (1ull << (r % 64))))
			continue;
		if (sig_table[r].also && !contains(s, len, sig_table[r].also))
			continue;
		if (sig_table[r].unless && contains(s, len, sig_table[r].unless))
			continue;
		return (int)r;
	}
	return -1;
}

/* The token after the first occurrence of `marker`, up to a byte of `stop` (or the end).
 * Returns its length, 0 when the marker is absent. */
static size_t after(const char *s, size_t len, const char *marker, const char *stop,
		    const char **ret)
{
	size_t ml = strlen(marker);
	const char *p = memmem(s, len, marker, ml);
	if (!p)
		return 0;
	p += ml;
	const char *end = s + len;
	const char *q = p;
	while (q < end && !strchr(stop, *q))
		q++;
	*ret = p;
	return (size_t)(q - p);
}

static bool after_copy(const char *s, size_t len, const char *marker, const char *stop,
		       char *out, size_t cap)
{
	const char *p;
	size_t n = after(s, len, marker, stop, &p);
	if (n == 0)
		return false;
	text_copy(out, cap, p, n);
	return true;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool is_word(char c)
{
	return is_hex(c) || (c >= 'g' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* An etcd member or cluster ID (%x: 1..16 lowercase hex digits) at p, ending at a non-word
 * byte; copied into out. */
static bool hex_id_at(const char *p, const char *end, char out[DIAG_ID_LEN])
{
	size_t n = 0;
	while (p + n < end && is_hex(p[n]) && n <= 16)
		n++;
	if (n == 0 || n > 16 || (p + n < end && is_word(p[n])))
		return false;
	text_copy(out, DIAG_ID_LEN, p, n);
	return true;
}

/* Tries every occurrence of each marker in turn; first valid ID wins. */
static bool id_after_any(const char *s, size_t len, const char *const *markers,
			 char out[DIAG_ID_LEN])
{
	const char *end = s + len;
	for (size_t m = 0; markers[m]; m++) {
		size_t ml = strlen(markers[m]);
		const char *p = s;
		while (p < end) {
			const char *q = memmem(p, (size_t)(end - p), markers[m], ml);
			if (!q)
				break;
			if (hex_id_at(q + ml, end, out))
				return true;
			p = q + 1;
		}
	}
	return false;
}

/* Markers in front of the remote peer's ID: zap fields, and the sentences of the text formats. */
static const char *const peer_id_markers_zap[] = {
	"\"peer-id\":\"", "\"remote-peer-id\":\"", "\"remote-member-id\":\"",
	"\"remote-peer-id-from\":\"", "\"removed-member-id\":\"", "\"remote-peer-server-name\":\"",
	"\"to\":\"", "\"from\":\"", "\"added-peer-id\":\"", "failed to dial ", "elected leader ",
	NULL,
};
static const char *const peer_id_markers_text[] = {
	"peer ", "added member ", "failed to dial ", "peer[", "remote[", "removed member ",
	"of member ", ", to ", "request to ", "Resp from ", "rejection from ", "elected leader ",
	NULL,
};
static const char *const local_id_markers_zap[] = {
	"\"local-member-id\":\"", "raft.node: ", NULL,
};
static const char *const local_id_markers_text[] = {
	"starting member ", "restarting member ", "raft.node: ", NULL,
};
static const char *const cluster_id_markers[] = {
	"\"local-member-cluster-id\":\"", "\"cluster-id\":\"", " want ", "local=", " in cluster ",
	"to cluster ", NULL,
};
static const char *const remote_cluster_markers[] = {
	"\"remote-peer-cluster-id\":\"", "(got ", "]=", NULL,
};

/* Short network reasons, most specific first (DETAIL_REASON). */
static const char *const reason_table[] = {
	"connection refused", "i/o timeout", "no route to host", "connection reset by peer",
	"context deadline exceeded", "certificate", "network is unreachable", "EOF", NULL,
};

/* zap and Go std-log level words to syslog priorities. */
static const struct {
	const char *name;
	int prio;
} level_table[] = {
	{"debug", 7}, {"info", 6},    {"warn", 4},    {"error", 3}, {"dpanic", 2}, {"panic", 2},
	{"fatal", 2}, {"INFO", 6},    {"WARNING", 4}, {"WARN", 4},  {"ERROR", 3},  {"PANIC", 2},
};

static void level_from_word(const char *p, size_t n, struct classify_result *r)
{
	for (size_t i = 0; p && n && i < sizeof(level_table) / sizeof(level_table[0]); i++)
		if (strlen(level_table[i].name) == n && memcmp(level_table[i].name, p, n) == 0)
			r->priority = level_table[i].prio;
}

/* Where the human text of the entry starts, and its level, by format. */
/* *scan_off: where the signatures can start. No needle is in a zap line's level, ts, logger
 * or caller (zap writes them before "msg") nor in capnslog's stamp and level: skipping them
 * spares the matcher a third of every line. */
static void parse_prefix(const char *s, size_t len, int priority, struct classify_result *r,
			 size_t *text_off, size_t *scan_off)
{
	static const char capn_levels[] = "..CEWNID";
	const char *p;
	size_t n;

	r->priority = priority;
	*text_off = 0;
	*scan_off = 0;
	if (len > 0 && s[0] == '{') {
		r->format = DIAG_FMT_ZAP;
		/* zap writes the level first: no search for it in nearly every line */
		if (len > 10 && memcmp(s, "{\"level\":\"", 10) == 0) {
			p = s + 10;
			const char *q = memchr(p, '"', len - 10);
			n = q ? (size_t)(q - p) : 0;
		} else {
			n = after(s, len, "\"level\":\"", "\"", &p);
		}
		level_from_word(p, n, r);
		p = memmem(s, len, "\"msg\":\"", 7);
		if (p) {
			*text_off = (size_t)(p + 7 - s);
			*scan_off = (size_t)(p - s);
		}
		return;
	}
	/* "2026-11-24 19:13:39.106784 W | pkg: text" */
	if (len > 30 && s[4] == '-' && s[10] == ' ' && s[13] == ':' && s[19] == '.') {
		const char *bar = memchr(s + 19, '|', len - 19 < 16 ? len - 19 : 16);
		if (bar && bar[-1] == ' ' && bar[-3] == ' ') {
			const char *lv = bar[-2] ? strchr(capn_levels + 2, bar[-2]) : NULL;
			r->format = DIAG_FMT_CAPNSLOG;
			if (lv)
				r->priority = (int)(lv - capn_levels);
			const char *colon = memmem(bar, len - (size_t)(bar - s), ": ", 2);
			*text_off = (size_t)((colon ? colon : bar) - s) + 2;
			if (*text_off > len)
				*text_off = len;
			*scan_off = (size_t)(bar - s) + 1; /* the package stays: "etcdserver: no leader" */
			return;
		}
	}
	/* Go std log on stderr: "raft2026/11/25 05:30:53 INFO: text" (3.4 raft),
	 * "WARNING: 2026/11/25 05:32:50 [core] grpc: ..." (grpc) */
	if (len > 24 && strncmp(s, "raft", 4) == 0 && s[4] >= '0' && s[4] <= '9' && s[8] == '/') {
		const char *colon = memmem(s + 24, len - 24 > 10 ? 10 : len - 24, ": ", 2);
		r->format = DIAG_FMT_STDLOG;
		if (colon) {
			level_from_word(s + 24, (size_t)(colon - (s + 24)), r);
			*text_off = (size_t)(colon - s) + 2;
		}
		return;
	}
	p = memchr(s, ':', len > 10 ? 10 : len);
	if (p && p + 6 < s + len && p[1] == ' ' && p[6] == '/') {
		r->format = DIAG_FMT_STDLOG;
		level_from_word(s, (size_t)(p - s), r);
		*text_off = (size_t)(p - s) + 2;
		return;
	}
	r->format = DIAG_FMT_BARE;
}

/* A zap line read by jansson: values without their JSON escapes. `text` holds the message and
 * every string value (arrays of strings as "[a, b]"), each ended by a '"', so that the sentence
 * markers of the text formats, whose stops include '"', find their tokens in it unescaped. */
struct zap_line {
	json_t *root;
	char text[4096];
	size_t len;
};

static void zap_text_add(struct zap_line *z, const char *v, size_t n)
{
	if (z->len + n + 1 >= sizeof(z->text))
		n = sizeof(z->text) - z->len - 2;
	memcpy(z->text + z->len, v, n);
	z->len += n;
	z->text[z->len++] = '"';
	z->text[z->len] = '\0';
}

/* Returns false when the line is not one JSON object (cut by the journal's size limit, say):
 * the raw scan then reads it as before. */
static bool zap_decode(const char *s, size_t len, struct zap_line *z)
{
	z->len = 0;
	z->text[0] = '\0';
	z->root = json_loadb(s, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(z->root)) {
		json_decref(z->root);
		z->root = NULL;
		return false;
	}
	json_t *m = json_object_get(z->root, "msg");
	if (json_is_string(m))
		zap_text_add(z, json_string_value(m), json_string_length(m));
	const char *k;
	json_t *v;
	json_object_foreach(z->root, k, v) {
		if (z->len + 2 >= sizeof(z->text))
			break;
		if (strcmp(k, "msg") == 0 || strcmp(k, "level") == 0 || strcmp(k, "ts") == 0 ||
		    strcmp(k, "caller") == 0)
			continue;
		if (json_is_string(v)) {
			zap_text_add(z, json_string_value(v), json_string_length(v));
		} else if (json_is_array(v)) {
			char buf[512];
			size_t o = 0, i;
			json_t *e;
			json_array_foreach(v, i, e) {
				if (!json_is_string(e))
					continue;
				o += text_printf(buf + o, sizeof(buf) - o, "%s%s", o ? ", " : "[",
						 json_string_value(e));
			}
			o += text_printf(buf + o, sizeof(buf) - o, "%s", o ? "]" : "[]");
			zap_text_add(z, buf, o);
		}
	}
	return true;
}

/* A string field of the zap line; NULL when absent or not a string. */
static const char *zap_str(const struct zap_line *z, const char *key)
{
	return z ? json_string_value(json_object_get(z->root, key)) : NULL;
}

static bool zap_copy(const struct zap_line *z, const char *key, char *out, size_t cap)
{
	const char *v = zap_str(z, key);
	if (!v || !v[0])
		return false;
	text_scopy(out, cap, v);
	return true;
}

static bool zap_id(const struct zap_line *z, const char *const *keys, char out[DIAG_ID_LEN])
{
	for (size_t i = 0; z && keys[i]; i++) {
		const char *v = zap_str(z, keys[i]);
		if (v && hex_id_at(v, v + strlen(v), out))
			return true;
	}
	return false;
}

static const char *const peer_id_keys[] = {
	"peer-id", "remote-peer-id", "remote-member-id", "remote-peer-id-from",
	"removed-member-id", "remote-peer-server-name", "to", "from", "added-peer-id", NULL,
};
static const char *const local_id_keys[] = {"local-member-id", NULL};
static const char *const cluster_id_keys[] = {"local-member-cluster-id", "cluster-id", NULL};
static const char *const remote_cluster_keys[] = {"remote-peer-cluster-id", NULL};
/* in the decoded text of a zap line (error values, raft sentences) */
static const char *const peer_id_markers_zaptext[] = {"failed to dial ", "request to ",
							"Resp from ", "rejection from ",
							"elected leader ", NULL};
static const char *const local_id_markers_zaptext[] = {"raft.node: ", NULL};

/* Copies a list such as `["m3" "m3.lan"]` (Go %q of a []string, maybe with its quotes
 * escaped) or `[m3, m3.lan]` as "m3, m3.lan". */
static size_t clean_list(const char *p, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	bool sep = false;
	for (size_t i = 0; i < n && o + 3 < cap; i++) {
		char c = p[i];
		if (c == '[' || c == ']' || c == '\\' || c == '"' || c == ',')
			continue;
		if (c == ' ') {
			sep = o > 0;
			continue;
		}
		if (sep) {
			out[o++] = ',';
			out[o++] = ' ';
			sep = false;
		}
		out[o++] = c;
	}
	if (cap)
		out[o < cap ? o : cap - 1] = '\0';
	return o;
}

/* etcd's check of a connecting peer: `tls: "H" does not match any of DNSNames [...]`, with the
 * certificate's IPAddresses and DNSNames beside it (text) or in ip-addresses/dns-names (zap). */
static void extract_dnsnames(const char *s, size_t len, const struct zap_line *z,
			     struct classify_fields *f)
{
	const char *p = memmem(s, len, "tls: ", 5), *end = s + len;
	if (p) {
		p += 5;
		while (p < end && (*p == '\\' || *p == '"'))
			p++;
		const char *q = p;
		while (q < end && *q != '\\' && *q != '"' && *q != ' ')
			q++;
		text_copy(f->wanted, sizeof(f->wanted), p, (size_t)(q - p));
	}
	char ips[96] = "", dns[96] = "";
	const char *ip = zap_str(z, "ip-addresses"), *dn = zap_str(z, "dns-names");
	json_t *a;
	if (z && json_is_array(a = json_object_get(z->root, "ip-addresses"))) {
		size_t i, o = 0;
		json_t *e;
		json_array_foreach(a, i, e)
			o += text_printf(ips + o, sizeof(ips) - o, "%s%s", o ? ", " : "",
					 json_string_value(e) ? json_string_value(e) : "");
	} else if (ip) {
		text_scopy(ips, sizeof(ips), ip);
	} else if ((p = memmem(s, len, "IPAddresses [", 13)) != NULL) {
		const char *q = memchr(p, ']', (size_t)(end - p));
		clean_list(p + 12, (size_t)((q ? q : end) - p - 12), ips, sizeof(ips));
	}
	if (z && json_is_array(a = json_object_get(z->root, "dns-names"))) {
		size_t i, o = 0;
		json_t *e;
		json_array_foreach(a, i, e)
			o += text_printf(dns + o, sizeof(dns) - o, "%s%s", o ? ", " : "",
					 json_string_value(e) ? json_string_value(e) : "");
	} else if (dn) {
		text_scopy(dns, sizeof(dns), dn);
	} else if ((p = memmem(s, len, "DNSNames [", 10)) != NULL) {
		const char *q = memchr(p, ']', (size_t)(end - p));
		clean_list(p + 9, (size_t)((q ? q : end) - p - 9), dns, sizeof(dns));
	}
	text_printf(f->sans, sizeof(f->sans), "%s%s%s%s", ips[0] ? "IP " : "", ips,
		    ips[0] && dns[0] ? ", DNS " : dns[0] ? "DNS " : "", dns);
	/* one wording for both shapes, without Go's %q escapes */
	text_printf(f->detail, sizeof(f->detail), "tls: \"%s\" does not match any of DNSNames [%s]",
		    f->wanted, dns);
}

/* The zap value that holds the needle: the whole error value, else from the needle on. */
static bool zap_snippet(const struct zap_line *z, const char *needle, char *out, size_t cap)
{
	const char *e = zap_str(z, "error");
	if (e && strstr(e, needle)) {
		text_scopy(out, cap, e);
		return true;
	}
	const char *k;
	json_t *v;
	json_object_foreach(z->root, k, v) {
		const char *sv = json_string_value(v);
		const char *at = sv ? strstr(sv, needle) : NULL;
		if (at) {
			text_scopy(out, cap, at);
			return true;
		}
	}
	return false;
}

/* s/len: the raw line, or for a decoded zap line (z) its decoded text (text_off 0). */
static void extract_fields(const char *s, size_t len, size_t text_off, const struct zap_line *z,
			   const struct signature *sig, struct classify_result *r)
{
	struct classify_fields *f = &r->f;
	const char *p;
	size_t n;

	unsigned want = code_fields[sig->code];
	bool zap = r->format == DIAG_FMT_ZAP;

	/* zap carries IDs in fields, the text formats in the sentence: search only the kind of
	 * marker the line can have */
	if (want & F_PEER) {
		if (z) {
			if (!zap_id(z, peer_id_keys, f->peer_id))
				id_after_any(s, len, peer_id_markers_zaptext, f->peer_id);
		} else {
			id_after_any(s, len, zap ? peer_id_markers_zap : peer_id_markers_text,
				     f->peer_id);
		}
	}
	if (want & F_LOCAL) {
		bool got = z ? zap_id(z, local_id_keys, f->local_id) ||
				       id_after_any(s, len, local_id_markers_zaptext, f->local_id)
			     : id_after_any(s, len, zap ? local_id_markers_zap : local_id_markers_text,
					    f->local_id);
		/* raft lines start with the logging member's own ID: "%x became leader"; 8+
		 * digits so that words such as "added" are not taken for one */
		if (!got && hex_id_at(s + text_off, s + len, f->local_id) && strlen(f->local_id) < 8)
			f->local_id[0] = '\0';
	}
	if (f->peer_id[0] && strcmp(f->peer_id, f->local_id) == 0 && sig->code != DIAG_NO_LEADER)
		f->peer_id[0] = '\0';
	f->peer_at_fault = sig->peer_at_fault && f->peer_id[0];
	if (want & F_CLUSTER) {
		if (!zap_id(z, cluster_id_keys, f->cluster_id))
			id_after_any(s, len, cluster_id_markers, f->cluster_id);
		if (!zap_id(z, remote_cluster_keys, f->remote_cluster_id))
			id_after_any(s, len, remote_cluster_markers, f->remote_cluster_id);
	}

	if ((want & F_ADDR) && !zap_copy(z, "remote-addr", f->remote_addr, sizeof(f->remote_addr)) &&
	    !after_copy(s, len, "rejected connection from \"", "\"", f->remote_addr,
			sizeof(f->remote_addr)))
		after_copy(s, len, "\"remote-addr\":\"", "\"", f->remote_addr,
			   sizeof(f->remote_addr));

	/* x509: "certificate is valid for A, B, not C"; "cannot validate certificate for C" */
	n = (want & F_X509) ? after(s, len, "certificate is valid for ", "\"", &p) : 0;
	if (n) {
		const char *nt = memmem(p, n, ", not ", 6);
		if (nt) {
			text_copy(f->sans, sizeof(f->sans), p, (size_t)(nt - p));
			after_copy(nt, n - (size_t)(nt - p), ", not ", " \"\\),;", f->wanted,
				   sizeof(f->wanted));
		} else {
			text_copy(f->sans, sizeof(f->sans), p, n);
		}
	} else if ((want & F_X509) && contains(s, len, "does not match any of DNSNames")) {
		extract_dnsnames(s, len, z, f);
	} else if (want & F_X509) {
		after_copy(s, len, "cannot validate certificate for ", " ", f->wanted,
			   sizeof(f->wanted));
	}

	static const struct {
		const char *key; /* zap field */
		const char *marker;
		const char *stop;
	} dur[] = {
		{"took", "\"took\":\"", "\""},
		{NULL, "sync duration of ", ", "},
		{NULL, "took too long (", ")"},
		{"clock-drift", "\"clock-drift\":\"", "\""},
		{NULL, "is too high [", "]"},
		{"exceeded-duration", "\"exceeded-duration\":\"", "\""},
		{NULL, "timeout for ", ",)"},
	};
	for (size_t i = 0; (want & F_DURATION) && i < sizeof(dur) / sizeof(dur[0]); i++)
		if (z ? (dur[i].key ? zap_copy(z, dur[i].key, f->duration, sizeof(f->duration))
				    : after_copy(s, len, dur[i].marker, dur[i].stop, f->duration,
						 sizeof(f->duration)))
		      : after_copy(s, len, dur[i].marker, dur[i].stop, f->duration,
				   sizeof(f->duration)))
			break;

	if (want & F_URL) {
		json_t *urls = z ? json_object_get(z->root, "added-peer-peer-urls") : NULL;
		const char *u0 = json_string_value(json_array_get(urls, 0));
		if (u0 && u0[0])
			text_scopy(f->url, sizeof(f->url), u0);
		else if (!zap_copy(z, "address", f->url, sizeof(f->url)) &&
			 !after_copy(s, len, "\"added-peer-peer-urls\":[\"", "\"", f->url,
				     sizeof(f->url)) &&
			 !after_copy(s, len, "\"address\":\"", "\"", f->url, sizeof(f->url)) &&
			 !after_copy(s, len, "peerURL(", ")", f->url, sizeof(f->url)) &&
			 !after_copy(s, len, "listen tcp ", " ", f->url, sizeof(f->url)))
			if (sig->code == DIAG_FACT_MEMBER_ADDED)
				after_copy(s, len, " [", "]", f->url, sizeof(f->url));
	}
	n = strlen(f->url);
	if (n && f->url[n - 1] == ':')
		f->url[n - 1] = '\0';

	if ((want & F_NAME) && !after_copy(s, len, "{Name:", " }", f->name, sizeof(f->name)) &&
	    !after_copy(s, len, "couldn't find local name \\\"", "\\", f->name,
			sizeof(f->name)))
		after_copy(s, len, "couldn't find local name \"", "\"", f->name, sizeof(f->name));

	/* the host a name lookup failed for: "lookup m3 on 127.0.0.53:53: no such host" */
	if (sig->code == DIAG_PEER_NAME_UNRESOLVED &&
	    !after_copy(s, len, "lookup ", " :", f->wanted, sizeof(f->wanted)))
		after_copy(s, len, "resolve host ", " :\"", f->wanted, sizeof(f->wanted));

	switch (sig->detail) {
	case DETAIL_KEY:
		if (zap_copy(z, sig->from, f->detail, sizeof(f->detail)))
			break;
		/* fall through */
	case DETAIL_SNIPPET: {
		if (z && zap_snippet(z, sig->needle, f->detail, sizeof(f->detail)))
			break;
		/* from the zap error field when the needle is in it, else from the needle */
		const char *e = memmem(s, len, "\"error\":\"", 9);
		const char *nd = memmem(s, len, sig->needle, strlen(sig->needle));
		p = (e && nd && e + 9 <= nd) ? e + 9 : nd ? nd : s;
		n = 0;
		while (p + n < s + len && (p[n] != '"' || (n > 0 && p[n - 1] == '\\')))
			n++;
		while (n && (p[n - 1] == '\n' || p[n - 1] == ' '))
			n--;
		text_copy(f->detail, sizeof(f->detail), p, n);
		break;
	}
	case DETAIL_REASON:
		for (size_t i = 0; reason_table[i]; i++)
			if (contains(s, len, reason_table[i])) {
				text_copy(f->detail, sizeof(f->detail), reason_table[i],
					 strlen(reason_table[i]));
				break;
			}
		break;
	case DETAIL_AFTER: {
		/* a zap error value first: "failed to open WAL" has an "open " of its own */
		const char *e = zap_str(z, "error");
		if (!e || !after_copy(e, strlen(e), sig->from, sig->stop, f->detail,
				      sizeof(f->detail)))
			after_copy(s, len, sig->from, sig->stop, f->detail, sizeof(f->detail));
		break;
	}
	case DETAIL_FROM: {
		p = memmem(s, len, sig->from, strlen(sig->from));
		if (!p)
			break;
		n = 0;
		while (p + n < s + len && !strchr(sig->stop, p[n]))
			n++;
		text_copy(f->detail, sizeof(f->detail), p, n);
		break;
	}
	case DETAIL_NEEDLE:
		text_copy(f->detail, sizeof(f->detail), sig->needle, strlen(sig->needle));
		break;
	case DETAIL_NONE:
		break;
	}
	if (sig->code == DIAG_CLUSTER_ID_MISMATCH && f->cluster_id[0] && f->remote_cluster_id[0]) {
		char buf[sizeof(f->detail)];
		int k = snprintf(buf, sizeof(buf), "local %s, peer %s", f->cluster_id,
				 f->remote_cluster_id);
		if (k > 0)
			text_copy(f->detail, sizeof(f->detail), buf, strlen(buf));
	}
}

/* The sample a zap hit leaves as evidence: "ts level msg; key=value; ..." with the values
 * unescaped (the report escapes once, for its own format). Secrets stay out: the token of an
 * "invalid auth token" line. */
static void zap_sample(const struct zap_line *z, struct classify_result *r)
{
	size_t o = 0, cap = sizeof(r->sample);
	const char *ts = zap_str(z, "ts"), *lv = zap_str(z, "level"), *msg = zap_str(z, "msg");
	o += text_printf(r->sample + o, cap - o, "%s%s%s%s%s", ts ? ts : "", ts ? " " : "",
			 lv ? lv : "", lv ? " " : "", msg ? msg : "");
	const char *k;
	json_t *v;
	json_object_foreach(z->root, k, v) {
		if (o + 4 >= cap)
			break;
		if (strcmp(k, "msg") == 0 || strcmp(k, "level") == 0 || strcmp(k, "ts") == 0 ||
		    strcmp(k, "caller") == 0 || strcmp(k, "logger") == 0)
			continue;
		if (strcmp(k, "token") == 0) {
			o += text_printf(r->sample + o, cap - o, "; token=<not shown>");
		} else if (json_is_string(v)) {
			o += text_printf(r->sample + o, cap - o, "; %s=%s", k, json_string_value(v));
		} else if (json_is_array(v) || json_is_object(v)) {
			char *d = json_dumps(v, JSON_COMPACT);
			if (d)
				o += text_printf(r->sample + o, cap - o, "; %s=%s", k, d);
			free(d);
		} else if (json_is_integer(v)) {
			o += text_printf(r->sample + o, cap - o, "; %s=%lld", k,
					 (long long)json_integer_value(v));
		} else if (json_is_real(v)) {
			o += text_printf(r->sample + o, cap - o, "; %s=%g", k, json_real_value(v));
		} else if (json_is_boolean(v)) {
			o += text_printf(r->sample + o, cap - o, "; %s=%s", k,
					 json_is_true(v) ? "true" : "false");
		}
	}
	r->sample_len = o;
}

/* "open /var/lib/etcd/member: permission denied": a path in etcd's data dir layout (DIR/member,
 * DIR/member/wal, DIR/member/snap) is the data dir's permission problem, whatever DIR is. */
static void in_data_dir(struct classify_result *r)
{
	if (r->code != DIAG_FILE_PERMISSION)
		return;
	const char *d = r->f.detail;
	size_t n = strlen(d);
	if (strstr(d, "/member/") || (n >= 7 && strcmp(d + n - 7, "/member") == 0))
		r->code = DIAG_DATA_DIR_PERMISSION;
}

static void fields_empty(struct classify_fields *f)
{
	f->peer_id[0] = f->local_id[0] = f->cluster_id[0] = f->remote_cluster_id[0] = '\0';
	f->remote_addr[0] = f->wanted[0] = f->sans[0] = f->duration[0] = f->url[0] = '\0';
	f->name[0] = f->detail[0] = '\0';
	f->peer_at_fault = false;
}

void classify_entry(const char *msg, size_t len, int priority, struct classify_result *ret)
{
	size_t text_off = 0;

	/* not the whole result: most entries are misses, and the sample buffer is large */
	ret->code = DIAG_CODE_NONE;
	ret->format = DIAG_FMT_BARE;
	ret->priority = priority;
	ret->sample_len = 0;
	if (!msg) {
		memset(&ret->f, 0, sizeof(ret->f));
		return;
	}
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
		len--;
	size_t scan_off;
	parse_prefix(msg, len, priority, ret, &text_off, &scan_off);
	int row = sig_match(msg + scan_off, len - scan_off);
	if (row < 0 || sig_table[row].code == DIAG_CODE_NONE) {
		fields_empty(&ret->f); /* a miss: every field "", without zeroing 800 bytes */
		return;
	}
	memset(&ret->f, 0, sizeof(ret->f));
	ret->code = sig_table[row].code;
	/* only hits are decoded: the fast path stays one pass over the raw bytes */
	struct zap_line z;
	if (ret->format == DIAG_FMT_ZAP && zap_decode(msg, len, &z)) {
		extract_fields(z.text, z.len, 0, &z, &sig_table[row], ret);
		in_data_dir(ret);
		zap_sample(&z, ret);
		json_decref(z.root);
		return;
	}
	extract_fields(msg, len, text_off, NULL, &sig_table[row], ret);
	in_data_dir(ret);
	if (ret->code == DIAG_AUTH_TOKEN_INVALID) {
		/* capnslog prints the token after the words: keep the words only */
		const char *w = memmem(msg, len, "token", 5);
		size_t n = w ? (size_t)(w - msg) + 5 : len;
		if (n < sizeof(ret->sample)) {
			memcpy(ret->sample, msg, n);
			ret->sample_len = n + text_printf(ret->sample + n, sizeof(ret->sample) - n,
							  " <token not shown>");
		}
	}
}
