#!/usr/bin/env bash
# make bench: etcd-probe against etcdctl on a loopback lab cluster this script starts itself
# (tests/lib/cluster.sh, 3 members, mutual TLS, 127.0.X.* with X in 150..199), alternating the
# two sides (A B A B ...), medians of BENCH_RUNS runs each (default 10), wall time, CPU time
# (user+sys) and peak RSS from wait4's rusage (tests/bench/measure.c, built here with cc), printed as a markdown table
# with the ratio probe/etcdctl next to the target the issue sets.
#
#   bash tests/bench/bench.sh   (PROBE=, ETCDCTL=, BENCH_RUNS=, BENCH_FAIL_RUNS=, BENCH_KEY_ALG= override)
#
# The cluster runs ETCD_VERSION (default Debian 12's 3.4); then, in the same run, sections 1, 2 and 4
# are repeated on each version of BENCH_VERSIONS (default 3.5.16; "" for none) against that
# version's own etcdctl, as rows labelled with it (BENCH_ROWS_ONLY=1 is that repeat: rows only).
#
# Sections: 1 full check of one member; 2 the 3-member cluster; 3 scale (3 endpoints against 90
# endpoint entries: the three members' URLs 30 times, each its own connection, repeats resuming
# the first connection's TLS session) and one black hole among healthy members; 4 failure latency (a member whose
# certificate does not cover its IP, a stopped member); 5 etcd-diag on a one-million-entry
# journal (tests/bench/diag-bench.sh), only when etcd-diag exists next to the probe.
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/cluster.sh
. tests/lib/cluster.sh
PROBE=${PROBE:-build/etcd-probe}
case $PROBE in /*) ;; *) PROBE=$PWD/$PROBE ;; esac
ETCDCTL=${ETCDCTL:-etcdctl}
RUNS=${BENCH_RUNS:-10}
FAIL_RUNS=${BENCH_FAIL_RUNS:-$RUNS}
[ -x "$PROBE" ] || { echo "bench: no probe at $PROBE (make first)" >&2; exit 2; }
# Keys: RSA 2048 like the tutorial's cfssl (BENCH_KEY_ALG=ec for P-256: cheaper handshakes).
export CLUSTER_NET_FIRST=150 CLUSTER_NET_LAST=199 ETCDCTL_API=3 CLUSTER_KEY_ALG=${BENCH_KEY_ALG:-rsa}
cluster_init || exit 2
ONLY=${BENCH_ROWS_ONLY:-0}
LBL=""
[ "$ONLY" = 1 ] && LBL="etcd $ETCD_VERSION_FULL: "
D=$CLUSTER_DIR
N=$CLUSTER_NET
MEASURE=$D/measure
${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -o "$MEASURE" tests/bench/measure.c || exit 2
cluster_start 3 >/dev/null || { echo "bench: cluster did not become healthy" >&2; exit 2; }
cluster_log "3 members healthy"

TLS=(--cacert="$D/ca/ca.pem" --cert="$D/client.pem" --key="$D/client-key.pem")
M1=$(member_url 1)
ALL=$(cluster_endpoints)
CTL=("$ETCDCTL" "${TLS[@]}" --dial-timeout=5s --command-timeout=5s)

# median FILE COLUMN: the median of one column of measure's lines.
median() {
	sort -g -k "$2,$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END {
		if (NR == 0) { print "nan"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# bench_pair NAME RUNS -- A... ==== B...: alternates A and B RUNS times each (measure's argument
# syntax: commands separated by ---), leaves medians in A_WALL A_CPU A_RSS B_WALL B_CPU B_RSS
# (seconds, seconds, KiB), the running members' CPU during each side in A_SRV B_SRV (seconds)
# and A's last exit code in A_RC.
bench_pair() {
	local name=$1 runs=$2 a=() b=() side=a i
	shift 3
	for x in "$@"; do
		if [ "$x" = "====" ]; then side=b; continue; fi
		if [ $side = a ]; then a+=("$x"); else b+=("$x"); fi
	done
	: >"$D/$name.a"
	: >"$D/$name.b"
	for ((i = 0; i < runs; i++)); do
		MEASURE_PIDS="${CLUSTER_PIDS[*]}" "$MEASURE" "${a[@]}" >>"$D/$name.a"
		MEASURE_PIDS="${CLUSTER_PIDS[*]}" "$MEASURE" "${b[@]}" >>"$D/$name.b"
	done
	A_WALL=$(median "$D/$name.a" 1) A_CPU=$(median "$D/$name.a" 2) A_RSS=$(median "$D/$name.a" 3)
	B_WALL=$(median "$D/$name.b" 1) B_CPU=$(median "$D/$name.b" 2) B_RSS=$(median "$D/$name.b" 3)
	A_SRV=$(median "$D/$name.a" 5) B_SRV=$(median "$D/$name.b" 5)
	A_RC=$(tail -n 1 "$D/$name.a" | awk '{ print $4 }')
}

ROWS=()
# row WHAT PROBE_VALUE ETCDCTL_VALUE UNIT TARGET_RATIO: one table row, ratio and pass/miss.
row() {
	local what=$1 pv=$2 cv=$3 unit=$4 target=$5 ratio verdict
	ratio=$(awk -v a="$pv" -v b="$cv" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "nan" }')
	verdict=$(awk -v r="$ratio" -v t="$target" 'BEGIN { print (r != "nan" && r <= t) ? "met" : "MISSED" }')
	ROWS+=("| $LBL$what | $(fmt "$pv" "$unit") | $(fmt "$cv" "$unit") | ${ratio}x | <= ${target}x | $verdict |")
}
fmt() {
	case $2 in
	ms) awk -v v="$1" 'BEGIN { printf "%.1f ms", v * 1000 }' ;;
	MiB) awk -v v="$1" 'BEGIN { printf "%.1f MiB", v / 1024 }' ;;
	*) echo "$1" ;;
	esac
}

echo "bench: $RUNS runs per side, alternating; probe $PROBE, $("$ETCDCTL" version | head -n 1)" >&2

# 1. one member, a full check, for the facts the etcdctl trio gives (--no-metrics: the trio does
# not read /metrics; section 2b compares the check with /metrics against the trio + curl)
bench_pair full1 "$RUNS" -- "$PROBE" --endpoints="$M1" "${TLS[@]}" --no-metrics ==== \
	"${CTL[@]}" --endpoints="$M1" endpoint health --- \
	"${CTL[@]}" --endpoints="$M1" endpoint status --- \
	"${CTL[@]}" --endpoints="$M1" alarm list
row "1 member (--no-metrics): wall" "$A_WALL" "$B_WALL" ms 0.25
row "1 member (--no-metrics): CPU user+sys" "$A_CPU" "$B_CPU" ms 0.3
row "1 member (--no-metrics): peak RSS" "$A_RSS" "$B_RSS" MiB 0.5
[ "$A_RC" = 0 ] || echo "bench: warning: probe exit $A_RC on a healthy member" >&2

# 2. the 3-member cluster
bench_pair full3 "$RUNS" -- "$PROBE" --endpoints="$M1" --cluster "${TLS[@]}" --no-metrics ==== \
	"${CTL[@]}" --endpoints="$M1" endpoint health --cluster --- \
	"${CTL[@]}" --endpoints="$M1" endpoint status --cluster --- \
	"${CTL[@]}" --endpoints="$M1" alarm list
row "3 members (--cluster --no-metrics): wall" "$A_WALL" "$B_WALL" ms 0.25
row "3 members (--cluster --no-metrics): CPU user+sys" "$A_CPU" "$B_CPU" ms 0.3
row "3 members (--cluster --no-metrics): peak RSS" "$A_RSS" "$B_RSS" MiB 0.5

# 2b. /metrics (read by default): the same check with and without it, and against what an
# operator runs for the same facts, the etcdctl trio plus curl of each member's /metrics
bench_pair metrics "$RUNS" -- "$PROBE" --endpoints="$M1" --cluster "${TLS[@]}" ==== \
	"$PROBE" --endpoints="$M1" --cluster "${TLS[@]}" --no-metrics
row "3 members, /metrics read against --no-metrics (etcdctl column: the probe with --no-metrics): wall" \
	"$A_WALL" "$B_WALL" ms 1.5
CURL=(curl -s -o /dev/null --max-time 5 --cacert "$D/ca/ca.pem" --cert "$D/client.pem" --key "$D/client-key.pem")
bench_pair metrics_ctl "$RUNS" -- "$PROBE" --endpoints="$M1" --cluster "${TLS[@]}" ==== \
	"${CTL[@]}" --endpoints="$M1" endpoint health --cluster --- \
	"${CTL[@]}" --endpoints="$M1" endpoint status --cluster --- \
	"${CTL[@]}" --endpoints="$M1" alarm list --- \
	"${CURL[@]}" "$(member_url 1)/metrics" --- "${CURL[@]}" "$(member_url 2)/metrics" --- \
	"${CURL[@]}" "$(member_url 3)/metrics"
row "3 members with /metrics, against the etcdctl trio + curl of each /metrics: wall" "$A_WALL" "$B_WALL" ms 0.3
row "3 members with /metrics, against the etcdctl trio + curl of each /metrics: CPU user+sys" "$A_CPU" "$B_CPU" ms 0.3

if [ "$ONLY" = 0 ]; then
# 3. scale: 90 endpoint entries (the three members' URLs 30 times, each its own connection),
# against the 3 members' URLs
EP90=
for _ in $(seq 1 30); do EP90+=${EP90:+,}$(cluster_endpoints); done
bench_pair scale "$RUNS" -- "$PROBE" --endpoints="$ALL" "${TLS[@]}" ==== \
	"$PROBE" --endpoints="$EP90" "${TLS[@]}"
SCALE_RATIO=$(awk -v a="$A_WALL" -v b="$B_WALL" 'BEGIN { printf "%.2f", b / a }')
SCALE_OK=$(awk -v r="$SCALE_RATIO" 'BEGIN { print (r <= 3) ? "met" : "MISSED" }')
SCALE_ROW="| 90 endpoints against 3: wall | $(fmt "$B_WALL" ms) | $(fmt "$A_WALL" ms) (3 endpoints) | ${SCALE_RATIO}x | <= 3x | $SCALE_OK |"
SCALE_RSS="| 90 endpoints: peak RSS, CPU | $(fmt "$B_RSS" MiB), $(fmt "$B_CPU" ms) | $(fmt "$A_RSS" MiB), $(fmt "$A_CPU" ms) (3 endpoints) | | | |"
# The members run on the same CPUs as the probe: the CPU both sides spend on the 90 entries,
# spread over every CPU, is a wall time no schedule can beat.
NCPU=$(nproc)
FLOOR=$(awk -v c="$B_CPU" -v s="$B_SRV" -v n="$NCPU" 'BEGIN { printf "%.6f", (c + s) / n }')
FLOOR_RATIO=$(awk -v f="$FLOOR" -v a="$A_WALL" 'BEGIN { printf "%.2f", f / a }')
SRV_ONLY=$(awk -v s="$B_SRV" -v n="$NCPU" -v a="$A_WALL" 'BEGIN { printf "%.2f", s / n / a }')
SCALE_FLOOR="| 90 endpoints: CPU of the probe + the 3 etcd members, and the wall it allows on $NCPU CPUs | $(fmt "$B_CPU" ms) + $(fmt "$B_SRV" ms) (3 endpoints: $(fmt "$A_CPU" ms) + $(fmt "$A_SRV" ms)) | | floor $(fmt "$FLOOR" ms) = ${FLOOR_RATIO}x the 3-endpoint wall (the members' share alone: ${SRV_ONLY}x) | | |"
# The same 90 entries through etcdctl (its commands check the entries concurrently too).
bench_pair scale_ctl "$RUNS" -- "$PROBE" --endpoints="$EP90" "${TLS[@]}" ==== \
	"${CTL[@]}" --endpoints="$EP90" endpoint health --- \
	"${CTL[@]}" --endpoints="$EP90" endpoint status --- \
	"${CTL[@]}" --endpoints="$M1" alarm list
SCALE_CTL="| 90 endpoints, probe vs \`endpoint health\` + \`endpoint status\` on the same 90 + \`alarm list\`: wall, CPU | $(fmt "$A_WALL" ms), $(fmt "$A_CPU" ms) | $(fmt "$B_WALL" ms), $(fmt "$B_CPU" ms) | $(awk -v a="$A_WALL" -v b="$B_WALL" 'BEGIN { printf "%.3f", a / b }')x, $(awk -v a="$A_CPU" -v b="$B_CPU" 'BEGIN { printf "%.3f", a / b }')x | | |"

# ... and one black hole (accepts, never answers) among the healthy members, -t 2
cluster_bg "$D/bh.log" python3 tests/hostile/hostile_server.py silent "$N.9" 2379
cluster_wait_port "$N.9" 2379 10
t0=$(date +%s%N)
"$PROBE" --endpoints="$ALL,https://$N.9:2379" "${TLS[@]}" -t 2 >"$D/bh.out" 2>&1
bh_rc=$?
bh_ms=$((($(date +%s%N) - t0) / 1000000))
bh_healthy=0
for i in 1 2 3; do grep -E "^OK: $(member_url "$i")" "$D/bh.out" | grep -qv 'timed out' && bh_healthy=$((bh_healthy + 1)); done
BH_OK=$([ "$bh_ms" -le 2500 ] && [ "$bh_healthy" = 3 ] && echo met || echo MISSED)
BH_ROW="| black hole among 3 healthy, -t 2 | $bh_ms ms, exit $bh_rc, $bh_healthy/3 healthy lines | | | ends by -t + 0.5 s, healthy results kept | $BH_OK |"
fi

# 4. failure latency: member 3 with member 1's certificate (SAN does not cover 127.0.X.3)
member_stop 3
MEMBER_CERT=$D/m1.pem MEMBER_KEY=$D/m1-key.pem member_start 3 --listen-client-urls="$(member_url 3)"
member_wait_tls 3 20 >/dev/null 2>&1 || cluster_wait_port "$N.3" 2379 20
M3=$(member_url 3)
bench_pair san "$FAIL_RUNS" -- "$PROBE" --endpoints="$M3" "${TLS[@]}" ==== \
	"${CTL[@]}" --endpoints="$M3" endpoint health
SAN_A=$A_WALL SAN_B=$B_WALL
"$PROBE" --endpoints="$M3" "${TLS[@]}" >"$D/san.out" 2>&1
SAN_WHY=$(sed -n 2p "$D/san.out" | grep -oE 'certificate is valid for [^;]*' | head -n 1)
member_stop 3
bench_pair stopped "$FAIL_RUNS" -- "$PROBE" --endpoints="$M3" "${TLS[@]}" ==== \
	"${CTL[@]}" --endpoints="$M3" endpoint health
STOP_A=$A_WALL STOP_B=$B_WALL
fail_row() {
	local ok
	ok=$(awk -v a="$2" 'BEGIN { print (a < 0.05) ? "met" : "MISSED" }')
	ROWS+=("| $LBL$1: time to a verdict | $(fmt "$2" ms) | $(fmt "$3" ms) | $(awk -v a="$2" -v b="$3" 'BEGIN { printf "%.3f", a / b }')x | < 50 ms | $ok |")
}
fail_row "SAN mismatch (${SAN_WHY:-?})" "$SAN_A" "$SAN_B"
fail_row "stopped member" "$STOP_A" "$STOP_B"

if [ "$ONLY" = 1 ]; then
	printf '%s\n' "${ROWS[@]}"
	exit 0
fi

# the same sections on the other versions, each its own cluster, in this run (this cluster
# stopped first: nothing else runs meanwhile)
member_stop 1
member_stop 2
VER_ROWS=()
for v in ${BENCH_VERSIONS-3.5.16}; do
	while IFS= read -r line; do
		case $line in '|'*) VER_ROWS+=("$line") ;; esac
	done < <(ETCD_VERSION=$v ETCDCTL='' BENCH_ROWS_ONLY=1 PROBE=$PROBE timeout -k 10 900 bash tests/bench/bench.sh)
	[ ${#VER_ROWS[@]} -gt 0 ] || echo "bench: etcd $v: no rows (not available here?)" >&2
done

# 5. etcd-diag on a one-million-entry journal against journalctl | grep: the rows come from
# tests/bench/diag-bench.sh (etcd-diag's own bench), run here with the same number of runs
DIAG=$(dirname "$PROBE")/etcd-diag
DIAG_ROWS=()
if [ -x "$DIAG" ] && "$DIAG" --help 2>&1 | grep -q -- '--journal-file' && [ -f tests/bench/diag-bench.sh ]; then
	member_stop 1
	member_stop 2 # quiet machine: nothing else runs during this section
	while IFS= read -r line; do
		case $line in '|'*) DIAG_ROWS+=("$line") ;; esac
	done < <(DIAG=$DIAG BENCH_RUNS=$RUNS timeout -k 10 600 bash tests/bench/diag-bench.sh)
	[ ${#DIAG_ROWS[@]} -gt 0 ] || echo "bench: section 5: tests/bench/diag-bench.sh printed no rows" >&2
else
	echo "bench: section 5 skipped (needs $DIAG with --journal-file and tests/bench/diag-bench.sh)" >&2
fi

echo
echo "Bench: $(date -u +%FT%TZ), $(nproc) CPUs, etcd $ETCD_VERSION_FULL, $("$ETCDCTL" version | head -n 1 | tr -d '\r'), $CLUSTER_KEY_ALG keys, medians of $RUNS alternating runs each (failure rows: $FAIL_RUNS)."
echo "Reproduce: make bench (tests/bench/bench.sh)."
echo
echo "| measure | etcd-probe | etcdctl | ratio | target | |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]:0:6}"
echo "$SCALE_ROW"
echo "$SCALE_RSS"
echo "$SCALE_FLOOR"
echo "$SCALE_CTL"
echo "$BH_ROW"
printf '%s\n' "${ROWS[@]:6}"
[ ${#VER_ROWS[@]} -gt 0 ] && printf '%s\n' "${VER_ROWS[@]}"
[ ${#DIAG_ROWS[@]} -gt 0 ] && printf '%s\n' "${DIAG_ROWS[@]}"
echo
echo "etcdctl side: endpoint health + endpoint status + alarm list (with --cluster for 3 members), one process each, summed; peak RSS is the largest of the three."
