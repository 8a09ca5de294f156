#!/usr/bin/env bash
# `jobtrail` on a 1M-event archive written by the real archive Writer (tests/cli/make_archive
# --synthetic: exec/exit, file, DNS and network events of a plausible CI job).
#   bench/cli.sh [BUILD_DIR] [EVENTS]      (NO_BUILD=1: use the binaries already in BUILD_DIR)
# Prints wall time, CPU time and peak RSS (/usr/bin/time -v) of summary, show, show --json,
# show --tree, show with a filter, verify and report. Targets: summary <= 5 s, <= 100 MiB.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
events=${2:-1000000}
[[ -n ${NO_BUILD:-} ]] || cmake --build "$build" --target jobtrail make_archive -j2 >/dev/null
jt=$build/cli/jobtrail
dir=$(mktemp -d /tmp/jobtrail-cli-bench.XXXXXX)
trap 'rm -rf "$dir"' EXIT

measure() {  # measure LABEL CMD...: one line of figures
  local label=$1; shift
  /usr/bin/time -v -o "$dir/time" "$@" >/dev/null 2>"$dir/err" || { rc=$?; [[ $rc -le 7 ]] || { cat "$dir/err"; exit 1; }; }
  awk -v l="$label" -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, p, ":"); wall = (n == 3) ? p[1]*3600 + p[2]*60 + p[3] : p[1]*60 + p[2] }
    /User time/ { user = $2 } /System time/ { sys = $2 } /Maximum resident/ { rss = $2 / 1024 }
    END { printf "%-26s wall %7.2f s  cpu %7.2f s  peak RSS %7.1f MiB\n", l, wall, user + sys, rss }' "$dir/time"
}

echo "writing a $events-event archive..."
measure "write (make_archive)" "$build/tests/cli/make_archive" "$dir/a" --synthetic "$events"
size=$(du -sb "$dir/a" | cut -f1)
echo "archive: $(ls "$dir/a" | grep -c '^events-') segments, $((size / 1048576)) MiB compressed"
measure "summary" "$jt" summary "$dir/a"
measure "summary --json" "$jt" summary "$dir/a" --json
measure "show (compact)" "$jt" show "$dir/a"
measure "show --json" "$jt" show "$dir/a" --json
measure "show --type net --binary curl" "$jt" show "$dir/a" --type net --binary curl
measure "show --tree" "$jt" show "$dir/a" --tree
measure "verify" "$jt" verify "$dir/a"
measure "report" "$jt" report "$dir/a" -o "$dir/report.html"
echo "report: $(( $(stat -c %s "$dir/report.html") / 1024 )) KiB"

# fetch from a loopback RGW (tests/storage/rgw.sh state dir in RGW_STATE): 1 vs 8 parallel GETs
# of the same archive re-written with 1 MiB segments.
if [[ -n ${RGW_STATE:-} ]]; then
  set -a; . "$RGW_STATE/env"; set +a
  s3=(--s3-endpoint "$S3_ENDPOINT" --s3-path-style)
  bucket=cli-bench-$$
  aws --endpoint-url "$S3_ENDPOINT" s3 mb "s3://$bucket" >/dev/null
  "$build/tests/cli/make_archive" "s3://$bucket/a" --synthetic "$events" --segment-max-bytes 1048576 "${s3[@]}" 2>/dev/null
  for j in 1 8; do
    measure "fetch -j $j (RGW)" "$jt" fetch "s3://$bucket/a" -o "$dir/f$j" -j "$j" "${s3[@]}"
  done
  echo "fetched: $(du -sb "$dir/f8" | cut -f1) bytes in $(ls "$dir/f8" | grep -c '^events-') segments"
  aws --endpoint-url "$S3_ENDPOINT" s3 rb --force "s3://$bucket" >/dev/null
fi
