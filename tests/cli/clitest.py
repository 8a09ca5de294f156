"""Shared helpers of the cli and browser tests: the binaries, running them, writing archives."""
import hashlib
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
import known_trail  # noqa: E402
from trailtest import check, failures  # noqa: E402,F401 (re-exported to the tests)

BIN = os.environ.get("JOBTRAIL_BINARY_DIR", "build")
JOBTRAIL = os.path.join(BIN, "cli", "jobtrail")
MAKE_ARCHIVE = os.path.join(BIN, "tests", "cli", "make_archive")

def run(*args, env=None, timeout=60):
    r = subprocess.run([JOBTRAIL, *map(str, args)], capture_output=True, text=True, timeout=timeout,
                       env={**os.environ, **(env or {})})
    return r


def expect(status, *args, contains=None, env=None):
    r = run(*args, env=env)
    text = r.stdout + r.stderr
    ok = r.returncode == status and (contains is None or contains in text)
    check(ok, "jobtrail %s -> exit %d%s (got %d: %s)" % (" ".join(map(str, args)), status,
                                                          " with '%s'" % contains if contains else "",
                                                          r.returncode, text.strip()[-300:] if not ok else ""))
    return r


def make_archive(store, events, *flags, env=None):
    lines = "".join(json.dumps(e) + "\n" for e in events)
    r = subprocess.run([MAKE_ARCHIVE, store, *flags], input=lines, capture_output=True, text=True, timeout=120,
                       env={**os.environ, **(env or {})})
    if r.returncode != 0:
        raise SystemExit("make_archive failed: " + r.stderr)


# Archives changed on purpose: the manifest's hash chain recomputed from its documented canonical
# form (docs/archive.md), so an archive is wrong in exactly the way a test chose.
def entry_hash(s):
    text = "jobtrail-segment-v1\n" + "".join(str(s[k]) + "\n" for k in
                                               ("name", "size", "sha256", "events", "first_seq", "last_seq", "prev"))
    return hashlib.sha256(text.encode()).hexdigest()


def rechain(m, start=0):
    """Recomputes entry_hash and prev from entry `start` on, and the chain head."""
    for i in range(start, len(m["segments"])):
        s = m["segments"][i]
        s["prev"] = "0" * 64 if i == 0 else m["segments"][i - 1]["entry_hash"]
        s["entry_hash"] = entry_hash(s)
    m["chain_head"] = m["segments"][-1]["entry_hash"]


def load_manifest(d):
    return json.load(open(os.path.join(d, "_manifest.json")))


def save_manifest(d, m):
    p = os.path.join(d, "_manifest.json")
    os.chmod(p, 0o644)
    json.dump(m, open(p, "w"))


def lines_of(path):
    out = subprocess.run(["zstd", "-dc", path], check=True, capture_output=True).stdout.decode()
    return [line for line in out.splitlines() if line]


def rewrite_segment(d, index, data):
    """Writes `data` (bytes) as segment `index` and makes the manifest entry describe it again."""
    m = load_manifest(d)
    s = m["segments"][index]
    p = os.path.join(d, s["name"])
    os.chmod(p, 0o644)
    open(p, "wb").write(data)
    s["size"], s["sha256"] = len(data), hashlib.sha256(data).hexdigest()
    rechain(m, index)
    save_manifest(d, m)


def zstd(text):
    return subprocess.run(["zstd", "-q", "--check", "-c"], input=text.encode(), check=True, capture_output=True).stdout


class Rgw:
    """The storage fixture's RGW (tests/storage/rgw.sh state dir): its endpoint, the S3 flags for
    jobtrail, and awscli as an independent client."""

    def __init__(self, state):
        env = dict(l.strip().split("=", 1) for l in open(os.path.join(state, "env")) if "=" in l)
        os.environ.update({k: v for k, v in env.items() if k.startswith("AWS_")})
        self.endpoint = env["S3_ENDPOINT"]
        self.flags = ["--s3-endpoint", self.endpoint, "--s3-path-style"]

    def aws(self, *args):
        r = subprocess.run(["aws", "--endpoint-url", self.endpoint, "s3", *args], capture_output=True, text=True,
                           timeout=60)
        if r.returncode != 0:
            raise SystemExit("aws %s failed: %s" % (" ".join(args), r.stderr))
        return r.stdout


def finish():
    if failures:
        print("\n%d check(s) failed:" % len(failures))
        for f in failures:
            print("  " + f)
        sys.exit(1)
    print("all checks passed")
