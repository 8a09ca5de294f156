#!/usr/bin/env python3
"""Reads what the kernel-matrix guest wrote to its second serial port (tests/qemu/init) and
checks the smoke set, one line per check and one verdict per family.
usage: check_guest.py RESULTS_LOG [MISSING_FAMILY...]
A family named after the log is one the kernel is known not to offer: it must then be reported
missing (manifest, live stream, `jobtrail verify` exit 8) while every other family records.
Prints the checks, then one "JT-SUMMARY {json}" line; exits 0 when every check passed."""
import json
import sys


def sections(text):
    """name -> (output lines, exit status) of every JT-BEGIN/JT-END block."""
    out, name, lines, status = {}, None, [], None
    for line in text.splitlines():
        if line.startswith("JT-BEGIN "):
            name, lines, status = line[9:].strip(), [], None
        elif line.startswith("JT-STATUS ") and name:
            status = int(line.split()[-1])
        elif line.startswith("JT-END ") and name:
            out[name] = (lines, status)
            name = None
        elif name:
            lines.append(line)
    return out


def events_of(lines):
    evs = []
    for line in lines:
        if line.startswith("{"):
            try:
                evs.append(json.loads(line))
            except ValueError:
                pass
    return evs


def main():
    text = open(sys.argv[1], errors="replace").read()
    expect_missing = set(sys.argv[2:])
    kernel = next((l.split(None, 1)[1].strip() for l in text.splitlines() if l.startswith("JT-KERNEL ")), "")
    sec = sections(text)
    results = {}  # family -> list of (ok, what)

    def check(family, cond, what):
        print(("ok   " if cond else "FAIL ") + f"[{family}] {what}", flush=True)
        results.setdefault(family, []).append(bool(cond))

    check("boot", kernel, f"guest booted ({kernel or 'no JT-KERNEL line'})")
    check("boot", "JT-DONE" in text, "smoke set ran to the end")
    smoke_log, smoke_status = sec.get("smoke", ([], None))
    check("start", smoke_status == 3, f"sidecar record ran the job and returned its exit code 3 (got {smoke_status})")
    variant = [l for l in smoke_log if "kernel " in l and "families" in l]
    ev = events_of(sec.get("smoke-events", ([], None))[0])
    verify_lines, verify_status = sec.get("smoke-verify", ([], None))
    want_verify = 8 if expect_missing else 0  # 8: family_missing
    check("archive", verify_status == want_verify,
          f"jobtrail verify: {' '.join(verify_lines)[-200:]} (exit {verify_status}, want {want_verify})")
    manifest = {}
    try:
        manifest = json.loads("\n".join(sec.get("smoke-manifest", ([], None))[0]))
    except ValueError:
        pass
    features = manifest.get("meta", {}).get("features", {})
    check("archive", manifest.get("meta", {}).get("kernel") == kernel, "the manifest names the kernel")
    for f in sorted(expect_missing):
        got = features.get(f, {})
        check(f, got.get("loaded") is False and got.get("reason"), f"manifest: {f} not loaded, with a reason ({got})")
        check(f, any(f"{f} family not traced" in l for l in smoke_log), f"the live stream says {f} is missing")
        check(f, not [e for e in ev if e["type"].startswith(f + "_")], f"no {f} events")

    def args(e):
        return e.get("process", {}).get("args", [])

    check("scoping", ev and not [e for e in ev if "neighbour-marker" in args(e)],
          "the neighbour cgroup's execs are not recorded")
    check("scoping", ev and not [e for e in ev if args(e)[1:2] in (["dns-server"], ["tcp-server"])],
          "the loopback peers in the neighbour cgroup are not recorded")
    check("process", [e for e in ev if e["type"] == "process_exec" and
                      args(e) == ["/bin/busybox", "echo", "hello", "a", "b c"]], "exec with its argv")
    check("process", [e for e in ev if e["type"] == "process_exit" and args(e)[1:2] == ["/smoke-job.sh"] and
                      e.get("exit", {}).get("code") == 3], "the job's exit with code 3")
    if "file" not in expect_missing:
        check("file", features.get("file", {}).get("loaded") is True and features["file"].get("loops"),
              f"manifest: file loaded, with its loop variant ({features.get('file')})")
        wrote = [e["file"] for e in ev if e["type"] == "file_open" and "write" in e["file"].get("mode", []) and
                 e.get("file", {}).get("path") == "/tmp/smoke-file.txt"]
        check("file", [f for f in wrote if f.get("bytes_written") == 15],
              f"the file the job's shell redirection wrote, 15 bytes ({wrote})")
    closes = [e["net"] for e in ev if e["type"] == "net_close" and e.get("net", {}).get("dst_port") == 7000]
    check("net", [e for e in ev if e["type"] == "net_connect" and e.get("net", {}).get("dst_port") == 7000],
          "TCP connect to 127.0.0.1:7000")
    check("net", [c for c in closes if c.get("bytes_sent") == 15 and c.get("bytes_received") == 5],
          f"TCP close with 15 bytes sent, 5 received ({closes})")
    check("dns", [e for e in ev if e["type"] == "dns_query" and e.get("dns", {}).get("name") == "smoke.jobtrail.test"],
          "DNS query for smoke.jobtrail.test")
    check("dns", [e for e in ev if e["type"] == "dns_answer" and e.get("dns", {}).get("name") == "smoke.jobtrail.test"],
          "DNS answer for smoke.jobtrail.test")
    check("priv", [e for e in ev if e["type"] == "priv_syscall" and e.get("priv", {}).get("syscall") == "mount"],
          "the mount attempt")
    over_log, over_status = sec.get("overflow", ([], None))
    over_verify = " ".join(sec.get("overflow-verify", ([], None))[0])
    check("loss", over_status == 0, f"overflow run finished (exit {over_status})")
    check("loss", "lost_events" in over_verify and "process_exec" in over_verify,
          f"jobtrail verify counts the overflow as lost: {over_verify[-160:]}")

    # BPF run time per exec (kernel.bpf_stats_enabled): the exec program(s) of the process family
    per_exec = None
    try:
        progs = json.loads("\n".join(sec.get("bpf-progs", ([], None))[0]))
        execs = [p for p in progs if "sched_process_exec" in p.get("name", "") and p.get("run_cnt")]
        if execs:
            per_exec = sum(p["run_time_ns"] for p in execs) // sum(p["run_cnt"] for p in execs)
    except (ValueError, TypeError):
        pass
    families = {f: all(v) for f, v in results.items()}
    summary = {"kernel": kernel, "families": families, "bpf_ns_per_exec": per_exec,
               "variant_log": variant[-1] if variant else "", "manifest_kernel": manifest.get("meta", {}).get("kernel"),
               "manifest_features": manifest.get("meta", {}).get("features")}
    print("JT-SUMMARY " + json.dumps(summary, sort_keys=True))
    return 0 if all(families.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
