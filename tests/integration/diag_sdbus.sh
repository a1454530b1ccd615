#!/usr/bin/env bash
# etcd-versions: 3.4
# etcd-diag on a host run by a real systemd (tests/lib/hosts.sh: systemd as PID 1 in namespaces of
# the test's own): the unit is read as systemd merged it, over sd-bus (a unit file whose
# ExecStart= a drop-in resets and replaces, Environment=, an EnvironmentFile=), not parsed from
# the files; a running unit wins over a kubeadm manifest, a stopped one does not; the live checks
# reach the member the unit started; specifiers (%H %p %N) and User=/Group= are read both ways.
# Skipped where tests/lib/hosts.sh is absent or cannot boot.
set -u
cd "$(dirname "$0")/../.." || exit 2
DIAG=$(realpath "${ETCD_DIAG:-build/etcd-diag}" 2>/dev/null)
HOSTS_LIB=${HOSTS_LIB:-tests/lib/hosts.sh}
# shellcheck source=tests/lib/tap.sh
. tests/lib/tap.sh
if [ ! -f "$HOSTS_LIB" ] || [ ! -x "$DIAG" ] || [ ! -x /usr/bin/etcd ]; then
	skip diag_sdbus "needs $HOSTS_LIB, /usr/bin/etcd and build/etcd-diag"
	exit 0
fi
# shellcheck source=/dev/null
. "$HOSTS_LIB"
if ! hosts_init; then
	skip diag_sdbus "hosts_init failed (see above)"
	exit 0
fi
H=etcd01
IP=$HOSTS_NET.1
host_boot "$H" "$IP" || { notok diag_sdbus_boot "host_boot failed"; exit 1; }
host_wait_running "$H" 60 || { notok diag_sdbus_boot "${HOST_STATE[$H]:-?}"; exit 1; }
mkdir -p "$HOSTS_DIR/empty"

# the unit (Debian's is masked in the host's /etc/systemd/system: replaced), a drop-in, an env file
host_run "$H" sh -c 'rm -f /etc/systemd/system/etcd.service && mkdir -p /etc/systemd/system/etcd.service.d /etc/etcd' || exit 1
host_run "$H" sh -c 'cat >/etc/systemd/system/etcd.service' <<EOT
[Unit]
Description=etcd (diag_sdbus)
[Service]
Type=notify
Environment="ETCD_EXTRA=--initial-cluster-token tok-sdbus"
EnvironmentFile=-/etc/etcd/etcd.env
ExecStart=/usr/bin/etcd --name not-this-one
EOT
host_run "$H" sh -c 'cat >/etc/systemd/system/etcd.service.d/10-diag.conf' <<EOT
[Service]
ExecStart=
ExecStart=/usr/bin/etcd --name $H --listen-client-urls http://$IP:2379 --advertise-client-urls http://$IP:2379 --listen-peer-urls http://$IP:2380 --initial-advertise-peer-urls http://$IP:2380 --initial-cluster $H=http://$IP:2380 \$ETCD_EXTRA
EOT
host_run "$H" sh -c 'echo ETCD_DATA_DIR=/var/lib/etcd/sdbus >/etc/etcd/etcd.env' || exit 1
host_run "$H" systemctl daemon-reload || exit 1

# check NAME PYTHON_CONDITION ETCD_DIAG_ARGS...: etcd-diag run inside the host, its JSON as d
check() {
	local name=$1 cond=$2 rc
	shift 2
	host_run "$H" timeout 30 "$DIAG" -t 5 --format=json "$@" >"$HOSTS_DIR/diag.json" 2>"$HOSTS_DIR/diag.err"
	rc=$?
	if python3 -c "import json,sys; d=json.load(sys.stdin); c=d['config']; s=c['settings']; f=d['findings']; sys.exit(0 if ($cond) else 1)" <"$HOSTS_DIR/diag.json"; then
		ok "$name"
	else
		notok "$name" "exit $rc" "$(head -c 1500 "$HOSTS_DIR/diag.json")" "$(head -c 300 "$HOSTS_DIR/diag.err")"
	fi
}

DBUS="c['deployment'] == 'systemd unit over D-Bus' and c['path'] == '/etc/systemd/system/etcd.service' and c['dropins'] == 1"
check diag_sdbus_unit_loaded \
	"$DBUS and s['name'] == 'D-Bus etcd.service' and s['initial-cluster-token'] == 'D-Bus etcd.service' and s['data-dir'] == '/etc/etcd/etcd.env' and d['exit_code'] == 3" \
	--offline --journal-dir "$HOSTS_DIR/empty"
host_run "$H" timeout 30 systemctl start etcd.service || notok diag_sdbus_start "$(host_run "$H" systemctl status etcd.service --no-pager | tail -5)"
# the live checks reach the member the unit started; the host's own journal holds its lines
check diag_sdbus_unit_running \
	"$DBUS and d['endpoints'] >= 1 and d['entries'] > 0 and not [x for x in f if x['code'] == 'endpoint-unhealthy']"
# a kubeadm manifest on the same host: the running unit still wins
host_run "$H" sh -c "mkdir -p /etc/kubernetes/manifests && printf 'kind: Pod\nspec:\n  containers:\n  - name: etcd\n    command: [etcd, --name=from-manifest]\n' >/etc/kubernetes/manifests/etcd.yaml" || exit 1
check diag_sdbus_running_unit_over_manifest "$DBUS" --offline --journal-dir "$HOSTS_DIR/empty"
host_run "$H" timeout 30 systemctl stop etcd.service
check diag_sdbus_stopped_unit_manifest_wins \
	"c['deployment'] == 'kubeadm static pod manifest' and s['name'] == '/etc/kubernetes/manifests/etcd.yaml'" \
	--offline --journal-dir "$HOSTS_DIR/empty"
# --unit-file keeps the text parser (and its drop-ins), even here
check diag_sdbus_unit_file_option \
	"c['deployment'] == 'unit file' and c['dropins'] == 1 and s['name'] == '/etc/systemd/system/etcd.service.d/10-diag.conf'" \
	--offline --journal-dir "$HOSTS_DIR/empty" --unit-file /etc/systemd/system/etcd.service

# specifiers (%H %p %N) in a drop-in's ExecStart= and Environment=, and User=/Group=: over D-Bus
# systemd expands them itself; --unit-file expands them as systemd would. The unit is stopped and
# the manifest gone, so the loaded unit is what is read. The name (%H-%N) and the certificate path
# (%p-%H) reach the report as the file-missing finding (on the member named by --name, for the file
# named); the report does not show the token (tok-%N), so it is checked as systemd expanded it.
# (%N and %p are both "etcd" here; %n, "etcd.service", would show.)
host_run "$H" rm -f /etc/kubernetes/manifests/etcd.yaml || exit 1
host_run "$H" sh -c 'cat >/etc/systemd/system/etcd.service.d/20-specifiers.conf' <<'EOT'
[Service]
User=etcd
Group=etcd
Environment=ETCD_CERT_FILE=/etc/etcd/%p-%H.pem
ExecStart=
ExecStart=/usr/bin/etcd --name %H-%N --initial-cluster-token tok-%N
EOT
host_run "$H" systemctl daemon-reload || exit 1
HN=$(host_run "$H" hostname)
exec_start=$(host_run "$H" systemctl show -p ExecStart --value etcd.service)
if [[ $exec_start == *"argv[]=/usr/bin/etcd --name $HN-etcd --initial-cluster-token tok-etcd ;"* ]]; then
	ok "diag_sdbus_specifiers_systemd: systemd expands the drop-in's --name %H-%N and tok-%N to $HN-etcd and tok-etcd"
else
	notok diag_sdbus_specifiers_systemd "ExecStart: $exec_start"
fi
SPEC="c['user'] == 'etcd' and c['group'] == 'etcd' and [x for x in f if x['code'] == 'file-missing' and x['member'] == '$HN-etcd' and '/etc/etcd/etcd-$HN.pem' in x['summary']]"
check diag_sdbus_specifiers_over_dbus \
	"c['deployment'] == 'systemd unit over D-Bus' and c['dropins'] == 2 and s['initial-cluster-token'] == 'D-Bus etcd.service' and $SPEC" \
	--offline --journal-dir "$HOSTS_DIR/empty"
check diag_sdbus_specifiers_unit_file \
	"c['deployment'] == 'unit file' and c['dropins'] == 2 and s['name'] == '/etc/systemd/system/etcd.service.d/20-specifiers.conf' and $SPEC" \
	--offline --journal-dir "$HOSTS_DIR/empty" --unit-file /etc/systemd/system/etcd.service
exit "$FAILED"
