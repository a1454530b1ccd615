/* etcd_rpc: etcd's gRPC method paths and the encoding of the requests the checks send. Pure:
 * no I/O; only the Authenticate request (its size depends on the credentials) is allocated. (ETCD_FACTS.md: paths and field numbers.) */
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

#endif
