/* fuzz_pb_responses: protobuf-c decoding of every etcd response type the probe unpacks. */
#include <stddef.h>
#include <stdint.h>

#include "etcd.pb-c.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Etcdserverpb__StatusResponse *s = etcdserverpb__status_response__unpack(NULL, size, data);
	etcdserverpb__status_response__free_unpacked(s, NULL);
	Etcdserverpb__AlarmResponse *a = etcdserverpb__alarm_response__unpack(NULL, size, data);
	etcdserverpb__alarm_response__free_unpacked(a, NULL);
	Etcdserverpb__MemberListResponse *m =
		etcdserverpb__member_list_response__unpack(NULL, size, data);
	etcdserverpb__member_list_response__free_unpacked(m, NULL);
	Etcdserverpb__RangeResponse *r = etcdserverpb__range_response__unpack(NULL, size, data);
	etcdserverpb__range_response__free_unpacked(r, NULL);
	Etcdserverpb__AuthenticateResponse *au =
		etcdserverpb__authenticate_response__unpack(NULL, size, data);
	etcdserverpb__authenticate_response__free_unpacked(au, NULL);
	return 0;
}
