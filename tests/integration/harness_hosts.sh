#!/usr/bin/env bash
# Self-test of the test bed of simulated hosts (tests/lib/hosts.sh): three hosts, each a real systemd
# as PID 1, boot to "running" in one network namespace of the test's own; each has its own hostname,
# machine-id, cgroup and journal (entries with _SYSTEMD_UNIT of its own units only); the machine is
# left as it was: a file in its /tmp survives, its /dev/log, /dev/initctl, /etc/machine-id, hostname,
# /sys/fs/cgroup (mount options, entries, root cgroup files) and mount table are unchanged; after the
# stop no PID, cgroup dir, mount or temp dir is left, also when the test's process group gets SIGTERM
# or the test gets SIGKILL, or hangs past HOSTS_DEADLINE (the bed's watchdog).
# etcd-versions: none
set -u
cd "$(dirname "$0")/../.." || exit 2
REPO=$PWD
# shellcheck source=tests/lib/tap.sh
source tests/lib/tap.sh
# shellcheck source=tests/lib/hosts.sh
source tests/lib/hosts.sh

# the machine's state that a careless systemd changes (LAB_NOTES): compared before, during and after
machine_state() {
	local f
	ls -la --time-style=+%s /sys/fs/cgroup | awk '{ print $1, $NF }'
	findmnt -n -o OPTIONS /sys/fs/cgroup
	findmnt -n -o OPTIONS /sys
	findmnt -n -o OPTIONS /
	for f in /sys/fs/cgroup/systemd/release_agent /sys/fs/cgroup/systemd/notify_on_release \
		/sys/fs/cgroup/unified/cgroup.subtree_control; do
		printf '%s: %s\n' "$f" "$(cat "$f" 2>&1)"
	done
	awk '{ print $1, $2 }' /proc/cgroups
	for f in /dev/log /dev/initctl /dev/kmsg /run/systemd/system; do [ -e "$f" ] && echo "exists $f"; done
	printf 'machine-id %s hostname %s\n' "$(cat /etc/machine-id)" "$(hostname)"
	sed 's/^[0-9]* [0-9]* //' /proc/self/mountinfo | sort
}
# the cgroup dirs of this run (first-level children named after it), one per line
run_cgroups() { find /sys/fs/cgroup/ -mindepth 2 -maxdepth 2 -name "etcd-hosts.$1.*" 2>/dev/null; }

SENT=$(mktemp -d /tmp/hosts-sentinel.XXXXXX) || exit 2
echo "still here" >"$SENT/file"
trap 'rm -rf "$SENT"' EXIT
machine_state >"$SENT/before"

hosts_init || { echo "not ok - hosts_init"; exit 1; }
trap 'hosts_cleanup; rm -rf "$SENT"' EXIT
ID=$HOSTS_ID
t0=$(date +%s%N)
for i in 1 2 3; do host_boot "etcd0$i" "$HOSTS_NET.$i" || notok "host_boot etcd0$i"; done
bad=()
for i in 1 2 3; do
	host_wait_running "etcd0$i" 60 || bad+=("etcd0$i: ${HOST_STATE[etcd0$i]:-?}")
	[ "${HOST_STATE[etcd0$i]:-}" = running ] || bad+=("etcd0$i is ${HOST_STATE[etcd0$i]:-?}, not running")
done
boot_ms=$((($(date +%s%N) - t0) / 1000000))
if [ ${#bad[@]} = 0 ]; then
	ok "three hosts boot a real systemd as PID 1 to 'running' (${boot_ms} ms for all three)"
else
	notok "three hosts boot to running" "${bad[@]}" "$(tail -5 "$HOSTS_DIR"/etcd0*/console.log)"
fi

# identity: hostname, machine-id, PID 1, namespaces
bad=() ids=()
machine_net=$(readlink /proc/self/ns/net)
for i in 1 2 3; do
	n=etcd0$i
	h=$(host_run "$n" hostname)
	[ "$h" = "$n" ] || bad+=("$n: hostname '$h'")
	mid=$(host_run "$n" cat /etc/machine-id)
	[[ $mid =~ ^[0-9a-f]{32}$ ]] || bad+=("$n: machine-id '$mid'")
	[ "$mid" != "$(cat /etc/machine-id)" ] || bad+=("$n: the machine's machine-id")
	ids+=("$mid")
	[ "$(host_run "$n" cat /proc/1/comm)" = systemd ] || bad+=("$n: PID 1 is $(host_run "$n" cat /proc/1/comm)")
	[ "$(readlink "/proc/${HOST_PID[$n]}/ns/net")" = "$(readlink "/proc/$HOSTS_HOLDER/ns/net")" ] &&
		[ "$(readlink "/proc/${HOST_PID[$n]}/ns/net")" != "$machine_net" ] || bad+=("$n: not in the test's network namespace")
	grep -qE "^0::/etcd-hosts\.$ID\.$n(/init\.scope)?\$" "/proc/${HOST_PID[$n]}/cgroup" ||
		bad+=("$n: cgroup $(grep '^0::' "/proc/${HOST_PID[$n]}/cgroup")")
done
[ "$(printf '%s\n' "${ids[@]}" | sort -u | wc -l)" = 3 ] || bad+=("machine-ids not distinct: ${ids[*]}")
if [ ${#bad[@]} = 0 ]; then
	ok "each host has its own hostname, machine-id and cgroup, PID 1 systemd, all in the test's network namespace"
else
	notok "each host has its own identity" "${bad[@]}"
fi

# each host's journal holds its own units' entries (_SYSTEMD_UNIT) and no other host's
bad=()
for i in 1 2 3; do
	host_run "etcd0$i" timeout 20 systemd-run --quiet --wait --unit=bed-hello --service-type=oneshot \
		/bin/echo "hello from etcd0$i" >/dev/null 2>&1 || bad+=("etcd0$i: systemd-run failed")
done
for i in 1 2 3; do
	n=etcd0$i
	out=$(host_run "$n" timeout 10 journalctl --no-pager -o verbose _SYSTEMD_UNIT=bed-hello.service 2>&1)
	grep -q "MESSAGE=hello from $n\$" <<<"$out" || bad+=("$n: no entry of bed-hello.service: $(tail -3 <<<"$out")")
	grep -q "_HOSTNAME=$n\$" <<<"$out" || bad+=("$n: entries not from _HOSTNAME=$n")
	grep -q "MESSAGE=hello from etcd0[^$i]" <<<"$out" && bad+=("$n: holds another host's entries")
	out=$(host_run "$n" timeout 10 journalctl --no-pager -o cat -u systemd-journald.service 2>&1)
	grep -q "/var/log/journal/${ids[i - 1]}" <<<"$out" || bad+=("$n: journald did not write /var/log/journal/<its machine-id>")
done
if [ ${#bad[@]} = 0 ]; then
	ok "each host's journal: _SYSTEMD_UNIT entries of its own units (systemd-run), its own _HOSTNAME, none of the others'"
else
	notok "each host's own journal" "${bad[@]}"
fi

# $(host_run ...) returns when the command does, even if it leaves a process in the host that holds
# its stdout (a daemon, an agent): the caller's read would otherwise wait for that process's end
rm -f "$SENT/comsub"
(
	out=$(host_run etcd01 sh -c '(sleep 60 &) ; echo hi')
	echo "$out" >"$SENT/comsub"
) &
cpid=$!
t0=$SECONDS
while kill -0 "$cpid" 2>/dev/null && [ $((SECONDS - t0)) -lt 10 ]; do sleep 0.1; done
if ! kill -0 "$cpid" 2>/dev/null && [ "$(cat "$SENT/comsub" 2>/dev/null)" = hi ]; then
	ok "\$(host_run ...) of a command that leaves a process holding its stdout returns at once ($((SECONDS - t0)) s)"
else
	notok "\$(host_run ...) with a process left holding its stdout" "still waiting after $((SECONDS - t0)) s"
	kill "$cpid" 2>/dev/null
fi
wait "$cpid" 2>/dev/null

# a caller's 2>&1 keeps the order of the command's stdout and stderr lines, through $(...) and through |;
# apart (stdout a pipe, stderr a file) each still gets its own; output with NUL bytes comes back whole
bad=()
lines='echo one; echo two >&2; echo three; echo four >&2'
out=$(host_run etcd01 sh -c "$lines" 2>&1)
[ "$out" = $'one\ntwo\nthree\nfour' ] || bad+=("\$(... 2>&1): $(tr '\n' ' ' <<<"$out")")
out=$(host_run etcd01 sh -c "$lines" 2>&1 | tr '\n' ' ')
[ "$out" = "one two three four " ] || bad+=("2>&1 | tr: $out")
out=$(host_run etcd01 sh -c "$lines" 2>"$SENT/stderr")
[ "$out" = $'one\nthree' ] && [ "$(tr '\n' ' ' <"$SENT/stderr")" = "two four " ] ||
	bad+=("stdout apart: $(tr '\n' ' ' <<<"$out") stderr apart: $(tr '\n' ' ' <"$SENT/stderr")")
out=$(host_run etcd01 printf 'a\0b\0\0c\n' | od -An -c | tr -s ' \n' ' ')
[ "$out" = " a \\0 b \\0 \\0 c \\n " ] || bad+=("NUL bytes: '$out'")
if [ ${#bad[@]} = 0 ]; then
	ok "host_run keeps a caller's 2>&1 in order (through \$(...) and |), stdout and stderr apart when apart, NUL bytes"
else
	notok "host_run's stdout and stderr" "${bad[@]}"
fi

# host_run's file names do not come back when two subshells get the same PID (the kernel recycles
# PIDs; here forced by ns_last_pid in a PID namespace of the test's own) and the same count (each
# starts from its parent's): else a process one left in the host writes into a file read again
out=$(unshare -p -f bash -c '. tests/lib/hosts.sh || exit 2
	for i in 1 2; do
		echo 99 >/proc/sys/kernel/ns_last_pid || exit 2
		(_host_runid && echo "$BASHPID $HOSTS_RUN_ID")
	done' 2>&1)
{ read -r pid1 id1 && read -r pid2 id2; } <<<"$out"
if [ "${pid1:-}" = 100 ] && [ "${pid2:-}" = 100 ] && [ -n "${id1:-}" ] && [ "$id1" != "${id2:-}" ]; then
	ok "host_run's file names differ in two subshells of one shell that get the same PID ($id1, $id2)"
else
	notok "host_run's file names in two subshells with the same PID" "$out"
fi

# the machine meanwhile: only this run's cgroup dirs are new
machine_state >"$SENT/during"
want=$(for s in systemd unified; do for i in 1 2 3; do echo "/sys/fs/cgroup/$s/etcd-hosts.$ID.etcd0$i"; done; done | sort)
if diff "$SENT/before" "$SENT/during" >"$SENT/diff" && [ "$(run_cgroups "$ID" | sort)" = "$want" ] &&
	[ -f "$SENT/file" ]; then
	ok "while the hosts run: the machine's /tmp, /dev/log, /dev/initctl, machine-id, /sys/fs/cgroup and mounts unchanged; only the hosts' cgroup dirs are new"
else
	notok "while the hosts run, the machine is unchanged" "$(cat "$SENT/diff")" "cgroups: $(run_cgroups "$ID" | tr '\n' ' ')" \
		"sentinel: $(ls "$SENT")"
fi

# stop: every PID gone, cgroups and the temp dir removed
pids=("$HOSTS_HOLDER")
for n in "${!HOST_PID[@]}"; do pids+=("${HOST_PID[$n]}" "${HOST_OUTER[$n]}"); done
dir=$HOSTS_DIR
t0=$(date +%s%N)
hosts_cleanup
stop_ms=$((($(date +%s%N) - t0) / 1000000))
bad=()
for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && bad+=("PID $p still runs: $(ps -o pid=,args= -p "$p")"); done
[ -z "$(run_cgroups "$ID")" ] || bad+=("cgroups left: $(run_cgroups "$ID" | tr '\n' ' ')")
[ ! -e "$dir" ] || bad+=("$dir left")
grep -q "etcd-hosts\.$ID" /proc/self/mountinfo && bad+=("mounts left: $(grep "etcd-hosts\.$ID" /proc/self/mountinfo)")
machine_state >"$SENT/after"
diff "$SENT/before" "$SENT/after" >"$SENT/diff" || bad+=("the machine changed: $(cat "$SENT/diff")")
[ -f "$SENT/file" ] || bad+=("the file in the machine's /tmp is gone")
if [ ${#bad[@]} = 0 ]; then
	ok "hosts_stop_all + cleanup (${stop_ms} ms): no PID, cgroup dir, mount or temp dir left; the machine as before"
else
	notok "after the stop nothing is left" "${bad[@]}"
fi

# a test killed by SIGTERM (its trap cleans up) or SIGKILL (no trap runs: the hosts die with the shell
# that booted them, by the parent-death signal; only their cgroup dirs stay, removed here)
# a test that hangs (here: waits for good) is ended by the bed's own watchdog after HOSTS_DEADLINE
for sig in TERM KILL DEADLINE; do
	out=$(mktemp -d /tmp/hosts-child.XXXXXX) || exit 2
	dl=300
	[ "$sig" = DEADLINE ] && dl=8
	# its own process group, signalled as a whole for TERM as timeout(1) does on expiry
	HOSTS_DEADLINE=$dl setsid bash -c '. tests/lib/hosts.sh && hosts_init && host_boot etcd01 "$HOSTS_NET.1" && host_wait_running etcd01 60 &&
		echo "$HOSTS_ID ${HOST_PID[etcd01]} $HOSTS_HOLDER $HOSTS_DIR" >"$1/ready" && mkfifo "$1/f" && read -r -t 120 _ <>"$1/f"' _ "$out" \
		>"$out/log" 2>&1 &
	child=$!
	for ((i = 0; i < 300; i++)); do [ -s "$out/ready" ] && break; kill -0 "$child" 2>/dev/null || break; sleep 0.1; done
	read -r cid cpid cholder cdir <"$out/ready" 2>/dev/null
	bad=()
	if [ -z "${cpid:-}" ]; then
		bad+=("the child did not boot a host: $(tail -5 "$out/log")")
		kill -KILL "$child" 2>/dev/null
	else
		# the child shell (PID $child) is the parent of the host and of the holder
		case $sig in TERM) kill -TERM -- "-$child" ;; KILL) kill -KILL "$child" ;; DEADLINE) ;; esac
		# the child's trap (TERM) powers off and removes its dir; then the processes are gone
		for ((i = 0; i < 300; i++)); do
			kill -0 "$child" 2>/dev/null || kill -0 "$cpid" 2>/dev/null || kill -0 "$cholder" 2>/dev/null || break
			sleep 0.1
		done
		if [ "$sig" = DEADLINE ]; then
			# the watchdog removes the cgroups and the dir after the kill: wait for it, bounded
			for ((i = 0; i < 300; i++)); do
				[ -z "$(run_cgroups "$cid")" ] && [ ! -e "$cdir" ] && break
				sleep 0.1
			done
		fi
		kill -0 "$child" 2>/dev/null && bad+=("the child test (PID $child) outlived SIG$sig")
		kill -0 "$cpid" 2>/dev/null && bad+=("the host's systemd (PID $cpid) outlived its test")
		kill -0 "$cholder" 2>/dev/null && bad+=("the holder (PID $cholder) outlived its test")
		if [ "$sig" = KILL ]; then
			for ((i = 0; i < 50; i++)); do
				for c in $(run_cgroups "$cid"); do find "$c" -depth -type d -exec rmdir {} + 2>/dev/null; done
				[ -z "$(run_cgroups "$cid")" ] && break
				sleep 0.1
			done
			rm -rf "$cdir"
		fi
		[ -z "$(run_cgroups "$cid")" ] || bad+=("cgroups left: $(run_cgroups "$cid" | tr '\n' ' ')")
		[ ! -e "$cdir" ] || bad+=("$cdir left")
	fi
	wait "$child" 2>/dev/null
	if [ ${#bad[@]} = 0 ]; then
		case $sig in
		TERM) ok "a test's process group sent SIGTERM (as by timeout): its trap powers the host off, nothing left" ;;
		KILL) ok "a test killed by SIGKILL: its host's systemd and the holder die with it (parent-death signal)" ;;
		DEADLINE) ok "a test that hangs: the bed's watchdog kills it after HOSTS_DEADLINE (8 s), its host dies, cgroups and dir removed" ;;
		esac
	else
		notok "a test killed by SIG$sig leaves nothing" "${bad[@]}" "$(tail -5 "$out/log")"
	fi
	rm -rf "$out"
done

machine_state >"$SENT/after"
if diff "$SENT/before" "$SENT/after" >"$SENT/diff" && [ -f "$SENT/file" ]; then
	ok "at the end the machine is as before (its /tmp file, /dev, machine-id, /sys/fs/cgroup, mounts)"
else
	notok "at the end the machine is as before" "$(cat "$SENT/diff")"
fi
: "$REPO"
exit "$FAILED"
