# shellcheck shell=bash
# Scenario helpers for etcd-probe integration tests: run the probe (bounded), time it, and check
# its exit code, its output phrases and its Nagios first line; print `ok - NAME` / `not ok - NAME`.
#
# Sourced after tests/lib/cluster.sh by tests/integration/probe_*.sh, from the repository root.
#   PROBE       the binary (default build/etcd-probe, relative to the repository root)
#   probe_run ARGS...             sets PROBE_RC, PROBE_MS, $PROBE_OUT_FILE, $PROBE_ERR_FILE
#                                 (PROBE_MAXRSS=1: PROBE_RSS_KB too, the run's max RSS)
#   probe_expect NAME RC [--max-ms N] [PATTERN | !PATTERN]...
#   probe_expect_json NAME PYTHON_CODE [ARG...]  (the code sees the parsed document as `d`)
#   scenario_ok NAME / scenario_fail NAME DETAIL... / scenario_skip NAME WHY
#   scenario_finish                      (exit status: 1 if any scenario failed)

PROBE=${PROBE:-build/etcd-probe}
SCENARIO_FAILED=0
PROBE_RC=
PROBE_MS=
PROBE_RSS_KB=
PROBE_CMD=

# probe_outputs: sets the two capture files (inside $CLUSTER_DIR, so cleanup removes them).
probe_outputs() {
	PROBE_OUT_FILE=$CLUSTER_DIR/probe.out
	PROBE_ERR_FILE=$CLUSTER_DIR/probe.err
}

# probe_run ARGS...: runs "$PROBE" ARGS under `timeout ${PROBE_TIMEOUT:-60}` (so a hung probe fails
# the test instead of hanging it: exit 124), stdout and stderr captured apart; sets PROBE_RC and
# PROBE_MS (wall clock, ms).
probe_run() { probe_env_run -- "$@"; }

# probe_env_run VAR=VALUE... -- ARGS...: probe_run with extra environment variables.
probe_env_run() {
	local envs=() t0 t1
	while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	probe_outputs
	PROBE_CMD="${envs[*]}${envs[*]:+ }$PROBE $*"
	local measure=()
	# GNU time reports the probe's own max RSS (wait4's) and passes its exit code on (128+N for
	# a signal); it is inside timeout's process group, so a hung probe is still ended
	[ "${PROBE_MAXRSS:-0}" = 1 ] && measure=(/usr/bin/time -f %M -o "$CLUSTER_DIR/probe.rss")
	t0=$(date +%s%N)
	env "${envs[@]}" timeout -k 5 "${PROBE_TIMEOUT:-60}" "${measure[@]}" "$PROBE" "$@" >"$PROBE_OUT_FILE" 2>"$PROBE_ERR_FILE"
	PROBE_RC=$?
	t1=$(date +%s%N)
	PROBE_MS=$(((t1 - t0) / 1000000))
	if [ ${#measure[@]} -gt 0 ]; then
		# its last line: the figure (a line before it says how the command ended); empty when
		# timeout ended it
		# shellcheck disable=SC2034 # read by the caller
		PROBE_RSS_KB=$(tail -n 1 "$CLUSTER_DIR/probe.rss" 2>/dev/null | grep -E '^[0-9]+$')
		rm -f "$CLUSTER_DIR/probe.rss"
	fi
}

# scenario_ok NAME / scenario_skip NAME WHY: print the result line.
scenario_ok() { echo "ok - $1"; }
scenario_skip() { echo "skip - $1 ($2)"; }

# scenario_fail NAME DETAIL...: prints the details, then what the probe printed, then `not ok`.
scenario_fail() {
	local name=$1
	shift
	SCENARIO_FAILED=1
	printf '%s\n' "$@" | sed 's/^/#   /'
	if [ -n "$PROBE_CMD" ]; then
		echo "#   command: $PROBE_CMD"
		echo "#   exit $PROBE_RC after ${PROBE_MS} ms; stdout:"
		# awk ends every line, the last one too: a `not ok` must start a line of its own
		awk 'NR <= 25 { print "#     " $0 }' "$PROBE_OUT_FILE"
		if [ -s "$PROBE_ERR_FILE" ]; then
			echo "#   stderr:"
			awk 'NR <= 10 { print "#     " $0 }' "$PROBE_ERR_FILE"
		fi
	fi
	echo "not ok - $name"
}

# probe_state_of RC: Nagios state word of an exit code.
probe_state_of() {
	case $1 in 0) echo OK ;; 1) echo WARNING ;; 2) echo CRITICAL ;; 3) echo UNKNOWN ;; *) echo "?" ;; esac
}

# probe_expect NAME RC [--max-ms N] [PATTERN | !PATTERN]...: checks the last probe_run. RC is an
# extended regex on the exit code ("1", "1|2"); --max-ms bounds its wall-clock time; each PATTERN
# (extended regex, case-sensitive) must match one line of stdout+stderr, each !PATTERN none.
# For exit codes 0-2 stdout line 1 must read `ETCD <STATE> - ...` with the state of the exit code.
probe_expect() {
	local name=$1 want=$2 why=() p first state
	shift 2
	if ! [[ $PROBE_RC =~ ^($want)$ ]]; then
		why+=("exit code $PROBE_RC, want $want")
	fi
	if [ "${1:-}" = --max-ms ]; then
		[ "$PROBE_MS" -le "$2" ] || why+=("took ${PROBE_MS} ms, want at most $2 ms")
		shift 2
	fi
	for p in "$@"; do
		if [ "${p:0:1}" = "!" ]; then
			! cat "$PROBE_OUT_FILE" "$PROBE_ERR_FILE" | grep -qE -- "${p:1}" || why+=("output matches /${p:1}/")
		else
			cat "$PROBE_OUT_FILE" "$PROBE_ERR_FILE" | grep -qE -- "$p" || why+=("output lacks /$p/")
		fi
	done
	if [ "$PROBE_RC" -le 2 ] 2>/dev/null; then
		first=$(head -n 1 "$PROBE_OUT_FILE")
		state=$(probe_state_of "$PROBE_RC")
		[[ $first == "ETCD $state - "* ]] || why+=("first line is not 'ETCD $state - ...'")
	fi
	if [ ${#why[@]} -eq 0 ]; then
		scenario_ok "$name"
	else
		scenario_fail "$name" "${why[@]}"
	fi
}

# probe_expect_json NAME PYTHON_CODE [ARG...]: parses the last probe_run's stdout as one JSON
# document (read as UTF-8 strictly, as RFC 8259 requires, whatever the locale) with python3 and
# runs PYTHON_CODE with it bound to `d`, `hex16` a regex for 16 hex digits and the ARGs in
# sys.argv[2:] (failed asserts show). ok when both succeed.
probe_expect_json() {
	local name=$1 code=$2 err
	shift 2
	if err=$(python3 -c '
import json, re, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))  # strict: invalid UTF-8 fails
hex16 = re.compile(r"^[0-9a-f]{16}$")
'"$code"'
' "$PROBE_OUT_FILE" "$@" 2>&1); then
		scenario_ok "$name"
	else
		scenario_fail "$name" "JSON check failed:" "$(echo "$err" | tail -n 3)"
	fi
}

# probe_require: fails the whole script early (one `not ok`) when the probe binary is missing.
probe_require() {
	case $PROBE in /*) ;; *) PROBE=$PWD/$PROBE ;; esac
	if [ ! -x "$PROBE" ]; then
		echo "#   no executable probe at $PROBE (build it with make, or set PROBE=)"
		echo "not ok - probe binary present"
		exit 1
	fi
}

# scenario_finish: exit status of the script.
scenario_finish() { exit "$SCENARIO_FAILED"; }

# The probe falls back to etcdctl's environment variables: a caller's own must not leak in.
unset ETCDCTL_ENDPOINTS ETCDCTL_CACERT ETCDCTL_CERT ETCDCTL_KEY ETCDCTL_USER ETCDCTL_PASSWORD \
	ETCDCTL_INSECURE_SKIP_TLS_VERIFY

# re_escape STRING: STRING with the ERE metacharacters . [ ] ( ) * + ? { } | ^ $ \ escaped.
re_escape() { printf '%s' "$1" | sed 's/[][\\.*^$(){}+?|]/\\&/g'; }
