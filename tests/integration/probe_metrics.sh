#!/usr/bin/env bash
# etcd-versions: live
# etcd-probe's /metrics reading against a real 1-member mutual-TLS etcd started with
# --quota-backend-bytes=4 MiB and a separate plain metrics listener (--listen-metrics-urls):
#
# - the real quota: filled to 80-95 % of 4 MiB, the probe warns "DB size N% of the 4 MiB quota";
#   with --no-metrics it falls back to the 2 GiB default and says OK (what every run said before
#   /metrics: db_pct was wrong on every cluster started with --quota-backend-bytes);
# - fragmentation: every key deleted and the revisions compacted, the file keeps its size: the
#   probe warns and gives the defrag command; after `etcdctl defrag` it is OK again;
# - --metrics-url: the member's metrics listener over plain HTTP/1.1, paired by position; one
#   where nothing listens is a WARNING naming it;
# - the state file: the first run says its figures are the member's lifetime, the second has an
#   interval; a member restart starts a new interval; a corrupt file, a FIFO and a directory at
#   the path are said in one line and never fail or hang the check.
# PROBE=path overrides build/etcd-probe.
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/cluster.sh
. tests/lib/cluster.sh
# shellcheck source=tests/lib/probe-check.sh
. tests/lib/probe-check.sh
probe_require
cluster_init || { echo "not ok - cluster harness init"; exit 1; }
QUOTA=4194304
MURL=http://$(cluster_ip 1):2381
if ! cluster_start 1 --quota-backend-bytes=$QUOTA --listen-metrics-urls="$MURL"; then
	echo "not ok - 1-member cluster with a 4 MiB quota starts"
	exit 1
fi
D=$CLUSTER_DIR
TLS=(--cacert "$D/ca/ca.pem" --cert "$D/client.pem" --key "$D/client-key.pem")
EP=$(member_url 1)
ST=$D/state

# ---- the state file ----
probe_run --endpoints="$EP" "${TLS[@]}" --state-file "$ST" -t 10 --format=json
probe_expect_json "first run: metrics read, no interval yet, the note says lifetime" '
m = d["endpoints"][0]["metrics"]
assert m["error"] is None and m["interval_seconds"] is None, m
assert "first run" in m["note"] or "lifetime" in m["note"], m["note"]
assert m["quota_bytes"] == int(sys.argv[2]), m
' "$QUOTA"
sleep 1.2
probe_run --endpoints="$EP" "${TLS[@]}" --state-file "$ST" -t 10 --format=json
probe_expect_json "second run: an interval since the first" '
m = d["endpoints"][0]["metrics"]
assert m["interval_seconds"] is not None and 1.0 <= m["interval_seconds"] < 60, m
'
if [ "$(stat -c %a "$ST")" = 600 ]; then scenario_ok "state file written, mode 0600"; else
	scenario_fail "state file written, mode 0600" "$(ls -l "$ST" 2>&1)"; fi
member_stop 1
member_start 1
member_wait_healthy 1 30 || { echo "not ok - member restarts"; exit 1; }
probe_run --endpoints="$EP" "${TLS[@]}" --state-file "$ST" -t 10 --format=json
probe_expect_json "after a member restart: a new interval, the restart said" '
m = d["endpoints"][0]["metrics"]
assert m["interval_seconds"] is None and "restart" in m["note"], m
'
printf '{"format":"etcd-probe-state","version":1,"records":[garbage' >"$ST"
probe_run --endpoints="$EP" "${TLS[@]}" --state-file "$ST" -t 10
probe_expect "a corrupt state file: OK, the file named" 0 'state'
probe_run --endpoints="$EP" "${TLS[@]}" --state-file "$ST" -t 10 --format=json
probe_expect_json "... and the next run has an interval again (rewritten whole)" '
assert d["endpoints"][0]["metrics"]["interval_seconds"] is not None, d["endpoints"][0]["metrics"]
'
# a mistyped --state-file naming someone's file (an etcd YAML config): used as no state, left
# exactly as it was
printf 'name: m1\nclient-transport-security:\n  client-cert-auth: true\n' >"$D/etcd.conf.yml"
cp "$D/etcd.conf.yml" "$D/etcd.conf.yml.orig"
probe_run --endpoints="$EP" "${TLS[@]}" --state-file "$D/etcd.conf.yml" -t 10
probe_expect "--state-file naming a file that is not one: OK, said, left alone" 0 'left alone, not saved'
if cmp -s "$D/etcd.conf.yml" "$D/etcd.conf.yml.orig"; then
	scenario_ok "... and the file is unchanged"
else
	scenario_fail "... and the file is unchanged" "$(head -c 200 "$D/etcd.conf.yml")"
fi
rm -f "$ST"
mkfifo "$ST"
probe_run --endpoints="$EP" "${TLS[@]}" --state-file "$ST" -t 5
probe_expect "a FIFO at the state path: OK within -t, no hang" 0 --max-ms 5500
rm -f "$ST"
mkdir "$ST"
probe_run --endpoints="$EP" "${TLS[@]}" --state-file "$ST" -t 5
probe_expect "a directory at the state path: OK, said" 0 --max-ms 5500 'state'
rmdir "$ST"

# ---- --metrics-url ----
probe_run --endpoints="$EP" "${TLS[@]}" --no-state-file --metrics-url "$MURL" -t 10 --format=json
probe_expect_json "--metrics-url: read from the plain metrics listener over HTTP/1.1" '
m = d["endpoints"][0]["metrics"]
assert m["url"] == sys.argv[2] + "/metrics" and m["error"] is None, m
assert m["quota_bytes"] == int(sys.argv[3]), m
' "$MURL" "$QUOTA"
probe_run --endpoints="$EP" "${TLS[@]}" --no-state-file --metrics-url "http://$(cluster_ip 1):2399" -t 5
probe_expect "--metrics-url where nothing listens: WARNING naming it" 1 'metrics not read: .*2399'
probe_run --endpoints="$EP" "${TLS[@]}" --no-state-file --metrics-url "gopher://x" -t 5
probe_expect "--metrics-url garbage: UNKNOWN naming the flag" 3 'metrics-url'

# ---- the real quota ----
value=$(head -c 102400 /dev/zero | tr '\0' x)
pct=0
for ((i = 0; i < 60; i++)); do
	cluster_etcdctl 1 put "fill/$i" "$value" >/dev/null 2>&1 || break
	probe_run --endpoints="$EP" "${TLS[@]}" --no-state-file -t 10 --format=json
	pct=$(python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["endpoints"][0]; print(int(100*e["db_size"]/e["db_quota_bytes"]))' "$PROBE_OUT_FILE")
	[ "$pct" -ge 82 ] && break
done
if [ "$pct" -ge 82 ] && [ "$pct" -lt 95 ]; then
	scenario_ok "DB filled to $pct% of the 4 MiB quota after $((i + 1)) puts of 100 KB"
	probe_run --endpoints="$EP" "${TLS[@]}" --no-state-file -t 10
	probe_expect "DB over 80% of the real quota: WARNING with the real quota" 1 \
		"DB size [0-9]+% of the 4 MiB quota" '!assumed'
	probe_run --endpoints="$EP" "${TLS[@]}" --no-state-file --no-metrics -t 10
	probe_expect "--no-metrics: the 2 GiB default, said to be assumed (what the probe judged before)" 0
else
	scenario_fail "DB filled to 82-95% of the quota" "reached $pct% after $i puts"
fi

# ---- fragmentation ----
# the file keeps the size of the filled DB (it can reach 95-97 % of the quota with the puts below):
# these checks are about the free pages, so db_pct may not warn (99) nor go critical (100)
cluster_etcdctl 1 del --prefix fill/ >/dev/null
rev=$(cluster_etcdctl 1 endpoint status -w json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Status"]["header"]["revision"])')
# --physical: returns once the compaction is in the backend (it frees the pages)
cluster_etcdctl 1 compaction --physical "$rev" >/dev/null
# the freed pages count as free (Status' in-use size) only from a later backend commit: bbolt
# keeps a transaction's freed pages pending, and etcd records the size at each commit
for ((k = 0; k < 20; k++)); do
	cluster_etcdctl 1 put frag/after "$k" >/dev/null
	probe_run --endpoints="$EP" "${TLS[@]}" --no-state-file --frag-min-bytes 0 -w db_pct=99 -c db_pct=100 -t 10
	grep -q fragmented "$PROBE_OUT_FILE" && break
	sleep 0.25
done
probe_expect "deleted + compacted, not defragmented: WARNING, fragmented, the defrag command" 1 \
	"fragmented: etcdctl defrag --endpoints=$(re_escape "$EP")"
probe_run --endpoints="$EP" "${TLS[@]}" --no-state-file -w db_pct=99 -c db_pct=100 -t 10
probe_expect "the same under the default --frag-min-bytes (100 MiB in use): OK" 0 '!fragmented'
cluster_etcdctl 1 defrag >/dev/null
probe_run --endpoints="$EP" "${TLS[@]}" --no-state-file --frag-min-bytes 0 -t 10
probe_expect "after etcdctl defrag: OK" 0 '!fragmented'

scenario_finish
