#!/usr/bin/env python3
"""Kernel test of the file/net/dns/priv families: the real sidecar `record` traces
workload.py in a fresh cgroup while the same workload runs in a sibling cgroup (the neighbour
pod); a DNS server on 127.0.0.77 (outside both) answers. Asserts every fact of the traced run
with its exact numbers and exec_id, and that nothing of the neighbour appears.
usage: run.py SIDECAR_BINARY SCRATCH_DIR"""
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from trailtest import check, events_of, failures  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
sidecar, scratch = sys.argv[1], sys.argv[2]
python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
cg_root = next(p for p in ("/sys/fs/cgroup/unified", "/sys/fs/cgroup") if os.path.exists(p + "/cgroup.procs"))


def start_neighbour(cg, work, port, qname):
    code = f"open('{cg}/cgroup.procs','w').write(str(__import__('os').getpid()))\n" \
           f"__import__('os').execv('{python}', ['{python}', '{here}/workload.py', '{work}', '{port}', '127.0.0.77', '{qname}'])"
    return subprocess.Popen([python, "-c", code], stdout=subprocess.DEVNULL)


def record(mode, work, port, qname, neighbour_cg, neighbour_work):
    out = os.path.join(scratch, "archive-" + mode)
    shutil.rmtree(out, ignore_errors=True)
    for d in (work, neighbour_work):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    neighbour = start_neighbour(neighbour_cg, neighbour_work, port + 1000, "neighbour.jobtrail.test")
    r = subprocess.run([sidecar, "record", "--out", out, "--files", mode, "--output", "json", "--",
                        python, os.path.join(here, "workload.py"), work, str(port), "127.0.0.77", qname],
                       capture_output=True, text=True, timeout=120)
    check(neighbour.wait(timeout=60) == 0, f"[{mode}] neighbour workload ran")
    check(r.returncode == 0, f"[{mode}] record exit status 0 (got {r.returncode}): {r.stderr[-400:]}")
    return events_of(out)


def one(events, what, pred):
    found = [e for e in events if pred(e)]
    check(len(found) == 1, f"{what}: exactly one (found {len(found)})")
    return found[0] if found else {}


def net(e):
    return e.get("net", {})


def main():
    os.makedirs(scratch, exist_ok=True)
    dns = subprocess.Popen([python, os.path.join(here, "dns_server.py"), "127.0.0.77",
                            "svc.jobtrail.test=127.0.0.88", "neighbour.jobtrail.test=127.0.0.89"],
                           stdout=subprocess.PIPE, text=True)
    assert dns.stdout.readline().strip() == "ready"
    neighbour_cg = os.path.join(cg_root, f"jt-net-neighbour-{os.getpid()}")
    os.makedirs(neighbour_cg, exist_ok=True)
    try:
        work, nwork = os.path.join(scratch, "work"), os.path.join(scratch, "neighbour-work")
        port = 20000 + os.getpid() % 900 * 10  # below the ephemeral range (32768+)
        ev = record("folded", work, port, "svc.jobtrail.test", neighbour_cg, nwork)
        execs = {e["process"]["exec_id"]: e for e in ev if e["type"] == "process_exec"}
        wl = [e for e in execs.values() if any("workload.py" in a for a in e["process"]["args"])]
        check(len(wl) == 1, "the workload's exec is in the trail")
        wl_id = wl[0]["process"]["exec_id"] if wl else -1
        own = [e for e in ev if e["type"].split("_")[0] in ("net", "dns", "file", "priv")]
        check(all(e["process"]["exec_id"] != 0 for e in own), "every family event carries an exec_id")

        # --- network ---
        c = one(ev, "net_connect v4", lambda e: e["type"] == "net_connect" and net(e)["dst_port"] == port)
        check(net(c).get("result") == "ok" and net(c).get("dst_addr") == "127.0.0.1" and net(c).get("src_port", 0) > 0
              and net(c).get("protocol") == "tcp" and c["process"]["exec_id"] == wl_id, "connect v4 fields " + json.dumps(net(c)))
        cl = one(ev, "net_close v4 outgoing", lambda e: e["type"] == "net_close" and net(e)["dst_port"] == port)
        check(net(cl).get("bytes_sent") == 12345 and net(cl).get("bytes_received") == 54321
              and net(cl).get("direction") == "outgoing" and net(cl).get("duration_ns", 0) > 0,
              "close v4 sent 12345 received 54321 " + json.dumps(net(cl)))
        si = one(ev, "net_close v4 incoming", lambda e: e["type"] == "net_close" and net(e)["src_port"] == port)
        check(net(si).get("bytes_sent") == 54321 and net(si).get("bytes_received") == 12345
              and net(si).get("direction") == "incoming", "server side close " + json.dumps(net(si)))
        a = one(ev, "net_accept v4", lambda e: e["type"] == "net_accept" and net(e)["src_port"] == port)
        check(net(a).get("dst_port") == net(c).get("src_port"), "accept peer port = connect source port")
        r = one(ev, "refused connect", lambda e: e["type"] == "net_connect" and net(e)["dst_port"] == port + 1)
        check(net(r).get("result") == "ECONNREFUSED", "refused connect result " + str(net(r).get("result")))
        c6 = one(ev, "net_connect v6", lambda e: e["type"] == "net_connect" and net(e)["dst_port"] == port + 2)
        check(net(c6).get("family") == "ipv6" and net(c6).get("dst_addr") == "::1" and net(c6).get("result") == "ok",
              "connect v6 fields")
        cl6 = one(ev, "net_close v6", lambda e: e["type"] == "net_close" and net(e)["dst_port"] == port + 2)
        check(net(cl6).get("bytes_sent") == 1000 and net(cl6).get("bytes_received") == 2000, "close v6 bytes " + json.dumps(net(cl6)))
        u = one(ev, "net_udp flow", lambda e: e["type"] == "net_udp" and net(e)["dst_port"] == port + 3)
        check(net(u).get("datagrams") == 3 and net(u).get("bytes") == 300, "udp flow 3 datagrams 300 bytes " + json.dumps(net(u)))

        # --- DNS ---
        q = one(ev, "dns_query", lambda e: e["type"] == "dns_query" and e["dns"].get("name") == "svc.jobtrail.test")
        check(q.get("dns", {}).get("qtype") == "A" and q.get("dns", {}).get("server") == "127.0.0.77:53"
              and q["process"]["exec_id"] == wl_id, "query fields " + json.dumps(q.get("dns")))
        an = one(ev, "dns_answer", lambda e: e["type"] == "dns_answer" and e["dns"].get("name") == "svc.jobtrail.test")
        d = an.get("dns", {})
        check(d.get("rcode") == "NOERROR" and [x["data"] for x in d.get("answers", [])] == ["127.0.0.88"],
              "answer fields " + json.dumps(d))
        named = one(ev, "connect to the resolved address", lambda e: e["type"] == "net_connect" and net(e)["dst_port"] == port + 4)
        check(net(named).get("dst_name") == "svc.jobtrail.test", "connect annotated with the DNS name " + json.dumps(net(named)))

        # --- files (folded) ---
        fo = [e for e in ev if e["type"] == "file_open" and e["file"]["path"].startswith(work + "/")]
        w = [e for e in fo if e["file"]["path"] == work + "/a.txt" and "write" in e["file"]["mode"]]
        check(len(w) == 1 and w[0]["file"]["bytes_written"] == 7777 and "create" in w[0]["file"]["mode"]
              and w[0]["file"]["count"] == 1, "relative create resolved, 7777 bytes written " + json.dumps([x["file"] for x in w]))
        left = [e for e in fo if e["file"]["path"] == work + "/e.txt"]
        check(len(left) == 1 and left[0]["file"]["bytes_written"] == 4321,
              "a file left open at exit still has its bytes (flushed at exit) " + json.dumps([x["file"] for x in left]))
        rd = [e for e in fo if e["file"]["path"] == work + "/a.txt" and e["file"]["mode"] == ["read"]]
        check(len(rd) == 1 and rd[0]["file"]["count"] == 5 and rd[0]["file"]["bytes_read"] == 5 * 7777,
              "5 reads folded into one: count 5, 38885 bytes " + json.dumps([x["file"] for x in rd]))
        ch = {e["file"]["op"]: e["file"] for e in ev if e["type"] == "file_change" and e["file"]["path"].startswith(work)}
        check(ch.get("rename", {}).get("new_path") == work + "/b.txt", "rename a -> b")
        check(ch.get("chmod", {}).get("mode_bits") == "0600" and ch["chmod"]["result"] == "ok", "chmod 0600")
        check(ch.get("symlink", {}).get("target") == "b.txt" and ch["symlink"]["path"] == work + "/c.lnk", "symlink")
        check(ch.get("link", {}).get("new_path") == work + "/d.txt", "link")
        unl = [e["file"] for e in ev if e["type"] == "file_change" and e["file"].get("op") == "unlink" and e["file"]["path"].startswith(work)]
        check(sorted(x["result"] for x in unl) == ["ENOENT", "ok"], "unlink ok + unlink ENOENT " + json.dumps(unl))

        # --- privilege ---
        priv = [e["priv"] for e in ev if e["type"] == "priv_syscall"]
        by = lambda s: [p for p in priv if p["syscall"] == s]
        check(any(p["args"].get("source") == "/dev/jt-no-such-disk" and p["result"] != "ok" for p in by("mount")), "failed mount recorded")
        check(any(p["args"].get("namespaces") == ["net"] and p["result"] == "ok" for p in by("unshare")), "unshare -n recorded")
        check(any(p["args"].get("namespaces") == ["net"] for p in by("setns")), "setns recorded")
        check(any(p["args"].get("request") == "PTRACE_ATTACH" and p["result"] == "ok" for p in by("ptrace")), "ptrace attach recorded")
        mem = by("open_proc_mem")
        traced = {e["process"]["pid"] for e in ev}
        check(len(mem) == 1 and mem[0]["args"].get("path") == "/proc/%s/mem" % mem[0]["args"].get("target_pid")
              and mem[0]["args"].get("target_pid") in traced,
              "the one open of another process's /proc/<pid>/mem recorded, naming the traced sleeper " + json.dumps(mem))
        # CAP_SYS_ADMIN: the mount and unshare use it; the memory accounting of every exec, mmap
        # and fork asks for it too, which must not be reported (bpf/priv.bpf.c)
        admin = [e for e in ev if e["type"] == "capability" and e["capability"]["name"] == "CAP_SYS_ADMIN"]
        true_ids = [i for i, e in execs.items() if e["process"]["binary"] == "/usr/bin/true"]
        check(len(true_ids) == 1, "the workload's /bin/true exec is in the trail")
        check([e["process"]["exec_id"] for e in admin] == [wl_id] and admin[0]["capability"]["granted"],
              "CAP_SYS_ADMIN granted once, to the workload (mount/unshare), never for /bin/true " +
              json.dumps([(e["process"].get("binary"), e["capability"]) for e in admin]))

        # --- the neighbour: nothing ---
        leak = [e for e in ev if json.dumps(e).find("neighbour") >= 0 or
                (e["type"].startswith("net_") and port + 1000 <= net(e).get("dst_port", 0) <= port + 1004) or
                (e["type"].startswith("net_") and port + 1000 <= net(e).get("src_port", 0) <= port + 1004)]
        check(not leak, f"nothing of the neighbour cgroup ({len(leak)} leaked)")

        # --- --files all ---
        ev = record("all", work, port + 100, "svc.jobtrail.test", neighbour_cg, nwork)
        reads = [e for e in ev if e["type"] == "file_open" and e["file"]["path"] == work + "/a.txt" and e["file"]["mode"] == ["read"]]
        check(len(reads) == 5 and all(e["file"]["count"] == 1 for e in reads), "--files all: 5 separate opens")
        ios = [e for e in ev if e["type"] == "file_io" and e["file"]["path"] == work + "/a.txt"]
        check(sorted((x["file"]["bytes_read"], x["file"]["bytes_written"]) for x in ios) == [(0, 7777)] + [(7777, 0)] * 5,
              "--files all: file_io per fd with exact bytes " + json.dumps([x["file"] for x in ios]))
        leak = [e for e in ev if json.dumps(e).find("neighbour") >= 0]
        check(not leak, f"--files all: nothing of the neighbour ({len(leak)} leaked)")

        ev = record("off", work, port + 200, "svc.jobtrail.test", neighbour_cg, nwork)
        check(not [e for e in ev if e["type"].startswith("file_")], "--files off: no file events")
        check(any(e["type"] == "net_connect" for e in ev), "--files off: network still traced")
    finally:
        dns.kill()
        for _ in range(50):
            try:
                os.rmdir(neighbour_cg)
                break
            except OSError:
                time.sleep(0.1)
    print(f"{len(failures)} failures")
    return 1 if failures else 0


sys.exit(main())
