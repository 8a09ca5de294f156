#!/usr/bin/env bash
# Prints the project's version, the one CMakeLists.txt declares (project(jobtrail VERSION x.y.z)):
# the image's label and the checks of every binary's --version read it from here.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
sed -n 's/^project(jobtrail VERSION \([0-9.]*\).*/\1/p' "$top/CMakeLists.txt"
