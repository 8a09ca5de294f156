#!/usr/bin/env bash
# S3 Object Lock on the real RGW: in a bucket created with Object Lock enabled, the sidecar
# (`record --object-lock-mode COMPLIANCE --object-lock-days 1`) writes an archive; awscli then
# finds a COMPLIANCE retention of about one day on every object (segments, manifest, index) and
# cannot delete a locked object version. An object written without the flags in the same bucket
# has no retention and its version deletes: the checks can fail.
# Needs root, cgroup v2 and eBPF (record traces its command). Env: RGW_STATE, JOBTRAIL_BINARY_DIR.
set -euo pipefail
sidecar=$JOBTRAIL_BINARY_DIR/sidecar/jobtrail-sidecar
set -a; . "$RGW_STATE/env"; set +a
aws=/usr/bin/aws; [[ -x $aws ]] || aws=aws
awsr() { AWS_EC2_METADATA_DISABLED=true "$aws" --endpoint-url "$S3_ENDPOINT" "$@"; }
tmp=$(mktemp -d /tmp/object-lock.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
bucket=locked-$$
fail() { echo "FAIL: $*" >&2; exit 1; }

awsr s3api create-bucket --bucket "$bucket" --object-lock-enabled-for-bucket >/dev/null
# The runner's chain, so that the identity and with it the index object are written too.
cp /usr/bin/env "$tmp/Runner.Listener"; cp /usr/bin/env "$tmp/Runner.Worker"
JOBTRAIL_POD_NAMESPACE=ci JOBTRAIL_POD_NAME=runner-lock JOBTRAIL_POD_UID=uid-lock-$$ \
  "$sidecar" record --storage "s3://$bucket/trails" --s3-endpoint "$S3_ENDPOINT" --s3-path-style \
  --object-lock-mode COMPLIANCE --object-lock-days 1 --spool "$tmp/spool" -- \
  "$tmp/Runner.Listener" "$tmp/Runner.Worker" GITHUB_REPOSITORY=octo/locked GITHUB_RUN_ID=5 GITHUB_JOB=b \
  /bin/sh -c 'true' >"$tmp/out" 2>"$tmp/log" || { cat "$tmp/log" >&2; fail "record exited non-zero"; }

awsr s3api list-object-versions --bucket "$bucket" --output json >"$tmp/versions.json"
python3 - "$tmp/versions.json" >"$tmp/objects" <<'PY'
import json, sys
for v in json.load(open(sys.argv[1])).get("Versions", []):
    print(v["Key"], v["VersionId"])
PY
grep -q '/_manifest.json ' "$tmp/objects" || fail "no manifest written: $(cat "$tmp/objects")"
grep -q '^trails/jobs/octo/locked/5/' "$tmp/objects" || fail "no index object written: $(cat "$tmp/objects")"
grep -q '/events-000000.jsonl.zst ' "$tmp/objects" || fail "no segment written: $(cat "$tmp/objects")"
now=$(date -u +%s)
n=0
while read -r key version; do
  # RGW has listed an object's only version without its id (once, on a loaded machine): then its
  # current version is checked, and deleting it by id cannot be tried.
  which=(--version-id "$version")
  [[ -n $version ]] || which=()
  r=$(awsr s3api get-object-retention --bucket "$bucket" --key "$key" "${which[@]}" --output json) ||
    fail "$key has no retention"
  python3 - "$r" "$now" "$key" <<'PY' || exit 1
import datetime, json, sys
r, now, key = json.loads(sys.argv[1])["Retention"], int(sys.argv[2]), sys.argv[3]
until = datetime.datetime.fromisoformat(r["RetainUntilDate"].replace("Z", "+00:00")).timestamp()
if r["Mode"] != "COMPLIANCE" or not (now + 86400 - 600 <= until <= now + 86400 + 600):
    sys.exit(f"FAIL: {key}: retention {r}, want COMPLIANCE until about one day from now")
PY
  if [[ -n $version ]] && awsr s3api delete-object --bucket "$bucket" --key "$key" --version-id "$version" >/dev/null 2>"$tmp/del.err"; then
    fail "the locked version of $key was deleted"
  fi
  n=$((n + 1))
done <"$tmp/objects"
# The objects are all still there.
awsr s3api list-object-versions --bucket "$bucket" --output json >"$tmp/after.json"
cmp -s <(python3 -c 'import json,sys; print(sorted((v["Key"],v["VersionId"]) for v in json.load(open(sys.argv[1]))["Versions"]))' "$tmp/versions.json") \
       <(python3 -c 'import json,sys; print(sorted((v["Key"],v["VersionId"]) for v in json.load(open(sys.argv[1]))["Versions"]))' "$tmp/after.json") ||
  fail "object versions changed after the delete attempts"

# The control: an object written without retention has none and deletes.
echo plain >"$tmp/plain"
v=$(awsr s3api put-object --bucket "$bucket" --key plain --body "$tmp/plain" --output text --query VersionId)
if awsr s3api get-object-retention --bucket "$bucket" --key plain --version-id "$v" >/dev/null 2>&1; then
  fail "an object written without retention reports one (the check cannot fail)"
fi
awsr s3api delete-object --bucket "$bucket" --key plain --version-id "$v" >/dev/null || fail "the unlocked version did not delete"
echo "object lock: $n objects written by the sidecar, each COMPLIANCE-locked for one day; no locked version deleted ($(head -c 120 "$tmp/del.err" | tr '\n' ' '))"
