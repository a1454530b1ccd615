#!/usr/bin/env bash
# etcd-versions: none (a journal written here, no etcd member involved)
# etcd-diag --format=json over journal lines etcd-diag did not choose: a port-in-use line with
# bytes that are not UTF-8 (0xFF 0xFE), quotes, a backslash and a control byte, and a tail of "é"
# long enough that the kept sample (511 bytes) would end inside one. The document must parse as
# strict UTF-8 JSON, keep the finding, end the sample on a whole character, and carry the control
# byte as '?' (diag/logsink defangs C0 controls at intake, for the text report's terminal too).
set -u
cd "$(dirname "$0")/../.." || exit 2
DIAG=${ETCD_DIAG:-build/etcd-diag}
JOURNAL_REMOTE=${JOURNAL_REMOTE:-/lib/systemd/systemd-journal-remote}
NAME=diag_json_journal_line_not_utf8_and_cut
if [ ! -x "$JOURNAL_REMOTE" ] || [ ! -x "$DIAG" ]; then
	echo "skip - $NAME (needs $JOURNAL_REMOTE and $DIAG)"
	exit 0
fi
D=$(mktemp -d /tmp/diag-json.XXXXXX) || exit 2
trap 'rm -rf "$D"' EXIT
mkdir "$D/journal" || exit 2

# The entry in journal export format, MESSAGE as raw bytes (the text form takes any byte but \n).
python3 - "$D/entry.export" <<'PY' || { echo "not ok - $NAME (cannot write the entry)"; exit 1; }
import sys, time
head = (b"2026-01-01 00:00:00.000000 C | etcdmain: listen tcp 127.0.100.1:2379: bind: "
        b"address already in use \xff\xfe \"q\\ \x01 ")
if (511 - len(head)) % 2 == 0:
    head += b"x"  # so that byte 511 is the second byte of an "é"
msg = head + "é".encode() * 300
now = int(time.time() * 1000000)
with open(sys.argv[1], "wb") as f:
    f.write(b"__REALTIME_TIMESTAMP=%d\n_HOSTNAME=m1\n_BOOT_ID=0123456789abcdef0123456789abcdef\n"
            b"SYSLOG_IDENTIFIER=etcd\n_SYSTEMD_UNIT=etcd.service\n_TRANSPORT=stdout\nPRIORITY=2\n"
            % now + b"MESSAGE=" + msg + b"\n\n")
PY
"$JOURNAL_REMOTE" -o "$D/journal/m1.journal" - <"$D/entry.export" 2>"$D/remote.err" ||
	{ echo "# systemd-journal-remote: $(head -n 3 "$D/remote.err")"; echo "not ok - $NAME"; exit 1; }

"$DIAG" --journal-dir "$D/journal" --offline --no-config --format=json >"$D/diag.json" 2>"$D/diag.err"
rc=$?
if got=$(python3 - "$D/diag.json" "$rc" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))  # strict: invalid UTF-8 fails
f = [x for x in d["findings"] if x["code"] == "port-in-use"]
assert f and f[0]["member"] == "m1", d["findings"]
ev = f[0]["evidence"][0]
assert 'already in use ' in ev and '"q\\ ? ' in ev and '\x01' not in ev, ev
assert ev.endswith("é"), "sample cut inside a character: %r" % ev[-8:]
assert d["exit_code"] == 2 and sys.argv[2] == "2", (d["exit_code"], sys.argv[2])
PY
); then
	echo "ok - $NAME"
else
	echo "$got" | tail -n 3 | sed 's/^/#   /'
	echo "#   exit $rc; stdout:"
	head -c 600 "$D/diag.json" | cat -v | sed 's/^/#     /'
	echo
	echo "not ok - $NAME"
	exit 1
fi
