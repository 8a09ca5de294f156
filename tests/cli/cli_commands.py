#!/usr/bin/env python3
"""`jobtrail` on folder archives written by the real archive Writer from a known trail:
every command, every exit status, the lookup messages, the filters, the tree, the summary
numbers (recomputed here from the events), the report's escaping."""
import json
import os
import shutil
import tempfile

from clitest import check, expect, finish, known_trail, make_archive, run

tmp = tempfile.mkdtemp(prefix="jobtrail-cli-test-")
EV = known_trail.events()
META = json.dumps({"pod": {"uid": "uid1", "name": "runner-x", "namespace": "ci"}, "node": "n1"})


def ptype(e):
    return e["type"]


try:
    # --- archives --------------------------------------------------------------------------
    root = os.path.join(tmp, "store")  # a store with the pod layout and the jobs/ index
    make_archive(root, EV, "--prefix", "events/dt=2026-11-29/ci/runner-x/uid1/", "--meta", META, "--segment-max-bytes", "400",
                 "--lost", "file_open=3")
    arch = os.path.join(root, "events/dt=2026-11-29/ci/runner-x/uid1")
    clean = [e for e in EV if e["type"] != "lost"]
    ok = os.path.join(tmp, "ok")  # `record --out DIR` style, no losses
    make_archive(ok, clean, "--meta", META, "--segment-max-bytes", "400")
    segs = sorted(f for f in os.listdir(ok) if f.startswith("events-"))
    check(len(segs) >= 3, "the small segment size gives several segments (%d)" % len(segs))

    def copy_of(name):
        d = os.path.join(tmp, name)
        shutil.copytree(ok, d)
        return d

    # --- verify: each verdict --------------------------------------------------------------
    expect(0, "verify", ok, contains="ok")
    expect(5, "verify", arch, contains="lost")
    inc = os.path.join(tmp, "inc")
    make_archive(inc, clean, "--incomplete", "flush deadline passed")
    expect(6, "verify", inc, contains="flush deadline passed")
    nomani = copy_of("nomanifest")
    os.remove(os.path.join(nomani, "_manifest.json"))
    expect(6, "verify", nomani, contains="no manifest")
    flipped = copy_of("flipped")
    p = os.path.join(flipped, segs[1])
    b = bytearray(open(p, "rb").read())
    b[len(b) // 2] ^= 0x01
    open(p, "wb").write(bytes(b))
    r = expect(7, "verify", flipped, contains=segs[1])
    check("sha" in r.stdout.lower(), "a flipped byte is reported as a SHA-256 mismatch: " + r.stdout.strip()[:200])
    r = expect(7, "show", flipped)
    check(segs[1] in r.stderr, "show names the damaged segment on stderr: " + r.stderr.strip()[:200])
    deleted = copy_of("deleted")
    os.remove(os.path.join(deleted, segs[1]))
    expect(7, "verify", deleted, contains=segs[1])
    reordered = copy_of("reordered")
    mp = os.path.join(reordered, "_manifest.json")
    m = json.load(open(mp))
    m["segments"][0], m["segments"][1] = m["segments"][1], m["segments"][0]
    os.chmod(mp, 0o644)
    json.dump(m, open(mp, "w"))
    r = expect(7, "verify", reordered)
    check("reorder" in r.stdout or "chain" in r.stdout, "a reordered manifest entry is named: " + r.stdout.strip()[:300])
    expect(0, "verify", "file://" + ok)  # file:// URLs work like folders
    r = expect(7, "verify", flipped, "--json")
    vj = json.loads(r.stdout)
    check(vj["verdict"] == "tampered" and any(pr["segment"] == segs[1] for pr in vj["problems"]), "verify --json")

    # --- not found, usage and storage errors -----------------------------------------------
    expect(3, "verify", os.path.join(tmp, "nothing-here"))
    expect(3, "verify", root, "--repo", "octo/hello", "--run", "43", contains="no archive for run 43 in octo/hello; closest runs: 42")
    expect(3, "verify", root, "--repo", "octo/hallo", "--run", "42", contains="closest repositories: octo/hello")
    expect(2, "verify", root, contains="store root")  # a root is not one archive
    expect(2, "verify", ok, "--no-such-flag")
    expect(2, "show", ok, "--since", "yesterday", contains="--since")
    expect(2, "fetch", ok)  # -o is required
    expect(2, "report", ok)  # -o is required
    expect(2, "verify", root, "--repo", "octo", "--run", "42", contains="owner/name")
    dummy = {"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_REGION": "us-east-1"}
    expect(4, "verify", "s3://bucket/pods/a/b/c", "--s3-endpoint", "http://127.0.0.1:1", "--s3-path-style", env=dummy,
           contains="cannot reach")

    bare = {"HOME": os.path.join(tmp, "no-home"), "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "",
            "AWS_PROFILE": "", "AWS_ROLE_ARN": "", "AWS_WEB_IDENTITY_TOKEN_FILE": "", "AWS_SHARED_CREDENTIALS_FILE": ""}
    expect(4, "verify", "s3://bucket/pods/a/b/c", "--s3-endpoint", "http://127.0.0.1:1", "--s3-path-style", env=bare,
           contains="no S3 credentials")

    # --- lookup by index ---------------------------------------------------------------------
    expect(5, "verify", root, "--repo", "octo/hello", "--run", "42")
    expect(5, "verify", root, "--repo", "octo/hello", "--run", "42", "--job", "build")
    expect(5, "verify", os.path.join(root, "jobs/octo/hello/42"))
    expect(5, "verify", "file://" + root + "/jobs/octo/hello/42/1/build")

    # --- ls ------------------------------------------------------------------------------------
    r = expect(0, "ls", root)
    line = [l for l in r.stdout.splitlines() if "octo/hello" in l]
    check(len(line) == 1 and " 42 " in line[0] and "build" in line[0] and "ci/runner-x" in line[0] and "complete" in line[0],
          "ls shows the job: %s" % line)
    r = expect(0, "ls", root, "--json")
    lj = [json.loads(l) for l in r.stdout.splitlines()]
    check(len(lj) == 1 and lj[0]["run_id"] == "42" and lj[0]["events"] == len(EV) and lj[0]["lost"] == 3,
          "ls --json: run, events, lost: %s" % lj)
    # --since against the index's own start time (the wall clock of this run), never a fixed date.
    import datetime
    idx_dir = os.path.join(root, "jobs")
    idx_files = [os.path.join(d, f) for d, _, fs in os.walk(idx_dir) for f in fs if f.endswith(".json")]
    check(len(idx_files) == 1, "one index object under jobs/: %s" % idx_files)
    started = datetime.datetime.strptime(json.load(open(idx_files[0]))["started_at"][:19], "%Y-%m-%dT%H:%M:%S")
    day = started.date()
    expect(0, "ls", root, "--since", day.isoformat(), contains="octo/hello")
    expect(0, "ls", root, "--since", (started - datetime.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
           contains="octo/hello")
    expect(3, "ls", root, "--since", (day + datetime.timedelta(days=1)).isoformat())
    expect(3, "ls", root, "--since", (started + datetime.timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    expect(3, "ls", root, "--repo", "octo/other")
    expect(2, "ls", root, "--since", "soon")

    # --- fetch ---------------------------------------------------------------------------------
    out = os.path.join(tmp, "fetched")
    r = expect(5, "fetch", root, "--repo", "octo/hello", "--run", "42", "-o", out)
    check(sorted(os.listdir(out)) == sorted(os.listdir(arch)), "fetch copies every object of the archive")
    expect(2, "fetch", root, "--repo", "octo/hello", "--run", "42", "-o", out, contains="not empty")
    out2 = os.path.join(tmp, "fetched-ok")
    expect(0, "fetch", ok, "-o", out2, "-j", "3")
    out3 = os.path.join(tmp, "fetched-flipped")
    expect(7, "fetch", flipped, "-o", out3, contains=segs[1])

    # The progress line appears on a terminal only (script(1) gives the command a pty).
    out4 = os.path.join(tmp, "fetched-tty")
    import subprocess
    from clitest import JOBTRAIL
    r = subprocess.run(["script", "-qec", "%s fetch %s -o %s" % (JOBTRAIL, ok, out4), "/dev/null"],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0 and "%d/%d objects" % (len(segs) + 1, len(segs) + 1) in r.stdout,
          "fetch draws a progress line on a terminal: " + r.stdout[-200:].replace("\r", "|"))
    r = expect(0, "fetch", ok, "-o", os.path.join(tmp, "fetched-pipe"))
    check("objects " not in r.stderr, "no progress line when not on a terminal")

    # --- show ----------------------------------------------------------------------------------
    r = expect(0, "show", ok)
    story = [e for e in clean if not e["type"].startswith("file_")]
    check(len(story) < len(clean), "the known trail holds file events")
    check(len(r.stdout.splitlines()) == len(story) and "📂" not in r.stdout,
          "show prints one line per event of the story, no file events (%d)" % len(r.stdout.splitlines()))
    lines = r.stdout.splitlines()
    check(lines[0].startswith("🚀") and "Runner.Worker" in lines[0], "the runner itself is in no step: " + lines[0])
    check(all(l.startswith("[step 1] ") for l in lines[1:] if "Runner.Worker" not in l),
          "every line below Runner.Worker's child is labelled with its step: " + "\n".join(lines[:4]))
    # The sidecar reads the families' rings one after another: a connection read after its
    # process's exit (later seq, earlier time) is shown between the exec and the exit.
    late = os.path.join(tmp, "late")
    p = {"pid": 7, "exec_id": 1, "parent_exec_id": 0, "binary": "/usr/bin/curl", "args": ["curl", "x"]}
    make_archive(late, [
        {"type": "process_exec", "time": "2026-11-29T10:00:01.000Z", "process": p},
        {"type": "process_exit", "time": "2026-11-29T10:00:01.300Z", "process": p, "exit": {"code": 0}},
        {"type": "net_connect", "time": "2026-11-29T10:00:01.100Z", "process": p,
         "net": {"protocol": "tcp", "dst_addr": "10.0.0.9", "dst_port": 443, "result": "ok"}},
        {"type": "process_exec", "time": "2026-11-29T10:00:05.000Z", "process": {**p, "exec_id": 2, "pid": 8}},
        {"type": "net_connect", "time": "2026-11-29T10:00:01.200Z", "process": p,  # seconds late: as read
         "net": {"protocol": "tcp", "dst_addr": "10.0.0.10", "dst_port": 443, "result": "ok"}}])
    r = expect(0, "show", late)
    kinds = [l.split()[1] + ("" if "10.0.0." not in l else l.split("10.0.0.")[-1].split(":")[0]) for l in r.stdout.splitlines()]
    check(kinds == ["process", "connect9", "exit", "connect10", "process"],
          "show: a connection read late is put back between its exec and exit; one read seconds late comes "
          "after what was already written, before what is still held: %s" % kinds)
    r = expect(0, "show", late, "--json")
    check([json.loads(l)["seq"] for l in r.stdout.splitlines()] == [0, 1, 2, 3, 4], "show --json keeps the archive's order")
    for scope in ("files", "all"):
        r = expect(0, "show", ok, "--stream", scope)
        check(len(r.stdout.splitlines()) == len(clean), "show --stream %s prints every event" % scope)
    expect(2, "show", ok, "--stream", "everything")
    r = expect(0, "show", ok, "--type", "file")
    check(len(r.stdout.splitlines()) == len([e for e in clean if e["type"].startswith("file_")]),
          "show --type file names the file events itself")
    r = expect(0, "show", ok, "--json")
    js = [json.loads(l) for l in r.stdout.splitlines()]
    check([e["seq"] for e in js] == list(range(len(clean))) and [e["type"] for e in js] == [e["type"] for e in clean],
          "show --json: every event, in order, seq from 0")

    def shown(*flags):
        r = run("show", ok, "--json", *flags)
        check(r.returncode == 0, "show %s exits 0" % " ".join(flags))
        return [json.loads(l) for l in r.stdout.splitlines()]

    def want(pred):
        return [e["type"] + "@" + e["time"] for e in clean if pred(e)]

    def got(evs):
        return [e["type"] + "@" + e["time"] for e in evs]

    check(got(shown("--type", "net")) == want(lambda e: e["type"].startswith("net_")), "show --type net (family)")
    check(got(shown("--type", "process_exec,dns_answer")) == want(lambda e: e["type"] in ("process_exec", "dns_answer")),
          "show --type with a comma list")
    check(got(shown("--binary", "curl")) == want(lambda e: e["process"]["binary"] == "/usr/bin/curl"), "show --binary base name")
    check(got(shown("--pid", "510")) == want(lambda e: e["process"]["pid"] == 510), "show --pid")
    check(got(shown("--exec-id", "5")) == want(lambda e: e["process"]["exec_id"] in (5, 6)),
          "show --exec-id includes descendants (make and its cc)")
    check(got(shown("--since", "2026-11-29T10:00:05Z", "--until", "2026-11-29T10:00:08Z")) ==
          want(lambda e: "10:00:05" <= e["time"][11:19] < "10:00:08"), "show --since/--until")
    check(got(shown("--grep", "github.com")) == want(lambda e: "github.com" in json.dumps(e)), "show --grep")
    r = expect(0, "show", ok, "--type", "net_connect")
    check("140.82.112.3:443" in r.stdout and "🔌" in r.stdout, "compact lines are the live stream's: " + r.stdout[:200])

    r = expect(0, "show", ok, "--tree")
    tree = r.stdout.splitlines()
    check(len(tree) == 7, "the tree has one line per exec (%d)" % len(tree))
    check(tree[0].startswith("/home/runner/bin/Runner.Worker spawnclient") and "(no exit seen)" in tree[0], "root line: " + tree[0])
    check(tree[1].startswith("  [step 1] /usr/bin/bash -e"), "children indented two spaces, a step named where it starts: " + tree[1])
    check(sum("[step " in l for l in tree) == 1, "the step's descendants carry no label of their own")
    check(any(l.startswith("    /usr/bin/curl -k") and l.endswith("exit 0") for l in tree), "curl at depth 2 with exit 0")
    check(any(l.startswith("    /usr/bin/make -j2") and l.endswith("exit 2") for l in tree),
          "make keeps its own exit code (a fork's exit does not end it)")
    check(any(l.startswith("      /usr/bin/cc -c main.c") and l.endswith("exit 1") for l in tree), "cc at depth 3, exit 1")
    check(any("/usr/bin/sleep 1000" in l and l.endswith("killed SIGKILL") for l in tree), "sleep killed by SIGKILL")
    r = expect(0, "show", ok, "--tree", "--exec-id", "5")
    sub = [l[4:] for l in tree if "make" in l or "/usr/bin/cc" in l]
    check(r.stdout.splitlines() == ["[step 1] " + sub[0]] + sub[1:],
          "--tree --exec-id: the subtree, its root labelled with its step: " + r.stdout[:200])

    # --- summary: numbers recomputed from the events ------------------------------------------
    r = expect(0, "summary", arch, "--json")  # show/summary/report fail only on unreadable segments
    s = json.loads(r.stdout) if r.stdout.strip().startswith("{") else {}
    counts = {}
    for e in EV:
        counts[e["type"]] = counts.get(e["type"], 0) + 1
    check(s.get("counts") == counts, "summary counts per type equal the trail's")
    check(s.get("events") == len(EV), "summary events")
    execs = [e for e in EV if e["type"] == "process_exec"]
    exits = [e for e in EV if e["type"] == "process_exit"]
    failed = [e for e in exits if e["exit"]["signal"] or e["exit"]["code"]]
    check(s.get("processes", {}).get("execs") == len(execs) and s["processes"]["exits"] == len(exits) and
          s["processes"]["failed"] == len(failed), "summary execs/exits/failed = %d/%d/%d" % (len(execs), len(exits), len(failed)))
    dests = {(e["net"]["dst_addr"], e["net"]["dst_port"]) for e in EV if e["type"].startswith("net_")}
    check({(d["address"], d["port"]) for d in s.get("network", [])} == dests, "summary: every distinct destination")
    gh = [d for d in s.get("network", []) if d["address"] == "140.82.112.3"]
    check(gh and gh[0]["names"] == ["github.com"] and gh[0]["bytes_sent"] == 700 and gh[0]["bytes_received"] == 12000
          and gh[0]["connections"] == 1, "github.com destination: name, bytes, connections: %s" % gh)
    dns = [d for d in s.get("network", []) if d["port"] == 53]
    check(dns and dns[0]["protocol"] == "udp" and dns[0]["bytes_sent"] == 56, "udp flow bytes")
    outside = sorted({e["file"]["path"] for e in EV if e["type"].startswith("file_") and
                      not e["file"]["path"].startswith(known_trail.WORKSPACE + "/") and
                      (e["type"] == "file_change" or "write" in e["file"].get("mode", []))})
    check(sorted(f["path"] for f in s.get("files_written_outside_workspace", [])) == outside,
          "files written outside the workspace: %s" % outside)
    check(s.get("privilege_total") == sum(1 for e in EV if e["type"] in ("priv_syscall", "capability")), "privilege events")
    check(s.get("findings_total") == 1 and s["findings"][0]["id"] == "tls-verify-disabled" and s["findings"][0]["exec_ids"] == ["3"],
          "findings listed with exec ids")
    check(s.get("lost_total") == 3 and s.get("lost") == {"file_open": 3}, "losses")
    check(s.get("identity", {}).get("repository") == "octo/hello", "identity from the manifest")
    check(s.get("start", "") != "" and s.get("duration_s", -1) >= 0, "start and duration present")
    nowhere = os.path.join(tmp, "nothing-here")
    check(not os.path.exists(nowhere), "a missing folder was not created by the lookup")
    r = expect(0, "summary", ok)
    for text in ("octo/hello", "140.82.112.3:443/tcp (github.com)", "/tmp/tool.sh", "tls-verify-disabled", "Lost events: 0"):
        check(text in r.stdout, "summary text shows " + text)

    # --- layout 1: archives written before the date-partitioned layout -----------------------
    # What such a writer left: pods/<ns>/<pod>/<uid>/ with manifest.json, an index pointing there.
    legacy = os.path.join(tmp, "legacy")
    make_archive(legacy, EV, "--prefix", "pods/ci/runner-x/uid1/", "--meta", META, "--segment-max-bytes", "400",
                 "--lost", "file_open=3")
    larch = os.path.join(legacy, "pods/ci/runner-x/uid1")
    m = json.load(open(os.path.join(larch, "_manifest.json")))
    del m["layout_version"]
    os.remove(os.path.join(larch, "_manifest.json"))
    json.dump(m, open(os.path.join(larch, "manifest.json"), "w"))
    lidx = os.path.join(legacy, "jobs/octo/hello/42/1/build/uid1.json")
    ij = json.load(open(lidx))
    del ij["layout_version"]
    ij["manifest"] = "pods/ci/runner-x/uid1/manifest.json"
    os.chmod(lidx, 0o644)
    json.dump(ij, open(lidx, "w"))
    expect(5, "verify", larch, contains="lost")
    expect(5, "verify", os.path.join(larch, "manifest.json"))
    expect(5, "verify", legacy, "--repo", "octo/hello", "--run", "42")
    r = expect(0, "ls", legacy, "--json")
    lj = [json.loads(l) for l in r.stdout.splitlines()]
    check(len(lj) == 1 and lj[0]["events"] == len(EV) and lj[0]["status"] == "complete", "ls reads a layout-1 manifest: %s" % lj)
    r = expect(0, "show", larch, "--json")
    check(len(r.stdout.splitlines()) == len(EV), "show reads every event of a layout-1 archive")
    r = expect(0, "summary", larch, "--json")
    check(json.loads(r.stdout)["archive"]["complete"] is True, "summary reads a layout-1 manifest")
    expect(0, "report", larch, "-o", os.path.join(tmp, "legacy.html"))
    lout = os.path.join(tmp, "legacy-fetched")
    expect(5, "fetch", legacy, "--repo", "octo/hello", "--run", "42", "-o", lout)
    check(sorted(os.listdir(lout)) == sorted(os.listdir(larch)) and "manifest.json" in os.listdir(lout),
          "fetch copies a layout-1 archive, manifest.json included")

    # --- report --------------------------------------------------------------------------------
    html = os.path.join(tmp, "report.html")
    expect(0, "report", arch, "-o", html)
    page = open(html, encoding="utf-8").read()
    check(page.count("<script") == 2, "the report has exactly its two script elements (data + code)")
    check(known_trail.EVIL_ARG not in page and "<img" not in page, "the <script> argv is escaped in the report")
    check("http://" not in page.replace("http-equiv", "") and "https://" not in page.split("jobtrail-data")[0],
          "no external URL in the markup")
    data = json.loads(page.split('id="jobtrail-data">')[1].split("</script>")[0])
    check(len(data["model"]["processes"]) == 7 and data["summary"]["events"] == len(EV), "embedded data: 7 processes")
    check(any(known_trail.EVIL_ARG in p["args"] for p in data["model"]["processes"]), "the argv survives intact in the data")
finally:
    shutil.rmtree(tmp, ignore_errors=True)
finish()
