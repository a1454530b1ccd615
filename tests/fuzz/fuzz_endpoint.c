/* fuzz_endpoint: endpoint_parse and endpoint_parse_list on arbitrary URL text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/endpoint.h"
#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	if (!text)
		return 0;
	struct endpoint ep, list[8];
	char err[128];
	if (endpoint_parse(text, size & 1, &ep, err, sizeof(err)) == 0) {
		if (strnlen(ep.url, sizeof(ep.url)) == sizeof(ep.url) ||
		    strnlen(ep.host, sizeof(ep.host)) == sizeof(ep.host) ||
		    strnlen(ep.port, sizeof(ep.port)) == sizeof(ep.port))
			abort();
	}
	int n = endpoint_parse_list(text, true, list, 8, err, sizeof(err));
	if (n > 8)
		abort();
	free(text);
	return 0;
}
