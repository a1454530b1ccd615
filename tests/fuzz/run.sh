#!/usr/bin/env bash
# make fuzz: builds the libFuzzer targets tests/fuzz/fuzz_<name>.c with clang
# (-fsanitize=fuzzer,address,undefined) against the proto/, probe/ and diag/ sources, replays
# the regression inputs in tests/fuzz/regress/<name>/, then fuzzes each target for a bounded time.
#
#   FUZZ_SECONDS=20   time per target (CI smoke: 3)
#   FUZZ_TARGETS="h2_client grpc_frame"   only these (default: every fuzz_*.c; the decoders
#                     are rpc_status rpc_range rpc_alarms rpc_members rpc_authenticate
#                     rpc_lease_grant rpc_put rpc_delete_range)
#   FUZZ_DIR=build/fuzz   objects, binaries, the growing corpus (corpus/<name>/), crash artifacts
#   FUZZ_JOBS=1       parallel libFuzzer workers per target
# Prints `ok - fuzz NAME (...)` / `not ok - fuzz NAME` per target; exits 1 if any target crashed.
# A crash leaves its input as $FUZZ_DIR/artifacts/NAME-crash-*: fix the bug, then copy the input
# into tests/fuzz/regress/NAME/ so every later run replays it.
set -u
cd "$(dirname "$0")/../.." || exit 2
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
FUZZ_DIR=${FUZZ_DIR:-build/fuzz}
FUZZ_JOBS=${FUZZ_JOBS:-1}
CLANG=${CLANG:-clang}
case $FUZZ_SECONDS in '' | *[!0-9]*) echo "FUZZ_SECONDS must be a number" >&2; exit 2 ;; esac

if ! command -v "$CLANG" >/dev/null 2>&1; then
	sh tests/lib/need-packages.sh clang >/dev/null 2>&1
fi
# clang's libFuzzer runtime (libclang_rt.fuzzer) comes with libclang-rt-<version>-dev.
probe_fuzzer() { echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){(void)d;(void)n;return 0;}' |
	"$CLANG" -x c -fsanitize=fuzzer -o "$FUZZ_DIR/.probe" - >/dev/null 2>&1; }
mkdir -p "$FUZZ_DIR/obj" "$FUZZ_DIR/gen" "$FUZZ_DIR/corpus" "$FUZZ_DIR/artifacts" || exit 2
FUZZ_DIR=$(cd "$FUZZ_DIR" && pwd) || exit 2
ROOT=$PWD
if ! probe_fuzzer; then
	v=$("$CLANG" --version 2>/dev/null | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -n 1)
	sh tests/lib/need-packages.sh "libclang-rt-${v:-14}-dev" >/dev/null 2>&1
	if ! probe_fuzzer; then
		echo "skip - fuzz (clang's libFuzzer runtime is not installable here)"
		exit 0
	fi
fi

protoc-c --c_out="$FUZZ_DIR/gen" -Iproto proto/etcd.proto || exit 2
PKGS="libnghttp2 openssl libprotobuf-c libsystemd jansson libcares yaml-0.1"
# shellcheck disable=SC2207,SC2054
CF=(-std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined
	-fno-sanitize-recover=undefined -I. -I"$FUZZ_DIR/gen" $(pkg-config --cflags $PKGS))
# shellcheck disable=SC2207
LIBS=($(pkg-config --libs $PKGS) -lm)

# Library objects: everything but the two main.c files, rebuilt when the source is newer.
objs=()
build_failed=0
for src in proto/*.c probe/*.c diag/*.c "$FUZZ_DIR/gen/etcd.pb-c.c"; do
	case $src in */main.c) continue ;; esac
	[ -f "$src" ] || continue
	o=$FUZZ_DIR/obj/$(echo "$src" | tr / _).o
	if [ ! -f "$o" ] || [ "$src" -nt "$o" ] || [ "$FUZZ_DIR/gen/etcd.pb-c.h" -nt "$o" ]; then
		"$CLANG" "${CF[@]}" -w -c -o "$o" "$src" || { echo "# cannot compile $src"; build_failed=1; }
	fi
	objs+=("$o")
done
[ "$build_failed" = 0 ] || { echo "not ok - fuzz build"; exit 1; }

python3 tests/fuzz/seeds.py "$FUZZ_DIR/seeds" || { echo "not ok - fuzz seeds"; exit 1; }

targets=${FUZZ_TARGETS:-$(for f in tests/fuzz/fuzz_*.c; do f=${f##*/fuzz_}; echo "${f%.c}"; done)}
failed=0
for t in $targets; do
	bin=$FUZZ_DIR/fuzz_$t
	if ! "$CLANG" "${CF[@]}" -fsanitize=fuzzer -Wall -Wextra -Werror -Wshadow -o "$bin" \
		"tests/fuzz/fuzz_$t.c" "${objs[@]}" "${LIBS[@]}" 2>"$FUZZ_DIR/$t.build.log"; then
		sed -n '1,15s/^/#   /p' "$FUZZ_DIR/$t.build.log"
		echo "not ok - fuzz $t (build)"
		failed=1
		continue
	fi
	mkdir -p "$FUZZ_DIR/corpus/$t"
	# 1. the regression inputs (crashes found before), replayed one by one
	if [ -d "tests/fuzz/regress/$t" ] && [ -n "$(ls -A "tests/fuzz/regress/$t")" ]; then
		if ! timeout -k 5 300 "$bin" -runs=1 "tests/fuzz/regress/$t"/* >"$FUZZ_DIR/$t.regress.log" 2>&1; then
			grep -E 'ERROR|SUMMARY|runtime error' "$FUZZ_DIR/$t.regress.log" | head -n 5 | sed 's/^/#   /'
			echo "not ok - fuzz $t (regression inputs)"
			failed=1
			continue
		fi
	fi
	# 2. fuzzing, bounded: -max_total_time plus an outer timeout; seeds: generated
	#    (tests/fuzz/seeds.py) and captured from a real etcd (tests/fuzz/capture.py)
	# captured/rpc holds the protobuf messages of a real etcd: seeds for every decoder
	captured=
	cap_dir=tests/fuzz/captured/$t
	case $t in rpc_*) cap_dir=tests/fuzz/captured/rpc ;; esac
	[ -d "$cap_dir" ] && captured=$ROOT/$cap_dir
	log=$FUZZ_DIR/$t.log
	jobs=()
	# parallel workers write fuzz-N.log into the current directory: run inside FUZZ_DIR
	[ "$FUZZ_JOBS" -gt 1 ] && jobs=(-jobs="$FUZZ_JOBS" -workers="$FUZZ_JOBS")
	(cd "$FUZZ_DIR" && timeout -k 10 $((FUZZ_SECONDS + 60)) "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 \
		-rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 "${jobs[@]}" \
		-artifact_prefix="$FUZZ_DIR/artifacts/$t-" \
		"$FUZZ_DIR/corpus/$t" "$FUZZ_DIR/seeds/$t" ${captured:+"$captured"} >"$log" 2>&1)
	rc=$?
	if [ ${#jobs[@]} -gt 0 ]; then
		cat "$FUZZ_DIR"/fuzz-*.log >>"$log" 2>/dev/null
		rm -f "$FUZZ_DIR"/fuzz-*.log
	fi
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | awk '{ s += $1 } END { print s + 0 }')
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1)
	if [ "$rc" = 0 ]; then
		echo "ok - fuzz $t ($runs runs in ${FUZZ_SECONDS}s, ${cov:-cov: ?}, corpus $(ls "$FUZZ_DIR/corpus/$t" | wc -l))"
	else
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" | head -n 8 | sed 's/^/#   /'
		echo "not ok - fuzz $t (exit $rc; log $log)"
		failed=1
	fi
done
exit "$failed"
