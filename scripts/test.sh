#!/usr/bin/env bash
# README command 2: installs everything, builds, and runs every test.
#   1. one build of everything with ASan+UBSan (build-test/), then every ctest label in it:
#      unit, kernel, storage, webhook, cli, browser, package. Sanitizers also watch the real
#      sidecar, webhook and CLI binaries the script tests run.
#   2. the libFuzzer targets (clang, build-fuzz/, only those targets), each for a bounded time.
# Extra arguments go to the first ctest (e.g. -L kernel, -R mutate).
# JOBTRAIL_IMAGE_STEPS=1 also runs package:image-steps (a third, Release build: ~7 min on 2 cores).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
"$top/scripts/install-deps.sh"
start=$SECONDS
# -O1 without debug info: CI's build is the longest step; sanitizer reports keep their frames
# (-fno-omit-frame-pointer) and -O1 keeps timing-sensitive tests realistic. No bench programs.
"$top/scripts/build.sh" "$top/build-test" -DJOBTRAIL_SANITIZE=ON -DJOBTRAIL_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS=-O1 -DCMAKE_C_FLAGS=-O1
echo "test.sh: sanitized build took $((SECONDS - start)) s"
exclude=()
[[ ${JOBTRAIL_IMAGE_STEPS:-0} == 1 ]] || exclude=(-E '^package:image-steps$')
(cd "$top/build-test" && ctest --output-on-failure -j"$jobs" "${exclude[@]}" "$@")
if [[ $# -eq 0 ]]; then
  start=$SECONDS
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  cmake -S "$top" -B "$top/build-fuzz" -DJOBTRAIL_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >/dev/null
  mapfile -t fuzzers < <(cd "$top/build-fuzz" && ctest -N -L fuzz | sed -n 's/^ *Test *#[0-9]*: *fuzz:\([a-z0-9_]*\).*/\1/p')
  cmake --build "$top/build-fuzz" -j"$jobs" --target "${fuzzers[@]}"
  (cd "$top/build-fuzz" && ctest --output-on-failure -L fuzz)
  echo "test.sh: fuzzing took $((SECONDS - start)) s"
fi
