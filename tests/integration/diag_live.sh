#!/usr/bin/env bash
# etcd-diag's live part (the probe's checks, and a TLS handshake with every peer URL of
# --initial-cluster) on a real loopback cluster (127.0.123.*), run as on member 1: its YAML
# --config-file gives the URLs and credentials, the journal is empty.
set -u
cd "$(dirname "$0")/../.." || exit 2
DIAG=${ETCD_DIAG:-build/etcd-diag}
if ! command -v etcd >/dev/null || [ ! -x "$DIAG" ]; then
	echo "skip - diag_live (needs etcd and $DIAG)"
	exit 0
fi
export DC_X=123
# shellcheck source=tests/lib/diag-cluster.sh
. tests/lib/diag-cluster.sh
dc_init || exit 1
fails=0
for i in 1 2 3; do dc_cert "m$i" "$(dc_ip "$i")"; done
if ! dc_start_all; then
	tail -5 "$DC_DIR"/m*.log
	echo "not ok - diag_live (cluster did not start)"
	exit 1
fi
P=$DC_DIR/pki
mkdir -p "$DC_DIR/empty"
cat >"$DC_DIR/m1.yml" <<EOT
name: m1
data-dir: $DC_DIR/m1.etcd
listen-client-urls: https://$(dc_ip 1):2379
advertise-client-urls: https://$(dc_ip 1):2379
listen-peer-urls: https://$(dc_ip 1):2380
initial-advertise-peer-urls: https://$(dc_ip 1):2380
initial-cluster: $(dc_initial_cluster)
client-transport-security:
  cert-file: $P/m1.crt
  key-file: $P/m1.key
  trusted-ca-file: $P/ca.crt
  client-cert-auth: true
peer-transport-security:
  cert-file: $P/m1.crt
  key-file: $P/m1.key
  trusted-ca-file: $P/ca.crt
  client-cert-auth: true
EOT

# check NAME WANT_RC PYTHON_CONDITION: runs etcd-diag as on m1 and tests its JSON
check() {
	local name=$1 want=$2 cond=$3 rc
	timeout 60 "$DIAG" --journal-dir "$DC_DIR/empty" --config-file "$DC_DIR/m1.yml" -t 5 \
		--format=json >"$DC_DIR/diag.json" 2>"$DC_DIR/diag.err"
	rc=$?
	if [ "$rc" = "$want" ] && python3 -c "import json,sys; d=json.load(sys.stdin); f=d['findings']; sys.exit(0 if ($cond) else 1)" <"$DC_DIR/diag.json"; then
		echo "ok - $name"
	else
		echo "exit $rc (want $want)"
		head -c 1500 "$DC_DIR/diag.json"
		echo
		echo "not ok - $name"
		fails=$((fails + 1))
	fi
}

check diag_live_healthy_cluster 0 "not [x for x in f if x['severity'] in ('warning', 'critical')]"
dc_stop 3
DC_CERT_3=m1 dc_start 3
sleep 3
check diag_live_member_with_other_members_cert 2 \
	"f[0]['code'] == 'cert-san-mismatch' and f[0]['member'] == 'm3' and any('peer handshake' in e for e in f[0]['evidence'])"
dc_stop 2
check diag_live_member_stopped 2 \
	"any(x['code'] == 'member-down' and x['member'] == 'm2' for x in f)"
[ "$fails" = 0 ]
