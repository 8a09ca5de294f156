#!/usr/bin/env bash
# README command 1 end to end, with the real binaries: the sidecar records the sample job
# (examples/dodgy-job.sh) and the CLI reads the archive it wrote: verify, show, tree, summary, report.
set -euo pipefail
bin=$JOBTRAIL_BINARY_DIR
tmp=$(mktemp -d /tmp/jt-demo.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$bin/sidecar/jobtrail-sidecar" record --out "$tmp/trail" -- "$JOBTRAIL_SOURCE_DIR/examples/dodgy-job.sh" \
  > "$tmp/stream.txt" 2> "$tmp/sidecar.log" || fail "record exited $? ($(cat "$tmp/sidecar.log"))"
grep -q '^🚀 process local/record /usr/bin/whoami' "$tmp/stream.txt" || fail "no whoami exec in the live stream"
grep -Eq '^💥 exit    local/record /usr/bin/mount /dev/sda2 /mnt/jobtrail-demo-no-such-dir [1-9]' "$tmp/stream.txt" || fail "no failed mount exit"
grep -Eq '^💥 exit    local/record /usr/bin/ls /jobtrail-demo-no-such-file 2$' "$tmp/stream.txt" || fail "no failing ls"
grep -Eq '^⚠️ finding local/record [a-z]+ tls-verify-disabled' "$tmp/stream.txt" || fail "no finding for curl -k"
grep -q '^📂' "$tmp/stream.txt" && fail "file lines in the default live stream (they belong to --stream files)"

jt=$bin/cli/jobtrail
"$jt" verify "$tmp/trail" > "$tmp/verify.txt" || fail "verify exited $? on a fresh archive: $(cat "$tmp/verify.txt")"
"$jt" show "$tmp/trail" > "$tmp/show.txt"
# the archive holds exactly what the live stream showed, line for line; the stream is in the order
# of the events' times (trail/events/time_reorder.hpp), the archive in the order they were read
diff <(grep -E '^(🚀|💥|🔌|🔐)' "$tmp/stream.txt" | sort) <(grep -E '^(🚀|💥|🔌|🔐)' "$tmp/show.txt" | sort) \
  || fail "show differs from the live stream"
"$jt" show --json --type process_exec "$tmp/trail" | python3 -c '
import json, sys
execs = [json.loads(l) for l in sys.stdin]
bins = [e["process"]["binary"] for e in execs]
assert "/usr/bin/whoami" in bins, bins
seqs = [e["seq"] for e in execs]
assert seqs == sorted(seqs), "not in order"
for e in execs:
    assert e["process"]["exec_id"] > 0 and "args" in e["process"], e
'
"$jt" show --tree "$tmp/trail" | grep -q 'whoami' || fail "tree lacks whoami"
"$jt" summary "$tmp/trail" > "$tmp/summary.txt"
grep -q 'whoami' "$tmp/summary.txt" || fail "summary lacks whoami: $(cat "$tmp/summary.txt")"
"$jt" report "$tmp/trail" -o "$tmp/report.html"
grep -q '/usr/bin/whoami' "$tmp/report.html" || fail "report lacks whoami"
echo "demo trail: $(grep -c . "$tmp/stream.txt") live lines, verified, shown, summarised, reported"
