#!/usr/bin/env python3
"""A small known job trail in schema v1 (docs/schema.md, docs/net.md), as JSON lines.

Used by the cli and browser tests: they write it into a real archive (make_archive) and compare
what `jobtrail` says with counts computed here, independently of the C++ summary code.
Run directly to print the lines: known_trail.py > events.jsonl
"""
import json
import sys

EVIL_ARG = '<script>document.title="pwned"</script><img src=x onerror=alert(1)>'
WORKSPACE = "/home/runner/_work/hello/hello"


def _t(sec, frac=0):
    return "2026-11-29T10:00:%02d.%09dZ" % (sec, frac)


def _proc(pid, ppid, exec_id, parent, binary, args=None, cwd=WORKSPACE):
    p = {"pid": pid, "ppid": ppid, "ns_pid": pid, "ns_ppid": ppid, "uid": 1001, "gid": 1001,
         "binary": binary, "exec_id": exec_id, "parent_exec_id": parent, "container": "runner"}
    if args is not None:
        p.update({"args": args, "args_truncated": False, "cwd": cwd})
    return p


def events():
    ev = []
    ident = {"repository": "octo/hello", "run_id": "42", "run_attempt": "1", "job": "build",
             "workspace": WORKSPACE, "workflow": "ci"}

    def exec_(sec, pid, ppid, eid, parent, binary, args):
        ev.append({"type": "process_exec", "time": _t(sec), "process": _proc(pid, ppid, eid, parent, binary, args)})

    def exit_(sec, pid, ppid, eid, parent, binary, code=0, signal=None):
        e = {"code": None if signal else code, "signal": signal, "duration_ns": 1000}
        if signal:
            e["signal_name"] = "KILL"
        ev.append({"type": "process_exit", "time": _t(sec, 5), "process": _proc(pid, ppid, eid, parent, binary), "exit": e})

    exec_(1, 100, 1, 1, 0, "/home/runner/bin/Runner.Worker", ["Runner.Worker", "spawnclient", "107", "110"])
    exec_(2, 200, 100, 2, 1, "/usr/bin/bash", ["bash", "-e", "/home/runner/_work/_temp/step.sh"])
    ev.append({"type": "job_identity", "time": _t(2, 1), "process": _proc(200, 100, 2, 1, "/usr/bin/bash"),
               "job": ident, "revealed_by": 2})
    exec_(3, 300, 200, 3, 2, "/usr/bin/curl", ["curl", "-k", "-sSL", "https://github.com/octo/tool.sh"])
    ev.append({"type": "dns_query", "time": _t(3, 10), "process": _proc(300, 200, 3, 2, "/usr/bin/curl"),
               "dns": {"id": 7, "name": "github.com", "qtype": "A", "server": "10.96.0.10:53"}})
    ev.append({"type": "dns_answer", "time": _t(3, 20), "process": _proc(300, 200, 3, 2, "/usr/bin/curl"),
               "dns": {"id": 7, "name": "github.com", "qtype": "A", "rcode": "NOERROR",
                       "answers": [{"name": "github.com", "type": "A", "ttl": 60, "data": "140.82.112.3"}]}})
    ev.append({"type": "net_udp", "time": _t(3, 30), "process": _proc(300, 200, 3, 2, "/usr/bin/curl"),
               "net": {"protocol": "udp", "dst_addr": "10.96.0.10", "dst_port": 53, "datagrams": 2, "bytes": 56}})
    ev.append({"type": "net_connect", "time": _t(3, 40), "process": _proc(300, 200, 3, 2, "/usr/bin/curl"),
               "net": {"protocol": "tcp", "family": "ipv4", "src_addr": "10.0.5.2", "src_port": 40000,
                       "dst_addr": "140.82.112.3", "dst_port": 443, "dst_name": "github.com", "result": "ok"}})
    ev.append({"type": "finding", "time": _t(3, 41), "process": _proc(300, 200, 3, 2, "/usr/bin/curl"),
               "finding": {"id": "tls-verify-disabled", "severity": "high",
                           "title": "curl -k: TLS verification disabled", "exec_ids": [3], "evidence": [3]}})
    ev.append({"type": "net_close", "time": _t(4), "process": _proc(300, 200, 3, 2, "/usr/bin/curl"),
               "net": {"protocol": "tcp", "src_addr": "10.0.5.2", "src_port": 40000, "dst_addr": "140.82.112.3",
                       "dst_port": 443, "bytes_sent": 700, "bytes_received": 12000, "duration_ns": 5}})
    ev.append({"type": "file_open", "time": _t(4, 1), "process": _proc(300, 200, 3, 2, "/usr/bin/curl"),
               "file": {"path": "/tmp/tool.sh", "mode": ["write", "create", "truncate"], "result": "ok", "count": 1}})
    exit_(4, 300, 200, 3, 2, "/usr/bin/curl")
    exec_(5, 400, 200, 4, 2, "/usr/bin/sh", ["sh", "-c", EVIL_ARG])
    ev.append({"type": "net_connect", "time": _t(5, 1), "process": _proc(400, 200, 4, 2, "/usr/bin/sh"),
               "net": {"protocol": "tcp", "family": "ipv4", "dst_addr": "1.2.3.4", "dst_port": 4444,
                       "result": "ECONNREFUSED"}})
    ev.append({"type": "priv_syscall", "time": _t(5, 2), "process": _proc(400, 200, 4, 2, "/usr/bin/sh"),
               "priv": {"syscall": "mount", "args": {"source": "/dev/sda2", "target": "/mnt"}, "result": "EPERM"}})
    ev.append({"type": "capability", "time": _t(5, 3), "process": _proc(400, 200, 4, 2, "/usr/bin/sh"),
               "capability": {"name": "CAP_SYS_ADMIN", "count": 2}})
    exit_(6, 400, 200, 4, 2, "/usr/bin/sh", code=32)
    exec_(7, 500, 200, 5, 2, "/usr/bin/make", ["make", "-j2"])
    exec_(8, 510, 500, 6, 5, "/usr/bin/cc", ["cc", "-c", "main.c"])
    ev.append({"type": "file_open", "time": _t(8, 1), "process": _proc(510, 500, 6, 5, "/usr/bin/cc"),
               "file": {"path": WORKSPACE + "/main.o", "mode": ["write", "create"], "result": "ok"}})
    ev.append({"type": "file_open", "time": _t(8, 2), "process": _proc(510, 500, 6, 5, "/usr/bin/cc"),
               "file": {"path": WORKSPACE + "/main.c", "mode": ["read"], "result": "ok"}})
    ev.append({"type": "file_change", "time": _t(8, 3), "process": _proc(510, 500, 6, 5, "/usr/bin/cc"),
               "file": {"op": "rename", "path": "/var/tmp/cc1.s", "new_path": "/var/tmp/cc2.s", "result": "ok"}})
    exit_(9, 510, 500, 6, 5, "/usr/bin/cc", code=1)
    # A fork of make that never exec'd: same exec_id, other pid; must not end make's node.
    exit_(9, 511, 500, 5, 2, "/usr/bin/make", code=0)
    exit_(10, 500, 200, 5, 2, "/usr/bin/make", code=2)
    exec_(11, 600, 200, 7, 2, "/usr/bin/sleep", ["sleep", "1000"])
    exit_(12, 600, 200, 7, 2, "/usr/bin/sleep", signal=9)
    ev.append({"type": "lost", "time": _t(12, 10), "process": _proc(100, 1, 1, 0, "/home/runner/bin/Runner.Worker"),
               "lost_type": "file_open", "count": 3})
    exit_(13, 200, 100, 2, 1, "/usr/bin/bash", code=0)
    return ev


if __name__ == "__main__":
    for e in events():
        sys.stdout.write(json.dumps(e) + "\n")
