# shellcheck shell=bash
# Lab helpers shared by deploy/demo.sh and tests/integration/deploy_*.sh (sourced, bash): a free loopback
# net 127.0.X.* (X in 60..99), members started from their rendered unit's ExecStart= exactly as systemd
# would start them (there is no systemd as PID 1 here), remembered by PID and stopped by that PID.

LAB_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# lab_use_etcd: the etcd of ETCD_VERSION (3.4, 3.5.16, 3.5.30; tests/lib/etcd-versions.sh) first in
# PATH, or the one already on PATH; sets ETCD_BIN to it and ETCD_VERSION_FULL to its version.
# Returns 77 when that version cannot be had here (mirror unreachable), 2 on other errors.
lab_use_etcd() {
	# shellcheck source=tests/lib/etcd-versions.sh
	. "$LAB_REPO/tests/lib/etcd-versions.sh" || return 2
	etcd_use_version || return $?
	# shellcheck disable=SC2034 # read by the scripts that source this file
	ETCD_BIN=$(command -v etcd) || return 2
}

declare -A LAB_PID=()
LAB_X=""
LAB_LOCK_FD=""

# lab_pick_net: sets LAB_X to a third octet in 60..99 with nothing listening on 127.0.X.* and holds a lock
# on it (released when the shell exits), so that parallel runs of the demo and the tests do not collide.
lab_pick_net() {
	local x fd dir=${TMPDIR:-/tmp}/etcd-deploy-lab.locks
	mkdir -p "$dir" || return 1
	for x in $(shuf -i 60-99); do
		exec {fd}>"$dir/127.0.$x.lock" || continue
		if flock -n "$fd" && ! ss -Hltn 2>/dev/null | awk '{print $4}' | grep -q "^127\.0\.$x\."; then
			# shellcheck disable=SC2034 # read by the scripts that source this file
			LAB_X=$x LAB_LOCK_FD=$fd
			return 0
		fi
		exec {fd}>&-
	done
	echo "lab_pick_net: no free 127.0.X.* net with X in 60..99" >&2
	return 1
}

# unit_words STRING: splits a unit's command line the way systemd does (whitespace, '...' and "..."
# quotes, backslash escapes) and prints one word per line, NUL-terminated.
unit_words() {
	local s=$1 w="" q="" c i have=0
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		if [ -n "$q" ]; then
			if [ "$c" = "$q" ]; then q=""; elif [ "$c" = '\' ] && [ "$q" = '"' ]; then i=$((i + 1)) w+=${s:i:1}; else w+=$c; fi
		elif [ "$c" = "'" ] || [ "$c" = '"' ]; then
			q=$c have=1
		elif [ "$c" = '\' ]; then
			i=$((i + 1)) w+=${s:i:1} have=1
		elif [ "$c" = ' ' ] || [ "$c" = $'\t' ]; then
			[ "$have" = 1 ] && printf '%s\0' "$w"
			w="" have=0
		else
			w+=$c have=1
		fi
	done
	[ "$have" = 1 ] && printf '%s\0' "$w"
	return 0
}

# unit_get UNIT KEY: the values of KEY= in the [Service] section, one per line, continuation lines joined.
unit_get() {
	awk -v key="$2" '
		/^\[/ { sect = $0; next }
		sect != "[Service]" { next }
		cont { sub(/^[ \t]+/, ""); line = line " " $0; if (line ~ /\\$/) { sub(/\\$/, "", line); next } cont = 0; emit(); next }
		index($0, key "=") == 1 { line = substr($0, length(key) + 2)
			if (line ~ /\\$/) { sub(/\\$/, "", line); cont = 1; next } emit() }
		function emit() { print line }
	' "$1"
}

# unit_exec UNIT: in the current (sub)shell, applies the unit's EnvironmentFile=, Environment= and
# WorkingDirectory=, then execs its ExecStart= unchanged. Run it as `( unit_exec U ) >LOG 2>&1 &`:
# $! is then the PID of the service's main process.
unit_exec() {
	local unit=$1 line f wd kv
	local -a argv=()
	while IFS= read -r f; do
		local opt=0
		[ "${f#-}" != "$f" ] && opt=1 f=${f#-}
		if [ ! -r "$f" ]; then [ "$opt" = 1 ] && continue; echo "unit_exec: cannot read $f" >&2; return 1; fi
		while IFS= read -r line; do
			[[ $line =~ ^[[:space:]]*([#;]|$) ]] && continue
			[[ $line =~ ^[[:space:]]*([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || continue
			local k=${BASH_REMATCH[1]} v=${BASH_REMATCH[2]}
			[[ $v =~ ^\"(.*)\"$ || $v =~ ^\'(.*)\'$ ]] && v=${BASH_REMATCH[1]}
			export "$k=$v"
		done <"$f"
	done < <(unit_get "$unit" EnvironmentFile)
	while IFS= read -r line; do
		while IFS= read -r -d '' kv; do export "${kv?}"; done < <(unit_words "$line")
	done < <(unit_get "$unit" Environment)
	wd=$(unit_get "$unit" WorkingDirectory | tail -1)
	if [ -n "$wd" ]; then cd "${wd#-}" || return 1; fi
	mapfile -d '' -t argv < <(unit_words "$(unit_get "$unit" ExecStart | head -1)")
	[ "${#argv[@]}" -gt 0 ] || { echo "unit_exec: no ExecStart= in $unit" >&2; return 1; }
	while [[ ${argv[0]} =~ ^[-@:+!] ]]; do argv[0]=${argv[0]:1}; done
	exec "${argv[@]}"
}

# lab_start NAME UNIT LOG: starts the unit's ExecStart in the background, remembers its PID.
lab_start() {
	(unit_exec "$2") >"$3" 2>&1 </dev/null &
	LAB_PID[$1]=$!
}

# lab_stop NAME: stops the process started as NAME (TERM, then KILL after 10 s) and reaps it.
lab_stop() {
	local pid=${LAB_PID[$1]:-} n
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null
	for ((n = 0; n < 100; n++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	unset "LAB_PID[$1]"
	return 0
}

lab_stop_all() {
	local n
	for n in "${!LAB_PID[@]}"; do lab_stop "$n"; done
	return 0
}

# lab_workdir PREFIX: LAB_DIR=$(mktemp -d /tmp/PREFIX.XXXXXX) and EXIT/INT/TERM traps that run
# lab_cleanup: the caller's lab_cleanup_hook (if defined), every member stopped by its PID,
# LAB_DIR removed.
lab_cleanup() {
	if declare -F lab_cleanup_hook >/dev/null; then lab_cleanup_hook; fi
	lab_stop_all
	[ -n "${LAB_DIR:-}" ] && rm -rf "$LAB_DIR"
	LAB_DIR=""
	return 0
}
lab_workdir() {
	LAB_DIR=$(mktemp -d "/tmp/$1.XXXXXX") || return 1
	trap lab_cleanup EXIT
	trap 'exit 130' INT TERM
}

# lab_wait_healthy SECONDS ENDPOINTS CA CERT KEY: waits (bounded) until etcdctl finds every endpoint healthy.
lab_wait_healthy() {
	local deadline=$((SECONDS + $1))
	while [ "$SECONDS" -lt "$deadline" ]; do
		ETCDCTL_API=3 timeout 10 etcdctl --endpoints="$2" --cacert="$3" --cert="$4" --key="$5" \
			--dial-timeout=2s --command-timeout=3s endpoint health >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	return 1
}

# lab_probe_works BIN: true if BIN is an etcd-probe that runs (-V).
lab_probe_works() { [ -x "$1" ] && timeout 10 "$1" -V 2>/dev/null | grep -q "^etcd-probe"; }

# lab_journal LOG HOST OUT: turns a member's captured log into the journal file OUT (_HOSTNAME=HOST,
# _SYSTEMD_UNIT=etcd.service), as journald would have stored it had systemd started the member.
lab_journal() {
	local jr=/lib/systemd/systemd-journal-remote
	[ -x "$jr" ] || return 1
	perl -MPOSIX -e '
		my ($host) = @ARGV; my $last = time() * 1000000; my $n = 0;
		while (my $l = <STDIN>) {
			chomp $l; next if $l eq "";
			if ($l =~ /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(\.\d+)?/ ||
			    $l =~ /"ts":"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?/) {
				$last = POSIX::mktime($6, $5, $4, $3, $2 - 1, $1 - 1900) * 1000000 + int(($7 // 0) * 1000000);
			}
			$n++;
			print "__REALTIME_TIMESTAMP=", $last + $n % 1000, "\n_HOSTNAME=$host\n";
			print "SYSLOG_IDENTIFIER=etcd\n_SYSTEMD_UNIT=etcd.service\n_TRANSPORT=stdout\nPRIORITY=6\nMESSAGE=$l\n\n";
		}' "$2" <"$1" | "$jr" -o "$3" - 2>/dev/null
}
