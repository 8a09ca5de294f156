#!/usr/bin/env python3
"""End to end (label kernel, root): the finding rules the dodgy job does not reach, on the real
kernel with the real sidecar. Two runs of one workflow are recorded into one store (`record
--storage`, the job started by a program named Runner.Worker so its GITHUB_* variables become the
job identity): a baseline run (one connect, one DNS query) and the full run of kernel_rules_job.py,
one act per rule. The full run's archive must hold exactly the findings the job's acts prove, each
with evidence pointing at the act (paths and pids from the job's own facts file), and
`jobtrail findings --baseline` must add exactly one new-egress: the one address the baseline did
not connect to. usage: kernel_rules_e2e.py SIDECAR JOBTRAIL SCRATCH"""
import glob
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from trailtest import check, events_of, failures  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
sidecar, jobtrail, scratch = sys.argv[1], sys.argv[2], sys.argv[3]
python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
REPO, WORKFLOW = "octo/kernel-rules", "octo/kernel-rules/.github/workflows/ci.yml"

shutil.rmtree(scratch, ignore_errors=True)
work, store = os.path.join(scratch, "work"), os.path.join(scratch, "store")
os.makedirs(os.path.join(work, "fake"))
os.symlink("/bin/true", os.path.join(work, "fake", "insmod"))
worker = os.path.join(work, "fake", "Runner.Worker")
shutil.copy("/bin/sh", worker)
# The identity is taken only from the runner's own worker: one its Runner.Listener started (env(1) here).
listener = os.path.join(work, "fake", "Runner.Listener")
shutil.copy("/usr/bin/env", listener)


def record(run_id, mode):
    before = set(glob.glob(os.path.join(store, "events", "dt=*", "*", "*", "*")))
    env = {**os.environ, "GITHUB_REPOSITORY": REPO, "GITHUB_RUN_ID": str(run_id), "GITHUB_RUN_ATTEMPT": "1",
           "GITHUB_JOB": "rules", "GITHUB_WORKFLOW_REF": WORKFLOW + "@refs/heads/main"}
    script = f"{python} {here}/kernel_rules_job.py {work} {mode}; exit $?"
    r = subprocess.run([sidecar, "record", "--storage", "file://" + store, "--allow-domain=github.com",
                        "--", listener, "--", worker, "-c", script], capture_output=True, text=True, timeout=120, env=env)
    check(r.returncode == 0, f"[{mode}] record exit status 0 (got {r.returncode})" + ("" if r.returncode == 0 else ": " + r.stderr[-600:]))
    new = sorted(set(glob.glob(os.path.join(store, "events", "dt=*", "*", "*", "*"))) - before)
    check(len(new) == 1, f"[{mode}] one new archive in the store: {new}")
    facts = json.load(open(os.path.join(work, f"facts-{mode}.json")))
    return (events_of(new[0]) if new else []), facts, r.stdout


def findings_cli(*args):
    r = subprocess.run([jobtrail, "findings", *args, "--json"], capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, f"jobtrail findings {' '.join(args)} exits 0 (got {r.returncode}: {r.stderr[-300:]})")
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()], r.stderr


def ids(found):
    return sorted(f["finding"]["id"] for f in found)


# --- the baseline run: a connect to 198.51.100.7:443 and the DNS query ---------------------------
ev, facts, _ = record(1, "baseline")
found = [e for e in ev if e["type"] == "finding"]
check(ids(found) == ["domain-not-allowed", "hardcoded-ip"], f"baseline run: hardcoded-ip and domain-not-allowed only: {ids(found)}")

# --- the full run ----------------------------------------------------------------------------------
ev, facts, live = record(2, "full")
by_seq = {e["seq"]: e for e in ev}
found = [e for e in ev if e["type"] == "finding"]
for f in found:
    print("finding:", json.dumps(f["finding"]))
job = [e for e in ev if e["type"] == "process_exec" and e["process"]["pid"] == facts["pid"]
       and any(a.endswith("kernel_rules_job.py") for a in e["process"]["args"])]
check(len(job) == 1, "the job's exec is in the trail")
job_exec = job[0]["process"]["exec_id"] if job else -1
victim = [e for e in ev if e["type"] == "process_exec" and e["process"]["pid"] == facts["victim"]]
check(len(victim) == 1 and victim[0]["process"]["args"] == ["sleep", "30"], "the victim sleep's exec is in the trail")
victim_exec = victim[0]["process"]["exec_id"] if victim else -1

# init_module can only be traced where the kernel has module support (its syscall and tracepoint)
module_syscall = os.path.exists("/proc/modules")
expected = sorted(["process-memory-read", "proc-environ-read", "bpf-use", "kernel-tunable-write", "release-agent-write",
                   "hardcoded-ip", "hardcoded-ip", "domain-not-allowed"] + ["kernel-module-load"] * (2 if module_syscall else 1))
check(ids(found) == expected, f"full run: exactly the findings of the job's acts\n  got  {ids(found)}\n  want {expected}")
check(all(f["finding"]["evidence"] and all(s in by_seq and s < f["seq"] for s in f["finding"]["evidence"]) for f in found),
      "every finding's evidence seqs exist and come before it")


def proofs(rule):
    return [(f["finding"], [by_seq.get(s, {}) for s in f["finding"]["evidence"]]) for f in found if f["finding"]["id"] == rule]


def path_of(e):
    return e.get("file", {}).get("path") or e.get("priv", {}).get("args", {}).get("path")


for rule, suffix in (("process-memory-read", "mem"), ("proc-environ-read", "environ")):
    want = f"/proc/{facts['victim']}/{suffix}"
    got = proofs(rule)
    check(len(got) == 1 and any(path_of(e) == want for e in got[0][1]) and job_exec in got[0][0]["exec_ids"],
          f"{rule}: evidence is the job's open of {want}: {[(f['exec_ids'], [path_of(e) for e in es]) for f, es in got]}")
    check(len(got) == 1 and got[0][0]["severity"] == "high", f"{rule}: high (the victim is no Runner.Worker)")
pm = proofs("process-memory-read")
check(len(pm) == 1 and victim_exec in pm[0][0]["exec_ids"], "process-memory-read names the victim's exec")

km = proofs("kernel-module-load")
insmod = [es[0] for f, es in km if es and es[0].get("type") == "process_exec"]
check(len(insmod) == 1 and insmod[0]["process"]["args"] == facts["insmod"], f"kernel-module-load: the insmod exec {facts['insmod']}")
sysc = [es[0] for f, es in km if es and es[0].get("type") == "priv_syscall"]
check(len(sysc) == (1 if module_syscall else 0) and all(e["priv"]["syscall"] == "init_module" and e["priv"]["result"] != "ok"
                                                        for e in sysc), f"kernel-module-load: the refused init_module ({len(sysc)})")
check(all(f["severity"] == "critical" for f, _ in km), "kernel-module-load is critical")

bp = proofs("bpf-use")
check(len(bp) == 1 and bp[0][1][0].get("priv", {}).get("syscall") == "bpf"
      and bp[0][1][0]["priv"]["args"].get("cmd") == "BPF_CMD_9999" and bp[0][1][0]["priv"]["result"] == "EINVAL"
      and bp[0][1][0]["process"]["exec_id"] == job_exec, f"bpf-use: the job's bpf(9999) refused with EINVAL: {bp}")

for rule, want, severity in (("kernel-tunable-write", facts["sysctl"], "high"), ("release-agent-write", facts["release_agent"], "critical")):
    got = proofs(rule)
    check(len(got) == 1 and [path_of(e) for e in got[0][1]] == [want] and got[0][0]["severity"] == severity
          and "write" in got[0][1][0].get("file", {}).get("mode", []),
          f"{rule}: evidence is the open for writing of {want}: {[[path_of(e) for e in es] for _, es in got]}")
ra = proofs("release-agent-write")
check(len(ra) == 1 and ra[0][1][0]["file"].get("result") == "ENOENT", "release-agent-write: the attempt failed with ENOENT and counts")

hi = proofs("hardcoded-ip")
check(sorted((es[0].get("net", {}).get("dst_addr"), es[0].get("net", {}).get("dst_port")) for _, es in hi) ==
      [("198.51.100.7", 443), ("198.51.100.8", 443)], "hardcoded-ip: one per address the job connected to")
dn = proofs("domain-not-allowed")
check(len(dn) == 1 and dn[0][1][0].get("type") == "dns_query" and dn[0][1][0]["dns"]["name"] == facts["qname"],
      f"domain-not-allowed: the query for {facts['qname']}")
check(live.count("⚠️ finding") == len(expected), f"live stream: {len(expected)} finding lines ({live.count('⚠️ finding')})")

# --- jobtrail findings over the archive, then with the baseline ------------------------------------
sel = [store, "--repo", REPO, "--run", "2"]
again, _ = findings_cli(*sel, "--allow-domain", "github.com")
check(ids(again) == expected, f"jobtrail findings recomputes the same findings: {ids(again)}")
idle, _ = findings_cli(*sel)
check(ids(idle) == [x for x in expected if x != "domain-not-allowed"], "without --allow-domain, domain-not-allowed is idle")
off, _ = findings_cli(*sel, "--allow-domain", "github.com", "--disable-finding", "bpf-use")
check(ids(off) == [x for x in expected if x != "bpf-use"], "--disable-finding bpf-use switches it off")
eg, err = findings_cli(*sel, "--allow-domain", "github.com", "--baseline", store, "--previous", "5")
new = [f for f in eg if f["finding"]["id"] == "new-egress"]
check(ids(eg) == sorted(expected + ["new-egress"]), f"--baseline adds exactly one new-egress: {ids(eg)}")
check(len(new) == 1 and "198.51.100.8:443" in new[0]["finding"]["title"] and
      by_seq.get(new[0]["finding"]["evidence"][0], {}).get("net", {}).get("dst_addr") == "198.51.100.8",
      f"new-egress: 198.51.100.8:443, evidence its connect: {[f['finding'] for f in new]}")
check("compared with 1 earlier run(s)" in err, "compared with the one earlier run: " + err.strip()[-200:])

print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
