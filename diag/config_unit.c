/* config_unit.c: the [Service] section of systemd units and drop-ins, and ExecStart= lines. */
#include "diag/config_unit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag/text.h"

/* Splits Environment= value into assignments: `A=1 "B=two words"`. */
static int unit_environment(const char *s, struct diag_env *env)
{
	char buf[CONFIG_URLS_LEN + 64];
	char *words[CONFIG_ENV_MAX];
	int n = config_env_split(s, NULL, buf, sizeof(buf), words, NULL, CONFIG_ENV_MAX, 0);
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		char *eq = strchr(words[i], '=');
		if (!eq || !config_env_valid_key(words[i], (size_t)(eq - words[i])))
			return -EINVAL;
		*eq = '\0';
		int r = config_env_set(env, words[i], eq + 1);
		if (r < 0)
			return r;
	}
	return 0;
}

/* One "Key=value" of [Service]. */
static int unit_assign(struct diag_unit *u, const char *key, char *v)
{
	if (strcmp(key, "ExecStart") == 0) {
		if (*v) /* an empty ExecStart= resets the list (drop-ins) */
			while (*v == '-' || *v == '@' || *v == ':' || *v == '+' || *v == '!')
				v++;
		text_copy(u->exec_start, sizeof(u->exec_start), v, strlen(v));
		u->exec_source = u->env.cur_source;
	} else if (strcmp(key, "Environment") == 0) {
		if (!*v) { /* systemd: an empty assignment resets the list */
			unsigned char cur = u->env.cur_source;
			memset(&u->env, 0, sizeof(u->env));
			u->env.cur_source = cur;
			return 0;
		}
		return unit_environment(v, &u->env);
	} else if (strcmp(key, "EnvironmentFile") == 0) {
		if (!*v) {
			u->n_env_files = 0;
			return 0;
		}
		if (u->n_env_files >= CONFIG_ENV_FILES_MAX)
			return -E2BIG;
		bool opt = *v == '-';
		if (opt)
			v++;
		text_copy(u->env_files[u->n_env_files].path, CONFIG_PATH_LEN, v, strlen(v));
		u->env_files[u->n_env_files++].optional = opt;
	} else if (strcmp(key, "User") == 0) {
		text_copy(u->user, sizeof(u->user), v, strlen(v));
	} else if (strcmp(key, "Group") == 0) {
		text_copy(u->group, sizeof(u->group), v, strlen(v));
	}
	return 0;
}

int config_unit_parse_dropin(const char *text, struct diag_unit *u)
{
	char line[4096];
	bool in_service = false;
	const char *p = text;

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
		int r = unit_assign(u, l, v);
		if (r < 0)
			return r;
	}
	return 0;
}

int config_unit_parse(const char *text, struct diag_unit *ret)
{
	unsigned char cur = ret->env.cur_source;
	memset(ret, 0, sizeof(*ret));
	ret->env.cur_source = cur;
	return config_unit_parse_dropin(text, ret);
}

int config_apply_cmdline(struct diag_config *cfg, const char *cmdline, const struct diag_env *env,
			 unsigned char exec_source)
{
	/* expanded words, '\0'-separated in one buffer */
	static const size_t cap = 8192;
	char *buf = malloc(cap);
	char *words[CONFIG_WORDS_MAX];
	unsigned char src[CONFIG_WORDS_MAX];
	int rc = 0;

	if (!buf)
		return -ENOMEM;
	int nw = config_env_split(cmdline, env, buf, cap, words, src, CONFIG_WORDS_MAX, exec_source);
	if (nw < 0) {
		rc = nw;
		goto out;
	}
	/* one word at a time, so each setting gets the origin of the word that set it */
	for (int i = 1; i < nw; i++) {
		const char *pair[3] = {words[0], words[i], i + 1 < nw ? words[i + 1] : NULL};
		size_t take = pair[2] && words[i][0] == '-' && !strchr(words[i], '=') ? 3 : 2;
		cfg->cur_source = src[i];
		int f = config_setting_by_flag(words[i] + 1 + (words[i][1] == '-'),
					       strlen(words[i] + 1 + (words[i][1] == '-')));
		if (words[i][0] != '-' || strchr(words[i], '=') || f < 0 ||
		    config_setting_is_bool((size_t)f))
			take = 2;
		int r = config_apply_argv(cfg, pair, take);
		if (r < 0 && rc == 0)
			rc = r;
		if (take == 3)
			i++;
	}
out:
	free(buf);
	return rc;
}

int config_unit_specifiers(char *s, size_t cap, const char *unit, const char *host)
{
	char out[4096];
	size_t o = 0;
	const char *dot = strrchr(unit, '.');
	size_t n_full = strlen(unit), n_name = dot ? (size_t)(dot - unit) : n_full;
	const char *at = memchr(unit, '@', n_name);
	size_t n_prefix = at ? (size_t)(at - unit) : n_name;
	if (!strchr(s, '%'))
		return 0;
	for (const char *p = s; *p; p++) {
		const char *v = NULL;
		size_t vn = 0;
		if (*p == '%' && p[1]) {
			switch (p[1]) {
			case '%': v = "%", vn = 1; break;
			case 'n': v = unit, vn = n_full; break;
			case 'N': v = unit, vn = n_name; break;
			case 'p': v = unit, vn = n_prefix; break;
			case 'i': v = at ? at + 1 : "", vn = at ? n_name - n_prefix - 1 : 0; break;
			case 'H': v = host, vn = strlen(host); break;
			default: break;
			}
		}
		if (!v) {
			v = p, vn = 1;
		} else {
			p++;
		}
		if (o + vn >= sizeof(out) || o + vn >= cap)
			return -E2BIG;
		memcpy(out + o, v, vn);
		o += vn;
	}
	out[o] = '\0';
	memcpy(s, out, o + 1);
	return 0;
}

int config_unit_expand(struct diag_unit *u, const char *unit, const char *host)
{
	int r = config_unit_specifiers(u->exec_start, sizeof(u->exec_start), unit, host);
	for (size_t i = 0; i < u->env.n; i++) {
		int k = config_unit_specifiers(u->env.v[i].val, sizeof(u->env.v[i].val), unit, host);
		r = r ? r : k;
	}
	for (size_t i = 0; i < u->n_env_files; i++) {
		int k = config_unit_specifiers(u->env_files[i].path, sizeof(u->env_files[i].path),
					       unit, host);
		r = r ? r : k;
	}
	int k = config_unit_specifiers(u->user, sizeof(u->user), unit, host);
	r = r ? r : k;
	k = config_unit_specifiers(u->group, sizeof(u->group), unit, host);
	return r ? r : k;
}
