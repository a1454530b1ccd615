# capture: records what a real etcd sends back to an HTTP/2 gRPC client, as seeds for
# fuzz_h2_client (the server's bytes, split after its first SETTINGS) and the fuzz_rpc_* decoder
# targets (the protobuf messages inside its DATA frames, shared by all of them). Writes into
# OUTDIR/h2_client/ and OUTDIR/rpc/.
#
#   python3 tests/fuzz/capture.py OUTDIR NAME URL CACERT CERT KEY    (https:// member)
#   python3 tests/fuzz/capture.py OUTDIR NAME URL                    (http:// listener)
#
# The requests are the ones fuzz_h2_client opens, in its order and on its stream IDs: 1 Status,
# 3 Range{key "health"}, 5 Alarm GET; NAME=errors sends a Range without key (InvalidArgument) and
# an unknown method (Unimplemented) instead; NAME=members a keys_only Range and MemberList. Used once by hand against tests/lib/cluster.sh's
# members; the results are committed under tests/fuzz/captured/.
import os
import socket
import ssl
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "hostile"))
import hostile_server as h2  # noqa: E402

CALLS = {
    "ok": [("/etcdserverpb.Maintenance/Status", b""),
           ("/etcdserverpb.KV/Range", b"\x0a\x06health"),
           ("/etcdserverpb.Maintenance/Alarm", b"")],
    "errors": [("/etcdserverpb.Maintenance/Status", b""),
               ("/etcdserverpb.KV/Range", b""),
               ("/etcdserverpb.Maintenance/NoSuchMethod", b"")],
    "members": [("/etcdserverpb.Maintenance/Status", b""),
                ("/etcdserverpb.KV/Range", b"\x0a\x06health\x40\x01"),
                ("/etcdserverpb.Cluster/MemberList", b"")],
}


def frames(buf):
    off = 0
    while off + 9 <= len(buf):
        n = int.from_bytes(buf[off:off + 3], "big")
        yield off, buf[off + 3], buf[off + 4], int.from_bytes(buf[off + 5:off + 9], "big") & 0x7FFFFFFF, \
            buf[off + 9:off + 9 + n]
        off += 9 + n


def main():
    out, name, url = sys.argv[1], sys.argv[2], sys.argv[3]
    scheme, rest = url.split("://")
    host, port = rest.rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=5)
    if scheme == "https":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(sys.argv[4])
        ctx.load_cert_chain(sys.argv[5], sys.argv[6])
        ctx.set_alpn_protocols(["h2"])
        sock = ctx.wrap_socket(sock, server_hostname=host)
    req = h2.PREFACE + h2.frame(h2.SETTINGS, 0, 0)
    for i, (path, msg) in enumerate(CALLS[name]):
        sid = 1 + 2 * i
        hdrs = [(":method", "POST"), (":scheme", scheme), (":path", path),
                (":authority", rest), ("content-type", "application/grpc"), ("te", "trailers")]
        req += h2.frame(h2.HEADERS, h2.END_HEADERS, sid, h2.hpack(hdrs))
        req += h2.frame(h2.DATA, h2.END_STREAM, sid, h2.grpc_msg(msg))
    sock.sendall(req)
    got = b""
    ended = set()
    deadline = time.monotonic() + 3
    while len(ended) < len(CALLS[name]) and time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        got += chunk
        ended = {sid for _, t, fl, sid, _ in frames(got) if sid and t in (h2.HEADERS, h2.DATA) and fl & h2.END_STREAM}
    sock.close()
    # Split after the server's first SETTINGS: fuzz_h2_client opens its calls there.
    split = len(got)
    for off, t, fl, sid, payload in frames(got):
        if t == h2.SETTINGS and not fl & h2.ACK:
            split = off + 9 + len(payload)
            break
    os.makedirs(os.path.join(out, "h2_client"), exist_ok=True)
    with open(os.path.join(out, "h2_client", "etcd-%s-%s" % (scheme, name)), "wb") as f:
        f.write(struct.pack(">H", split) + got)
    os.makedirs(os.path.join(out, "rpc"), exist_ok=True)
    for _, t, _, sid, payload in frames(got):
        if t == h2.DATA and len(payload) >= 5:
            with open(os.path.join(out, "rpc", "etcd-%s-%s-stream%d" % (scheme, name, sid)), "wb") as f:
                f.write(payload[5:])
    print("captured %d bytes (%d before the calls), %d streams ended" % (len(got), split, len(ended)))


if __name__ == "__main__":
    main()
