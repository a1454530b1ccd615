#!/bin/sh
# Runs every unit test binary given as argument (cmocka, under ASan+UBSan), then every
# integration script in tests/integration (sorted) once per etcd version it asks for, and prints a
# tally per etcd version and one closing tally line.
# Integration scripts print `ok - NAME`, `not ok - NAME` or `skip - NAME` per scenario; here each
# such line is shown with the etcd version it ran on.
#
# Versions: a script's line `# etcd-versions: none` runs once without etcd (hostile servers, usage,
# lint), `# etcd-versions: live` on $ETCD_VERSIONS_LIVE (the probe's and etcd-diag's live checks),
# `# etcd-versions: first` on the first of $ETCD_VERSIONS_ALL only (slow tests of the installer whose
# subject does not change with the version), any other script on $ETCD_VERSIONS_ALL. ETCD_VERSION=X runs every script that needs etcd on X
# alone. A version whose binaries cannot be had (tests/lib/etcd-versions.sh exit 77: the mirror is
# unreachable) is reported as skipped for each script, never as passed.
set -u
cd "$(dirname "$0")/../.." || exit 2
pass=0 fail=0 skip=0
log=$(mktemp -d /tmp/etcd-tests.XXXXXX) || exit 2
trap 'rm -rf "$log"' EXIT INT TERM
# etcd-probe's state file (default /var/lib/etcd-probe/state for root) stays in the run's temp dir
export STATE_DIRECTORY="$log"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ETCD_VERSIONS_ALL=${ETCD_VERSIONS_ALL:-3.4 3.5.16}
ETCD_VERSIONS_LIVE=${ETCD_VERSIONS_LIVE:-3.4 3.5.16 3.5.30}
: >"$log/tally"

# tally KEY PASSED FAILED SKIPPED: one row of the per-version tally
tally() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$log/tally"; }

only=${TESTS:-}
for t in "$@"; do
	name=$(basename "$t")
	if [ -n "$only" ] && ! echo "$name" | grep -qE "$only"; then continue; fi
	if timeout 120 "$t" >"$log/$name.out" 2>&1; then rc=0; else rc=$?; fi
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log/$name.out" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log/$name.out" | tail -1)
	p=${p:-0} f=${f:-0}
	[ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
	pass=$((pass + p)); fail=$((fail + f)); tally "unit tests" "$p" "$f" 0
	if [ "$rc" != 0 ]; then
		echo "FAIL unit $name (exit $rc):"; cat "$log/$name.out"
	else
		echo "ok   unit $name ($p tests)"
	fi
done

for s in tests/integration/*.sh; do
	[ -f "$s" ] || continue
	name=$(basename "$s" .sh)
	if [ -n "$only" ] && ! echo "$name" | grep -qE "$only"; then continue; fi
	kind=$(sed -n 's/^# etcd-versions: *\([a-z]*\).*/\1/p' "$s" | head -1)
	case $kind in
	none) versions=- ;;
	live) versions=${ETCD_VERSION:-$ETCD_VERSIONS_LIVE} ;;
	first) versions=${ETCD_VERSION:-${ETCD_VERSIONS_ALL%% *}} ;;
	*) versions=${ETCD_VERSION:-$ETCD_VERSIONS_ALL} ;;
	esac
	for v in $versions; do
		label="" key="without etcd" dir=""
		if [ "$v" != - ]; then
			# the version's binaries (fetched once into the cache); unavailable = skipped
			if dir=$(bash tests/lib/etcd-versions.sh dir "$v" 2>"$log/versions.err"); then
				full=$("$dir/etcd" --version 2>/dev/null | sed -n 's/^etcd Version: //p')
				label=" [etcd ${full:-$v}]" key="etcd ${full:-$v}"
			else
				rc=$?
				label=" [etcd $v]" key="etcd $v"
				if [ "$rc" = 77 ]; then
					echo "skip integration $name$label: $(tail -1 "$log/versions.err")"
					skip=$((skip + 1)); tally "$key" 0 0 1
				else
					echo "FAIL integration $name$label: $(tail -1 "$log/versions.err")"
					fail=$((fail + 1)); tally "$key" 0 1 0
				fi
				continue
			fi
		fi
		out=$log/$name.$v.out
		start=$(date +%s)
		if [ -n "$dir" ]; then
			ETCD_VERSION=$v PATH=$dir:$PATH timeout -k 10 900 bash "$s" >"$out" 2>&1
		else
			timeout -k 10 900 bash "$s" >"$out" 2>&1
		fi
		rc=$?
		p=$(grep -c '^ok - ' "$out"); f=$(grep -c '^not ok - ' "$out"); k=$(grep -c '^skip - ' "$out")
		[ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
		pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + k))
		tally "$key" "$p" "$f" "$k"
		if [ "$rc" != 0 ] || [ "$f" != 0 ]; then
			echo "FAIL integration $name$label (exit $rc, $(($(date +%s) - start))s):"
			sed "s/^\(\(not \)\{0,1\}ok - .*\)/\1$label/" "$out"
		else
			echo "ok   integration $name$label ($p passed, $k skipped, $(($(date +%s) - start))s)"
			grep -E '^(ok|skip) - ' "$out" | sed "s/\$/$label/; s/^/       /"
		fi
	done
done
awk -F '\t' '{ if (!($1 in p)) order[n++] = $1; p[$1] += $2; f[$1] += $3; k[$1] += $4 }
	END { for (i = 0; i < n; i++) printf "  %s: %d passed, %d failed, %d skipped\n", order[i], p[order[i]], f[order[i]], k[order[i]] }' "$log/tally"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
