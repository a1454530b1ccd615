#!/usr/bin/env bash
# etcd-versions: live
# etcd-probe --format=prometheus and --textfile-dir against a real 3-member mutual-TLS cluster:
# healthy, one member stopped, all stopped; nagios and JSON output unchanged beside the textfile;
# the textfile replaced atomically (a reader racing 15 rewrites never sees half a file, no
# temporary file is left, the file is replaced rather than appended to); an unwritable directory
# gives exit 3 and one stderr line. EVERY exposition the test produces (stdout or textfile) goes
# through `promtool check metrics` (Debian's prometheus package), which also fails on its lint
# (counters without _total, non-base units, ...).
# PROBE=path overrides build/etcd-probe. Harness: tests/lib/cluster.sh; checks: tests/lib/probe-check.sh.
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/cluster.sh
. tests/lib/cluster.sh
# shellcheck source=tests/lib/probe-check.sh
. tests/lib/probe-check.sh
probe_require

# promtool is the judge here: without it the test cannot pass.
if ! sh tests/lib/need-packages.sh prometheus >/dev/null || ! command -v promtool >/dev/null; then
	scenario_fail "promtool available" "Debian's prometheus package (promtool) is not installed and cannot be"
	scenario_finish
fi
# need-packages.sh keeps a postinst from starting the server; no prometheus may run because of us.
if pgrep -x prometheus >/dev/null; then
	scenario_fail "no prometheus server running after the install" "$(pgrep -a -x prometheus)"
else
	scenario_ok "no prometheus server running after the install (promtool alone is used)"
fi

cluster_init || { echo "not ok - cluster harness init"; exit 1; }
if ! cluster_start 3; then
	echo "not ok - 3-member cluster starts"
	exit 1
fi
D=$CLUSTER_DIR
TLS=(--cacert "$D/ca/ca.pem" --cert "$D/client.pem" --key "$D/client-key.pem")
EPS=$(cluster_endpoints)

# promtool_ok NAME FILE: `promtool check metrics` on FILE, which must not be empty.
promtool_ok() {
	local out
	if [ ! -s "$2" ]; then
		scenario_fail "$1: promtool check metrics" "$2 is empty"
	elif out=$(timeout 30 promtool check metrics <"$2" 2>&1); then
		scenario_ok "$1: promtool check metrics"
	else
		scenario_fail "$1: promtool check metrics" "$out" "$(head -20 "$2")"
	fi
}
# pval FILE FAMILY [LABEL_ERE]: the values of FAMILY's samples whose label set matches LABEL_ERE.
pval() {
	grep -E "^$2(\{[^}]*${3:-}[^}]*\})? " "$1" | awk '{ print $NF }'
}
# pcount FILE FAMILY [LABEL_ERE]: how many such samples.
pcount() { pval "$@" | grep -c .; }
# check NAME CONDITION-DESCRIPTION...: collects failed conditions in WHY
WHY=()
want() { # want DESCRIPTION GOT EXPECTED
	[ "$2" = "$3" ] || WHY+=("$1: got '$2', want '$3'")
}
verdict() { # verdict NAME: ok when WHY is empty; resets WHY
	if [ ${#WHY[@]} -eq 0 ]; then scenario_ok "$1"; else scenario_fail "$1" "${WHY[@]}"; fi
	WHY=()
}

# --- healthy cluster -------------------------------------------------------------------------
probe_run --endpoints="$EPS" "${TLS[@]}" -t 10 --format=prometheus
P=$D/healthy.prom
cp "$PROBE_OUT_FILE" "$P"
want "exit code" "$PROBE_RC" 0
want "etcd_probe_state" "$(pval "$P" etcd_probe_state)" 0
want "endpoint_up samples equal to 1" "$(pval "$P" etcd_probe_endpoint_up | grep -cx 1)" 3
want "endpoint_state samples equal to 0" "$(pval "$P" etcd_probe_endpoint_state | grep -cx 0)" 3
for m in m1 m2 m3; do
	want "endpoint_up{member=$m}" "$(pval "$P" etcd_probe_endpoint_up "member=\"$m\"")" 1
done
want "voting members" "$(pval "$P" etcd_probe_voting_members)" 3
want "leaders" "$(pval "$P" etcd_probe_is_leader | grep -cx 1)" 1
want "members that know a leader" "$(pval "$P" etcd_probe_has_leader | grep -cx 1)" 3
want "learners" "$(pval "$P" etcd_probe_learner | grep -cx 0)" 3
want "a cluster_id label of 16 hex digits on every endpoint sample" \
	"$(grep -cE '^etcd_probe_endpoint_up\{cluster_id="[0-9a-f]{16}",member="m[123]",endpoint="https://' "$P")" 3
want "no alarm raised" "$(pval "$P" etcd_probe_alarm | grep -cx 0)" 6
want "server certificates" "$(pcount "$P" etcd_probe_cert_expiry_seconds 'cert="server"')" 3
want "the client certificate" "$(pcount "$P" etcd_probe_cert_expiry_seconds 'cert="client"')" 1
# base units: a read under 5 s in seconds, the DB in bytes (> 4 KiB), its quota ratio in 0..1
bad=$(pval "$P" etcd_probe_read_latency_seconds | awk '$1 < 0 || $1 >= 5' | head -1)
want "read latencies in seconds (3, each in [0, 5))" "$(pcount "$P" etcd_probe_read_latency_seconds)/$bad" "3/"
bad=$(pval "$P" etcd_probe_db_size_bytes | awk '$1 < 4096' | head -1)
want "DB sizes in bytes (3, each >= 4096)" "$(pcount "$P" etcd_probe_db_size_bytes)/$bad" "3/"
bad=$(pval "$P" etcd_probe_db_quota_ratio | awk '$1 <= 0 || $1 >= 1' | head -1)
want "DB quota ratios in (0, 1)" "$(pcount "$P" etcd_probe_db_quota_ratio)/$bad" "3/"
want "DB quotas: the 2 GiB default" "$(pval "$P" etcd_probe_db_quota_bytes | grep -cx 2147483648)" 3
bad=$(pval "$P" etcd_probe_cert_expiry_seconds | awk '$1 < 86400 || $1 > 3650 * 86400' | head -1)
want "certificate expiries in seconds (1 day .. 10 years)" "$bad" ""
bad=$(pval "$P" etcd_probe_duration_seconds | awk '$1 <= 0 || $1 >= 10')
want "run duration in seconds, in (0, 10)" "$bad" ""
want "no NaN or Inf" "$(grep -ciE ' [+-]?(nan|inf)$' "$P")" 0
want "HELP lines, each family once" "$(grep '^# HELP ' "$P" | awk '{ print $3 }' | sort | uniq -d)" ""
want "HELP and TYPE lines pair up" "$(grep -c '^# HELP ' "$P")" "$(grep -c '^# TYPE .* gauge$' "$P")"
want "stderr" "$(cat "$PROBE_ERR_FILE")" ""
verdict "healthy: --format=prometheus exit 0, every member up with its figures in base units"
promtool_ok "healthy" "$P"

# The lint must be able to fail: what promtool says of a counter without _total and of a unit
# that is not a base unit, so a clean pass above means something.
{
	echo '# HELP etcd_probe_bad_milliseconds x'
	echo '# TYPE etcd_probe_bad_milliseconds counter'
	echo 'etcd_probe_bad_milliseconds 1'
} >"$D/lint.prom"
if out=$(promtool check metrics <"$D/lint.prom" 2>&1); then
	scenario_fail "promtool check metrics fails on its lint (counter without _total, milliseconds)" "it passed: $out"
elif grep -q '_total' <<<"$out" && grep -q 'base unit' <<<"$out"; then
	scenario_ok "promtool check metrics fails on its lint (counter without _total, milliseconds)"
else
	scenario_fail "promtool check metrics names both lint problems" "$out"
fi

# --- nagios and JSON unaffected; the textfile beside them ------------------------------------
T=$D/textfile
mkdir -p "$T"
probe_run --endpoints="$EPS" "${TLS[@]}" -t 10 --textfile-dir "$T"
probe_expect "--textfile-dir: stdout is still the Nagios result, exit 0" 0 "^OK: https://" '!^# HELP'
want "files in the textfile dir" "$(ls -A "$T")" etcd_probe.prom
want "textfile mode" "$(stat -c %a "$T/etcd_probe.prom" 2>&1)" 644
want "textfile etcd_probe_state" "$(pval "$T/etcd_probe.prom" etcd_probe_state)" 0
want "textfile endpoint_up" "$(pval "$T/etcd_probe.prom" etcd_probe_endpoint_up | grep -cx 1)" 3
verdict "--textfile-dir writes DIR/etcd_probe.prom (mode 644, nothing else left in DIR)"
promtool_ok "textfile beside nagios" "$T/etcd_probe.prom"
ino1=$(stat -c %i "$T/etcd_probe.prom")

probe_run --endpoints="$EPS" "${TLS[@]}" -t 10 --format=json --textfile-dir "$T"
probe_expect_json "--textfile-dir with --format=json: stdout is still the JSON document" '
assert d["status"] == "OK" and d["exit_code"] == 0, (d["status"], d["exit_code"])
assert len(d["endpoints"]) == 3, len(d["endpoints"])
'
promtool_ok "textfile beside JSON" "$T/etcd_probe.prom"
want "files in the textfile dir" "$(ls -A "$T")" etcd_probe.prom
want "etcd_probe_state samples (replaced, not appended)" "$(pcount "$T/etcd_probe.prom" etcd_probe_state)" 1
want "HELP etcd_probe_state lines" "$(grep -c '^# HELP etcd_probe_state ' "$T/etcd_probe.prom")" 1
ino2=$(stat -c %i "$T/etcd_probe.prom")
[ "$ino1" != "$ino2" ] || WHY+=("same inode $ino1: rewritten in place, not renamed over")
verdict "a second run replaces the textfile (a new inode, one copy of each family, no temporary file)"

# A reader racing the writer: 15 runs rewrite the file while it is read over and over; every
# read must be a whole exposition (a truncate-and-write would show an empty or cut file).
(for _ in $(seq 1 15); do
	timeout -k 5 30 "$PROBE" --endpoints="$EPS" "${TLS[@]}" -t 10 --textfile-dir "$T" >/dev/null 2>&1
done) &
writer=$!
reads=0 torn=0 end=$((SECONDS + 120))
last_families=$(grep -c '^# HELP ' "$T/etcd_probe.prom")
while kill -0 "$writer" 2>/dev/null && [ "$SECONDS" -lt "$end" ]; do
	snap=$(cat "$T/etcd_probe.prom"; echo x) # the x keeps a final newline visible
	reads=$((reads + 1))
	n=$(grep -c '^# HELP ' <<<"$snap")
	if [ "$n" != "$last_families" ] || [[ $snap != *$'\n'x ]]; then
		torn=$((torn + 1))
	fi
done
kill -0 "$writer" 2>/dev/null && cluster_stop_pid "$writer" 5
wait "$writer" 2>/dev/null
want "torn reads" "$torn" 0
[ "$reads" -ge 15 ] || WHY+=("only $reads reads while the writer ran")
want "files in the textfile dir after the race" "$(ls -A "$T")" etcd_probe.prom
verdict "textfile read $reads times during 15 rewrites: always whole ($last_families families), no temporary file left"
promtool_ok "textfile after the race" "$T/etcd_probe.prom"

# --- an unwritable textfile dir: exit 3, one line on stderr, the Nagios line still there --------
probe_run --endpoints="$EPS" "${TLS[@]}" -t 10 --textfile-dir "$D/no/such/dir"
lines=$(wc -l <"$PROBE_ERR_FILE")
if [ "$PROBE_RC" = 3 ] && [ "$lines" = 1 ] &&
	grep -qE "^etcd-probe: cannot write $(re_escape "$D/no/such/dir")/etcd_probe.prom: .*No such file or directory\$" "$PROBE_ERR_FILE" &&
	grep -q '^ETCD OK - ' "$PROBE_OUT_FILE"; then
	scenario_ok "textfile dir missing: exit 3, one stderr line naming the file, the Nagios line still printed"
else
	scenario_fail "textfile dir missing: exit 3 with one stderr line" "exit $PROBE_RC, $lines stderr lines"
fi
# Root writes anywhere: a directory it may not write to takes another user. The probe runs as
# nobody with copies of the test credentials in a directory nobody can read.
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
	N=$(mktemp -d /tmp/etcd-prom-nobody.XXXXXX)
	cluster_atexit "rm -rf '$N'"
	chmod 755 "$N"
	mkdir -p "$N/ro" && chmod 755 "$N/ro"
	cp "$D/ca/ca.pem" "$D/client.pem" "$D/client-key.pem" "$N/" && chmod 644 "$N/ca.pem" "$N/client.pem" &&
		chown nobody "$N/client-key.pem" && chmod 600 "$N/client-key.pem"
	probe_run_nobody() {
		probe_outputs
		# shellcheck disable=SC2034 # read by scenario_fail (tests/lib/probe-check.sh)
		PROBE_CMD="setpriv --reuid=nobody $PROBE $*"
		timeout -k 5 60 setpriv --reuid=nobody --regid=nogroup --clear-groups "$PROBE" "$@" \
			>"$PROBE_OUT_FILE" 2>"$PROBE_ERR_FILE"
		PROBE_RC=$?
	}
	probe_run_nobody --endpoints="$EPS" --cacert "$N/ca.pem" --cert "$N/client.pem" --key "$N/client-key.pem" \
		-t 10 --textfile-dir "$N/ro"
	lines=$(wc -l <"$PROBE_ERR_FILE")
	if [ "$PROBE_RC" = 3 ] && [ "$lines" = 1 ] &&
		grep -qE "^etcd-probe: cannot write $(re_escape "$N/ro")/etcd_probe.prom: creating a temporary file: Permission denied\$" "$PROBE_ERR_FILE" &&
		grep -q '^ETCD OK - ' "$PROBE_OUT_FILE" && [ -z "$(ls -A "$N/ro")" ]; then
		scenario_ok "textfile dir not writable (root's 0755, probe as nobody): exit 3, one stderr line, nothing left in it"
	else
		scenario_fail "textfile dir not writable: exit 3 with one stderr line" "exit $PROBE_RC, $lines stderr lines" \
			"in the dir: $(ls -A "$N/ro")"
	fi
else
	scenario_skip "textfile dir not writable" "needs root, user nobody and setpriv"
fi

# --- one member stopped ----------------------------------------------------------------------
member_stop 3
U3=$(member_url 3)
probe_run --endpoints="$EPS" "${TLS[@]}" -t 10 --format=prometheus --textfile-dir "$T"
P=$D/one-down.prom
cp "$PROBE_OUT_FILE" "$P"
want "exit code" "$PROBE_RC" 1
want "etcd_probe_state" "$(pval "$P" etcd_probe_state)" 1
want "m3 up" "$(pval "$P" etcd_probe_endpoint_up 'member="m3"')" 0
want "m3 endpoint_state" "$(pval "$P" etcd_probe_endpoint_state 'member="m3"')" 2
want "m1 up" "$(pval "$P" etcd_probe_endpoint_up 'member="m1"')" 1
want "healthy members" "$(pval "$P" etcd_probe_healthy_members)" 2
want "quorum" "$(pval "$P" etcd_probe_quorum_ok)" 1
# the member that is down keeps the cluster's ID (the same series as when it was up)
want "m3's labels" "$(grep -cE "^etcd_probe_endpoint_up\{cluster_id=\"[0-9a-f]{16}\",member=\"m3\",endpoint=\"$(re_escape "$U3")\"\} 0\$" "$P")" 1
want "samples of m3 besides state and up" \
	"$(grep -F "endpoint=\"$U3\"" "$P" | grep -cvE '^etcd_probe_endpoint_(state|up)\{')" 0
want "stdout and the textfile are the same exposition (but for the run's duration and time)" \
	"$(diff <(grep -vE '^etcd_probe_(duration|timestamp)_seconds' "$P") \
		<(grep -vE '^etcd_probe_(duration|timestamp)_seconds' "$T/etcd_probe.prom") | head -3)" ""
verdict "one member stopped: state 1, m3 up 0 with only state and up, quorum held"
promtool_ok "one member stopped" "$P"
promtool_ok "one member stopped, textfile" "$T/etcd_probe.prom"

probe_run --endpoints="$EPS" "${TLS[@]}" -t 10
probe_expect "one member stopped: Nagios output unchanged" 1 "$(re_escape "$U3").*connection refused" '!^# '

# --- all members stopped ---------------------------------------------------------------------
member_stop 2
member_stop 1
probe_run --endpoints="$EPS" "${TLS[@]}" -t 5 --format=prometheus --textfile-dir "$T"
P=$D/all-down.prom
cp "$PROBE_OUT_FILE" "$P"
want "exit code" "$PROBE_RC" 2
want "etcd_probe_state" "$(pval "$P" etcd_probe_state)" 2
want "endpoints up" "$(pval "$P" etcd_probe_endpoint_up | grep -cx 0)" 3
want "endpoint_state CRITICAL" "$(pval "$P" etcd_probe_endpoint_state | grep -cx 2)" 3
# (the client certificate is the probe's own: still known)
want "samples besides the cluster's, state/up and the client certificate" \
	"$(grep -vE '^#|^etcd_probe_(state|duration_seconds|timestamp_seconds|voting_members|healthy_members|quorum_ok|endpoint_state|endpoint_up)[{ ]' "$P" |
		grep -vE '^etcd_probe_cert_expiry_seconds\{cert="client"\} [0-9]+$' | head -3)" ""
want "no NaN or Inf" "$(grep -ciE ' [+-]?(nan|inf)$' "$P")" 0
verdict "all members stopped: state 2, every endpoint up 0, nothing else per endpoint"
promtool_ok "all members stopped" "$P"
promtool_ok "all members stopped, textfile" "$T/etcd_probe.prom"

probe_run --endpoints="$EPS" "${TLS[@]}" -t 5 --format=json
probe_expect_json "all members stopped: JSON unchanged" '
assert d["status"] == "CRITICAL" and d["exit_code"] == 2, (d["status"], d["exit_code"])
assert all(e["healthy"] is False for e in d["endpoints"]), "all down"
'

scenario_finish
