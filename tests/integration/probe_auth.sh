#!/usr/bin/env bash
# etcd-versions: live (also on 3.5.30)
# etcd-probe against a real 1-member etcd with authentication enabled (user root, `auth enable`).
#
# With --client-cert-auth etcd takes the client certificate's CN as the user, so the probe here uses
# a certificate with CN "probe", which is no etcd user: only --user/--password (or ETCDCTL_USER and
# ETCDCTL_PASSWORD) authenticate it. Real etcd 3.4.23 answers Status, Alarm and MemberList without
# credentials and refuses the `health` read with PermissionDenied, which counts as healthy (as in
# etcdctl): so no credentials gives OK there; 3.5.30 (like every release since 3.4.42/3.5.28) refuses
# Status too, which must be WARNING `Status needs credentials` with what could be read. A wrong
# password must be UNKNOWN `authentication failed` (on 3.5.30 too, where the WARNING above is a
# side effect of it). --password-file is read (0600) or refused (0644); the password is gone from
# /proc/PID/cmdline while the probe runs. PROBE=path overrides the binary.
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/cluster.sh
. tests/lib/cluster.sh
# shellcheck source=tests/lib/probe-check.sh
. tests/lib/probe-check.sh
probe_require
cluster_init || { echo "not ok - cluster harness init"; exit 1; }
if ! CLUSTER_KEY_ALG=ec cluster_start 1; then
	echo "not ok - 1-member cluster starts"
	exit 1
fi
D=$CLUSTER_DIR
EP=$(member_url 1)
U1=$(re_escape "$EP")
PASS=s3cret-pw
cluster_client_cert nouser probe || echo "# cluster_client_cert nouser failed"
# cluster_etcdctl authenticates as root by its certificate's CN once auth is on.
if ! { cluster_etcdctl 1 user add "root:$PASS" --interactive=false && cluster_etcdctl 1 auth enable; } >/dev/null 2>&1; then
	echo "not ok - etcdctl user add root; auth enable"
	exit 1
fi
NOUSER=(--cacert "$D/ca/ca.pem" --cert "$D/nouser.pem" --key "$D/nouser-key.pem")

probe_run --endpoints="$EP" "${NOUSER[@]}" --user root --password "$PASS" -t 10
probe_expect "auth enabled, --user root --password: OK" 0 "^OK: $U1( |\$)"

probe_env_run ETCDCTL_USER=root ETCDCTL_PASSWORD="$PASS" -- --endpoints="$EP" "${NOUSER[@]}" -t 10
probe_expect "auth enabled, ETCDCTL_USER/ETCDCTL_PASSWORD: OK" 0 "^OK: $U1( |\$)"

# Releases from early 2026 on (3.4.42+, 3.5.28+, 3.6.9+: ETCD_FACTS.md) refuse Status to a client
# that is no etcd user; older ones answer it. Which one runs decides the expected state.
case $ETCD_VERSION_FULL in
3.4.4[2-9] | 3.4.[5-9]? | 3.5.2[89] | 3.5.[3-9]? | 3.6.9 | 3.6.[1-9]? | 3.[7-9].*) status_needs_user=1 ;;
*) status_needs_user=0 ;;
esac
probe_run --endpoints="$EP" "${NOUSER[@]}" -t 10
if [ "$status_needs_user" = 1 ]; then
	# the facts that could be read stay (the read's latency, the certificate, the figures of
	# /metrics, read without Status), the reason is said
	probe_expect "auth enabled, no credentials, etcd $ETCD_VERSION_FULL refuses Status: WARNING 'Status needs credentials', never CRITICAL" \
		1 --max-ms 5000 "^ETCD WARNING - m1: Status needs credentials" "^WARNING: $U1 m1 latency [0-9.]+ ms (.* )?cert [0-9]+ days" "^WARNING: $U1 m1 .* fsync p99 [0-9.]+ ms" \
		'!CRITICAL' '!authentication failed'
else
	probe_expect "auth enabled, no credentials, etcd $ETCD_VERSION_FULL answers Status: OK" 0 --max-ms 5000 \
		"^OK: $U1 m1 " '!needs credentials' '!authentication failed'
fi

# a certificate whose CN is an etcd user without a role: its reads are refused, the quorum read
# still counts (as etcdctl counts it), Status as above
if ! out=$(cluster_etcdctl 1 user add "probe:other-pw" --interactive=false 2>&1); then
	echo "not ok - etcdctl user add probe (the next scenario needs that user): $out"
	exit 1
fi
probe_run --endpoints="$EP" "${NOUSER[@]}" -t 10
if [ "$status_needs_user" = 1 ]; then
	probe_expect "auth enabled, CN an etcd user without a role, etcd $ETCD_VERSION_FULL: WARNING 'Status needs credentials'" \
		1 --max-ms 5000 "^ETCD WARNING - m1: Status needs credentials" '!CRITICAL'
else
	probe_expect "auth enabled, CN an etcd user without a role, etcd $ETCD_VERSION_FULL: OK" 0 --max-ms 5000 "^OK: $U1 m1 "
fi

probe_run --endpoints="$EP" "${NOUSER[@]}" --user root --password wrong-pw -t 10
# README: authentication failed is UNKNOWN; the reason leads the status line
probe_expect "auth enabled, wrong password: UNKNOWN 'authentication failed'" 3 --max-ms 5000 \
	"^ETCD UNKNOWN - authentication failed for user 'root'"

# --password-file: the first line is the password; a file others may read is refused
printf '%s\n' "$PASS" >"$D/pw" && chmod 0600 "$D/pw"
probe_run --endpoints="$EP" "${NOUSER[@]}" --user root --password-file "$D/pw" -t 10
probe_expect "auth enabled, --user root --password-file (0600): OK" 0 "^OK: $U1( |\$)"
printf '%s\n' wrong-pw >"$D/pw-wrong" && chmod 0600 "$D/pw-wrong"
probe_run --endpoints="$EP" "${NOUSER[@]}" --user root --password-file "$D/pw-wrong" -t 10
probe_expect "auth enabled, --password-file with a wrong password: UNKNOWN 'authentication failed'" 3 \
	--max-ms 5000 "^ETCD UNKNOWN - authentication failed for user 'root'"
chmod 0644 "$D/pw"
probe_run --endpoints="$EP" "${NOUSER[@]}" --user root --password-file "$D/pw" -t 10
probe_expect "--password-file readable by others: UNKNOWN at once, naming it" 3 --max-ms 1000 \
	"^ETCD UNKNOWN - --password-file $(re_escape "$D/pw") is accessible by others \(mode 0644\)" '!^OK:'
chmod 0600 "$D/pw"

# argv is world-readable (/proc/PID/cmdline, ps): the password must be gone from it while the
# probe runs. Against a listening socket that never answers, the probe waits its -t 2; its
# cmdline is read meanwhile (after 0.5 s: the options are parsed in the first milliseconds).
cluster_bg "$D/blackhole.log" python3 tests/hostile/hostile_server.py silent "$CLUSTER_NET.50" 2379
if cluster_wait_port "$CLUSTER_NET.50" 2379 10; then
	for form in "--user root --password $PASS" "--user=root:$PASS"; do
		# shellcheck disable=SC2086 # the words of form are the arguments
		"$PROBE" --endpoints="https://$CLUSTER_NET.50:2379" "${NOUSER[@]}" $form -t 2 >"$D/stall.out" 2>&1 &
		pid=$!
		sleep 0.5
		cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)
		alive=0
		kill -0 "$pid" 2>/dev/null && alive=1
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$pid" 2>/dev/null && kill "$pid"
		wait "$pid"
		if [ "$alive" = 1 ] && [ -n "$cmdline" ] && [[ $cmdline != *"$PASS"* ]] && [[ $cmdline == *--endpoints* ]]; then
			scenario_ok "while the probe runs, /proc/PID/cmdline does not show the password ($form)"
		else
			scenario_fail "while the probe runs, /proc/PID/cmdline does not show the password ($form)" \
				"alive after 0.5 s: $alive" "cmdline: $cmdline"
		fi
	done
else
	scenario_fail "black hole server for the cmdline check" "nothing listens on $CLUSTER_NET.50:2379"
fi

probe_run --endpoints="$EP" --cacert "$D/ca/ca.pem" --cert "$D/client.pem" --key "$D/client-key.pem" -t 10
probe_expect "auth enabled, client certificate CN root (no --user): OK" 0 "^OK: $U1( |\$)"

# Secrets never appear in any output: Nagios, JSON, -v, a failed authentication, etcd-diag.
leaks=""
check_no_secret() { # LABEL FILE...
	local label=$1
	shift
	if grep -qF -- "$PASS" "$@" 2>/dev/null || grep -qF -- "wrong-pw" "$@" 2>/dev/null; then
		leaks="$leaks $label"
	fi
}
probe_run --endpoints="$EP" "${NOUSER[@]}" --user root --password "$PASS" -v --format=json -t 10
check_no_secret "json+verbose" "$PROBE_OUT_FILE" "$PROBE_ERR_FILE"
probe_run --endpoints="$EP" "${NOUSER[@]}" --user "root:$PASS" -v -t 10
check_no_secret "user:password" "$PROBE_OUT_FILE" "$PROBE_ERR_FILE"
probe_run --endpoints="$EP" "${NOUSER[@]}" --user root --password wrong-pw --format=json -t 10
check_no_secret "wrong password" "$PROBE_OUT_FILE" "$PROBE_ERR_FILE"
probe_env_run ETCDCTL_USER=root ETCDCTL_PASSWORD="$PASS" -- --endpoints=https://127.0.0.1:1 "${NOUSER[@]}" -t 2
check_no_secret "unreachable endpoint" "$PROBE_OUT_FILE" "$PROBE_ERR_FILE"
probe_run --endpoints="$EP" "${NOUSER[@]}" --user root --password-file "$D/pw-wrong" -v -t 10
check_no_secret "--password-file" "$PROBE_OUT_FILE" "$PROBE_ERR_FILE"
DIAG=${ETCD_DIAG:-build/etcd-diag}
if [ -x "$DIAG" ]; then
	mkdir -p "$D/journals"
	timeout 60 "$DIAG" --no-config --journal-dir "$D/journals" --endpoints="$EP" "${NOUSER[@]}" \
		--user root --password "$PASS" --format=json >"$D/diag.out" 2>"$D/diag.err"
	check_no_secret "etcd-diag" "$D/diag.out" "$D/diag.err"
	timeout 60 "$DIAG" --no-config --journal-dir "$D/journals" --endpoints="$EP" "${NOUSER[@]}" \
		--user root --password-file "$D/pw" --format=json >"$D/diag-pwfile.out" 2>"$D/diag-pwfile.err"
	check_no_secret "etcd-diag --password-file" "$D/diag-pwfile.out" "$D/diag-pwfile.err"
	# etcd-diag reads the flag as the probe does: a file others may read is refused (exit 3)
	chmod 0644 "$D/pw"
	timeout 60 "$DIAG" --no-config --journal-dir "$D/journals" --endpoints="$EP" "${NOUSER[@]}" \
		--user root --password-file "$D/pw" >"$D/diag-pw644.out" 2>&1
	rc=$?
	chmod 0600 "$D/pw"
	if [ "$rc" = 3 ] && grep -q -- "--password-file $D/pw is accessible by others" "$D/diag-pw644.out"; then
		scenario_ok "etcd-diag --password-file readable by others: exit 3, named"
	else
		scenario_fail "etcd-diag --password-file readable by others: exit 3, named" "exit $rc" "$(head -c 300 "$D/diag-pw644.out")"
	fi
fi
# shellcheck disable=SC2034 # read by scenario_fail (tests/lib/probe-check.sh)
PROBE_CMD=""
if [ -z "$leaks" ]; then
	scenario_ok "passwords never appear in any output (Nagios, JSON, -v, failures, etcd-diag)"
else
	scenario_fail "passwords never appear in any output" "leaked in:$leaks"
fi

scenario_finish
