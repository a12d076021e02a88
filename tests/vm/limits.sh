#!/bin/sh
# The limit tests of tests/integration/limits.bats, on the cgroup v2 backend, run by the VM's
# init (tests/vm/init). busybox sh only. Each test runs in a subshell with `set -e`; its output
# is shown when it fails. The last line is "vm-result: N passed, M failed" for tests/vm/run.sh.
. /opt/vessel/lib.sh
V=/opt/vessel/bin/vessel
IMG=/opt/vessel/image
CG=/sys/fs/cgroup
passed=0
failed=0
n=0

# The id of the only container in state root $1 (waits up to 10 s for it to appear).
only_id() {
  for _ in $(seq 200); do
    for d in "$1"/*; do
      [ -f "$d/state.json" ] && { basename "$d"; return 0; }
    done
    sleep 0.05
  done
  return 1
}

wait_running() {
  for _ in $(seq 200); do
    grep -q '"status": "running"' "$1/$2/state.json" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "container $2 did not start"
  return 1
}

wait_gone() {
  for _ in $(seq 200); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.05; done
  return 1
}

# Whether a line of /tmp/o holds every one of the fixed strings given.
has() {
  lines=$(cat /tmp/o)
  for text in "$@"; do lines=$(echo "$lines" | grep -F -- "$text") || { echo "missing: $*"; return 1; }; done
}

pid_of() { sed -nE 's/^  "pid": ([0-9]+),$/\1/p' "$1/$2/state.json"; }

# A line to show under the test's "ok" too (a measurement).
note() { echo "$*" >>/tmp/note; }

check() {
  n=$((n + 1))
  R=/run/vessel-test-$n
  mkdir -p "$R"
  rm -f /tmp/note
  if run_guarded "$1"; then
    passed=$((passed + 1))
    echo "ok $n - $2"
    [ -f /tmp/note ] && sed 's/^/#   /' /tmp/note
  else
    failed=$((failed + 1))
    echo "not ok $n - $2"
    sed 's/^/#   /' /tmp/out
  fi
}

t_oom() {
  rc=0
  $V --root "$R" run --network none -m 32m "$IMG" hog mem 100 >/tmp/o 2>&1 || rc=$?
  cat /tmp/o
  [ "$rc" = 137 ]
  refute grep -q "touched 100 MiB" /tmp/o
  grep -q "reached its memory limit (32MiB)" /tmp/o
  id=$(only_id "$R")
  grep -q '"oom_killed": true' "$R/$id/state.json"
  grep -q '"exit_code": 137' "$R/$id/state.json"
  [ ! -e "$CG/vessel-$id" ]
}

t_no_oom() {
  out=$($V --root "$R" run --network none -m 256m "$IMG" hog mem 100)
  [ "$out" = "touched 100 MiB" ]
  id=$(only_id "$R")
  grep -q '"oom_killed": false' "$R/$id/state.json"
}

t_child_oom() {
  out=$($V --root "$R" run --network none --rm -m 32m "$IMG" sh -c 'hog mem 100; echo "hog ended with $?"' 2>&1)
  echo "$out"
  echo "$out" | grep -q "hog ended with 137"
  echo "$out" | grep -q "OOM killer"
}

t_pids() {
  rc=0
  out=$($V --root "$R" run --network none --rm --pids-limit 20 "$IMG" hog fork 100) || rc=$?
  echo "$out"
  [ "$rc" = 1 ]
  echo "$out" | grep -qx "forked 19 of 100"
  echo "$out" | grep -qx "fork: Resource temporarily unavailable"
  [ "$($V --root "$R" run --network none --rm "$IMG" hog fork 100 | head -1)" = "forked 100 of 100" ]
}

t_host_unaffected() {
  $V --root "$R" run --network none --pids-limit 20 "$IMG" hog fork 100 60 >/dev/null 2>&1 &
  runner=$!
  id=$(only_id "$R")
  wait_running "$R" "$id"
  dir=$CG/vessel-$id
  for _ in $(seq 200); do [ "$(cat "$dir/pids.current")" -ge 20 ] && break; sleep 0.05; done
  [ "$(cat "$dir/pids.current")" = 20 ]
  [ "$(cat "$dir/pids.max")" = 20 ]
  refused=$(awk '/max/ {print $2}' "$dir/pids.events")
  # While it presses against its limit, one more process in it is refused (on cgroup v2, exec's
  # clone3 into the full cgroup)...
  rc=0
  out=$($V --root "$R" exec "$id" true 2>&1) || rc=$?
  echo "exec: $rc $out"
  [ "$rc" = 125 ]
  [ "$out" = "vessel: error: cannot create the container process (clone3): Resource temporarily unavailable" ]
  # ...while a sibling container without a limit forks 100 children, and the host forks freely.
  [ "$($V --root "$R" run --network none --rm "$IMG" hog fork 100 | head -1)" = "forked 100 of 100" ]
  for i in $(seq 30); do x=$(/bin/busybox echo "$i"); [ "$x" = "$i" ]; done
  # All the while the container was still at its limit, and still being refused.
  [ "$(cat "$dir/pids.current")" = 20 ]
  [ "$(awk '/max/ {print $2}' "$dir/pids.events")" -gt "$refused" ]
  kill -KILL "$(pid_of "$R" "$id")"
  rc=0; wait "$runner" || rc=$?
  [ "$rc" = 137 ]
  [ ! -e "$dir" ]
}

t_cpus() {
  out=$($V --root "$R" run --network none --rm --cpus 0.2 "$IMG" hog spin 3)
  note "$out"
  echo "$out" | awk '{ r = $2 / $5; exit !(r >= 0.1 && r <= 0.35) }'
}

t_view() {
  $V --root "$R" run --network none --rm -m 64m --memory-swap 96m --cpus 0.5 --cpu-shares 512 --cpuset-cpus 0 \
    --pids-limit 50 "$IMG" sh -c '
      cd /sys/fs/cgroup
      cat /proc/self/cgroup memory.max memory.swap.max cpu.max cpu.weight cpuset.cpus pids.max
      mkdir escape 2>&1; { echo 1 > pids.max; } 2>&1
      grep " /sys/fs/cgroup " /proc/mounts' >/tmp/o
  cat /tmp/o
  [ "$(sed -n 1p /tmp/o)" = "0::/" ]
  [ "$(sed -n 2p /tmp/o)" = 67108864 ]
  [ "$(sed -n 3p /tmp/o)" = 33554432 ]
  [ "$(sed -n 4p /tmp/o)" = "50000 100000" ]
  [ "$(sed -n 5p /tmp/o)" = 20 ]
  [ "$(sed -n 6p /tmp/o)" = 0 ]
  [ "$(sed -n 7p /tmp/o)" = 50 ]
  sed -n 8p /tmp/o | grep -q "Read-only file system"
  sed -n 9p /tmp/o | grep -q "Read-only file system"
  sed -n 10p /tmp/o | grep -q "^cgroup /sys/fs/cgroup cgroup2 ro,"
}

t_explain() {
  # An earlier test left the controllers enabled at the root; take them back (this is the VM's
  # own tree and no cgroup uses them now), so that this start has to offer them again.
  echo "-cpuset -cpu -io -memory -pids" >"$CG/cgroup.subtree_control"
  $V --root "$R" run --network none --rm --explain -m 32m --cpus 0.5 --cpu-shares 512 --pids-limit 100 "$IMG" true >/tmp/o 2>&1
  grep -E "cgroups.md|clone3" /tmp/o | sed -E 's/^ *[0-9.]+ms //' >/tmp/note || true
  has 'statfs("/sys/fs/cgroup") = 0' "cgroup layout: unified"
  has 'write("/sys/fs/cgroup/cgroup.subtree_control", "+cpuset +cpu +io +memory +pids")'
  has 'write("/sys/fs/cgroup/vessel-$ID/memory.max", "33554432") = 8' "# hard limit"
  has 'write("/sys/fs/cgroup/vessel-$ID/cpu.max", "50000 100000")' "# --cpus 0.5"
  has 'write("/sys/fs/cgroup/vessel-$ID/cpu.weight", "20")' "as runc maps it"
  has 'write("/sys/fs/cgroup/vessel-$ID/pids.max", "100")' "EAGAIN"
  has 'clone3({flags=' "CLONE_NEWCGROUP|CLONE_PIDFD|CLONE_INTO_CGROUP"
  has 'mount("cgroup", "rootfs/sys/fs/cgroup", "cgroup2", MS_RDONLY'
  has 'write("/sys/fs/cgroup/vessel-$ID/cgroup.kill", "1")'
  has 'rmdir("/sys/fs/cgroup/vessel-$ID") = 0'
  # Placed at birth: no cgroup.procs write, no unshare of the cgroup namespace.
  refute grep -q 'cgroup.procs' /tmp/o
  refute grep -q 'unshare(CLONE_NEWCGROUP)' /tmp/o
}

t_bad_input() {
  for bad in "-m -5m" "-m 1m" "--memory-swap 64m" "--cpus 1000" "--cpu-shares 1" "--cpuset-cpus 0-64"; do
    rc=0
    out=$($V --root "$R" run --network none --rm --explain $bad "$IMG" true 2>&1) || rc=$?
    echo "$bad -> $rc $out"
    [ "$rc" = 125 ]
    [ "$(echo "$out" | wc -l)" = 1 ]
  done
  [ -z "$(ls "$R")" ]
}

t_failed_start() {
  rc=0
  $V --root "$R" run --network none --rm --explain -m 64m "$IMG" no-such-command >/tmp/o 2>&1 || rc=$?
  [ "$rc" = 127 ]
  id=$(sed -nE 's/^ *ID=([0-9a-f]{64})$/\1/p' /tmp/o)
  [ -n "$id" ]
  grep -q "mkdir(\"/sys/fs/cgroup/vessel-\$ID\"" /tmp/o
  [ ! -e "$CG/vessel-$id" ]
}

t_stats() {
  $V --root "$R" run --network none --rm --name busy -m 64m --cpus 0.5 "$IMG" sh -c 'hog hold 20 60 & exec hog spin 60' >/dev/null &
  runner=$!
  id=$(only_id "$R")
  wait_running "$R" "$id"
  sleep 1
  $V --root "$R" stats --no-stream >/tmp/o
  cat /tmp/o >>/tmp/note
  [ "$(wc -l </tmp/o)" = 2 ]
  set -- $(sed -n 2p /tmp/o)
  [ "$2" = busy ]
  [ "$6" = 64MiB ]
  [ "$8" = 2 ]
  echo "$4" | awk '{ m = $0 + 0; exit !(m >= 18 && m <= 40) }'
  echo "$3" | awk '{ c = $0 + 0; exit !(c > 1 && c <= 60) }'
  kill -KILL "$(pid_of "$R" "$id")"
  wait "$runner" || true
}

t_update() {
  $V --root "$R" run --network none --name upd -m 32m "$IMG" sleep 1000 >/dev/null &
  runner=$!
  id=$(only_id "$R")
  wait_running "$R" "$id"
  dir=$CG/vessel-$id
  [ "$($V --root "$R" update -m 128m --pids-limit 100 --cpus 1 upd)" = upd ]
  [ "$(cat "$dir/memory.max")" = 134217728 ]
  [ "$(cat "$dir/memory.swap.max")" = 134217728 ]
  [ "$(cat "$dir/pids.max")" = 100 ]
  [ "$(cat "$dir/cpu.max")" = "100000 100000" ]
  rc=0; $V --root "$R" update -m 1m upd || rc=$?
  [ "$rc" = 125 ]
  [ "$(cat "$dir/memory.max")" = 134217728 ]
  kill -KILL "$(pid_of "$R" "$id")"
  wait "$runner" || true
  grep -q '"memory": 134217728' "$R/$id/state.json"
}

t_nothing_left() {
  # Every container removed its own cgroup.
  refute ls -d $CG/vessel-* 2>/dev/null
}

echo "vm: running the limit tests on the cgroup v2 backend"
start=$(cut -d' ' -f1 /proc/uptime)
check t_oom "--memory 32m: touching 100 MiB is OOM-killed, exit 137, OOMKilled recorded"
check t_no_oom "the same program under --memory 256m succeeds"
check t_child_oom "an OOM kill of a child is reported too"
check t_pids "a fork loop under --pids-limit 20 is refused with EAGAIN"
check t_host_unaffected "a container at its pids limit leaves the host and other containers unaffected"
check t_cpus "--cpus 0.2: a busy loop gets about 0.2 CPU-seconds per second"
check t_view "the container sees its own cgroup2, read-only, with its limits"
check t_explain "--explain shows each cgroup v2 write; clone3 places the child"
check t_bad_input "bad limits: one line, exit 125, nothing created"
check t_failed_start "a failed start removes its cgroup"
check t_stats "vessel stats reads the v2 counters"
check t_update "vessel update rewrites the v2 limits"
check t_nothing_left "no cgroup directory is left"
echo "vm: tests took $(awk -v s="$start" '{ printf "%.1f", $1 - s }' /proc/uptime) s"
echo "vm-result: $passed passed, $failed failed"
