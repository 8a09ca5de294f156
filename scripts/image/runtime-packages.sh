#!/usr/bin/env bash
# Prints the Debian packages that hold the shared libraries the given binaries load (ldd),
# one per line, so the runtime image installs exactly those and nothing else.
# Usage: runtime-packages.sh BINARY...
set -euo pipefail
owner() {   # dpkg knows a file under the path its package ships; /usr-merge means /lib or /usr/lib
  local f=$1 real
  real=$(readlink -f "$f")
  for p in "$f" "$real" "${f#/usr}" "/usr$f" "${real#/usr}" "/usr$real"; do
    dpkg-query -S "$p" 2>/dev/null | head -1 | cut -d: -f1 && return 0
  done
  echo "runtime-packages: no package owns $f" >&2
  return 1
}
for bin in "$@"; do
  if ldd "$bin" | grep -q 'not found'; then
    echo "runtime-packages: $bin has unresolved libraries:" >&2; ldd "$bin" >&2; exit 1
  fi
  ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }'
done | sort -u | while read -r lib; do owner "$lib"; done | sort -u
