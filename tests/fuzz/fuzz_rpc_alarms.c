/* fuzz_rpc_alarms: etcd_rpc_decode_alarms on arbitrary bytes: bounded, no duplicate kept. */
#include <errno.h>
#include <stdlib.h>

#include "proto/etcd_rpc.h"
#include "tests/fuzz/fuzz_clean.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *msg = fuzz_copy(data, size);
	if (!msg)
		return 0;
	struct etcd_alarms al;
	int e = etcd_rpc_decode_alarms(msg, size, &al);
	if (e != 0 && e != -EBADMSG && e != -ENOMEM)
		abort();
	if (al.n > ETCD_RPC_ALARMS_MAX || (al.n_dropped && al.n != ETCD_RPC_ALARMS_MAX))
		abort();
	if (e != 0 && (al.n || al.n_dropped))
		abort();
	for (size_t i = 0; i < al.n; i++)
		for (size_t j = 0; j < i; j++)
			if (al.v[i].member_id == al.v[j].member_id && al.v[i].type == al.v[j].type)
				abort();
	free(msg);
	return 0;
}
