#!/usr/bin/env bash
# etcd-diag on a one-million-entry journal, side by side with the pipeline an operator would
# type (journalctl -u etcd.service -o cat | grep -E '<the same signatures>'), on the same file:
# wall time, CPU, peak RSS (tests/bench/measure.c), and etcd-diag's peak RSS at 100k entries
# to show that memory does not grow with the journal; then the same lines as a kubeadm pod's
# CRI log file, etcd-diag --log-file against grep -E -f of the same signatures on that file.
# Prints markdown rows.
#
#   bash tests/bench/diag-bench.sh      (DIAG=, BENCH_ENTRIES= (default 1000000), BENCH_RUNS=,
#                                        DIAG_BENCH_PARTS="journal logfile" (the default: both))
set -u
cd "$(dirname "$0")/../.." || exit 2
DIAG=${DIAG:-build/etcd-diag}
ENTRIES=${BENCH_ENTRIES:-1000000}
RUNS=${BENCH_RUNS:-3}
REMOTE=/lib/systemd/systemd-journal-remote
[ -x "$DIAG" ] || { echo "diag-bench: no $DIAG (make first)" >&2; exit 2; }
[ -x "$REMOTE" ] || { echo "diag-bench: needs systemd-journal-remote" >&2; exit 2; }
D=$(mktemp -d /tmp/diag-bench.XXXXXX) || exit 2
trap 'rm -rf "$D"' EXIT

# etcd_lines N: N etcd 3.4 lines (capnslog and zap, ~5% failures, the rest healthy chatter),
# stamped over the last 50 minutes, one "USEC<TAB>LINE" per line.
etcd_lines() {
	perl -e '
		my ($n) = @ARGV;
		my @ok = (
			"2026-11-25 12:59:15.690512 I | rafthttp: established a TCP streaming connection with peer 7f3444a8a26e7b4c (stream Message reader)",
			"2026-11-25 12:59:15.701234 I | embed: ready to serve client requests",
			"{\"level\":\"info\",\"ts\":\"2026-11-25T13:00:15.068Z\",\"caller\":\"membership/cluster.go:392\",\"msg\":\"set initial cluster version\",\"cluster-id\":\"b4aa20d49dc2da8\",\"local-member-id\":\"3ab5f4e3854cb9cf\",\"cluster-version\":\"3.4\"}",
			"{\"level\":\"info\",\"ts\":\"2026-11-25T13:00:15.347Z\",\"caller\":\"traceutil/trace.go:145\",\"msg\":\"trace[1234567] range\",\"detail\":\"{range_begin:/registry/pods; range_end:; response_count:1; response_revision:4711; }\",\"duration\":\"112.3ms\"}",
			"2026-11-25 12:59:16.000000 I | pkg/fileutil: started to purge file, dir: /var/lib/etcd/member/snap, suffix: snap, max: 5, interval: 30s",
			"2026-11-25 12:59:16.100000 I | mvcc: store.index: compact 4711",
			"2026-11-25 12:59:16.200000 I | mvcc: finished scheduled compaction at 4711 (took 1.234ms)",
		);
		my @bad = (
			"2026-11-25 12:59:25.702967 W | rafthttp: health check for peer f3e60613aa798362 could not connect: x509: certificate is valid for 127.0.0.1, 127.0.100.1, not 127.0.100.3",
			"{\"level\":\"warn\",\"ts\":\"2026-11-25T13:00:34.543Z\",\"caller\":\"rafthttp/http.go:547\",\"msg\":\"request cluster ID mismatch\",\"local-member-id\":\"3ab5f4e3854cb9cf\",\"local-member-cluster-id\":\"b4aa20d49dc2da8\",\"remote-peer-server-name\":\"1d6cc60152c4f529\",\"remote-peer-cluster-id\":\"1c26fee1cee1b366\"}",
			"2026-11-25 13:00:12.797151 W | rafthttp: health check for peer 7f3444a8a26e7b4c could not connect: dial tcp 127.0.100.2:2380: connect: connection refused",
			"W | etcdserver: read-only range request \"key:\\\"foo\\\" \" with result \"range_response_count:0 size:5\" took too long (150.2ms) to execute",
		);
		my $now = time() * 1000000; my $span = 3000 * 1000000;
		for (my $i = 0; $i < $n; $i++) {
			my $l = ($i % 20 == 7) ? $bad[($i / 20) % @bad] : $ok[$i % @ok];
			print $now - $span + int($span * $i / $n), "\t$l\n";
		}' "$1"
}

# make_journal N FILE: etcd_lines as a journal, one host, _SYSTEMD_UNIT=etcd.service.
make_journal() {
	etcd_lines "$1" | perl -ne '
		my ($t, $l) = split /\t/, $_, 2;
		print "__REALTIME_TIMESTAMP=$t\n_HOSTNAME=m1\n_SYSTEMD_UNIT=etcd.service\n",
		      "SYSLOG_IDENTIFIER=etcd\nPRIORITY=6\nMESSAGE=$l\n";' | "$REMOTE" -o "$2" - 2>/dev/null
}

# make_cri N FILE: etcd_lines as containerd writes a kubeadm pod's log (RFC 3339 nano, stderr F).
make_cri() {
	etcd_lines "$1" | perl -MPOSIX -ne '
		my ($t, $l) = split /\t/, $_, 2;
		printf "%s.%06d123Z stderr F %s", POSIX::strftime("%Y-%m-%dT%H:%M:%S", gmtime(int($t / 1000000))),
		       $t % 1000000, $l;' >"$2"
}

MEASURE=$D/measure
${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -o "$MEASURE" tests/bench/measure.c || exit 2

median() {
	sort -g -k "$2,$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END {
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# the same signatures for grep -E -f, one per line (regex metacharacters escaped)
"$DIAG" --list-signatures | cut -f2 | sed 's/[][\.*^$+?(){}|/]/\\&/g' >"$D/sig"

median_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
met_below() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b) ? "met" : "MISSED" }'; }
PARTS=${DIAG_BENCH_PARTS:-journal logfile}

if [[ " $PARTS " == *" journal "* ]]; then
# journal-remote rotates a file at its size limit: one directory per journal
mkdir -p "$D/big" "$D/small"
make_journal "$ENTRIES" "$D/big/m1.journal" || exit 2
make_journal $((ENTRIES / 10)) "$D/small/m1.journal" || exit 2
n=$(journalctl -D "$D/big" -o cat | wc -l)
[ "$n" = "$ENTRIES" ] || { echo "diag-bench: journal holds $n entries, not $ENTRIES" >&2; exit 2; }

: >"$D/diag.t" && : >"$D/grep.t" && : >"$D/small.t"
for ((i = 0; i < RUNS; i++)); do
	"$MEASURE" "$DIAG" --journal-dir "$D/big" --offline \
		--no-config --since=-2h --format=json >>"$D/diag.t"
	"$MEASURE" bash -c \
		"journalctl -D '$D/big' -u etcd.service -o cat | grep -E -c -f '$D/sig' >'$D/jgrep.count'" \
		>>"$D/grep.t"
	"$MEASURE" "$DIAG" --journal-dir "$D/small" --offline \
		--no-config --since=-2h --format=json >>"$D/small.t"
done
dw=$(median "$D/diag.t" 1) dc=$(median "$D/diag.t" 2) dr=$(median "$D/diag.t" 3)
gw=$(median "$D/grep.t" 1) gc=$(median "$D/grep.t" 2) gr=$(median "$D/grep.t" 3)
sr=$(median "$D/small.t" 3)
ratio=$(awk -v a="$dw" -v b="$gw" 'BEGIN { printf "%.2f", a / b }')
met=$(awk -v a="$dw" -v b="$gw" 'BEGIN { print (a < b) ? "met" : "MISSED" }')
echo "| etcd-diag, $ENTRIES-entry journal: wall | $(printf '%.2f s' "$dw") | journalctl\|grep -E $(printf '%.2f s' "$gw") | ${ratio}x | < 1x | $met |"
echo "| etcd-diag, $ENTRIES-entry journal: CPU | $(printf '%.2f s' "$dc") | $(printf '%.2f s' "$gc") | | | |"
# our own memory (RssAnon, --stats) against the journal size; peak RSS also counts the journal
# files sd-journal maps, as it does for journalctl
anon() {
	"$DIAG" --journal-dir "$1" --offline --no-config --since=-2h --stats 2>&1 >/dev/null |
		sed -n 's/.*RssAnon \([0-9]*\) kB.*/\1/p'
}
sa=$(anon "$D/small") ba=$(anon "$D/big")
echo "| etcd-diag peak RSS (incl. mapped journal), $((ENTRIES / 10)) vs $ENTRIES entries | ${sr} vs ${dr} KiB | journalctl ${gr} KiB | | | |"
echo "| etcd-diag own memory (RssAnon), $((ENTRIES / 10)) vs $ENTRIES entries | ${sa} vs ${ba} KiB | | | flat | $(awk -v a="$sa" -v b="$ba" 'BEGIN { print (b <= a * 1.2 + 512) ? "met" : "MISSED" }') |"
fi

# the same lines in a CRI log file (what /var/log/pods holds), against grep -E -f on the file
if [[ " $PARTS " == *" logfile "* ]]; then
make_cri "$ENTRIES" "$D/big.log" || exit 2
make_cri $((ENTRIES / 10)) "$D/small.log" || exit 2
n=$(wc -l <"$D/big.log")
[ "$n" = "$ENTRIES" ] || { echo "diag-bench: CRI file holds $n lines, not $ENTRIES" >&2; exit 2; }
: >"$D/ldiag.t" && : >"$D/lgrep.t"
for ((i = 0; i < RUNS; i++)); do
	"$MEASURE" "$DIAG" --log-file "$D/big.log" --offline --no-config --since=-2h -t 60 \
		--format=json >>"$D/ldiag.t"
	# the count into a file: GNU grep stops at the first match when its stdout is /dev/null
	"$MEASURE" bash -c "grep -E -c -f '$D/sig' '$D/big.log' >'$D/lgrep.count'" >>"$D/lgrep.t"
done
dw=$(median "$D/ldiag.t" 1) dc=$(median "$D/ldiag.t" 2) dr=$(median "$D/ldiag.t" 3)
gw=$(median "$D/lgrep.t" 1) gc=$(median "$D/lgrep.t" 2) gr=$(median "$D/lgrep.t" 3)
echo "| etcd-diag --log-file, $ENTRIES-line CRI file: wall | $(printf '%.2f s' "$dw") | grep -E -f $(printf '%.2f s' "$gw") | $(median_ratio "$dw" "$gw")x | < 1x | $(met_below "$dw" "$gw") |"
echo "| etcd-diag --log-file, $ENTRIES-line CRI file: CPU, peak RSS | $(printf '%.2f s' "$dc"), $dr KiB | $(printf '%.2f s' "$gc"), $gr KiB | | | |"
lanon() {
	"$DIAG" --log-file "$1" --offline --no-config --since=-2h -t 60 --stats 2>&1 >/dev/null |
		sed -n 's/.*RssAnon \([0-9]*\) kB.*/\1/p'
}
sa=$(lanon "$D/small.log") ba=$(lanon "$D/big.log")
echo "| etcd-diag --log-file own memory (RssAnon), $((ENTRIES / 10)) vs $ENTRIES lines | ${sa} vs ${ba} KiB | | | flat | $(awk -v a="$sa" -v b="$ba" 'BEGIN { print (b <= a * 1.2 + 512) ? "met" : "MISSED" }') |"
fi
