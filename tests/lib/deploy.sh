# shellcheck shell=bash
# The setup shared by the tests of deploy/etcd-install without systemd (deploy_install.sh, deploy_csr.sh,
# deploy_diag_gate.sh): the etcd under test, the TAP helpers, a temp dir, a locked loopback net, the
# installer, an etcd-probe (a stand-in when it is not built), and inst, which gives every location a flag
# so that nothing is written outside the temp dir.
#
#   . tests/lib/deploy.sh
#   deploy_setup deploy-install-test "the installer tests" || exit $?
#   CL="etcd01=https://127.0.$X.1:2380,..."     # the initial cluster inst passes
#   inst "$W/a" etcd01 "127.0.$X.1" --no-start  # output in $W/a.out and $W/a.err
#
# Sets REPO, W (the temp dir, removed at exit), X (127.0.X.*, nothing listens there, locked while the
# test runs), INSTALL, PROBE and PROBE_NOTE (" (etcd-probe not built: stand-in)" or empty), ETCD_BIN
# (deploy/demo-lib.sh's lab_use_etcd).

DEPLOY_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$DEPLOY_LIB_DIR/../.." && pwd)
# shellcheck source=deploy/demo-lib.sh
source "$REPO/deploy/demo-lib.sh"
# shellcheck source=tests/lib/tap.sh
source "$REPO/tests/lib/tap.sh"

# deploy_setup WORKDIR_NAME WHAT: the setup above. An etcd version that cannot be had here (lab_use_etcd's
# 77) skips the whole test: "skip - WHAT (...)" and exit 0, as run-all.sh counts a skip. Any other missing
# part prints "not ok - ..." and fails with lab_use_etcd's code or 1. WHAT names the test in those lines.
# shellcheck disable=SC2034 # W, X, INSTALL, PROBE_NOTE are read by the tests that source this file
deploy_setup() {
	local rc
	lab_use_etcd || {
		rc=$?
		[ "$rc" = 77 ] && { skip "$2" "etcd ${ETCD_VERSION:-} not available here"; exit 0; }
		echo "not ok - etcd ${ETCD_VERSION:-} for $2"
		return "$rc"
	}
	lab_workdir "$1" || { echo "not ok - a temp dir for $2"; return 1; }
	W=$LAB_DIR
	# the units' users (etcd) must reach the files inst puts under it
	chmod 755 "$W"
	lab_pick_net || { echo "not ok - free loopback net"; return 1; }
	X=$LAB_X
	INSTALL=$REPO/deploy/etcd-install
	PROBE=${ETCD_PROBE:-$REPO/build/etcd-probe} PROBE_NOTE=""
	if ! lab_probe_works "$PROBE"; then
		# etcd-probe not built yet: an executable stand-in, so that the units still name a real file.
		PROBE=$W/bin/etcd-probe PROBE_NOTE=" (etcd-probe not built: stand-in)"
		mkdir -p "$W/bin" && printf '#!/bin/sh\necho "ETCD UNKNOWN - stand-in"\nexit 3\n' >"$PROBE" && chmod 755 "$PROBE"
	fi
}

# inst DIR NAME IP ARGS...: installs member NAME of $CL into DIR (every location a flag), output in DIR.out/.err
inst() {
	local d=$1 n=$2 ip=$3
	shift 3
	timeout 60 "$INSTALL" --name "$n" --ip "$ip" --initial-cluster "$CL" --ca-dir "$d/ca" --ssl-dir "$d/ssl" \
		--data-dir "$d/data" --unit-dir "$d/units" --conf-dir "$d/conf" --lib-dir "$d/lib" --probe-bin "$PROBE" "$@" \
		>"$d.out" 2>"$d.err"
}

# snapshot DIR: every path under DIR with type, mode, size, mtime and checksum
snapshot() {
	(cd "$1" 2>/dev/null && find . -printf '%p %y %m %s %T@\n' | sort && find . -type f -exec md5sum {} + | sort)
}
