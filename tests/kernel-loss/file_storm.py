#!/usr/bin/env python3
"""A storm of opens, each of a new path (jt_event_storm open: two threads, as fast as they can),
can neither take the sidecar past its memory budget nor keep it from finishing the archive:
whatever it holds per distinct path (the file folds) has a byte share of --memory-budget-mib, and
a SIGTERM while the storm goes on ends the trail within --flush-deadline (one read of the ring is
bounded, and draining reads for a quarter of the deadline; what is left is counted as
`unread_at_end`). Checks the sidecar's peak RSS (VmHWM), the time from SIGTERM to its exit while
the storm still runs, and that the archive is complete.
usage: file_storm.py SIDECAR_BINARY EVENT_STORM_BINARY"""
import os
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ktest import (Cgroups, Sidecar, archive_dir, check, check_peak_in_budget, join_cgroup, manifest_of,  # noqa: E402
                   run_test, scratch, vm_hwm_kib)

BUDGET_MIB = 160
FLUSH_DEADLINE_S = 10
STORM_SECONDS = 120  # outlasts the test: the sidecar is stopped while it runs
TRACED_SECONDS = 10


def traced(sidecar_bin, work, name, cg, seconds, start_job=None):
    """The sidecar tracing cg for `seconds` from the start of the job (if any), then SIGTERM while
    the job goes on; returns (exit, seconds from SIGTERM to exit, peak VmHWM KiB, log, storage)."""
    storage = os.path.join(work, name)
    sc = Sidecar([sidecar_bin, "run", "--cgroup", cg, "--storage", storage, "--spool", storage + ".spool",
                  "--http-listen", "", "--memory-budget-mib", str(BUDGET_MIB),
                  "--flush-deadline", str(FLUSH_DEADLINE_S)], os.path.join(work, name))
    peak, job = 0, None
    if sc.wait_ready(120):
        job = start_job() if start_job else None
        end = time.monotonic() + seconds
        while time.monotonic() < end and sc.proc.poll() is None:
            peak = max(peak, vm_hwm_kib(sc.pid))
            time.sleep(0.1)
        peak = max(peak, vm_hwm_kib(sc.pid))
    stopped = time.monotonic()
    status = sc.stop(STORM_SECONDS)
    took = time.monotonic() - stopped
    if job:
        job.kill()
        job.wait()
    return status, took, peak, sc.log(), storage


def main():
    sidecar_bin, storm = sys.argv[1], sys.argv[2]
    work = scratch("file-storm")
    # A sanitizer build holds freed memory in its quarantine: keep it small (as hostile.py does)
    os.environ["ASAN_OPTIONS"] = os.environ.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=16:malloc_context_size=5"
    name = f"jt-file-storm-{os.getpid()}"
    with Cgroups(name) as (cg,):
        _, _, idle, _, _ = traced(sidecar_bin, work, "idle", cg, 1)

        def start_job():
            return subprocess.Popen([storm, "open", "2", str(STORM_SECONDS)], preexec_fn=join_cgroup(cg),
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        status, took, peak, log, storage = traced(sidecar_bin, work, "storm", cg, TRACED_SECONDS, start_job)
    check(status == 0, f"sidecar exits 0 after SIGTERM (got {status}); log tail:\n{log[-2000:]}")
    # the deadline covers reading and the archive; the rest is slack for a loaded machine
    check(took < FLUSH_DEADLINE_S + 10,
          f"SIGTERM to exit while the storm goes on: {took:.1f} s (deadline {FLUSH_DEADLINE_S} s)")
    archive = archive_dir(storage)
    if not check(archive is not None, "archive written"):
        return
    manifest = manifest_of(archive)
    check(manifest.get("complete") is True, f"manifest complete ({manifest.get('complete')}, {manifest.get('reason')})")
    opens = manifest.get("event_counts", {}).get("file_open", 0)
    lost = manifest.get("lost") or {}
    print(f"file_open in the archive {opens}, lost {lost}; SIGTERM to exit {took:.1f} s; "
          f"sidecar peak RSS (VmHWM) {peak // 1024} MiB, idle {idle // 1024} MiB, budget {BUDGET_MIB} MiB", flush=True)
    check(opens > 10000, f"the storm's opens are in the archive ({opens})")
    check_peak_in_budget(sidecar_bin, peak, idle, BUDGET_MIB, "the storm")


if __name__ == "__main__":
    run_test("kernel-loss: file storm", main)
