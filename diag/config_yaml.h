/* config_yaml.h: YAML read through libyaml into a small bounded tree (the shape etcd's
 * --config-file and a kubeadm manifest need), and etcd's --config-file from it. Pure: text in,
 * struct out. Hostile input is bounded: nesting, node count and text size are capped; an alias
 * is a reference to its anchor's node, never a copy, so alias bombs cost nothing. */
#ifndef DIAG_CONFIG_YAML_H
#define DIAG_CONFIG_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include "diag/config.h"

#define YAML_TREE_DEPTH_MAX 32
#define YAML_TREE_NODES_MAX 20000
#define YAML_TREE_TEXT_MAX (4u << 20)

/* Where and why a YAML text was refused: line 1-based, 0 when not known. */
struct config_error {
	size_t line;
	char msg[192];
};

enum ytree_type { YTREE_SCALAR, YTREE_SEQ, YTREE_MAP };

struct ytree_node {
	enum ytree_type type;
	bool plain;   /* a plain (unquoted, not block) scalar: YAML 1.1 resolves its type */
	size_t line;  /* 1-based */
	size_t text;  /* scalar: offset of its NUL-terminated value in the tree's text */
	int first;    /* container: first slot, -1 when empty */
};

/* A container's children: a sequence's items, or a mapping's keys and values alternating. */
struct ytree_slot {
	int node;
	int next;
};

struct ytree {
	struct ytree_node *nodes;
	size_t n_nodes;
	struct ytree_slot *slots;
	size_t n_slots;
	char *text;
	size_t text_len, text_cap;
	int root; /* -1: an empty document */
};

/* Parses the first document of text (len bytes). Returns 0, -EINVAL (malformed, or over a
 * bound: err says which line and why), -ENOMEM. Free with ytree_free (also after a failure). */
int ytree_parse(const char *text, size_t len, struct ytree *t, struct config_error *err);
void ytree_free(struct ytree *t);
/* The value node of key in mapping node map (the last one when a key repeats), or -1. */
int ytree_get(const struct ytree *t, int map, const char *key);
/* A scalar's value ("" for other nodes). */
const char *ytree_str(const struct ytree *t, int node);
/* YAML 1.1 null ("~", "null", "Null", "NULL", empty) for a plain scalar. */
bool ytree_is_null(const struct ytree *t, int node);
/* YAML 1.1 boolean of a plain scalar, as go-yaml v2 (so etcd, via sigs.k8s.io/yaml) resolves
 * it: y Y yes Yes YES on On ON true True TRUE and their negatives. 0, or -EINVAL. */
int ytree_bool(const struct ytree *t, int node, bool *ret);

/* Applies etcd's YAML config file: top-level keys and the client-/peer-transport-security maps.
 * Returns 0, or -EINVAL with err naming the line (malformed YAML, a boolean that is not one, a
 * value that is not a scalar, too long). */
int config_yaml_parse(const char *text, size_t len, struct diag_config *cfg,
		      struct config_error *err);

#endif
