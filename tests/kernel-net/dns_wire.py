"""DNS wire format for the test servers (dns_server.py over UDP, dns_tcp_server.py over TCP)."""
import socket
import struct


def question_of(q):
    """(id, name, qtype, question section bytes) of a query message."""
    qid = struct.unpack(">H", q[:2])[0]
    i, labels = 12, []
    while i < len(q) and q[i]:
        labels.append(q[i + 1:i + 1 + q[i]].decode(errors="replace"))
        i += 1 + q[i]
    qtype = struct.unpack(">H", q[i + 1:i + 3])[0] if len(q) >= i + 3 else 0
    return qid, ".".join(labels), qtype, q[12:i + 5]


def reply(qid, question, addrs, found=True):
    """A response with one A record per address (NXDOMAIN when not found)."""
    rr = b"".join(b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton(a) for a in addrs)
    return struct.pack(">HHHHHH", qid, 0x8180 if found else 0x8183, 1, len(addrs), 0, 0) + question + rr
