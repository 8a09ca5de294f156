#!/usr/bin/env python3
"""A tiny authoritative DNS server for the kernel tests: answers A queries for the names given
on the command line (NAME=ADDR ...) and NXDOMAIN for the rest. usage: dns_server.py BIND_ADDR NAME=ADDR..."""
import socket
import struct
import sys

bind, table = sys.argv[1], dict(a.split("=", 1) for a in sys.argv[2:])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((bind, 53))
print("ready", flush=True)
while True:
    q, peer = s.recvfrom(1500)
    if len(q) < 12:
        continue
    qid = struct.unpack(">H", q[:2])[0]
    i, labels = 12, []
    while i < len(q) and q[i]:
        labels.append(q[i + 1:i + 1 + q[i]].decode(errors="replace"))
        i += 1 + q[i]
    question = q[12:i + 5]
    name = ".".join(labels)
    if name in table:
        answer = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton(table[name])
        s.sendto(struct.pack(">HHHHHH", qid, 0x8180, 1, 1, 0, 0) + question + answer, peer)
    else:
        s.sendto(struct.pack(">HHHHHH", qid, 0x8183, 1, 0, 0, 0) + question, peer)
