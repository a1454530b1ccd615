/* etcd_rpc: etcd's gRPC method paths, the encoding of the requests the checks send and the
 * decoding of every response they read. Pure: no I/O. protobuf-c stays inside etcd_rpc.c; callers
 * get plain structs whose strings are already sanitized (proto/sanitize.h) and bounded.
 * (ETCD_FACTS.md: paths and field numbers.) */
#ifndef PROTO_ETCD_RPC_H
#define PROTO_ETCD_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum etcd_rpc {
	ETCD_RPC_AUTHENTICATE,
	ETCD_RPC_STATUS,
	ETCD_RPC_RANGE,
	ETCD_RPC_ALARM,
	ETCD_RPC_MEMBER_LIST,
	ETCD_RPC_LEASE_GRANT,
	ETCD_RPC_PUT,
	ETCD_RPC_DELETE_RANGE,
	ETCD_RPC__COUNT,
};

/* The method path ("/etcdserverpb.Maintenance/Status"); NULL for an out-of-range value. */
const char *etcd_rpc_path(enum etcd_rpc rpc);

/* Room that every request below fits in. */
#define ETCD_RPC_SMALL_REQUEST_MAX 32

/* MemberListRequest{linearizable}: field 1 exists from 3.5 on; 3.4 skips it as unknown.
 * Returns the encoded length (0 for the empty message). */
size_t etcd_rpc_encode_member_list(bool linearizable, uint8_t out[ETCD_RPC_SMALL_REQUEST_MAX]);

/* The read `etcdctl endpoint health` does: RangeRequest{key "health", keys_only}, serializable
 * when asked (learners serve only serializable reads). Returns the encoded length. */
size_t etcd_rpc_encode_health_read(bool serializable, uint8_t out[ETCD_RPC_SMALL_REQUEST_MAX]);

/* AuthenticateRequest{name, password} into a new buffer (*ret, *ret_len). It holds the password:
 * the caller wipes it (OPENSSL_cleanse) before free(). Returns 0, or -ENOMEM. */
int etcd_rpc_encode_authenticate(const char *name, const char *password, uint8_t **ret,
				 size_t *ret_len);

/* --write-check. LeaseGrantRequest{TTL: ttl_s} (the server picks the ID). Returns the encoded
 * length. */
size_t etcd_rpc_encode_lease_grant(int64_t ttl_s, uint8_t out[ETCD_RPC_SMALL_REQUEST_MAX]);

/* Longest key the write check puts; every write request fits in ETCD_RPC_WRITE_REQUEST_MAX. */
#define ETCD_RPC_KEY_MAX 256
#define ETCD_RPC_VALUE_MAX 64
#define ETCD_RPC_WRITE_REQUEST_MAX 384

/* PutRequest{key, value, lease} into out (cap bytes). Returns 0 with *ret_len set, or -EMSGSIZE
 * when key is empty or longer than ETCD_RPC_KEY_MAX, value longer than ETCD_RPC_VALUE_MAX, or the
 * message does not fit in cap. */
int etcd_rpc_encode_put(const char *key, const char *value, int64_t lease, uint8_t *out,
			size_t cap, size_t *ret_len);

/* DeleteRangeRequest{key} (that one key: no range_end) into out; as etcd_rpc_encode_put. */
int etcd_rpc_encode_delete(const char *key, uint8_t *out, size_t cap, size_t *ret_len);

/* Bounds of the decoded facts; longer strings are cut between code points, more entries are
 * counted in n_dropped. */
#define ETCD_RPC_NAME_MAX 64
#define ETCD_RPC_VERSION_MAX 32
#define ETCD_RPC_ERRORS_MAX 256
#define ETCD_RPC_URL_MAX 256
#define ETCD_RPC_URLS_MAX 8
#define ETCD_RPC_ALARMS_MAX 16
#define ETCD_RPC_MEMBERS_MAX 64
#define ETCD_RPC_TOKEN_MAX 4096

/* ResponseHeader; all zero when the server sent none. revision is int64 on the wire. */
struct etcd_header {
	uint64_t cluster_id, member_id, revision, raft_term;
};

struct etcd_status {
	struct etcd_header header;
	char version[ETCD_RPC_VERSION_MAX]; /* sanitized */
	int64_t db_size, db_size_in_use, db_size_quota; /* db_size_quota: 3.6+, 0 before */
	uint64_t leader, raft_index, raft_term, raft_applied_index;
	bool is_learner;
	char errors[ETCD_RPC_ERRORS_MAX]; /* the member's errors list, "; "-joined, sanitized */
};

/* type is the wire's AlarmType as sent (NONE 0, NOSPACE 1, CORRUPT 2; others kept as is). */
struct etcd_alarm {
	uint64_t member_id;
	int type;
};

/* Duplicates (same member+type) kept once. n_dropped counts the alarms beyond
 * ETCD_RPC_ALARMS_MAX that repeat none of the kept ones (duplicates among those dropped are
 * each counted). */
struct etcd_alarms {
	size_t n, n_dropped;
	struct etcd_alarm v[ETCD_RPC_ALARMS_MAX];
};

struct etcd_member {
	uint64_t id;
	char name[ETCD_RPC_NAME_MAX]; /* sanitized; "" for a member not started yet */
	bool is_learner;
	size_t n_client_urls;         /* at most ETCD_RPC_URLS_MAX kept */
	char client_urls[ETCD_RPC_URLS_MAX][ETCD_RPC_URL_MAX]; /* sanitized */
};

/* The first ETCD_RPC_MEMBERS_MAX members in the server's order; n_dropped counts the rest. */
struct etcd_members {
	struct etcd_header header;
	size_t n, n_dropped;
	struct etcd_member v[ETCD_RPC_MEMBERS_MAX];
};

/* LeaseGrantResponse. etcd reports a refusal as a gRPC status; error is the response's own
 * string field (kept for servers that fill it), sanitized. id 0 means no lease was granted. */
struct etcd_lease_grant {
	struct etcd_header header;
	int64_t id, ttl_s;
	char error[ETCD_RPC_ERRORS_MAX];
};

/* DeleteRangeResponse: how many keys the delete removed (prev_kvs are not read). */
struct etcd_delete_range {
	struct etcd_header header;
	int64_t deleted;
};

/* Each returns 0 with *ret filled (zeroed first), -EBADMSG when msg is not that message,
 * -ENOMEM (protobuf-c cannot tell running out of memory from a bad message: inside unpack it
 * shows as -EBADMSG). The empty message (len 0) is a valid one: every field at its default.
 * Strings are read up to a NUL inside them (protobuf-c hands them over as C strings). */
int etcd_rpc_decode_status(const uint8_t *msg, size_t len, struct etcd_status *ret);
int etcd_rpc_decode_range(const uint8_t *msg, size_t len, struct etcd_header *ret);
int etcd_rpc_decode_alarms(const uint8_t *msg, size_t len, struct etcd_alarms *ret);
int etcd_rpc_decode_lease_grant(const uint8_t *msg, size_t len, struct etcd_lease_grant *ret);
int etcd_rpc_decode_put(const uint8_t *msg, size_t len, struct etcd_header *ret);
int etcd_rpc_decode_delete_range(const uint8_t *msg, size_t len, struct etcd_delete_range *ret);
/* decode_members writes only header, n, n_dropped and v[0..n) (of each, the URLs it has): the
 * rest of the 134 KiB is left as it was. */
int etcd_rpc_decode_members(const uint8_t *msg, size_t len, struct etcd_members *ret);

/* *ret_token: a new string (caller wipes it with OPENSSL_cleanse, then free()s); NULL on
 * failure. -EBADMSG also for an empty token, one longer than ETCD_RPC_TOKEN_MAX, or one with a
 * byte outside 0x21..0x7e, NUL included (it is sent back in an HTTP/2 header). The protobuf-c
 * copy is wiped before it is freed. */
int etcd_rpc_decode_authenticate(const uint8_t *msg, size_t len, char **ret_token);

#endif
