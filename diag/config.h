/* config.h: what etcd-diag knows of the member's configuration, merged from whatever the host has
 * (a systemd unit over D-Bus or as files with drop-ins, Debian's /etc/default/etcd, etcd's YAML
 * --config-file, a kubeadm static pod manifest), with where each setting came from. The parsers
 * of each source are in config_env.h, config_unit.h, config_yaml.h, config_manifest.h and
 * config_sdbus.h; this module holds the settings table, the merge and the provenance. */
#ifndef DIAG_CONFIG_H
#define DIAG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_PATH_LEN 512
#define CONFIG_URLS_LEN 1024
#define CONFIG_SOURCES_MAX 16 /* files (and the D-Bus unit) a configuration was read from */
#define CONFIG_SETTINGS_MAX 24
#define CONFIG_PEERS_MAX 16

/* How the member is deployed, as far as the host says. */
enum config_deployment {
	CONFIG_DEPLOY_NONE = 0,
	CONFIG_DEPLOY_SDBUS,     /* systemd's merged unit, read over D-Bus */
	CONFIG_DEPLOY_UNIT_FILE, /* a unit file (and its drop-ins) */
	CONFIG_DEPLOY_MANIFEST,  /* a kubeadm static pod manifest */
	CONFIG_DEPLOY_CONFIG_FILE, /* only etcd's --config-file */
	CONFIG_DEPLOY_ENV_FILE,  /* only an environment file (Debian's /etc/default/etcd) */
};
const char *config_deployment_str(enum config_deployment d);

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
	/* kubeadm's healthcheck-client pair beside the server certificate (empty elsewhere) */
	char healthcheck_cert_file[CONFIG_PATH_LEN];
	char healthcheck_key_file[CONFIG_PATH_LEN];
	/* who the unit runs etcd as: User= (root when the unit has none) and Group= (else that
	 * user's own group, when this host knows the user); "" when no unit was read */
	char unit_user[64];
	char unit_group[64];

	/* provenance */
	enum config_deployment deployment;
	char deployment_path[CONFIG_PATH_LEN]; /* the unit, manifest or file that says it */
	size_t n_dropins;                      /* drop-ins merged into the unit */
	size_t n_sources;
	char sources[CONFIG_SOURCES_MAX][CONFIG_PATH_LEN];
	unsigned char origin[CONFIG_SETTINGS_MAX]; /* per setting: 0 unset, else sources index+1 */
	unsigned char cur_source;                  /* what the setters record (index+1, 0 none) */
	char note[384]; /* what could not be read on the way ("cannot read F (run as root ...)") */
};

/* --initial-cluster "name=url,name=url": one pair per member (a name may repeat, once per URL). */
struct config_peer {
	char name[128];
	char url[256];
};
/* Parses an --initial-cluster value into at most max pairs; returns how many. Items that are no
 * "name=url" (or too long, or beyond max) are skipped and counted in *ret_skipped (may be NULL).
 * The one place the format is read. */
int config_initial_cluster_parse(const char *s, struct config_peer *ret, size_t max,
				 size_t *ret_skipped);

/* The settings table (flag, YAML place, field). Index i in [0, config_setting_count()). */
size_t config_setting_count(void);
const char *config_setting_flag(size_t i);
/* Index of the setting named by a flag ("cert-file", n bytes), or -1. */
int config_setting_by_flag(const char *flag, size_t n);
/* Index of the setting at a YAML key (section NULL: top level), or -1. */
int config_setting_by_yaml(const char *section, const char *key);
bool config_setting_is_bool(size_t i);
/* Sets setting i from text (booleans as Go's strconv.ParseBool reads flags); records
 * cfg->cur_source as its origin. 0, -EINVAL (not a boolean), -E2BIG (too long for the field). */
int config_setting_set(struct diag_config *cfg, size_t i, const char *val);
/* Sets a boolean setting (YAML gives typed booleans). */
void config_setting_set_bool(struct diag_config *cfg, size_t i, bool v);
/* Forgets every setting (etcd ignores flags and variables once --config-file is given). */
void config_settings_clear(struct diag_config *cfg);

/* Adds a source (a path, or "D-Bus etcd.service") and makes it the current one. Returns its
 * index+1 (for the per-variable origins of struct diag_env), or 0 when the list is full. */
unsigned char config_source_add(struct diag_config *cfg, const char *what);

/* Applies an etcd command line already split into words (argv[0] the binary): --flag=value,
 * --flag value, -flag, and a bare boolean flag as true (Go's flag package). Unknown flags are
 * skipped. Returns 0 or the first error (-EINVAL: a value missing or not a boolean). */
int config_apply_argv(struct diag_config *cfg, const char *const *argv, size_t argc);

/* "deployment: unit file F + 2 drop-ins; name, data-dir from F; cert-file from G" in out (cap
 * bytes, cut with "..." when it does not fit). */
void config_describe(const struct diag_config *cfg, char *out, size_t cap);

/* Where to learn the configuration; NULL fields mean "the default place". */
struct config_sources {
	const char *unit_file;   /* default: systemd over D-Bus, else /etc/systemd/system/etcd.service,
				    then /lib/..., /usr/lib/... (each with its etcd.service.d/) */
	const char *env_file;    /* default: /etc/default/etcd */
	const char *config_file; /* default: --config-file / ETCD_CONFIG_FILE from the above */
	const char *manifest;    /* default: /etc/kubernetes/manifests/etcd.yaml when present */
	const char *unit_name;   /* default: etcd.service (--unit) */
};

/* Reads what the host has and fills *ret. Returns 0 (even when nothing was found: ret->deployment
 * is CONFIG_DEPLOY_NONE) or -errno for a file named on the command line, or one the configuration
 * needs, that cannot be read or parsed (errbuf: one line naming the file, and the line in it).
 * For tests, ETCD_DIAG_ROOT=DIR makes the default paths DIR/etc/... and leaves D-Bus alone. */
int config_load(const struct config_sources *src, struct diag_config *ret, char *errbuf,
		size_t errlen);

/* Host part of the index-th URL in a comma-separated list ("https://127.0.0.1:2380" ->
 * "127.0.0.1"); 0 or -EINVAL. */
int config_url_host(const char *urls, size_t index, char *out, size_t cap);

/* One line for a file that could not be read: "cannot read F (run as root or as a member of
 * group etcd)" for EACCES/EPERM, "F does not exist", or "cannot read F: strerror". */
void config_read_error(const char *what, const char *path, int err, char *out, size_t cap);
/* The same, naming group (the unit's Group=, when known) where the file's own cannot be seen. */
void config_read_error_as(const char *what, const char *path, int err, const char *group,
			  char *out, size_t cap);

#endif
