#!/usr/bin/env bash
# Self-test of the loopback etcd harness (tests/lib/cluster.sh) with etcdctl and openssl only.
#
# Checks what the probe, diag, demo and bench tests take for granted: certificates have the right
# SANs, EKU, CN and dates (also a second CA, an expired one and one expiring in 10 days); 3 members
# come up healthy with mutual TLS, with the plain http:// listener too; member_stop / member_start
# by PID; a member restarted with another member's certificate serves with the wrong SAN and its
# peers log `certificate is valid for ...`; and cluster_cleanup leaves no process and no directory
# behind, on a normal exit and on SIGTERM.
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/cluster.sh
. tests/lib/cluster.sh
FAILED=0
# check NAME CMD...: `ok - NAME` when CMD succeeds, else `not ok - NAME`.
check() {
	local name=$1
	shift
	if "$@"; then echo "ok - $name"; else echo "not ok - $name"; FAILED=1; fi
}

cluster_init || { echo "not ok - cluster_init"; exit 1; }
D=$CLUSTER_DIR
N=$CLUSTER_NET
check "cluster_init picks 127.0.X with X in 10..59" \
	bash -c '[[ $1 =~ ^127\.0\.([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -ge 10 ] && [ "${BASH_REMATCH[1]}" -le 59 ]' _ "$N"

# --- certificates ------------------------------------------------------------------------------
cluster_ca ca && cluster_ca other
cluster_cert m1 "$N.1" && cluster_client_cert client && cluster_cert srvonly "$N.9" 365 ca serverAuth
cluster_cert soon "$N.1" 10
cluster_cert_dated old "$N.1" "$(cluster_date '-30 days')" "$(cluster_date '-1 day')"
text() { openssl x509 -in "$D/$1.pem" -noout -text; }
check "member cert: CN etcd, SANs 127.0.0.1 and its IP" \
	bash -c 'openssl x509 -in "$1" -noout -subject | grep -q "CN *= *etcd" &&
		openssl x509 -in "$1" -noout -ext subjectAltName | grep -q "IP Address:127.0.0.1, IP Address:$2\$"' _ "$D/m1.pem" "$N.1"
check "member cert: EKU serverAuth,clientAuth" \
	bash -c 'openssl x509 -in "$1" -noout -ext extendedKeyUsage | grep -q "TLS Web Server Authentication, TLS Web Client Authentication"' _ "$D/m1.pem"
check "member cert verifies against its CA, not against the other CA" \
	bash -c 'openssl verify -CAfile "$1/ca/ca.pem" "$1/m1.pem" >/dev/null && ! openssl verify -CAfile "$1/other/ca.pem" "$1/m1.pem" >/dev/null 2>&1' _ "$D"
check "EKU override: serverAuth only" \
	bash -c 'e=$(openssl x509 -in "$1" -noout -ext extendedKeyUsage); [[ $e == *"Server Auth"* && $e != *"Client Auth"* ]]' _ "$D/srvonly.pem"
check "client cert: CN root, EKU clientAuth" \
	bash -c 'openssl x509 -in "$1" -noout -subject | grep -q "CN *= *root" && openssl x509 -in "$1" -noout -ext extendedKeyUsage | grep -q "Client Auth"' _ "$D/client.pem"
check "cert of 10 days: valid 9 days on, expired in 11" \
	bash -c 'openssl x509 -in "$1" -noout -checkend $((9*86400)) >/dev/null && ! openssl x509 -in "$1" -noout -checkend $((11*86400)) >/dev/null' _ "$D/soon.pem"
check "cluster_cert_dated: expired yesterday, chains to the CA" \
	bash -c '! openssl x509 -in "$1/old.pem" -noout -checkend 0 >/dev/null &&
		openssl verify -no_check_time -CAfile "$1/ca/ca.pem" "$1/old.pem" >/dev/null' _ "$D"

# --- a 3-member cluster --------------------------------------------------------------------------
export CLUSTER_HTTP=1
t0=$(date +%s%N)
if cluster_start 3; then
	echo "ok - cluster_start 3 healthy in $((($(date +%s%N) - t0) / 1000000)) ms"
else
	echo "not ok - cluster_start 3"
	exit 1
fi
put_get() { cluster_etcdctl 1 put hk hv >/dev/null && [ "$(cluster_etcdctl 3 get hk --print-value-only)" = hv ]; }
check "etcdctl put on m1, get on m3" put_get
names() { [ "$(cluster_etcdctl 1 member list | cut -d, -f3 | sort | tr -d ' \n')" = m1m2m3 ]; }
check "member list names m1 m2 m3" names
check "plain http:// listener answers" \
	bash -c 'ETCDCTL_API=3 timeout 20 etcdctl --endpoints="$1" endpoint health >/dev/null 2>&1' _ "$(member_http_url 2)"
check "cluster_endpoints lists the 3 client URLs" \
	test "$(cluster_endpoints)" = "https://$N.1:2379,https://$N.2:2379,https://$N.3:2379"
check "client port refuses a client without a certificate" \
	bash -c '! ETCDCTL_API=3 timeout 20 etcdctl --endpoints="$1" --cacert="$2" --dial-timeout=2s --command-timeout=2s endpoint health >/dev/null 2>&1' \
	_ "$(member_url 1)" "$D/ca/ca.pem"

pid3=$(member_pid 3)
member_stop 3
check "member_stop 3: its PID is gone, the others stay healthy" \
	bash -c '! kill -0 "$1" 2>/dev/null' _ "$pid3"
cluster_wait_healthy 10 1 2 || echo "# m1/m2 not healthy after stopping m3"

MEMBER_CERT=$D/m1.pem MEMBER_KEY=$D/m1-key.pem member_start 3
check "m3 with m1's certificate answers TLS" member_wait_tls 3 20
check "m3 presents SANs of m1 (s_client -verify_ip says IP address mismatch)" \
	bash -c 'timeout 5 openssl s_client -connect "$1:2379" -CAfile "$2/ca/ca.pem" -verify_ip "$1" \
		-cert "$2/client.pem" -key "$2/client-key.pem" </dev/null 2>&1 | grep -q "IP address mismatch"' _ "$N.3" "$D"
san_logged() {
	local i
	for ((i = 0; i < 50; i++)); do
		grep -q "certificate is valid for 127.0.0.1, $N.1, not $N.3" "$D/m1.log" "$D/m2.log" && return 0
		sleep 0.2
	done
	return 1
}
check "peers log: certificate is valid for 127.0.0.1, $N.1, not $N.3" san_logged

member_stop 3
member_start 3
check "member_start 3 with its own certificate: healthy again" member_wait_healthy 3 30
refuses_twice() { ! member_start 3 2>/dev/null; }
check "member_start refuses a member that already runs" refuses_twice

# --- cleanup, in a child shell that exits normally and one killed by SIGTERM ----------------------
# CHILD: a child bash that starts a 1-member cluster, writes "DIR PID LOCK" to the file $1, then
# exits when $2 is "exit", else sleeps up to 60 s (the test ends it with SIGTERM).
CHILD='. tests/lib/cluster.sh; cluster_init && CLUSTER_KEY_ALG=ec cluster_start 1 >/dev/null 2>&1 || exit 1
	echo "$CLUSTER_DIR $(member_pid 1) $CLUSTER_LOCK" >"$1"; [ "$2" = exit ] && exit 0
	for ((i = 0; i < 600; i++)); do sleep 0.1; done'
gone() { # gone MARK: the child's member PID, temp dir and net lock are all gone
	local dir pid lock
	read -r dir pid lock <"$1" || return 1
	[ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && [ ! -e "$dir" ] && [ ! -e "$lock" ]
}
bash -c "$CHILD" _ "$D/mark1" exit 2>/dev/null
check "cluster_cleanup on normal exit: no member, no temp dir, no lock left" gone "$D/mark1"

bash -c "$CHILD" _ "$D/mark2" wait 2>/dev/null &
child=$!
for ((i = 0; i < 150; i++)); do [ -s "$D/mark2" ] && break; sleep 0.1; done
kill -TERM "$child" 2>/dev/null
for ((i = 0; i < 150; i++)); do kill -0 "$child" 2>/dev/null || break; sleep 0.1; done
wait "$child" 2>/dev/null
check "cluster_cleanup on SIGTERM: no member, no temp dir, no lock left" gone "$D/mark2"

# --- etcd versions: the running one is the one asked for; an unreachable mirror is "not available"
check "the members run etcd $ETCD_VERSION_FULL, the version this run selected (${ETCD_VERSION:-PATH})" \
	bash -c '[ -z "$2" ] || [ "$2" = 3.4 ] && [[ $1 == 3.4.* ]] || [ "$1" = "$2" ]' _ "$ETCD_VERSION_FULL" "${ETCD_VERSION:-}"
unreachable() {
	local out rc
	out=$(ETCD_VERSIONS_CACHE=$D/vcache ETCD_VERSIONS_MIRROR=http://127.0.0.1:9/debian \
		timeout 60 bash tests/lib/etcd-versions.sh dir 3.5.16 2>&1)
	rc=$?
	[ "$rc" = 77 ] && [ "$(echo "$out" | wc -l)" = 1 ] &&
		[[ $out == "etcd-versions: cannot reach the Debian mirror for trixie"*"etcd 3.5.16 not available" ]] &&
		[ ! -e "$D/vcache/3.5.16" ] || { echo "    exit $rc: $out"; return 1; }
}
check "etcd-versions.sh with the mirror unreachable: exit 77 (skipped), one line naming the version, nothing cached" unreachable
unknown() { ! out=$(bash tests/lib/etcd-versions.sh dir 3.9.9 2>&1) && [[ $out == *"unknown etcd version '3.9.9'"* ]]; }
check "etcd-versions.sh refuses an unknown version" unknown

exit "$FAILED"
