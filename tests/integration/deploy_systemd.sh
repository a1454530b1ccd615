#!/usr/bin/env bash
# deploy/etcd-install's start path "with systemd", without systemd: a stand-in systemctl on PATH records
# its calls and starts etcd.service from the unit's ExecStart (as systemd would), and
# ETCD_INSTALL_SYSTEMD_RUN_DIR stands in for /run/systemd/system. One member on 127.0.X.1: link, daemon-reload,
# enable, start, timer, then etcd-probe's verdict printed; a re-run with nothing changed starts nothing.
set -u
cd "$(dirname "$0")/../.." || exit 2
REPO=$PWD
# shellcheck source=deploy/demo-lib.sh
source deploy/demo-lib.sh
lab_use_etcd || { rc=$?; echo "not ok - etcd ${ETCD_VERSION:-} for the installer tests"; exit "$rc"; }

# shellcheck source=tests/lib/tap.sh
source tests/lib/tap.sh
# etcd-install runs etcd as the etcd user and makes that user when it is missing: outside the bed's
# namespaces that would be this machine's /etc/passwd. Debian's etcd-server makes the user.
getent passwd etcd >/dev/null || { skip "etcd-install on this machine" "no etcd user here: the installer would create it"; exit 0; }

# The member the stand-in systemctl started for us is stopped by its PID too.
lab_cleanup_hook() {
	if [ -f "$W/etcd.pid" ]; then
		# shellcheck disable=SC2034 # LAB_PID is demo-lib.sh's
		LAB_PID["etcd01"]=$(cat "$W/etcd.pid")
	fi
}
lab_workdir deploy-systemd-test || exit 2
W=$LAB_DIR
lab_pick_net || { echo "not ok - free loopback net"; exit 1; }
X=$LAB_X
PROBE=${ETCD_PROBE:-$REPO/build/etcd-probe}
if ! lab_probe_works "$PROBE"; then
	skip "install and start with systemd (stand-in)" "etcd-probe not built"
	exit 0
fi

mkdir -p "$W/bin" "$W/run-systemd"
cat >"$W/bin/systemctl" <<'EOF'
#!/usr/bin/env bash
# stand-in systemctl: records the call; `start etcd.service` runs the unit's ExecStart in the background
echo "systemctl $*" >>"$FAKE_SD/calls"
case "$*" in
"is-active --quiet etcd.service") [ -f "$FAKE_SD/etcd.pid" ] && kill -0 "$(cat "$FAKE_SD/etcd.pid")" 2>/dev/null; exit ;;
"start --no-block etcd.service")
	(source "$FAKE_REPO/deploy/demo-lib.sh" && unit_exec "$FAKE_UNITS/etcd.service") >"$FAKE_SD/etcd.log" 2>&1 </dev/null &
	echo $! >"$FAKE_SD/etcd.pid"
	;;
esac
exit 0
EOF
chmod 755 "$W/bin/systemctl"
export FAKE_SD=$W FAKE_REPO=$REPO FAKE_UNITS=$W/m/units
run() {
	PATH=$W/bin:$PATH ETCD_INSTALL_SYSTEMD_RUN_DIR=$W/run-systemd timeout 90 deploy/etcd-install --name etcd01 \
		--ip "127.0.$X.1" --initial-cluster "etcd01=https://127.0.$X.1:2380" --ca-dir "$W/ca" --ssl-dir "$W/m/ssl" \
		--data-dir "$W/m/data" --unit-dir "$W/m/units" --conf-dir "$W/m" --lib-dir "$W/m/lib" --etcd-bin "$ETCD_BIN" --probe-bin "$PROBE" \
		>"$W/out" 2>"$W/err"
}

run
rc=$?
want=("systemctl link $W/m/units/etcd.service" "systemctl daemon-reload" "systemctl enable etcd.service"
	"systemctl start --no-block etcd.service" "systemctl enable --now etcd-probe.timer")
miss=()
for c in "${want[@]}"; do grep -qxF "$c" "$W/calls" || miss+=("no call: $c"); done
if [ "$rc" = 0 ] && [ ${#miss[@]} = 0 ]; then
	ok "with systemd: links the units from --unit-dir, daemon-reload, enable, start --no-block, enable --now the timer"
else
	notok "with systemd: the systemctl calls" "exit $rc" "${miss[@]}" "$(cat "$W/calls" "$W/err" 2>/dev/null)"
fi
if grep -q "^etcd-install: etcd-probe on https://127.0.$X.1:2379:" "$W/out" && grep -q '^ETCD OK' "$W/out"; then
	ok "after the start, the installer runs etcd-probe on the member and prints its verdict (OK)"
else
	notok "after the start, etcd-probe's verdict is printed" "$(cat "$W/out" "$W/err")" "$(tail -3 "$W/etcd.log" 2>/dev/null)"
fi

: >"$W/calls"
pid_before=$(cat "$W/etcd.pid" 2>/dev/null)
run
if [ $? = 0 ] && ! grep -q 'start --no-block\|restart' "$W/calls" && [ "$(cat "$W/etcd.pid" 2>/dev/null)" = "$pid_before" ] &&
	grep -q 'nothing to change' "$W/out"; then
	ok "re-run with the member active and nothing changed: no start, no restart"
else
	notok "re-run with nothing changed starts nothing" "$(cat "$W/calls" "$W/out" "$W/err")"
fi

exit "$FAILED"
