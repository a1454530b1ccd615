#!/usr/bin/env bash
# etcd-versions: 3.4 3.5.16
# etcd-diag on a kubeadm-style member: a real etcd (tests/lib/cluster.sh, 127.0.X.1 with X in
# 220..229) started with certificates laid out as kubeadm lays them (<root>/etc/kubernetes/pki/
# etcd/{ca,server,peer,healthcheck-client}.{crt,key}) and a static pod manifest naming them.
# etcd-diag must find the manifest by itself (ETCD_DIAG_ROOT, the test hook for the default
# paths) or by --manifest, check the four certificates and run the live checks with the
# healthcheck-client certificate: the server certificate is made serverAuth-only here, so a
# live check that presented it would be turned down by the member. Also: a config file that
# exists but cannot be read (run as nobody), malformed manifests and YAML, YAML 1.1 booleans.
set -u
cd "$(dirname "$0")/../.." || exit 2
DIAG=$(realpath "${ETCD_DIAG:-build/etcd-diag}" 2>/dev/null)
if ! command -v etcd >/dev/null || [ ! -x "$DIAG" ]; then
	echo "skip - diag_manifest (needs etcd and build/etcd-diag)"
	exit 0
fi
export CLUSTER_NET_FIRST=220 CLUSTER_NET_LAST=229
# shellcheck source=tests/lib/cluster.sh
. tests/lib/cluster.sh
# shellcheck source=tests/lib/tap.sh
. tests/lib/tap.sh
cluster_init || exit 1
P=$CLUSTER_DIR
R=$P/root
K=$R/etc/kubernetes/pki/etcd
mkdir -p "$K" "$R/etc/kubernetes/manifests" "$P/empty"

# kubeadm's set (ETCD_ECOSYSTEM.md section 6), from one CA; server.crt without clientAuth
cluster_ca ca || exit 1
cluster_cert server "$(cluster_ip 1)" 365 ca serverAuth || exit 1
cluster_cert peer "$(cluster_ip 1)" 365 ca serverAuth,clientAuth || exit 1
cluster_leaf healthcheck-client kube-etcd-healthcheck-client "" clientAuth ca days 365 || exit 1
cp "$P/ca/ca.pem" "$K/ca.crt" && cp "$P/ca/ca-key.pem" "$K/ca.key" || exit 1
for c in server peer healthcheck-client; do
	cp "$P/$c.pem" "$K/$c.crt" && cp "$P/$c-key.pem" "$K/$c.key" && chmod 600 "$K/$c.key" || exit 1
done
if ! MEMBER_CERT=$K/server.crt MEMBER_KEY=$K/server.key MEMBER_CA=$K/ca.crt cluster_start 1 \
	--logger "$(cluster_logger)"; then
	tail -n 5 "$P"/m1.log
	echo "not ok - diag_manifest (member did not start)"
	exit 1
fi

# the manifest as kubeadm writes it (the pki paths under the test root)
cat >"$R/etc/kubernetes/manifests/etcd.yaml" <<EOT
apiVersion: v1
kind: Pod
metadata:
  annotations:
    kubeadm.kubernetes.io/etcd.advertise-client-urls: $(member_url 1)
  labels:
    component: etcd
    tier: control-plane
  name: etcd
  namespace: kube-system
spec:
  containers:
  - command:
    - etcd
    - --advertise-client-urls=$(member_url 1)
    - --cert-file=$K/server.crt
    - --client-cert-auth=true
    - --data-dir=$P/m1.data
    - --initial-advertise-peer-urls=$(member_peer_url 1)
    - --initial-cluster=m1=$(member_peer_url 1)
    - --key-file=$K/server.key
    - --listen-client-urls=$(member_url 1)
    - --listen-metrics-urls=http://127.0.0.1:2381
    - --listen-peer-urls=$(member_peer_url 1)
    - --name=m1
    - --peer-cert-file=$K/peer.crt
    - --peer-client-cert-auth=true
    - --peer-key-file=$K/peer.key
    - --peer-trusted-ca-file=$K/ca.crt
    - --snapshot-count=10000
    - --trusted-ca-file=$K/ca.crt
    image: registry.k8s.io/etcd:3.5.16-0
    name: etcd
    volumeMounts:
    - mountPath: $K
      name: etcd-certs
  hostNetwork: true
  volumes:
  - hostPath:
      path: $K
      type: DirectoryOrCreate
    name: etcd-certs
status: {}
EOT

# check NAME WANT_RC PYTHON_CONDITION [ENV=VALUE ...] -- ETCD_DIAG_ARGS...: etcd-diag's JSON as d,
# its findings as f, must satisfy the condition
check() {
	local name=$1 want=$2 cond=$3 rc
	shift 3
	local envs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	env "${envs[@]}" timeout 30 "$DIAG" --journal-dir "$P/empty" -t 5 --format=json "$@" \
		>"$P/diag.json" 2>"$P/diag.err"
	rc=$?
	if [ "$rc" = "$want" ] && python3 -c "import json,sys; d=json.load(sys.stdin); f=d['findings']; sys.exit(0 if ($cond) else 1)" <"$P/diag.json"; then
		ok "$name"
	else
		notok "$name" "exit $rc (want $want)" "$(head -c 1500 "$P/diag.json")" "$(head -c 300 "$P/diag.err")"
	fi
}

HC="d['config']['deployment'] == 'kubeadm static pod manifest' and d['certificates'] == 4 and d['endpoints'] >= 1 and not [x for x in f if x['severity'] in ('warning', 'critical')]"
check diag_manifest_found_by_itself 0 \
	"$HC and d['config']['path'] == '$R/etc/kubernetes/manifests/etcd.yaml' and d['config']['settings']['cert-file'] == d['config']['path']" \
	ETCD_DIAG_ROOT="$R" --
check diag_manifest_option 0 "$HC" -- --manifest "$R/etc/kubernetes/manifests/etcd.yaml"
# the text report says where the configuration came from
timeout 30 "$DIAG" --journal-dir "$P/empty" -t 5 --manifest "$R/etc/kubernetes/manifests/etcd.yaml" >"$P/diag.txt" 2>&1
if grep -q "^config: deployment: kubeadm static pod manifest $R/etc/kubernetes/manifests/etcd.yaml; name, data-dir, cert-file, key-file, .* from it; live checks present $K/healthcheck-client.crt (kubeadm's healthcheck-client)$" "$P/diag.txt"; then
	ok diag_manifest_text_provenance
else
	notok diag_manifest_text_provenance "$(head -5 "$P/diag.txt")"
fi
# with --cert the server certificate is what the checks present, and the member turns it down:
# the healthy runs above did not use it
check diag_manifest_server_cert_as_client_refused 2 \
	"any(x['code'] == 'client-cert-rejected' for x in f)" \
	-- --manifest "$R/etc/kubernetes/manifests/etcd.yaml" --cacert "$K/ca.crt" --cert "$K/server.crt" --key "$K/server.key"
# --cacert alone: the healthcheck-client certificate is still the one presented (the member
# requires one; before, none was sent and the check was client-cert-missing), and said
check diag_manifest_cacert_alone 0 \
	"$HC and d['config']['live_cert'] == '$K/healthcheck-client.crt (kubeadm\\'s healthcheck-client)'" \
	-- --manifest "$R/etc/kubernetes/manifests/etcd.yaml" --cacert "$K/ca.crt"
# an expired healthcheck-client certificate is checked like the others, and named
cluster_leaf hcx kube-etcd-healthcheck-client "" clientAuth ca dated 20200101000000Z 20200102000000Z || exit 1
cp "$K/healthcheck-client.crt" "$P/hc.keep" && cp "$P/hcx.pem" "$K/healthcheck-client.crt" &&
	cp "$P/hcx-key.pem" "$K/healthcheck-client.key" || exit 1
check diag_manifest_healthcheck_cert_expired 2 \
	"any(x['code'] == 'cert-expired' and any('healthcheck-client.crt' in e for e in x['evidence'] + [x['summary']]) for x in f)" \
	-- --manifest "$R/etc/kubernetes/manifests/etcd.yaml" --offline
cp "$P/hc.keep" "$K/healthcheck-client.crt" && cp "$P/healthcheck-client-key.pem" "$K/healthcheck-client.key" || exit 1

# malformed manifests: one line naming the file and the line, exit 3
printf 'kind: Pod\nspec:\n  containers:\n  - name: etcd\n    command: [etcd, --name=x\n' >"$P/bad.yaml"
"$DIAG" --journal-dir "$P/empty" --offline --manifest "$P/bad.yaml" >"$P/bad.out" 2>&1
rc=$?
if [ "$rc" = 3 ] && [ "$(wc -l <"$P/bad.out")" = 1 ] && grep -q "^ETCD-DIAG UNKNOWN - cannot diagnose: cannot parse manifest $P/bad.yaml line 6: " "$P/bad.out"; then
	ok diag_manifest_malformed
else
	notok diag_manifest_malformed "exit $rc" "$(head -3 "$P/bad.out")"
fi
printf 'kind: Deployment\n' >"$P/deploy.yaml"
"$DIAG" --journal-dir "$P/empty" --offline --manifest "$P/deploy.yaml" >"$P/bad.out" 2>&1
rc=$?
if [ "$rc" = 3 ] && grep -q "cannot parse manifest $P/deploy.yaml line 1: not a Pod manifest" "$P/bad.out"; then
	ok diag_manifest_not_a_pod
else
	notok diag_manifest_not_a_pod "exit $rc" "$(head -3 "$P/bad.out")"
fi

# etcd's YAML: client-cert-auth: yes is a boolean (the old parser made this exit 3)
cat >"$P/etcd.yml" <<EOT
name: 'etcd #1'   # a comment after a quoted '#'
client-transport-security:   # the map survives this comment
  cert-file: $K/server.crt
  key-file: $K/server.key
  trusted-ca-file: $K/ca.crt
  client-cert-auth: yes
EOT
check diag_yaml_yes_boolean 0 "d['certificates'] == 2 and d['config']['settings']['client-cert-auth'] == '$P/etcd.yml'" \
	-- --config-file "$P/etcd.yml" --offline

# a CA that expired yesterday: a server certificate it signed (valid) is no help, every
# handshake through the CA fails; the CA file is checked for its own dates and named. The CA is
# made here with openssl ca -selfsign (openssl req -x509 cannot backdate), in $P/oldca as
# cluster_leaf expects, and signs the leaf by cluster_cert.
mkdir -p "$P/oldca/db" && : >"$P/oldca/db/index.txt" && openssl rand -hex 8 >"$P/oldca/db/serial" || exit 1
cat >"$P/oldca/ca.cnf" <<EOT
[ca]
default_ca = old
[old]
database = $P/oldca/db/index.txt
serial = $P/oldca/db/serial
new_certs_dir = $P/oldca/db
default_md = sha256
policy = anything
unique_subject = no
[anything]
commonName = supplied
[v3]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
EOT
cluster_key "$P/oldca/ca-key.pem" &&
	openssl req -new -key "$P/oldca/ca-key.pem" -subj /CN=etcd-harness-oldca -out "$P/oldca/ca.csr" 2>/dev/null &&
	openssl ca -batch -selfsign -config "$P/oldca/ca.cnf" -keyfile "$P/oldca/ca-key.pem" \
		-startdate "$(cluster_date '-2 years')" -enddate "$(cluster_date '-1 day')" -extensions v3 \
		-notext -in "$P/oldca/ca.csr" -out "$P/oldca/ca.pem" 2>"$P/oldca/ca.err" ||
	{ cat "$P/oldca/ca.err"; exit 1; }
cluster_cert oldsrv "$(cluster_ip 1)" 30 oldca serverAuth || exit 1
cat >"$P/oldca.yml" <<EOT
name: m1
client-transport-security:
  cert-file: $P/oldsrv.pem
  key-file: $P/oldsrv-key.pem
  trusted-ca-file: $P/oldca/ca.pem
EOT
chmod 600 "$P/oldsrv-key.pem"
CAX="x['code'] == 'cert-expired' and '$P/oldca/ca.pem' in x['summary'] and x['severity'] == 'critical' and '-in $P/oldca/ca.pem;' in x['remedy']"
check diag_ca_expired 2 "d['certificates'] == 2 and [x['code'] for x in f] == ['cert-expired'] and [x for x in f if $CAX]" \
	-- --config-file "$P/oldca.yml" --offline
# --cacert alone (no configuration): the CA the live checks would trust, checked the same way
check diag_cacert_expired 2 "d['certificates'] == 1 and [x for x in f if $CAX]" \
	-- --no-config --cacert "$P/oldca/ca.pem" --offline
# a CA with no certificate beside it in the configuration (client or peer side): still the
# CA etcd and the live checks trust, dated the same way; its remedy re-issues what it signed
CAS="$CAX and 'the CA and every certificate it signed' in x['remedy']"
printf 'name: m1\nclient-transport-security:\n  trusted-ca-file: %s\n' "$P/oldca/ca.pem" >"$P/caonly.yml"
check diag_ca_only_expired 2 "d['certificates'] == 1 and [x['code'] for x in f] == ['cert-expired'] and [x for x in f if $CAS]" \
	-- --config-file "$P/caonly.yml" --offline
printf 'name: m1\npeer-transport-security:\n  trusted-ca-file: %s\n' "$P/oldca/ca.pem" >"$P/peercaonly.yml"
check diag_peer_ca_only_expired 2 "d['certificates'] == 1 and [x for x in f if $CAS]" \
	-- --config-file "$P/peercaonly.yml" --offline
# a --cacert that holds no certificate: said, naming it, like a certificate file that holds none
echo "not a certificate" >"$P/junk-ca.pem"
check diag_cacert_no_pem 2 "[x for x in f if x['code'] == 'file-missing' and '$P/junk-ca.pem' in x['remedy']]" \
	-- --no-config --cacert "$P/junk-ca.pem" --offline

# a config file that exists but cannot be read: said so, not "missing" (needs root to become nobody)
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	# Debian's way, root:etcd 0640, names the group to join; 0600 root leaves only root
	if getent group etcd >/dev/null; then
		chmod 711 "$P" && chgrp etcd "$P/etcd.yml" && chmod 640 "$P/etcd.yml"
		want="run as root or as a member of group etcd"
	else
		chmod 711 "$P" && chmod 600 "$P/etcd.yml"
		want="run as root; it is mode 0600"
	fi
	setpriv --reuid=65534 --regid=65534 --clear-groups "$DIAG" --journal-dir "$P/empty" --offline \
		--config-file "$P/etcd.yml" >"$P/acc.out" 2>&1
	rc=$?
	if [ "$rc" = 3 ] && grep -qF "ETCD-DIAG UNKNOWN - cannot diagnose: cannot read config file $P/etcd.yml ($want)" "$P/acc.out"; then
		ok diag_config_unreadable
	else
		notok diag_config_unreadable "exit $rc" "$(head -3 "$P/acc.out")"
	fi
	chmod 700 "$P"
else
	skip diag_config_unreadable "needs root and setpriv to run as nobody"
fi
exit "$FAILED"
