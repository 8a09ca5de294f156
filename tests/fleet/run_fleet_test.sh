#!/usr/bin/env bash
# The fleet test: a store of a few hundred jobs through the real writer (make_fleet), then every
# query of docs/fleet.md in DuckDB, checked against what make_fleet planned (fleet_queries.mjs).
# DuckDB is the npm package pinned in package-lock.json, installed once per build folder with
# `npm ci` (the npm cache makes later installs offline).
set -euo pipefail
src=${JOBTRAIL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${JOBTRAIL_BINARY_DIR:-$src/build}
here=$src/tests/fleet
jobs=${FLEET_JOBS:-300}
npm_dir=$bin/tests/fleet/npm
if ! cmp -s "$here/package-lock.json" "$npm_dir/package-lock.json" || [[ ! -d $npm_dir/node_modules/@duckdb/node-api ]]; then
  rm -rf "$npm_dir"
  mkdir -p "$npm_dir"
  cp "$here/package.json" "$here/package-lock.json" "$npm_dir/"
  (cd "$npm_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
work=$(mktemp -d /tmp/jobtrail-fleet-test.XXXXXX)
trap '[[ -n ${FLEET_KEEP:-} ]] || rm -rf "$work"' EXIT
start=$(date +%s%N)
"$bin/tests/fleet/make_fleet" "$work/store" --jobs "$jobs" --seed "${FLEET_SEED:-7}" --truth "$work/truth.jsonl"
echo "make_fleet: $jobs jobs through the archive writer in $(( ($(date +%s%N) - start) / 1000000 )) ms," \
  "$(find "$work/store/events" -name 'events-*.jsonl.zst' | wc -l) segments," \
  "$(find "$work/store/summaries" -name '*.json' | wc -l) summary rows"
# An ES module finds its packages next to itself: run a copy beside node_modules.
cp "$here/fleet_queries.mjs" "$npm_dir/"
node "$npm_dir/fleet_queries.mjs" "$src/docs/fleet.md" "$work/store" "$work/truth.jsonl"
