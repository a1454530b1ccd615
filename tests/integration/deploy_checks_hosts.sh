#!/usr/bin/env bash
# etcd-versions: first
# etcd-install's input and write checks on a simulated host (tests/lib/hosts.sh: a real systemd as
# PID 1), with the tutorial's environment and default paths: an initial-cluster name that would
# change ExecStart is refused (exit 2, nothing written); a full /etc/systemd/system (a small tmpfs
# over it, in the host's own mount namespace) never gets a truncated unit (exit 1, one line naming
# the file, nothing of etcd's installed, etcd not started); --local-http warns that any local user
# gets the whole keyspace, and the member then serves plain HTTP on 127.0.0.1 under systemd. (No
# apt-get under --root is tested in deploy_install.sh with a recording stand-in.)
set -u
cd "$(dirname "$0")/../.." || exit 2
REPO=$PWD
# shellcheck source=deploy/demo-lib.sh
source deploy/demo-lib.sh
lab_use_etcd || { rc=$?; echo "not ok - etcd ${ETCD_VERSION:-} for the installer checks on a host"; exit "$rc"; }
# shellcheck source=tests/lib/tap.sh
source tests/lib/tap.sh
# shellcheck source=tests/lib/hosts.sh
source tests/lib/hosts.sh

unset STATE_DIRECTORY
PROBE=$REPO/build/etcd-probe
if ! [ -x "$PROBE" ]; then
	skip "etcd-install's checks on a host with systemd" "build/etcd-probe not built (make)"
	exit 0
fi
T0=$SECONDS
hosts_init || { echo "not ok - hosts_init"; exit 1; }
W=$HOSTS_DIR
N=$HOSTS_NET
NODES=etcd01=https://$N.1:2380
host_boot etcd01 "$N.1" || { notok "boot etcd01"; exit 1; }
host_wait_running etcd01 60 || { notok "etcd01 boots"; exit 1; }

# install OUT ENV_NODES [ARGS...]: etcd-install on etcd01 with the tutorial's environment; the
# output in $W/OUT.out, the exit code in $W/OUT.rc
install() {
	local out=$1 nodes=$2
	shift 2
	host_run etcd01 env NODE_NAME=etcd01 NODE_IP="$N.1" NODE_IPS="$N.1" ETCD_NODES="$nodes" \
		timeout 120 "$REPO/deploy/etcd-install" "$@" >"$W/$out.out" 2>&1 </dev/null
	echo $? >"$W/$out.rc"
}
# unit_files: etcd-install's files in the host's unit dir (regular files: the bed masks Debian's
# etcd.service with a link to /dev/null)
unit_files() { host_run etcd01 find /etc/systemd/system -maxdepth 1 -type f \( -name 'etcd*' -o -name '.etcd*' \); }

# -- a name that would change ExecStart
install badname "etcd01=https://$N.1:2380,etcd%02=https://$N.2:2380" --no-start
if [ "$(cat "$W/badname.rc")" = 2 ] && [ "$(grep -c . "$W/badname.out")" = 1 ] &&
	grep -q "member name 'etcd%02'" "$W/badname.out" && [ -z "$(unit_files)" ] &&
	host_run etcd01 test ! -e /etc/etcd/ssl/etcd.pem; then
	ok "an initial-cluster name with '%': one line naming it, exit 2, nothing written"
else
	notok "an initial-cluster name with '%' refused" "exit $(cat "$W/badname.rc")" "$(cat "$W/badname.out")" "units: $(unit_files)"
fi

# -- a full unit dir: a 16 KiB tmpfs over it, filled; nothing of etcd's lands there, nothing starts
host_run etcd01 sh -c 'mount -t tmpfs -o size=16k,mode=0755 tmpfs /etc/systemd/system &&
	dd if=/dev/zero of=/etc/systemd/system/fill bs=4k count=16 status=none 2>/dev/null; true'
install full "$NODES"
bad=()
[ "$(cat "$W/full.rc")" = 1 ] || bad+=("exit $(cat "$W/full.rc")")
[ "$(grep -c '^etcd-install: error:' "$W/full.out")" = 1 ] && grep -q '^etcd-install: error: cannot write /etc/systemd/system/' "$W/full.out" ||
	bad+=("not one error line naming a unit file")
[ -z "$(unit_files)" ] || bad+=("left in the unit dir: $(unit_files | tr '\n' ' ')")
host_run etcd01 test ! -e /etc/etcd/etcd-probe.env || bad+=("etcd-probe.env installed")
st=$(host_run etcd01 systemctl is-active etcd.service 2>/dev/null)
[ "$st" != active ] && [ "$st" != activating ] || bad+=("etcd.service is $st")
if [ ${#bad[@]} = 0 ]; then
	ok "a full /etc/systemd/system: one line naming the file, exit 1, no unit (whole or cut) and no env file installed, etcd not started"
else
	notok "a full unit dir installs nothing" "${bad[@]}" "$(cat "$W/full.out")"
fi
host_run etcd01 umount /etc/systemd/system

# -- --local-http: the warning, then the member under systemd serves plain HTTP on 127.0.0.1
install http "$NODES" --local-http
out=""
for ((k = 0; k < 60; k++)); do
	out=$(host_run etcd01 timeout 5 "$PROBE" --endpoints=http://127.0.0.1:2379 -t 3 2>&1) && break
	sleep 0.5
done
if [ "$(cat "$W/http.rc")" = 0 ] &&
	grep -q "^etcd-install: warning: --local-http: http://127.0.0.1:2379 serves the whole keyspace" "$W/http.out" &&
	grep -q "any local user" "$W/http.out" && [[ $out == "ETCD OK"* ]]; then
	ok "--local-http: a loud warning (the whole keyspace to any local user), and etcd.service then serves http://127.0.0.1:2379"
else
	notok "--local-http warns" "exit $(cat "$W/http.rc")" "$(grep -i warning "$W/http.out")" "probe: $out"
fi
echo "# whole test $((SECONDS - T0))s (etcd $ETCD_VERSION_FULL)"
