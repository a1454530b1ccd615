#!/usr/bin/env bash
# etcd-versions: none (no etcd member involved)
# etcd-probe's bad-input handling: usage errors and unusable certificate files are UNKNOWN (exit 3).
#
# No etcd needed: every run points at https://127.0.X.1:2379 where nothing listens, and each error
# must be found before any connection. Checked: unknown flag, malformed URL, bad -t value, bad
# threshold range, missing --cert / --cacert / --key file (the file must be named), a key that does
# not match its certificate, and that -h and -V print something with an exit code of 0 or 3.
# PROBE=path overrides build/etcd-probe.
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/cluster.sh
. tests/lib/cluster.sh
# shellcheck source=tests/lib/probe-check.sh
. tests/lib/probe-check.sh
probe_require
cluster_init || { echo "not ok - cluster harness init"; exit 1; }
D=$CLUSTER_DIR
export CLUSTER_KEY_ALG=ec
cluster_ca ca && cluster_client_cert client root && cluster_client_cert other root ||
	{ echo "not ok - certificates"; exit 1; }
EP=https://$CLUSTER_NET.1:2379
TLS=(--cacert "$D/ca/ca.pem" --cert "$D/client.pem" --key "$D/client-key.pem")

probe_run --endpoints="$EP" "${TLS[@]}" --no-such-flag
probe_expect "unknown flag: UNKNOWN" 3 --max-ms 2000 '!connection refused'

probe_run --endpoints="ftp://$CLUSTER_NET.1:2379" "${TLS[@]}"
probe_expect "malformed URL (ftp://): UNKNOWN" 3 --max-ms 2000 '!connection refused'

probe_run --endpoints="https://$CLUSTER_NET.1:notaport" "${TLS[@]}"
probe_expect "malformed URL (port not a number): UNKNOWN" 3 --max-ms 2000 '!connection refused'

probe_run --endpoints="$EP" "${TLS[@]}" -t 1x
probe_expect "bad -t value: UNKNOWN" 3 --max-ms 2000 '!connection refused'

probe_run --endpoints="$EP" "${TLS[@]}" -w 'no-such-metric=10'
probe_expect "unknown threshold metric: UNKNOWN" 3 --max-ms 2000 '!connection refused'

probe_run --endpoints="$EP" --cacert "$D/ca/ca.pem" --cert "$D/missing-cert.pem" --key "$D/client-key.pem"
probe_expect "missing --cert file: UNKNOWN naming it" 3 --max-ms 2000 "missing-cert\\.pem"

probe_run --endpoints="$EP" --cacert "$D/missing-ca.pem" --cert "$D/client.pem" --key "$D/client-key.pem"
probe_expect "missing --cacert file: UNKNOWN naming it" 3 --max-ms 2000 "missing-ca\\.pem"

probe_run --endpoints="$EP" --cacert "$D/ca/ca.pem" --cert "$D/client.pem" --key "$D/missing-key.pem"
probe_expect "missing --key file: UNKNOWN naming it" 3 --max-ms 2000 "missing-key\\.pem"

probe_run --endpoints="$EP" --cacert "$D/ca/ca.pem" --cert "$D/client.pem" --key "$D/other-key.pem"
probe_expect "key not matching the certificate: UNKNOWN" 3 --max-ms 2000 "[Mm]atch" '!connection refused'

probe_run -h
if [[ $PROBE_RC =~ ^(0|3)$ ]] && grep -q -- '--endpoints' "$PROBE_OUT_FILE" "$PROBE_ERR_FILE"; then
	scenario_ok "-h prints usage with --endpoints"
else
	scenario_fail "-h prints usage with --endpoints" "exit $PROBE_RC"
fi

probe_run -V
if [[ $PROBE_RC =~ ^(0|3)$ ]] && [ -s "$PROBE_OUT_FILE" ]; then
	scenario_ok "-V prints a version"
else
	scenario_fail "-V prints a version" "exit $PROBE_RC"
fi

scenario_finish
