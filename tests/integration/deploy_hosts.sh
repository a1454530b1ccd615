#!/usr/bin/env bash
# The seed's flow end to end on three simulated hosts (tests/lib/hosts.sh: a real systemd as PID 1 each):
# on each host the tutorial's environment (NODE_NAME, NODE_IP, NODE_IPS, ETCD_NODES) and
# deploy/etcd-install with its default paths (CA in /etc/kubernetes/ssl, made once on etcd01 and copied
# to the others as the tutorial does; /etc/etcd/ssl, /var/lib/etcd, /etc/systemd/system); etcd started
# by systemd (Type=notify reaches active); the cluster healthy by etcd-probe over mutual TLS; the
# probe timer fires (every 5 s through a drop-in) and its verdict is in each host's journal; then a
# fault: etcd03 given etcd01's certificate and key and `systemctl restart etcd`, its timer's probe
# fails, OnFailure= runs etcd-diag-report@, and etcd03's journal holds cert-san-mismatch; etcd-diag
# with no arguments on etcd03 finds the unit, the config and the journal by itself and names the cause.
# (Peers connect from 127.0.0.1, which every certificate covers: the wrong certificate is seen from
# the side that dials etcd03, its peers and the probe. LAB_NOTES.)
set -u
cd "$(dirname "$0")/../.." || exit 2
REPO=$PWD
# shellcheck source=deploy/demo-lib.sh
source deploy/demo-lib.sh
lab_use_etcd || { rc=$?; echo "not ok - etcd ${ETCD_VERSION:-} for the hosts test"; exit "$rc"; }
# shellcheck source=tests/lib/tap.sh
source tests/lib/tap.sh
# shellcheck source=tests/lib/hosts.sh
source tests/lib/hosts.sh

# inside a host, etcd-probe keeps its state in the host's own /var/lib/etcd-probe (run-all.sh points
# STATE_DIRECTORY at a dir of the machine's /tmp, which a host does not see)
unset STATE_DIRECTORY
PROBE=$REPO/build/etcd-probe DIAG=$REPO/build/etcd-diag
if ! [ -x "$PROBE" ] || ! [ -x "$DIAG" ]; then
	skip "etcd-install on three hosts with systemd" "build/etcd-probe and build/etcd-diag not built (make)"
	exit 0
fi
T0=$SECONDS
hosts_init || { echo "not ok - hosts_init"; exit 1; }
W=$HOSTS_DIR
N=$HOSTS_NET
IPS="$N.1 $N.2 $N.3"
NODES=etcd01=https://$N.1:2380,etcd02=https://$N.2:2380,etcd03=https://$N.3:2380
for i in 1 2 3; do host_boot "etcd0$i" "$N.$i" || { notok "boot etcd0$i"; exit 1; }; done
for i in 1 2 3; do host_wait_running "etcd0$i" 60 || { notok "etcd0$i boots"; exit 1; }; done
boot_s=$((SECONDS - T0))

# install NAME [ARGS...]: the tutorial's environment for host NAME, then etcd-install with its defaults
install() {
	local n=$1 i=${1#etcd0}
	shift
	host_run "$n" env NODE_NAME="$n" NODE_IP="$N.$i" NODE_IPS="$IPS" ETCD_NODES="$NODES" \
		timeout 120 "$REPO/deploy/etcd-install" "$@"
}
# jctl NAME ARGS...: journalctl in host NAME
jctl() {
	local n=$1
	shift
	host_run "$n" timeout 10 journalctl --no-pager "$@"
}

# -- the CA, once: etcd-install on etcd01 makes it (no CA in /etc/kubernetes/ssl); copied to the others
install etcd01 --no-start >"$W/install1.out" 2>&1
rc=$?
mkdir -p "$W/ca"
host_run etcd01 cat /etc/kubernetes/ssl/ca.pem >"$W/ca/ca.pem" 2>/dev/null
host_run etcd01 cat /etc/kubernetes/ssl/ca-key.pem >"$W/ca/ca-key.pem" 2>/dev/null
# ($W is bound into every host at the same path)
for i in 2 3; do
	host_run "etcd0$i" sh -c 'mkdir -p /etc/kubernetes/ssl && cp "$1/ca.pem" "$1/ca-key.pem" /etc/kubernetes/ssl/ &&
		chmod 600 /etc/kubernetes/ssl/ca-key.pem' _ "$W/ca"
done
if [ "$rc" = 0 ] && grep -q "made a new CA in /etc/kubernetes/ssl" "$W/install1.out" &&
	openssl x509 -in "$W/ca/ca.pem" -noout 2>/dev/null; then
	ok "etcd-install on etcd01 (tutorial's environment, default paths) makes the CA in /etc/kubernetes/ssl; copied to etcd02, etcd03"
else
	notok "etcd-install makes the CA on etcd01" "exit $rc" "$(cat "$W/install1.out")"
fi

# -- the three installs at once, as three admins would: each starts etcd.service through its systemd
t=$SECONDS
for i in 1 2 3; do install "etcd0$i" >"$W/install$i.start" 2>&1 & eval "ipid$i=\$!"; done
bad=()
for i in 1 2 3; do
	eval "wait \$ipid$i"
	rc=$?
	[ "$rc" = 0 ] || bad+=("etcd0$i: etcd-install exit $rc: $(tail -5 "$W/install$i.start")")
done
install_s=$((SECONDS - t))
for i in 1 2 3; do
	grep -q "^etcd-install: starting etcd.service" "$W/install$i.start" ||
		bad+=("etcd0$i: the installer did not start etcd.service: $(tail -3 "$W/install$i.start")")
done
if [ ${#bad[@]} = 0 ]; then
	ok "etcd-install on the three hosts at once: writes the units, daemon-reload, enable, start (${install_s}s)"
else
	notok "etcd-install on the three hosts" "${bad[@]}"
fi

# -- etcd.service under the real systemd: Type=notify reaches active (bounded)
bad=()
for i in 1 2 3; do
	n=etcd0$i
	for ((k = 0; k < 100; k++)); do
		st=$(host_run "$n" systemctl show -p Type -p ActiveState -p SubState -p NRestarts etcd.service | sort | tr '\n' ' ')
		[ "$st" = "ActiveState=active NRestarts=0 SubState=running Type=notify " ] && break
		sleep 0.3
	done
	[ "$st" = "ActiveState=active NRestarts=0 SubState=running Type=notify " ] ||
		bad+=("$n: $st" "$(jctl "$n" -u etcd.service -n 5 -o cat)")
	host_run "$n" test -f /etc/systemd/system/etcd.service -a -f /etc/etcd/ssl/etcd.pem -a -f /etc/etcd/ssl/etcd-key.pem \
		-a -d /var/lib/etcd/member || bad+=("$n: not at the default paths")
	[ "$(host_run "$n" stat -c %a /var/lib/etcd)" = 700 ] || bad+=("$n: /var/lib/etcd is not 0700")
	jctl "$n" -o verbose -u etcd.service -n 1 | grep -q "_SYSTEMD_UNIT=etcd.service" || bad+=("$n: no _SYSTEMD_UNIT=etcd.service entry")
done
if [ ${#bad[@]} = 0 ]; then
	ok "etcd.service (Type=notify) active on each host, no restart; its log in the host's journal as _SYSTEMD_UNIT=etcd.service"
else
	notok "etcd.service active under systemd" "${bad[@]}"
fi

# -- the installer's own verdict, and the cluster by etcd-probe over mutual TLS with each host's files
bad=()
EPS=https://$N.1:2379,https://$N.2:2379,https://$N.3:2379
for i in 1 2 3; do
	grep -q "^etcd-install: etcd-probe on https://$N.$i:2379:" "$W/install$i.start" ||
		bad+=("etcd0$i: the installer printed no probe verdict")
	out=$(host_run "etcd0$i" timeout 20 "$PROBE" --endpoints="$EPS" --cacert=/etc/kubernetes/ssl/ca.pem \
		--cert=/etc/etcd/ssl/etcd.pem --key=/etc/etcd/ssl/etcd-key.pem -t 10 2>&1)
	grep -q "^ETCD OK" <<<"$out" || bad+=("etcd0$i: $out")
done
if [ ${#bad[@]} = 0 ]; then
	ok "the cluster is healthy: etcd-probe OK on all three members from each host (mutual TLS, the installed files)"
else
	notok "the cluster is healthy" "${bad[@]}"
fi

# -- the probe timer: every 5 s through a drop-in (the unit itself is the installer's), verdict in the journal
for i in 1 2 3; do
	host_run "etcd0$i" sh -c 'mkdir -p /etc/systemd/system/etcd-probe.timer.d && printf "%s\n" "[Timer]" "OnCalendar=" \
		"OnCalendar=*-*-* *:*:00/5" "RandomizedDelaySec=0" >/etc/systemd/system/etcd-probe.timer.d/every-5s.conf &&
		systemctl daemon-reload && systemctl restart etcd-probe.timer'
done
bad=()
t=$SECONDS
since=$(host_run etcd01 date '+%Y-%m-%d %H:%M:%S')
# two runs since the drop-in: the timer fires on its new schedule, not once at enable
for i in 1 2 3; do
	n=etcd0$i
	for ((k = 0; k < 60; k++)); do
		[ "$(jctl "$n" --since "$since" -u etcd-probe.service -o cat | grep -c "^ETCD OK")" -ge 2 ] && break
		sleep 0.5
	done
	[ "$(jctl "$n" --since "$since" -u etcd-probe.service -o cat | grep -c "^ETCD OK")" -ge 2 ] ||
		bad+=("$n: not two ETCD OK from etcd-probe.service: $(jctl "$n" -u etcd-probe.service -n 5 -o cat)")
	[ "$(host_run "$n" systemctl show -p LastTriggerUSecMonotonic --value etcd-probe.timer)" != 0 ] ||
		bad+=("$n: etcd-probe.timer never triggered")
	[ "$(host_run "$n" systemctl is-enabled etcd-probe.timer)" = enabled ] || bad+=("$n: etcd-probe.timer not enabled")
	jctl "$n" -o verbose -u etcd-probe.service | grep -q "_SYSTEMD_UNIT=etcd-probe.service" ||
		bad+=("$n: the probe's entries lack _SYSTEMD_UNIT=etcd-probe.service")
	host_run "$n" systemctl is-failed --quiet etcd-diag-report@etcd-probe.service.service &&
		bad+=("$n: the diagnosis ran on a healthy member")
done
if [ ${#bad[@]} = 0 ]; then
	ok "etcd-probe.timer fires (5 s drop-in): ETCD OK from etcd-probe.service twice in each host's journal ($((SECONDS - t))s)"
else
	notok "the probe timer fires" "${bad[@]}"
fi

# -- the fault: etcd03 gets etcd01's certificate and key (the tutorial's scp done wrong), restart
host_run etcd01 cat /etc/etcd/ssl/etcd.pem >"$W/etcd01.pem"
host_run etcd01 cat /etc/etcd/ssl/etcd-key.pem >"$W/etcd01-key.pem"
since=$(host_run etcd03 date '+%Y-%m-%d %H:%M:%S')
sleep 1 # the journal's --since has a resolution of seconds: no entry of before the fault in the window
host_run etcd03 sh -c 'cp "$1/etcd01.pem" /etc/etcd/ssl/etcd.pem && cp "$1/etcd01-key.pem" /etc/etcd/ssl/etcd-key.pem &&
	systemctl restart etcd' _ "$W" >"$W/restart.out" 2>&1
rc=$?
t=$SECONDS
bad=()
[ "$rc" = 0 ] || bad+=("systemctl restart etcd on etcd03: exit $rc $(cat "$W/restart.out")")
# the timer's next probe fails; OnFailure= starts the report unit, which writes etcd-diag's verdict
for ((k = 0; k < 120; k++)); do
	jctl etcd03 --since "$since" -t etcd-diag-report -o cat | grep -q "cert-san-mismatch" && break
	sleep 0.5
done
probe_log=$(jctl etcd03 --since "$since" -u etcd-probe.service -o cat)
report=$(jctl etcd03 --since "$since" -o verbose -t etcd-diag-report)
grep -q "^ETCD CRITICAL" <<<"$probe_log" || bad+=("no failed probe on etcd03 since the fault: $(tail -5 <<<"$probe_log")")
grep -q "MESSAGE=ETCD-DIAG CRITICAL.*cert-san-mismatch on etcd03" <<<"$report" ||
	bad+=("etcd03's journal has no cert-san-mismatch report: $(grep MESSAGE= <<<"$report" | head -5)")
grep -q "_SYSTEMD_UNIT=etcd-diag-report@etcd-probe.service.service" <<<"$report" ||
	bad+=("the report is not from etcd-diag-report@etcd-probe.service.service")
echo "# etcd-diag-report on etcd03: $(grep -m1 -o 'MESSAGE=ETCD-DIAG.*' <<<"$report")"
if [ ${#bad[@]} = 0 ]; then
	ok "etcd03 with etcd01's certificate: the timer's probe fails, OnFailure= runs etcd-diag-report@, etcd03's journal: cert-san-mismatch on etcd03 ($((SECONDS - t))s)"
else
	notok "the fault reaches the diagnosis through the timer" "${bad[@]}" "$(jctl etcd03 --since "$since" -n 15 -o short)"
fi
for i in 1 2; do
	jctl "etcd0$i" --since "$since" -u etcd.service -o cat | grep -q "certificate is valid for 127.0.0.1, $N.1, not $N.3" &&
		ok "etcd0$i's etcd logs the wrong SAN when dialing etcd03 (x509: certificate is valid for 127.0.0.1, $N.1, not $N.3)" ||
		notok "etcd0$i's etcd logs the wrong SAN" "$(jctl "etcd0$i" --since "$since" -u etcd.service -n 5 -o cat)"
done

# -- etcd-diag with no arguments on etcd03: finds etcd.service, its flags and the system journal itself
out=$(host_run etcd03 timeout 30 "$DIAG" 2>&1)
rc=$?
echo "# etcd-diag on etcd03: exit $rc: $(head -1 <<<"$out")"
if [ "$rc" = 2 ] && grep -q "^ETCD-DIAG CRITICAL.*cert-san-mismatch on etcd03" <<<"$out"; then
	ok "etcd-diag with no arguments on etcd03: exit 2, names cert-san-mismatch on etcd03"
else
	notok "etcd-diag with no arguments on etcd03" "exit $rc" "$(head -20 <<<"$out")"
fi
out=$(host_run etcd01 timeout 30 "$DIAG" 2>&1)
rc=$?
if [ "$rc" = 2 ] && grep -q "^ETCD-DIAG CRITICAL.*cert-san-mismatch on etcd03" <<<"$out"; then
	ok "etcd-diag with no arguments on etcd01 (a healthy member): names cert-san-mismatch on etcd03 too"
else
	notok "etcd-diag with no arguments on etcd01" "exit $rc" "$(head -20 <<<"$out")"
fi

t=$SECONDS
hosts_stop_all 20
echo "# times: boot ${boot_s}s, installs ${install_s}s, stop $((SECONDS - t))s, whole test $((SECONDS - T0))s (etcd $ETCD_VERSION_FULL)"
exit "$FAILED"
