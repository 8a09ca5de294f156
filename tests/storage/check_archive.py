#!/usr/bin/env python3
"""Independent check of an archive that awscli downloaded (no jobtrail code involved):
  check_archive.py DIR ARCHIVE_PREFIX EXPECTED_EVENTS|manifest [INDEX_KEY|auto] [--marker TEXT]
                   [--incomplete-reason TEXT]
DIR is what `aws s3 cp --recursive s3://BUCKET/PREFIX/ DIR` produced. Checks: the manifest is
complete; each listed segment exists with the listed size and SHA-256; the hash chain links;
decompressed (zstd CLI) every event seq 0..N-1 appears exactly once; no unlisted segment; the
index object (if given; "auto": derived from the manifest's job identity, if any) names this
archive and its manifest; with --marker, exactly one process_exec has TEXT among its args; with
--incomplete-reason, the manifest must say complete: false with exactly that reason instead.
Prints one line per failure."""
import hashlib, json, os, subprocess, sys


def main():
    args = sys.argv[1:]
    marker = ""
    reason = None
    if "--incomplete-reason" in args:
        i = args.index("--incomplete-reason")
        reason = args[i + 1]
        del args[i:i + 2]
    if "--marker" in args:
        i = args.index("--marker")
        marker = args[i + 1]
        del args[i:i + 2]
    d, prefix = args[0], args[1]
    index_key = args[3] if len(args) > 3 else ""
    bad = []
    adir = os.path.join(d, prefix)
    man = json.load(open(os.path.join(adir, "_manifest.json")))
    expected = man.get("events", -1) if args[2] == "manifest" else int(args[2])
    if index_key == "auto":
        raw = man.get("job_identity") or {}
        # the sidecar records the GITHUB_* names; archive tests use the short ones
        ident = {k: raw.get(k) or raw.get("GITHUB_" + k.upper()) for k in ("repository", "run_id", "run_attempt", "job")}
        index_key = ""
        if ident["repository"] and ident["run_id"] and ident["job"]:
            index_key = f"jobs/{ident['repository']}/{ident['run_id']}/{ident['run_attempt'] or '1'}/{ident['job']}/{man['meta']['pod']['uid']}.json"
    marked = 0
    if reason is not None:
        if man.get("complete") is not False or man.get("incomplete_reason") != reason:
            bad.append(f"manifest complete={man.get('complete')} reason {man.get('incomplete_reason')!r}, want false and {reason!r}")
    elif man.get("complete") is not True:
        bad.append(f"manifest not complete: {man.get('incomplete_reason')}")
    prev = "0" * 64
    seqs = {}
    listed = set()
    for s in man["segments"]:
        listed.add(s["name"])
        p = os.path.join(adir, s["name"])
        if not os.path.exists(p):
            bad.append(f"{s['name']}: missing"); continue
        data = open(p, "rb").read()
        if len(data) != s["size"]:
            bad.append(f"{s['name']}: size {len(data)} != manifest {s['size']}")
        if hashlib.sha256(data).hexdigest() != s["sha256"]:
            bad.append(f"{s['name']}: sha256 differs from manifest")
        text = f"jobtrail-segment-v1\n{s['name']}\n{s['size']}\n{s['sha256']}\n{s['events']}\n{s['first_seq']}\n{s['last_seq']}\n{s['prev']}\n"
        if s["prev"] != prev or hashlib.sha256(text.encode()).hexdigest() != s["entry_hash"]:
            bad.append(f"{s['name']}: hash chain broken")
        prev = s["entry_hash"]
        lines = subprocess.run(["zstd", "-dcq"], input=data, capture_output=True, check=True).stdout.splitlines()
        if len(lines) != s["events"]:
            bad.append(f"{s['name']}: {len(lines)} events, manifest says {s['events']}")
        for line in lines:
            ev = json.loads(line)
            seq = ev["seq"]
            if marker and ev.get("type") == "process_exec" and marker in ev.get("process", {}).get("args", []):
                marked += 1
            seqs[seq] = seqs.get(seq, 0) + 1
    dup = [k for k, v in seqs.items() if v > 1]
    missing = [i for i in range(expected) if i not in seqs]
    if dup: bad.append(f"{len(dup)} seq values appear more than once (first {sorted(dup)[:5]})")
    if missing: bad.append(f"{len(missing)} seq values missing (first {missing[:5]})")
    if len(seqs) != expected: bad.append(f"{len(seqs)} distinct events, expected {expected}")
    if man.get("events") != expected: bad.append(f"manifest events {man.get('events')} != {expected}")
    if marker and marked != 1:
        bad.append(f"{marked} process_exec events carry the marker {marker}, expected exactly 1")
    for f in os.listdir(adir):
        if f.startswith("events-") and f not in listed:
            bad.append(f"{f}: segment not listed in the manifest")
    if index_key:
        ip = os.path.join(d, index_key)
        if not os.path.exists(ip):
            bad.append(f"index object {index_key} missing")
        else:
            idx = json.load(open(ip))
            if idx.get("archive_prefix") != prefix:
                bad.append(f"index points to {idx.get('archive_prefix')}, not {prefix}")
            if not os.path.exists(os.path.join(d, idx.get("manifest", "?"))):
                bad.append(f"index names manifest {idx.get('manifest')} which is not there")
    for b in bad:
        print("check_archive:", b)
    print(f"check_archive: {len(seqs)} events in {len(man['segments'])} segments, {len(bad)} problems")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
