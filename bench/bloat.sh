#!/usr/bin/env bash
# Memory-budget benchmark: the sidecar's peak RSS (VmHWM) at idle and under argv built to bloat
# it (EXECS execs of /bin/true with ARGS one-character arguments each: 150 x 30,000 by default,
# 384 MiB of peak RSS before the budget), printed beside --memory-budget-mib.
# Usage: bench/bloat.sh [BUILD_DIR] (a non-sanitized build for real figures; default build/). Root.
# BUDGET_MIB sets --memory-budget-mib (default 160, the chart's).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
sidecar=$build/sidecar/jobtrail-sidecar
EXECS=${EXECS:-150}
ARGS=${ARGS:-30000}
BUDGET_MIB=${BUDGET_MIB:-160}
[[ -x $sidecar ]] || { echo "missing $sidecar: build first (scripts/build.sh $build)" >&2; exit 2; }
work=$(mktemp -d /tmp/jobtrail-bloat.XXXXXX)
trap 'rm -rf "$work"' EXIT
if grep -q __asan_init "$sidecar"; then
  echo "note: $sidecar is a sanitizer build: ASan's shadow memory inflates every figure" >&2
  export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=16:malloc_context_size=5}
fi

# peak_of NAME CMD...: records CMD with the sidecar, prints its peak VmHWM in MiB
peak_of() {
  local name=$1; shift
  "$sidecar" record --out "$work/$name" --memory-budget-mib "$BUDGET_MIB" -- "$@" >/dev/null 2>"$work/$name.log" &
  local pid=$! peak=0 v
  while kill -0 "$pid" 2>/dev/null; do
    v=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    [[ -n $v && $v -gt $peak ]] && peak=$v
    sleep 0.05
  done
  wait "$pid" || { echo "$name: sidecar failed, log in $work/$name.log" >&2; cat "$work/$name.log" >&2; exit 1; }
  echo $((peak / 1024))
}

idle=$(peak_of idle /bin/sleep 2)
bloat=$(peak_of bloat python3 -c "
import subprocess
for _ in range($EXECS):
    subprocess.run(['/bin/true'] + ['x'] * $ARGS, check=True)")
shares=$(grep -o 'memory budget .*' "$work/bloat.log" | head -1)
execs=$(zstd -dc "$work"/bloat/events-*.jsonl.zst | python3 -c "
import json, sys
print(sum(1 for line in sys.stdin if (e := json.loads(line))['type'] == 'process_exec'
          and len(e['process']['args']) == $ARGS + 1))")
printf 'budget     %4d MiB  (%s)\n' "$BUDGET_MIB" "$shares"
printf 'idle       %4d MiB  peak RSS of the sidecar tracing sleep 2\n' "$idle"
printf 'bloat      %4d MiB  peak RSS under %d execs of %d arguments (%d in the archive with their argv)\n' \
  "$bloat" "$EXECS" "$ARGS" "$execs"
