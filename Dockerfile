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
# The build step lives in a script so tests/package can run the very same commands in a clean
# folder (CI cannot afford a full image build). vmlinux.h comes from the builder's
# /sys/kernel/btf/vmlinux when the build sandbox shows it (podman --isolation=chroot does), else
# from ./vmlinux.btf in the context (scripts/build-image.sh --btf FILE puts it there).
RUN /src/scripts/image/build-binaries.sh /src /build /out

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
