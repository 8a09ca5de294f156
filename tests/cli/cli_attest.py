#!/usr/bin/env python3
"""`jobtrail attest`: the in-toto runtime-trace Statement in a DSSE envelope, for archives written
by the real Writer (make_archive) in a folder. The envelope's signature is checked with
`openssl pkeyutl -verify -rawin` over the DSSE PAE computed here; the statement's subject digest
is recomputed from the manifest's bytes; a damaged and an unsigned archive are attested with
their verdicts and exit statuses."""
import base64
import hashlib
import json
import os
import shutil
import subprocess
import tempfile

from clitest import check, expect, finish, known_trail, make_archive

tmp = tempfile.mkdtemp(prefix="jobtrail-cli-attest-")


def openssl(*args):
    return subprocess.run(["openssl", *args], capture_output=True, text=True, timeout=30)


def pae(ptype, body):
    t = ptype.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)


def openssl_verifies(pub, data, sig):
    d, s = os.path.join(tmp, "data"), os.path.join(tmp, "sig")
    open(d, "wb").write(data)
    open(s, "wb").write(sig)
    r = openssl("pkeyutl", "-verify", "-pubin", "-inkey", pub, "-rawin", "-in", d, "-sigfile", s)
    return r.returncode == 0


def attest(status, archive, out):
    expect(status, "attest", archive, "--key", key, "-o", out)
    env = json.load(open(out))
    return env, json.loads(base64.b64decode(env["payload"]))


try:
    key, pub = os.path.join(tmp, "key.pem"), os.path.join(tmp, "pub.pem")
    check(openssl("genpkey", "-algorithm", "ed25519", "-out", key).returncode == 0, "openssl genpkey")
    check(openssl("pkey", "-in", key, "-pubout", "-out", pub).returncode == 0, "openssl pkey -pubout")
    key_id = subprocess.run("openssl pkey -pubin -in %s -outform DER | tail -c 32 | sha256sum" % pub, shell=True,
                            capture_output=True, text=True).stdout.split()[0]
    store = os.path.join(tmp, "store")
    prefix = "pods/ci/runner-a/a/"
    events = [e for e in known_trail.events() if e["type"] != "lost"]
    make_archive(store, events, "--prefix", prefix, "--segment-max-bytes", "400", "--signing-key", key)
    archive = os.path.join(store, prefix)

    env, st = attest(0, archive, os.path.join(tmp, "att.json"))
    body = base64.b64decode(env["payload"])
    check(env["payloadType"] == "application/vnd.in-toto+json", "DSSE payloadType")
    check(len(env["signatures"]) == 1 and env["signatures"][0]["keyid"] == key_id, "DSSE keyid is the key id openssl computes")
    sig = base64.b64decode(env["signatures"][0]["sig"])
    check(openssl_verifies(pub, pae(env["payloadType"], body), sig), "openssl verifies the DSSE signature over the PAE")
    check(not openssl_verifies(pub, pae(env["payloadType"], body + b" "), sig), "openssl refuses it for another payload")
    check(not openssl_verifies(pub, body, sig), "the signature is over the PAE, not the bare payload")

    manifest = open(os.path.join(archive, "_manifest.json"), "rb").read()
    check(st["_type"] == "https://in-toto.io/Statement/v1", "Statement v1")
    check(st["predicateType"] == "https://in-toto.io/attestation/runtime-trace/v0.1", "runtime-trace v0.1 predicate")
    check(st["subject"] == [{"name": prefix + "_manifest.json", "digest": {"sha256": hashlib.sha256(manifest).hexdigest()}}],
          "subject: the manifest with the SHA-256 of its bytes: %s" % st["subject"])
    pred = st["predicate"]
    check(pred["monitoredProcess"]["event"] == "https://github.com/octo/hello/actions/runs/42/attempts/1",
          "monitoredProcess.event is the run URL: %s" % pred["monitoredProcess"])
    check(pred["monitor"]["type"].startswith("https://"), "monitor.type is a URI")
    log = pred["monitorLog"]
    execs = sum(e["type"] == "process_exec" for e in events)
    check(log["process"][0]["execs"] == execs, "process summary: %d execs (%s)" % (execs, log["process"][0]))
    check(any(n.get("hostname") == "github.com" for n in log["network"]), "network: github.com: %s" % log["network"])
    check(isinstance(log["fileAccess"], list), "fileAccess is a list")
    meta = pred["metadata"]["jobtrail"]
    check(meta["verdict"] == "ok" and meta["signedBy"] == key_id, "verdict ok, signed by the key: %s" % meta)

    # A damaged copy: attested as tampered, exit 7.
    bad = os.path.join(tmp, "bad")
    shutil.copytree(store, bad)
    seg = sorted(f for f in os.listdir(os.path.join(bad, prefix)) if f.startswith("events-"))[1]
    p = os.path.join(bad, prefix, seg)
    b = bytearray(open(p, "rb").read())
    b[len(b) // 2] ^= 0x40
    open(p, "wb").write(bytes(b))
    _, st = attest(7, os.path.join(bad, prefix), os.path.join(tmp, "bad.json"))
    meta = st["predicate"]["metadata"]["jobtrail"]
    check(meta["verdict"] == "tampered" and "sha_mismatch" in meta["problems"], "damaged: tampered: %s" % meta)

    # An unsigned archive: attested, with the verdict unsigned (exit 9).
    unsigned = os.path.join(tmp, "unsigned")
    make_archive(unsigned, events, "--prefix", prefix, "--segment-max-bytes", "400")
    _, st = attest(9, os.path.join(unsigned, prefix), os.path.join(tmp, "unsigned.json"))
    check(st["predicate"]["metadata"]["jobtrail"]["verdict"] == "unsigned", "unsigned archive: verdict unsigned")
    expect(2, "attest", archive, "--key", pub, "-o", os.path.join(tmp, "x.json"), contains="public key")
finally:
    shutil.rmtree(tmp, ignore_errors=True)
finish()
