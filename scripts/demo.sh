#!/usr/bin/env bash
# README command 1: installs, builds, records the sample job in a fresh cgroup and prints
# its live stream; the archive is left in ./demo-trail.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh" build demo
# Only the two binaries the demo runs: no tests, no benchmarks, no webhook.
BUILD_TARGETS="jobtrail-sidecar jobtrail" "$top/scripts/build.sh" "$top/build" -DBUILD_TESTING=OFF -DJOBTRAIL_BENCH=OFF
out=${1:-$PWD/demo-trail}
rm -rf "$out"
"$top/build/sidecar/jobtrail-sidecar" record --out "$out" -- "$top/examples/dodgy-job.sh"
echo
echo "archive written to $out:"
ls -l "$out"
