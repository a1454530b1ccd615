#!/usr/bin/env bash
# etcd-versions: live
# etcd-probe's checks from /metrics against real faults in a real 3-member mutual-TLS cluster:
#
# - slow disk: member 3 restarted under strace's syscall delay injection (every fdatasync/fsync
#   takes 1.2 s, LAB_NOTES "Real faults"), a few writes: m3's line names its WAL fsync p99, the
#   state is WARNING or CRITICAL, m1 and m2 stay OK. Before /metrics the probe said at most
#   "read latency" (or OK), never why.
# - leader churn: the leader stopped and restarted four times, each time until another member
#   leads: the member never restarted counts at least 4 leader changes within 15 minutes (its
#   lifetime is younger than that: no state file needed) and the probe warns, naming the count.
# PROBE=path overrides build/etcd-probe.
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/cluster.sh
. tests/lib/cluster.sh
# shellcheck source=tests/lib/probe-check.sh
. tests/lib/probe-check.sh
probe_require
cluster_init || { echo "not ok - cluster harness init"; exit 1; }
command -v strace >/dev/null || { echo "not ok - strace installed (make check installs it)"; exit 1; }
if ! cluster_start 3; then
	echo "not ok - 3-member cluster starts"
	exit 1
fi
D=$CLUSTER_DIR
TLS=(--cacert "$D/ca/ca.pem" --cert "$D/client.pem" --key "$D/client-key.pem")
EPS=$(cluster_endpoints)
STATE=(--state-file "$D/probe-state")

probe_run --endpoints="$EPS" "${TLS[@]}" "${STATE[@]}" -t 10
probe_expect "healthy cluster, /metrics read: OK with fsync and commit p99 on each line" 0 \
	'^OK: .* m1 .* fsync p99 [0-9.]+ ms commit p99' '^OK: .* m3 .* fsync p99'

# ---- slow disk on m3 ----
# strace is m3's parent: m3 itself gets the PID the harness stops (etcd exits on SIGTERM, then
# strace does), and strace's own PID is stopped at exit too.
wrapper=$D/etcd-slow-disk
cat >"$wrapper" <<EOW
#!/bin/sh
exec strace -f -qq -e trace=fdatasync,fsync -e inject=fdatasync,fsync:delay_enter=1200000 -o /dev/null $(command -v "${ETCD:-etcd}") "\$@"
EOW
chmod +x "$wrapper"
member_stop 3
ETCD=$wrapper member_start 3
tracer=$(member_pid 3)
cluster_atexit "cluster_stop_pid $tracer 5"
child=
for ((k = 0; k < 50; k++)); do
	child=$(pgrep -P "$tracer" | head -n 1)
	[ -n "$child" ] && break
	sleep 0.1
done
if [ -z "$child" ]; then
	echo "not ok - m3 starts under strace"
	exit 1
fi
# shellcheck disable=SC2034 # the harness reads it (member_stop)
CLUSTER_PIDS[3]=$child
if ! member_wait_healthy 3 40; then
	echo "not ok - m3 healthy under strace's fsync delay"
	exit 1
fi
for ((k = 1; k <= 4; k++)); do cluster_etcdctl 1 put "slow/$k" v >/dev/null; done
scenario_ok "m3 under a 1.2 s fsync delay, 4 puts"
probe_run --endpoints="$EPS" "${TLS[@]}" "${STATE[@]}" -t 10
probe_expect "slow disk: WARNING or CRITICAL, m3's WAL fsync p99 named, within -t" '1|2' \
	--max-ms 10500 'm3 .*WAL fsync p99 1\.[0-9]+ s' '^OK: .* m1 ' '^OK: .* m2 '
probe_run --endpoints="$EPS" "${TLS[@]}" "${STATE[@]}" -t 10 --format=json
probe_expect_json "slow disk, JSON: m3's wal_fsync_p99_seconds >= 1, m1's < 0.5" '
m = {e["name"]: e["metrics"] for e in d["endpoints"]}
assert m["m3"]["wal_fsync_p99_seconds"] >= 1.0, m["m3"]
assert m["m1"]["wal_fsync_p99_seconds"] is None or m["m1"]["wal_fsync_p99_seconds"] < 0.5, m["m1"]
'
member_stop 3 20
member_start 3
if ! member_wait_healthy 3 30; then
	echo "not ok - m3 restarts without strace"
	exit 1
fi

# ---- leader churn ----
# leader: prints the index of the member that leads now (empty when none answers).
leader() {
	local i st
	for i in 1 2 3; do
		[ -n "$(member_pid "$i")" ] || continue
		st=$(cluster_etcdctl "$i" endpoint status -w json --command-timeout=2s 2>/dev/null) || continue
		python3 -c '
import json, sys
s = json.loads(sys.argv[1])[0]["Status"]
sys.exit(0 if s["header"]["member_id"] == s["leader"] else 1)' "$st" && { echo "$i"; return; }
	done
}
changes=0
for ((round = 1; round <= 4; round++)); do
	old=
	for ((k = 0; k < 50; k++)); do old=$(leader); [ -n "$old" ] && break; sleep 0.2; done
	[ -n "$old" ] || break
	member_stop "$old"
	new=
	for ((k = 0; k < 50; k++)); do
		new=$(leader)
		[ -n "$new" ] && [ "$new" != "$old" ] && break
		new=
		sleep 0.2
	done
	member_start "$old"
	member_wait_healthy "$old" 30 || break
	[ -n "$new" ] && changes=$((changes + 1))
done
if [ "$changes" -lt 4 ]; then
	echo "not ok - the leader stopped 4 times, another elected each time (got $changes)"
	exit 1
fi
scenario_ok "the leader stopped and restarted 4 times, a new leader each time"
probe_run --endpoints="$EPS" "${TLS[@]}" --no-state-file -t 10 --format=json
probe_expect_json "leader churn, JSON: some member counts >= 4 leader changes in 15 min" '
counts = [e["metrics"]["leader_changes_15m"] for e in d["endpoints"]]
assert max(c or 0 for c in counts) >= 4, counts
'
probe_run --endpoints="$EPS" "${TLS[@]}" --no-state-file -t 10
probe_expect "leader churn: WARNING naming the leader changes" 1 \
	'leader changes in 15 min: [4-9]'
probe_run --endpoints="$EPS" "${TLS[@]}" --no-state-file -t 10 -w leader_changes=none
probe_expect "leader churn with -w leader_changes=none: OK" 0

scenario_finish
