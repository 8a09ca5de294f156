#!/usr/bin/env python3
"""The job as an adversary of its own tracer, one attack per phase; after each attack a marker
exec (/bin/echo marker-PHASE) that the archive must hold. Exits 7 so the test can see its status
come back through `jobtrail-sidecar record`.
usage: hostile_job.py PHASE... (numbers, env, accept, fifo, bloat)"""
import os
import subprocess
import sys
import time

THREADS = int(os.environ.get("HOSTILE_THREADS", "17000"))  # > 16,384 entries of the argument maps


def marker(phase):
    subprocess.run(["/bin/echo", f"marker-{phase}"], stdout=subprocess.DEVNULL, check=True)


def numbers():
    """/proc paths and arguments whose digits do not make a pid, and ones that barely do."""
    for path in ("/proc/99999999999999999999/environ", "/proc/-1/mem", "/proc/0x10/maps", "/proc/4294967296/mem",
                 "/proc/18446744073709551616/mem", "/proc/" + "9" * 200 + "/environ", "/proc/4294967295/mem",
                 "/proc//mem", "/proc/+1/environ", "/proc/1 /mem"):
        try:
            os.close(os.open(path, os.O_RDONLY))
        except OSError:
            pass


def env_scan():
    """More variables than the kernel's env scan reads, the job identity after them."""
    env = {f"V{i}": "x" for i in range(1100)}
    env["GITHUB_REPOSITORY"] = "hostile/after-the-limit"
    subprocess.run(["/bin/true"], env=env, check=True)


def storm(mode):
    """THREADS threads each blocked in one syscall (an entry each in a per-thread map), then woken
    (tests/kernel-loss/blocked_threads.c)."""
    subprocess.run([os.environ["HOSTILE_BLOCKED_THREADS"], mode, str(THREADS)], check=True)


def bloat():
    """argv built to fill the sidecar's exec table: 150 execs of 30,000 one-character arguments.
    Their ~9 MiB of exec records come faster than an ASan sidecar reads them: what the ring cannot
    hold is counted as lost. The marker comes once the sidecar had time to read the ring, so that
    it shows the trail going on after the attack, not the attack's own losses."""
    for _ in range(150):
        subprocess.run(["/bin/true"] + ["x"] * 30000, check=True)
    time.sleep(3)


PHASES = {"numbers": numbers, "env": env_scan, "accept": lambda: storm("accept"), "fifo": lambda: storm("fifo"), "bloat": bloat}

if __name__ == "__main__":
    for phase in sys.argv[1:]:
        PHASES[phase]()
        marker(phase)
    sys.exit(7)
