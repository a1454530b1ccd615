/* test_etcd_rpc.c: method paths and the exact bytes of the requests the checks send
 * (ETCD_FACTS.md: Range{key:"health"} is 0a 06 68 65 61 6c 74 68). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto/etcd_rpc.h"

static void test_paths(void **state)
{
	(void)state;
	assert_string_equal(etcd_rpc_path(ETCD_RPC_STATUS), "/etcdserverpb.Maintenance/Status");
	assert_string_equal(etcd_rpc_path(ETCD_RPC_ALARM), "/etcdserverpb.Maintenance/Alarm");
	assert_string_equal(etcd_rpc_path(ETCD_RPC_RANGE), "/etcdserverpb.KV/Range");
	assert_string_equal(etcd_rpc_path(ETCD_RPC_MEMBER_LIST), "/etcdserverpb.Cluster/MemberList");
	assert_string_equal(etcd_rpc_path(ETCD_RPC_AUTHENTICATE), "/etcdserverpb.Auth/Authenticate");
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_member_list),
		cmocka_unit_test(test_health_read),
		cmocka_unit_test(test_authenticate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
