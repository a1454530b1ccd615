/* config.h: learn an etcd member's configuration from its systemd unit, environment files
 * (Debian's /etc/default/etcd) and etcd's YAML --config-file. */
#ifndef DIAG_CONFIG_H
#define DIAG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_PATH_LEN 512
#define CONFIG_URLS_LEN 1024
#define CONFIG_ENV_MAX 64
#define CONFIG_ENV_FILES_MAX 8

/* What etcd-diag needs to know about the member; empty strings when not configured. */
struct diag_config {
	char name[128];
	char data_dir[CONFIG_PATH_LEN];
	char cert_file[CONFIG_PATH_LEN];
	char key_file[CONFIG_PATH_LEN];
	char trusted_ca_file[CONFIG_PATH_LEN];
	bool client_cert_auth;
	char peer_cert_file[CONFIG_PATH_LEN];
	char peer_key_file[CONFIG_PATH_LEN];
	char peer_trusted_ca_file[CONFIG_PATH_LEN];
	bool peer_client_cert_auth;
	char listen_client_urls[CONFIG_URLS_LEN];
	char advertise_client_urls[CONFIG_URLS_LEN];
	char listen_peer_urls[CONFIG_URLS_LEN];
	char initial_advertise_peer_urls[CONFIG_URLS_LEN];
	char initial_cluster[CONFIG_URLS_LEN];
	char initial_cluster_state[32];
	char initial_cluster_token[128];
	char config_file[CONFIG_PATH_LEN]; /* --config-file named by the command line or env */
	char sources[CONFIG_URLS_LEN];     /* where the values came from, for the report */
};

/* Environment variables, in order of assignment (later wins on lookup). */
struct diag_env {
	size_t n;
	struct {
		char key[64];
		char val[CONFIG_URLS_LEN];
	} v[CONFIG_ENV_MAX];
};

/* What a systemd unit says about the service (the [Service] section). */
struct diag_unit {
	char exec_start[4096]; /* the last ExecStart=, continuations joined */
	struct diag_env env;   /* Environment= assignments */
	size_t n_env_files;
	struct {
		char path[CONFIG_PATH_LEN];
		bool optional; /* "EnvironmentFile=-/path": a missing file is not an error */
	} env_files[CONFIG_ENV_FILES_MAX];
};

/* Pure parsers (text in, struct out). Return 0 or -EINVAL (malformed), -E2BIG (limits). */
int config_env_parse(const char *text, struct diag_env *env);
int config_unit_parse(const char *text, struct diag_unit *ret);
/* Looks up a variable; NULL when unset. */
const char *config_env_get(const struct diag_env *env, const char *key);
/* Sets (or appends) a variable. */
int config_env_set(struct diag_env *env, const char *key, const char *val);

/* Applies ETCD_* variables (etcd reads them when the flag is not given). */
void config_apply_env(struct diag_config *cfg, const struct diag_env *env);
/* Applies an ExecStart= command line: expands $VAR / ${VAR} from env (systemd splits
 * unbraced $VAR on whitespace), honours quotes, reads --flag=value and --flag value. */
int config_apply_cmdline(struct diag_config *cfg, const char *cmdline, const struct diag_env *env);
/* Applies etcd's YAML config file (flat keys plus client-/peer-transport-security maps). */
int config_apply_yaml(struct diag_config *cfg, const char *text);

/* Where to learn the configuration; NULL fields mean "the default place". */
struct config_sources {
	const char *unit_file;   /* default: /etc/systemd/system/etcd.service, then /lib/... */
	const char *env_file;    /* default: /etc/default/etcd */
	const char *config_file; /* default: --config-file / ETCD_CONFIG_FILE from the above */
};

/* Reads the files and fills *ret. Returns 0 (even when nothing was found: ret->sources says
 * so) or -errno for an explicitly named file that cannot be read (errbuf says which). */
int config_load(const struct config_sources *src, struct diag_config *ret, char *errbuf,
		size_t errlen);

/* Host part of the first URL in a comma-separated list ("https://127.0.0.1:2380" ->
 * "127.0.0.1"); 0 or -EINVAL. */
int config_url_host(const char *urls, size_t index, char *out, size_t cap);

#endif
