#!/usr/bin/env bash
# etcd-diag against real failures: each scenario runs a fresh 3-member mutual-TLS loopback
# cluster (tests/lib/cluster.sh, a free 127.0.X.* with X in 100..149), induces one failure, turns
# every member's log into a .journal file (tests/lib/journal.sh: systemd-journal-remote,
# _HOSTNAME=mI) and asserts the top finding's code and member.
set -u
cd "$(dirname "$0")/../.." || exit 2
DIAG=${ETCD_DIAG:-build/etcd-diag}
export CLUSTER_NET_FIRST=100 CLUSTER_NET_LAST=149
LOGGER=""  # etcd's log format for the scenarios (--logger): by default the version's own (cluster_logger)
fails=0

if ! command -v etcd >/dev/null || [ ! -x /lib/systemd/systemd-journal-remote ] || [ ! -x "$DIAG" ]; then
	echo "skip - diag_journal (needs etcd, systemd-journal-remote and $DIAG)"
	exit 0
fi

# make check passed 25 minutes with the kubeadm, log-file, systemd-host and scheduler tests, so
# (issue 10) these slow scenarios, a fresh 3-member cluster each, run on one version: 3.4, whose
# runs cover both of etcd's loggers (capnslog and zap). 3.5's zap wordings are covered by
# diag_journald, diag_logfile and the real-world corpus (diag_reallogs). DIAG_JOURNAL_VERSIONS=all
# runs them on every version.
case " ${DIAG_JOURNAL_VERSIONS:-3.4} " in
*" all "* | *" ${ETCD_VERSION:-3.4} "*) ;;
*)
	echo "skip - diag_journal scenarios on etcd ${ETCD_VERSION} (they run on 3.4; DIAG_JOURNAL_VERSIONS=all for every version)"
	exit 0
	;;
esac

# top_finding: "code member" of the first finding in etcd-diag's JSON on stdin
top_finding() {
	python3 -c 'import json,sys; d=json.load(sys.stdin); f=d["findings"]; print((f[0]["code"]+" "+f[0]["member"]) if f else "none -", d["exit_code"])'
}

# run_diag: etcd-diag over the scenario's journals, JSON in $CLUSTER_DIR/diag.json
run_diag() {
	journal_all
	"$DIAG" --journal-dir "$(journal_dir)" --offline --no-config --format=json \
		>"$CLUSTER_DIR/diag.json" 2>"$CLUSTER_DIR/diag.err"
	echo $? >"$CLUSTER_DIR/diag.rc"
}

# settle CODE MEMBER [SECS]: runs etcd-diag over the journals again and again until the top
# finding is CODE on MEMBER (a glob), at most SECS (default 25) seconds: the members log the
# failure within a few seconds, polled rather than slept for. The last run stays in diag.json.
settle() {
	local code=$1 member=$2 end=$((SECONDS + ${3:-25})) got
	while :; do
		run_diag
		got=$(top_finding <"$CLUSTER_DIR/diag.json" 2>/dev/null)
		# shellcheck disable=SC2053 # MEMBER is a glob on purpose
		[[ "${got% *}" == "$code "$member ]] && return 0
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.5
	done
}

# expect NAME CODE MEMBER: compares the top finding, prints ok/not ok with details
expect() {
	local name=$1 code=$2 member=$3 got
	got=$(top_finding <"$CLUSTER_DIR/diag.json" 2>&1)
	if [ "${got% *}" = "$code $member" ]; then
		echo "ok - $name"
	else
		echo "top finding: $got (wanted $code $member)"
		"$DIAG" --journal-dir "$(journal_dir)" --offline --no-config | head -30
		echo "not ok - $name"
		return 1
	fi
}

# scenario NAME FUNCTION: runs FUNCTION in a subshell with a fresh 3-member cluster
scenario() {
	local name=$1 fn=$2
	(
		# shellcheck source=tests/lib/cluster.sh
		. tests/lib/cluster.sh
		# shellcheck source=tests/lib/journal.sh
		. tests/lib/journal.sh
		cluster_init || { echo "not ok - $name (no temp dir or free loopback net)"; exit 1; }
		if ! cluster_start 3 --logger "${LOGGER:-$(cluster_logger)}"; then
			tail -n 5 "$CLUSTER_DIR"/m*.log
			echo "not ok - $name (cluster did not start)"
			exit 1
		fi
		cluster_etcdctl 1 put diag-key diag-value >/dev/null || true
		"$fn" "$name"
	) || fails=$((fails + 1))
}

s_healthy() {
	sleep 2
	run_diag
	local rc
	rc=$(cat "$CLUSTER_DIR/diag.rc")
	if [ "$rc" = 0 ] && grep -q '"status":"OK"' "$CLUSTER_DIR/diag.json"; then
		echo "ok - $1"
	else
		"$DIAG" --journal-dir "$(journal_dir)" --offline --no-config | head -30
		echo "not ok - $1 (exit $rc)"
		return 1
	fi
}

s_san() {
	# member 3 restarted with member 1's certificate
	member_stop 3
	MEMBER_CERT=$CLUSTER_DIR/m1.pem MEMBER_KEY=$CLUSTER_DIR/m1-key.pem member_start 3
	settle cert-san-mismatch m3
	expect "$1" cert-san-mismatch m3
}

s_down() {
	member_stop 3
	settle member-down m3
	expect "$1" member-down m3
}

s_cluster_id() {
	# member 3 wiped and bootstrapped again with another token: a cluster of its own
	member_stop 3
	rm -rf "$CLUSTER_DIR/m3.data"
	CLUSTER_TOKEN=other-token member_start 3
	settle cluster-id-mismatch m3
	expect "$1" cluster-id-mismatch m3
}

s_nospace() {
	local v k
	member_stop 1
	member_stop 2
	member_stop 3
	for k in 1 2 3; do member_start "$k" --quota-backend-bytes=1048576; done
	for k in 1 2 3; do member_wait_healthy "$k" 30 || true; done
	v=$(head -c 80000 /dev/zero | tr '\0' x)
	for k in $(seq 1 16); do cluster_etcdctl 1 put "k$k" "$v" >/dev/null 2>&1 || break; done
	settle nospace-alarm 'm[123]'
	# the alarm is cluster-wide: the finding names the member that raised it
	local got
	got=$(top_finding <"$CLUSTER_DIR/diag.json")
	case "$got" in
	"nospace-alarm m"[123]" 2") echo "ok - $1" ;;
	*) echo "top finding: $got"; echo "not ok - $1"; return 1 ;;
	esac
}

s_key_usage() {
	# member 3 restarted with a certificate that has serverAuth only: peers reject it as a client
	cluster_cert m3s "$(cluster_ip 3)" 365 ca serverAuth
	member_stop 3
	MEMBER_CERT=$CLUSTER_DIR/m3s.pem MEMBER_KEY=$CLUSTER_DIR/m3s-key.pem member_start 3
	settle cert-bad-key-usage m3
	expect "$1" cert-bad-key-usage m3
}

s_unknown_ca() {
	# member 3 restarted with a certificate from a CA the others do not trust
	cluster_ca ca2
	cluster_cert m3x "$(cluster_ip 3)" 365 ca2
	member_stop 3
	MEMBER_CERT=$CLUSTER_DIR/m3x.pem MEMBER_KEY=$CLUSTER_DIR/m3x-key.pem member_start 3
	settle cert-unknown-authority m3
	expect "$1" cert-unknown-authority m3
}

s_port() {
	# a second etcd started as member 1 while member 1 still holds its ports
	local ip
	ip=$(cluster_ip 1)
	MEMBER_DATA_DIR=$CLUSTER_DIR/dup.data member_argv 1
	timeout 20 "${MEMBER_ARGV[@]}" </dev/null >>"$(member_log 1)" 2>&1
	run_diag
	expect "$1" port-in-use m1 && grep -q "$ip:2379\|$ip:2380" "$CLUSTER_DIR/diag.json"
}

s_datadir() {
	# member 3 restarted with a data dir it cannot create (a path under a regular file)
	member_stop 3
	: >"$CLUSTER_DIR/not-a-dir"
	MEMBER_DATA_DIR=$CLUSTER_DIR/not-a-dir/d member_argv 3
	timeout 20 "${MEMBER_ARGV[@]}" </dev/null >>"$(member_log 3)" 2>&1
	run_diag
	expect "$1" data-dir-permission m3
}

s_quorum() {
	# two of three members stopped: each is down, and the headline is the lost quorum
	member_stop 2
	member_stop 3
	settle quorum-lost '*'
	local got
	got=$(python3 -c 'import json,sys; f=json.load(sys.stdin)["findings"]; print(f[0]["code"], "|", f[0]["summary"], "|", " ".join(sorted(x["member"] for x in f if x["code"] == "member-down")))' <"$CLUSTER_DIR/diag.json")
	case "$got" in
	"quorum-lost | the cluster lost quorum (2 of 3 members down: "*" | m2 m3") echo "ok - $1" ;;
	*) echo "got: $got"; echo "not ok - $1"; return 1 ;;
	esac
}

s_expired() {
	# member 3 restarted with a certificate that expired in 2020
	cluster_cert_dated m3e "$(cluster_ip 3)" 20200101000000Z 20200102000000Z || {
		echo "not ok - $1 (openssl ca failed)"
		return 1
	}
	member_stop 3
	MEMBER_CERT=$CLUSTER_DIR/m3e.pem MEMBER_KEY=$CLUSTER_DIR/m3e-key.pem member_start 3
	settle cert-expired m3
	expect "$1" cert-expired m3
}

s_removed() {
	# member 3 removed with etcdctl member remove while it runs
	local id k
	id=$(cluster_etcdctl 1 member list 2>/dev/null | awk -F', ' '$3 == "m3" { print $1 }')
	[ -n "$id" ] || { echo "not ok - $1 (m3 not in the member list)"; return 1; }
	# 3.5 refuses to remove a member until its peers have been connected for 5 s ("unhealthy cluster")
	for k in $(seq 1 20); do
		cluster_etcdctl 1 member remove "$id" >"$CLUSTER_DIR/remove.out" 2>&1 && break
		sleep 1
	done
	grep -q 'Member .* removed' "$CLUSTER_DIR/remove.out" || { echo "not ok - $1 (member remove: $(cat "$CLUSTER_DIR/remove.out"))"; return 1; }
	settle member-removed m3
	# the members that remain log the rejections: they name m3, they are not removed themselves
	local also
	also=$(python3 -c 'import json,sys; print(" ".join(sorted(f["member"] for f in json.load(sys.stdin)["findings"] if f["code"] == "member-removed")))' <"$CLUSTER_DIR/diag.json")
	[ "$also" = m3 ] || { echo "member-removed findings on: $also (wanted m3 alone)"; echo "not ok - $1"; return 1; }
	expect "$1" member-removed m3
}

# The local certificate inspection, no cluster needed: a configuration whose files are wrong in
# every way certcheck knows, read through --config-file.
certcheck_files() {
	local name=diag_certcheck_config_files
	(
		# shellcheck source=tests/lib/cluster.sh
		. tests/lib/cluster.sh
		cluster_init || exit 1
		local p=$CLUSTER_DIR want got=""
		cluster_ca ca
		cluster_cert peer "$(cluster_ip 1)" 10 ca serverAuth  # server-only EKU, expires in 10 days
		cluster_cert other "$(cluster_ip 2)"                  # its key does not match peer.pem
		cluster_cert srv "$(cluster_ip 2)"                    # client-port cert lacks the advertised IP
		chmod 644 "$p/srv-key.pem"
		cat >"$p/etcd.yml" <<EOT
name: m1
data-dir: $p/m1.data
advertise-client-urls: https://$(cluster_ip 1):2379
initial-advertise-peer-urls: https://$(cluster_ip 1):2380
client-transport-security:
  cert-file: $p/srv.pem
  key-file: $p/srv-key.pem
  trusted-ca-file: $p/missing-ca.pem
peer-transport-security:
  cert-file: $p/peer.pem
  key-file: $p/other-key.pem
  trusted-ca-file: $p/ca/ca.pem
EOT
		mkdir -p "$p/empty"
		"$DIAG" --journal-dir "$p/empty" --config-file "$p/etcd.yml" --offline \
			--format=json >"$p/diag.json"
		rc=$?
		got=$(python3 -c 'import json,sys; print(" ".join(sorted(set(f["code"]+"@"+f["member"] for f in json.load(sys.stdin)["findings"]))))' <"$p/diag.json")
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

# Go's name rule (no CN fallback, an IP only by an IP SAN), as the member's clients and peers
# apply it: a client certificate with only CN=localhost for https://localhost:2379, and a peer
# certificate with its IP only as a DNS SAN, are both not valid for their address. The old
# certcheck (X509_check_host, CN fallback) found nothing here: exit 0, no findings.
certcheck_go_names() {
	local name=diag_certcheck_go_name_rule
	(
		# shellcheck source=tests/lib/cluster.sh
		. tests/lib/cluster.sh
		cluster_init || exit 1
		local p=$CLUSTER_DIR got want
		cluster_ca ca &&
			cluster_leaf cnonly localhost "" serverAuth,clientAuth ca days 365 &&
			cluster_leaf ipdns etcd "DNS:$(cluster_ip 1)" serverAuth,clientAuth ca days 365 || exit 1
		chmod 600 "$p/cnonly-key.pem" "$p/ipdns-key.pem"
		cat >"$p/etcd.yml" <<EOT
name: m1
data-dir: $p/m1.data
advertise-client-urls: https://localhost:2379
initial-advertise-peer-urls: https://$(cluster_ip 1):2380
client-transport-security:
  cert-file: $p/cnonly.pem
  key-file: $p/cnonly-key.pem
  trusted-ca-file: $p/ca/ca.pem
peer-transport-security:
  cert-file: $p/ipdns.pem
  key-file: $p/ipdns-key.pem
  trusted-ca-file: $p/ca/ca.pem
EOT
		mkdir -p "$p/empty"
		"$DIAG" --journal-dir "$p/empty" --config-file "$p/etcd.yml" --offline \
			--format=json >"$p/diag.json"
		rc=$?
		# the codes, and whether the evidence gives Go's reason for each certificate
		got=$(python3 -c '
import json, sys
fs = json.load(sys.stdin)["findings"]
ev = " ".join(e for f in fs for e in f["evidence"])
print(" ".join(sorted(set(f["code"] + "@" + f["member"] for f in fs))),
      "legacy-cn" if "cnonly.pem: certificate relies on legacy Common Name field" in ev else "-",
      "no-ip-sans" if "ipdns.pem: cannot validate certificate for " + sys.argv[1] +
      " because it doesn'"'"'t contain any IP SANs (DNS SANs: " + sys.argv[1] + ")" in ev else "-")
' "$(cluster_ip 1)" <"$p/diag.json")
		want="cert-san-mismatch@m1 legacy-cn no-ip-sans"
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

# Startup failures, each on a real member that exits at once (no cluster needed): the wording of
# the running version must give the right code.
startup_failures() {
	(
		# shellcheck source=tests/lib/cluster.sh
		. tests/lib/cluster.sh
		# shellcheck source=tests/lib/journal.sh
		. tests/lib/journal.sh
		cluster_init || exit 1
		# shellcheck disable=SC2034 # journal_all reads it
		CLUSTER_SIZE=3
		cluster_ca ca && cluster_cert m1 "$(cluster_ip 1)" && cluster_cert m2 "$(cluster_ip 2)" || exit 1
		local bad=0
		# start_fail NAME CODE VAR=VALUE... -- ARGS...: member 1 started with those harness
		# settings (MEMBER_CERT, ...) and extra etcd arguments must exit, and etcd-diag must
		# name CODE on m1
		start_fail() {
			local name=$1 code=$2
			shift 2
			rm -rf "$CLUSTER_DIR/m1.data" "$(member_log 1)"
			(
				while [ "$1" != -- ]; do declare "$1"; shift; done
				shift
				member_argv 1 --logger "$(cluster_logger)" "$@"
				exec timeout 20 "${MEMBER_ARGV[@]}"
			) </dev/null >"$(member_log 1)" 2>&1
			run_diag
			expect "$name" "$code" m1 || bad=1
		}
		start_fail diag_startup_cert_file_missing file-missing MEMBER_CERT="$CLUSTER_DIR/gone.pem" --
		start_fail diag_startup_key_not_the_certs cert-key-mismatch MEMBER_KEY="$CLUSTER_DIR/m2-key.pem" --
		start_fail diag_startup_name_not_in_initial_cluster member-not-in-initial-cluster -- --name m9
		exit "$bad"
	) || fails=$((fails + 1))
}

certcheck_files
certcheck_go_names
startup_failures
scenario diag_healthy_cluster_no_findings s_healthy
scenario diag_member_with_other_members_cert s_san
scenario diag_member_stopped s_down
scenario diag_member_rebootstrapped_new_token s_cluster_id
scenario diag_nospace_alarm s_nospace
scenario diag_peer_cert_server_auth_only s_key_usage
scenario diag_member_cert_from_unknown_ca s_unknown_ca
scenario diag_port_in_use s_port
scenario diag_data_dir_unusable s_datadir
scenario diag_member_cert_expired s_expired
scenario diag_quorum_lost_two_members_stopped s_quorum
scenario diag_member_removed_still_running s_removed
# etcd 3.4's other log format (--logger=zap, JSON lines on stderr) on the same failures; 3.5 logs
# only through zap, so there every scenario above already read zap lines
if [[ $(etcd --version 2>/dev/null) == *"etcd Version: 3.4."* ]]; then
	LOGGER=zap
	scenario diag_zap_member_with_other_members_cert s_san
	scenario diag_zap_member_rebootstrapped_new_token s_cluster_id
	scenario diag_zap_member_stopped s_down
fi
[ "$fails" = 0 ]
