#!/usr/bin/env bash
# The image's build steps in a clean folder (a full podman build takes longer than CI can give;
# see docs/install.md for the real build and its timing):
#   1. the build context, exactly as .dockerignore selects it, copied to a clean folder;
#   2. the Dockerfile's build step (scripts/image/build-binaries.sh) run there: CMake Release;
#   3. the runtime package list: only shared-library packages, no compilers or -dev packages;
#   4. each binary runs --help and --version.
# JOBTRAIL_IMAGE_BINARIES=DIR keeps the three stripped binaries there (scripts/test.sh boots them
# in the kernel matrix).
# Also checks the Dockerfile itself: two stages from debian:bookworm-slim, the same build script,
# OCI labels, a non-root default user.
set -euo pipefail
src=${JOBTRAIL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
work=$(mktemp -d /tmp/jobtrail-image-steps.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
version=$("$src/scripts/project-version.sh")

echo "== Dockerfile"
df=$src/Dockerfile
[[ $(grep -c '^FROM \${DEBIAN_IMAGE}' "$df") -eq 2 ]] || fail "expected two stages FROM \${DEBIAN_IMAGE}"
grep -q '^ARG DEBIAN_IMAGE=docker.io/library/debian:bookworm-slim$' "$df" || fail "base is not debian:bookworm-slim"
grep -q '^RUN /src/scripts/image/build-binaries.sh /src /build /out$' "$df" || fail "build step is not build-binaries.sh"
grep -q '^RUN /src/scripts/install-deps.sh build' "$df" || fail "build deps not from install-deps.sh build"
for l in title description version revision licenses; do
  grep -q "org.opencontainers.image.$l=" "$df" || fail "OCI label $l missing"
done
user=$(awk '$1 == "USER" { u = $2 } END { print u }' "$df")
[[ -n $user && ${user%%:*} != 0 && ${user%%:*} != root ]] || fail "default user is root ($user)"
echo "ok   two bookworm-slim stages, build via build-binaries.sh, OCI labels, USER $user"

echo "== build context per .dockerignore"
mapfile -t allowed < <(sed -n 's/^!\([^*]*\)$/\1/p' "$src/.dockerignore" | sed 's#/$##')
mkdir -p "$work/src"
for a in "${allowed[@]}"; do
  [[ -e $src/$a ]] && cp -r "$src/$a" "$work/src/$a"
done
# what .dockerignore excludes again below allowed folders
find "$work/src" \( -name '*.skel.h' -o -name '*.bpf.o' -o -name __pycache__ \) -prune -exec rm -rf {} +
echo "ok   context: ${allowed[*]} ($(du -sh "$work/src" | cut -f1))"
[[ ! -e $work/src/tests && ! -e $work/src/.git ]] || fail "context holds tests or .git"

echo "== build step in the clean folder (CMake Release, three targets)"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
start=$(date +%s)
"$work/src/scripts/image/build-binaries.sh" "$work/src" "$work/build" "$work/out" "${launcher[@]}" \
  > "$work/build.log" 2>&1 || { tail -40 "$work/build.log"; fail "build step failed"; }
echo "ok   built in $(( $(date +%s) - start )) s"
grep -q 'CMAKE_BUILD_TYPE:STRING=Release' "$work/build/CMakeCache.txt" || fail "not a Release build"

echo "== runtime packages"
pk=$work/out/runtime-packages.txt
cat "$pk"
[[ -s $pk ]] || fail "empty runtime package list"
grep -Eq '^libc6$' "$pk" || fail "libc6 missing from runtime list (ldd parsing broken?)"
if grep -Eq -- '-dev$|^(gcc|g\+\+|cpp|clang|llvm|binutils|build-essential|cmake)' "$pk"; then
  fail "runtime list holds build tools or -dev packages"
fi
echo "ok   $(wc -l < "$pk") library packages, no compilers, no -dev"

echo "== binaries"
for b in jobtrail-sidecar jobtrail-webhook jobtrail; do
  bin=$work/out/usr/local/bin/$b
  [[ -x $bin ]] || fail "$b not installed"
  file "$bin" 2>/dev/null | grep -q 'not stripped' && fail "$b not stripped"
  v=$("$bin" --version 2>&1) || fail "$b --version exited non-zero: $(head -1 <<<"$v")"
  [[ $v == *"$version"* ]] || fail "$b --version says '$v', not the project version $version"
  echo "ok   $b --version: $v"
  for flag in --help; do
    if ! out=$("$bin" $flag 2>&1); then
      fail "$b $flag exited non-zero: $(head -3 <<<"$out")"
    fi
    echo "ok   $b $flag: $(head -1 <<<"$out")"
  done
done
if [[ -n ${JOBTRAIL_IMAGE_BINARIES:-} ]]; then
  install -D -m 0755 -t "$JOBTRAIL_IMAGE_BINARIES" "$work"/out/usr/local/bin/*
  echo "ok   binaries kept in $JOBTRAIL_IMAGE_BINARIES"
fi
echo "image build steps passed"
