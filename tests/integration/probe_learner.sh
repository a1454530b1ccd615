#!/usr/bin/env bash
# etcd-versions: live (also on 3.5.30)
# A learner in the cluster: etcd-probe reads it with a serializable read (learners refuse
# linearizable ones), shows it as a learner, and leaves it out of the quorum arithmetic.
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/cluster.sh
. tests/lib/probe-check.sh
probe_require
cluster_init || { echo "not ok - cluster harness init"; exit 1; }
CLUSTER_KEY_ALG=ec cluster_start 3 >/dev/null || { echo "not ok - 3 members start"; exit 1; }
D=$CLUSTER_DIR
TLS=(--cacert "$D/ca/ca.pem" --cert "$D/client.pem" --key "$D/client-key.pem")

CLUSTER_KEY_ALG=ec cluster_cert m4 "$(cluster_ip 4)" >/dev/null
# etcd refuses reconfiguration until its members have been connected for 5 s: retry, bounded.
added=0
for _ in $(seq 1 20); do
	if cluster_etcdctl 1 member add m4 --learner --peer-urls="$(member_peer_url 4)" >"$D/add.out" 2>&1; then
		added=1
		break
	fi
	sleep 0.5
done
if [ "$added" = 0 ]; then
	scenario_fail "etcdctl member add --learner" "$(cat "$D/add.out")"
	scenario_finish
fi
member_start 4 --initial-cluster "$(cluster_initial 4)" --initial-cluster-state existing
member_wait_tls 4 30 >/dev/null 2>&1 || echo "# m4 did not answer TLS in time"
# A learner catches up from the leader; give it a bounded moment to become readable.
for _ in $(seq 1 30); do
	probe_run --endpoints="$(member_url 1)" --cluster "${TLS[@]}" -t 5
	[ "$PROBE_RC" = 0 ] && break
	sleep 0.5
done
U4=$(re_escape "$(member_url 4)")
probe_expect "learner: OK, shown as learner, 3 voting members" 0 "^OK: $U4 m4 [0-9a-f]{16} learner" \
	"3/3 members healthy"
probe_run --endpoints="$(member_url 1)" --cluster "${TLS[@]}" -t 5 --format=json
probe_expect_json "learner: JSON is_learner and cluster size 3" '
by = {e["endpoint"]: e for e in d["endpoints"]}
l = by[sys.argv[2]]
assert l["is_learner"] is True and l["healthy"] is True, l
assert d["cluster"]["size"] == 3 and d["cluster"]["quorum"] == 2, d["cluster"]
' "$(member_url 4)"
member_stop 2 >/dev/null
member_stop 3 >/dev/null
probe_run --endpoints="$(cluster_endpoints 4)" "${TLS[@]}" -t 5
probe_expect "two voters stopped, learner up: CRITICAL quorum lost" 2 --max-ms 5500 "quorum lost"
scenario_finish
