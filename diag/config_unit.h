/* config_unit.h: the [Service] section of a systemd unit (a file and its drop-ins in lexical
 * order, or what systemd itself merged, see config_sdbus.h) reduced to what starts etcd. Pure:
 * text in, struct out. */
#ifndef DIAG_CONFIG_UNIT_H
#define DIAG_CONFIG_UNIT_H

#include <stdbool.h>
#include <stddef.h>

#include "diag/config.h"
#include "diag/config_env.h"

#define CONFIG_ENV_FILES_MAX 8
#define CONFIG_DROPINS_MAX 16

/* What a systemd unit says about the service. */
struct diag_unit {
	char exec_start[4096];     /* the last ExecStart=, continuations joined */
	unsigned char exec_source; /* env.cur_source when it was set */
	struct diag_env env;       /* Environment= assignments */
	size_t n_env_files;
	struct {
		char path[CONFIG_PATH_LEN];
		bool optional; /* "EnvironmentFile=-/path": a missing file is not an error */
	} env_files[CONFIG_ENV_FILES_MAX];
	char user[64], group[64]; /* User=, Group= ("" when not set: root, the user's group) */
	/* from D-Bus (config_sdbus.h); empty for files */
	char load_state[32], active_state[32];
	char fragment_path[CONFIG_PATH_LEN];
	size_t n_dropins;
	char dropins[CONFIG_DROPINS_MAX][CONFIG_PATH_LEN];
};

/* Parses a unit file into *ret (cleared first). Returns 0, -EINVAL (malformed Environment=),
 * -E2BIG (a line or a list over its limit). */
int config_unit_parse(const char *text, struct diag_unit *ret);
/* Applies a drop-in (or any further unit text) on top of *u, as systemd does: ExecStart=,
 * Environment= and EnvironmentFile= with an empty value reset their list, otherwise
 * Environment= and EnvironmentFile= append and a later ExecStart= is the one that counts. */
int config_unit_parse_dropin(const char *text, struct diag_unit *u);

/* Applies an ExecStart= command line: expands $VAR / ${VAR} from env (systemd splits
 * unbraced $VAR on whitespace), honours quotes, reads --flag=value and --flag value. Each
 * setting's origin is the variable's for a whole-word $VAR, else exec_source. */
int config_apply_cmdline(struct diag_config *cfg, const char *cmdline, const struct diag_env *env,
			 unsigned char exec_source);

/* Expands systemd's specifiers as systemd does when it loads a unit file (over D-Bus they come
 * expanded): %% %n (the unit's full name) %N (without its type suffix) %p (the prefix, before
 * '@') %i (the instance) %H (host, this host's name); any other specifier is left as written.
 * s is rewritten in place (cap bytes). Returns 0, or -E2BIG (s unchanged) when it would not
 * fit. Applied to ExecStart=, Environment=, EnvironmentFile=, User= and Group=. */
int config_unit_specifiers(char *s, size_t cap, const char *unit, const char *host);
/* The same over everything of u that systemd expands. First error, or 0. */
int config_unit_expand(struct diag_unit *u, const char *unit, const char *host);

#endif
