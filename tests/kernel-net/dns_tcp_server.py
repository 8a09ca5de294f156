#!/usr/bin/env python3
"""A tiny DNS-over-TCP server for the kernel test of TCP DNS (dns_tcp.py): length-prefixed
messages (RFC 1035 4.2.2), several per connection. A queries of the names given (NAME=ADDR[,ADDR...])
get every address; AAAA and unknown names get no answer (NOERROR / NXDOMAIN). All answers to the
queries that arrived together are written in one send (one segment), except for names starting
with "split": their answer's length goes out first, the message 50 ms later (two segments).
usage: dns_tcp_server.py BIND_ADDR NAME=ADDR[,ADDR]..."""
import socket
import struct
import sys
import threading
import time

from dns_wire import question_of, reply

bind = sys.argv[1]
table = {k: v.split(",") for k, v in (a.split("=", 1) for a in sys.argv[2:])}


def answer(q):
    qid, name, qtype, question = question_of(q)
    if name not in table:
        return name, reply(qid, question, [], found=False)
    return name, reply(qid, question, table[name] if qtype == 1 else [])


def serve(conn):
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buf = b""
    with conn:
        while True:
            data = conn.recv(65536)
            if not data:
                return
            buf += data
            out = b""
            while len(buf) >= 2 and len(buf) >= 2 + struct.unpack(">H", buf[:2])[0]:
                n = struct.unpack(">H", buf[:2])[0]
                name, resp = answer(buf[2:2 + n])
                buf = buf[2 + n:]
                if name.startswith("split"):
                    conn.sendall(struct.pack(">H", len(resp)))
                    time.sleep(0.05)
                    conn.sendall(resp)
                else:
                    out += struct.pack(">H", len(resp)) + resp
            if out:
                conn.sendall(out)


s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((bind, 53))
s.listen(16)
print("ready", flush=True)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
