#!/usr/bin/env bash
# etcd-versions: live (also on 3.5.30)
# etcd-probe and etcd-diag under valgrind (memcheck, full leak check) against a real 3-member TLS
# cluster: a healthy run, one member stopped, a bad CA path, and etcd-diag's live diagnosis with
# an empty journal folder; each must end with no memory error and no leak.
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/cluster.sh
. tests/lib/probe-check.sh

sh tests/lib/need-packages.sh valgrind >/dev/null || { scenario_skip "valgrind" "valgrind not installable"; exit 0; }
cluster_init
cluster_start 3 >/dev/null || { scenario_fail "cluster start" "3 members did not become healthy"; scenario_finish; exit 1; }
TLS=(--cacert "$CLUSTER_DIR/ca/ca.pem" --cert "$CLUSTER_DIR/client.pem" --key "$CLUSTER_DIR/client-key.pem")
# shellcheck disable=SC2054 # the commas are valgrind's, inside one argument
VG=(valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible)

DIAG=${ETCD_DIAG:-build/etcd-diag}
vg_case() { # NAME EXPECTED_RC [--diag] ARGS...
	local name=$1 want=$2 rc bin=$PROBE
	shift 2
	if [ "${1:-}" = --diag ]; then bin=$DIAG; shift; fi
	# under valgrind the probe's own time is in the read latency it measures (0.57 s once in CI on
	# a loaded machine, WARNING at 0.5): what is checked here is memory, not speed
	if [ "$bin" = "$PROBE" ] && [ "$want" = 0 ]; then
		set -- "$@" -w latency=10,write_latency=10 -c latency=20,write_latency=20
	fi
	timeout -k 5 120 "${VG[@]}" "$bin" "$@" >"$CLUSTER_DIR/vg.out" 2>"$CLUSTER_DIR/vg.err"
	rc=$?
	if [ "$rc" = "$want" ]; then
		scenario_ok "valgrind clean: $name (exit $rc)"
	else
		scenario_fail "valgrind clean: $name" "exit $rc, expected $want (99 = valgrind error)" \
			"$(head -40 "$CLUSTER_DIR/vg.err")" "$(head -5 "$CLUSTER_DIR/vg.out")"
	fi
}

vg_case "healthy cluster, --cluster, JSON" 0 --endpoints="$(member_url 1)" --cluster --format=json "${TLS[@]}"
vg_case "healthy cluster, --write-check (LeaseGrant, Put, DeleteRange)" 0 --endpoints="$(cluster_endpoints)" \
	--write-check "${TLS[@]}"
# /metrics into a state file (a first run, then one with an interval), the Prometheus writer and
# the atomic textfile; and /metrics over HTTP/1.1 on a connection of its own (TLS, ALPN http/1.1)
for run in first second; do
	vg_case "healthy cluster, --format=prometheus, --textfile-dir, state file ($run run)" 0 \
		--endpoints="$(cluster_endpoints)" --format=prometheus --textfile-dir "$CLUSTER_DIR" \
		--state-file "$CLUSTER_DIR/vg-state" "${TLS[@]}"
done
vg_case "healthy member, --metrics-url over HTTP/1.1" 0 --endpoints="$(member_url 1)" \
	--metrics-url "$(member_url 1)" --no-state-file "${TLS[@]}"
mkdir -p "$CLUSTER_DIR/journals"
vg_case "etcd-diag live, healthy cluster" 0 --diag --no-config --journal-dir "$CLUSTER_DIR/journals" \
	--endpoints="$(cluster_endpoints)" "${TLS[@]}"
member_stop 3 >/dev/null
vg_case "etcd-diag live, one member stopped" 2 --diag --no-config --journal-dir "$CLUSTER_DIR/journals" \
	--endpoints="$(cluster_endpoints)" "${TLS[@]}"
vg_case "one member stopped" 1 --endpoints="$(cluster_endpoints)" "${TLS[@]}"
vg_case "wrong CA file" 3 --endpoints="$(member_url 1)" --cacert /nonexistent/ca.pem
scenario_finish
