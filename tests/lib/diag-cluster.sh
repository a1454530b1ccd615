# shellcheck shell=bash
# Minimal loopback etcd cluster helpers for the etcd-diag integration tests (sourced, bash):
# a CA and per-member certificates made with openssl, members started and stopped by PID,
# and each member's log turned into a real .journal file (one _HOSTNAME per member).
# Usage: DC_X=<third octet> DC_N=<members> source tests/lib/diag-cluster.sh; dc_init; ...

DC_X=${DC_X:-100}
DC_N=${DC_N:-3}
DC_LOGGER=${DC_LOGGER:-capnslog}
DC_TOKEN=${DC_TOKEN:-diag-tok}
DC_DIR=""
declare -a DC_PID=()
JREMOTE=/lib/systemd/systemd-journal-remote

dc_ip() { echo "127.0.$DC_X.$1"; }

dc_cleanup() {
	local i
	for i in "${!DC_PID[@]}"; do
		[ -n "${DC_PID[$i]}" ] && kill "${DC_PID[$i]}" 2>/dev/null
	done
	for i in "${!DC_PID[@]}"; do
		[ -n "${DC_PID[$i]}" ] && wait "${DC_PID[$i]}" 2>/dev/null
	done
	[ -n "$DC_DIR" ] && [ -z "${DC_KEEP:-}" ] && rm -rf "$DC_DIR"
	return 0
}

dc_init() {
	DC_DIR=$(mktemp -d /tmp/diag-test.XXXXXX) || return 1
	trap dc_cleanup EXIT
	mkdir -p "$DC_DIR/pki" "$DC_DIR/journal"
	dc_ca ca
}

# dc_ca NAME: a self-signed CA in $DC_DIR/pki/NAME.{crt,key}
dc_ca() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=diag-test-$1" \
		-keyout "$DC_DIR/pki/$1.key" -out "$DC_DIR/pki/$1.crt" 2>/dev/null
}

# dc_cert NAME IP [EKU] [CA] [DAYS]: certificate with SANs 127.0.0.1 and IP, signed by CA.
dc_cert() {
	local name=$1 ip=$2 eku=${3:-serverAuth,clientAuth} ca=${4:-ca} days=${5:-365}
	local p="$DC_DIR/pki/$name"
	openssl req -newkey rsa:2048 -nodes -subj "/CN=$name" -keyout "$p.key" -out "$p.csr" \
		-addext "subjectAltName=IP:127.0.0.1,IP:$ip" -addext "extendedKeyUsage=$eku" 2>/dev/null &&
		openssl x509 -req -in "$p.csr" -CA "$DC_DIR/pki/$ca.crt" -CAkey "$DC_DIR/pki/$ca.key" \
			-CAcreateserial -days "$days" -copy_extensions copy -out "$p.crt" 2>/dev/null &&
		chmod 600 "$p.key"
}

# dc_cert_dates NAME IP START END: certificate with chosen validity (YYYYMMDDHHMMSSZ), signed by
# ca through `openssl ca` and a throwaway CA database (LAB_NOTES: expired / not yet valid).
dc_cert_dates() {
	local name=$1 ip=$2 start=$3 end=$4 p="$DC_DIR/pki/$1" db="$DC_DIR/pki/cadb"
	mkdir -p "$db" && : >"$db/index.txt" && echo 1000 >"$db/serial"
	cat >"$db/ca.cnf" <<EOT
[ca]
default_ca = dc
[dc]
database = $db/index.txt
serial = $db/serial
new_certs_dir = $db
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
[any]
commonName = supplied
EOT
	openssl req -newkey rsa:2048 -nodes -subj "/CN=$name" -keyout "$p.key" -out "$p.csr" \
		-addext "subjectAltName=IP:127.0.0.1,IP:$ip" \
		-addext "extendedKeyUsage=serverAuth,clientAuth" 2>/dev/null &&
		openssl ca -batch -config "$db/ca.cnf" -cert "$DC_DIR/pki/ca.crt" \
			-keyfile "$DC_DIR/pki/ca.key" -startdate "$start" -enddate "$end" \
			-in "$p.csr" -out "$p.crt" 2>/dev/null &&
		chmod 600 "$p.key"
}

dc_initial_cluster() {
	local i s=""
	for ((i = 1; i <= DC_N; i++)); do s="$s${s:+,}m$i=https://$(dc_ip "$i"):2380"; done
	echo "$s"
}

# dc_args I: the member's command line (without the binary); certificate m$I unless DC_CERT_I set.
dc_args() {
	local i=$1 ip cert state=${DC_STATE:-new}
	ip=$(dc_ip "$i")
	local v="DC_CERT_$i"
	cert=${!v:-m$i}
	echo --name "m$i" --data-dir "$DC_DIR/m$i.etcd" \
		--listen-client-urls "https://$ip:2379" --advertise-client-urls "https://$ip:2379" \
		--listen-peer-urls "https://$ip:2380" --initial-advertise-peer-urls "https://$ip:2380" \
		--initial-cluster "$(dc_initial_cluster)" --initial-cluster-token "${DC_TOKEN}" \
		--initial-cluster-state "$state" \
		--cert-file "$DC_DIR/pki/$cert.crt" --key-file "$DC_DIR/pki/$cert.key" \
		--trusted-ca-file "$DC_DIR/pki/ca.crt" --client-cert-auth \
		--peer-cert-file "$DC_DIR/pki/$cert.crt" --peer-key-file "$DC_DIR/pki/$cert.key" \
		--peer-trusted-ca-file "$DC_DIR/pki/ca.crt" --peer-client-cert-auth \
		--logger "$DC_LOGGER" ${DC_EXTRA:-}
}

# dc_start I: start member I in the background, log appended to $DC_DIR/m$I.log
dc_start() {
	local i=$1
	# shellcheck disable=SC2046
	etcd $(dc_args "$i") >>"$DC_DIR/m$i.log" 2>&1 &
	DC_PID[$i]=$!
}

dc_stop() {
	local i=$1
	[ -n "${DC_PID[$i]:-}" ] || return 0
	kill "${DC_PID[$i]}" 2>/dev/null
	wait "${DC_PID[$i]}" 2>/dev/null
	DC_PID[$i]=""
}

dc_ctl() {
	local i=$1
	shift
	ETCDCTL_API=3 timeout 15 etcdctl --endpoints "https://$(dc_ip "$i"):2379" \
		--cacert "$DC_DIR/pki/ca.crt" --cert "$DC_DIR/pki/m$i.crt" --key "$DC_DIR/pki/m$i.key" \
		--dial-timeout 3s --command-timeout 5s "$@"
}

# dc_wait_healthy I [TRIES]: poll member I until `endpoint health` succeeds (bounded).
dc_wait_healthy() {
	local i=$1 n=${2:-30} k
	for ((k = 0; k < n; k++)); do
		dc_ctl "$i" endpoint health >/dev/null 2>&1 && return 0
		sleep 1
	done
	return 1
}

dc_start_all() {
	local i
	for ((i = 1; i <= DC_N; i++)); do dc_start "$i"; done
	for ((i = 1; i <= DC_N; i++)); do dc_wait_healthy "$i" 40 || return 1; done
}

# dc_journal I: turn m$I.log into $DC_DIR/journal/m$I.journal (_HOSTNAME=m$I), as journald would
# store etcd's stderr captured by a unit (whole line in MESSAGE, PRIORITY 6). Timestamps come from
# the lines themselves (capnslog local time, zap ts), else from the previous line.
dc_journal() {
	local i=$1
	perl -MPOSIX -e '
		my ($host) = @ARGV; my $last = time() * 1000000; my $n = 0;
		while (my $l = <STDIN>) {
			chomp $l; next if $l eq "";
			if ($l =~ /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(\.\d+)?/ ||
			    $l =~ /"ts":"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?/) {
				$last = POSIX::mktime($6, $5, $4, $3, $2 - 1, $1 - 1900) * 1000000
					+ int(($7 // 0) * 1000000);
			}
			$n++;
			print "__REALTIME_TIMESTAMP=", $last + $n % 1000, "\n";
			print "_HOSTNAME=$host\n_BOOT_ID=0123456789abcdef0123456789abcdef\n";
			print "SYSLOG_IDENTIFIER=etcd\n_SYSTEMD_UNIT=etcd.service\n_TRANSPORT=stdout\n";
			print "PRIORITY=6\nMESSAGE=$l\n\n";
		}' "m$i" <"$DC_DIR/m$i.log" | "$JREMOTE" -o "$DC_DIR/journal/m$i.journal" - 2>/dev/null
}

dc_journal_all() {
	local i
	rm -f "$DC_DIR"/journal/*.journal
	for ((i = 1; i <= DC_N; i++)); do [ -f "$DC_DIR/m$i.log" ] && dc_journal "$i"; done
	return 0
}
