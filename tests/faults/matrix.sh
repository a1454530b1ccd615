#!/usr/bin/env bash
# The fault matrix (issue 15): real faults injected into a fresh real 3-member mutual-TLS cluster
# per row; etcd-probe --cluster's verdict, the member it names and its reason, and etcd-diag's top
# finding (live checks plus the members' logs) compared with the injected truth; then the fault
# undone and the probe's return to OK checked. One TAP line per row, the figures at the end.
#
#   ETCD_VERSION=3.4|3.5.16 bash tests/faults/matrix.sh
#   FAULTS_ROWS=REGEX   only rows whose name (KIND/POSITION) matches
#   FAULTS_SHORT=1      one row per fault kind (the first), for make check
#   FAULTS_T=S          the probe's and diag's -t (default 5)
#   FAULTS_KEEP=1       keep each row's cluster dir (logs, probe output)
#
# The whole run is inside a network and mount namespace of its own (unshare): the nft rules of the
# partition rows can only land there, and 127.0.X.* is private to it.
# Exit 1 when a row is wrong or a must-be-0 figure is not 0; 2 when the harness cannot run.
set -u
# shellcheck source=tests/lib/faults.sh
. "$(dirname "$0")/../lib/faults.sh" || exit 2
faults_setup "not ok - setup" "$0" "$@" || exit 2
DIAG=${ETCD_DIAG:-$TOP/build/etcd-diag}
[ -x "$DIAG" ] || { echo "not ok - etcd-diag binary present at $DIAG"; exit 2; }
FT=${FAULTS_T:-5}
# a run past -t + 0.5 s is counted (the probe's own contract; faults_probe_timed counts the row's
# own runs, series_judge the rolling restart's)
FT_MAX_MS=$((FT * 1000 + 500))

# ---- the table -------------------------------------------------------------------------------
# kind;position;start;inject;undo;quorum;state;member;reason;not_reason;diag
#   position  leader | follower | any: the member T the fault goes into (the leader, or a follower)
#   start     plain | quota (--quota-backend-bytes=1 MiB) | own_uids (each member its own uid, for
#             the nft rules)
#   quorum    held | lost: the truth that false-CRITICAL is judged by
#   state     ERE on the probe's state word (OK, WARNING, CRITICAL, UNKNOWN)
#   member    the members whose lines must be non-OK (while the quorum holds, the only ones): T,
#             T+O (O: another member, a follower), all, A (the member etcd's alarm list names),
#             T* (T, others may be non-OK too: a slow leader slows every member's quorum reads),
#             T:url (T, named by its URL only: a member removed is in no member list to name it),
#             - (not judged)
#   reason    ERE that T's line (member T/T+O/A: that member's line; else the whole output) matches
#   not_reason  ERE it must not match (empty: none)
#   diag      ERE on etcd-diag's warning and critical findings as "code@member ..." in its order
#             (empty: not judged; "^X@[^ ]*$": X is the one finding);
#             {T} {O} {A} {IPT} {IPO} are replaced in reason, not_reason and diag
FAULT_ROWS=(
	"stopped;follower;plain;inject_stop;undo_start;held;WARNING;T;connection refused;;^member-down@m{T}( |$)"
	"stopped;leader;plain;inject_stop;undo_start;held;WARNING;T;connection refused;;^member-down@m{T}( |$)"
	"two-stopped;follower;plain;inject_stop_two;undo_start_two;lost;CRITICAL;T+O;connection refused;;^quorum-lost@"
	"two-stopped;leader;plain;inject_stop_two;undo_start_two;lost;CRITICAL;T+O;connection refused;;^quorum-lost@"
	"all-down;any;plain;inject_stop_all;undo_start_all;lost;CRITICAL;all;connection refused;;^(quorum-lost|member-down)@"
	"frozen;follower;plain;inject_freeze;undo_thaw;held;WARNING;T;(not answering|hung|overloaded|stopped);(once its cluster has a leader|no leader);^(endpoint-unhealthy|peer-unreachable|overloaded)@m{T}( |$)"
	"frozen;leader;plain;inject_freeze;undo_thaw;held;WARNING;T;(not answering|hung|overloaded|stopped);(once its cluster has a leader|no leader);^(endpoint-unhealthy|peer-unreachable|overloaded)@m{T}( |$)"
	"nospace;follower;quota;inject_nospace;undo_nospace;held;CRITICAL;-;NOSPACE.*m{A}|m{A}.*NOSPACE;;^nospace-alarm@"
	"nospace;leader;quota;inject_nospace;undo_nospace;held;CRITICAL;-;NOSPACE.*m{A}|m{A}.*NOSPACE;;^nospace-alarm@"
	"cert-swapped;follower;plain;inject_swap_cert;undo_own_cert;held;WARNING;T;certificate is valid for 127\\.0\\.0\\.1, {IPO}, not {IPT};;^cert-san-mismatch@m{T}( |$)"
	"cert-swapped;leader;plain;inject_swap_cert;undo_own_cert;held;WARNING;T;certificate is valid for 127\\.0\\.0\\.1, {IPO}, not {IPT};;^cert-san-mismatch@m{T}( |$)"
	"client-cert-expired;any;plain;inject_client_expired;undo_client_cert;held;CRITICAL;-;expired;;^(client-cert-rejected|cert-expired)@[^ ]*$"
	"partitioned;follower;own_uids;inject_isolate;undo_nft;held;WARNING;T;.;;^peer-unreachable@m{T}( |$)"
	"partitioned;leader;own_uids;inject_isolate;undo_nft;held;WARNING;T;.;;^peer-unreachable@m{T}( |$)"
	"split-1-from-2;follower;own_uids;inject_split;undo_nft;held;OK|WARNING;-;.;;"
	"split-1-from-2;leader;own_uids;inject_split;undo_nft;held;OK|WARNING;-;.;;"
	"slow-disk;follower;plain;inject_slow;undo_slow;held;WARNING|CRITICAL;T;fsync;;^slow-disk@m{T}( |$)"
	"slow-disk;leader;plain;inject_slow;undo_slow;held;WARNING|CRITICAL;T*;fsync;;^slow-disk@m{T}( |$)"
	"leader-churn;leader;plain;inject_churn;undo_churn;held;WARNING;-;leader changes in 15 min: [4-9];;^leader-churn@"
	# a wiped member bootstrapped again never completes a TLS handshake (it waits for a quorum of
	# its own cluster): from outside the probe can only say it is not part of the others' cluster;
	# the cluster-ID mismatch itself is in its peers' logs, which is diag's to name
	"wiped;follower;plain;inject_wipe;undo_wipe;held;WARNING;T;(cluster.?ID|not joined to their cluster);(once its cluster has a leader|no leader);^cluster-id-mismatch@m{T}( |$)"
	"wiped;leader;plain;inject_wipe;undo_wipe;held;WARNING;T;(cluster.?ID|not joined to their cluster);(once its cluster has a leader|no leader);^cluster-id-mismatch@m{T}( |$)"
	# a full disk makes 3.4 and 3.5 exit (`cannot commit tx` / `failed to commit tx` ... `no space
	# left on device`): connection refused is what the probe can see; the cause is diag's
	"disk-full;follower;plain;inject_diskfull;undo_diskfull;held;WARNING;T;connection refused;;^disk-full@m{T}( |$)"
	"disk-full;leader;plain;inject_diskfull;undo_diskfull;held;WARNING;T;connection refused;;^disk-full@m{T}( |$)"
	# a member removed stops itself on 3.4 and 3.5; either way its URL is in no member list
	"removed;follower;plain;inject_remove;undo_remove;held;WARNING;T:url;not in the member list;;^member-removed@m{T}( |$)"
	"removed;leader;plain;inject_remove;undo_remove;held;WARNING;T:url;not in the member list;;^member-removed@m{T}( |$)"
	# the probe every 200 ms during the whole sequence; judge_series judges every run, this
	# row's single run after the sequence only says the cluster is back
	"rolling-restart;leader;plain;inject_rolling;undo_rolling;held;OK|WARNING;-;.;;"
	"rolling-restart;follower;plain;inject_rolling;undo_rolling;held;OK|WARNING;-;.;;"
	# the position is the voter stopped while the learner m4 runs; judge_learner: 2/3, m4 OK
	"learner;follower;plain;inject_learner;undo_learner;held;WARNING;T;connection refused;;^member-down@m{T}( |$)"
	"learner;leader;plain;inject_learner;undo_learner;held;WARNING;T;connection refused;;^member-down@m{T}( |$)"
)

# ---- inject / undo, one function each (T, O, L set by the runner; each returns non-zero when the
# fault could not be put in place, which fails the row without judging the product) ------------

# log_mark I: remembers how long member I's log is, for log_wait.
declare -A LOG_MARK=()
log_mark() { LOG_MARK[$1]=$(wc -c <"$(member_log "$1")"); }
# log_wait I ERE [SECONDS]: waits (default 20 s) until member I logged a line matching ERE since
# its log_mark: etcd's own word that the fault bites.
log_wait() {
	local i=$1 re=$2 end
	end=$((SECONDS + ${3:-20}))
	while [ "$SECONDS" -lt "$end" ]; do
		tail -c +"$((${LOG_MARK[$i]:-0} + 1))" "$(member_log "$i")" | grep -qE -- "$re" && return 0
		sleep 0.2
	done
	cluster_log "m$i logged no /$re/ in ${3:-20}s"
	return 1
}

inject_stop() { member_stop "$T"; }
undo_start() { member_start "$T" && member_wait_healthy "$T" 30; }
inject_stop_two() { member_stop "$T" && member_stop "$O"; }
undo_start_two() { member_start "$T" && member_start "$O" && cluster_wait_healthy 30; }
inject_stop_all() { member_stop 1 && member_stop 2 && member_stop 3; }
undo_start_all() { member_start 1 && member_start 2 && member_start 3 && cluster_wait_healthy 30; }

# a frozen leader: the truth includes a new leader among the two others
inject_freeze() {
	faults_freeze "$T" || return 1
	FAULTS_SKIP=$T
	if [ "$T" = "$L" ]; then
		NEW_LEADER=$(faults_wait_leader_not "$T" 20) || return 1
		echo "# m$NEW_LEADER leads after m$T froze"
	fi
}
undo_thaw() { faults_thaw "$T" && FAULTS_SKIP= && cluster_wait_healthy 30; }

# every put goes through T, so T is the member that finds the quota exceeded (A: the one etcd's
# alarm list names, the truth the probe is judged by)
inject_nospace() {
	A=$(faults_fill_quota "$T") && [ -n "$A" ] || return 1
	echo "# NOSPACE raised by m$A (puts through m$T)"
}
undo_nospace() { faults_clear_nospace; }

inject_swap_cert() {
	member_stop "$T" || return 1
	MEMBER_CERT=$CLUSTER_DIR/m$O.pem MEMBER_KEY=$CLUSTER_DIR/m$O-key.pem member_start "$T" || return 1
	member_wait_tls "$T" 20
}
undo_own_cert() { member_stop "$T" && member_start "$T" && member_wait_healthy "$T" 30; }

inject_client_expired() {
	cluster_leaf cexpired root "" clientAuth ca dated "$(cluster_date '-30 days')" "$(cluster_date '-1 day')" || return 1
	PROBE_CERT=$CLUSTER_DIR/cexpired.pem PROBE_KEY=$CLUSTER_DIR/cexpired-key.pem
}
undo_client_cert() { PROBE_CERT=$CLUSTER_DIR/client.pem PROBE_KEY=$CLUSTER_DIR/client-key.pem; }

# lost peer links as etcd 3.4 (capnslog) and 3.5 (zap) word them
PEER_LOST_RE='lost (the )?TCP streaming connection|peer .* became inactive|health check for peer .* could not connect|prober detected unhealthy status'

# cut T off both peers; the truth: its peers say they lost it, and, when T led, another leads
inject_isolate() {
	local i
	for i in 1 2 3; do [ "$i" != "$T" ] && log_mark "$i"; done
	faults_nft_isolate "$T" || return 1
	FAULTS_SKIP=$T
	for i in 1 2 3; do
		[ "$i" = "$T" ] && continue
		log_wait "$i" "$PEER_LOST_RE" 20 || return 1
	done
	if [ "$T" = "$L" ]; then
		NEW_LEADER=$(faults_wait_leader_not "$T" 20) || return 1
		echo "# m$NEW_LEADER leads after m$T was cut off"
	fi
	echo "# nft dropped $(faults_nft_dropped) packets"
}
undo_nft() { faults_nft_clear && FAULTS_SKIP= && cluster_wait_healthy 30; }

# cut T from one peer P only (the leader when T follows, else a follower); both reach the third
inject_split() {
	local p
	if [ "$T" = "$L" ]; then p=$O; else p=$L; fi
	log_mark "$p"
	faults_nft_cut "$T" "$p" || return 1
	log_wait "$p" "$PEER_LOST_RE" 20 || return 1
	echo "# m$T cut from m$p only; nft dropped $(faults_nft_dropped) packets"
}

# T restarted under a 1.2 s fsync delay (etcd warns from 1 s); as leader, leadership moved to it
inject_slow() {
	local k
	member_stop "$T" || return 1
	log_mark "$T"
	faults_member_start_slow "$T" 1200000 || return 1
	member_wait_healthy "$T" 40 || return 1
	if [ "$T" = "$L" ] && [ "$(faults_leader)" != "$T" ]; then
		cluster_etcdctl "$(faults_leader)" move-leader "$(faults_member_id_hex "$T")" >/dev/null 2>&1 ||
			echo "# move-leader to m$T refused"
	fi
	# the puts only make WAL syncs happen (one may time out behind the slow member: no matter);
	# the truth is etcd's own warning, 3.4's `sync duration of`, 3.5's `slow fdatasync`
	for ((k = 1; k <= 4; k++)); do
		cluster_etcdctl "$O" put "slow/$k" v >/dev/null 2>&1 || echo "# put slow/$k through m$O failed"
	done
	log_wait "$T" 'sync duration of|slow fdatasync' 20
}
undo_slow() { member_stop "$T" 20 && member_start "$T" && member_wait_healthy "$T" 30; }

inject_churn() {
	faults_churn_leader 4
	echo "# $FAULTS_CHURNED rounds: the leader stopped, another elected, the old one restarted"
	[ "$FAULTS_CHURNED" -ge 4 ]
}
# the peer round trips of the restarts stay in the p99 as the leader changes do in their count
undo_churn() { RECOVER_ARGS=(-w "leader_changes=none,peer_rtt_p99=none"); }

# T wiped and started with another --initial-cluster-token: a cluster of its own that never gets
# a leader; the truth: its old peers log `request cluster ID mismatch` (LAB_NOTES). Its data dir
# is kept aside, so the undo puts the old member back.
inject_wipe() {
	local i
	member_stop "$T" || return 1
	mv "$CLUSTER_DIR/m$T.data" "$CLUSTER_DIR/m$T.saved" || return 1
	for i in 1 2 3; do [ "$i" != "$T" ] && log_mark "$i"; done
	CLUSTER_TOKEN=wiped-$RANDOM member_start "$T" || return 1
	FAULTS_SKIP=$T
	for i in 1 2 3; do
		[ "$i" != "$T" ] && log_wait "$i" 'cluster ID mismatch' 20 && return 0
	done
	return 1
}
undo_wipe() {
	member_stop "$T" && rm -rf "$CLUSTER_DIR/m$T.data" && mv "$CLUSTER_DIR/m$T.saved" "$CLUSTER_DIR/m$T.data" &&
		FAULTS_SKIP='' && member_start "$T" && member_wait_healthy "$T" 30
}

# T's data dir moved onto a tmpfs of its own (inside the run's mount namespace), then the tmpfs
# filled to the last page and writes put through the cluster until T's next write to its data
# dir fails: etcd's own word (`no space left on device`) is the truth that the fault bites.
# WAL segments are preallocated (64 MiB each, the next one ahead), so the tmpfs holds those.
DISK_FULL_MB=200
inject_diskfull() {
	local d=$CLUSTER_DIR/m$T.data k
	member_stop "$T" || return 1
	mv "$d" "$d.moved" && mkdir -m 700 "$d" || return 1
	mount -t tmpfs -o "size=${DISK_FULL_MB}m,mode=700" "faults-m$T" "$d" || return 1
	cluster_atexit "umount -l '$d'"
	cp -a "$d.moved/." "$d/" && rm -rf "$d.moved" || return 1
	member_start "$T" && member_wait_healthy "$T" 30 || return 1
	log_mark "$T"
	# fills what is left: dd ends at ENOSPC, which is the point (the file is its proof)
	dd if=/dev/zero of="$d/filler" bs=64k 2>/dev/null
	[ "$(df --output=avail -k "$d" | tail -n 1 | tr -d ' ')" -lt 64 ] || { cluster_log "tmpfs not full"; return 1; }
	# 1 MiB values (under etcd's 1.5 MiB request limit) from a file, on stdin: 3.5's bbolt
	# file has 16 MiB allocated ahead, 3.4's grows as it goes
	head -c 1048576 /dev/zero | tr '\0' x >"$CLUSTER_DIR/value-1m"
	for ((k = 0; k < 40; k++)); do
		cluster_etcdctl "$O" put "full/$k" <"$CLUSTER_DIR/value-1m" >/dev/null 2>&1 || echo "# put full/$k through m$O failed"
		tail -c +"$((${LOG_MARK[$T]:-0} + 1))" "$(member_log "$T")" | grep -q 'no space left on device' && break
	done
	log_wait "$T" 'no space left on device' 10 || return 1
	echo "# m$T ran out of space after $((k + 1)) puts; it $(kill -0 "${CLUSTER_PIDS[$T]}" 2>/dev/null && echo runs || echo exited)"
}
# the space freed; T started again if etcd ended itself
undo_diskfull() {
	rm -f "$CLUSTER_DIR/m$T.data/filler" || return 1
	if ! kill -0 "${CLUSTER_PIDS[$T]}" 2>/dev/null; then
		member_stop "$T" && member_start "$T" || return 1
	fi
	member_wait_healthy "$T" 30
}

# T removed from the member list while it runs (etcdctl member remove through O). The truth:
# etcd's own word on T (3.4 and 3.5 stop a member that learns of its removal: `the member has
# been permanently removed from the cluster`) or on its peers (`... removed member`).
inject_remove() {
	local id k
	id=$(faults_member_id_hex "$T") && [ -n "$id" ] || return 1
	log_mark "$T"
	for ((k = 0; k < 20; k++)); do
		cluster_etcdctl "$O" member remove "$id" >/dev/null 2>"$CLUSTER_DIR/remove.err" && break
		sleep 0.5
	done
	[ "$k" -lt 20 ] || { cat "$CLUSTER_DIR/remove.err" >&2; return 1; }
	log_wait "$T" 'permanently removed from the cluster|removed member' 20 || return 1
	for ((k = 0; k < 50; k++)); do kill -0 "${CLUSTER_PIDS[$T]}" 2>/dev/null || break; sleep 0.2; done
	echo "# m$T ($id) removed; it $(kill -0 "${CLUSTER_PIDS[$T]}" 2>/dev/null && echo still runs || echo exited)"
	# a leader removed steps down: the truth includes a new leader among the two others
	if [ "$T" = "$L" ]; then
		FAULTS_SKIP=$T
		NEW_LEADER=$(faults_wait_leader_not "$T" 20) || return 1
		echo "# m$NEW_LEADER leads after m$T was removed"
	fi
}
# T added again as a new member (a new ID), its data dir wiped, started to join the cluster
undo_remove() {
	local k
	member_stop "$T" && rm -rf "$CLUSTER_DIR/m$T.data" || return 1
	FAULTS_SKIP=
	for ((k = 0; k < 20; k++)); do
		cluster_etcdctl "$O" member add "m$T" --peer-urls="$(member_peer_url "$T")" >/dev/null 2>"$CLUSTER_DIR/add.err" && break
		sleep 0.5
	done
	[ "$k" -lt 20 ] || { cat "$CLUSTER_DIR/add.err" >&2; return 1; }
	member_start "$T" --initial-cluster-state existing && member_wait_healthy "$T" 30
}

# A rolling restart: each member stopped, started and waited for (healthy, then the whole
# cluster) in turn, T first, while series_loop runs the probe every 200 ms in the background.
# series.truth holds the member that is down (written once it is gone, emptied before it
# starts); each run records the truth before and after it, so a run that straddles a change is
# not judged. series_judge reads the record: never CRITICAL (one member down at a time: the quorum
# holds throughout), never OK while a member is down, that member on a non-OK line in every run
# of its downtime, and at least two such runs per member (each restart seen).
SERIES_BOUND=150
series_loop() {
	local end=$((SECONDS + SERIES_BOUND)) before after t0 rest
	# this subshell's probe output apart from the row's
	probe_outputs() { PROBE_OUT_FILE=$CLUSTER_DIR/series.out; PROBE_ERR_FILE=$CLUSTER_DIR/series.err; }
	while [ ! -e "$CLUSTER_DIR/series.stop" ] && [ "$SECONDS" -lt "$end" ]; do
		t0=$(date +%s%N)
		before=$(cat "$CLUSTER_DIR/series.truth")
		faults_probe_timed >/dev/null
		after=$(cat "$CLUSTER_DIR/series.truth")
		got=$(bad_members)
		echo "${before:--} ${after:--} $PROBE_RC $PROBE_MS ${got// /,}" >>"$CLUSTER_DIR/series"
		# what a wrong run said, for the row's report (the numbers of series are its lines)
		[ "$PROBE_RC" = 2 ] && sed "1s/ | .*//; s/^/$(wc -l <"$CLUSTER_DIR/series"): /" "$PROBE_OUT_FILE" >>"$CLUSTER_DIR/series.text"
		rest=$((200 - ($(date +%s%N) - t0) / 1000000))
		[ "$rest" -gt 0 ] && sleep "$(printf '0.%03d' "$rest")"
	done
}
# series_runs_down I: how many runs so far saw only member I down from start to end.
series_runs_down() { awk -v i="$1" '$1 == i && $2 == i { n++ } END { print n + 0 }' "$CLUSTER_DIR/series"; }
inject_rolling() {
	local order=("$T") i k series_pid
	for k in 1 2 3; do [ "$k" != "$T" ] && order+=("$k"); done
	: >"$CLUSTER_DIR/series" && : >"$CLUSTER_DIR/series.truth" || return 1
	series_loop &
	series_pid=$!
	cluster_atexit "touch '$CLUSTER_DIR/series.stop'; cluster_stop_pid $series_pid 10"
	for i in "${order[@]}"; do
		member_stop "$i" || return 1
		echo "$i" >"$CLUSTER_DIR/series.truth"
		# down long enough for two runs to see it (bounded: a run ends within -t + 0.5 s)
		for ((k = 0; k < 100 && $(series_runs_down "$i") < 2; k++)); do sleep 0.1; done
		: >"$CLUSTER_DIR/series.truth"
		member_start "$i" && member_wait_healthy "$i" 30 && cluster_wait_healthy 30 || return 1
		echo "# m$i restarted ($(series_runs_down "$i") runs while it was down)"
	done
	touch "$CLUSTER_DIR/series.stop"
	wait "$series_pid"
	ROW_JUDGE=judge_series
}
# the restarts' elections and peer round trips stay in the 15-minute figures
undo_rolling() { RECOVER_ARGS=(-w "leader_changes=none,peer_rtt_p99=none"); }

# judge_series: run_row's judgement of every run series_loop recorded (called by run_row, its
# variables in scope); the runs are counted into the figures.
judge_series() {
	local sj s_runs s_over s_fcrit s_fok s_unnamed s_unseen
	sj=$(series_judge "$CLUSTER_DIR/series")
	read -r s_runs s_over s_fcrit s_fok s_unnamed s_unseen <<<"$(head -n 1 <<<"$sj")"
	FAULTS_PROBE_RUNS=$((FAULTS_PROBE_RUNS + s_runs))
	FAULTS_PROBE_OVERRUNS=$((FAULTS_PROBE_OVERRUNS + s_over))
	echo "# series: $s_runs probe runs, $s_over past -t + 0.5 s, $s_fcrit CRITICAL, $s_fok OK with a member down, $s_unnamed without the member down named, $s_unseen restarts seen by fewer than 2 runs"
	[ "$s_fcrit" = 0 ] || { false_crit=1; verdict_ok=0; why+=("series: $s_fcrit runs CRITICAL while the quorum held"); }
	[ "$s_fok" = 0 ] || { false_ok=1; verdict_ok=0; why+=("series: $s_fok runs OK with a member down"); }
	[ "$s_unnamed" = 0 ] && [ "$s_unseen" = 0 ] || { member_ok=0; why+=("series: $s_unnamed runs did not name the member down, $s_unseen restarts unseen"); }
	[ "$s_runs" -gt 0 ] || why+=("series: no probe run recorded")
	tail -n +2 <<<"$sj" | sed 's/^/#   wrong run (truth before, after, exit, ms, named): /'
	[ ! -s "$CLUSTER_DIR/series.text" ] || sed 's/ | .*//; s/^/#     /' "$CLUSTER_DIR/series.text" | cut -c1-300 | head -n 12
}

# series_judge FILE: prints "runs overruns false_crit false_ok unnamed unseen", then a line per
# wrong run (from series_loop's record: truth before, after, exit code, ms, members named).
series_judge() {
	awk -v max="$FT_MAX_MS" '
		{ runs++; if ($4 > max) over++ }
		$3 == 2 { fcrit++; bad[++nb] = $0 " (CRITICAL, the quorum held)" }
		$1 == $2 && $1 != "-" {
			down[$1]++
			if ($3 == 0) { fok++; bad[++nb] = $0 " (OK with m" $1 " down)" }
			if (("," $5 ",") !~ ("," $1 ",")) { unnamed++; bad[++nb] = $0 " (m" $1 " not named)" }
		}
		END {
			for (i = 1; i <= 3; i++) if (down[i] < 2) unseen++
			print runs + 0, over + 0, fcrit + 0, fok + 0, unnamed + 0, unseen + 0
			for (k = 1; k <= nb && k <= 10; k++) print bad[k]
		}' "$1"
}

# A learner m4 (127.0.X.4, its own certificate) added and started, then the voter T stopped
# while it runs: the quorum is 2 of the 3 voters, held; the learner must not count in it
# (judge_learner: the summary says 2/3, m4's line is OK and says learner). The undo starts T,
# promotes m4 (etcd refuses until the learner has caught up: retried) and wants 4/4 healthy.
inject_learner() {
	local k
	cluster_cert m4 "$(cluster_ip 4)" >/dev/null || return 1
	# etcd refuses reconfiguration until its members have been connected for 5 s: retried
	for ((k = 0; k < 20; k++)); do
		cluster_etcdctl "$O" member add m4 --learner --peer-urls="$(member_peer_url 4)" >/dev/null 2>"$CLUSTER_DIR/add.err" && break
		sleep 0.5
	done
	[ "$k" -lt 20 ] || { cat "$CLUSTER_DIR/add.err" >&2; return 1; }
	member_start 4 --initial-cluster "$(cluster_initial 4)" --initial-cluster-state existing || return 1
	# a learner answers serializable reads once it has caught up (linearizable ones never)
	for ((k = 0; k < 60; k++)); do
		cluster_etcdctl 4 get --consistency=s learner/probe >/dev/null 2>&1 && break
		sleep 0.5
	done
	[ "$k" -lt 60 ] || { cluster_log "learner m4 not serving"; return 1; }
	member_stop "$T" || return 1
	if [ "$T" = "$L" ]; then
		NEW_LEADER=$(faults_wait_leader_not "$T" 20) || return 1
		echo "# m$NEW_LEADER leads after m$T stopped"
	fi
	echo "# learner m4 serving; voter m$T stopped"
	ROW_JUDGE=judge_learner
}
judge_learner() {
	local first l4
	first=$(head -n 1 "$PROBE_OUT_FILE" | sed 's/ | .*//')
	l4=$(member_line 4)
	[[ $first == *"quorum held (2/3)"* ]] || { verdict_ok=0; why+=("learner: the summary does not say quorum held (2/3): $first"); }
	[[ $l4 == "OK: "*" m4 "*learner* ]] || { verdict_ok=0; why+=("learner: m4's line is not OK as a learner: $l4"); }
}
undo_learner() {
	local k id
	member_start "$T" && member_wait_healthy "$T" 30 || return 1
	id=$(faults_member_id_hex 4) && [ -n "$id" ] || return 1
	for ((k = 0; k < 40; k++)); do
		cluster_etcdctl "$O" member promote "$id" >/dev/null 2>"$CLUSTER_DIR/promote.err" && break
		sleep 0.5
	done
	[ "$k" -lt 40 ] || { cat "$CLUSTER_DIR/promote.err" >&2; return 1; }
	echo "# m4 promoted after $k refusals"
	RECOVER_RE='4/4 members healthy'
}

# ---- one row --------------------------------------------------------------------------------

# subst S: S with {T} {O} {A} {IPT} {IPO} replaced (the IPs escaped for an ERE).
subst() {
	local s=$1
	s=${s//\{T\}/$T}
	s=${s//\{O\}/$O}
	s=${s//\{A\}/${A:-}}
	s=${s//\{IPT\}/$(re_escape "$(cluster_ip "$T")")}
	s=${s//\{IPO\}/$(re_escape "$(cluster_ip "$O")")}
	printf '%s' "$s"
}

# diag_codes [ARGS]: runs etcd-diag (live checks, every member's log); sets DIAG_CODES to its
# warning and critical findings as "code@member ..." in its order (spaces in a member: _) and DIAG_RC to its exit code (JSON in diag.json).
diag_codes() {
	local logs=() i
	for i in 1 2 3 4; do [ -e "$(member_log "$i")" ] && logs+=(--log-file "$(member_log "$i")"); done
	timeout -k 2 $((FT + 10)) "$DIAG" --no-config "${logs[@]}" --endpoints="$(cluster_endpoints)" \
		--cacert "$CLUSTER_DIR/ca/ca.pem" --cert "$PROBE_CERT" --key "$PROBE_KEY" -t "$FT" \
		--format=json "$@" >"$CLUSTER_DIR/diag.json" 2>"$CLUSTER_DIR/diag.err"
	DIAG_RC=$?
	DIAG_CODES=$(python3 -c '
import json, sys
try:
    d = json.load(open(sys.argv[1], encoding="utf-8"))
except ValueError as e:
    print("unparsable:%s" % e)
    sys.exit(0)
# info findings (an election at start) rank below every problem and are not problems
print(" ".join("%s@%s" % (f["code"], (f["member"] or "-").replace(" ", "_"))
               for f in d["findings"] if f["severity"] != "info"))
' "$CLUSTER_DIR/diag.json")
}

# bad_members: the member indices on non-OK lines of the last probe run (from their URLs:
# 127.0.X.I is mI), sorted, space-separated.
bad_members() {
	awk 'NR > 1 && $1 ~ /^(WARNING|CRITICAL|UNKNOWN):$/ { print $2 }' "$PROBE_OUT_FILE" |
		sed -n 's#^https://127\.0\.[0-9]*\.\([0-9]*\):2379$#\1#p' | sort -n -u | tr '\n' ' ' | sed 's/ $//'
}

# subset "A B" "A B C": true when every word of the first is in the second.
subset() {
	local w
	for w in $1; do [[ " $2 " == *" $w "* ]] || return 1; done
}

# member_line I: member I's line of the last probe run.
member_line() { grep -E "^[A-Z]+: $(re_escape "$(member_url "$1")") " "$PROBE_OUT_FILE"; }

# probe_text: what the operator reads: the first line without perfdata, and every member line.
probe_text() { { head -n 1 "$PROBE_OUT_FILE" | sed 's/ | .*//'; tail -n +2 "$PROBE_OUT_FILE"; cat "$PROBE_ERR_FILE"; }; }

# run_row NAME KIND POSITION START INJECT UNDO QUORUM STATE MEMBER REASON NOT_REASON DIAG:
# in a subshell of its own (its cluster's traps, its variables); appends one line of figures to
# $RESULTS and prints the row's TAP line.
run_row() {
	local name=$1 kind=$2 pos=$3 start=$4 inject=$5 undo=$6 quorum=$7 want_state=$8 want_member=$9
	local want_reason=${10} not_reason=${11} want_diag=${12}
	local why=() state got want line text codes diag_re verdict_ok=0 member_ok=0 diag_ok=0
	local false_ok=0 false_crit=0 recovered=0 diag_clean=0 k t_rec args=()
	# the count of the last 15 minutes holds the fault's own elections (a stopped leader, a lost
	# quorum): true, but history; recovery is judged without it
	# shellcheck disable=SC2034 # FAULTS_SKIP is read by tests/lib/faults.sh
	T='' O='' L='' A='' NEW_LEADER='' FAULTS_SKIP='' ROW_JUDGE='' RECOVER_RE=''
	RECOVER_ARGS=(-w leader_changes=none)
	echo "# --- $name ($kind: $inject, then $undo)"
	[ "${FAULTS_KEEP:-0}" = 1 ] && export CLUSTER_KEEP=1
	if ! cluster_init >/dev/null 2>&1; then
		echo "not ok - $name (cluster_init)"
		echo "$name 0 0 0 - 0 0 0 0 0 0 0" >>"$RESULTS"
		return 1
	fi
	PROBE_CERT=$CLUSTER_DIR/client.pem PROBE_KEY=$CLUSTER_DIR/client-key.pem
	case $start in
	quota) args=(--quota-backend-bytes=1048576) ;;
	own_uids)
		# shellcheck disable=SC2034 # ETCD is read by tests/lib/cluster.sh's member_start
		ETCD=$(faults_own_uid_wrapper)
		;;
	esac
	if ! cluster_start 3 "${args[@]}" 2>"$CLUSTER_DIR/start.err"; then
		sed 's/^/#   /' "$CLUSTER_DIR/start.err" | tail -n 10
		echo "not ok - $name (3-member cluster starts)"
		echo "$name 0 0 0 - 0 0 0 0 0 $FAULTS_PROBE_RUNS $FAULTS_PROBE_OVERRUNS" >>"$RESULTS"
		return 1
	fi
	if ! L=$(faults_wait_leader_not 0 15); then
		echo "not ok - $name (a leader)"
		echo "$name 0 0 0 - 0 0 0 0 0 $FAULTS_PROBE_RUNS $FAULTS_PROBE_OVERRUNS" >>"$RESULTS"
		return 1
	fi
	case $pos in
	leader) T=$L ;;
	*) for k in 1 2 3; do [ "$k" != "$L" ] && { T=$k; break; }; done ;;
	esac
	for k in 1 2 3; do [ "$k" != "$T" ] && [ "$k" != "$L" ] && { O=$k; break; }; done
	[ -n "$O" ] || for k in 1 2 3; do [ "$k" != "$T" ] && { O=$k; break; }; done
	echo "# leader m$L, fault on m$T, other m$O"

	faults_probe_timed
	if [ "$PROBE_RC" != 0 ]; then
		# a fresh cluster's lifetime figures (elections at start) are no fault: judged once more
		faults_probe_timed
	fi
	[ "$PROBE_RC" = 0 ] || why+=("baseline: the fresh cluster is not OK: $(head -n 1 "$PROBE_OUT_FILE" | cut -c1-200)")

	if ! "$inject" 2>"$CLUSTER_DIR/inject.err"; then
		sed 's/^/#   /' "$CLUSTER_DIR/inject.err" | tail -n 10
		echo "not ok - $name (fault could not be injected: $inject)"
		echo "$name 0 0 0 - 0 0 0 0 0 $FAULTS_PROBE_RUNS $FAULTS_PROBE_OVERRUNS" >>"$RESULTS"
		return 1
	fi

	# the probe against the truth
	faults_probe_timed
	state=$(probe_state_of "$PROBE_RC")
	text=$(probe_text)
	[[ $state =~ ^($want_state)$ ]] && verdict_ok=1 || why+=("probe said $state, truth $want_state")
	[[ OK =~ ^($want_state)$ ]] || { [ "$state" = OK ] && false_ok=1; }
	[ "$quorum" = held ] && [ "$state" = CRITICAL ] && ! [[ CRITICAL =~ ^($want_state)$ ]] && false_crit=1
	got=$(bad_members)
	case $want_member in
	T | T\* | T:url) want=$T ;;
	T+O) want=$(printf '%s\n' "$T" "$O" | sort -n | tr '\n' ' ' | sed 's/ $//') ;;
	A) want=$A ;;
	all) want="1 2 3" ;;
	*) want= ;;
	esac
	line=$text
	case $want_member in T | T\* | T+O | T:url) line=$(member_line "$T") ;; A) line=$(member_line "$A") ;; esac
	# every member at fault named; while the quorum holds, no other (once it is lost, the
	# survivors cannot serve a quorum read either and are rightly not OK)
	if [ -z "$want" ] || [ "$got" = "$want" ] || { [ "$quorum" = lost ] && subset "$want" "$got"; } ||
		{ [ "$want_member" = "T*" ] && subset "$want" "$got"; }; then
		member_ok=1
		# named: its line carries the member's name (from the member list), not only the URL
		case $want_member in
		T | T\* | T+O) [[ $line == *" m$T "* ]] || { member_ok=0; why+=("m$T's line lacks its name"); } ;;
		esac
	else
		why+=("probe named members {${got}}, truth {${want}}")
	fi
	if ! grep -qE -- "$(subst "$want_reason")" <<<"$line"; then
		why+=("reason: /$(subst "$want_reason")/ not in: $(head -c 300 <<<"$line")")
		verdict_ok=0
	fi
	if [ -n "$not_reason" ] && grep -qE -- "$(subst "$not_reason")" <<<"$line"; then
		why+=("reason: /$(subst "$not_reason")/ must not be in: $(head -c 300 <<<"$line")")
		verdict_ok=0
	fi
	cp "$PROBE_OUT_FILE" "$CLUSTER_DIR/probe-fault.out"

	# a row's own further truth (set by its inject: judge_series, judge_learner), judged here
	# with this function's variables (why, verdict_ok, member_ok, false_ok, false_crit)
	[ -z "$ROW_JUDGE" ] || "$ROW_JUDGE"

	diag_codes
	codes=$DIAG_CODES
	if [ -z "$want_diag" ]; then
		diag_ok=-
	else
		diag_re=$(subst "$want_diag")
		if [[ $codes =~ $diag_re ]]; then diag_ok=1; else why+=("diag: {$codes}, truth /$diag_re/"); fi
	fi
	echo "# probe: $state in ${PROBE_MS} ms; named {$got}; diag (exit $DIAG_RC): $codes"

	# undo, then the probe back to OK (polled, 45 s) and the diagnosis of the time since clean
	if "$undo" 2>"$CLUSTER_DIR/undo.err"; then
		for ((k = 0; k < 45; k++)); do
			faults_probe_timed "${RECOVER_ARGS[@]}"
			[ "$PROBE_RC" = 0 ] && head -n 1 "$PROBE_OUT_FILE" | grep -qE -- "${RECOVER_RE:-.}" && { recovered=1; break; }
			sleep 1
		done
	else
		sed 's/^/#   /' "$CLUSTER_DIR/undo.err" | tail -n 5
	fi
	if [ "$recovered" = 1 ]; then
		t_rec=$(date +%s)
		# lines logged after the recovery: a second's margin for the stamp's rounding
		diag_codes --since "@$((t_rec + 1))"
		codes=$DIAG_CODES
		if [ "$DIAG_RC" = 0 ]; then diag_clean=1; else why+=("diag after recovery: exit $DIAG_RC {$codes}"); fi
	else
		why+=("probe not OK within 45 s of the undo: $(head -n 1 "$PROBE_OUT_FILE" | sed 's/ | .*//' | cut -c1-200)")
	fi

	local row_ok=1
	[ ${#why[@]} -eq 0 ] || row_ok=0
	echo "$name 1 $verdict_ok $member_ok $diag_ok $false_ok $false_crit $recovered $diag_clean $row_ok $FAULTS_PROBE_RUNS $FAULTS_PROBE_OVERRUNS" >>"$RESULTS"
	if [ "$row_ok" = 1 ]; then
		echo "ok - $name"
	else
		printf '#   %s\n' "${why[@]}"
		echo "#   probe output at the fault:"
		sed 's/ | .*//; s/^/#     /' "$CLUSTER_DIR/probe-fault.out" | cut -c1-400
		echo "not ok - $name"
	fi
}

# ---- the runner -----------------------------------------------------------------------------
WORK=$(mktemp -d /tmp/etcd-faults.XXXXXX) || exit 2
trap 'rm -rf "$WORK"' EXIT
RESULTS=$WORK/results
: >"$RESULTS"
t_start=$SECONDS
ROW_BOUND=${FAULTS_ROW_BOUND:-240}
seen_kinds=" "
for row in "${FAULT_ROWS[@]}"; do
	IFS=';' read -r kind pos start inject undo quorum state member reason not_reason diag <<<"$row"
	name="$kind/$pos"
	[[ $name =~ ${FAULTS_ROWS:-.} ]] || continue
	if [ "${FAULTS_SHORT:-0}" = 1 ]; then
		[[ $seen_kinds == *" $kind "* ]] && continue
		seen_kinds+="$kind "
	fi
	# a watchdog bounds each row (a hung step must not hang the matrix): SIGTERM runs the row's
	# cluster_cleanup (its trap), the row then has no line of figures and counts as wrong
	row_t0=$SECONDS
	(run_row "$name" "$kind" "$pos" "$start" "$inject" "$undo" "$quorum" "$state" "$member" \
		"$reason" "$not_reason" "$diag") &
	row_pid=$!
	# (its sleep writes nowhere and goes with it: a sleep left holding our stdout kept a
	# `matrix.sh | grep` open for ROW_BOUND seconds after the last row)
	(
		nap=
		trap 'kill $nap 2>/dev/null; exit 0' TERM
		sleep "$ROW_BOUND" >/dev/null 2>&1 &
		nap=$!
		wait "$nap" && echo "# $name: past ${ROW_BOUND}s, stopped" && kill -TERM "$row_pid"
	) &
	dog_pid=$!
	wait "$row_pid"
	kill "$dog_pid" 2>/dev/null
	wait "$dog_pid" 2>/dev/null
	echo "# $name: $((SECONDS - row_t0)) s"
	grep -q "^$name " "$RESULTS" || { echo "$name 0 0 0 - 0 0 0 0 0 0 0" >>"$RESULTS"; echo "not ok - $name (no result)"; }
done

# ---- the figures ----------------------------------------------------------------------------
elapsed=$((SECONDS - t_start))
awk -v ver="$ETCD_VERSION_FULL" -v secs="$elapsed" '
	{ rows++; inj += $2; verd += $3; memb += $4; if ($5 != "-") { dn++; diag += $5 }
	  fok += $6; fcrit += $7; rec += $8; clean += $9; good += $10; runs += $11; over += $12 }
	END {
		printf "# fault matrix, etcd %s, %d rows in %d s\n", ver, rows, secs
		printf "# faults injected:               %d of %d\n", inj, rows
		printf "# probe verdicts right:          %d of %d\n", verd, inj
		printf "# member at fault named:         %d of %d\n", memb, inj
		printf "# diag top finding right:        %d of %d\n", diag, dn
		printf "# false OK (must be 0):          %d\n", fok
		printf "# false CRITICAL, quorum held (must be 0): %d\n", fcrit
		printf "# probe runs past -t + 0.5 s (must be 0): %d of %d\n", over, runs
		printf "# recovery to OK after undo:     %d of %d\n", rec, inj
		printf "# diag clean after recovery:     %d of %d\n", clean, inj
		printf "# rows right:                    %d of %d\n", good, rows
		exit (good == rows && fok == 0 && fcrit == 0 && over == 0 && rows > 0) ? 0 : 1
	}' "$RESULTS"
