/* fuzz_rpc_authenticate: etcd_rpc_decode_authenticate on arbitrary bytes: a token comes out
 * only non-empty, bounded and of bytes 0x21..0x7e (it goes into an HTTP/2 header). It is not
 * report text, so '|' is allowed in it: it is never printed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proto/etcd_rpc.h"
#include "tests/fuzz/fuzz_clean.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *msg = fuzz_copy(data, size);
	if (!msg)
		return 0;
	char *tok = (char *)"unset";
	int e = etcd_rpc_decode_authenticate(msg, size, &tok);
	if (e != 0 && e != -EBADMSG && e != -ENOMEM)
		abort();
	if (e != 0) {
		if (tok)
			abort();
	} else {
		size_t n = strlen(tok);
		if (n == 0 || n > ETCD_RPC_TOKEN_MAX)
			abort();
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)tok[i] < 0x21 || (unsigned char)tok[i] > 0x7e)
				abort();
		free(tok);
	}
	free(msg);
	return 0;
}
