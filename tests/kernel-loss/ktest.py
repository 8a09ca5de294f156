"""Helpers of the kernel-loss tests: the real jobtrail-sidecar on the real kernel, cgroups standing
in for pods (unique names, killed and removed at the end), archives read back with zstd."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import traceback
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from trailtest import check, events_of, failures  # noqa: E402,F401 (re-exported to the tests)

BIN = os.environ["JOBTRAIL_BINARY_DIR"]
CLI = os.path.join(BIN, "cli", "jobtrail")
CG_ROOT = next(p for p in ("/sys/fs/cgroup/unified", "/sys/fs/cgroup") if os.path.exists(p + "/cgroup.procs"))


def run_test(name, main):
    """Runs main(); an exception is a failure too. Exits 1 on any failure."""
    t0 = time.monotonic()
    try:
        main()
    except Exception:  # noqa: BLE001 - reported, then the test fails
        traceback.print_exc()
        failures.append("exception")
    print(f"{name}: {len(failures)} failure(s), {time.monotonic() - t0:.1f} s", flush=True)
    if not failures:
        for d in scratch_dirs:
            shutil.rmtree(d, ignore_errors=True)
    sys.exit(1 if failures else 0)


scratch_dirs = []


def scratch(name):
    """A fresh folder under the build tree; removed at the end if every check passed."""
    d = os.path.join(BIN, "tests", "kernel-loss-scratch", f"{name}-{os.getpid()}")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    scratch_dirs.append(d)
    return d


class Cgroups:
    """Fresh cgroups under the cgroup2 root (relative names, parents first); every process in
    them is killed and the directories removed on exit, deepest first."""

    def __init__(self, *names):
        self.paths = [os.path.join(CG_ROOT, n) for n in names]

    def __enter__(self):
        for p in self.paths:
            os.mkdir(p)
        return self.paths

    def __exit__(self, *exc):
        for p in reversed(self.paths):
            try:
                with open(p + "/cgroup.kill", "w") as f:
                    f.write("1")
            except OSError:
                pass
            for _ in range(100):
                try:
                    os.rmdir(p)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)


def join_cgroup(cg):
    """preexec_fn: the child moves itself into cg before it execs."""
    def f():
        with open(cg + "/cgroup.procs", "w") as procs:
            procs.write(str(os.getpid()))
    return f


def run_in(cg, argv, timeout=60):
    return subprocess.run(argv, preexec_fn=join_cgroup(cg), stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, timeout=timeout).returncode


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sidecar:
    """The real sidecar: argv as given, stdout/stderr to files; ready once it logs that it traces."""

    def __init__(self, argv, log_prefix, cgroup=None):
        self.out, self.err = log_prefix + ".stdout", log_prefix + ".stderr"
        with open(self.out, "w") as o, open(self.err, "w") as e:
            self.proc = subprocess.Popen(argv, stdout=o, stderr=e, stdin=subprocess.DEVNULL,
                                         preexec_fn=join_cgroup(cgroup) if cgroup else None)
        self.pid = self.proc.pid

    def log(self):
        with open(self.err, errors="replace") as f:
            return f.read()

    def wait_ready(self, timeout=60):  # loading under ASan on a busy 2-core machine is slow
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if "tracing cgroup" in self.log():
                return True
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        print(f"sidecar not ready (exit {self.proc.poll()}):\n{self.log()}", flush=True)
        return False

    def stop(self, timeout=60):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def kill(self):
        if self.proc.poll() is None:
            os.kill(self.pid, signal.SIGCONT)
            self.proc.kill()
            self.proc.wait()


def archive_dir(storage):
    for root, _, files in os.walk(storage):
        if "_manifest.json" in files:
            return root
    return None


def manifest_of(archive):
    with open(os.path.join(archive, "_manifest.json")) as f:
        return json.load(f)


def execs_with_args(events, args):
    return [e for e in events if e["type"] == "process_exec" and e["process"].get("args") == args]


def metrics(port):
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never a proxy
    with direct.open(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        out = {}
        for line in r.read().decode().splitlines():
            if line and not line.startswith("#"):
                k, v = line.split()
                out[k] = int(v)
        return out


def vm_hwm_kib(pid):
    """The process's peak RSS in KiB (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def check_peak_in_budget(sidecar_bin, peak_kib, idle_kib, budget_mib, under):
    """The sidecar's peak RSS under `under` (an attack, a storm) is within its memory budget. On a
    sanitizer build ASan's shadow memory and allocator inflate the fixed part, not what the job
    adds; the growth also holds ring pages first touched then (counted twice by VmHWM: libbpf maps
    them twice), so there the growth over an idle run is held to the whole budget."""
    with open(sidecar_bin, "rb") as f:
        sanitized = b"__asan_init" in f.read()
    if sanitized:
        return check(peak_kib - idle_kib < budget_mib * 1024,
                     f"ASan build: peak RSS grew by {(peak_kib - idle_kib) // 1024} MiB under {under}, less than "
                     f"the {budget_mib} MiB budget")
    return check(peak_kib < budget_mib * 1024, f"peak RSS {peak_kib // 1024} MiB under the {budget_mib} MiB budget")
