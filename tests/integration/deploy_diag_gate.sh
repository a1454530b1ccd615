#!/usr/bin/env bash
# etcd-versions: first
# The report's gate, etcd-diag-gate as etcd-install installs it (--lib-dir), run directly against temp state
# dirs, case by case: the first failure is diagnosed, the same status again is skipped (exit 10, one line),
# a changed status is diagnosed, an OK forgets the report, ETCD_DIAG_REPEAT elapsed is diagnosed again
# (0: every failure), and a missing or damaged state (no state dir, a file missing, empty, binary, a time
# in octal's way or still to come, a state dir it cannot write) is diagnosed and never crashes: exit 0 or
# 10 only, nothing on stderr. deploy_install.sh runs the same script as the rendered units name it;
# deploy_timer_hosts.sh under real systemd.
# Nothing listens on the loopback net used (127.0.X.*, X in 60..99, locked while the test runs).
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/deploy.sh
source tests/lib/deploy.sh
deploy_setup deploy-diag-gate-test "the gate tests" || exit $?
# shellcheck disable=SC2034 # read by inst
CL="etcd01=https://127.0.$X.1:2380"
getent passwd etcd >/dev/null || { skip "etcd-install on this machine" "no etcd user here: the installer would create it"; exit 0; }

A=$W/a
inst "$A" etcd01 "127.0.$X.1" --no-start || { notok "install etcd01 into a temp dir" "$(cat "$A.err")"; exit 1; }
GATE=$A/lib/etcd-diag-gate
if [ -x "$GATE" ] && [ "$(stat -c '%U %a' "$GATE")" = "root 755" ] && grep -q "^etcd-install: wrote $GATE (mode 0755)" "$A.out"; then
	ok "etcd-install installs the gate as --lib-dir/etcd-diag-gate (root, 0755)"
else
	notok "etcd-install installs the gate" "$(ls -l "$GATE" 2>&1)" "$(cat "$A.out")"
	exit 1
fi
if out=$(shellcheck -s sh -S style "$GATE" 2>&1); then
	ok "shellcheck -s sh -S style: the installed etcd-diag-gate"
else
	notok "shellcheck of the installed etcd-diag-gate" "$out"
fi

# new_state: a fresh state dir, its path in SD
n_sd=0
new_state() { n_sd=$((n_sd + 1)) SD=$W/state$n_sd && mkdir -p "$SD"; }
# record STATUS: etcd-probe.service's ExecStopPost= after a run that exited STATUS
record() { STATE_DIRECTORY=$SD EXIT_STATUS=$1 "$GATE" record; }
# check: etcd-diag-report@'s ExecCondition=: "run" (0) or "skip" (10); any other exit, or stderr, is a crash.
# Its stdout in $W/check.out. REPEAT: ETCD_DIAG_REPEAT (unset: the default, as etcd-probe.env has it)
check() {
	local rc
	if [ -n "${REPEAT+set}" ]; then
		STATE_DIRECTORY=$SD ETCD_DIAG_REPEAT=$REPEAT "$GATE" check >"$W/check.out" 2>"$W/check.err"
	else
		STATE_DIRECTORY=$SD "$GATE" check >"$W/check.out" 2>"$W/check.err"
	fi
	rc=$?
	if [ -s "$W/check.err" ]; then echo "crash (exit $rc, stderr: $(head -c 200 "$W/check.err"))"; return; fi
	case $rc in 0) echo run ;; 10) echo skip ;; *) echo "crash (exit $rc)" ;; esac
}
# expect NAME WANT GOT
expect() { if [ "$3" = "$2" ]; then ok "$1"; else notok "$1" "got:  $3" "want: $2"; fi; }
reported() { cat "$SD/diag-reported" 2>/dev/null || echo none; }

# -- the cases, each from an empty state dir
new_state
record 1
now=$(date +%s)
got=$(check)
read -r st at <"$SD/diag-reported" 2>/dev/null
if [ "$got" = run ] && [ "$st" = 1 ] && [ "${at:-0}" -ge "$now" ] && [ "$at" -le $((now + 5)) ] && [ ! -s "$W/check.out" ]; then
	ok "first failure (exit 1, no report yet): diagnosed; diag-reported says '1 <now>'"
else
	notok "first failure diagnosed" "$got" "diag-reported: $(reported)"
fi
before=$(reported)
record 1
got=$(check)
if [ "$got" = skip ] && [ "$(reported)" = "$before" ] &&
	grep -qxE 'etcd-probe still exits 1, reported [0-9]+ s ago: the next report on a change, or in [0-9]+ s \(ETCD_DIAG_REPEAT\)' "$W/check.out"; then
	ok "the same status again: skipped (exit 10), one line: $(cat "$W/check.out")"
else
	notok "the same status again is skipped" "$got" "stdout: $(cat "$W/check.out")" "diag-reported: $before -> $(reported)"
fi
record 2
expect "the status changed (1 -> 2): diagnosed" "run 2" "$(check) $(cut -d' ' -f1 "$SD/diag-reported")"
record 2
expect "2 again: skipped" skip "$(check)"
record 0
[ -e "$SD/diag-reported" ] && notok "an OK run deletes diag-reported" "$(reported)" || ok "an OK run (exit 0) deletes diag-reported"
record 1
expect "OK, then the same failure as before: diagnosed at once" run "$(check)"
record KILL
expect "a probe killed by a signal (EXIT_STATUS=KILL): diagnosed, then skipped" "run skip" "$(check) $(check)"

# -- ETCD_DIAG_REPEAT: reported 5 s ago
new_state
record 1
echo "1 $(($(date +%s) - 5))" >"$SD/diag-reported"
expect "ETCD_DIAG_REPEAT=9, reported 5 s ago: skipped" skip "$(REPEAT=9 check)"
expect "ETCD_DIAG_REPEAT=4, reported 5 s ago (elapsed): diagnosed again" run "$(REPEAT=4 check)"
echo "1 $(($(date +%s) - 5))" >"$SD/diag-reported"
expect "unset, empty or not a number (default 3600): skipped" "skip skip skip" "$(check) $(REPEAT='' check) $(REPEAT=abc check)"
expect "ETCD_DIAG_REPEAT=08 is 8 s, not octal: skipped; 004 is 4 s: diagnosed" "skip run" "$(REPEAT=08 check) $(REPEAT=004 check)"
expect "ETCD_DIAG_REPEAT=0: every failure diagnosed" "run run run" "$(REPEAT=0 check) $(REPEAT=0 check) $(REPEAT=0 check)"
echo "1 $(($(date +%s) - 5))" >"$SD/diag-reported"
expect "ETCD_DIAG_REPEAT of 20 digits (beyond 64 bits): the default, skipped" skip "$(REPEAT=99999999999999999999 check)"

# -- a missing or damaged state: diagnosed, never a crash
new_state
expect "no probe-exit, no diag-reported: diagnosed, and again (no status to compare)" "run run" "$(check) $(check)"
# damaged diag-reported, with the status it would name
damaged=(garbage "" "1" "1 " "1 abc" "1 08" "1 099" "1 -5" "1 99999999999999999999" "1 $(($(date +%s) + 3600))" "1 1 1")
bad=()
for d in "${damaged[@]}"; do
	new_state
	record 1
	printf '%s\n' "$d" >"$SD/diag-reported"
	got=$(check)
	[ "$got" = run ] || bad+=("diag-reported '$d': $got")
done
new_state && record 1 && head -c 300 /dev/urandom >"$SD/diag-reported" && got=$(check) && [ "$got" = run ] || bad+=("binary diag-reported: $got")
new_state && record 1 && mkdir "$SD/diag-reported" && got=$(check) && [ "$got" = run ] || bad+=("diag-reported a directory: $got")
if [ ${#bad[@]} = 0 ]; then
	ok "a damaged diag-reported (${#damaged[@]} texts: no time, not a number, 08, 20 digits, in the future; binary; a directory): diagnosed, exit 0, nothing on stderr"
else
	notok "a damaged diag-reported is diagnosed" "${bad[@]}"
fi
bad=()
for d in "" "1 2" "x-1" "$(printf '1\n1')"; do
	new_state
	printf '%s\n' "$d" >"$SD/probe-exit"
	got="$(check) $(check)"
	[ "$got" = "run run" ] || bad+=("probe-exit '$d': $got")
done
new_state && head -c 300 /dev/urandom >"$SD/probe-exit" && got="$(check) $(check)" && [ "$got" = "run run" ] || bad+=("binary probe-exit: $got")
if [ ${#bad[@]} = 0 ]; then
	ok "a damaged probe-exit (empty, two words, not letters and digits, two lines, binary): diagnosed every time, never a crash"
else
	notok "a damaged probe-exit is diagnosed" "${bad[@]}"
fi
SD=$W/no-such-dir
expect "a state dir that does not exist: diagnosed, and says so" "run etcd-diag-gate: no state dir '$SD' (StateDirectory=): reporting" "$(check) $(cat "$W/check.out")"
got=$(env -u STATE_DIRECTORY "$GATE" check >/dev/null 2>&1; echo $?)
expect "no STATE_DIRECTORY at all: diagnosed (exit 0)" 0 "$got"
# a state dir the gate's user cannot write (root's, the gate as nobody): diagnosed, and again
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	new_state
	record 1
	chmod 755 "$SD"
	got=$(setpriv --reuid=nobody --regid=nogroup --clear-groups env STATE_DIRECTORY="$SD" "$GATE" check 2>&1; echo "exit $?")
	got2=$(setpriv --reuid=nobody --regid=nogroup --clear-groups env STATE_DIRECTORY="$SD" "$GATE" check 2>&1; echo "exit $?")
	expect "a state dir the gate cannot write (as nobody): diagnosed each time, nothing on stderr" "exit 0 exit 0" "$got $got2"
else
	skip "a state dir the gate cannot write" "needs root to run it as nobody"
fi
got=$("$GATE" 2>&1; echo "exit $?")
expect "no verb: a usage line, exit 2" "usage: etcd-diag-gate record|check (the units etcd-install writes run it)
exit 2" "$got"

exit "$FAILED"
