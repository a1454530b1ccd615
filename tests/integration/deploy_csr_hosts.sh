#!/usr/bin/env bash
# etcd-versions: first
# etcd-install's CSR mode on three simulated hosts (tests/lib/hosts.sh: a real systemd as PID 1 each),
# the CA key never leaving the CA host: etcd01 is the CA host (its own install makes the CA in
# /etc/kubernetes/ssl); etcd02 and etcd03 get ca.pem alone, make their key and a CSR
# (etcd-install --request), etcd01 signs them (etcd-install --sign), and they install with the signed
# certificate (--cert), the tutorial's environment and default paths. Then: ca-key.pem is on etcd01
# only, each member's key is the one its request was made with, etcd.service is active on the three,
# and the cluster is healthy by etcd-probe over mutual TLS with each host's installed files.
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/deploy-hosts.sh
source tests/lib/deploy-hosts.sh
deploy_hosts_start 3 "etcd-install's CSR mode on three hosts with systemd"
# ($W is bound into every host at the same path: the CSRs and certificates travel through it)
CA=/etc/kubernetes/ssl

# -- the CA host: etcd01's own install (staged, not started yet) makes the CA
install etcd01 --no-start >"$W/install1.out" 2>&1
rc=$?
host_run etcd01 cat "$CA/ca.pem" >"$W/ca.pem" 2>/dev/null
if [ "$rc" = 0 ] && grep -q "made a new CA in $CA" "$W/install1.out" && openssl x509 -in "$W/ca.pem" -noout 2>/dev/null; then
	ok "etcd01 (the CA host): etcd-install makes the CA in $CA"
else
	notok "etcd-install makes the CA on etcd01" "exit $rc" "$(cat "$W/install1.out")"
fi

# -- etcd02, etcd03: ca.pem alone, then the member key and a CSR
bad=()
for i in 2 3; do
	n=etcd0$i
	host_run "$n" sh -c 'mkdir -p "$2" && cp "$1/ca.pem" "$2/"' _ "$W" "$CA" || bad+=("$n: cannot copy ca.pem")
	install "$n" --request "$W/$n.csr" >"$W/request$i.out" 2>&1 || bad+=("$n: --request exit $?: $(cat "$W/request$i.out")")
	host_run "$n" cat /etc/etcd/ssl/etcd-key.pem 2>/dev/null | md5sum >"$W/key$i.sum"
	[ "$(host_run "$n" stat -c %a /etc/etcd/ssl/etcd-key.pem 2>&1)" = 600 ] || bad+=("$n: the member key is not 0600")
	# (etcd.service there is the bed's mask, a link to /dev/null, until an install writes the unit)
	host_run "$n" test -f /etc/systemd/system/etcd.service -o -e /etc/etcd/etcd-probe.env && bad+=("$n: --request installed more")
	grep -q "PRIVATE KEY" "$W/$n.csr" && bad+=("$n: the CSR holds a private key")
	san=$(openssl req -in "$W/$n.csr" -noout -text 2>/dev/null | grep -A1 'Subject Alternative Name' | tail -1 | sed 's/^ *//')
	[ "$san" = "IP Address:127.0.0.1, IP Address:$N.$i" ] || bad+=("$n: the CSR's SANs: '$san'")
done
if [ ${#bad[@]} = 0 ]; then
	ok "etcd02, etcd03 with ca.pem alone: etcd-install --request makes the key (0600) and a CSR for 127.0.0.1 + NODE_IP, installs nothing"
else
	notok "--request on etcd02, etcd03" "${bad[@]}"
fi

# -- etcd01 signs both requests
bad=()
for i in 2 3; do
	n=etcd0$i
	host_run etcd01 timeout 30 "$REPO/deploy/etcd-install" --sign "$W/$n.csr" --out "$W/$n.pem" >"$W/sign$i.out" 2>&1 ||
		bad+=("--sign $n.csr: exit $?: $(cat "$W/sign$i.out")")
	grep -qxF "etcd-install: signed $W/$n.csr: CN etcd, SANs 127.0.0.1 $N.$i, serverAuth+clientAuth, CA:FALSE, 3650 days" "$W/sign$i.out" ||
		bad+=("--sign $n.csr did not print the SANs it signed: $(cat "$W/sign$i.out")")
done
if [ ${#bad[@]} = 0 ]; then
	ok "etcd01 signs both requests with etcd-install --sign (default CA dir), printing the SANs signed"
else
	notok "etcd-install --sign on etcd01" "${bad[@]}"
fi

# -- the three installs at once: etcd01 the tutorial's way, etcd02/03 with the signed certificate
t=$SECONDS
ipids=()
install etcd01 >"$W/install1.start" 2>&1 &
ipids[1]=$!
for i in 2 3; do install "etcd0$i" --cert "$W/etcd0$i.pem" >"$W/install$i.start" 2>&1 & ipids[i]=$!; done
bad=()
for i in 1 2 3; do
	wait "${ipids[i]}"
	rc=$?
	[ "$rc" = 0 ] || bad+=("etcd0$i: etcd-install exit $rc: $(tail -5 "$W/install$i.start")")
	grep -q "^etcd-install: starting etcd.service" "$W/install$i.start" ||
		bad+=("etcd0$i: the installer did not start etcd.service: $(tail -3 "$W/install$i.start")")
done
install_s=$((SECONDS - t))
for i in 2 3; do
	grep -q "certificate /etc/etcd/ssl/etcd.pem: the one signed on the CA host" "$W/install$i.start" ||
		bad+=("etcd0$i: did not install the signed certificate: $(grep certificate "$W/install$i.start")")
	[ "$(host_run "etcd0$i" cat /etc/etcd/ssl/etcd-key.pem 2>/dev/null | md5sum)" = "$(cat "$W/key$i.sum")" ] ||
		bad+=("etcd0$i: the member key changed since --request")
	host_run "etcd0$i" cmp -s "$W/etcd0$i.pem" /etc/etcd/ssl/etcd.pem || bad+=("etcd0$i: etcd.pem is not the signed certificate")
done
if [ ${#bad[@]} = 0 ]; then
	ok "etcd-install on the three hosts at once (etcd02/03 with --cert): units written, etcd.service started (${install_s}s)"
else
	notok "etcd-install on the three hosts" "${bad[@]}"
fi

# -- the CA key is on the CA host alone
bad=()
host_run etcd01 test -f "$CA/ca-key.pem" || bad+=("etcd01 has no $CA/ca-key.pem")
for i in 2 3; do
	host_run "etcd0$i" test -e "$CA/ca-key.pem" && bad+=("etcd0$i has $CA/ca-key.pem")
	host_run "etcd0$i" cmp -s "$W/ca.pem" "$CA/ca.pem" || bad+=("etcd0$i: $CA/ca.pem is not etcd01's")
	out=$(host_run "etcd0$i" find /etc /var/lib/etcd /root -name ca-key.pem 2>/dev/null)
	[ -z "$out" ] || bad+=("etcd0$i holds a ca-key.pem: $out")
done
if [ ${#bad[@]} = 0 ]; then
	ok "ca-key.pem exists on etcd01 only; etcd02 and etcd03 hold etcd01's ca.pem alone"
else
	notok "the CA key stays on the CA host" "${bad[@]}"
fi

# -- etcd.service active on each host, and the cluster healthy by etcd-probe over mutual TLS
bad=()
for i in 1 2 3; do
	n=etcd0$i
	for ((k = 0; k < 100; k++)); do
		unit_show "$n" etcd.service ActiveState SubState
		[ "$ST" = "ActiveState=active SubState=running " ] && break
		hosts_sleep 0.3
	done
	[ "$ST" = "ActiveState=active SubState=running " ] || bad+=("$n: $ST" "$(jctl "$n" -u etcd.service -n 5 -o cat)")
done
EPS=https://$N.1:2379,https://$N.2:2379,https://$N.3:2379
for i in 1 2 3; do
	out=$(host_run "etcd0$i" timeout 20 "$PROBE" --endpoints="$EPS" --cacert="$CA/ca.pem" \
		--cert=/etc/etcd/ssl/etcd.pem --key=/etc/etcd/ssl/etcd-key.pem -t 10 2>&1)
	grep -q "^ETCD OK" <<<"$out" || bad+=("etcd0$i: $out")
done
if [ ${#bad[@]} = 0 ]; then
	ok "etcd.service active on the three hosts; etcd-probe OK on all three members from each host (mutual TLS, the installed files)"
else
	notok "the cluster is healthy" "${bad[@]}"
fi

deploy_hosts_finish "$install_s"
