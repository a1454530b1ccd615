# shellcheck shell=bash
# Real faults injected into members of a tests/lib/cluster.sh cluster, and the truth read back
# from etcd itself (etcdctl, its logs), never from the probe under test. Recipes from
# ../shared/LAB_NOTES.md "Real faults to inject into real members".
#
# Sourced after tests/lib/cluster.sh (same shell: state lives in its variables); a fault script
# sources it first of all and calls faults_setup (which sources the rest).
#   faults_setup WHO SCRIPT [ARGS]   a fault script's preamble: TOP (the repository root), the
#                                    namespace, the libraries, the probe, ETCD_VERSION
#   faults_enter_own_ns SCRIPT [ARGS]  re-runs SCRIPT inside a network and mount namespace of its
#                                    own (the packages and ETCD_VERSION fetched before); inside it,
#                                    loopback up
#   faults_probe_timed [ARGS]        one etcd-probe --cluster run (probe_run) on every member, -t
#                                    FAULTS_T; counted, and counted again past -t + 0.5 s
#   faults_leader                    index of the member that leads now (etcdctl), empty if none
#   faults_wait_leader_not I [S]     waits until a member other than I leads; prints it
#   faults_freeze I / faults_thaw I  SIGSTOP / SIGCONT member I by its PID
#   faults_member_start_slow I US    (re)starts member I under strace: every fdatasync/fsync
#                                    delayed by US microseconds; CLUSTER_PIDS[I] is etcd itself
#   faults_fill_quota I              puts 80 KB values through member I until NOSPACE; prints the
#                                    index of the member etcd's alarm list names
#   faults_clear_nospace             deletes the fill, compacts, defragments, disarms
#   faults_own_uid_wrapper           prints a wrapper for ETCD= that runs member I as uid
#                                    FAULTS_UID_BASE+I (the partition rules match members by uid)
#   faults_nft_isolate I [J...] / faults_nft_cut I J / faults_nft_clear
#                                    nftables rules, each call replacing the last one's (only inside the caller's own network
#                                    namespace: faults_in_own_netns must be true)
#   faults_churn_leader ROUNDS       stops the leader until another leads and restarts it, ROUNDS
#                                    times (m1 hands leadership on first, so one member sees all);
#                                    FAULTS_CHURNED: the rounds done

FAULTS_UID_BASE=${FAULTS_UID_BASE:-47000}
FAULTS_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# faults_setup WHO SCRIPT [ARGS]: what every fault script does first: into the repository root
# (TOP), into a namespace of its own (faults_enter_own_ns: SCRIPT ARGS run again there), then
# tests/lib/cluster.sh, probe-check.sh and etcd-versions.sh sourced, the probe binary required
# (probe_require exits 1 without it), ETCD_VERSION put on PATH, EC keys for the cluster (those files are
# sourced inside this function: cluster.sh declares its arrays -g). Returns 2 after one line
# "WHO: ..." when the harness cannot run.
faults_setup() {
	local who=$1 script
	script=$(realpath "$2") || return 2
	shift 2
	cd "$FAULTS_LIB_DIR/../.." || return 2
	TOP=$PWD
	faults_enter_own_ns "$script" "$@" || { echo "$who: no network namespace of its own"; return 2; }
	# shellcheck source=tests/lib/cluster.sh
	. "$TOP/tests/lib/cluster.sh"
	# shellcheck source=tests/lib/probe-check.sh
	. "$TOP/tests/lib/probe-check.sh"
	probe_require
	# shellcheck source=tests/lib/etcd-versions.sh
	. "$TOP/tests/lib/etcd-versions.sh"
	etcd_use_version || { echo "$who: etcd ${ETCD_VERSION:-on PATH} not available"; return 2; }
	export CLUSTER_KEY_ALG=ec
}

# faults_enter_own_ns SCRIPT [ARGS]: outside the namespace, what needs the network happens (the
# packages, the ETCD_VERSION download), then SCRIPT ARGS is executed again (exec: this call does
# not return) inside a network and mount namespace of its own (unshare): nft rules can only land
# there, 127.0.X.* is private to it, a tmpfs mounted there is gone with it. Inside (FAULTS_IN_NS=1
# from that exec): brings loopback up. Returns non-zero when something is missing. `time` is GNU
# time, for the soak's max RSS of each probe run.
faults_enter_own_ns() {
	if [ "${FAULTS_IN_NS:-}" != 1 ]; then
		sh "$FAULTS_LIB_DIR/need-packages.sh" nftables strace util-linux procps time >&2 || return 1
		if [ -n "${ETCD_VERSION:-}" ]; then
			bash "$FAULTS_LIB_DIR/etcd-versions.sh" dir "$ETCD_VERSION" >/dev/null || return 1
		fi
		FAULTS_IN_NS=1 exec unshare --net --mount --propagation private bash "$@"
	fi
	ip link set lo up || { echo "# loopback does not come up in the test's network namespace"; return 1; }
}

# faults_probe_timed [ARGS]: one etcd-probe --cluster run (probe_run of tests/lib/probe-check.sh)
# on every member with PROBE_CERT and PROBE_KEY (default the harness's client certificate) and
# -t FAULTS_T (default 5); counts it in FAULTS_PROBE_RUNS, and again in FAULTS_PROBE_OVERRUNS when
# it ran past -t + 0.5 s (the probe's own contract).
FAULTS_PROBE_RUNS=0
FAULTS_PROBE_OVERRUNS=0
faults_probe_timed() {
	local t=${FAULTS_T:-5}
	probe_run --endpoints="$(cluster_endpoints)" --cluster --cacert "$CLUSTER_DIR/ca/ca.pem" \
		--cert "${PROBE_CERT:-$CLUSTER_DIR/client.pem}" --key "${PROBE_KEY:-$CLUSTER_DIR/client-key.pem}" \
		-t "$t" "$@"
	FAULTS_PROBE_RUNS=$((FAULTS_PROBE_RUNS + 1))
	if [ "$PROBE_MS" -gt $((t * 1000 + 500)) ]; then
		FAULTS_PROBE_OVERRUNS=$((FAULTS_PROBE_OVERRUNS + 1))
		echo "# probe ran ${PROBE_MS} ms, past -t $t + 0.5 s"
	fi
}

# faults_status_json: `etcdctl endpoint status` of every running member not in FAULTS_SKIP (a
# list of indices: frozen or cut-off members, whose own word is not the cluster's), JSON.
faults_status_json() {
	local i eps=
	for i in "${!CLUSTER_PIDS[@]}"; do
		[[ " ${FAULTS_SKIP:-} " == *" $i "* ]] && continue
		[ -n "${CLUSTER_PIDS[$i]}" ] && eps+=${eps:+,}$(member_url "$i")
	done
	[ -n "$eps" ] || return 1
	ETCDCTL_API=3 timeout 10 "${ETCDCTL:-etcdctl}" --endpoints="$eps" \
		--cacert="$CLUSTER_DIR/ca/ca.pem" --cert="$CLUSTER_DIR/client.pem" \
		--key="$CLUSTER_DIR/client-key.pem" --command-timeout=2s --dial-timeout=1s \
		endpoint status -w json 2>/dev/null
}

# faults_leader: prints the index I of the member whose own Status says it leads (mI's name is
# taken from its client URL's last octet, as cluster.sh numbers them).
faults_leader() {
	faults_status_json | python3 -c '
import json, sys
try:
    rows = json.load(sys.stdin)
except ValueError:
    sys.exit(1)
for r in rows:
    s = r["Status"]
    if s["header"]["member_id"] == s["leader"]:
        print(r["Endpoint"].rsplit(":", 1)[0].rsplit(".", 1)[1])
        break
' 2>/dev/null
}

# faults_member_id_hex I: member I's ID in hex, as etcdctl move-leader wants it.
faults_member_id_hex() {
	cluster_etcdctl "$1" endpoint status -w json 2>/dev/null |
		python3 -c 'import json,sys; print("%x" % json.load(sys.stdin)[0]["Status"]["header"]["member_id"])'
}

# faults_wait_leader_not I [SECONDS]: waits (default 15 s) until a member other than I leads
# (I=0: any leader); prints its index.
faults_wait_leader_not() {
	local not=$1 end l
	end=$((SECONDS + ${2:-15}))
	while [ "$SECONDS" -lt "$end" ]; do
		l=$(faults_leader)
		if [ -n "$l" ] && [ "$l" != "$not" ]; then echo "$l"; return 0; fi
		sleep 0.2
	done
	return 1
}

# faults_freeze I / faults_thaw I: the kernel still accepts TCP for a stopped process, nothing
# answers (LAB_NOTES).
faults_freeze() { kill -STOP "${CLUSTER_PIDS[$1]}"; }
faults_thaw() { kill -CONT "${CLUSTER_PIDS[$1]}"; }

# faults_member_start_slow I US: starts member I (stopped before) under strace's delay injection.
# strace is the started process; etcd, its child, gets the PID the harness stops (etcd exits on
# SIGTERM, then strace does); strace's own PID is stopped at exit too. etcd is a Go binary that
# makes syscalls directly: LD_PRELOAD cannot slow it, strace's injection can.
faults_member_start_slow() {
	local i=$1 us=$2 wrapper tracer child k c exe strace_exe
	command -v strace >/dev/null || { cluster_log "strace missing"; return 1; }
	wrapper=$CLUSTER_DIR/etcd-slow-disk-$i
	cat >"$wrapper" <<-EOW
		#!/bin/sh
		exec strace -f -qq -e trace=fdatasync,fsync -e inject=fdatasync,fsync:delay_enter=$us -o /dev/null $(command -v "${ETCD:-etcd}") "\$@"
	EOW
	chmod +x "$wrapper"
	ETCD=$wrapper member_start "$i" || return 1
	tracer=$(member_pid "$i")
	cluster_atexit "cluster_stop_pid $tracer 5"
	# strace's child once it is etcd: not before its exec, and not the short-lived child strace
	# forks at start to test ptrace's options (taken for etcd, it "exited" at once: m3's
	# restart under strace in probe_metrics_faults, CI on d280015)
	child=
	strace_exe=$(readlink -f "$(command -v strace)")
	for ((k = 0; k < 50; k++)); do
		for c in $(pgrep -P "$tracer"); do
			exe=$(readlink "/proc/$c/exe" 2>/dev/null) || continue
			[ -n "$exe" ] && [ "$exe" != "$strace_exe" ] && { child=$c; break; }
		done
		[ -n "$child" ] && break
		sleep 0.1
	done
	[ -n "$child" ] || { cluster_log "m$i: no etcd under strace"; return 1; }
	CLUSTER_PIDS[i]=$child
}

# faults_fill_quota I: 80 KB puts through member I (at most 60) until etcd refuses with
# `database space exceeded`; then prints the index of the member `alarm list` names.
faults_fill_quota() {
	local i=$1 value k out id
	value=$(head -c 81920 /dev/zero | tr '\0' x)
	for ((k = 0; k < 60; k++)); do
		if ! out=$(cluster_etcdctl "$i" put "fill/$k" "$value" 2>&1); then
			[[ $out == *"database space exceeded"* ]] && break
			cluster_log "put $k through m$i failed: $out"
			return 1
		fi
	done
	id=$(cluster_etcdctl "$i" alarm list 2>/dev/null | sed -n 's/^memberID:\([0-9]*\) alarm:NOSPACE.*/\1/p' | head -n 1)
	[ -n "$id" ] || { cluster_log "no NOSPACE alarm after $k puts"; return 1; }
	faults_status_json | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    if str(r["Status"]["header"]["member_id"]) == sys.argv[1]:
        print(r["Endpoint"].rsplit(":", 1)[0].rsplit(".", 1)[1])
' "$id"
}

# faults_clear_nospace: frees the space and disarms: delete the fill, compact to the current
# revision, defragment every member, disarm (etcd keeps refusing writes until the alarm is gone).
faults_clear_nospace() {
	local rev
	cluster_etcdctl all del --prefix fill/ >/dev/null || return 1
	rev=$(cluster_etcdctl 1 endpoint status -w json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Status"]["header"]["revision"])') || return 1
	cluster_etcdctl 1 compaction --physical "$rev" >/dev/null || return 1
	cluster_etcdctl all defrag >/dev/null || return 1
	cluster_etcdctl 1 alarm disarm >/dev/null
}

# faults_own_uid_wrapper: writes (once) and prints a wrapper for ETCD= that runs the member named
# mI as uid/gid FAULTS_UID_BASE+I, after giving that uid its data dir, certificate and key and
# letting it through to the CA. On loopback a member's outgoing peer connections leave from
# 127.0.0.1 whatever member makes them (LAB_NOTES): its uid is what tells them apart.
faults_own_uid_wrapper() {
	local w=$CLUSTER_DIR/etcd-own-uid
	if [ ! -x "$w" ]; then
		cat >"$w" <<-EOW
			#!/bin/sh
			name= data= cert= key=
			prev=
			for a in "\$@"; do
				case \$prev in
				--name) name=\$a ;; --data-dir) data=\$a ;; --cert-file) cert=\$a ;; --key-file) key=\$a ;;
				esac
				prev=\$a
			done
			u=\$(( $FAULTS_UID_BASE + \${name#m} ))
			mkdir -p "\$data" && chown -R "\$u:\$u" "\$data" && chown "\$u:\$u" "\$cert" "\$key" || exit 1
			chmod o+x "$CLUSTER_DIR" "$CLUSTER_DIR/ca" && chmod o+r "$CLUSTER_DIR/ca/ca.pem" || exit 1
			exec setpriv --reuid="\$u" --regid="\$u" --clear-groups $(command -v "${ETCD:-etcd}") "\$@"
		EOW
		chmod +x "$w"
	fi
	echo "$w"
}

# faults_in_own_netns: true when this shell runs in a network namespace other than PID 1's
# (nft rules may only go there).
faults_in_own_netns() {
	[ "$(readlink /proc/self/ns/net)" != "$(readlink /proc/1/ns/net 2>/dev/null)" ]
}

# faults_nft RULES: replaces the rules of the table `inet faults` with RULES (nft syntax, one per
# line), in one transaction: a change from one set of cut members to another never lets traffic
# through in between.
faults_nft() {
	faults_in_own_netns || { cluster_log "refusing nft rules outside the test's own netns"; return 1; }
	{
		echo "table inet faults"
		echo "flush table inet faults"
		echo "table inet faults {"
		echo "chain out {"
		echo "type filter hook output priority 0; policy accept;"
		cat
		echo "}"
		echo "}"
	} | nft -f -
}

# faults_nft_isolate I [J...]: cuts each member listed off from both its peers (its peer port,
# both ways), clients still reach it: drops what reaches I's :2380, what I's :2380 sends, and what
# I (by its uid) sends to any :2380. Every packet matches, so open connections stall as well.
# Replaces the rules of an earlier call (faults_nft).
faults_nft_isolate() {
	local i ip
	for i in "$@"; do
		ip=$(cluster_ip "$i")
		echo "ip daddr $ip tcp dport 2380 counter drop"
		echo "ip saddr $ip tcp sport 2380 counter drop"
		echo "meta skuid $((FAULTS_UID_BASE + i)) tcp dport 2380 counter drop"
	done | faults_nft
}

# faults_nft_cut I J: cuts the peer link between members I and J only (each one's connections to
# the other's :2380); both still reach the third member. Replaces the rules of an earlier call.
faults_nft_cut() {
	faults_nft <<-EOR
		meta skuid $((FAULTS_UID_BASE + $1)) ip daddr $(cluster_ip "$2") tcp dport 2380 counter drop
		meta skuid $((FAULTS_UID_BASE + $2)) ip daddr $(cluster_ip "$1") tcp dport 2380 counter drop
		ip saddr $(cluster_ip "$1") tcp sport 2380 ip daddr $(cluster_ip "$2") counter drop
		ip saddr $(cluster_ip "$2") tcp sport 2380 ip daddr $(cluster_ip "$1") counter drop
	EOR
}

# faults_nft_dropped: total packets the faults rules dropped (the proof the partition bites).
faults_nft_dropped() {
	nft list table inet faults 2>/dev/null | awk '/counter packets/ { for (i = 1; i < NF; i++) if ($i == "packets") n += $(i + 1) } END { print n + 0 }'
}

# faults_nft_clear: removes the table (no error when there is none).
faults_nft_clear() {
	faults_in_own_netns || return 1
	nft list table inet faults >/dev/null 2>&1 || return 0
	nft delete table inet faults
}

# faults_churn_leader ROUNDS: ROUNDS times, the leader (never m1: when m1 leads, leadership moves
# to m2 first) is stopped until another member leads, then restarted and waited for. Sets
# FAULTS_CHURNED to the number of rounds done (it starts members: call it in the main shell).
faults_churn_leader() {
	local rounds=$1 done_=0 old r
	for ((r = 1; r <= rounds; r++)); do
		old=$(faults_wait_leader_not 0) || break
		if [ "$old" = 1 ]; then
			cluster_etcdctl 1 move-leader "$(faults_member_id_hex 2)" >/dev/null 2>&1 || break
			old=$(faults_wait_leader_not 1) || break
		fi
		member_stop "$old"
		faults_wait_leader_not "$old" >/dev/null || break
		member_start "$old"
		member_wait_healthy "$old" 30 || break
		done_=$((done_ + 1))
	done
	# shellcheck disable=SC2034 # read by the caller
	FAULTS_CHURNED=$done_
}
