#!/usr/bin/env bash
# Proves vessel's cgroup v2 backend on a real, pure cgroup v2 kernel (docs/cgroups.md).
#
# This machine's cgroups are hybrid, so the v2 code paths cannot run here for real. This script
# boots Debian's stock kernel in qemu (TCG: no KVM needed) with `cgroup_no_v1=all`, from an
# initramfs that holds busybox, the built vessel with the libraries it links, the busybox test
# image with hog and the escape probe, tests/vm/limits.sh, which runs the same limit tests as
# tests/integration/limits.bats against the v2 backend, and tests/vm/security.sh, which runs
# the probe where only vessel's eBPF device program guards the devices; then powers the VM off.
#
#   tests/vm/run.sh        prints the VM's test output and "N passed, M failed"; exits non-zero
#                          on any failure, a crash or a timeout
#
# The kernel package is downloaded once (apt-get download; never installed) and cached in
# tests/vm/cache/, which git ignores. Environment: VESSEL_BIN, HOG, PROBE, IMAGE, VM_TIMEOUT (s).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
VESSEL_BIN=${VESSEL_BIN:-$repo/build/vessel}
HOG=${HOG:-$repo/build/tests/hog}
PROBE=${PROBE:-$repo/build/tests/vessel_probe}
IMAGE=${IMAGE:-$repo/rootfs/busybox}
VM_TIMEOUT=${VM_TIMEOUT:-240}
cache=$here/cache
busybox=/bin/busybox

fail() { echo "vm: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

for tool in qemu-system-x86_64 apt-get dpkg objcopy; do
  command -v "$tool" >/dev/null || fail "$tool is missing (apt-get install qemu-system-x86)"
done
[ -x "$VESSEL_BIN" ] || fail "no vessel binary at $VESSEL_BIN: build first"
[ -x "$HOG" ] || fail "no hog at $HOG: build the tests first"
[ -x "$PROBE" ] || fail "no probe at $PROBE: build the tests first"
[ -d "$IMAGE" ] || fail "no image at $IMAGE: run scripts/mkrootfs.sh"
if [ ! -x "$busybox" ] || ldd "$busybox" >/dev/null 2>&1; then
  fail "$busybox must be Debian's static busybox (apt-get install busybox-static)"
fi

# --- The kernel: Debian 12's stock 6.1, downloaded once --------------------------------------
mkdir -p "$cache"
kernel=$cache/vmlinuz
overlay_ko=$cache/overlay.ko
if [ ! -f "$kernel" ] || [ ! -f "$overlay_ko" ]; then
  newest() { apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' | awk '{print $1}' | sort -V | tail -1; }
  package=$(newest)
  if [ -z "$package" ]; then apt-get update -qq; package=$(newest); fi
  [ -n "$package" ] || fail "no linux-image-6.1.0-NN-amd64 package in apt's lists"
  echo "vm: downloading $package (once; cached in tests/vm/cache)"
  unpack=$(mktemp -d)
  trap 'rm -rf "$unpack"' EXIT
  # apt's sandbox user cannot write into a root-owned temp dir; download into one it can.
  chmod 755 "$unpack"
  # A stale package list may name a version the mirror no longer has: refresh once and retry.
  (cd "$unpack" && apt-get download -q "$package" >/dev/null 2>&1) ||
    { apt-get update -qq && package=$(newest) && (cd "$unpack" && apt-get download -q "$package" >/dev/null 2>&1); } ||
    fail "apt-get download $package failed"
  dpkg -x "$unpack"/*.deb "$unpack/x"
  cp "$unpack"/x/boot/vmlinuz-* "$kernel.tmp"
  cp "$(find "$unpack/x/lib/modules" -name overlay.ko | head -1)" "$overlay_ko"
  mv "$kernel.tmp" "$kernel"
  basename "$unpack"/*.deb >"$cache/package"
  rm -rf "$unpack"
  trap - EXIT
fi

# --- The initramfs ---------------------------------------------------------------------------
work=$(mktemp -d /tmp/vessel-vm.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,sbin,proc,sys,dev,run,tmp,newroot,lib/modules,opt/vessel/bin}
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
# Without its debug info (most of a RelWithDebInfo binary), which the VM would copy around.
objcopy --strip-debug "$VESSEL_BIN" "$root/opt/vessel/bin/vessel"
# vessel's shared libraries, at the paths its ELF interpreter looks for them: none for the
# default static build, glibc's for a build made another way.
for lib in $(ldd "$VESSEL_BIN" 2>/dev/null | grep -oE '/[^ ]+' || true); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
cp -a "$IMAGE" "$root/opt/vessel/image"
cp "$HOG" "$root/opt/vessel/image/bin/hog"
cp "$PROBE" "$root/opt/vessel/image/bin/probe"
cp "$overlay_ko" "$root/lib/modules/overlay.ko"
cp "$here/init" "$root/init"
cp "$here/limits.sh" "$root/opt/vessel/limits.sh"
cp "$here/security.sh" "$root/opt/vessel/security.sh"
cp "$here/lib.sh" "$root/opt/vessel/lib.sh"
chmod 755 "$root/init" "$root/opt/vessel/limits.sh" "$root/opt/vessel/security.sh"
# Uncompressed: decompressing under TCG costs more than reading a bigger file.
(cd "$root" && find . | "$busybox" cpio -o -H newc 2>/dev/null) >"$work/initrd"

# --- Boot ------------------------------------------------------------------------------------
echo "vm: booting $(cat "$cache/package" 2>/dev/null || echo the cached kernel) with cgroup_no_v1=all ($(du -h "$work/initrd" | cut -f1) initramfs)"
start=$(date +%s)
log=$work/console.log
status=0
timeout --foreground -k 5 "$VM_TIMEOUT" qemu-system-x86_64 \
  -accel tcg -smp 2 -m 1024 -nographic -no-reboot -nodefaults -serial stdio \
  -kernel "$kernel" -initrd "$work/initrd" \
  -append "console=ttyS0 panic=-1 cgroup_no_v1=all quiet loglevel=3" </dev/null >"$log" 2>&1 || status=$?
elapsed=$(( $(date +%s) - start ))
cp "$log" "$cache/console.log"  # the raw console of the last run, for a closer look
# The VM's console, less the kernel's and the firmware's own lines and escape sequences.
sed -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[a-zA-Z]//g' -e 's/\x1bc//g' "$log" |
  grep -vE '^\[ *[0-9]+\.[0-9]+\]|^SeaBIOS|^Booting from|^$' || true
echo "vm: qemu ran ${elapsed} s"
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
  fail "timed out after ${VM_TIMEOUT} s"
fi
# One "vm-result: N passed, M failed[, K skipped]" line per test script: add them up.
results=$(tr -d '\r' <"$log" |
  sed -nE 's/^vm-result: ([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?$/\1 \2 \4/p')
[ "$(echo "$results" | grep -c .)" -eq 2 ] ||
  fail "the VM ended without a result from each test script (qemu exit status $status)"
result=$(echo "$results" | awk '{ p += $1; f += $2; s += $3 }
  END { printf "%d passed, %d failed", p, f; if (s) printf ", %d skipped", s }')
echo "$result"
[[ "$result" =~ \ 0\ failed(,\ [0-9]+\ skipped)?$ ]]
