#!/usr/bin/env python3
"""Every command that reads segments, on archives whose segments someone with write access to
the store replaced (the manifest entry and hash chain made to match, so only the content is
hostile): a segment that decompresses to one line of 300 MiB without a newline, and a zstd bomb
of short lines, far more text than its manifest entry's events can hold. Each command must
finish in bounded memory (peak RSS of the command, measured by wait4) with the status
docs/cli.md gives for a segment that could not be read (7), naming the bound it hit."""
import json
import os
import shutil
import subprocess
import tempfile
import threading

from clitest import JOBTRAIL, check, finish, known_trail, load_manifest, make_archive, rewrite_segment

MAX_LINE = 8 << 20  # trail/archive/line_reader.hpp, max_line_bytes
RSS_BOUND_MIB = 160  # the commands' own peak RSS on this build is a few tens of MiB
# ASan keeps freed blocks in a quarantine (256 MiB by default), which is no memory the reader holds.
ENV = {**os.environ, "ASAN_OPTIONS": ":".join(filter(None, [os.environ.get("ASAN_OPTIONS", ""), "quarantine_size_mb=1"]))}

tmp = tempfile.mkdtemp(prefix="jobtrail-cli-bounded-")


def measured(*args, timeout=180):
    """Runs jobtrail; returns (exit status, stdout + stderr text, peak RSS in MiB)."""
    out_path = os.path.join(tmp, "out.txt")
    with open(out_path, "wb") as out:
        p = subprocess.Popen([JOBTRAIL, *map(str, args)], stdout=out, stderr=subprocess.STDOUT, env=ENV)
    timer = threading.Timer(timeout, p.kill)
    timer.start()
    _, status, usage = os.wait4(p.pid, 0)
    timer.cancel()
    p.returncode = os.waitstatus_to_exitcode(status)
    text = open(out_path, "rb").read().decode("utf-8", "replace")
    return p.returncode, text, usage.ru_maxrss / 1024


def zstd_stream(chunk, total):
    """zstd frame of `chunk` repeated up to `total` bytes, compressed as it is produced."""
    z = subprocess.Popen(["zstd", "-q", "--check", "-c"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    result = {}
    reader = threading.Thread(target=lambda: result.update(data=z.stdout.read()))
    reader.start()
    written = 0
    while written < total:
        z.stdin.write(chunk)
        written += len(chunk)
    z.stdin.close()
    reader.join()
    z.wait()
    return result["data"]


def hostile_copy(name, data):
    d = os.path.join(tmp, name)
    shutil.copytree(base, d)
    rewrite_segment(d, 1, data)
    return d


base = os.path.join(tmp, "base")
make_archive(base, [e for e in known_trail.events() if e["type"] != "lost"], "--segment-max-bytes", "400")
segments = load_manifest(base)["segments"]
check(len(segments) >= 3 and segments[1]["events"] < 10, "several small segments (%d)" % len(segments))
SEG = segments[1]["name"]

# 300 MiB of 'a' and no newline: a few hundred KiB of zstd.
long_line = hostile_copy("long-line", zstd_stream(b"a" * (1 << 20), 300 << 20))
# Lines of 99 bytes, 64 MiB of them: more than the segment's few events can be (8 MiB each at most).
bomb = hostile_copy("bomb", zstd_stream(b"z" * 99 + b"\n", 64 << 20))
for d in (long_line, bomb):
    size = os.path.getsize(os.path.join(d, SEG))
    check(size < 4 << 20, "%s: the hostile segment is small on disk (%d bytes)" % (os.path.basename(d), size))

LONG = "longer than %d bytes" % MAX_LINE
BOMB = "decompresses to more than"
try:
    for d, says in ((long_line, LONG), (bomb, BOMB)):
        what = os.path.basename(d)
        commands = [
            ("verify", [d]),
            ("show", [d]),
            ("show --json", [d, "--json"]),
            ("summary", [d]),
            ("summary --json", [d, "--json"]),
            ("report", [d, "-o", os.path.join(tmp, what + ".html")]),
            ("export", [d, "--format", "ocsf", "-o", os.path.join(tmp, what + ".ocsf")]),
            ("findings", [d]),
            ("fetch", [d, "-o", os.path.join(tmp, what + "-fetched")]),
        ]
        for name, args in commands:
            expected = says
            if d == bomb and name in ("verify", "fetch"):
                expected = "line 1 is not a JSON object"  # the verifier stops at the first line that is no event
            status, text, rss = measured(name.split()[0], *args, *name.split()[1:])
            check(status == 7, "%s: %s exits 7 (got %d: %s)" % (what, name, status, text.strip()[-300:]))
            check(expected in text and SEG in text, "%s: %s names %s and says '%s' (%s)" % (what, name, SEG, expected,
                                                                                            text.strip()[-300:]))
            check(rss < RSS_BOUND_MIB, "%s: %s peak RSS %.0f MiB < %d MiB" % (what, name, rss, RSS_BOUND_MIB))
            print("%s: %s exit %d, peak RSS %.0f MiB" % (what, name, status, rss))
        status, text, _ = measured("verify", d, "--json")
        problems = json.loads(text[text.index("{"):]).get("problems", []) if "{" in text else []
        kinds = sorted({(p["kind"], p["segment"]) for p in problems})
        check(kinds == [("decode_error", SEG)],
              "%s: verify --json reports the segment's content and nothing else (%s)" % (what, kinds))
finally:
    shutil.rmtree(tmp, ignore_errors=True)
finish()
