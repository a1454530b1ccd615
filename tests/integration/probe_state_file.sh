#!/usr/bin/env bash
# etcd-versions: live (also on 3.5.30)
# etcd-probe --state-file against a real 1-member etcd: the first run says "no state yet" and
# writes the file (mode 0600, format etcd-probe-state, the member's record keyed by the cluster
# and member IDs the probe printed); the second run has no note and the record's ring holds two
# runs; a FIFO at the path is neither read nor replaced and the run is not held up; a lock held
# by another process makes the run finish within its bound and say it did not save;
# --no-state-file writes nothing, and without the flag $STATE_DIRECTORY/state is used.
# PROBE=path overrides build/etcd-probe.
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/cluster.sh
. tests/lib/cluster.sh
# shellcheck source=tests/lib/probe-check.sh
. tests/lib/probe-check.sh
probe_require

cluster_init || { echo "not ok - cluster harness init"; exit 1; }
probe_run --state-file "" --endpoints=127.0.0.1:1 -t 2
probe_expect "--state-file '': usage error" 3 "state-file needs a path"
probe_run --no-state-file --endpoints=127.0.0.1:1 -t 2
probe_expect "--no-state-file is an option (a refused endpoint: CRITICAL)" 2 '!unknown option'
probe_run --help
if grep -q -- "--state-file F" "$PROBE_OUT_FILE" && grep -q -- "--no-state-file" "$PROBE_OUT_FILE"
then scenario_ok "--help names --state-file and --no-state-file"
else scenario_fail "--help names --state-file and --no-state-file" "not in --help"; fi

if ! cluster_start 1; then
	echo "not ok - 1-member cluster starts"
	exit 1
fi
D=$CLUSTER_DIR
TLS=(--cacert "$D/ca/ca.pem" --cert "$D/client.pem" --key "$D/client-key.pem")
EP=$(member_url 1)
S=$D/st/state
mkdir -p "$D/st"

# check_state NAME RING: the state file is ours, 0600, and holds the member the JSON named
# with RING runs in its ring.
check_state() {
	local name=$1 ring=$2 mode err
	mode=$(stat -c %a "$S" 2>/dev/null)
	if [ "$mode" != 600 ]; then
		scenario_fail "$name" "state file mode '${mode:-missing}', want 600"
		return
	fi
	if err=$(python3 -c '
import json, sys
probe = json.load(open(sys.argv[1]))
st = json.load(open(sys.argv[2]))
assert st["format"] == "etcd-probe-state" and st["version"] == 1, st.get("format")
e = probe["endpoints"][0]
recs = [r for r in st["records"] if r["member_id"] == e["member_id"]
        and r["cluster_id"] == probe["cluster"]["id"]]
assert len(recs) == 1, "no record of member %s" % e["member_id"]
assert len(recs[0]["ring"]) == int(sys.argv[3]), recs[0]["ring"]
assert "wal_fsync" in recs[0]["histograms"], recs[0]["histograms"].keys()
' "$PROBE_OUT_FILE" "$S" "$ring" 2>&1); then
		scenario_ok "$name"
	else
		scenario_fail "$name" "$(echo "$err" | tail -n 3)"
	fi
}

probe_run --endpoints="$EP" "${TLS[@]}" -t 10 --state-file "$S" --format=json
probe_expect_json "first run: OK, state_file_note says no state yet" \
	'assert d["status"] == "OK"; assert "no state yet" in d["state_file_note"], d["state_file_note"]'
check_state "first run: the file written, 0600, the member's record" 1

sleep 1
probe_run --endpoints="$EP" "${TLS[@]}" -t 10 --state-file "$S" --format=json
probe_expect_json "second run: no note" 'assert d["state_file_note"] is None, d["state_file_note"]'
check_state "second run: two runs in the member's ring" 2

probe_run --endpoints="$EP" "${TLS[@]}" -t 10 --state-file "$S"
probe_expect "Nagios output: no state-file line when all is well" 0 '!state file'

mkfifo "$D/st/fifo"
probe_run --endpoints="$EP" "${TLS[@]}" -t 5 --state-file "$D/st/fifo"
probe_expect "a FIFO at the path: OK, said, not held up" 0 --max-ms 6000 \
	"state file $(re_escape "$D/st/fifo"): not a regular file"
if [ -p "$D/st/fifo" ]; then scenario_ok "the FIFO is left as it was"; else
	scenario_fail "the FIFO is left as it was" "$(ls -l "$D/st")"; fi

before=$(sha256sum <"$S")
exec 9>>"$S.lock"
if flock -n 9; then
	probe_run --endpoints="$EP" "${TLS[@]}" -t 5 --state-file "$S"
	probe_expect "another process holds the lock: OK within its bound, not saved" 0 \
		--max-ms 6000 "locked by another etcd-probe, not saved"
	if [ "$(sha256sum <"$S")" = "$before" ]; then scenario_ok "locked: the file is untouched"
	else scenario_fail "locked: the file is untouched" "it changed"; fi
else
	scenario_fail "flock(1) takes the lock" "flock -n failed"
fi
exec 9>&-

mkdir -m 0700 "$D/sd"
probe_env_run STATE_DIRECTORY="$D/sd" -- --endpoints="$EP" "${TLS[@]}" -t 10 --no-state-file
probe_expect "--no-state-file: OK" 0 '!state file'
if [ ! -e "$D/sd/state" ]; then scenario_ok "--no-state-file writes nothing"; else
	scenario_fail "--no-state-file writes nothing" "$(ls -l "$D/sd")"; fi
probe_env_run STATE_DIRECTORY="$D/sd:$D/other" -- --endpoints="$EP" "${TLS[@]}" -t 10
probe_expect "no flag: OK" 0
if [ -f "$D/sd/state" ]; then scenario_ok "no flag: \$STATE_DIRECTORY/state is used"; else
	scenario_fail "no flag: \$STATE_DIRECTORY/state is used" "$(ls -l "$D/sd")"; fi

scenario_finish
