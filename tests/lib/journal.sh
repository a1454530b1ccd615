# shellcheck shell=bash
# Turns the members' logs of a tests/lib/cluster.sh cluster into real .journal files (one per
# member, _HOSTNAME=mI) with systemd-journal-remote, as journald would store etcd's stderr captured
# by a unit, so that etcd-diag can read them with --journal-dir. Sourced (bash) after cluster.sh:
#
#   . tests/lib/cluster.sh; . tests/lib/journal.sh
#   cluster_init && cluster_start 3 --logger=zap
#   ...                          # induce a failure
#   journal_all                  # $(journal_dir)/mI.journal for every member that has a log

JOURNAL_REMOTE=${JOURNAL_REMOTE:-/lib/systemd/systemd-journal-remote}

# journal_dir: prints the directory holding the .journal files ($CLUSTER_DIR/journal).
journal_dir() { echo "$CLUSTER_DIR/journal"; }

# journal_member I: turns member I's log into $(journal_dir)/mI.journal: the whole line in MESSAGE,
# PRIORITY 6. Timestamps come from the lines themselves (capnslog local time, zap ts), else from
# the previous line. cluster.sh's own "=== ... start mI" markers are not etcd output: left out.
journal_member() {
	local i=$1
	mkdir -p "$(journal_dir)" || return 1
	perl -MPOSIX -e '
		my ($host) = @ARGV; my $last = time() * 1000000; my $n = 0;
		while (my $l = <STDIN>) {
			chomp $l; next if $l eq "" || $l =~ /^=== /;
			if ($l =~ /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(\.\d+)?/ ||
			    $l =~ /"ts":"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?/) {
				$last = POSIX::mktime($6, $5, $4, $3, $2 - 1, $1 - 1900) * 1000000
					+ int(($7 // 0) * 1000000);
			}
			$n++;
			print "__REALTIME_TIMESTAMP=", $last + $n % 1000, "\n";
			print "_HOSTNAME=$host\n_BOOT_ID=0123456789abcdef0123456789abcdef\n";
			print "SYSLOG_IDENTIFIER=etcd\n_SYSTEMD_UNIT=etcd.service\n_TRANSPORT=stdout\n";
			print "PRIORITY=6\nMESSAGE=$l\n\n";
		}' "m$i" <"$(member_log "$i")" |
		"$JOURNAL_REMOTE" -o "$(journal_dir)/m$i.journal" - 2>/dev/null
}

# journal_all: rewrites the .journal files of members 1..CLUSTER_SIZE (those that have a log).
journal_all() {
	local i
	mkdir -p "$(journal_dir)" || return 1
	rm -f "$(journal_dir)"/*.journal
	for ((i = 1; i <= CLUSTER_SIZE; i++)); do
		if [ -f "$(member_log "$i")" ]; then journal_member "$i"; fi
	done
	return 0
}
