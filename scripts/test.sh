#!/usr/bin/env bash
# README command 2: installs everything, builds, and runs every test.
#   1. one build of everything with clang and ASan+UBSan (build-test/), the libFuzzer targets
#      included: clang compiles this code base with 25-30 % less CPU time than gcc at the same
#      -O1 with sanitizers (measured on its heaviest files), and libFuzzer needs it anyway.
#      Sanitizers also watch the real sidecar, webhook and CLI binaries the script tests run.
#   2. every ctest label but fuzz: unit, kernel, storage, webhook, cli, fleet, browser, package.
#   3. each libFuzzer target for a bounded time.
#   4. the kernel matrix: the image's own sidecar and CLI (below) booted under QEMU with each
#      supported node kernel (tests/qemu/run_matrix.sh); JOBTRAIL_KERNEL_MATRIX=0 skips it.
#   Beside steps 1-3, at the lowest CPU priority: package:image-steps' script, the Dockerfile's
#   build step (a gcc Release build of the three binaries) in a clean folder. It only gets the
#   CPU the build and the tests leave idle, so it cannot slow the timing-sensitive tests; what is
#   left of it runs after the fuzzers at full speed. Its binaries are the ones the kernel matrix
#   boots, so CI builds the non-sanitized binaries once.
# Extra arguments go to the first ctest (e.g. -L kernel, -R mutate) and skip the fuzzers and the
# image steps. JOBTRAIL_IMAGE_STEPS=0 leaves the image steps out.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
"$top/scripts/install-deps.sh"
image_pid=
image_log=$top/build-test/image-steps.log
image_bin=$top/build-test/image-binaries
if [[ $# -eq 0 && ${JOBTRAIL_IMAGE_STEPS:-1} == 1 ]]; then
  mkdir -p "$top/build-test"
  # timeout puts itself and the script in a process group of their own (kill -- -PID stops it
  # all), in this session: a new session (setsid) would be a scheduler autogroup of its own
  # (Debian's default), where nice does not yield to the processes of other groups.
  # The timeout only stops a hung build: starved at nice 19, the build may need most of the
  # run to get its CPU.
  rm -rf "$image_bin"
  nice -n 19 timeout 3600 env JOBTRAIL_SOURCE_DIR="$top" JOBTRAIL_IMAGE_BINARIES="$image_bin" \
    "$top/tests/package/run_image_steps.sh" > "$image_log" 2>&1 &
  image_pid=$!
  trap 'kill -- "-$image_pid" 2>/dev/null || true' EXIT
fi
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
# ctest counts a skipped test (SKIP_RETURN_CODE) as passed: here it is a failure unless
# JOBTRAIL_ALLOW_SKIP=1. $1: the JUnit file of a ctest run.
no_skips() {
  local skipped
  skipped=$(grep -o '<testcase name="[^"]*"[^>]*status="notrun"' "$1" | sed 's/<testcase name="\([^"]*\)".*/\1/' || true)
  [[ -z $skipped || ${JOBTRAIL_ALLOW_SKIP:-0} == 1 ]] && return 0
  echo "test.sh: skipped tests fail CI (JOBTRAIL_ALLOW_SKIP=1 allows them):"; echo "$skipped"
  exit 1
}
start=$SECONDS
(cd "$top/build-test" && ctest --output-on-failure --no-tests=error --output-junit ctest-tests.xml \
  -j"$jobs" -E '^(fuzz:|package:image-steps$)' "$@")
no_skips "$top/build-test/ctest-tests.xml"
echo "test.sh: tests took $((SECONDS - start)) s"
if [[ $# -eq 0 ]]; then
  start=$SECONDS
  (cd "$top/build-test" && ctest --output-on-failure --no-tests=error --output-junit ctest-fuzz.xml -L fuzz)
  no_skips "$top/build-test/ctest-fuzz.xml"
  echo "test.sh: fuzzing took $((SECONDS - start)) s"
fi
if [[ -n $image_pid ]]; then
  start=$SECONDS
  status=0
  wait "$image_pid" || status=$?
  trap - EXIT
  if [[ $status -ne 0 ]]; then
    cat "$image_log"
    echo "test.sh: package:image-steps FAILED (exit $status)"
    exit 1
  fi
  grep -E '^(ok|FAIL|image)' "$image_log"
  echo "test.sh: image steps passed; waited $((SECONDS - start)) s for them after the fuzzers"
fi
if [[ $# -eq 0 && ${JOBTRAIL_KERNEL_MATRIX:-1} == 1 ]]; then
  # After the timing-sensitive tests: the sidecar under each supported node kernel (QEMU, TCG).
  # The image steps' stripped Release binaries when they ran, else a non-sanitized -O1 build of
  # the two binaries without debug info (the initramfs strips it anyway).
  start=$SECONDS
  if [[ -n $image_pid ]]; then
    sidecar=$image_bin/jobtrail-sidecar cli=$image_bin/jobtrail
  else
    cmake -S "$top" -B "$top/build-matrix" -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS=-O1 -DCMAKE_C_FLAGS=-O1 \
      -DBUILD_TESTING=OFF -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache >/dev/null
    cmake --build "$top/build-matrix" --target jobtrail-sidecar jobtrail -j"$jobs" >/dev/null
    sidecar=$top/build-matrix/sidecar/jobtrail-sidecar cli=$top/build-matrix/cli/jobtrail
  fi
  "$top/tests/qemu/run_matrix.sh" "$sidecar" "$cli"
  echo "test.sh: kernel matrix took $((SECONDS - start)) s"
fi
