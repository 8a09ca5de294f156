"""What the Python test drivers share: one pass/fail line per check, and an archive's events read
back with the zstd tool (independent of the project's own reader).
Drivers import it after `sys.path.insert(0, <tests>/pylib)`."""
import json
import os
import subprocess

failures = []  # what failed, in order; a driver exits non-zero when it is not empty


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)
    return cond


def events_of(archive):
    """Every event of the archive folder's segments, in seq order."""
    lines = []
    for name in sorted(os.listdir(archive)):
        if name.endswith(".jsonl.zst"):
            text = subprocess.run(["zstd", "-dc", os.path.join(archive, name)], check=True,
                                  capture_output=True).stdout.decode()
            lines += [json.loads(line) for line in text.splitlines() if line.strip()]
    return sorted(lines, key=lambda e: e.get("seq", 0))
