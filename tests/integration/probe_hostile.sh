#!/usr/bin/env bash
# etcd-versions: none (no etcd member involved)
# etcd-probe against hostile servers (tests/hostile/hostile_server.py), one misbehaviour each, on
# 127.0.X.1-30 with X in 150..199: CRITICAL with a one-line reason, within -t + 0.5 s, exit code in
# 0..3, bounded memory (GNU time's max RSS), and the same again under ASan+UBSan without a report.
#
# The TLS servers carry a certificate of a throwaway CA whose SAN is their own IP and the probe
# gets --cacert, so verification passes and the misbehaviour is what is tested; the INSECURE rows
# instead carry a certificate of another CA for another IP and the probe runs with
# --insecure-skip-tls-verify: the line must give the misbehaviour, not the ignored verification.
# FORBID gives, per row, an ERE the endpoint line must not match (e.g. "TLS handshake" for a TLS
# failure after the handshake).
# PROBE=path overrides build/etcd-probe; HOSTILE_ASAN=0 skips the sanitizer pass; the ASan build
# compiles proto/ and probe/ with the generated protobuf code next to the probe ($GEN).
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/cluster.sh
. tests/lib/cluster.sh
# shellcheck source=tests/lib/probe-check.sh
. tests/lib/probe-check.sh
probe_require
sh tests/lib/need-packages.sh time >/dev/null 2>&1 || true
sh tests/lib/need-packages.sh python3-hpack >/dev/null 2>&1 ||
	{ echo "not ok - hostile: python3-hpack cannot be installed"; exit 1; }
export CLUSTER_NET_FIRST=150 CLUSTER_NET_LAST=199 CLUSTER_KEY_ALG=ec
cluster_init || { echo "not ok - hostile: harness init"; exit 1; }
D=$CLUSTER_DIR
N=$CLUSTER_NET
GEN=${GEN:-$(dirname "$PROBE")/gen}
T=2                     # -t for every run
MAX_MS=$((T * 1000 + 500))
MAX_RSS_KB=$((64 * 1024))
cluster_ca ca || { echo "not ok - hostile: CA"; exit 1; }
CA=(--cacert "$D/ca/ca.pem")

# One row per scenario: IP suffix | scheme | server scenario | ERE the endpoint line must match.
SCENARIOS=(
	"1|https|silent|no TLS answer|timed out"
	"2|http|silent|timed out"
	"3|https|tls-hello-stall|no TLS answer|timed out"
	"4|https|tls-half-flight|timed out"
	"5|https|tls-no-h2|ALPN h2"
	"6|http|http1|answered HTTP/1.x, not HTTP/2"
	"7|https|tls-h2-http1|answered HTTP/1.x, not HTTP/2"
	"8|https|goaway|GOAWAY \\(ENHANCE_YOUR_CALM: too_many_pings\\)"
	"9|https|rst|stream reset \\(REFUSED_STREAM\\)"
	"10|https|flood|4 MiB cap"
	"11|https|flood-nofc|4 MiB cap|FLOW_CONTROL|flow control"
	"12|https|truncated|truncated"
	"13|https|compressed|compressed gRPC message"
	"14|https|no-trailer|without grpc-status"
	"15|https|status14|Unavailable: etcdserver: request timed out, 100% sure ✓"
	"16|https|headers-flood|more than 64 header fields"
	"20|https|continuation-block|CONTINUATION"
	"17|https|continuation-flood|CONTINUATION"
	"18|http|rst|stream reset \\(REFUSED_STREAM\\)"
	"19|http|flood|4 MiB cap"
	"21|https|trickle|timed out"
	"22|https|tls-garbage|gRPC: TLS error after the handshake"
	"23|https|tls-no-h2|ALPN h2"
	"24|https|tls-garbage|gRPC: TLS error after the handshake"
	"25|https|tls-client-cert|TLS handshake: server requires a client certificate"
	"26|https|badutf8|Unavailable"
	"27|https|garbage-ok|health read: malformed response \\(not etcd\\?\\)"
)
declare -A INSECURE=([23]=1 [24]=1 [25]=1)
declare -A FORBID=(
	[22]="TLS handshake"
	[23]="unknown authority|valid for"
	[24]="TLS handshake|unknown authority|valid for"
	[25]="unknown authority|valid for"
)

for row in "${SCENARIOS[@]}"; do
	IFS='|' read -r ip scheme sc _ <<<"$row"
	if [ -n "${INSECURE[$ip]:-}" ]; then
		# another CA, another IP: verification fails twice over
		cluster_cert "srv$ip" "$N.250" 365 otherca ||
			{ echo "not ok - hostile: certificate for $N.$ip"; exit 1; }
		cluster_bg "$D/s$ip.log" python3 tests/hostile/hostile_server.py "$sc" "$N.$ip" 2379 \
			"$D/srv$ip.pem" "$D/srv$ip-key.pem"
	elif [ "$scheme" = https ]; then
		cluster_cert "srv$ip" "$N.$ip" || { echo "not ok - hostile: certificate for $N.$ip"; exit 1; }
		cluster_bg "$D/s$ip.log" python3 tests/hostile/hostile_server.py "$sc" "$N.$ip" 2379 \
			"$D/srv$ip.pem" "$D/srv$ip-key.pem"
	else
		cluster_bg "$D/s$ip.log" python3 tests/hostile/hostile_server.py "$sc" "$N.$ip" 2379
	fi
done
for row in "${SCENARIOS[@]}"; do
	cluster_wait_port "$N.${row%%|*}" 2379 10 || echo "# server on $N.${row%%|*} did not come up"
done

# ASan+UBSan build of the probe (the Makefile's sanitizer flags), into the temp dir.
ASAN_PROBE=
if [ "${HOSTILE_ASAN:-1}" = 1 ] && [ -f "$GEN/etcd.pb-c.c" ]; then
	# shellcheck disable=SC2046
	if ${CC:-cc} -std=c11 -D_GNU_SOURCE -O1 -g -fno-omit-frame-pointer -w \
		-fsanitize=address,undefined -fno-sanitize-recover=undefined -I. -I"$GEN" \
		$(pkg-config --cflags libnghttp2 openssl libprotobuf-c jansson libcares) -o "$D/etcd-probe-asan" \
		proto/*.c probe/*.c "$GEN/etcd.pb-c.c" \
		$(pkg-config --libs libnghttp2 openssl libprotobuf-c jansson libcares) -lm 2>"$D/asan-build.log"; then
		ASAN_PROBE=$D/etcd-probe-asan
	else
		echo "# ASan build failed:"; sed -n '1,10s/^/#   /p' "$D/asan-build.log"
	fi
fi

# hostile_run BIN ARGS...: like probe_run, plus max RSS in $PROBE_RSS_KB (0 when unknown).
hostile_run() {
	local bin=$1 t0 t1
	shift
	probe_outputs
	# shellcheck disable=SC2034  # shown by scenario_fail (probe-check.sh)
	PROBE_CMD="$bin $*"
	t0=$(date +%s%N)
	if [ -x /usr/bin/time ]; then
		timeout -k 5 60 /usr/bin/time -f %M -o "$D/rss" "$bin" "$@" >"$PROBE_OUT_FILE" 2>"$PROBE_ERR_FILE"
	else
		timeout -k 5 60 "$bin" "$@" >"$PROBE_OUT_FILE" 2>"$PROBE_ERR_FILE"
	fi
	PROBE_RC=$?
	t1=$(date +%s%N)
	PROBE_MS=$(((t1 - t0) / 1000000))
	PROBE_RSS_KB=0
	[ -s "$D/rss" ] && PROBE_RSS_KB=$(tail -n 1 "$D/rss")
	rm -f "$D/rss"
	case $PROBE_RSS_KB in '' | *[!0-9]*) PROBE_RSS_KB=0 ;; esac
}

RESULTS=()
for row in "${SCENARIOS[@]}"; do
	IFS='|' read -r ip scheme sc pat <<<"$row"
	url="$scheme://$N.$ip:2379"
	name="hostile $sc ($scheme)"
	args=(--endpoints="$url" -t "$T")
	[ "$scheme" = https ] && args+=("${CA[@]}")
	if [ -n "${INSECURE[$ip]:-}" ]; then
		args+=(--insecure-skip-tls-verify)
		name="hostile $sc ($scheme, --insecure-skip-tls-verify, certificate that fails verification)"
	fi

	hostile_run "$PROBE" "${args[@]}"
	line2=$(sed -n 2p "$PROBE_OUT_FILE")
	why=()
	[ "$PROBE_RC" = 2 ] || why+=("exit $PROBE_RC, want 2 (CRITICAL)")
	[ "$PROBE_MS" -le "$MAX_MS" ] || why+=("took $PROBE_MS ms, want at most $MAX_MS ms")
	[[ $line2 == "CRITICAL: $url "?* ]] || why+=("endpoint line is not 'CRITICAL: $url <reason>'")
	grep -qE -- "$pat" <<<"$line2" || why+=("endpoint line lacks /$pat/")
	forbid=${FORBID[$ip]:-}
	[ -z "$forbid" ] || ! grep -qE -- "$forbid" <<<"$line2" || why+=("endpoint line matches /$forbid/")
	[[ $(head -n 1 "$PROBE_OUT_FILE") == "ETCD CRITICAL - "* ]] || why+=("first line is not 'ETCD CRITICAL - ...'")
	[ "$PROBE_RSS_KB" -le "$MAX_RSS_KB" ] || why+=("max RSS $PROBE_RSS_KB KiB, want at most $MAX_RSS_KB KiB")
	RESULTS+=("| $sc ($scheme) | $PROBE_RC | $PROBE_MS | $((PROBE_RSS_KB / 1024)) | ${line2#CRITICAL: "$url" } |")
	if [ ${#why[@]} -eq 0 ]; then scenario_ok "$name"; else scenario_fail "$name" "${why[@]}"; fi

	if [ -n "$ASAN_PROBE" ]; then
		hostile_run "$ASAN_PROBE" "${args[@]}"
		why=()
		[ "$PROBE_RC" -ge 0 ] && [ "$PROBE_RC" -le 3 ] || why+=("exit $PROBE_RC, outside 0..3")
		! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' "$PROBE_ERR_FILE" ||
			why+=("sanitizer report on stderr")
		[ "$PROBE_MS" -le $((MAX_MS + 1000)) ] || why+=("took $PROBE_MS ms under ASan")
		if [ ${#why[@]} -eq 0 ]; then scenario_ok "$name under ASan+UBSan"; else
			scenario_fail "$name under ASan+UBSan" "${why[@]}"; fi
	fi
done
# --format=json where the server's grpc-message is not UTF-8 (%FF%FE): one document that parses
# as strict UTF-8 JSON (probe_expect_json reads it as UTF-8), the reason kept.
hostile_run "$PROBE" --endpoints="https://$N.26:2379" -t "$T" "${CA[@]}" --format=json
probe_expect_json "hostile badutf8 (https): --format=json is valid UTF-8 JSON" '
e = d["endpoints"][0]
assert d["status"] == "CRITICAL" and d["exit_code"] == 2, (d["status"], d["exit_code"])
assert e["status"] == "CRITICAL" and "Unavailable" in e["error"], e
assert e["endpoint"] == sys.argv[2], e["endpoint"]
' "https://$N.26:2379"

[ -n "$ASAN_PROBE" ] || scenario_skip "hostile scenarios under ASan+UBSan" "no ASan build (HOSTILE_ASAN=0 or no $GEN)"

# Servers that play a small etcd and misbehave in a way a real one can (ip | scenario | probe
# arguments): the probe must get through, OK, well within -t.
ETCD_LITE=(
	"40|auth-retry|--user probe --password secret"
	"39|read-retry|"
	"38|no-leader-once|"
)
for row in "${ETCD_LITE[@]}"; do
	IFS='|' read -r ip sc extra <<<"$row"
	cluster_cert "srv$ip" "$N.$ip" || { echo "not ok - hostile: certificate for $N.$ip"; exit 1; }
	cluster_bg "$D/s$ip.log" python3 tests/hostile/hostile_server.py "$sc" "$N.$ip" 2379 \
		"$D/srv$ip.pem" "$D/srv$ip-key.pem"
	cluster_wait_port "$N.$ip" 2379 10 || echo "# server on $N.$ip did not come up"
	url="https://$N.$ip:2379"
	# shellcheck disable=SC2086  # $extra is a list of arguments
	hostile_run "$PROBE" --endpoints="$url" -t "$T" "${CA[@]}" $extra
	line2=$(sed -n 2p "$PROBE_OUT_FILE")
	why=()
	[ "$PROBE_RC" = 0 ] || why+=("exit $PROBE_RC, want 0 (OK)")
	[ "$PROBE_MS" -le $((T * 1000 / 2)) ] || why+=("took $PROBE_MS ms, want well within -t $T")
	[[ $line2 == "OK: $url lite "* ]] || why+=("endpoint line is not 'OK: $url lite ...'")
	if [ ${#why[@]} -eq 0 ]; then scenario_ok "etcd-like $sc"; else scenario_fail "etcd-like $sc" "${why[@]}"; fi
done

# A fake member claiming 3.5.1 (etcd-lite@VERSION answers Status with VERSION), a release the etcd
# maintainers warn against (probe/advisory.c): WARNING naming the defect, its source and the
# release to move to (3.5.6: 3.5.3 fixes #13766 only). The same server claiming 3.5.6 is OK, so
# the warning comes from the version and nothing else.
for row in "45|3.5.1|1" "46|3.5.6|0"; do
	IFS='|' read -r ip ver want <<<"$row"
	cluster_cert "srv$ip" "$N.$ip" || { echo "not ok - hostile: certificate for $N.$ip"; exit 1; }
	cluster_bg "$D/s$ip.log" python3 tests/hostile/hostile_server.py "etcd-lite@$ver" "$N.$ip" \
		2379 "$D/srv$ip.pem" "$D/srv$ip-key.pem"
	cluster_wait_port "$N.$ip" 2379 10 || echo "# server on $N.$ip did not come up"
	url="https://$N.$ip:2379"
	hostile_run "$PROBE" --endpoints="$url" -t "$T" "${CA[@]}"
	why=()
	[ "$PROBE_RC" = "$want" ] || why+=("exit $PROBE_RC, want $want")
	if [ "$want" = 1 ]; then
		grep -q "^WARNING: $url lite .*runs etcd $ver: .*(etcd-io/etcd#13766).*; upgrade to 3\.5\.6 or later" \
			"$PROBE_OUT_FILE" || why+=("endpoint line does not name the advisory: $(sed -n 2p "$PROBE_OUT_FILE" | head -c 300)")
		head -n 1 "$PROBE_OUT_FILE" | grep -q "^ETCD WARNING - .*runs etcd $ver: " ||
			why+=("status line does not name the advisory: $(head -n 1 "$PROBE_OUT_FILE" | head -c 300)")
	else
		grep -q "^OK: $url lite " "$PROBE_OUT_FILE" || why+=("endpoint line is not 'OK: $url lite ...'")
		! grep -q "runs etcd" "$PROBE_OUT_FILE" || why+=("an advisory for $ver, which has none")
	fi
	if [ ${#why[@]} -eq 0 ]; then scenario_ok "etcd-like claiming $ver: exit $want"; else
		scenario_fail "etcd-like claiming $ver: exit $want" "${why[@]}"; fi
done
hostile_run "$PROBE" --endpoints="https://$N.45:2379" -t "$T" "${CA[@]}" --format=json
probe_expect_json "etcd-like claiming 3.5.1: JSON lists the advisories" '
assert d["status"] == "WARNING", d["status"]
e = d["endpoints"][0]
assert e["advisories"] == ["etcd-io/etcd#13766", "etcd-io/etcd#14733"], e["advisories"]
'

# Server strings that would forge the report (a version "3.4\nETCD OK - fake", a member name with
# '|' and perfdata of its own): still one status line, one endpoint line, one '|', OK.
ip=41
cluster_cert "srv$ip" "$N.$ip" || { echo "not ok - hostile: certificate for $N.$ip"; exit 1; }
cluster_bg "$D/s$ip.log" python3 tests/hostile/hostile_server.py etcd-forged "$N.$ip" 2379 \
	"$D/srv$ip.pem" "$D/srv$ip-key.pem"
cluster_wait_port "$N.$ip" 2379 10 || echo "# server on $N.$ip did not come up"
hostile_run "$PROBE" --endpoints="https://$N.$ip:2379" -t "$T" "${CA[@]}"
why=()
[ "$PROBE_RC" = 0 ] || why+=("exit $PROBE_RC, want 0 (OK)")
[ "$(wc -l <"$PROBE_OUT_FILE")" = 2 ] || why+=("$(wc -l <"$PROBE_OUT_FILE") lines, want 2")
[ "$(grep -c '^ETCD ' "$PROBE_OUT_FILE")" = 1 ] || why+=("more than one status line")
[ "$(head -n 1 "$PROBE_OUT_FILE" | tr -cd '|' | wc -c)" = 1 ] || why+=("more than one '|' on the status line")
! grep -q $'\x1b' "$PROBE_OUT_FILE" || why+=("an escape byte reached the output")
grep -q "^OK: https://$N.$ip:2379 evil/'x'=1;;;; ?\[2J .* v3.4?ETCD OK - fake " "$PROBE_OUT_FILE" ||
	why+=("endpoint line does not show the strings made harmless")
if [ ${#why[@]} -eq 0 ]; then scenario_ok "etcd-like etcd-forged: server strings cannot forge lines or perfdata"; else
	scenario_fail "etcd-like etcd-forged: server strings cannot forge lines or perfdata" "${why[@]}"; fi
hostile_run "$PROBE" --endpoints="https://$N.$ip:2379" -t "$T" "${CA[@]}" --format=json
probe_expect_json "etcd-like etcd-forged: JSON keeps the strings, made harmless" '
e = d["endpoints"][0]
assert e["version"] == "3.4?ETCD OK - fake", e["version"]
assert e["name"] == "evil/\x27x\x27=1;;;; ?[2J", e["name"]
'

# Two endpoints with auth on, the first answering every Authenticate with Unavailable (a learner):
# the retries go to the other endpoint, the token works on both, OK well within -t.
for ip in 43 44; do
	cluster_cert "srv$ip" "$N.$ip" || { echo "not ok - hostile: certificate for $N.$ip"; exit 1; }
done
cluster_bg "$D/s43.log" python3 tests/hostile/hostile_server.py auth-learner "$N.43" 2379 \
	"$D/srv43.pem" "$D/srv43-key.pem"
cluster_bg "$D/s44.log" python3 tests/hostile/hostile_server.py auth-ok "$N.44" 2379 \
	"$D/srv44.pem" "$D/srv44-key.pem"
cluster_wait_port "$N.43" 2379 10 || echo "# server on $N.43 did not come up"
cluster_wait_port "$N.44" 2379 10 || echo "# server on $N.44 did not come up"
hostile_run "$PROBE" --endpoints="https://$N.43:2379,https://$N.44:2379" -t "$T" "${CA[@]}" \
	--user probe --password secret
why=()
[ "$PROBE_RC" != 3 ] || why+=("exit 3: authentication failed ($(head -c 200 "$PROBE_OUT_FILE"))")
grep -q "Authenticate" "$D/s44.log" || why+=("the second endpoint was never asked to authenticate")
[ "$PROBE_MS" -le $((T * 1000 / 2)) ] || why+=("took $PROBE_MS ms, want well within -t $T")
if [ ${#why[@]} -eq 0 ]; then scenario_ok "etcd-like auth-learner: Authenticate retried on another endpoint"; else
	scenario_fail "etcd-like auth-learner: Authenticate retried on another endpoint" "${why[@]}"; fi

# --cluster from an https:// seed with auth on, where the member list gives another member only an
# http:// URL: that member is not probed (the token would travel in clear text), WARNING naming
# why, and the plain listener sees no request at all.
ip=42
cluster_cert "srv$ip" "$N.$ip" || { echo "not ok - hostile: certificate for $N.$ip"; exit 1; }
cluster_bg "$D/s$ip.log" python3 tests/hostile/hostile_server.py auth-downgrade "$N.$ip" 2379 \
	"$D/srv$ip.pem" "$D/srv$ip-key.pem"
cluster_bg "$D/s$ip-plain.log" python3 tests/hostile/hostile_server.py etcd-lite "$N.$ip" 23791
cluster_wait_port "$N.$ip" 2379 10 || echo "# server on $N.$ip did not come up"
cluster_wait_port "$N.$ip" 23791 10 || echo "# plain server on $N.$ip did not come up"
hostile_run "$PROBE" --endpoints="https://$N.$ip:2379" --cluster -t "$T" "${CA[@]}" --user probe \
	--password secret
why=()
[ "$PROBE_RC" = 1 ] || why+=("exit $PROBE_RC, want 1 (WARNING)")
grep -q "^WARNING: http://$N.$ip:23791 plain - not probed: .*auth token is not sent in clear text" \
	"$PROBE_OUT_FILE" || why+=("the http:// member's line does not say why it was not probed")
grep -q "^OK: https://$N.$ip:2379 lite " "$PROBE_OUT_FILE" || why+=("the seed's line is not OK")
grep -q "token=tok" "$D/s$ip.log" || why+=("the seed never got the token (the test proves nothing)")
! grep -q "token=" "$D/s$ip-plain.log" || why+=("the plain http:// listener got a request: $(head -c 200 "$D/s$ip-plain.log")")
if [ ${#why[@]} -eq 0 ]; then scenario_ok "etcd-like auth-downgrade: no token over http:// to a discovered member"; else
	scenario_fail "etcd-like auth-downgrade: no token over http:// to a discovered member" "${why[@]}"; fi

# etcd-diag's live checks against a member whose client and peer ports both stall: its two live
# passes (client checks, peer handshake) share one deadline, -t, instead of taking -t each.
DIAG=${DIAG:-$(dirname "$PROBE")/etcd-diag}
if [ -x "$DIAG" ]; then
	mkdir -p "$D/nojournal"
	printf '[Service]\nExecStart=/usr/bin/etcd --name m1 --advertise-client-urls https://%s:2379 --initial-cluster m1=https://%s:2379 --trusted-ca-file %s --peer-trusted-ca-file %s\n' \
		"$N.1" "$N.3" "$D/ca/ca.pem" "$D/ca/ca.pem" >"$D/stall.service"
	t0=$(date +%s%N)
	timeout -k 5 30 "$DIAG" --unit-file "$D/stall.service" --journal-dir "$D/nojournal" -t "$T" \
		--format=json >"$D/diag-stall.json" 2>"$D/diag-stall.err"
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	why=()
	[ "$ms" -le "$MAX_MS" ] || why+=("took $ms ms, want at most $MAX_MS (-t $T + 0.5 s)")
	[ "$rc" -ge 0 ] && [ "$rc" -le 3 ] || why+=("exit $rc")
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$D/diag-stall.json" 2>/dev/null ||
		why+=("not one JSON document: $(head -c 200 "$D/diag-stall.json")")
	if [ ${#why[@]} -eq 0 ]; then scenario_ok "etcd-diag, client and peer ports stalled: done within -t (exit $rc)"; else
		scenario_fail "etcd-diag, client and peer ports stalled: done within -t" "${why[@]}"; fi
else
	scenario_skip "etcd-diag, client and peer ports stalled" "no etcd-diag at $DIAG"
fi

# /metrics from servers that play a small etcd but misbehave on it (ip | scenario | exit |
# metrics.error regex, "-" for none), then a plain HTTP/1.1 metrics listener that does
# (--metrics-url: its failure is a WARNING). Each run: the gRPC side OK, done well within -t (a
# stalled /metrics gets 40 % of -t), one valid JSON document, an exposition promtool accepts.
# "metrics-hostile" claims 1e308 pending proposals: CRITICAL, as the figure says.
METRICS_ROWS=(
	"47|etcd-lite|0|-"
	"48|metrics-stall|0|no answer within 0\\.8 s"
	"49|metrics-huge|0|over 8 MiB"
	"50|metrics-garbage|0|not etcd's metrics"
	"51|metrics-hostile|2|-"
	"52|metrics-404|0|HTTP status 404"
	"58|metrics-cut|0|cut short \\(stream reset: INTERNAL_ERROR\\)"
	"59|metrics-nonl|0|cut short \\(no final newline\\)"
	"53|h1-ok|0|-"
	"54|h1-chunk-bad|1|no valid HTTP answer"
	"55|h1-short|1|no valid HTTP answer"
	"56|h1-huge|1|over 8 MiB"
	"57|h1-stall|1|no answer within"
)
for row in "${METRICS_ROWS[@]}"; do
	IFS='|' read -r ip sc want err_re <<<"$row"
	args=()
	case $sc in
	h1-*)
		cluster_bg "$D/s$ip.log" python3 tests/hostile/hostile_server.py "$sc" "$N.$ip" 2381
		cluster_wait_port "$N.$ip" 2381 10 || echo "# server on $N.$ip did not come up"
		url="https://$N.47:2379"
		args=(--metrics-url "http://$N.$ip:2381")
		;;
	*)
		cluster_cert "srv$ip" "$N.$ip" || { echo "not ok - hostile: certificate for $N.$ip"; exit 1; }
		cluster_bg "$D/s$ip.log" python3 tests/hostile/hostile_server.py "$sc" "$N.$ip" 2379 \
			"$D/srv$ip.pem" "$D/srv$ip-key.pem"
		cluster_wait_port "$N.$ip" 2379 10 || echo "# server on $N.$ip did not come up"
		url="https://$N.$ip:2379"
		;;
	esac
	why=()
	hostile_run "$PROBE" --endpoints="$url" -t "$T" "${CA[@]}" --no-state-file "${args[@]}"
	[ "$PROBE_RC" = "$want" ] || why+=("exit $PROBE_RC, want $want")
	[ "$PROBE_MS" -le $((T * 1000 / 2)) ] || why+=("took $PROBE_MS ms, want well within -t $T")
	grep -q "^[A-Z]*: $url lite " "$PROBE_OUT_FILE" || why+=("endpoint line is not '...: $url lite ...'")
	[ "$(wc -l <"$PROBE_OUT_FILE")" -le 3 ] || why+=("more lines than the report has: forged?")
	hostile_run "$PROBE" --endpoints="$url" -t "$T" "${CA[@]}" --no-state-file "${args[@]}" --format=json
	if ! err=$(python3 -c '
import json, re, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
m = d["endpoints"][0]["metrics"]
want = sys.argv[2]
if want == "-":
    assert m["error"] is None, m
else:
    assert m["error"] and re.search(want, m["error"]), m
' "$PROBE_OUT_FILE" "$err_re" 2>&1); then why+=("JSON: $(echo "$err" | tail -n 1)"); fi
	hostile_run "$PROBE" --endpoints="$url" -t "$T" "${CA[@]}" --no-state-file "${args[@]}" --format=prometheus
	if command -v promtool >/dev/null; then
		promtool check metrics <"$PROBE_OUT_FILE" >"$D/promtool.out" 2>&1 ||
			why+=("promtool: $(head -c 300 "$D/promtool.out")")
	fi
	if [ ${#why[@]} -eq 0 ]; then scenario_ok "/metrics from a hostile $sc: exit $want, said"; else
		scenario_fail "/metrics from a hostile $sc" "${why[@]}"; fi
done

# The table for the README (HOSTILE_TABLE=1), exit code, wall ms, max RSS MiB, reason.
if [ "${HOSTILE_TABLE:-0}" = 1 ]; then
	echo "| scenario | exit | wall ms | max RSS MiB | endpoint line |"
	echo "|---|---|---|---|---|"
	printf '%s\n' "${RESULTS[@]}"
fi
scenario_finish
