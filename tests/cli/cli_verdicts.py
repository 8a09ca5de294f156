#!/usr/bin/env python3
"""`jobtrail verify` names each kind of problem (trail/archive/verify.hpp), one damage at a time,
on copies of one archive written by the real Writer. The damage is made here: bytes changed,
segments rewritten with the zstd tool and the manifest's hash chain recomputed from the
documented canonical form (docs/archive.md), so each archive is wrong in exactly one way. For
each, `verify --json` must report exactly the expected problem kinds and verdict, and exit with
the verdict's status (docs/cli.md). Then `jobtrail findings` on the known trail, with and without
a baseline of earlier runs (new-egress)."""
import json
import os
import shutil
import tempfile

from clitest import (check, entry_hash, expect, finish, known_trail, lines_of, load_manifest as load, make_archive,
                     rechain, rewrite_segment, run, save_manifest as save, zstd)

tmp = tempfile.mkdtemp(prefix="jobtrail-cli-verdicts-")
EV = [e for e in known_trail.events() if e["type"] != "lost"]
STATUS = {"ok": 0, "lost_events": 5, "incomplete": 6, "tampered": 7}


base = os.path.join(tmp, "base")
make_archive(base, EV, "--segment-max-bytes", "400")
SEGS = [s["name"] for s in load(base)["segments"]]
check(len(SEGS) >= 3, "several segments (%d)" % len(SEGS))


def copy(name):
    d = os.path.join(tmp, name)
    shutil.copytree(base, d)
    return d


def verdict_is(d, kinds, verdict, what, where=None):
    """`where`: the exact (kind, segment) pairs, segment "" for the archive as a whole."""
    r = run("verify", d, "--json")
    try:
        vj = json.loads(r.stdout)
    except ValueError:
        vj = {}
    got = sorted({p["kind"] for p in vj.get("problems", [])})
    check(got == sorted(kinds) and vj.get("verdict") == verdict and r.returncode == STATUS[verdict],
          "%s: kinds %s verdict %s exit %d (got %s %s exit %d)" % (what, sorted(kinds), verdict, STATUS[verdict], got,
                                                                   vj.get("verdict"), r.returncode))
    if where is not None:
        pairs = sorted((p["kind"], p["segment"]) for p in vj.get("problems", []))
        check(pairs == sorted(where), "%s: problems %s (got %s)" % (what, sorted(where), pairs))
    text = run("verify", d)
    check(text.returncode == r.returncode and all(("%s: %s" % (p["verdict"], p["kind"])) in text.stdout
                                                  for p in vj.get("problems", [])),
          "%s: the text report names each problem and exits alike" % what)
    return vj


try:
    verdict_is(base, [], "ok", "untouched archive")
    # the oracle of the untouched archive: every event of the trail, counted here
    vj = json.loads(run("verify", base, "--json").stdout)
    check(vj["events_checked"] == len(EV) and vj["segments_checked"] == len(SEGS), "events and segments checked")

    d = copy("manifest-missing")
    os.remove(os.path.join(d, "_manifest.json"))
    verdict_is(d, ["manifest_missing"], "incomplete", "no manifest")

    d = copy("manifest-garbage")
    os.chmod(os.path.join(d, "_manifest.json"), 0o644)
    open(os.path.join(d, "_manifest.json"), "w").write("{not json")
    verdict_is(d, ["manifest_invalid"], "tampered", "manifest not JSON")
    d = copy("manifest-version")
    m = load(d)
    m["format_version"] = 99
    save(d, m)
    vj = verdict_is(d, ["manifest_invalid"], "tampered", "manifest of an unknown format version")
    check("format_version 99" in json.dumps(vj), "the version is named")

    d = os.path.join(tmp, "incomplete")
    make_archive(d, EV, "--incomplete", "flush deadline passed")
    verdict_is(d, ["incomplete"], "incomplete", "complete:false")

    d = copy("not-uploaded")
    m = load(d)
    m["not_uploaded"] = [SEGS[1]]
    save(d, m)
    os.remove(os.path.join(d, SEGS[1]))
    verdict_is(d, ["segment_not_uploaded"], "incomplete", "a segment the manifest declares not uploaded",
               [("segment_not_uploaded", SEGS[1])])

    d = copy("segment-missing")
    os.remove(os.path.join(d, SEGS[1]))
    verdict_is(d, ["segment_missing"], "tampered", "a stored segment deleted", [("segment_missing", SEGS[1])])

    d = copy("size")
    p = os.path.join(d, SEGS[1])
    os.chmod(p, 0o644)
    open(p, "ab").write(b"\0")
    verdict_is(d, ["size_mismatch", "sha_mismatch"], "tampered", "a byte appended",
               [("size_mismatch", SEGS[1]), ("sha_mismatch", SEGS[1])])

    d = copy("sha")
    p = os.path.join(d, SEGS[1])
    os.chmod(p, 0o644)
    b = bytearray(open(p, "rb").read())
    b[len(b) // 2] ^= 0x01
    open(p, "wb").write(bytes(b))
    verdict_is(d, ["sha_mismatch"], "tampered", "a flipped byte", [("sha_mismatch", SEGS[1])])

    d = copy("chain")
    m = load(d)
    m["segments"][1]["prev"] = "f" * 64  # a forged link, its own entry_hash recomputed
    m["segments"][1]["entry_hash"] = entry_hash(m["segments"][1])
    save(d, m)
    verdict_is(d, ["chain_broken"], "tampered", "a forged prev link", [("chain_broken", SEGS[1]), ("chain_broken", SEGS[2])])

    d = copy("reordered")
    m = load(d)
    m["segments"][0], m["segments"][1] = m["segments"][1], m["segments"][0]
    save(d, m)
    verdict_is(d, ["reordered", "seq_gap"], "tampered", "two manifest entries swapped")

    # a segment whose second line carries a wrong seq, re-signed in the manifest
    d = copy("seq")
    lines = lines_of(os.path.join(d, SEGS[1]))
    ev = json.loads(lines[1])
    ev["seq"] += 1000
    lines[1] = json.dumps(ev)
    rewrite_segment(d, 1, zstd("\n".join(lines) + "\n"))
    vj = verdict_is(d, ["seq_gap"], "tampered", "a line with a wrong seq", [("seq_gap", SEGS[1])])

    d = copy("count-segment")  # one line fewer than its entry says, re-signed
    lines = lines_of(os.path.join(d, SEGS[1]))
    rewrite_segment(d, 1, zstd("\n".join(lines[:-1]) + "\n"))
    verdict_is(d, ["count_mismatch"], "tampered", "a segment holding one event fewer than its entry",
               [("count_mismatch", SEGS[1])])
    d = copy("count-total")
    m = load(d)
    m["events"] += 1
    save(d, m)
    verdict_is(d, ["count_mismatch"], "tampered", "the manifest's event total raised")
    d = copy("count-types")  # one event's type changed, seq and totals intact, re-signed
    lines = lines_of(os.path.join(d, SEGS[1]))
    ev = json.loads(lines[0])
    ev["type"] = "renamed_type"
    lines[0] = json.dumps(ev)
    rewrite_segment(d, 1, zstd("\n".join(lines) + "\n"))
    vj = verdict_is(d, ["count_mismatch"], "tampered", "an event's type changed", [("count_mismatch", "")])
    check("event_counts" in json.dumps(vj), "the per-type counts are named")

    d = copy("decode-zstd")  # not zstd at all, re-signed
    rewrite_segment(d, 1, b"this is not a zstd frame\n" * 4)
    vj = verdict_is(d, ["decode_error"], "tampered", "a segment that is not zstd", [("decode_error", SEGS[1])])
    d = copy("decode-json")  # zstd, but a line is not JSON
    lines = lines_of(os.path.join(d, SEGS[1]))
    lines[0] = "{not json"
    rewrite_segment(d, 1, zstd("\n".join(lines) + "\n"))
    vj = verdict_is(d, ["decode_error"], "tampered", "a line that is not JSON", [("decode_error", SEGS[1])])
    check("not a JSON object" in json.dumps(vj), "the line is named")

    d = copy("unlisted")
    shutil.copy(os.path.join(d, SEGS[-1]), os.path.join(d, "events-000099.jsonl.zst"))
    verdict_is(d, ["unlisted_segment"], "incomplete", "a segment the manifest does not list",
               [("unlisted_segment", "events-000099.jsonl.zst")])

    d = copy("restarted")
    m = load(d)
    m["resumed"] = [{"at": m.get("started_at", ""), "segments": 1}]
    save(d, m)
    verdict_is(d, ["writer_restarted"], "incomplete", "a writer that resumed its spool")

    d = os.path.join(tmp, "lost")
    make_archive(d, EV, "--lost", "file_open=3")
    verdict_is(d, ["lost_events"], "lost_events", "lost events")

    # --- jobtrail findings on the known trail ------------------------------------------------------
    # Its acts, found here by what they are (the Writer numbers events from 0 in input order):
    # `curl -k`, a connect to 1.2.3.4:4444 (an address no DNS answer explains, on a mining-pool
    # port), a mount of /dev/sda2. The `finding` event the trail already holds is not repeated.
    def seq_of(pred):
        found = [i for i, e in enumerate(EV) if pred(e)]
        check(len(found) == 1, "the known trail has one such act")
        return found[0] if found else -1
    curl_k = seq_of(lambda e: e["type"] == "process_exec" and "-k" in e["process"].get("args", []))
    pool = seq_of(lambda e: e["type"] == "net_connect" and e["net"]["dst_addr"] == "1.2.3.4")
    mount = seq_of(lambda e: e["type"] == "priv_syscall" and e["priv"].get("args", {}).get("source") == "/dev/sda2")
    want = sorted([("tls-verify-disabled", curl_k), ("hardcoded-ip", pool), ("crypto-mining", pool), ("host-mount", mount)])
    fa = os.path.join(tmp, "findings")
    make_archive(fa, EV)
    r = expect(0, "findings", fa, "--json")
    fj = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
    got = sorted((f["finding"]["id"], f["finding"]["evidence"][0]) for f in fj)
    check(got == want and all(f["type"] == "finding" and f["finding"]["exec_ids"] == [EV[f["finding"]["evidence"][0]]["process"]["exec_id"]]
                              for f in fj), "findings --json: each act's rule with the act as evidence: %s, want %s" % (got, want))
    r = expect(0, "findings", fa)
    check(r.stdout.count("⚠️ finding") == len(want) and "%d finding(s)" % len(want) in r.stderr,
          "findings: one compact line per finding and the count on stderr")
    r = expect(0, "findings", fa, "--json", "--disable-finding", "tls-verify-disabled", "--disable-finding", "host-mount")
    check(sorted(json.loads(line)["finding"]["id"] for line in r.stdout.splitlines()) == ["crypto-mining", "hardcoded-ip"],
          "--disable-finding switches rules off")
    expect(2, "findings", fa, "--disable-finding", "no-such-rule")
    r = expect(0, "findings", fa, "--json", "--allow-domain", "example.org")
    names = sorted({f["finding"]["title"].split(": ")[1].split(" ")[0] for f in map(json.loads, r.stdout.splitlines())
                    if f["finding"]["id"] == "domain-not-allowed"})
    want_names = sorted({e["dns"]["name"] for e in EV if e["type"] == "dns_query"} |
                        {e["net"]["dst_name"] for e in EV if e["type"] == "net_connect" and e["net"].get("dst_name")})
    check(names == want_names, "--allow-domain example.org: every name of the trail is outside: %s vs %s" % (names, want_names))

    # new-egress: an earlier run of the same workflow saw github.com only; the current run also
    # connects to 203.0.113.9:8443 (no name): exactly that is new.
    store = os.path.join(tmp, "store")
    ident = {"repository": "octo/hello", "run_id": "41", "run_attempt": "1", "job": "build",
             "GITHUB_WORKFLOW_REF": "octo/hello/.github/workflows/ci.yml@refs/heads/main"}
    conn = [e for e in EV if e["type"] == "net_connect"][0]

    def job(run_id, start, extra):
        evs = [{"type": "job_identity", "time": start, "job": dict(ident, run_id=run_id)}]
        evs += [dict(e, time=start) for e in EV if e["type"] in ("dns_query", "dns_answer", "net_connect")] + extra
        make_archive(store, evs, "--prefix", "events/dt=2026-11-29/ci/runner-%s/uid%s/" % (run_id, run_id))

    job("41", "2026-11-28T10:00:00Z", [])
    extra = dict(conn, time="2026-11-29T10:00:00Z", net=dict(conn["net"], dst_addr="203.0.113.9", dst_port=8443))
    extra["net"].pop("dst_name", None)
    job("42", "2026-11-29T10:00:00Z", [extra])
    r = expect(0, "findings", store, "--repo", "octo/hello", "--run", "42", "--json", "--baseline", store)
    new = [json.loads(line)["finding"] for line in r.stdout.splitlines() if '"new-egress"' in line]
    check(len(new) == 1 and "203.0.113.9:8443" in new[0]["title"], "new-egress: only 203.0.113.9:8443 is new: %s" % new)
    check("compared with 1 earlier run(s)" in r.stderr, "one earlier run compared: " + r.stderr.strip()[-200:])
    r = expect(0, "findings", store, "--repo", "octo/hello", "--run", "41", "--json", "--baseline", store)
    check('"new-egress"' not in r.stdout and "compared with 0 earlier run(s)" in r.stderr,
          "the first run has nothing to compare with and no new-egress")
    anon = os.path.join(tmp, "anonymous")
    make_archive(anon, [e for e in EV if e["type"] != "job_identity"])
    expect(2, "findings", anon, "--baseline", store, contains="no job identity")
finally:
    shutil.rmtree(tmp, ignore_errors=True)
finish()
