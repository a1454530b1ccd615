/* fuzz_rpc_lease_grant: etcd_rpc_decode_lease_grant on arbitrary bytes; its error string comes
 * out clean. */
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
	struct etcd_lease_grant g;
	int e = etcd_rpc_decode_lease_grant(msg, size, &g);
	if (e != 0 && e != -EBADMSG && e != -ENOMEM)
		abort();
	/* zeroed first: the string is valid on failure too */
	fuzz_assert_clean(g.error, sizeof(g.error));
	if (e != 0 && (g.error[0] || g.id || g.ttl_s || g.header.cluster_id))
		abort();
	free(msg);
	return 0;
}
