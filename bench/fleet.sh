#!/usr/bin/env bash
# Fleet tables at scale (docs/fleet.md "Benchmarks"), not a ctest:
#   bench/fleet.sh [BUILD_DIR] [JOBS] [ROUNDS]     (NO_BUILD=1: use the binaries already built)
# 1. what the summary row costs the sidecar (fleet_row_bench: an ordinary and a hostile job);
# 2. JOBS (10,000) summary rows written by make_fleet --rows-only, then every worked query of
#    docs/fleet.md over the job-summary table in DuckDB, checked against make_fleet's truth, with
#    the median of ROUNDS rounds each. Target: <= 2 s per query on the 2-core VM.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
jobs=${2:-10000}
rounds=${3:-5}
[[ -n ${NO_BUILD:-} ]] || cmake --build "$build" --target make_fleet fleet_row_bench -j2 >/dev/null
work=$(mktemp -d /tmp/jobtrail-fleet-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "== the summary row at finish"
"$build/bench/fleet/fleet_row_bench" "$rounds"

echo "== $jobs jobs' summary rows"
start=$(date +%s%N)
"$build/tests/fleet/make_fleet" "$work/store" --jobs "$jobs" --rows-only --truth "$work/truth.jsonl"
echo "make_fleet --rows-only: $(( ($(date +%s%N) - start) / 1000000 )) ms," \
  "$(du -sb "$work/store/summaries" | cut -f1) bytes in $(find "$work/store/summaries" -name '*.json' | wc -l) rows"
# The doc's set-up also defines the events view, which DuckDB binds at once: one tiny segment.
mkdir -p "$work/store/events/dt=1970-01-01/-/-/-"
echo '{"type":"none","seq":0}' | zstd -q > "$work/store/events/dt=1970-01-01/-/-/-/events-000000.jsonl.zst"
mkdir -p "$work/npm"
cp "$top/tests/fleet/package.json" "$top/tests/fleet/package-lock.json" "$top/tests/fleet/fleet_queries.mjs" "$work/npm/"
(cd "$work/npm" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
echo "== DuckDB $(nproc) cores: each worked query over the job-summary table, median of $rounds"
FLEET_ONLY_JOBS=1 FLEET_ROUNDS=$rounds node "$work/npm/fleet_queries.mjs" "$top/docs/fleet.md" "$work/store" "$work/truth.jsonl"
