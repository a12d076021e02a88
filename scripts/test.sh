#!/usr/bin/env bash
# Runs every test of vessel (as root, on Debian 12): installs what the tests need, builds,
# runs the unit tests (also under ASan/UBSan) and the integration tests through ctest, and
# prints a summary. Exits non-zero when anything fails.
set -uo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

# The setup's image `busybox` goes to a data root of the run's own, not the machine's
# /var/lib/vessel: the tests leave nothing behind.
setup_data_root=$(mktemp -d /tmp/vessel-setup-data.XXXXXX)
trap 'rm -rf "$setup_data_root"' EXIT
DATA_ROOT=$setup_data_root scripts/setup.sh || { echo "test: setup failed"; exit 1; }
source scripts/lib/apt.sh
# bats runs the integration tests; jq reads state.json in them; util-linux's script gives -t a
# terminal; python3's pty module gives the window-resize tests a terminal they can resize;
# iproute2 and nftables (nft, to look at and reset vessel's table) for the network tests;
# qemu boots the cgroup v2 VM (tests/vm/run.sh), and
# binutils' objcopy slims the vessel binary it carries; clang and its libFuzzer runtime for the
# fuzz target; clang-format checks the layout of every source file; for the image tests
# (tests/integration/images*.bats) skopeo pushes and converts test images, docker-registry is
# the loopback registry, htpasswd (apache2-utils) its bcrypt users, openssl its certificate,
# curl waits for it; podman and containerd are the real engines that drive vessel-oci in
# tests/integration/engines-*.bats (each in private roots of its own; no service is started).
apt_install bats jq util-linux python3 iproute2 nftables procps qemu-system-x86 binutils clang libclang-rt-14-dev \
  clang-format skopeo docker-registry apache2-utils openssl curl podman containerd ||
  { echo "test: cannot install test packages"; exit 1; }

declare -A result
failed=0

step() {  # step NAME COMMAND...: runs a step, records PASS/FAIL
  local name=$1; shift
  echo "=== $name"
  if "$@"; then result[$name]=PASS; else result[$name]=FAIL; failed=1; fi
}

step build cmake --build build -j"$(nproc)"
# Every C and C++ file as .clang-format wants it (the files git knows, or all of them outside git).
format_check() {
  local files
  files=$(git ls-files '*.cpp' '*.hpp' '*.c' 2>/dev/null) ||
    files=$(find src include tests bench -name '*.cpp' -o -name '*.hpp' -o -name '*.c')
  # shellcheck disable=SC2086
  clang-format --dry-run -Werror $files
}
step clang-format format_check
# -LE bench: the benchmarks are run by hand (bench/, docs/performance.md), never timed here.
step "unit+integration (ctest)" ctest --test-dir build --output-on-failure -j1 -LE bench
# The unit tests again under AddressSanitizer and UndefinedBehaviorSanitizer.
asan() {
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DVESSEL_SANITIZE=ON >/dev/null &&
    cmake --build build-asan -j"$(nproc)" --target vessel_unit_tests &&
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 build-asan/tests/vessel_unit_tests
}
step "unit tests under ASan/UBSan" asan
# cgroup v2 for real: this machine is hybrid, so the v2 backend's limit tests run in a VM.
step "cgroup v2 VM (tests/vm)" tests/vm/run.sh
# The parsers of untrusted input under libFuzzer (clang, ASan/UBSan), briefly: FUZZ_SECONDS=20
# for the seccomp profile parser, 15 each for the image documents and the layer unpacker.
fuzz_target() {  # fuzz_target TARGET SECONDS MAX_LEN SEED_FILES...
  local target=$1 seconds=$2 max_len=$3; shift 3
  cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DVESSEL_FUZZ=ON -DVESSEL_TESTS=OFF >/dev/null &&
    cmake --build build-fuzz -j"$(nproc)" --target "$target" &&
    rm -rf "build-fuzz/corpus-$target" && mkdir -p "build-fuzz/corpus-$target" &&
    cp "$@" "build-fuzz/corpus-$target/" &&
    "build-fuzz/$target" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 \
      "build-fuzz/corpus-$target" >"build-fuzz/$target.log" 2>&1
  local rc=$?
  tail -3 "build-fuzz/$target.log"
  return $rc
}
step "fuzz: seccomp profile parser" fuzz_target seccomp_profile_fuzz "${FUZZ_SECONDS:-20}" 16384 \
  profiles/*.json tests/fuzz/seeds/*.json
step "fuzz: image documents" fuzz_target image_documents_fuzz 15 16384 tests/fuzz/seeds-image/*
step "fuzz: layer unpacker" fuzz_target image_unpack_fuzz 15 65536 tests/fuzz/seeds-layer/*
step "fuzz: config.json parser" fuzz_target oci_config_fuzz 15 16384 tests/fuzz/oci-seeds/*.json

echo
echo "=== summary ($(( $(date +%s) - start )) s)"
for name in "${!result[@]}"; do printf '  %-32s %s\n' "$name" "${result[$name]}"; done | sort
if [ "$failed" -ne 0 ]; then echo "FAILED"; exit 1; fi
echo "ALL PASSED"
