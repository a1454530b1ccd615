# shellcheck shell=bash
# The common start and helpers of the installer's tests on the bed of simulated hosts
# (tests/integration/deploy_*_hosts.sh; tests/lib/hosts.sh):
#
#   cd "$(dirname "$0")/../.." || exit 2
#   . tests/lib/deploy-hosts.sh      # also sources deploy/demo-lib.sh, tests/lib/tap.sh, tests/lib/hosts.sh
#   deploy_hosts_start 3 "what the test checks" [diag]
#
# deploy_hosts_start picks the etcd version, skips (exit 0) when that version cannot be had here or
# build/etcd-probe (and with "diag", build/etcd-diag) is not built, boots hosts etcd01..etcdN on
# $N.1..N and waits for each to run; on any failure it prints the TAP line and exits. Then: REPO (the
# checkout), PROBE, DIAG, T0 (SECONDS at the start), W ($HOSTS_DIR: bound into every host at the same
# path), N ($HOSTS_NET), IPS ("$N.1 ... $N.N"), NODES (etcd01=https://$N.1:2380,...: the tutorial's ETCD_NODES), boot_s (seconds to boot them).
# Functions, called from the test's main shell (as hosts.sh's): install, jctl, ca_copy, unit_show,
# wait_for, at_least, and deploy_hosts_finish INSTALL_S at the end (stops the hosts, prints the
# times, exits with the test's verdict).

REPO=$PWD
# shellcheck source=deploy/demo-lib.sh
source deploy/demo-lib.sh
# shellcheck source=tests/lib/tap.sh
source tests/lib/tap.sh
# shellcheck source=tests/lib/hosts.sh
source tests/lib/hosts.sh

# deploy_hosts_start COUNT TITLE [diag]: see above. TITLE names the test in its skip and failure lines.
deploy_hosts_start() {
	local count=$1 title=$2 need=${3:-} i rc
	lab_use_etcd || {
		rc=$?
		[ "$rc" = 77 ] && { skip "$title" "etcd ${ETCD_VERSION:-} not available here"; exit 0; }
		echo "not ok - etcd ${ETCD_VERSION:-} for $title"
		exit "$rc"
	}
	# inside a host, etcd-probe keeps its state in the host's own /var/lib/etcd-probe (run-all.sh points
	# STATE_DIRECTORY at a dir of the machine's /tmp, which a host does not see)
	unset STATE_DIRECTORY
	PROBE=$REPO/build/etcd-probe DIAG=$REPO/build/etcd-diag
	if [ "$need" = diag ]; then
		if ! [ -x "$PROBE" ] || ! [ -x "$DIAG" ]; then
			skip "$title" "build/etcd-probe and build/etcd-diag not built (make)"
			exit 0
		fi
	elif ! [ -x "$PROBE" ]; then
		skip "$title" "build/etcd-probe not built (make)"
		exit 0
	fi
	T0=$SECONDS
	hosts_init || { echo "not ok - hosts_init"; exit 1; }
	W=$HOSTS_DIR N=$HOSTS_NET IPS="" NODES=""
	for ((i = 1; i <= count; i++)); do
		IPS+="${IPS:+ }$N.$i"
		NODES+="${NODES:+,}etcd0$i=https://$N.$i:2380"
	done
	for ((i = 1; i <= count; i++)); do host_boot "etcd0$i" "$N.$i" || { notok "boot etcd0$i"; exit 1; }; done
	for ((i = 1; i <= count; i++)); do host_wait_running "etcd0$i" 60 || { notok "etcd0$i boots"; exit 1; }; done
	# shellcheck disable=SC2034 # read by the tests that source this file
	boot_s=$((SECONDS - T0))
}

# install NAME [ARGS...]: deploy/etcd-install with its default paths on host etcd0I, in the tutorial's
# environment: NODE_NAME=NAME, NODE_IP=$N.I, NODE_IPS=$IPS, ETCD_NODES=$NODES (a caller may set IPS or
# NODES locally for one call).
install() {
	local n=$1 i=${1#etcd0}
	shift
	host_run "$n" env NODE_NAME="$n" NODE_IP="$N.$i" NODE_IPS="$IPS" ETCD_NODES="$NODES" \
		timeout 120 "$REPO/deploy/etcd-install" "$@"
}

# jctl NAME ARGS...: journalctl in host NAME (bounded)
jctl() {
	local n=$1
	shift
	host_run "$n" timeout 10 journalctl --no-pager "$@"
}

# ca_copy FROM TO...: the CA that etcd-install made on FROM (/etc/kubernetes/ssl/ca.pem, ca-key.pem)
# into $W/ca and, as the tutorial copies it, into each TO's /etc/kubernetes/ssl (the key 0600).
# Non-zero at the first copy that fails.
ca_copy() {
	local from=$1 n
	shift
	mkdir -p "$W/ca" || return 1
	host_run "$from" cat /etc/kubernetes/ssl/ca.pem >"$W/ca/ca.pem" 2>/dev/null || return 1
	host_run "$from" cat /etc/kubernetes/ssl/ca-key.pem >"$W/ca/ca-key.pem" 2>/dev/null || return 1
	for n in "$@"; do
		# shellcheck disable=SC2016 # $1 is the inner shell's
		host_run "$n" sh -c 'mkdir -p /etc/kubernetes/ssl && cp "$1/ca.pem" "$1/ca-key.pem" /etc/kubernetes/ssl/ &&
			chmod 600 /etc/kubernetes/ssl/ca-key.pem' _ "$W/ca" || return 1
	done
}

# unit_show NAME UNIT PROP...: sets ST to UNIT's properties on host NAME as "P1=V1 P2=V2 " in the order
# the PROPs are given (give them sorted, as the checks spell them). Through a file and bash alone, no
# pipeline: it is polled.
unit_show() {
	local n=$1 u=$2 p l f=$W/unit_show.$BASHPID args=() lines=()
	shift 2
	for p in "$@"; do args+=(-p "$p"); done
	ST=""
	host_run "$n" systemctl show "${args[@]}" "$u" >"$f" 2>/dev/null </dev/null
	mapfile -t lines <"$f"
	for p in "$@"; do
		for l in "${lines[@]}"; do [ "${l%%=*}" = "$p" ] && ST+="$l "; done
	done
	return 0
}

# wait_for SECONDS CMD...: polls CMD every 0.5 s until it succeeds; 1 on timeout
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do [ "$SECONDS" -lt "$end" ] || return 1; hosts_sleep 0.5; done
}
at_least() { [ "$("${@:2}")" -ge "$1" ]; } # at_least N CMD...: CMD prints a number >= N

# deploy_hosts_finish INSTALL_S: stops every host, prints the test's times (boot, the installs'
# INSTALL_S seconds, the stop, the whole test) and exits with the test's verdict ($FAILED).
deploy_hosts_finish() {
	local t=$SECONDS
	hosts_stop_all 20
	echo "# times: boot ${boot_s}s, installs ${1}s, stop $((SECONDS - t))s, whole test $((SECONDS - T0))s (etcd $ETCD_VERSION_FULL)"
	exit "$FAILED"
}
