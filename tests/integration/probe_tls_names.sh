#!/usr/bin/env bash
# etcd-versions: all (one real member, for the CN-only certificate that etcdctl refuses too)
# etcd-probe checks a server certificate's names as Go does (crypto/x509 VerifyHostname, so as
# etcd, etcdctl and the peers do): a DNS name only against DNS SANs, never the subject CN; an IP
# only against IP SANs, never a DNS SAN spelling it. Each server is
# tests/hostile/hostile_server.py status14 (TLS with ALPN h2, then every call answered
# Unavailable), so getting past TLS shows as "Unavailable" and a refused name as a "TLS handshake"
# line. The certificates come from the harness CA and the probe gets --cacert.
#   localhost (127.0.0.1, a free port in 23000-23999): CN=localhost, no SANs -> refused, Go's
#     "relies on legacy Common Name field"; CN=etcd, DNS:localhost -> accepted
#   127.0.X.1: the IP only as a DNS SAN -> refused, "doesn't contain any IP SANs (DNS SANs: ...)"
#   127.0.X.2: the IP only as the CN -> refused, legacy Common Name
#   a real etcd member serving the CN-only certificate on https://localhost:PORT (peer port
#     127.0.X.3): etcdctl refuses it (its TLS client's alert in the member's log) and so must the
#     probe (the old probe said OK)
# PROBE=path overrides build/etcd-probe.
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/cluster.sh
. tests/lib/cluster.sh
# shellcheck source=tests/lib/probe-check.sh
. tests/lib/probe-check.sh
probe_require
export CLUSTER_KEY_ALG=ec
cluster_init || { echo "not ok - tls names: harness init"; exit 1; }
D=$CLUSTER_DIR
N=$CLUSTER_NET
CA=(--cacert "$D/ca/ca.pem")

# free_port: prints a port in 23000-23999 on which nothing listens on 127.0.0.1 (none used by
# the other scripts), or fails.
free_port() {
	local i p
	for ((i = 0; i < 1000; i++)); do
		p=$((23000 + (RANDOM + i) % 1000))
		[[ " ${TAKEN:-} " == *" $p "* ]] && continue
		ss -Hltn "src 127.0.0.1:$p" 2>/dev/null | grep -q . || { echo "$p"; return 0; }
	done
	return 1
}

cluster_ca ca &&
	cluster_leaf cnonly localhost "" serverAuth,clientAuth ca days 365 &&
	cluster_leaf dnslocal etcd "DNS:localhost" serverAuth ca days 365 &&
	cluster_leaf ipasdns etcd "DNS:$N.1" serverAuth ca days 365 &&
	cluster_leaf ipcn "$N.2" "" serverAuth ca days 365 ||
	{ echo "not ok - tls names: certificates"; exit 1; }
P1=$(free_port) && TAKEN=$P1 && P2=$(free_port) && TAKEN+=" $P2" && P3=$(free_port) ||
	{ echo "not ok - tls names: no free port in 23000-23999"; exit 1; }

# serve NAME IP PORT: hostile_server.py status14 with certificate NAME on IP:PORT.
serve() {
	cluster_bg "$D/$1.log" python3 tests/hostile/hostile_server.py status14 "$2" "$3" \
		"$D/$1.pem" "$D/$1-key.pem"
}
serve cnonly 127.0.0.1 "$P1"
serve dnslocal 127.0.0.1 "$P2"
serve ipasdns "$N.1" 2379
serve ipcn "$N.2" 2379
ready=1
for a in "127.0.0.1 $P1" "127.0.0.1 $P2" "$N.1 2379" "$N.2 2379"; do
	# shellcheck disable=SC2086 # IP and port
	cluster_wait_port $a 10 || ready=0
done
[ "$ready" = 1 ] || echo "# a server did not come up (another process on its port?); see below"

LEGACY='TLS handshake: certificate relies on legacy Common Name field, use SANs instead'

probe_run --endpoints="https://localhost:$P1" "${CA[@]}" -t 3
probe_expect "localhost, certificate with CN=localhost and no SANs: refused as Go does" 2 \
	--max-ms 3500 "^CRITICAL: https://localhost:$P1 .*$LEGACY \\(CN=localhost, no subject alternative names\\)" \
	"!Unavailable"

probe_run --endpoints="https://localhost:$P2" "${CA[@]}" -t 3
probe_expect "localhost, certificate with DNS SAN localhost: accepted (the call's answer is reached)" 2 \
	--max-ms 3500 "^CRITICAL: https://localhost:$P2 .*Unavailable" "!TLS handshake"

N_RE=$(re_escape "$N")
probe_run --endpoints="https://$N.1:2379" "${CA[@]}" -t 3
probe_expect "IP endpoint, the IP only as a DNS SAN: refused, the DNS SAN named" 2 --max-ms 3500 \
	"^CRITICAL: https://$N_RE\\.1:2379 .*TLS handshake: cannot validate certificate for $N_RE\\.1 because it doesn't contain any IP SANs \\(DNS SANs: $N_RE\\.1\\)" \
	"!Unavailable"

probe_run --endpoints="https://$N.2:2379" "${CA[@]}" -t 3
probe_expect "IP endpoint, the IP only as the CN: refused, legacy Common Name" 2 --max-ms 3500 \
	"^CRITICAL: https://$N_RE\\.2:2379 .*$LEGACY \\(CN=$N_RE\\.2, no subject alternative names\\)" \
	"!Unavailable"

# A real member with the CN-only certificate on its client port (no client certificates asked),
# plain-HTTP peer port on 127.0.X.3.
cluster_bg "$D/etcd.log" "${ETCD:-etcd}" --name tn --data-dir "$D/tn.data" \
	--listen-client-urls "https://127.0.0.1:$P3" --advertise-client-urls "https://localhost:$P3" \
	--listen-peer-urls "http://$N.3:2380" --initial-advertise-peer-urls "http://$N.3:2380" \
	--initial-cluster "tn=http://$N.3:2380" --initial-cluster-token "$CLUSTER_TOKEN" \
	--cert-file "$D/cnonly.pem" --key-file "$D/cnonly-key.pem"
# serving once it answers a health check that does not verify names (bounded: 30 s)
# (etcdctl applies --insecure-skip-tls-verify only to a TLS setup that --cacert creates)
healthy=0 end=$((SECONDS + 30))
while [ "$SECONDS" -lt "$end" ]; do
	ETCDCTL_API=3 timeout 5 etcdctl --endpoints="https://127.0.0.1:$P3" --insecure-skip-tls-verify \
		--cacert "$D/ca/ca.pem" --command-timeout=2s --dial-timeout=1s endpoint health \
		>/dev/null 2>&1 && { healthy=1; break; }
	sleep 0.3
done
if [ "$healthy" = 1 ]; then
	# etcdctl 3.4 only says "context deadline exceeded"; the member logs the alert its TLS
	# client sent for the name localhost ("bad certificate")
	rc=0
	ETCDCTL_API=3 timeout 15 etcdctl --endpoints="https://localhost:$P3" --cacert "$D/ca/ca.pem" \
		--command-timeout=3s --dial-timeout=2s endpoint health >"$D/etcdctl.out" 2>&1 || rc=$?
	if [ "$rc" != 0 ] && grep 'rejected connection' "$D/etcd.log" | grep 'bad certificate' |
		grep -q 'localhost'; then
		scenario_ok "etcdctl (Go) turns down the member's CN-only certificate for localhost too"
	else
		scenario_fail "etcdctl (Go) turns down the member's CN-only certificate for localhost too" \
			"etcdctl exit $rc: $(tail -n 2 "$D/etcdctl.out" | tr '\n' ' ' | cut -c1-300)" \
			"member log: $(grep 'rejected connection' "$D/etcd.log" | tail -n 1 | cut -c1-300)"
	fi
	probe_run --endpoints="https://localhost:$P3" "${CA[@]}" -t 5
	probe_expect "real member with a CN-only certificate on https://localhost: CRITICAL like etcdctl" 2 \
		--max-ms 5500 "^CRITICAL: https://localhost:$P3 .*$LEGACY \\(CN=localhost, no subject alternative names\\)"
else
	scenario_fail "real member with a CN-only certificate" "etcd did not become healthy in 30 s; end of its log:" \
		"$(tail -n 5 "$D/etcd.log")"
fi

scenario_finish
