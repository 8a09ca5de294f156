#!/usr/bin/env bash
# Process-tracing benchmark: prints ratios, traced vs untraced, measured in the same run.
#   exec-heavy   N x /bin/true (posix_spawn loop), wall time with no sidecar / traced / in a
#                neighbour cgroup of a running sidecar
#   build        a generated C project compiled with make -j2, untraced / traced
#   burst        as many exec+exit events per second as two spawners make, with the loss count
#   flush        time from SIGTERM to exit with ~100k events in the trail
#   memory       sidecar peak RSS (VmHWM) over the runs
#   sidecar CPU  the sidecar's own CPU time (its cgroup's cpu.stat usage_usec, from "tracing"
#                to its exit, so the BPF load is not counted) per exec of the exec-heavy storm
# Usage: bench/process.sh [BUILD_DIR] (a non-sanitized build; default build/). Root, cgroup v2.
# SIDECAR_FLAGS adds sidecar flags (e.g. "--files off" to see the cost without the file family).
# Each timing is the median of ROUNDS (default 3) alternating runs, so drift hits all sides alike.
# PARTS (default "exec build burst") picks the parts to run.
set -euo pipefail
# The storm's /bin/true sets its locale from the environment: with LANG=C.UTF-8 each exec opens ~30
# locale files (32 events per exec instead of 4), so the figures would depend on the caller's shell.
export LC_ALL=C
unset LANG LANGUAGE
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
sidecar=$build/sidecar/jobtrail-sidecar
burst=$build/tests/kernel/jt_spawn_burst
exit0=$build/tests/kernel/jt_exit0
N=${N:-20000}
ROUNDS=${ROUNDS:-3}
PARTS=${PARTS:-exec build burst}
for f in "$sidecar" "$burst" "$exit0"; do
  [[ -x $f ]] || { echo "missing $f: build first (scripts/build.sh $build -DJOBTRAIL_BENCH=ON -DBUILD_TESTING=ON)" >&2; exit 2; }
done
root=/sys/fs/cgroup/unified
[[ -e $root/cgroup.controllers ]] || root=/sys/fs/cgroup
work=$(mktemp -d /tmp/jobtrail-bench.XXXXXX)
cg_t=$root/jt-bench-traced-$$ cg_n=$root/jt-bench-neighbour-$$ cg_u=$root/jt-bench-untraced-$$
cg_s=$root/jt-bench-sidecar-$$  # holds only the sidecar: its cpu.stat is the sidecar's own CPU
mkdir "$cg_t" "$cg_n" "$cg_u" "$cg_s"
sc_pid=
cleanup() {
  [[ -n $sc_pid ]] && kill "$sc_pid" 2>/dev/null && wait "$sc_pid" 2>/dev/null || true
  for c in "$cg_t" "$cg_n" "$cg_u" "$cg_s"; do echo 1 > "$c/cgroup.kill" 2>/dev/null || true; rmdir "$c" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# run_in CGROUP CMD...: runs CMD inside CGROUP, prints its wall time in seconds
run_in() {
  local cg=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$cg" "$@"
  t1=$(date +%s.%N)
  calc "$t1 - $t0"
}
calc() { awk "BEGIN { printf \"%.6f\", $* }"; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { calc "$1 / $2"; }

cpu_usec() { awk '/^usage_usec/ {print $2}' "$cg_s/cpu.stat"; }
start_sidecar() {  # start_sidecar NAME: traces cg_t into $work/NAME; sets cpu0 (usec) once it traces
  # shellcheck disable=SC2086 # SIDECAR_FLAGS is a list of flags
  sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$cg_s" \
    "$sidecar" run --cgroup "$cg_t" --storage "$work/$1" --spool "$work/$1.spool" --http-listen '' \
    ${SIDECAR_FLAGS:-} > /dev/null 2> "$work/$1.log" &
  sc_pid=$!
  for _ in $(seq 300); do
    grep -q "tracing cgroup" "$work/$1.log" 2>/dev/null && { cpu0=$(cpu_usec); return; }
    sleep 0.1
  done
  echo "sidecar did not start: $(cat "$work/$1.log")" >&2; exit 1
}
stop_sidecar() {  # sets hwm (peak RSS, KiB), flush_ms (SIGTERM to exit) and cpu (usec since cpu0); not in a subshell: wait needs the child
  local t0 t1
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$sc_pid/status")
  (( hwm > peak )) && peak=$hwm
  t0=$(date +%s%N)
  kill -TERM "$sc_pid"; wait "$sc_pid"
  t1=$(date +%s%N)
  sc_pid=
  flush_ms=$(( (t1 - t0) / 1000000 ))
  cpu=$(( $(cpu_usec) - cpu0 ))
}
manifest_field() { python3 -c "import json,sys,glob; m=json.load(open(glob.glob(sys.argv[1]+'/**/_manifest.json',recursive=True)[0])); print($2)" "$1"; }

echo "jobtrail process benchmark: $(nproc) cores, kernel $(uname -r), N=$N, rounds=$ROUNDS, sidecar flags: ${SIDECAR_FLAGS:-none}"
peak=0
part() { [[ " $PARTS " == *" $1 "* ]]; }
# --- exec-heavy -----------------------------------------------------------------------------
# untraced: no sidecar at all (its syscall tracepoints cost every process on the node something,
# so an out-of-scope cgroup beside a running sidecar is the neighbour, not the baseline)
if part exec; then
un=() tr=() nb=() cpus=() hwms=()
lost=0
for r in $(seq "$ROUNDS"); do
  un+=("$(run_in "$cg_u" "$burst" "$N" /bin/true)")
  start_sidecar "exec$r"
  tr+=("$(run_in "$cg_t" "$burst" "$N" /bin/true)")
  nb+=("$(run_in "$cg_n" "$burst" "$N" /bin/true)")
  stop_sidecar
  cpus+=("$cpu") hwms+=("$hwm")
  lost=$(( lost + $(manifest_field "$work/exec$r" "sum(m['lost'].values()) if m['lost'] else 0") ))
done
u=$(printf '%s\n' "${un[@]}" | median) t=$(printf '%s\n' "${tr[@]}" | median) n=$(printf '%s\n' "${nb[@]}" | median)
c=$(printf '%s\n' "${cpus[@]}" | median) h=$(printf '%s\n' "${hwms[@]}" | median)
printf 'exec-heavy  %d x /bin/true: untraced %.2f s, traced %.2f s, neighbour %.2f s\n' "$N" "$u" "$t" "$n"
printf '  ratio traced/untraced    %.3f   (target <= 1.05)\n' "$(ratio "$t" "$u")"
printf '  ratio neighbour/untraced %.3f   (target <= 1.005)\n' "$(ratio "$n" "$u")"
printf '  sidecar CPU %.0f ms, %.1f us per exec (target <= 10), VmHWM %.1f MiB (rounds: %s us)\n' \
  "$(calc "$c / 1000")" "$(calc "$c / $N")" "$(calc "$h / 1024")" "${cpus[*]}"
echo "  lost events: $lost"
fi

# --- a real build ---------------------------------------------------------------------------
if part build; then
proj=$work/cproj
mkdir -p "$proj"
for i in $(seq 60); do
  printf '#include <stdio.h>\n#include <string.h>\nint f%d(const char *s) { char b[64]; snprintf(b, sizeof b, "%%s-%d", s); return (int)strlen(b); }\n' "$i" "$i" > "$proj/f$i.c"
done
printf 'int main(void) { return 0; }\n' > "$proj/main.c"
printf 'SRC := $(wildcard *.c)\nprog: $(SRC:.c=.o)\n\t$(CC) -o $@ $^\n%%.o: %%.c\n\t$(CC) -O2 -c $< -o $@\nclean:\n\trm -f *.o prog\n' > "$proj/Makefile"
bu=() bt=()
for r in $(seq "$ROUNDS"); do
  make -s -C "$proj" clean; bu+=("$(run_in "$cg_u" make -s -j2 -C "$proj")")
  start_sidecar "build$r"
  make -s -C "$proj" clean; bt+=("$(run_in "$cg_t" make -s -j2 -C "$proj")")
  stop_sidecar
done
u=$(printf '%s\n' "${bu[@]}" | median) t=$(printf '%s\n' "${bt[@]}" | median)
printf 'build       make -j2 of 61 C files: untraced %.2f s, traced %.2f s, ratio %.3f\n' "$u" "$t" "$(ratio "$t" "$u")"
fi

# --- burst: events/s at zero loss, and flush time for ~100k events --------------------------
if part burst; then
B=${B:-25000}  # per spawner; 2 spawners x B processes x 2 events (exec + exit)
start_sidecar burst
t0=$(date +%s.%N)
sh -c 'echo $$ > "$0/cgroup.procs"; "$1" "$2" "$3" & "$1" "$2" "$3"; wait' "$cg_t" "$burst" "$B" "$exit0"
t1=$(date +%s.%N)
stop_sidecar
events=$(manifest_field "$work/burst" "m['events']")
lost=$(manifest_field "$work/burst" "sum(m['lost'].values()) if m['lost'] else 0")
printf 'burst       %d events in %.2f s: %.0f events/s, lost %s\n' "$events" "$(calc "$t1 - $t0")" \
  "$(calc "$events / ($t1 - $t0)")" "$lost"
printf 'flush       SIGTERM to exit with %d events in the trail: %d ms (target < 2000)\n' "$events" "$flush_ms"
fi
printf 'memory      sidecar peak RSS %.1f MiB (target <= 32)\n' "$(calc "$peak / 1024")"
