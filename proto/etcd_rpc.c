/* etcd_rpc: method paths, request encoding and response decoding (protobuf-c, kept in here). */
#include "proto/etcd_rpc.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "etcd.pb-c.h"
#include "proto/sanitize.h"

static const char *const rpc_paths[ETCD_RPC__COUNT] = {
	[ETCD_RPC_AUTHENTICATE] = "/etcdserverpb.Auth/Authenticate",
	[ETCD_RPC_STATUS] = "/etcdserverpb.Maintenance/Status",
	[ETCD_RPC_RANGE] = "/etcdserverpb.KV/Range",
	[ETCD_RPC_ALARM] = "/etcdserverpb.Maintenance/Alarm",
	[ETCD_RPC_MEMBER_LIST] = "/etcdserverpb.Cluster/MemberList",
	[ETCD_RPC_LEASE_GRANT] = "/etcdserverpb.Lease/LeaseGrant",
	[ETCD_RPC_PUT] = "/etcdserverpb.KV/Put",
	[ETCD_RPC_DELETE_RANGE] = "/etcdserverpb.KV/DeleteRange",
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

size_t etcd_rpc_encode_lease_grant(int64_t ttl_s, uint8_t out[ETCD_RPC_SMALL_REQUEST_MAX])
{
	Etcdserverpb__LeaseGrantRequest req = ETCDSERVERPB__LEASE_GRANT_REQUEST__INIT;
	req.ttl = ttl_s;
	return etcdserverpb__lease_grant_request__pack(&req, out);
}

/* An empty key is refused: etcd answers InvalidArgument "key is not provided", and an empty
 * DeleteRange key would mean nothing anyway. */
static bool key_fits(const char *key)
{
	size_t n = key ? strlen(key) : 0;
	return n > 0 && n <= ETCD_RPC_KEY_MAX;
}

int etcd_rpc_encode_put(const char *key, const char *value, int64_t lease, uint8_t *out,
			size_t cap, size_t *ret_len)
{
	size_t vlen = value ? strlen(value) : 0;
	if (!key_fits(key) || vlen > ETCD_RPC_VALUE_MAX)
		return -EMSGSIZE;
	Etcdserverpb__PutRequest req = ETCDSERVERPB__PUT_REQUEST__INIT;
	req.key.data = (uint8_t *)key;
	req.key.len = strlen(key);
	req.value.data = (uint8_t *)(value ? value : "");
	req.value.len = vlen;
	req.lease = lease;
	if (etcdserverpb__put_request__get_packed_size(&req) > cap)
		return -EMSGSIZE;
	*ret_len = etcdserverpb__put_request__pack(&req, out);
	return 0;
}

int etcd_rpc_encode_delete(const char *key, uint8_t *out, size_t cap, size_t *ret_len)
{
	if (!key_fits(key))
		return -EMSGSIZE;
	Etcdserverpb__DeleteRangeRequest req = ETCDSERVERPB__DELETE_RANGE_REQUEST__INIT;
	req.key.data = (uint8_t *)key;
	req.key.len = strlen(key);
	if (etcdserverpb__delete_range_request__get_packed_size(&req) > cap)
		return -EMSGSIZE;
	*ret_len = etcdserverpb__delete_range_request__pack(&req, out);
	return 0;
}

/* A server string into a bounded field: sanitized once, here, so no report has to remember. */
static void take_text(const char *s, char *out, size_t cap)
{
	sanitize_text(s ? s : "", s ? strlen(s) : 0, out, cap);
}

static void take_header(const Etcdserverpb__ResponseHeader *h, struct etcd_header *ret)
{
	if (!h)
		return;
	ret->cluster_id = h->cluster_id;
	ret->member_id = h->member_id;
	ret->revision = (uint64_t)h->revision;
	ret->raft_term = h->raft_term;
}

int etcd_rpc_decode_status(const uint8_t *msg, size_t len, struct etcd_status *ret)
{
	memset(ret, 0, sizeof(*ret));
	Etcdserverpb__StatusResponse *s = etcdserverpb__status_response__unpack(NULL, len, msg);
	if (!s)
		return -EBADMSG;
	take_header(s->header, &ret->header);
	take_text(s->version, ret->version, sizeof(ret->version));
	ret->db_size = s->dbsize;
	ret->db_size_in_use = s->dbsizeinuse;
	ret->db_size_quota = s->dbsizequota;
	ret->leader = s->leader;
	ret->raft_index = s->raftindex;
	ret->raft_term = s->raftterm;
	ret->raft_applied_index = s->raftappliedindex;
	ret->is_learner = s->islearner;
	size_t used = 0;
	for (size_t i = 0; i < s->n_errors; i++) {
		/* "; " between errors; an error with nothing left of it (empty, or no room for its
		 * first code point) takes its separator back */
		size_t mark = used;
		if (used) {
			if (sizeof(ret->errors) - used < 3)
				break;
			memcpy(ret->errors + used, "; ", 2);
			used += 2;
		}
		size_t k = sanitize_text(s->errors[i], strlen(s->errors[i]), ret->errors + used,
					 sizeof(ret->errors) - used);
		used = k ? used + k : mark;
		ret->errors[used] = '\0';
	}
	etcdserverpb__status_response__free_unpacked(s, NULL);
	return 0;
}

int etcd_rpc_decode_range(const uint8_t *msg, size_t len, struct etcd_header *ret)
{
	memset(ret, 0, sizeof(*ret));
	Etcdserverpb__RangeResponse *r = etcdserverpb__range_response__unpack(NULL, len, msg);
	if (!r)
		return -EBADMSG;
	take_header(r->header, ret);
	etcdserverpb__range_response__free_unpacked(r, NULL);
	return 0;
}

int etcd_rpc_decode_lease_grant(const uint8_t *msg, size_t len, struct etcd_lease_grant *ret)
{
	memset(ret, 0, sizeof(*ret));
	Etcdserverpb__LeaseGrantResponse *g =
		etcdserverpb__lease_grant_response__unpack(NULL, len, msg);
	if (!g)
		return -EBADMSG;
	take_header(g->header, &ret->header);
	ret->id = g->id;
	ret->ttl_s = g->ttl;
	take_text(g->error, ret->error, sizeof(ret->error));
	etcdserverpb__lease_grant_response__free_unpacked(g, NULL);
	return 0;
}

int etcd_rpc_decode_put(const uint8_t *msg, size_t len, struct etcd_header *ret)
{
	memset(ret, 0, sizeof(*ret));
	Etcdserverpb__PutResponse *p = etcdserverpb__put_response__unpack(NULL, len, msg);
	if (!p)
		return -EBADMSG;
	take_header(p->header, ret);
	etcdserverpb__put_response__free_unpacked(p, NULL);
	return 0;
}

int etcd_rpc_decode_delete_range(const uint8_t *msg, size_t len, struct etcd_delete_range *ret)
{
	memset(ret, 0, sizeof(*ret));
	Etcdserverpb__DeleteRangeResponse *d =
		etcdserverpb__delete_range_response__unpack(NULL, len, msg);
	if (!d)
		return -EBADMSG;
	take_header(d->header, &ret->header);
	ret->deleted = d->deleted;
	etcdserverpb__delete_range_response__free_unpacked(d, NULL);
	return 0;
}

int etcd_rpc_decode_alarms(const uint8_t *msg, size_t len, struct etcd_alarms *ret)
{
	memset(ret, 0, sizeof(*ret));
	Etcdserverpb__AlarmResponse *a = etcdserverpb__alarm_response__unpack(NULL, len, msg);
	if (!a)
		return -EBADMSG;
	for (size_t i = 0; i < a->n_alarms; i++) {
		struct etcd_alarm al = {a->alarms[i]->memberid, (int)a->alarms[i]->alarm};
		bool seen = false;
		for (size_t j = 0; j < ret->n && !seen; j++)
			seen = ret->v[j].member_id == al.member_id && ret->v[j].type == al.type;
		if (seen)
			continue;
		if (ret->n < ETCD_RPC_ALARMS_MAX)
			ret->v[ret->n++] = al;
		else
			ret->n_dropped++;
	}
	etcdserverpb__alarm_response__free_unpacked(a, NULL);
	return 0;
}

int etcd_rpc_decode_members(const uint8_t *msg, size_t len, struct etcd_members *ret)
{
	/* 134 KiB, mostly URL room: only what is used is written (peak RSS), v[n..] untouched */
	memset(&ret->header, 0, sizeof(ret->header));
	ret->n = ret->n_dropped = 0;
	Etcdserverpb__MemberListResponse *m =
		etcdserverpb__member_list_response__unpack(NULL, len, msg);
	if (!m)
		return -EBADMSG;
	take_header(m->header, &ret->header);
	for (size_t i = 0; i < m->n_members; i++) {
		if (ret->n == ETCD_RPC_MEMBERS_MAX) {
			ret->n_dropped = m->n_members - i;
			break;
		}
		const Etcdserverpb__Member *pm = m->members[i];
		struct etcd_member *em = &ret->v[ret->n++];
		memset(em, 0, offsetof(struct etcd_member, client_urls));
		em->id = pm->id;
		take_text(pm->name, em->name, sizeof(em->name));
		em->is_learner = pm->islearner;
		size_t n_urls = pm->n_clienturls < ETCD_RPC_URLS_MAX ? pm->n_clienturls
								      : ETCD_RPC_URLS_MAX;
		for (size_t u = 0; u < n_urls; u++)
			take_text(pm->clienturls[u], em->client_urls[u], sizeof(em->client_urls[u]));
		em->n_client_urls = n_urls;
	}
	etcdserverpb__member_list_response__free_unpacked(m, NULL);
	return 0;
}

static int wire_varint(const uint8_t *msg, size_t len, size_t *pos, uint64_t *ret)
{
	uint64_t v = 0;
	for (unsigned shift = 0; shift < 64 && *pos < len; shift += 7) {
		uint8_t b = msg[(*pos)++];
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*ret = v;
			return 0;
		}
	}
	return -EBADMSG;
}

/* The length on the wire of the last occurrence of length-delimited field `field` (the one
 * protobuf-c keeps), 0 when absent. protobuf-c gives strings as C strings: comparing this with
 * strlen() is how a NUL inside one shows. */
static int wire_field_len(const uint8_t *msg, size_t len, uint32_t field, size_t *ret)
{
	size_t pos = 0;
	*ret = 0;
	while (pos < len) {
		uint64_t key, n;
		if (wire_varint(msg, len, &pos, &key) < 0)
			return -EBADMSG;
		switch (key & 7) {
		case 0:
			if (wire_varint(msg, len, &pos, &n) < 0)
				return -EBADMSG;
			break;
		case 1:
		case 5:
			n = (key & 7) == 1 ? 8 : 4;
			if (len - pos < n)
				return -EBADMSG;
			pos += n;
			break;
		case 2:
			if (wire_varint(msg, len, &pos, &n) < 0 || n > len - pos)
				return -EBADMSG;
			if (key >> 3 == field)
				*ret = (size_t)n;
			pos += (size_t)n;
			break;
		default:
			return -EBADMSG;
		}
	}
	return 0;
}

/* etcd's tokens are "simple" (16 letters + "." + index) or JWTs: both printable ASCII. The
 * token goes back in the `token` metadata header, where a control byte or a space would let the
 * server shape our request or break it. */
static bool token_is_header_safe(const char *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)t[i] < 0x21 || (unsigned char)t[i] > 0x7e)
			return false;
	return true;
}

int etcd_rpc_decode_authenticate(const uint8_t *msg, size_t len, char **ret_token)
{
	*ret_token = NULL;
	Etcdserverpb__AuthenticateResponse *a =
		etcdserverpb__authenticate_response__unpack(NULL, len, msg);
	if (!a)
		return -EBADMSG;
	size_t n = a->token ? strlen(a->token) : 0, wire_len = 0;
	bool walked = wire_field_len(msg, len, 2, &wire_len) == 0;
	int e = 0;
	if (!walked || wire_len != n || n == 0 || n > ETCD_RPC_TOKEN_MAX ||
	    !token_is_header_safe(a->token, n)) {
		e = -EBADMSG;
	} else {
		*ret_token = malloc(n + 1);
		if (*ret_token)
			memcpy(*ret_token, a->token, n + 1);
		else
			e = -ENOMEM;
	}
	/* protobuf-c's copy holds wire_len bytes, those after a NUL too */
	if (a->token)
		OPENSSL_cleanse(a->token, walked && wire_len > n ? wire_len : n);
	etcdserverpb__authenticate_response__free_unpacked(a, NULL);
	return e;
}
