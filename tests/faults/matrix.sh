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
	for i in 1 2 3; do logs+=(--log-file "$(member_log "$i")"); done
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
	T='' O='' L='' A='' NEW_LEADER='' FAULTS_SKIP=''
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
	T | T\*) want=$T ;;
	T+O) want=$(printf '%s\n' "$T" "$O" | sort -n | tr '\n' ' ' | sed 's/ $//') ;;
	A) want=$A ;;
	all) want="1 2 3" ;;
	*) want= ;;
	esac
	line=$text
	case $want_member in T | T\* | T+O) line=$(member_line "$T") ;; A) line=$(member_line "$A") ;; esac
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
			[ "$PROBE_RC" = 0 ] && { recovered=1; break; }
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
	(run_row "$name" "$kind" "$pos" "$start" "$inject" "$undo" "$quorum" "$state" "$member" \
		"$reason" "$not_reason" "$diag") &
	row_pid=$!
	# (its sleep writes nowhere and goes with it: a sleep left holding our stdout kept a
	# `matrix.sh | grep` open for ROW_BOUND seconds after the last row)
	(
		sleep "$ROW_BOUND" >/dev/null 2>&1 &
		nap=$!
		trap 'kill "$nap" 2>/dev/null; exit 0' TERM
		wait "$nap" && echo "# $name: past ${ROW_BOUND}s, stopped" && kill -TERM "$row_pid"
	) &
	dog_pid=$!
	wait "$row_pid"
	kill "$dog_pid" 2>/dev/null
	wait "$dog_pid" 2>/dev/null
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
