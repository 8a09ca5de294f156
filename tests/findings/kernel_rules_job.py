#!/usr/bin/env python3
"""The job kernel_rules_e2e.py records: one act per finding rule, each a real syscall the kernel
refuses or that changes nothing on the host. usage: kernel_rules_job.py WORK full|baseline
WORK/fake/insmod is /bin/true under that name; what the driver needs to know (pids, paths) goes
to WORK/facts-MODE.json.

- process-memory-read / proc-environ-read: /proc/<pid>/mem and /environ of a `sleep` (another exec)
- kernel-module-load: init_module on 16 garbage bytes (the kernel rejects the ELF; a kernel without
  module support has neither the syscall nor its tracepoint) and `insmod WORK/no-such.ko`
- bpf-use: bpf() with a command that does not exist (EINVAL)
- kernel-tunable-write: a net sysctl opened for writing, nothing written, in a private net namespace
- release-agent-write: open for writing of WORK/no-such-cgroup/release_agent (ENOENT)
- hardcoded-ip, domain-not-allowed, new-egress: in a private net namespace whose lo carries
  198.51.100.7 and .8 (TEST-NET-2): TCP connects to them and a DNS query to 127.0.0.1:53.
`baseline` does only the connect to .7 and the DNS query: the earlier run of the same workflow.
Prints one line per act (name and what the kernel said) for the driver's log."""
import ctypes
import json
import os
import socket
import subprocess
import sys
import time

work, mode = sys.argv[1], sys.argv[2]
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
SYS_INIT_MODULE, SYS_BPF = 175, 321  # x86_64
CLONE_NEWNET = 0x40000000
QNAME = "not-allowed.jobtrail.test"
facts = {"pid": os.getpid(), "qname": QNAME}


def said(what, rc):
    print(f"{what}: {'ok' if rc >= 0 else os.strerror(ctypes.get_errno())}", flush=True)


def dns_query(name):
    q = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\x00\x00\x01\x00\x01"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(q, ("127.0.0.1", 53))


def network(addresses):
    """In a child in a private net namespace: nothing leaves the machine or reaches the host's."""
    pid = os.fork()
    if pid == 0:
        try:
            if libc.unshare(CLONE_NEWNET) != 0:
                os._exit(10)
            subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
            for a in ("198.51.100.7", "198.51.100.8"):
                subprocess.run(["ip", "addr", "add", a + "/32", "dev", "lo"], check=True)
            with socket.socket() as listener:
                listener.bind(("0.0.0.0", 443))
                listener.listen(8)
                for a in addresses:
                    with socket.create_connection((a, 443), timeout=5):
                        pass
                    print(f"connect {a}:443: ok", flush=True)
            dns_query(QNAME)
            print(f"dns query {QNAME}: sent", flush=True)
            os._exit(0)
        except Exception as e:  # noqa: BLE001 (any failure is the child's exit status)
            print("network child:", e, flush=True)
            os._exit(11)
    _, st = os.waitpid(pid, 0)
    if st != 0:
        sys.exit(f"network part failed: wait status {st}")


if mode == "baseline":
    network(["198.51.100.7"])
    json.dump(facts, open(os.path.join(work, "facts-baseline.json"), "w"))
    sys.exit(0)

victim = subprocess.Popen(["sleep", "30"])
time.sleep(0.2)  # the exec has happened
with open(f"/proc/{victim.pid}/mem", "rb"):
    print(f"open /proc/{victim.pid}/mem: ok", flush=True)
with open(f"/proc/{victim.pid}/environ", "rb") as f:
    f.read()
    print(f"read /proc/{victim.pid}/environ: ok", flush=True)
facts["victim"] = victim.pid
victim.kill()
victim.wait()

garbage = ctypes.create_string_buffer(b"\x7fELFjobtrail-not", 16)
said("init_module", libc.syscall(SYS_INIT_MODULE, garbage, ctypes.c_ulong(16), b""))
facts["insmod"] = [os.path.join(work, "fake", "insmod"), os.path.join(work, "no-such.ko")]
subprocess.run(facts["insmod"], check=True)
said("bpf(9999)", libc.syscall(SYS_BPF, ctypes.c_int(9999), None, ctypes.c_uint(0)))

facts["sysctl"] = "/proc/sys/net/ipv4/ip_forward"
pid = os.fork()
if pid == 0:
    if libc.unshare(CLONE_NEWNET) != 0:
        os._exit(10)
    fd = os.open(facts["sysctl"], os.O_WRONLY)  # this namespace's own, not written
    os.close(fd)
    print("open /proc/sys/net/ipv4/ip_forward for writing: ok", flush=True)
    os._exit(0)
_, st = os.waitpid(pid, 0)
if st != 0:
    sys.exit(f"sysctl child failed: wait status {st}")

facts["release_agent"] = os.path.join(work, "no-such-cgroup", "release_agent")
try:
    os.open(facts["release_agent"], os.O_WRONLY)
    sys.exit("release_agent under a missing folder opened")
except FileNotFoundError:
    print("open release_agent: ENOENT", flush=True)

network(["198.51.100.7", "198.51.100.8"])
json.dump(facts, open(os.path.join(work, "facts-full.json"), "w"))
print("job done", flush=True)
