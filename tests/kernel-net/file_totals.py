#!/usr/bin/env python3
"""Kernel test of the file family's byte totals per open file description: the real sidecar
`record` runs file_totals_job.sh, where the bytes go through fds other than the one the open
returned (a shell redirection, >>, dd if=/of=, a fork, dup2 onto stdout, tee, sendfile) and into
a $GITHUB_ENV command file. Every total is checked exactly, with the exec that opened and the
execs that wrote.
usage: file_totals.py SIDECAR_BINARY SCRATCH_DIR"""
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


def record(mode):
    out, work = os.path.join(scratch, "archive-" + mode), os.path.join(scratch, "work-" + mode)
    for d in (out, work):
        shutil.rmtree(d, ignore_errors=True)
    os.makedirs(work)
    r = subprocess.run([sidecar, "record", "--out", out, "--files", mode, "--output", "json", "--",
                        "/bin/sh", os.path.join(here, "file_totals_job.sh"), work, python],
                       capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, f"[{mode}] record exit status 0 (got {r.returncode}): {r.stderr[-400:]}")
    return events_of(out), work


def opens(ev, path, mode_has=None):
    return [e for e in ev if e["type"] == "file_open" and e["file"]["path"] == path and
            (mode_has is None or mode_has in e["file"]["mode"])]


def exec_ids(ev, argv0_and_first):
    return {e["process"]["exec_id"] for e in ev if e["type"] == "process_exec" and
            [os.path.basename(a) for a in e["process"]["args"][:2]] == argv0_and_first}


def one_fold(ev, path, mode_has, what):
    got = opens(ev, path, mode_has)
    check(len(got) == 1, f"{what}: one folded open of {os.path.basename(path)} (found {len(got)})")
    return got[0]["file"] if got else {}


def main():
    os.makedirs(scratch, exist_ok=True)
    ev, w = record("folded")
    sh = exec_ids(ev, ["sh", "file_totals_job.sh"])
    check(len(sh) == 1, "the job's shell is in the trail")

    f = one_fold(ev, w + "/redirect.bin", "write", "shell redirection")
    head = exec_ids(ev, ["head", "-c"]) & {x["exec_id"] for x in f.get("writers", [])}
    check(f.get("bytes_written") == 50000 and len(head) == 1 and
          f.get("writers") == [{"exec_id": head.pop(), "bytes_written": 50000}],
          "head -c 50000 > redirect.bin: 50000 bytes, written by head " + json.dumps(f))

    f = one_fold(ev, w + "/append.txt", "append", ">> append")
    check(f.get("count") == 2 and f.get("bytes_written") == 8, "two >> of 4 bytes: count 2, 8 bytes " + json.dumps(f))

    f = one_fold(ev, w + "/dd.bin", "write", "dd of=")
    check(f.get("bytes_written") == 123457, "dd of= bs=123457 count=1: 123457 bytes " + json.dumps(f))
    f = [e["file"] for e in opens(ev, w + "/dd.bin") if e["file"]["mode"] == ["read"]]
    check(len(f) == 1 and f[0].get("bytes_read") == 70001, "dd if= bs=70001 count=1: 70001 bytes read " + json.dumps(f))

    f = one_fold(ev, w + "/tee.bin", "write", "tee")
    tee = exec_ids(ev, ["tee", "tee.bin"])
    check(f.get("bytes_written") == 3333 and len(tee) == 1 and f.get("writers") == [
        {"exec_id": next(iter(tee)), "bytes_written": 3333}], "tee: 3333 bytes, by tee " + json.dumps(f))

    f = one_fold(ev, w + "/forked.bin", "write", "fork")
    check(f.get("bytes_written") == 3000 and sum(x["bytes_written"] for x in f.get("writers", [])) == 3000,
          "a description shared after fork: 1000 by the child + 2000 by the parent " + json.dumps(f))

    f = one_fold(ev, w + "/dup2.bin", "write", "dup2")
    check(f.get("bytes_written") == 4242, "dup2 onto stdout, then close: 4242 bytes through fd 1 " + json.dumps(f))

    f = one_fold(ev, w + "/dst.bin", "write", "sendfile")
    check(f.get("bytes_written") == 10000, "os.sendfile: 10000 bytes written to dst.bin " + json.dumps(f))
    src = [e["file"] for e in opens(ev, w + "/src.bin") if e["file"]["mode"] == ["read"]]
    check(len(src) == 1 and src[0].get("bytes_read") == 10000, "os.sendfile: 10000 bytes read from src.bin " + json.dumps(src))

    env = w + "/runner/_work/_temp/_runner_file_commands/set_env_5d3c2b1a-0000-4000-8000-000000000001"
    cmd = opens(ev, env)
    check(sorted(e["file"].get("bytes_written") for e in cmd) == [8, 21] and
          all(e["file"].get("command_file") == "GITHUB_ENV" and e["file"].get("count") == 1 and
              e["process"]["exec_id"] in sh for e in cmd),
          "$GITHUB_ENV: two unfolded opens by the job's shell, 8 and 21 bytes " + json.dumps([e["file"] for e in cmd]))
    unseen = [e["file"]["path"] for e in ev if e["type"] == "file_open" and e["file"].get("release_unseen")]
    check(not unseen, "every description's release was seen (close, dup2 or the exit walk): " + json.dumps(unseen))
    lost = [e for e in ev if e["type"] == "lost"]
    check(not lost, "nothing lost " + json.dumps(lost))

    # --files all: one file_io per description at its release, with the same totals
    ev, w = record("all")
    io = [e["file"] for e in ev if e["type"] == "file_io" and e["file"]["path"] == w + "/redirect.bin"]
    check(len(io) == 1 and io[0].get("bytes_written") == 50000, "--files all: file_io of redirect.bin, 50000 bytes " + json.dumps(io))
    io = [e["file"] for e in ev if e["type"] == "file_io" and e["file"]["path"] == w + "/forked.bin"]
    check(len(io) == 1 and io[0].get("bytes_written") == 3000, "--files all: file_io of forked.bin, 3000 bytes " + json.dumps(io))
    io = [e["file"] for e in ev if e["type"] == "file_io" and e["file"].get("command_file") == "GITHUB_ENV"]
    check(sorted(x.get("bytes_written") for x in io) == [8, 21], "--files all: the GITHUB_ENV writes " + json.dumps(io))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
