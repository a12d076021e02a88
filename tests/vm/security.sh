#!/bin/sh
# The escape probe (tests/probe) on a pure cgroup v2 kernel, run by the VM's init after the limit
# tests. There is no devices controller on cgroup v2: only vessel's eBPF device program stands
# between the container and a mknod'ed /dev/mem, so these tests prove that program for real
# (docs/masked-paths-and-devices.md). busybox sh only; the last line is "vm-result: ...".
. /opt/vessel/lib.sh
V=/opt/vessel/bin/vessel
IMG=/opt/vessel/image
passed=0
failed=0
skipped=0
n=0

# skip REASON: ends the test as skipped (it then counts neither as passed nor as failed).
skip() {
  echo "$*" >/tmp/skip-reason
  exit 77
}

check() {
  n=$((n + 1))
  R=/run/vessel-security-$n
  mkdir -p "$R"
  rm -f /tmp/skip-reason
  run_guarded "$1"
  rc=$?
  if [ "$rc" = 77 ] && [ -f /tmp/skip-reason ]; then
    skipped=$((skipped + 1))
    echo "ok $n - $2 # SKIP $(cat /tmp/skip-reason)"
  elif [ "$rc" = 0 ]; then
    passed=$((passed + 1))
    echo "ok $n - $2"
  else
    failed=$((failed + 1))
    echo "not ok $n - $2"
    sed 's/^/#   /' /tmp/out
  fi
}

t_defaults() {
  $V --root "$R" run --network none --rm "$IMG" probe --expect default >/tmp/o 2>&1 || { cat /tmp/o; return 1; }
  # mknod succeeds, so the EPERM on open is the device program's, not mknod's.
  grep -q "ok   mknod c 1:1 " /tmp/o
  grep -q "ok   open mknod'ed /dev/mem (c 1:1)     refused with EPERM" /tmp/o
  # /dev/mem's driver refuses without CAP_SYS_RAWIO anyway; /dev/fuse only the program refuses.
  grep -q "ok   mknod c 10:229 " /tmp/o
  grep -q "ok   open mknod'ed /dev/fuse (c 10:229) refused with EPERM" /tmp/o
  grep -q "ok   Seccomp " /tmp/o
}

t_privileged() {
  # The same probe fails under --privileged: the program allows every device then.
  if $V --root "$R" run --network none --rm --privileged "$IMG" probe --expect default >/tmp/o 2>&1; then
    cat /tmp/o
    return 1
  fi
  grep -q "FAIL open mknod'ed /dev/mem" /tmp/o
  grep -q "FAIL open mknod'ed /dev/fuse" /tmp/o
  grep -q "FAIL mount " /tmp/o
}

t_attached() {
  # The program is attached to the container's cgroup2 directory while it runs, and the cgroup
  # (with its program) is gone afterwards.
  out=$($V --root "$R" run --network none --rm --explain "$IMG" true 2>&1)
  echo "$out" | grep -q 'bpf(BPF_PROG_LOAD, {BPF_PROG_TYPE_CGROUP_DEVICE'
  echo "$out" | grep -q 'bpf(BPF_PROG_ATTACH, {cgroup="/sys/fs/cgroup/vessel-$ID", BPF_CGROUP_DEVICE'
  echo "$out" | refute grep -q 'devices.allow'
  [ -z "$(ls -d /sys/fs/cgroup/vessel-* 2>/dev/null)" ]
}

t_device_flag() {
  # A device outside the default rules: readable with :r, writing refused by the program.
  [ -e /dev/cpu_dma_latency ] || skip "this kernel has no /dev/cpu_dma_latency"
  rc=0
  out=$($V --root "$R" run --network none --rm --device /dev/cpu_dma_latency:/dev/lat:r "$IMG" \
    sh -c 'head -c 4 /dev/lat | wc -c; : > /dev/lat' 2>&1) || rc=$?
  echo "$out"
  [ "$rc" = 1 ]
  [ "$out" = "4
sh: can't create /dev/lat: Operation not permitted" ]
  # Without the flag, not even reading: mknod works, the program refuses the open.
  major=$((0x$(stat -c %t /dev/cpu_dma_latency)))
  minor=$((0x$(stat -c %T /dev/cpu_dma_latency)))
  rc=0
  out=$($V --root "$R" run --network none --rm "$IMG" sh -c "mknod /tmp/lat c $major $minor && echo made; head -c 4 /tmp/lat" 2>&1) || rc=$?
  echo "$out"
  [ "$rc" = 1 ]
  [ "$out" = "made
head: /tmp/lat: Operation not permitted" ]
}

check t_defaults "defaults: the probe's escape attempts are refused; /dev/mem by the eBPF program alone"
check t_privileged "--privileged: the same probe fails"
check t_attached "the device program is loaded, attached to the cgroup2 dir, and goes with it"
check t_device_flag "--device ...:r: readable, writing refused by the program; without it, not even that"
echo "vm-result: $passed passed, $failed failed, $skipped skipped"
