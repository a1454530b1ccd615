#!/usr/bin/env bash
# etcd-diag against real failures: each scenario runs a fresh 3-member mutual-TLS loopback
# cluster (127.0.1XX.*), induces one failure, turns every member's log into a .journal file
# (systemd-journal-remote, _HOSTNAME=mI) and asserts the top finding's code and member.
set -u
cd "$(dirname "$0")/../.." || exit 2
DIAG=${ETCD_DIAG:-build/etcd-diag}
fails=0

if ! command -v etcd >/dev/null || [ ! -x /lib/systemd/systemd-journal-remote ] || [ ! -x "$DIAG" ]; then
	echo "skip - diag_journal (needs etcd, systemd-journal-remote and $DIAG)"
	exit 0
fi

# top_finding: "code member" of the first finding in etcd-diag's JSON on stdin
top_finding() {
	python3 -c 'import json,sys; d=json.load(sys.stdin); f=d["findings"]; print((f[0]["code"]+" "+f[0]["member"]) if f else "none -", d["exit_code"])'
}

# run_diag NAME: etcd-diag over the scenario's journals, JSON in $DC_DIR/NAME.json
run_diag() {
	dc_journal_all
	"$DIAG" --journal-dir "$DC_DIR/journal" --offline --no-config --format=json \
		>"$DC_DIR/diag.json" 2>"$DC_DIR/diag.err"
	echo $? >"$DC_DIR/diag.rc"
}

# expect NAME CODE MEMBER: compares the top finding, prints ok/not ok with details
expect() {
	local name=$1 code=$2 member=$3 got
	got=$(top_finding <"$DC_DIR/diag.json" 2>&1)
	if [ "${got% *}" = "$code $member" ]; then
		echo "ok - $name"
	else
		echo "top finding: $got (wanted $code $member)"
		"$DIAG" --journal-dir "$DC_DIR/journal" --offline --no-config | head -30
		echo "not ok - $name"
		return 1
	fi
}

# scenario X NAME FUNCTION: runs FUNCTION in a subshell with a fresh cluster on 127.0.X.*
scenario() {
	local x=$1 name=$2 fn=$3
	(
		export DC_X=$x
		# shellcheck source=tests/lib/diag-cluster.sh
		. tests/lib/diag-cluster.sh
		dc_init || { echo "not ok - $name (cannot create temp dir)"; exit 1; }
		for i in 1 2 3; do dc_cert "m$i" "$(dc_ip "$i")"; done
		if ! dc_start_all; then
			tail -5 "$DC_DIR"/m*.log
			echo "not ok - $name (cluster did not start)"
			exit 1
		fi
		dc_ctl 1 put diag-key diag-value >/dev/null || true
		"$fn" "$name"
	) || fails=$((fails + 1))
}

s_healthy() {
	sleep 2
	run_diag
	local rc
	rc=$(cat "$DC_DIR/diag.rc")
	if [ "$rc" = 0 ] && grep -q '"status":"OK"' "$DC_DIR/diag.json"; then
		echo "ok - $1"
	else
		"$DIAG" --journal-dir "$DC_DIR/journal" --offline --no-config | head -30
		echo "not ok - $1 (exit $rc)"
		return 1
	fi
}

s_san() {
	# member 3 restarted with member 1's certificate
	dc_stop 3
	DC_CERT_3=m1 dc_start 3
	sleep 8
	run_diag
	expect "$1" cert-san-mismatch m3
}

s_down() {
	dc_stop 3
	sleep 7
	run_diag
	expect "$1" member-down m3
}

s_cluster_id() {
	# member 3 wiped and bootstrapped again with another token: a cluster of its own
	dc_stop 3
	rm -rf "$DC_DIR/m3.etcd"
	DC_TOKEN=other-token dc_start 3
	sleep 7
	run_diag
	expect "$1" cluster-id-mismatch m3
}

s_nospace() {
	local v k
	dc_stop 1
	dc_stop 2
	dc_stop 3
	export DC_EXTRA="--quota-backend-bytes=1048576"
	for k in 1 2 3; do dc_start "$k"; done
	for k in 1 2 3; do dc_wait_healthy "$k" 30 || true; done
	v=$(head -c 80000 /dev/zero | tr '\0' x)
	for k in $(seq 1 16); do dc_ctl 1 put "k$k" "$v" >/dev/null 2>&1 || break; done
	sleep 1
	run_diag
	# the alarm is cluster-wide: the finding names the member that raised it
	local got
	got=$(top_finding <"$DC_DIR/diag.json")
	case "$got" in
	"nospace-alarm m"[123]" 2") echo "ok - $1" ;;
	*) echo "top finding: $got"; echo "not ok - $1"; return 1 ;;
	esac
}

s_key_usage() {
	# member 3 restarted with a certificate that has serverAuth only: peers reject it as a client
	dc_cert m3s "$(dc_ip 3)" serverAuth
	dc_stop 3
	DC_CERT_3=m3s dc_start 3
	sleep 8
	run_diag
	expect "$1" cert-bad-key-usage m3
}

s_unknown_ca() {
	# member 3 restarted with a certificate from a CA the others do not trust
	dc_ca ca2
	dc_cert m3x "$(dc_ip 3)" serverAuth,clientAuth ca2
	dc_stop 3
	DC_CERT_3=m3x dc_start 3
	sleep 8
	run_diag
	expect "$1" cert-unknown-authority m3
}

s_port() {
	# a second etcd started as member 1 while member 1 still holds its ports
	local ip
	ip=$(dc_ip 1)
	# shellcheck disable=SC2046
	timeout 20 etcd $(dc_args 1 | sed "s#--data-dir [^ ]*#--data-dir $DC_DIR/dup.etcd#") \
		>>"$DC_DIR/m1.log" 2>&1
	run_diag
	expect "$1" port-in-use m1 && grep -q "$ip:2379\|$ip:2380" "$DC_DIR/diag.json"
}

s_datadir() {
	# member 3 restarted with a data dir it cannot create (a path under a regular file)
	dc_stop 3
	: >"$DC_DIR/not-a-dir"
	# shellcheck disable=SC2046
	timeout 20 etcd $(dc_args 3 | sed "s#--data-dir [^ ]*#--data-dir $DC_DIR/not-a-dir/d#") \
		>>"$DC_DIR/m3.log" 2>&1
	run_diag
	expect "$1" data-dir-permission m3
}

s_quorum() {
	# two of three members stopped: each is down, and the headline is the lost quorum
	dc_stop 2
	dc_stop 3
	sleep 7
	run_diag
	local got
	got=$(python3 -c 'import json,sys; f=json.load(sys.stdin)["findings"]; print(f[0]["code"], "|", f[0]["summary"], "|", " ".join(sorted(x["member"] for x in f if x["code"] == "member-down")))' <"$DC_DIR/diag.json")
	case "$got" in
	"quorum-lost | the cluster lost quorum (2 of 3 members down: "*" | m2 m3") echo "ok - $1" ;;
	*) echo "got: $got"; echo "not ok - $1"; return 1 ;;
	esac
}

s_expired() {
	# member 3 restarted with a certificate that expired in 2020
	dc_cert_dates m3e "$(dc_ip 3)" 20200101000000Z 20200102000000Z || {
		echo "not ok - $1 (openssl ca failed)"
		return 1
	}
	dc_stop 3
	DC_CERT_3=m3e dc_start 3
	sleep 8
	run_diag
	expect "$1" cert-expired m3
}

# The local certificate inspection, no cluster needed: a configuration whose files are wrong in
# every way certcheck knows, read through --config-file.
certcheck_files() {
	local name=diag_certcheck_config_files
	(
		export DC_X=119
		# shellcheck source=tests/lib/diag-cluster.sh
		. tests/lib/diag-cluster.sh
		dc_init || exit 1
		local p=$DC_DIR/pki want got=""
		dc_cert peer "$(dc_ip 1)" serverAuth ca 10  # server-only EKU, expires in 10 days
		dc_cert other "$(dc_ip 2)"                  # its key does not match peer.crt
		dc_cert client "$(dc_ip 2)"                 # client cert lacks the advertised IP
		chmod 644 "$p/client.key"
		cat >"$DC_DIR/etcd.yml" <<EOT
name: m1
data-dir: $DC_DIR/m1.etcd
advertise-client-urls: https://$(dc_ip 1):2379
initial-advertise-peer-urls: https://$(dc_ip 1):2380
client-transport-security:
  cert-file: $p/client.crt
  key-file: $p/client.key
  trusted-ca-file: $p/missing-ca.crt
peer-transport-security:
  cert-file: $p/peer.crt
  key-file: $p/other.key
  trusted-ca-file: $p/ca.crt
EOT
		mkdir -p "$DC_DIR/empty"
		"$DIAG" --journal-dir "$DC_DIR/empty" --config-file "$DC_DIR/etcd.yml" --offline \
			--format=json >"$DC_DIR/diag.json"
		rc=$?
		got=$(python3 -c 'import json,sys; print(" ".join(sorted(set(f["code"]+"@"+f["member"] for f in json.load(sys.stdin)["findings"]))))' <"$DC_DIR/diag.json")
		want="cert-bad-key-usage@m1 cert-expiring@m1 cert-key-mismatch@m1 cert-san-mismatch@m1 file-missing@m1 key-file-permissions@m1"
		if [ "$got" = "$want" ] && [ "$rc" = 2 ]; then
			echo "ok - $name"
		else
			echo "got ($rc): $got"
			echo "want (2): $want"
			echo "not ok - $name"
			exit 1
		fi
	) || fails=$((fails + 1))
}

certcheck_files
scenario 110 diag_healthy_cluster_no_findings s_healthy
scenario 111 diag_member_with_other_members_cert s_san
scenario 112 diag_member_stopped s_down
scenario 113 diag_member_rebootstrapped_new_token s_cluster_id
scenario 114 diag_nospace_alarm s_nospace
scenario 115 diag_peer_cert_server_auth_only s_key_usage
scenario 116 diag_member_cert_from_unknown_ca s_unknown_ca
scenario 117 diag_port_in_use s_port
scenario 118 diag_data_dir_unusable s_datadir
scenario 121 diag_member_cert_expired s_expired
scenario 124 diag_quorum_lost_two_members_stopped s_quorum
# the same failures with etcd's other log format (--logger=zap, JSON lines on stderr)
export DC_LOGGER=zap
scenario 125 diag_zap_member_with_other_members_cert s_san
scenario 126 diag_zap_member_rebootstrapped_new_token s_cluster_id
scenario 127 diag_zap_member_stopped s_down
[ "$fails" = 0 ]
