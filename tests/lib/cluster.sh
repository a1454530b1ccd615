# shellcheck shell=bash
# Loopback etcd cluster harness: private CA and certificates (openssl CLI), mutual-TLS members on
# 127.0.X.I:2379/2380, started and stopped by PID, all in one temp dir removed on exit.
#
# Sourced (bash) by tests/integration/*.sh, `make demo`, `make bench` and diag tests:
#
#   . tests/lib/cluster.sh
#   cluster_init                 # temp dir, free 127.0.X net, EXIT/INT/TERM trap
#   cluster_start 3              # CA + member certs + client cert, 3 members, waits until healthy
#   cluster_etcdctl 1 put k v    # etcdctl against member 1 with the right TLS flags
#   member_stop 3                # SIGTERM by PID, SIGKILL after a bounded wait
#   MEMBER_CERT=$CLUSTER_DIR/m1.pem MEMBER_KEY=$CLUSTER_DIR/m1-key.pem member_start 3
#
# Facts it relies on (../shared/LAB_NOTES.md): all of 127.0.0.0/8 is local on Linux; a member's
# certificate needs SANs 127.0.0.1 and its own IP and EKU serverAuth,clientAuth (peers present the
# same certificate as clients); a member serves clients only once its cluster has a leader.
#
# Rules kept here: every process is started by us, its PID remembered, stopped by that PID (never
# signalling by process name); every wait is bounded; nothing listens outside the chosen 127.0.X net.
# State lives in shell variables, so call these functions in the main shell, not inside $(...).
#
# Files (all under $CLUSTER_DIR):
#   <ca>/ca.pem <ca>/ca-key.pem      a CA (default name "ca")
#   NAME.pem NAME-key.pem            a certificate made by cluster_cert*, cluster_client_cert
#   mI.data/ mI.log                  member I's data dir and its stdout+stderr
#   client.pem client-key.pem        the client certificate (CN root) used by cluster_etcdctl
#
# Environment knobs (optional, set before the call):
#   ETCD_VERSION           3.4 | 3.5.16 | 3.5.30: that version's etcd and etcdctl first in PATH
#                          (tests/lib/etcd-versions.sh); ETCD_VERSION_FULL then says which runs
#   ETCD, ETCDCTL          binaries (default etcd, etcdctl from PATH)
#   CLUSTER_KEY_ALG        rsa (default, 2048 bits like the tutorial's cfssl) or ec (P-256, faster)
#   CLUSTER_HTTP=1         cluster_start/member_start also listen on plain http://127.0.X.I:23791
#   CLUSTER_KEEP=1         keep $CLUSTER_DIR on exit (logs, certs) and print where it is
#   CLUSTER_NET_FIRST/LAST range of X tried by cluster_init (default 10..59)
#   MEMBER_CERT, MEMBER_KEY, MEMBER_CA   member_start/cluster_start: override the member's cert,
#                          key and trusted CA (client and peer side alike)
#   MEMBER_DATA_DIR        member_start/member_argv: override the member's data dir (default mI.data)
#   CLUSTER_TOKEN          member_start: --initial-cluster-token (set by cluster_init; a different
#                          one for a single call, e.g. CLUSTER_TOKEN=other member_start 3, makes
#                          a wiped member bootstrap a cluster of its own)
#
# Other users: member_log I prints member I's log path; member_argv I [args] builds the member's
# etcd command line into the array MEMBER_ARGV without starting it (for a run in the foreground,
# e.g. a second etcd with the same ports: timeout 20 "${MEMBER_ARGV[@]}").

CLUSTER_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CLUSTER_DIR=${CLUSTER_DIR:-}
CLUSTER_NET=${CLUSTER_NET:-}
CLUSTER_SIZE=0
CLUSTER_TOKEN=
CLUSTER_LOCK=
declare -ga CLUSTER_PIDS=()        # index I: PID of member mI (empty when stopped)
declare -ga CLUSTER_EXTRA_ARGS=()  # etcd arguments cluster_start got, reused by member_start
declare -ga CLUSTER_BG_PIDS=()     # other processes started with cluster_bg
declare -ga CLUSTER_ATEXIT=()      # commands cluster_cleanup runs first (cluster_atexit)
declare -ga MEMBER_ARGV=()         # set by member_argv

# cluster_log MSG...: one line on stderr, prefixed so it stands apart from test output.
cluster_log() { echo "cluster: $*" >&2; }

# cluster_need: installs the Debian packages behind any missing command (etcd, etcdctl, openssl,
# ss, python3), through tests/lib/need-packages.sh. Returns non-zero if something stays missing.
cluster_need() {
	local pkgs=() c p
	# shellcheck source=tests/lib/etcd-versions.sh
	. "$CLUSTER_LIB_DIR/etcd-versions.sh"
	for c in etcd:etcd-server etcdctl:etcd-client openssl:openssl ss:iproute2 python3:python3-minimal; do
		command -v "${c%%:*}" >/dev/null 2>&1 || pkgs+=("${c#*:}")
	done
	if [ ${#pkgs[@]} -gt 0 ]; then
		sh "$CLUSTER_LIB_DIR/need-packages.sh" "${pkgs[@]}" || return 1
	fi
	for p in etcd etcdctl openssl ss; do
		command -v "$p" >/dev/null 2>&1 || { cluster_log "missing command $p"; return 1; }
	done
	etcd_use_version || { cluster_log "etcd ${ETCD_VERSION:-on PATH} is not available"; return 1; }
}

# cluster_logger: prints etcd's log format of the running version for --logger: capnslog on 3.4
# (its default), zap from 3.5 on (capnslog was removed). Call after cluster_init.
cluster_logger() {
	case ${ETCD_VERSION_FULL:-} in
	3.4.*) echo capnslog ;;
	*) echo zap ;;
	esac
}

# cluster_net_busy X: true when anything listens (TCP) on an address 127.0.X.*.
cluster_net_busy() {
	ss -Hltn 2>/dev/null | awk -v p="127.0.$1." '{ if (index($4, p) == 1) found = 1 } END { exit !found }'
}

# cluster_net_lock X: claims 127.0.X for this shell with an atomic mkdir under /tmp, so two
# harness users running at the same time never pick the same net. A lock whose owner PID is gone
# is taken over. Returns non-zero when X is held by a live process.
cluster_net_lock() {
	local d=/tmp/etcd-cluster-net.$1.lock owner
	if ! mkdir "$d" 2>/dev/null; then
		owner=$(cat "$d/pid" 2>/dev/null)
		if [ -n "$owner" ] && kill -0 "$owner" 2>/dev/null; then return 1; fi
		# stale: its owner died without cleanup (SIGKILL); take it over
		rm -rf "$d" && mkdir "$d" 2>/dev/null || return 1
	fi
	echo $$ >"$d/pid"
	CLUSTER_LOCK=$d
}

# cluster_init [X]: creates $CLUSTER_DIR (mktemp), sets $CLUSTER_NET=127.0.X (X given, or the first
# free and unlocked X in 10..59 from a random start), installs traps: EXIT runs cluster_cleanup,
# INT/TERM run it and exit 130/143. A caller with its own cleanup either registers it with
# cluster_atexit CMD, or sets its own traps afterwards and calls cluster_cleanup from them.
cluster_init() {
	local x=${1:-} first=${CLUSTER_NET_FIRST:-10} last=${CLUSTER_NET_LAST:-59} n i
	cluster_need || return 1
	CLUSTER_DIR=$(mktemp -d /tmp/etcd-cluster.XXXXXX) || return 1
	# etcd-probe keeps its state file in $STATE_DIRECTORY: here, not in the machine's
	# /var/lib/etcd-probe (the default for root)
	export STATE_DIRECTORY=$CLUSTER_DIR
	trap cluster_cleanup EXIT
	trap 'cluster_cleanup; trap - EXIT; exit 130' INT
	trap 'cluster_cleanup; trap - EXIT; exit 143' TERM
	if [ -n "$x" ]; then
		cluster_net_lock "$x" || { cluster_log "127.0.$x is locked by another harness"; return 1; }
		cluster_net_busy "$x" && { cluster_log "something already listens on 127.0.$x.*"; return 1; }
	else
		n=$((last - first + 1))
		for ((i = 0; i < n; i++)); do
			x=$((first + (RANDOM + i) % n))
			cluster_net_busy "$x" && continue
			cluster_net_lock "$x" || continue
			# re-check once locked: someone without the lock may have started meanwhile
			cluster_net_busy "$x" && { rm -rf "$CLUSTER_LOCK"; CLUSTER_LOCK=; continue; }
			break
		done
		[ -n "$CLUSTER_LOCK" ] || { cluster_log "no free 127.0.X net in $first..$last"; return 1; }
	fi
	CLUSTER_NET=127.0.$x
	CLUSTER_TOKEN=harness-$x-$$-$RANDOM
	cluster_log "dir $CLUSTER_DIR net $CLUSTER_NET.*"
}

# cluster_atexit CMD: cluster_cleanup runs CMD (eval'd) before stopping members, in order added.
cluster_atexit() { CLUSTER_ATEXIT+=("$1"); }

# cluster_stop_pid PID [SECONDS]: SIGTERM, waits up to SECONDS (default 10) for it to exit, then
# SIGKILL; reaps it when it is our child. Returns 0 once it is gone.
cluster_stop_pid() {
	local pid=$1 bound=${2:-10} i
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
	for ((i = 0; i < bound * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		cluster_log "PID $pid ignored SIGTERM for ${bound}s: SIGKILL"
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	return 0
}

# cluster_cleanup: runs cluster_atexit commands, stops every member and cluster_bg process by PID,
# removes $CLUSTER_DIR (kept with CLUSTER_KEEP=1) and the net lock. Safe to call more than once.
cluster_cleanup() {
	local c i
	for c in "${CLUSTER_ATEXIT[@]}"; do eval "$c" || true; done
	CLUSTER_ATEXIT=()
	for i in "${!CLUSTER_PIDS[@]}"; do
		[ -n "${CLUSTER_PIDS[$i]}" ] && kill -TERM "${CLUSTER_PIDS[$i]}" 2>/dev/null
	done
	for i in "${!CLUSTER_PIDS[@]}"; do cluster_stop_pid "${CLUSTER_PIDS[$i]}" 10; done
	CLUSTER_PIDS=()
	for i in "${!CLUSTER_BG_PIDS[@]}"; do cluster_stop_pid "${CLUSTER_BG_PIDS[$i]}" 5; done
	CLUSTER_BG_PIDS=()
	if [ -n "$CLUSTER_DIR" ] && [ -d "$CLUSTER_DIR" ]; then
		if [ "${CLUSTER_KEEP:-0}" = 1 ]; then
			cluster_log "kept $CLUSTER_DIR"
		else
			rm -rf "$CLUSTER_DIR"
		fi
	fi
	if [ -n "$CLUSTER_LOCK" ]; then rm -rf "$CLUSTER_LOCK"; CLUSTER_LOCK=; fi
	return 0
}

# cluster_bg LOG CMD...: starts CMD in the background (stdout+stderr to LOG, stdin from /dev/null),
# remembers its PID for cluster_cleanup and leaves it in $CLUSTER_BG_PID. For helper servers
# (black holes, openssl s_server). Stop one early with cluster_stop_pid "$CLUSTER_BG_PID".
cluster_bg() {
	local log=$1; shift
	"$@" </dev/null >"$log" 2>&1 &
	CLUSTER_BG_PID=$!
	CLUSTER_BG_PIDS+=("$CLUSTER_BG_PID")
}

# cluster_ip I: prints member I's IP, 127.0.X.I.
cluster_ip() { echo "$CLUSTER_NET.$1"; }

# cluster_wait_port IP PORT [SECONDS]: waits (default 10 s) until something listens on IP:PORT.
cluster_wait_port() {
	local ip=$1 port=$2 bound=${3:-10} i
	for ((i = 0; i < bound * 10; i++)); do
		ss -Hltn "src $ip:$port" 2>/dev/null | grep -q . && return 0
		sleep 0.1
	done
	cluster_log "nothing listens on $ip:$port after ${bound}s"
	return 1
}

# cluster_key OUT: writes a new private key (PKCS#8 PEM) of CLUSTER_KEY_ALG (rsa|ec) to OUT.
cluster_key() {
	case ${CLUSTER_KEY_ALG:-rsa} in
	ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null ;;
	*) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null ;;
	esac
}

# cluster_ca [NAME]: makes a private CA in $CLUSTER_DIR/NAME/{ca.pem,ca-key.pem} (default NAME ca,
# subject CN=etcd-harness-NAME, 10 years). Call again with another NAME for a second, unrelated CA.
cluster_ca() {
	local name=${1:-ca} d
	d=$CLUSTER_DIR/$name
	mkdir -p "$d" || return 1
	cluster_key "$d/ca-key.pem" || return 1
	openssl req -x509 -new -key "$d/ca-key.pem" -out "$d/ca.pem" -days 3650 -sha256 \
		-subj "/CN=etcd-harness-$name" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>"$d/req.err" ||
		{ cat "$d/req.err" >&2; return 1; }
}

# cluster_extfile OUT SAN EKU: writes an x509v3 extension file for a leaf certificate.
cluster_extfile() {
	{
		echo "basicConstraints=critical,CA:FALSE"
		echo "keyUsage=critical,digitalSignature,keyEncipherment"
		echo "extendedKeyUsage=$3"
		[ -n "$2" ] && echo "subjectAltName=$2"
		echo "subjectKeyIdentifier=hash"
		echo "authorityKeyIdentifier=keyid"
	} >"$1"
}

# cluster_leaf NAME CN SAN EKU CA MODE...: common part of the leaf makers. Makes the key and a CSR
# for CN, then signs it with CA: MODE "days N" (openssl x509 -req -days N) or "dated START END"
# (openssl ca with a throwaway database, dates as YYYYMMDDHHMMSSZ). Writes NAME.pem, NAME-key.pem.
cluster_leaf() {
	local name=$1 cn=$2 san=$3 eku=$4 ca=$5 mode=$6 d=$CLUSTER_DIR cadir db
	cadir=$d/$ca
	[ -f "$cadir/ca.pem" ] || cluster_ca "$ca" || return 1
	cluster_key "$d/$name-key.pem" || return 1
	openssl req -new -key "$d/$name-key.pem" -out "$d/$name.csr" -subj "/CN=$cn" 2>"$d/$name.err" ||
		{ cat "$d/$name.err" >&2; return 1; }
	cluster_extfile "$d/$name.ext" "$san" "$eku"
	case $mode in
	days)
		openssl x509 -req -in "$d/$name.csr" -CA "$cadir/ca.pem" -CAkey "$cadir/ca-key.pem" \
			-set_serial "0x$(openssl rand -hex 8)" -days "$7" -sha256 \
			-extfile "$d/$name.ext" -out "$d/$name.pem" 2>"$d/$name.err" ||
			{ cat "$d/$name.err" >&2; return 1; }
		;;
	dated)
		db=$d/$name.cadb
		mkdir -p "$db" && : >"$db/index.txt" && openssl rand -hex 8 >"$db/serial"
		cat >"$db/ca.cnf" <<-EOF
			[ca]
			default_ca = harness
			[harness]
			database = $db/index.txt
			serial = $db/serial
			new_certs_dir = $db
			default_md = sha256
			policy = anything
			unique_subject = no
			copy_extensions = none
			[anything]
			commonName = supplied
		EOF
		openssl ca -batch -config "$db/ca.cnf" -cert "$cadir/ca.pem" -keyfile "$cadir/ca-key.pem" \
			-startdate "$7" -enddate "$8" -extfile "$d/$name.ext" -notext \
			-in "$d/$name.csr" -out "$d/$name.pem" 2>"$d/$name.err" ||
			{ cat "$d/$name.err" >&2; return 1; }
		rm -rf "$db"
		;;
	*) cluster_log "cluster_leaf: bad mode $mode"; return 1 ;;
	esac
	rm -f "$d/$name.csr" "$d/$name.ext" "$d/$name.err"
}

# cluster_cert NAME IP [DAYS] [CA] [EKU]: member certificate $CLUSTER_DIR/NAME.pem + NAME-key.pem,
# CN etcd, SANs IP:127.0.0.1 and IP:IP, signed by CA (default ca, created if missing), valid DAYS
# (default 365) from now, EKU default "serverAuth,clientAuth" (e.g. "serverAuth" to break peers).
cluster_cert() {
	cluster_leaf "$1" etcd "IP:127.0.0.1,IP:$2" "${5:-serverAuth,clientAuth}" "${4:-ca}" days "${3:-365}"
}

# cluster_cert_dated NAME IP START END [CA] [EKU]: like cluster_cert with chosen validity dates
# (YYYYMMDDHHMMSSZ, e.g. from cluster_date '-3 days'): expired or not-yet-valid certificates.
cluster_cert_dated() {
	cluster_leaf "$1" etcd "IP:127.0.0.1,IP:$2" "${6:-serverAuth,clientAuth}" "${5:-ca}" dated "$3" "$4"
}

# cluster_date WHEN: prints `date -d WHEN` in UTC as YYYYMMDDHHMMSSZ (openssl ca's date form).
cluster_date() { date -u -d "$1" +%Y%m%d%H%M%SZ; }

# cluster_client_cert NAME [CN] [CA] [DAYS]: client certificate NAME.pem + NAME-key.pem, CN (default
# root: with --client-cert-auth etcd takes the CN as the user), EKU clientAuth, no SAN.
cluster_client_cert() {
	cluster_leaf "$1" "${2:-root}" "" clientAuth "${3:-ca}" days "${4:-365}"
}

# member_url I / member_peer_url I: https://127.0.X.I:2379 and :2380.
member_url() { echo "https://$CLUSTER_NET.$1:2379"; }
member_peer_url() { echo "https://$CLUSTER_NET.$1:2380"; }

# member_http_url I: http://127.0.X.I:23791, the plain listener members get with CLUSTER_HTTP=1.
member_http_url() { echo "http://$CLUSTER_NET.$1:23791"; }

# cluster_endpoints [N]: comma-separated client URLs of members 1..N (default: cluster size).
# shellcheck disable=SC2120 # N is for callers outside this file
cluster_endpoints() {
	local n=${1:-$CLUSTER_SIZE} i out=
	for ((i = 1; i <= n; i++)); do out+=${out:+,}$(member_url "$i"); done
	echo "$out"
}

# cluster_initial N: the --initial-cluster value for members 1..N.
cluster_initial() {
	local n=$1 i out=
	for ((i = 1; i <= n; i++)); do out+=${out:+,}m$i=$(member_peer_url "$i"); done
	echo "$out"
}

# member_log I: prints the path of member mI's log (its stdout+stderr, appended across restarts).
member_log() { echo "$CLUSTER_DIR/m$1.log"; }

# member_argv I [extra etcd args...]: sets the array MEMBER_ARGV to member mI's etcd command line
# as member_start runs it (same knobs), without starting anything.
member_argv() {
	local i=$1 cert key ca listen
	shift
	cert=${MEMBER_CERT:-$CLUSTER_DIR/m$i.pem}
	key=${MEMBER_KEY:-$CLUSTER_DIR/m$i-key.pem}
	ca=${MEMBER_CA:-$CLUSTER_DIR/ca/ca.pem}
	listen=$(member_url "$i")
	[ "${CLUSTER_HTTP:-0}" = 1 ] && listen+=,$(member_http_url "$i")
	MEMBER_ARGV=("${ETCD:-etcd}" --name "m$i" --data-dir "${MEMBER_DATA_DIR:-$CLUSTER_DIR/m$i.data}"
		--listen-client-urls "$listen" --advertise-client-urls "$(member_url "$i")"
		--listen-peer-urls "$(member_peer_url "$i")"
		--initial-advertise-peer-urls "$(member_peer_url "$i")"
		--initial-cluster "$(cluster_initial "$CLUSTER_SIZE")"
		--initial-cluster-token "$CLUSTER_TOKEN" --initial-cluster-state new
		--cert-file "$cert" --key-file "$key" --trusted-ca-file "$ca" --client-cert-auth
		--peer-cert-file "$cert" --peer-key-file "$key" --peer-trusted-ca-file "$ca"
		--peer-client-cert-auth
		"${CLUSTER_EXTRA_ARGS[@]}" "$@")
}

# member_start I [extra etcd args...]: starts member mI in the background (same data dir as before,
# so a restart rejoins), with cluster_start's extra args then these. MEMBER_CERT/MEMBER_KEY/MEMBER_CA
# override its certificate, key and trusted CA, MEMBER_DATA_DIR its data dir; CLUSTER_HTTP=1 adds
# the plain listener. Does not wait: follow with member_wait_healthy or cluster_wait_port. PID in
# ${CLUSTER_PIDS[I]}.
member_start() {
	local i=$1
	shift
	if [ -n "${CLUSTER_PIDS[$i]:-}" ] && kill -0 "${CLUSTER_PIDS[$i]}" 2>/dev/null; then
		cluster_log "m$i already runs (PID ${CLUSTER_PIDS[$i]})"
		return 1
	fi
	member_argv "$i" "$@"
	echo "=== $(date -u +%FT%TZ) start m$i $*" >>"$CLUSTER_DIR/m$i.log"
	"${MEMBER_ARGV[@]}" </dev/null >>"$CLUSTER_DIR/m$i.log" 2>&1 &
	CLUSTER_PIDS[i]=$!
}

# member_stop I [SECONDS]: stops member mI by its PID: SIGTERM, bounded wait (default 10 s), SIGKILL.
member_stop() {
	local i=$1
	cluster_stop_pid "${CLUSTER_PIDS[$i]:-}" "${2:-10}"
	CLUSTER_PIDS[i]=
}

# member_pid I: prints member mI's PID (empty when stopped).
member_pid() { echo "${CLUSTER_PIDS[$1]:-}"; }

# cluster_etcdctl I|all ARGS...: runs etcdctl (API 3) against member I, or every member with "all",
# with the CA and the client certificate (client.pem, CN root) and a 5 s command timeout.
cluster_etcdctl() {
	local ep
	if [ "$1" = all ]; then ep=$(cluster_endpoints); else ep=$(member_url "$1"); fi
	shift
	ETCDCTL_API=3 timeout 30 "${ETCDCTL:-etcdctl}" --endpoints="$ep" \
		--cacert="$CLUSTER_DIR/ca/ca.pem" --cert="$CLUSTER_DIR/client.pem" \
		--key="$CLUSTER_DIR/client-key.pem" --command-timeout=5s "$@"
}

# member_wait_tls I [SECONDS]: waits (default 20 s) until member I completes a TLS handshake on its
# client port (openssl s_client, no verification: it may carry a wrong certificate on purpose). A
# member answers a ClientHello only once its cluster has a leader (LAB_NOTES), so this is the
# "serving" signal for members that etcdctl cannot vouch for.
member_wait_tls() {
	local i=$1 bound=${2:-20} end
	end=$((SECONDS + bound))
	while [ "$SECONDS" -lt "$end" ]; do
		timeout 3 openssl s_client -connect "$(cluster_ip "$i"):2379" \
			-cert "$CLUSTER_DIR/client.pem" -key "$CLUSTER_DIR/client-key.pem" </dev/null 2>/dev/null |
			grep -q 'BEGIN CERTIFICATE' && return 0
		sleep 0.3
	done
	cluster_log "m$i does not answer TLS after ${bound}s"
	return 1
}

# member_wait_healthy I [SECONDS]: waits (default 30 s) until `etcdctl endpoint health` succeeds
# on member I. Returns non-zero (and shows the end of its log) when it does not.
member_wait_healthy() {
	local i=$1 bound=${2:-30} end
	end=$((SECONDS + bound))
	while [ "$SECONDS" -lt "$end" ]; do
		cluster_etcdctl "$i" endpoint health --command-timeout=2s --dial-timeout=1s >/dev/null 2>&1 && return 0
		if [ -n "${CLUSTER_PIDS[$i]:-}" ] && ! kill -0 "${CLUSTER_PIDS[$i]}" 2>/dev/null; then
			cluster_log "m$i exited; end of its log:"; tail -n 15 "$CLUSTER_DIR/m$i.log" >&2
			return 1
		fi
		sleep 0.3
	done
	cluster_log "m$i not healthy after ${bound}s; end of its log:"
	tail -n 15 "$CLUSTER_DIR/m$i.log" >&2
	return 1
}

# cluster_wait_healthy [SECONDS] [I...]: waits (default 30 s overall) until every running member
# (or the members listed) answers `etcdctl endpoint health`.
cluster_wait_healthy() {
	local bound=${1:-30} end i rest
	[ $# -gt 0 ] && shift
	local members=("$@")
	if [ ${#members[@]} -eq 0 ]; then
		for i in "${!CLUSTER_PIDS[@]}"; do [ -n "${CLUSTER_PIDS[$i]}" ] && members+=("$i"); done
	fi
	end=$((SECONDS + bound))
	for i in "${members[@]}"; do
		rest=$((end - SECONDS)); [ "$rest" -lt 1 ] && rest=1
		member_wait_healthy "$i" "$rest" || return 1
	done
}

# cluster_start N [extra etcd args...]: creates what is missing (CA "ca", member certs mI for
# 127.0.X.I, client cert "client" CN root), starts members m1..mN with mutual TLS on client and
# peer ports and a unique --initial-cluster-token, and waits (30 s) until all are healthy.
# The extra args go to every member, now and on later member_start calls (e.g. --quota-backend-bytes).
cluster_start() {
	local n=$1 i
	shift
	[ -n "$CLUSTER_DIR" ] || { cluster_log "cluster_init first"; return 1; }
	CLUSTER_SIZE=$n
	CLUSTER_EXTRA_ARGS=("$@")
	[ -f "$CLUSTER_DIR/ca/ca.pem" ] || cluster_ca ca || return 1
	[ -f "$CLUSTER_DIR/client.pem" ] || cluster_client_cert client root || return 1
	for ((i = 1; i <= n; i++)); do
		[ -f "$CLUSTER_DIR/m$i.pem" ] || cluster_cert "m$i" "$(cluster_ip "$i")" || return 1
	done
	for ((i = 1; i <= n; i++)); do member_start "$i" || return 1; done
	cluster_wait_healthy 30 || return 1
	cluster_log "$n members healthy: $(cluster_endpoints)"
}
