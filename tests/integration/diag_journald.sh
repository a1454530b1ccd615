#!/usr/bin/env bash
# etcd-diag end to end through a real systemd-journald: members log natively with
# --logger=zap --log-outputs=systemd/journal, one of them is restarted with another member's
# certificate, and etcd-diag reads the system journal (no --journal-dir) to name it.
set -u
cd "$(dirname "$0")/../.." || exit 2
DIAG=${ETCD_DIAG:-build/etcd-diag}
NAME=diag_system_journald_zap
JOURNALD=/lib/systemd/systemd-journald
SOCK=/run/systemd/journal/socket
jpid=""

if ! command -v etcd >/dev/null || [ ! -x "$JOURNALD" ] || [ ! -x "$DIAG" ]; then
	echo "skip - $NAME (needs etcd, systemd-journald and $DIAG)"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "skip - $NAME (journald needs root)"
	exit 0
fi

export DC_X=122 DC_LOGGER=zap DC_EXTRA="--log-outputs=systemd/journal"
# shellcheck source=tests/lib/diag-cluster.sh
. tests/lib/diag-cluster.sh
dc_init || exit 1
stop_journald() {
	dc_cleanup
	if [ -n "$jpid" ]; then
		kill "$jpid" 2>/dev/null
		wait "$jpid" 2>/dev/null
	fi
}
trap stop_journald EXIT

# LAB_NOTES: use a journald that already serves the socket, else start our own (by PID)
if [ ! -S "$SOCK" ] || ! systemd-cat -t diag-probe true 2>/dev/null; then
	"$JOURNALD" >"$DC_DIR/journald.log" 2>&1 &
	jpid=$!
	for _ in $(seq 1 50); do
		[ -S "$SOCK" ] && break
		sleep 0.1
	done
	if [ ! -S "$SOCK" ]; then
		cat "$DC_DIR/journald.log"
		echo "not ok - $NAME (journald did not create $SOCK)"
		exit 1
	fi
fi

since=$(date +%s)
for i in 1 2 3; do dc_cert "m$i" "$(dc_ip "$i")"; done
if ! dc_start_all; then
	tail -5 "$DC_DIR"/m*.log
	echo "not ok - $NAME (cluster did not start)"
	exit 1
fi
dc_stop 3
DC_CERT_3=m1 dc_start 3
sleep 8
dc_stop 3

# the entries must be in the journal, natively (SYSLOG_IDENTIFIER=etcd, JSON MESSAGE)
n=$(journalctl --since "@$since" SYSLOG_IDENTIFIER=etcd -o cat 2>/dev/null | grep -c '"msg"')
if [ "${n:-0}" -lt 10 ]; then
	echo "only ${n:-0} etcd entries in the journal"
	tail -3 "$DC_DIR/m1.log"
	echo "not ok - $NAME"
	exit 1
fi
"$DIAG" --since "@$since" --offline --no-config --format=json >"$DC_DIR/diag.json"
rc=$?
got=$(python3 -c 'import json,sys; d=json.load(sys.stdin); f=d["findings"]; print(f[0]["code"], f[0]["member"]) if f else print("none")' <"$DC_DIR/diag.json")
# all members share this host's journal: the member is named by the name it published
if [ "$rc" = 2 ] && [ "$got" = "cert-san-mismatch m3" ]; then
	echo "ok - $NAME"
else
	echo "exit $rc, top finding: $got"
	"$DIAG" --since "@$since" --offline --no-config | head -20
	echo "not ok - $NAME"
	exit 1
fi
