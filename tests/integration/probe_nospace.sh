#!/usr/bin/env bash
# etcd-versions: live (also on 3.5.30)
# etcd-probe against a real 1-member etcd with a NOSPACE alarm: CRITICAL, the alarm named.
#
# The member runs with --quota-backend-bytes=1048576; puts of 80 KB values fill it until etcd
# refuses with `mvcc: database space exceeded` and raises NOSPACE (LAB_NOTES). etcd 3.4's own
# `etcdctl endpoint health` still says healthy then; the probe must say CRITICAL and name NOSPACE,
# in both output formats. PROBE=path overrides build/etcd-probe.
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/cluster.sh
. tests/lib/cluster.sh
# shellcheck source=tests/lib/probe-check.sh
. tests/lib/probe-check.sh
probe_require
cluster_init || { echo "not ok - cluster harness init"; exit 1; }
if ! CLUSTER_KEY_ALG=ec cluster_start 1 --quota-backend-bytes=1048576; then
	echo "not ok - 1-member cluster with a 1 MiB quota starts"
	exit 1
fi
D=$CLUSTER_DIR
TLS=(--cacert "$D/ca/ca.pem" --cert "$D/client.pem" --key "$D/client-key.pem")
EP=$(member_url 1)

probe_run --endpoints="$EP" "${TLS[@]}" -t 10
probe_expect "1 member, before the alarm: OK" 0 '!NOSPACE'

# repeat NAME N RC PATTERN: runs the probe N times; ok when every run exits RC and prints PATTERN.
# Status, Alarm and MemberList travel on concurrent HTTP/2 streams whose answers arrive in any
# order: one run can pass by luck, twenty in a row rarely do.
repeat() {
	local name=$1 n=$2 rc=$3 pat=$4 k bad=0
	for ((k = 1; k <= n; k++)); do
		probe_run --endpoints="$EP" "${TLS[@]}" -t 10
		if [ "$PROBE_RC" != "$rc" ] || ! grep -qE -- "$pat" "$PROBE_OUT_FILE"; then bad=$k; break; fi
	done
	if [ "$bad" = 0 ]; then scenario_ok "$name"; else
		scenario_fail "$name" "run $bad of $n: exit $PROBE_RC or no /$pat/"; fi
}
repeat "20 runs in a row: OK and member m1 named each time" 20 0 "^OK: $(re_escape "$EP") m1 "

# Fill the backend: at most 40 puts (about 3 MB), stop at the first refusal.
value=$(head -c 81920 /dev/zero | tr '\0' x)
raised=0
for ((i = 0; i < 40; i++)); do
	if ! out=$(cluster_etcdctl 1 put "fill/$i" "$value" 2>&1); then
		if [[ $out == *"database space exceeded"* ]]; then raised=1; fi
		break
	fi
done
if [ "$raised" = 1 ] && cluster_etcdctl 1 alarm list 2>/dev/null | grep -q 'alarm:NOSPACE'; then
	scenario_ok "NOSPACE alarm raised after $i puts of 80 KB (etcdctl alarm list)"
	health=$(cluster_etcdctl 1 endpoint health 2>&1 | head -n 1)
	echo "# etcdctl endpoint health meanwhile: $health"

	probe_run --endpoints="$EP" "${TLS[@]}" -t 10
	probe_expect "NOSPACE alarm: CRITICAL, alarm NOSPACE named" 2 --max-ms 5000 "alarm NOSPACE"

	repeat "NOSPACE alarm: 20 runs in a row CRITICAL" 20 2 "NOSPACE"

	probe_run --endpoints="$EP" "${TLS[@]}" -t 10 --format=json
	probe_expect_json "NOSPACE alarm: JSON status and alarms" '
assert d["status"] == "CRITICAL" and d["exit_code"] == 2, (d["status"], d["exit_code"])
alarms = d["endpoints"][0]["alarms"]
assert any("NOSPACE" in str(a) for a in alarms), alarms
'
else
	scenario_fail "NOSPACE alarm raised (etcdctl alarm list)" "after $i puts: ${out:-no refusal}"
fi

scenario_finish
