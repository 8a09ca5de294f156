#!/usr/bin/env python3
"""Kernel test of DNS over TCP: the real sidecar `record` traces dns_tcp_job.py, which looks
names up over TCP from a server on 127.0.0.79:53 (dns_tcp_server.py, outside the traced cgroup)
in three shapes (query in one write; A+AAAA in one write; length and query written apart) and
through glibc (getaddrinfo with `options use-vc`), then connects to the answered address. Asserts, as kernel:net_families does for UDP, the query
names, the answer addresses and the dst_name of each following connect.
usage: dns_tcp.py SIDECAR_BINARY SCRATCH_DIR"""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from trailtest import check, events_of, failures  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
sidecar, scratch = sys.argv[1], sys.argv[2]
python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
server = "127.0.0.79"


def main():
    os.makedirs(scratch, exist_ok=True)
    out = os.path.join(scratch, "archive-dns-tcp")
    shutil.rmtree(out, ignore_errors=True)
    dns = subprocess.Popen([python, os.path.join(here, "dns_tcp_server.py"), server,
                            "one.jobtrail.test=127.0.0.90,127.0.0.91", "two.jobtrail.test=127.0.0.92",
                            "split.jobtrail.test=127.0.0.93", "glibc.jobtrail.test=127.0.0.94"], stdout=subprocess.PIPE, text=True)
    try:
        assert dns.stdout.readline().strip() == "ready"
        port = 21000 + os.getpid() % 900 * 10  # below the ephemeral range (32768+)
        r = subprocess.run([sidecar, "record", "--out", out, "--output", "json", "--",
                            python, os.path.join(here, "dns_tcp_job.py"), server, str(port), scratch],
                           capture_output=True, text=True, timeout=60)
        check(r.returncode == 0, f"record exit status 0 (got {r.returncode}): {r.stderr[-400:]}")
    finally:
        dns.kill()
    ev = events_of(out)
    job = [e for e in ev if e["type"] == "process_exec" and any("dns_tcp_job.py" in a for a in e["process"]["args"])]
    check(len(job) == 1, "the job's exec is in the trail")
    job_id = job[0]["process"]["exec_id"] if job else -1

    def dns_events(kind, name):
        return [e["dns"] for e in ev if e["type"] == kind and e["dns"].get("name") == name]

    expected = {"one.jobtrail.test": (["A"], ["127.0.0.90", "127.0.0.91"], port),
                "two.jobtrail.test": (["A", "AAAA"], ["127.0.0.92"], port + 1),
                "split.jobtrail.test": (["A"], ["127.0.0.93"], port + 2),
                "glibc.jobtrail.test": (["A", "AAAA"], ["127.0.0.94"], port + 3)}
    # payload bytes of the TCP segment each event was decoded from: proves the three shapes
    # happened on the wire (several messages in one segment; a message in a segment of its own,
    # without its length, for "split")
    def msg(name, answers=0):
        return 12 + len(name) + 2 + 4 + 16 * answers
    seg_bytes = {("dns_query", "one.jobtrail.test"): [2 + msg("one.jobtrail.test")],
                 ("dns_answer", "one.jobtrail.test"): [2 + msg("one.jobtrail.test", 2)],
                 ("dns_query", "two.jobtrail.test"): [4 + 2 * msg("two.jobtrail.test")] * 2,
                 ("dns_answer", "two.jobtrail.test"): [4 + msg("two.jobtrail.test", 1) + msg("two.jobtrail.test")] * 2,
                 ("dns_query", "split.jobtrail.test"): [msg("split.jobtrail.test")],
                 ("dns_answer", "split.jobtrail.test"): [msg("split.jobtrail.test", 1)]}
    for (kind, name), want in seg_bytes.items():
        got = [d.get("packet_bytes") for d in dns_events(kind, name)]
        check(got == want, f"{kind} {name}: decoded from segments of {want} bytes (got {got})")
    for name, (qtypes, addrs, p) in expected.items():
        qs = dns_events("dns_query", name)
        check(sorted(q.get("qtype") for q in qs) == qtypes, f"{name}: queries {qtypes} " + json.dumps(qs))
        check(all(q.get("transport") == "tcp" and q.get("server") == f"{server}:53" and "error" not in q for q in qs),
              f"{name}: queries over tcp to {server}:53, well formed")
        ans = dns_events("dns_answer", name)
        check(sorted(a.get("qtype") for a in ans) == qtypes, f"{name}: answers {qtypes} " + json.dumps(ans))
        a = [x for x in ans if x.get("qtype") == "A"]
        check(len(a) == 1 and a[0].get("rcode") == "NOERROR" and [x["data"] for x in a[0].get("answers", [])] == addrs
              and "error" not in a[0], f"{name}: A answer {addrs}")
        c = [e for e in ev if e["type"] == "net_connect" and e["net"].get("dst_port") == p]
        check(len(c) == 1 and c[0]["net"].get("dst_addr") == addrs[-1] and c[0]["net"].get("dst_name") == name
              and c[0]["process"]["exec_id"] == job_id, f"{name}: the connect to {addrs[-1]}:{p} has dst_name " +
              json.dumps([x["net"] for x in c]))
    bad = [e["dns"] for e in ev if e["type"].startswith("dns_") and (e["dns"].get("error") or e["dns"].get("malformed"))]
    check(not bad, "no malformed DNS event " + json.dumps(bad))
    print(f"{len(failures)} failures")
    return 1 if failures else 0


sys.exit(main())
