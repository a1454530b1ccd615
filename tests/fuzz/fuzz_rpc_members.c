/* fuzz_rpc_members: etcd_rpc_decode_members on arbitrary bytes: bounded counts, clean names
 * and URLs. */
#include <errno.h>
#include <stdlib.h>

#include "proto/etcd_rpc.h"
#include "tests/fuzz/fuzz_clean.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *msg = fuzz_copy(data, size);
	struct etcd_members *m = malloc(sizeof(*m));
	if (!msg || !m) {
		free(msg);
		free(m);
		return 0;
	}
	int e = etcd_rpc_decode_members(msg, size, m);
	if (e != 0 && e != -EBADMSG && e != -ENOMEM)
		abort();
	if (m->n > ETCD_RPC_MEMBERS_MAX || (m->n_dropped && m->n != ETCD_RPC_MEMBERS_MAX))
		abort();
	if (e != 0 && (m->n || m->n_dropped || m->header.cluster_id))
		abort();
	for (size_t i = 0; i < m->n; i++) {
		const struct etcd_member *em = &m->v[i];
		fuzz_assert_clean(em->name, sizeof(em->name));
		if (em->n_client_urls > ETCD_RPC_URLS_MAX)
			abort();
		for (size_t u = 0; u < em->n_client_urls; u++)
			fuzz_assert_clean(em->client_urls[u], sizeof(em->client_urls[u]));
	}
	free(msg);
	free(m);
	return 0;
}
