#!/usr/bin/env python3
"""A hostile job cannot stop, bloat or blind its own tracer: hostile_job.py runs its attacks under
`jobtrail-sidecar record` (numbers in /proc paths no pid has, an env scan cut short, 17,000
threads blocked in accept() and in the open of a FIFO, argv built to bloat memory). The sidecar
must exit with the job's status (7), the manifest be complete, the marker exec after each attack
be in the archive, every loss be counted in the trail and the manifest, exactly, and the
sidecar's peak RSS (VmHWM) stay under its memory budget.
usage: hostile.py SIDECAR_BINARY BLOCKED_THREADS_BINARY"""
import os
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ktest import CLI, archive_dir, check, check_peak_in_budget, events_of, manifest_of, run_test, scratch, vm_hwm_kib  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
THREADS = 17000
ARGS_MAP_ENTRIES = 16384  # file_args, accepting (bpf/file.bpf.c, bpf/net.bpf.c)
PHASES = ["numbers", "env", "accept", "fifo", "bloat"]
BUDGET_MIB = 160


def record(sidecar_bin, out, argv, env, stderr):
    """`jobtrail-sidecar record` of argv; returns (exit status, peak VmHWM in KiB)."""
    proc = subprocess.Popen([sidecar_bin, "record", "--out", out, "--output", "json",
                             "--memory-budget-mib", str(BUDGET_MIB), "--"] + argv,
                            stdout=subprocess.DEVNULL, stderr=stderr, env=env)
    peak, end = 0, time.monotonic() + 600
    while proc.poll() is None and time.monotonic() < end:
        peak = max(peak, vm_hwm_kib(proc.pid))
        time.sleep(0.1)
    if proc.poll() is None:
        proc.kill()
    return proc.wait(), peak


def main():
    sidecar_bin, blocked_threads = sys.argv[1], sys.argv[2]
    work = scratch("hostile")
    out = os.path.join(work, "archive")
    env = dict(os.environ, HOSTILE_THREADS=str(THREADS), HOSTILE_BLOCKED_THREADS=blocked_threads)
    # A sanitizer build holds freed memory in its quarantine: keep it small so VmHWM measures the
    # sidecar's own data, not ASan's defaults (256 MiB of quarantine).
    env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=16:malloc_context_size=5"
    with open(os.path.join(work, "idle.stderr"), "w") as err:
        _, idle = record(sidecar_bin, os.path.join(work, "idle"), ["/bin/sleep", "1"], env, err)
    with open(os.path.join(work, "sidecar.stderr"), "w") as err:
        status, peak = record(sidecar_bin, out, [sys.executable, os.path.join(HERE, "hostile_job.py")] + PHASES,
                              env, err)
    with open(os.path.join(work, "sidecar.stderr"), errors="replace") as f:
        log = f.read()
    check(status == 7, f"sidecar exits with the job's status 7 (got {status}); log tail:\n{log[-2000:]}")
    archive = archive_dir(out)
    if not check(archive is not None, "archive written"):
        return
    manifest = manifest_of(archive)
    check(manifest.get("complete") is True, f"manifest complete ({manifest.get('complete')}, {manifest.get('reason')})")
    events = events_of(archive)
    check([e["seq"] for e in events] == list(range(len(events))), "seq gap-free")
    execs = [e for e in events if e["type"] == "process_exec"]
    for phase in PHASES:
        check(any(e["process"]["args"] == ["/bin/echo", f"marker-{phase}"] for e in execs),
              f"marker exec after the {phase} attack is in the archive")

    lost = {}
    for e in events:
        if e["type"] == "lost":
            lost[e["lost_type"]] = lost.get(e["lost_type"], 0) + e["count"]
    print(f"lost by type: {lost}; sidecar peak RSS (VmHWM) {peak // 1024} MiB, idle {idle // 1024} MiB, "
          f"budget {BUDGET_MIB} MiB", flush=True)
    check(manifest.get("lost") == lost, f"manifest lost totals {manifest.get('lost')} == lost events {lost}")
    check(not any(t.startswith(("undecodable_", "unhandled_")) for t in lost), "every record was decoded and handled")

    opens = {e["file"]["path"] for e in events if e["type"] == "file_open" and "file" in e}
    check("/proc/99999999999999999999/environ" in opens, "the open of /proc/99999999999999999999/environ is in the trail")
    check(any(e.get("priv", {}).get("args", {}).get("target_pid") == 4294967295 for e in events),
          "/proc/4294967295/mem (the largest pid text that fits) is a priv event naming its target")

    scanned = [e for e in execs if e["process"]["args"] == ["/bin/true"] and e.get("env_truncated")]
    check(len(scanned) == 1 and "GITHUB_REPOSITORY" not in scanned[0].get("env", {}),
          f"the exec with 1,100 variables is marked env_truncated ({len(scanned)})")
    check(lost.get("process_exec_scan_cut") == 1, f"the cut env scan is counted once ({lost.get('process_exec_scan_cut')})")

    # Every thread past the map's room lost its event, counted; the main thread's one writer open
    # of the FIFO came while the map was full too.
    check(lost.get("net_accept_map_full") == THREADS - ARGS_MAP_ENTRIES,
          f"accepts without room counted: {lost.get('net_accept_map_full')} == {THREADS - ARGS_MAP_ENTRIES}")
    check(lost.get("file_open_map_full") == THREADS - ARGS_MAP_ENTRIES + 1,
          f"FIFO opens without room counted: {lost.get('file_open_map_full')} == {THREADS - ARGS_MAP_ENTRIES + 1}")

    # argv built to bloat memory: every exec in the archive with its whole argv, the rest counted
    bloat = [e for e in execs if len(e["process"]["args"]) > 1000]
    check(all(e["process"]["args"] == ["/bin/true"] + ["x"] * 30000 for e in bloat), "bloat execs keep their full argv")
    check(len(bloat) + lost.get("process_exec", 0) == 150,
          f"bloat execs seen {len(bloat)} + lost {lost.get('process_exec', 0)} == 150")
    # ASan build: 66-124 MiB of growth seen; an exec table that ignores its share grows by 600 MiB
    check_peak_in_budget(sidecar_bin, peak, idle, BUDGET_MIB, "attack")

    v = subprocess.run([CLI, "verify", archive], capture_output=True, text=True)
    check(v.returncode == 5 and "net_accept_map_full" in v.stdout,
          f"jobtrail verify reports the counted losses (exit {v.returncode}): {v.stdout.strip()[-300:]}")


if __name__ == "__main__":
    run_test("kernel-loss: hostile", main)
