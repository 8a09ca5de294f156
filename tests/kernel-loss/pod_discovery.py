#!/usr/bin/env python3
"""Pod cgroup discovery without --cgroup: the sidecar is one container cgroup (POD/sidecar) among
siblings under the pod cgroup, as a native sidecar is. It must trace POD (the job in POD/job),
exclude itself (POD/sidecar) and ignore a neighbour pod. Two layouts, and a sidecar in the root
cgroup (nothing to discover: it must refuse to start):
  host:     no cgroup namespace; /proc/self/cgroup holds the host path.
  cgroupns: the way container runtimes start it: a cgroup namespace rooted at POD/sidecar, a
            private mount namespace with a cgroup2 mount made inside it at /sys/fs/cgroup (showing
            only the container's own cgroup) and the host's cgroup2 fs bind-mounted read-only
            elsewhere (/host/sys/fs/cgroup in the chart; a scratch folder here), --host-cgroup-root.
usage: pod_discovery.py SIDECAR_BINARY"""
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ktest import (CG_ROOT, Cgroups, Sidecar, archive_dir, check, events_of, execs_with_args, run_in,  # noqa: E402
                   run_test, scratch)

# Runs in the new cgroup + mount namespaces, then execs the sidecar ("$@" minus the first arg).
CONTAINER_LAYOUT = r'''
host=$1; shift
mount --bind "$HOST_CGROUP2" "$host" && mount -o remount,bind,ro "$host" || exit 90
mount -t cgroup2 cgroup2 /sys/fs/cgroup || exit 91   # rooted at our namespace's root
echo "container-view: $(grep '^0::' /proc/self/cgroup) $(stat -f -c %T /sys/fs/cgroup)" >&2
exec "$@"
'''


def run_layout(sidecar_bin, layout):
    tag = f"{layout}-{os.getpid()}"
    work = scratch("discovery-" + layout)
    storage = os.path.join(work, "archive")
    pod, sib = f"jt-kloss-pod-{tag}", f"jt-kloss-neighbour-{tag}"
    with Cgroups(pod, pod + "/sidecar", pod + "/job", sib, sib + "/job") as (pod_cg, sidecar_cg, job_cg, _, sib_job_cg):
        args = ["run", "--storage", storage, "--spool", storage + ".spool", "--http-listen", "", "--output", "json"]
        if layout == "host":
            argv, root = [sidecar_bin] + args, CG_ROOT
        else:
            root = os.path.join(work, "host-cgroup")
            os.mkdir(root)
            os.environ["HOST_CGROUP2"] = CG_ROOT
            argv = ["unshare", "-m", "--propagation", "private", "-C", "sh", "-c", CONTAINER_LAYOUT, "sh", root,
                    sidecar_bin] + args + ["--host-cgroup-root", root]
        sc = Sidecar(argv, os.path.join(work, "sidecar"), cgroup=sidecar_cg)
        try:
            ready = sc.wait_ready()
            log = sc.log()
            if layout == "cgroupns":
                check("container-view: 0::/ cgroup2fs" in log, f"[{layout}] the sidecar sees only its own cgroup")
            want = f"tracing cgroup {root}/{pod} (excluded: {root}/{pod}/sidecar)"
            if not check(ready and want in log, f"[{layout}] discovered: {want}"):
                print(log, flush=True)
                return
            marks = {k: f"marker-{k}-{tag}" for k in ("job", "neighbour", "self")}
            check(run_in(job_cg, ["/bin/echo", marks["job"]]) == 0, f"[{layout}] job ran in POD/job")
            check(run_in(sib_job_cg, ["/bin/echo", marks["neighbour"]]) == 0, f"[{layout}] neighbour pod ran")
            check(run_in(sidecar_cg, ["/bin/echo", marks["self"]]) == 0, f"[{layout}] a process in the sidecar's cgroup ran")
            status = sc.stop()
        finally:
            sc.kill()
    check(status == 0, f"[{layout}] sidecar exit status 0 (got {status})")
    archive = archive_dir(storage)
    if not check(archive is not None, f"[{layout}] archive written"):
        return
    events = events_of(archive)
    job = execs_with_args(events, ["/bin/echo", marks["job"]])
    check(len(job) == 1 and job[0]["process"]["binary"] == "/usr/bin/echo", f"[{layout}] the job's exec traced once")
    check(not execs_with_args(events, ["/bin/echo", marks["neighbour"]]), f"[{layout}] the neighbour pod is not traced")
    check(not execs_with_args(events, ["/bin/echo", marks["self"]]), f"[{layout}] the sidecar's own cgroup is excluded")
    foreign = [e for e in events if e["type"] == "process_exec" and e["process"]["args"][1:2] != [marks["job"]]]
    check(not foreign, f"[{layout}] nothing but the job's exec: {[e['process']['args'] for e in foreign]}")


def run_in_root_cgroup(sidecar_bin):
    """In the root cgroup without a namespace there is no pod to find: one line, exit 1, nothing
    written (it used to trace the whole host with the root also "excluded": silently nothing)."""
    work = scratch("discovery-root")
    storage = os.path.join(work, "archive")
    sc = Sidecar([sidecar_bin, "run", "--storage", storage, "--spool", storage + ".spool", "--http-listen", ""],
                 os.path.join(work, "sidecar"), cgroup=CG_ROOT)
    try:
        status = sc.proc.wait(timeout=60)
    finally:
        sc.kill()
    log = sc.log()
    check(status == 1 and log.count("\n") == 1 and "own container cgroup not found" in log and "pass --cgroup" in log,
          f"[root] start-up fails with one line (exit {status}): {log.strip()}")
    check(not os.path.exists(storage), "[root] nothing written")


def main():
    for layout in ("host", "cgroupns"):
        run_layout(sys.argv[1], layout)
    run_in_root_cgroup(sys.argv[1])


if __name__ == "__main__":
    run_test("kernel-loss: pod_discovery", main)
