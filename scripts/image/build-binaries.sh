#!/usr/bin/env bash
# The image's build step (Dockerfile, build stage), also run by tests/package in a clean folder:
# CMake Release build of the three binaries, stripped into OUT/usr/local/bin, and the list of
# Debian packages holding their shared libraries in OUT/runtime-packages.txt.
#   build-binaries.sh SRC BUILD OUT [extra cmake args...]
# vmlinux.h needs kernel BTF (types only; CO-RE relocates at load time, so any recent kernel's
# BTF serves every node): SRC/vmlinux.btf when present, else /sys/kernel/btf/vmlinux.
set -euo pipefail
src=$1 build=$2 out=$3; shift 3
btf=/sys/kernel/btf/vmlinux
[[ -f $src/vmlinux.btf ]] && btf=$src/vmlinux.btf
if [[ ! -r $btf ]]; then
  echo "build-binaries: no kernel BTF at /sys/kernel/btf/vmlinux; pass scripts/build-image.sh --btf FILE" >&2
  exit 1
fi
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DJOBTRAIL_VMLINUX_BTF="$btf" "$@" >/dev/null
cmake --build "$build" -j"$(nproc)" --target jobtrail-sidecar jobtrail-webhook jobtrail
install -D -s -m 0755 -t "$out/usr/local/bin" \
  "$build/sidecar/jobtrail-sidecar" "$build/webhook/jobtrail-webhook" "$build/cli/jobtrail"
"$src/scripts/image/runtime-packages.sh" "$out"/usr/local/bin/* > "$out/runtime-packages.txt"
echo "build-binaries: runtime packages: $(tr '\n' ' ' < "$out/runtime-packages.txt")"
