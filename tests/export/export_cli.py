#!/usr/bin/env python3
"""`jobtrail export` on a real archive (written by the archive Writer from the known trail and
a few more events): every OCSF line must pass the OCSF schema files in ocsf/ (check_ocsf.py),
records the schema forbids must fail that check, the ECS lines must carry the fields SIEM
rules use, events that cannot map are counted, and bad flags fail with status 2."""
import copy
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "cli"))
import clitest  # noqa: E402
from clitest import check, expect, known_trail, make_archive, run  # noqa: E402
import check_ocsf  # noqa: E402

POD = {"pod": {"name": "runner-x", "namespace": "ci", "uid": "u-1", "node": "n1"}}


def extra_events():
    def p(pid, eid):
        return {"pid": pid, "tid": pid, "ppid": 200, "exec_id": eid, "parent_exec_id": 2, "binary": "/usr/bin/nc"}
    t = "2026-11-29T10:00:20.%09dZ"
    return [
        {"type": "process_exec", "time": t % 1, "invalid_utf8": True,
         "process": {**p(700, 8), "args": ["/bin/echo", "\ufffd\ufffd"], "args_b64": [None, "//4="], "cwd": "/w",
                     "container": {"cgroup": "cri-containerd-ab.scope", "id": "ab" * 32}}},
        {"type": "net_accept", "time": t % 2, "process": p(700, 8),
         "net": {"protocol": "tcp", "family": "ipv6", "src_addr": "::1", "src_port": 8080, "dst_addr": "::1",
                 "dst_port": 51000, "result": "ok"}},
        {"type": "net_close", "time": t % 3, "process": p(700, 8),
         "net": {"protocol": "tcp", "family": "ipv6", "src_addr": "::1", "src_port": 8080, "dst_addr": "::1",
                 "dst_port": 51000, "bytes_sent": 10, "bytes_received": 99, "direction": "incoming"}},
        {"type": "dns_answer", "time": t % 4, "process": p(700, 8),
         "dns": {"id": 9, "name": "nope.example", "qtype": "AAAA", "rcode": "NXDOMAIN", "server": "[fd00::a]:53",
                 "transport": "udp", "answers": []}},
        {"type": "file_change", "time": t % 5, "process": p(700, 8), "file": {"op": "unlink", "path": "/tmp/x", "result": "ok"}},
        {"type": "file_change", "time": t % 6, "process": p(700, 8),
         "file": {"op": "chmod", "path": "/tmp/y", "mode_bits": "0755", "result": "EPERM"}},
        {"type": "file_change", "time": t % 7, "process": p(700, 8),
         "file": {"op": "symlink", "path": "/tmp/l", "target": "/etc/shadow", "result": "ok"}},
        {"type": "file_io", "time": t % 8, "process": p(700, 8),
         "file": {"path": "/tmp/out", "fd": 3, "bytes_read": 0, "bytes_written": 12}},
        # what no mapping can take: a time that is none, a type from the future
        {"type": "process_exec", "time": "yesterday", "process": p(701, 9)},
        {"type": "quantum_entanglement", "time": t % 9},
    ]


def first_of(records, class_uid):
    return next(r for r in records if r["class_uid"] == class_uid)


def main():
    tmp = tempfile.mkdtemp(prefix="jobtrail-export-")
    arch = os.path.join(tmp, "a")
    make_archive(arch, known_trail.events() + extra_events(), "--meta", json.dumps(POD))
    schema = check_ocsf.Schema(os.path.join(HERE, "ocsf"))

    # OCSF: every line checks against the schema files; all five classes are there.
    out = os.path.join(tmp, "ocsf.jsonl")
    r = expect(0, "export", arch, "--format", "ocsf", "-o", out)
    check("could not map: process_exec 1" in r.stderr and "quantum_entanglement 1" in r.stderr,
          "the tally names what did not map: " + r.stderr.strip())
    with open(out, "rb") as f:
        raw = f.read()
    lines = raw.decode("utf-8").splitlines()  # strict: raises on bytes that are not UTF-8
    problems, seen = check_ocsf.check_lines(schema, lines)
    check(not problems, "every OCSF line passes the schema files: %s" % problems[:5])
    check(seen == {1001, 1007, 2004, 4001, 4003}, "all five classes exported: %s" % sorted(seen))
    recs = [json.loads(l) for l in lines]
    check(all(x["metadata"]["correlation_uid"] == "u-1" for x in recs), "the archive id is every record's correlation_uid")
    exec_echo = next(x for x in recs if x["class_uid"] == 1007 and x["process"].get("pid") == 700)
    check(exec_echo["unmapped"]["process"]["args_b64"] == [None, "//4="], "exact argv bytes travel in unmapped")
    check(exec_echo["process"]["container"]["uid"] == "ab" * 32, "container id on the process")
    sh_exit = next(x for x in recs if x["type_uid"] == 100702 and x["process"].get("pid") == 400)
    check(sh_exit["exit_code"] == 32, "Terminate carries exit_code")
    incoming = next(x for x in recs if x["class_uid"] == 4001 and x["activity_id"] == 2 and x["connection_info"]["direction_id"] == 1)
    check(incoming["traffic"]["bytes_out"] == 99 and incoming["src_endpoint"]["port"] == 51000,
          "an incoming connection's source is the peer, its bytes_out what the peer sent: %s" % incoming.get("traffic"))

    # The check fails records the schema forbids (one change each to a record that passed).
    breaks = [
        ("a required attribute removed", 1007, lambda x: x["metadata"]["product"].pop("name")),
        ("an activity the class has not", 1007, lambda x: x.update(activity_id=42, type_uid=100742)),
        ("type_uid that does not follow", 4001, lambda x: x.update(type_uid=400199)),
        ("a pid as text", 1007, lambda x: x["process"].update(pid="300")),
        ("an attribute the class has not", 4003, lambda x: x.update(bytes_sent=1)),
        ("a severity out of the enum", 2004, lambda x: x.update(severity_id=7)),
        ("a port past 65535", 4001, lambda x: x["dst_endpoint"].update(port=70000)),
        ("an ip that is none", 4001, lambda x: x["dst_endpoint"].update(ip="github.com")),
        ("a time in seconds as text", 1001, lambda x: x.update(time="1795946403")),
        ("a file without type_id", 1001, lambda x: x["file"].pop("type_id")),
        ("a DNS answer that is no array", 4003, lambda x: x.update(answers={"rdata": "1.2.3.4"})),
    ]
    for what, cls, mutate in breaks:
        bad = copy.deepcopy(first_of(recs, cls))
        mutate(bad)
        p, _ = check_ocsf.check_lines(schema, [json.dumps(bad)])
        check(p, "the schema check rejects %s" % what)

    # ECS: the fields SIEM rules look at.
    r = expect(0, "export", arch, "--format", "ecs")
    docs = [json.loads(l) for l in r.stdout.splitlines()]
    check(len(docs) == len(recs), "ECS and OCSF map the same events (%d, %d)" % (len(docs), len(recs)))
    curl = next(d for d in docs if d["event"]["action"] == "process_exec" and d["process"].get("name") == "curl")
    check(curl["process"]["args"] == ["curl", "-k", "-sSL", "https://github.com/octo/tool.sh"], "process.args is argv")
    check(curl["labels"]["github_repository"] == "octo/hello" and curl["labels"]["github_run_id"] == "42", "the job in labels")
    check(curl["orchestrator"]["resource"]["name"] == "runner-x", "the pod in orchestrator")
    exit32 = next(d for d in docs if d["event"]["action"] == "process_exit" and d["process"].get("pid") == 400)
    check(exit32["process"]["exit_code"] == 32, "process.exit_code")
    close = next(d for d in docs if d["event"]["action"] == "net_close" and d["network"]["direction"] == "egress")
    check(close["source"]["bytes"] == 700 and close["destination"]["bytes"] == 12000, "source.bytes / destination.bytes")
    dns = next(d for d in docs if d["event"]["action"] == "dns_query")
    check(dns["dns"]["question"]["name"] == "github.com", "dns.question.name")
    finding = next(d for d in docs if d["event"]["kind"] == "alert")
    check(finding["rule"]["name"] == "tls-verify-disabled", "rule.name of a finding")
    echo = next(d for d in docs if d["process"].get("pid") == 700 and d["event"]["action"] == "process_exec")
    check(echo["jobtrail"]["exact_bytes"]["process"]["args_b64"] == [None, "//4="], "exact bytes under jobtrail")

    # Flags and lookups.
    expect(2, "export", arch, "--format", "xml", contains="--format")
    expect(2, "export", arch, contains="--format is required")
    expect(2, "export", arch, "--format", "ocsf", "-o", os.path.join(tmp, "no", "such", "dir", "x.jsonl"), contains="cannot write")
    expect(3, "export", os.path.join(tmp, "nothing-here"), "--format", "ecs")
    clitest.finish()


if __name__ == "__main__":
    main()
