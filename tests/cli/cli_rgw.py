#!/usr/bin/env python3
"""`jobtrail` against the real Ceph RGW of the storage fixture (tests/storage/rgw.sh): archives
written to S3 by the real archive Writer; ls, fetch, verify, show, summary, report on s3:// URLs;
a flipped byte, a deleted segment and a reordered manifest entry, each changed with awscli (an
independent client); a wrong bucket and wrong credentials.
usage: cli_rgw.py RGW_STATE_DIR"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

from clitest import Rgw, check, expect, finish, known_trail, make_archive, run

rgw = Rgw(sys.argv[1])
EP = rgw.endpoint
S3 = rgw.flags
aws = rgw.aws
bucket = "cli-test-%d" % os.getpid()
ROOT = "s3://%s/trails" % bucket
tmp = tempfile.mkdtemp(prefix="jobtrail-cli-rgw-")



def meta(uid):
    return json.dumps({"pod": {"uid": uid, "name": "runner-" + uid, "namespace": "ci"}})


def trail(run_id):
    ev = [e for e in known_trail.events() if e["type"] != "lost"]
    for e in ev:
        if e["type"] == "job_identity":
            e["job"] = dict(e["job"], run_id=run_id)
    return ev


try:
    aws("mb", "s3://" + bucket)
    for uid, run_id in (("u42", "42"), ("u43", "43"), ("u50", "50"), ("u51", "51"), ("u52", "52")):
        make_archive(ROOT, trail(run_id), "--prefix", "events/dt=2026-11-29/ci/runner-%s/%s/" % (uid, uid), "--meta", meta(uid),
                     "--segment-max-bytes", "400", *S3)
    pods = lambda uid: "%s/events/dt=2026-11-29/ci/runner-%s/%s" % (ROOT, uid, uid)  # noqa: E731
    n_events = len(trail("42"))

    # ls finds them.
    r = expect(0, "ls", ROOT, "--json", *S3)
    jobs = sorted(json.loads(l)["run_id"] for l in r.stdout.splitlines())
    check(jobs == ["42", "43", "50", "51", "52"], "ls lists the five jobs: %s" % jobs)
    r = expect(0, "ls", ROOT, "--repo", "octo/hello", "--run", "43", *S3)
    check(sum("octo/hello" in l for l in r.stdout.splitlines()) == 1, "ls --repo --run: one job")

    # fetch by index path and by --repo/--run, then the copy verifies.
    out = os.path.join(tmp, "run42")
    r = expect(0, "fetch", ROOT + "/jobs/octo/hello/42", "-o", out, *S3, contains="ok")
    segs = sorted(f for f in os.listdir(out) if f.startswith("events-"))
    listed = sorted(l.split()[-1] for l in aws("ls", pods("u42") + "/").splitlines() if "events-" in l)
    check(segs == listed and len(segs) >= 3 and os.path.exists(os.path.join(out, "_manifest.json")),
          "fetch downloads every segment (%d) and the manifest" % len(segs))
    expect(0, "fetch", ROOT, "--repo", "octo/hello", "--run", "43", "-o", os.path.join(tmp, "run43"), "-j", "2", *S3)
    expect(3, "fetch", ROOT, "--repo", "octo/hello", "--run", "44", "-o", os.path.join(tmp, "x"), *S3,
           contains="no archive for run 44 in octo/hello; closest runs: 43, 42")
    expect(0, "verify", pods("u42"), *S3)

    # show / summary / report straight from S3.
    r = expect(0, "show", ROOT, "--repo", "octo/hello", "--run", "42", "--json", *S3)
    check(len(r.stdout.splitlines()) == n_events, "show from S3 streams every event")
    r = expect(0, "summary", ROOT + "/jobs/octo/hello/42", "--json", *S3)
    check(json.loads(r.stdout)["events"] == n_events, "summary from S3")
    expect(0, "report", pods("u42"), "-o", os.path.join(tmp, "r.html"), *S3)

    # One flipped byte in a segment.
    seg = segs[1]
    local = os.path.join(tmp, seg)
    aws("cp", pods("u50") + "/" + seg, local)
    b = bytearray(open(local, "rb").read())
    b[len(b) // 2] ^= 0x40
    open(local, "wb").write(bytes(b))
    aws("cp", local, pods("u50") + "/" + seg)
    r = expect(7, "verify", pods("u50"), *S3, contains=seg)
    check("sha" in r.stdout.lower(), "flipped byte: a SHA-256 mismatch of " + seg)
    expect(7, "fetch", ROOT, "--repo", "octo/hello", "--run", "50", "-o", os.path.join(tmp, "run50"), *S3, contains=seg)

    # One deleted segment.
    aws("rm", pods("u51") + "/" + seg)
    r = expect(7, "verify", pods("u51"), *S3, contains=seg)
    check("missing" in r.stdout, "deleted segment reported missing: " + r.stdout.strip()[:200])

    # One reordered manifest entry.
    mlocal = os.path.join(tmp, "_manifest.json")
    aws("cp", pods("u52") + "/_manifest.json", mlocal)
    m = json.load(open(mlocal))
    m["segments"][1], m["segments"][2] = m["segments"][2], m["segments"][1]
    json.dump(m, open(mlocal, "w"))
    aws("cp", mlocal, pods("u52") + "/_manifest.json")
    r = expect(7, "verify", pods("u52"), *S3)
    check("reorder" in r.stdout or "chain" in r.stdout, "reordered entry reported: " + r.stdout.strip()[:300])

    # Storage errors a user can act on.
    expect(4, "ls", "s3://no-such-bucket-%d/trails" % os.getpid(), *S3, contains="does not exist")
    expect(4, "verify", pods("u42"), *S3, env={"AWS_SECRET_ACCESS_KEY": "wrong"}, contains="refused access")
finally:
    shutil.rmtree(tmp, ignore_errors=True)
    subprocess.run(["aws", "--endpoint-url", EP, "s3", "rb", "--force", "s3://" + bucket], capture_output=True, timeout=60)
finish()
