#!/usr/bin/env bash
# Process-tracing benchmark: prints ratios, traced vs untraced, measured in the same run.
#   exec      N x /bin/true (posix_spawn loop), wall time with no sidecar / traced / in a neighbour
#             cgroup of a running sidecar; the sidecar's own CPU time per exec (its cgroup's cpu.stat
#             usage_usec, from "tracing" to its exit, so the BPF load is not counted)
#   peers     the same storm, in the same alternating rounds, under a bpftrace exec logger
#             (sched_process_exec, printf to a file) and under auditd with an execve rule; each
#             peer's recorded events are counted, so one that records nothing shows
#   build     a generated C project compiled with make -j2, untraced / traced
#   rate      events/s the sidecar records at zero loss from jt_event_storm (T threads, one event per
#             call, no exec, for S seconds each step), stepping the offered rate up through RATES
#             until the manifest counts a loss
#   burst     as many exec+exit events per second as two spawners make, with the loss count, and
#             the time from SIGTERM to exit with those events in the trail (flush)
#   memory    (always) the sidecar's peak over all runs: memory.peak of the cgroup holding only the
#             sidecar where the memory controller is on for it (cgroup v2), else its VmHWM
# Usage: bench/process.sh [BUILD_DIR] (a non-sanitized build; default build/). Root, cgroup v2.
#   PARTS    parts to run (default "exec peers build rate burst")
#   N        execs of the storm (default 20000); ROUNDS alternating rounds (default 3)
#   SIDECAR_FLAGS  extra sidecar flags (e.g. "--files off" to see the cost without the file family)
#   B        processes per spawner of the burst (default 25000)
#   RATE_MODE open|connect (default open), T threads (default 2), S seconds per step (default 10),
#   RATES    offered events/s per step, 0 = as fast as the threads can (default
#            "10000 20000 40000 80000 160000 0")
# Each timing is the median of ROUNDS alternating runs, so drift hits all sides alike. The peers need
# bpftrace and auditd (scripts/install-deps.sh bench); a peer that cannot run is reported and skipped.
# Its end, an error, SIGINT, SIGTERM and SIGHUP remove the cgroups, the audit rule, the auditd and
# bpftrace the script started and restore the audit settings it changed.
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
storm=$build/tests/kernel/jt_event_storm
N=${N:-20000}
ROUNDS=${ROUNDS:-3}
PARTS=${PARTS:-exec peers build rate burst}
for f in "$sidecar" "$burst" "$exit0" "$storm"; do
  [[ -x $f ]] || { echo "missing $f: build first (scripts/build.sh $build -DJOBTRAIL_BENCH=ON -DBUILD_TESTING=ON)" >&2; exit 2; }
done
root=/sys/fs/cgroup/unified
[[ -e $root/cgroup.controllers ]] || root=/sys/fs/cgroup
work=$(mktemp -d /tmp/jobtrail-bench.XXXXXX)
cg_t=$root/jt-bench-traced-$$ cg_n=$root/jt-bench-neighbour-$$ cg_u=$root/jt-bench-untraced-$$
cg_s=$root/jt-bench-sidecar-$$  # holds only the sidecar: its cpu.stat is the sidecar's own CPU
mkdir "$cg_t" "$cg_n" "$cg_u" "$cg_s"
sc_pid='' bt_pid='' ad_pid='' audit_rule=() restore_enabled='' restore_backlog=''
cleanup() {
  exec 2> /dev/null  # what ends now is ours: no "Killed" notices for the jobs the cgroups held
  [[ -n $sc_pid ]] && kill "$sc_pid" 2>/dev/null && wait "$sc_pid" 2>/dev/null || true
  [[ -n $bt_pid ]] && kill -INT "$bt_pid" 2>/dev/null && wait "$bt_pid" 2>/dev/null || true
  [[ ${#audit_rule[@]} -gt 0 ]] && auditctl -d "${audit_rule[@]}" > /dev/null 2>&1 || true
  [[ -n $ad_pid ]] && kill -TERM "$ad_pid" 2>/dev/null && wait "$ad_pid" 2>/dev/null || true
  restore_audit 2>/dev/null || true
  for c in "$cg_t" "$cg_n" "$cg_u" "$cg_s"; do echo 1 > "$c/cgroup.kill" 2>/dev/null || true; rmdir "$c" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# in_cgroup CGROUP CMD...: runs CMD inside CGROUP and waits for it. In the background plus `wait`,
# not in the foreground or a $(...): bash runs a signal's trap (and so the cleanup) only once a
# foreground command ends, but interrupts `wait` at once.
in_cgroup() {
  local cg=$1; shift
  sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$cg" "$@" &
  wait $!
}
# timed RESULT_ARRAY CGROUP CMD...: runs CMD inside CGROUP, appends its wall time (s) to RESULT_ARRAY
timed() {
  local -n _into=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  in_cgroup "$@"
  t1=$(date +%s.%N)
  _into+=("$(calc "$t1 - $t0")")
}
calc() { awk "BEGIN { printf \"%.6f\", $* }"; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { calc "$1 / $2"; }
min_of() { printf '%s\n' "$@" | sort -g | head -n 1; }
sum_of() { printf '%s\n' "$@" | awk '{s += $1} END {print s + 0}'; }

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
manifest_lost() { manifest_field "$1" "sum(m['lost'].values()) if m['lost'] else 0"; }

# --- peers: each start_* returns non-zero with the reason in peer_why when it cannot run -------
# bpftrace: one line per exec on the node, written to a file (what an ad-hoc exec logger does).
# BEGIN fires once its probe is attached, so "ready" in the file means it is recording.
start_bpftrace() {  # start_bpftrace OUT
  command -v bpftrace > /dev/null || { peer_why="bpftrace not installed (scripts/install-deps.sh bench)"; return 1; }
  bpftrace -o "$1" -e 'BEGIN { printf("ready\n"); }
    tracepoint:sched:sched_process_exec { printf("%d %s\n", pid, str(args->filename)); }' > /dev/null 2> "$1.err" &
  bt_pid=$!
  for _ in $(seq 600); do
    grep -q '^ready$' "$1" 2>/dev/null && return 0
    kill -0 "$bt_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -INT "$bt_pid" 2>/dev/null; wait "$bt_pid" 2>/dev/null || true; bt_pid=
  peer_why="bpftrace did not start: $(grep -v RLIMIT_MEMLOCK "$1.err" | head -n 3 | paste -sd ' ')"
  return 1
}
stop_bpftrace() {  # stop_bpftrace OUT STORM_BINARY: sets peer_storm, peer_all (execs in the file), peer_lost
  kill -INT "$bt_pid"; wait "$bt_pid" || true; bt_pid=
  peer_all=$(grep -c '^[0-9]* /' "$1" || true)
  peer_storm=$(grep -c "^[0-9]* $2\$" "$1" || true)
  # bpftrace reports perf-buffer overflows as "Lost N events"
  peer_lost=$(cat "$1" "$1.err" | awk '/^Lost [0-9]+ events/ {s += $2} END {print s + 0}')
}

# auditd: an execve rule of its own key. Where no audit daemon runs, the script starts auditd with a
# private config and log (Debian's config otherwise) and stops it afterwards; where one runs, it only
# adds and removes its rule and reads that daemon's log with ausearch. Either way the audit settings
# it changes (enabled, backlog limit) are restored.
audit_status() { auditctl -s 2>/dev/null | awk -v k="$1" '$1 == k {print $2}'; }
start_auditd() {  # start_auditd KEY
  if ! command -v auditctl > /dev/null || ! command -v auditd > /dev/null; then
    peer_why="auditd not installed (scripts/install-deps.sh bench)"; return 1
  fi
  local enabled pid backlog
  enabled=$(audit_status enabled) pid=$(audit_status pid) backlog=$(audit_status backlog_limit)
  [[ -n $enabled ]] || { peer_why="auditctl -s failed: $(auditctl -s 2>&1 | head -n 1)"; return 1; }
  [[ $enabled != 2 ]] || { peer_why="audit rules are locked (enabled 2)"; return 1; }
  audit_log=
  if [[ $pid == 0 ]]; then
    local d=$work/auditd
    mkdir -p "$d"
    # A log that never rotates, so counting it is exact; the rest as Debian ships it.
    sed -e "s|^log_file *=.*|log_file = $d/audit.log|" -e 's|^max_log_file_action *=.*|max_log_file_action = IGNORE|' \
      /etc/audit/auditd.conf > "$d/auditd.conf"
    chmod 640 "$d/auditd.conf"
    restore_enabled=$enabled restore_backlog=$backlog
    auditd -n -c "$d" > "$d/out" 2>&1 &
    ad_pid=$!
    for _ in $(seq 100); do
      [[ $(audit_status pid) == "$ad_pid" ]] && break
      kill -0 "$ad_pid" 2>/dev/null || break
      sleep 0.1
    done
    if [[ $(audit_status pid) != "$ad_pid" ]]; then
      peer_why="auditd did not start: $(head -n 3 "$d/out" | paste -sd ' ')"
      stop_own_auditd; return 1
    fi
    audit_log=$d/audit.log
    # Debian's audit.rules starts with -b 8192: the kernel's default backlog of 64 drops records
    # of an exec storm at once.
    auditctl -b 8192 > /dev/null
  fi
  audit_lost0=$(audit_status lost)
  audit_rule=('always,exit' -F arch=b64 -S execve -k "$1")
  if ! out=$(auditctl -a "${audit_rule[@]}" 2>&1); then
    audit_rule=(); peer_why="auditctl -a failed: $out"; stop_own_auditd; return 1
  fi
}
stop_own_auditd() {
  if [[ -n $ad_pid ]]; then kill -TERM "$ad_pid"; wait "$ad_pid" || true; ad_pid=''; fi
  restore_audit
}
restore_audit() {  # the settings start_auditd changed, as they were before
  if [[ -n $restore_backlog ]]; then auditctl -b "$restore_backlog" > /dev/null; restore_backlog=''; fi
  if [[ -n $restore_enabled ]]; then auditctl -e "$restore_enabled" > /dev/null; restore_enabled=''; fi
}
stop_auditd() {  # stop_auditd KEY STORM_BINARY: sets peer_storm, peer_all (execve records), peer_lost
  auditctl -d "${audit_rule[@]}" > /dev/null; audit_rule=()
  peer_lost=$(( $(audit_status lost) - audit_lost0 ))
  stop_own_auditd  # auditd writes what it has before it exits
  local recs=$work/audit.$1
  ausearch --raw -k "$1" ${audit_log:+-if "$audit_log"} 2>/dev/null | grep '^type=SYSCALL' > "$recs" || true
  peer_all=$(wc -l < "$recs")
  peer_storm=$(grep -c "exe=\"$2\"" "$recs" || true)
}

echo "jobtrail process benchmark: $(nproc) cores, kernel $(uname -r), N=$N, rounds=$ROUNDS, sidecar flags: ${SIDECAR_FLAGS:-none}"
peak=0
part() { [[ " $PARTS " == *" $1 "* ]]; }
# --- exec-heavy, with the peers in the same rounds -------------------------------------------
# untraced: no sidecar at all (its syscall tracepoints cost every process on the node something,
# so an out-of-scope cgroup beside a running sidecar is the neighbour, not the baseline)
if part exec || part peers; then
true_exe=$(readlink -f /bin/true)  # auditd's exe= (the exec tracepoint's filename is the path as spawned)
un=() tr=() nb=() cpus=() hwms=()
# shellcheck disable=SC2034 # filled by timed and read by peer_line, both through namerefs
bt_times=() bt_storm=() bt_all=() bt_lost=() ad_times=() ad_storm=() ad_all=() ad_lost=()
bt_why='' ad_why=''
lost=0
for r in $(seq "$ROUNDS"); do
  timed un "$cg_u" "$burst" "$N" /bin/true
  if part exec; then
    start_sidecar "exec$r"
    timed tr "$cg_t" "$burst" "$N" /bin/true
    timed nb "$cg_n" "$burst" "$N" /bin/true
    stop_sidecar
    cpus+=("$cpu") hwms+=("$hwm")
    lost=$(( lost + $(manifest_lost "$work/exec$r") ))
  fi
  if part peers; then
    if [[ -z $bt_why ]]; then
      if start_bpftrace "$work/bpftrace$r"; then
        timed bt_times "$cg_u" "$burst" "$N" /bin/true
        stop_bpftrace "$work/bpftrace$r" /bin/true
        bt_storm+=("$peer_storm") bt_all+=("$peer_all") bt_lost+=("$peer_lost")
      else bt_why=$peer_why; fi
    fi
    if [[ -z $ad_why ]]; then
      if start_auditd "jt-bench-$$-$r"; then
        timed ad_times "$cg_u" "$burst" "$N" /bin/true
        stop_auditd "jt-bench-$$-$r" "$true_exe"
        ad_storm+=("$peer_storm") ad_all+=("$peer_all") ad_lost+=("$peer_lost")
      else ad_why=$peer_why; fi
    fi
  fi
done
u=$(printf '%s\n' "${un[@]}" | median)
printf 'exec-heavy  %d x /bin/true, untraced %.2f s (median of %d rounds)\n' "$N" "$u" "$ROUNDS"
if part exec; then
  t=$(printf '%s\n' "${tr[@]}" | median) n=$(printf '%s\n' "${nb[@]}" | median)
  c=$(printf '%s\n' "${cpus[@]}" | median) h=$(printf '%s\n' "${hwms[@]}" | median)
  printf '  ratio traced/untraced     %.3f  (target <= 1.03)   traced %.2f s\n' "$(ratio "$t" "$u")" "$t"
  printf '  ratio neighbour/untraced  %.3f  (target <= 1.01)   neighbour %.2f s\n' "$(ratio "$n" "$u")" "$n"
fi
if part peers; then
  # peer_line NAME WHY TIMES STORM ALL LOST: the ratio and what the peer recorded, worst round first
  peer_line() {
    local name=$1 why=$2; local -n _times=$3 _storm=$4 _all=$5 _lost=$6
    if [[ ${#_times[@]} -eq 0 ]]; then printf '  ratio %-19s n/a    not run: %s\n' "$name/untraced" "$why"; return; fi
    local p; p=$(printf '%s\n' "${_times[@]}" | median)
    printf '  ratio %-19s %.3f  (peer)             %s %.2f s, recorded %s of %d storm execs in the worst round (%s execs on the node in all), lost %s%s\n' \
      "$name/untraced" "$(ratio "$p" "$u")" "$name" "$p" "$(min_of "${_storm[@]}")" "$N" "$(sum_of "${_all[@]}")" \
      "$(sum_of "${_lost[@]}")" "${why:+; later rounds not run: $why}"
  }
  peer_line bpftrace "$bt_why" bt_times bt_storm bt_all bt_lost
  peer_line auditd "$ad_why" ad_times ad_storm ad_all ad_lost
fi
if part exec; then
  printf '  sidecar CPU per exec      %.1f us  (target <= 10)   %.0f ms in all, VmHWM %.1f MiB (rounds: %s us)\n' \
    "$(calc "$c / $N")" "$(calc "$c / 1000")" "$(calc "$h / 1024")" "${cpus[*]}"
  echo "  sidecar lost events       $lost"
fi
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
  make -s -C "$proj" clean; timed bu "$cg_u" make -s -j2 -C "$proj"
  start_sidecar "build$r"
  make -s -C "$proj" clean; timed bt "$cg_t" make -s -j2 -C "$proj"
  stop_sidecar
done
u=$(printf '%s\n' "${bu[@]}" | median) t=$(printf '%s\n' "${bt[@]}" | median)
printf 'build       make -j2 of 61 C files: untraced %.2f s, traced %.2f s, ratio %.3f\n' "$u" "$t" "$(ratio "$t" "$u")"
fi

# --- rate: events/s at zero loss, with no exec in the way ----------------------------------
if part rate; then
RATE_MODE=${RATE_MODE:-open} T=${T:-2} S=${S:-10}
RATES=${RATES:-10000 20000 40000 80000 160000 0}
case $RATE_MODE in
  open) rtype=file_open ;;
  connect) rtype=net_connect ;;
  *) echo "RATE_MODE must be open or connect" >&2; exit 2 ;;
esac
best='' best_rate='' first_loss='' bad=''
i=0
for rate in $RATES; do
  i=$((i + 1))
  start_sidecar "rate$i"
  in_cgroup "$cg_t" "$storm" "$RATE_MODE" "$T" "$S" "$rate" > "$work/rate$i.out" ||
    { echo "jt_event_storm failed: $(cat "$work/rate$i.out")" >&2; exit 1; }
  out=$(cat "$work/rate$i.out")
  stop_sidecar
  calls=$(awk '{print $2}' <<< "$out") secs=$(awk '{print $4}' <<< "$out")
  got=$(manifest_field "$work/rate$i" "m['event_counts'].get('$rtype', 0)")
  rlost=$(manifest_lost "$work/rate$i")
  offered=$([[ $rate == 0 ]] && echo "as fast as $T threads can" || echo "$rate/s")
  # A sidecar slower than the offered rate but with rings large enough for S seconds loses
  # nothing yet: its backlog shows as a long SIGTERM-to-exit time, and its CPU per event says
  # how many events/s one core of it handles.
  printf 'rate        offered %s: %d calls in %.2f s (%.0f/s), recorded %d %s = %.0f/s, lost %d, sidecar CPU %.1f us per event, exit after SIGTERM %d ms\n' \
    "$offered" "$calls" "$secs" "$(calc "$calls / $secs")" "$got" "$rtype" "$(calc "$got / $secs")" "$rlost" \
    "$(calc "$cpu / ($got > 0 ? $got : 1)")" "$flush_ms"
  if (( rlost > 0 )); then first_loss="$offered lost $rlost"; break; fi
  if (( got < calls )); then
    bad="$got $rtype for $calls calls and no loss counted: not one event per call (sidecar flags: ${SIDECAR_FLAGS:-none})"
    break
  fi
  r=$(calc "$got / $secs")
  if [[ -z $best ]] || awk "BEGIN { exit !($r > $best) }"; then best=$r best_rate=$offered; fi
done
if [[ -n $bad ]]; then
  printf 'rate        events/s at zero loss      n/a  (target >= 50000)   %s\n' "$bad"
elif [[ -n $best ]]; then
  then_what="no step lost events: the figure is the top speed of the storm here"
  [[ -z $first_loss ]] || then_what="next step: $first_loss"
  printf 'rate        events/s at zero loss      %.0f/s  (target >= 50000)   %s %s, %d threads, offered %s; %s\n' \
    "$best" "$RATE_MODE" "$rtype" "$T" "$best_rate" "$then_what"
else
  printf 'rate        events/s at zero loss      none  (target >= 50000)   the first step lost: %s\n' "$first_loss"
fi
fi

# --- burst: exec+exit events/s, and flush time for ~100k events -----------------------------
if part burst; then
B=${B:-25000}  # per spawner; 2 spawners x B processes x 2 events (exec + exit)
start_sidecar burst
t0=$(date +%s.%N)
in_cgroup "$cg_t" sh -c '"$0" "$1" "$2" & "$0" "$1" "$2"; wait' "$burst" "$B" "$exit0"
t1=$(date +%s.%N)
stop_sidecar
events=$(manifest_field "$work/burst" "m['events']")
lost=$(manifest_lost "$work/burst")
printf 'burst       %d events in %.2f s: %.0f events/s (bound by exec speed), lost %s\n' "$events" "$(calc "$t1 - $t0")" \
  "$(calc "$events / ($t1 - $t0)")" "$lost"
printf 'flush       SIGTERM to exit             %d ms  (target < 2000)   %d events in the trail\n' "$flush_ms" "$events"
fi

# --- memory: over all the sidecar runs above --------------------------------------------------
# memory.peak counts what the kernel charges the cgroup (heap, ring buffers, page cache of the
# spool) since the cgroup was made, i.e. over all runs; VmHWM is the resident peak of each process.
if (( peak == 0 )); then
  echo "memory      sidecar peak               n/a  (no sidecar ran in PARTS=\"$PARTS\")"
elif grep -qw memory "$cg_s/cgroup.controllers" 2>/dev/null && [[ -r $cg_s/memory.peak ]]; then
  printf 'memory      sidecar peak               %.1f MiB  (target <= 32)   memory.peak of the sidecar-only cgroup (cgroup v2)\n' \
    "$(calc "$(cat "$cg_s/memory.peak") / 1048576")"
else
  printf 'memory      sidecar peak               %.1f MiB  (target <= 32)   VmHWM, largest of the runs (cgroup v2 gives its cgroup no memory controller here)\n' \
    "$(calc "$peak / 1024")"
fi
