/* config_manifest.c: the etcd container of a kubeadm static pod manifest. */
#include "diag/config_manifest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag/text.h"

static int fail(struct config_error *err, size_t line, const char *msg)
{
	if (err) {
		err->line = line;
		text_scopy(err->msg, sizeof(err->msg), msg);
	}
	return -EINVAL;
}

/* Appends a list of strings (command: or args:) to the argv. */
static int add_list(const struct ytree *t, int seq, const char *what, struct config_manifest *m,
		    struct config_error *err)
{
	char msg[96];
	if (seq < 0 || ytree_is_null(t, seq))
		return 0;
	if (t->nodes[seq].type != YTREE_SEQ) {
		text_printf(msg, sizeof(msg), "the etcd container's %s is not a list", what);
		return fail(err, t->nodes[seq].line, msg);
	}
	for (int s = t->nodes[seq].first; s >= 0; s = t->slots[s].next) {
		int v = t->slots[s].node;
		if (t->nodes[v].type != YTREE_SCALAR) {
			text_printf(msg, sizeof(msg), "an item of the etcd container's %s is not a "
						      "string", what);
			return fail(err, t->nodes[v].line, msg);
		}
		const char *a = ytree_str(t, v);
		if (m->argc >= CONFIG_MANIFEST_ARGS_MAX || strlen(a) >= sizeof(m->argv[0]))
			return fail(err, t->nodes[v].line,
				    "the etcd container's command line is longer than etcd-diag reads");
		text_scopy(m->argv[m->argc++], sizeof(m->argv[0]), a);
	}
	return 0;
}

static bool is_etcd_binary(const char *s)
{
	const char *b = strrchr(s, '/');
	return strcmp(b ? b + 1 : s, "etcd") == 0;
}

int config_manifest_parse(const char *text, size_t len, struct config_manifest *ret,
			  struct config_error *err)
{
	struct ytree t;
	memset(ret, 0, sizeof(*ret));
	int r = ytree_parse(text, len, &t, err);
	if (r < 0)
		goto out;
	if (t.root < 0 || t.nodes[t.root].type != YTREE_MAP) {
		r = fail(err, t.root < 0 ? 1 : t.nodes[t.root].line, "not a Kubernetes manifest");
		goto out;
	}
	int kind = ytree_get(&t, t.root, "kind");
	if (kind >= 0 && strcmp(ytree_str(&t, kind), "Pod") != 0) {
		r = fail(err, t.nodes[kind].line, "not a Pod manifest (kind is not Pod)");
		goto out;
	}
	int spec = ytree_get(&t, t.root, "spec");
	int cs = ytree_get(&t, spec, "containers");
	if (cs < 0 || t.nodes[cs].type != YTREE_SEQ) {
		r = fail(err, spec >= 0 ? t.nodes[spec].line : 1, "no spec.containers list");
		goto out;
	}
	int found = -1, by_command = -1;
	for (int s = t.nodes[cs].first; s >= 0; s = t.slots[s].next) {
		int c = t.slots[s].node;
		if (strcmp(ytree_str(&t, ytree_get(&t, c, "name")), "etcd") == 0) {
			found = c;
			break;
		}
		int cmd = ytree_get(&t, c, "command");
		if (by_command < 0 && cmd >= 0 && t.nodes[cmd].type == YTREE_SEQ &&
		    t.nodes[cmd].first >= 0 &&
		    is_etcd_binary(ytree_str(&t, t.slots[t.nodes[cmd].first].node)))
			by_command = c;
	}
	if (found < 0)
		found = by_command;
	if (found < 0) {
		r = fail(err, t.nodes[cs].line, "no container named etcd in spec.containers");
		goto out;
	}
	ret->line = t.nodes[found].line;
	r = add_list(&t, ytree_get(&t, found, "command"), "command", ret, err);
	if (r == 0)
		r = add_list(&t, ytree_get(&t, found, "args"), "args", ret, err);
	if (r == 0 && ret->argc == 0)
		r = fail(err, ret->line, "the etcd container has no command");
out:
	ytree_free(&t);
	return r;
}

int config_manifest_apply(const struct config_manifest *m, struct diag_config *cfg)
{
	const char *argv[CONFIG_MANIFEST_ARGS_MAX];
	for (size_t i = 0; i < m->argc; i++)
		argv[i] = m->argv[i];
	return config_apply_argv(cfg, argv, m->argc);
}

/* dir of path, with its trailing '/', into out; false when path has no '/'. */
static bool dir_of(const char *path, char *out, size_t cap)
{
	const char *sl = strrchr(path, '/');
	if (!sl || (size_t)(sl - path) + 2 > cap)
		return false;
	text_copy(out, cap, path, (size_t)(sl - path) + 1);
	return true;
}

bool config_manifest_healthcheck_paths(struct diag_config *cfg)
{
	char dir[CONFIG_PATH_LEN];
	const char *ref = cfg->cert_file[0] ? cfg->cert_file : cfg->trusted_ca_file;
	if (!ref[0] || !dir_of(ref, dir, sizeof(dir)))
		return false;
	/* kubeadm's layout: <certificatesDir>/etcd/{ca,server,peer,healthcheck-client}.{crt,key} */
	size_t n = strlen(dir);
	if (n < 6 || strcmp(dir + n - 6, "/etcd/") != 0)
		return false;
	text_printf(cfg->healthcheck_cert_file, sizeof(cfg->healthcheck_cert_file),
		    "%shealthcheck-client.crt", dir);
	text_printf(cfg->healthcheck_key_file, sizeof(cfg->healthcheck_key_file),
		    "%shealthcheck-client.key", dir);
	return true;
}
