# hostile_server: a loopback server that misbehaves in one chosen way, for tests/integration/probe_hostile.sh
# (and probe_cluster.sh, on a stopped member's addresses).
#
#   python3 hostile_server.py SCENARIO HOST PORT [CERT KEY [SNI]]
#
# Scenarios: silent, tls-hello-stall, tls-half-flight, http1, tls-h2-http1, tls-no-h2,
# tls-client-cert, and after HTTP/2 setup rst, goaway, flood, flood-nofc, truncated, compressed,
# no-trailer, status14, headers-flood, continuation-block, continuation-flood, trickle,
# tls-garbage, h2-silent (SETTINGS and PING answered, no stream ever: a member whose gRPC
# server is up but whose handlers hang, or a proxy in front of a hung member).
#
# With CERT and KEY it speaks TLS (ALPN h2 unless the scenario says otherwise), else clear text
# (HTTP/2 with prior knowledge, as etcd's http:// listener). HTTP/2 frames are written by hand:
# HPACK "literal without indexing, new name" needs no tables, and requests are never decoded
# (every stream gets the same hostile answer once the client ends it), except by the scenarios
# that play a small etcd (ETCD_LITE), which read the :path. With SNI, a handshake
# that does not ask for that server name is refused (unrecognized_name). One thread per
# connection; the process runs until the test stops it by PID.
import os
import select
import socket
import ssl
import struct
import sys
import threading
import time

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = 0, 1, 3, 4, 6, 7, 8, 9
END_STREAM, END_HEADERS, ACK = 0x1, 0x4, 0x1
MAX_FRAME = 16384  # the client never raises SETTINGS_MAX_FRAME_SIZE
FLOOD_LEN = 16 * 1024 * 1024


def hpack_int(value, prefix_bits, first=0):
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first | value])
    out = [first | limit]
    value -= limit
    while value >= 128:
        out.append((value & 127) | 128)
        value >>= 7
    out.append(value)
    return bytes(out)


def hpack(headers):
    out = b""
    for name, value in headers:
        n, v = name.encode(), value.encode()
        out += b"\x00" + hpack_int(len(n), 7) + n + hpack_int(len(v), 7) + v
    return out


def frame(ftype, flags, sid, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", sid) + payload


def grpc_msg(body, compressed=0, claimed=None):
    return bytes([compressed]) + struct.pack(">I", len(body) if claimed is None else claimed) + body


RESP_HEADERS = [(":status", "200"), ("content-type", "application/grpc")]


# Protobuf by hand, for the scenarios that play a small etcd ("auth-retry"): field numbers from
# etcd's rpc.proto (ETCD_FACTS.md).
def pb_varint(n):
    out = b""
    while True:
        b, n = n & 0x7F, n >> 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def pb_int(num, v):
    return pb_varint(num << 3) + pb_varint(v)


def pb_bytes(num, v):
    v = v.encode() if isinstance(v, str) else v
    return pb_varint(num << 3 | 2) + pb_varint(len(v)) + v


def hpack_module():
    # Debian's python3-hpack (the client's header blocks are compressed); also when python3 on
    # PATH is not Debian's own.
    try:
        import hpack
    except ImportError:
        sys.path.append("/usr/lib/python3/dist-packages")
        import hpack
    return hpack


# The scenarios that play a small etcd: (version, member name) each answers with. "etcd-forged"
# sends strings that would forge a report: a second status line, and perfdata of its own.
# "auth-downgrade" (auth on) lists a second member whose only client URL is http:// on port 23791
# of the same address. "auth-ok" answers Authenticate at once, "auth-learner" always with
# Unavailable (as a learner does), "read-retry" answers its first KV/Range Unavailable "etcdserver:
# leader changed" (a read in flight as the leader changes), "no-leader-once" its first Status
# without a leader (a leader handing over). Every request is logged on stdout with the token it carried.
# "etcd-lite@VERSION" is etcd-lite answering Status with VERSION (e.g. etcd-lite@3.5.1, a release
# the etcd maintainers warn against); main() adds its row.
ETCD_LITE = {
    "etcd-lite": ("3.5.16", "lite"),
    "auth-retry": ("3.5.16", "lite"),
    "read-retry": ("3.5.16", "lite"),
    "no-leader-once": ("3.5.16", "lite"),
    "auth-downgrade": ("3.5.16", "lite"),
    "auth-ok": ("3.5.16", "lite-ok"),
    "auth-learner": ("3.5.16", "lite-learner"),
    "etcd-forged": ("3.4\nETCD OK - fake", "evil|'x'=1;;;; \x1b[2J"),
    "metrics-stall": ("3.5.16", "lite"),
    "metrics-huge": ("3.5.16", "lite"),
    "metrics-garbage": ("3.5.16", "lite"),
    "metrics-hostile": ("3.5.16", "lite"),
    "metrics-404": ("3.5.16", "lite"),
    "metrics-cut": ("3.5.16", "lite"),
    "metrics-nonl": ("3.5.16", "lite"),
}
# GET /metrics of the etcd-like scenarios: a small real-looking text (an 8 GiB quota, a DB, a
# WAL fsync histogram); "metrics-stall" never answers it, "metrics-huge" sends 9 MiB,
# "metrics-garbage" binary bytes and forged report lines, "metrics-hostile" well-formed lines
# with values and labels meant to break a reader (NaN/Inf, negative and falling counts, 200
# peers, quotes and escapes), "metrics-404" a 404, "metrics-cut" half the text and then
# RST_STREAM (INTERNAL_ERROR), "metrics-nonl" the text cut in its last line.
METRICS_OK = (
    "# HELP etcd_server_quota_backend_bytes Current backend storage quota size in bytes.\n"
    "# TYPE etcd_server_quota_backend_bytes gauge\n"
    "etcd_server_quota_backend_bytes 8.589934592e+09\n"
    "etcd_mvcc_db_total_size_in_bytes 20480\n"
    "etcd_mvcc_db_total_size_in_use_in_bytes 16384\n"
    "process_start_time_seconds 1.7e+09\n"
    "etcd_server_leader_changes_seen_total 1\n"
    "# TYPE etcd_disk_wal_fsync_duration_seconds histogram\n"
    + "".join('etcd_disk_wal_fsync_duration_seconds_bucket{le="%g"} 20\n' % (0.001 * 2 ** i)
              for i in range(14))
    + 'etcd_disk_wal_fsync_duration_seconds_bucket{le="+Inf"} 20\n'
    "etcd_disk_wal_fsync_duration_seconds_sum 0.5\n"
    "etcd_disk_wal_fsync_duration_seconds_count 20\n").encode()
METRICS_HOSTILE = (
    "etcd_server_quota_backend_bytes NaN\n"
    "etcd_mvcc_db_total_size_in_bytes +Inf\n"
    "etcd_server_leader_changes_seen_total -5\n"
    "etcd_server_proposals_pending 1e308\n"
    'etcd_disk_wal_fsync_duration_seconds_bucket{le="0.001"} 9\n'
    'etcd_disk_wal_fsync_duration_seconds_bucket{le="0.002"} 3\n'
    'etcd_disk_wal_fsync_duration_seconds_bucket{le="NaN"} 3\n'
    'etcd_disk_wal_fsync_duration_seconds_bucket{le="+Inf"} -1\n'
    "etcd_disk_wal_fsync_duration_seconds_sum NaN\n"
    "etcd_disk_wal_fsync_duration_seconds_count 1e400\n"
    + "".join('etcd_network_peer_round_trip_time_seconds_bucket{To="%x",le="+Inf"} 1\n'
              'etcd_network_peer_round_trip_time_seconds_bucket{To="%x",le="0.0001"} 1\n' % (i + 1, i + 1)
              for i in range(200))
    + 'etcd_network_peer_round_trip_time_seconds_bucket{To="\\"\\n|\\\\",le="+Inf"} 1\n'
    'etcd_server_has_leader{x="\\q"} 1\n').encode()
METRICS_GARBAGE = b"\x00\xff\xfe garbage\nETCD OK - forged | 'x'=1\n\x1b[2J" * 100
MEMBER_ID = 0x1111
RESP_HEADER = pb_bytes(1, pb_int(1, 0xC1) + pb_int(2, MEMBER_ID) + pb_int(3, 7) + pb_int(4, 2))
TOKEN = "tok.EtcdLite.1"
# Authenticate calls answered so far by this server process (all connections).
AUTH_CALLS = [0]
AUTH_LOCK = threading.Lock()
READ_CALLS = [0]
STATUS_CALLS = [0]


def first_read():
    with AUTH_LOCK:
        READ_CALLS[0] += 1
        return READ_CALLS[0] == 1


def first_status():
    with AUTH_LOCK:
        STATUS_CALLS[0] += 1
        return STATUS_CALLS[0] == 1


class Conn:
    def __init__(self, sock, scenario):
        self.sock, self.scenario = sock, scenario
        self.conn_window = 65535
        self.init_window = 65535
        self.windows = {}
        self.reset = set()
        self.ended = []  # requests the client finished, not yet answered
        self.headers = {}  # stream id -> request header fields (etcd-like scenarios only)
        self.bodiless = set()  # requests that ended with their HEADERS
        self.hpack = None
        if scenario in ETCD_LITE:
            self.hpack = hpack_module().Decoder()

    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise EOFError
            buf += chunk
        return buf

    def readable(self, timeout):
        if isinstance(self.sock, ssl.SSLSocket) and self.sock.pending():
            return True
        return bool(select.select([self.sock], [], [], timeout)[0])

    def read_frame(self):
        hdr = self.recv_exact(9)
        length = int.from_bytes(hdr[0:3], "big")
        ftype, flags = hdr[3], hdr[4]
        sid = int.from_bytes(hdr[5:9], "big") & 0x7FFFFFFF
        payload = self.recv_exact(length) if length else b""
        return ftype, flags, sid, payload

    def send(self, data):
        self.sock.sendall(data)

    # Handles one client frame; returns the stream id of a request that just ended, else None.
    def handle(self, ftype, flags, sid, payload):
        if ftype == SETTINGS and not flags & ACK:
            for i in range(0, len(payload) - 5, 6):
                ident, val = struct.unpack(">HI", payload[i:i + 6])
                if ident == 4:
                    for s in self.windows:
                        self.windows[s] += val - self.init_window
                    self.init_window = val
            self.send(frame(SETTINGS, ACK, 0))
        elif ftype == WINDOW_UPDATE:
            inc = struct.unpack(">I", payload)[0] & 0x7FFFFFFF
            if sid == 0:
                self.conn_window += inc
            elif sid in self.windows:
                self.windows[sid] += inc
        elif ftype == RST_STREAM:
            self.reset.add(sid)
        elif ftype == PING and not flags & ACK:
            self.send(frame(PING, ACK, 0, payload))
        elif ftype == HEADERS:
            self.windows.setdefault(sid, self.init_window)
            if self.hpack is not None:
                pad = payload[0] if flags & 0x8 else 0
                block = payload[(1 if flags & 0x8 else 0) + (5 if flags & 0x20 else 0):]
                self.headers[sid] = dict(self.hpack.decode(block[:len(block) - pad]))
            if flags & END_STREAM:
                self.bodiless.add(sid)  # a GET (the probe's /metrics), no gRPC call
                return sid
        elif ftype == DATA and flags & END_STREAM:
            return sid
        return None

    # Reads and handles frames until one request ends; returns its stream id.
    def next_request(self):
        while not self.ended:
            self.take(*self.read_frame())
        return self.ended.pop(0)

    def take(self, *f):
        sid = self.handle(*f)
        if sid is not None:
            self.ended.append(sid)

    # Handles whatever the client sent meanwhile, without waiting.
    def pump(self):
        while self.readable(0):
            self.take(*self.read_frame())

    # Sends body as DATA frames on sid, honouring the client's flow-control windows when fc.
    def send_data(self, sid, body, fc=True, end=False):
        off = 0
        while off < len(body):
            if sid in self.reset:
                return
            n = min(MAX_FRAME, len(body) - off)
            if fc:
                n = min(n, self.conn_window, self.windows.get(sid, 0))
                if n <= 0:
                    if self.readable(1.0):
                        self.pump()
                    continue
                self.conn_window -= n
                self.windows[sid] -= n
            last = end and off + n == len(body)
            self.send(frame(DATA, END_STREAM if last else 0, sid, body[off:off + n]))
            off += n
            if self.readable(0):
                self.pump()

    # A trailers-only gRPC error, as etcd sends one.
    def grpc_error(self, sid, code, msg):
        self.send(frame(HEADERS, END_HEADERS | END_STREAM, sid,
                        hpack(RESP_HEADERS + [("grpc-status", str(code)), ("grpc-message", msg)])))

    def grpc_ok(self, sid, body):
        self.send(frame(HEADERS, END_HEADERS, sid, hpack(RESP_HEADERS)))
        self.send(frame(DATA, 0, sid, grpc_msg(body)))
        self.send(frame(HEADERS, END_HEADERS | END_STREAM, sid, hpack([("grpc-status", "0")])))

    # A one-member etcd. "auth-retry": auth is on, the first Authenticate answers Unavailable
    # (a leader election in progress) and the next one a token; every other call wants it.
    def answer_etcd_lite(self, sid):
        h = self.headers.pop(sid, {})
        path = h.get(":path", "")
        print("%s %s token=%s" % (self.url, path, h.get("token", "none")), flush=True)
        auth = self.scenario.startswith("auth-")
        if path == "/etcdserverpb.Auth/Authenticate":
            with AUTH_LOCK:
                AUTH_CALLS[0] += 1
                first = AUTH_CALLS[0] == 1
            if self.scenario == "auth-learner":
                self.grpc_error(sid, 14, "etcdserver: rpc not supported for learner")
            elif first and self.scenario == "auth-retry":
                self.grpc_error(sid, 14, "etcdserver: leader changed")
            else:
                self.grpc_ok(sid, RESP_HEADER + pb_bytes(2, TOKEN))
        elif auth and h.get("token") != TOKEN:
            self.grpc_error(sid, 3, "etcdserver: user name is empty")
        elif path == "/etcdserverpb.Maintenance/Status":
            # no leader (field 4 absent) in the first answer of no-leader-once: a leader handing over
            leader = b"" if self.scenario == "no-leader-once" and first_status() else pb_int(4, MEMBER_ID)
            self.grpc_ok(sid, RESP_HEADER + pb_bytes(2, ETCD_LITE[self.scenario][0]) + pb_int(3, 20480) +
                         leader + pb_int(5, 7) + pb_int(6, 2) + pb_int(7, 7) +
                         pb_int(9, 16384))
        elif path == "/etcdserverpb.Cluster/MemberList":
            member = pb_int(1, MEMBER_ID) + pb_bytes(2, ETCD_LITE[self.scenario][1]) + \
                pb_bytes(4, self.url)
            members = pb_bytes(2, member)
            if self.scenario == "auth-downgrade":
                plain = "http://%s:23791" % self.url.split("//")[1].rsplit(":", 1)[0]
                members += pb_bytes(2, pb_int(1, 0x2222) + pb_bytes(2, "plain") + pb_bytes(4, plain))
            self.grpc_ok(sid, RESP_HEADER + members)
        elif path == "/etcdserverpb.KV/Range" and self.scenario == "read-retry" and first_read():
            # a read in flight while the leader changes (etcd's ErrLeaderChanged)
            self.grpc_error(sid, 14, "etcdserver: leader changed")
        elif path in ("/etcdserverpb.KV/Range", "/etcdserverpb.Maintenance/Alarm"):
            self.grpc_ok(sid, RESP_HEADER)
        elif path == "/metrics" and h.get(":method") == "GET":
            self.answer_metrics(sid)
        else:
            self.grpc_error(sid, 12, "unknown method " + path)

    def answer_metrics(self, sid):
        sc = self.scenario
        if sc == "metrics-stall":
            return
        if sc == "metrics-cut":
            self.send(frame(HEADERS, END_HEADERS, sid, hpack([(":status", "200")])))
            self.send_data(sid, METRICS_OK[:len(METRICS_OK) // 2])
            self.send(frame(RST_STREAM, 0, sid, struct.pack(">I", 2)))
            return
        status = "404" if sc == "metrics-404" else "200"
        self.send(frame(HEADERS, END_HEADERS, sid,
                        hpack([(":status", status), ("content-type", "text/plain; version=0.0.4")])))
        body = {"metrics-huge": b"etcd_server_has_leader 1\n" * (9 * 1024 * 1024 // 25 + 1),
                "metrics-garbage": METRICS_GARBAGE, "metrics-hostile": METRICS_HOSTILE,
                "metrics-404": b"404 page not found\n",
                "metrics-nonl": METRICS_OK[:-3]}.get(sc, METRICS_OK)
        self.send_data(sid, body, end=True)

    def answer(self, sid):
        sc = self.scenario
        ok_trailers = hpack([("grpc-status", "0")])
        if self.hpack is not None:
            self.answer_etcd_lite(sid)
        elif sc == "garbage-ok":
            # grpc-status 0 on bytes that are no protobuf message at all (not etcd)
            self.grpc_ok(sid, b"\xff\xff\xff\xff")
        elif sc == "rst":
            self.send(frame(RST_STREAM, 0, sid, struct.pack(">I", 7)))  # REFUSED_STREAM
        elif sc == "goaway":
            self.send(frame(GOAWAY, 0, 0, struct.pack(">II", 0, 11) + b"too_many_pings"))
            time.sleep(0.2)
            raise EOFError
        elif sc in ("flood", "flood-nofc"):
            self.send(frame(HEADERS, END_HEADERS, sid, hpack(RESP_HEADERS)))
            self.send_data(sid, grpc_msg(b"\x0a" * FLOOD_LEN), fc=(sc == "flood"))
            if sid not in self.reset:
                self.send(frame(HEADERS, END_HEADERS | END_STREAM, sid, ok_trailers))
        elif sc == "truncated":
            self.send(frame(HEADERS, END_HEADERS, sid, hpack(RESP_HEADERS)))
            self.send(frame(DATA, 0, sid, grpc_msg(b"\x0a\x02\x08\x01", claimed=100)))
            self.send(frame(HEADERS, END_HEADERS | END_STREAM, sid, ok_trailers))
        elif sc == "compressed":
            self.send(frame(HEADERS, END_HEADERS, sid, hpack(RESP_HEADERS)))
            self.send(frame(DATA, 0, sid, grpc_msg(b"\x1f\x8b\x08\x00", compressed=1)))
            self.send(frame(HEADERS, END_HEADERS | END_STREAM, sid, ok_trailers))
        elif sc == "no-trailer":
            self.send(frame(HEADERS, END_HEADERS, sid, hpack(RESP_HEADERS)))
            self.send(frame(DATA, END_STREAM, sid, grpc_msg(b"")))
        elif sc == "status14":
            # trailers-only, as etcd answers an Unavailable call
            msg = "etcdserver: request timed out, 100%25 sure %E2%9C%93"
            self.send(frame(HEADERS, END_HEADERS | END_STREAM, sid,
                            hpack(RESP_HEADERS + [("grpc-status", "14"), ("grpc-message", msg)])))
        elif sc == "badutf8":
            # trailers-only Unavailable whose percent-encoded grpc-message decodes to bytes that
            # are not UTF-8 (0xFF 0xFE): they must not make --format=json unparsable
            self.send(frame(HEADERS, END_HEADERS | END_STREAM, sid,
                            hpack(RESP_HEADERS + [("grpc-status", "14"), ("grpc-message", "%FF%FE")])))
        elif sc == "headers-flood":
            # 1200 header fields in one HEADERS frame (about 16 KiB)
            block = hpack(RESP_HEADERS + [("x-f%d" % i, "y") for i in range(1200)])
            self.send(frame(HEADERS, END_HEADERS, sid, block[:MAX_FRAME]))
            self.send(frame(DATA, 0, sid, grpc_msg(b"")))
            self.send(frame(HEADERS, END_HEADERS | END_STREAM, sid, ok_trailers))
        elif sc == "continuation-block":
            # 5000 header fields in one block spread over ~14 CONTINUATION frames (~230 KiB)
            block = hpack(RESP_HEADERS + [("x-flood-%05d" % i, "y" * 32) for i in range(5000)])
            first, rest = block[:MAX_FRAME], block[MAX_FRAME:]
            self.send(frame(HEADERS, 0, sid, first))
            while rest:
                chunk, rest = rest[:MAX_FRAME], rest[MAX_FRAME:]
                self.send(frame(CONTINUATION, 0 if rest else END_HEADERS, sid, chunk))
            self.send(frame(HEADERS, END_HEADERS | END_STREAM, sid, ok_trailers))
        elif sc == "trickle" and sid in self.bodiless:
            # the GET of /metrics: a plain 404, so that a gRPC call is the one trickled
            self.send(frame(HEADERS, END_HEADERS | END_STREAM, sid, hpack([(":status", "404")])))
        elif sc == "trickle":
            # a response that never ends: one byte of DATA every 50 ms (slowloris, inbound)
            self.send(frame(HEADERS, END_HEADERS, sid, hpack(RESP_HEADERS)))
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and sid not in self.reset:
                self.send(frame(DATA, 0, sid, b"\x00"))
                time.sleep(0.05)
                if self.readable(0):
                    self.pump()
            raise EOFError
        elif sc == "tls-garbage":
            # bytes that are no TLS record, straight onto the TCP stream once TLS and HTTP/2
            # are up: the client's TLS layer fails mid-stream, not in the handshake
            os.write(self.sock.fileno(), b"garbage, not a TLS record\r\n" * 4)
            time.sleep(0.5)
            raise EOFError
        elif sc == "h2-silent":
            pass  # the request is taken and never answered; the connection stays up
        elif sc == "continuation-flood":
            # a header block that never ends: CONTINUATION frames until the client goes away
            self.send(frame(HEADERS, 0, sid, hpack(RESP_HEADERS)))
            deadline = time.monotonic() + 10
            i = 0
            while time.monotonic() < deadline:
                self.send(frame(CONTINUATION, 0, sid, hpack([("x-more-%d" % i, "z" * 100)] * 100)))
                i += 1
                if self.readable(0):
                    self.pump()
            raise EOFError

    def serve_h2(self):
        if self.recv_exact(len(PREFACE)) != PREFACE:
            return
        self.send(frame(SETTINGS, 0, 0))
        while True:
            self.answer(self.next_request())


def hold(sock):
    # Keeps the connection open without a byte until the peer leaves (bounded at 60 s).
    sock.settimeout(60)
    try:
        while sock.recv(4096):
            pass
    except OSError:
        pass


# A plain HTTP/1.1 /metrics listener (what --listen-metrics-urls serves) that misbehaves:
# "h1-ok" answers METRICS_OK chunked as Go does, "h1-chunk-bad" with a broken chunk size,
# "h1-short" claims more bytes than it sends, "h1-huge" streams 9 MiB, "h1-stall" sends its
# headers and then nothing.
def serve_h1_metrics(sock, scenario):
    sock.recv(65536)
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n"
    if scenario == "h1-ok":
        sock.sendall(head + b"Transfer-Encoding: chunked\r\n\r\n" +
                     b"%x\r\n" % len(METRICS_OK) + METRICS_OK + b"\r\n0\r\n\r\n")
    elif scenario == "h1-chunk-bad":
        sock.sendall(head + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n" + METRICS_OK)
    elif scenario == "h1-short":
        sock.sendall(head + b"Content-Length: 100000\r\n\r\n" + METRICS_OK[:100])
    elif scenario == "h1-huge":
        sock.sendall(head + b"\r\n")
        line = b"etcd_server_has_leader 1\n" * 4096
        for _ in range(9 * 1024 * 1024 // len(line) + 1):
            sock.sendall(line)
    elif scenario == "h1-stall":
        sock.sendall(head + b"Content-Length: 10\r\n\r\n")
        hold(sock)
        return
    sock.close()


def serve(raw, scenario, ctx):
    try:
        raw.settimeout(30)
        if scenario == "silent":
            hold(raw)
            return
        if scenario == "tls-hello-stall":
            raw.recv(16384)  # the ClientHello, never answered
            hold(raw)
            return
        if scenario == "tls-half-flight":
            # a real ServerHello flight, cut after its first 60 bytes
            inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
            obj = ctx.wrap_bio(inc, out, server_side=True)
            inc.write(raw.recv(16384))
            try:
                obj.do_handshake()
            except ssl.SSLWantReadError:
                pass
            raw.sendall(out.read()[:60])
            hold(raw)
            return
        sock = ctx.wrap_socket(raw, server_side=True) if ctx else raw
        if scenario in ("http1", "tls-h2-http1"):
            sock.recv(65536)
            sock.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n"
                         b"Content-Length: 11\r\nConnection: close\r\n\r\nbad request")
            hold(sock)
            return
        if scenario == "tls-no-h2":
            sock.recv(65536)
            hold(sock)
            return
        if scenario.startswith("h1-"):
            serve_h1_metrics(sock, scenario)
            return
        c = Conn(sock, scenario)
        host, port = sock.getsockname()[:2]
        c.url = "%s://%s:%d" % ("https" if ctx else "http", host, port)
        c.serve_h2()
    except (EOFError, OSError, ssl.SSLError):
        pass
    finally:
        try:
            raw.close()
        except OSError:
            pass


def main():
    scenario, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if scenario.startswith("etcd-lite@"):
        ETCD_LITE[scenario] = (scenario.split("@", 1)[1], "lite")
    ctx = None
    if len(sys.argv) > 5:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[4], sys.argv[5])
        if scenario == "tls-no-h2":
            ctx.set_alpn_protocols(["http/1.1"])  # no overlap: the handshake ends without ALPN
        else:
            ctx.set_alpn_protocols(["h2"])
        if scenario == "tls-client-cert":
            # demands a client certificate (trusting only its own): a client without one gets
            # the alert after its side of a TLS 1.3 handshake, as from etcd --client-cert-auth
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(sys.argv[4])
        if len(sys.argv) > 6:
            want = sys.argv[6]
            ctx.sni_callback = lambda _s, name, _c: None if name == want else \
                ssl.ALERT_DESCRIPTION_UNRECOGNIZED_NAME
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, port))
    srv.listen(64)
    while True:
        raw, _ = srv.accept()
        threading.Thread(target=serve, args=(raw, scenario, ctx), daemon=True).start()


if __name__ == "__main__":
    main()
