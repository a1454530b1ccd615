#!/usr/bin/env bash
# deploy/etcd-install end to end: three members installed into a temp dir on 127.0.X.1-3 and started from
# their rendered units' ExecStart (as systemd would; no systemd here), SANs and file modes checked with
# openssl/stat, the cluster verified with etcdctl and etcd-probe, the idempotent re-run, the refusal to
# bootstrap a wiped member as "new" into the live cluster, and the right path back (member add + existing).
set -u
cd "$(dirname "$0")/../.." || exit 2
REPO=$PWD
# shellcheck source=deploy/demo-lib.sh
source deploy/demo-lib.sh
lab_use_etcd || { rc=$?; echo "not ok - etcd ${ETCD_VERSION:-} for the installer tests"; exit "$rc"; }

# shellcheck source=tests/lib/tap.sh
source tests/lib/tap.sh
# etcd-install runs etcd as the etcd user and makes that user when it is missing: outside the bed's
# namespaces that would be this machine's /etc/passwd. Debian's etcd-server makes the user.
getent passwd etcd >/dev/null || { skip "etcd-install on this machine" "no etcd user here: the installer would create it"; exit 0; }

lab_workdir deploy-cluster-test || exit 2
W=$LAB_DIR
lab_pick_net || { echo "not ok - free loopback net"; exit 1; }
X=$LAB_X
NAMES=(etcd01 etcd02 etcd03)
CL="etcd01=https://127.0.$X.1:2380,etcd02=https://127.0.$X.2:2380,etcd03=https://127.0.$X.3:2380"
EPS="https://127.0.$X.1:2379,https://127.0.$X.2:2379,https://127.0.$X.3:2379"
INSTALL=$REPO/deploy/etcd-install
CA=$W/ca/ca.pem
CERT=$W/etcd01/ssl/etcd.pem KEY=$W/etcd01/ssl/etcd-key.pem

PROBE=${ETCD_PROBE:-$REPO/build/etcd-probe}
HAVE_PROBE=1
if ! lab_probe_works "$PROBE"; then
	HAVE_PROBE=0 PROBE=$W/bin/etcd-probe
	mkdir -p "$W/bin" && printf '#!/bin/sh\necho "ETCD UNKNOWN - stand-in"\nexit 3\n' >"$PROBE" && chmod 755 "$PROBE"
fi
STUB=$W/bin/stub-probe # a probe that does not work: the installer falls back to etcdctl
mkdir -p "$W/bin" && printf '#!/bin/sh\nexit 3\n' >"$STUB" && chmod 755 "$STUB"

# inst I [ARGS...]: installs member I (1..3) with every location a flag; output in $W/etcd0I.out/.err
inst() {
	local i=$1 n=${NAMES[$1 - 1]}
	shift
	timeout 90 "$INSTALL" --name "$n" --ip "127.0.$X.$i" --initial-cluster "$CL" --ca-dir "$W/ca" \
		--ssl-dir "$W/$n/ssl" --data-dir "$W/$n/data" --unit-dir "$W/$n/units" --conf-dir "$W/$n" --lib-dir "$W/$n/lib" \
		--etcd-bin "$ETCD_BIN" --probe-bin "$PROBE" "$@" >"$W/$n.out" 2>"$W/$n.err"
}
# snapshot: every installed file (not the data dirs' contents) with type, mode, size, mtime, checksum
snapshot() {
	(cd "$W" && find ca etcd0? -path '*/data/*' -prune -o -name '*.log' -prune -o -printf '%p %y %m %s %T@\n' | sort &&
		find ca etcd0?/ssl etcd0?/units etcd0?/etcd-probe.env -type f -exec md5sum {} + | sort)
}
healthy() { lab_wait_healthy "$1" "$EPS" "$CA" "$CERT" "$KEY"; }

# --- install three members (etcd02 the tutorial's way: environment variables)
rc_all=0
inst 1 --no-start || rc_all=1
(export NODE_NAME=etcd02 NODE_IP=127.0.$X.2 NODE_IPS="127.0.$X.1 127.0.$X.2 127.0.$X.3" ETCD_NODES=$CL &&
	timeout 90 "$INSTALL" --ca-dir "$W/ca" --ssl-dir "$W/etcd02/ssl" --data-dir "$W/etcd02/data" \
		--unit-dir "$W/etcd02/units" --conf-dir "$W/etcd02" --lib-dir "$W/etcd02/lib" --etcd-bin "$ETCD_BIN" --probe-bin "$PROBE" --no-start \
		>"$W/etcd02.out" 2>"$W/etcd02.err") || rc_all=1
inst 3 --no-start || rc_all=1
if [ "$rc_all" = 0 ] && grep -q 'made a new CA' "$W/etcd01.out" && ! grep -q 'made a new CA' "$W/etcd02.out"; then
	ok "install three members on 127.0.$X.1-3 into a temp dir (one CA made once, shared)"
else
	notok "install three members" "$(cat "$W"/etcd0?.err)"
	exit 1
fi

# --- certificates and modes
problems=()
for i in 1 2 3; do
	n=${NAMES[i - 1]} c=$W/${NAMES[i - 1]}/ssl/etcd.pem
	san=$(openssl x509 -in "$c" -noout -ext subjectAltName | tail -1 | sed 's/^ *//')
	[ "$san" = "IP Address:127.0.0.1, IP Address:127.0.$X.$i" ] || problems+=("$n SANs: $san")
	eku=$(openssl x509 -in "$c" -noout -ext extendedKeyUsage | tail -1)
	[[ $eku == *"Server Authentication"*"Client Authentication"* ]] || problems+=("$n EKU: $eku")
	openssl x509 -in "$c" -noout -subject | grep -q 'CN = etcd$' || problems+=("$n subject: $(openssl x509 -in "$c" -noout -subject)")
	openssl verify -CAfile "$CA" "$c" >/dev/null 2>&1 || problems+=("$n not signed by the CA")
	for f in "ssl/etcd-key.pem 640" "ssl/etcd.pem 644" "data 700" "units/etcd.service 644" "etcd-probe.env 644"; do
		m=$(stat -c %a "$W/$n/${f% *}")
		[ "$m" = "${f#* }" ] || problems+=("$n/${f% *} mode $m, want ${f#* }")
	done
	# etcd's user reads the key through its group and owns its data dir
	[ "$(stat -c %U:%G "$W/$n/ssl/etcd-key.pem")" = root:etcd ] || problems+=("$n key owned $(stat -c %U:%G "$W/$n/ssl/etcd-key.pem")")
	[ "$(stat -c %U:%G "$W/$n/data")" = etcd:etcd ] || problems+=("$n data dir owned $(stat -c %U:%G "$W/$n/data")")
done
[ "$(stat -c %a "$W/ca/ca-key.pem")" = 600 ] || problems+=("ca-key.pem mode $(stat -c %a "$W/ca/ca-key.pem")")
if [ ${#problems[@]} = 0 ]; then
	ok "certificates: CN etcd, SANs 127.0.0.1 + member IP, serverAuth+clientAuth, CA-signed; key root:etcd 640, data etcd:etcd 700"
else
	notok "certificates and file modes" "${problems[@]}"
fi

# --- start from the units' ExecStart; etcd03 last, after etcd01 and etcd02 already have quorum
for n in etcd01 etcd02; do lab_start "$n" "$W/$n/units/etcd.service" "$W/$n.log"; done
if lab_wait_healthy 30 "https://127.0.$X.1:2379,https://127.0.$X.2:2379" "$CA" "$CERT" "$KEY" && inst 3 --no-start &&
	grep -q 'lists etcd03 as a founding member that has not started yet' "$W/etcd03.out"; then
	ok "etcd03 installed again while etcd01+etcd02 already run: allowed as a founder that has not started (its bootstrap ID)"
else
	notok "re-install of a late founder while the others run" "$(cat "$W/etcd03.out" "$W/etcd03.err")"
fi
lab_start etcd03 "$W/etcd03/units/etcd.service" "$W/etcd03.log"
if healthy 30; then
	ok "the three members started from their units' ExecStart form a healthy cluster (etcdctl endpoint health)"
else
	notok "cluster healthy after starting from the units" "$(tail -3 "$W"/etcd0?.log)"
	exit 1
fi
out=$(ETCDCTL_API=3 timeout 20 etcdctl --endpoints="$EPS" --cacert="$CA" --cert="$CERT" --key="$KEY" member list 2>&1)
if [ "$(grep -c started <<<"$out")" = 3 ]; then ok "etcdctl member list: 3 started members"; else notok "etcdctl member list" "$out"; fi
out=$(ETCDCTL_API=3 timeout 20 etcdctl --endpoints="https://127.0.$X.1:2379" --cacert="$CA" --dial-timeout=3s \
	--command-timeout=3s endpoint health 2>&1)
if [ $? != 0 ]; then ok "a client without a certificate is refused (--client-cert-auth)"; else notok "client without certificate refused" "$out"; fi

if [ "$HAVE_PROBE" = 1 ]; then
	out=$(timeout 60 "$PROBE" --endpoints="$EPS" --cacert "$CA" --cert "$CERT" --key "$KEY" 2>&1)
	rc=$?
	if [ "$rc" = 0 ] && [[ $out == "ETCD OK"* ]]; then ok "etcd-probe on the three members: OK"; else notok "etcd-probe: OK" "exit $rc" "$out"; fi
	if [ "$(grep -c " v$ETCD_VERSION_FULL " <<<"$out")" = 3 ]; then
		ok "the units started etcd $ETCD_VERSION_FULL (the version each member's Status reports)"
	else
		notok "members run etcd $ETCD_VERSION_FULL" "$out"
	fi
	bad=""
	for n in "${NAMES[@]}"; do
		out=$(timeout 60 bash -c 'source deploy/demo-lib.sh && unit_exec "$1"' _ "$W/$n/units/etcd-probe.service" 2>&1) ||
			bad="$bad $n: $out"
	done
	if [ -z "$bad" ]; then ok "each member's etcd-probe.service (ExecStart + EnvironmentFile) exits 0"; else notok "etcd-probe.service per member" "$bad"; fi
else
	skip "etcd-probe on the three members" "$REPO/build/etcd-probe not built or not working"
	skip "each member's etcd-probe.service exits 0" "etcd-probe not built"
fi

# --- idempotent re-run: same inputs, nothing changes (content, mode, mtime)
before=$(snapshot)
sleep 1.1 # a rewrite would show in the mtimes
rc_all=0
for i in 1 2 3; do inst "$i" --no-start || rc_all=1; done
after=$(snapshot)
if [ "$rc_all" = 0 ] && [ "$before" = "$after" ] && grep -q 'nothing to change' "$W/etcd03.out"; then
	ok "re-running the installer with the same inputs changes nothing (checksums, modes, mtimes)"
else
	notok "idempotent re-run" "$(diff <(echo "$before") <(echo "$after") | head)" "$(cat "$W"/etcd0?.err)"
fi
if [ -d /run/systemd/system ]; then
	skip "no-systemd start message on a live member" "systemd is running here"
elif inst 1 && grep -q 'cannot start etcd.service via systemd' "$W/etcd01.out" && [ "$before" = "$(snapshot)" ]; then
	ok "re-run with start requested and no systemd: says it cannot start via systemd, prints the ExecStart, changes nothing"
else
	notok "re-run with start requested and no systemd" "$(cat "$W/etcd01.out" "$W/etcd01.err")"
fi

# --- a wiped member must not bootstrap a new cluster next to the live one
old_id=$(ETCDCTL_API=3 timeout 20 etcdctl --endpoints="https://127.0.$X.1:2379" --cacert="$CA" --cert="$CERT" --key="$KEY" \
	member list 2>/dev/null | awk -F', ' '$3 == "etcd03" {print $1}')
lab_stop etcd03
rm -rf "$W/etcd03/data/member"
before=$(snapshot)
refusal() { # refusal NAME: the last install of etcd03 must have refused and written nothing
	if [ "$1" != 0 ] && grep -q 'refusing to bootstrap etcd03 with --initial-cluster-state=new' "$W/etcd03.err" &&
		grep -q 'member add etcd03 --peer-urls=https://127.0.'"$X"'.3:2380' "$W/etcd03.err" &&
		grep -q 'initial-cluster-state=existing' "$W/etcd03.err" && [ "$before" = "$(snapshot)" ]; then
		ok "$2: refused with the 'etcdctl member add' explanation, nothing written"
	else
		notok "$2" "exit $1" "$(cat "$W/etcd03.out" "$W/etcd03.err")"
	fi
}
if [ "$HAVE_PROBE" = 1 ]; then
	inst 3 --no-start
	refusal $? "wiped member re-installed as new into the live cluster (checked with etcd-probe)"
else
	skip "wiped member refused (checked with etcd-probe)" "etcd-probe not built"
fi
timeout 90 "$INSTALL" --name etcd03 --ip "127.0.$X.3" --initial-cluster "$CL" --ca-dir "$W/ca" --ssl-dir "$W/etcd03/ssl" \
	--data-dir "$W/etcd03/data" --unit-dir "$W/etcd03/units" --conf-dir "$W/etcd03" --lib-dir "$W/etcd03/lib" --etcd-bin "$ETCD_BIN" \
	--probe-bin "$STUB" --no-start >"$W/etcd03.out" 2>"$W/etcd03.err"
refusal $? "wiped member re-installed as new into the live cluster (etcdctl fallback, no working etcd-probe)"

# --- the right path: member remove + member add, then --initial-cluster-state=existing
ctl() { ETCDCTL_API=3 timeout 20 etcdctl --endpoints="https://127.0.$X.1:2379" --cacert="$CA" --cert="$CERT" --key="$KEY" "$@"; }
if [ -n "$old_id" ] && ctl member remove "$old_id" >/dev/null 2>&1 &&
	ctl member add etcd03 --peer-urls="https://127.0.$X.3:2380" >/dev/null 2>&1; then
	if ! inst 3 --no-start && grep -q 'added (ID .*by etcdctl member add) but not started: re-run with --initial-cluster-state=existing' "$W/etcd03.err"; then
		ok "after member add, state new is refused and --initial-cluster-state=existing named"
	else
		notok "after member add, state new is refused" "$(cat "$W/etcd03.out" "$W/etcd03.err")"
	fi
fi
if [ -n "$old_id" ] && inst 3 --no-start --initial-cluster-state=existing &&
	grep -q -- '--initial-cluster-state=existing' "$W/etcd03/units/etcd.service"; then
	lab_start etcd03 "$W/etcd03/units/etcd.service" "$W/etcd03.log"
	if healthy 30; then
		ok "after member remove/add, --initial-cluster-state=existing rejoins the wiped member (3/3 healthy)"
	else
		notok "wiped member rejoins with state existing" "$(tail -5 "$W/etcd03.log")"
	fi
else
	notok "member remove/add and install with --initial-cluster-state=existing" "old id '$old_id'" "$(cat "$W/etcd03.err")"
fi

exit "$FAILED"
