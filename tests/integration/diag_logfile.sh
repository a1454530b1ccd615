#!/usr/bin/env bash
# etcd-diag --log-file/--log-dir on the real output of a real etcd member in fault: a member
# started with a --name that is not in its --initial-cluster (tests/lib/cluster.sh, 127.0.X.* with
# X in 100..149, mutual TLS) refuses to start; its real stderr is written in every shape a host
# keeps logs in: CRI (containerd's Z stamps and CRI-O's offsets, the fatal line split into P
# parts), docker json-file, syslog (RFC 3164 and rsyslog's high precision), and as it is. Each
# must give the same cause; so must a kubeadm /var/log/pods layout found by etcd-diag itself
# (ETCD_DIAG_PODS_ROOT), and lines outside --since must be reported as such, not as "OK".
set -u
cd "$(dirname "$0")/../.." || exit 2
DIAG=${ETCD_DIAG:-build/etcd-diag}
export CLUSTER_NET_FIRST=100 CLUSTER_NET_LAST=149
CAUSE=member-not-in-initial-cluster

if ! command -v etcd >/dev/null || ! command -v python3 >/dev/null || [ ! -x "$DIAG" ]; then
	echo "skip - diag_logfile (needs etcd, python3 and $DIAG)"
	exit 0
fi
# shellcheck source=tests/lib/cluster.sh
. tests/lib/cluster.sh
cluster_init || { echo "not ok - diag_logfile (no temp dir or free loopback net)"; exit 1; }
D=$CLUSTER_DIR
fails=0

# the fault: member m1's certificates and URLs, but --name m9 (etcd's flags: the last one wins)
# shellcheck disable=SC2034 # read by member_argv (cluster.sh)
CLUSTER_SIZE=1
cluster_ca ca >/dev/null 2>&1 && cluster_cert m1 "$(cluster_ip 1)" >/dev/null 2>&1 ||
	{ echo "not ok - diag_logfile (certificates)"; exit 1; }
member_start 1 --name m9
pid=$(member_pid 1)
for ((i = 0; i < 200; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
	echo "not ok - diag_logfile (etcd did not refuse to start within 20 s)"
	exit 1
fi
member_stop 1
grep -v '^=== ' "$(member_log 1)" >"$D/stderr"
if grep -q "couldn't find local name" "$D/stderr"; then
	echo "ok - real etcd refused to start: couldn't find local name"
else
	tail -n 5 "$D/stderr"
	echo "not ok - real etcd refused to start: couldn't find local name"
	exit 1
fi

# the shapes: every line stamped 1 ms apart ending now (or AGO seconds before now)
mkdir -p "$D/logs" "$D/pods/kube-system_etcd-node1_0123abcd-0000-4000-8000-000000000001/etcd" "$D/nojournal"
shapes() {
	python3 - "$D/stderr" "$1" "$2" <<'EOF'
import datetime, json, sys
src, out, ago = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = [l.rstrip("\n") for l in open(src, encoding="utf-8", errors="surrogateescape") if l.strip()]
end = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=ago)
stamps = [end - datetime.timedelta(milliseconds=len(lines) - i) for i in range(len(lines))]
plus1 = datetime.timezone(datetime.timedelta(hours=1))
def w(name, rows):
    with open(f"{out}/{name}", "w", encoding="utf-8", errors="surrogateescape") as f:
        f.writelines(r + "\n" for r in rows)
def cri(t, l, zone):
    ts = t.astimezone(zone).strftime("%Y-%m-%dT%H:%M:%S.%f") + "123"
    ts += "Z" if zone is datetime.timezone.utc else t.astimezone(zone).strftime("%z")[:3] + ":00"
    if "couldn't find local name" not in l:
        return [f"{ts} stderr F {l}"]
    # the cause's line split by the runtime in 20-byte parts, the needle across a cut
    parts = [l[k:k + 20] for k in range(0, len(l), 20)]
    return [f"{ts} stderr {'P' if k < len(parts) - 1 else 'F'} {p}" for k, p in enumerate(parts)]
w("containerd.log", [r for t, l in zip(stamps, lines) for r in cri(t, l, datetime.timezone.utc)])
w("crio.log", [r for t, l in zip(stamps, lines) for r in cri(t, l, plus1)])
w("docker.log", [json.dumps({"log": l + "\n", "stream": "stderr",
                             "time": t.strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z"}) for t, l in zip(stamps, lines)])
# syslog: local time without a year; another program's lines in between
loc = [t.astimezone() for t in stamps]
w("syslog.log", [r for t, l in zip(loc, lines) for r in
                 (f"{t:%b} {t.day:2d} {t:%H:%M:%S} m1 etcd[4242]: {l}", f"{t:%b} {t.day:2d} {t:%H:%M:%S} m1 sshd[7]: {l}")])
w("rsyslog.log", [f"{t.isoformat(timespec='microseconds')} m1 etcd[4242]: {l}" for t, l in zip(loc, lines)])
w("plain.log", lines)
EOF
}
shapes "$D/logs" 0 || { echo "not ok - diag_logfile (writing the shapes)"; exit 1; }
[ "$(grep -c ' stderr P ' "$D/logs/containerd.log")" -ge 2 ] || { echo "not ok - diag_logfile (no P parts)"; exit 1; }

# check NAME WANT_CODE ARGS...: etcd-diag's top finding must be WANT_CODE, exit 2
check() {
	local name=$1 want=$2 got
	shift 2
	"$DIAG" --offline --no-config --format=json "$@" >"$D/out.json" 2>"$D/out.err"
	echo $? >"$D/out.rc"
	got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); f=d["findings"]; print(f[0]["code"] if f else "none", f[0]["member"] if f else "-", d["exit_code"])' "$D/out.json" 2>&1)
	if [ "${got%% *}" = "$want" ] && [ "${got##* }" = 2 ]; then
		echo "ok - $name ($got)"
	else
		echo "# got: $got (wanted $want, exit 2)"; head -c 600 "$D/out.json"; echo; cat "$D/out.err"
		echo "not ok - $name"
		fails=$((fails + 1))
	fi
}

for f in plain containerd crio docker syslog rsyslog; do
	check "--log-file $f.log: $CAUSE" "$CAUSE" --log-file "$D/logs/$f.log"
done
check "--log-dir: every shape at once" "$CAUSE" --log-dir "$D/logs"

# kubeadm: the pod's CRI log found under the pods root by itself, host = the node name
cp "$D/logs/containerd.log" "$D/pods/kube-system_etcd-node1_0123abcd-0000-4000-8000-000000000001/etcd/0.log"
printf 'x\n' >"$D/pods/kube-system_etcd-node1_0123abcd-0000-4000-8000-000000000001/etcd/0.log.20261124-101339.gz"
ETCD_DIAG_PODS_ROOT=$D/pods check "kubeadm pods found by themselves" "$CAUSE" --journal-dir "$D/nojournal"
if grep -q '1 rotated .gz log not read' "$D/out.json" && grep -q 'node1' "$D/out.json"; then
	echo "ok - kubeadm: the node name from the pod dir, the rotated .gz said to be skipped"
else
	head -c 800 "$D/out.json"; echo
	echo "not ok - kubeadm: the node name from the pod dir, the rotated .gz said to be skipped"
	fails=$((fails + 1))
fi

# the window: the same stderr written 3 hours ago is outside the default hour, and said so
mkdir -p "$D/old"
shapes "$D/old" 10800 || { echo "not ok - diag_logfile (writing the old shapes)"; exit 1; }
# outside_window NAME BOUND ARGS...: the 3-hour-old file read with ARGS has no line in the
# window: exit 3, the note names BOUND (since or until) as the one to widen, no cause found
outside_window() {
	local name=$1 bound=$2 rc
	shift 2
	"$DIAG" --offline --no-config --log-file "$D/old/containerd.log" "$@" >"$D/window.txt" 2>&1
	rc=$?
	if [ "$rc" = 3 ] && grep -q "containerd.log: [0-9]* lines, none in the window (they span .*); widen --$bound" "$D/window.txt" &&
		! grep -q "$CAUSE" "$D/window.txt"; then
		echo "ok - $name"
	else
		cat "$D/window.txt"
		echo "not ok - $name (exit $rc)"
		fails=$((fails + 1))
	fi
}
outside_window "entries outside --since reported as such (exit 3), not as OK" since
check "the same file with --since=-4h: $CAUSE" "$CAUSE" --log-file "$D/old/containerd.log" --since=-4h

# an unreadable --log-file is one line and exit 3, never a hang (a FIFO without a writer)
mkfifo "$D/fifo.log"
timeout 10 "$DIAG" --offline --no-config --log-file "$D/fifo.log" >"$D/fifo.txt" 2>&1
rc=$?
if [ "$rc" = 3 ] && grep -q 'cannot read .*fifo.log: not a regular file' "$D/fifo.txt"; then
	echo "ok - a FIFO as --log-file: refused at once, exit 3"
else
	cat "$D/fifo.txt"
	echo "not ok - a FIFO as --log-file: refused at once (exit $rc)"
	fails=$((fails + 1))
fi
# a file growing while it is read (a writer appending all the time): read to its size at open,
# the run ends, the cause in it found
stamp=$(tail -n 1 "$D/logs/containerd.log" | cut -d' ' -f1)
cluster_bg "$D/growing.log" bash -c "cat '$D/logs/containerd.log'
	while :; do echo '$stamp stderr F 2026-11-24 19:13:39.1 I | etcdserver: still growing'; done"
writer=$CLUSTER_BG_PID
for ((i = 0; i < 100; i++)); do [ "$(stat -c %s "$D/growing.log")" -gt 2000000 ] && break; sleep 0.1; done
start=$SECONDS
check "a file growing while read: the run ends (-t 5), the cause found" "$CAUSE" \
	--log-file "$D/growing.log" -t 5
took=$((SECONDS - start))
cluster_stop_pid "$writer" 5
if [ "$took" -le 7 ]; then
	echo "ok - the growing file took ${took}s (bounded by -t 5)"
else
	echo "not ok - the growing file took ${took}s (bounded by -t 5)"
	fails=$((fails + 1))
fi

# the evidence says where its lines came from: a log file's are "log file: N x on HOST", never
# "journal:" (no journal was read)
check "--log-file plain.log again, for its evidence" "$CAUSE" --log-file "$D/logs/plain.log"
if python3 -c 'import json,sys; ev=[e for x in json.load(open(sys.argv[1]))["findings"] for e in x["evidence"]]; sys.exit(0 if any(e.startswith("log file: ") and " x on " in e for e in ev) and not any(e.startswith("journal:") for e in ev) else 1)' "$D/out.json"; then
	echo "ok - --log-file evidence labelled 'log file:', not 'journal:'"
else
	head -c 800 "$D/out.json"; echo
	echo "not ok - --log-file evidence labelled 'log file:', not 'journal:'"
	fails=$((fails + 1))
fi

# --until on files: the stderr of 3 hours ago is in --since=-4h --until=-2h, and left out by
# --until=-200m (3 h 20 min ago), which the note names as the bound to move (not --since)
check "--since=-4h --until=-2h on the 3-hour-old file: $CAUSE" "$CAUSE" \
	--log-file "$D/old/containerd.log" --since=-4h --until=-2h
outside_window "lines after --until reported as such (exit 3), 'widen --until'" until \
	--since=-4h --until=-200m

# --log-file twice: two members' files, both read, each host its file's name
mkdir -p "$D/two"
cp "$D/logs/plain.log" "$D/two/m1.log" && cp "$D/logs/containerd.log" "$D/two/m2.log" || exit 1
"$DIAG" --offline --no-config --format=json --log-file "$D/logs/plain.log" >"$D/one.json" 2>&1
check "--log-file twice (m1.log, m2.log): $CAUSE" "$CAUSE" --log-file "$D/two/m1.log" --log-file "$D/two/m2.log"
if python3 -c '
import json, sys
one, two = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
ev = [e for x in two["findings"] for e in x["evidence"]]
hosts = {h for h in ("m1", "m2") if any(e.startswith("log file: ") and " x on %s," % h in e for e in ev)}
sys.exit(0 if two["entries"] == 2 * one["entries"] > 0 and hosts == {"m1", "m2"} else 1)' "$D/one.json" "$D/out.json"; then
	echo "ok - --log-file twice: both files read (twice the entries), evidence on m1 and m2"
else
	head -c 1200 "$D/out.json"; echo
	echo "not ok - --log-file twice: both files read (twice the entries), evidence on m1 and m2"
	fails=$((fails + 1))
fi
[ "$fails" = 0 ]
