#!/usr/bin/env bash
# etcd-diag end to end through a real systemd-journald: members log natively with
# --logger=zap --log-outputs=systemd/journal, one of them is restarted with another member's
# certificate, and etcd-diag reads the system journal (no --journal-dir) to name it. Cluster:
# tests/lib/cluster.sh on a free 127.0.X.* with X in 100..149.
set -u
cd "$(dirname "$0")/../.." || exit 2
DIAG=${ETCD_DIAG:-build/etcd-diag}
NAME=diag_system_journald_zap
JOURNALD=/lib/systemd/systemd-journald
SOCK=/run/systemd/journal/socket

if ! command -v etcd >/dev/null || [ ! -x "$JOURNALD" ] || [ ! -x "$DIAG" ]; then
	echo "skip - $NAME (needs etcd, systemd-journald and $DIAG)"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "skip - $NAME (journald needs root)"
	exit 0
fi

export CLUSTER_NET_FIRST=100 CLUSTER_NET_LAST=149
# shellcheck source=tests/lib/cluster.sh
. tests/lib/cluster.sh
cluster_init || exit 1

# LAB_NOTES: use a journald that already serves the socket, else start our own (by PID, stopped
# by cluster_cleanup on exit)
if [ ! -S "$SOCK" ] || ! systemd-cat -t diag-probe true 2>/dev/null; then
	cluster_bg "$CLUSTER_DIR/journald.log" "$JOURNALD"
	for _ in $(seq 1 50); do
		[ -S "$SOCK" ] && break
		sleep 0.1
	done
	if [ ! -S "$SOCK" ]; then
		cat "$CLUSTER_DIR/journald.log"
		echo "not ok - $NAME (journald did not create $SOCK)"
		exit 1
	fi
fi

since=$(date +%s)
if ! cluster_start 3 --logger zap --log-outputs=systemd/journal; then
	tail -n 5 "$CLUSTER_DIR"/m*.log
	echo "not ok - $NAME (cluster did not start)"
	exit 1
fi
member_stop 3
MEMBER_CERT=$CLUSTER_DIR/m1.pem MEMBER_KEY=$CLUSTER_DIR/m1-key.pem member_start 3
sleep 8
member_stop 3

# the entries must be in the journal, natively (SYSLOG_IDENTIFIER=etcd, JSON MESSAGE)
n=$(journalctl --since "@$since" SYSLOG_IDENTIFIER=etcd -o cat 2>/dev/null | grep -c '"msg"')
if [ "${n:-0}" -lt 10 ]; then
	echo "only ${n:-0} etcd entries in the journal"
	tail -3 "$CLUSTER_DIR/m1.log"
	echo "not ok - $NAME"
	exit 1
fi
"$DIAG" --since "@$since" --offline --no-config --format=json >"$CLUSTER_DIR/diag.json"
rc=$?
got=$(python3 -c 'import json,sys; d=json.load(sys.stdin); f=d["findings"]; print(f[0]["code"], f[0]["member"]) if f else print("none")' <"$CLUSTER_DIR/diag.json")
# all members share this host's journal: the member is named by the name it published
if [ "$rc" = 2 ] && [ "$got" = "cert-san-mismatch m3" ]; then
	echo "ok - $NAME"
else
	echo "exit $rc, top finding: $got"
	"$DIAG" --since "@$since" --offline --no-config | head -20
	echo "not ok - $NAME"
	exit 1
fi
