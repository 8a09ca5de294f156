#!/usr/bin/env python3
"""N short loopback TCP connections (connect, 1 byte each way, close) against an in-process
server thread; prints the connections/s. usage: connect_burst.py N PORT"""
import socket
import sys
import threading
import time

n, port = int(sys.argv[1]), int(sys.argv[2])
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(512)


def serve():
    for _ in range(n):
        c, _ = srv.accept()
        c.recv(1)
        c.send(b"y")
        c.close()


t = threading.Thread(target=serve)
t.start()
start = time.monotonic()
for _ in range(n):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST: no TIME_WAIT pile-up
    s.connect(("127.0.0.1", port))
    s.send(b"x")
    s.recv(1)
    s.close()
t.join()
print(f"{n / (time.monotonic() - start):.0f} connections/s")
