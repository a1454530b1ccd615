/* config_env.h: environment assignments as systemd and Debian's /etc/default/etcd write them,
 * systemd's word splitting with $VAR expansion, and etcd's ETCD_* variables. Pure: text in,
 * struct out. */
#ifndef DIAG_CONFIG_ENV_H
#define DIAG_CONFIG_ENV_H

#include <stdbool.h>
#include <stddef.h>

#include "diag/config.h"

#define CONFIG_ENV_MAX 64
#define CONFIG_WORDS_MAX 256

/* Environment variables, in order of assignment; each remembers the source it came from
 * (cur_source when it was set: an index+1 from config_source_add, 0 none). */
struct diag_env {
	size_t n;
	unsigned char cur_source;
	struct {
		char key[64];
		char val[CONFIG_URLS_LEN];
		unsigned char source;
	} v[CONFIG_ENV_MAX];
};

/* Parses an environment file (KEY=VALUE lines, "export ", quotes, # and ; comments) into env.
 * Returns 0, -EINVAL (a line that is no assignment; the others are still read) or -E2BIG. */
int config_env_parse(const char *text, struct diag_env *env);
/* Looks up a variable; NULL when unset. */
const char *config_env_get(const struct diag_env *env, const char *key);
/* Sets (or replaces) a variable, origin env->cur_source. 0, -EINVAL (bad name), -E2BIG. */
int config_env_set(struct diag_env *env, const char *key, const char *val);
/* A shell/systemd variable name: [A-Za-z_][A-Za-z0-9_]*. */
bool config_env_valid_key(const char *s, size_t n);

/* Splits a systemd command line into words: quotes ("..." with \ escapes, '...') removed and,
 * when env is given, $VAR / ${VAR} substituted (an unquoted whole-word $VAR splits on blanks, as
 * systemd does). Words go into buf (cap bytes), pointers into words[], and, when word_source is
 * not NULL, the origin of each (the variable's for a whole-word $VAR, else dflt). Returns the
 * number of words or -E2BIG. */
int config_env_split(const char *cmdline, const struct diag_env *env, char *buf, size_t cap,
		     char **words, unsigned char *word_source, size_t max, unsigned char dflt);

/* Applies ETCD_* variables (etcd reads them when the flag is not given). */
void config_apply_env(struct diag_config *cfg, const struct diag_env *env);

#endif
