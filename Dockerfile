# jobtrail image: jobtrail-sidecar, jobtrail-webhook and the jobtrail CLI on Debian 12.
# Build: scripts/build-image.sh (podman or docker). See docs/install.md.
ARG DEBIAN_IMAGE=docker.io/library/debian:bookworm-slim

# ---- build stage: Debian build dependencies, CMake Release build of the three binaries ----
FROM ${DEBIAN_IMAGE} AS build
# The dependency layer depends only on the package list, so source edits reuse it.
COPY scripts/install-deps.sh /src/scripts/install-deps.sh
COPY scripts/deps/build.txt /src/scripts/deps/build.txt
RUN /src/scripts/install-deps.sh build && rm -rf /var/lib/apt/lists/*
COPY . /src
# vmlinux.h is generated from kernel BTF (types only; CO-RE relocates at load time, so any
# recent kernel's BTF serves every node). The builder's /sys/kernel/btf/vmlinux is used when
# the build sandbox shows it (podman --isolation=chroot does); otherwise put a BTF file at
# ./vmlinux.btf in the build context (scripts/build-image.sh --btf FILE does that).
RUN set -eu; \
    btf=/sys/kernel/btf/vmlinux; \
    if [ -f /src/vmlinux.btf ]; then btf=/src/vmlinux.btf; fi; \
    if [ ! -r "$btf" ]; then echo "no kernel BTF: pass scripts/build-image.sh --btf FILE" >&2; exit 1; fi; \
    cmake -S /src -B /build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DJOBTRAIL_VMLINUX_BTF="$btf"; \
    cmake --build /build -j"$(nproc)" --target jobtrail-sidecar jobtrail-webhook jobtrail; \
    install -D -s -m 0755 -t /out/usr/local/bin \
      /build/sidecar/jobtrail-sidecar /build/webhook/jobtrail-webhook /build/cli/jobtrail; \
    /src/scripts/image/runtime-packages.sh /out/usr/local/bin/* > /out/runtime-packages.txt; \
    cat /out/runtime-packages.txt

# ---- runtime stage: only the shared libraries the binaries link, CA certificates, no compilers ----
FROM ${DEBIAN_IMAGE}
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="jobtrail" \
      org.opencontainers.image.description="Per-job audit trails for GitHub Actions runners on Kubernetes (eBPF sidecar, admission webhook, CLI)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="docker.io/library/debian:bookworm-slim"
COPY --from=build /out/runtime-packages.txt /usr/share/jobtrail/runtime-packages.txt
RUN set -eu; \
    apt-get update -qq; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      ca-certificates $(cat /usr/share/jobtrail/runtime-packages.txt) >/dev/null; \
    rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin; \
    echo "jobtrail:x:65532:65532:jobtrail:/nonexistent:/usr/sbin/nologin" >> /etc/passwd; \
    echo "jobtrail:x:65532:" >> /etc/group
COPY --from=build /out/usr/local/bin/ /usr/local/bin/
# Non-root by default (the webhook and CLI need nothing more); the injected sidecar runs as
# root through its own securityContext because loading BPF programs needs it.
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/jobtrail-webhook"]
