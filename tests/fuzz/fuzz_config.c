/* fuzz_config: etcd-diag's unit-file, environment-file, ExecStart, YAML and kubeadm manifest
 * parsers. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag/config.h"
#include "diag/config_env.h"
#include "diag/config_manifest.h"
#include "diag/config_unit.h"
#include "diag/config_yaml.h"
#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	if (!text)
		return 0;

	struct diag_env *env = calloc(1, sizeof(*env));
	struct diag_unit *unit = calloc(1, sizeof(*unit));
	struct diag_config *cfg = calloc(1, sizeof(*cfg));
	if (env && unit && cfg) {
		if (config_env_parse(text, env) == 0)
			config_apply_env(cfg, env);
		(void)config_unit_parse(text, unit);
		(void)config_apply_cmdline(cfg, text, &unit->env, 0);
		struct config_error e;
		(void)config_yaml_parse(text, strlen(text), cfg, &e);
		struct config_manifest *m = calloc(1, sizeof(*m));
		if (m && config_manifest_parse(text, strlen(text), m, &e) == 0)
			(void)config_manifest_apply(m, cfg);
		free(m);
		struct config_peer peers[CONFIG_PEERS_MAX];
		(void)config_initial_cluster_parse(text, peers, CONFIG_PEERS_MAX, NULL);
		char desc[256];
		config_describe(cfg, desc, sizeof(desc));
		char host[64];
		(void)config_url_host(text, 0, host, sizeof(host));
		(void)config_url_host(text, 1, host, sizeof(host));
	}
	free(cfg);
	free(unit);
	free(env);
	free(text);
	return 0;
}
