#!/usr/bin/env bash
# README command 2: installs everything, builds, and runs every test:
#   1. the unit tests under ASan+UBSan (build-asan/)
#   2. every test (unit, kernel, storage, webhook, cli, browser, package) in build/
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh"
"$top/scripts/build.sh" "$top/build-asan" -DJOBTRAIL_SANITIZE=ON
(cd "$top/build-asan" && ctest -L unit --output-on-failure -j"$(nproc)")
"$top/scripts/build.sh" "$top/build"
cd "$top/build" && ctest --output-on-failure -j"$(nproc)" "$@"
