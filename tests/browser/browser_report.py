#!/usr/bin/env python3
"""The `jobtrail report` page in a real headless Chromium (Debian's package, as root with
--no-sandbox): no console errors or exceptions, the attacker-controlled argv stays text, the
tree expands and the search finds curl, the first screen at 1280x800 shows what ran, where it
connected and what looked wrong, and a finding's links lead to its evidence (the page's #selftest
hook writes what it saw into the DOM, read back with --dump-dom); a screenshot of the first screen
is kept as a test artefact."""
import html
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from clitest import BIN, check, expect, finish, known_trail, make_archive  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if not CHROMIUM:
    sys.exit("chromium not found: scripts/install-deps.sh cli")
artifacts = os.path.join(BIN, "tests", "artifacts")
os.makedirs(artifacts, exist_ok=True)
tmp = tempfile.mkdtemp(prefix="jobtrail-browser-test-")


def chromium(*args):
    profile = tempfile.mkdtemp(dir=tmp)
    cmd = [CHROMIUM, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-extensions",
           "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=90)


try:
    arch = os.path.join(tmp, "archive")
    make_archive(arch, known_trail.events(), "--meta", json.dumps({"pod": {"name": "runner-x", "namespace": "ci"}}))
    page = os.path.join(artifacts, "report.html")
    expect(0, "report", arch, "-o", page)
    url = "file://" + page

    r = chromium("--dump-dom", "--window-size=1280,800", url + "#selftest")
    check(r.returncode == 0, "chromium --dump-dom exits 0 (%d: %s)" % (r.returncode, r.stderr[-500:]))
    console = [l for l in r.stderr.splitlines() if ":CONSOLE" in l or "Uncaught" in l]
    check(not console, "no console messages or uncaught errors: %s" % console[:5])
    m = re.search(r'<pre id="selftest-result">(.*?)</pre>', r.stdout)
    check(m is not None, "the page ran its script and wrote the self-test result")
    res = json.loads(html.unescape(m.group(1))) if m else {}
    print("selftest:", res)
    check(res.get("processes") == 7 and res.get("roots") == 1, "tree: 7 processes under 1 root")
    check(res.get("visible_before") == 1, "the tree starts collapsed (only the root row visible)")
    check(res.get("visible_after_expand") == 2, "clicking the root expands it (root and its child bash)")
    check(res.get("search_hits") == 1 and res.get("visible_after_search") == 3,
          "search 'curl' finds curl and shows its ancestors (Runner.Worker > bash > curl)")
    check(res.get("scripts") == 2, "no script element was injected by the argv")

    # The first screen at 1280x800 answers: what ran, where it connected, what looked wrong.
    first = res.get("first_screen") or {}
    # (headless Chromium's --window-size=1280,800 leaves a viewport of 1280 x 657 for the page)
    vp = res.get("viewport") or [0, 0]
    check(vp[0] == 1280 and 0 < vp[1] <= 800 and res.get("glance_in_first_screen") is True,
          "the at-a-glance section fits the first screen of a 1280x800 window: viewport %s" % vp)
    check(first.get("counts") == ["7 processes, 4 failed, 1 step", "3 destinations, 4 connections",
                                  "1 finding \u00b7 3 events lost"],
          "the three headlines: %s" % first.get("counts"))
    ran = first.get("ran") or []
    check(len(ran) == 7, "what ran: all 7 processes of the tree (%d)" % len(ran))
    check(any(l.startswith("step 1bash") for l in ran), "what ran: the step starts where bash does: %s" % ran[:3])
    failed = first.get("failed") or []
    check(sorted(l.split()[-1] for l in failed) == ["1", "2", "32", "SIGKILL"],
          "what ran: the failed processes (sh 32, make 2, cc 1, sleep SIGKILL) are highlighted: %s" % failed)
    check(not any(l.startswith("curl") for l in failed), "what ran: curl (exit 0) is not highlighted")
    net = first.get("net") or []
    check(len(net) == 3 and net[0].startswith("github.com 140.82.112.3:443/tcp")
          and "\u2191700 B \u219311.7 KiB" in net[0] and net[0].endswith("curl"),
          "where it connected: github.com first, with its address, bytes and binary: %s" % net[:2])
    check(any("1.2.3.4:4444" in l for l in net), "where it connected: the refused 1.2.3.4:4444 is listed")
    wrong = first.get("wrong") or []
    check(len(wrong) == 1 and wrong[0].startswith("high curl -k: TLS verification disabled (step 1)"),
          "what looked wrong: the finding with its severity and step: %s" % wrong)
    check(res.get("evidence_tree") and all("/usr/bin/curl" in l for l in res["evidence_tree"]),
          "the finding's tree link reveals curl in the collapsed tree: %s" % res.get("evidence_tree"))
    check(res.get("evidence_timeline", 0) >= 1, "the finding's timeline link marks curl's timeline row")
    check("<title>jobtrail report</title>" in r.stdout and "pwned" not in r.stdout.split("</title>")[0],
          "the page title is ours, not the argv's")
    check("&lt;script&gt;document.title" in r.stdout, "the <script> argv is shown as text in the tree")
    check("<img src=\"x\"" not in r.stdout and "<img src=x" not in r.stdout, "no <img> element from the argv")

    png = os.path.join(artifacts, "report.png")
    if os.path.exists(png):
        os.remove(png)
    r = chromium("--screenshot=" + png, "--window-size=1280,800", "--hide-scrollbars", url)
    size = os.path.getsize(png) if os.path.exists(png) else 0
    check(r.returncode == 0, "chromium --screenshot exits 0 (%d: %s)" % (r.returncode, r.stderr[-500:]))
    check(size > 10000 and open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n",
          "screenshot saved: %s (%d bytes)" % (png, size))
    dims = struct.unpack(">II", open(png, "rb").read(24)[16:24]) if size > 24 else (0, 0)
    check(dims == (1280, 800), "the screenshot is the first screen, 1280x800: %s" % (dims,))
finally:
    shutil.rmtree(tmp, ignore_errors=True)
finish()
