#!/usr/bin/env bash
# etcd-versions: none (a journal and certificates written here, no etcd member involved)
# etcd-diag run as a user who may not read what etcd reads (nobody, no groups; setpriv): a key
# 0600 owned by root and a journal file 0640 root:systemd-journal, in a temp dir that user may enter;
# then a journal directory it may not search (--journal-dir: named with the directory's own group)
# and a file in it (--journal-file: cannot even be looked at, "a member of group systemd-journal or
# adm", the groups that read journals by convention).
# The key is "cannot read F (run as root ...)", never file-missing; the journal is said in the
# notes, never taken for an empty healthy one. The same run as root reads both (the port-in-use
# line in the journal, no cannot-read): the check is not a false alarm.
set -u
cd "$(dirname "$0")/../.." || exit 2
DIAG=${ETCD_DIAG:-build/etcd-diag}
JOURNAL_REMOTE=${JOURNAL_REMOTE:-/lib/systemd/systemd-journal-remote}
NAME=diag_nonroot_key_and_journal_unreadable
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null 2>&1 || [ ! -x "$JOURNAL_REMOTE" ] ||
	[ ! -x "$DIAG" ] || ! id nobody >/dev/null 2>&1; then
	echo "skip - $NAME (needs root, setpriv, the user nobody, $JOURNAL_REMOTE and $DIAG)"
	exit 0
fi
D=$(mktemp -d /tmp/diag-nonroot.XXXXXX) || exit 2
trap 'rm -rf "$D"' EXIT
chmod 0755 "$D" || exit 2
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$D/etcd-key.pem" -out "$D/etcd.pem" -days 365 \
	-subj /CN=etcd -addext subjectAltName=IP:127.0.0.1 \
	-addext extendedKeyUsage=serverAuth,clientAuth >/dev/null 2>&1 ||
	{ echo "not ok - $NAME (openssl)"; exit 1; }
chmod 0600 "$D/etcd-key.pem" && chmod 0644 "$D/etcd.pem" || exit 2
cat >"$D/etcd.yml" <<EOT
name: m1
data-dir: $D/data
advertise-client-urls: https://127.0.0.1:2379
client-transport-security:
  cert-file: $D/etcd.pem
  key-file: $D/etcd-key.pem
EOT
chmod 0644 "$D/etcd.yml" || exit 2
printf '__REALTIME_TIMESTAMP=%s\n_HOSTNAME=m1\nSYSLOG_IDENTIFIER=etcd\n_SYSTEMD_UNIT=etcd.service\nPRIORITY=2\nMESSAGE=%s\n\n' \
	"$(date +%s)000000" "2026-01-01 00:00:00.000000 C | etcdmain: listen tcp 127.0.0.1:2379: bind: address already in use" |
	"$JOURNAL_REMOTE" -o "$D/m1.journal" - 2>"$D/remote.err" ||
	{ echo "# $(head -n 2 "$D/remote.err")"; echo "not ok - $NAME (systemd-journal-remote)"; exit 1; }
# as journald keeps its files: root:systemd-journal 0640 (the group to join is named from the file)
chgrp systemd-journal "$D/m1.journal" && chmod 0640 "$D/m1.journal" || exit 2
# a journal directory closed to nobody (root:systemd-journal 0750): --journal-dir names it with its
# own group; a file in it cannot even be looked at (stat fails), so the hint for --journal-file
# names the groups that read journals by convention
mkdir "$D/closed" && cp -p "$D/m1.journal" "$D/closed/m1.journal" &&
	chgrp systemd-journal "$D/closed" && chmod 0750 "$D/closed" || exit 2

check() { # check WHO JSON RC: prints nothing when the expectations for WHO hold, else why
	python3 - "$@" <<'PY'
import json, sys
who, path, rc = sys.argv[1], sys.argv[2], int(sys.argv[3])
d = json.load(open(path, encoding="utf-8"))
codes = sorted(f["code"] for f in d["findings"])
notes = d.get("notes", "")
if who == "nobody":
    assert "file-missing" not in codes, codes
    cr = [f for f in d["findings"] if f["code"] == "cannot-read"]
    assert len(cr) == 1 and "cannot read key file " in cr[0]["summary"] and \
        "etcd-key.pem (run as root; it is mode 0600)" in cr[0]["summary"], d["findings"]
    assert "m1.journal as uid 65534 (run as root or as a member of group systemd-journal" in notes, notes
    assert "port-in-use" not in codes and d["entries"] == 0, (codes, d["entries"])
    assert rc == 0 and d["exit_code"] == 0, (rc, d["exit_code"])
    # the OK is of what could be read: the summary line says the journal was not
    assert d["summary"] == "no problem found in what could be read (the journal: permission " \
        "denied, run as root or in group systemd-journal)", d["summary"]
elif who in ("nobody-dir", "nobody-file"):
    want = {"nobody-dir": "closed as uid 65534 (run as root or as a member of group "
                          "systemd-journal): etcd's entries there were not seen",
            "nobody-file": "closed/m1.journal as uid 65534 (run as root or as a member of group "
                           "systemd-journal or adm): etcd's entries there were not seen"}[who]
    assert want in notes, (want, notes)
    assert "port-in-use" not in codes and d["entries"] == 0, (codes, d["entries"])
else:
    assert codes == ["port-in-use"], codes
    assert "cannot read" not in notes, notes
    assert rc == 2, rc
PY
}
fails=0
# as nobody: the member's journal and configuration, then a journal (directory or file) in a
# directory it may not search (the hint)
for how in nobody nobody-dir nobody-file; do
	hint="in a directory it may not search: the hint"
	case $how in
	nobody) src=(--journal-file "$D/m1.journal" --config-file "$D/etcd.yml"); what="as nobody" ;;
	nobody-dir) src=(--journal-dir "$D/closed"); what="as nobody, --journal-dir $hint" ;;
	nobody-file) src=(--journal-file "$D/closed/m1.journal"); what="as nobody, --journal-file $hint" ;;
	esac
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$DIAG" "${src[@]}" --offline \
		--format=json >"$D/$how.json" 2>"$D/$how.err"
	rc=$?
	if why=$(check "$how" "$D/$how.json" "$rc" 2>&1); then
		echo "ok - $NAME ($what)"
	else
		echo "$why" | tail -n 2 | sed 's/^/#   /'
		head -c 800 "$D/$how.json" | sed 's/^/#   /'
		echo "not ok - $NAME ($what)"
		fails=1
	fi
done
"$DIAG" --journal-file "$D/m1.journal" --config-file "$D/etcd.yml" --offline --format=json \
	>"$D/root.json" 2>"$D/root.err"
rc=$?
if why=$(check root "$D/root.json" "$rc" 2>&1); then
	echo "ok - $NAME (as root: read)"
else
	echo "$why" | tail -n 2 | sed 's/^/#   /'
	echo "not ok - $NAME (as root: read)"
	fails=1
fi

# a key shared with etcd's group (etcd-install's root:etcd 0640): the hint names the group to
# join, "member of group etcd" (the 0600 key above leaves only root)
NAME=diag_nonroot_key_group_etcd
if getent group etcd >/dev/null; then
	cp -p "$D/etcd-key.pem" "$D/etcd-key-0640.pem" && chgrp etcd "$D/etcd-key-0640.pem" &&
		chmod 0640 "$D/etcd-key-0640.pem" || exit 2
	sed "s|key-file: .*|key-file: $D/etcd-key-0640.pem|" "$D/etcd.yml" >"$D/etcd-0640.yml" &&
		chmod 0644 "$D/etcd-0640.yml" || exit 2
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$DIAG" --journal-file "$D/m1.journal" \
		--config-file "$D/etcd-0640.yml" --offline --format=json >"$D/group.json" 2>"$D/group.err"
	rc=$?
	if python3 - "$D/group.json" "$D/etcd-key-0640.pem" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
cr = [f for f in d["findings"] if f["code"] == "cannot-read"]
want = "cannot read key file %s (run as root or as a member of group etcd)" % sys.argv[2]
sys.exit(0 if len(cr) == 1 and cr[0]["summary"] == want and
         not [f for f in d["findings"] if f["code"] == "file-missing"] else 1)
PY
	then
		echo "ok - $NAME (exit $rc)"
	else
		head -c 800 "$D/group.json" | sed 's/^/#   /'
		echo "not ok - $NAME"
		fails=1
	fi
else
	echo "skip - $NAME (no group etcd on this host)"
fi

# the local journal (no --journal-dir/--journal-file): /var/log/journal/<machine-id> with a file
# closed to nobody is said, not read as a quiet journal. The directory is this test's own, bound
# over /var/log/journal in a mount namespace of its own (unshare -m; the host's is untouched).
NAME=diag_nonroot_local_journal_dir
MID=$(cat /etc/machine-id 2>/dev/null)
if [ -n "$MID" ] && command -v unshare >/dev/null && [ -d /var/log/journal ] &&
	unshare -m --propagation private true 2>/dev/null; then
	mkdir -p "$D/vlj/$MID" && cp "$D/m1.journal" "$D/vlj/$MID/system.journal" &&
		chgrp systemd-journal "$D/vlj/$MID/system.journal" &&
		chmod 0640 "$D/vlj/$MID/system.journal" && chmod 0755 "$D/vlj" "$D/vlj/$MID" || exit 2
	unshare -m --propagation private sh -c 'mount --bind "$1" /var/log/journal && shift &&
		exec setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"' sh "$D/vlj" \
		"$DIAG" --config-file "$D/etcd.yml" --offline --format=json >"$D/local.json" 2>"$D/local.err"
	rc=$?
	if [ "$rc" = 0 ] && python3 - "$D/local.json" "/var/log/journal/$MID/system.journal" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
sys.exit(0 if "cannot read %s as uid 65534 (run as root or as a member of group systemd-journal" % sys.argv[2]
         in d["notes"] and d["summary"].startswith("no problem found in what could be read (the journal: ")
         else 1)
PY
	then
		echo "ok - $NAME"
	else
		head -c 800 "$D/local.json" | sed 's/^/#   /'; head -n 3 "$D/local.err" | sed 's/^/#   /'
		echo "not ok - $NAME (exit $rc)"
		fails=1
	fi
else
	echo "skip - $NAME (needs /etc/machine-id, /var/log/journal and unshare -m)"
fi
exit "$fails"
