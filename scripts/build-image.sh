#!/usr/bin/env bash
# Builds the jobtrail container image from the Dockerfile with podman (or docker).
#   scripts/build-image.sh [--tag IMAGE] [--btf FILE] [--push]
# --tag   image name (default localhost/jobtrail:<version>)
# --btf   kernel BTF file used for vmlinux.h when the build sandbox cannot see
#         /sys/kernel/btf/vmlinux (copied into the context as ./vmlinux.btf, removed after)
# --push  push IMAGE after building (needs a registry login)
# Environment: JOBTRAIL_IMAGE_TOOL=podman|docker (default: podman if installed).
# podman needs the base image locally or from a registry; on a machine without a registry,
# make it from Debian with debootstrap (docs/install.md, "Building the image offline").
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
version=$("$top/scripts/project-version.sh")
tag="localhost/jobtrail:$version"
btf=""
push=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --tag) tag=$2; shift 2 ;;
    --btf) btf=$2; shift 2 ;;
    --push) push=1; shift ;;
    *) echo "build-image: unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
tool=${JOBTRAIL_IMAGE_TOOL:-$(command -v podman >/dev/null && echo podman || echo docker)}
revision=$(git -C "$top" rev-parse HEAD 2>/dev/null || echo unknown)
args=(build --build-arg "VERSION=$version" --build-arg "REVISION=$revision" -t "$tag" -f "$top/Dockerfile")
if [[ $tool == podman ]]; then
  # chroot isolation works on hosts where running containers does not (no runc/crun setup),
  # and shows the host's /sys/kernel/btf/vmlinux to the build.
  args+=(--pull=never --isolation=chroot --network=host)
fi
if [[ -n $btf ]]; then
  [[ -r $btf ]] || { echo "build-image: cannot read BTF file $btf" >&2; exit 2; }
  cp "$btf" "$top/vmlinux.btf"
  trap 'rm -f "$top/vmlinux.btf"' EXIT
fi
start=$(date +%s)
"$tool" "${args[@]}" "$top"
echo "build-image: built $tag in $(( $(date +%s) - start )) s"
if [[ $push -eq 1 ]]; then
  "$tool" push "$tag"
fi
