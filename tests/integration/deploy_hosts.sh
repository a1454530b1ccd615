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
# The hardening (issue 14): etcd and the probe units run as the etcd user (Debian's, on the machine and
# so in each host's /etc overlay; removed from etcd02 first, where etcd-install must make it), the data
# dir and the key owned to match, the CA key not readable by etcd, the sandbox's exposure by
# systemd-analyze security, and etcd03 repaired and healthy again under the sandbox.
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/deploy-hosts.sh
source tests/lib/deploy-hosts.sh
deploy_hosts_start 3 "etcd-install on three hosts with systemd" diag

# What systemd-tmpfiles-setup (masked in the bed: it would act on the machine) does at a real host's boot:
# /var/log/journal setgid systemd-journal with its ACLs, so that the group may read the journal
# (etcd-diag-report@ runs as etcd with SupplementaryGroups=systemd-journal). Only the host's own tmpfs.
for i in 1 2 3; do
	host_run "etcd0$i" timeout 20 systemd-tmpfiles --create --prefix=/var/log/journal >/dev/null 2>&1 ||
		{ notok "systemd-tmpfiles --create --prefix=/var/log/journal on etcd0$i"; exit 1; }
done
# etcd02 without the etcd user (a host without Debian's etcd-server); etcd03 with a data dir left by a
# root install, whose files etcd-install must hand over
host_run etcd02 userdel etcd || { notok "userdel etcd on etcd02"; exit 1; }
host_run etcd03 sh -c 'umask 022 && mkdir -p /var/lib/etcd/old && : >/var/lib/etcd/old/from-root' ||
	{ notok "root-owned files in etcd03's data dir"; exit 1; }

# -- the CA, once: etcd-install on etcd01 makes it (no CA in /etc/kubernetes/ssl); copied to the others
install etcd01 --no-start >"$W/install1.out" 2>&1
rc=$?
ca_copy etcd01 etcd02 etcd03 # (checked below: the installer's output and $W/ca/ca.pem)
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
		unit_show "$n" etcd.service ActiveState NRestarts SubState Type
		[ "$ST" = "ActiveState=active NRestarts=0 SubState=running Type=notify " ] && break
		hosts_sleep 0.3
	done
	[ "$ST" = "ActiveState=active NRestarts=0 SubState=running Type=notify " ] ||
		bad+=("$n: $ST" "$(jctl "$n" -u etcd.service -n 5 -o cat)")
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

# -- the user: etcd's main process runs as etcd on every host; etcd02 had none and got one
bad=()
for i in 1 2 3; do
	n=etcd0$i
	pw=$(host_run "$n" getent passwd etcd)
	IFS=: read -r _ _ uid _ _ home shell <<<"$pw"
	[ -n "$uid" ] && [ "$home" = /var/lib/etcd ] || [ "$n" != etcd02 ] || bad+=("$n: etcd user: '$pw'")
	case $shell in /usr/sbin/nologin | /bin/false) ;; *) bad+=("$n: etcd's shell is '$shell'") ;; esac
	[ "$(host_run "$n" id -gn etcd)" = etcd ] || bad+=("$n: etcd's group is not etcd")
	pid=$(host_run "$n" systemctl show -P MainPID etcd.service)
	[ "$(host_run "$n" ps -o user= -p "$pid")" = etcd ] || bad+=("$n: etcd (PID $pid) runs as $(host_run "$n" ps -o user= -p "$pid")")
	grep -qE "^Uid:[[:space:]]+${uid}[[:space:]]+${uid}[[:space:]]+${uid}[[:space:]]+${uid}$" <<<"$(host_run "$n" cat "/proc/$pid/status")" ||
		bad+=("$n: /proc/$pid/status: $(host_run "$n" grep -E '^(Uid|Gid|Cap)' "/proc/$pid/status" | tr '\n' ' ')")
	# an empty capability set: nothing to gain by exec, nothing effective
	grep -qE "^CapBnd:[[:space:]]+0+$" <<<"$(host_run "$n" cat "/proc/$pid/status")" || bad+=("$n: etcd has a capability bounding set")
	created=$(grep -c "^etcd-install: created the system user etcd" "$W/install$i.start")
	[ "$created" = "$([ "$n" = etcd02 ] && echo 1 || echo 0)" ] || bad+=("$n: 'created the system user etcd' said $created times")
done
if [ ${#bad[@]} = 0 ]; then
	ok "etcd runs as the etcd user on each host (ps, /proc status Uid, no capabilities); etcd-install made the user on etcd02 (useradd --system, home /var/lib/etcd, no shell)"
else
	notok "etcd runs as the etcd user" "${bad[@]}"
fi

# -- ownership: data dir etcd:etcd 0700 all through (etcd03's root-owned leftovers handed over), key root:etcd
# 0640, certificate 0644, and the CA key closed to etcd (read as etcd: the key yes, the CA key no)
bad=()
for i in 1 2 3; do
	n=etcd0$i
	[ "$(host_run "$n" stat -c '%U:%G %a' /var/lib/etcd)" = "etcd:etcd 700" ] ||
		bad+=("$n: /var/lib/etcd is $(host_run "$n" stat -c '%U:%G %a' /var/lib/etcd)")
	other=$(host_run "$n" find /var/lib/etcd \( ! -user etcd -o ! -group etcd \) -print)
	[ -z "$other" ] || bad+=("$n: not etcd's in /var/lib/etcd: $other")
	[ "$(host_run "$n" stat -c '%U:%G %a' /etc/etcd/ssl/etcd-key.pem)" = "root:etcd 640" ] ||
		bad+=("$n: etcd-key.pem is $(host_run "$n" stat -c '%U:%G %a' /etc/etcd/ssl/etcd-key.pem)")
	[ "$(host_run "$n" stat -c '%a' /etc/etcd/ssl/etcd.pem)" = 644 ] || bad+=("$n: etcd.pem is not 0644")
	host_run "$n" setpriv --reuid=etcd --regid=etcd --init-groups cat /etc/etcd/ssl/etcd-key.pem >/dev/null 2>&1 ||
		bad+=("$n: etcd may not read etcd-key.pem")
	host_run "$n" setpriv --reuid=etcd --regid=etcd --init-groups cat /etc/kubernetes/ssl/ca-key.pem >/dev/null 2>&1 &&
		bad+=("$n: etcd may read the CA key")
	host_run "$n" setpriv --reuid=nobody --regid=nogroup --clear-groups cat /etc/etcd/ssl/etcd-key.pem >/dev/null 2>&1 &&
		bad+=("$n: nobody may read etcd-key.pem")
done
grep -q "^etcd-install: handed /var/lib/etcd to etcd:etcd (chown -R; it was root:root)" "$W/install3.start" ||
	bad+=("etcd03: the installer did not say it handed the data dir over: $(grep -i data "$W/install3.start")")
if [ ${#bad[@]} = 0 ]; then
	ok "ownership on each host: /var/lib/etcd etcd:etcd 0700 all through (etcd03's root-owned files handed over, said so), etcd-key.pem root:etcd 0640 (etcd reads it, nobody not), etcd.pem 0644, CA key closed to etcd"
else
	notok "ownership of the data dir and the keys" "${bad[@]}"
fi

# -- the sandbox's exposure (systemd-analyze security, as the host's systemd loaded the unit), and the
# same unit without the hardening (User=, Group=, the sandbox: what etcd-install wrote before), offline
exposure() { sed -n 's/^→ Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p'; }
after=$(host_run etcd01 timeout 30 systemd-analyze security --no-pager etcd.service 2>&1 | exposure)
host_run etcd01 sh -c 'sed -e "/^User=/d" -e "/^Group=/d" -e "/^# sandbox/,/^\$/d" /etc/systemd/system/etcd.service >/tmp/etcd.service &&
	echo >>/tmp/etcd.service && sed -n "/^\[Install\]/,\$p" /etc/systemd/system/etcd.service >>/tmp/etcd.service'
before=$(host_run etcd01 timeout 30 systemd-analyze security --no-pager --offline=yes /tmp/etcd.service 2>&1 | exposure)
offline=$(host_run etcd01 timeout 30 systemd-analyze security --no-pager --offline=yes /etc/systemd/system/etcd.service 2>&1 | exposure)
echo "# systemd-analyze security etcd.service: exposure $after (offline $offline); without the hardening $before (offline)"
if [ -n "$after" ] && [ -n "$before" ] && awk -v a="$after" -v o="$offline" -v b="$before" 'BEGIN { exit !(a <= 2.0 && o <= 2.0 && b > 9.0) }'; then
	ok "systemd-analyze security etcd.service: exposure $after (at most 2.0; $before without the hardening)"
else
	notok "systemd-analyze security etcd.service" "exposure '$after' (offline '$offline'), unhardened '$before'" \
		"$(host_run etcd01 systemd-analyze security --no-pager etcd.service 2>&1 | tail -5)"
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
		hosts_sleep 0.5
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
	uids=$(jctl "$n" --since "$since" -u etcd-probe.service _COMM=etcd-probe -o verbose | sed -n 's/^ *_UID=//p' | sort -u | tr '\n' ' ')
	[ "$uids" = "$(host_run "$n" id -u etcd) " ] || bad+=("$n: etcd-probe ran as UID $uids, not etcd's")
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
hosts_sleep 1 # the journal's --since has a resolution of seconds: no entry of before the fault in the window
host_run etcd03 sh -c 'cp "$1/etcd01.pem" /etc/etcd/ssl/etcd.pem && cp "$1/etcd01-key.pem" /etc/etcd/ssl/etcd-key.pem &&
	systemctl restart etcd' _ "$W" >"$W/restart.out" 2>&1
rc=$?
t=$SECONDS
bad=()
[ "$rc" = 0 ] || bad+=("systemctl restart etcd on etcd03: exit $rc $(cat "$W/restart.out")")
# the timer's next probe fails; OnFailure= starts the report unit, which writes etcd-diag's verdict
for ((k = 0; k < 120; k++)); do
	jctl etcd03 --since "$since" -t etcd-diag-report -o cat | grep -q "cert-san-mismatch" && break
	hosts_sleep 0.5
done
probe_log=$(jctl etcd03 --since "$since" -u etcd-probe.service -o cat)
report=$(jctl etcd03 --since "$since" -o verbose -t etcd-diag-report)
grep -q "^ETCD CRITICAL" <<<"$probe_log" || bad+=("no failed probe on etcd03 since the fault: $(tail -5 <<<"$probe_log")")
grep -q "MESSAGE=ETCD-DIAG CRITICAL.*cert-san-mismatch on etcd03" <<<"$report" ||
	bad+=("etcd03's journal has no cert-san-mismatch report: $(grep MESSAGE= <<<"$report" | head -5)")
grep -q "_SYSTEMD_UNIT=etcd-diag-report@etcd-probe.service.service" <<<"$report" ||
	bad+=("the report is not from etcd-diag-report@etcd-probe.service.service")
# as etcd, and reading the journal through systemd-journal (no "cannot read ... system.journal")
[ "$(sed -n 's/^ *_UID=//p' <<<"$report" | sort -u)" = "$(host_run etcd03 id -u etcd)" ] ||
	bad+=("the report ran as UID $(sed -n 's/^ *_UID=//p' <<<"$report" | sort -u | tr '\n' ' '), not etcd's")
grep -q "MESSAGE=.*cannot read .*journal" <<<"$report" && bad+=("the report could not read the journal: $(grep -m1 -o 'MESSAGE=.*cannot read.*' <<<"$report")")
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

# -- etcd03 repaired by etcd-install itself (it re-issues the wrong certificate and restarts etcd): healthy
# again, under the sandbox, as etcd
install etcd03 >"$W/repair.out" 2>&1
rc=$?
bad=()
[ "$rc" = 0 ] || bad+=("etcd-install on etcd03: exit $rc: $(tail -5 "$W/repair.out")")
grep -q "^etcd-install: replacing the certificate /etc/etcd/ssl/etcd.pem: it does not cover $N.3" "$W/repair.out" &&
	grep -q "^etcd-install: restarting etcd.service" "$W/repair.out" || bad+=("no re-issue and restart: $(head -20 "$W/repair.out")")
for ((k = 0; k < 60; k++)); do
	out=$(host_run etcd01 timeout 20 "$PROBE" --endpoints="$EPS" --cacert=/etc/kubernetes/ssl/ca.pem \
		--cert=/etc/etcd/ssl/etcd.pem --key=/etc/etcd/ssl/etcd-key.pem -t 5 2>&1)
	grep -q "^ETCD OK" <<<"$out" && break
	hosts_sleep 0.5
done
grep -q "^ETCD OK" <<<"$out" || bad+=("the cluster is not healthy again: $out")
pid=$(host_run etcd03 systemctl show -P MainPID etcd.service)
[ "$(host_run etcd03 ps -o user= -p "$pid")" = etcd ] || bad+=("etcd03's etcd (PID $pid) is not etcd's")
[ "$(host_run etcd03 stat -c '%U:%G %a' /etc/etcd/ssl/etcd-key.pem)" = "root:etcd 640" ] ||
	bad+=("the re-issued key is $(host_run etcd03 stat -c '%U:%G %a' /etc/etcd/ssl/etcd-key.pem)")
if [ ${#bad[@]} = 0 ]; then
	ok "etcd-install repairs etcd03 (re-issues its certificate, restarts etcd): the cluster healthy again, etcd03's etcd sandboxed as etcd"
else
	notok "etcd-install repairs etcd03" "${bad[@]}"
fi

deploy_hosts_finish "$install_s"
