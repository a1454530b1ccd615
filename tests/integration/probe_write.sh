#!/usr/bin/env bash
# etcd-versions: live (also on 3.5.30)
# etcd-probe --write-check against a real 3-member mutual-TLS etcd (1 MiB backend quota on every
# member, for the NOSPACE scenario at the end).
#
# One write per run, whatever the number of endpoints: the cluster's revision must grow by exactly
# 2 (the Put and the DeleteRange; LeaseGrant makes no revision), the key at the first of them is
# PREFIX<host>-<pid> bound to a lease, and nothing is left under the prefix afterwards. Then: a user
# whose role may only read under the prefix (the permission named, UNKNOWN, as "cannot check"), a
# user that may write there (OK; on etcd 3.5.28+ Status is root's, so that run is WARNING "Status
# needs credentials" and still writes), one member of three stopped (still writes), two stopped
# (the write refused or timed out, named, within -t + 0.5 s), NOSPACE (CRITICAL naming NOSPACE).
# PROBE=path overrides build/etcd-probe.
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/cluster.sh
. tests/lib/cluster.sh
# shellcheck source=tests/lib/probe-check.sh
. tests/lib/probe-check.sh
probe_require
cluster_init || { echo "not ok - cluster harness init"; exit 1; }
if ! CLUSTER_KEY_ALG=ec cluster_start 3 --quota-backend-bytes=1048576; then
	echo "not ok - 3-member cluster with a 1 MiB quota starts"
	exit 1
fi
D=$CLUSTER_DIR
TLS=(--cacert "$D/ca/ca.pem" --cert "$D/client.pem" --key "$D/client-key.pem")
EPS=$(cluster_endpoints)
HOST=$(hostname | tr -c 'A-Za-z0-9._\n-' '_')

# revision: the cluster's current revision (etcdctl get's response header), or empty.
revision() {
	cluster_etcdctl 1 get never-written -w json 2>/dev/null |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["header"]["revision"])' 2>/dev/null
}
# keys_under PREFIX: the keys etcd holds under PREFIX, one a line (empty when none).
keys_under() { cluster_etcdctl 1 get --prefix "$1" --keys-only 2>/dev/null | sed '/^$/d'; }
# write_lines: how many endpoint lines of the last run report a write.
write_lines() { grep -cE '^[A-Z]+: https://.* write [0-9.]+ ms' "$PROBE_OUT_FILE"; }

# --- healthy: one write, timed, in perfdata, gone afterwards ------------------------------------
rev0=$(revision)
probe_run --endpoints="$EPS" "${TLS[@]}" --write-check -t 10
probe_expect "healthy 3 members, --write-check: OK, write latency on one endpoint and in perfdata" \
	0 --max-ms 5000 "^OK: https://.* write [0-9.]+ ms" "'m[123]_write_latency'=[0-9.]+s;0\.5;2;0;" \
	'!refused' '!timed out'
n=$(write_lines)
[ "$n" = 1 ] && scenario_ok "one endpoint of three wrote" || scenario_fail "one endpoint of three wrote" "$n endpoint lines say write"
rev1=$(revision)
if [ -n "$rev0" ] && [ -n "$rev1" ] && [ $((rev1 - rev0)) = 2 ]; then
	scenario_ok "one write per run: the revision grew by 2 (Put + DeleteRange), $rev0 -> $rev1"
else
	scenario_fail "one write per run: the revision grew by 2" "revision $rev0 -> $rev1"
fi
left=$(keys_under /etcd-probe/)
[ -z "$left" ] && scenario_ok "nothing left under /etcd-probe/ (etcdctl get --prefix)" ||
	scenario_fail "nothing left under /etcd-probe/" "left: $left"

# The key written at the first of the two revisions: PREFIX<host>-<pid>, bound to a lease.
probe_run --endpoints="$EPS" "${TLS[@]}" --write-check=/probe-w/ -t 10
rev2=$(revision)
if out=$(cluster_etcdctl 1 get --prefix /probe-w/ --rev=$((rev1 + 1)) -w json 2>&1) &&
	keyinfo=$(echo "$out" | python3 -c '
import base64, json, re, sys
kvs = json.load(sys.stdin).get("kvs", [])
assert len(kvs) == 1, "%d keys at that revision" % len(kvs)
key = base64.b64decode(kvs[0]["key"]).decode()
assert re.fullmatch(r"/probe-w/" + re.escape(sys.argv[1]) + r"-[0-9]+", key), key
assert int(kvs[0].get("lease", 0)) != 0, "no lease on " + key
print(key)' "$HOST" 2>&1); then
	scenario_ok "--write-check=/probe-w/: the key was $keyinfo, under a lease; revision $rev1 -> $rev2"
else
	scenario_fail "--write-check=/probe-w/: key PREFIX<host>-<pid> under a lease" "$out" "${keyinfo:-}"
fi
[ -z "$(keys_under /probe-w/)" ] && [ "$PROBE_RC" = 0 ] && [ $((rev2 - rev1)) = 2 ] &&
	scenario_ok "--write-check=/probe-w/: OK, one write, nothing left" ||
	scenario_fail "--write-check=/probe-w/: OK, one write, nothing left" "exit $PROBE_RC, revision $rev1 -> $rev2"

probe_run --endpoints="$EPS" "${TLS[@]}" --write-check -t 10 --format=json
probe_expect_json "JSON: write_ok, write_latency_s, write_error on the endpoint that wrote, null elsewhere" '
eps = d["endpoints"]
w = [e for e in eps if e["write_ok"] is not None]
assert len(w) == 1, [e["write_ok"] for e in eps]
assert w[0]["write_ok"] is True and w[0]["write_error"] is None, w[0]
assert isinstance(w[0]["write_latency_s"], float) and 0 < w[0]["write_latency_s"] < 2, w[0]["write_latency_s"]
for e in eps:
    if e is not w[0]:
        assert e["write_latency_s"] is None and e["write_error"] is None, e
assert d["status"] == "OK", d["status"]
'

probe_run --endpoints="$EPS" "${TLS[@]}" -t 10
probe_expect "without --write-check: no write" 0 '!write' "^OK: "

# --- users and roles ---------------------------------------------------------------------------
# Root by its certificate's CN (cluster_etcdctl) keeps admin rights once auth is on. Release lines
# since early 2026 (3.4.42+, 3.5.28+, 3.6.9+) give Status to root only: the others' runs are
# WARNING "Status needs credentials" on top (probe_auth.sh).
case ${ETCD_VERSION_FULL:-} in
3.4.4[2-9] | 3.4.[5-9]? | 3.5.2[89] | 3.5.[3-9]? | 3.6.9 | 3.6.[1-9]? | 3.[7-9].*) status_root_only=1 ;;
*) status_root_only=0 ;;
esac
cluster_client_cert nouser probe || echo "# cluster_client_cert nouser failed"
NOUSER=(--cacert "$D/ca/ca.pem" --cert "$D/nouser.pem" --key "$D/nouser-key.pem")
if { cluster_etcdctl 1 user add root:rootpw --interactive=false &&
	cluster_etcdctl 1 role add ro && cluster_etcdctl 1 role grant-permission ro --prefix=true read /etcd-probe/ &&
	cluster_etcdctl 1 user add ro:ropw --interactive=false && cluster_etcdctl 1 user grant-role ro ro &&
	cluster_etcdctl 1 role add rw && cluster_etcdctl 1 role grant-permission rw --prefix=true readwrite /etcd-probe/ &&
	cluster_etcdctl 1 user add writer:wpw --interactive=false && cluster_etcdctl 1 user grant-role writer rw &&
	cluster_etcdctl 1 auth enable; } >"$D/auth.log" 2>&1; then
	probe_run --endpoints="$EPS" "${NOUSER[@]}" --user ro --password ropw --write-check -t 10
	if [ "$status_root_only" = 1 ]; then want=1; else want=3; fi
	probe_expect "auth: user ro with a read-only role under the prefix: permission named, $(probe_state_of $want) (etcd ${ETCD_VERSION_FULL:-?})" \
		"$want" --max-ms 5000 "write refused: permission denied for user 'ro'" '!CRITICAL' '!write [0-9.]+ ms'
	if [ "$want" = 3 ]; then
		grep -q "^ETCD UNKNOWN - .*write refused: permission denied for user 'ro'" "$PROBE_OUT_FILE" &&
			scenario_ok "auth: the permission leads the UNKNOWN status line" ||
			scenario_fail "auth: the permission leads the UNKNOWN status line" "first line: $(head -n 1 "$PROBE_OUT_FILE")"
	fi
	probe_run --endpoints="$EPS" "${NOUSER[@]}" --user writer --password wpw --write-check -t 10
	if [ "$status_root_only" = 1 ]; then want=1; else want=0; fi
	probe_expect "auth: user writer with readwrite under the prefix: the write goes through (etcd ${ETCD_VERSION_FULL:-?})" \
		"$want" --max-ms 5000 " write [0-9.]+ ms" '!refused'
	probe_run --endpoints="$EPS" "${NOUSER[@]}" --user writer --password wpw --write-check=/elsewhere/ -t 10
	probe_expect "auth: user writer outside its prefix (--write-check=/elsewhere/): permission named" \
		"1|3" --max-ms 5000 "write refused: permission denied for user 'writer'"
	[ -z "$(keys_under /etcd-probe/)" ] && scenario_ok "auth: nothing left under /etcd-probe/" ||
		scenario_fail "auth: nothing left under /etcd-probe/" "$(keys_under /etcd-probe/)"
	cluster_etcdctl 1 auth disable >>"$D/auth.log" 2>&1 || echo "# auth disable failed: $(tail -n 2 "$D/auth.log")"
else
	scenario_fail "auth: users root, ro, writer and their roles; auth enable" "$(tail -n 3 "$D/auth.log")"
fi

# --- members stopped ---------------------------------------------------------------------------
member_stop 3
probe_run --endpoints="$EPS" "${TLS[@]}" --write-check -t 5
probe_expect "m3 stopped: WARNING, quorum held, the write still goes through" 1 --max-ms 5000 \
	"1 of 3 members down" " write [0-9.]+ ms" '!write refused' '!write failed'

member_stop 2
# Just after the second stop, m1 may still take a Put (it waits for a quorum that is gone); a
# second later it has no leader. Either way the write is named, and -t bounds the run.
probe_run --endpoints="$EPS" "${TLS[@]}" --write-check=/etcd-probe-quorum/ -t 2
probe_expect "m2 and m3 stopped, at once: CRITICAL, the write refused or timed out, named, within -t + 0.5 s" \
	2 --max-ms 2500 "write (refused|failed): .*(no leader|timed out)" "quorum lost|no leader"
sleep 2
probe_run --endpoints="$EPS" "${TLS[@]}" --write-check=/etcd-probe-quorum/ -t 2
probe_expect "m2 and m3 stopped, 2 s later: CRITICAL, the write named (no leader or timed out), within -t + 0.5 s" \
	2 --max-ms 2500 "write (refused|failed): .*(no leader|timed out)"

member_start 2
member_start 3
if ! cluster_wait_healthy 30; then
	scenario_fail "m2 and m3 restarted: healthy again" "see the member logs in $D"
	scenario_finish
fi
# A Put that m1 accepted without a quorum may commit now that the quorum is back: its lease still
# removes it (60 s). What is there must carry a lease.
left=$(cluster_etcdctl 1 get --prefix /etcd-probe-quorum/ -w json 2>/dev/null |
	python3 -c 'import json,sys; kvs=json.load(sys.stdin).get("kvs", []); print(len(kvs), sum(1 for k in kvs if int(k.get("lease", 0)) == 0))' 2>/dev/null)
case $left in
"0 0") scenario_ok "after the quorum came back: nothing left of the timed-out write" ;;
[1-9]" 0") scenario_ok "after the quorum came back: the timed-out write's key ($left) is bound to its lease" ;;
*) scenario_fail "after the quorum came back: no key without a lease" "keys, without lease: ${left:-?}" ;;
esac

# --- NOSPACE ------------------------------------------------------------------------------------
value=$(head -c 81920 /dev/zero | tr '\0' x)
raised=0
for ((i = 0; i < 40; i++)); do
	if ! out=$(cluster_etcdctl 1 put "fill/$i" "$value" 2>&1); then
		[[ $out == *"database space exceeded"* ]] && raised=1
		break
	fi
done
if [ "$raised" = 1 ]; then
	probe_run --endpoints="$EPS" "${TLS[@]}" --write-check -t 10
	probe_expect "NOSPACE: CRITICAL, the write refused and NOSPACE named" 2 --max-ms 5000 \
		"write refused: NOSPACE \((LeaseGrant|Put): ResourceExhausted: etcdserver: mvcc: database space exceeded\)" \
		"alarm NOSPACE"
	[ -z "$(keys_under /etcd-probe/)" ] && scenario_ok "NOSPACE: nothing left under /etcd-probe/" ||
		scenario_fail "NOSPACE: nothing left under /etcd-probe/" "$(keys_under /etcd-probe/)"
	probe_run --endpoints="$EPS" "${TLS[@]}" --write-check -t 10 --format=json
	probe_expect_json "NOSPACE: JSON write_ok false, write_error names NOSPACE" '
w = [e for e in d["endpoints"] if e["write_ok"] is not None]
assert len(w) == 1 and w[0]["write_ok"] is False, w
assert w[0]["write_error"].startswith("NOSPACE ("), w[0]["write_error"]
assert w[0]["write_latency_s"] is None
assert d["status"] == "CRITICAL"
'
else
	scenario_fail "NOSPACE raised by 80 KB puts" "after $i puts: ${out:-no refusal}"
fi

scenario_finish
