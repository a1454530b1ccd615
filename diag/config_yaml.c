/* config_yaml.c: YAML through libyaml into a bounded tree, and etcd's --config-file from it. */
#include "diag/config_yaml.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "diag/text.h"

#define ANCHORS_MAX 64

static int tree_grow(void **v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 64;
	void *nv = realloc(*v, nc * size);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = nc;
	return 0;
}

struct builder {
	struct ytree *t;
	size_t nodes_cap, slots_cap;
	int stack[YAML_TREE_DEPTH_MAX];
	int last[YAML_TREE_DEPTH_MAX]; /* last slot of each open container, -1 none */
	char *stack_anchor[YAML_TREE_DEPTH_MAX];
	size_t depth;
	size_t n_anchors;
	struct {
		char *name;
		int node;
	} anchors[ANCHORS_MAX];
};

static void say(struct config_error *err, size_t line, const char *msg)
{
	if (!err)
		return;
	err->line = line;
	text_scopy(err->msg, sizeof(err->msg), msg);
}

/* Hangs node under the open container (or makes it the root). */
static int attach(struct builder *b, int node, size_t line, struct config_error *err)
{
	struct ytree *t = b->t;
	if (b->depth == 0) {
		if (t->root < 0)
			t->root = node;
		return 0;
	}
	if (t->n_slots >= 2 * YAML_TREE_NODES_MAX) {
		say(err, line, "more than the nodes an etcd configuration can have");
		return -EINVAL;
	}
	if (tree_grow((void **)&t->slots, &b->slots_cap, t->n_slots, sizeof(*t->slots)) < 0)
		return -ENOMEM;
	int s = (int)t->n_slots++;
	t->slots[s].node = node;
	t->slots[s].next = -1;
	size_t d = b->depth - 1;
	if (b->last[d] < 0)
		t->nodes[b->stack[d]].first = s;
	else
		t->slots[b->last[d]].next = s;
	b->last[d] = s;
	return 0;
}

static int new_node(struct builder *b, enum ytree_type type, size_t line, struct config_error *err)
{
	struct ytree *t = b->t;
	if (t->n_nodes >= YAML_TREE_NODES_MAX) {
		say(err, line, "more than the nodes an etcd configuration can have");
		return -EINVAL;
	}
	if (tree_grow((void **)&t->nodes, &b->nodes_cap, t->n_nodes, sizeof(*t->nodes)) < 0)
		return -ENOMEM;
	int n = (int)t->n_nodes++;
	memset(&t->nodes[n], 0, sizeof(t->nodes[n]));
	t->nodes[n].type = type;
	t->nodes[n].line = line;
	t->nodes[n].first = -1;
	return n;
}

static int add_text(struct ytree *t, const unsigned char *s, size_t n, size_t line,
		    struct config_error *err, size_t *ret)
{
	if (t->text_len + n + 1 > YAML_TREE_TEXT_MAX) {
		say(err, line, "more text than an etcd configuration can have");
		return -EINVAL;
	}
	while (t->text_len + n + 1 > t->text_cap) {
		size_t nc = t->text_cap ? t->text_cap * 2 : 4096;
		char *nt = realloc(t->text, nc);
		if (!nt)
			return -ENOMEM;
		t->text = nt;
		t->text_cap = nc;
	}
	memcpy(t->text + t->text_len, s, n);
	t->text[t->text_len + n] = '\0';
	*ret = t->text_len;
	t->text_len += n + 1;
	return 0;
}

/* Anchors are registered when their node is complete: an alias inside its own anchor's node is
 * "undefined", so the tree has no cycles. */
static int anchor_add(struct builder *b, const unsigned char *name, int node, size_t line,
		      struct config_error *err)
{
	if (!name)
		return 0;
	if (b->n_anchors >= ANCHORS_MAX) {
		say(err, line, "more anchors than an etcd configuration needs");
		return -EINVAL;
	}
	char *c = strdup((const char *)name);
	if (!c)
		return -ENOMEM;
	b->anchors[b->n_anchors].name = c;
	b->anchors[b->n_anchors++].node = node;
	return 0;
}

static int anchor_find(const struct builder *b, const unsigned char *name)
{
	for (size_t i = b->n_anchors; i-- > 0;) /* a redefined anchor: the latest counts */
		if (strcmp(b->anchors[i].name, (const char *)name) == 0)
			return b->anchors[i].node;
	return -1;
}

/* The line of a libyaml error: reader errors (bad UTF-8, control bytes) only give an offset. */
static size_t error_line(const yaml_parser_t *p, const char *text, size_t len)
{
	if (p->error != YAML_READER_ERROR)
		return p->problem_mark.line + 1;
	size_t line = 1;
	for (size_t i = 0; i < p->problem_offset && i < len; i++)
		line += text[i] == '\n';
	return line;
}

static int event(struct builder *b, const yaml_event_t *ev, bool *done, struct config_error *err)
{
	struct ytree *t = b->t;
	size_t line = ev->start_mark.line + 1;
	int n, r;

	switch (ev->type) {
	case YAML_DOCUMENT_END_EVENT: /* only the first document counts, as for go-yaml */
	case YAML_STREAM_END_EVENT:
		*done = true;
		return 0;
	case YAML_SCALAR_EVENT:
		n = new_node(b, YTREE_SCALAR, line, err);
		if (n < 0)
			return n;
		t->nodes[n].plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		r = add_text(t, ev->data.scalar.value, ev->data.scalar.length, line, err,
			     &t->nodes[n].text);
		if (r == 0)
			r = attach(b, n, line, err);
		if (r == 0)
			r = anchor_add(b, ev->data.scalar.anchor, n, line, err);
		return r;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (b->depth >= YAML_TREE_DEPTH_MAX) {
			say(err, line, "nested deeper than an etcd configuration can be");
			return -EINVAL;
		}
		n = new_node(b, ev->type == YAML_MAPPING_START_EVENT ? YTREE_MAP : YTREE_SEQ, line,
			     err);
		if (n < 0)
			return n;
		r = attach(b, n, line, err);
		if (r < 0)
			return r;
		{
			const unsigned char *a = ev->type == YAML_MAPPING_START_EVENT
							 ? ev->data.mapping_start.anchor
							 : ev->data.sequence_start.anchor;
			char *c = a ? strdup((const char *)a) : NULL;
			if (a && !c)
				return -ENOMEM;
			b->stack_anchor[b->depth] = c;
		}
		b->stack[b->depth] = n;
		b->last[b->depth++] = -1;
		return 0;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT: {
		if (b->depth == 0)
			return 0;
		b->depth--;
		char *a = b->stack_anchor[b->depth];
		b->stack_anchor[b->depth] = NULL;
		r = anchor_add(b, (const unsigned char *)a, b->stack[b->depth], line, err);
		free(a);
		return r;
	}
	case YAML_ALIAS_EVENT:
		n = anchor_find(b, ev->data.alias.anchor);
		if (n < 0) {
			say(err, line, "an alias (*name) to an anchor not defined before it");
			return -EINVAL;
		}
		return attach(b, n, line, err);
	default:
		return 0;
	}
}

int ytree_parse(const char *text, size_t len, struct ytree *t, struct config_error *err)
{
	struct builder *b = calloc(1, sizeof(*b));
	yaml_parser_t p;
	yaml_event_t ev;
	bool done = false;
	int rc = 0;

	memset(t, 0, sizeof(*t));
	t->root = -1;
	if (err)
		memset(err, 0, sizeof(*err));
	if (!b)
		return -ENOMEM;
	b->t = t;
	if (!yaml_parser_initialize(&p)) {
		free(b);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	while (!done && rc == 0) {
		if (!yaml_parser_parse(&p, &ev)) {
			if (p.error == YAML_MEMORY_ERROR) {
				rc = -ENOMEM;
				break;
			}
			char msg[160];
			text_printf(msg, sizeof(msg), "%s%s%s", p.problem ? p.problem : "malformed",
				    p.context ? " " : "", p.context ? p.context : "");
			say(err, error_line(&p, text, len), msg);
			rc = -EINVAL;
			break;
		}
		rc = event(b, &ev, &done, err);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	for (size_t i = 0; i < b->n_anchors; i++)
		free(b->anchors[i].name);
	for (size_t i = 0; i < YAML_TREE_DEPTH_MAX; i++)
		free(b->stack_anchor[i]);
	free(b);
	return rc;
}

void ytree_free(struct ytree *t)
{
	if (!t)
		return;
	free(t->nodes);
	free(t->slots);
	free(t->text);
	memset(t, 0, sizeof(*t));
	t->root = -1;
}

const char *ytree_str(const struct ytree *t, int node)
{
	if (node < 0 || (size_t)node >= t->n_nodes || t->nodes[node].type != YTREE_SCALAR)
		return "";
	return t->text + t->nodes[node].text;
}

int ytree_get(const struct ytree *t, int map, const char *key)
{
	int found = -1;
	if (map < 0 || (size_t)map >= t->n_nodes || t->nodes[map].type != YTREE_MAP)
		return -1;
	for (int s = t->nodes[map].first; s >= 0; s = t->slots[s].next) {
		int v = t->slots[s].next;
		if (v < 0)
			break;
		int k = t->slots[s].node;
		if (t->nodes[k].type == YTREE_SCALAR && strcmp(ytree_str(t, k), key) == 0)
			found = t->slots[v].node;
		s = v;
	}
	return found;
}

bool ytree_is_null(const struct ytree *t, int node)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
	if (node < 0 || t->nodes[node].type != YTREE_SCALAR || !t->nodes[node].plain)
		return false;
	for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		if (strcmp(ytree_str(t, node), nulls[i]) == 0)
			return true;
	return false;
}

int ytree_bool(const struct ytree *t, int node, bool *ret)
{
	/* go-yaml v2's resolve table (resolve.go): YAML 1.1 booleans */
	static const struct {
		const char *s;
		bool v;
	} table[] = {
		{"y", true},     {"Y", true},     {"yes", true},   {"Yes", true},  {"YES", true},
		{"true", true},  {"True", true},  {"TRUE", true},  {"on", true},   {"On", true},
		{"ON", true},    {"n", false},    {"N", false},    {"no", false},  {"No", false},
		{"NO", false},   {"false", false}, {"False", false}, {"FALSE", false},
		{"off", false},  {"Off", false},  {"OFF", false},
	};
	if (node < 0 || t->nodes[node].type != YTREE_SCALAR || !t->nodes[node].plain)
		return -EINVAL;
	const char *s = ytree_str(t, node);
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(s, table[i].s) == 0) {
			*ret = table[i].v;
			return 0;
		}
	return -EINVAL;
}

/* One etcd setting from its YAML value node. */
static int apply_value(struct diag_config *cfg, const struct ytree *t, int idx, int k, int v,
		       struct config_error *err)
{
	const char *flag = config_setting_flag((size_t)idx);
	size_t line = t->nodes[k].line; /* an alias's node is where its anchor is: name the key */
	char msg[160];

	if (ytree_is_null(t, v))
		return 0; /* etcd keeps its default */
	if (t->nodes[v].type != YTREE_SCALAR) {
		text_printf(msg, sizeof(msg), "%s: expected one value, found a %s", flag,
			    t->nodes[v].type == YTREE_MAP ? "mapping" : "list");
		say(err, line, msg);
		return -EINVAL;
	}
	if (config_setting_is_bool((size_t)idx)) {
		bool b;
		if (ytree_bool(t, v, &b) < 0) {
			/* a quoted "true" is a string to go-yaml, and etcd refuses it for a boolean */
			text_printf(msg, sizeof(msg), "%s: not a boolean (true or false%s)", flag,
				    t->nodes[v].plain ? "" : ", unquoted");
			say(err, line, msg);
			return -EINVAL;
		}
		config_setting_set_bool(cfg, (size_t)idx, b);
		return 0;
	}
	if (config_setting_set(cfg, (size_t)idx, ytree_str(t, v)) < 0) {
		text_printf(msg, sizeof(msg), "%s: value longer than etcd-diag reads", flag);
		say(err, line, msg);
		return -EINVAL;
	}
	return 0;
}

static int apply_map(struct diag_config *cfg, const struct ytree *t, int map, const char *section,
		     struct config_error *err)
{
	for (int s = t->nodes[map].first; s >= 0; s = t->slots[s].next) {
		int vs = t->slots[s].next;
		if (vs < 0)
			break;
		int k = t->slots[s].node, v = t->slots[vs].node;
		s = vs;
		if (t->nodes[k].type != YTREE_SCALAR)
			continue;
		const char *key = ytree_str(t, k);
		if (!section && (strcmp(key, "client-transport-security") == 0 ||
				 strcmp(key, "peer-transport-security") == 0)) {
			if (ytree_is_null(t, v))
				continue;
			if (t->nodes[v].type != YTREE_MAP) {
				char msg[96];
				text_printf(msg, sizeof(msg), "%s: expected a mapping", key);
				say(err, t->nodes[k].line, msg);
				return -EINVAL;
			}
			int r = apply_map(cfg, t, v, key, err);
			if (r < 0)
				return r;
			continue;
		}
		int idx = config_setting_by_yaml(section, key);
		if (idx < 0)
			continue; /* etcd has many settings that diag does not need */
		int r = apply_value(cfg, t, idx, k, v, err);
		if (r < 0)
			return r;
	}
	return 0;
}

int config_yaml_parse(const char *text, size_t len, struct diag_config *cfg,
		      struct config_error *err)
{
	struct ytree t;
	int r = ytree_parse(text, len, &t, err);
	if (r == 0 && t.root >= 0 && !ytree_is_null(&t, t.root)) {
		if (t.nodes[t.root].type != YTREE_MAP) {
			say(err, t.nodes[t.root].line, "not a mapping of etcd settings");
			r = -EINVAL;
		} else {
			r = apply_map(cfg, &t, t.root, NULL, err);
		}
	}
	ytree_free(&t);
	return r;
}
