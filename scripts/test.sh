#!/usr/bin/env bash
# README command 2: installs everything, builds, and runs every test.
#   1. one build of everything with clang and ASan+UBSan (build-test/), the libFuzzer targets
#      included: clang compiles this code base with 25-30 % less CPU time than gcc at the same
#      -O1 with sanitizers (measured on its heaviest files), and libFuzzer needs it anyway. Sanitizers also watch the real sidecar, webhook and CLI
#      binaries the script tests run.
#   2. every ctest label but fuzz: unit, kernel, storage, webhook, cli, browser, package. The
#      package label holds image-steps: the Dockerfile's build step (a gcc Release build of the
#      three binaries) in a clean folder, run alone so it cannot skew timing-sensitive tests.
#   3. each libFuzzer target for a bounded time.
# Extra arguments go to the first ctest (e.g. -L kernel, -R mutate) and skip the fuzzers.
# JOBTRAIL_IMAGE_STEPS=0 leaves out package:image-steps (about 8 min on 2 cores) for quick runs.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
"$top/scripts/install-deps.sh"
start=$SECONDS
# -O1 without debug info: CI's build is the longest step; sanitizer reports keep their frames
# (-fno-omit-frame-pointer) and -O1 keeps timing-sensitive tests realistic. No bench programs.
# A build-test/ configured with gcc (before clang was used) is configured afresh.
if [[ -f $top/build-test/CMakeCache.txt ]] && ! grep -q '^CMAKE_CXX_COMPILER:.*clang++' "$top/build-test/CMakeCache.txt"; then
  rm -rf "$top/build-test/CMakeCache.txt" "$top/build-test/CMakeFiles"
fi
"$top/scripts/build.sh" "$top/build-test" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DJOBTRAIL_SANITIZE=ON -DJOBTRAIL_FUZZ=ON -DJOBTRAIL_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS=-O1 -DCMAKE_C_FLAGS=-O1
echo "test.sh: sanitized build took $((SECONDS - start)) s"
exclude='^fuzz:'
[[ ${JOBTRAIL_IMAGE_STEPS:-1} == 1 ]] || exclude='^(fuzz:|package:image-steps$)'
start=$SECONDS
(cd "$top/build-test" && ctest --output-on-failure -j"$jobs" -E "$exclude" "$@")
echo "test.sh: tests took $((SECONDS - start)) s"
if [[ $# -eq 0 ]]; then
  start=$SECONDS
  (cd "$top/build-test" && ctest --output-on-failure -L fuzz)
  echo "test.sh: fuzzing took $((SECONDS - start)) s"
fi
