/* etcd_rpc: method paths and request encoding (protobuf-c). */
#include "proto/etcd_rpc.h"

#include <errno.h>
#include <stdlib.h>

#include "etcd.pb-c.h"

static const char *const rpc_paths[ETCD_RPC__COUNT] = {
	[ETCD_RPC_AUTHENTICATE] = "/etcdserverpb.Auth/Authenticate",
	[ETCD_RPC_STATUS] = "/etcdserverpb.Maintenance/Status",
	[ETCD_RPC_RANGE] = "/etcdserverpb.KV/Range",
	[ETCD_RPC_ALARM] = "/etcdserverpb.Maintenance/Alarm",
	[ETCD_RPC_MEMBER_LIST] = "/etcdserverpb.Cluster/MemberList",
};

const char *etcd_rpc_path(enum etcd_rpc rpc)
{
	return (unsigned)rpc < ETCD_RPC__COUNT ? rpc_paths[rpc] : NULL;
}

size_t etcd_rpc_encode_member_list(bool linearizable, uint8_t out[ETCD_RPC_SMALL_REQUEST_MAX])
{
	Etcdserverpb__MemberListRequest req = ETCDSERVERPB__MEMBER_LIST_REQUEST__INIT;
	req.linearizable = linearizable;
	return etcdserverpb__member_list_request__pack(&req, out);
}

size_t etcd_rpc_encode_health_read(bool serializable, uint8_t out[ETCD_RPC_SMALL_REQUEST_MAX])
{
	Etcdserverpb__RangeRequest req = ETCDSERVERPB__RANGE_REQUEST__INIT;
	req.key.data = (uint8_t *)"health";
	req.key.len = 6;
	req.serializable = serializable;
	req.keys_only = true;
	return etcdserverpb__range_request__pack(&req, out);
}

int etcd_rpc_encode_authenticate(const char *name, const char *password, uint8_t **ret,
				 size_t *ret_len)
{
	Etcdserverpb__AuthenticateRequest req = ETCDSERVERPB__AUTHENTICATE_REQUEST__INIT;
	req.name = (char *)(name ? name : "");
	req.password = (char *)(password ? password : "");
	size_t need = etcdserverpb__authenticate_request__get_packed_size(&req);
	uint8_t *buf = malloc(need ? need : 1);
	if (!buf)
		return -ENOMEM;
	*ret_len = etcdserverpb__authenticate_request__pack(&req, buf);
	*ret = buf;
	return 0;
}
