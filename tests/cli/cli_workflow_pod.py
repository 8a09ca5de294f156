#!/usr/bin/env python3
"""A kubernetes-mode workflow pod's archive names no job of its own: its manifest links the
runner pod (meta.pod.runner_pod) and its trail holds only the sidecar's mismatch event for a
forged claim (victim/repo). summary, show, fetch and ls take the job from the runner pod's
archive and never show the forged one; a copy of the workflow archive alone names no job."""
import json
import os
import shutil
import tempfile

from clitest import check, expect, finish, known_trail, make_archive, run

tmp = tempfile.mkdtemp(prefix="jobtrail-cli-workflow-")
RUNNER_META = json.dumps({"pod": {"uid": "uid-r", "name": "runner-x", "namespace": "ci"}})
WF_META = json.dumps({"pod": {"uid": "uid-w", "name": "runner-x-workflow", "namespace": "ci", "runner_pod": "runner-x"}})
T = "2026-11-29T00:00:%02d.000000000Z"
FORGED = {"type": "job_identity", "time": T % 2, "mismatch": True, "reason": "workflow_pod",
          "job": {"GITHUB_REPOSITORY": "victim/repo", "GITHUB_RUN_ID": "9", "GITHUB_JOB": "deploy"},
          "revealed_by": 2, "process": {"pid": 20, "exec_id": 2, "binary": "/usr/bin/sh"}}
WF_EVENTS = [
    {"type": "process_exec", "time": T % 1, "process": {"pid": 10, "ppid": 1, "exec_id": 1, "parent_exec_id": 0,
                                                       "binary": "/tmp/Runner.Worker", "args": ["Runner.Worker"]}},
    {"type": "process_exec", "time": T % 2, "process": {"pid": 20, "ppid": 10, "exec_id": 2, "parent_exec_id": 1,
                                                       "binary": "/usr/bin/sh", "args": ["sh", "-c", "true"]},
     "env": {"GITHUB_REPOSITORY": "victim/repo"}},
    FORGED,
]

try:
    root = os.path.join(tmp, "store")
    make_archive(root, known_trail.events(), "--prefix", "pods/ci/runner-x/uid-r/", "--meta", RUNNER_META)
    make_archive(root, WF_EVENTS, "--prefix", "pods/ci/runner-x-workflow/uid-w/", "--meta", WF_META)
    # The runner pod outlives its workflow pod (the hooks create it during the job): its archive
    # ends after the workflow archive started. make_archive wrote them one after the other.
    rm = os.path.join(root, "pods/ci/runner-x/uid-r/_manifest.json")
    m = json.load(open(rm))
    m["ended_at"] = "2099-01-01T00:00:00.000000000Z"
    json.dump(m, open(rm, "w"))
    wf = os.path.join(root, "pods/ci/runner-x-workflow/uid-w")
    check(not os.path.exists(os.path.join(root, "jobs", "victim")), "no index object under jobs/victim/")

    r = expect(0, "summary", wf, "--json")
    s = json.loads(r.stdout)
    check(s["identity"].get("repository") == "octo/hello", "summary: the runner pod's job: %s" % s["identity"])
    check("victim" not in json.dumps(s["identity"]), "summary: never the forged claim: %s" % s["identity"])
    check("runner pod ci/runner-x" in s.get("identity_from", ""), "summary says where the job came from: %s"
          % s.get("identity_from"))
    r = expect(0, "summary", wf)
    check("identity from: runner pod ci/runner-x" in r.stdout, "summary text names the runner pod: " + r.stdout[:300])

    r = expect(0, "show", wf)
    check("octo/hello run 42" in r.stderr and "runner pod ci/runner-x" in r.stderr,
          "show notes the runner pod's job on stderr: " + r.stderr[:300])

    out = os.path.join(tmp, "fetched")
    r = expect(0, "fetch", wf, "-o", out)
    check("a workflow pod: job octo/hello run 42" in r.stdout, "fetch names the runner pod's job: " + r.stdout[:300])

    # A copy of the workflow archive alone: no runner pod to ask, and the mismatch event names no job.
    alone = os.path.join(tmp, "alone")
    shutil.copytree(wf, alone)
    s = json.loads(expect(0, "summary", alone, "--json").stdout)
    check(s["identity"] in (None, {}), "a workflow archive alone names no job (not the forged one): %s" % s["identity"])

    r = expect(0, "ls", root, "--json")
    rows = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
    wf_rows = [x for x in rows if "runner-x-workflow" in x["pod"]]
    check(len(rows) == 2 and len(wf_rows) == 1, "ls: the runner pod and its workflow pod: %s" % rows)
    check(all(x["repository"] == "octo/hello" for x in rows), "ls: both under the runner pod's job: %s" % rows)
    check(wf_rows and wf_rows[0]["index"] is None and wf_rows[0]["archive"].endswith("runner-x-workflow/uid-w/"),
          "ls: the workflow row has its archive and no index of its own: %s" % wf_rows)
    r = run("ls", root, "--repo", "victim/repo")
    check(r.returncode != 0 and "victim" not in r.stdout, "ls --repo victim/repo finds nothing: " + r.stdout[:200])
finally:
    shutil.rmtree(tmp, ignore_errors=True)
finish()
