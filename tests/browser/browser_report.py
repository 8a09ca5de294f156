#!/usr/bin/env python3
"""The `jobtrail report` page in a real headless Chromium (Debian's package, as root with
--no-sandbox): no console errors or exceptions, the attacker-controlled argv stays text, the
tree expands and the search finds curl (the page's #selftest hook writes what it saw into the
DOM, read back with --dump-dom), and a screenshot is kept as a test artefact."""
import json
import os
import re
import shutil
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

    r = chromium("--dump-dom", url + "#selftest")
    check(r.returncode == 0, "chromium --dump-dom exits 0 (%d: %s)" % (r.returncode, r.stderr[-500:]))
    console = [l for l in r.stderr.splitlines() if ":CONSOLE" in l or "Uncaught" in l]
    check(not console, "no console messages or uncaught errors: %s" % console[:5])
    m = re.search(r'<pre id="selftest-result">(.*?)</pre>', r.stdout)
    check(m is not None, "the page ran its script and wrote the self-test result")
    res = json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&")) if m else {}
    print("selftest:", res)
    check(res.get("processes") == 7 and res.get("roots") == 1, "tree: 7 processes under 1 root")
    check(res.get("visible_before") == 1, "the tree starts collapsed (only the root row visible)")
    check(res.get("visible_after_expand") == 2, "clicking the root expands it (root and its child bash)")
    check(res.get("search_hits") == 1 and res.get("visible_after_search") == 3,
          "search 'curl' finds curl and shows its ancestors (Runner.Worker > bash > curl)")
    check(res.get("scripts") == 2, "no script element was injected by the argv")
    check("<title>jobtrail report</title>" in r.stdout and "pwned" not in r.stdout.split("</title>")[0],
          "the page title is ours, not the argv's")
    check("&lt;script&gt;document.title" in r.stdout, "the <script> argv is shown as text in the tree")
    check("<img src=\"x\"" not in r.stdout and "<img src=x" not in r.stdout, "no <img> element from the argv")

    png = os.path.join(artifacts, "report.png")
    if os.path.exists(png):
        os.remove(png)
    r = chromium("--screenshot=" + png, "--window-size=1280,1800", "--hide-scrollbars", url)
    size = os.path.getsize(png) if os.path.exists(png) else 0
    check(r.returncode == 0, "chromium --screenshot exits 0 (%d: %s)" % (r.returncode, r.stderr[-500:]))
    check(size > 10000 and open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n",
          "screenshot saved: %s (%d bytes)" % (png, size))
finally:
    shutil.rmtree(tmp, ignore_errors=True)
finish()
