#!/usr/bin/env bash
# etcd-diag against etcd logs from the field: every excerpt of tests/data/reallogs (lines copied
# from public issue threads, each with the root cause the thread confirmed, see its INDEX.tsv)
# goes through both of etcd-diag's readers and the top finding's code is compared with the
# expected one; the healthy excerpts must raise nothing (exit 0).
#   (1) journal: tests/lib/reallog2journal.py turns the excerpt into a real .journal file
#       (systemd-journal-remote), read with --journal-file;
#   (2) log file: the excerpt as posted, read with --log-file.
# Ends with `reallogs score: journal A/N, log-file B/N, healthy clean H/M` (N counts the excerpts
# with a problem, M the healthy ones; H counts those clean on both paths).
# etcd-versions: none
set -u
cd "$(dirname "$0")/../.." || exit 2
DIAG=${ETCD_DIAG:-build/etcd-diag}
DATA=tests/data/reallogs
JOURNAL_REMOTE=${JOURNAL_REMOTE:-/lib/systemd/systemd-journal-remote}
# shellcheck source=tests/lib/tap.sh
. tests/lib/tap.sh

if [ ! -x "$JOURNAL_REMOTE" ] || [ ! -x "$DIAG" ] || ! command -v python3 >/dev/null; then
	skip diag_reallogs "needs systemd-journal-remote, python3 and $DIAG"
	exit 0
fi
work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT INT TERM

# top_code: "CODE EXIT" of etcd-diag's JSON on stdin ("none" without findings, "error" when the
# output is not JSON: an option etcd-diag does not know, a crash)
top_code() {
	python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)
except ValueError:
    print("error -"); sys.exit(0)
f = d.get("findings") or []
print((f[0]["code"] if f else "none"), d.get("exit_code"))'
}

# diag_journal FILE NAME: etcd-diag over FILE turned into NAME.journal; prints "CODE EXIT"
diag_journal() {
	local jf="$work/$2.journal"
	rm -f "$jf"
	if ! python3 tests/lib/reallog2journal.py "$1" | "$JOURNAL_REMOTE" -o "$jf" - 2>"$work/remote.err"; then
		echo "no-journal -"
		return
	fi
	"$DIAG" --journal-file "$jf" --no-config --offline --since @0 --until now --format=json \
		2>"$work/$2.journal.err" | top_code
}

# diag_logfile FILE NAME: etcd-diag over FILE as a log file; prints "CODE EXIT"
diag_logfile() {
	"$DIAG" --log-file "$1" --no-config --offline --since @0 --until now --format=json \
		2>"$work/$2.log-file.err" | top_code
}

# detail PATH NAME: etcd-diag's stderr of that run, when it said anything (why a run failed)
detail() {
	local f="$work/$2.$1.err"
	if [ -s "$f" ]; then head -n 2 "$f" | head -c 300; fi
}

# check PATH NAME WANTED GOT: one TAP line; returns 0 when GOT ("CODE EXIT") is what is wanted
check() {
	local path=$1 name=$2 want=$3 code=${4% *} rc=${4#* }
	if [ "$want" = healthy ]; then
		if [ "$rc" = 0 ]; then
			ok "reallogs $path $name (healthy)"
			return 0
		fi
		notok "reallogs $path $name (wanted healthy, got $code exit $rc)" "$(detail "$path" "$name")"
		return 1
	fi
	if [ "$code" = "$want" ]; then
		ok "reallogs $path $name ($want)"
		return 0
	fi
	notok "reallogs $path $name (wanted $want, got $code)" "$(detail "$path" "$name")"
	return 1
}

n=0 nh=0 sj=0 sl=0 hc=0 hj=0 hl=0
while IFS=$'\t' read -r file version shape want url cause; do
	[ "$file" = file ] && continue
	[ -n "$file" ] || continue
	name=${file%.log}
	if [ ! -f "$DATA/$file" ]; then
		notok "reallogs $name (listed in INDEX.tsv, file missing)"
		continue
	fi
	: "$version" "$shape" "$url" "$cause"
	gj=$(diag_journal "$DATA/$file" "$name")
	gl=$(diag_logfile "$DATA/$file" "$name")
	if [ "$want" = healthy ]; then
		nh=$((nh + 1))
		cj=0 cl=0
		check journal "$name" healthy "$gj" && cj=1
		check log-file "$name" healthy "$gl" && cl=1
		hj=$((hj + cj)) hl=$((hl + cl))
		[ $cj = 1 ] && [ $cl = 1 ] && hc=$((hc + 1))
	else
		n=$((n + 1))
		check journal "$name" "$want" "$gj" && sj=$((sj + 1))
		check log-file "$name" "$want" "$gl" && sl=$((sl + 1))
	fi
done <"$DATA/INDEX.tsv"

echo "reallogs healthy: journal $hj/$nh, log-file $hl/$nh"
echo "reallogs score: journal $sj/$n, log-file $sl/$n, healthy clean $hc/$nh"
if [ "$n" -lt 40 ] || [ "$nh" -lt 6 ]; then
	notok "reallogs corpus size ($n excerpts with a problem, $nh healthy; wanted 40 and 6)"
fi
exit "$FAILED"
