#!/usr/bin/env bash
# etcd.service's TimeoutStartSec= on real systemd (tests/lib/hosts.sh): Type=notify etcd is "activating"
# until the cluster has quorum, so the first member installed waits for the second one. Each host's
# systemd is given DefaultTimeoutStartSec=8s (a drop-in in its own /etc/systemd/system.conf.d,
# daemon-reexec) in place of the default 90 s, so the test need not wait 90 s:
#   1. etcd01's unit without its TimeoutStartSec= line: systemd kills the waiting etcd ("start operation
#      timed out") and Restart=on-failure starts it again: the defect, shown;
#   2. the installer's unit: etcd01 still activating after 20+ s with the same MainPID and NRestarts=0,
#      while its probe (not ordered after etcd.service) runs and fails instead of waiting; then etcd02 is
#      installed and the two-member cluster becomes healthy, etcd01 never restarted.
# etcd-versions: first
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/deploy-hosts.sh
source tests/lib/deploy-hosts.sh
deploy_hosts_start 2 "etcd.service's start timeout on real systemd" diag

# show NAME: etcd.service's state on host NAME, one line
show() { unit_show "$1" etcd.service ActiveState MainPID NRestarts SubState && printf '%s' "$ST"; }

# -- a short default start timeout on both hosts (the hosts' own /etc; host-init.sh's drop-in is 10-)
bad=()
for i in 1 2; do
	host_run "etcd0$i" sh -c 'printf "%s\n" "[Manager]" "DefaultTimeoutStartSec=8s" >/etc/systemd/system.conf.d/20-short-start.conf &&
		systemctl daemon-reexec' || bad+=("etcd0$i: daemon-reexec failed")
	host_wait_running "etcd0$i" 30 || bad+=("etcd0$i: not running after daemon-reexec")
	v=$(host_run "etcd0$i" systemctl show -P DefaultTimeoutStartUSec)
	[ "$v" = 8s ] || bad+=("etcd0$i: DefaultTimeoutStartUSec=$v")
done
[ ${#bad[@]} = 0 ] && ok "DefaultTimeoutStartSec=8s on both hosts (system.conf.d drop-in, daemon-reexec)" ||
	{ notok "a short default start timeout" "${bad[@]}"; exit 1; }

# -- etcd01's files and the CA (made there), copied to etcd02 as the tutorial does
install etcd01 --no-start >"$W/install1.out" 2>&1 || { notok "etcd-install --no-start on etcd01" "$(tail -5 "$W/install1.out")"; exit 1; }
ca_copy etcd01 etcd02 || { notok "the CA copied to etcd02"; exit 1; }
grep -qx "TimeoutStartSec=infinity" <<<"$(host_run etcd01 cat /etc/systemd/system/etcd.service)" ||
	notok "etcd.service sets TimeoutStartSec=infinity" "$(host_run etcd01 grep -n Timeout /etc/systemd/system/etcd.service)"

# -- 1. without the installer's TimeoutStartSec=: the default (8 s here, 90 s on a real host) kills etcd01
host_run etcd01 sed -i '/^TimeoutStartSec=/d' /etc/systemd/system/etcd.service
host_run etcd01 sh -c 'systemctl daemon-reload && systemctl start --no-block etcd.service'
t=$SECONDS
# the start job times out: Result=timeout while it waits RestartSec=5 to start it again, then NRestarts=1
# (etcd waiting for a peer never exits by itself)
seen=""
for ((k = 0; k < 80; k++)); do
	unit_show etcd01 etcd.service NRestarts Result
	r=$ST
	[[ $r == "NRestarts=0 Result=timeout "* ]] && seen=$r
	[ -n "$seen" ] && [[ $r != NRestarts=0* ]] && break
	hosts_sleep 0.5
done
if [ -n "$seen" ] && [[ $r != NRestarts=0* ]]; then
	ok "without TimeoutStartSec= the first member is killed while it waits for its peer (Result=timeout, then restarted: $r; $((SECONDS - t))s)"
else
	notok "without TimeoutStartSec= the first member is killed" "$(show etcd01) $r (Result=timeout seen: '${seen}')"
fi
host_run etcd01 systemctl stop etcd.service

# -- 2. the installer's unit: etcd01 waits, as long as it takes
t=$SECONDS
install etcd01 >"$W/install1.start" 2>&1
rc=$?
st=$(show etcd01)
pid=$(host_run etcd01 systemctl show -P MainPID etcd.service)
bad=()
[ "$rc" = 0 ] || bad+=("etcd-install on etcd01: exit $rc: $(tail -5 "$W/install1.start")")
grep -q "^etcd-install: wrote /etc/systemd/system/etcd.service" "$W/install1.start" || bad+=("the installer did not restore its unit")
# the probe does not wait for etcd.service's start job: it runs, fails (no quorum) and says so
host_run etcd01 timeout 30 systemctl start etcd-probe.service >/dev/null 2>&1
prc=$?
[ "$prc" != 124 ] || bad+=("systemctl start etcd-probe.service waited for etcd.service's start job (30 s)")
host_run etcd01 journalctl --no-pager -u etcd-probe.service -o cat | grep -q "^ETCD CRITICAL" ||
	bad+=("no failed probe while etcd01 waits: $(host_run etcd01 journalctl --no-pager -u etcd-probe.service -n 3 -o cat)")
while [ $((SECONDS - t)) -lt 12 ]; do hosts_sleep 0.5; done
st2=$(show etcd01)
[ "$st2" = "ActiveState=activating MainPID=$pid NRestarts=0 SubState=start " ] ||
	bad+=("etcd01 after $((SECONDS - t))s: $st2 (at the start: $st)")
if [ ${#bad[@]} = 0 ]; then
	ok "with the installer's unit etcd01 is still activating after $((SECONDS - t))s (DefaultTimeoutStartSec=8s): same MainPID $pid, NRestarts=0; its probe ran and failed meanwhile"
else
	notok "etcd01 waits for its peer" "${bad[@]}" "$(host_run etcd01 journalctl --no-pager -u etcd.service -n 5 -o cat)"
fi

# -- etcd02 installed late: the cluster forms, etcd01 never restarted
install etcd02 >"$W/install2.start" 2>&1
rc=$?
bad=()
[ "$rc" = 0 ] || bad+=("etcd-install on etcd02: exit $rc: $(tail -5 "$W/install2.start")")
for ((k = 0; k < 60; k++)); do
	[ "$(show etcd01)" = "ActiveState=active MainPID=$pid NRestarts=0 SubState=running " ] && break
	hosts_sleep 0.5
done
[ "$(show etcd01)" = "ActiveState=active MainPID=$pid NRestarts=0 SubState=running " ] || bad+=("etcd01: $(show etcd01)")
out=$(host_run etcd02 timeout 20 "$PROBE" --endpoints="https://$N.1:2379,https://$N.2:2379" --cacert=/etc/kubernetes/ssl/ca.pem \
	--cert=/etc/etcd/ssl/etcd.pem --key=/etc/etcd/ssl/etcd-key.pem -t 10 2>&1)
# both healthy; a WARNING is right here: etcd01's proposals (publishing itself) failed while it had no quorum
grep -qE "^ETCD (OK|WARNING) .*\| 'members'=2;[^ ]* 'healthy'=2;" <<<"$out" && ! grep -q "^CRITICAL" <<<"$out" ||
	bad+=("the cluster: $out")
if [ ${#bad[@]} = 0 ]; then
	ok "etcd02 installed $((SECONDS - t))s after etcd01: the cluster is healthy, etcd01 active with the same MainPID, NRestarts=0"
else
	notok "the cluster forms when etcd02 comes" "${bad[@]}"
fi

hosts_stop_all 20
echo "# whole test $((SECONDS - T0))s (etcd $ETCD_VERSION_FULL)"
exit "$FAILED"
