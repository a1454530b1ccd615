#!/usr/bin/env bash
# etcd-versions: first
# make check's short form of the fault matrix (issue 15): one row per fault kind (the first row
# of each kind in tests/faults/matrix.sh's FAULT_ROWS, the follower where there is a choice) on
# the first etcd version; `make faults` runs every row, leader and follower, on 3.4 and 3.5.
# Each row prints its `ok - KIND/POSITION` line; the figures follow as comments, and the exit is
# non-zero when a row is wrong or a must-be-0 figure (false OK, false CRITICAL on a held quorum,
# runs past -t + 0.5 s) is not 0.
cd "$(dirname "$0")/../.." || exit 2
# the matrix runs in a network and mount namespace of its own (nft rules, loopback IPs): where
# that cannot be had, the rows are not run, and that is a skip, not a pass
if [ "$(id -u)" != 0 ] || ! unshare --net --mount true 2>/dev/null; then
	echo "skip - faults_short: needs root and unshare --net --mount"
	exit 0
fi
FAULTS_SHORT=1 exec bash tests/faults/matrix.sh
