#!/usr/bin/env bash
# Builds the kernel-matrix guest's initramfs: the sidecar and CLI given (debug info stripped),
# the shared libraries they and bpftool load (ldd), static busybox with its applets, the static
# loopback peers (netcheck.c), /init and the smoke job.
# usage: build_initramfs.sh OUT.cpio.gz SIDECAR CLI
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$1 sidecar=$2 cli=$3
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,tmp,etc,mnt,lib64}
copy_with_libs() { # BINARY NAME: the binary into /bin and its libraries at their own paths
  cp "$1" "$root/bin/$2"
  strip --strip-debug "$root/bin/$2" 2>/dev/null || true
  ldd "$1" 2>/dev/null | grep -o '/[^ ]*' | while read -r lib; do
    [[ -e $root$lib ]] && continue
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
}
copy_with_libs "$sidecar" jobtrail-sidecar
copy_with_libs "$cli" jobtrail
copy_with_libs "$(command -v bpftool)" bpftool
cp /bin/busybox "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do
  [[ -e $root/bin/$applet ]] || ln -s busybox "$root/bin/$applet"
done
cc -O2 -static -o "$root/bin/netcheck" "$here/netcheck.c"
install -m 0755 "$here/init" "$root/init"
install -m 0644 "$here/smoke-job.sh" "$root/smoke-job.sh"
echo 'root:x:0:0:root:/:/bin/sh' >"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
