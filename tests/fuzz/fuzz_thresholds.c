/* fuzz_thresholds: the -w/-c parser (thresholds_parse) and single Nagios ranges (nrange_parse). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe/thresholds.h"
#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	if (!text)
		return 0;

	struct thresholds t;
	char err[128];
	thresholds_defaults(&t);
	if (thresholds_parse(&t, text, size & 1, err, sizeof(err)) == 0) {
		static const double values[] = {-1e300, -1, 0, 0.5, 7, 30, 95, 1e300};
		for (int m = 0; m < METRIC_COUNT; m++)
			for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
				(void)thresholds_check(&t, (enum metric)m, values[i]);
	} else if (strlen(err) >= sizeof(err)) {
		abort();
	}
	struct nrange r;
	if (nrange_parse(text, &r) == 0) {
		(void)nrange_alerts(&r, 0);
		(void)nrange_alerts(&r, 1e9);
		if (strlen(r.text) >= sizeof(r.text))
			abort();
	}
	free(text);
	return 0;
}
