#!/usr/bin/env bash
# Prints the events a replay wrote (pipeline_replay_bench EXECS DIR), decompressed, in segment
# order, with every "time" value masked: what two builds must write byte for byte the same.
#   bench/pipeline/archive_lines.sh DIR_A > a; bench/pipeline/archive_lines.sh DIR_B > b; cmp a b
# The time is the only field that depends on when the replay ran (the monotonic-to-real offset
# and the wall clock of lost/finding events).
set -euo pipefail
dir=${1:?usage: $0 REPLAY_DIR}
mapfile -t segments < <(find "$dir/store" -name 'events-*.jsonl.zst' | sort)
[ "${#segments[@]}" -gt 0 ] || { echo "no segments under $dir/store" >&2; exit 1; }
zstdcat "${segments[@]}" | sed -E 's/"time":"[^"]*"/"time":"T"/g'
