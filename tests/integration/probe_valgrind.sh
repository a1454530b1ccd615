#!/usr/bin/env bash
# etcd-probe under valgrind (memcheck, full leak check) against a real 3-member TLS cluster:
# a healthy run, a run with one member stopped, and a run against a black-hole address, each
# must end with no memory error and no leak (valgrind --error-exitcode=1).
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/cluster.sh
. tests/lib/probe-check.sh

sh tests/lib/need-packages.sh valgrind >/dev/null || { scenario_skip "valgrind" "valgrind not installable"; exit 0; }
cluster_init
cluster_start 3 >/dev/null || { scenario_fail "cluster start" "3 members did not become healthy"; scenario_finish; exit 1; }
TLS=(--cacert "$CLUSTER_DIR/ca/ca.pem" --cert "$CLUSTER_DIR/client.pem" --key "$CLUSTER_DIR/client-key.pem")
VG=(valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible)

vg_case() { # NAME EXPECTED_RC ARGS...
	local name=$1 want=$2 rc
	shift 2
	timeout -k 5 120 "${VG[@]}" "$PROBE" "$@" >"$CLUSTER_DIR/vg.out" 2>"$CLUSTER_DIR/vg.err"
	rc=$?
	if [ "$rc" = "$want" ]; then
		scenario_ok "valgrind clean: $name (exit $rc)"
	else
		scenario_fail "valgrind clean: $name" "exit $rc, expected $want (99 = valgrind error)" \
			"$(head -40 "$CLUSTER_DIR/vg.err")" "$(head -5 "$CLUSTER_DIR/vg.out")"
	fi
}

vg_case "healthy cluster, --cluster, JSON" 0 --endpoints="$(member_url 1)" --cluster --format=json "${TLS[@]}"
member_stop 3 >/dev/null
vg_case "one member stopped" 1 --endpoints="$(cluster_endpoints)" "${TLS[@]}"
vg_case "wrong CA file" 3 --endpoints="$(member_url 1)" --cacert /nonexistent/ca.pem
scenario_finish
