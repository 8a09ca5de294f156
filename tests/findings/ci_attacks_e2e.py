#!/usr/bin/env python3
"""End to end (label kernel, root): the finding rules for the CI attacks of 2024-2025 on the real
kernel with the real sidecar. ci_attacks_job.py replays one act per class harmlessly (loopback
only, stand-ins for absent tools, HOME in a scratch folder); each rule must fire exactly once,
with evidence seqs pointing at the events that prove it. workflow-file-write is high at the write
and critical once the push follows; folded file events may reach the trail after the push, and
then the critical finding is the only one. A clean build job (make, git, npm ci,
a gitleaks lint step over the checkout, read-only firewall and route listings, a clone) must
raise none. usage: ci_attacks_e2e.py SIDECAR SCRATCH"""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from trailtest import check, events_of, failures  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
sidecar, scratch = sys.argv[1], sys.argv[2]
python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable

shutil.rmtree(scratch, ignore_errors=True)
work = os.path.join(scratch, "work")
fake, home = os.path.join(work, "fake"), os.path.join(work, "home")
for d in (fake, home, os.path.join(work, "actions-runner")):
    os.makedirs(d)
for tool in ("claude", "trufflehog", "gitleaks", "iptables"):
    os.symlink("/bin/true", os.path.join(fake, tool))
with open(os.path.join(fake, "npm"), "w") as f:
    f.write("""#!/bin/sh
# stands for a package install that runs a dependency's lifecycle script
fake=$(dirname "$0")
case "$1" in
install) sh -c "$fake/claude --dangerously-skip-permissions -p 'inventory the secrets'; $fake/trufflehog filesystem / --json" ;;
*) sh -c "$fake/claude -p 'summarise the change'"; read token < "$HOME/.npmrc" ;;
esac
""")
os.chmod(os.path.join(fake, "npm"), 0o755)
for path, text in ((os.path.join(work, "actions-runner", ".credentials"), '{"scheme":"OAuth"}\n'),
                   (os.path.join(home, ".npmrc"), "//registry.npmjs.org/:_authToken=npm_test\n"),
                   (os.path.join(home, ".bashrc"), "# scratch\n")):
    with open(path, "w") as f:
        f.write(text)
# the remote both jobs know: main holds a workflow, so the clean job's clone writes one (git's own write)
seed = os.path.join(work, "seed")
git = ["git", "-c", "user.name=ci", "-c", "user.email=ci@example.test", "-c", "init.defaultBranch=main"]
env = {**os.environ, "HOME": home}
os.makedirs(os.path.join(seed, ".github", "workflows"))
with open(os.path.join(seed, ".github", "workflows", "ci.yml"), "w") as f:
    f.write("on: push\njobs: {}\n")
for argv in (git + ["init", "-q", seed], git + ["-C", seed, "add", "."], git + ["-C", seed, "commit", "-qm", "seed"],
             git + ["clone", "-q", "--bare", seed, os.path.join(work, "remote.git")]):
    subprocess.run(argv, check=True, env=env, capture_output=True)


def record(mode):
    out = os.path.join(scratch, mode)
    r = subprocess.run([sidecar, "record", "--out", out, "--", python, os.path.join(here, "ci_attacks_job.py"), work, mode],
                       capture_output=True, text=True, timeout=120, env=env)
    print(r.stdout[-3000:] if r.returncode else "", end="")
    check(r.returncode == 0, f"[{mode}] record exit status 0 (got {r.returncode})" + ("" if r.returncode == 0 else ": " + r.stderr[-600:]))
    facts = json.load(open(os.path.join(work, f"facts-{mode}.json"))) if os.path.exists(os.path.join(work, f"facts-{mode}.json")) else {}
    return events_of(out) if os.path.isdir(out) else [], facts, r.stdout


ev, facts, live = record("attack")
by_seq = {e["seq"]: e for e in ev}
found = [e for e in ev if e["type"] == "finding"]
for f in found:
    print("finding:", json.dumps(f["finding"]))
check(facts.get("shell_answered") is True, "the reverse shell ran the listener's command (echo answered over the socket)")
expected = sorted(["reverse-shell", "runner-credential-read", "ai-agent-unsafe", "shell-startup-write",
                   "secret-scan-outside-checkout", "workflow-file-write", "egress-tamper"])
pair = [f for f in found if f["finding"]["id"] == "workflow-file-write" and f["finding"]["severity"] == "high"]
if pair:  # the write reached the trail before the push
    expected = sorted(expected + ["workflow-file-write"])
check(sorted(f["finding"]["id"] for f in found) == expected,
      f"attack: each rule exactly once\n  got  {sorted(f['finding']['id'] for f in found)}\n  want {expected}")
check(all(f["finding"]["evidence"] and all(s in by_seq and s < f["seq"] for s in f["finding"]["evidence"]) for f in found),
      "every finding's evidence seqs exist and come before it")


def proof(rule, severity=None):
    got = [f["finding"] for f in found if f["finding"]["id"] == rule and severity in (None, f["finding"]["severity"])]
    return (got[0], [by_seq.get(s, {}) for s in got[0]["evidence"]]) if len(got) == 1 else ({}, [])


def args(e):
    return e.get("process", {}).get("args", [])


def path(e):
    return e.get("file", {}).get("path")


f, es = proof("reverse-shell")  # evidence in trail order: the net ring may be polled after the process ring
conn = [e for e in es if e.get("type") == "net_connect"]
shell = [e for e in es if e.get("type") == "process_exec"]
stdin = shell[0].get("stdio", {}).get("stdin", {}) if shell else {}
check(f.get("severity") == "critical" and len(es) == 2 and len(conn) == 1 and len(shell) == 1
      and conn[0]["net"]["dst_port"] == facts.get("shell_port") and args(shell[0]) == ["bash", "-i"]
      and stdin.get("socket") is True and stdin.get("net", {}).get("dst_port") == facts.get("shell_port")
      and stdin["net"].get("src_port") == conn[0]["net"].get("src_port"),
      f"reverse-shell: the connect to 127.0.0.1:{facts.get('shell_port')} and `bash -i` on that socket: {f} {es}")

f, es = proof("runner-credential-read")
check(f.get("severity") == "critical" and [path(e) for e in es] == [facts.get("credentials")]
      and es[0].get("process", {}).get("binary", "").endswith("/cat"), f"runner-credential-read: cat's open of {facts.get('credentials')}: {f}")

f, es = proof("ai-agent-unsafe")
check(f.get("severity") == "critical" and len(es) == 2 and os.path.join(fake, "npm") in args(es[0]) and "install" in args(es[0])
      and "--dangerously-skip-permissions" in args(es[1]),
      f"ai-agent-unsafe: the npm install exec and the claude exec: {f}")

f, es = proof("secret-scan-outside-checkout")
check(f.get("severity") == "critical" and len(es) == 2 and os.path.join(fake, "npm") in args(es[0])
      and args(es[1])[1:3] == ["filesystem", "/"], f"secret-scan-outside-checkout: npm install, then trufflehog filesystem /: {f}")

f, es = proof("shell-startup-write")
check(f.get("severity") == "high" and [path(e) for e in es] == [facts.get("bashrc")] and "append" in es[0]["file"]["mode"],
      f"shell-startup-write: the append to {facts.get('bashrc')}: {f}")

f, es = proof("workflow-file-write", "high")
check(not pair or ([path(e) for e in es] == [facts.get("workflow")] and es[0].get("type") == "file_open"
                   and "write" in es[0]["file"]["mode"]),
      f"workflow-file-write (high, {'seen' if pair else 'not seen: write after push'}): the open for writing of {facts.get('workflow')}: {f}")
f, es = proof("workflow-file-write", "critical")
push = [e for e in es if e.get("type") == "process_exec"]
write = [e for e in es if e.get("type") == "file_open"]
check(f.get("severity") == "critical" and len(push) == 1 and "push" in args(push[0]) and len(write) == 1
      and path(write[0]) == facts.get("workflow"), f"workflow-file-write: the write of the workflow and the git push: {f}")

f, es = proof("egress-tamper")
check(f.get("severity") == "high" and len(es) == 1 and args(es[0])[1:3] == ["-I", "OUTPUT"], f"egress-tamper: the iptables -I exec: {f}")
check(live.count("⚠️ finding") == len(expected), f"live stream: {len(expected)} finding lines ({live.count('⚠️ finding')})")

ev, facts, _ = record("relay")
by_seq = {e["seq"]: e for e in ev}
found = [e["finding"] for e in ev if e["type"] == "finding"]
check(facts.get("shell_answered") is True, "relay: the shell behind pty.spawn ran the listener's command")
es = [by_seq.get(s, {}) for s in found[0]["evidence"]] if len(found) == 1 else []
conn = [e for e in es if e.get("type") == "net_connect"]
shell = [e for e in es if e.get("type") == "process_exec"]
check(len(found) == 1 and found[0]["id"] == "reverse-shell" and len(conn) == 1 and len(shell) == 1
      and conn[0]["net"]["dst_port"] == facts.get("shell_port") and shell[0]["stdio"]["stdin"].get("tty") is True
      and shell[0]["process"]["parent_exec_id"] == conn[0]["process"]["exec_id"],
      f"relay: one reverse-shell, the python's connect and the /bin/sh on a terminal it started: {found} {es}")

ev, facts, _ = record("clean")
found = [e["finding"] for e in ev if e["type"] == "finding"]
check(found == [], f"clean job: no finding: {found}")
check(any(e["type"] == "process_exec" and args(e)[-1:] == ["--no-banner"] for e in ev), "clean job: the gitleaks lint step is in the trail")

print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
