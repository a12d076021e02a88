#!/usr/bin/env bash
# Sets vessel up on a Debian 12 machine (as root): installs the packages it builds with,
# builds build/vessel, and builds the default image rootfs/busybox. Idempotent; a second run
# only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

# Build and run-time dependencies: the compiler and CMake, and the libraries vessel uses
# (libseccomp, libcap, nlohmann/json, CLI11, spdlog; for images libarchive, libcrypto, libzstd and
# the static archives libarchive's writer reaches: liblzma, libbz2, libxml2, nettle, ICU), plus
# busybox-static for the image and zstd for scripts/mkimage.sh; libcurl for vessel-registry, the
# dynamically linked helper `vessel pull` spawns (docs/images.md); libnl-route-3 (static, in
# vessel) for links and addresses, libnftables for vessel-nft, the dynamically linked helper that
# writes vessel's firewall rules (docs/network.md).
packages=(g++ cmake make pkg-config libseccomp-dev libcap-dev nlohmann-json3-dev libcli11-dev
          libspdlog-dev libfmt-dev libgtest-dev busybox-static libarchive-dev libssl-dev
          libzstd-dev liblzma-dev libbz2-dev libxml2-dev nettle-dev libicu-dev zlib1g-dev zstd
          libcurl4-openssl-dev libnl-3-dev libnl-route-3-dev libnftables-dev)
source scripts/lib/apt.sh
apt_install "${packages[@]}"

build_type=${BUILD_TYPE:-MinSizeRel}
cmake -S . -B build -DCMAKE_BUILD_TYPE="$build_type" >/dev/null
cmake --build build -j"$(nproc)" --target vessel vessel-registry vessel-nft
scripts/mkrootfs.sh
# The same tree as the image `busybox` in the store (/var/lib/vessel, or $DATA_ROOT), so that
# `vessel run --rm -it busybox sh` works with no network. Reproducible: a second load finds its
# layer and only rewrites the record.
scripts/mkimage.sh -o build/busybox-image.tar \
  --config '{"Cmd":["sh"],"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}' \
  busybox:latest rootfs/busybox
build/vessel --data-root "${DATA_ROOT:-/var/lib/vessel}" load -q -i build/busybox-image.tar
echo "setup: build/vessel, rootfs/busybox and the image busybox are ready. Try: build/vessel run --rm -it busybox sh"
