/* config_env.c: environment files and assignments, systemd's word splitting and $VAR expansion,
 * and etcd's ETCD_* variables. */
#include "diag/config_env.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "diag/text.h"

const char *config_env_get(const struct diag_env *env, const char *key)
{
	for (size_t i = env ? env->n : 0; i-- > 0;)
		if (strcmp(env->v[i].key, key) == 0)
			return env->v[i].val;
	return NULL;
}

static unsigned char env_source(const struct diag_env *env, const char *key, size_t kl)
{
	for (size_t i = env ? env->n : 0; i-- > 0;)
		if (strlen(env->v[i].key) == kl && memcmp(env->v[i].key, key, kl) == 0)
			return env->v[i].source;
	return 0;
}

int config_env_set(struct diag_env *env, const char *key, const char *val)
{
	size_t kl = strlen(key);
	if (kl == 0 || kl >= sizeof(env->v[0].key))
		return -EINVAL;
	for (size_t i = 0; i < env->n; i++)
		if (strcmp(env->v[i].key, key) == 0) {
			text_copy(env->v[i].val, sizeof(env->v[i].val), val, strlen(val));
			env->v[i].source = env->cur_source;
			return 0;
		}
	if (env->n >= CONFIG_ENV_MAX)
		return -E2BIG;
	text_copy(env->v[env->n].key, sizeof(env->v[0].key), key, kl);
	text_copy(env->v[env->n].val, sizeof(env->v[0].val), val, strlen(val));
	env->v[env->n].source = env->cur_source;
	env->n++;
	return 0;
}

bool config_env_valid_key(const char *s, size_t n)
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
			while (e < n && config_env_valid_key(w + s, e - s + 1))
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

int config_env_split(const char *cmdline, const struct diag_env *env, char *buf, size_t cap,
		     char **words, unsigned char *word_source, size_t max, unsigned char dflt)
{
	size_t nw = 0, o = 0;
	const char *s = cmdline, *w;
	size_t wn;

	while ((w = scan_word(&s, &wn)) != NULL) {
		if (o >= cap)
			return -E2BIG;
		int n = expand_word(w, wn, env, buf + o, cap - o);
		if (n < 0)
			return n;
		/* a whole-word $VAR or ${VAR}: its words come from where the variable was set */
		unsigned char src = dflt;
		if (env && wn > 1 && w[0] == '$') {
			size_t b = w[1] == '{', kl = wn - 1 - 2 * b;
			if ((!b || w[wn - 1] == '}') && config_env_valid_key(w + 1 + b, kl))
				src = env_source(env, w + 1 + b, kl);
		}
		/* split marks from $VAR expansion */
		char *t = buf + o;
		char *end = t + n;
		for (char *c = t; c <= end; c++) {
			if (c == end || *c == '\n') {
				*c = '\0';
				if (*t) {
					if (nw >= max)
						return -E2BIG;
					if (word_source)
						word_source[nw] = src;
					words[nw++] = t;
				}
				t = c + 1;
			}
		}
		o += (size_t)n + 1;
	}
	return (int)nw;
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
		if (!eq || !config_env_valid_key(l, (size_t)(eq - l))) {
			rc = -EINVAL; /* remembered, the other lines are still read */
			continue;
		}
		char key[64], val[CONFIG_URLS_LEN];
		text_copy(key, sizeof(key), l, (size_t)(eq - l));
		/* quotes removed, no $ expansion; too long is cut */
		(void)expand_word(eq + 1, n - (size_t)(eq + 1 - l), NULL, val, sizeof(val));
		int r = config_env_set(env, key, val);
		if (r < 0)
			return r;
	}
	return rc;
}

void config_apply_env(struct diag_config *cfg, const struct diag_env *env)
{
	char var[96];
	for (size_t i = 0; i < config_setting_count(); i++) {
		const char *f = config_setting_flag(i);
		size_t o = (size_t)snprintf(var, sizeof(var), "ETCD_");
		for (; *f && o + 1 < sizeof(var); f++)
			var[o++] = *f == '-' ? '_' : (char)(*f >= 'a' && *f <= 'z' ? *f - 32 : *f);
		var[o] = '\0';
		const char *v = config_env_get(env, var);
		if (v && *v) {
			cfg->cur_source = env_source(env, var, strlen(var));
			/* etcd refuses a bad ETCD_* value at start; we keep what we can */
			(void)config_setting_set(cfg, i, v);
		}
	}
}
