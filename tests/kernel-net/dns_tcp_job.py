#!/usr/bin/env python3
"""The traced job of the TCP DNS kernel test (dns_tcp.py): three lookups over TCP, each
followed by a connection to the address it got, the way clients write DNS over TCP:
  one    length and query in one write (dig +tcp, glibc for a single query)
  two    the A and AAAA queries of one lookup in one write (glibc getaddrinfo with use-vc)
  split  the length and the query in two writes (and the server answers likewise)
  glibc  getaddrinfo over TCP (`getent ahosts` with `options use-vc`), in a private mount
         namespace whose /etc/resolv.conf and /etc/nsswitch.conf point at SERVER only
usage: dns_tcp_job.py SERVER PORT SCRATCH_DIR"""
import os
import socket
import struct
import subprocess
import sys
import time

server, port, scratch = sys.argv[1], int(sys.argv[2]), sys.argv[3]


def query(qid, name, qtype):
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\x00" + struct.pack(">HH", qtype, 1)


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        chunk = s.recv(n - len(b))
        if not chunk:
            raise SystemExit("dns server closed the connection")
        b += chunk
    return b


def read_answer(s):
    n = struct.unpack(">H", recv_exact(s, 2))[0]
    resp = recv_exact(s, n)
    ancount = struct.unpack(">H", resp[6:8])[0]
    return [socket.inet_ntoa(resp[len(resp) - 16 * k + 12:len(resp) - 16 * k + 16]) for k in range(ancount, 0, -1)]


def lookup(name, mode):
    s = socket.create_connection((server, 53), timeout=5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    a = query(0x1001, name, 1)
    if mode == "one":
        s.sendall(struct.pack(">H", len(a)) + a)
    elif mode == "two":
        aaaa = query(0x1002, name, 28)
        s.sendall(struct.pack(">H", len(a)) + a + struct.pack(">H", len(aaaa)) + aaaa)
    else:
        s.sendall(struct.pack(">H", len(a)))
        time.sleep(0.05)
        s.sendall(a)
    addrs = read_answer(s)
    if mode == "two":
        read_answer(s)
    s.close()
    return addrs


def connect_to(addr, p):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind((addr, p))
    listener.listen(1)
    c = socket.create_connection((addr, p), timeout=5)
    conn, _ = listener.accept()
    c.close()
    conn.close()
    listener.close()


for i, (name, mode) in enumerate([("one.jobtrail.test", "one"), ("two.jobtrail.test", "two"),
                                   ("split.jobtrail.test", "split")]):
    addrs = lookup(name, mode)
    print(name, addrs, flush=True)
    connect_to(addrs[-1], port + i)

resolv, nsswitch = os.path.join(scratch, "resolv.conf"), os.path.join(scratch, "nsswitch.conf")
with open(resolv, "w") as f:
    f.write(f"nameserver {server}\noptions use-vc attempts:1 timeout:3\n")
with open(nsswitch, "w") as f:
    f.write("hosts: files dns\n")
out = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                      f"mount --bind {resolv} /etc/resolv.conf && mount --bind {nsswitch} /etc/nsswitch.conf"
                      " && getent ahosts glibc.jobtrail.test"], capture_output=True, text=True, check=True).stdout
print(out, flush=True)
connect_to(out.split()[0], port + 3)
