/* fuzz_rpc_put: etcd_rpc_decode_put on arbitrary bytes. */
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
	struct etcd_header h;
	int e = etcd_rpc_decode_put(msg, size, &h);
	if (e != 0 && e != -EBADMSG && e != -ENOMEM)
		abort();
	if (e != 0 && (h.cluster_id || h.member_id || h.revision || h.raft_term))
		abort();
	free(msg);
	return 0;
}
