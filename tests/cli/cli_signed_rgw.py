#!/usr/bin/env python3
"""Signed archives against the real Ceph RGW of the storage fixture (tests/storage/rgw.sh):
archives signed by the real archive Writer (make_archive --signing-key, the sidecar's code),
then `verify --key` / `fetch --key` on what an attacker with write access to the bucket can do,
each change made with awscli (an independent client):
  - a manifest (and segments) written first by another writer, so the signed writer's own writes
    fail: unsigned (9), or bad_signature (10) with a signature copied from a genuine archive;
  - a cut tail (the last segments and the manifest deleted): tail_cut, tampered (7), where
    without the checkpoints it reads as a writer that never finished (6);
  - an index object pointing at another archive: index_mismatch (12);
  - a key that is not the signer's: key_mismatch (11).
Signatures are also checked with `openssl pkeyutl -verify -rawin`, independently of jobtrail.
usage: cli_signed_rgw.py RGW_STATE_DIR"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile

from clitest import MAKE_ARCHIVE, Rgw, check, expect, finish, known_trail

rgw = Rgw(sys.argv[1])
EP = rgw.endpoint
S3 = rgw.flags
aws = rgw.aws
bucket = "cli-signed-%d" % os.getpid()
ROOT = "s3://%s/trails" % bucket
tmp = tempfile.mkdtemp(prefix="jobtrail-cli-signed-")



def aws_get(key):
    local = os.path.join(tmp, "got")
    aws("cp", "s3://%s/trails/%s" % (bucket, key), local)
    return open(local, "rb").read()


def aws_put(key, data):
    local = os.path.join(tmp, "put")
    open(local, "wb").write(data)
    aws("cp", local, "s3://%s/trails/%s" % (bucket, key))


def openssl(*args):
    return subprocess.run(["openssl", *args], capture_output=True, text=True, timeout=30)


def openssl_verifies(pub, data, sig_b64):
    """The independent check: openssl's Ed25519 over exactly `data`."""
    dpath, spath = os.path.join(tmp, "data"), os.path.join(tmp, "sig")
    open(dpath, "wb").write(data)
    open(spath, "wb").write(base64.b64decode(sig_b64))
    r = openssl("pkeyutl", "-verify", "-pubin", "-inkey", pub, "-rawin", "-in", dpath, "-sigfile", spath)
    return r.returncode == 0 and "Signature Verified Successfully" in r.stdout


def trail(run_id):
    ev = [e for e in known_trail.events() if e["type"] != "lost"]
    for e in ev:
        if e["type"] == "job_identity":
            e["job"] = dict(e["job"], run_id=run_id)
    return ev


def write(uid, run_id, *flags):
    """make_archive at pods/ci/runner-UID/UID/; returns its exit status (1 when its writes failed)."""
    lines = "".join(json.dumps(e) + "\n" for e in trail(run_id))
    meta = json.dumps({"pod": {"uid": uid, "name": "runner-" + uid, "namespace": "ci"}})
    r = subprocess.run([MAKE_ARCHIVE, ROOT, "--prefix", prefix(uid), "--meta", meta, "--segment-max-bytes", "400", *flags, *S3],
                       input=lines, capture_output=True, text=True, timeout=120)
    return r


def prefix(uid):
    return "pods/ci/runner-%s/%s/" % (uid, uid)


def url(uid):
    return ROOT + "/" + prefix(uid).rstrip("/")


def kinds(r):
    return sorted({p["kind"] for p in json.loads(r.stdout)["problems"]})


try:
    key, pub = os.path.join(tmp, "key.pem"), os.path.join(tmp, "pub.pem")
    key2, pub2 = os.path.join(tmp, "key2.pem"), os.path.join(tmp, "pub2.pem")
    for k, p in ((key, pub), (key2, pub2)):
        check(openssl("genpkey", "-algorithm", "ed25519", "-out", k).returncode == 0, "openssl genpkey " + k)
        check(openssl("pkey", "-in", k, "-pubout", "-out", p).returncode == 0, "openssl pkey -pubout " + k)
    SIGN = ["--signing-key", key]
    aws("mb", "s3://" + bucket)

    # A genuine signed archive: ok with its key, with several keys, key_mismatch with another one.
    check(write("s1", "61", *SIGN).returncode == 0, "signed archive s1 written")
    r = expect(0, "verify", url("s1"), "--key", pub, "--json", *S3)
    sig = json.loads(r.stdout)["signatures"]
    check(sig["checked"] and sig["signer"] and sig["checkpoint"]["final"], "s1: signer and final checkpoint: %s" % sig)
    expect(0, "verify", url("s1"), "--key", pub2, "--key", pub, *S3, contains="manifest signed by key")
    r = expect(11, "verify", url("s1"), "--key", pub2, "--json", *S3)
    check("key_mismatch" in kinds(r), "another key: key_mismatch: %s" % kinds(r))
    expect(0, "verify", url("s1"), *S3, contains="signatures: not checked")
    expect(0, "fetch", ROOT + "/jobs/octo/hello/61", "-o", os.path.join(tmp, "f61"), "--key", pub, *S3,
           contains="manifest signed by key")
    check(os.path.exists(os.path.join(tmp, "f61", "_manifest.json.sig")), "fetch downloads the manifest's signature")

    # The same signatures checked by openssl alone, from the bytes awscli reads.
    manifest = aws_get(prefix("s1") + "_manifest.json")
    sig_obj = json.loads(aws_get(prefix("s1") + "_manifest.json.sig"))
    check(openssl_verifies(pub, b"jobtrail-manifest-sig-v1\n" + manifest, sig_obj["signature"]),
          "openssl verifies the manifest signature")
    check(not openssl_verifies(pub, b"jobtrail-manifest-sig-v1\n" + manifest + b" ", sig_obj["signature"]),
          "openssl refuses the signature for one more byte")
    m = json.loads(manifest)
    entry = m["segments"][-1]
    check(openssl_verifies(pub, ("jobtrail-entry-sig-v1\n%s\n" % entry["entry_hash"]).encode(), entry["sig"]),
          "openssl verifies a chain entry's signature")
    cp = json.loads(aws_get("checkpoints/" + prefix("s1") + "%06d.json" % len(m["segments"])))
    text = "jobtrail-checkpoint-v1\n" + "".join("%s\n" % v for v in (
        cp["archive_prefix"], cp["manifest"], cp["segments"], cp["chain_head"], cp["events"],
        1 if cp["final"] else 0, cp["manifest_sha256"], cp["at"], cp["key_id"]))
    check(openssl_verifies(pub, text.encode(), cp["signature"]), "openssl verifies a checkpoint's signature")
    check(cp["chain_head"] == m["chain_head"], "the last segment's checkpoint names the manifest's chain head")
    key_id = subprocess.run("openssl pkey -pubin -in %s -outform DER | tail -c 32 | sha256sum" % pub, shell=True,
                            capture_output=True, text=True).stdout.split()[0]
    check(m["meta"]["signing"] == {"signed": True, "alg": "ed25519", "key_id": key_id},
          "meta.signing names the key id openssl computes: %s" % m["meta"]["signing"])

    # An unsigned archive: fine without --key, its own verdict with it.
    check(write("u1", "62").returncode == 0, "unsigned archive u1 written")
    expect(0, "verify", url("u1"), *S3)
    expect(9, "verify", url("u1"), "--key", pub, *S3, contains="unsigned")

    # A forger writes the archive (manifest and segments) first; the signed writer's writes fail.
    check(write("f1", "63").returncode == 0, "forged archive f1 written first")
    r = write("f1", "63", *SIGN)
    check(r.returncode != 0, "the signed writer cannot write over the forgery (exit %d)" % r.returncode)
    expect(0, "verify", url("f1"), *S3)  # the attack the signature is for: without --key it passes
    r = expect(9, "verify", url("f1"), "--key", pub, "--json", *S3)
    check({"unsigned", "checkpoint_mismatch"} <= set(kinds(r)),
          "forged manifest: unsigned, and not the manifest of the final checkpoint: %s" % kinds(r))
    # ...and with a genuine signature copied next to it.
    check(write("f2", "64").returncode == 0, "forged archive f2 written first")
    aws_put(prefix("f2") + "_manifest.json.sig", aws_get(prefix("s1") + "_manifest.json.sig"))
    write("f2", "64", *SIGN)
    r = expect(10, "verify", url("f2"), "--key", pub, "--json", *S3)
    check("bad_signature" in kinds(r), "copied signature: bad_signature: %s" % kinds(r))
    expect(10, "fetch", ROOT + "/jobs/octo/hello/64", "-o", os.path.join(tmp, "f64"), "--key", pub, *S3)

    # A cut tail: the last segments and the manifest deleted.
    check(write("t1", "65", *SIGN).returncode == 0, "signed archive t1 written")
    segs = sorted(l.split()[-1] for l in aws("ls", url("t1") + "/").splitlines() if "events-" in l)
    check(len(segs) >= 4, "t1 has %d segments" % len(segs))
    for s in segs[2:] + ["_manifest.json", "_manifest.json.sig"]:
        aws("rm", url("t1") + "/" + s)
    expect(6, "verify", url("t1"), *S3, contains="manifest_missing")  # without keys: like a crash
    r = expect(7, "verify", url("t1"), "--key", pub, "--json", *S3)
    check("tail_cut" in kinds(r), "cut tail and manifest: tail_cut: %s" % kinds(r))
    expect(7, "fetch", ROOT, "--repo", "octo/hello", "--run", "65", "-o", os.path.join(tmp, "f65"), "--key", pub, *S3,
           contains="tail_cut")

    # An index object pointing at another archive.
    idx_key = [l.split()[-1] for l in aws("ls", "--recursive", "s3://%s/trails/jobs/octo/hello/61/" % bucket).splitlines()][0]
    idx = json.loads(aws_get(idx_key[len("trails/"):]))
    forged = dict(idx, job_identity=dict(idx["job_identity"], run_id="66"))
    aws_put("jobs/octo/hello/66/1/build/u66.json", json.dumps(forged).encode())
    forged_elsewhere = dict(idx, archive_prefix=prefix("u1"), manifest=prefix("u1") + "_manifest.json")
    aws_put("jobs/octo/hello/67/1/build/u67.json", json.dumps(forged_elsewhere).encode())
    expect(12, "fetch", ROOT, "--repo", "octo/hello", "--run", "66", "-o", os.path.join(tmp, "f66"), *S3,
           contains="index_mismatch")
    expect(12, "verify", ROOT + "/jobs/octo/hello/67", *S3, contains="index_mismatch")
    expect(0, "verify", ROOT + "/jobs/octo/hello/61", "--key", pub, *S3)

    # Keys that are not usable are usage errors naming the problem.
    expect(2, "verify", url("s1"), "--key", key, *S3, contains="private key")
    expect(2, "verify", url("s1"), "--key", os.path.join(tmp, "none.pem"), *S3, contains="cannot read")
finally:
    shutil.rmtree(tmp, ignore_errors=True)
    subprocess.run(["aws", "--endpoint-url", EP, "s3", "rb", "--force", "s3://" + bucket], capture_output=True, timeout=60)
finish()
