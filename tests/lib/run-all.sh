#!/bin/sh
# Runs every unit test binary given as argument (cmocka, under ASan+UBSan), then every
# integration script in tests/integration (sorted), and prints one closing tally line.
# Integration scripts print `ok - NAME`, `not ok - NAME` or `skip - NAME` per scenario.
set -u
cd "$(dirname "$0")/../.." || exit 2
pass=0 fail=0 skip=0
log=$(mktemp -d /tmp/etcd-tests.XXXXXX) || exit 2
trap 'rm -rf "$log"' EXIT INT TERM
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

only=${TESTS:-}
for t in "$@"; do
	name=$(basename "$t")
	if [ -n "$only" ] && ! echo "$name" | grep -qE "$only"; then continue; fi
	if timeout 120 "$t" >"$log/$name.out" 2>&1; then rc=0; else rc=$?; fi
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log/$name.out" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log/$name.out" | tail -1)
	pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0}))
	if [ "$rc" != 0 ]; then
		[ -n "$f" ] || fail=$((fail + 1))
		echo "FAIL unit $name (exit $rc):"; cat "$log/$name.out"
	else
		echo "ok   unit $name (${p:-0} tests)"
	fi
done

for s in tests/integration/*.sh; do
	[ -f "$s" ] || continue
	name=$(basename "$s" .sh)
	if [ -n "$only" ] && ! echo "$name" | grep -qE "$only"; then continue; fi
	start=$(date +%s)
	if timeout -k 10 900 bash "$s" >"$log/$name.out" 2>&1; then rc=0; else rc=$?; fi
	p=$(grep -c '^ok - ' "$log/$name.out"); f=$(grep -c '^not ok - ' "$log/$name.out"); k=$(grep -c '^skip - ' "$log/$name.out")
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + k))
	if [ "$rc" != 0 ] || [ "$f" != 0 ]; then
		[ "$f" != 0 ] || fail=$((fail + 1))
		echo "FAIL integration $name (exit $rc, $(( $(date +%s) - start ))s):"; cat "$log/$name.out"
	else
		echo "ok   integration $name ($p passed, $k skipped, $(( $(date +%s) - start ))s)"
		grep -E '^(ok|skip) - ' "$log/$name.out" | sed 's/^/       /'
	fi
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
