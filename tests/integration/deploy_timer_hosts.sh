#!/usr/bin/env bash
# etcd-versions: first
# The probe timer under real systemd on three simulated hosts (tests/lib/hosts.sh), as etcd-install
# renders it: the probe checks the whole cluster (--cluster), so etcd03's host down entirely (etcd and
# its timer stopped) is a WARNING naming etcd03 in etcd01's and etcd02's journals; and OnFailure='s
# diagnosis runs once per change of the probe's state, not on every run: several WARNING runs, one
# report; back to OK, then the same WARNING again, a report at once; with ETCD_DIAG_REPEAT small
# (etcd-install --diag-repeat 7) the same WARNING reported again; WARNING -> CRITICAL (etcd02
# stopped too), a report again, once. etcd02's probe units run as Debian's etcd user through a
# drop-in (the gate must work when not root: its state is in the units' StateDirectory).
# Reports are counted by their first line (ETCD-DIAG ...) under SyslogIdentifier=etcd-diag-report.
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/deploy-hosts.sh
source tests/lib/deploy-hosts.sh
deploy_hosts_start 3 "the probe timer on three hosts with systemd" diag

# mark: now, for journalctl --since @MARK (every host has the machine's clock). Not a journal cursor: in
# runs here --after-cursor missed a report's first lines now and then (a host's journal is several files).
mark() { date +%s.%6N; }
# reports NAME MARK: how many diagnoses ran since MARK (etcd-diag's summary line, under the report's tag)
reports() { jctl "$1" --since "@$2" -t etcd-diag-report -o cat | grep -c '^ETCD-DIAG '; }
# decisions NAME MARK: the gate's decisions since MARK in order, one word each: report or skip
decisions() {
	jctl "$1" --since "@$2" -t etcd-diag-report -o cat | grep -E '^(ETCD-DIAG |etcd-probe still exits)' |
		awk '{ print (/^ETCD-DIAG/ ? "report" : "skip") }'
}
# probes NAME MARK PATTERN: how many probe runs since MARK printed a first line matching PATTERN
probes() { jctl "$1" --since "@$2" -u etcd-probe.service -o cat | grep -c "$3"; }

# -- the cluster: the CA made on etcd01, copied to the others; the three installs at once
install etcd01 --no-start >"$W/install1.out" 2>&1 || { notok "etcd-install on etcd01" "$(cat "$W/install1.out")"; exit 1; }
ca_copy etcd01 etcd02 etcd03 || { notok "the CA copied to etcd02, etcd03"; exit 1; }
for i in 1 2 3; do install "etcd0$i" >"$W/install$i.start" 2>&1 & eval "ipid$i=\$!"; done
bad=()
for i in 1 2 3; do eval "wait \$ipid$i" || bad+=("etcd0$i: $(tail -5 "$W/install$i.start")"); done
[ ${#bad[@]} = 0 ] || { notok "etcd-install on the three hosts" "${bad[@]}"; exit 1; }
install_s=$((SECONDS - T0))

# the timer every 3 s (a drop-in; the units are the installer's); on etcd02 the probe units as the etcd user
# (its key made readable to it), as the hardened units run them
host_run etcd02 sh -c 'id etcd >/dev/null 2>&1 && chown etcd /etc/etcd/ssl/etcd-key.pem && for u in etcd-probe.service etcd-diag-report@.service; do
	mkdir -p /etc/systemd/system/$u.d && printf "%s\n" "[Service]" "User=etcd" >/etc/systemd/system/$u.d/user.conf; done'
etcd02_user=$(host_run etcd02 sh -c 'test -f /etc/systemd/system/etcd-probe.service.d/user.conf && echo etcd || echo root')
for i in 1 2 3; do
	host_run "etcd0$i" sh -c 'mkdir -p /etc/systemd/system/etcd-probe.timer.d && printf "%s\n" "[Timer]" "OnCalendar=" \
		"OnCalendar=*-*-* *:*:00/3" "RandomizedDelaySec=0" >/etc/systemd/system/etcd-probe.timer.d/every-3s.conf &&
		systemctl daemon-reload && systemctl restart etcd-probe.timer'
done
c1=$(mark) c2=$(mark)
if wait_for 40 at_least 1 probes etcd01 "$c1" '^ETCD OK' && wait_for 20 at_least 1 probes etcd02 "$c2" '^ETCD OK'; then
	ok "the three members healthy: the timer's probe says ETCD OK on etcd01 and etcd02 (etcd02's as user $etcd02_user)"
else
	notok "the timer's probe OK" "$(jctl etcd01 -u etcd-probe.service -n 5 -o cat)" "$(jctl etcd02 -u etcd-probe.service -n 5 -o cat)"
fi
grep -q -- '--cluster' <<<"$(host_run etcd01 systemctl show -P ExecStart etcd-probe.service)" &&
	ok "etcd-probe.service runs the probe with --cluster" || notok "etcd-probe.service runs --cluster"

# -- etcd03's host down entirely: its etcd and its timer stopped
t=$SECONDS
declare -A C=() WN=() RN=() SN=()
C[etcd01]=$(mark) C[etcd02]=$(mark)
host_run etcd03 systemctl stop etcd-probe.timer etcd.service
bad=()
for n in etcd01 etcd02; do
	c=${C[$n]}
	wait_for 30 at_least 1 probes "$n" "$c" '^ETCD WARNING.*etcd03' ||
		bad+=("$n: no WARNING naming etcd03: $(jctl "$n" --since "@$c" -u etcd-probe.service -o cat | grep '^ETCD' | tail -3)")
done
if [ ${#bad[@]} = 0 ]; then
	ok "etcd03 down: the timer's probe (--cluster) on etcd01 and etcd02 says WARNING naming etcd03 ($((SECONDS - t))s): $(
		jctl etcd01 --since "@${C[etcd01]}" -u etcd-probe.service -o cat | grep -m1 '^ETCD WARNING' | cut -c1-120)"
else
	notok "etcd03 down is a WARNING on the others" "${bad[@]}"
fi
# three more WARNING runs after the first: still one report on each
bad=()
for n in etcd01 etcd02; do
	c=${C[$n]}
	wait_for 30 at_least 4 probes "$n" "$c" '^ETCD WARNING' || bad+=("$n: not 4 WARNING runs")
	wait_for 20 at_least 1 reports "$n" "$c" || bad+=("$n: no report at all")
	r=$(reports "$n" "$c") w=$(probes "$n" "$c" '^ETCD WARNING')
	skipped=$(jctl "$n" --since "@$c" -t etcd-diag-report -o cat | grep -c '^etcd-probe still exits 1, reported')
	[ "$r" = 1 ] && [ "$skipped" -ge 2 ] || bad+=("$n: $w WARNING runs, $r reports, $skipped skipped: $(decisions "$n" "$c" | tr '\n' ' ')" \
		"$(jctl "$n" --since "@$c" -o short-precise -u etcd-diag-report@etcd-probe.service.service | grep -v ': \[\|^ ' | head -12)")
	WN[$n]=$w RN[$n]=$r SN[$n]=$skipped
done
if [ ${#bad[@]} = 0 ]; then
	ok "the same WARNING over several runs: one diagnosis (etcd01: ${WN[etcd01]} runs, ${RN[etcd01]} report, ${SN[etcd01]} skipped; etcd02 as $etcd02_user: ${WN[etcd02]} runs, ${RN[etcd02]} report, ${SN[etcd02]} skipped)"
else
	notok "one diagnosis per state" "${bad[@]}"
fi

# -- back to OK (etcd03 started again), then the same WARNING again: diagnosed at once (the OK reset the gate)
c1c=$(mark)
host_run etcd03 systemctl start --no-block etcd.service
if wait_for 60 at_least 1 probes etcd01 "$c1c" '^ETCD OK'; then
	ok "etcd03 started again: etcd01's probe back to OK"
else
	notok "back to OK" "$(jctl etcd01 --since "@$c1c" -u etcd-probe.service -o cat | grep '^ETCD' | tail -3)"
fi
c1d=$(mark)
host_run etcd03 systemctl stop etcd.service
# the gate's first decision after the WARNING: a report (ETCD-DIAG), not a skip
first=""
if wait_for 30 at_least 1 probes etcd01 "$c1d" '^ETCD WARNING.*etcd03' && wait_for 20 at_least 1 reports etcd01 "$c1d" &&
	first=$(decisions etcd01 "$c1d" | head -1) && [ "$first" = report ]; then
	ok "OK, then the same WARNING again: diagnosed at its first run (the OK reset the gate)"
else
	notok "WARNING after OK diagnosed at once" "first decision: ${first:-none}"
fi

# -- ETCD_DIAG_REPEAT=7 (etcd-install --diag-repeat 7 on etcd01): the same WARNING is reported again
install etcd01 --diag-repeat 7 >"$W/install1.repeat" 2>&1
rc=$?
c1e=$(mark)
t=$SECONDS
if [ "$rc" = 0 ] && host_run etcd01 grep -qx 'ETCD_DIAG_REPEAT=7' /etc/etcd/etcd-probe.env &&
	wait_for 40 at_least 2 reports etcd01 "$c1e"; then
	ok "--diag-repeat 7: the same WARNING diagnosed again every 7 s (2 reports in $((SECONDS - t))s, $(probes etcd01 "$c1e" '^ETCD WARNING') runs)"
else
	notok "--diag-repeat 7 repeats the report" "install exit $rc: $(tail -3 "$W/install1.repeat")" "$(reports etcd01 "$c1e") reports" \
		"$(jctl etcd01 --since "@$c1e" -o cat -t etcd-diag-report | grep -v '^ ' | head -6)"
fi
host_run etcd01 sed -i 's/^ETCD_DIAG_REPEAT=.*/ETCD_DIAG_REPEAT=3600/' /etc/etcd/etcd-probe.env

# -- a change of state: etcd02 stopped too, etcd01's probe CRITICAL (no quorum), reported again, once
c1b=$(mark)
host_run etcd02 systemctl stop etcd-probe.timer etcd.service
if wait_for 40 at_least 1 probes etcd01 "$c1b" '^ETCD CRITICAL' && wait_for 30 at_least 1 reports etcd01 "$c1b" &&
	wait_for 20 at_least 3 probes etcd01 "$c1b" '^ETCD CRITICAL' && [ "$(reports etcd01 "$c1b")" = 1 ]; then
	ok "WARNING -> CRITICAL (etcd02 stopped too): etcd01 diagnoses again, once ($(probes etcd01 "$c1b" '^ETCD CRITICAL') CRITICAL runs)"
else
	notok "a change of state runs the diagnosis again" "$(probes etcd01 "$c1b" '^ETCD CRITICAL') CRITICAL runs, $(reports etcd01 "$c1b") reports" \
		"$(jctl etcd01 --since "@$c1b" -u etcd-probe.service -t etcd-diag-report -o cat | grep -v '^ ' | tail -8)"
fi

t=$SECONDS
hosts_stop_all 20
echo "# times: installs ${install_s}s, stop $((SECONDS - t))s, whole test $((SECONDS - T0))s (etcd $ETCD_VERSION_FULL)"
exit "$FAILED"
