#!/usr/bin/env bash
# etcd-versions: none (no etcd member involved)
# etcd-probe's bad-input handling: usage errors and unusable certificate files are UNKNOWN (exit 3).
#
# No etcd needed: every run points at https://127.0.X.1:2379 where nothing listens, and each error
# must be found before any connection. Checked: unknown flag, malformed URL, bad -t value, bad
# threshold range, missing --cert / --cacert / --key file (the file must be named), a key that does
# not match its certificate, and that -h and -V print something with an exit code of 0 or 3.
# Then the edges of both programs: -t nan/inf/1e999/-1 refused in one line; a write error on
# stdout (>/dev/full) exits 3; an encrypted --key (PKCS#8 and legacy PEM) named at once, with no
# terminal (setsid) and with one (script(1) gives a pty: OpenSSL's default would prompt there); a
# FIFO as --cacert or --password-file and /dev/zero as --cert refused without blocking; and the
# backstop: stdout a pipe that is full, so the report blocks, must end in exit 3 after -t + 0.5 s
# with `ETCD UNKNOWN - internal deadline exceeded`.
# PROBE=path overrides build/etcd-probe, ETCD_DIAG=path build/etcd-diag.
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

# -t must be a finite number of seconds in (0, 3600]: NaN compares false with every bound
for t in nan inf 1e999 -1; do
	probe_run --endpoints="$EP" "${TLS[@]}" -t "$t"
	probe_expect "-t $t: UNKNOWN in one line" 3 --max-ms 2000 "^ETCD UNKNOWN - -t/--timeout '$t'" '!connection refused'
	[ "$(wc -l <"$PROBE_OUT_FILE")" -eq 1 ] || scenario_fail "-t $t: one line on stdout" "$(wc -l <"$PROBE_OUT_FILE") lines"
done

# a result that cannot be written is no result: exit 3 (CRITICAL here otherwise: nothing listens)
for fmt in --format=nagios --format=json; do
	PROBE_CMD="$PROBE --endpoints=$EP $fmt ... >/dev/full"
	timeout -k 5 20 "$PROBE" --endpoints="$EP" "${TLS[@]}" -t 2 "$fmt" >/dev/full 2>"$D/full.err"
	rc=$?
	if [ "$rc" = 3 ] && grep -q "cannot write" "$D/full.err"; then
		scenario_ok "stdout /dev/full ($fmt): exit 3, said on stderr"
	else
		scenario_fail "stdout /dev/full ($fmt): exit 3, said on stderr" "exit $rc" "stderr: $(head -c 300 "$D/full.err")"
	fi
done
timeout -k 5 20 "$PROBE" -V >/dev/full 2>"$D/full.err"
rc=$?
[ "$rc" = 3 ] && scenario_ok "-V >/dev/full: exit 3" || scenario_fail "-V >/dev/full: exit 3" "exit $rc"

# encrypted keys: PKCS#8 (what genpkey writes) and legacy PEM (Proc-Type: 4,ENCRYPTED)
openssl pkcs8 -topk8 -v2 aes256 -passout pass:x -in "$D/client-key.pem" -out "$D/enc8-key.pem" &&
	openssl ec -aes256 -passout pass:x -in "$D/client-key.pem" -out "$D/encpem-key.pem" 2>/dev/null ||
	{ echo "not ok - encrypted keys made with openssl"; exit 1; }
grep -q "Proc-Type: 4,ENCRYPTED" "$D/encpem-key.pem" || scenario_fail "legacy encrypted key has Proc-Type" ""
for k in enc8 encpem; do
	PROBE_TIMEOUT=5 probe_run --endpoints="$EP" --cacert "$D/ca/ca.pem" --cert "$D/client.pem" --key "$D/$k-key.pem"
	probe_expect "--key $k (encrypted): UNKNOWN at once, named" 3 --max-ms 1000 \
		"^ETCD UNKNOWN - --key $D/$k-key.pem is encrypted; etcd and etcd-probe need an unencrypted key\$"
	# without a controlling terminal at all
	PROBE_CMD="setsid $PROBE ... --key $D/$k-key.pem"
	t0=$(date +%s%N)
	setsid -w timeout -k 2 5 "$PROBE" --endpoints="$EP" --cacert "$D/ca/ca.pem" --cert "$D/client.pem" \
		--key "$D/$k-key.pem" </dev/null >"$PROBE_OUT_FILE" 2>"$PROBE_ERR_FILE"
	PROBE_RC=$?
	PROBE_MS=$((($(date +%s%N) - t0) / 1000000))
	probe_expect "--key $k under setsid (no terminal): UNKNOWN at once" 3 --max-ms 1000 "is encrypted"
	# with a terminal (a pty from script(1)): a passphrase prompt there would wait for ever
	PROBE_CMD="script -qec '$PROBE ... --key $D/$k-key.pem'"
	t0=$(date +%s%N)
	timeout -k 2 5 script -qefc "$PROBE --endpoints=$EP --cacert $D/ca/ca.pem --cert $D/client.pem --key $D/$k-key.pem" \
		/dev/null </dev/null >"$PROBE_OUT_FILE" 2>"$PROBE_ERR_FILE"
	PROBE_RC=$?
	# shellcheck disable=SC2034 # read by probe_expect (tests/lib/probe-check.sh)
	PROBE_MS=$((($(date +%s%N) - t0) / 1000000))
	probe_expect "--key $k on a terminal (pty): UNKNOWN at once, no passphrase prompt" 3 --max-ms 1500 \
		"is encrypted" '![Pp]ass ?phrase'
done

# a FIFO that nobody writes to, a device: refused at once without blocking in open(2) or read(2)
mkfifo "$D/fifo" || { echo "not ok - mkfifo"; exit 1; }
PROBE_TIMEOUT=5 probe_run --endpoints="$EP" --cacert "$D/fifo"
probe_expect "FIFO as --cacert: UNKNOWN at once, named" 3 --max-ms 1000 "^ETCD UNKNOWN - cannot read --cacert $D/fifo: not a regular file"
PROBE_TIMEOUT=5 probe_run --endpoints="$EP" --cacert "$D/ca/ca.pem" --cert /dev/zero --key "$D/client-key.pem"
probe_expect "/dev/zero as --cert: UNKNOWN at once, named" 3 --max-ms 1000 "^ETCD UNKNOWN - cannot read --cert /dev/zero: not a regular file"
PROBE_TIMEOUT=5 probe_run --endpoints="$EP" "${TLS[@]}" --user root --password-file "$D/fifo"
probe_expect "FIFO as --password-file: UNKNOWN at once, named" 3 --max-ms 1000 "^ETCD UNKNOWN - cannot read --password-file $D/fifo: not a regular file"

# The backstop. stdout is a pipe filled to capacity beforehand, so the report's write(2) blocks;
# nothing but the timer can end the run. fill_pipe FD: fills the pipe behind FD (nonblocking
# writes, then FD back to blocking, so the probe's own writes block).
fill_pipe() {
	python3 -c '
import fcntl, os, sys
fd = int(sys.argv[1])
fl = fcntl.fcntl(fd, fcntl.F_GETFL)
fcntl.fcntl(fd, fcntl.F_SETFL, fl | os.O_NONBLOCK)
n = 0
try:
    while True:
        n += os.write(fd, b"x" * 4096)
except BlockingIOError:
    pass
fcntl.fcntl(fd, fcntl.F_SETFL, fl)
print(n)
' "$1" >"$D/filled"
}
# backstop_run READER_DELAY [CMD...]: CMD (default: the probe with -t 1) with stdout that full
# pipe; a reader drains it after READER_DELAY s ("" for none). Sets rc, ms and $D/backstop.out.
backstop_run() {
	local delay=$1 pipefd reader="" t0
	shift
	local cmd=("$@")
	[ ${#cmd[@]} -gt 0 ] || cmd=("$PROBE" --endpoints="$EP" "${TLS[@]}" -t 1)
	rm -f "$D/bpipe" "$D/backstop.out" && mkfifo "$D/bpipe" || return 1
	exec {pipefd}<>"$D/bpipe"
	fill_pipe "$pipefd" || return 1
	if [ -n "$delay" ]; then
		{ sleep "$delay"; timeout 3 cat <&"$pipefd" >"$D/backstop.out"; } &
		reader=$!
	fi
	t0=$(date +%s%N)
	timeout -k 2 10 "${cmd[@]}" 1>&"$pipefd" 2>"$D/backstop.err"
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ -n "$reader" ] && wait "$reader"
	exec {pipefd}>&-
	return 0
}
# A reader drains the pipe from 2 s on: the line the handler writes after the alarm (-t 1 + 0.5 s)
# then gets through.
PROBE_CMD="$PROBE --endpoints=$EP ... -t 1 >full pipe"
backstop_run 2 || { echo "not ok - backstop pipe"; exit 1; }
if [ "$rc" = 3 ] && [ "$ms" -ge 1400 ] && [ "$ms" -le 4000 ] &&
	grep -aq "ETCD UNKNOWN - internal deadline exceeded" "$D/backstop.out"; then
	scenario_ok "backstop: report blocked on stdout, exit 3 after -t + 0.5 s with 'internal deadline exceeded' ($ms ms)"
else
	scenario_fail "backstop: report blocked on stdout, exit 3 after -t + 0.5 s with 'internal deadline exceeded'" \
		"exit $rc after $ms ms (want 3, 1400..4000 ms), $(cat "$D/filled") bytes prefilled" \
		"tail of stdout: $(tail -c 100 "$D/backstop.out" 2>/dev/null | tr -d x)"
fi
# No reader at all: the handler's own write blocks too; its second alarm ends the run a second on.
backstop_run "" || { echo "not ok - backstop pipe"; exit 1; }
if [ "$rc" = 3 ] && [ "$ms" -ge 2400 ] && [ "$ms" -le 5000 ]; then
	scenario_ok "backstop: stdout never drained, exit 3 a second after the alarm ($ms ms)"
else
	scenario_fail "backstop: stdout never drained, exit 3 a second after the alarm" \
		"exit $rc after $ms ms (want 3, 2400..5000 ms; 124 = killed by timeout 10)"
fi

# etcd-diag, the same edges
DIAG=${ETCD_DIAG:-build/etcd-diag}
mkdir -p "$D/nojournal"
# its backstop, at -t + 1 s: a report blocked on stdout ends in exit 3 with its line (a reader
# from 2.5 s on), or, never drained, a second after that (it hung before)
DIAG_BACKSTOP=("$DIAG" --offline --no-config --journal-dir "$D/nojournal" -t 1)
PROBE_CMD="${DIAG_BACKSTOP[*]} >full pipe"
backstop_run 2.5 "${DIAG_BACKSTOP[@]}" || { echo "not ok - backstop pipe"; exit 1; }
if [ "$rc" = 3 ] && [ "$ms" -ge 1900 ] && [ "$ms" -le 5000 ] &&
	grep -aq "ETCD-DIAG UNKNOWN - internal deadline exceeded" "$D/backstop.out"; then
	scenario_ok "etcd-diag backstop: report blocked on stdout, exit 3 after -t + 1 s with its line ($ms ms)"
else
	scenario_fail "etcd-diag backstop: report blocked on stdout, exit 3 after -t + 1 s with its line" \
		"exit $rc after $ms ms (want 3, 1900..5000 ms)" \
		"tail of stdout: $(tail -c 100 "$D/backstop.out" 2>/dev/null | tr -d x)"
fi
backstop_run "" "${DIAG_BACKSTOP[@]}" || { echo "not ok - backstop pipe"; exit 1; }
if [ "$rc" = 3 ] && [ "$ms" -ge 2900 ] && [ "$ms" -le 6000 ]; then
	scenario_ok "etcd-diag backstop: stdout never drained, exit 3 a second after the alarm ($ms ms)"
else
	scenario_fail "etcd-diag backstop: stdout never drained, exit 3 a second after the alarm" \
		"exit $rc after $ms ms (want 3, 2900..6000 ms; 124 = killed by timeout 10)"
fi
for t in nan inf 1e999 -1; do
	PROBE_CMD="$DIAG --offline --no-config --journal-dir $D/nojournal -t $t"
	timeout -k 2 10 "$DIAG" --offline --no-config --journal-dir "$D/nojournal" -t "$t" >"$D/diag.out" 2>&1
	rc=$?
	if [ "$rc" = 3 ] && [ "$(wc -l <"$D/diag.out")" -eq 1 ] && grep -q -- "-t $t" "$D/diag.out"; then
		scenario_ok "etcd-diag -t $t: exit 3, one line"
	else
		scenario_fail "etcd-diag -t $t: exit 3, one line" "exit $rc, output: $(head -c 300 "$D/diag.out")"
	fi
done
# its files: a FIFO as --unit-file refused at once; an encrypted key named by the unit, on a
# terminal (pty), never a passphrase prompt
# shellcheck disable=SC2034 # read by scenario_fail (tests/lib/probe-check.sh)
PROBE_CMD="$DIAG --offline --unit-file $D/fifo"
t0=$(date +%s%N)
timeout -k 2 5 "$DIAG" --offline --unit-file "$D/fifo" --journal-dir "$D/nojournal" >"$D/diag.out" 2>&1
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
if [ "$rc" = 3 ] && [ "$ms" -le 1000 ] && grep -q "cannot read unit file $D/fifo" "$D/diag.out"; then
	scenario_ok "etcd-diag --unit-file FIFO: exit 3 at once, named"
else
	scenario_fail "etcd-diag --unit-file FIFO: exit 3 at once, named" "exit $rc after $ms ms" "$(head -c 300 "$D/diag.out")"
fi
printf '[Service]\nExecStart=/usr/bin/etcd --name m1 --cert-file=%s --key-file=%s\n' \
	"$D/client.pem" "$D/enc8-key.pem" >"$D/enc.service"
t0=$(date +%s%N)
timeout -k 2 10 script -qefc "$DIAG --offline --unit-file $D/enc.service --journal-dir $D/nojournal" /dev/null \
	</dev/null >"$D/diag.out" 2>&1
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
if [[ $rc =~ ^[0-3]$ ]] && [ "$ms" -le 3000 ] && ! grep -qi "pass phrase" "$D/diag.out"; then
	scenario_ok "etcd-diag, encrypted key in the unit, on a terminal (pty): no passphrase prompt (exit $rc)"
else
	scenario_fail "etcd-diag, encrypted key in the unit, on a terminal (pty): no passphrase prompt" "exit $rc after $ms ms" "$(head -c 300 "$D/diag.out")"
fi

# a unit file naming a certificate gives a real report (exit 0..2), which must not reach /dev/full
printf '[Service]\nExecStart=/usr/bin/etcd --name m1 --cert-file=%s --key-file=%s\n' \
	"$D/client.pem" "$D/client-key.pem" >"$D/etcd.service"
for args in "-V" "--list-signatures" "--offline --unit-file $D/etcd.service --journal-dir $D/nojournal" \
	"--offline --format=json --unit-file $D/etcd.service --journal-dir $D/nojournal"; do
	# shellcheck disable=SC2086 # the words of args are the arguments
	timeout -k 2 10 "$DIAG" $args >/dev/full 2>"$D/diag.err"
	rc=$?
	if [ "$rc" = 3 ] && grep -q "cannot write" "$D/diag.err"; then
		scenario_ok "etcd-diag $args >/dev/full: exit 3, said on stderr"
	else
		scenario_fail "etcd-diag $args >/dev/full: exit 3, said on stderr" "exit $rc" "stderr: $(head -c 300 "$D/diag.err")"
	fi
done

scenario_finish
