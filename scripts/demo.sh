#!/usr/bin/env bash
# README command 1: installs, builds, records the sample job in a fresh cgroup and prints
# its live stream; the archive is left in ./demo-trail.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh" build
"$top/scripts/build.sh" "$top/build"
out=${1:-$PWD/demo-trail}
rm -rf "$out"
"$top/build/sidecar/jobtrail-sidecar" record --out "$out" -- "$top/examples/dodgy-job.sh"
echo
echo "archive written to $out:"
ls -l "$out"
