#!/usr/bin/env bash
# etcd-versions: none (no etcd member involved)
# etcd-probe against servers that are not etcd, on 127.0.X.50-55: none may keep it past -t + 0.5 s.
#
# No etcd here. Helper servers, each started by us and stopped by PID (cluster_bg):
#   .50 a TCP black hole (python3: accepts, never reads or writes): `no TLS answer` / `timed out`
#   .51 openssl s_server -www (TLS, no ALPN, answers HTTP/1.0): not etcd, CRITICAL
#   .52 openssl s_server offering ALPN http/1.1 only: not etcd, CRITICAL
#   .53 tests/hostile/hostile_server.py http1: an HTTP/1.1 400 in clear text (garbage for a TLS client)
#   .54 python3 http.server for an http:// endpoint (HTTP/1.x, no HTTP/2)
#   .55 nothing listening: `connection refused`, at once
# The TLS servers carry a certificate of the test CA with the right SAN, so the probe gets past
# verification and has to notice the missing h2 itself. Elapsed time measured with date +%s%N.
# PROBE=path overrides build/etcd-probe.
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/cluster.sh
. tests/lib/cluster.sh
# shellcheck source=tests/lib/probe-check.sh
. tests/lib/probe-check.sh
probe_require
cluster_init || { echo "not ok - cluster harness init"; exit 1; }
D=$CLUSTER_DIR
N=$CLUSTER_NET
NR=$(re_escape "$N") # in patterns: each case must show its own reason on its own endpoint's line
export CLUSTER_KEY_ALG=ec
cluster_ca ca && cluster_client_cert client root && cluster_cert srv51 "$N.51" && cluster_cert srv52 "$N.52" ||
	{ echo "not ok - certificates"; exit 1; }
TLS=(--cacert "$D/ca/ca.pem" --cert "$D/client.pem" --key "$D/client-key.pem")


cluster_bg "$D/bh.log" python3 tests/hostile/hostile_server.py silent "$N.50" 2379
cluster_bg "$D/s51.log" openssl s_server -accept "$N.51:2379" -cert "$D/srv51.pem" -key "$D/srv51-key.pem" -www
cluster_bg "$D/s52.log" openssl s_server -accept "$N.52:2379" -cert "$D/srv52.pem" -key "$D/srv52-key.pem" \
	-alpn http/1.1 -quiet -naccept 100
cluster_bg "$D/g53.log" python3 tests/hostile/hostile_server.py http1 "$N.53" 2379
cluster_bg "$D/h54.log" python3 -m http.server --bind "$N.54" 2379
ready=1
for ip in 50 51 52 53 54; do cluster_wait_port "$N.$ip" 2379 10 || ready=0; done
[ "$ready" = 1 ] || echo "# some helper server did not come up; see below"

# expect_bounded NAME T PATTERN...: last run must be CRITICAL within T s + 0.5 s, PATTERNs matching.
expect_bounded() {
	local name=$1 t=$2
	shift 2
	probe_expect "$name" 2 --max-ms $((t * 1000 + 500)) "$@"
	echo "# $name: exit $PROBE_RC in ${PROBE_MS} ms: $(sed -n 2p "$PROBE_OUT_FILE")"
}

probe_run --endpoints="https://$N.50:2379" "${TLS[@]}" -t 2
expect_bounded "TCP black hole: CRITICAL within -t 2 + 0.5 s" 2 \
	"^CRITICAL: https://$NR\\.50:2379 - TLS handshake: timed out after 2\\.0 s: TCP accepted but no TLS answer"

probe_run --endpoints="https://$N.51:2379" "${TLS[@]}" -t 3
expect_bounded "TLS server without h2 (s_server -www): CRITICAL within -t 3 + 0.5 s" 3 \
	"^CRITICAL: https://$NR\\.51:2379 - TLS handshake: server did not agree to HTTP/2 \\(ALPN h2\\): not an etcd v3 client port"

probe_run --endpoints="https://$N.52:2379" "${TLS[@]}" -t 3
expect_bounded "TLS server offering ALPN http/1.1 only: CRITICAL within -t 3 + 0.5 s" 3 \
	"^CRITICAL: https://$NR\\.52:2379 - TLS handshake: server does not offer HTTP/2 \\(ALPN h2\\): not an etcd v3 client port"

probe_run --endpoints="https://$N.53:2379" "${TLS[@]}" -t 3
expect_bounded "clear-text HTTP/1.1 answer to a TLS client: CRITICAL within -t 3 + 0.5 s" 3 \
	"^CRITICAL: https://$NR\\.53:2379 - TLS handshake: server does not speak TLS here \\(an http:// endpoint\\?\\)"

probe_run --endpoints="http://$N.54:2379" -t 3
expect_bounded "http:// endpoint speaking HTTP/1.x only: CRITICAL within -t 3 + 0.5 s" 3 \
	"^CRITICAL: http://$NR\\.54:2379 - HTTP/2 setup: (server.s answer is not HTTP/2|server closed the connection before HTTP/2|server answered HTTP/1)"

probe_run --endpoints="https://$N.55:2379" "${TLS[@]}" -t 10
probe_expect "nothing listening: CRITICAL connection refused, at once" 2 --max-ms 2000 \
	"^CRITICAL: https://$NR\\.55:2379 - TCP connect: connection refused"

probe_run --endpoints="https://$N.50:2379,https://$N.51:2379,https://$N.55:2379,http://$N.54:2379" "${TLS[@]}" -t 2
expect_bounded "four bad endpoints at once: CRITICAL within -t 2 + 0.5 s" 2 \
	"^CRITICAL: https://$NR\\.50:2379 - TLS handshake: timed out after 2\\.0 s: TCP accepted but no TLS answer" \
	"^CRITICAL: https://$NR\\.51:2379 - TLS handshake: server did not agree to HTTP/2 \\(ALPN h2\\)" \
	"^CRITICAL: https://$NR\\.55:2379 - TCP connect: connection refused" \
	"^CRITICAL: http://$NR\\.54:2379 - HTTP/2 setup: "

scenario_finish
