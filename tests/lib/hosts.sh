# shellcheck shell=bash
# A test bed of simulated hosts: each one a real systemd as PID 1 in its own PID, mount, UTS and IPC
# namespaces, all of them in one network namespace the test made, on 127.0.X.1..N.
#
# Sourced (bash) by tests/integration/*_hosts.sh:
#
#   . tests/lib/hosts.sh
#   hosts_init                   # temp dir, free 127.0.X, network namespace, EXIT/INT/TERM trap
#   host_boot etcd01 "$HOSTS_NET.1"   # boots a host (returns at once)
#   host_wait_running etcd01     # bounded: systemctl is-system-running says running or degraded
#   host_run etcd01 CMD...       # CMD inside the host (its namespaces; working directory /)
#   hosts_sleep 0.5              # a pause without a child process (see hosts_sleep)
#   hosts_stop_all               # poweroff, bounded wait, KILL by PID, cgroups, temp dir removed
#
# Each host (tests/lib/host-init.sh does it before exec systemd) has private tmpfs on /run, /tmp,
# /var/tmp, /var/lib/etcd, /var/log/journal, /etc/etcd and /etc/systemd/system, a private /dev,
# /etc, /var and /usr/local as overlays whose changes go to $HOSTS_DIR/NAME/{etc,var,usrlocal}.upper, its own hostname and
# /etc/machine-id, /proc/sys and /sys read-only, its own cgroup subtree
# (/sys/fs/cgroup/{systemd,unified}/etcd-hosts.ID.NAME), and masks for every unit that would act on
# the machine (LAB_NOTES, "Real systemd as PID 1"). $HOSTS_DIR is bound back into each host's /tmp,
# and so are the checkout when it is under /tmp (a CI clone) and every dir in HOSTS_BINDS (space
# separated; only those under /tmp need it).
#
# Rules kept here: every process is started by us and remembered by PID (the systemd of a host,
# the namespace holder), stopped by that PID, never by name; every wait is bounded; nothing is
# written to the machine outside $HOSTS_DIR and the cgroup dirs made here, both removed at the end.
# Call the functions from the main shell, not inside $(...) or a pipeline: state lives in shell
# variables, and each host dies with the shell that booted it (parent-death signal), so a test
# killed without its trap leaves no systemd behind.
# Few forks: the test's shell was seen (CI, diag_sdbus on 3.5.16) blocked for good in a wait with no
# child left to wait for, a bash fault whose cause is not known; every fork is one more chance of it.
# So the bed's own loops fork nothing they can do without: pauses are bash's read -t (hosts_sleep),
# namespaces are compared with test -ef, a host's PID 1 is read from /proc/PID/task/PID/children,
# host_run's files are named without mktemp and copied back by bash itself (_hosts_cat).
#
# State: HOSTS_DIR, HOSTS_NET (127.0.X), HOSTS_HOLDER (PID of the network namespace's holder),
# HOST_PID[NAME] (the host's systemd, outer PID), HOST_IP[NAME], HOST_CG[NAME], HOST_LOG[NAME]
# (systemd's console output), HOST_STATE[NAME] (what host_wait_running saw last).

HOSTS_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HOSTS_CHECKOUT=$(cd "$HOSTS_LIB_DIR/../.." && pwd -P)
HOSTS_MACHINE_MNTNS=$(readlink /proc/self/ns/mnt)
HOSTS_DIR=""
HOSTS_NET=""
HOSTS_ID=""
HOSTS_HOLDER=""
HOSTS_WATCHDOG=""
HOSTS_RUN_SEQ=0
HOSTS_RUN_ID=""
declare -A HOST_PID=() HOST_OUTER=() HOST_IP=() HOST_CG=() HOST_LOG=() HOST_STATE=()
declare -a HOSTS_ATEXIT=()

hosts_log() { echo "hosts: $*" >&2; }

# hosts_sleep SECONDS: a pause with no child process: bash's read -t on a FIFO of the bed's that no one
# writes (opened read-write, so the open does not block). sleep(1) before hosts_init or after the
# cleanup, when there is no FIFO.
hosts_sleep() {
	if [ -n "$HOSTS_DIR" ] && [ -p "$HOSTS_DIR/sleep.fifo" ]; then
		read -r -t "$1" _ <>"$HOSTS_DIR/sleep.fifo"
		[ $? -gt 128 ] && return 0
	fi
	sleep "$1"
}

# _hosts_cat FILE: FILE's bytes on stdout, by bash itself (no cat(1)): read splits at each NUL, put
# back by printf, so binary output is kept too.
_hosts_cat() {
	local chunk
	while IFS= read -r -d '' chunk; do printf '%s\0' "$chunk"; done <"$1"
	printf '%s' "$chunk"
}

# hosts_need: the commands the bed uses (util-linux's unshare, nsenter, setpriv; systemd; iproute2; procps).
hosts_need() {
	local c miss=()
	for c in unshare nsenter setpriv ip ps journalctl systemctl; do
		command -v "$c" >/dev/null 2>&1 || miss+=("$c")
	done
	[ -x /lib/systemd/systemd ] || miss+=(/lib/systemd/systemd)
	if [ ${#miss[@]} -gt 0 ]; then
		sh "$HOSTS_LIB_DIR/need-packages.sh" systemd util-linux iproute2 procps || return 1
	fi
	for c in unshare nsenter setpriv ip ps; do command -v "$c" >/dev/null 2>&1 || { hosts_log "missing $c"; return 1; }; done
	[ -x /lib/systemd/systemd ] || { hosts_log "missing /lib/systemd/systemd"; return 1; }
	[ "$(id -u)" = 0 ] || { hosts_log "needs root (namespaces, mounts, cgroups)"; return 1; }
	[ -d /sys/fs/cgroup/systemd ] && [ -d /sys/fs/cgroup/unified ] ||
		{ hosts_log "needs the hybrid cgroup layout (/sys/fs/cgroup/systemd and /sys/fs/cgroup/unified)"; return 1; }
	grep -qw overlay /proc/filesystems || { hosts_log "the kernel has no overlayfs"; return 1; }
}

# hosts_init: $HOSTS_DIR (mktemp under /tmp), a free 127.0.X (deploy/demo-lib.sh's lab_pick_net: a lock
# shared with the other loopback tests), the network namespace (lo up) held by one process, traps:
# EXIT runs hosts_cleanup, INT/TERM run it and exit 130/143.
hosts_init() {
	local i
	hosts_need || return 1
	# shellcheck source=deploy/demo-lib.sh
	. "$HOSTS_LIB_DIR/../../deploy/demo-lib.sh" || return 1
	HOSTS_DIR=$(mktemp -d /tmp/etcd-hosts.XXXXXX) || return 1
	chmod 755 "$HOSTS_DIR"
	mkfifo "$HOSTS_DIR/sleep.fifo" || return 1
	HOSTS_ID=${HOSTS_DIR##*.}
	trap hosts_cleanup EXIT
	trap 'hosts_cleanup; trap - EXIT; exit 130' INT
	trap 'hosts_cleanup; trap - EXIT; exit 143' TERM
	lab_pick_net || return 1
	HOSTS_NET=127.0.$LAB_X
	hosts_watchdog "${HOSTS_DEADLINE:-180}"
	# the holder: a process that only keeps the network namespace alive; dies with this shell
	# setsid: a signal to the test's process group (timeout(1), Ctrl-C) must not reach it, nor the hosts
	# holder.ready: lo is up in its namespace
	setsid setpriv --pdeathsig KILL unshare --net -- sh -c 'ip link set lo up && : >"$1" && exec sleep infinity' _ \
		"$HOSTS_DIR/holder.ready" </dev/null >"$HOSTS_DIR/holder.log" 2>&1 &
	HOSTS_HOLDER=$!
	for ((i = 0; i < 50; i++)); do
		if [ -e "$HOSTS_DIR/holder.ready" ] && ! [ "/proc/$HOSTS_HOLDER/ns/net" -ef /proc/self/ns/net ]; then
			hosts_log "dir $HOSTS_DIR net $HOSTS_NET.* (network namespace of PID $HOSTS_HOLDER)"
			return 0
		fi
		kill -0 "$HOSTS_HOLDER" 2>/dev/null || break
		hosts_sleep 0.1
	done
	hosts_log "the network namespace did not come up: $(cat "$HOSTS_DIR/holder.log")"
	return 1
}

# hosts_watchdog SECONDS: a bound on the whole bed. Seen a few times here and in CI: the test's shell
# blocked for good in wait4() for any child (its foreground child already gone; the background ones,
# this watchdog, the holder and the hosts, never end), its hosts still up, no trap able to run. A
# process left in a host holding a substitution's pipe was one cause (host_run keeps pipes away from
# them); the rest is bash's (see "Few forks" above). After SECONDS the watchdog SIGKILLs the test's
# shell (the hosts and the holder die with it: parent-death signal), then removes this run's cgroup
# dirs and $HOSTS_DIR.
# hosts_cleanup stops it by its PID. It waits with bash's read -t on a FIFO of its own: no child.
hosts_watchdog() {
	local bound=$1 me=$$ dir=$HOSTS_DIR id=$HOSTS_ID
	mkfifo "$dir/watchdog.fifo" || return 1
	(
		trap - EXIT INT TERM
		read -r -t "$bound" _ <>"$dir/watchdog.fifo"
		kill -0 "$me" 2>/dev/null || exit 0
		echo "hosts: the bed outlived its ${bound}s (HOSTS_DEADLINE): SIGKILL to the test (PID $me); its processes:" >&2
		# what each process of the test waits in, so that a hang can be told apart next time
		ps -e -o pid=,ppid=,pgid=,stat=,wchan:24=,etimes=,args= 2>/dev/null |
			awk -v me="$me" '{ pp[$1] = $2; line[$1] = $0 } END { for (p in line) { q = p; while (q in pp && q != me && q > 1) q = pp[q]; if (q == me) print "  " line[p] } }' |
			sort -n | head -n 60 >&2
		# the shell itself: its system call (61 = wait4, first argument the PID waited for, 0xffffffff
		# = any child) and signal masks (bit 17 = SIGCHLD: blocked while bash waits in the foreground)
		echo "hosts: the test's shell: syscall $(cat "/proc/$me/syscall" 2>&1)" >&2
		grep -E '^(State|SigPnd|ShdPnd|SigBlk|SigIgn|SigCgt):' "/proc/$me/status" 2>&1 | tr '\t' ' ' | sed 's/^/  /' >&2
		kill -KILL "$me"
		for ((i = 0; i < 100; i++)); do
			for c in /sys/fs/cgroup/systemd/etcd-hosts."$id".* /sys/fs/cgroup/unified/etcd-hosts."$id".*; do
				[ -d "$c" ] && find "$c" -depth -type d -exec rmdir {} + 2>/dev/null
			done
			compgen -G "/sys/fs/cgroup/*/etcd-hosts.$id.*" >/dev/null || break
			read -r -t 0.1 _ <>"$dir/watchdog.fifo"
		done
		rm -rf "$dir"
	) </dev/null &
	HOSTS_WATCHDOG=$!
}

# hosts_atexit CMD: hosts_cleanup runs CMD (eval'd) first, in order added.
hosts_atexit() { HOSTS_ATEXIT+=("$1"); }

# host_boot NAME IP: prepares $HOSTS_DIR/NAME and the host's cgroups, starts its systemd and returns
# once its PID is known (HOST_PID[NAME]); follow with host_wait_running.
host_boot() {
	local name=$1 ip=$2 h=$HOSTS_DIR/$1 cg c pid i outer binds=("$HOSTS_DIR")
	[ -n "$HOSTS_HOLDER" ] || { hosts_log "hosts_init first"; return 1; }
	[ -z "${HOST_PID[$name]:-}" ] || { hosts_log "$name is already booted"; return 1; }
	[[ $name =~ ^[a-z][a-z0-9-]*$ ]] || { hosts_log "bad host name '$name'"; return 1; }
	# the checkout itself (its build/, deploy/, tests/) when it lives in /tmp, as a CI clone may
	case $HOSTS_CHECKOUT in /tmp/?*) binds+=("$HOSTS_CHECKOUT") ;; esac
	for c in ${HOSTS_BINDS:-}; do case $c in /tmp/?*) binds+=("$c") ;; esac; done
	cg=etcd-hosts.$HOSTS_ID.$name
	mkdir -p "$h/etc.upper" "$h/etc.work" "$h/var.upper" "$h/var.work" "$h/usrlocal.upper" "$h/usrlocal.work" "$h/runs" || return 1
	for c in systemd unified; do mkdir "/sys/fs/cgroup/$c/$cg" || return 1; done
	# shellcheck disable=SC2034 # HOST_IP is for the tests that source this file
	HOST_CG[$name]=$cg HOST_IP[$name]=$ip HOST_LOG[$name]=$h/console.log
	# its own session: systemd takes SIGTERM for "re-execute" and SIGINT for "reboot", so the signals
	# timeout(1) or a terminal send to the test's process group must not reach it
	HOST_MACHINE_MNTNS=$HOSTS_MACHINE_MNTNS setsid setpriv --pdeathsig KILL \
		nsenter --net="/proc/$HOSTS_HOLDER/ns/net" -- \
		unshare --pid --fork --kill-child=SIGKILL --mount --mount-proc --uts --ipc --propagation private -- \
		bash "$HOSTS_LIB_DIR/host-init.sh" "$name" "$ip" "$h" "$cg" "${binds[@]}" \
		</dev/null >"$h/console.log" 2>&1 &
	outer=$!
	HOST_OUTER[$name]=$outer
	# the host's PID 1 is the outer unshare's only child (the kernel's list of its children)
	for ((i = 0; i < 50; i++)); do
		pid=""
		read -r pid _ <"/proc/$outer/task/$outer/children" 2>/dev/null
		if [ -n "$pid" ] && [ -e "/proc/$pid/ns/pid" ] && ! [ "/proc/$pid/ns/pid" -ef /proc/self/ns/pid ]; then
			HOST_PID[$name]=$pid
			return 0
		fi
		kill -0 "$outer" 2>/dev/null || break
		hosts_sleep 0.1
	done
	hosts_log "$name did not start; its console:"
	tail -n 20 "$h/console.log" >&2
	return 1
}

# host_run NAME CMD...: runs CMD inside host NAME (mount, UTS, IPC, network and PID namespaces of its
# systemd; working directory /; the caller's environment). Refuses a host whose systemd is gone.
host_run() {
	local name=$1 pid
	shift
	pid=${HOST_PID[$name]:-}
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || { hosts_log "$name is not running"; return 125; }
	# a PID reused by some other process would have the machine's namespaces
	! [ "/proc/$pid/ns/mnt" -ef /proc/self/ns/mnt ] ||
		{ hosts_log "PID $pid of $name is not in a mount namespace of its own"; return 125; }
	# nsenter stops itself whenever its child stops, and the final stage of a shutdown stops every
	# process of the host (SIGSTOP, SIGTERM, SIGCONT): a host_run caught there leaves nsenter stopped
	# with an unreaped child, and the host's PID 1 waits for that child forever. So each nsenter's PID
	# is kept in $HOSTS_DIR/NAME/runs/ID.pid while it runs (a file: host_run may run in a subshell), and
	# host_stop continues the stopped ones. stdin stays the caller's (<&0).
	# It runs in the foreground (a `wait` interrupted by a trapped signal, whose trap then waits
	# again, can hang bash): a subshell records its PID, then execs nsenter.
	# A pipe as stdout or stderr (the caller's $(...) or |) is fed through files: a process the command
	# leaves running in the host (a daemon, an agent systemctl forks) would keep the pipe open, and the
	# caller would wait for an EOF that never comes. Stdout and stderr on the same pipe (the caller's
	# 2>&1) go to one file, so their lines keep their order. Files and terminals are handed over as
	# they are.
	# Each file is emptied after use, not removed (rm is one more fork): a process left writing to it
	# writes to a file nobody reads again, so long as its name (_host_runid) never comes back.
	local f rc
	_host_runid
	f=$HOSTS_DIR/$name/runs/$HOSTS_RUN_ID
	# (fd 1 and 2 are handed over by not redirecting them: a redirection to /dev/stdout would open the
	# file again, with an offset of its own)
	if [ -p /dev/stdout ] && [ /dev/stdout -ef /dev/stderr ]; then
		_host_nsenter "$f" "$pid" "$@" >"$f.out" 2>&1
		rc=$?
	elif [ -p /dev/stdout ] && [ -p /dev/stderr ]; then
		_host_nsenter "$f" "$pid" "$@" >"$f.out" 2>"$f.err"
		rc=$?
	elif [ -p /dev/stdout ]; then
		_host_nsenter "$f" "$pid" "$@" >"$f.out"
		rc=$?
	elif [ -p /dev/stderr ]; then
		_host_nsenter "$f" "$pid" "$@" 2>"$f.err"
		rc=$?
	else
		_host_nsenter "$f" "$pid" "$@"
		rc=$?
	fi
	if [ -s "$f.out" ]; then _hosts_cat "$f.out"; : >"$f.out"; fi
	if [ -s "$f.err" ]; then _hosts_cat "$f.err" >&2; : >"$f.err"; fi
	: >"$f.pid"
	return "$rc"
}
# _host_runid: sets HOSTS_RUN_ID, a name for one host_run's files, unique without a fork (mktemp).
# PID and count alone repeat: a subshell starts from its parent's count, and two subshells can get
# the same PID (one ends, the kernel hands its PID on). The time in microseconds tells those apart
# (the second starts after the first ended); the count, the calls of one shell.
_host_runid() {
	HOSTS_RUN_ID=$BASHPID.$EPOCHREALTIME.$((HOSTS_RUN_SEQ += 1))
}
_host_nsenter() { # RUNFILE PID CMD...: host_run's nsenter, its PID recorded in RUNFILE.pid
	(echo "$BASHPID $2" >"$1.pid" && exec nsenter -t "$2" -m -u -i -n -p -- "${@:3}")
}

# host_unstop NAME: SIGCONT to each nsenter of host_run into NAME that is stopped (see host_run).
host_unstop() {
	local f p target st
	# emptied files are of runs that ended; the state is the field after "(comm)" in /proc/PID/stat
	for f in "$HOSTS_DIR/$1/runs"/*.pid; do
		[ -s "$f" ] || continue
		read -r p target <"$f" || continue
		[ "$target" = "${HOST_PID[$1]:-}" ] || continue
		st=""
		read -r st <"/proc/$p/stat" 2>/dev/null || continue
		st=${st##*) }
		[ "${st%% *}" = T ] && kill -CONT "$p" 2>/dev/null
	done
	return 0
}

# host_wait_running NAME [SECONDS]: waits (default 60 s) until the host's `systemctl
# is-system-running` says running or degraded (HOST_STATE[NAME] keeps it; on degraded the failed
# units are shown). Returns non-zero, with the end of its console, otherwise.
host_wait_running() {
	local name=$1 bound=${2:-60} end s="" f=$HOSTS_DIR/$1/is-system-running
	end=$((SECONDS + bound))
	while [ "$SECONDS" -lt "$end" ]; do
		# the answer through a file, not $(...): a command substitution waits for EOF on its pipe, which
		# any process left in the host holding that pipe would withhold (the one unbounded wait of a
		# boot, seen once in CI: the bed's watchdog fired at 300 s with no host answered); -k: a
		# systemctl that ignores SIGTERM is killed too
		s=""
		host_run "$name" timeout -k 2 5 systemctl is-system-running >"$f" 2>/dev/null </dev/null
		[ -s "$f" ] && read -r s <"$f"
		case $s in
		running) HOST_STATE[$name]=$s; return 0 ;;
		degraded)
			HOST_STATE[$name]=$s
			hosts_log "$name is degraded: $(host_run "$name" systemctl --failed --no-legend --plain 2>&1 | tr '\n' ' ')"
			return 0
			;;
		esac
		if ! kill -0 "${HOST_PID[$name]:-0}" 2>/dev/null; then
			wait "${HOST_OUTER[$name]}" 2>/dev/null
			hosts_log "$name: its systemd (PID ${HOST_PID[$name]}) is gone, the namespace's unshare exited $?"
			break
		fi
		hosts_sleep 0.2
	done
	# shellcheck disable=SC2034 # HOST_STATE is for the tests that source this file
	HOST_STATE[$name]=${s:-none}
	hosts_log "$name not running (state '${s:-no answer}', ${bound}s at most); end of its console:"
	tail -n 20 "${HOST_LOG[$name]}" >&2
	return 1
}

# host_poweroff NAME: asks the host's systemd to power off (returns at once).
host_poweroff() {
	kill -0 "${HOST_PID[$1]:-0}" 2>/dev/null || return 0
	host_run "$1" timeout -k 2 5 systemctl poweroff --no-block >/dev/null 2>&1 || hosts_log "$1: systemctl poweroff failed"
}

# host_stop NAME [SECONDS] [sent]: host_poweroff (unless "sent"), waits (default 20 s) for its systemd's
# PID to go, then SIGKILL by that PID (the kernel then kills the whole PID namespace); reaps the outer
# process and removes the host's cgroup dirs (bounded).
host_stop() {
	local name=$1 bound=${2:-20} pid i cg c
	pid=${HOST_PID[$name]:-}
	if [ -n "$pid" ]; then
		[ "${3:-}" = sent ] || host_poweroff "$name"
		for ((i = 0; i < bound * 10; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			[ $((i % 5)) = 4 ] && host_unstop "$name"
			hosts_sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			hosts_log "$name (PID $pid) still up after ${bound}s: SIGKILL"
			kill -KILL "$pid" 2>/dev/null
			for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; host_unstop "$name"; hosts_sleep 0.1; done
		fi
	fi
	if [ -n "${HOST_OUTER[$name]:-}" ]; then
		for ((i = 0; i < 50; i++)); do kill -0 "${HOST_OUTER[$name]}" 2>/dev/null || break; hosts_sleep 0.1; done
		kill -KILL "${HOST_OUTER[$name]}" 2>/dev/null
		wait "${HOST_OUTER[$name]}" 2>/dev/null
	fi
	cg=${HOST_CG[$name]:-}
	if [ -n "$cg" ]; then
		# empty once the PID namespace is gone; the kernel may take a moment to reap the last process
		for ((i = 0; i < 50; i++)); do
			for c in systemd unified; do
				[ -d "/sys/fs/cgroup/$c/$cg" ] && find "/sys/fs/cgroup/$c/$cg" -depth -type d -exec rmdir {} + 2>/dev/null
			done
			[ -d "/sys/fs/cgroup/systemd/$cg" ] || [ -d "/sys/fs/cgroup/unified/$cg" ] || break
			hosts_sleep 0.1
		done
		for c in systemd unified; do
			[ -d "/sys/fs/cgroup/$c/$cg" ] && hosts_log "cannot remove cgroup $c/$cg: $(cat "/sys/fs/cgroup/$c/$cg/cgroup.procs" 2>&1 | tr '\n' ' ')"
		done
	fi
	unset "HOST_PID[$name]" "HOST_OUTER[$name]" "HOST_CG[$name]"
	return 0
}

# hosts_stop_all [SECONDS]: powers every host off at once, then host_stop on each (bounded).
hosts_stop_all() {
	local n
	for n in "${!HOST_PID[@]}"; do host_poweroff "$n"; done
	for n in "${!HOST_PID[@]}"; do host_stop "$n" "${1:-20}" sent; done
	return 0
}

# hosts_cleanup: hosts_atexit commands, every host stopped, the holder stopped by its PID, $HOSTS_DIR
# removed (kept with HOSTS_KEEP=1). Safe to call more than once.
hosts_cleanup() {
	local c i
	for c in "${HOSTS_ATEXIT[@]}"; do eval "$c" || hosts_log "atexit '$c' failed"; done
	HOSTS_ATEXIT=()
	hosts_stop_all 20
	if [ -n "${HOSTS_WATCHDOG:-}" ]; then
		kill -TERM "$HOSTS_WATCHDOG" 2>/dev/null
		wait "$HOSTS_WATCHDOG" 2>/dev/null
		HOSTS_WATCHDOG=""
	fi
	if [ -n "$HOSTS_HOLDER" ]; then
		kill -TERM "$HOSTS_HOLDER" 2>/dev/null
		for ((i = 0; i < 50; i++)); do kill -0 "$HOSTS_HOLDER" 2>/dev/null || break; hosts_sleep 0.1; done
		kill -KILL "$HOSTS_HOLDER" 2>/dev/null
		wait "$HOSTS_HOLDER" 2>/dev/null
		HOSTS_HOLDER=""
	fi
	if [ -n "$HOSTS_DIR" ] && [ -d "$HOSTS_DIR" ]; then
		if [ "${HOSTS_KEEP:-0}" = 1 ]; then hosts_log "kept $HOSTS_DIR"; else rm -rf "$HOSTS_DIR"; fi
	fi
	HOSTS_DIR=""
	return 0
}
