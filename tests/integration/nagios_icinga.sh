#!/usr/bin/env bash
# etcd-versions: all
# deploy/nagios/etcd-probe.cfg and deploy/icinga2/etcd-probe.conf, included verbatim, run by the
# real schedulers (Debian 12's nagios4 and icinga2 daemons, in the foreground, as the nagios user,
# configured from a temp dir only: nothing of /etc/nagios4, /etc/icinga2 or /var/lib is used)
# against a real 3-member mutual-TLS cluster. What is asserted is what the schedulers RECORDED:
# Nagios' status.dat and its service perfdata file, Icinga's PerfdataWriter file.
#   - healthy: OK, the perfdata labels of every member, the thresholds given as custom variables
#     in the warn/crit fields (so they reached the probe as -w/-c)
#   - member 3 stopped (by PID): WARNING naming m3
#   - a second service whose command is a recorder: each variable gives its option, and the
#     password is in no argv, only in the probe's environment as ETCDCTL_PASSWORD (Nagios: from
#     _ETCD_PROBE_PASSWORD by enable_environment_macros; Icinga: the CheckCommand's env)
# Checks every 2 s (interval_length=1), Nagios' forced at once through its external command file;
# every wait bounded; both daemons stopped by PID.
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/cluster.sh
. tests/lib/cluster.sh
# shellcheck source=tests/lib/tap.sh
. tests/lib/tap.sh

ROOT=$(pwd)
PROBE=$ROOT/${PROBE:-build/etcd-probe}
[ -x "$PROBE" ] || { echo "not ok - $PROBE is built"; exit 1; }
RUNAS=nagios # the user both Debian packages create and run their daemons as
NAGIOS=/usr/sbin/nagios4
ICINGA=/usr/sbin/icinga2
for p in "$NAGIOS:nagios4-core" "$ICINGA:icinga2-bin"; do
	[ -x "${p%%:*}" ] || sh tests/lib/need-packages.sh "${p#*:}" >&2
done
if [ ! -x "$NAGIOS" ] || [ ! -x "$ICINGA" ] || ! id "$RUNAS" >/dev/null 2>&1; then
	skip "nagios4 and icinga2 run etcd-probe" "nagios4-core or icinga2-bin not installed (make deps-test)"
	exit 0
fi
[ "$(id -u)" = 0 ] || { skip "nagios4 and icinga2 run etcd-probe" "needs root to run the daemons as $RUNAS"; exit 0; }

cluster_init || { echo "not ok - cluster harness init"; exit 1; }
# The daemons' own tree: $RUNAS must reach it (cluster dir stays 0700); removed by cleanup.
T=$(mktemp -d /tmp/etcd-nagios.XXXXXX) || exit 2
cluster_atexit 'rm -rf "$T"'
chmod 0711 "$T"
cluster_start 3 || { echo "not ok - 3-member cluster starts"; exit 1; }
D=$CLUSTER_DIR
EPS=$(cluster_endpoints)

mkdir -p "$T/tls" "$T/n/rw" "$T/n/spool" "$T/i/data" "$T/i/log" "$T/i/cache" "$T/i/spool" \
	"$T/i/run" "$T/i/perf"
cp "$D/ca/ca.pem" "$D/client.pem" "$D/client-key.pem" "$T/tls/"
SECRET="pw-$RANDOM-$RANDOM-never-in-argv"
printf '%s\n' "$SECRET" >"$T/tls/password"
chmod 0600 "$T/tls/client-key.pem" "$T/tls/password"
# The recorder: a stand-in probe that writes its argv and ETCDCTL_* environment, one line each.
cat >"$T/recorder" <<'EOF'
#!/bin/sh
{ printf 'argv:'; for a in "$@"; do printf ' <%s>' "$a"; done; echo
  printf 'env:'; env | grep '^ETCDCTL_' | sort | tr '\n' ' '; echo; } >>"$0.out"
echo "ETCD OK - recorded"
EOF
chmod 0755 "$T/recorder"
: >"$T/recorder.out"
chown -R "$RUNAS:" "$T"/*

# --- Nagios 4 ---------------------------------------------------------------------------------
N=$T/n
cat >"$N/nagios.cfg" <<EOF
cfg_file=$ROOT/deploy/nagios/etcd-probe.cfg
cfg_file=$N/objects.cfg
log_file=$N/nagios.log
object_cache_file=$N/objects.cache
precached_object_file=$N/objects.precache
status_file=$N/status.dat
status_update_interval=1
nagios_user=$RUNAS
nagios_group=$(id -gn "$RUNAS")
check_external_commands=1
command_file=$N/rw/nagios.cmd
query_socket=$N/rw/nagios.qh
lock_file=$N/nagios.pid
temp_file=$N/nagios.tmp
temp_path=$N
check_result_path=$N/spool
use_syslog=0
interval_length=1
retain_state_information=0
check_for_updates=0
enable_notifications=0
max_service_check_spread=1
enable_environment_macros=1
process_performance_data=1
service_perfdata_file=$N/service-perfdata
service_perfdata_file_template=\$TIMET\$\t\$SERVICEDESC\$\t\$SERVICESTATE\$\t\$SERVICEOUTPUT\$\t\$SERVICEPERFDATA\$
service_perfdata_file_mode=a
EOF
cat >"$N/objects.cfg" <<EOF
define timeperiod {
	timeperiod_name	24x7
	alias		always
	sunday		00:00-24:00
	monday		00:00-24:00
	tuesday		00:00-24:00
	wednesday	00:00-24:00
	thursday	00:00-24:00
	friday		00:00-24:00
	saturday	00:00-24:00
}
define command {
	command_name	true
	command_line	/bin/true
}
define contact {
	contact_name			nobody
	host_notifications_enabled	0
	service_notifications_enabled	0
	host_notification_period	24x7
	service_notification_period	24x7
	host_notification_options	n
	service_notification_options	n
	host_notification_commands	true
	service_notification_commands	true
}
define host {
	host_name		etcd
	address			127.0.0.1
	check_command		true
	max_check_attempts	1
	check_period		24x7
	contacts		nobody
}
define service {
	use				etcd-probe
	host_name			etcd
	service_description		etcd
	contacts			nobody
	check_interval			2
	retry_interval			2
	_ETCD_PROBE_COMMAND		$PROBE
	_ETCD_PROBE_ENDPOINTS		$EPS
	_ETCD_PROBE_CACERT		$T/tls/ca.pem
	_ETCD_PROBE_CERT		$T/tls/client.pem
	_ETCD_PROBE_KEY			$T/tls/client-key.pem
	_ETCD_PROBE_STATE_FILE		$N/probe.state
	_ETCD_PROBE_LATENCY_WARNING	1.5
	_ETCD_PROBE_LATENCY_CRITICAL	3
	_ETCD_PROBE_TIMEOUT		5
}
define service {
	use				etcd-probe
	host_name			etcd
	service_description		recorder
	contacts			nobody
	check_interval			2
	retry_interval			2
	_ETCD_PROBE_COMMAND		$T/recorder
	_ETCD_PROBE_ENDPOINTS		$EPS
	_ETCD_PROBE_USER		nagios-probe
	_ETCD_PROBE_PASSWORD_FILE	$T/tls/password
	_ETCD_PROBE_PASSWORD		$SECRET
	_ETCD_PROBE_CLUSTER		1
	_ETCD_PROBE_WRITE_CHECK		1
	_ETCD_PROBE_WRITE_CHECK_PREFIX	/nagios/
	_ETCD_PROBE_DB_PCT_WARNING	70
}
EOF
chown -R "$RUNAS:" "$N"

# --- Icinga 2 ---------------------------------------------------------------------------------
I=$T/i
cat >"$I/icinga2.conf" <<EOF
include <itl>
include "$ROOT/deploy/icinga2/etcd-probe.conf"
object CheckerComponent "checker" { }
object PerfdataWriter "perfdata" {
	host_perfdata_path = "$I/perf/host-perfdata"
	host_temp_path = "$I/perf/host-perfdata.tmp"
	service_perfdata_path = "$I/perf/service-perfdata"
	service_temp_path = "$I/perf/service-perfdata.tmp"
	service_format_template = "TIMET::\$icinga.timet\$\tSERVICEDESC::\$service.name\$\tSERVICESTATE::\$service.state\$\tSERVICEPERFDATA::\$service.perfdata\$\tSERVICEOUTPUT::\$service.output\$"
	rotation_interval = 1s
}
object Host "etcd" {
	check_command = "dummy"
	enable_active_checks = false
}
object Service "etcd" {
	host_name = "etcd"
	check_command = "etcd-probe"
	check_interval = 2s
	retry_interval = 2s
	vars.etcd_probe_command = "$PROBE"
	vars.etcd_probe_endpoints = "$EPS"
	vars.etcd_probe_cacert = "$T/tls/ca.pem"
	vars.etcd_probe_cert = "$T/tls/client.pem"
	vars.etcd_probe_key = "$T/tls/client-key.pem"
	vars.etcd_probe_state_file = "$I/probe.state"
	vars.etcd_probe_latency_warning = 1.5
	vars.etcd_probe_latency_critical = 3
	vars.etcd_probe_timeout = 5
}
object Service "recorder" {
	host_name = "etcd"
	check_command = "etcd-probe"
	check_interval = 2s
	retry_interval = 2s
	vars.etcd_probe_command = "$T/recorder"
	vars.etcd_probe_endpoints = "$EPS"
	vars.etcd_probe_user = "icinga-probe"
	vars.etcd_probe_password = "$SECRET"
	vars.etcd_probe_cluster = true
	vars.etcd_probe_write_check = true
	vars.etcd_probe_db_pct_warning = 70
}
EOF
chown -R "$RUNAS:" "$I"
ICINGA_DEFS=(-DDataDir="$I/data" -DLogDir="$I/log" -DCacheDir="$I/cache" -DSpoolDir="$I/spool"
	-DInitRunDir="$I/run" -DPidPath="$I/run/icinga2.pid" -DRunAsUser="$RUNAS"
	-DRunAsGroup="$(id -gn "$RUNAS")")

# --- configuration checks and start ----------------------------------------------------------
if timeout 30 "$NAGIOS" -v "$N/nagios.cfg" >"$T/nagios-v.out" 2>&1; then
	ok "nagios4 -v accepts deploy/nagios/etcd-probe.cfg"
else
	notok "nagios4 -v accepts deploy/nagios/etcd-probe.cfg" "$(grep -E 'Error|Warning' "$T/nagios-v.out")"
fi
if timeout 30 "$ICINGA" daemon -C -c "$I/icinga2.conf" "${ICINGA_DEFS[@]}" >"$T/icinga-C.out" 2>&1; then
	ok "icinga2 daemon -C accepts deploy/icinga2/etcd-probe.conf"
else
	notok "icinga2 daemon -C accepts deploy/icinga2/etcd-probe.conf" "$(grep -E 'critical|warning' "$T/icinga-C.out")"
fi

# Both in the foreground; cluster_bg remembers the PIDs (the daemons themselves: nagios4 without
# -d does not fork, /usr/sbin/icinga2 execs the binary) and cleanup stops them by PID.
cluster_bg "$T/nagios.out" "$NAGIOS" "$N/nagios.cfg"
NAGIOS_PID=$CLUSTER_BG_PID
cluster_bg "$T/icinga.out" "$ICINGA" daemon -c "$I/icinga2.conf" "${ICINGA_DEFS[@]}"
ICINGA_PID=$CLUSTER_BG_PID

# nagios_force SERVICE: schedules SERVICE's check now through the external command file (a FIFO
# Nagios reads; the write is bounded should it not).
nagios_force() {
	local now
	now=$(date +%s)
	printf '[%s] SCHEDULE_FORCED_SVC_CHECK;etcd;%s;%s\n' "$now" "$1" "$now" |
		timeout 5 dd of="$N/rw/nagios.cmd" status=none
}

# nagios_status SERVICE FIELD: FIELD of SERVICE's servicestatus block in status.dat.
nagios_status() {
	awk -v svc="$1" -v f="$2" '
		/^servicestatus \{/ { in_s = 1; d = ""; v = ""; next }
		in_s && /^\t}/ { if (d == svc) { print v; exit } in_s = 0; next }
		in_s { line = $0; sub(/^\t/, "", line); k = line; sub(/=.*/, "", k); val = line; sub(/^[^=]*=/, "", val)
			if (k == "service_description") d = val; if (k == f) v = val }' "$N/status.dat" 2>/dev/null
}

# nagios_wait SERVICE STATE SINCE SECONDS: waits until status.dat shows a check of SERVICE done at
# or after SINCE (Unix time) with current_state STATE; forces a check every 4 s.
nagios_wait() {
	local svc=$1 want=$2 since=$3 end=$((SECONDS + $4)) next=0 last
	while [ "$SECONDS" -lt "$end" ]; do
		kill -0 "$NAGIOS_PID" 2>/dev/null || { echo "nagios4 exited: $(tail -3 "$T/nagios.out")"; return 1; }
		if [ "$SECONDS" -ge "$next" ] && [ -p "$N/rw/nagios.cmd" ]; then
			nagios_force "$svc"
			next=$((SECONDS + 4))
		fi
		last=$(nagios_status "$svc" last_check)
		if [ -n "$last" ] && [ "$last" -ge "$since" ] && [ "$(nagios_status "$svc" current_state)" = "$want" ]; then
			return 0
		fi
		sleep 0.3
	done
	echo "no check of $svc with state $want since $since after $4 s; status.dat says state" \
		"$(nagios_status "$svc" current_state), last_check $(nagios_status "$svc" last_check):" \
		"$(nagios_status "$svc" plugin_output)"
	return 1
}

# icinga_record SERVICE STATE SINCE: prints the newest record of SERVICE in the rotated perfdata
# files with STATE and a TIMET at or after SINCE (one line: the output's first line is last, its
# further lines, the long output, follow on lines of their own and are not printed).
icinga_record() {
	cat "$I"/perf/service-perfdata.[0-9]* 2>/dev/null |
		awk -F '\t' -v svc="SERVICEDESC::$1" -v st="SERVICESTATE::$2" -v since="$3" '
			$1 ~ /^TIMET::/ && $2 == svc && $3 == st { t = substr($1, 8); if (t + 0 >= since + 0) r = $0 }
			END { if (r != "") print r }'
}

# icinga_wait SERVICE STATE SINCE SECONDS: waits until icinga_record finds one.
icinga_wait() {
	local end=$((SECONDS + $4))
	while [ "$SECONDS" -lt "$end" ]; do
		kill -0 "$ICINGA_PID" 2>/dev/null || { echo "icinga2 exited: $(tail -3 "$T/icinga.out")"; return 1; }
		[ -n "$(icinga_record "$1" "$2" "$3")" ] && return 0
		sleep 0.3
	done
	echo "no $2 record of $1 since $3 after $4 s; last records:"
	cat "$I"/perf/service-perfdata.[0-9]* 2>/dev/null | grep "SERVICEDESC::$1" | tail -2
	return 1
}

# perf_problems TEXT: prints what TEXT lacks of every member's latency perfdata with the
# thresholds given (1.5 / 3; Icinga writes the numbers again as 1.500000) and healthy=3.
perf_problems() {
	local m
	for m in m1 m2 m3; do
		echo "$1" | grep -qE "'?${m}_latency'?=[0-9.]+s;1\.50*;3;" || echo "no ${m}_latency=...s;1.5;3; in: $1"
	done
	echo "$1" | grep -qE "'?healthy'?=3;" || echo "no healthy=3 in: $1"
}

# --- healthy cluster ---------------------------------------------------------------------------
T0=$(date +%s)
if why=$(nagios_wait etcd 0 "$T0" 40); then
	out=$(nagios_status etcd plugin_output) perf=$(nagios_status etcd performance_data)
	p=$(perf_problems "$perf")
	if [[ $out == "ETCD OK - "* ]] && [ -z "$p" ]; then
		ok "nagios4: healthy cluster OK in status.dat, perfdata of m1 m2 m3 with the variables' thresholds"
	else
		notok "nagios4: healthy cluster OK in status.dat, perfdata of m1 m2 m3 with the variables' thresholds" "output: $out" "$p"
	fi
	line=$(awk -F '\t' -v t0="$T0" '$1 >= t0 && $2 == "etcd" && $3 == "OK"' "$N/service-perfdata" | tail -1)
	p=$(perf_problems "$line")
	if [ -n "$line" ] && [ -z "$p" ]; then
		ok "nagios4: the service perfdata file has the OK result with its perfdata"
	else
		notok "nagios4: the service perfdata file has the OK result with its perfdata" "${p:-no OK line}" "$(tail -2 "$N/service-perfdata")"
	fi
else
	notok "nagios4: healthy cluster OK in status.dat, perfdata of m1 m2 m3 with the variables' thresholds" "$why" "$(tail -5 "$N/nagios.log")"
fi

if why=$(icinga_wait etcd OK "$T0" 40); then
	rec=$(icinga_record etcd OK "$T0")
	p=$(perf_problems "$rec")
	if [[ $rec == *"SERVICEOUTPUT::ETCD OK - "* ]] && [ -z "$p" ]; then
		ok "icinga2: healthy cluster OK in its perfdata file, perfdata of m1 m2 m3 with the variables' thresholds"
	else
		notok "icinga2: healthy cluster OK in its perfdata file, perfdata of m1 m2 m3 with the variables' thresholds" "$rec" "$p"
	fi
else
	notok "icinga2: healthy cluster OK in its perfdata file, perfdata of m1 m2 m3 with the variables' thresholds" "$why" "$(tail -5 "$T/icinga.out")"
fi

# --- the recorder: what the command definitions hand to the probe ------------------------------
end=$((SECONDS + 30))
while [ "$SECONDS" -lt "$end" ]; do
	grep -q '<nagios-probe>' "$T/recorder.out" && grep -q '<icinga-probe>\|ETCDCTL_USER=icinga-probe' "$T/recorder.out" && break
	[ "$SECONDS" -lt "$end" ] && nagios_force recorder
	sleep 0.5
done
nag_argv=$(grep -m1 -A1 '^argv:.*<--user=nagios-probe>' "$T/recorder.out" | head -1)
nag_env=$(grep -m1 -A1 '^argv:.*<--user=nagios-probe>' "$T/recorder.out" | sed -n 2p)
want=("<--endpoints=$EPS>" "<--password-file=$T/tls/password>" "<--cluster>"
	"<--write-check=/nagios/>" "<-w> <db_pct=70>" "<--timeout=10>")
miss=()
for w in "${want[@]}"; do [[ $nag_argv == *"$w"* ]] || miss+=("$w"); done
[[ $nag_env == *"ETCDCTL_PASSWORD=$SECRET "* ]] || miss+=("env ETCDCTL_PASSWORD from _ETCD_PROBE_PASSWORD")
# the sh -c that Nagios runs is gone once it execs: its command line must not name the macro
# shellcheck disable=SC2016 # the Nagios macro, literally
grep -qF '$_SERVICEETCD_PROBE_PASSWORD$' deploy/nagios/etcd-probe.cfg && miss+=("no \$_SERVICEETCD_PROBE_PASSWORD\$ in the command line")
if [ -n "$nag_argv" ] && [ ${#miss[@]} = 0 ] && ! grep '^argv:' "$T/recorder.out" | grep -qF "$SECRET"; then
	ok "nagios4: the command passes each set variable as its option, the password only in the environment"
else
	notok "nagios4: the command passes each set variable as its option, the password only in the environment" \
		"missing: ${miss[*]}" "argv: ${nag_argv:-none recorded}" "env: ${nag_env//$SECRET/SECRET}" "$(grep '^argv:' "$T/recorder.out" | grep -cF "$SECRET") argv lines with the password"
fi
ic_argv=$(grep -m1 -A1 '^argv:.*<--write-check>' "$T/recorder.out" | head -1)
ic_env=$(grep -m1 -A1 '^argv:.*<--write-check>' "$T/recorder.out" | sed -n 2p)
want=("<--cluster>" "<--write-check>" "<-w> <db_pct=70>" "<--timeout> <10>")
miss=()
for w in "${want[@]}"; do [[ $ic_argv == *"$w"* ]] || miss+=("$w"); done
for w in "ETCDCTL_ENDPOINTS=$EPS " "ETCDCTL_USER=icinga-probe " "ETCDCTL_PASSWORD=$SECRET " "ETCDCTL_CACERT= "; do
	[[ $ic_env == *"$w"* ]] || miss+=("env $w")
done
if [ -n "$ic_argv" ] && [ ${#miss[@]} = 0 ] && ! grep '^argv:' "$T/recorder.out" | grep -qF "$SECRET"; then
	ok "icinga2: the CheckCommand passes the options, ETCDCTL_* (the password) only in the environment"
else
	notok "icinga2: the CheckCommand passes the options, ETCDCTL_* (the password) only in the environment" \
		"missing: ${miss[*]}" "argv: ${ic_argv:-none recorded}" "env: ${ic_env//$SECRET/SECRET}"
fi

# --- member 3 stopped ----------------------------------------------------------------------------
member_stop 3
T1=$(date +%s)
U3=$(member_url 3)
if why=$(nagios_wait etcd 1 "$T1" 40); then
	out=$(nagios_status etcd plugin_output) long=$(nagios_status etcd long_plugin_output)
	if [[ $out == "ETCD WARNING - "* ]] && [[ $out == *m3* || $out == *"$U3"* ]] && [[ $long == *"$U3"* ]]; then
		ok "nagios4: member 3 stopped: WARNING in status.dat naming it"
	else
		notok "nagios4: member 3 stopped: WARNING in status.dat naming it" "output: $out" "long: $long"
	fi
	if awk -F '\t' -v t1="$T1" '$1 >= t1 && $2 == "etcd" && $3 == "WARNING"' "$N/service-perfdata" | grep -q "'m1_latency'="; then
		ok "nagios4: member 3 stopped: the WARNING result in the perfdata file, m1's perfdata kept"
	else
		notok "nagios4: member 3 stopped: the WARNING result in the perfdata file, m1's perfdata kept" "$(tail -2 "$N/service-perfdata")"
	fi
else
	notok "nagios4: member 3 stopped: WARNING in status.dat naming it" "$why"
fi
if why=$(icinga_wait etcd WARNING "$T1" 40); then
	rec=$(icinga_record etcd WARNING "$T1")
	if [[ $rec == *"SERVICEOUTPUT::ETCD WARNING - "* ]] && [[ $rec == *m3* || $rec == *"$U3"* ]] && [[ $rec == *m1_latency=* ]]; then
		ok "icinga2: member 3 stopped: WARNING in its perfdata file naming it"
	else
		notok "icinga2: member 3 stopped: WARNING in its perfdata file naming it" "$rec"
	fi
else
	notok "icinga2: member 3 stopped: WARNING in its perfdata file naming it" "$why"
fi

# --- both daemons stop by PID ------------------------------------------------------------------
for d in "nagios4:$NAGIOS_PID" "icinga2:$ICINGA_PID"; do
	pid=${d#*:}
	kill -TERM "$pid" 2>/dev/null
	end=$((SECONDS + 20))
	while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$end" ]; do sleep 0.2; done
	if kill -0 "$pid" 2>/dev/null; then
		notok "${d%%:*} stops on SIGTERM within 20 s" "PID $pid still runs"
	else
		ok "${d%%:*} stops on SIGTERM within 20 s"
	fi
done
# their workers and check processes ran as $RUNAS under our config: none may be left (the
# workers leave when their parent has gone; bounded)
end=$((SECONDS + 10))
while left=$(ps -u "$RUNAS" -o pid=,args= | grep -F "$T/"); [ -n "$left" ] && [ "$SECONDS" -lt "$end" ]; do sleep 0.2; done
if [ -z "$left" ]; then ok "no nagios4/icinga2 process of this test left"; else
	notok "no nagios4/icinga2 process of this test left" "$left"; fi
exit "$FAILED"
