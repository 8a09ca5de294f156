"""`jobtrail` on archives whose content the job chose: escape sequences, bidi overrides and bytes
that are not UTF-8 in argv, paths, names and identity; lines of the wrong shape. Every
human-readable output must show the escaped form (docs/cli.md, "Terminal output") and hold no
byte a terminal acts on; no command may crash on a bad line."""
import glob
import json
import os
import re
import subprocess
import tempfile

from clitest import JOBTRAIL, check, finish, make_archive

ESC = "\x1b"
META = json.dumps({"pod": {"namespace": "ci" + ESC + "[2J", "name": "runner\u202e"}})
IDENTITY = {"GITHUB_REPOSITORY": "octo/" + ESC + "[31mred", "GITHUB_RUN_ID": "7", "GITHUB_RUN_ATTEMPT": "1",
            "GITHUB_JOB": "build" + ESC + "]0;owned\x07", "GITHUB_WORKSPACE": "/w"}
PROC = {"pid": 10, "ppid": 1, "exec_id": 1, "parent_exec_id": 0, "uid": 0,
        "binary": "/bin/" + ESC + "[8mecho",
        # argv[2] was the bytes ff fe: the readable form plus the exact bytes (docs/schema.md)
        "args": ["echo", ESC + "]0;title\x07", "\ufffd\ufffd", "back\\slash"], "args_b64": [None, None, "//4=", None],
        "cwd": "/w\u202e"}
EVENTS = [
    {"type": "process_exec", "time": "2026-11-29T00:00:00Z", "process": {**PROC, "binary": "/home/runner/Runner.Worker",
                                                                        "exec_id": 9, "pid": 9, "args": ["w"]}},
    {"type": "process_exec", "time": "2026-11-29T00:00:00.1Z", "process": {**PROC, "parent_exec_id": 9}},
    {"type": "job_identity", "time": "2026-11-29T00:00:00.1Z", "job": IDENTITY, "revealed_by": 1, "process": PROC},
    {"type": "file_open", "time": "2026-11-29T00:00:01Z", "process": PROC,
     "file": {"path": "/tmp/" + ESC + "[8mhidden" + ESC + "[0m", "mode": ["write", "create"], "result": "ok"}},
    {"type": "file_open", "time": "2026-11-29T00:00:01.5Z", "process": PROC,
     "file": {"path": "/etc/\ufffd", "path_b64": "L2V0Yy/A", "mode": ["write"], "result": "ok"}},
    {"type": "file_open", "time": "2026-11-29T00:00:01.7Z", "process": PROC,
     "file": {"path": "/proc/1/environ", "mode": ["read"], "result": "ok"}},
    {"type": "dns_answer", "time": "2026-11-29T00:00:02Z", "process": PROC,
     "dns": {"name": "evil\u202ecom.x", "qtype": "A", "rcode": "NOERROR",
             "answers": [{"name": "x", "type": "A", "ttl": 1, "data": "169.254.169.254"}]}},
    {"type": "net_connect", "time": "2026-11-29T00:00:03Z", "process": PROC,
     "net": {"protocol": "tcp", "dst_addr": "169.254.169.254", "dst_port": 80, "dst_name": "m\u0085d", "result": "ok"}},
    {"type": "priv_syscall", "time": "2026-11-29T00:00:04Z", "process": PROC,
     "priv": {"syscall": "mount", "args": {"source": "/dev/" + ESC + "[1A", "target": "/mnt"}, "result": "ok"}},
    {"type": "process_exit", "time": "2026-11-29T00:00:05Z", "process": PROC, "exit": {"code": 0, "signal": None}},
]

# What a terminal acts on: C0 but the line feed, DEL, ESC, C1 (raw or as UTF-8), bidi controls.
ACTIVE = re.compile(rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xa8-\xae]|\xe2\x81[\xa6-\xa9]|\xd8\x9c")


def jobtrail(*args):
    r = subprocess.run([JOBTRAIL, *map(str, args)], capture_output=True, timeout=120)
    return r.returncode, r.stdout + r.stderr


def inert(what, out):
    m = ACTIVE.search(out)
    check(m is None, "%s: no byte a terminal acts on (found %r at %d: %r)" %
          (what, m.group(0) if m else b"", m.start() if m else -1, out[max(0, m.start() - 40):m.start() + 20] if m else b""))
    invalid = None
    try:
        out.decode("utf-8")
    except UnicodeDecodeError as e:
        invalid = e
    check(invalid is None, "%s: output is UTF-8 (%s)" % (what, invalid))


def shows(what, out, *texts):
    for t in texts:
        check(t.encode() in out, "%s shows %r" % (what, t))


with tempfile.TemporaryDirectory() as tmp:
    store = os.path.join(tmp, "store")
    prefix = "events/dt=2026-11-29/ci/runner/uid1/"
    make_archive(store, EVENTS, "--prefix", prefix, "--meta", META)
    arch = os.path.join(store, prefix)

    status, out = jobtrail("show", "--stream", "all", arch)  # file events too: their paths are hostile
    check(status == 0, "show exits 0 (got %d)" % status)
    inert("show", out)
    shows("show", out, r"/tmp/\e[8mhidden\e[0m", r"'\e]0;title\x07'", r"'\xff\xfe'", r"'back\\slash'",
          r"/bin/\e[8mecho", r"/etc/\xc0", r"evil\u{202e}com.x", r"(m\u{0085}d)", r"source='/dev/\e[1A'", r"ci\e[2J/runner\u{202e}")

    status, out = jobtrail("show", "--tree", arch)
    check(status == 0, "show --tree exits 0 (got %d)" % status)
    inert("show --tree", out)
    shows("show --tree", out, r"/bin/\e[8mecho", r"'\xff\xfe'")

    status, out = jobtrail("summary", arch)
    check(status == 0, "summary exits 0 (got %d)" % status)
    inert("summary", out)
    shows("summary", out, r"/tmp/\e[8mhidden\e[0m", r"octo/\e[31mred", r"build\e]0;owned\x07", r"ci\e[2J")

    status, out = jobtrail("ls", store)
    check(status == 0, "ls exits 0 (got %d)" % status)
    inert("ls", out)
    shows("ls", out, r"octo/\e[31mred", r"build\e]0;owned\x07")

    # Index objects of the wrong shape beside the good one: skipped or shown, never an abort.
    bad_index = os.path.join(store, "jobs", "evil", "evil", "1", "1", "j")
    os.makedirs(bad_index)
    for i, body in enumerate([{"archive_prefix": 7, "job_identity": 5, "meta": "x"},
                              {"archive_prefix": "pods/x/", "job_identity": {"GITHUB_REPOSITORY": ["a"]},
                               "meta": {"pod": "p"}, "started_at": 3}]):
        with open(os.path.join(bad_index, "bad%d.json" % i), "w") as f:
            json.dump(body, f)
    status, out = jobtrail("ls", store)
    check(status == 0, "ls with index objects of the wrong shape exits 0 (got %d: %r)" % (status, out[-300:]))
    inert("ls with index objects of the wrong shape", out)
    shows("ls with index objects of the wrong shape", out, r"octo/\e[31mred")

    status, out = jobtrail("findings", arch)
    check(status == 0, "findings exits 0 (got %d)" % status)
    inert("findings", out)
    check(b"finding" in out, "findings finds something in the hostile trail")

    status, out = jobtrail("verify", arch)
    check(status == 0, "verify exits 0 (got %d)" % status)
    inert("verify", out)

    # Lines of every wrong shape in a segment: counted, reported, never a crash.
    bad = [b'{"type":5}', b'[1,2,3]', b'"x"', b'null', b'{"type":"process_exec","process":"x"}',
           b'{"type":"process_exec","process":{"binary":7,"args":{"a":1},"exec_id":-1,"pid":1e400}}',
           b'{"type":"process_exit","process":{"exec_id":[]},"exit":"x"}',
           b'{"type":"file_open","file":[],"process":{"pid":-9223372036854775809}}',
           b'{"type":"net_connect","net":{"dst_addr":{},"dst_port":99999999999999999999999}}',
           b'{"type":"dns_answer","dns":{"answers":[1,"x",{"data":[]}],"name":5}}',
           b'{"type":"priv_syscall","priv":{"args":"x","syscall":[]},"process":{"binary":"\\u001b[8m"}}',
           b'{"type":"lost","count":"many","lost_type":{}}', b'{"type":"finding","finding":"x"}',
           b'{"type":"job_identity","job":[1]}', b'{"type":"capability","capability":{"count":-1}}',
           b'{"type":"process_exec","time":{},"seq":"x"}',
           b'{"type":"file_open","file":{"path":"\xff\xfe\x1b[8m"}}',  # raw invalid UTF-8: not JSON
           b'\x1b]0;title\x07 not json', b'[' * 100000 + b']' * 100000,
           b'{"type":"process_exec","process":{"binary":"' + b'A' * 3000000 + b'"}}']
    seg = sorted(glob.glob(os.path.join(arch, "events-*.jsonl.zst")))[0]
    raw = os.path.join(tmp, "bad.jsonl")
    with open(raw, "wb") as f:
        f.write(b"\n".join(bad) + b"\n")
    subprocess.run(["zstd", "-q", "-f", raw, "-o", seg], check=True)
    for cmd in (["show"], ["show", "--json"], ["show", "--tree"], ["summary"], ["summary", "--json"], ["findings"],
                ["findings", "--json"], ["verify"], ["verify", "--json"]):
        status, out = jobtrail(*cmd, arch)
        # 7: the segment no longer matches its manifest entry; never 1 (internal) or a signal
        check(status == 7, "%s on hostile lines exits 7 (tampered), not a crash (got %d: %r)" %
              (" ".join(cmd), status, out[-300:]))
        if "--json" not in cmd:
            inert(" ".join(cmd) + " on hostile lines", out)
    status, out = jobtrail("report", arch, "-o", os.path.join(tmp, "r.html"))
    check(status == 7, "report on hostile lines exits 7, not a crash (got %d: %r)" % (status, out[-300:]))

finish()
