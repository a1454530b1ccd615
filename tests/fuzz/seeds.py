# seeds: writes the seed corpus of every fuzz target into OUTDIR/<target>/ (run by run.sh).
#
#   python3 tests/fuzz/seeds.py OUTDIR
#
# HTTP/2 and protobuf seeds are built here frame by frame with the hostile server's encoders
# (tests/hostile/hostile_server.py), in the shapes etcd answers (HEADERS, DATA, trailers;
# trailers-only errors). Log lines and unit/env/YAML texts are the string literals of the unit
# tests (tests/unit/test_classify.c, test_config.c), which were copied from real etcd 3.4/3.5 logs
# and Debian's packaging. Bytes captured from a real etcd (tests/fuzz/capture.py) live in
# tests/fuzz/captured/<target>/ and run.sh hands that directory to libFuzzer as well.
import os
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "hostile"))
import hostile_server as h2  # noqa: E402


def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def fv(num, v):
    return varint(num << 3) + varint(v)


def fb(num, b):
    if isinstance(b, str):
        b = b.encode()
    return varint(num << 3 | 2) + varint(len(b)) + b


HEADER = fb(1, fv(1, 0xCDEF0123456789AB) + fv(2, 0x8E9E05C52164694D) + fv(3, 42) + fv(4, 7))
STATUS = (HEADER + fb(2, "3.4.23") + fv(3, 20480) + fv(4, 0x8E9E05C52164694D) + fv(5, 99) +
          fv(6, 7) + fv(7, 99) + fb(8, "etcdserver: no leader") + fv(9, 16384) + fv(10, 0))
ALARM = HEADER + fb(2, fv(1, 0x8E9E05C52164694D) + fv(2, 1)) + fb(2, fv(1, 3) + fv(2, 2))
MEMBER = (fv(1, 0x8E9E05C52164694D) + fb(2, "m1") + fb(3, "https://127.0.150.1:2380") +
          fb(4, "https://127.0.150.1:2379"))
MEMBERS = HEADER + fb(2, MEMBER) + fb(2, fv(1, 5) + fb(3, "https://127.0.150.3:2380") + fv(5, 1))
RANGE = HEADER + fb(2, fb(1, "health") + fv(2, 5) + fv(3, 6) + fv(4, 1) + fb(5, "v")) + fv(4, 1)
AUTH = HEADER + fb(2, "token.abc.123")
# --write-check answers: LeaseGrant{ID, TTL}, Put{header, prev_kv}, DeleteRange{deleted, prev_kvs}
KV = fb(1, "/etcd-probe/h-1") + fv(2, 5) + fv(3, 6) + fv(4, 1) + fb(5, "etcd-probe") + fv(6, 0x694D)
LEASE = HEADER + fv(2, 0x694D8E9E05C52164) + fv(3, 60)
LEASE_ERR = HEADER + fb(4, b"lease\nETCD OK|x\xff")
PUT = HEADER + fb(2, KV)
DELETE = HEADER + fv(2, 1) + fb(3, KV) + fb(3, KV)
HOSTILE_MEMBER = (fv(1, 7) + fb(2, b"m\nETCD OK - fake | 'x'=1 \xc0\xaf\xe2\x80\xae") +
                  fb(4, b"https://h|x:2379\r\n") + fb(4, b"\xff\xfe"))
PB = {"status": STATUS, "hostile_members": HEADER + fb(2, HOSTILE_MEMBER),
      "hostile_status": fb(2, b"3.4\nETCD OK - fake") + fb(8, b"a|b\x00c") + fb(8, b"\xf0\x9f\x98"),
      "token_nul": fb(2, b"abc\x00def"), "token_space": fb(2, b"abc def"), "alarm": ALARM, "members": MEMBERS, "range": RANGE, "auth": AUTH,
      "empty": b"", "header": HEADER,
      "lease": LEASE, "lease_err": LEASE_ERR, "put": PUT, "delete": DELETE}

RPC_TARGETS = ["rpc_status", "rpc_range", "rpc_alarms", "rpc_members", "rpc_authenticate",
               "rpc_lease_grant", "rpc_put", "rpc_delete_range"]
SANITIZE = [  # fuzz_sanitize: byte 0 is out_cap, the rest the input
    (255, b"3.4\nETCD OK - fake"), (255, b"a|b"), (255, b"\xff\xfe"), (4, b"ab\xf0\x9f\x98\x80"),
    (255, b"\xf0\x9f\x98\x80 ok"), (255, b"\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80"),
    (255, b"\xc2\x85\xe2\x80\xa8\xe2\x80\xae\xe2\x81\xa6"), (3, b"\xe2\x9c\x93"),
]

RESP = [(":status", "200"), ("content-type", "application/grpc")]
SERVER_START = h2.frame(h2.SETTINGS, 0, 0, struct.pack(">HI", 3, 100)) + h2.frame(h2.SETTINGS, h2.ACK, 0)


def answer(sid, msg, trailers=(("grpc-status", "0"),)):
    return (h2.frame(h2.HEADERS, h2.END_HEADERS, sid, h2.hpack(RESP)) +
            h2.frame(h2.DATA, 0, sid, h2.grpc_msg(msg)) +
            h2.frame(h2.HEADERS, h2.END_HEADERS | h2.END_STREAM, sid, h2.hpack(list(trailers))))


def trailers_only(sid, code, message):
    return h2.frame(h2.HEADERS, h2.END_HEADERS | h2.END_STREAM, sid,
                    h2.hpack(RESP + [("grpc-status", str(code)), ("grpc-message", message)]))


def h2_seed(first, rest):
    return struct.pack(">H", len(first)) + first + rest


H2 = {
    "ok": h2_seed(SERVER_START, answer(1, STATUS) + answer(3, RANGE) + answer(5, ALARM)),
    # :status 200 as an HPACK indexed field (static table 8), the way Go's server sends it
    "indexed": h2_seed(SERVER_START, h2.frame(h2.HEADERS, h2.END_HEADERS, 1, b"\x88" +
                       h2.hpack(RESP[1:])) + h2.frame(h2.DATA, 0, 1, h2.grpc_msg(STATUS)) +
                       h2.frame(h2.HEADERS, h2.END_HEADERS | h2.END_STREAM, 1,
                                h2.hpack([("grpc-status", "0")]))),
    "unavailable": h2_seed(SERVER_START, trailers_only(1, 14, "etcdserver: no leader") +
                           trailers_only(3, 14, "etcdserver: request timed out, 100%25 sure") +
                           trailers_only(5, 7, "etcdserver: permission denied")),
    "goaway": h2_seed(SERVER_START, answer(1, STATUS) + h2.frame(h2.GOAWAY, 0, 0,
                      struct.pack(">II", 1, 11) + b"too_many_pings")),
    "rst": h2_seed(SERVER_START, h2.frame(h2.RST_STREAM, 0, 1, struct.pack(">I", 7)) +
                   h2.frame(h2.RST_STREAM, 0, 3, struct.pack(">I", 8)) + answer(5, ALARM)),
    "window_ping": h2_seed(SERVER_START + h2.frame(h2.WINDOW_UPDATE, 0, 0, struct.pack(">I", 1 << 20)),
                           h2.frame(h2.PING, 0, 0, b"12345678") + answer(3, RANGE)),
    "no_trailer": h2_seed(SERVER_START, h2.frame(h2.HEADERS, h2.END_HEADERS, 1, h2.hpack(RESP)) +
                          h2.frame(h2.DATA, h2.END_STREAM, 1, h2.grpc_msg(b""))),
    "http404": h2_seed(SERVER_START, h2.frame(h2.HEADERS, h2.END_HEADERS | h2.END_STREAM, 1,
                       h2.hpack([(":status", "404"), ("content-type", "text/plain")]))),
    "continuation": h2_seed(SERVER_START, h2.frame(h2.HEADERS, 0, 1, h2.hpack(RESP[:1])) +
                            h2.frame(h2.CONTINUATION, h2.END_HEADERS, 1, h2.hpack(RESP[1:])) +
                            h2.frame(h2.DATA, h2.END_STREAM, 1, h2.grpc_msg(STATUS, claimed=9999))),
    "http1": h2_seed(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", b""),
}

GRPC = {  # fuzz_grpc_frame: flags, status hi/lo, grpc-status, decode size, body
    "ok": bytes([4, 0, 200, 0, 64]) + h2.grpc_msg(STATUS),
    "unavailable": bytes([4, 0, 200, 14, 255]) + b"etcdserver: no leader %E2%9C%93 100%25",
    "compressed": bytes([4, 0, 200, 0, 16]) + h2.grpc_msg(b"xx", compressed=1),
    "truncated": bytes([4, 0, 200, 0, 8]) + h2.grpc_msg(b"abc", claimed=100),
    "huge": bytes([4, 0, 200, 0, 8]) + b"\x00\xff\xff\xff\xff",
    "rst": bytes([8 * 7, 0, 0, 255, 3]) + b"",
    "nostatus": bytes([4, 0, 200, 255, 1]) + b"%",
}

THRESH = ["latency=0.5", "db_pct=80:,cert_days=30:", "@10:20", "~:10", "10:", "members=3:5",
          "apply_lag=none,latency=", "latency=1e3", "cert_days=-5:0x10", "db_pct=@~:95.5"]
ENDPOINTS = ["https://127.0.150.1:2379", "http://127.0.150.1:23791", "127.0.150.2:2379",
             "[::1]:2379", "https://[fe80::1%25lo]:2379", "https://etcd-1.example:2379",
             "https://127.0.150.1:2379,https://127.0.150.2:2379,,127.0.150.3:2379",
             "unix:///tmp/etcd.sock", "https://127.0.150.1:99999", "https://user@127.0.150.1:2379/x"]

UTF8 = [b"plain ascii", b"\xff\xfe", "ok \u2713".encode(), b"cut \xe2\x9c", "\u00e9t\u00e9".encode(),
        b"\xc0\xaf", b"\xe0\x80\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", "\U0001F600".encode(),
        b"\xf0\x9f\x98", b"\x80\xbf", b"a\x01\x7f\"\\", b"a\x00\xff"]


def c_literals(path):
    # The C string literals of a unit test file (adjacent literals joined), decoded.
    try:
        src = open(path, encoding="utf-8").read()
    except OSError:
        return []
    out = []
    for m in re.finditer(r'((?:"(?:[^"\\\n]|\\.)*"\s*)+)', src):
        parts = re.findall(r'"((?:[^"\\\n]|\\.)*)"', m.group(1))
        s = "".join(parts)
        try:
            s = s.encode("latin-1", "backslashreplace").decode("unicode_escape")
        except UnicodeDecodeError:
            continue
        if len(s) >= 12:
            out.append(s.encode("utf-8", "surrogateescape"))
    return out


def prom_seeds(unit):
    # The exposition lines of test_prom_text.c, and the real /metrics of etcd 3.4 and 3.5 in
    # pieces of whole lines under run.sh's -max_len (64 KiB), each family kept whole.
    seeds = [t for t in c_literals(os.path.join(unit, "test_prom_text.c")) if b" " in t]
    data = os.path.join(unit, "data")
    for name in sorted(os.listdir(data)) if os.path.isdir(data) else []:
        if not name.startswith("metrics-"):
            continue
        piece = b""
        for block in re.split(rb"(?m)^(?=# HELP )", open(os.path.join(data, name), "rb").read()):
            if len(piece) + len(block) > 60000 and piece:
                seeds.append(piece)
                piece = b""
            piece += block[:60000]
        if piece:
            seeds.append(piece)
    return seeds


def http1_seeds(unit):
    # The responses of test_http1.c, and the real /metrics of etcd 3.5 as Go's net/http sends it
    # from a metrics listener: chunked, and with a Content-Length.
    seeds = [t for t in c_literals(os.path.join(unit, "test_http1.c")) if t.startswith(b"HTTP/")]
    with open(os.path.join(unit, "data", "metrics-3.5.16.txt"), "rb") as f:
        body = f.read()[:6000]
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n"
    seeds.append(head + b"Transfer-Encoding: chunked\r\n\r\n" + b"".join(
        b"%x\r\n" % len(body[i:i + 2048]) + body[i:i + 2048] + b"\r\n"
        for i in range(0, len(body), 2048)) + b"0\r\n\r\n")
    seeds.append(head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
    return seeds


def history_seeds(unit):
    # The state-file texts of test_history.c, and one whole file as history_format writes it
    # (a member with both histograms, two peers and a ring; another member with little).
    import json
    seeds = [t for t in c_literals(os.path.join(unit, "test_history.c")) if b"{" in t]

    def hist(base, n, fast, slow):
        le = [base * 2 ** k for k in range(n)]
        return {"le": le, "cum": [fast + (slow if k >= n // 2 else 0) for k in range(n)],
                "inf": fast + slow, "sum": fast * base + slow * le[n // 2], "count": fast + slow}

    rec = {"cluster_id": "cdef0123456789ab", "member_id": "8e9e05c52164694d",
           "time": 1800000300.125, "start_time": 1799996400.5,
           "counters": {"leader_changes": 2, "proposals_failed": 0, "slow_applies": 4,
                        "heartbeat_failures": 1},
           "histograms": {"wal_fsync": hist(0.001, 14, 1000, 100),
                          "backend_commit": hist(0.001, 14, 1000, 0)},
           "peers": [{"id": "1111", "rtt": hist(0.0001, 16, 100, 0)},
                     {"id": "2222", "rtt": hist(0.0001, 16, 100, 5)}],
           "ring": [{"t": 1800000000 + 60 * i, "leader_changes": i // 2, "proposals_failed": 0}
                    for i in range(6)]}
    small = {"cluster_id": "cdef0123456789ab", "member_id": "1", "time": 1800000000.0,
             "counters": {}, "histograms": {}, "peers": [], "ring": [{"t": 1800000000.0}]}
    doc = {"format": "etcd-probe-state", "version": 1, "records": [rec, small]}
    seeds.append(json.dumps(doc, separators=(",", ":")).encode())
    return seeds


def write(outdir, target, items):
    d = os.path.join(outdir, target)
    os.makedirs(d, exist_ok=True)
    for name, data in items:
        with open(os.path.join(d, "seed-" + name), "wb") as f:
            f.write(data)


def main():
    out = sys.argv[1]
    unit = os.path.join(HERE, "..", "unit")
    write(out, "h2_client", H2.items())
    write(out, "grpc_frame", GRPC.items())
    # every decoder gets every message: a Status fed to the MemberList decoder is a good seed
    for target in RPC_TARGETS:
        write(out, target, PB.items())
    write(out, "sanitize", [(str(i), bytes([cap]) + t) for i, (cap, t) in enumerate(SANITIZE)])
    write(out, "thresholds", [(str(i), t.encode()) for i, t in enumerate(THRESH)])
    write(out, "endpoint", [(str(i), t.encode()) for i, t in enumerate(ENDPOINTS)])
    write(out, "utf8", [(str(i), t) for i, t in enumerate(UTF8)])
    logs = c_literals(os.path.join(unit, "test_classify.c"))
    write(out, "classify", [(str(i), b"\x06" + t) for i, t in enumerate(logs)])
    # log-file lines of every shape: byte 0 picks the clock
    shapes = c_literals(os.path.join(unit, "test_logshape.c"))
    write(out, "logshape", [(str(i), b"\x0b" + t) for i, t in enumerate(shapes)])
    cfgs = c_literals(os.path.join(unit, "test_config.c"))
    write(out, "config", [(str(i), t) for i, t in enumerate(cfgs)])
    write(out, "prom_text", [(str(i), t) for i, t in enumerate(prom_seeds(unit))])
    # the version strings of the advisory tests: rows' edges, suffixes, garbage
    write(out, "advisory", [(str(i), t) for i, t in
                            enumerate(c_literals(os.path.join(unit, "test_advisory.c")))])
    write(out, "history", [(str(i), t) for i, t in enumerate(history_seeds(unit))])
    write(out, "http1", [(str(i), t) for i, t in enumerate(http1_seeds(unit))])


if __name__ == "__main__":
    main()
