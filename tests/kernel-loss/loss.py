#!/usr/bin/env python3
"""Nothing is lost silently, proven with a real overflow: the sidecar runs with a 4 KiB ring
buffer and is SIGSTOPped (its consumer stops, the kernel keeps producing) while the traced
cgroup runs N execs of /bin/true; after SIGCONT and SIGTERM the archive must account for every
exec and exit exactly (seen + lost == done), the manifest, /metrics and `jobtrail verify` agree.
usage: loss.py SIDECAR_BINARY"""
import os
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ktest import (CLI, Cgroups, Sidecar, archive_dir, check, events_of, free_port,  # noqa: E402
                   manifest_of, metrics, run_in, run_test, scratch)

# The smallest ring the kernel takes (one page; 4 KiB on x86) and enough /bin/true runs to
# overflow it many times over: one exec record is ~250 bytes, so 4 KiB holds a dozen or so.
RING_KIB = max(4, os.sysconf("SC_PAGE_SIZE") // 1024)
N = 300 * RING_KIB // 4


def process_state(pid):
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0]


def stable_metrics(port, timeout=30):
    """/metrics once the lost counter is non-zero and unchanged over two reads 1.5 s apart (the
    sidecar reads the kernel's loss counters every second)."""
    end, last = time.monotonic() + timeout, None
    while time.monotonic() < end:
        m = metrics(port)
        key = (m.get("jobtrail_sidecar_lost_events_total", 0), m.get("jobtrail_sidecar_events_total", 0))
        if key[0] > 0 and key == last:
            return m
        last = key
        time.sleep(1.5)
    return metrics(port)


def main():
    sidecar_bin = sys.argv[1]
    work = scratch("loss")
    storage, port = os.path.join(work, "archive"), free_port()
    with Cgroups(f"jt-kloss-loss-{os.getpid()}") as (cg,):
        bad = subprocess.run([sidecar_bin, "run", "--cgroup", cg, "--storage", storage, "--http-listen", "",
                              "--ring-buffer-kib", "3"], capture_output=True, text=True, timeout=60)
        check(bad.returncode == 1 and bad.stderr == "jobtrail-sidecar: --ring-buffer-kib 3: must be a power of two "
              "(4, 8, ... 1024, ...)\n" and not os.path.exists(storage),
              f"--ring-buffer-kib 3 refused with one line, nothing written: {bad.returncode} {bad.stderr!r}")
        sc = Sidecar([sidecar_bin, "run", "--cgroup", cg, "--storage", storage, "--spool", storage + ".spool",
                      "--http-listen", f"127.0.0.1:{port}", "--output", "json", "--ring-buffer-kib", str(RING_KIB)],
                     os.path.join(work, "sidecar"))
        try:
            if not check(sc.wait_ready(), f"sidecar ready with --ring-buffer-kib {RING_KIB}"):
                return
            check(f"ring buffer: {RING_KIB} KiB shared by every family" in sc.log(), "the log says the ring-buffer size")
            os.kill(sc.pid, signal.SIGSTOP)
            for _ in range(100):
                if process_state(sc.pid) == "T":
                    break
                time.sleep(0.01)
            check(process_state(sc.pid) == "T", "sidecar stopped (SIGSTOP)")
            loop = f"i=0; while [ $i -lt {N} ]; do /bin/true; i=$((i+1)); done"
            check(run_in(cg, ["/bin/sh", "-c", loop]) == 0, f"job ran {N} execs of /bin/true while the sidecar was stopped")
            os.kill(sc.pid, signal.SIGCONT)
            m = stable_metrics(port)
            status = sc.stop()
        finally:
            sc.kill()
    check(status == 0, f"sidecar exit status 0 after SIGTERM (got {status})")

    archive = archive_dir(storage)
    if not check(archive is not None, "archive written"):
        return
    events = events_of(archive)
    check([e["seq"] for e in events] == list(range(len(events))), "seq gap-free")
    lost = {}
    for e in events:
        if e["type"] == "lost":
            check(isinstance(e.get("lost_type"), str) and e.get("count", 0) > 0,
                  f"lost event names its type with a count > 0: {e}")
            lost[e["lost_type"]] = lost.get(e["lost_type"], 0) + e["count"]
    print(f"lost by type: {lost}", flush=True)
    done_execs = N + 1  # the shell itself, then N /bin/true
    execs = [e for e in events if e["type"] == "process_exec"]
    exits = [e for e in events if e["type"] == "process_exit"]
    check(lost.get("process_exec", 0) > 0, f"process_exec losses recorded ({lost.get('process_exec', 0)})")
    check(len(execs) > 0, f"some execs got through the {RING_KIB} KiB ring ({len(execs)})")
    check(all(e["process"]["args"] in (["/bin/true"], ["/bin/sh", "-c", loop]) for e in execs),
          "every exec seen is one of the job's")
    # Exact: every exec in scope either reaches the ring or increments the loss counter.
    check(len(execs) + lost.get("process_exec", 0) == done_execs,
          f"execs seen {len(execs)} + lost {lost.get('process_exec', 0)} == {done_execs} done")
    check(len(exits) + lost.get("process_exit", 0) == done_execs,
          f"exits seen {len(exits)} + lost {lost.get('process_exit', 0)} == {done_execs} processes")

    manifest = manifest_of(archive)
    check(manifest.get("lost") == lost, f"manifest lost totals {manifest.get('lost')} == lost events {lost}")
    total = sum(lost.values())
    check(m.get("jobtrail_sidecar_lost_events_total") == total,
          f"/metrics lost {m.get('jobtrail_sidecar_lost_events_total')} == archive's {total}")

    v = subprocess.run([CLI, "verify", archive], capture_output=True, text=True)
    print(v.stdout.strip(), flush=True)
    check(v.returncode == 5, f"jobtrail verify exit status 5 (lost events, docs/cli.md), got {v.returncode}")
    check("lost_events" in v.stdout and f"{total} events were lost" in v.stdout
          and f"process_exec {lost.get('process_exec')}" in v.stdout, "verify names the loss, its type and count")
    check(": ok (" not in v.stdout and ": lost_events (" in v.stdout, "verify's verdict line says lost_events, not ok")
    vj = subprocess.run([CLI, "verify", "--json", archive], capture_output=True, text=True)
    check(vj.returncode == 5 and '"verdict":"lost_events"' in vj.stdout, "verify --json verdict lost_events")


if __name__ == "__main__":
    run_test("kernel-loss: loss", main)
