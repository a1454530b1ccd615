#!/usr/bin/env bash
# etcd-probe with host names instead of IPs: a dual-stack `localhost` (::1 first, the member only
# on 127.0.0.1), names resolved by c-ares from a private /etc/resolv.conf that points at our own
# loopback name server (one that answers, one that never does), a name that does not exist,
# members discovered by name (--cluster), and SNI. Every probe runs in a private mount namespace
# (unshare -m) with /etc/resolv.conf and /etc/hosts bind-mounted from the temp dir: the machine's
# own files are never touched. -t bounds everything, name resolution included.
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/cluster.sh
. tests/lib/probe-check.sh
probe_require
command -v unshare >/dev/null && unshare -m --propagation private true 2>/dev/null ||
	{ echo "skip - probe names (no private mount namespace here)"; exit 0; }
cluster_init || { echo "not ok - cluster harness init"; exit 1; }
D=$CLUSTER_DIR
N=$CLUSTER_NET
X=${N##*.}
LPORT=$((24000 + X))   # the member's second listener, on 127.0.0.1 (what localhost means)
NAME_A=etcd-a.probe.test
NAME_SNI=etcd-sni.probe.test

# The member's certificate names it only by DNS names (and its own IP for the harness's checks):
# a name endpoint is verified against the DNS SANs, never against an IP or the CN.
CLUSTER_KEY_ALG=ec cluster_leaf named etcd "DNS:localhost,DNS:$NAME_A,IP:$N.1" \
	serverAuth,clientAuth ca days 365 || { echo "not ok - names: certificate"; exit 1; }
MEMBER_CERT=$D/named.pem MEMBER_KEY=$D/named-key.pem CLUSTER_KEY_ALG=ec cluster_start 1 \
	--listen-client-urls "https://$N.1:2379,https://127.0.0.1:$LPORT" \
	--advertise-client-urls "https://$NAME_A:2379" >/dev/null ||
	{ echo "not ok - names: member start"; exit 1; }
TLS=(--cacert "$D/ca/ca.pem" --cert "$D/client.pem" --key "$D/client-key.pem")

# Name servers: one answering for our names, one that never answers.
cluster_bg "$D/dns-answer.log" python3 tests/lib/dns_server.py "$N.53" 53 answer \
	"$NAME_A=$N.1" "$NAME_SNI=$N.60"
cluster_bg "$D/dns-silent.log" python3 tests/lib/dns_server.py "$N.54" 53 silent
printf 'nameserver %s\noptions timeout:1 attempts:5\n' "$N.53" >"$D/resolv-answer"
printf 'nameserver %s\noptions timeout:1 attempts:5\n' "$N.54" >"$D/resolv-silent"
printf '::1 localhost\n127.0.0.1 localhost\n' >"$D/hosts"
# the name servers are up once they answer (the silent one: once its port is bound)
for _ in $(seq 1 50); do
	ss -Hlun src "$N.53:53" 2>/dev/null | grep -q . && ss -Hlun src "$N.54:53" 2>/dev/null | grep -q . && break
	sleep 0.1
done

# SNI: a small etcd stand-in that refuses any handshake not asking for $NAME_SNI.
CLUSTER_KEY_ALG=ec cluster_leaf sni etcd "DNS:$NAME_SNI" serverAuth ca days 365 ||
	{ echo "not ok - names: SNI certificate"; exit 1; }
cluster_bg "$D/sni.log" python3 tests/hostile/hostile_server.py etcd-lite "$N.60" 2379 \
	"$D/sni.pem" "$D/sni-key.pem" "$NAME_SNI"
cluster_wait_port "$N.60" 2379 10 || echo "# SNI server did not come up"

# The probe, inside a private mount namespace with our resolv.conf ($NS_RESOLV) and hosts.
REAL_PROBE=$PROBE
cat >"$D/probe-ns" <<EOF
#!/bin/sh
exec unshare -m --propagation private sh -c 'mount --bind "\$NS_RESOLV" /etc/resolv.conf &&
	mount --bind "$D/hosts" /etc/hosts && exec "\$0" "\$@"' "$REAL_PROBE" "\$@"
EOF
chmod +x "$D/probe-ns"
PROBE=$D/probe-ns
ANSWER=NS_RESOLV=$D/resolv-answer
SILENT=NS_RESOLV=$D/resolv-silent
T=2
MAX=$((T * 1000 + 500))

probe_env_run "$ANSWER" -- --endpoints="https://localhost:$LPORT" "${TLS[@]}" -t "$T"
probe_expect "localhost, ::1 first and the member on 127.0.0.1 only: OK (every address tried)" 0 \
	--max-ms "$MAX" "^OK: https://localhost:$LPORT m1 "

probe_env_run "$ANSWER" -- --endpoints="https://localhost:$((LPORT + 1))" "${TLS[@]}" -t "$T"
probe_expect "localhost where nothing listens on either address: CRITICAL at once, not after -t" 2 \
	--max-ms 1000 "^CRITICAL: https://localhost:$((LPORT + 1)) - TCP connect: .*refused"

probe_env_run "$ANSWER" -- --endpoints="https://$NAME_A:2379" "${TLS[@]}" -t "$T"
probe_expect "a name resolved by our name server: OK, verified against its DNS SAN" 0 \
	--max-ms "$MAX" "^OK: https://$(re_escape "$NAME_A"):2379 m1 "

probe_env_run "$ANSWER" -- --endpoints="https://nosuch.probe.test:2379" "${TLS[@]}" -t "$T"
probe_expect "a name that does not exist: CRITICAL at once, naming it" 2 --max-ms 1500 \
	"^CRITICAL: https://nosuch\.probe\.test:2379 - name resolution: cannot resolve host nosuch\.probe\.test"

probe_env_run "$SILENT" -- --endpoints="https://$NAME_A:2379" "${TLS[@]}" -t "$T"
probe_expect "a name server that never answers: CRITICAL within -t, naming the resolution" 2 \
	--max-ms "$MAX" "name resolution: timed out after 2\.0 s resolving $(re_escape "$NAME_A")"

probe_env_run "$SILENT" -- --endpoints="https://$N.1:2379,https://$NAME_A:2379" "${TLS[@]}" -t "$T"
probe_expect "a silent name server does not hold up the IP endpoint: its line OK, within -t" 2 \
	--max-ms "$MAX" "^OK: https://$(re_escape "$N.1"):2379 m1 " \
	"^CRITICAL: https://$(re_escape "$NAME_A"):2379 (m1 )?- name resolution: timed out"

probe_env_run "$ANSWER" -- --endpoints="https://$N.1:2379" --cluster "${TLS[@]}" -t "$T"
probe_expect "--cluster: the member's advertised name is resolved and probed" 0 --max-ms "$MAX" \
	"^OK: https://$(re_escape "$NAME_A"):2379 m1 "

probe_env_run "$SILENT" -- --endpoints="https://$N.1:2379" --cluster "${TLS[@]}" -t "$T"
probe_expect "--cluster with a silent name server: the seed's line intact, the name timed out, within -t" \
	2 --max-ms "$MAX" "^OK: https://$(re_escape "$N.1"):2379 m1 " \
	"^CRITICAL: https://$(re_escape "$NAME_A"):2379 (m1 )?- name resolution: timed out"

probe_env_run "$ANSWER" -- --endpoints="https://$NAME_SNI:2379" --cacert "$D/ca/ca.pem" -t "$T"
probe_expect "SNI: a server that requires the name in the handshake answers" 0 --max-ms "$MAX" \
	"^OK: https://$(re_escape "$NAME_SNI"):2379 lite "
scenario_finish
