#!/usr/bin/env bash
# etcd-versions: none (no etcd member involved)
# Fuzz smoke for make check: every libFuzzer target (tests/fuzz/fuzz_*.c) replays its regression
# inputs and fuzzes for FUZZ_SECONDS (default 3) in a temp dir; skipped when clang's libFuzzer
# runtime is missing. The long run is `make fuzz` (tests/fuzz/run.sh, 20 s per target).
set -u
cd "$(dirname "$0")/../.." || exit 2
dir=$(mktemp -d /tmp/etcd-fuzz-smoke.XXXXXX) || exit 2
trap 'rm -rf "$dir"' EXIT
FUZZ_SECONDS=${FUZZ_SMOKE_SECONDS:-3} FUZZ_DIR=$dir timeout -k 10 600 bash tests/fuzz/run.sh
