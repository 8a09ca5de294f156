#!/usr/bin/env bash
# Installs every Debian package the project needs, idempotently, on a fresh Debian 12.
# Package lists live in scripts/deps/*.txt, one per purpose; pass names to install only some:
#   scripts/install-deps.sh            everything (build + every test)
#   scripts/install-deps.sh build      only what building needs
# A list whose first line starts with "# by name only" is left out of "everything" and installed
# only when named (scripts/deps/bench.txt: benchmark tools such as auditd that CI does not need).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: run as root (sudo $0)" >&2
  exit 1
fi
lists=()
if [[ $# -eq 0 ]]; then
  for l in "$here"/deps/*.txt; do
    head -n 1 "$l" | grep -q '^# by name only' || lists+=("$l")
  done
else
  for n in "$@"; do
    [[ -f $here/deps/$n.txt ]] || { echo "install-deps: no list scripts/deps/$n.txt" >&2; exit 1; }
    lists+=("$here/deps/$n.txt")
  done
fi
mapfile -t words < <(cat "${lists[@]}" | sed 's/#.*//' | tr -s ' \t' '\n' | grep -v '^$' | sort -u)
# `command:CMD=PACKAGE` wants PACKAGE only when no CMD is on the PATH (from whatever package).
wanted=()
for w in "${words[@]}"; do
  if [[ $w =~ ^command:([^=]+)=(.+)$ ]]; then
    command -v "${BASH_REMATCH[1]}" >/dev/null || wanted+=("${BASH_REMATCH[2]}")
  else
    wanted+=("$w")
  fi
done
# A wanted name also counts as present when an installed package Provides it (e.g. npm is
# provided by nodesource's nodejs, which conflicts with Debian's npm package).
mapfile -t provided < <(dpkg-query -W -f='${db:Status-Abbrev}|${Provides}\n' 2>/dev/null |
  awk -F'|' '$1 ~ /^ii/ { print $2 }' | tr ',' '\n' | sed 's/(.*)//; s/[[:space:]]//g' | grep -v '^$' | sort -u)
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" && continue
  printf '%s\n' "${provided[@]}" | grep -qx -- "$p" && continue
  missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#wanted[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
