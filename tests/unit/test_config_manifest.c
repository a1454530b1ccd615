/* test_config_manifest.c: a kubeadm static pod manifest (the shape kubeadm's getEtcdCommand and
 * the static pod spec give, /work/shared/ETCD_ECOSYSTEM.md section 6) into etcd's settings and
 * kubeadm's certificate layout. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diag/config.h"
#include "diag/config_manifest.h"

/* As kubeadm writes /etc/kubernetes/manifests/etcd.yaml for node cp1 at 127.0.3.1. */
static const char kubeadm_manifest[] =
	"apiVersion: v1\n"
	"kind: Pod\n"
	"metadata:\n"
	"  annotations:\n"
	"    kubeadm.kubernetes.io/etcd.advertise-client-urls: https://127.0.3.1:2379\n"
	"  creationTimestamp: null\n"
	"  labels:\n"
	"    component: etcd\n"
	"    tier: control-plane\n"
	"  name: etcd\n"
	"  namespace: kube-system\n"
	"spec:\n"
	"  containers:\n"
	"  - command:\n"
	"    - etcd\n"
	"    - --advertise-client-urls=https://127.0.3.1:2379\n"
	"    - --cert-file=/etc/kubernetes/pki/etcd/server.crt\n"
	"    - --client-cert-auth=true\n"
	"    - --data-dir=/var/lib/etcd\n"
	"    - --experimental-initial-corrupt-check=true\n"
	"    - --experimental-watch-progress-notify-interval=5s\n"
	"    - --initial-advertise-peer-urls=https://127.0.3.1:2380\n"
	"    - --initial-cluster=cp1=https://127.0.3.1:2380\n"
	"    - --key-file=/etc/kubernetes/pki/etcd/server.key\n"
	"    - --listen-client-urls=https://127.0.0.1:2379,https://127.0.3.1:2379\n"
	"    - --listen-metrics-urls=http://127.0.0.1:2381\n"
	"    - --listen-peer-urls=https://127.0.3.1:2380\n"
	"    - --name=cp1\n"
	"    - --peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt\n"
	"    - --peer-client-cert-auth=true\n"
	"    - --peer-key-file=/etc/kubernetes/pki/etcd/peer.key\n"
	"    - --peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt\n"
	"    - --snapshot-count=10000\n"
	"    - --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt\n"
	"    image: registry.k8s.io/etcd:3.5.16-0\n"
	"    imagePullPolicy: IfNotPresent\n"
	"    livenessProbe:\n"
	"      failureThreshold: 8\n"
	"      httpGet:\n"
	"        host: 127.0.0.1\n"
	"        path: /livez\n"
	"        port: 2381\n"
	"        scheme: HTTP\n"
	"    name: etcd\n"
	"    readinessProbe:\n"
	"      httpGet:\n"
	"        host: 127.0.0.1\n"
	"        path: /readyz\n"
	"        port: 2381\n"
	"    resources:\n"
	"      requests:\n"
	"        cpu: 100m\n"
	"        memory: 100Mi\n"
	"    volumeMounts:\n"
	"    - mountPath: /var/lib/etcd\n"
	"      name: etcd-data\n"
	"    - mountPath: /etc/kubernetes/pki/etcd\n"
	"      name: etcd-certs\n"
	"  hostNetwork: true\n"
	"  priority: 2000001000\n"
	"  priorityClassName: system-node-critical\n"
	"  securityContext:\n"
	"    seccompProfile:\n"
	"      type: RuntimeDefault\n"
	"  volumes:\n"
	"  - hostPath:\n"
	"      path: /etc/kubernetes/pki/etcd\n"
	"      type: DirectoryOrCreate\n"
	"    name: etcd-certs\n"
	"  - hostPath:\n"
	"      path: /var/lib/etcd\n"
	"      type: DirectoryOrCreate\n"
	"    name: etcd-data\n"
	"status: {}\n";

static void test_manifest_kubeadm(void **state)
{
	(void)state;
	struct config_manifest *m = calloc(1, sizeof(*m));
	struct config_error e;
	struct diag_config cfg;
	assert_non_null(m);
	assert_int_equal(config_manifest_parse(kubeadm_manifest, strlen(kubeadm_manifest), m, &e),
			 0);
	assert_int_equal(m->argc, 20);
	assert_string_equal(m->argv[0], "etcd");
	memset(&cfg, 0, sizeof(cfg));
	config_source_add(&cfg, "/etc/kubernetes/manifests/etcd.yaml");
	assert_int_equal(config_manifest_apply(m, &cfg), 0);
	assert_string_equal(cfg.name, "cp1");
	assert_string_equal(cfg.data_dir, "/var/lib/etcd");
	assert_string_equal(cfg.cert_file, "/etc/kubernetes/pki/etcd/server.crt");
	assert_string_equal(cfg.key_file, "/etc/kubernetes/pki/etcd/server.key");
	assert_string_equal(cfg.trusted_ca_file, "/etc/kubernetes/pki/etcd/ca.crt");
	assert_true(cfg.client_cert_auth);
	assert_string_equal(cfg.peer_cert_file, "/etc/kubernetes/pki/etcd/peer.crt");
	assert_true(cfg.peer_client_cert_auth);
	assert_string_equal(cfg.listen_client_urls, "https://127.0.0.1:2379,https://127.0.3.1:2379");
	assert_string_equal(cfg.initial_cluster, "cp1=https://127.0.3.1:2380");
	assert_int_equal(cfg.origin[config_setting_by_flag("cert-file", 9)], 1);
	assert_true(config_manifest_healthcheck_paths(&cfg));
	assert_string_equal(cfg.healthcheck_cert_file,
			    "/etc/kubernetes/pki/etcd/healthcheck-client.crt");
	assert_string_equal(cfg.healthcheck_key_file,
			    "/etc/kubernetes/pki/etcd/healthcheck-client.key");
	/* another layout: no healthcheck-client to guess */
	memset(&cfg, 0, sizeof(cfg));
	strcpy(cfg.cert_file, "/etc/etcd/pki/server.crt");
	assert_false(config_manifest_healthcheck_paths(&cfg));
	free(m);
}

static void test_manifest_shapes(void **state)
{
	(void)state;
	struct config_manifest *m = calloc(1, sizeof(*m));
	struct config_error e;
	assert_non_null(m);
	/* a sidecar first, the etcd container found by name; command then args */
	const char *two = "kind: Pod\nspec:\n  containers:\n"
			  "  - name: sidecar\n    command: [sh, -c, sleep]\n"
			  "  - name: etcd\n    command: [/usr/local/bin/etcd]\n"
			  "    args: [\"--name=x\", '--data-dir', /d]\n";
	assert_int_equal(config_manifest_parse(two, strlen(two), m, &e), 0);
	assert_int_equal(m->argc, 4);
	assert_string_equal(m->argv[3], "/d");
	/* no container named etcd: the one whose command is etcd */
	const char *unnamed = "spec:\n  containers:\n  - name: main\n    command: [/bin/etcd, --name=y]\n";
	assert_int_equal(config_manifest_parse(unnamed, strlen(unnamed), m, &e), 0);
	assert_string_equal(m->argv[1], "--name=y");
	static const struct {
		const char *text;
		size_t line;
	} bad[] = {
		{"kind: Deployment\nspec: {}\n", 1},
		{"kind: Pod\nspec:\n  containers: []\n", 3},
		{"kind: Pod\nmetadata: {}\n", 1},
		{"spec:\n  containers:\n  - name: etcd\n    command: etcd --name=x\n", 4},
		{"spec:\n  containers:\n  - name: etcd\n    command: [etcd, [nested]]\n", 4},
		{"spec:\n  containers:\n  - name: etcd\n", 3},
		{"spec: [\n", 2},
		{"- just\n- a list\n", 1},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e.line = 99;
		assert_int_equal(config_manifest_parse(bad[i].text, strlen(bad[i].text), m, &e),
				 -EINVAL);
		if (e.line != bad[i].line)
			fail_msg("case %zu: line %zu, want %zu (%s)", i, e.line, bad[i].line, e.msg);
	}
	/* more words than etcd-diag reads: refused, not cut */
	char *big = malloc(64 * 1024);
	assert_non_null(big);
	size_t o = (size_t)sprintf(big, "spec:\n  containers:\n  - name: etcd\n    command:\n");
	for (int i = 0; i < 200; i++)
		o += (size_t)sprintf(big + o, "    - --x%d=1\n", i);
	assert_int_equal(config_manifest_parse(big, o, m, &e), -EINVAL);
	free(big);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifest_kubeadm),
		cmocka_unit_test(test_manifest_shapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
