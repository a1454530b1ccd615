#!/usr/bin/env bash
# Captures the /metrics of a real etcd for tests/unit/test_prom_text.c: a 3-member cluster of the
# harness (tests/lib/cluster.sh; ETCD_VERSION picks the version), a few writes, then member 1's
# /metrics over mutual TLS once its peer round-trip histogram has observations (etcd's prober
# records one per peer about every 5 s at first, rafthttp/probing_status.go).
#
#   bash tests/unit/data/capture-metrics.sh tests/unit/data/metrics-3.4.23.txt
#   ETCD_VERSIONS_CACHE=... ETCD_VERSION=3.5.16 bash tests/unit/data/capture-metrics.sh OUT
set -u
out=${1:?usage: capture-metrics.sh OUT}
case $out in /*) ;; *) out=$PWD/$out ;; esac
cd "$(dirname "$0")/../../.." || exit 2
. tests/lib/cluster.sh
cluster_init || exit 1
CLUSTER_KEY_ALG=ec cluster_start 3 >/dev/null || exit 1
D=$CLUSTER_DIR
for i in 1 2 3 4 5; do cluster_etcdctl 1 put "k$i" "v$i" >/dev/null || exit 1; done
fetch() {
	curl -sS --max-time 5 --cacert "$D/ca/ca.pem" --cert "$D/client.pem" --key "$D/client-key.pem" \
		"$(member_url 1)/metrics"
}
for _ in $(seq 1 40); do
	fetch >"$D/metrics" || exit 1
	grep -q '^etcd_network_peer_round_trip_time_seconds_count{To=' "$D/metrics" &&
		[ "$(grep -c '^etcd_network_peer_round_trip_time_seconds_count{To=' "$D/metrics")" -ge 2 ] && break
	sleep 1
done
cp "$D/metrics" "$out" || exit 1
echo "$("${ETCD:-etcd}" --version | head -n 1): $(wc -c <"$out") bytes into $out"
