#!/usr/bin/env bash
# deploy/etcd-install without a running cluster: shellcheck, systemd-analyze verify of every rendered unit,
# the unit's ExecStart run as systemd would, --textfile-dir, --dry-run and --root, the tutorial's environment variables,
# the certificate policy (keep / --renew-cert / replace one that does not cover the IP), the no-systemd start
# message, --foreground (the real etcd, as the etcd user), the report's gate as the units run it, and bad
# input: one-line error on stderr, nonzero exit, nothing written.
# Nothing listens on the loopback net used (127.0.X.*, X in 60..99, locked while the test runs).
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/deploy.sh
source tests/lib/deploy.sh
deploy_setup deploy-install-test "the installer tests" || exit $?
# etcd-install runs etcd as the etcd user and makes that user when it is missing: outside the bed's
# namespaces that would be this machine's /etc/passwd. Debian's etcd-server makes the user.
getent passwd etcd >/dev/null || { skip "etcd-install on this machine" "no etcd user here: the installer would create it"; exit 0; }
CL="etcd01=https://127.0.$X.1:2380,etcd02=https://127.0.$X.2:2380,etcd03=https://127.0.$X.3:2380"

# --- shellcheck
if out=$(shellcheck -x -S warning deploy/etcd-install deploy/*.sh tests/integration/deploy_*.sh 2>&1); then
	ok "shellcheck -x -S warning: deploy/etcd-install deploy/*.sh tests/integration/deploy_*.sh (with the tests/lib files they source)"
else
	notok "shellcheck -S warning on the deploy scripts" "$out"
fi

# --- the tests' own setup (tests/lib/deploy.sh, deploy-hosts.sh) with an etcd version that cannot be had here
# (its mirror unreachable): the whole test is skipped, one `skip - ` line (the line run-all.sh counts), exit 0
for lib in deploy deploy-hosts; do
	case $lib in
	deploy) code='. tests/lib/deploy.sh && deploy_setup deploy-skip-test "the skipped test"' ;;
	*) code='. tests/lib/deploy-hosts.sh && deploy_hosts_start 1 "the skipped test"' ;;
	esac
	out=$(ETCD_VERSION=3.5.16 ETCD_VERSIONS_CACHE=$W/vcache ETCD_VERSIONS_MIRROR=http://127.0.0.1:9/debian \
		timeout 120 bash -c "$code"'; echo "went on: $?"' 2>"$W/skip.err")
	rc=$?
	if [ "$rc" = 0 ] && [ "$(wc -l <<<"$out")" = 1 ] && [[ $out == "skip - the skipped test (etcd 3.5.16 not available here)" ]]; then
		ok "tests/lib/$lib.sh with etcd 3.5.16 unreachable: '$out', exit 0"
	else
		notok "tests/lib/$lib.sh with the etcd version unreachable skips the test" "exit $rc" "stdout: $out" "stderr: $(cat "$W/skip.err")"
	fi
done

# --- rendering and systemd-analyze verify
A=$W/a
if inst "$A" etcd01 "127.0.$X.1" --no-start; then
	ok "install member etcd01 into a temp dir (--no-start)"
else
	notok "install member etcd01 into a temp dir (--no-start)" "$(cat "$A.err")"
fi
B=$W/b
inst "$B" etcd01 "127.0.$X.1" --no-start --local-http --san etcd01.example --san 127.0.$X.101 ||
	notok "install with --local-http and --san" "$(cat "$B.err")"
UNITS=(etcd.service etcd-probe.service etcd-probe.timer etcd-diag-report@.service)
for d in "$A" "$B"; do
	for u in "${UNITS[@]}"; do
		f=$d/units/$u
		if [ ! -f "$f" ]; then notok "systemd-analyze verify $(basename "$d")/$u" "missing"; continue; fi
		err=$(timeout 60 systemd-analyze verify "$f" 2>&1 >/dev/null)
		if [ -z "$err" ]; then
			ok "systemd-analyze verify $(basename "$d")/$u: no warning$PROBE_NOTE"
		else
			notok "systemd-analyze verify $(basename "$d")/$u: no warning" "$err"
		fi
	done
done
# The verify check must be able to fail: a unit whose ExecStart binary does not exist.
sed 's|^ExecStart=[^ ]*|ExecStart=/nonexistent/etcd|' "$A/units/etcd.service" >"$W/broken.service"
if systemd-analyze verify "$W/broken.service" 2>&1 >/dev/null | grep -q 'nonexistent'; then
	ok "systemd-analyze verify warns on stderr about a missing ExecStart binary (so the checks above mean something)"
else
	notok "systemd-analyze verify warns about a missing ExecStart binary"
fi

# --- unit contents
u=$A/units/etcd.service
miss=()
for want in '^Type=notify$' '^Restart=on-failure$' '^RestartSec=5$' '^LimitNOFILE=65536$' "^WorkingDirectory=$A/data/\$" \
	'--client-cert-auth' '--peer-client-cert-auth' "--listen-client-urls=https://127.0.$X.1:2379 " \
	"--cert-file=$A/ssl/etcd.pem" "--trusted-ca-file=$A/ca/ca.pem" "--initial-cluster=$CL " \
	'--initial-cluster-state=new' "--data-dir=$A/data\$" '^WantedBy=multi-user.target$'; do
	grep -qe "$want" "$u" || miss+=("etcd.service lacks: $want")
done
grep -q 'http://' "$u" && miss+=("etcd.service has a plain http:// listener without --local-http")
grep -q -- "--listen-client-urls=https://127.0.$X.1:2379,http://127.0.0.1:2379" "$B/units/etcd.service" ||
	miss+=("--local-http did not add http://127.0.0.1:2379")
grep -q '^OnFailure=etcd-diag-report@%n.service$' "$A/units/etcd-probe.service" || miss+=("etcd-probe.service lacks OnFailure=")
grep -q '^Type=oneshot$' "$A/units/etcd-probe.service" || miss+=("etcd-probe.service is not Type=oneshot")
grep -q "^EnvironmentFile=$A/conf/etcd-probe.env\$" "$A/units/etcd-probe.service" || miss+=("etcd-probe.service lacks its EnvironmentFile")
# its state file (the /metrics intervals) in a directory systemd makes: $STATE_DIRECTORY
grep -q "^StateDirectory=etcd-probe\$" "$A/units/etcd-probe.service" || miss+=("etcd-probe.service lacks StateDirectory=etcd-probe")
grep -q '^OnCalendar=\*-\*-\* \*:\*:00$' "$A/units/etcd-probe.timer" && grep -q '^RandomizedDelaySec=' "$A/units/etcd-probe.timer" ||
	miss+=("etcd-probe.timer is not every minute with a randomized delay")
grep -q "^ETCDCTL_ENDPOINTS=https://127.0.$X.1:2379\$" "$A/conf/etcd-probe.env" || miss+=("etcd-probe.env lacks ETCDCTL_ENDPOINTS")
grep -q 'etcd-diag' "$A/units/etcd-diag-report@.service" && grep -q "$PROBE -v" "$A/units/etcd-diag-report@.service" ||
	miss+=("etcd-diag-report@.service does not run etcd-diag with the etcd-probe -v fallback")
# the probe checks every member of the member list, so that a member whose host is down is seen by the others
grep -qxF "ExecStart=$PROBE --cluster -t 10" "$A/units/etcd-probe.service" || miss+=("etcd-probe.service: $(grep '^ExecStart=' "$A/units/etcd-probe.service")")
grep -qx 'ETCD_DIAG_REPEAT=3600' "$A/conf/etcd-probe.env" || miss+=("etcd-probe.env lacks ETCD_DIAG_REPEAT=3600")
grep -q '^ExecCondition=' "$A/units/etcd-diag-report@.service" && grep -q '^StateDirectory=etcd-probe$' "$A/units/etcd-diag-report@.service" ||
	miss+=("etcd-diag-report@.service lacks its gate (ExecCondition=, StateDirectory=etcd-probe)")
if [ ${#miss[@]} = 0 ]; then ok "unit contents: tutorial's unit + client/peer cert auth, probe service (--cluster)/timer/OnFailure, the report's gate"; else notok "unit contents" "${miss[@]}"; fi

# --- the report's gate (ExecCondition=) and the probe's ExecStopPost=, run as systemd runs them ($$ and %% unescaped):
# a diagnosis once per change of the probe's exit status, again after ETCD_DIAG_REPEAT s, every time with 0; an OK resets it.
# Both are the installed etcd-diag-gate (--lib-dir); deploy_diag_gate.sh runs it directly, case by case.
unit_cmd() { # unit_cmd UNIT KEY: the command line as systemd would pass it (NUL-separated words)
	local line
	line=$(source deploy/demo-lib.sh && unit_get "$1" "$2" | head -1)
	line=${line#-}
	line=${line//\$\$/\$} line=${line//%%/%}
	(source deploy/demo-lib.sh && unit_words "$line")
}
mapfile -d '' -t GATE < <(unit_cmd "$A/units/etcd-diag-report@.service" ExecCondition)
mapfile -d '' -t STOPPOST < <(unit_cmd "$A/units/etcd-probe.service" ExecStopPost)
SD=$W/statedir
mkdir -p "$SD"
# probe_run STATUS: the probe unit's ExecStopPost after a run that exited STATUS; gate: the report's decision
probe_run() { STATE_DIRECTORY=$SD EXIT_STATUS=$1 "${STOPPOST[@]}"; }
gate() { # run (exit 0) or skip (exit 10: ExecCondition= skips the unit; 1-3 are SuccessExitStatus= there)
	STATE_DIRECTORY=$SD ETCD_DIAG_REPEAT=${REPEAT:-3600} "${GATE[@]}" >/dev/null
	case $? in 0) echo run ;; 10) echo skip ;; *) echo "exit $?" ;; esac
}
if [ "${GATE[*]:-}" = "$A/lib/etcd-diag-gate check" ] && [ "${STOPPOST[*]:-}" = "$A/lib/etcd-diag-gate record" ]; then
	got=$(
		for st in 1 1 1 2 2 0 1 1; do
			probe_run "$st"
			if [ "$st" = 0 ]; then printf "ok "; else printf '%s:%s ' "$st" "$(gate)"; fi
		done
		echo "$(cat "$SD/diag-reported" | cut -d' ' -f1)"
		probe_run 1
		REPEAT=0 gate
		REPEAT=0 gate
		echo 1 "$(($(date +%s) - 5))" >"$SD/diag-reported"
		REPEAT=4 gate
		REPEAT=9 gate
		echo garbage >"$SD/diag-reported"
		gate
	)
	want="1:run 1:skip 1:skip 2:run 2:skip ok 1:run 1:skip 1
run
run
run
skip
run"
	if [ "$got" = "$want" ]; then
		ok "the report's gate: once per change of the probe's exit status (1 1 1 2 2 -> run skip skip run skip), an OK resets it, ETCD_DIAG_REPEAT=0 every time, N s later again, a damaged state file runs it"
	else
		notok "the report's gate" "got:  $(tr '\n' '|' <<<"$got")" "want: $(tr '\n' '|' <<<"$want")"
	fi
else
	notok "the report's gate and the probe's ExecStopPost= run the installed etcd-diag-gate" "${GATE[*]:-none}" "${STOPPOST[*]:-none}"
fi

# --- --local-http warns loudly: the plain listener is open to every local user and container on the host's network
if grep -qx "etcd-install: warning: --local-http: http://127.0.0.1:2379 serves the whole keyspace, read and write, with no certificate, to any local user and to any process in any container sharing this host's network namespace" "$B.err" &&
	! grep -q 'local-http' "$A.err"; then
	ok "--local-http prints a warning on stderr: the whole keyspace to any local user, no certificate (none without it)"
else
	notok "--local-http warns" "$(cat "$B.err")"
fi

# --- --textfile-dir / --textfile: the probe unit also writes node_exporter's textfile
TF=$W/tf
if inst "$TF" etcd01 "127.0.$X.1" --no-start --textfile-dir "$TF/textfile"; then
	miss=()
	grep -qxF "ExecStart=$PROBE --cluster -t 10 --textfile-dir $TF/textfile" "$TF/units/etcd-probe.service" ||
		miss+=("$(grep '^ExecStart=' "$TF/units/etcd-probe.service")")
	[ "$(stat -c %a "$TF/textfile" 2>&1)" = 755 ] || miss+=("textfile dir: $(stat -c %a "$TF/textfile" 2>&1)")
	grep -q -- '--textfile' "$A/units/etcd-probe.service" && miss+=("without the option the unit names --textfile-dir")
	err=$(timeout 60 systemd-analyze verify "$TF/units/etcd-probe.service" 2>&1 >/dev/null)
	[ -z "$err" ] || miss+=("systemd-analyze verify: $err")
	if [ ${#miss[@]} = 0 ]; then
		ok "--textfile-dir DIR: etcd-probe.service runs the probe with --textfile-dir DIR (made 0755), verify clean"
	else
		notok "--textfile-dir DIR in etcd-probe.service" "${miss[@]}"
	fi
	# The ExecStart as systemd runs it: no member runs here (CRITICAL), the textfile is written anyway.
	if [ -n "$PROBE_NOTE" ]; then
		skip "the probe unit writes the textfile" "etcd-probe not built"
	else
		out=$(timeout 60 bash -c 'source deploy/demo-lib.sh && unit_exec "$1"' _ "$TF/units/etcd-probe.service" 2>&1)
		rc=$?
		tf=$TF/textfile/etcd_probe.prom
		lint="no promtool here"
		command -v promtool >/dev/null && lint=$(promtool check metrics <"$tf" 2>&1 && echo "promtool clean")
		if [ "$rc" = 2 ] && grep -q '^ETCD CRITICAL - ' <<<"$out" && grep -qx 'etcd_probe_state 2' "$tf" &&
			[ "$(ls -A "$TF/textfile")" = etcd_probe.prom ] && [[ $lint == *"promtool clean" || $lint == "no promtool here" ]]; then
			ok "the probe unit's ExecStart prints its Nagios line and writes DIR/etcd_probe.prom ($lint)"
		else
			notok "the probe unit's ExecStart writes the textfile" "exit $rc: $(head -2 <<<"$out")" \
				"in the dir: $(ls -A "$TF/textfile")" "promtool: $lint"
		fi
	fi
else
	notok "install with --textfile-dir" "$(cat "$TF.err")"
fi
RT2=$W/root2
mkdir -p "$RT2"
if timeout 60 "$INSTALL" --name etcd01 --ip "127.0.$X.1" --initial-cluster "$CL" --root "$RT2" --probe-bin "$PROBE" \
	--etcd-bin "$ETCD_BIN" --textfile >"$RT2.out" 2>"$RT2.err" &&
	[ -d "$RT2/var/lib/prometheus/node-exporter" ] &&
	grep -qxF "ExecStart=$PROBE --cluster -t 10 --textfile-dir /var/lib/prometheus/node-exporter" "$RT2/etc/systemd/system/etcd-probe.service"; then
	ok "--textfile: Debian's node-exporter dir /var/lib/prometheus/node-exporter (staged under --root, final path in the unit)"
else
	notok "--textfile uses /var/lib/prometheus/node-exporter" "$(cat "$RT2.err")" \
		"$(grep '^ExecStart=' "$RT2/etc/systemd/system/etcd-probe.service" 2>&1)"
fi

# --- the diag report unit runs etcd-diag, and etcd-probe -v when etcd-diag is not installed.
# Each case is made to happen: a member installed with --diag-bin naming a file that does not exist
# must fall back; member A's unit, whose etcd-diag exists when it is built, must run etcd-diag.
C=$W/c
if inst "$C" etcd01 "127.0.$X.1" --no-start --diag-bin "$W/not-installed/etcd-diag"; then
	out=$(timeout 60 bash -c 'source deploy/demo-lib.sh && unit_exec "$1"' _ "$C/units/etcd-diag-report@.service" 2>&1)
	if [[ $out == *"etcd-diag not installed ($W/not-installed/etcd-diag): etcd-probe -v instead"* ]] &&
		grep -qE '^ETCD (OK|WARNING|CRITICAL|UNKNOWN) - ' <<<"$out"; then
		ok "etcd-diag-report@.service without etcd-diag: says so, then etcd-probe -v's result"
	else
		notok "etcd-diag-report@.service without etcd-diag: says so, then etcd-probe -v's result" "$out"
	fi
else
	notok "install with --diag-bin naming a missing file" "$(cat "$C.err")"
fi
diag_bin=$(sed -n "s/^ExecStart=.*if \[ -x \([^] ]*\) \].*/\1/p" "$A/units/etcd-diag-report@.service")
if [ -n "$diag_bin" ] && [ -x "$diag_bin" ]; then
	out=$(timeout 60 bash -c 'source deploy/demo-lib.sh && unit_exec "$1"' _ "$A/units/etcd-diag-report@.service" 2>&1)
	if grep -qE '^ETCD-DIAG (OK|WARNING|CRITICAL|UNKNOWN) - ' <<<"$out" && [[ $out != *"not installed"* ]]; then
		ok "etcd-diag-report@.service with etcd-diag at $diag_bin: runs etcd-diag"
	else
		notok "etcd-diag-report@.service with etcd-diag at $diag_bin: runs etcd-diag" "$(head -c 600 <<<"$out")"
	fi
elif [ -n "$diag_bin" ]; then
	skip "etcd-diag-report@.service with etcd-diag installed" "no etcd-diag at $diag_bin (not built)"
else
	notok "etcd-diag-report@.service names the etcd-diag it runs" "$(grep '^ExecStart=' "$A/units/etcd-diag-report@.service")"
fi

# --- the ExecStart, run as systemd would, is exactly the command the installer rendered
mkdir -p "$W/fake"
# the real etcd's --help, so that the installer's check of its flags sees what the real one knows
"$ETCD_BIN" --help >"$W/fake/help" 2>&1
cat >"$W/fake/etcd" <<'EOF'
#!/bin/sh
[ "$1" = --version ] && { echo "etcd Version: 3.4.23"; exit 0; }
[ "$1" = --help ] && { cat "$(dirname "$0")/help"; exit 0; }
pwd
for a in "$@"; do echo "$a"; done
EOF
chmod 755 "$W/fake/etcd"
F=$W/f
if inst "$F" etcd02 "127.0.$X.2" --no-start --etcd-bin "$W/fake/etcd"; then
	got=$(timeout 10 bash -c 'source deploy/demo-lib.sh && unit_exec "$1"' _ "$F/units/etcd.service" 2>&1)
	want=$(sed -n 's/^etcd-install: not starting (--no-start); the member runs as: cd \([^ ]*\)\/ && [^ ]* \(.*\)$/\1 \2/p' "$F.out" | tr ' ' '\n')
	if [ -n "$want" ] && [ "$got" = "$want" ]; then
		ok "the unit's ExecStart (run in its WorkingDirectory) is the command the installer printed"
	else
		notok "the unit's ExecStart is the command the installer printed" "got: $(echo "$got" | head -3 | tr '\n' ' ')" "want: $(echo "$want" | head -3 | tr '\n' ' ')"
	fi
else
	notok "install with a fake --etcd-bin" "$(cat "$F.err")"
fi

# --- the unit's flags against what the chosen etcd knows: a removed flag refuses, a deprecated one warns
mkdir -p "$W/old" "$W/dep"
sed '/^ *--peer-client-cert-auth /,+1d' "$W/fake/help" >"$W/old/help"
awk '{ print } /^ *--initial-cluster-token / { getline; print $0 " Deprecated and to be removed in v9." }' "$W/fake/help" >"$W/dep/help"
cp "$W/fake/etcd" "$W/old/etcd" && cp "$W/fake/etcd" "$W/dep/etcd"
O=$W/o
if inst "$O" etcd02 "127.0.$X.2" --no-start --etcd-bin "$W/old/etcd"; then
	notok "an etcd without --peer-client-cert-auth is refused" "installed anyway: $(cat "$O.out")"
elif grep -q "etcd 3.4.23 ($W/old/etcd) has no --peer-client-cert-auth, which etcd.service needs" "$O.err" &&
	[ ! -e "$O/units/etcd.service" ]; then
	ok "an etcd whose --help lacks a flag the unit needs (--peer-client-cert-auth) is refused, nothing written"
else
	notok "an etcd without --peer-client-cert-auth is refused" "$(cat "$O.err")"
fi
if inst "$O" etcd02 "127.0.$X.2" --no-start --etcd-bin "$W/dep/etcd" &&
	grep -q "warning: etcd 3.4.23 calls --initial-cluster-token deprecated" "$O.err" &&
	[ -f "$O/units/etcd.service" ] && ! grep -q "warning: .*deprecated" "$F.err"; then
	ok "a flag the chosen etcd calls deprecated is installed with a warning (none for the real $ETCD_VERSION_FULL)"
else
	notok "a deprecated flag warns" "$(cat "$O.err")" "real etcd: $(cat "$F.err")"
fi

# --- --foreground (no systemd): the installer execs the unit's ExecStart itself, in its WorkingDirectory (a
# stand-in etcd), and runs etcd as the unit's User= (etcd), not as root: the real etcd, its PID the installer's
# (exec, then setpriv's exec); its IDs from /proc/PID/status, the files it makes in the data dir are etcd's
if [ -d /run/systemd/system ]; then
	skip "--foreground execs the ExecStart, as the etcd user" "systemd is running here"
else
	if inst "$F" etcd02 "127.0.$X.2" --etcd-bin "$W/fake/etcd" --foreground &&
		grep -q 'running etcd.service.s ExecStart in the foreground' "$F.out" &&
		[ "$(grep -A100 'in the foreground' "$F.out" | tail -n +2)" = "$got" ]; then
		ok "--foreground without systemd execs the unit's ExecStart in its WorkingDirectory"
	else
		notok "--foreground execs the ExecStart" "$(cat "$F.out" "$F.err")"
	fi
	if [ "$(id -u)" != 0 ]; then
		skip "--foreground runs etcd as the etcd user" "needs root (the installer hands the data dir to etcd)"
	else
		FG=$W/fg
		mkdir -p "$FG"
		"$INSTALL" --name etcd03 --ip "127.0.$X.3" --initial-cluster "$CL" --ca-dir "$FG/ca" --ssl-dir "$FG/ssl" \
			--data-dir "$FG/data" --unit-dir "$FG/units" --conf-dir "$FG/conf" --lib-dir "$FG/lib" --probe-bin "$PROBE" \
			--etcd-bin "$ETCD_BIN" --foreground >"$FG.out" 2>"$FG.err" </dev/null &
		LAB_PID["fg"]=$!
		etcd_exe=$(readlink -f "$ETCD_BIN") exe="" ids=""
		for ((n = 0; n < 600; n++)); do # up to 60 s: the CA and the certificate are made first
			exe=$(readlink -f "/proc/${LAB_PID["fg"]}/exe" 2>/dev/null)
			[ "$exe" = "$etcd_exe" ] && [ -d "$FG/data/member" ] && break
			kill -0 "${LAB_PID["fg"]}" 2>/dev/null || break
			sleep 0.1
		done
		ids=$(awk '$1 == "Uid:" || $1 == "Gid:" { print $1, $2, $3, $4, $5 }' "/proc/${LAB_PID["fg"]}/status" 2>/dev/null | tr '\n' ' ')
		cap=$(awk '$1 == "CapEff:" { print $2 }' "/proc/${LAB_PID["fg"]}/status" 2>/dev/null)
		nnp=$(awk '$1 == "NoNewPrivs:" { print $2 }' "/proc/${LAB_PID["fg"]}/status" 2>/dev/null)
		u=$(id -u etcd) g=$(id -g etcd)
		made=$(find "$FG/data/member" -maxdepth 1 -printf '%u:%g ' 2>/dev/null | tr ' ' '\n' | sort -u | tr '\n' ' ')
		lab_stop fg
		if [ "$exe" = "$etcd_exe" ] && [ "$ids" = "Uid: $u $u $u $u Gid: $g $g $g $g " ] && [ "$cap" = 0000000000000000 ] &&
			[ "$nnp" = 1 ] && [ "$made" = "etcd:etcd " ] && grep -q 'in the foreground as etcd (--foreground)' "$FG.out"; then
			ok "--foreground runs etcd as the unit's user: /proc status ${ids% }, no capabilities, no new privileges; data dir files etcd:etcd"
		else
			notok "--foreground runs etcd as the etcd user" "exe: ${exe:-none} (want $etcd_exe)" "status: ${ids:-none} (want uid $u gid $g)" \
				"CapEff: ${cap:-none}, NoNewPrivs: ${nnp:-none}" "data dir member/: ${made:-nothing}" "$(tail -3 "$FG.out")" "$(tail -3 "$FG.err")"
		fi
	fi
fi

# --- --dry-run writes nothing
D=$W/d
mkdir -p "$D"
if inst "$D" etcd01 "127.0.$X.1" --dry-run && [ -z "$(find "$D" -mindepth 1)" ] && grep -q 'would write' "$D.out"; then
	ok "--dry-run prints the plan and writes nothing"
else
	notok "--dry-run prints the plan and writes nothing" "$(cat "$D.out" "$D.err")" "$(find "$D" -mindepth 1)"
fi

# --- --root stages under ROOT, units name the final paths
RT=$W/root
mkdir -p "$RT"
if timeout 60 "$INSTALL" --name etcd01 --ip "127.0.$X.1" --initial-cluster "$CL" --root "$RT" --probe-bin "$PROBE" \
	--etcd-bin "$ETCD_BIN" >"$RT.out" 2>"$RT.err" &&
	[ -f "$RT/etc/etcd/ssl/etcd-key.pem" ] && [ "$(stat -c %a "$RT/etc/etcd/ssl/etcd-key.pem")" = 600 ] &&
	[ -f "$RT/etc/kubernetes/ssl/ca.pem" ] && [ "$(stat -c %a "$RT/var/lib/etcd")" = 700 ] &&
	[ -f "$RT/etc/systemd/system/etcd.service" ] && [ -f "$RT/etc/etcd/etcd-probe.env" ] &&
	! grep -rq "$RT" "$RT/etc/systemd/system" "$RT/etc/etcd/etcd-probe.env" &&
	grep -q -- '--cert-file=/etc/etcd/ssl/etcd.pem' "$RT/etc/systemd/system/etcd.service" &&
	grep -q '^WorkingDirectory=/var/lib/etcd/$' "$RT/etc/systemd/system/etcd.service" &&
	[ "$(stat -c '%U:%G %a' "$RT/usr/local/lib/etcd-probe/etcd-diag-gate")" = "root:root 755" ] &&
	grep -qx 'ExecCondition=/usr/local/lib/etcd-probe/etcd-diag-gate check' "$RT/etc/systemd/system/etcd-diag-report@.service" &&
	grep -qx 'ExecStopPost=-/usr/local/lib/etcd-probe/etcd-diag-gate record' "$RT/etc/systemd/system/etcd-probe.service"; then
	ok "--root stages every file under ROOT (the gate in ROOT/usr/local/lib/etcd-probe, 0755); the units name the final paths (tutorial defaults)"
else
	notok "--root stages under ROOT with final paths in the units" "$(cat "$RT.err")" "$(cd "$RT" && find . | head)"
fi

# --- the tutorial's environment variables, and flags win over them
E=$W/e
if (export NODE_NAME=etcd03 NODE_IP=127.0.$X.3 NODE_IPS="127.0.$X.1 127.0.$X.2 127.0.$X.3" ETCD_NODES=$CL &&
	timeout 60 "$INSTALL" --ca-dir "$E/ca" --ssl-dir "$E/ssl" --data-dir "$E/data" --unit-dir "$E/units" \
		--conf-dir "$E/conf" --lib-dir "$E/lib" --probe-bin "$PROBE" --no-start >"$E.out" 2>"$E.err") &&
	grep -q -- "--name=etcd03" "$E/units/etcd.service" && grep -q -- "--listen-peer-urls=https://127.0.$X.3:2380" "$E/units/etcd.service"; then
	ok "NODE_NAME, NODE_IP, NODE_IPS, ETCD_NODES (the tutorial's start.sh) are the inputs"
else
	notok "the tutorial's environment variables are the inputs" "$(cat "$E.err")"
fi
E2=$W/e2
if (export NODE_NAME=etcd03 NODE_IP=127.0.$X.3 ETCD_NODES=$CL && inst "$E2" etcd02 "127.0.$X.2") &&
	grep -q -- "--name=etcd02" "$E2/units/etcd.service"; then
	ok "--name/--ip win over NODE_NAME/NODE_IP"
else
	notok "flags win over the environment" "$(cat "$E2.err")"
fi

# --- certificate policy
before=$(md5sum "$A/ssl/etcd.pem")
inst "$A" etcd01 "127.0.$X.1" --no-start
if [ "$(md5sum "$A/ssl/etcd.pem")" = "$before" ] && grep -q 'kept the valid certificate' "$A.out"; then
	ok "an existing valid certificate that covers the member is kept"
else
	notok "an existing valid certificate is kept" "$(cat "$A.out" "$A.err")"
fi
inst "$A" etcd01 "127.0.$X.1" --no-start --renew-cert
if [ "$(md5sum "$A/ssl/etcd.pem")" != "$before" ] && grep -q 'replacing the valid certificate' "$A.out"; then
	ok "--renew-cert replaces a valid certificate"
else
	notok "--renew-cert replaces a valid certificate" "$(cat "$A.out" "$A.err")"
fi
cp "$F/ssl/etcd.pem" "$F/ssl/etcd-key.pem" "$A/ssl/" # etcd02's certificate (another CA, another IP)
inst "$A" etcd01 "127.0.$X.1" --no-start
if grep -q "replacing the certificate .*does not cover 127.0.$X.1" "$A.out" &&
	openssl x509 -in "$A/ssl/etcd.pem" -noout -checkip "127.0.$X.1" | grep -q 'does match'; then
	ok "a certificate that does not cover the member's IP is replaced, and the installer says so"
else
	notok "a certificate that does not cover the IP is replaced" "$(cat "$A.out" "$A.err")"
fi

chmod 755 "$A/data"
chmod 750 "$A/ca"
inst "$A" etcd01 "127.0.$X.1" --no-start
if [ "$(stat -c %a "$A/data")" = 700 ] && grep -q "set $A/data to mode 0700" "$A.out" && [ "$(stat -c %a "$A/ca")" = 750 ]; then
	ok "a data dir with another mode is set back to 0700; an existing CA dir's mode is left alone"
else
	notok "data dir mode enforced, CA dir mode kept" "data $(stat -c %a "$A/data"), ca $(stat -c %a "$A/ca")" "$(cat "$A.out")"
fi

# --- without systemd, a start request says so and prints the ExecStart
if [ -d /run/systemd/system ]; then
	skip "no-systemd start message" "systemd is running here"
elif inst "$A" etcd01 "127.0.$X.1" && grep -q 'cannot start etcd.service via systemd' "$A.out" &&
	grep -q "^  cd $A/data/ && .*--name=etcd01" "$A.out"; then
	ok "without systemd, starting says it cannot and prints the ExecStart to run (exit 0)"
else
	notok "without systemd, starting says it cannot and prints the ExecStart" "$(cat "$A.out" "$A.err")"
fi

# --- bad input: one line on stderr, nonzero exit, nothing written
# bad NAME SNAPSHOT_DIR PATTERN CMD...: runs CMD; checks exit, one stderr line matching PATTERN, no change under DIR
bad() {
	local name=$1 dir=$2 pat=$3 rc before after
	shift 3
	before=$(snapshot "$dir")
	"$@" >"$W/bad.out" 2>"$W/bad.err"
	rc=$?
	BAD_RC=$rc
	after=$(snapshot "$dir")
	if [ "$rc" != 0 ] && [ "$(wc -l <"$W/bad.err")" = 1 ] && grep -qE "^etcd-install: error: .*$pat" "$W/bad.err" &&
		[ "$before" = "$after" ]; then
		ok "bad input: $name -> exit $rc, '$(cat "$W/bad.err")', nothing written"
	else
		notok "bad input: $name" "exit $rc" "stderr: $(cat "$W/bad.err")" "stdout: $(head -3 "$W/bad.out")" \
			"$([ "$before" = "$after" ] || echo "files changed under $dir")"
	fi
}
G=$W/g
mkdir -p "$G"
common=(--ca-dir "$G/ca" --ssl-dir "$G/ssl" --data-dir "$G/data" --unit-dir "$G/units" --conf-dir "$G/conf" --lib-dir "$G/lib" --probe-bin "$PROBE")
bad "missing NODE_IP" "$G" 'NODE_IP' env -u NODE_IP NODE_NAME=etcd01 ETCD_NODES="$CL" "$INSTALL" "${common[@]}"
bad "IP not in ETCD_NODES" "$G" "127\.0\.$X\.9 is not in ETCD_NODES" \
	env NODE_NAME=etcd01 NODE_IP="127.0.$X.9" ETCD_NODES="$CL" "$INSTALL" "${common[@]}"
bad "name missing from the initial cluster" "$G" "'etcd09' is missing from the initial cluster" \
	"$INSTALL" --name etcd09 --ip "127.0.$X.1" --initial-cluster "$CL" "${common[@]}"
bad "NODE_IP not in NODE_IPS" "$G" "not in NODE_IPS" \
	env NODE_IPS="127.0.$X.2 127.0.$X.3" "$INSTALL" --name etcd01 --ip "127.0.$X.1" --initial-cluster "$CL" "${common[@]}"
bad "malformed peer URL" "$G" "must be https://" \
	"$INSTALL" --name etcd01 --ip "127.0.$X.1" --initial-cluster "etcd01=http://127.0.$X.1:2380" "${common[@]}"
bad "relative --data-dir" "$G" "absolute path" \
	"$INSTALL" --name etcd01 --ip "127.0.$X.1" --initial-cluster "$CL" "${common[@]}" --data-dir var/lib/etcd
bad "relative --textfile-dir" "$G" "--textfile-dir must be an absolute path" \
	"$INSTALL" --name etcd01 --ip "127.0.$X.1" --initial-cluster "$CL" "${common[@]}" --textfile-dir var/lib/tf
bad "unknown option" "$G" "unknown option" "$INSTALL" --nmae etcd01
# CA problems: an existing CA dir whose key cannot be used
H=$W/h
mkdir -p "$H/ca" && chmod 755 "$H" "$H/ca"
cp "$A/ca/ca.pem" "$H/ca/ca.pem"
echo "not a key" >"$H/ca/ca-key.pem"
hcommon=(--name etcd01 --ip "127.0.$X.1" --initial-cluster "$CL" --ca-dir "$H/ca" --ssl-dir "$H/ssl" --data-dir "$H/data"
	--unit-dir "$H/units" --conf-dir "$H/conf" --lib-dir "$H/lib" --probe-bin "$PROBE")
bad "unreadable CA key (not a key)" "$H" "cannot read the CA key .*not a PEM private key" "$INSTALL" "${hcommon[@]}"
cp "$F/ca/ca-key.pem" "$H/ca/ca-key.pem"
bad "CA key of another CA" "$H" "does not belong to the CA certificate" "$INSTALL" "${hcommon[@]}"
cp "$A/ca/ca-key.pem" "$H/ca/ca-key.pem"
chmod 000 "$H/ca/ca-key.pem"
if id nobody >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	bad "unreadable CA key (permission denied, as nobody)" "$H" "cannot read the CA key .*permission denied" \
		setpriv --reuid=nobody --regid=nogroup --clear-groups "$INSTALL" "${hcommon[@]}"
else
	skip "unreadable CA key (permission denied)" "needs root to switch to nobody"
fi
rm -f "$H/ca/ca-key.pem"
bad "ca.pem without ca-key.pem" "$H" "only one of ca.pem and ca-key.pem" "$INSTALL" "${hcommon[@]}"

# --- the hardening as rendered: the unit's user, its sandbox (PrivateTmp=no: the data dir is under /tmp
# here, which PrivateTmp would hide), the key's group; --user's check; a missing user only planned (--dry-run)
U=$A/units/etcd.service
probs=()
for l in User=etcd Group=etcd TimeoutStartSec=infinity "ReadWritePaths=$A/data" ProtectSystem=strict PrivateTmp=no \
	ProtectHome=yes NoNewPrivileges=yes CapabilityBoundingSet= SystemCallFilter=@system-service; do
	grep -qxF -- "$l" "$U" || probs+=("etcd.service lacks $l")
done
for u in etcd-probe.service etcd-diag-report@.service; do
	grep -qx User=etcd "$A/units/$u" && grep -qx ProtectSystem=strict "$A/units/$u" || probs+=("$u is not etcd's, sandboxed")
done
grep -qx SupplementaryGroups=systemd-journal "$A/units/etcd-diag-report@.service" || probs+=("the report unit may not read the journal")
grep -q "^After=etcd.service" "$A/units/etcd-probe.service" && probs+=("etcd-probe.service waits for etcd.service's start job")
[ "$(stat -c '%U:%G %a' "$A/ssl/etcd-key.pem")" = "root:etcd 640" ] || probs+=("key: $(stat -c '%U:%G %a' "$A/ssl/etcd-key.pem")")
[ "$(stat -c '%U:%G %a' "$A/data")" = "etcd:etcd 700" ] || probs+=("data dir: $(stat -c '%U:%G %a' "$A/data")")
[ ${#probs[@]} = 0 ] && ok "etcd.service and the probe units as the etcd user, sandboxed (PrivateTmp=no for a data dir in /tmp), TimeoutStartSec=infinity; key root:etcd 0640, data dir etcd:etcd" ||
	notok "the hardening as rendered" "${probs[@]}"
bad "--user not a user name" "$G" "--user 'Etcd Admin' must be a user name" "$INSTALL" --name etcd01 --ip "127.0.$X.1" \
	--initial-cluster "$CL" "${common[@]}" --user "Etcd Admin"
# a user that does not exist here (checked first)
nouser=etcdinstalltestnosuchuser$X
if getent passwd "$nouser" >/dev/null; then
	skip "--dry-run with a missing --user" "$nouser exists here"
elif inst "$G" etcd01 "127.0.$X.1" --user "$nouser" --dry-run && grep -q "^etcd-install: would create the system user $nouser" "$G.out" &&
	! getent passwd "$nouser" >/dev/null; then
	ok "--dry-run with a --user that does not exist: 'would create the system user', none made"
else
	notok "--dry-run with a missing --user" "$(cat "$G.out" "$G.err")"
fi
[ "$(stat -c %U:%G "$RT/var/lib/etcd")" = root:root ] &&
	grep -q "^etcd-install:   chown -R etcd:etcd /var/lib/etcd && chown root:etcd /etc/etcd/ssl/etcd-key.pem && chmod 640" "$RT.out" &&
	grep -q "useradd --system --home-dir /var/lib/etcd" "$RT.out" &&
	ok "--root: the files stay root's; the installer says what the package must do (useradd, chown -R, the key's group)" ||
	notok "--root says what the package must do" "$(cat "$RT.out")"

# --- every name of the initial cluster reaches ExecStart: each held to what --name is (exit 2, nothing written)
for other in 'etcd 02' 'etcd%02' 'etcd$02' 'etcd"02' "etcd'02" 'etcd\02' 'etcd;02'; do
	re=$(sed 's/[][\.*^$(){}+?|]/\\&/g' <<<"$other") # the name as a regex (grep -E)
	bad "initial cluster name '$other'" "$G" "initial cluster entry '$re=https://127\.0\.$X\.2:2380': member name '$re' must be letters" \
		"$INSTALL" --name etcd01 --ip "127.0.$X.1" --initial-cluster "etcd01=https://127.0.$X.1:2380,$other=https://127.0.$X.2:2380" "${common[@]}"
	[ "$BAD_RC" = 2 ] || notok "initial cluster name '$other': exit 2" "exit $BAD_RC"
done
bad "a newline in ETCD_NODES" "$G" "holds a control character" \
	env ETCD_NODES="etcd01=https://127.0.$X.1:2380
etcd02=https://127.0.$X.2:2380" "$INSTALL" --name etcd01 --ip "127.0.$X.1" "${common[@]}"
for v in abc -1 1.5 ''; do
	bad "--diag-repeat '$v'" "$G" "--diag-repeat must be a number of seconds" \
		"$INSTALL" --name etcd01 --ip "127.0.$X.1" --initial-cluster "$CL" "${common[@]}" --diag-repeat "$v"
done

# --- no apt-get under --root (packaging): with no etcd on PATH the unit names /usr/bin/etcd and says the
# package must depend on etcd-server; the machine's packages are not touched. A stand-in apt-get records
# every call; without --root the same PATH does call it (so the stand-in can tell).
NP=$W/nopath
mkdir -p "$NP/bin"
for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
	for f in "$d"/*; do [ -x "$f" ] && [ ! -e "$NP/bin/${f##*/}" ] && ln -s "$f" "$NP/bin/${f##*/}"; done
done
rm -f "$NP/bin/etcd" "$NP/bin/apt-get" "$NP/bin/apt"
printf '#!/bin/sh\necho "apt-get $*" >>"%s/apt-get.calls"\nexit 100\n' "$NP" >"$NP/bin/apt-get"
chmod 755 "$NP/bin/apt-get"
RT3=$NP/root
mkdir -p "$RT3"
PATH=$NP/bin timeout 60 "$INSTALL" --name etcd01 --ip "127.0.$X.1" --initial-cluster "$CL" --root "$RT3" --probe-bin "$PROBE" \
	>"$RT3.out" 2>"$RT3.err"
rc=$?
if [ "$rc" = 0 ] && [ ! -e "$NP/apt-get.calls" ] &&
	grep -q "no etcd on PATH: the unit names /usr/bin/etcd, Debian's etcd-server; the package must depend on etcd-server" "$RT3.out" &&
	grep -q '^ExecStart=/usr/bin/etcd ' "$RT3/etc/systemd/system/etcd.service"; then
	ok "--root with no etcd on PATH: no apt-get; the unit names /usr/bin/etcd and the installer says to depend on etcd-server"
else
	notok "no apt-get under --root" "exit $rc" "apt-get calls: $(cat "$NP/apt-get.calls" 2>&1)" "$(cat "$RT3.out" "$RT3.err")"
fi
NR=$NP/noroot
PATH=$NP/bin timeout 60 "$INSTALL" --name etcd01 --ip "127.0.$X.1" --initial-cluster "$CL" --ca-dir "$NR/ca" --ssl-dir "$NR/ssl" \
	--data-dir "$NR/data" --unit-dir "$NR/units" --conf-dir "$NR/conf" --lib-dir "$NR/lib" --probe-bin "$PROBE" --no-start >"$NR.out" 2>"$NR.err"
rc=$?
if [ "$rc" = 1 ] && grep -q '^apt-get install -y -q etcd-server$' "$NP/apt-get.calls" 2>/dev/null; then
	ok "the stand-in sees apt-get: without --root the same PATH installs Debian's etcd-server (here refused: exit 1)"
else
	notok "the apt-get stand-in records a call without --root" "exit $rc" "$(cat "$NR.err")"
fi

# --- a full disk never installs a truncated file: TMPDIR on a small tmpfs (the staging dir), then the unit dir
# full; each in a private mount namespace of its own. Exit 1, one line naming the file, every final file as it was.
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
	skip "a full TMPDIR / unit dir" "needs root and unshare (a private mount namespace for the tmpfs)"
else
	FD=$W/full
	cp -a "$A" "$FD" # an installed member (CA, certificate, units); the re-install changes every file
	redo=(--name etcd01 --ip "127.0.$X.1" --initial-cluster "$CL" --ca-dir "$FD/ca" --ssl-dir "$FD/ssl" --data-dir "$FD/data"
		--unit-dir "$FD/units" --conf-dir "$FD/conf" --lib-dir "$FD/lib" --probe-bin "$PROBE" --no-start --renew-cert --initial-cluster-token t2 --diag-repeat 60)
	mkdir -p "$W/tmpfs"
	before=$(snapshot "$FD")
	bad=() seen=()
	# 1 page, 2, ... until it fits: the staging of ext, the key and CSR, the certificate, then etcd.service ... etcd-diag-report@.service
	for ((pages = 1; pages <= 16; pages++)); do
		unshare --mount --propagation private sh -c 'mount -t tmpfs -o size=$1 tmpfs "$2" && shift 2 && TMPDIR=$0 exec "$@"' \
			"$W/tmpfs" "$((pages * 4))k" "$W/tmpfs" "$INSTALL" "${redo[@]}" >"$W/full.out" 2>"$W/full.err"
		rc=$?
		[ "$rc" = 0 ] && break
		line=$(head -1 "$W/full.err")
		if [ "$rc" != 1 ] || [ "$(wc -l <"$W/full.err")" != 1 ] || [[ $line != "etcd-install: error: "*"$W/tmpfs/etcd-install."* ]]; then
			bad+=("$pages pages: exit $rc: $(cat "$W/full.err")")
		fi
		seen+=("$(sed -n "s|.*$W/tmpfs/etcd-install\.[^/]*/\([^ ]*\).*|\1|p" <<<"$line")")
		[ "$(snapshot "$FD")" = "$before" ] || bad+=("$pages pages: files under the install changed")
	done
	[ "$rc" = 0 ] || bad+=("with 16 pages the same install still fails: $(cat "$W/full.err")")
	units=$(printf '%s\n' "${seen[@]}" | grep -c 'service\|timer')
	[ "$units" -ge 3 ] || bad+=("the failures did not reach the units: ${seen[*]}")
	if [ ${#bad[@]} = 0 ] && [ "$(snapshot "$FD")" != "$before" ]; then
		ok "TMPDIR on a tmpfs of 1..$((pages - 1)) pages: exit 1, one line naming the staged file ($(printf '%s\n' "${seen[@]}" | sort -u | tr '\n' ' ')), nothing installed; with $pages it installs"
	else
		notok "a full TMPDIR installs nothing" "${bad[@]}"
	fi
	# the unit dir full (its tmpfs filled up): the copies fail, and nothing is installed, not even the new certificate
	cp -a "$A" "$FD.u"
	redo=("${redo[@]/#$FD/$FD.u}")
	unshare --mount --propagation private bash -c '
		U=$1 W=$2
		shift 2
		cp -a "$U/units" "$W/units.save" && mount -t tmpfs -o size=32k tmpfs "$U/units" && cp -a "$W/units.save/." "$U/units/" || exit 9
		dd if=/dev/zero of="$U/units/.fill" bs=1k 2>/dev/null
		# the files (a dir'"'"'s mtime moves with a temp copy made and removed)
		(cd "$U" && find . ! -type d -printf "%p %y %m %s %T@\n" | sort && find . -type f -exec md5sum {} + | sort) >"$W/full.before"
		"$@" >"$W/full.out" 2>"$W/full.err"
		echo $? >"$W/full.rc"
		(cd "$U" && find . ! -type d -printf "%p %y %m %s %T@\n" | sort && find . -type f -exec md5sum {} + | sort) >"$W/full.after"
	' _ "$FD.u" "$W" "$INSTALL" "${redo[@]}"
	rc=$(cat "$W/full.rc" 2>/dev/null)
	if [ "$rc" = 1 ] && [ "$(wc -l <"$W/full.err")" = 1 ] &&
		grep -qx "etcd-install: error: cannot write $FD.u/units/etcd.service (no space left on its file system?): nothing was installed" "$W/full.err" &&
		cmp -s "$W/full.before" "$W/full.after"; then
		ok "--unit-dir on a full tmpfs: exit 1, '$(cat "$W/full.err")'; every file as it was (certificate and env file too), no temp file left"
	else
		notok "a full unit dir installs nothing" "exit $rc: $(cat "$W/full.err")" "$(diff "$W/full.before" "$W/full.after" | head -5)"
	fi
fi

exit "$FAILED"
