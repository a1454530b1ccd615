#!/usr/bin/env bash
# etcd-versions: first
# etcd-install's input and write checks on a simulated host (tests/lib/hosts.sh: a real systemd as
# PID 1), with the tutorial's environment and default paths: an initial-cluster name that would
# change ExecStart is refused (exit 2, nothing written); a full /etc/systemd/system (a small tmpfs
# over it, in the host's own mount namespace) never gets a truncated unit (exit 1, one line naming
# the file, nothing of etcd's installed, etcd not started); --local-http warns that any local user
# gets the whole keyspace, and the member then serves plain HTTP on 127.0.0.1 under systemd; with no etcd on
# PATH (Debian's /usr/bin/etcd hidden in a mount namespace of the install's own inside the host),
# --root stages the unit naming /usr/bin/etcd and never runs apt-get (a stand-in first on PATH records
# every call; without --root the same install does call it, so the stand-in can tell).
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/deploy-hosts.sh
source tests/lib/deploy-hosts.sh
deploy_hosts_start 1 "etcd-install's checks on a host with systemd"

# install_as OUT ENV_NODES [ARGS...]: install on etcd01 with ETCD_NODES=ENV_NODES; the output in
# $W/OUT.out, the exit code in $W/OUT.rc
install_as() {
	local out=$1 NODES=$2
	shift 2
	install etcd01 "$@" >"$W/$out.out" 2>&1 </dev/null
	echo $? >"$W/$out.rc"
}
# unit_files: etcd-install's files in the host's unit dir (regular files: the bed masks Debian's
# etcd.service with a link to /dev/null)
unit_files() { host_run etcd01 find /etc/systemd/system -maxdepth 1 -type f \( -name 'etcd*' -o -name '.etcd*' \); }

# -- a name that would change ExecStart
install_as badname "etcd01=https://$N.1:2380,etcd%02=https://$N.2:2380" --no-start
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
install_as full "$NODES"
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
install_as http "$NODES" --local-http
out=""
for ((k = 0; k < 60; k++)); do
	out=$(host_run etcd01 timeout 5 "$PROBE" --endpoints=http://127.0.0.1:2379 -t 3 2>&1) && break
	hosts_sleep 0.5
done
if [ "$(cat "$W/http.rc")" = 0 ] &&
	grep -q "^etcd-install: warning: --local-http: http://127.0.0.1:2379 serves the whole keyspace" "$W/http.out" &&
	grep -q "any local user" "$W/http.out" && [[ $out == "ETCD OK"* ]]; then
	ok "--local-http: a loud warning (the whole keyspace to any local user), and etcd.service then serves http://127.0.0.1:2379"
else
	notok "--local-http warns" "exit $(cat "$W/http.rc")" "$(grep -i warning "$W/http.out")" "probe: $out"
fi

# -- no apt-get under --root: etcd-install with no etcd on PATH (in a mount namespace of this one command,
# inside the host, /usr/bin is an overlay without etcd: etcd.service keeps its binary), and a stand-in apt-get
# (and apt) first on PATH that records each call and fails
mkdir -p "$W/standin" "$W/usrbin/up" "$W/usrbin/work"
for c in apt-get apt; do
	printf '#!/bin/sh\necho "%s $*" >>"%s/apt.calls"\nexit 100\n' "$c" "$W" >"$W/standin/$c"
	chmod 755 "$W/standin/$c"
done
# noetcd CMD...: CMD on etcd01 with no etcd in /usr/bin and the stand-ins first on PATH
noetcd() {
	# shellcheck disable=SC2016 # $1 and $@ are the inner shell's
	host_run etcd01 unshare --mount --propagation private -- sh -c 'mount -t overlay overlay \
		-o "lowerdir=/usr/bin,upperdir=$1/up,workdir=$1/work" /usr/bin && rm -f /usr/bin/etcd && shift && exec "$@"' _ "$W/usrbin" \
		env PATH="$W/standin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" NODE_NAME=etcd01 NODE_IP="$N.1" \
		NODE_IPS="$IPS" ETCD_NODES="$NODES" timeout 120 "$REPO/deploy/etcd-install" "$@" </dev/null
}
host_run etcd01 mkdir -p /var/tmp/pkgroot
noetcd --root /var/tmp/pkgroot >"$W/root.out" 2>&1
rc=$?
unit=$(host_run etcd01 cat /var/tmp/pkgroot/etc/systemd/system/etcd.service 2>&1)
bad=()
[ "$rc" = 0 ] || bad+=("exit $rc")
[ ! -e "$W/apt.calls" ] || bad+=("apt-get called: $(cat "$W/apt.calls")")
grep -q "no etcd on PATH: the unit names /usr/bin/etcd" "$W/root.out" && grep -q "depend on etcd-server" "$W/root.out" ||
	bad+=("no word of the package's dependency on etcd-server")
grep -q '^ExecStart=/usr/bin/etcd ' <<<"$unit" || bad+=("the staged unit's ExecStart: $(grep '^ExecStart' <<<"$unit")")
host_run etcd01 test -x /usr/bin/etcd || bad+=("the host's /usr/bin/etcd is hidden after the install")
# the stand-in can tell: without --root the same install calls apt-get (refused: exit 1)
noetcd --no-start >"$W/noroot.out" 2>&1
rc2=$?
[ "$rc2" = 1 ] && grep -q '^apt-get install -y -q etcd-server$' "$W/apt.calls" 2>/dev/null ||
	bad+=("without --root: exit $rc2, apt-get calls '$(cat "$W/apt.calls" 2>&1)'" "$(tail -3 "$W/noroot.out")")
if [ ${#bad[@]} = 0 ]; then
	ok "--root with no etcd on PATH, on a host: no apt-get (the stand-in records none; without --root it records 'apt-get install -y -q etcd-server'), the staged unit names /usr/bin/etcd"
else
	notok "no apt-get under --root on a host" "${bad[@]}" "$(cat "$W/root.out")"
fi
echo "# whole test $((SECONDS - T0))s (etcd $ETCD_VERSION_FULL)"
