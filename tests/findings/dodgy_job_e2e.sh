#!/usr/bin/env bash
# End to end (label kernel, root): the real sidecar records a dodgy job and a clean build job.
# The dodgy job must raise exactly the expected findings, each with the seq numbers of the
# events that prove it; the clean job must raise none. Harmless: no network beyond file://
# and 127.0.0.1:1, the mount fails (no such device), docker/xmrig/metadata-curl are symlinks
# to /bin/true.
set -euo pipefail
bin=${JOBTRAIL_BINARY_DIR:?}/sidecar/jobtrail-sidecar
src=${JOBTRAIL_SOURCE_DIR:?}
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 1; }
work=$(mktemp -d /tmp/findings-e2e-$$-XXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/fake"
ln -s /bin/true "$work/fake/docker"
ln -s /bin/true "$work/fake/xmrig"
ln -s /bin/true "$work/fake/curl"   # named curl, so the metadata URL is never fetched
printf 'echo payload ran\n' > "$work/payload.sh"

cat > "$work/dodgy.sh" <<JOB
#!/bin/sh
curl -k -s --max-time 2 https://127.0.0.1:1/ || true
curl -s file://$work/payload.sh | sh
curl -s -o $work/dl.sh file://$work/payload.sh
sh $work/dl.sh
GIT_SSL_NO_VERIFY=1 /bin/true
mount /dev/sdzz9 /mnt 2>/dev/null || true
$work/fake/docker -H unix:///var/run/docker.sock ps
$work/fake/docker run --rm --privileged -v /:/host alpine true
$work/fake/curl -s http://169.254.169.254/latest/meta-data/iam/security-credentials/
$work/fake/xmrig --url stratum+tcp://pool.invalid:3333
unshare -n /bin/true
unshare -U /bin/true
exit 0
JOB
chmod +x "$work/dodgy.sh"

cat > "$work/clean.sh" <<JOB
#!/bin/sh
set -e
cd $work && mkdir proj && cd proj
printf '#include <stdio.h>\nint main(void){puts("ok");return 0;}\n' > main.c
printf 'all: app\napp: main.c\n\tcc -O1 -o app main.c\ntest: app\n\t./app\n' > Makefile
make -s test
git init -q . && git -c user.name=ci -c user.email=ci@example.test add . &&
  git -c user.name=ci -c user.email=ci@example.test commit -qm init && git log --oneline | wc -l
curl -s file://$work/payload.sh > /dev/null
exit 0
JOB
chmod +x "$work/clean.sh"

"$bin" record --out "$work/dodgy" -- "$work/dodgy.sh" > "$work/dodgy.out" 2> "$work/dodgy.err"
"$bin" record --out "$work/clean" -- "$work/clean.sh" > "$work/clean.out" 2> "$work/clean.err"
grep -c '⚠️ finding' "$work/dodgy.out" || true

python3 - "$work" <<'PY'
import json, subprocess, sys, glob
work = sys.argv[1]

def events(d):
    out = []
    for seg in sorted(glob.glob(f"{d}/events-*.jsonl.zst")):
        text = subprocess.run(["zstdcat", seg], check=True, capture_output=True, text=True).stdout
        out += [json.loads(l) for l in text.splitlines() if l]
    return out

def args(e): return e.get("process", {}).get("args", [])

ev = events(f"{work}/dodgy")
by_seq = {e["seq"]: e for e in ev}
found = [e for e in ev if e["type"] == "finding"]
for f in found: print("finding:", json.dumps(f["finding"]))
ids = sorted(f["finding"]["id"] for f in found)
expected = sorted(["tls-verify-disabled", "tls-verify-disabled", "pipe-to-shell", "exec-after-download", "host-mount",
                   "privileged-container", "cloud-metadata", "crypto-mining", "user-namespace"])
assert ids == expected, f"findings {ids} != expected {expected}"

def one(i):
    [f] = [f["finding"] for f in found if f["finding"]["id"] == i]
    return f, [by_seq[s] for s in f["evidence"]]

# every finding: evidence seqs exist, come before the finding, and belong to its exec_ids
for f in found:
    fi = f["finding"]
    assert fi["evidence"], fi
    for s in fi["evidence"]:
        assert s in by_seq and s < f["seq"], (fi, s)
        assert by_seq[s]["process"]["exec_id"] in fi["exec_ids"], (fi, by_seq[s])

f, e = one("pipe-to-shell")
kinds = sorted((x["process"]["binary"].split("/")[-1], x["type"]) for x in e)
assert kinds == [("curl", "process_exec"), ("dash", "process_exec")] or kinds == [("bash", "process_exec"), ("curl", "process_exec")], kinds
curl = [x for x in e if x["process"]["binary"].endswith("/curl")][0]
shell = [x for x in e if not x["process"]["binary"].endswith("/curl")][0]
assert curl["stdio"]["stdout"]["inode"] == shell["stdio"]["stdin"]["inode"], (curl["stdio"], shell["stdio"])
assert "file://" in " ".join(args(curl))

f, e = one("exec-after-download")
assert "-o" in args(e[0]) and args(e[-1])[-1].endswith("/dl.sh"), [args(x) for x in e]

tls = [x["finding"] for x in found if x["finding"]["id"] == "tls-verify-disabled"]
texts = [by_seq[t["evidence"][0]] for t in tls]
assert any("-k" in args(x) for x in texts), texts
assert any(x.get("env", {}).get("GIT_SSL_NO_VERIFY") == "1" for x in texts), texts

f, e = one("host-mount");           assert args(e[0])[:2] == ["mount", "/dev/sdzz9"], args(e[0])
f, e = one("privileged-container"); assert "--privileged" in args(e[0]) and args(e[0])[1] == "run", args(e[0])
f, e = one("cloud-metadata");       assert "169.254.169.254" in " ".join(args(e[0]))
f, e = one("crypto-mining");        assert args(e[0])[0].endswith("xmrig")
f, e = one("user-namespace");       assert args(e[0])[:2] == ["unshare", "-U"], args(e[0])

# plain docker.sock use and unshare -n: no finding points at them
for fi in found:
    for s in fi["finding"]["evidence"]:
        a = args(by_seq[s])
        assert "ps" not in a and "-n" not in a, a

clean = events(f"{work}/clean")
assert any(x["type"] == "process_exec" and x["process"]["binary"].endswith("/git") for x in clean)
bad = [x["finding"] for x in clean if x["type"] == "finding"]
assert not bad, f"clean job raised findings: {bad}"
print(f"ok: {len(found)} findings in the dodgy job, 0 in the clean job ({len(clean)} events)")
PY
n=$(grep -c '⚠️ finding' "$work/dodgy.out")
[ "$n" = 9 ] || { echo "live stream shows $n finding lines, want 9"; cat "$work/dodgy.out"; exit 1; }
echo "live stream: $n finding lines"
