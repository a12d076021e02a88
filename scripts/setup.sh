#!/usr/bin/env bash
# Sets vessel up on a Debian 12 machine (as root): installs the packages it builds with,
# builds build/vessel, and builds the default image rootfs/busybox. Idempotent; a second run
# only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

# Build and run-time dependencies: the compiler and CMake, and the five libraries vessel uses
# (libseccomp, libcap, nlohmann/json, CLI11, spdlog), plus busybox-static for the image.
packages=(g++ cmake make pkg-config libseccomp-dev libcap-dev nlohmann-json3-dev libcli11-dev
          libspdlog-dev libfmt-dev libgtest-dev busybox-static)
source scripts/lib/apt.sh
apt_install "${packages[@]}"

build_type=${BUILD_TYPE:-MinSizeRel}
cmake -S . -B build -DCMAKE_BUILD_TYPE="$build_type" >/dev/null
cmake --build build -j"$(nproc)" --target vessel
scripts/mkrootfs.sh
echo "setup: build/vessel and rootfs/busybox are ready. Try: build/vessel run --rm -it rootfs/busybox sh"
