#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# Resource limits (issue 4): the kernel enforces what the flags ask for, on this host's cgroup
# layout (hybrid v1 here; tests/vm/ runs the same checks on a pure cgroup v2 kernel). Every
# test that loads a resource runs its load inside a container.

load helpers

HOG=${HOG:-$BATS_TEST_DIRNAME/../../build/tests/hog}

setup_file() {
  # The busybox image plus hog (tests/hog/hog.cpp), which uses memory, tasks or CPU on purpose.
  [ -x "$HOG" ] && [ -d "$IMAGE" ] || return 0
  export LIMITS_IMAGE=$BATS_FILE_TMPDIR/image
  cp -a "$IMAGE" "$LIMITS_IMAGE"
  cp "$HOG" "$LIMITS_IMAGE/bin/hog"
}

# helpers.bash's setup, after checking for hog.
eval "helpers_$(declare -f setup)"
setup() {
  [ -x "$HOG" ] || skip "build/tests/hog is missing: build the tests"
  helpers_setup
}

# The container's cgroup directory in the hierarchy of controller $2 (v1) as state.json records it.
cgroup_dir() { jq -r --arg c "$2" '.cgroup.paths[] | select(test("/" + $c + "/vessel-"))' "$ROOT/$1/state.json"; }

# Every cgroup directory of container $1 that still exists (empty when all are gone).
cgroup_dirs_of() { ls -d /sys/fs/cgroup/*/vessel-"$1" /sys/fs/cgroup/vessel-"$1" 2>/dev/null || true; }

@test "--memory 32m: a program touching 100 MiB is OOM-killed, exit 137, OOMKilled recorded" {
  run vessel run -m 32m "$LIMITS_IMAGE" hog mem 100
  [ "$status" -eq 137 ]
  [[ "$output" != *"touched 100 MiB"* ]]
  [[ "$output" =~ "reached its memory limit (32MiB)" ]]
  id=$(only_container_id)
  [ "$(state_of "$id" .oom_killed)" = true ]
  [ "$(state_of "$id" .exit_code)" = 137 ]
  [ "$(state_of "$id" .spec.resources.memory)" = 33554432 ]
  [ -z "$(cgroup_dirs_of "$id")" ]
}

@test "the same program under --memory 256m succeeds, and is not OOMKilled" {
  run vessel run -m 256m "$LIMITS_IMAGE" hog mem 100
  [ "$status" -eq 0 ]
  [ "$output" = "touched 100 MiB" ]
  id=$(only_container_id)
  [ "$(state_of "$id" .oom_killed)" = false ]
  [ "$(state_of "$id" .exit_code)" = 0 ]
}

@test "an OOM kill of a child, not PID 1, is reported too" {
  run vessel run --rm -m 32m "$LIMITS_IMAGE" sh -c 'hog mem 100; echo "hog ended with $?"'
  [ "$status" -eq 0 ]
  [[ "$output" =~ "hog ended with 137" ]]
  [[ "$output" =~ "OOM killer" ]]
}

@test "a fork loop under --pids-limit 20 is refused with EAGAIN" {
  run vessel run --rm --pids-limit 20 "$LIMITS_IMAGE" hog fork 100
  [ "$status" -eq 1 ]
  # hog itself is one of the 20 tasks.
  [ "${lines[0]}" = "forked 19 of 100" ]
  [ "${lines[1]}" = "fork: Resource temporarily unavailable" ]
  # Without the flag the default limit (4096) leaves room for all 100.
  run vessel run --rm "$LIMITS_IMAGE" hog fork 100
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "forked 100 of 100" ]
}

@test "a container at its pids limit leaves the host and other containers unaffected" {
  # hog forks up to its limit, then keeps retrying for 30 s.
  "$VESSEL_BIN" --root "$ROOT" run --pids-limit 20 "$LIMITS_IMAGE" hog fork 100 30 >/dev/null &
  runner=$!
  id=$(only_container_id)
  wait_running "$id"
  pids=$(cgroup_dir "$id" pids)
  [ -n "$pids" ]
  [ -d "$pids" ]
  for _ in $(seq 100); do [ "$(cat "$pids/pids.current")" -ge 20 ] && break; sleep 0.05; done
  [ "$(cat "$pids/pids.current")" -eq 20 ]
  [ "$(cat "$pids/pids.max")" -eq 20 ]
  # pids.events counts the forks the limit refused.
  refused=$(awk '/max/ {print $2}' "$pids/pids.events")
  # While it presses against its limit, a fork in it is refused... (On cgroup v1, exec's process
  # joins by a write to cgroup.procs, which the pids limit never refuses; its own fork is.)
  run -1 vessel exec "$id" hog fork 1
  [ "${lines[0]}" = "forked 0 of 1" ]
  [ "${lines[1]}" = "fork: Resource temporarily unavailable" ]
  # ...while a sibling container without a limit forks 100 children, and the host forks freely.
  run vessel run --rm "$LIMITS_IMAGE" hog fork 100
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "forked 100 of 100" ]
  for i in $(seq 50); do /bin/true || fail=1; done
  [ -z "${fail:-}" ]
  # All the while the container was still at its limit, and still being refused.
  [ "$(cat "$pids/pids.current")" -eq 20 ]
  [ "$(awk '/max/ {print $2}' "$pids/pids.events")" -gt "$refused" ]
  kill -KILL "$(state_of "$id" .pid)"
  status=0; wait "$runner" || status=$?
  [ "$status" -eq 137 ]
  [ -z "$(cgroup_dirs_of "$id")" ]
}

@test "--cpus 0.2: a busy loop gets about 0.2 CPU-seconds per second" {
  run vessel run --rm --cpus 0.2 "$LIMITS_IMAGE" hog spin 3
  [ "$status" -eq 0 ]
  # "cpu 0.612 s in 3.001 s": a generous band, as other work shares these CPUs.
  read -r cpu wall < <(awk '{print $2, $5}' <<<"$output")
  echo "cpu $cpu s in $wall s" >&2
  awk -v c="$cpu" -v w="$wall" 'BEGIN { r = c / w; exit !(r >= 0.1 && r <= 0.35) }'
}

@test "the container sees its own cgroups, read-only, with its limits in them" {
  run vessel run --rm -m 64m --memory-swap 96m --cpus 0.5 --cpu-shares 512 --cpuset-cpus 0 \
    --pids-limit 50 "$LIMITS_IMAGE" sh -c '
      cd /sys/fs/cgroup
      cat memory/memory.limit_in_bytes memory/memory.memsw.limit_in_bytes
      cat cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us cpu/cpu.shares
      cat cpuset/cpuset.cpus pids/pids.max
      grep -E "^[0-9]+:(memory|pids):" /proc/self/cgroup
      mkdir memory/escape 2>&1; { echo 1 > pids/pids.max; } 2>&1; touch new 2>&1
      grep " /sys/fs/cgroup/memory " /proc/mounts'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 67108864 ]
  [ "${lines[1]}" = 100663296 ]
  [ "${lines[2]}" = 50000 ]
  [ "${lines[3]}" = 100000 ]
  [ "${lines[4]}" = 512 ]
  [ "${lines[5]}" = 0 ]
  [ "${lines[6]}" = 50 ]
  # The cgroup namespace: its own cgroup is the root it sees.
  [[ "${lines[7]}" =~ ^[0-9]+:pids:/$ ]] || [[ "${lines[7]}" =~ ^[0-9]+:memory:/$ ]]
  [[ "${lines[8]}" =~ ^[0-9]+:(pids|memory):/$ ]]
  # Read-only (CVE-2022-0492): no new cgroups, no limit changes, no new files.
  [[ "${lines[9]}" =~ "Read-only file system" ]]
  [[ "${lines[10]}" =~ "Read-only file system" ]]
  [[ "${lines[11]}" =~ "Read-only file system" ]]
  [[ "${lines[12]}" =~ ^cgroup\ /sys/fs/cgroup/memory\ cgroup\ ro, ]]
}

@test "--explain shows each cgroup write and why it is made" {
  run vessel run --rm --explain -m 32m --cpus 0.5 --pids-limit 30 "$LIMITS_IMAGE" true
  [ "$status" -eq 0 ]
  [[ "$output" =~ 'memory.limit_in_bytes", "33554432") = 8'\ +'# hard limit' ]]
  [[ "$output" =~ 'memory.memsw.limit_in_bytes", "67108864")' ]]
  [[ "$output" =~ 'cpu.cfs_quota_us", "50000") = 5'\ +'# --cpus 0.5' ]]
  [[ "$output" =~ 'pids.max", "30") = 2'\ +'# fork() fails with EAGAIN' ]]
  # The child moves itself into each v1 hierarchy (docs/cgroups.md: no RCU grace period).
  [[ "$output" =~ 'child   write("/sys/fs/cgroup/memory/vessel-$ID/tasks", "0") = 1' ]]
  [[ "$output" =~ 'mount("cgroup", "rootfs/sys/fs/cgroup/memory", "cgroup", MS_RDONLY' ]]
  # Every cgroup write carries a reason and points at the chapter.
  writes=$(grep -E 'write\("/sys/fs/cgroup' <<<"$output")
  [ -n "$writes" ]
  refute_grep -vE '# [a-zA-Z-].*\(docs/cgroups.md\)$' <<<"$writes"
}

@test "bad limits: one clear line, exit 125, nothing created" {
  for bad in "-m -5m" "-m lots" "-m 1m" "--memory-swap 64m" "-m 32m --memory-swap 16m" \
             "--cpus 0" "--cpus 1000" "--cpus -1" "--cpus 0.001" "--cpu-shares 1" \
             "--cpuset-cpus 0-4095" "--cpuset-cpus x" "--pids-limit many"; do
    [ "$bad" = "--cpus 0" ] && continue  # 0 means no limit, as in docker
    # With --explain, any cgroup or state made would show as a step: only the error may appear.
    run vessel run --rm --explain $bad "$LIMITS_IMAGE" true
    echo "$bad -> $output" >&2
    [ "$status" -eq 125 ]
    [ "${#lines[@]}" -eq 1 ]
    [[ "${lines[0]}" =~ ^vessel:\ error:\ .*(--memory|--memory-swap|--cpus|--cpu-shares|--cpuset-cpus|--pids-limit) ]]
  done
  run vessel run --rm --cpus 3 "$LIMITS_IMAGE" true
  [[ "$output" =~ "this machine has $(nproc) CPU" ]]
  [ -z "$(ls -A "$ROOT" | grep -v '^.names$')" ]
}

@test "a failed start removes every cgroup directory it made" {
  run -127 vessel run --rm --explain -m 64m "$LIMITS_IMAGE" no-such-command
  id=$(sed -nE 's/^ *ID=([0-9a-f]{64})$/\1/p' <<<"$output")
  [ -n "$id" ]
  [[ "$output" =~ "mkdir(\"/sys/fs/cgroup/" ]]
  [ -z "$(cgroup_dirs_of "$id")" ]
  [ ! -e "$ROOT/$id" ]
}

@test "vessel stats shows CPU, memory and tasks from the container's cgroup" {
  "$VESSEL_BIN" --root "$ROOT" run --rm --name busy -m 64m --cpus 0.5 "$LIMITS_IMAGE" \
    sh -c 'hog hold 20 60 & exec hog spin 60' >/dev/null &
  runner=$!
  id=$(only_container_id)
  wait_running "$id"
  sleep 0.5  # let hog touch its 20 MiB
  run vessel stats --no-stream
  echo "$output" >&2
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" =~ ^CONTAINER\ ID\ +NAME\ +CPU\ %\ +MEM\ USAGE\ /\ LIMIT\ +MEM\ %\ +PIDS$ ]]
  [ "${#lines[@]}" -eq 2 ]
  read -r short name cpu usage _ limit percent pids <<<"${lines[1]}"
  [ "$short" = "${id:0:12}" ]
  [ "$name" = busy ]
  [ "$limit" = 64MiB ]
  [ "$pids" = 2 ]
  # About 20 MiB of memory, and CPU above zero but never above the --cpus 0.5 cap.
  [[ "$usage" =~ ^([0-9.]+)MiB$ ]]
  awk -v m="${BASH_REMATCH[1]}" 'BEGIN { exit !(m >= 18 && m <= 40) }'
  awk -v c="${cpu%\%}" 'BEGIN { exit !(c > 1 && c <= 60) }'
  # By name, and a container that does not exist is an error.
  run vessel stats --no-stream busy
  [ "${#lines[@]}" -eq 2 ]
  run vessel stats --no-stream nosuch
  [ "$status" -eq 125 ]
  kill -KILL "$(state_of "$id" .pid)"
  wait "$runner" || true
  # Only running containers are listed.
  run vessel stats --no-stream
  [ "${#lines[@]}" -eq 1 ]
}

@test "vessel stats streams: a fresh table every second until stopped" {
  # A container whose task count grows by about 2.5 a second.
  vessel run -d --name grow "$IMAGE" sh -c 'for i in $(seq 30); do sleep 100 & sleep 0.4; done; wait' >/dev/null
  wait_status grow running
  run timeout 4.5 "$VESSEL_BIN" --root "$ROOT" stats grow
  echo "$output" >&2
  [ "$status" -eq 124 ]   # still streaming when timeout stopped it
  tables=$(grep -c '^CONTAINER ID' <<<"$output")
  [ "$tables" -ge 3 ]
  # The container is in every table, and each table is a new reading: its PIDS keep growing.
  counts=$(awk '$2 == "grow" {print $NF}' <<<"$output")
  [ "$(wc -l <<<"$counts")" -eq "$tables" ]
  [ "$(sort -n -u <<<"$counts")" = "$counts" ]
  vessel rm -f grow
}

@test "vessel update changes a running container's limits, in both directions" {
  "$VESSEL_BIN" --root "$ROOT" run --name upd -m 32m "$LIMITS_IMAGE" sleep 1000 >/dev/null &
  runner=$!
  id=$(only_container_id)
  wait_running "$id"
  memory=$(cgroup_dir "$id" memory)
  # Up past the old memory+swap (64m): the kernel needs memsw raised first.
  run vessel update -m 128m --pids-limit 100 --cpus 1 upd
  [ "$status" -eq 0 ]
  [ "$output" = upd ]
  [ "$(cat "$memory/memory.limit_in_bytes")" = 134217728 ]
  [ "$(cat "$memory/memory.memsw.limit_in_bytes")" = 268435456 ]
  [ "$(cat "$(cgroup_dir "$id" pids)/pids.max")" = 100 ]
  [ "$(cat "$(cgroup_dir "$id" cpu)/cpu.cfs_quota_us")" = 100000 ]
  # Down again: now memory must go first.
  run vessel update -m 16m upd
  [ "$status" -eq 0 ]
  [ "$(cat "$memory/memory.limit_in_bytes")" = 16777216 ]
  [ "$(state_of "$id" .spec.resources.memory)" = 16777216 ]
  [ "$(state_of "$id" .spec.resources.memory_swap)" = 33554432 ]
  # Bad values change nothing.
  run vessel update -m 1m upd
  [ "$status" -eq 125 ]
  run vessel update upd
  [ "$status" -eq 125 ]
  [[ "$output" =~ "give at least one limit" ]]
  [ "$(cat "$memory/memory.limit_in_bytes")" = 16777216 ]
  kill -KILL "$(state_of "$id" .pid)"
  wait "$runner" || true
  # The exited container's state keeps the updated limits.
  [ "$(state_of "$id" .spec.resources.memory)" = 16777216 ]
  [ -z "$(cgroup_dirs_of "$id")" ]
  # As with docker, a stopped container's limits can change too (for its next start).
  run vessel update --cpus 0.5 upd
  [ "$status" -eq 0 ]
  [ "$(state_of "$id" .spec.resources.cpus)" = 0.5 ]
  [ -z "$(cgroup_dirs_of "$id")" ]
}
