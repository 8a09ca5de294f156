#!/usr/bin/env bash
# End to end (label kernel, root): setns into the HOST's namespaces is decided in the kernel
# (bpf/lib/host_ns.bpf.h) and raises the host-namespace finding with the setns event as evidence.
# The job runs in its own mount namespace, as a pod's container does, then:
#   nsenter -t 1 -m -- true          PID 1 is the host's init: its mount ns is the host's -> host_ns
#   setns(pidfd_open(1), CLONE_NEWUTS)  the pidfd form (ctypes)                          -> host_ns
#   unshare -m -- true               near miss: a fresh namespace
#   nsenter -t $fresh -m -- true     near miss: setns into a namespace that is not the host's
# Where a sandbox denies access to PID 1's /proc/1/ns (ptrace check, e.g. a VM agent as PID 1) or
# PID 1 is not in the initial namespaces (the tests run in a container), PID 2 stands in for it:
# kthreadd is a child of init_task and lives in the initial namespaces.
# Harmless: every namespace joined is one the test machine's processes already live in.
set -euo pipefail
bin=${JOBTRAIL_BINARY_DIR:?}/sidecar/jobtrail-sidecar
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 1; }
work=$(mktemp -d /tmp/findings-hostns-$$-XXXX)
trap 'rm -rf "$work"' EXIT

kthreadd_mnt=
[ "$(cat /proc/2/comm 2>/dev/null)" = kthreadd ] && kthreadd_mnt=$(readlink /proc/2/ns/mnt 2>/dev/null || true)
host=1
if ! init_mnt=$(readlink /proc/1/ns/mnt 2>/dev/null) || { [ -n "$kthreadd_mnt" ] && [ "$init_mnt" != "$kthreadd_mnt" ]; }; then
  [ -n "$kthreadd_mnt" ] || { echo "neither PID 1's namespaces nor kthreadd's are readable"; exit 1; }
  host=2   # PID 1's namespaces are unreadable here, or PID 1 is a container's init
fi
echo "host namespaces from PID $host ($(cat /proc/$host/comm))"

cat > "$work/pidfd_setns.py" <<'PY'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
fd = os.pidfd_open(int(sys.argv[1]))
if libc.setns(fd, 0x04000000) != 0:  # CLONE_NEWUTS
    raise SystemExit("setns: " + os.strerror(ctypes.get_errno()))
PY

cat > "$work/job.sh" <<JOB
#!/bin/sh
set -e
nsenter -t $host -m -- true
python3 $work/pidfd_setns.py $host
unshare -m -- true
unshare -m -- sleep 30 &
fresh=\$!
while [ "\$(readlink /proc/\$fresh/ns/mnt)" = "\$(readlink /proc/self/ns/mnt)" ]; do sleep 0.05; done
stat -L -c %i /proc/\$fresh/ns/mnt > $work/fresh_inum
nsenter -t \$fresh -m -- true
kill \$fresh
exit 0
JOB
chmod +x "$work/job.sh"
stat -L -c %i /proc/$host/ns/mnt > "$work/host_inum"
echo "$host" > "$work/host_pid"

"$bin" record --out "$work/out" -- unshare -m --propagation private -- "$work/job.sh" > "$work/live.out" 2> "$work/err"

python3 - "$work" <<'PY'
import glob, json, subprocess, sys
work = sys.argv[1]
host_inum, fresh_inum, host_pid = (open(f"{work}/{n}").read().strip() for n in ("host_inum", "fresh_inum", "host_pid"))
host_inum, fresh_inum = int(host_inum), int(fresh_inum)
ev = []
for seg in sorted(glob.glob(f"{work}/out/events-*.jsonl.zst")):
    text = subprocess.run(["zstdcat", seg], check=True, capture_output=True, text=True).stdout
    ev += [json.loads(l) for l in text.splitlines() if l]
by_seq = {e["seq"]: e for e in ev}
args = lambda e: e.get("process", {}).get("args", [])
setns = [e for e in ev if e["type"] == "priv_syscall" and e["priv"]["syscall"] == "setns"]
for e in setns: print("setns:", args(e), json.dumps(e["priv"]), json.dumps(e["process"].get("exec_id")))

def one(matches, what):
    # every setns event carries its exec's argv (sidecar/exec_join): a miss is a failure, shown whole
    assert len(matches) == 1, f"want one setns event of {what}, got {len(matches)}: {json.dumps(setns)}"
    return matches[0]

host = one([e for e in setns if args(e)[:3] == ["nsenter", "-t", host_pid]], "nsenter -t host")
a = host["priv"]["args"]
assert a["namespaces"] == ["mnt"] and host["priv"]["result"] == "ok", a
assert a["host_ns"] is True and a["host_namespaces"] == ["mnt"], a
assert a["ns_inum"] == host_inum, (a, host_inum)

pidfd = one([e for e in setns if any(x.endswith("pidfd_setns.py") for x in args(e))], "pidfd_setns.py")
a = pidfd["priv"]["args"]
assert a["namespaces"] == ["uts"] and pidfd["priv"]["result"] == "ok", a
assert a["host_ns"] is True and a["host_namespaces"] == ["uts"] and "ns_inum" not in a, a

fresh = one([e for e in setns if args(e)[:2] == ["nsenter", "-t"] and args(e)[2] != host_pid], "nsenter -t fresh")
a = fresh["priv"]["args"]
assert a["ns_inum"] == fresh_inum != host_inum, (a, fresh_inum, host_inum)
assert a["host_ns"] is False and "host_namespaces" not in a, a
assert len(setns) == 3, f"{len(setns)} setns events, want 3"

unshares = [e for e in ev if e["type"] == "priv_syscall" and e["priv"]["syscall"] == "unshare"]
assert unshares and all("host_ns" not in e["priv"]["args"] for e in unshares), unshares

found = [e["finding"] for e in ev if e["type"] == "finding" and e["finding"]["id"] == "host-namespace"]
for f in found: print("finding:", json.dumps(f))
assert sorted(f["evidence"] for f in found) == sorted([[host["seq"]], [pidfd["seq"]]]), found
assert all(f["severity"] == "critical" for f in found), found
assert any("host's mnt namespace" in f["title"] for f in found), found
# the near misses raise namespace-enter (any nsenter) but never host-namespace
enter = [e["finding"] for e in ev if e["type"] == "finding" and e["finding"]["id"] == "namespace-enter"]
assert fresh["process"]["exec_id"] in [x for f in enter for x in f["exec_ids"]], enter
print(f"ok: {len(setns)} setns events, {len(found)} host-namespace findings")
PY
n=$(grep -c 'finding.*host-namespace' "$work/live.out" || true)
[ "$n" = 2 ] || { echo "live stream shows $n host-namespace lines, want 2"; cat "$work/live.out"; exit 1; }
echo "live stream: $n host-namespace lines"
