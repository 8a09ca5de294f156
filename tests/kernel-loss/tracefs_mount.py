#!/usr/bin/env python3
"""tracefs self-mount: in a private mount namespace with tracefs (and debugfs, whose tracing/ is
tracefs too) unmounted, the sidecar mounts tracefs at /sys/kernel/tracing itself, says so, attaches
its syscall tracepoints (libbpf finds their ids in tracefs) and traces an exec and an unlink.
The host's mounts are untouched: only the namespace ever loses or gains a mount.
usage: tracefs_mount.py SIDECAR_BINARY"""
import os
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ktest import (Cgroups, Sidecar, archive_dir, check, events_of, execs_with_args, run_in,  # noqa: E402
                   run_test, scratch)

# Runs as root in the new mount namespace, then execs the sidecar ("$@").
UNMOUNT_THEN_EXEC = r'''
for m in /sys/kernel/debug/tracing /sys/kernel/tracing /sys/kernel/debug; do
  while umount "$m" 2>/dev/null; do :; done   # stacked mounts too
done
echo "before-sidecar: /sys/kernel/tracing is $(stat -f -c %T /sys/kernel/tracing)" >&2
exec "$@"
'''


def mounts():
    with open("/proc/self/mountinfo") as f:
        return sorted(l.split(" - ")[1].split()[0] + " " + l.split()[4] for l in f
                      if l.split(" - ")[1].split()[0] in ("tracefs", "debugfs"))


def main():
    sidecar_bin = sys.argv[1]
    work = scratch("tracefs")
    storage = os.path.join(work, "archive")
    host_before = mounts()
    victim = os.path.join(work, "victim")
    marker = f"marker-tracefs-{os.getpid()}"
    with Cgroups(f"jt-kloss-tracefs-{os.getpid()}") as (cg,):
        sc = Sidecar(["unshare", "-m", "--propagation", "private", "sh", "-c", UNMOUNT_THEN_EXEC, "sh",
                      sidecar_bin, "run", "--cgroup", cg, "--storage", storage, "--spool", storage + ".spool",
                      "--http-listen", "", "--output", "json"], os.path.join(work, "sidecar"))
        try:
            ready = sc.wait_ready()
            log = sc.log()
            check("before-sidecar: /sys/kernel/tracing is sysfs" in log,
                  "tracefs was not mounted in the namespace when the sidecar started")
            check("mounted tracefs at /sys/kernel/tracing" in log, "the sidecar logs that it mounted tracefs")
            if not check(ready, "sidecar ready (every program attached)"):
                return
            script = f": > {victim}; /bin/rm {victim}; /bin/echo {marker}"
            check(run_in(cg, ["/bin/sh", "-c", script]) == 0, "job ran")
            status = sc.stop()
        finally:
            sc.kill()
    check(status == 0, f"sidecar exit status 0 (got {status})")
    check(mounts() == host_before, f"host tracefs/debugfs mounts unchanged: {mounts()}")
    archive = archive_dir(storage)
    if not check(archive is not None, "archive written"):
        return
    events = events_of(archive)
    echo = execs_with_args(events, ["/bin/echo", marker])
    check(len(echo) == 1 and echo[0]["process"]["binary"] == "/usr/bin/echo", f"the echo exec traced once ({len(echo)})")
    rm = execs_with_args(events, ["/bin/rm", victim])
    unlinks = [e for e in events if e["type"] == "file_change" and e.get("file", {}).get("op") == "unlink"
               and e["file"].get("path") == victim]
    check(len(rm) == 1 and len(unlinks) == 1 and unlinks[0]["process"]["exec_id"] == rm[0]["process"]["exec_id"],
          "the unlink (a syscall tracepoint) traced once, with rm's exec_id")


if __name__ == "__main__":
    run_test("kernel-loss: tracefs_mount", main)
