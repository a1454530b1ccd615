# reallog2journal: turns a saved etcd log excerpt (as posted in an issue thread) into journal
# export format on stdout, one entry per line, as journald would have stored what etcd wrote:
#
#   python3 reallog2journal.py FILE | /lib/systemd/systemd-journal-remote -o DIR/NAME.journal -
#
# Each line's outer wrapper is taken off so that MESSAGE is the text etcd itself wrote:
#   - a docker json-file line {"log":"...","stream":"stderr","time":"..."}: the decoded "log";
#   - a CRI line (kubectl logs of a static pod's file) `TS stderr F TEXT`: TEXT;
#   - a syslog/journalctl line `Mon DD HH:MM:SS[.usec] host ident[pid]: TEXT`, also posted
#     without its date (`host ident[pid]: TEXT`, `ident[pid]: TEXT`): TEXT, _HOSTNAME=host;
#   - Rancher's UI prefix `1/16/2017 8:10:10 PM`: dropped.
# __REALTIME_TIMESTAMP comes from the innermost timestamp the line carries (capnslog, zap "ts",
# CRI/docker time, syslog date), else 1 ms after the previous entry; the first entry of a file
# without any timestamp is at a fixed date. Naive times are read as UTC. PRIORITY comes from the
# capnslog level letter or the zap level, else 6. Lines of systemd itself (a journalctl excerpt's
# "Started etcd.service") keep their own SYSLOG_IDENTIFIER, as in the real journal; every other
# line is SYSLOG_IDENTIFIER=etcd. The bytes are passed as they are (hostile bytes included), only
# a line break inside a decoded docker "log" ends the message.
import calendar
import json
import re
import sys

HOST = "etcd-host"
FIRST_US = 1577836800 * 1000000  # 2020-01-01 UTC: a file without any timestamp starts here
MONTHS = {m: i + 1 for i, m in enumerate(
    "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}
OWN_IDENTIFIERS = {"systemd", "kernel", "sudo", "dockerd", "containerd", "kubelet"}

RE_CRI = re.compile(r"^(\d{4}-\d\d-\d\dT\S+) (stdout|stderr) [FP] (.*)$")
RE_SYSLOG = re.compile(
    r"^([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.\d+)? (\S+) ([^\s\[:]+)(?:\[\d+\])?: ?(.*)$")
# a journalctl line posted without its date: `host ident[pid]: TEXT` or `ident[pid]: TEXT`
RE_SYSLOG_NODATE = re.compile(r"^(?:([A-Za-z0-9][\w.-]*) )?([^\s\[:]+)\[\d+\]: ?(.*)$")
RE_RANCHER = re.compile(r"^\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d\d:\d\d [AP]M ?")
RE_ISO = re.compile(r"(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:?\d\d)?")
RE_CAPNS = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)? ([CEWNID]) \| ")
RE_ZAP_TS = re.compile(r'"ts":"([^"]+)"')
RE_ZAP_EPOCH = re.compile(r'"ts":(\d{9,10}(?:\.\d+)?)')
RE_ZAP_LEVEL = re.compile(r'"level":"([a-z]+)"')
CAPNS_PRIO = {"C": 2, "E": 3, "W": 4, "N": 5, "I": 6, "D": 7}
ZAP_PRIO = {"debug": 7, "info": 6, "warn": 4, "error": 3, "dpanic": 2, "panic": 2, "fatal": 2}


def iso_us(text):
    """Microseconds since the epoch of the first ISO-like date in text, or None."""
    m = RE_ISO.search(text)
    if not m:
        return None
    y, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
    if not (1 <= mo <= 12 and 1 <= d <= 31 and h < 24 and mi < 60 and s < 61):
        return None
    us = calendar.timegm((y, mo, d, h, mi, s)) * 1000000
    if m.group(7):
        us += int(float(m.group(7)) * 1000000)
    tz = m.group(8)
    if tz and tz != "Z":
        sign = -1 if tz[0] == "+" else 1
        tz = tz[1:].replace(":", "")
        us += sign * (int(tz[:2]) * 3600 + int(tz[2:]) * 60) * 1000000
    return us


def unwrap(line):
    """(message, host or None, identifier or None, outer time in us or None)"""
    if line.startswith('{"log":'):
        try:
            d = json.loads(line)
            msg = str(d.get("log", "")).split("\n", 1)[0]
            return msg, None, None, iso_us(str(d.get("time", "")))
        except ValueError:
            return line, None, None, None
    m = RE_CRI.match(line)
    if m:
        return m.group(3), None, None, iso_us(m.group(1))
    m = RE_SYSLOG.match(line)
    if m and m.group(1) in MONTHS:
        mon, day, hh, mm, ss, host, ident, msg = m.groups()
        year = 2020
        inner = iso_us(msg)
        if inner is not None:
            year = int(RE_ISO.search(msg).group(1))
        us = calendar.timegm((year, MONTHS[mon], int(day), int(hh), int(mm), int(ss))) * 1000000
        return msg, host, ident, us
    m = RE_SYSLOG_NODATE.match(line)
    if m:
        return m.group(3), m.group(1), m.group(2), None
    m = RE_RANCHER.match(line)
    if m:
        return line[m.end():], None, None, None
    return line, None, None, None


def priority(msg):
    m = RE_CAPNS.match(msg)
    if m:
        return CAPNS_PRIO[m.group(1)]
    if msg.startswith("{"):
        m = RE_ZAP_LEVEL.search(msg)
        if m and m.group(1) in ZAP_PRIO:
            return ZAP_PRIO[m.group(1)]
    return 6


def inner_us(msg):
    if RE_CAPNS.match(msg):
        return iso_us(msg[:32])
    m = RE_ZAP_TS.search(msg)
    if m:
        return iso_us(m.group(1))
    m = RE_ZAP_EPOCH.search(msg)
    if m:
        return int(float(m.group(1)) * 1000000)
    return None


def main(path):
    last = FIRST_US
    out = sys.stdout.buffer
    with open(path, "rb") as f:
        for n, raw in enumerate(f):
            line = raw.decode("utf-8", "surrogateescape").rstrip("\r\n")
            if not line.strip():
                continue
            msg, host, ident, outer = unwrap(line)
            t = inner_us(msg)
            if t is None:
                t = outer
            last = t if t is not None else last + 1000
            ident = ident if ident in OWN_IDENTIFIERS else "etcd"
            fields = [
                "__REALTIME_TIMESTAMP=%d" % (last + n % 1000),
                "_HOSTNAME=%s" % (host or HOST),
                "_BOOT_ID=0123456789abcdef0123456789abcdef",
                "SYSLOG_IDENTIFIER=%s" % ident,
                "_TRANSPORT=stdout",
                "PRIORITY=%d" % priority(msg),
            ]
            if ident == "etcd":
                fields.append("_SYSTEMD_UNIT=etcd.service")
            fields.append("MESSAGE=%s" % msg)
            out.write(("\n".join(fields) + "\n\n").encode("utf-8", "surrogateescape"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.stderr.write("usage: reallog2journal.py FILE\n")
        sys.exit(2)
    main(sys.argv[1])
