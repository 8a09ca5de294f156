#!/usr/bin/env bash
# Checks a built jobtrail image without running a container (these machines cannot): mounts the
# image's filesystem read-only, runs each binary's --help/--version in a chroot of it (so the
# image's own libraries are used), and checks the config: non-root user, OCI labels, no compilers.
#   check_image.sh [IMAGE]     (default localhost/jobtrail:<version>); needs root and podman
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
version=$(sed -n 's/^project(jobtrail VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
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
echo "image $image passed"
