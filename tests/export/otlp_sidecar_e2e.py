#!/usr/bin/env python3
"""The real sidecar (`record`, as root, on this kernel) with --output json and --otlp-endpoint to
the loopback receiver (otlp_receiver.py): every line of the JSON live stream reaches the
receiver once as a log record (the same body), a finding the findings engine derives included
(severity ERROR), with the pod as resource attributes."""
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.environ.get("JOBTRAIL_BINARY_DIR", "build")
SIDECAR = os.path.join(BIN, "sidecar", "jobtrail-sidecar")
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def main():
    tmp = tempfile.mkdtemp(prefix="jobtrail-otlp-e2e-")
    port_file, out_file = os.path.join(tmp, "port"), os.path.join(tmp, "out.jsonl")
    rx = subprocess.Popen([sys.executable, os.path.join(HERE, "otlp_receiver.py"), port_file, out_file])
    try:
        for _ in range(100):
            if os.path.exists(port_file):
                break
            time.sleep(0.05)
        port = open(port_file).read().strip()
        work = os.path.join(tmp, "w")
        # A workflow file written by something other than git: the workflow-file-write finding.
        script = "mkdir -p %s/.github/workflows && echo 'on: push' > %s/.github/workflows/ci.yml && ls / >/dev/null" % (work, work)
        env = {**os.environ, "JOBTRAIL_POD_NAME": "runner-e2e", "JOBTRAIL_POD_NAMESPACE": "ci"}
        r = subprocess.run([SIDECAR, "record", "--out", os.path.join(tmp, "archive"), "--output", "json",
                            "--otlp-endpoint", "http://127.0.0.1:%s/v1/logs" % port, "--", "sh", "-c", script],
                           capture_output=True, text=True, timeout=120, env=env)
        check(r.returncode == 0, "record exits with the command's status 0 (%d: %s)" % (r.returncode, r.stderr[-300:]))
        stream = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]
        got = [json.loads(l) for l in open(out_file)] if os.path.exists(out_file) else []
        check(not [g for g in got if "error" in g], "every request well formed: %s" % [g for g in got if "error" in g][:2])
        check(len(stream) > 0 and sorted(e["seq"] for e in stream) == sorted(g["body"]["seq"] for g in got),
              "each live JSON line arrived once as a log record (%d lines, %d records)" % (len(stream), len(got)))
        check(all(g["body"] == e for g, e in zip(sorted(got, key=lambda g: g["body"]["seq"]), sorted(stream, key=lambda e: e["seq"]))),
              "the record body is the live line")
        findings = [g for g in got if g["event"] == "finding"]
        check(any(g["body"]["finding"]["id"] == "workflow-file-write" and g["severity"] == 17 for g in findings),
              "the derived finding reached the collector as ERROR: %s" % [g["body"]["finding"]["id"] for g in findings])
        check(all(g["resource"].get("k8s.pod.name") == "runner-e2e" and g["resource"].get("k8s.namespace.name") == "ci" for g in got),
              "the pod in the resource attributes")
        check("otlp: %d records exported, 0 dropped" % len(got) in r.stderr, "the sidecar logs what it exported")
    finally:
        rx.terminate()
        rx.wait()
    if failures:
        print("%d check(s) failed" % len(failures))
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
