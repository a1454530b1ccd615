#!/usr/bin/env bash
# The soak (issue 15): one real 3-member mutual-TLS cluster for a while; a schedule drawn from a
# seed stops, freezes, partitions and restores its members, etcd-probe --cluster runs every second
# meanwhile and each run is judged against the truth of its moment. One log line per run, the
# counts at the end.
#
#   ETCD_VERSION=3.4|3.5.16 bash tests/faults/soak.sh   (make soak DURATION=S SEED=N)
#   SOAK_DURATION=S    seconds of probing (default 300)
#   SOAK_SEED=N        the schedule's seed (default from the clock; printed, so a run can be
#                      replayed: the same seed gives the same actions at the same offsets)
#   SOAK_T=S           the probe's -t (default 2)
#   SOAK_SETTLE=S      after a change, how long a verdict other than the truth's is not counted
#                      as false (default 6: an election takes up to two election timeouts, 2 s
#                      with etcd's default 1 s, a restarted member rejoins in about as long; the
#                      rest is margin for this shared 2-core machine)
#   SOAK_GRACE_MS=MS   how long after a fault is in place a run may still say OK (default 0, see
#                      soak_judge)
#   SOAK_GAP=MIN:MAX   seconds between two actions (default 3:9)
#   SOAK_DIR=DIR       where the run's files are kept (default build/soak/VERSION-seedN, or
#                      /var/tmp/etcd-soak/VERSION-seedN for a checkout under /tmp; not under
#                      /tmp, which the soak replaces with DIR/tmp in its mount namespace, the
#                      checkout bound back into it at its path)
#
# The truth model: each member up, stopped (SIGTERM, waited for), frozen (SIGSTOP) or cut
# (nftables: its peer traffic dropped both ways, clients still reach it); never more than two at
# fault at once, one action at a time. One at fault: quorum held, the truth WARNING, that member
# named; two: quorum lost, CRITICAL; none: OK.
# Figures that must be 0: false OK (OK while a member is at fault), a member at fault whose own
# line is OK, or that has no line in a run neither killed nor crashed, runs past -t + 0.5 s,
# crashes (exit code above 3, a signal), output whose first line does not match its exit code
# (0 to 3); and the probe's peak RSS in the last tenth of the runs within 10 % of the first
# tenth's. Reported besides: false CRITICAL with the quorum held, WARNING with it lost,
# not OK with every member up (each only once SOAK_SETTLE has passed since the last change).
# Exit 1 when a must-be-0 figure is not 0 or the RSS grew; 2 when the harness cannot run.
set -u
# shellcheck source=tests/lib/faults.sh
. "$(dirname "$0")/../lib/faults.sh" || exit 2
faults_setup soak "$0" "$@" || exit 2

DURATION=${SOAK_DURATION:-300}
SEED=${SOAK_SEED:-$(($(date +%s) % 1000000))}
SETTLE=${SOAK_SETTLE:-6}
GRACE_MS=${SOAK_GRACE_MS:-0}
GAP=${SOAK_GAP:-3:9}
GAP_MIN=${GAP%%:*} GAP_MAX=${GAP#*:}
export FAULTS_T=${SOAK_T:-2}
for v in DURATION SEED SETTLE GRACE_MS GAP_MIN GAP_MAX FAULTS_T; do
	[[ ${!v} =~ ^[0-9]+$ ]] || { echo "soak: $v must be a whole number, not '${!v}'"; exit 2; }
done
[ "$GAP_MIN" -ge 1 ] && [ "$GAP_MAX" -ge "$GAP_MIN" ] || { echo "soak: SOAK_GAP=MIN:MAX, 1 <= MIN <= MAX"; exit 2; }
# the last actions restore every member; then the probe must be back to OK for a while
TAIL=$((SETTLE + 2 * GAP_MAX + 10))
[ "$DURATION" -ge $((TAIL + 20)) ] || { echo "soak: SOAK_DURATION must be at least $((TAIL + 20)) s"; exit 2; }
# a hung run is ended 3 s past its -t (counted as a hang: rc 124 or 137)
export PROBE_TIMEOUT=$((FAULTS_T + 3)) PROBE_MAXRSS=1
# the figures whose window outlasts a fault (15 min of leader changes and failed proposals, the
# peer round-trip p99 since the last run) would keep every run after the first faults WARNING:
# true, but history; the soak judges what is at fault now
PROBE_ARGS=(-w "leader_changes=none,proposals_failed=none,peer_rtt_p99=none")

VERSION_DIR=${ETCD_VERSION_FULL:-$(etcd --version 2>/dev/null | sed -n 's/^etcd Version: //p')}
# a checkout under /tmp (a CI clone): the run's files cannot be kept in it (see SOAK_KEEP below)
case $TOP/ in /tmp/*) SOAK_BASE=/var/tmp/etcd-soak ;; *) SOAK_BASE=$TOP/build/soak ;; esac
SOAK_DIR=${SOAK_DIR:-$SOAK_BASE/${VERSION_DIR:-etcd}-seed$SEED}
SOAK_DIR=$(realpath -m "$SOAK_DIR") || exit 2
case $SOAK_DIR/ in /tmp/*) echo "soak: SOAK_DIR must not be under /tmp (the soak gets a /tmp of its own)"; exit 2 ;; esac
mkdir -p "$SOAK_DIR/tmp" && chmod 1777 "$SOAK_DIR/tmp" && rm -f "$SOAK_DIR/not-ok.out" || exit 2
# a /tmp of its own (in its own mount namespace): the cluster's files cannot be touched through
# the machine's /tmp by anything else on this shared machine while the soak runs (once, 5 s into
# a run, its cluster dir vanished from under it). What the run needs from the machine's /tmp is
# bound back at its path, as tests/lib/host-init.sh does for hosts: the checkout (the probe, the
# etcd versions cache in build/), the probe and etcd when elsewhere under /tmp. SOAK_KEEP: those
# paths, shortest first, none inside another.
SOAK_KEEP=()
while read -r p; do
	for k in "${SOAK_KEEP[@]}"; do case $p/ in "$k"/*) continue 2 ;; esac; done
	SOAK_KEEP+=("$p")
done < <(for p in "$TOP" "$(dirname "$PROBE")" "$(dirname "$(command -v etcd)")"; do
	p=$(realpath -m "$p")
	case $p/ in /tmp/?*) echo "${#p} $p" ;; esac
done | sort -n -u | cut -d' ' -f2-)
for k in "${SOAK_KEEP[@]}"; do
	mkdir -p "$SOAK_DIR/tmp/${k#/tmp/}" && mount --bind "$k" "$SOAK_DIR/tmp/${k#/tmp/}" ||
		{ echo "soak: $k not bound into its /tmp"; exit 2; }
done
mount --rbind "$SOAK_DIR/tmp" /tmp || { echo "soak: no /tmp of its own"; exit 2; }
cluster_init >/dev/null 2>&1 || { echo "soak: cluster_init failed"; exit 2; }
LOG=$SOAK_DIR/soak.log
TRUTH=$CLUSTER_DIR/truth
STOP=$CLUSTER_DIR/stop
: >"$LOG"
echo "# soak: etcd ${ETCD_VERSION_FULL:-?}, seed $SEED, ${DURATION} s, probe -t $FAULTS_T, settle ${SETTLE} s, grace ${GRACE_MS} ms, gaps ${GAP_MIN}..${GAP_MAX} s" | tee -a "$LOG"
echo "# replay: make soak SEED=$SEED DURATION=$DURATION${ETCD_VERSION:+ ETCD_VERSION=$ETCD_VERSION} (files: $SOAK_DIR)" | tee -a "$LOG"

# ---- the truth -------------------------------------------------------------------------------
# ST[I]: up | stopped | frozen | cut | changing (an action on it under way); SINCE[I]: when ST[I]
# began (ns). The scheduler writes them with a sequence number to $TRUTH (whole, by rename); the
# probe loop reads them before and after each run.
declare -a ST=(x up up up) SINCE=(0 0 0 0)
SEQ=0
truth_write() {
	SEQ=$((SEQ + 1))
	echo "$SEQ ${ST[1]} ${ST[2]} ${ST[3]} ${SINCE[1]} ${SINCE[2]} ${SINCE[3]}" >"$TRUTH.new" && mv "$TRUTH.new" "$TRUTH"
}

# ---- the schedule ----------------------------------------------------------------------------
# soak_plan: prints the actions, one "DECISECONDS ACTION MEMBER" a line, from SEED alone (the plan
# follows the truth model, not what etcd did, so a seed always gives the same plan). With no
# member at fault: a fault; with two: a restore; with one: either, even odds. A fault goes to a
# member that is up, its kind (stop, freeze, cut) drawn evenly. From DURATION - TAIL on, only
# restores, 2 s apart.
soak_plan() {
	local at=50 end=$(((DURATION - TAIL) * 10)) st=(x up up up) kinds=(stop freeze cut) faulted up i m kind
	RANDOM=$SEED
	while [ "$at" -lt "$end" ]; do
		faulted=() up=()
		for i in 1 2 3; do if [ "${st[i]}" = up ]; then up+=("$i"); else faulted+=("$i"); fi; done
		if [ ${#faulted[@]} -eq 2 ] || { [ ${#faulted[@]} -eq 1 ] && [ $((RANDOM % 2)) = 0 ]; }; then
			m=${faulted[RANDOM % ${#faulted[@]}]}
			case ${st[m]} in stopped) kind=start ;; frozen) kind=thaw ;; cut) kind=heal ;; esac
			st[m]=up
		else
			m=${up[RANDOM % ${#up[@]}]}
			kind=${kinds[RANDOM % 3]}
			case $kind in stop) st[m]=stopped ;; freeze) st[m]=frozen ;; cut) st[m]='cut' ;; esac
		fi
		echo "$at $kind $m"
		at=$((at + GAP_MIN * 10 + RANDOM % ((GAP_MAX - GAP_MIN) * 10 + 1)))
	done
	for i in 1 2 3; do
		case ${st[i]} in
		stopped) echo "$at start $i" ;; frozen) echo "$at thaw $i" ;; cut) echo "$at heal $i" ;; *) continue ;;
		esac
		at=$((at + 20))
	done
}

# soak_frozen_wait I: waits (2 s at most) until every thread of member I is stopped (state T in
# /proc): from then on it answers nothing.
soak_frozen_wait() {
	local pid=${CLUSTER_PIDS[$1]} k t all
	for ((k = 0; k < 100; k++)); do
		all=1
		for t in /proc/"$pid"/task/*/stat; do
			[ "$(sed 's/^.*) //' "$t" 2>/dev/null | cut -c1)" = T ] || { all=0; break; }
		done
		[ "$all" = 1 ] && return 0
		sleep 0.02
	done
	cluster_log "m$1 (PID $pid) not stopped 2 s after SIGSTOP"
	return 1
}

# soak_cut_reload: the nft rules for the members now cut (none: no table); the packets the rules
# being replaced had dropped are added to NFT_DROPPED first (the proof that the cuts bit).
NFT_DROPPED=0
soak_cut_reload() {
	local i cut=()
	NFT_DROPPED=$((NFT_DROPPED + $(faults_nft_dropped)))
	for i in 1 2 3; do [ "${ST[i]}" = cut ] && cut+=("$i"); done
	if [ ${#cut[@]} -eq 0 ]; then faults_nft_clear; else faults_nft_isolate "${cut[@]}"; fi
}

# soak_act KIND I: one action on member I; ST[I] is "changing" in $TRUTH while it runs, then what
# it left. Returns non-zero when the fault could not be put in place or undone.
ACTIONS_FAILED=0
declare -A ACTIONS_DONE=()
soak_act() {
	local kind=$1 i=$2 new rc t0 t1
	t0=$(date +%s%N)
	ST[i]=changing SINCE[i]=$t0
	truth_write
	case $kind in
	stop) new=stopped; member_stop "$i" ;;
	freeze) new=frozen; faults_freeze "$i" && soak_frozen_wait "$i" ;;
	cut) new='cut'; ST[i]='cut'; soak_cut_reload ;;
	start) new=up; member_start "$i" ;;
	thaw) new=up; faults_thaw "$i" ;;
	heal) new=up; ST[i]=up; soak_cut_reload ;;
	esac
	rc=$?
	t1=$(date +%s%N)
	ST[i]=$new SINCE[i]=$t1
	truth_write
	ACTIONS_DONE[$kind]=$((${ACTIONS_DONE[$kind]:-0} + 1))
	echo "# $(soak_clock "$t0") $kind m$i: $([ "$rc" = 0 ] && echo "in place" || echo FAILED) at $(soak_clock "$t1") ($(((t1 - t0) / 1000000)) ms)" | tee -a "$LOG"
	[ "$rc" = 0 ] || ACTIONS_FAILED=$((ACTIONS_FAILED + 1))
	return "$rc"
}

# soak_clock NS: seconds since T0, 3 decimals.
soak_clock() { printf '%d.%03d' $((($1 - T0) / 1000000000)) $(((($1 - T0) / 1000000) % 1000)); }

# ---- the probe loop and its judge ------------------------------------------------------------

# soak_member_lines: "I STATE" for each member line of the last run (from its URL: 127.0.X.I is mI).
soak_member_lines() {
	awk 'NR > 1 && $1 ~ /^(OK|WARNING|CRITICAL|UNKNOWN):$/ { sub(":", "", $1); print $2, $1 }' "$PROBE_OUT_FILE" |
		sed -n 's#^https://127\.0\.[0-9]*\.\([0-9]*\):2379 \([A-Z]*\)$#\1 \2#p'
}

# soak_etcd_reads I...: etcd's own word, asked (etcdctl) after a settled run whose verdict is not
# the truth's: how many of the members I... answer a linearizable read now, as "N/M". The model's
# "quorum held" is one member at fault; etcd may still be electing (seen on 3.5.16: after a cut
# was healed, the old leader's streams to the healed member stayed down and the two had no leader
# for over 6 s), and then CRITICAL is etcd's truth, not a false one.
soak_etcd_reads() {
	local i n=0
	for i in "$@"; do
		cluster_etcdctl "$i" get health --consistency=l --command-timeout=2s --dial-timeout=1s >/dev/null 2>&1 &&
			n=$((n + 1))
	done
	echo "$n/$#"
}

# soak_judge T_START A B: the log line of the last run, from the truth before it (A) and after it
# (B), each a $TRUTH line. The grace: a fault is in place when its action returns (a stopped
# member's process has exited, every thread of a frozen one is in state T, the nft transaction is
# committed) and each run is a new process that opens new connections, so a run that begins after
# that can only meet the fault: SOAK_GRACE_MS defaults to 0. A run during which a member changed is
# judged on the members that did not (false OK), and for hangs and crashes.
soak_judge() {
	local t=$1 a b i faulted=() up=() steady=1 last=0 note=() verdict truth lines st_line f
	read -r -a a <<<"$2"
	read -r -a b <<<"$3"
	for i in 1 2 3; do
		if [ "${a[i]}" != "${b[i]}" ] || [ "${a[i + 3]}" != "${b[i + 3]}" ] || [ "${a[i]}" = changing ]; then
			steady=0
			continue
		fi
		[ "${a[i + 3]}" -gt "$last" ] && last=${a[i + 3]}
		[ "${a[i]}" = up ] && { up+=("$i"); continue; }
		[ $(((t - a[i + 3]) / 1000000)) -ge "$GRACE_MS" ] && faulted+=("m$i=${a[i]}")
	done
	case ${#faulted[@]} in 0) truth='all-up' ;; 1) truth=held: ;; *) truth=lost: ;; esac
	[ ${#faulted[@]} -gt 0 ] && truth+=$(IFS=+; echo "${faulted[*]}")
	[ "$steady" = 1 ] || truth="changing${faulted[*]:+(}$(IFS=+; echo "${faulted[*]}")${faulted[*]:+)}"

	verdict=$(probe_state_of "$PROBE_RC")
	case $PROBE_RC in 124 | 137) verdict=HANG ;; [0-3]) ;; *) verdict=CRASH ;; esac
	[ "$PROBE_MS" -gt $((FAULTS_T * 1000 + 500)) ] && note+=(HANG)
	[ "$verdict" = CRASH ] && note+=(CRASH)
	if [ "$PROBE_RC" -le 3 ] 2>/dev/null && ! head -n 1 "$PROBE_OUT_FILE" | grep -q "^ETCD $verdict - "; then
		note+=(MALFORMED)
	fi
	if [ ${#faulted[@]} -gt 0 ] && [ "$verdict" = OK ]; then note+=(FALSE-OK); fi
	lines=$(soak_member_lines)
	for f in "${faulted[@]}"; do
		i=${f:1:1}
		st_line=$(awk -v i="$i" '$1 == i { print $2; exit }' <<<"$lines")
		# no line at all: a run killed (HANG) or crashed prints none, one that ended by itself must
		# have named every member it was given
		if [ -z "$st_line" ]; then
			case $verdict in HANG | CRASH) ;; *) note+=("MEMBER-MISSING:m$i") ;; esac
		elif [ "$st_line" = OK ]; then
			note+=("MEMBER-FALSE-OK:m$i")
		fi
	done
	if [ "$steady" = 0 ]; then
		note+=(changing)
	elif [ $(((t - last) / 1000000000)) -lt "$SETTLE" ]; then
		note+=(settling)
	else
		case ${#faulted[@]}:$verdict in
		0:OK | 1:WARNING | 2:CRITICAL) note+=(ok) ;;
		[01]:CRITICAL) note+=(false-CRIT) ;;
		2:WARNING) note+=(understated) ;;
		0:*) note+=(false-alarm) ;;
		*) note+=("wrong") ;;
		esac
		[ "${note[-1]}" = ok ] || note[-1]+=":etcd-reads=$(soak_etcd_reads "${up[@]}")"
	fi
	printf '%s %s %s %s %s %s %s\n' "$(soak_clock "$t")" "$truth" "$verdict" "$PROBE_RC" "$PROBE_MS" \
		"${PROBE_RSS_KB:--}" "$(IFS=,; echo "${note[*]}")"
}

# soak_probe_loop: in the background until $STOP exists (or the script is gone, or 60 s past
# DURATION): a run every second (at once when the last one took longer), each judged and logged;
# the output of a run that is not ok is kept.
soak_probe_loop() {
	local next a b t line end
	next=$(date +%s%N)
	end=$((next + (DURATION + 60) * 1000000000))
	while [ ! -e "$STOP" ] && kill -0 "$$" 2>/dev/null && [ "$(date +%s%N)" -lt "$end" ]; do
		a=$(cat "$TRUTH") || return 1
		t=$(date +%s%N)
		faults_probe_timed "${PROBE_ARGS[@]}" >/dev/null
		b=$(cat "$TRUTH") || return 1
		line=$(soak_judge "$t" "$a" "$b")
		echo "$line" >>"$LOG"
		case ${line##* } in
		ok | settling | changing) ;;
		*)
			echo "$line"
			{
				echo "## $line"
				sed 's/ | .*//' "$PROBE_OUT_FILE"
				sed 's/^/stderr: /' "$PROBE_ERR_FILE"
			} >>"$SOAK_DIR/not-ok.out"
			;;
		esac
		next=$((next + 1000000000))
		t=$(date +%s%N)
		if [ "$t" -lt "$next" ]; then
			sleep "$(printf '%d.%09d' $(((next - t) / 1000000000)) $(((next - t) % 1000000000)))"
		else
			next=$t
		fi
	done
}

# soak_wind_down: stops the probe loop (bounded: the run under way ends within PROBE_TIMEOUT + 5 s),
# thaws every member and drops the rules (so the members stop at once), keeps the members' logs.
LOOP_PID=
WOUND_DOWN=0
soak_wind_down() {
	local k i
	# called by the run, then again by cluster_cleanup (cluster_atexit, for an early exit)
	[ "$WOUND_DOWN" = 1 ] && return 0
	WOUND_DOWN=1
	touch "$STOP"
	if [ -n "$LOOP_PID" ]; then
		for ((k = 0; k < (PROBE_TIMEOUT + 8) * 10; k++)); do
			kill -0 "$LOOP_PID" 2>/dev/null || break
			sleep 0.1
		done
		cluster_stop_pid "$LOOP_PID" 5
		LOOP_PID=
	fi
	for i in 1 2 3; do
		[ -n "${CLUSTER_PIDS[i]:-}" ] && kill -CONT "${CLUSTER_PIDS[i]}" 2>/dev/null
	done
	faults_nft_clear
	for i in 1 2 3; do [ -f "$(member_log "$i")" ] && cp "$(member_log "$i")" "$SOAK_DIR/"; done
	echo "# wound down: probe loop stopped, members thawed, rules dropped, logs kept" >>"$LOG"
	return 0
}
cluster_atexit soak_wind_down

# ---- the run ---------------------------------------------------------------------------------
# each member its own uid: the nft rules that cut one tell its outgoing peer connections apart
# by it (tests/lib/faults.sh)
# shellcheck disable=SC2034 # ETCD is read by tests/lib/cluster.sh's member_start
ETCD=$(faults_own_uid_wrapper)
if ! cluster_start 3 2>"$CLUSTER_DIR/start.err"; then
	tail -n 10 "$CLUSTER_DIR/start.err" | sed 's/^/#   /'
	echo "soak: the 3-member cluster does not start"
	exit 2
fi
faults_wait_leader_not 0 15 >/dev/null || { echo "soak: no leader"; exit 2; }
soak_plan >"$SOAK_DIR/schedule"
echo "# schedule: $(wc -l <"$SOAK_DIR/schedule") actions ($SOAK_DIR/schedule)"

T0=$(date +%s%N)
SINCE=(0 "$T0" "$T0" "$T0")
truth_write
soak_probe_loop &
LOOP_PID=$!
while read -r at kind m; do
	while [ $((($(date +%s%N) - T0) / 100000000)) -lt "$at" ]; do
		kill -0 "$LOOP_PID" 2>/dev/null || { echo "soak: the probe loop died"; exit 2; }
		sleep 0.1
	done
	soak_act "$kind" "$m" || break
done <"$SOAK_DIR/schedule"
while [ $(($(date +%s%N) - T0)) -lt $((DURATION * 1000000000)) ] && [ "$ACTIONS_FAILED" = 0 ]; do
	kill -0 "$LOOP_PID" 2>/dev/null || { echo "soak: the probe loop died"; exit 2; }
	sleep 0.2
done
soak_wind_down
echo "# nft dropped $NFT_DROPPED packets over the cuts" | tee -a "$LOG"

# ---- the counts ------------------------------------------------------------------------------
actions=
for k in stop freeze cut start thaw heal; do actions+=" $k ${ACTIONS_DONE[$k]:-0}"; done
awk -v ver="${ETCD_VERSION_FULL:-?}" -v seed="$SEED" -v secs="$DURATION" -v actions="$actions" \
	-v failed="$ACTIONS_FAILED" '
	/^#/ { next }
	{
		runs++; verdicts[$3]++; note = $7
		# etcdctl'"'"'s linearizable reads through the members up after the run: served by none
		# (a false CRITICAL is then etcd'"'"'s own state) or not by all (a false alarm is then)
		unserved = none = 0
		if (match(note, /:etcd-reads=[0-9]+\/[0-9]+/)) {
			split(substr(note, RSTART + 12, RLENGTH - 12), r, "/")
			none = (r[1] == 0); unserved = (r[1] < r[2])
		}
		if ($6 ~ /^[0-9]+$/) rss[++nrss] = $6 + 0
		if (note ~ /(^|,)FALSE-OK/) fok++
		if (note ~ /MEMBER-FALSE-OK/) mfok++
		if (note ~ /MEMBER-MISSING/) mmiss++
		if (note ~ /HANG/) hang++
		if (note ~ /CRASH/) crash++
		if (note ~ /MALFORMED/) malformed++
		if (note ~ /false-CRIT/) { fcrit++; fcrit_un += none }
		if (note ~ /understated/) under++
		if (note ~ /false-alarm/) { falarm++; falarm_un += unserved }
		if (note ~ /(^|,)ok$/) right++
		if (note ~ /(^|,)(ok|false-CRIT|understated|false-alarm|wrong)(:|$)/) judged++
		if ($2 ~ /^(held|lost):|\(/) faultruns++
		if ($5 + 0 > maxms) maxms = $5 + 0
	}
	END {
		w = int(nrss / 10); if (w < 1) w = 1
		for (k = 1; k <= nrss; k++) {
			if (k <= w && rss[k] > first) first = rss[k]
			if (k > nrss - w && rss[k] > last) last = rss[k]
			if (min == "" || rss[k] < min) min = rss[k]
			if (rss[k] > max) max = rss[k]
		}
		flat = (nrss > 0 && last <= first * 1.10)
		printf "# soak, etcd %s, seed %d, %d s: %d probe runs, %d with a member at fault after its grace\n", ver, seed, secs, runs, faultruns
		printf "# actions:%s (failed %d)\n", actions, failed
		printf "# verdicts: OK %d, WARNING %d, CRITICAL %d, UNKNOWN %d, HANG %d, CRASH %d\n", verdicts["OK"], verdicts["WARNING"], verdicts["CRITICAL"], verdicts["UNKNOWN"], verdicts["HANG"], verdicts["CRASH"]
		printf "# false OK (must be 0):                       %d\n", fok
		printf "# a member at fault with an OK line (must be 0): %d\n", mfok
		printf "# a member at fault with no line (must be 0): %d\n", mmiss
		printf "# runs past -t + 0.5 s (must be 0):           %d (slowest %d ms)\n", hang, maxms
		printf "# crashes (must be 0):                        %d\n", crash
		printf "# first line not the exit code (must be 0):   %d\n", malformed
		printf "# peak RSS, first tenth / last tenth of runs: %d / %d KiB (all runs %d..%d KiB): %s\n", first, last, min, max, flat ? "flat" : "GREW more than 10 %"
		printf "# settled runs as the truth says:             %d of %d\n", right, judged
		printf "# false CRITICAL, quorum held, settled:       %d (etcd itself served no read then: %d)\n", fcrit, fcrit_un
		printf "# WARNING with the quorum lost, settled:      %d\n", under
		printf "# not OK with every member up, settled:       %d (a member up served etcdctl no read then: %d)\n", falarm, falarm_un
		exit (runs > 0 && fok + mfok + mmiss + hang + crash + malformed == 0 && flat && failed == 0) ? 0 : 1
	}' "$LOG" | tee -a "$LOG"
rc=${PIPESTATUS[0]}
[ "$ACTIONS_FAILED" = 0 ] || rc=2
echo "# log: $LOG"
cluster_cleanup
trap - EXIT
# the binds' mount points (empty dirs) go with the rest; rmdir never removes a dir with anything in
# it, nor one still mounted (what is left there is said, the exit code stays the soak's verdict)
umount -R /tmp
for k in "${SOAK_KEEP[@]}"; do
	d=$SOAK_DIR/tmp/${k#/tmp/}
	umount "$d"
	while [ "$d" != "$SOAK_DIR/tmp" ] && rmdir "$d"; do d=$(dirname "$d"); done
done
rmdir "$SOAK_DIR/tmp"
exit "$rc"
