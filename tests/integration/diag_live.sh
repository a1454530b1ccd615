#!/usr/bin/env bash
# etcd-versions: live (also on 3.5.30)
# etcd-diag's live part (the probe's checks, and a TLS handshake with every peer URL of
# --initial-cluster) on a real loopback cluster (tests/lib/cluster.sh, 127.0.X.* with X in
# 100..149), run as on member 1: its YAML --config-file gives the URLs and credentials, the
# journal is empty.
set -u
cd "$(dirname "$0")/../.." || exit 2
DIAG=${ETCD_DIAG:-build/etcd-diag}
if ! command -v etcd >/dev/null || [ ! -x "$DIAG" ]; then
	echo "skip - diag_live (needs etcd and $DIAG)"
	exit 0
fi
export CLUSTER_NET_FIRST=100 CLUSTER_NET_LAST=149
# shellcheck source=tests/lib/cluster.sh
. tests/lib/cluster.sh
cluster_init || exit 1
fails=0
if ! cluster_start 3 --logger "$(cluster_logger)"; then
	tail -n 5 "$CLUSTER_DIR"/m*.log
	echo "not ok - diag_live (cluster did not start)"
	exit 1
fi
P=$CLUSTER_DIR
mkdir -p "$P/empty"
cat >"$P/m1.yml" <<EOT
name: m1
data-dir: $P/m1.data
listen-client-urls: $(member_url 1)
advertise-client-urls: $(member_url 1)
listen-peer-urls: $(member_peer_url 1)
initial-advertise-peer-urls: $(member_peer_url 1)
initial-cluster: $(cluster_initial 3)
client-transport-security:
  cert-file: $P/m1.pem
  key-file: $P/m1-key.pem
  trusted-ca-file: $P/ca/ca.pem
  client-cert-auth: true
peer-transport-security:
  cert-file: $P/m1.pem
  key-file: $P/m1-key.pem
  trusted-ca-file: $P/ca/ca.pem
  client-cert-auth: true
EOT

# check NAME WANT_RC PYTHON_CONDITION [ETCD_DIAG_ARGS...]: runs etcd-diag as on m1 and tests its
# JSON
check() {
	local name=$1 want=$2 cond=$3 rc
	shift 3
	timeout 60 "$DIAG" --journal-dir "$P/empty" --config-file "$P/m1.yml" -t 5 \
		--format=json "$@" >"$P/diag.json" 2>"$P/diag.err"
	rc=$?
	if [ "$rc" = "$want" ] && python3 -c "import json,sys; d=json.load(sys.stdin); f=d['findings']; sys.exit(0 if ($cond) else 1)" <"$P/diag.json"; then
		echo "ok - $name"
	else
		echo "exit $rc (want $want)"
		head -c 1500 "$P/diag.json"
		echo
		echo "not ok - $name"
		fails=$((fails + 1))
	fi
}

check diag_live_healthy_cluster 0 "not [x for x in f if x['severity'] in ('warning', 'critical')]"
# The checks' own client certificate expired: one cause on this side, not 3 unhealthy members.
cluster_leaf cexpired root "" clientAuth ca dated 20200101000000Z 20200102000000Z ||
	echo "# cluster_leaf cexpired failed"
check diag_live_client_cert_expired 2 \
	"len(f) == 1 and f[0]['code'] == 'client-cert-rejected' and 'cexpired.pem expired 2020-01-02' in f[0]['summary'] and len([e for e in f[0]['evidence'] if e.startswith('live: https://')]) == 3" \
	--endpoints="$(cluster_endpoints)" --cacert="$P/ca/ca.pem" --cert="$P/cexpired.pem" --key="$P/cexpired-key.pem"
member_stop 3
MEMBER_CERT=$P/m1.pem MEMBER_KEY=$P/m1-key.pem member_start 3
sleep 3
check diag_live_member_with_other_members_cert 2 \
	"f[0]['code'] == 'cert-san-mismatch' and f[0]['member'] == 'm3' and any('peer handshake' in e for e in f[0]['evidence'])"
member_stop 2
check diag_live_member_stopped 2 \
	"any(x['code'] == 'member-down' and x['member'] == 'm2' for x in f)"
[ "$fails" = 0 ]
