#!/usr/bin/env bash
# End to end: the real jobtrail-sidecar (`run`, as in a pod) traces a job in a sibling cgroup
# and streams its archive into the fixture's RGW; after SIGTERM it must exit 0 with the archive
# complete. Then Debian's awscli downloads it and check_archive.py (no jobtrail code) checks
# every event is there exactly once, sizes/hashes match the manifest, the chain links, the
# job's marker exec appears once, and the index object resolves (when the identity is known).
# Needs root, cgroup v2 and eBPF. Env: RGW_STATE (fixture), JOBTRAIL_BINARY_DIR, JOBTRAIL_SOURCE_DIR.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sidecar=$JOBTRAIL_BINARY_DIR/sidecar/jobtrail-sidecar
set -a; . "$RGW_STATE/env"; set +a
aws=/usr/bin/aws; [[ -x $aws ]] || aws=aws
awsr() { AWS_EC2_METADATA_DISABLED=true "$aws" --endpoint-url "$S3_ENDPOINT" "$@"; }

root=/sys/fs/cgroup/unified; [[ -f $root/cgroup.controllers ]] || root=/sys/fs/cgroup
tmp=$(mktemp -d /tmp/s3-e2e.XXXXXX)
cg=$root/s3-e2e-$$
bucket=e2e-$$
uid=uid-e2e-$$
marker=jobtrail-e2e-marker-$$
sc_pid=
cleanup() {
  [[ -n $sc_pid ]] && kill "$sc_pid" 2>/dev/null || true
  rmdir "$cg" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
mkdir "$cg"
awsr s3 mb "s3://$bucket" >/dev/null
# The archive is signed, as with the chart's sidecar.signing.secretName.
openssl genpkey -algorithm ed25519 -out "$tmp/key.pem" 2>/dev/null
openssl pkey -in "$tmp/key.pem" -pubout -out "$tmp/pub.pem"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

JOBTRAIL_POD_NAMESPACE=ci JOBTRAIL_POD_NAME=runner-e2e JOBTRAIL_POD_UID=$uid JOBTRAIL_NODE_NAME=node-1 \
  "$sidecar" run --cgroup "$cg" --storage "s3://$bucket/trails" --s3-endpoint "$S3_ENDPOINT" --s3-path-style \
  --spool "$tmp/spool" --http-listen "127.0.0.1:$port" --segment-max-age 1 --output json --signing-key "$tmp/key.pem" \
  >"$tmp/stream.jsonl" 2>"$tmp/sidecar.log" &
sc_pid=$!
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
  kill -0 "$sc_pid" 2>/dev/null || { cat "$tmp/sidecar.log" >&2; echo "sidecar died at start-up" >&2; exit 1; }
  sleep 0.2
done
curl -sf "http://127.0.0.1:$port/readyz" >/dev/null || { cat "$tmp/sidecar.log" >&2; echo "sidecar never ready" >&2; exit 1; }

# The job: joins the cgroup; stand-ins for Runner.Listener and the Runner.Worker it starts
# (env(1) under those names, in one folder) start the step with the job's variables, so the
# identity and the index object are exercised; the step runs a few hundred processes and one
# marked echo.
cp /usr/bin/env "$tmp/Runner.Listener"
cp /usr/bin/env "$tmp/Runner.Worker"
bash -c "echo \$\$ > $cg/cgroup.procs; exec $tmp/Runner.Listener $tmp/Runner.Worker GITHUB_REPOSITORY=octo/e2e GITHUB_RUN_ID=77 \
  GITHUB_RUN_ATTEMPT=1 GITHUB_JOB=build RUNNER_NAME=runner-e2e \
  bash -c 'for i in \$(seq 300); do /bin/true; done; /bin/echo $marker >/dev/null; sleep 1.5'"

kill -TERM "$sc_pid"
status=0; wait "$sc_pid" || status=$?
sc_pid=
if [[ $status -ne 0 ]]; then cat "$tmp/sidecar.log" >&2; echo "sidecar exited $status after SIGTERM" >&2; exit 1; fi

awsr s3 cp --recursive --only-show-errors "s3://$bucket/trails/" "$tmp/down"
# Layout 2: the folder is dated by the job's start (docs/archive.md).
prefix=$(cd "$tmp/down" && echo events/dt=*/ci/runner-e2e/"$uid"/)
[[ -d $tmp/down/$prefix ]] || { echo "no archive folder events/dt=*/ci/runner-e2e/$uid/" >&2; ls -R "$tmp/down" >&2; exit 1; }
python3 "$here/check_archive.py" "$tmp/down" "$prefix" manifest auto --marker "$marker"
# The job's own numbers, not the manifest's: one exec per program the step ran (the stand-in
# Runner.Listener and Runner.Worker, the bash it execs, seq, 300 /bin/true, the marked echo, sleep), each /bin/true
# with its exit 0, and nothing lost.
python3 - "$tmp/down/$prefix" "$marker" <<'PY' || exit 1
import json, os, subprocess, sys
adir, marker = sys.argv[1], sys.argv[2]
man = json.load(open(os.path.join(adir, "_manifest.json")))
ev = []
for s in man["segments"]:
    out = subprocess.run(["zstd", "-dcq", os.path.join(adir, s["name"])], capture_output=True, check=True).stdout
    ev += [json.loads(line) for line in out.splitlines() if line.strip()]
bad = []
execs = [e for e in ev if e["type"] == "process_exec"]
names = sorted(os.path.basename(e["process"]["binary"]) for e in execs if e["process"]["binary"] != "/usr/bin/true")
if names != sorted(["Runner.Listener", "Runner.Worker", "bash", "seq", "echo", "sleep"]):
    bad.append(f"execs other than /bin/true: {names}")
trues = {e["process"]["exec_id"] for e in execs if e["process"]["args"] == ["/bin/true"]}
if len(trues) != 300 or len(execs) != 306:
    bad.append(f"{len(trues)} /bin/true execs (want 300), {len(execs)} execs in all (want 306)")
exits = [e for e in ev if e["type"] == "process_exit" and e["process"]["exec_id"] in trues]
if len(exits) != 300 or any(e["exit"]["code"] != 0 or e["exit"].get("signal") for e in exits):
    bad.append(f"{len(exits)} exits of the /bin/true execs, want 300 with code 0")
lost = {k: v for k, v in man.get("lost", {}).items() if v}
if lost or man.get("spool_dropped") or any(e["type"] == "lost" for e in ev):
    bad.append(f"losses: manifest {man.get('lost')}, spool_dropped {man.get('spool_dropped')}, "
               f"{sum(e['type'] == 'lost' for e in ev)} lost events")
if len(ev) != man["events"]:
    bad.append(f"{len(ev)} events in the segments, the manifest says {man['events']}")
for b in bad:
    print("FAIL:", b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
events=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['events'])" "$tmp/down/${prefix}_manifest.json")
repo=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['job_identity']['GITHUB_REPOSITORY'])" "$tmp/down/${prefix}_manifest.json")
[[ $repo == octo/e2e ]] || { echo "job identity: '$repo'" >&2; exit 1; }
ls "$tmp/down/jobs/octo/e2e/77/1/build/" | grep -q "$uid.json" || { echo "no index object under jobs/octo/e2e/77/1/build/" >&2; exit 1; }
# The job's summary row (docs/fleet.md), dated like the archive folder, from the sidecar's fold.
row=$tmp/down/summaries/${prefix#events/}
row=${row%%/ci/*}/$uid.json
python3 - "$row" <<'PY' || { echo "summary row $row: wrong or missing" >&2; exit 1; }
import json, sys
lines = open(sys.argv[1]).read().splitlines()
r = json.loads(lines[0])
assert len(lines) == 1, lines
assert r["repository"] == "octo/e2e" and r["run_id"] == "77" and r["job"] == "build", r
assert r["execs"] == 306 and r["complete"] is True and r["verdict"] == "ok", r
assert {"binary": "/usr/bin/true", "execs": 300} in r["binaries"], r["binaries"]
PY
echo "e2e: $events events from the sidecar in RGW, checked with awscli: 306 execs, 300 /bin/true exits, nothing lost; summary row checked"
# Signed: `jobtrail verify --key` on the store, and the manifest signature once more with openssl alone.
"$JOBTRAIL_BINARY_DIR/cli/jobtrail" verify "s3://$bucket/trails/${prefix%/}" --key "$tmp/pub.pem" \
  --s3-endpoint "$S3_ENDPOINT" --s3-path-style >"$tmp/verify.txt" 2>&1 || { cat "$tmp/verify.txt" >&2; exit 1; }
grep -q "manifest signed by key" "$tmp/verify.txt" || { cat "$tmp/verify.txt" >&2; exit 1; }
{ printf 'jobtrail-manifest-sig-v1\n'; cat "$tmp/down/${prefix}_manifest.json"; } >"$tmp/signed.bin"
python3 -c "import base64,json,sys; sys.stdout.buffer.write(base64.b64decode(json.load(open(sys.argv[1]))['signature']))" \
  "$tmp/down/${prefix}_manifest.json.sig" >"$tmp/sig.bin"
openssl pkeyutl -verify -pubin -inkey "$tmp/pub.pem" -rawin -in "$tmp/signed.bin" -sigfile "$tmp/sig.bin" >/dev/null ||
  { echo "openssl does not verify the sidecar's manifest signature" >&2; exit 1; }
ls "$tmp/down/checkpoints/$prefix" | grep -q final.json || { echo "no final checkpoint" >&2; exit 1; }
echo "e2e: signed by the sidecar; jobtrail verify --key and openssl pkeyutl agree"
