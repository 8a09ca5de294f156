#!/usr/bin/env bash
# Overhead of the file/net families, traced vs untraced, in ONE run:
#  1. file-heavy: `make -j2` of a generated C project (200 files) -- untraced, traced with
#     --files folded, traced with --files all; wall-time ratios.
#  2. connect-heavy: N short loopback TCP connections -- untraced vs traced; ratio, events/s,
#     and the lost counts from the manifest (target: zero loss).
# usage: bench/net.sh [BUILD_DIR] [N_CONNECTIONS]   (root; BUILD_DIR default build/)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
n=${2:-20000}
sidecar=$build/sidecar/jobtrail-sidecar
[ -x "$sidecar" ] || { echo "no sidecar at $sidecar (build first)"; exit 1; }
work=$(mktemp -d /tmp/jt-bench-net.XXXXXX)
trap 'rm -rf "$work"' EXIT
py=/usr/bin/python3; [ -x $py ] || py=python3

# --- the C project ---
mkdir -p "$work/proj"
for i in $(seq 1 200); do
  printf '#include <stdio.h>\n#include <string.h>\n#include <stdlib.h>\nint f%d(int x){char b[64];snprintf(b,sizeof b,"%%d",x);return (int)strlen(b)+x*%d;}\n' $i $i > "$work/proj/f$i.c"
done
printf 'SRC=$(wildcard *.c)\nOBJ=$(SRC:.c=.o)\nall: $(OBJ)\n%%.o: %%.c\n\t$(CC) -O1 -c $< -o $@\nclean:\n\trm -f *.o\n' > "$work/proj/Makefile"

now() { date +%s.%N; }
timed() {  # prints seconds of "$@"
  local t0 t1; t0=$(now); "$@" >/dev/null 2>&1; t1=$(now); echo "$t1 - $t0" | bc -l
}
build_once() { make -s -C "$work/proj" clean >/dev/null; timed make -s -j2 -C "$work/proj"; }
traced_build() {  # $1 = files mode
  rm -rf "$work/out-$1"; make -s -C "$work/proj" clean >/dev/null
  timed "$sidecar" record --out "$work/out-$1" --files "$1" -- make -s -j2 -C "$work/proj"
}
lost_of() { $py -c "import json,sys; m=json.load(open(sys.argv[1])); print(sum((m.get('lost') or {}).values()) if isinstance(m.get('lost'),dict) else m.get('lost',0))" "$1/_manifest.json" 2>/dev/null || echo "?"; }
events_of() { $py -c "import json,sys; m=json.load(open(sys.argv[1])); c=m.get('event_counts') or m.get('counts') or {}; print(sum(c.values()) if isinstance(c,dict) else '?')" "$1/_manifest.json" 2>/dev/null || echo "?"; }

build_once >/dev/null  # warm caches
u=$(build_once); f=$(traced_build folded); a=$(traced_build all); u2=$(build_once)
ub=$(echo "($u + $u2) / 2" | bc -l)
printf 'file-heavy (make -j2, 200 C files): untraced %.2fs, folded %.2fs (ratio %.3f), all %.2fs (ratio %.3f)\n' \
  "$ub" "$f" "$(echo "$f / $ub" | bc -l)" "$a" "$(echo "$a / $ub" | bc -l)"
printf '  events folded %s (lost %s), all %s (lost %s)\n' "$(events_of "$work/out-folded")" "$(lost_of "$work/out-folded")" \
  "$(events_of "$work/out-all")" "$(lost_of "$work/out-all")"

port=$((20000 + $$ % 900 * 10 + 5))
cu=$(timed $py "$top/bench/net/connect_burst.py" "$n" "$port")
rm -rf "$work/out-net"
ct=$(timed "$sidecar" record --out "$work/out-net" --files off -- $py "$top/bench/net/connect_burst.py" "$n" $((port + 1)))
ev=$(events_of "$work/out-net")
printf 'connect-heavy (%d loopback TCP connections): untraced %.2fs (%.0f conn/s), traced %.2fs (%.0f conn/s), ratio %.3f\n' \
  "$n" "$cu" "$(echo "$n / $cu" | bc -l)" "$ct" "$(echo "$n / $ct" | bc -l)" "$(echo "$ct / $cu" | bc -l)"
printf '  events %s (%.0f events/s), lost %s\n' "$ev" "$(echo "${ev/\?/0} / $ct" | bc -l)" "$(lost_of "$work/out-net")"
