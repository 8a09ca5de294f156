#!/usr/bin/env bash
# Flush benchmark of the archive writer: time from finish() -- what the sidecar
# runs on SIGTERM -- to a complete, verified archive in the store, for 10k, 100k and 1M events;
# the append rate (hot path of the sidecar); RSS during the run and during the flush.
#   bench/flush.sh [BUILD_DIR]      (default build-archive; builds archive_flush_bench)
# "warm": segments upload while events are appended (the normal case), so finish() only has
# the last segment left; "cold": uploads are held until finish(), so the whole trail is
# flushed after "SIGTERM" (the worst case, e.g. the store was down during the job).
# Targets: 100k events complete <= 2 s after finish starts, 1M <= 10 s, RSS <= 48 MiB.
# Local store always; loopback Ceph RGW too when tests/storage/rgw.sh and radosgw are present
# and this build has the S3 store.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build-archive}
[[ -d $build ]] || cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target archive_flush_bench -j2 >/dev/null
bench=$build/bench/archive/archive_flush_bench
work=$(mktemp -d /tmp/jobtrail-flush-bench.XXXXXX)
rgw_dir=""
cleanup() {
  [[ -n $rgw_dir ]] && "$top/tests/storage/rgw.sh" stop "$rgw_dir" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== local folder store (spool and store on the same file system: sealed segments are hard-linked)"
for mode in "" --cold; do
  for n in 10000 100000 1000000; do
    "$bench" $mode --events "$n" --spool "$work/spool" --storage "$work/local-$n" || true
    rm -rf "$work/local-$n"
  done
done

echo "== local folder store on another file system (segments copied: /dev/shm)"
for n in 10000 100000 1000000; do
  dst=$(mktemp -d /dev/shm/jobtrail-flush-bench.XXXXXX)
  "$bench" --cold --events "$n" --spool "$work/spool" --storage "$dst/out" || true
  rm -rf "$dst"
done

if [[ -x $top/tests/storage/rgw.sh ]] && command -v radosgw >/dev/null && command -v aws >/dev/null \
   && [[ -f $top/trail/s3/s3_store.cpp ]]; then
  echo "== loopback Ceph RGW"
  rgw_dir=$work/rgw
  mkdir -p "$rgw_dir"
  "$top/tests/storage/rgw.sh" start "$rgw_dir" >/dev/null
  set -a; source "$rgw_dir/env"; set +a
  aws --endpoint-url "$S3_ENDPOINT" s3 mb s3://flush-bench >/dev/null
  for mode in "" --cold; do
    for n in 10000 100000 1000000; do
      "$bench" $mode --events "$n" --spool "$work/spool" --storage "s3://flush-bench/run$mode-$n" \
        --s3-endpoint "$S3_ENDPOINT" --s3-path-style 2>&1 | grep -v 'plain http' || true
    done
  done
else
  echo "== loopback Ceph RGW: skipped (needs tests/storage/rgw.sh, radosgw, awscli and the S3 store)"
fi
