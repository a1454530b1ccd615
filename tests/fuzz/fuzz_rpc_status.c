/* fuzz_rpc_status: etcd_rpc_decode_status on arbitrary bytes; the strings come out clean. */
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
	struct etcd_status st;
	int e = etcd_rpc_decode_status(msg, size, &st);
	if (e != 0 && e != -EBADMSG && e != -ENOMEM)
		abort();
	/* zeroed first: the strings are valid on failure too */
	fuzz_assert_clean(st.version, sizeof(st.version));
	fuzz_assert_clean(st.errors, sizeof(st.errors));
	if (e != 0 && (st.version[0] || st.errors[0] || st.leader || st.header.cluster_id))
		abort();
	free(msg);
	return 0;
}
