#!/usr/bin/env bash
# S3 client throughput against a throw-away loopback Ceph RGW (tests/storage/rgw.sh).
#   bench/s3.sh [BUILD_DIR] [objects] [size_mib] [workers] [multipart_mib]
# Prints PUT/GET MiB/s for segment-sized objects, multipart upload speed, list time, peak RSS.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}; shift || true
cmake --build "$build" --target s3_throughput_bench -j2 >/dev/null
state=$(mktemp -d /tmp/s3-bench-rgw.XXXXXX)
trap '"$top/tests/storage/rgw.sh" stop "$state"; rm -rf "$state"' EXIT
"$top/tests/storage/rgw.sh" start "$state" >/dev/null
set -a; . "$state/env"; set +a
"$build/bench/s3/s3_throughput_bench" "$S3_ENDPOINT" bench "$@" 2> >(grep -v '^\[.*\] \[info\]' >&2)
