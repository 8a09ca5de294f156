#!/usr/bin/env bash
# End to end: a store outage at pod end loses no trail. Sidecar A (the real `jobtrail-sidecar
# run`) traces a job into the fixture's RGW with a node spool root; radosgw is stopped, the job
# runs on, SIGTERM, A's flush deadline passes and it exits 0 with its segments kept in
# <spool root>/<pod uid>/. The store comes back; sidecar B of another pod starts on the same
# spool root and finishes A's folder in the background. Then awscli downloads A's archive and
# check_archive.py (no jobtrail code) checks every event once, sizes/hashes/chain, the marker
# exec run during the outage, and the manifest's complete: false with "finished by ci/runner-b
# after owner died"; `jobtrail verify` gives the incomplete verdict (exit 6), and A's folder is gone.
# Needs root, cgroup v2 and eBPF. Env: RGW_STATE (fixture), JOBTRAIL_BINARY_DIR, JOBTRAIL_SOURCE_DIR.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sidecar=$JOBTRAIL_BINARY_DIR/sidecar/jobtrail-sidecar
cli=$JOBTRAIL_BINARY_DIR/cli/jobtrail
set -a; . "$RGW_STATE/env"; set +a
aws=/usr/bin/aws; [[ -x $aws ]] || aws=aws
awsr() { AWS_EC2_METADATA_DISABLED=true "$aws" --endpoint-url "$S3_ENDPOINT" "$@"; }

root=/sys/fs/cgroup/unified; [[ -f $root/cgroup.controllers ]] || root=/sys/fs/cgroup
tmp=$(mktemp -d /tmp/spool-e2e.XXXXXX)
cga=$root/spool-e2e-a-$$ cgb=$root/spool-e2e-b-$$
bucket=spool-e2e-$$
uida=$(cat /proc/sys/kernel/random/uuid) uidb=$(cat /proc/sys/kernel/random/uuid)
marker=jobtrail-outage-marker-$$
spool=$tmp/node-spool
pids=()
rgw_down=0
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [[ $rgw_down == 1 ]] && "$here/rgw.sh" start-rgw "$RGW_STATE" >/dev/null 2>&1 || true
  rmdir "$cga" "$cgb" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
mkdir "$cga" "$cgb"
awsr s3 mb "s3://$bucket" >/dev/null

# Both sidecars sign with the node's key: the archive B finishes for A is signed too.
openssl genpkey -algorithm ed25519 -out "$tmp/key.pem" 2>/dev/null
openssl pkey -in "$tmp/key.pem" -pubout -out "$tmp/pub.pem"

start_sidecar() {  # NAME UID CGROUP PORT
  JOBTRAIL_POD_NAMESPACE=ci JOBTRAIL_POD_NAME=$1 JOBTRAIL_POD_UID=$2 JOBTRAIL_NODE_NAME=node-1 \
    "$sidecar" run --cgroup "$3" --storage "s3://$bucket/trails" --s3-endpoint "$S3_ENDPOINT" --s3-path-style \
    --spool-dir "$spool" --spool-orphan-grace 0 --flush-deadline 4 --http-listen "127.0.0.1:$4" \
    --segment-max-age 1 --signing-key "$tmp/key.pem" --output json >"$tmp/$1.jsonl" 2>"$tmp/$1.log" &
  pids+=($!)
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$4/readyz" >/dev/null && return 0
    sleep 0.2
  done
  cat "$tmp/$1.log" >&2; echo "sidecar $1 never ready" >&2; exit 1
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

porta=$(free_port)
start_sidecar runner-a "$uida" "$cga" "$porta"
pid_a=${pids[-1]}
bash -c "echo \$\$ > $cga/cgroup.procs; for i in \$(seq 100); do /bin/true; done; sleep 2"

# The outage: the store goes away before the job's last steps and stays away past A's deadline.
"$here/rgw.sh" stop-rgw "$RGW_STATE"; rgw_down=1
bash -c "echo \$\$ > $cga/cgroup.procs; for i in \$(seq 100); do /bin/true; done; /bin/echo $marker >/dev/null; sleep 2"
kill -TERM "$pid_a"
status=0; wait "$pid_a" || status=$?
[[ $status -eq 0 ]] || { cat "$tmp/runner-a.log" >&2; echo "sidecar A exited $status" >&2; exit 1; }
left=$(find "$spool/$uida" -name 'events-*.jsonl.zst' | wc -l)
[[ $left -gt 0 ]] || { cat "$tmp/runner-a.log" >&2; echo "no segment of A left in the spool" >&2; exit 1; }
echo "A exited 0 after its deadline with $left segment(s) in $spool/$uida"

"$here/rgw.sh" start-rgw "$RGW_STATE"; rgw_down=0
portb=$(free_port)
start_sidecar runner-b "$uidb" "$cgb" "$portb"
pid_b=${pids[-1]}
for _ in $(seq 120); do [[ -d $spool/$uida ]] || break; sleep 0.5; done
[[ ! -d $spool/$uida ]] || { cat "$tmp/runner-b.log" >&2; echo "B did not finish A's folder" >&2; exit 1; }
# The sweep removes the folder before it adds to the count: give the count a moment under load.
counted=0
for _ in $(seq 20); do
  curl -sf "http://127.0.0.1:$portb/metrics" | grep -q '^jobtrail_sidecar_orphan_spools_finished_total 1$' && { counted=1; break; }
  sleep 0.5
done
[[ $counted -eq 1 ]] || { echo "B's /metrics does not count the finished folder" >&2; exit 1; }
kill -TERM "$pid_b"; wait "$pid_b" || true

awsr s3 cp --recursive --only-show-errors "s3://$bucket/trails/" "$tmp/down"
man=$(cd "$tmp/down" && find . -path "*/$uida/_manifest.json" | head -1)
[[ -n $man ]] || { echo "no manifest of A in the store" >&2; exit 1; }
prefix=${man#./}; prefix=${prefix%_manifest.json}
python3 "$here/check_archive.py" "$tmp/down" "$prefix" manifest --marker "$marker" \
  --incomplete-reason "finished by ci/runner-b after owner died"
python3 - "$tmp/down/$prefix" <<'PY'
import json, os, subprocess, sys
adir = sys.argv[1]
man = json.load(open(os.path.join(adir, "_manifest.json")))
ev = []
for s in man["segments"]:
    out = subprocess.run(["zstd", "-dcq", os.path.join(adir, s["name"])], capture_output=True, check=True).stdout
    ev += [json.loads(l) for l in out.splitlines() if l.strip()]
counts = {}
for e in ev:
    counts[e["type"]] = counts.get(e["type"], 0) + 1
bad = []
if counts != man["event_counts"]:
    bad.append(f"event counts {counts} != manifest {man['event_counts']}")
trues = sum(1 for e in ev if e["type"] == "process_exec" and e["process"].get("args") == ["/bin/true"])
if trues != 200:
    bad.append(f"{trues} /bin/true execs, want 200")
if man["meta"]["pod"]["uid"] == "" or man["meta"]["pod"]["name"] != "runner-a":
    bad.append(f"meta is not A's: {man['meta'].get('pod')}")
for b in bad:
    print("FAIL:", b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
st=0
"$cli" verify "s3://$bucket/trails/${prefix%/}" --key "$tmp/pub.pem" --s3-endpoint "$S3_ENDPOINT" --s3-path-style \
  >"$tmp/verify.txt" 2>&1 || st=$?
[[ $st -eq 6 ]] || { cat "$tmp/verify.txt" >&2; echo "verify --key exited $st, want 6 (incomplete, signed)" >&2; exit 1; }
grep -q "manifest signed by key" "$tmp/verify.txt" || { cat "$tmp/verify.txt" >&2; echo "B's manifest is not signed" >&2; exit 1; }
echo "spool outage e2e: A's archive finished and signed by B, every event once, verify --key says incomplete (6)"
