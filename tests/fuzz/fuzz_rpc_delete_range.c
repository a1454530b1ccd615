/* fuzz_rpc_delete_range: etcd_rpc_decode_delete_range on arbitrary bytes. */
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
	struct etcd_delete_range d;
	int e = etcd_rpc_decode_delete_range(msg, size, &d);
	if (e != 0 && e != -EBADMSG && e != -ENOMEM)
		abort();
	if (e != 0 && (d.deleted || d.header.cluster_id || d.header.revision))
		abort();
	free(msg);
	return 0;
}
