/* config.c: the settings table, the merge of what the host has (systemd over D-Bus, unit file and
 * drop-ins, env file, etcd's --config-file, kubeadm manifest) and where each setting came from. */
#include "diag/config.h"

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag/access_hint.h"
#include "diag/config_env.h"
#include "diag/config_manifest.h"
#include "diag/config_sdbus.h"
#include "diag/config_unit.h"
#include "diag/config_yaml.h"
#include "diag/text.h"
#include "proto/regfile.h"

#define CONFIG_TEXT_MAX (1u << 20) /* an etcd unit, config or manifest is never this large */

enum setting_kind { SET_STR, SET_BOOL };

/* One etcd setting: its flag (also the YAML key and, upper-cased, the ETCD_* variable), the
 * YAML map it lives in for TLS settings, and where it goes. */
struct setting {
	const char *flag;
	const char *yaml_section; /* NULL: top level */
	const char *yaml_key;     /* NULL: not in the YAML file */
	enum setting_kind kind;
	size_t off;
	size_t cap;
};

#define STR(f, sec, key, field)                                                               \
	{f, sec, key, SET_STR, offsetof(struct diag_config, field),                           \
	 sizeof(((struct diag_config *)0)->field)}
#define BOOL(f, sec, key, field)                                                              \
	{f, sec, key, SET_BOOL, offsetof(struct diag_config, field), 0}

static const struct setting setting_table[] = {
	STR("name", NULL, "name", name),
	STR("data-dir", NULL, "data-dir", data_dir),
	STR("cert-file", "client-transport-security", "cert-file", cert_file),
	STR("key-file", "client-transport-security", "key-file", key_file),
	STR("trusted-ca-file", "client-transport-security", "trusted-ca-file", trusted_ca_file),
	BOOL("client-cert-auth", "client-transport-security", "client-cert-auth",
	     client_cert_auth),
	STR("peer-cert-file", "peer-transport-security", "cert-file", peer_cert_file),
	STR("peer-key-file", "peer-transport-security", "key-file", peer_key_file),
	STR("peer-trusted-ca-file", "peer-transport-security", "trusted-ca-file",
	    peer_trusted_ca_file),
	BOOL("peer-client-cert-auth", "peer-transport-security", "client-cert-auth",
	     peer_client_cert_auth),
	STR("listen-client-urls", NULL, "listen-client-urls", listen_client_urls),
	STR("advertise-client-urls", NULL, "advertise-client-urls", advertise_client_urls),
	STR("listen-peer-urls", NULL, "listen-peer-urls", listen_peer_urls),
	STR("initial-advertise-peer-urls", NULL, "initial-advertise-peer-urls",
	    initial_advertise_peer_urls),
	STR("initial-cluster", NULL, "initial-cluster", initial_cluster),
	STR("initial-cluster-state", NULL, "initial-cluster-state", initial_cluster_state),
	STR("initial-cluster-token", NULL, "initial-cluster-token", initial_cluster_token),
	STR("config-file", NULL, NULL, config_file),
};

#define SETTING_COUNT (sizeof(setting_table) / sizeof(setting_table[0]))
_Static_assert(SETTING_COUNT <= CONFIG_SETTINGS_MAX, "CONFIG_SETTINGS_MAX too small");

static const char *const deployment_names[] = {
	[CONFIG_DEPLOY_NONE] = "none",
	[CONFIG_DEPLOY_SDBUS] = "systemd unit over D-Bus",
	[CONFIG_DEPLOY_UNIT_FILE] = "unit file",
	[CONFIG_DEPLOY_MANIFEST] = "kubeadm static pod manifest",
	[CONFIG_DEPLOY_CONFIG_FILE] = "config file",
	[CONFIG_DEPLOY_ENV_FILE] = "env file",
};

const char *config_deployment_str(enum config_deployment d)
{
	return (size_t)d < sizeof(deployment_names) / sizeof(deployment_names[0])
		       ? deployment_names[d]
		       : "none";
}

size_t config_setting_count(void)
{
	return SETTING_COUNT;
}

const char *config_setting_flag(size_t i)
{
	return i < SETTING_COUNT ? setting_table[i].flag : "";
}

bool config_setting_is_bool(size_t i)
{
	return i < SETTING_COUNT && setting_table[i].kind == SET_BOOL;
}

int config_setting_by_flag(const char *flag, size_t n)
{
	for (size_t i = 0; i < SETTING_COUNT; i++)
		if (strlen(setting_table[i].flag) == n && memcmp(setting_table[i].flag, flag, n) == 0)
			return (int)i;
	return -1;
}

int config_setting_by_yaml(const char *section, const char *key)
{
	for (size_t i = 0; i < SETTING_COUNT; i++) {
		const struct setting *s = &setting_table[i];
		if (!s->yaml_key || strcmp(s->yaml_key, key) != 0)
			continue;
		if ((section == NULL) != (s->yaml_section == NULL))
			continue;
		if (section && strcmp(section, s->yaml_section) != 0)
			continue;
		return (int)i;
	}
	return -1;
}

/* Booleans as etcd's flag package (Go's strconv.ParseBool) reads them; -EINVAL otherwise. */
static int parse_flag_bool(const char *v, bool *ret)
{
	static const char *const yes[] = {"true", "1", "t", "T", "TRUE", "True", NULL};
	static const char *const no[] = {"false", "0", "f", "F", "FALSE", "False", NULL};
	for (size_t i = 0; yes[i]; i++)
		if (strcmp(v, yes[i]) == 0) {
			*ret = true;
			return 0;
		}
	for (size_t i = 0; no[i]; i++)
		if (strcmp(v, no[i]) == 0) {
			*ret = false;
			return 0;
		}
	return -EINVAL;
}

void config_setting_set_bool(struct diag_config *cfg, size_t i, bool v)
{
	if (i >= SETTING_COUNT || setting_table[i].kind != SET_BOOL)
		return;
	*(bool *)((char *)cfg + setting_table[i].off) = v;
	cfg->origin[i] = cfg->cur_source;
}

int config_setting_set(struct diag_config *cfg, size_t i, const char *val)
{
	if (i >= SETTING_COUNT)
		return -EINVAL;
	const struct setting *s = &setting_table[i];
	char *base = (char *)cfg;
	if (s->kind == SET_BOOL) {
		bool b;
		if (parse_flag_bool(val, &b) < 0)
			return -EINVAL;
		config_setting_set_bool(cfg, i, b);
		return 0;
	}
	size_t n = strlen(val);
	if (n >= s->cap)
		return -E2BIG;
	text_copy(base + s->off, s->cap, val, n);
	cfg->origin[i] = cfg->cur_source;
	return 0;
}

void config_settings_clear(struct diag_config *cfg)
{
	for (size_t i = 0; i < SETTING_COUNT; i++) {
		const struct setting *s = &setting_table[i];
		if (s->kind == SET_BOOL)
			*(bool *)((char *)cfg + s->off) = false;
		else
			memset((char *)cfg + s->off, 0, s->cap);
		cfg->origin[i] = 0;
	}
}

unsigned char config_source_add(struct diag_config *cfg, const char *what)
{
	for (size_t i = 0; i < cfg->n_sources; i++)
		if (strcmp(cfg->sources[i], what) == 0)
			return cfg->cur_source = (unsigned char)(i + 1);
	if (cfg->n_sources >= CONFIG_SOURCES_MAX)
		return cfg->cur_source = 0;
	text_scopy(cfg->sources[cfg->n_sources], CONFIG_PATH_LEN, what);
	cfg->n_sources++;
	return cfg->cur_source = (unsigned char)cfg->n_sources;
}

int config_apply_argv(struct diag_config *cfg, const char *const *argv, size_t argc)
{
	int rc = 0;
	for (size_t i = 1; i < argc; i++) {
		const char *word = argv[i];
		if (word[0] != '-')
			continue;
		const char *f = word + 1 + (word[1] == '-');
		const char *eq = strchr(f, '=');
		size_t fl = eq ? (size_t)(eq - f) : strlen(f);
		int s = config_setting_by_flag(f, fl);
		if (s < 0)
			continue; /* etcd has many flags that diag does not need */
		int r;
		if (eq)
			r = config_setting_set(cfg, (size_t)s, eq + 1);
		else if (config_setting_is_bool((size_t)s))
			/* Go's flag package: a bare boolean flag is true; "--flag false" is not
			 * its value */
			r = config_setting_set(cfg, (size_t)s, "true");
		else if (i + 1 < argc)
			r = config_setting_set(cfg, (size_t)s, argv[++i]);
		else
			r = -EINVAL;
		if (r < 0 && rc == 0)
			rc = r;
	}
	return rc;
}

int config_initial_cluster_parse(const char *s, struct config_peer *ret, size_t max,
				 size_t *ret_skipped)
{
	size_t n = 0, skipped = 0;
	for (const char *p = s ? s : ""; *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		if (len == 0) {
			/* "a=u,,b=v": an empty item says nothing */
		} else if (!eq || eq == p || (size_t)(eq - p) >= sizeof(ret->name) ||
			   len - (size_t)(eq + 1 - p) >= sizeof(ret->url) || eq + 1 == p + len ||
			   n >= max) {
			skipped++;
		} else {
			text_copy(ret[n].name, sizeof(ret[n].name), p, (size_t)(eq - p));
			text_copy(ret[n].url, sizeof(ret[n].url), eq + 1, len - (size_t)(eq + 1 - p));
			n++;
		}
		p = e ? e + 1 : p + len;
	}
	if (ret_skipped)
		*ret_skipped = skipped;
	return (int)n;
}

int config_url_host(const char *urls, size_t index, char *out, size_t cap)
{
	const char *p = urls;
	for (size_t i = 0; p && i < index; i++) {
		p = strchr(p, ',');
		if (p)
			p++;
	}
	if (!p || !*p)
		return -EINVAL;
	const char *e = strchr(p, ',');
	size_t n = e ? (size_t)(e - p) : strlen(p);
	const char *h = memmem(p, n, "://", 3);
	h = h ? h + 3 : p;
	const char *end = p + n;
	const char *he;
	if (*h == '[') {
		h++;
		he = memchr(h, ']', (size_t)(end - h));
		if (!he)
			return -EINVAL;
	} else {
		he = h;
		while (he < end && *he != ':' && *he != '/')
			he++;
	}
	if (he == h || (size_t)(he - h) >= cap)
		return -EINVAL;
	text_copy(out, cap, h, (size_t)(he - h));
	return 0;
}

void config_read_error(const char *what, const char *path, int err, char *out, size_t cap)
{
	/* Debian's etcd files are root:etcd 0640 and the data etcd's own */
	config_read_error_as(what, path, err, "etcd", out, cap);
}

void config_read_error_as(const char *what, const char *path, int err, const char *group,
			  char *out, size_t cap)
{
	if (err == EACCES || err == EPERM) {
		char hint[160];
		access_hint(path, group && group[0] ? group : "etcd", hint, sizeof(hint));
		text_printf(out, cap, "cannot read %s %s (%s)", what, path, hint);
	} else if (err == ENOENT)
		text_printf(out, cap, "%s %s does not exist", what, path);
	else
		text_printf(out, cap, "cannot read %s %s: %s", what, path, strerror(err));
}

/* "; " between the parts of a bounded line; "..." when the line was full. */
static void describe_add(char *out, size_t cap, size_t *o, const char *fmt, const char *a,
			 const char *b)
{
	if (*o + 4 >= cap)
		return;
	int k = snprintf(out + *o, cap - *o, fmt, a, b);
	if (k < 0)
		return;
	if ((size_t)k >= cap - *o) {
		snprintf(out + cap - 4, 4, "...");
		*o = cap - 1;
		return;
	}
	*o += (size_t)k;
}

void config_describe(const struct diag_config *cfg, char *out, size_t cap)
{
	size_t o = 0;
	char drop[32] = "";
	if (!cap)
		return;
	out[0] = '\0';
	if (!cfg) {
		describe_add(out, cap, &o, "%s%s", "deployment: none", "");
		return;
	}
	if (cfg->n_dropins)
		snprintf(drop, sizeof(drop), " + %zu drop-in%s", cfg->n_dropins,
			 cfg->n_dropins == 1 ? "" : "s");
	describe_add(out, cap, &o, "deployment: %s%s", config_deployment_str(cfg->deployment),
		     cfg->deployment_path[0] ? " " : "");
	describe_add(out, cap, &o, "%s%s", cfg->deployment_path, drop);
	if (cfg->unit_user[0]) {
		char who[sizeof(cfg->unit_user) + sizeof(cfg->unit_group) + 2];
		snprintf(who, sizeof(who), "%s%s%s", cfg->unit_user, cfg->unit_group[0] ? ":" : "",
			 cfg->unit_group);
		describe_add(out, cap, &o, "%s%s", ", runs as ", who);
	}
	/* the settings grouped by where they came from, in the order of the sources */
	for (size_t s = 1; s <= cfg->n_sources; s++) {
		char names[512];
		size_t no = 0;
		names[0] = '\0';
		for (size_t i = 0; i < SETTING_COUNT; i++)
			if (cfg->origin[i] == s)
				describe_add(names, sizeof(names), &no, "%s%s", no ? ", " : "",
					     setting_table[i].flag);
		/* the deployment's own file is named once, at the front */
		bool self = strcmp(cfg->sources[s - 1], cfg->deployment_path) == 0;
		if (no)
			describe_add(out, cap, &o, "; %s from %s", names,
				     self ? "it" : cfg->sources[s - 1]);
	}
}

/* Reads a whole (small) file as text: 0 or -errno. */
static int read_text(const char *path, char **ret, size_t *ret_len)
{
	char err[64]; /* errno says it; the caller names the file */
	/* never blocks on a FIFO or device given as --unit-file/--config-file/--env-file */
	return regfile_read("file", path, CONFIG_TEXT_MAX, ret, ret_len, NULL, err, sizeof(err));
}

/* A default path under ETCD_DIAG_ROOT (for tests). */
static void rooted(const char *path, char *out, size_t cap)
{
	const char *root = getenv("ETCD_DIAG_ROOT");
	text_printf(out, cap, "%s%s", root && *root ? root : "", path);
}

static void note_add(struct diag_config *cfg, const char *line)
{
	size_t n = strlen(cfg->note);
	text_printf(cfg->note + n, sizeof(cfg->note) - n, "%s%s", n ? "; " : "", line);
}

/* The state of one config_load. */
struct loader {
	struct diag_config *cfg;
	struct diag_unit *unit;
	struct diag_env *env;
	bool have_unit;
	char *err;
	size_t errlen;
};

static int load_env_file(struct loader *l, const char *path, bool required)
{
	char *t = NULL;
	size_t n;
	int r = read_text(path, &t, &n);
	if (r < 0) {
		char line[CONFIG_PATH_LEN + 96];
		config_read_error_as("env file", path, -r, l->cfg->unit_group, line, sizeof(line));
		if (required)
			text_scopy(l->err, l->errlen, line);
		else if (r != -ENOENT)
			note_add(l->cfg, line);
		return r;
	}
	l->env->cur_source = config_source_add(l->cfg, path);
	(void)config_env_parse(t, l->env); /* a line that is no assignment: etcd's problem */
	free(t);
	return 0;
}

struct dropin {
	char name[256];
	char path[CONFIG_PATH_LEN + 256];
};

static int dropin_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dropin *)a)->name, ((const struct dropin *)b)->name);
}

/* Adds dir's *.conf to v: a name already there (from a directory of higher priority) masks it. */
static void dropins_scan(struct loader *l, const char *dir, struct dropin *v, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name), i;
		if (len < 6 || len >= sizeof(v->name) || strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		for (i = 0; i < *n && strcmp(v[i].name, de->d_name) != 0; i++)
			;
		if (i < *n)
			continue;
		if (*n >= CONFIG_DROPINS_MAX) {
			note_add(l->cfg, "more drop-ins than etcd-diag reads");
			break;
		}
		text_scopy(v[*n].name, sizeof(v->name), de->d_name);
		text_printf(v[*n].path, sizeof(v->path), "%s/%s", dir, de->d_name);
		(*n)++;
	}
	if (d)
		closedir(d);
}

/* A unit file, then its drop-ins in lexical order of their names, as systemd applies them: those
 * in NAME.d beside the file and, for a unit found in systemd's directories (unit_name given),
 * those of /etc, /run and /lib, in that priority. */
static int load_unit_file(struct loader *l, const char *path, const char *unit_name)
{
	static const char *const dirs[] = {"/etc/systemd/system/", "/run/systemd/system/",
					   "/lib/systemd/system/", "/usr/lib/systemd/system/"};
	char *t = NULL;
	size_t n;
	int r = read_text(path, &t, &n);
	if (r < 0) {
		config_read_error("unit file", path, -r, l->err, l->errlen);
		return r;
	}
	l->unit->env.cur_source = config_source_add(l->cfg, path);
	r = config_unit_parse(t, l->unit);
	free(t);
	if (r < 0) {
		text_printf(l->err, l->errlen, "cannot parse unit file %s: %s", path,
			    r == -E2BIG ? "a line or list over etcd-diag's limits"
					: "an Environment= that is no assignment");
		return r;
	}
	l->cfg->deployment = CONFIG_DEPLOY_UNIT_FILE;
	text_scopy(l->cfg->deployment_path, sizeof(l->cfg->deployment_path), path);

	struct dropin *v = calloc(CONFIG_DROPINS_MAX, sizeof(*v));
	size_t nd = 0;
	char dir[CONFIG_PATH_LEN + 64];
	if (!v)
		return -ENOMEM;
	if (unit_name) {
		for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
			char p[CONFIG_PATH_LEN];
			text_printf(p, sizeof(p), "%s%s.d", dirs[i], unit_name);
			rooted(p, dir, sizeof(dir));
			dropins_scan(l, dir, v, &nd);
		}
	} else {
		text_printf(dir, sizeof(dir), "%s.d", path);
		dropins_scan(l, dir, v, &nd);
	}
	qsort(v, nd, sizeof(*v), dropin_cmp);
	r = 0;
	for (size_t i = 0; i < nd && r == 0; i++) {
		r = read_text(v[i].path, &t, &n);
		if (r < 0) {
			config_read_error("drop-in", v[i].path, -r, l->err, l->errlen);
			break;
		}
		l->unit->env.cur_source = config_source_add(l->cfg, v[i].path);
		r = config_unit_parse_dropin(t, l->unit);
		free(t);
		if (r < 0)
			text_printf(l->err, l->errlen, "cannot parse drop-in %s", v[i].path);
		else
			l->cfg->n_dropins++;
	}
	free(v);
	if (r == 0) {
		/* systemd expands the specifiers of the merged unit as it loads it: %p of Debian's
		 * EnvironmentFile=-/etc/default/%p, %H of its ETCD_NAME=%H, %i of a template */
		const char *base = strrchr(path, '/');
		char host[256] = "";
		gethostname(host, sizeof(host) - 1);
		(void)config_unit_expand(l->unit, unit_name ? unit_name : base ? base + 1 : path,
					 host);
	}
	return r;
}

/* The unit as systemd merged it. Returns 1 when the unit is there (loaded), 0 when it is not
 * or systemd cannot be asked (the files are read instead). */
static int load_sdbus(struct loader *l, const char *unit_name)
{
	char err[256] = "", what[160];
	text_printf(what, sizeof(what), "D-Bus %s", unit_name);
	unsigned char src = config_source_add(l->cfg, what);
	l->unit->env.cur_source = src;
	if (config_sdbus_load(unit_name, CONFIG_SDBUS_TIMEOUT_USEC, l->unit, err, sizeof(err)) <
	    0) {
		note_add(l->cfg, err);
		memset(l->unit, 0, sizeof(*l->unit));
		return 0;
	}
	if (strcmp(l->unit->load_state, "loaded") != 0 || !l->unit->exec_start[0]) {
		memset(l->unit, 0, sizeof(*l->unit));
		return 0;
	}
	l->cfg->deployment = CONFIG_DEPLOY_SDBUS;
	text_scopy(l->cfg->deployment_path, sizeof(l->cfg->deployment_path),
		   l->unit->fragment_path[0] ? l->unit->fragment_path : unit_name);
	l->cfg->n_dropins = l->unit->n_dropins;
	return 1;
}

static int load_manifest(struct loader *l, const char *path)
{
	char *t = NULL;
	size_t n;
	struct config_manifest *m = calloc(1, sizeof(*m));
	struct config_error e;
	if (!m)
		return -ENOMEM;
	int r = read_text(path, &t, &n);
	if (r < 0) {
		config_read_error("manifest", path, -r, l->err, l->errlen);
		goto out;
	}
	r = config_manifest_parse(t, n, m, &e);
	if (r < 0) {
		text_printf(l->err, l->errlen, "cannot parse manifest %s line %zu: %s", path, e.line,
			    e.msg);
		goto out;
	}
	config_source_add(l->cfg, path);
	(void)config_manifest_apply(m, l->cfg);
	l->cfg->deployment = CONFIG_DEPLOY_MANIFEST;
	text_scopy(l->cfg->deployment_path, sizeof(l->cfg->deployment_path), path);
	struct stat st;
	if (config_manifest_healthcheck_paths(l->cfg) && stat(l->cfg->healthcheck_cert_file, &st) < 0) {
		/* not every kubeadm layout has it: nothing to check then */
		l->cfg->healthcheck_cert_file[0] = '\0';
		l->cfg->healthcheck_key_file[0] = '\0';
	}
	r = 0;
out:
	free(t);
	free(m);
	return r;
}

static int load_config_file(struct loader *l, const char *cf)
{
	char path[CONFIG_PATH_LEN];
	char *t = NULL;
	size_t n;
	struct config_error e;
	text_scopy(path, sizeof(path), cf);
	int r = read_text(path, &t, &n);
	if (r < 0) {
		config_read_error_as("config file", path, -r, l->cfg->unit_group, l->err, l->errlen);
		return r;
	}
	/* etcd ignores flags and variables when --config-file is given */
	config_settings_clear(l->cfg);
	config_source_add(l->cfg, path);
	text_scopy(l->cfg->config_file, sizeof(l->cfg->config_file), path);
	r = config_yaml_parse(t, n, l->cfg, &e);
	free(t);
	if (r < 0) {
		text_printf(l->err, l->errlen, "cannot parse config file %s line %zu: %s", path,
			    e.line, e.msg);
		return r;
	}
	if (l->cfg->deployment == CONFIG_DEPLOY_NONE) {
		l->cfg->deployment = CONFIG_DEPLOY_CONFIG_FILE;
		text_scopy(l->cfg->deployment_path, sizeof(l->cfg->deployment_path), path);
	}
	return 0;
}

/* Whether path exists (even unreadable: then it is said, not taken as missing). */
static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* Finds the deployment when nothing was named: a running systemd unit, else a kubeadm manifest,
 * else the unit systemd has (loaded), else unit files, else nothing (the env file follows). */
static int discover(struct loader *l, const struct config_sources *src)
{
	static const char *const unit_dirs[] = {
		"/etc/systemd/system/",
		"/lib/systemd/system/",
		"/usr/lib/systemd/system/",
	};
	char unit_name[256];
	const char *root = getenv("ETCD_DIAG_ROOT");
	char path[CONFIG_PATH_LEN];

	/* --unit etcd means etcd.service, as systemctl reads it */
	text_scopy(unit_name, sizeof(unit_name),
		   src && src->unit_name && *src->unit_name ? src->unit_name : "etcd.service");
	if (!strchr(unit_name, '.'))
		text_printf(unit_name, sizeof(unit_name), "%s.service",
			    src && src->unit_name ? src->unit_name : "etcd");
	bool bus_unit = false;

	if (!(root && *root) && config_sdbus_available() && load_sdbus(l, unit_name) == 1) {
		bus_unit = true;
		if (strcmp(l->unit->active_state, "active") == 0 ||
		    strcmp(l->unit->active_state, "activating") == 0 ||
		    strcmp(l->unit->active_state, "reloading") == 0) {
			l->have_unit = true;
			return 0;
		}
	}
	rooted("/etc/kubernetes/manifests/etcd.yaml", path, sizeof(path));
	if (exists(path)) {
		memset(l->unit, 0, sizeof(*l->unit));
		l->cfg->deployment = CONFIG_DEPLOY_NONE;
		l->cfg->n_dropins = 0;
		return load_manifest(l, path);
	}
	if (bus_unit) {
		l->have_unit = true;
		return 0;
	}
	for (size_t i = 0; i < sizeof(unit_dirs) / sizeof(unit_dirs[0]); i++) {
		char p[CONFIG_PATH_LEN];
		text_printf(p, sizeof(p), "%s%s", unit_dirs[i], unit_name);
		rooted(p, path, sizeof(path));
		if (!exists(path))
			continue;
		int r = load_unit_file(l, path, unit_name);
		if (r == -EACCES || r == -EPERM) {
			/* found by looking, not named: say it and carry on with what else is there */
			note_add(l->cfg, l->err);
			l->err[0] = '\0';
			continue;
		}
		if (r < 0)
			return r;
		l->have_unit = true;
		return 0;
	}
	return 0;
}

int config_load(const struct config_sources *src, struct diag_config *ret, char *errbuf,
		size_t errlen)
{
	struct loader l = {ret, calloc(1, sizeof(struct diag_unit)),
			   calloc(1, sizeof(struct diag_env)), false, errbuf, errlen};
	int rc = 0;

	memset(ret, 0, sizeof(*ret));
	if (errlen)
		errbuf[0] = '\0';
	if (!l.unit || !l.env) {
		rc = -ENOMEM;
		goto out;
	}
	if (src && src->manifest)
		rc = load_manifest(&l, src->manifest);
	else if (src && src->unit_file) {
		rc = load_unit_file(&l, src->unit_file, NULL);
		l.have_unit = rc == 0;
	} else
		rc = discover(&l, src);
	if (rc < 0)
		goto out;

	if (l.have_unit) {
		/* who etcd runs as, for the remedies (chown) and the hints: systemd's defaults are
		 * root, and the user's own group */
		text_scopy(ret->unit_user, sizeof(ret->unit_user),
			   l.unit->user[0] ? l.unit->user : "root");
		text_scopy(ret->unit_group, sizeof(ret->unit_group), l.unit->group);
		const struct passwd *pw = ret->unit_group[0] ? NULL : getpwnam(ret->unit_user);
		const struct group *gr = pw ? getgrgid(pw->pw_gid) : NULL;
		if (gr)
			text_scopy(ret->unit_group, sizeof(ret->unit_group), gr->gr_name);
		*l.env = l.unit->env;
		for (size_t i = 0; i < l.unit->n_env_files; i++) {
			/* specifiers expanded already (load_unit_file; systemd over D-Bus) */
			char path[CONFIG_PATH_LEN];
			text_scopy(path, sizeof(path), l.unit->env_files[i].path);
			bool required = !l.unit->env_files[i].optional && !(src && src->env_file);
			rc = load_env_file(&l, path, required);
			if (rc < 0 && required)
				goto out;
		}
	}
	if (src && src->env_file) {
		rc = load_env_file(&l, src->env_file, true);
		if (rc < 0)
			goto out;
		if (ret->deployment == CONFIG_DEPLOY_NONE) {
			ret->deployment = CONFIG_DEPLOY_ENV_FILE;
			text_scopy(ret->deployment_path, sizeof(ret->deployment_path), src->env_file);
		}
	} else if (!l.have_unit && ret->deployment == CONFIG_DEPLOY_NONE) {
		char path[CONFIG_PATH_LEN];
		rooted("/etc/default/etcd", path, sizeof(path));
		if (load_env_file(&l, path, false) == 0) {
			ret->deployment = CONFIG_DEPLOY_ENV_FILE;
			text_scopy(ret->deployment_path, sizeof(ret->deployment_path), path);
		}
	}
	config_apply_env(ret, l.env);
	if (l.unit->exec_start[0])
		(void)config_apply_cmdline(ret, l.unit->exec_start, l.env, l.unit->exec_source);
	else if (config_env_get(l.env, "DAEMON_ARGS"))
		/* Debian's /etc/default/etcd without a unit: ExecStart=/usr/bin/etcd $DAEMON_ARGS */
		(void)config_apply_cmdline(ret, "/usr/bin/etcd $DAEMON_ARGS", l.env, 0);

	const char *cf = src && src->config_file ? src->config_file
			 : ret->config_file[0] ? ret->config_file
					       : NULL;
	if (cf) {
		char path[CONFIG_PATH_LEN];
		text_scopy(path, sizeof(path), cf);
		rc = load_config_file(&l, path);
		if (rc < 0)
			goto out;
	}
	if (strcmp(ret->name, "%H") == 0) /* Debian's unit: Environment=ETCD_NAME=%H */
		gethostname(ret->name, sizeof(ret->name) - 1);
	if (!ret->name[0])
		text_scopy(ret->name, sizeof(ret->name), "default"); /* etcd's default */
	rc = 0;
out:
	free(l.unit);
	free(l.env);
	return rc;
}
