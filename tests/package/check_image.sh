#!/usr/bin/env bash
# Checks a built jobtrail image without running a container (these machines cannot): mounts the
# image's filesystem read-only, runs each binary's --help/--version in a chroot of it (so the
# image's own libraries are used), and checks the config: non-root user, OCI labels, no compilers;
# then the image's sidecar records a small job in a chroot of the image (real eBPF) and the
# image's CLI verifies the archive.
#   check_image.sh [IMAGE]     (default localhost/jobtrail:<version>); needs root and podman
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
version=$("$src/scripts/project-version.sh")
image=${1:-localhost/jobtrail:$version}
fail() { echo "FAIL: $*"; exit 1; }
podman image exists "$image" || fail "no image $image (build it with scripts/build-image.sh)"
user=$(podman image inspect --format '{{.Config.User}}' "$image")
[[ -n $user && ${user%%:*} != 0 && ${user%%:*} != root ]] || fail "default user is root ($user)"
echo "ok   default user $user"
for l in title description version revision licenses; do
  v=$(podman image inspect --format "{{index .Labels \"org.opencontainers.image.$l\"}}" "$image")
  [[ -n $v && $v != "<no value>" ]] || fail "label org.opencontainers.image.$l missing"
  echo "ok   org.opencontainers.image.$l=$v"
done
echo "ok   size $(podman image inspect --format '{{.Size}}' "$image" | numfmt --to=iec)"
root=$(podman image mount "$image")
trap 'podman image unmount "$image" >/dev/null' EXIT
for tool in gcc g++ cc c++ clang cpp ld as make cmake; do
  [[ ! -e $root/usr/bin/$tool ]] || fail "image contains /usr/bin/$tool"
done
[[ ! -d $root/usr/include/linux ]] || fail "image contains kernel headers"
echo "ok   no compilers, no headers"
for b in jobtrail-sidecar jobtrail-webhook jobtrail; do
  [[ -x $root/usr/local/bin/$b ]] || fail "$b missing"
  v=$(chroot --userspec=65532:65532 "$root" /usr/local/bin/$b --version 2>&1) || fail "$b --version in the image: $(head -1 <<<"$v")"
  [[ $v == *"$version"* ]] || fail "$b --version says '$v', not the project version $version"
  echo "ok   $b --version: $v"
  for flag in --help; do
    out=$(chroot --userspec=65532:65532 "$root" /usr/local/bin/$b $flag 2>&1) || fail "$b $flag in the image: $(head -3 <<<"$out")"
    echo "ok   $b $flag: $(head -1 <<<"$out")"
  done
done
# The image's sidecar, with the image's libbpf, loads its embedded BPF programs and records a
# small job; the image's CLI verifies the archive. In a private mount namespace: /sys, /proc,
# /dev of the host and a tmpfs on the image's /tmp (the image's files stay read-only).
trail_check=$(unshare -m --propagation private sh -c '
  r=$1
  mount --rbind /sys "$r/sys" && mount -t proc proc "$r/proc" && mount --rbind /dev "$r/dev" && mount -t tmpfs tmpfs "$r/tmp" || exit 3
  chroot "$r" /usr/local/bin/jobtrail-sidecar record --out /tmp/trail -- /bin/sh -c "ls / >/dev/null" >/dev/null 2>"$r/tmp/err" \
    || { echo "sidecar record failed: $(tail -3 "$r/tmp/err")"; exit 1; }
  chroot "$r" /usr/local/bin/jobtrail verify /tmp/trail || exit 1
  chroot "$r" /usr/local/bin/jobtrail show --json /tmp/trail | grep -c "\"process_exec\""' sh "$root" 2>&1) \
  || fail "recording a job with the image's binaries: $trail_check"
execs=$(tail -1 <<<"$trail_check")
[[ $execs -ge 2 ]] || fail "the image's sidecar recorded $execs execs of sh and ls, want 2: $trail_check"
echo "ok   the image's sidecar recorded a job ($execs execs), the image's CLI verified it: $(head -1 <<<"$trail_check")"
echo "image $image passed"
