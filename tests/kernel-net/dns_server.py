#!/usr/bin/env python3
"""A tiny authoritative DNS server for the kernel tests: answers A queries for the names given
on the command line (NAME=ADDR ...) and NXDOMAIN for the rest. usage: dns_server.py BIND_ADDR NAME=ADDR..."""
import socket
import sys

from dns_wire import question_of, reply

bind, table = sys.argv[1], dict(a.split("=", 1) for a in sys.argv[2:])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((bind, 53))
print("ready", flush=True)
while True:
    q, peer = s.recvfrom(1500)
    if len(q) < 12:
        continue
    qid, name, _, question = question_of(q)
    if name in table:
        s.sendto(reply(qid, question, [table[name]]), peer)
    else:
        s.sendto(reply(qid, question, [], found=False), peer)
