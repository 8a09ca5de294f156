#!/usr/bin/env python3
"""The issue-3 workload: TCP v4/v6 with exact byte counts, a refused connect, a UDP flow, a DNS
query answered by the test's server, a connection to the resolved address, file operations
and privilege syscalls. Runs identically in the traced cgroup and in the neighbour cgroup;
every number it uses comes from argv so the test knows what the trail must hold.

usage: workload.py DIR PORT DNS_SERVER NAME"""
import ctypes
import os
import socket
import struct
import subprocess
import sys
import threading
import time

work, port, dns_server, qname = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
N, M = 12345, 54321          # client sends N, server sends M
N6, M6 = 1000, 2000          # over IPv6
K = 7777                     # bytes written to a file
libc = ctypes.CDLL(None, use_errno=True)


def recv_exact(s, n):
    got = b""
    while len(got) < n:
        chunk = s.recv(n - len(got))
        if not chunk:
            break
        got += chunk
    return got


def serve_once(listener, want, send):
    conn, _ = listener.accept()
    recv_exact(conn, want)
    conn.sendall(b"m" * send)
    conn.shutdown(socket.SHUT_WR)
    conn.recv(1)  # wait for the client's close: both sides close cleanly
    conn.close()


def tcp_exchange(family, host, p, n, m):
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, p))
    listener.listen(4)
    t = threading.Thread(target=serve_once, args=(listener, n, m))
    t.start()
    c = socket.socket(family, socket.SOCK_STREAM)
    c.connect((host, p))
    c.sendall(b"n" * n)
    recv_exact(c, m)
    c.close()
    t.join()
    listener.close()


def dns_query(server, name):
    q = struct.pack(">HHHHHH", 0x4a54, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\x00" + struct.pack(">HH", 1, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.connect((server, 53))
    s.send(q)
    resp = s.recv(1500)
    s.close()
    # the last A record's address
    return socket.inet_ntoa(resp[-4:])


# --- network ---
tcp_exchange(socket.AF_INET, "127.0.0.1", port, N, M)
refused = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    refused.connect(("127.0.0.1", port + 1))
except ConnectionRefusedError:
    pass
refused.close()
tcp_exchange(socket.AF_INET6, "::1", port + 2, N6, M6)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(3):
    u.sendto(b"u" * 100, ("127.0.0.1", port + 3))
u.close()
addr = dns_query(dns_server, qname)
tcp_exchange(socket.AF_INET, addr, port + 4, 10, 20)

# --- files ---
os.chdir(work)
with open("a.txt", "wb") as f:          # relative path: resolved against the cwd
    f.write(b"k" * K)
for _ in range(5):                       # folded into one record of count 5
    with open(os.path.join(work, "a.txt"), "rb") as f:
        f.read()
pid = os.fork()
if pid == 0:                             # left open: the kernel closes it at exit, no close(2)
    fd = os.open("e.txt", os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, b"e" * 4321)
    os._exit(0)
os.waitpid(pid, 0)
os.rename("a.txt", "b.txt")
os.chmod("b.txt", 0o600)
os.symlink("b.txt", "c.lnk")
os.link("b.txt", "d.txt")
os.unlink("d.txt")
try:
    os.unlink("missing.txt")
except FileNotFoundError:
    pass

# --- privilege ---
# Execs and a fork that need no privilege: the kernel's memory accounting asks for CAP_SYS_ADMIN
# at each of them, which must not show up as a capability use.
subprocess.run(["/bin/true"], check=True)
pid = os.fork()
if pid == 0:
    os._exit(len(bytearray(8 << 20)) * 0)   # a fresh writable mapping, then exit
os.waitpid(pid, 0)
libc.mount(b"/dev/jt-no-such-disk", b"/mnt", b"ext4", 0, None)   # fails, after CAP_SYS_ADMIN was granted
pid = os.fork()
if pid == 0:
    libc.unshare(0x40000000)   # CLONE_NEWNET
    os._exit(0)
os.waitpid(pid, 0)
fd = os.open("/proc/self/ns/net", os.O_RDONLY)
libc.setns(fd, 0x40000000)
os.close(fd)
sleeper = os.fork()
if sleeper == 0:
    time.sleep(5)
    os._exit(0)
libc.ptrace(16, sleeper, None, None)          # PTRACE_ATTACH
os.waitpid(sleeper, 0)                        # stopped by the attach
with open(f"/proc/{sleeper}/mem", "rb") as f:  # another process's memory
    pass
libc.ptrace(8, sleeper, None, None)           # PTRACE_KILL
os.waitpid(sleeper, 0)
print("workload done", flush=True)
