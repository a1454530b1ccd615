#!/bin/bash
# make demo: installs a 3-member etcd cluster on loopback with deploy/etcd-install, starts it from the rendered
# units, and shows etcd-probe on it: healthy (OK), one member stopped (WARNING), one member restarted with
# another member's certificate (CRITICAL) and the diagnosis; then stops what it started and cleans up.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
REPO=$PWD
# shellcheck source=deploy/demo-lib.sh
source deploy/demo-lib.sh

B=${B:-build} # the Makefile's build dir (make B=DIR demo)
case $B in /*) ;; *) B=$REPO/$B ;; esac
PROBE=${ETCD_PROBE:-$B/etcd-probe}
DIAG=${ETCD_DIAG:-$B/etcd-diag}
# ETCD_VERSION=3.4|3.5.16|3.5.30 make demo: that etcd and etcdctl (tests/lib/etcd-versions.sh)
lab_use_etcd || { echo "demo: etcd ${ETCD_VERSION:-} is not available (see the line above)" >&2; exit 2; }
ETCD=$ETCD_BIN
command -v etcdctl >/dev/null || { echo "demo: etcdctl is not installed (apt-get install etcd-client)" >&2; exit 2; }


header() { printf "\n=== %s   [+%ds]\n" "$*" "$SECONDS"; }
show() { printf '$'; printf ' %s' "$@"; printf '\n'; }
indent() { sed 's/^/    /'; }
state_name() { case $1 in 0) echo OK ;; 1) echo WARNING ;; 2) echo CRITICAL ;; *) echo UNKNOWN ;; esac; }

lab_pick_net || exit 2
X=$LAB_X
lab_workdir etcd-demo || exit 2
T=$LAB_DIR
export STATE_DIRECTORY=$T # etcd-probe's state file: in the demo's dir, not /var/lib
NAMES=(etcd01 etcd02 etcd03)
CLUSTER="etcd01=https://127.0.$X.1:2380,etcd02=https://127.0.$X.2:2380,etcd03=https://127.0.$X.3:2380"
ENDPOINTS="https://127.0.$X.1:2379,https://127.0.$X.2:2379,https://127.0.$X.3:2379"
CA=$T/ca/ca.pem
CLIENT_CERT=$T/etcd01/ssl/etcd.pem CLIENT_KEY=$T/etcd01/ssl/etcd-key.pem
HAVE_PROBE=0
lab_probe_works "$PROBE" && HAVE_PROBE=1
PROBE_ARG=()
[ "$HAVE_PROBE" = 1 ] && PROBE_ARG=(--probe-bin "$PROBE")

# probe EXPECTED: runs etcd-probe (or, until it is built, etcdctl endpoint health) on all three members.
probe() {
	local want=$1 rc
	if [ "$HAVE_PROBE" = 1 ]; then
		show etcd-probe --endpoints="$ENDPOINTS" --cacert "$CA" --cert "$CLIENT_CERT" --key "$CLIENT_KEY"
		timeout 60 "$PROBE" --endpoints="$ENDPOINTS" --cacert "$CA" --cert "$CLIENT_CERT" --key "$CLIENT_KEY" -t 5 2>&1 | indent
		rc=${PIPESTATUS[0]}
		echo "  -> exit $rc ($(state_name "$rc")); expected $want"
	else
		echo "  ($PROBE is not built or does not run: etcdctl endpoint health instead)"
		show etcdctl --endpoints="$ENDPOINTS" --cacert="$CA" --cert="$CLIENT_CERT" --key="$CLIENT_KEY" endpoint health
		ETCDCTL_API=3 timeout 30 etcdctl --endpoints="$ENDPOINTS" --cacert="$CA" --cert="$CLIENT_CERT" \
			--key="$CLIENT_KEY" --dial-timeout=3s --command-timeout=5s endpoint health 2>&1 | grep -v "^{" | indent
		echo "  (etcd-probe would say $want)"
	fi
}

# run_unit UNIT: runs the unit's ExecStart in the foreground, as systemd would (bounded).
run_unit() { timeout 60 bash -c 'source deploy/demo-lib.sh && unit_exec "$1"' _ "$1" 2>&1; }

wait_port() { # wait_port IP PORT SECONDS
	local n
	for ((n = 0; n < $3 * 10; n++)); do
		timeout 1 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

header "etcd-probe demo: a 3-member mutual-TLS etcd cluster on 127.0.$X.1-3, in $T"
echo "etcd: $("$ETCD" --version | head -1); etcd-probe: $([ "$HAVE_PROBE" = 1 ] && echo "$PROBE" || echo "not built")"

header "1. Install three members with deploy/etcd-install (into $T, not started)"
for i in 1 2 3; do
	n=${NAMES[i - 1]}
	args=(--name "$n" --ip "127.0.$X.$i" --initial-cluster "$CLUSTER" --ca-dir "$T/ca" --ssl-dir "$T/$n/ssl"
		--data-dir "$T/$n/data" --unit-dir "$T/$n/units" --conf-dir "$T/$n" --lib-dir "$T/$n/lib" --etcd-bin "$ETCD"
		"${PROBE_ARG[@]}" --diag-bin "$DIAG" --no-start)
	show deploy/etcd-install "${args[@]}"
	timeout 60 deploy/etcd-install "${args[@]}" 2>&1 | grep -v 'the member runs as' | indent
	[ "${PIPESTATUS[0]}" = 0 ] || { echo "demo: etcd-install failed for $n" >&2; exit 1; }
done
echo "  certificate SANs: $(openssl x509 -in "$T/etcd03/ssl/etcd.pem" -noout -ext subjectAltName | tail -1 | sed 's/^ *//')"

header "2. Start each member from its unit's ExecStart (no systemd here: run as systemd would, PID remembered)"
for n in "${NAMES[@]}"; do
	lab_start "$n" "$T/$n/units/etcd.service" "$T/$n.log"
	echo "  $n: pid ${LAB_PID[$n]}: $(unit_get "$T/$n/units/etcd.service" ExecStart | cut -c1-100)..."
done
start=$SECONDS
if lab_wait_healthy 30 "$ENDPOINTS" "$CA" "$CLIENT_CERT" "$CLIENT_KEY"; then
	echo "  all three healthy after $((SECONDS - start)) s"
else
	echo "demo: the cluster did not become healthy within 30 s; last log lines:" >&2
	for n in "${NAMES[@]}"; do tail -3 "$T/$n.log" >&2; done
	exit 1
fi

header "3. The healthy cluster (expect OK)"
probe OK

header "4. etcd03 stopped (expect WARNING: connection refused, quorum kept)"
lab_stop etcd03
echo "  stopped etcd03"
probe WARNING

header "5. etcd03 restarted with etcd01's certificate (expect CRITICAL for etcd03: the SAN mismatch named)"
cp -p "$T/etcd01/ssl/etcd.pem" "$T/etcd01/ssl/etcd-key.pem" "$T/etcd03/ssl/"
echo "  copied etcd01's etcd.pem and etcd-key.pem over etcd03's (SANs: 127.0.0.1, 127.0.$X.1)"
lab_start etcd03 "$T/etcd03/units/etcd.service" "$T/etcd03.log"
wait_port "127.0.$X.3" 2379 15 || echo "  (etcd03 does not listen yet)"
sleep 1
echo "  the whole cluster (quorum is held by etcd01 and etcd02):"
probe "WARNING overall, CRITICAL for etcd03"
echo "  etcd03's own etcd-probe.service, run from its unit (ExecStart= with its EnvironmentFile=):"
if [ "$HAVE_PROBE" = 1 ]; then
	show "$(unit_get "$T/etcd03/units/etcd-probe.service" ExecStart)"
	sed 's/^/      /' "$T/etcd03/etcd-probe.env" | grep -v '^ *#'
	run_unit "$T/etcd03/units/etcd-probe.service" | indent
	rc=${PIPESTATUS[0]}
	echo "  -> exit $rc ($(state_name "$rc")); expected CRITICAL"
else
	echo "  (skipped: etcd-probe is not built)"
fi
echo "  what the members log about it:"
grep -h -m2 -E 'certificate is valid for|bad certificate' "$T/etcd01.log" "$T/etcd03.log" | cut -c1-200 | indent

header "6. The diagnosis: etcd-diag-report@.service's ExecStart (runs when etcd-probe.service fails)"
if [ -x "$DIAG" ] && timeout 10 "$DIAG" -V >/dev/null 2>&1; then
	echo "  etcd03's report unit runs, when its etcd-probe.service fails:"
	show "$(unit_get "$T/etcd03/units/etcd-diag-report@.service" ExecStart)"
	mkdir -p "$T/journal"
	jok=1
	for n in "${NAMES[@]}"; do lab_journal "$T/$n.log" "$n" "$T/journal/$n.journal" || jok=0; done
	if [ "$jok" = 1 ]; then
		# The members run outside systemd, so their logs are files: turned into journal files as journald
		# would have stored them, and etcd-diag pointed at those instead of the system journal.
		echo "  (the members' logs, stored as journald would have, are in $T/journal: etcd-diag reads them there)"
		show etcd-diag --unit-file "$T/etcd03/units/etcd.service" --journal-dir "$T/journal" "  # + etcd03's etcd-probe.env"
		(set -a && . "$T/etcd03/etcd-probe.env" && set +a &&
			timeout 60 "$DIAG" --unit-file "$T/etcd03/units/etcd.service" --journal-dir "$T/journal") 2>&1 | cut -c1-220 | indent
	else
		run_unit "$T/etcd03/units/etcd-diag-report@.service" | cut -c1-220 | indent
	fi
	echo "  -> exit ${PIPESTATUS[0]}"
else
	echo "  $DIAG is not built yet (or does not run): skipped. Until it exists, the report unit runs etcd-probe -v."
fi

header "7. The fix: re-run etcd-install for etcd03 (it replaces a certificate that does not cover its IP), restart it"
args=(--name etcd03 --ip "127.0.$X.3" --initial-cluster "$CLUSTER" --ca-dir "$T/ca" --ssl-dir "$T/etcd03/ssl"
	--data-dir "$T/etcd03/data" --unit-dir "$T/etcd03/units" --conf-dir "$T/etcd03" --lib-dir "$T/etcd03/lib" --etcd-bin "$ETCD"
	"${PROBE_ARG[@]}" --diag-bin "$DIAG" --no-start)
show deploy/etcd-install "${args[@]}"
timeout 60 deploy/etcd-install "${args[@]}" 2>&1 | grep -E 'replac|wrote|kept|nothing' | indent
lab_stop etcd03
lab_start etcd03 "$T/etcd03/units/etcd.service" "$T/etcd03.log"
lab_wait_healthy 30 "$ENDPOINTS" "$CA" "$CLIENT_CERT" "$CLIENT_KEY" || echo "  (etcd03 is not healthy after 30 s)"
probe OK

header "8. Stop everything started here and remove $T"
for n in "${NAMES[@]}"; do
	[ -n "${LAB_PID[$n]:-}" ] && echo "  stopping $n (pid ${LAB_PID[$n]})"
	lab_stop "$n"
done
rm -rf "$T"
LAB_DIR=""
echo "  done"
