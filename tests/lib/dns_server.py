# dns_server: a tiny UDP name server on a loopback address, for tests that point a private
# /etc/resolv.conf at it (tests/integration/probe_names.sh).
#
#   python3 dns_server.py IP PORT answer NAME=IPV4 [NAME=IPV4 ...]
#   python3 dns_server.py IP PORT silent
#
# "answer": A queries for a NAME get its address, other types of a known NAME get an empty answer
# (NODATA), unknown names NXDOMAIN. "silent": reads every query and never answers (a name server
# that is down behind a firewall that drops). Runs until the test stops it by PID.
import socket
import struct
import sys

QTYPE_A, QCLASS_IN = 1, 1


def parse_question(msg):
    # Returns (name, qtype, end offset of the question) of the first question.
    off, labels = 12, []
    while True:
        n = msg[off]
        off += 1
        if n == 0:
            break
        if n & 0xC0 or off + n > len(msg):
            raise ValueError("compressed or truncated name in a query")
        labels.append(msg[off:off + n].decode("ascii", "replace").lower())
        off += n
    qtype, _ = struct.unpack(">HH", msg[off:off + 4])
    return ".".join(labels), qtype, off + 4


def reply(msg, names):
    qid, flags = struct.unpack(">HH", msg[:4])
    name, qtype, qend = parse_question(msg)
    rd = flags & 0x0100
    answers = b""
    if name not in names:
        rcode, count = 3, 0  # NXDOMAIN
    elif qtype == QTYPE_A:
        rcode, count = 0, 1
        # the name as a pointer to the question (offset 12), TTL 5 s
        answers = struct.pack(">HHHIH", 0xC00C, QTYPE_A, QCLASS_IN, 5, 4) + socket.inet_aton(names[name])
    else:
        rcode, count = 0, 0  # NODATA
    head = struct.pack(">HHHHHH", qid, 0x8000 | 0x0400 | rd | 0x0080 | rcode, 1, count, 0, 0)
    return head + msg[12:qend] + answers


def main():
    ip, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    names = dict(a.split("=", 1) for a in sys.argv[4:])
    names = {k.lower().rstrip("."): v for k, v in names.items()}
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((ip, port))
    while True:
        msg, peer = sock.recvfrom(4096)
        if mode == "silent" or len(msg) < 17:
            continue
        try:
            sock.sendto(reply(msg, names), peer)
        except (ValueError, IndexError, struct.error):
            pass


if __name__ == "__main__":
    main()
