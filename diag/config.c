/* config.c: parsers for systemd units, environment files and etcd's YAML config file. */
#include "diag/config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag/text.h"
#include "proto/regfile.h"

enum setting_kind { SET_STR, SET_BOOL };

/* One etcd setting: its flag (also the YAML key and, upper-cased, the ETCD_* variable), the
 * YAML map it lives in for TLS settings, and where it goes. */
struct setting {
	const char *flag;
	const char *yaml_section; /* NULL: top level */
	const char *yaml_key;
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

/* "true"/"false" as etcd's flag package reads them; -EINVAL otherwise. */
static int parse_bool(const char *v, bool *ret)
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

static int setting_set(struct diag_config *cfg, const struct setting *s, const char *val)
{
	char *base = (char *)cfg;
	if (s->kind == SET_BOOL)
		return parse_bool(val, (bool *)(base + s->off));
	text_copy(base + s->off, s->cap, val, strlen(val));
	return 0;
}

static const struct setting *setting_by_flag(const char *flag, size_t n)
{
	for (size_t i = 0; i < SETTING_COUNT; i++)
		if (strlen(setting_table[i].flag) == n && memcmp(setting_table[i].flag, flag, n) == 0)
			return &setting_table[i];
	return NULL;
}

static void add_source(struct diag_config *cfg, const char *what)
{
	size_t n = strlen(cfg->sources);
	snprintf(cfg->sources + n, sizeof(cfg->sources) - n, "%s%s", n ? ", " : "", what);
}

const char *config_env_get(const struct diag_env *env, const char *key)
{
	for (size_t i = env ? env->n : 0; i-- > 0;)
		if (strcmp(env->v[i].key, key) == 0)
			return env->v[i].val;
	return NULL;
}

int config_env_set(struct diag_env *env, const char *key, const char *val)
{
	size_t kl = strlen(key);
	if (kl == 0 || kl >= sizeof(env->v[0].key))
		return -EINVAL;
	for (size_t i = 0; i < env->n; i++)
		if (strcmp(env->v[i].key, key) == 0) {
			text_copy(env->v[i].val, sizeof(env->v[i].val), val, strlen(val));
			return 0;
		}
	if (env->n >= CONFIG_ENV_MAX)
		return -E2BIG;
	text_copy(env->v[env->n].key, sizeof(env->v[0].key), key, kl);
	text_copy(env->v[env->n].val, sizeof(env->v[0].val), val, strlen(val));
	env->n++;
	return 0;
}

static bool valid_key(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!(c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (i > 0 && c >= '0' && c <= '9')))
			return false;
	}
	return true;
}

/* Writes to out the expansion of one word: quotes removed ("..." with \ escapes, '...'),
 * and, when env is given, $VAR / ${VAR} substituted. An unbraced, unquoted $VAR alone splits
 * into several words (systemd), which we mark with '\n' separators. Returns the length, or
 * -E2BIG with out holding what fitted (NUL-terminated). */
static int expand_word(const char *w, size_t n, const struct diag_env *env, char *out, size_t cap)
{
	size_t o = 0;
	char q = 0;
	for (size_t i = 0; i < n; i++) {
		char c = w[i];
		if (!q && (c == '"' || c == '\'')) {
			q = c;
			continue;
		}
		if (q && c == q) {
			q = 0;
			continue;
		}
		if (c == '\\' && q != '\'' && i + 1 < n) {
			c = w[++i];
		} else if (env && c == '$' && q != '\'' && i + 1 < n) {
			bool braced = w[i + 1] == '{';
			size_t s = i + 1 + braced, e = s;
			while (e < n && valid_key(w + s, e - s + 1))
				e++;
			if (e == s)
				goto plain;
			char key[64];
			text_copy(key, sizeof(key), w + s, e - s);
			const char *v = config_env_get(env, key);
			bool split = !braced && !q && i == 0 && e == n;
			for (; v && *v; v++) {
				char d = *v;
				if (split && (d == ' ' || d == '\t'))
					d = '\n';
				if (o + 1 >= cap) {
					out[o] = '\0';
					return -E2BIG;
				}
				out[o++] = d;
			}
			i = braced ? e : e - 1;
			continue;
		}
	plain:
		if (o + 1 >= cap) {
			out[o] = '\0';
			return -E2BIG;
		}
		out[o++] = c;
	}
	out[o] = '\0';
	return (int)o;
}

/* Unquotes one value (env files, Environment= words): no $ expansion, too long is cut. */
static void unquote(const char *s, size_t n, char *out, size_t cap)
{
	(void)expand_word(s, n, NULL, out, cap);
}

/* Finds the next blank-separated word of a systemd command line or Environment= value at *s,
 * with its quotes ("...", '...') and backslash escapes kept for expand_word. Returns its start
 * and length in *n, *s moved past it; NULL at the end. */
static const char *scan_word(const char **s, size_t *n)
{
	const char *p = *s;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p) {
		*s = p;
		return NULL;
	}
	const char *w = p;
	char q = 0;
	while (*p && (q || (*p != ' ' && *p != '\t'))) {
		if (*p == '\\' && p[1] && q != '\'')
			p++;
		else if (!q && (*p == '"' || *p == '\''))
			q = *p;
		else if (q && *p == q)
			q = 0;
		p++;
	}
	*n = (size_t)(p - w);
	*s = p;
	return w;
}

int config_env_parse(const char *text, struct diag_env *env)
{
	const char *p = text;
	int rc = 0;
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		const char *l = p;
		p = eol ? eol + 1 : NULL;
		while (n && (*l == ' ' || *l == '\t')) {
			l++;
			n--;
		}
		while (n && (l[n - 1] == ' ' || l[n - 1] == '\t' || l[n - 1] == '\r'))
			n--;
		if (n == 0 || *l == '#' || *l == ';')
			continue;
		if (n > 7 && strncmp(l, "export ", 7) == 0) {
			l += 7;
			n -= 7;
		}
		const char *eq = memchr(l, '=', n);
		if (!eq || !valid_key(l, (size_t)(eq - l))) {
			rc = -EINVAL; /* remembered, the other lines are still read */
			continue;
		}
		char key[64], val[CONFIG_URLS_LEN];
		text_copy(key, sizeof(key), l, (size_t)(eq - l));
		unquote(eq + 1, n - (size_t)(eq + 1 - l), val, sizeof(val));
		int r = config_env_set(env, key, val);
		if (r < 0)
			return r;
	}
	return rc;
}

/* Splits Environment= value into assignments: `A=1 "B=two words"`. */
static int unit_environment(const char *s, struct diag_env *env)
{
	const char *w;
	size_t n;
	while ((w = scan_word(&s, &n)) != NULL) {
		char word[CONFIG_URLS_LEN + 64];
		unquote(w, n, word, sizeof(word));
		char *eq = strchr(word, '=');
		if (!eq || !valid_key(word, (size_t)(eq - word)))
			return -EINVAL;
		*eq = '\0';
		int r = config_env_set(env, word, eq + 1);
		if (r < 0)
			return r;
	}
	return 0;
}

int config_unit_parse(const char *text, struct diag_unit *ret)
{
	char line[4096];
	bool in_service = false;
	const char *p = text;

	memset(ret, 0, sizeof(*ret));
	while (p && *p) {
		/* one logical line: a trailing backslash continues it (systemd joins with a space) */
		size_t o = 0;
		for (;;) {
			const char *eol = strchr(p, '\n');
			size_t n = eol ? (size_t)(eol - p) : strlen(p);
			const char *next = eol ? eol + 1 : p + n;
			while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
				n--;
			bool cont = n && p[n - 1] == '\\';
			if (cont)
				n--;
			if (o + n + 2 > sizeof(line))
				return -E2BIG;
			memcpy(line + o, p, n);
			o += n;
			p = *next ? next : NULL;
			if (!cont || !p)
				break;
			line[o++] = ' ';
			/* comment lines inside a continuation are skipped, as systemd does */
			while (p && (*p == '#' || *p == ';')) {
				const char *e = strchr(p, '\n');
				p = e ? e + 1 : NULL;
			}
			if (!p)
				break;
		}
		line[o] = '\0';
		char *l = line;
		while (*l == ' ' || *l == '\t')
			l++;
		if (*l == '#' || *l == ';' || *l == '\0')
			continue;
		if (*l == '[') {
			in_service = strncmp(l, "[Service]", 9) == 0;
			continue;
		}
		if (!in_service)
			continue;
		char *eq = strchr(l, '=');
		if (!eq)
			continue;
		char *ke = eq;
		while (ke > l && (ke[-1] == ' ' || ke[-1] == '\t'))
			ke--;
		*ke = '\0';
		char *v = eq + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		if (strcmp(l, "ExecStart") == 0) {
			if (*v) /* an empty ExecStart= resets the list (drop-ins) */
				while (*v == '-' || *v == '@' || *v == ':' || *v == '+' || *v == '!')
					v++;
			text_copy(ret->exec_start, sizeof(ret->exec_start), v, strlen(v));
		} else if (strcmp(l, "Environment") == 0) {
			int r = unit_environment(v, &ret->env);
			if (r < 0)
				return r;
		} else if (strcmp(l, "EnvironmentFile") == 0) {
			if (ret->n_env_files >= CONFIG_ENV_FILES_MAX)
				return -E2BIG;
			bool opt = *v == '-';
			if (opt)
				v++;
			text_copy(ret->env_files[ret->n_env_files].path, CONFIG_PATH_LEN, v,
				 strlen(v));
			ret->env_files[ret->n_env_files++].optional = opt;
		}
	}
	return 0;
}

void config_apply_env(struct diag_config *cfg, const struct diag_env *env)
{
	char var[96];
	for (size_t i = 0; i < SETTING_COUNT; i++) {
		const char *f = setting_table[i].flag;
		size_t o = (size_t)snprintf(var, sizeof(var), "ETCD_");
		for (; *f && o + 1 < sizeof(var); f++)
			var[o++] = *f == '-' ? '_' : (char)(*f >= 'a' && *f <= 'z' ? *f - 32 : *f);
		var[o] = '\0';
		const char *v = config_env_get(env, var);
		if (v && *v)
			setting_set(cfg, &setting_table[i], v);
	}
}


static int apply_flag(struct diag_config *cfg, const char *word, const char *next, bool *used_next)
{
	*used_next = false;
	if (word[0] != '-')
		return 0;
	const char *f = word + 1 + (word[1] == '-');
	const char *eq = strchr(f, '=');
	size_t fl = eq ? (size_t)(eq - f) : strlen(f);
	const struct setting *s = setting_by_flag(f, fl);
	if (!s)
		return 0; /* etcd has many flags that diag does not need */
	if (eq)
		return setting_set(cfg, s, eq + 1);
	if (s->kind == SET_BOOL) {
		/* Go's flag package: a bare boolean flag is true; "--flag false" is not its value */
		return setting_set(cfg, s, "true");
	}
	if (!next)
		return -EINVAL;
	*used_next = true;
	return setting_set(cfg, s, next);
}

int config_apply_cmdline(struct diag_config *cfg, const char *cmdline, const struct diag_env *env)
{
	/* expanded words, '\0'-separated in one buffer */
	static const size_t cap = 8192;
	char *buf = malloc(cap);
	char *words[256];
	size_t nw = 0, o = 0;
	int rc = 0;
	const char *s = cmdline;

	if (!buf)
		return -ENOMEM;
	const char *w;
	size_t wn;
	while ((w = scan_word(&s, &wn)) != NULL) {
		int n = expand_word(w, wn, env, buf + o, cap - o);
		if (n < 0) {
			rc = n;
			goto out;
		}
		/* split marks from $VAR expansion */
		char *t = buf + o;
		char *end = t + n;
		for (char *c = t; c <= end; c++) {
			if (c == end || *c == '\n') {
				*c = '\0';
				if (*t && nw < sizeof(words) / sizeof(words[0]))
					words[nw++] = t;
				t = c + 1;
			}
		}
		o += (size_t)n + 1;
	}
	for (size_t i = 1; i < nw; i++) {
		bool used = false;
		int r = apply_flag(cfg, words[i], i + 1 < nw ? words[i + 1] : NULL, &used);
		if (r < 0 && rc == 0)
			rc = r;
		if (used)
			i++;
	}
out:
	free(buf);
	return rc;
}

int config_apply_yaml(struct diag_config *cfg, const char *text)
{
	char section[64] = "";
	const char *p = text;
	int rc = 0;

	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		const char *l = p;
		p = eol ? eol + 1 : NULL;
		size_t indent = 0;
		while (indent < n && (l[indent] == ' ' || l[indent] == '\t'))
			indent++;
		const char *k = l + indent;
		size_t kn = n - indent;
		while (kn && (k[kn - 1] == ' ' || k[kn - 1] == '\r'))
			kn--;
		if (kn == 0 || *k == '#' || (kn >= 3 && strncmp(k, "---", 3) == 0))
			continue;
		const char *colon = memchr(k, ':', kn);
		if (!colon)
			continue;
		size_t keylen = (size_t)(colon - k);
		const char *v = colon + 1;
		size_t vn = kn - keylen - 1;
		while (vn && *v == ' ') {
			v++;
			vn--;
		}
		/* strip a trailing comment that follows whitespace */
		for (size_t i = 1; i < vn; i++)
			if (v[i] == '#' && (v[i - 1] == ' ' || v[i - 1] == '\t')) {
				vn = i;
				while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
					vn--;
				break;
			}
		if (indent == 0) {
			if (vn == 0) {
				text_copy(section, sizeof(section), k, keylen);
				continue;
			}
			section[0] = '\0';
		} else if (!section[0]) {
			continue;
		}
		char val[CONFIG_URLS_LEN];
		if (vn >= 2 && (v[0] == '\'' || v[0] == '"') && v[vn - 1] == v[0])
			text_copy(val, sizeof(val), v + 1, vn - 2);
		else
			text_copy(val, sizeof(val), v, vn);
		if (strcmp(val, "null") == 0 || strcmp(val, "~") == 0)
			val[0] = '\0';
		for (size_t i = 0; i < SETTING_COUNT; i++) {
			const struct setting *s = &setting_table[i];
			const char *want_sec = indent ? section : NULL;
			if (!s->yaml_key || strlen(s->yaml_key) != keylen ||
			    memcmp(s->yaml_key, k, keylen) != 0)
				continue;
			if ((want_sec == NULL) != (s->yaml_section == NULL))
				continue;
			if (want_sec && strcmp(want_sec, s->yaml_section) != 0)
				continue;
			if (s->kind == SET_STR && !val[0])
				break;
			int r = setting_set(cfg, s, val);
			if (r < 0 && rc == 0)
				rc = r;
			break;
		}
	}
	return rc;
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

/* Reads a whole (small) file; NULL and errno on failure. */
static char *read_text(const char *path)
{
	char err[64]; /* errno says it; the caller names the file */
	/* never blocks on a FIFO or device given as --unit-file/--config-file/--env-file */
	FILE *f = regfile_fopen("file", path, err, sizeof(err));
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		size_t r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
		if (n + 1 == cap) {
			if (cap >= (1u << 20)) /* an etcd unit or config is never this large */
				break;
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (buf)
		buf[n] = '\0';
	else
		errno = ENOMEM;
	return buf;
}

static int load_env_file(const char *path, struct diag_env *env, struct diag_config *cfg)
{
	char *t = read_text(path);
	if (!t)
		return -errno;
	config_env_parse(t, env);
	free(t);
	add_source(cfg, path);
	return 0;
}

int config_load(const struct config_sources *src, struct diag_config *ret, char *errbuf,
		size_t errlen)
{
	static const char *const unit_paths[] = {
		"/etc/systemd/system/etcd.service",
		"/lib/systemd/system/etcd.service",
		"/usr/lib/systemd/system/etcd.service",
		NULL,
	};
	struct diag_unit *unit = calloc(1, sizeof(*unit));
	struct diag_env *env = calloc(1, sizeof(*env));
	int rc = 0;
	char *t = NULL;

	memset(ret, 0, sizeof(*ret));
	if (!unit || !env) {
		rc = -ENOMEM;
		goto out;
	}
	const char *unit_path = src ? src->unit_file : NULL;
	for (size_t i = 0; !unit_path && unit_paths[i]; i++) {
		char err[64];
		FILE *f = regfile_fopen("unit file", unit_paths[i], err, sizeof(err));
		if (f) {
			fclose(f);
			unit_path = unit_paths[i];
		}
	}
	if (unit_path) {
		t = read_text(unit_path);
		if (!t) {
			rc = -errno;
			snprintf(errbuf, errlen, "cannot read unit file %s", unit_path);
			goto out;
		}
		rc = config_unit_parse(t, unit);
		free(t);
		t = NULL;
		if (rc < 0) {
			snprintf(errbuf, errlen, "cannot parse unit file %s", unit_path);
			goto out;
		}
		add_source(ret, unit_path);
		*env = unit->env;
		for (size_t i = 0; i < unit->n_env_files; i++) {
			/* %p in Debian's unit: EnvironmentFile=-/etc/default/%p */
			char path[CONFIG_PATH_LEN];
			const char *ef = unit->env_files[i].path;
			const char *pct = strstr(ef, "%p");
			if (pct)
				snprintf(path, sizeof(path), "%.*setcd%s", (int)(pct - ef), ef, pct + 2);
			else
				snprintf(path, sizeof(path), "%s", ef);
			int r = load_env_file(path, env, ret);
			if (r < 0 && !unit->env_files[i].optional && !(src && src->env_file)) {
				rc = r;
				snprintf(errbuf, errlen, "cannot read EnvironmentFile %s", path);
				goto out;
			}
		}
	}
	if (src && src->env_file) {
		rc = load_env_file(src->env_file, env, ret);
		if (rc < 0) {
			snprintf(errbuf, errlen, "cannot read env file %s", src->env_file);
			goto out;
		}
	} else if (!unit_path) {
		load_env_file("/etc/default/etcd", env, ret);
	}
	config_apply_env(ret, env);
	if (unit->exec_start[0])
		config_apply_cmdline(ret, unit->exec_start, env);
	else if (config_env_get(env, "DAEMON_ARGS")) {
		/* Debian's /etc/default/etcd without a unit: ExecStart=/usr/bin/etcd $DAEMON_ARGS */
		config_apply_cmdline(ret, "/usr/bin/etcd $DAEMON_ARGS", env);
	}
	const char *cf = src && src->config_file ? src->config_file
			 : ret->config_file[0] ? ret->config_file
					       : NULL;
	if (cf) {
		char path[CONFIG_PATH_LEN];
		snprintf(path, sizeof(path), "%s", cf);
		t = read_text(path);
		if (!t) {
			rc = -errno;
			snprintf(errbuf, errlen, "cannot read config file %s", path);
			goto out;
		}
		/* etcd ignores flags and variables when --config-file is given */
		char sources[sizeof(ret->sources)];
		memcpy(sources, ret->sources, sizeof(sources));
		memset(ret, 0, sizeof(*ret));
		memcpy(ret->sources, sources, sizeof(sources));
		snprintf(ret->config_file, sizeof(ret->config_file), "%s", path);
		rc = config_apply_yaml(ret, t);
		if (rc < 0) {
			snprintf(errbuf, errlen, "cannot parse config file %s", path);
			goto out;
		}
		add_source(ret, path);
	}
	if (strcmp(ret->name, "%H") == 0) /* Debian's unit: Environment=ETCD_NAME=%H */
		gethostname(ret->name, sizeof(ret->name) - 1);
	if (!ret->name[0])
		snprintf(ret->name, sizeof(ret->name), "default"); /* etcd's default */
	rc = 0;
out:
	free(t);
	free(unit);
	free(env);
	return rc;
}
