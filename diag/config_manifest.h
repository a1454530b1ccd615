/* config_manifest.h: a kubeadm static pod manifest (/etc/kubernetes/manifests/etcd.yaml): the
 * etcd container's command line, and kubeadm's certificate layout around it. Pure: text in,
 * struct out. */
#ifndef DIAG_CONFIG_MANIFEST_H
#define DIAG_CONFIG_MANIFEST_H

#include <stddef.h>

#include "diag/config.h"
#include "diag/config_yaml.h"

#define CONFIG_MANIFEST_ARGS_MAX 96

/* The etcd container's command followed by its args (as the kubelet runs them). */
struct config_manifest {
	size_t argc;
	char argv[CONFIG_MANIFEST_ARGS_MAX][CONFIG_URLS_LEN];
	size_t line; /* where the container is, for messages */
};

/* Finds spec.containers[] named "etcd" (else the one whose command is etcd) in a Pod manifest.
 * Returns 0, -EINVAL (malformed YAML, not a Pod, no etcd container, a command that is not a
 * list of strings, too many or too long words: err names the line), -ENOMEM. */
int config_manifest_parse(const char *text, size_t len, struct config_manifest *ret,
			  struct config_error *err);

/* Applies the command line to cfg (config_apply_argv). */
int config_manifest_apply(const struct config_manifest *m, struct diag_config *cfg);

/* kubeadm keeps healthcheck-client.crt/.key beside the etcd server certificate
 * (<certificatesDir>/etcd/): sets cfg->healthcheck_* to those paths when cert-file (or the
 * trusted CA) is in such a directory. Returns true when it did. */
bool config_manifest_healthcheck_paths(struct diag_config *cfg);

#endif
