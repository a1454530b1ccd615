#!/usr/bin/env bash
# etcd-versions: live (also on 3.5.30)
# etcd-probe against one real 3-member mutual-TLS etcd cluster on 127.0.X.1-3, broken step by step.
#
# One cluster serves every scenario to save time (start ~2 s): first the healthy checks (Nagios and
# JSON output, --cluster discovery, etcdctl environment variables, plain http:// listeners, wrong
# CA, missing, foreign, expired or serverAuth-only client certificate, --insecure-skip-tls-verify),
# then member 3 restarted with member 1's certificate (SAN mismatch, must be named well under -t),
# then with certificates expiring in 10 and 5 days, then member 3's addresses taken by helper
# servers that accept and answer nothing (HTTP/2 up but no call answered; on http:// not a byte:
# WARNING, m3 not answering while the others have a leader), then member 3 stopped (WARNING,
# connection refused) and member 2 stopped (CRITICAL, quorum lost). Each scenario asserts the exit code and the
# reason phrase of the contract.
# PROBE=path overrides build/etcd-probe. Harness: tests/lib/cluster.sh; checks: tests/lib/probe-check.sh.
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/cluster.sh
. tests/lib/cluster.sh
# shellcheck source=tests/lib/probe-check.sh
. tests/lib/probe-check.sh
probe_require
cluster_init || { echo "not ok - cluster harness init"; exit 1; }

# Every member also listens on plain http://127.0.X.I:23791 for the http:// scenario.
export CLUSTER_HTTP=1
if ! cluster_start 3; then
	echo "not ok - 3-member cluster starts"
	exit 1
fi
D=$CLUSTER_DIR
TLS=(--cacert "$D/ca/ca.pem" --cert "$D/client.pem" --key "$D/client-key.pem")
EPS=$(cluster_endpoints)
U1=$(re_escape "$(member_url 1)")
U2=$(re_escape "$(member_url 2)")
U3=$(re_escape "$(member_url 3)")
IP1=$(re_escape "$(cluster_ip 1)")
IP3=$(re_escape "$(cluster_ip 3)")

# --- healthy cluster -------------------------------------------------------------------------
probe_run --endpoints="$EPS" "${TLS[@]}" -t 10
probe_expect "healthy 3 members: OK" 0 --max-ms 5000 \
	"^OK: $U1( |\$)" "^OK: $U2( |\$)" "^OK: $U3( |\$)" '!connection refused' '!quorum lost'

probe_run --endpoints="$EPS" "${TLS[@]}" -t 10 --format=json
probe_expect_json "healthy 3 members: JSON document" '
assert d["status"] == "OK", d["status"]
assert d["exit_code"] == 0, d["exit_code"]
assert isinstance(d["summary"], str) and d["summary"], "summary"
c = d["cluster"]
assert hex16.match(c["id"]), "cluster.id %r" % c["id"]
assert c["size"] == 3, "cluster.size %r" % c["size"]
assert hex16.match(c["leader"]), "cluster.leader %r" % c["leader"]
assert c["quorum"] in (2, True), "cluster.quorum %r" % c["quorum"]
eps = d["endpoints"]
assert sorted(e["endpoint"] for e in eps) == sorted(sys.argv[2].split(",")), [e["endpoint"] for e in eps]
assert sorted(e["name"] for e in eps) == ["m1", "m2", "m3"], [e["name"] for e in eps]
assert [e["is_leader"] for e in eps].count(True) == 1, "exactly one leader"
for e in eps:
    assert e["healthy"] is True, e
    assert not e["error"], e["error"]
    assert hex16.match(e["member_id"]), e["member_id"]
    assert e["is_leader"] == (e["member_id"] == c["leader"]), "is_leader vs cluster.leader"
    assert e["version"] == sys.argv[3], (e["version"], "the members run " + sys.argv[3])
    assert isinstance(e["db_size"], int) and e["db_size"] > 0, e["db_size"]
    assert isinstance(e["db_size_in_use"], int) and 0 < e["db_size_in_use"] <= e["db_size"], e["db_size_in_use"]
    assert isinstance(e["raft_term"], int) and e["raft_term"] >= 1, e["raft_term"]
    assert isinstance(e["raft_index"], int) and e["raft_index"] > 0, e["raft_index"]
    assert isinstance(e["raft_applied_index"], int) and e["raft_applied_index"] > 0, e["raft_applied_index"]
    assert e["alarms"] == [], e["alarms"]
    assert isinstance(e["latency_seconds"], (int, float)) and 0 <= e["latency_seconds"] < 5, e["latency_seconds"]
    assert isinstance(e["cert_not_after"], str) and e["cert_not_after"][:4].isdigit(), e["cert_not_after"]
' "$EPS" "$ETCD_VERSION_FULL"

probe_run --endpoints="$(member_url 1)" --cluster "${TLS[@]}" -t 10
probe_expect "--cluster discovers 3 members from one endpoint" 0 \
	"^OK: $U1( |\$)" "^OK: $U2( |\$)" "^OK: $U3( |\$)"
n=$(grep -cE '^(OK|WARNING|CRITICAL|UNKNOWN): https://' "$PROBE_OUT_FILE")
if [ "$n" = 3 ]; then scenario_ok "--cluster prints 3 endpoint lines"; else
	scenario_fail "--cluster prints 3 endpoint lines" "$n endpoint lines"; fi

# A URL given several times is probed each time on its own connection; every repeat resumes
# the first connection's TLS session (etcd issues TLS 1.3 tickets), even while other repeats
# of it resume at the same moment, and the member counts once.
EPS30=$EPS
for _ in $(seq 2 30); do EPS30+=",$EPS"; done
probe_run --endpoints="$EPS30" "${TLS[@]}" -t 10 -v
n=$(grep -cE '^OK: https://' "$PROBE_OUT_FILE")
resumed=$(sed -n 's/.*(\([0-9]*\) TLS sessions resumed[,)].*/\1/p' "$PROBE_ERR_FILE")
if [ "$PROBE_RC" = 0 ] && [ "$n" = 90 ] && [ "${resumed:-0}" = 87 ] && grep -q "3/3 members healthy" "$PROBE_OUT_FILE"; then
	scenario_ok "repeated URLs: 90 connections, 3 members, all 87 repeats resumed"
else
	scenario_fail "repeated URLs: 90 connections, 3 members, all 87 repeats resumed" "exit $PROBE_RC, $n OK lines, resumed '${resumed}'"
fi

probe_env_run ETCDCTL_ENDPOINTS="$EPS" ETCDCTL_CACERT="$D/ca/ca.pem" ETCDCTL_CERT="$D/client.pem" \
	ETCDCTL_KEY="$D/client-key.pem" -- -t 10
probe_expect "ETCDCTL_* environment fallbacks" 0 "^OK: $U1( |\$)" "^OK: $U3( |\$)"

HTTP_EPS="$(member_http_url 1),$(member_http_url 2),$(member_http_url 3)"
probe_run --endpoints="$HTTP_EPS" -t 10
probe_expect "http:// endpoints (HTTP/2 prior knowledge)" 0 --max-ms 5000 \
	"^OK: $(re_escape "$(member_http_url 1)")( |\$)" "^OK: $(re_escape "$(member_http_url 3)")( |\$)"

# A second, unrelated CA: the servers' chain does not lead to it.
cluster_ca other >/dev/null || echo "# cluster_ca other failed"
probe_run --endpoints="$EPS" --cacert "$D/other/ca.pem" --cert "$D/client.pem" --key "$D/client-key.pem" -t 10
probe_expect "wrong CA: CRITICAL unknown authority" 2 --max-ms 5000 "unknown authority"

probe_run --endpoints="$EPS" --cacert "$D/ca/ca.pem" -t 10
probe_expect "no client certificate: CRITICAL client certificate" 2 --max-ms 5000 "client certificate"

cluster_client_cert stranger root other || echo "# cluster_client_cert stranger failed"
probe_run --endpoints="$EPS" --cacert "$D/ca/ca.pem" --cert "$D/stranger.pem" --key "$D/stranger-key.pem" -t 10
probe_expect "client certificate from a foreign CA: CRITICAL naming its issuer" 2 --max-ms 5000 \
	"rejected our client certificate: --cert [^ ]*stranger.pem \\(issuer CN=etcd-harness-other\\) is not signed by a CA in --cacert"

# The server's alert only says "bad certificate": the probe says what is wrong with the file.
cluster_leaf cexpired root "" clientAuth ca dated 20200101000000Z 20200102000000Z ||
	echo "# cluster_leaf cexpired failed"
probe_run --endpoints="$EPS" --cacert "$D/ca/ca.pem" --cert "$D/cexpired.pem" --key "$D/cexpired-key.pem" -t 10
probe_expect "expired client certificate: CRITICAL naming it and the date" 2 --max-ms 5000 \
	"^CRITICAL: $U1 - TLS handshake: server rejected our client certificate: --cert [^ ]*cexpired.pem expired 2020-01-02\$"
cluster_leaf csrvonly root "" serverAuth ca days 365 || echo "# cluster_leaf csrvonly failed"
probe_run --endpoints="$EPS" --cacert "$D/ca/ca.pem" --cert "$D/csrvonly.pem" --key "$D/csrvonly-key.pem" -t 10
probe_expect "client certificate without clientAuth: CRITICAL naming its key usage" 2 --max-ms 5000 \
	"server rejected our client certificate: --cert [^ ]*csrvonly.pem has extended key usage serverAuth, not clientAuth"

probe_run --endpoints="$EPS" --cacert "$D/other/ca.pem" --cert "$D/client.pem" --key "$D/client-key.pem" \
	--insecure-skip-tls-verify -t 10
probe_expect "--insecure-skip-tls-verify turns OK into WARNING" 1 "^WARNING: $U1( |\$)" '!^CRITICAL'

# --- member 3 restarted with member 1's certificate (SANs 127.0.0.1, 127.0.X.1) ------------------
# etcd itself keeps working (m3 dials out fine), only clients and peers dialing m3 see the mismatch.
member_stop 3
MEMBER_CERT=$D/m1.pem MEMBER_KEY=$D/m1-key.pem member_start 3
if member_wait_tls 3 20; then
	probe_run --endpoints="$EPS" "${TLS[@]}" -t 10
	probe_expect "SAN mismatch named, well under -t 10 (< 3 s)" 1 --max-ms 3000 \
		"$U3.*certificate is valid for 127\\.0\\.0\\.1, $IP1, not $IP3" "^OK: $U1( |\$)"
	echo "# SAN mismatch answered in ${PROBE_MS} ms"
else
	scenario_fail "SAN mismatch named, well under -t 10 (< 3 s)" "m3 with m1's certificate never answered TLS"
fi

# --- member 3 certificates close to expiry (same CA, right SANs) --------------------------------
# member_cycle_cert NAME: restarts m3 with certificate NAME and waits until it is healthy again.
member_cycle_cert() {
	member_stop 3
	if [ -n "$1" ]; then
		MEMBER_CERT=$D/$1.pem MEMBER_KEY=$D/$1-key.pem member_start 3
	else
		member_start 3
	fi
	member_wait_healthy 3 30
}
cluster_cert m3-10d "$(cluster_ip 3)" 10 >/dev/null
if member_cycle_cert m3-10d; then
	probe_run --endpoints="$EPS" "${TLS[@]}" -t 10
	probe_expect "member certificate expiring in 10 days: WARNING" 1 \
		"$U3.*certificate expires in (9|10) days" "^OK: $U1( |\$)"
else
	scenario_fail "member certificate expiring in 10 days: WARNING" "m3 with a 10-day certificate not healthy"
fi
cluster_cert m3-5d "$(cluster_ip 3)" 5 >/dev/null
if member_cycle_cert m3-5d; then
	probe_run --endpoints="$EPS" "${TLS[@]}" -t 10
	probe_expect "member certificate expiring in 5 days: CRITICAL" 2 "$U3.*certificate expires in (4|5) days"
else
	scenario_fail "member certificate expiring in 5 days: CRITICAL" "m3 with a 5-day certificate not healthy"
fi
member_cycle_cert "" || echo "# m3 with its own certificate not healthy again"

# --- member 3's addresses answering nothing, while m1 and m2 have a leader -------------------------
# m3 stopped and helper servers on its client URLs: on https://, TLS with m3's own certificate and
# HTTP/2 SETTINGS, then no stream ever answered (hostile_server.py h2-silent); on http://, TCP
# accepted and not a byte (silent). Either way the others' leader says the fault is m3's (hung or
# overloaded), not that etcd waits for a leader, and m1's and m2's lines stay OK, within -t. (The
# http:// URLs are not advertised: there m3 has no name from the member list.)
member_stop 3
H1=$(re_escape "$(member_http_url 1)")
H2=$(re_escape "$(member_http_url 2)")
H3=$(re_escape "$(member_http_url 3)")
cluster_bg "$D/m3-h2-silent.log" python3 tests/hostile/hostile_server.py h2-silent "$(cluster_ip 3)" 2379 \
	"$D/m3.pem" "$D/m3-key.pem"
h2_silent_pid=$CLUSTER_BG_PID
cluster_bg "$D/m3-silent.log" python3 tests/hostile/hostile_server.py silent "$(cluster_ip 3)" 23791
silent_pid=$CLUSTER_BG_PID
if cluster_wait_port "$(cluster_ip 3)" 2379 10 && cluster_wait_port "$(cluster_ip 3)" 23791 10; then
	probe_run --endpoints="$EPS" "${TLS[@]}" -t 3
	probe_expect "m3 up to HTTP/2, no call answered: WARNING, m3 not answering while the others have a leader, within -t 3 + 0.5 s" \
		1 --max-ms 3500 \
		"^CRITICAL: $U3 m3 .*- gRPC: timed out after 3\\.0 s waiting for Status \\(not answering while the other members have a leader: hung or overloaded\\)" \
		"^OK: $U1( |\$)" "^OK: $U2( |\$)" '!once its cluster has a leader' '!quorum lost'
	echo "# in ${PROBE_MS} ms: $(grep -E "^CRITICAL: $U3" "$PROBE_OUT_FILE")"
	probe_run --endpoints="$HTTP_EPS" -t 3
	probe_expect "http:// m3 accepting TCP, not a byte: WARNING, m3 not answering while the others have a leader, within -t 3 + 0.5 s" \
		1 --max-ms 3500 \
		"^CRITICAL: $H3 - HTTP/2 setup: timed out after 3\\.0 s: TCP accepted but no HTTP/2 answer \\(not answering while the other members have a leader: hung, stopped or overloaded" \
		"^OK: $H1( |\$)" "^OK: $H2( |\$)" '!once its cluster has a leader' '!quorum lost'
	echo "# in ${PROBE_MS} ms: $(grep -E "^CRITICAL: $H3" "$PROBE_OUT_FILE")"
else
	scenario_fail "m3 answering nothing: helper servers on its addresses" "see $D/m3-h2-silent.log, $D/m3-silent.log"
fi
cluster_stop_pid "$h2_silent_pid" 5
cluster_stop_pid "$silent_pid" 5

# --- one member stopped: quorum held ------------------------------------------------------------
probe_run --endpoints="$EPS" "${TLS[@]}" -t 10
probe_expect "one member stopped: WARNING, connection refused" 1 --max-ms 5000 \
	"$U3.*connection refused" "^OK: $U1( |\$)" '!quorum lost'
if grep -E "^CRITICAL: $U3 m3 " "$PROBE_OUT_FILE" >/dev/null; then
	scenario_ok "one member stopped: its line names it (m3, from the others' member list)"
else
	scenario_fail "one member stopped: its line names m3" "$(grep -E "$U3" "$PROBE_OUT_FILE")"
fi

probe_run --endpoints="$EPS" "${TLS[@]}" -t 10 --format=json
probe_expect_json "one member stopped: JSON" '
assert d["status"] == "WARNING" and d["exit_code"] == 1, (d["status"], d["exit_code"])
assert d["cluster"]["size"] == 3, d["cluster"]["size"]
by = {e["endpoint"]: e for e in d["endpoints"]}
down = by[sys.argv[2]]
assert down["healthy"] is False, down
assert "connection refused" in down["error"], down["error"]
assert down["failure"] == "refused", down["failure"]
assert all(e["failure"] is None for e in d["endpoints"] if e["healthy"]), "failure on a healthy one"
assert sum(1 for e in d["endpoints"] if e["healthy"] is True) == 2, "two healthy"
' "$(member_url 3)"

# --- two members stopped: quorum lost -----------------------------------------------------------
# m1 alone still answers Status, but its linearizable read cannot complete: must end within -t.
# Right after the stop m1 may still say it has a leader (until its election timeout), and on 3.5
# its linearizable MemberList waits like the read: the stopped members keep their names only
# because that ask gets a share of -t and then m1's own view is asked for.
member_stop 2
probe_run --endpoints="$EPS" "${TLS[@]}" -t 5
probe_expect "two members stopped: CRITICAL quorum lost, within -t 5 + 0.5 s, each member named" 2 \
	--max-ms 5500 "quorum lost" "^CRITICAL: $U2 m2 .*connection refused" \
	"^CRITICAL: $U3 m3 .*connection refused" "^CRITICAL: $U1 m1 "

# Once m1's Status says it has no leader, nothing needs the quorum: the verdict comes at once, and
# m1 still has its name. On 3.5 this needs the serializable MemberList the probe sends after such a
# Status (its first, linearizable one would wait for -t, and perfdata labels would lose the name).
for _ in $(seq 1 20); do
	probe_run --endpoints="$(member_url 1)" "${TLS[@]}" -t 2
	grep -q 'no leader: this member' "$PROBE_OUT_FILE" && break
	sleep 0.3
done
probe_run --endpoints="$EPS" "${TLS[@]}" -t 5
probe_expect "quorum lost, m1 without a leader: CRITICAL at once (< 1.5 s of -t 5), m1 named" 2 --max-ms 1500 \
	"^CRITICAL: $U1 m1 .*no leader" "'m1_db_size'="

scenario_finish
