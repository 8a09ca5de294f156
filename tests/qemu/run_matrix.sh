#!/usr/bin/env bash
# The kernel matrix: boots each supported node kernel (Debian's cloud kernels) under QEMU with
# an initramfs of the given sidecar and CLI, runs the smoke set in it (tests/qemu/init) and
# reports per kernel and family. Exits non-zero when any kernel fails.
# usage: run_matrix.sh SIDECAR CLI [KERNEL...]   KERNEL: 5.10 6.1 6.12 (default: all)
# JOBTRAIL_KERNEL_CACHE: where the kernels are kept (default /var/cache/jobtrail-kernels).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sidecar=$1 cli=$2
shift 2
kernels=("$@")
[[ ${#kernels[@]} -gt 0 ]] || kernels=(5.10 6.1 6.12)
cache=${JOBTRAIL_KERNEL_CACHE:-/var/cache/jobtrail-kernels}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Kernel -> Debian suite and the package naming it (a meta package: the newest build of the suite).
suite_of() { case $1 in 5.10) echo bullseye ;; 6.1) echo bookworm ;; 6.12) echo bookworm-backports ;; *) return 1 ;; esac; }
# Families a kernel is known not to offer (docs/install.md): reported missing, not failed.
# Every supported kernel offers every family today.
missing_on() { :; }
package_of() { echo linux-image-cloud-amd64; }

add_apt_suites() { # an apt sources entry for the suites, on the mirror apt already uses
  local list=/etc/apt/sources.list.d/jobtrail-kernels.sources
  [[ -f $list ]] && return 0
  local mirror
  mirror=$(grep -hoE 'https?://[^ ]+/debian/?' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null |
    grep -v security | head -n1)
  printf 'Types: deb\nURIs: %s\nSuites: bullseye bookworm bookworm-backports\nComponents: main\nSigned-By: %s\n' \
    "${mirror:-http://deb.debian.org/debian}" /usr/share/keyrings/debian-archive-keyring.gpg >"$list"
  apt-get update -q >/dev/null
}

vmlinuz_of() { # KERNEL: path of its vmlinuz in the cache, downloading it once
  local suite meta pkg
  suite=$(suite_of "$1") meta=$(package_of "$1")
  mkdir -p "$cache"
  depends() { apt-cache depends "$1" 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}'; }
  pkg=$(depends "$meta/$suite")
  if [[ -z $pkg ]]; then
    add_apt_suites
    pkg=$(depends "$meta/$suite")
  fi
  [[ -n $pkg ]] || { echo "kernel-matrix: no $meta in $suite" >&2; return 1; }
  local release=${pkg#linux-image-}
  if [[ ! -f $cache/vmlinuz-$release ]]; then
    (cd "$work" && apt-get download -q "$pkg/$suite" >/dev/null 2>&1 || apt-get download -q "$pkg" >/dev/null)
    dpkg-deb -x "$work"/linux-image-*.deb "$work/x"
    cp "$work/x/boot/vmlinuz-$release" "$cache/"
    rm -rf "$work/x" "$work"/linux-image-*.deb
  fi
  echo "$cache/vmlinuz-$release"
}

boot() { # VMLINUZ OUT: one boot, results on the second serial port
  rm -f "$2.console" "$2"
  # -cpu qemu64: with Haswell, TCG here corrupted 6.12's slab freelists (oopses in early boot or
  # minutes in, before any BPF was loaded: 4 of 5 boots); qemu64 booted cleanly
  timeout 900 qemu-system-x86_64 -accel tcg -cpu "${JOBTRAIL_QEMU_CPU:-qemu64}" -m 1G -smp 1 -display none -no-reboot -monitor none \
    -kernel "$1" -initrd "$work/initrd.gz" -append 'console=ttyS0 panic=-1 quiet' \
    -serial "file:$2.console" -serial "file:$2" 2>/dev/null || true
}

"$here/build_initramfs.sh" "$work/initrd.gz" "$sidecar" "$cli"
status=0
summaries=()
for k in "${kernels[@]}"; do
  start=$SECONDS
  vmlinuz=$(vmlinuz_of "$k")
  out=$work/results-$k.log
  # TCG now and then faults in early boot (nothing printed) or oopses later in slab code (seen
  # twice in a row on 6.12, before /init printed anything): up to two more boots, each said in
  # the log; a crash our programs cause would crash every boot.
  for attempt in 1 2 3; do
    boot "$vmlinuz" "$out"
    if grep -q '^JT-KERNEL' "$out" 2>/dev/null &&
      { grep -q '^JT-DONE' "$out" || ! grep -qE 'Oops|Kernel panic' "$out.console"; }; then
      break
    fi
    echo "kernel-matrix: $k boot $attempt crashed or printed nothing ($(grep -m1 -oE 'Oops.*|Kernel panic.*|RIP: .*' "$out.console" || echo 'no output'))"
  done
  echo "== kernel $k ($(basename "$vmlinuz")) =="
  if ! python3 "$here/check_guest.py" "$out" $(missing_on "$k") | tee "$work/check-$k.txt"; then
    status=1
    echo "-- guest console (last lines) --"
    tail -n 20 "$out.console" 2>/dev/null || true
    echo "-- sidecar log --"
    sed -n '/^JT-BEGIN smoke$/,/^JT-END smoke$/p' "$out" | grep -v '^[^a-zA-Z\[]' | grep -iE 'error|fail|warn|kernel' | head -n 20 || true
  fi
  summaries+=("$k $((SECONDS - start))s $(grep '^JT-SUMMARY' "$work/check-$k.txt" | cut -c12-)")
done
echo "== kernel matrix =="
for s in "${summaries[@]}"; do
  python3 - "$s" <<'PY'
import json, sys
k, secs, js = sys.argv[1].split(" ", 2)
s = json.loads(js) if js.strip() else {"families": {}}
fam = " ".join(f"{f}:{'ok' if v else 'FAIL'}" for f, v in s["families"].items())
ns = s.get("bpf_ns_per_exec")
print(f"{k:5} {s.get('kernel', '?'):32} {fam}  bpf/exec={ns if ns is not None else '?'} ns  ({secs})")
PY
done
exit $status
