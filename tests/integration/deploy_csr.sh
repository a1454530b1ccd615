#!/usr/bin/env bash
# etcd-versions: first
# deploy/etcd-install's CSR mode without systemd (the CA key stays on the CA host): --request makes the
# member key (0600, kept on a re-run) and a CSR with exactly the certificate's SANs, and writes nothing
# else (a re-run leaves the same CSR as it was); --sign on the CA dir checks the request and signs it with
# the member extensions and subject only (a request's own extensions and subject never reach the
# certificate); --cert installs the signed certificate with ca.pem alone, and a re-run keeps it. A full
# file system under --request's, --out's or the new key's file: one line, exit 1, nothing written (not
# the new key, nor its dir, either). Hostile or wrong input: one line on stderr, exit 2 (not a usable file) or 1 (refused), nothing written.
# Nothing listens on the loopback net used (127.0.X.*, X in 60..99, locked while the test runs).
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/deploy.sh
source tests/lib/deploy.sh
deploy_setup deploy-csr-test "the CSR tests" || exit $?
CL="etcd01=https://127.0.$X.1:2380,etcd02=https://127.0.$X.2:2380"

sans_of() { # sans_of req|x509 FILE: the SAN line as openssl prints it
	openssl "$1" -in "$2" -noout -text 2>/dev/null | grep -A1 'X509v3 Subject Alternative Name' | tail -1 | sed 's/^ *//'
}

# -- the CA host: a copy-the-CA install makes the CA in $A/ca
A=$W/a M=$W/m
inst "$A" etcd01 "127.0.$X.1" --no-start || { notok "the CA host's install makes a CA" "$(cat "$A.err")"; exit 1; }
mkdir -p "$M/ca" && cp "$A/ca/ca.pem" "$M/ca/"

# -- --request on the member: the key and the CSR, nothing else
if inst "$M" etcd02 "127.0.$X.2" --request "$W/etcd02.csr" --san etcd02.example; then
	got=$(cd "$M" && find . -mindepth 1 -printf '%p %m\n' | sort | tr '\n' ' ')
	sans=$(sans_of req "$W/etcd02.csr")
	if [ "$got" = "./ca 755 ./ca/ca.pem 644 ./ssl 755 ./ssl/etcd-key.pem 600 " ] &&
		[ "$sans" = "IP Address:127.0.0.1, IP Address:127.0.$X.2, DNS:etcd02.example" ] &&
		[ "$(openssl req -in "$W/etcd02.csr" -noout -pubkey)" = "$(openssl pkey -in "$M/ssl/etcd-key.pem" -pubout)" ]; then
		ok "--request: member key (0600) in --ssl-dir, CSR with SANs 127.0.0.1, NODE_IP, --san; nothing else written"
	else
		notok "--request writes the key and the CSR only" "files: $got" "SANs: $sans"
	fi
else
	notok "--request" "$(cat "$M.err")"
fi
key_sum=$(md5sum <"$M/ssl/etcd-key.pem")
D=$W/dry
mkdir -p "$D"
if inst "$D" etcd02 "127.0.$X.2" --request "$W/dry.csr" --dry-run && [ -z "$(find "$D" -mindepth 1)" ] && [ ! -e "$W/dry.csr" ] &&
	grep -q "would write the certificate request $W/dry.csr" "$D.out"; then
	ok "--request --dry-run prints the plan and writes nothing"
else
	notok "--request --dry-run writes nothing" "$(cat "$D.out" "$D.err")" "$(find "$D" -mindepth 1)"
fi
csr_before=$(snapshot "$W" | grep '^\./etcd02\.csr ' | tr -d '\n'; md5sum <"$W/etcd02.csr")
if inst "$M" etcd02 "127.0.$X.2" --request "$W/etcd02.csr" --san etcd02.example &&
	[ "$(md5sum <"$M/ssl/etcd-key.pem")" = "$key_sum" ] && grep -q "kept the member key" "$M.out"; then
	ok "--request again: the member key is kept (a signed certificate for it stays valid)"
else
	notok "--request again keeps the key" "$(cat "$M.out" "$M.err")"
fi
# the same key and names make the same request (RSA signatures are deterministic): written once, then left alone
csr_after=$(snapshot "$W" | grep '^\./etcd02\.csr ' | tr -d '\n'; md5sum <"$W/etcd02.csr")
if [ "$csr_after" = "$csr_before" ] && grep -qx "etcd-install: the certificate request $W/etcd02.csr is up to date" "$M.out" &&
	! grep -q "^etcd-install: wrote" "$M.out"; then
	ok "--request again: the same request, left as it was (same bytes, same mtime), and says so"
else
	notok "--request again leaves the same request alone" "before: $csr_before" "after:  $csr_after" "$(cat "$M.out")"
fi

# -- a full file system under --request's, --out's or the new key's file: exit 1, one line naming the file,
# nothing written anywhere (not even the new member key, nor its dir), no temp file left. Each in a private mount namespace, where the
# dir is a small tmpfs filled up.
# full_run DIR CMD...: CMD with DIR full; its output in $W/full.out/.err, its exit in $W/full.rc, the files then
# in DIR in $W/full.ls
full_run() {
	local dir=$1
	shift
	rm -f "$W/full.out" "$W/full.err" "$W/full.rc" "$W/full.ls"
	unshare --mount --propagation private bash -c '
		d=$1 w=$2
		shift 2
		mount -t tmpfs -o size=16k tmpfs "$d" || exit 9
		dd if=/dev/zero of="$d/.fill" bs=1k 2>/dev/null
		"$@" >"$w/full.out" 2>"$w/full.err"
		echo $? >"$w/full.rc"
		ls -A "$d" >"$w/full.ls"
	' _ "$dir" "$W" "$@"
}
# full_ok NAME FILE SNAPSHOT_DIR BEFORE [EMPTY_DIR]: the checks after full_run (EMPTY_DIR: left empty too)
full_ok() {
	local rc left=""
	rc=$(cat "$W/full.rc" 2>/dev/null)
	[ -z "${5:-}" ] || left=$(ls -A "$5")
	if [ "$rc" = 1 ] && [ "$(wc -l <"$W/full.err")" = 1 ] &&
		grep -qx "etcd-install: error: cannot write $2 (no space left on its file system?): nothing was installed" "$W/full.err" &&
		[ "$(cat "$W/full.ls")" = .fill ] && [ "$(snapshot "$3")" = "$4" ] && [ -z "$left" ]; then
		ok "$1: exit 1, '$(cat "$W/full.err")', nothing written, no temp file"
	else
		notok "$1" "exit ${rc:-none}" "stderr: $(cat "$W/full.err" 2>&1)" "stdout: $(head -5 "$W/full.out" 2>&1)" \
			"in the full dir: $(tr '\n' ' ' <"$W/full.ls" 2>&1)" "$([ "$(snapshot "$3")" = "$4" ] || echo "files changed under $3")" \
			"${left:+in $5: $left}"
	fi
}
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
	skip "--request and --sign into a full file system" "needs root and unshare (a private mount namespace for the tmpfs)"
else
	F=$W/full-member FO=$W/full-out
	mkdir -p "$F/ca" "$FO" && cp "$A/ca/ca.pem" "$F/ca/"
	before=$(snapshot "$F")
	full_run "$FO" timeout 60 "$INSTALL" --name etcd02 --ip "127.0.$X.2" --initial-cluster "$CL" --ca-dir "$F/ca" \
		--ssl-dir "$F/ssl" --request "$FO/etcd02.csr"
	full_ok "--request with its file's dir full (a new member: its key not made either)" "$FO/etcd02.csr" "$F" "$before"
	# the request written, the new key's dir made on the full file system, the key not: the dir is not left
	# (the request's dir is not in the snapshot: its mtime moves with the temp copy made and removed)
	F2=$W/full-ssl
	mkdir -p "$F2/ca" "$W/full-req" && cp "$A/ca/ca.pem" "$F2/ca/"
	before=$(snapshot "$F2")
	full_run "$FO" timeout 60 "$INSTALL" --name etcd02 --ip "127.0.$X.2" --initial-cluster "$CL" --ca-dir "$F2/ca" \
		--ssl-dir "$FO/ssl" --request "$W/full-req/etcd02.csr"
	full_ok "--request with --ssl-dir on a full file system (the key's new dir not left behind, the request not written)" \
		"$FO/ssl/etcd-key.pem" "$F2" "$before" "$W/full-req"
	before=$(snapshot "$A")
	full_run "$FO" timeout 60 "$INSTALL" --sign "$W/etcd02.csr" --out "$FO/etcd02.pem" --ca-dir "$A/ca"
	full_ok "--sign with --out's dir full" "$FO/etcd02.pem" "$A" "$before"
fi

# -- --sign on the CA host
if timeout 30 "$INSTALL" --sign "$W/etcd02.csr" --out "$W/etcd02.pem" --ca-dir "$A/ca" --cert-days 30 >"$W/sign.out" 2>"$W/sign.err" &&
	grep -qxF "etcd-install: signed $W/etcd02.csr: CN etcd, SANs 127.0.0.1 127.0.$X.2 etcd02.example, serverAuth+clientAuth, CA:FALSE, 30 days" "$W/sign.out" &&
	openssl verify -CAfile "$A/ca/ca.pem" "$W/etcd02.pem" >/dev/null 2>&1 &&
	ext=$(openssl x509 -in "$W/etcd02.pem" -noout -ext basicConstraints,keyUsage,extendedKeyUsage | tr -s ' \n' ' ') &&
	[[ $ext == *"Basic Constraints: critical CA:FALSE "* && $ext == *"Key Usage: critical Digital Signature, Key Encipherment "* &&
		$ext == *"Extended Key Usage: TLS Web Server Authentication, TLS Web Client Authentication "* ]] &&
	[ "$(sans_of x509 "$W/etcd02.pem")" = "IP Address:127.0.0.1, IP Address:127.0.$X.2, DNS:etcd02.example" ] &&
	[ ! -s "$W/sign.err" ]; then
	ok "--sign: the request's SANs printed and signed with the member extensions (CA:FALSE, keyUsage, serverAuth+clientAuth), verifies against ca.pem"
else
	notok "--sign" "$(cat "$W/sign.out" "$W/sign.err")" "$(openssl x509 -in "$W/etcd02.pem" -noout -text 2>&1 | grep -A1 X509v3)"
fi

# -- a request asking for more: its extensions and subject are dropped, ours given
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$W/other-key.pem" 2>/dev/null
openssl req -new -key "$W/other-key.pem" -subj "/O=system:masters/CN=root" -out "$W/odd.csr" \
	-addext "subjectAltName=IP:127.0.$X.2,DNS:*.etcd.example" -addext "nameConstraints=permitted;DNS:example" \
	-addext "extendedKeyUsage=codeSigning" -addext "basicConstraints=critical,CA:FALSE" -addext "keyUsage=keyCertSign" 2>/dev/null
if timeout 30 "$INSTALL" --sign "$W/odd.csr" --ca-dir "$A/ca" >"$W/odd.out" 2>&1 && [ -f "$W/odd.pem" ] &&
	txt=$(openssl x509 -in "$W/odd.pem" -noout -text) &&
	[ "$(openssl x509 -in "$W/odd.pem" -noout -subject)" = "subject=C = CN, ST = BeiJing, L = BeiJing, O = k8s, OU = System, CN = etcd" ] &&
	! grep -qE 'Name Constraints|Code Signing|Certificate Sign' <<<"$txt" && grep -q 'TLS Web Client Authentication' <<<"$txt" &&
	[ "$(sans_of x509 "$W/odd.pem")" = "IP Address:127.0.$X.2, DNS:*.etcd.example" ] &&
	grep -q "ignored the request's own extensions (X509v3 Name Constraints, X509v3 Extended Key Usage, basicConstraints, X509v3 Key Usage)" "$W/odd.out" &&
	grep -q "ignored the request's subject (CN=root,O=system:masters)" "$W/odd.out"; then
	ok "--sign of a request with its own extensions and subject (CN root): the certificate has only ours (CN etcd), and says so"
else
	notok "--sign drops a request's extensions and subject" "$(cat "$W/odd.out")" "$(openssl x509 -in "$W/odd.pem" -noout -text 2>&1 | grep -A1 -E 'X509v3|Subject:')"
fi

# -- --cert on the member, ca.pem alone
if inst "$M" etcd02 "127.0.$X.2" --san etcd02.example --no-start --cert "$W/etcd02.pem" &&
	cmp -s "$W/etcd02.pem" "$M/ssl/etcd.pem" && [ "$(md5sum <"$M/ssl/etcd-key.pem")" = "$key_sum" ] &&
	[ -f "$M/units/etcd.service" ] && [ ! -e "$M/ca/ca-key.pem" ] &&
	grep -q -- "--trusted-ca-file=$M/ca/ca.pem" "$M/units/etcd.service" &&
	grep -q "the one signed on the CA host ($W/etcd02.pem)" "$M.out"; then
	ok "--cert with ca.pem alone: the signed certificate installed as etcd.pem, key unchanged, units written, no CA key"
else
	notok "--cert installs the signed certificate" "$(cat "$M.out" "$M.err")"
fi
if inst "$M" etcd02 "127.0.$X.2" --san etcd02.example --no-start && grep -q 'kept the valid certificate' "$M.out" &&
	grep -q 'nothing to change' "$M.out"; then
	ok "a re-run without --cert (ca.pem alone) keeps the signed certificate: nothing to change"
else
	notok "a re-run keeps the signed certificate" "$(cat "$M.out" "$M.err")"
fi

# -- bad input: one line on stderr, the exit code, nothing written under DIR (nor --out)
# bad NAME RC DIR PATTERN CMD...
bad() {
	local name=$1 want=$2 dir=$3 pat=$4 rc before after
	shift 4
	before=$(snapshot "$dir")
	"$@" >"$W/bad.out" 2>"$W/bad.err"
	rc=$?
	after=$(snapshot "$dir")
	if [ "$rc" = "$want" ] && [ "$(wc -l <"$W/bad.err")" = 1 ] && grep -qE "^etcd-install: error: .*$pat" "$W/bad.err" &&
		[ "$before" = "$after" ]; then
		ok "bad input: $name -> exit $rc, '$(cat "$W/bad.err")', nothing written"
	else
		notok "bad input: $name (want exit $want)" "exit $rc" "stderr: $(cat "$W/bad.err")" "stdout: $(head -3 "$W/bad.out")" \
			"$([ "$before" = "$after" ] || echo "files changed under $dir")"
	fi
}
R=$W/req
mkdir -p "$R"
sign() { timeout 30 "$INSTALL" --sign "$@" --ca-dir "$A/ca"; }
printf 'not a request\n' >"$R/junk.csr"
bad "--sign of a file that is not a PEM request" 2 "$R" "not a PEM certificate request" sign "$R/junk.csr"
openssl req -new -newkey rsa:1024 -nodes -keyout /dev/null -subj /CN=etcd -addext subjectAltName=IP:127.0.0.1 \
	-out "$R/rsa1024.csr" 2>/dev/null
bad "--sign of an RSA 1024 request" 1 "$R" "refusing to sign .*its RSA key has 1024 bits \(at least 2048\)" sign "$R/rsa1024.csr"
openssl req -new -key "$W/other-key.pem" -subj /CN=etcd -addext subjectAltName=IP:127.0.0.1 \
	-addext basicConstraints=critical,CA:TRUE -out "$R/ca-true.csr" 2>/dev/null
bad "--sign of a request for CA:TRUE" 1 "$R" "refusing to sign .*it asks to be a CA \(basicConstraints CA:TRUE\)" sign "$R/ca-true.csr"
openssl req -new -key "$W/other-key.pem" -subj /CN=etcd -addext "subjectAltName=IP:127.0.0.1,URI:spiffe://etcd/member" \
	-out "$R/uri.csr" 2>/dev/null
bad "--sign of a request with a URI SAN" 1 "$R" "refusing to sign .*it asks for a URI SAN: only IPv4 addresses and DNS names" sign "$R/uri.csr"
openssl req -new -key "$W/other-key.pem" -subj /CN=etcd -addext "subjectAltName=IP:127.0.0.1,IP:::1" -out "$R/v6.csr" 2>/dev/null
bad "--sign of a request with an IPv6 SAN" 1 "$R" "refusing to sign .*IP address SAN of 16 bytes" sign "$R/v6.csr"
openssl req -new -key "$W/other-key.pem" -subj /CN=etcd -addext "subjectAltName=IP:127.0.0.1,email:root@etcd.example" \
	-out "$R/email.csr" 2>/dev/null
bad "--sign of a request with an email SAN" 1 "$R" "refusing to sign .*it asks for an email SAN" sign "$R/email.csr"
openssl req -new -key "$W/other-key.pem" -subj /CN=etcd -addext "subjectAltName=DNS:etcd_02.example" -out "$R/underscore.csr" 2>/dev/null
bad "--sign of a request with a DNS SAN holding '_'" 1 "$R" "refusing to sign .*DNS name SAN with a byte 0x5F" sign "$R/underscore.csr"
head -c 70000 /dev/zero | tr '\0' 'A' >"$R/huge.csr"
bad "--sign of a 70 kB file" 2 "$R" "larger than 65536 bytes" sign "$R/huge.csr"
# a byte of its signature changed (the first character of the last base64 line, which holds the end of the
# signature): the self-signature fails, though openssl req -verify still exits 0
awk '/^-----END/ { sub(/^./, (substr(prev, 1, 1) == "A" ? "B" : "A"), prev) } NR > 1 { print prev } { prev = $0 } END { print prev }' \
	"$R/uri.csr" >"$R/tampered.csr"
bad "--sign of a request whose signature does not verify" 2 "$R" "its self-signature does not verify" sign "$R/tampered.csr"
bad "--sign without the CA key in --ca-dir" 2 "$R" "--sign needs the CA" timeout 30 "$INSTALL" --sign "$W/etcd02.csr" --ca-dir "$M/ca" --out "$R/x.pem"
bad "--out without --sign" 2 "$R" "--out goes with --sign" timeout 30 "$INSTALL" --out "$R/x.pem"

# certificates that do not fit the member: another key, another CA, another IP
openssl req -new -key "$W/other-key.pem" -subj /CN=etcd -addext "subjectAltName=IP:127.0.0.1,IP:127.0.$X.2,DNS:etcd02.example" \
	-out "$R/otherkey.csr" 2>/dev/null && sign "$R/otherkey.csr" >/dev/null 2>&1
O=$W/otherca
inst "$O" etcd01 "127.0.$X.1" --no-start && timeout 30 "$INSTALL" --sign "$W/etcd02.csr" --out "$R/otherca.pem" --ca-dir "$O/ca" >/dev/null 2>&1
openssl req -new -key "$M/ssl/etcd-key.pem" -subj /CN=etcd -addext "subjectAltName=IP:127.0.0.1,DNS:etcd02.example" \
	-out "$R/noip.csr" 2>/dev/null && sign "$R/noip.csr" >/dev/null 2>&1
for f in otherkey.pem otherca.pem noip.pem; do [ -f "$R/$f" ] || notok "made the test certificate $f"; done
cert() {
	local rc
	inst "$M" etcd02 "127.0.$X.2" --san etcd02.example --no-start --cert "$1"
	rc=$?
	cat "$M.err" >&2
	return "$rc"
}
bad "--cert for another key" 1 "$M" "refusing to install --cert .*etcd-key.pem does not belong to it" cert "$R/otherkey.pem"
bad "--cert from another CA" 1 "$M" "refusing to install --cert .*not signed by the CA $M/ca/ca.pem" cert "$R/otherca.pem"
bad "--cert that does not cover the member's IP" 1 "$M" "refusing to install --cert .*it does not cover 127\.0\.$X\.2" cert "$R/noip.pem"
bad "--cert of a file that is not a certificate" 2 "$M" "--cert .*not a PEM certificate" cert "$R/junk.csr"
renew() {
	local rc
	inst "$M" etcd02 "127.0.$X.2" --san etcd02.example --no-start --renew-cert
	rc=$?
	cat "$M.err" >&2
	return "$rc"
}
bad "--renew-cert without the CA key" 1 "$M" "must be replaced \(--renew-cert\) but the CA key is not in" renew
N=$W/n
mkdir -p "$N"
bad "--cert without ca.pem" 2 "$N" "--cert needs the CA certificate" \
	bash -c 'inst() { "$1" --name etcd02 --ip "$2" --initial-cluster "$3" --ca-dir "$4/ca" --ssl-dir "$4/ssl" --data-dir "$4/data" \
		--unit-dir "$4/units" --conf-dir "$4/conf" --lib-dir "$4/lib" --probe-bin "$5" --no-start --cert "$6"; }; inst "$@"' _ \
	"$INSTALL" "127.0.$X.2" "$CL" "$N" "$PROBE" "$W/etcd02.pem"
bad "--request with --cert" 2 "$N" "one at a time" \
	timeout 30 "$INSTALL" --name etcd02 --ip "127.0.$X.2" --initial-cluster "$CL" --ssl-dir "$N/ssl" --request "$N/r.csr" --cert "$W/etcd02.pem"

exit "$FAILED"
