/* test_etcd_rpc.c: method paths, the exact bytes of the requests the checks send
 * (ETCD_FACTS.md: Range{key:"health"} is 0a 06 68 65 61 6c 74 68), and the decoders fed
 * messages packed by protobuf-c the way a (hostile) server would send them. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "etcd.pb-c.h"
#include "proto/etcd_rpc.h"

static void test_paths(void **state)
{
	(void)state;
	assert_string_equal(etcd_rpc_path(ETCD_RPC_STATUS), "/etcdserverpb.Maintenance/Status");
	assert_string_equal(etcd_rpc_path(ETCD_RPC_ALARM), "/etcdserverpb.Maintenance/Alarm");
	assert_string_equal(etcd_rpc_path(ETCD_RPC_RANGE), "/etcdserverpb.KV/Range");
	assert_string_equal(etcd_rpc_path(ETCD_RPC_MEMBER_LIST), "/etcdserverpb.Cluster/MemberList");
	assert_string_equal(etcd_rpc_path(ETCD_RPC_AUTHENTICATE), "/etcdserverpb.Auth/Authenticate");
	assert_string_equal(etcd_rpc_path(ETCD_RPC_LEASE_GRANT), "/etcdserverpb.Lease/LeaseGrant");
	assert_string_equal(etcd_rpc_path(ETCD_RPC_PUT), "/etcdserverpb.KV/Put");
	assert_string_equal(etcd_rpc_path(ETCD_RPC_DELETE_RANGE), "/etcdserverpb.KV/DeleteRange");
	assert_null(etcd_rpc_path(ETCD_RPC__COUNT));
}

/* 3.5+ read field 1 of MemberListRequest as `linearizable`; 3.4 skips it. */
static void test_member_list(void **state)
{
	(void)state;
	uint8_t buf[ETCD_RPC_SMALL_REQUEST_MAX];
	static const uint8_t lin[] = {0x08, 0x01};
	assert_int_equal(etcd_rpc_encode_member_list(true, buf), sizeof(lin));
	assert_memory_equal(buf, lin, sizeof(lin));
	assert_int_equal(etcd_rpc_encode_member_list(false, buf), 0);
}

static void test_health_read(void **state)
{
	(void)state;
	uint8_t buf[ETCD_RPC_SMALL_REQUEST_MAX];
	/* key "health" (field 1), serializable (7) only when asked, keys_only (8) */
	static const uint8_t lin[] = {0x0a, 0x06, 'h', 'e', 'a', 'l', 't', 'h', 0x40, 0x01};
	static const uint8_t ser[] = {0x0a, 0x06, 'h', 'e', 'a', 'l', 't', 'h', 0x38, 0x01, 0x40, 0x01};
	assert_int_equal(etcd_rpc_encode_health_read(false, buf), sizeof(lin));
	assert_memory_equal(buf, lin, sizeof(lin));
	assert_int_equal(etcd_rpc_encode_health_read(true, buf), sizeof(ser));
	assert_memory_equal(buf, ser, sizeof(ser));
}

static void test_authenticate(void **state)
{
	(void)state;
	uint8_t *buf = NULL;
	size_t len = 0;
	static const uint8_t want[] = {0x0a, 0x04, 'r', 'o', 'o', 't', 0x12, 0x02, 'p', 'w'};
	assert_int_equal(etcd_rpc_encode_authenticate("root", "pw", &buf, &len), 0);
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	free(buf);
	/* no password: the name alone (proto3 leaves an empty string out) */
	assert_int_equal(etcd_rpc_encode_authenticate("root", NULL, &buf, &len), 0);
	assert_int_equal(len, 6);
	free(buf);
}

/* The write check's requests, byte for byte (rpc.proto: LeaseGrantRequest 1 TTL; PutRequest
 * 1 key, 2 value, 3 lease; DeleteRangeRequest 1 key, 2 range_end). */
static void test_write_requests(void **state)
{
	(void)state;
	uint8_t small[ETCD_RPC_SMALL_REQUEST_MAX], buf[ETCD_RPC_WRITE_REQUEST_MAX];
	size_t len = 0;
	static const uint8_t grant[] = {0x08, 0x3c};
	assert_int_equal(etcd_rpc_encode_lease_grant(60, small), sizeof(grant));
	assert_memory_equal(small, grant, sizeof(grant));

	/* lease 0x694d0000 as a varint: 80 80 b4 ca 06 */
	static const uint8_t put[] = {0x0a, 0x05, '/', 'p', '/', 'h', '1', 0x12, 0x01, 'v',
				      0x18, 0x80, 0x80, 0xb4, 0xca, 0x06};
	assert_int_equal(etcd_rpc_encode_put("/p/h1", "v", 0x694d0000, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, sizeof(put));
	assert_memory_equal(buf, put, sizeof(put));
	/* no value, no lease: the key alone (proto3 leaves defaults out) */
	assert_int_equal(etcd_rpc_encode_put("/p/h1", NULL, 0, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 7);

	static const uint8_t del[] = {0x0a, 0x05, '/', 'p', '/', 'h', '1'};
	assert_int_equal(etcd_rpc_encode_delete("/p/h1", buf, sizeof(buf), &len), 0);
	assert_int_equal(len, sizeof(del));
	assert_memory_equal(buf, del, sizeof(del));
}

/* Bounded: an empty key (etcd refuses it; an empty delete key means nothing), a key or value
 * past its cap, a buffer too small, each -EMSGSIZE with nothing written past cap. */
static void test_write_requests_bounded(void **state)
{
	(void)state;
	char key[ETCD_RPC_KEY_MAX + 2];
	uint8_t buf[ETCD_RPC_WRITE_REQUEST_MAX];
	size_t len = 12345;
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	assert_int_equal(etcd_rpc_encode_put(key, "v", 1, buf, sizeof(buf), &len), -EMSGSIZE);
	assert_int_equal(etcd_rpc_encode_delete(key, buf, sizeof(buf), &len), -EMSGSIZE);
	key[ETCD_RPC_KEY_MAX] = '\0'; /* the longest key allowed, with the longest value */
	char value[ETCD_RPC_VALUE_MAX + 1];
	memset(value, 'v', ETCD_RPC_VALUE_MAX);
	value[ETCD_RPC_VALUE_MAX] = '\0';
	assert_int_equal(etcd_rpc_encode_put(key, value, INT64_MAX, buf, sizeof(buf), &len), 0);
	assert_true(len <= sizeof(buf));
	assert_int_equal(etcd_rpc_encode_delete(key, buf, sizeof(buf), &len), 0);
	len = 12345;
	char big_value[ETCD_RPC_VALUE_MAX + 2];
	memset(big_value, 'v', sizeof(big_value) - 1);
	big_value[sizeof(big_value) - 1] = '\0';
	assert_int_equal(etcd_rpc_encode_put("/k", big_value, 1, buf, sizeof(buf), &len),
			 -EMSGSIZE);
	assert_int_equal(etcd_rpc_encode_put("", "v", 1, buf, sizeof(buf), &len), -EMSGSIZE);
	assert_int_equal(etcd_rpc_encode_put(NULL, "v", 1, buf, sizeof(buf), &len), -EMSGSIZE);
	assert_int_equal(etcd_rpc_encode_delete("", buf, sizeof(buf), &len), -EMSGSIZE);
	/* a heap buffer of 8 bytes: ASan would see a write past it */
	uint8_t *tiny = malloc(8);
	assert_non_null(tiny);
	assert_int_equal(etcd_rpc_encode_put("/etcd-probe/x", "v", 1, tiny, 8, &len), -EMSGSIZE);
	assert_int_equal(etcd_rpc_encode_delete("/etcd-probe/x", tiny, 8, &len), -EMSGSIZE);
	free(tiny);
	assert_int_equal(len, 12345); /* untouched on failure */
}

#define FFFD "\xEF\xBF\xBD"

/* A packed message in a heap buffer of exactly its size, so ASan sees any over-read. */
struct packed {
	uint8_t *buf;
	size_t len;
};

#define PACK(type, msgp)                                                                  \
	({                                                                                \
		struct packed p_;                                                         \
		p_.len = etcdserverpb__##type##__get_packed_size(msgp);                   \
		p_.buf = malloc(p_.len ? p_.len : 1);                                     \
		assert_non_null(p_.buf);                                                  \
		assert_int_equal(etcdserverpb__##type##__pack(msgp, p_.buf), p_.len);     \
		p_;                                                                       \
	})

static Etcdserverpb__ResponseHeader test_header(void)
{
	Etcdserverpb__ResponseHeader h = ETCDSERVERPB__RESPONSE_HEADER__INIT;
	h.cluster_id = 0xCDEF0123456789ABull;
	h.member_id = 0x8E9E05C52164694Dull;
	h.revision = 42;
	h.raft_term = 7;
	return h;
}

static void assert_test_header(const struct etcd_header *h)
{
	assert_int_equal(h->cluster_id, 0xCDEF0123456789ABull);
	assert_int_equal(h->member_id, 0x8E9E05C52164694Dull);
	assert_int_equal(h->revision, 42);
	assert_int_equal(h->raft_term, 7);
}

static void test_decode_status(void **state)
{
	(void)state;
	Etcdserverpb__ResponseHeader h = test_header();
	Etcdserverpb__StatusResponse s = ETCDSERVERPB__STATUS_RESPONSE__INIT;
	char *errors[] = {"etcdserver: no leader", "NOSPACE"};
	s.header = &h;
	s.version = "3.6.14";
	s.dbsize = 20480;
	s.dbsizeinuse = 16384;
	s.dbsizequota = 2147483648;
	s.leader = 0x8E9E05C52164694Dull;
	s.raftindex = 99;
	s.raftterm = 7;
	s.raftappliedindex = 98;
	s.n_errors = 2;
	s.errors = errors;
	s.islearner = true;
	s.storageversion = "3.6.0";
	struct packed p = PACK(status_response, &s);
	struct etcd_status st;
	assert_int_equal(etcd_rpc_decode_status(p.buf, p.len, &st), 0);
	assert_test_header(&st.header);
	assert_string_equal(st.version, "3.6.14");
	assert_int_equal(st.db_size, 20480);
	assert_int_equal(st.db_size_in_use, 16384);
	assert_int_equal(st.db_size_quota, 2147483648);
	assert_int_equal(st.leader, 0x8E9E05C52164694Dull);
	assert_int_equal(st.raft_index, 99);
	assert_int_equal(st.raft_term, 7);
	assert_int_equal(st.raft_applied_index, 98);
	assert_true(st.is_learner);
	assert_string_equal(st.errors, "etcdserver: no leader; NOSPACE");
	free(p.buf);
}

/* A version "3.4\nETCD OK - fake" would print a second status line; '|' would start perfdata. */
static void test_decode_status_hostile(void **state)
{
	(void)state;
	Etcdserverpb__StatusResponse s = ETCDSERVERPB__STATUS_RESPONSE__INIT;
	char long_err[400];
	memset(long_err, 'e', sizeof(long_err) - 1);
	long_err[sizeof(long_err) - 1] = '\0';
	char *errors[] = {"a\nb|c\xFF", "", long_err, "never shown"};
	s.version = "3.4\nETCD OK - fake|'x'=1";
	s.n_errors = 4;
	s.errors = errors;
	struct packed p = PACK(status_response, &s);
	struct etcd_status st;
	assert_int_equal(etcd_rpc_decode_status(p.buf, p.len, &st), 0);
	assert_string_equal(st.version, "3.4?ETCD OK - fake/'x'=1");
	/* the empty error adds no "; ", the long one is cut at the field's end, the last has no
	 * room left */
	assert_int_equal(strlen(st.errors), ETCD_RPC_ERRORS_MAX - 1);
	assert_memory_equal(st.errors, "a?b/c" FFFD "; eee", 13);
	free(p.buf);

	/* a version cut inside a 4-byte emoji keeps no half of it */
	s.version = "3.5.0-aaaaaaaaaaaaaaaaaaaaaaaa\xF0\x9F\x98\x80";
	s.n_errors = 0;
	p = PACK(status_response, &s);
	assert_int_equal(etcd_rpc_decode_status(p.buf, p.len, &st), 0);
	assert_string_equal(st.version, "3.5.0-aaaaaaaaaaaaaaaaaaaaaaaa");
	free(p.buf);
}

static void test_decode_range(void **state)
{
	(void)state;
	Etcdserverpb__ResponseHeader h = test_header();
	Etcdserverpb__KeyValue kv = ETCDSERVERPB__KEY_VALUE__INIT;
	Etcdserverpb__KeyValue *kvs[] = {&kv};
	Etcdserverpb__RangeResponse r = ETCDSERVERPB__RANGE_RESPONSE__INIT;
	kv.key.data = (uint8_t *)"health";
	kv.key.len = 6;
	r.header = &h;
	r.n_kvs = 1;
	r.kvs = kvs;
	r.count = 1;
	struct packed p = PACK(range_response, &r);
	struct etcd_header eh;
	assert_int_equal(etcd_rpc_decode_range(p.buf, p.len, &eh), 0);
	assert_test_header(&eh);
	free(p.buf);
}

static void test_decode_alarms(void **state)
{
	(void)state;
	Etcdserverpb__AlarmMember am[20];
	Etcdserverpb__AlarmMember *amp[20];
	for (size_t i = 0; i < 20; i++) {
		Etcdserverpb__AlarmMember init = ETCDSERVERPB__ALARM_MEMBER__INIT;
		am[i] = init;
		am[i].memberid = 100 + i;
		am[i].alarm = i % 2 ? ETCDSERVERPB__ALARM_TYPE__CORRUPT
				    : ETCDSERVERPB__ALARM_TYPE__NOSPACE;
		amp[i] = &am[i];
	}
	Etcdserverpb__AlarmResponse a = ETCDSERVERPB__ALARM_RESPONSE__INIT;
	a.n_alarms = 20;
	a.alarms = amp;
	struct packed p = PACK(alarm_response, &a);
	struct etcd_alarms al;
	assert_int_equal(etcd_rpc_decode_alarms(p.buf, p.len, &al), 0);
	assert_int_equal(al.n, ETCD_RPC_ALARMS_MAX);
	assert_int_equal(al.n_dropped, 4);
	assert_int_equal(al.v[0].member_id, 100);
	assert_int_equal(al.v[0].type, 1);
	assert_int_equal(al.v[15].member_id, 115);
	assert_int_equal(al.v[15].type, 2);
	free(p.buf);

	/* every member answers the cluster's alarms: the same pair twice is one alarm, the same
	 * member with another type is another */
	am[1].memberid = 100;
	am[1].alarm = ETCDSERVERPB__ALARM_TYPE__NOSPACE;
	am[2].memberid = 100;
	am[2].alarm = ETCDSERVERPB__ALARM_TYPE__CORRUPT;
	a.n_alarms = 3;
	p = PACK(alarm_response, &a);
	assert_int_equal(etcd_rpc_decode_alarms(p.buf, p.len, &al), 0);
	assert_int_equal(al.n, 2);
	assert_int_equal(al.n_dropped, 0);
	assert_int_equal(al.v[1].member_id, 100);
	assert_int_equal(al.v[1].type, 2);
	free(p.buf);
}

static void test_decode_members(void **state)
{
	(void)state;
	enum { N = 70 };
	static Etcdserverpb__Member mm[N];
	Etcdserverpb__Member *mmp[N];
	char names[N][16];
	char *urls[9] = {"https://127.0.150.1:2379", "http://127.0.150.1:2381",
			 "https://h|x:1\n", "4", "5", "6", "7", "8", "https://ninth:2379"};
	char *peer[] = {"https://127.0.150.1:2380"};
	for (size_t i = 0; i < N; i++) {
		Etcdserverpb__Member init = ETCDSERVERPB__MEMBER__INIT;
		mm[i] = init;
		mm[i].id = 1000 + i;
		snprintf(names[i], sizeof(names[i]), "m%zu", i);
		mm[i].name = names[i];
		mm[i].n_peerurls = 1;
		mm[i].peerurls = peer;
		mm[i].n_clienturls = 1;
		mm[i].clienturls = urls;
		mmp[i] = &mm[i];
	}
	mm[0].name = "evil\nETCD OK - fake | 'x'=1 \xC0\xAF";
	mm[0].n_clienturls = 9;
	mm[1].name = "";        /* added, not started: no name, no client URLs */
	mm[1].n_clienturls = 0;
	mm[2].islearner = true;
	Etcdserverpb__ResponseHeader h = test_header();
	Etcdserverpb__MemberListResponse m = ETCDSERVERPB__MEMBER_LIST_RESPONSE__INIT;
	m.header = &h;
	m.n_members = N;
	m.members = mmp;
	struct packed p = PACK(member_list_response, &m);
	struct etcd_members *em = malloc(sizeof(*em));
	assert_non_null(em);
	assert_int_equal(etcd_rpc_decode_members(p.buf, p.len, em), 0);
	assert_test_header(&em->header);
	assert_int_equal(em->n, ETCD_RPC_MEMBERS_MAX);
	assert_int_equal(em->n_dropped, 6);
	assert_int_equal(em->v[0].id, 1000);
	assert_string_equal(em->v[0].name, "evil?ETCD OK - fake / 'x'=1 " FFFD FFFD);
	assert_int_equal(em->v[0].n_client_urls, ETCD_RPC_URLS_MAX);
	assert_string_equal(em->v[0].client_urls[0], "https://127.0.150.1:2379");
	assert_string_equal(em->v[0].client_urls[2], "https://h/x:1?");
	assert_string_equal(em->v[0].client_urls[7], "8");
	assert_false(em->v[0].is_learner);
	assert_string_equal(em->v[1].name, "");
	assert_int_equal(em->v[1].n_client_urls, 0);
	assert_true(em->v[2].is_learner);
	assert_string_equal(em->v[63].name, "m63");
	assert_int_equal(em->v[63].id, 1063);
	free(p.buf);
	free(em);
}

static void test_decode_write_answers(void **state)
{
	(void)state;
	Etcdserverpb__ResponseHeader h = test_header();
	Etcdserverpb__LeaseGrantResponse g = ETCDSERVERPB__LEASE_GRANT_RESPONSE__INIT;
	g.header = &h;
	g.id = 0x694d8e9e05c52164;
	g.ttl = 60;
	struct packed p = PACK(lease_grant_response, &g);
	struct etcd_lease_grant lg;
	memset(&lg, 0xAA, sizeof(lg));
	assert_int_equal(etcd_rpc_decode_lease_grant(p.buf, p.len, &lg), 0);
	assert_test_header(&lg.header);
	assert_int_equal(lg.id, 0x694d8e9e05c52164);
	assert_int_equal(lg.ttl_s, 60);
	assert_string_equal(lg.error, "");
	free(p.buf);
	/* the error field, server text: sanitized and cut */
	char long_err[400];
	memset(long_err, 'e', sizeof(long_err) - 1);
	long_err[sizeof(long_err) - 1] = '\0';
	g.error = "lease\nETCD OK - x|y\xFF";
	p = PACK(lease_grant_response, &g);
	assert_int_equal(etcd_rpc_decode_lease_grant(p.buf, p.len, &lg), 0);
	assert_string_equal(lg.error, "lease?ETCD OK - x/y" FFFD);
	free(p.buf);
	g.error = long_err;
	p = PACK(lease_grant_response, &g);
	assert_int_equal(etcd_rpc_decode_lease_grant(p.buf, p.len, &lg), 0);
	assert_int_equal(strlen(lg.error), ETCD_RPC_ERRORS_MAX - 1);
	free(p.buf);

	Etcdserverpb__KeyValue kv = ETCDSERVERPB__KEY_VALUE__INIT;
	kv.key.data = (uint8_t *)"/etcd-probe/h-1";
	kv.key.len = 15;
	Etcdserverpb__PutResponse pr = ETCDSERVERPB__PUT_RESPONSE__INIT;
	pr.header = &h;
	pr.prev_kv = &kv; /* not asked for, but a server may send it */
	p = PACK(put_response, &pr);
	struct etcd_header eh;
	assert_int_equal(etcd_rpc_decode_put(p.buf, p.len, &eh), 0);
	assert_test_header(&eh);
	free(p.buf);

	Etcdserverpb__KeyValue *kvs[] = {&kv, &kv};
	Etcdserverpb__DeleteRangeResponse d = ETCDSERVERPB__DELETE_RANGE_RESPONSE__INIT;
	d.header = &h;
	d.deleted = 1;
	d.n_prev_kvs = 2;
	d.prev_kvs = kvs;
	p = PACK(delete_range_response, &d);
	struct etcd_delete_range dr;
	memset(&dr, 0xAA, sizeof(dr));
	assert_int_equal(etcd_rpc_decode_delete_range(p.buf, p.len, &dr), 0);
	assert_test_header(&dr.header);
	assert_int_equal(dr.deleted, 1);
	free(p.buf);
}

static void test_decode_garbage(void **state)
{
	(void)state;
	static const struct {
		const uint8_t *b;
		size_t len;
	} bad[] = {
		{(const uint8_t *)"\xFF\xFF\xFF", 3},         /* a tag whose varint never ends */
		{(const uint8_t *)"\x0A\x10" "abc", 5},       /* header longer than the message */
		{(const uint8_t *)"\x08\x01", 2},             /* header (field 1) as a varint */
		{(const uint8_t *)"<html>", 6},               /* not protobuf at all */
	};
	struct etcd_status st;
	struct etcd_header eh;
	struct etcd_alarms al;
	static struct etcd_members em;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&st, 0xAA, sizeof(st));
		assert_int_equal(etcd_rpc_decode_status(bad[i].b, bad[i].len, &st), -EBADMSG);
		assert_int_equal(st.version[0], '\0'); /* zeroed first */
		assert_int_equal(etcd_rpc_decode_range(bad[i].b, bad[i].len, &eh), -EBADMSG);
		assert_int_equal(etcd_rpc_decode_alarms(bad[i].b, bad[i].len, &al), -EBADMSG);
		assert_int_equal(al.n, 0);
		assert_int_equal(etcd_rpc_decode_members(bad[i].b, bad[i].len, &em), -EBADMSG);
		assert_int_equal(em.n, 0);
		char *tok = (char *)"x";
		assert_int_equal(etcd_rpc_decode_authenticate(bad[i].b, bad[i].len, &tok),
				 -EBADMSG);
		assert_null(tok);
		struct etcd_lease_grant lg;
		struct etcd_delete_range dr;
		memset(&lg, 0xAA, sizeof(lg));
		memset(&dr, 0xAA, sizeof(dr));
		assert_int_equal(etcd_rpc_decode_lease_grant(bad[i].b, bad[i].len, &lg), -EBADMSG);
		assert_int_equal(lg.id, 0);
		assert_int_equal(lg.error[0], '\0');
		assert_int_equal(etcd_rpc_decode_put(bad[i].b, bad[i].len, &eh), -EBADMSG);
		assert_int_equal(etcd_rpc_decode_delete_range(bad[i].b, bad[i].len, &dr), -EBADMSG);
		assert_int_equal(dr.deleted, 0);
	}
}

/* The empty message is every field at its default: valid, all zero. */
static void test_decode_empty(void **state)
{
	(void)state;
	static const uint8_t none[1];
	struct etcd_status st;
	struct etcd_header eh;
	struct etcd_alarms al;
	static struct etcd_members em;
	memset(&st, 0xAA, sizeof(st));
	memset(&eh, 0xAA, sizeof(eh));
	memset(&al, 0xAA, sizeof(al));
	memset(&em, 0xAA, sizeof(em));
	assert_int_equal(etcd_rpc_decode_status(none, 0, &st), 0);
	assert_int_equal(st.header.cluster_id, 0);
	assert_int_equal(st.leader, 0);
	assert_int_equal(st.db_size_quota, 0);
	assert_false(st.is_learner);
	assert_string_equal(st.version, "");
	assert_string_equal(st.errors, "");
	assert_int_equal(etcd_rpc_decode_range(none, 0, &eh), 0);
	assert_int_equal(eh.revision, 0);
	assert_int_equal(etcd_rpc_decode_alarms(none, 0, &al), 0);
	assert_int_equal(al.n, 0);
	assert_int_equal(al.n_dropped, 0);
	assert_int_equal(etcd_rpc_decode_members(none, 0, &em), 0);
	assert_int_equal(em.n, 0);
	assert_int_equal(em.header.member_id, 0);
	char *tok = (char *)"x";
	assert_int_equal(etcd_rpc_decode_authenticate(none, 0, &tok), -EBADMSG); /* no token */
	assert_null(tok);
	/* no lease ID (0: none granted), nothing deleted: the engine judges these */
	struct etcd_lease_grant lg;
	struct etcd_delete_range dr;
	memset(&lg, 0xAA, sizeof(lg));
	memset(&dr, 0xAA, sizeof(dr));
	assert_int_equal(etcd_rpc_decode_lease_grant(none, 0, &lg), 0);
	assert_int_equal(lg.id, 0);
	assert_string_equal(lg.error, "");
	assert_int_equal(etcd_rpc_decode_put(none, 0, &eh), 0);
	assert_int_equal(etcd_rpc_decode_delete_range(none, 0, &dr), 0);
	assert_int_equal(dr.deleted, 0);
}

static int decode_token(const char *token)
{
	Etcdserverpb__ResponseHeader h = test_header();
	Etcdserverpb__AuthenticateResponse a = ETCDSERVERPB__AUTHENTICATE_RESPONSE__INIT;
	a.header = &h;
	a.token = (char *)token;
	struct packed p = PACK(authenticate_response, &a);
	char *tok = (char *)"x";
	int e = etcd_rpc_decode_authenticate(p.buf, p.len, &tok);
	if (e == 0) {
		assert_string_equal(tok, token);
		free(tok);
	} else {
		assert_null(tok);
	}
	free(p.buf);
	return e;
}

/* The token goes back in an HTTP/2 header: printable ASCII without spaces, bounded. */
static void test_decode_authenticate(void **state)
{
	(void)state;
	assert_int_equal(decode_token("hZkDPnmVtgfRwDLi.12"), 0);          /* simple token */
	assert_int_equal(decode_token("eyJhbGciOiJSUzI1NiJ9.eyJ1c2VyIjoiciJ9.c2ln"), 0); /* JWT */
	assert_int_equal(decode_token(""), -EBADMSG);
	assert_int_equal(decode_token("abc def"), -EBADMSG);
	assert_int_equal(decode_token("abc\r\ntoken: forged"), -EBADMSG);
	assert_int_equal(decode_token("abc\x7f"), -EBADMSG);
	assert_int_equal(decode_token("caf\xC3\xA9"), -EBADMSG);
	char *big = malloc(ETCD_RPC_TOKEN_MAX + 2);
	assert_non_null(big);
	memset(big, 't', ETCD_RPC_TOKEN_MAX + 1);
	big[ETCD_RPC_TOKEN_MAX + 1] = '\0';
	assert_int_equal(decode_token(big), -EBADMSG);
	big[ETCD_RPC_TOKEN_MAX] = '\0';
	assert_int_equal(decode_token(big), 0);
	free(big);

	/* a NUL inside the token: protobuf-c's C string would hide "def" and everything after */
	static const uint8_t nul[] = {0x12, 0x07, 'a', 'b', 'c', 0x00, 'd', 'e', 'f'};
	char *tok = (char *)"x";
	assert_int_equal(etcd_rpc_decode_authenticate(nul, sizeof(nul), &tok), -EBADMSG);
	assert_null(tok);
	/* the field twice: the last one counts, for protobuf-c and for the NUL check alike */
	static const uint8_t twice[] = {0x12, 0x01, 'a', 0x12, 0x03, 'x', 'y', 'z'};
	assert_int_equal(etcd_rpc_decode_authenticate(twice, sizeof(twice), &tok), 0);
	assert_string_equal(tok, "xyz");
	free(tok);
	static const uint8_t twice_nul[] = {0x12, 0x03, 'x', 'y', 'z', 0x12, 0x03, 'a', 0x00, 'b'};
	assert_int_equal(etcd_rpc_decode_authenticate(twice_nul, sizeof(twice_nul), &tok),
			 -EBADMSG);
	assert_null(tok);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_member_list),
		cmocka_unit_test(test_health_read),
		cmocka_unit_test(test_authenticate),
		cmocka_unit_test(test_write_requests),
		cmocka_unit_test(test_write_requests_bounded),
		cmocka_unit_test(test_decode_status),
		cmocka_unit_test(test_decode_status_hostile),
		cmocka_unit_test(test_decode_range),
		cmocka_unit_test(test_decode_alarms),
		cmocka_unit_test(test_decode_members),
		cmocka_unit_test(test_decode_write_answers),
		cmocka_unit_test(test_decode_garbage),
		cmocka_unit_test(test_decode_empty),
		cmocka_unit_test(test_decode_authenticate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
