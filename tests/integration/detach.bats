#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# vessel run -d: the monitor, logs, --rm, robustness (issue 3).

load helpers

# helpers.bash's teardown, after removing what a test left in a state root of its own
# ($STRAY_ROOT: where a relative --root would land if the monitor resolved it from /).
teardown() {
  if [ -n "${STRAY_ROOT:-}" ] && [ -d "$STRAY_ROOT" ]; then
    cleanup_root "$STRAY_ROOT"
    rm -rf "$STRAY_ROOT"
  fi
  vessel_teardown
}

@test "run -d prints the full id once the command runs, and ps shows it Up" {
  run vessel run -d --name web "$IMAGE" sleep 1000
  [ "$status" -eq 0 ]
  [[ "$output" =~ ^[0-9a-f]{64}$ ]]
  id=$output
  # Printed only after execve: the state already says running, with PID 1 alive.
  [ "$(state_of "$id" .status)" = running ]
  pid=$(state_of "$id" .pid)
  [ "$(cat /proc/$pid/comm)" = sleep ]
  run vessel ps
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -eq 2 ]
  [[ "${lines[0]}" =~ ^CONTAINER\ ID\ +NAME\ +IMAGE\ +COMMAND\ +CREATED\ +STATUS\ +PORTS\ +PID$ ]]
  [[ "${lines[1]}" =~ ^${id:0:12}\ +web\ +busybox\ +\"sleep\ 1000\"\ +.*ago\ +Up\ .*\ +$pid$ ]]
  # The monitor is the container's parent, out of our session.
  monitor=$(state_of "$id" .owner_pid)
  [ "$(awk '{print $4}' /proc/$pid/stat)" = "$monitor" ]
  [ "$(ps -o sid= -p "$monitor" | tr -d ' ')" = "$monitor" ]
  vessel rm -f web
}

@test "run -d returns without waiting for the container, with nothing of ours held open" {
  # $(...) waits for every writer of its pipe: the monitor and the container must hold none.
  start=$(date +%s%N)
  id=$(vessel run -d "$IMAGE" sleep 1000)
  elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
  [[ "$id" =~ ^[0-9a-f]{64}$ ]]
  [ "$elapsed_ms" -lt 2000 ]
  vessel rm -f "$id"
}

@test "logs returns what the container printed, stdout and stderr apart" {
  id=$(vessel run -d "$IMAGE" sh -c 'echo to-out; echo to-err >&2; printf "no newline"')
  wait_status "$id" exited
  run vessel logs "$id"
  [ "$status" -eq 0 ]
  [[ "$output" =~ to-out ]]
  [[ "$output" =~ to-err ]]
  [[ "$output" =~ "no newline" ]]
  [ "$(vessel logs "$id" 2>/dev/null)" = "to-out
no newline" ]
  [ "$(vessel logs "$id" 2>&1 >/dev/null)" = to-err ]
  # The file itself: CRI records, byte-exact.
  log=$(state_of "$id" .log_path)
  [ "$log" = "$ROOT/$id/container.log" ]
  grep -qE '^[0-9T:.-]+Z stdout F to-out$' "$log"
  grep -qE '^[0-9T:.-]+Z stderr F to-err$' "$log"
  grep -qE '^[0-9T:.-]+Z stdout P no newline$' "$log"
  vessel rm "$id"
}

@test "logs --tail N and --timestamps" {
  id=$(vessel run -d "$IMAGE" sh -c 'for i in 1 2 3 4 5; do echo line$i; done')
  wait_status "$id" exited
  run vessel logs --tail 2 "$id"
  [ "$output" = "line4
line5" ]
  run vessel logs -n 0 "$id"
  [ "$output" = "" ]
  run vessel logs -t --tail 1 "$id"
  [[ "$output" =~ ^20[0-9-]+T[0-9:.]+Z\ line5$ ]]
  run vessel logs --tail bogus "$id"
  [ "$status" -eq 125 ]
  vessel rm "$id"
}

@test "logs -f follows until the container exits" {
  id=$(vessel run -d "$IMAGE" sh -c 'echo first; sleep 1; echo second; sleep 0.5; echo last')
  start=$(date +%s)
  run timeout 20 "$VESSEL_BIN" --root "$ROOT" logs -f "$id"
  [ "$status" -eq 0 ]
  [ "$output" = "first
second
last" ]
  [ $(( $(date +%s) - start )) -ge 1 ]
  vessel rm "$id"
}

@test "a foreground container has no log: one clear line" {
  vessel run "$IMAGE" true
  id=$(only_container_id)
  run vessel logs "$id"
  [ "$status" -eq 125 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ "$output" =~ "not started with -d" ]]
  vessel rm "$id"
}

@test "the exit is recorded: code, finish time, and exec failures are reported at once" {
  id=$(vessel run -d "$IMAGE" sh -c 'exit 7')
  wait_status "$id" exited
  [ "$(state_of "$id" .exit_code)" = 7 ]
  [ "$(state_of "$id" .oom_killed)" = false ]
  [ "$(state_of "$id" .finished)" != null ]
  run vessel ps -a
  [[ "${lines[1]}" =~ Exited\ \(7\)\ .*ago ]]
  vessel rm "$id"
  # The command's own failure comes back to `run -d`, with its code, and nothing stays behind.
  run -127 vessel run -d "$IMAGE" no-such-command
  [[ "$output" =~ "executable file not found" ]]
  run -126 vessel run -d "$IMAGE" /etc/passwd
  run -125 vessel run -d -w relative "$IMAGE" true
  [ -z "$(ls "$ROOT")" ]
}

@test "an OOM kill is recorded: OOMKilled in inspect, 137" {
  id=$(vessel run -d "$IMAGE" sh -c 'while [ ! -e /tmp/go ]; do sleep 0.05; done; head -c 200m /dev/zero | tail')
  # --memory is another issue's flag: lower the limit of the container's own cgroup directly.
  limit=$((16 * 1024 * 1024))
  cgroups=$(state_of "$id" '.cgroup.paths[]')
  [ -n "$cgroups" ]
  for cg in $cgroups; do
    if [ -e "$cg/memory.limit_in_bytes" ]; then
      echo $limit >"$cg/memory.limit_in_bytes"
      [ ! -e "$cg/memory.memsw.limit_in_bytes" ] || echo $limit >"$cg/memory.memsw.limit_in_bytes"
    fi
    if [ -e "$cg/memory.max" ]; then
      echo $limit >"$cg/memory.max"
      [ ! -e "$cg/memory.swap.max" ] || echo 0 >"$cg/memory.swap.max"
    fi
  done
  [ "$(vessel inspect -f '{{.State.OOMKilled}}' "$id")" = false ]
  vessel exec "$id" touch /tmp/go
  wait_status "$id" exited
  [ "$(vessel inspect -f '{{.State.ExitCode}} {{.State.OOMKilled}}' "$id")" = "137 true" ]
  vessel rm "$id"
}

@test "--rm removes the state when the detached container exits" {
  id=$(vessel run -d --rm --name tmp "$IMAGE" sh -c 'sleep 0.3')
  [ -d "$ROOT/$id" ]
  for _ in $(seq 100); do [ -d "$ROOT/$id" ] || break; sleep 0.05; done
  [ ! -d "$ROOT/$id" ]
  [ ! -e "$ROOT/.names/tmp" ]
  [ -z "$(find_leftovers "$ROOT")" ]
  run vessel ps -aq
  [ "$output" = "" ]
}

@test "-d -t keeps the terminal in the monitor: the shell stays up and is logged" {
  id=$(vessel run -dit "$IMAGE" sh)
  wait_log "$id" "built-in shell"
  [ "$(status_of "$id")" = running ]
  run vessel exec "$id" sh -c 'readlink /proc/1/fd/0; [ -t 0 ] || echo exec-has-no-tty'
  [[ "${lines[0]}" =~ ^/dev/pts/[0-9]+$ ]]
  [ "${lines[1]}" = exec-has-no-tty ]
  vessel rm -f "$id"
}

@test "-d -i keeps stdin open, as docker run -di does" {
  id=$(vessel run -di "$IMAGE" cat)
  sleep 0.3
  [ "$(status_of "$id")" = running ]
  vessel rm -f "$id"
  # Without -i, stdin is /dev/null: cat ends at once.
  id=$(vessel run -d "$IMAGE" cat)
  wait_status "$id" exited
  [ "$(state_of "$id" .exit_code)" = 0 ]
  vessel rm "$id"
}

@test "50 concurrent run -d all succeed, each listed once, none corrupted" {
  # Our own list of pids: `jobs -p` would also name bats' BATS_TEST_TIMEOUT watchdog.
  pids=()
  for i in $(seq 50); do
    "$VESSEL_BIN" --root "$ROOT" run -d --name c$i "$IMAGE" sleep 1000 >"$ROOT.out$i" 2>&1 &
    pids+=($!)
  done
  failed=0
  for pid in "${pids[@]}"; do wait "$pid" || failed=$((failed + 1)); done
  cat "$ROOT".out* | grep -v -E '^[0-9a-f]{64}$' || true
  rm -f "$ROOT".out*
  [ "$failed" -eq 0 ]
  run vessel ps -q
  [ "${#lines[@]}" -eq 50 ]
  [ "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" -eq 50 ]
  for dir in "$ROOT"/*/; do jq -e '.status == "running"' "$dir/state.json" >/dev/null; done
  [ "$(ls "$ROOT/.names" | wc -l)" -eq 50 ]
  run vessel ps --format json
  [ "$(jq -s 'map(.Names) | unique | length' <<<"$output")" -eq 50 ]
  run vessel rm -f $(vessel ps -q)
  [ "$status" -eq 0 ]
  [ -z "$(ls "$ROOT")" ]
}

@test "a SIGKILLed monitor is detected: the janitor records the end, rm cleans up" {
  id=$(vessel run -d "$IMAGE" sleep 1000)
  pid=$(state_of "$id" .pid)
  monitor=$(state_of "$id" .owner_pid)
  kill -KILL "$monitor"
  # The kernel kills PID 1 with its parent (PR_SET_PDEATHSIG), the janitor records it.
  wait_status "$id" exited
  for _ in $(seq 100); do gone_or_zombie "$pid" && break; sleep 0.05; done
  gone_or_zombie "$pid"
  [ "$(state_of "$id" .exit_code)" = 137 ]
  run vessel ps -a
  [[ "${lines[1]}" =~ "Exited (137)" ]]
  vessel rm "$id"
  [ -z "$(find_leftovers "$ROOT")" ]
}

@test "monitor and janitor both gone (as after a reboot): Dead, never Up, and rm cleans up" {
  id=$(vessel run -d "$IMAGE" sleep 1000)
  pid=$(state_of "$id" .pid)
  monitor=$(state_of "$id" .owner_pid)
  janitor=$(ps -o pid= --ppid "$monitor" | tr -d ' ' | grep -vx "$pid")
  [ -n "$janitor" ]
  kill -STOP "$janitor"
  kill -KILL "$monitor"
  kill -KILL "$janitor"
  for _ in $(seq 100); do gone_or_zombie "$pid" && break; sleep 0.05; done
  wait_status "$id" dead
  [ "$(state_of "$id" .status)" = running ]  # what the file says...
  run vessel ps -a
  [[ "${lines[1]}" =~ " Dead " ]]           # ...and what ps makes of it
  run vessel ps
  [ "${#lines[@]}" -eq 1 ]
  run vessel exec "$id" true
  [ "$status" -eq 125 ]
  [[ "$output" =~ "is not running" ]]
  # Nobody removed the cgroup: rm does, and needs no -f for a dead container.
  [ -n "$(ls -d /sys/fs/cgroup/*/vessel-$id /sys/fs/cgroup/vessel-$id 2>/dev/null)" ]
  vessel rm "$id"
  [ -z "$(ls -d /sys/fs/cgroup/*/vessel-$id /sys/fs/cgroup/vessel-$id 2>/dev/null)" ]
  [ ! -e "$ROOT/$id" ]
}

@test "a recorded pid that now belongs to another process is not Up" {
  id=$(vessel run -d "$IMAGE" true)
  wait_status "$id" exited
  # An innocent bystander, as a recycled pid would be: SIGTERM or SIGKILL would end it.
  # (Bounded by timeout, and off bats' output fd, should the test fail before it is killed.)
  timeout 60 sleep 1000 3>&- &
  bystander=$!
  # Forge what a reboot leaves: status running, with pids that now name other processes.
  jq --argjson pid $bystander '.status = "running" | .pid = $pid | .pid_start_time = 1 | .owner_pid = $pid | .owner_start_time = 1' \
    "$ROOT/$id/state.json" >"$ROOT/$id/state.json.new"
  mv "$ROOT/$id/state.json.new" "$ROOT/$id/state.json"
  [ "$(status_of "$id")" = dead ]
  run vessel kill "$id"
  [ "$status" -eq 125 ]
  run vessel stop "$id"
  [ "$status" -eq 0 ]
  run vessel rm "$id"
  # Nobody signalled the bystander: it still sleeps (not dead, not a zombie waiting for us).
  state=$(awk '{print $3}' /proc/$bystander/stat 2>/dev/null || echo gone)
  # TERM: timeout passes it on to sleep (SIGKILL would end timeout alone and orphan the sleep).
  kill -TERM $bystander; wait $bystander || true
  [ "$state" = S ]
  [ "$status" -eq 0 ]
  [ ! -e "$ROOT/$id" ]
}

@test "name clash: a clear error, nothing created, the first container untouched" {
  id=$(vessel run -d --name solo "$IMAGE" sleep 1000)
  run vessel run -d --name solo "$IMAGE" sleep 1000
  [ "$status" -eq 125 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ "$output" =~ "already in use by container ${id:0:12}" ]]
  [ "$(ls "$ROOT" | wc -l)" -eq 1 ]
  [ "$(status_of solo)" = running ]
  vessel rm -f solo
  # Free again once removed.
  id=$(vessel run -d --name solo "$IMAGE" true)
  vessel rm -f solo
}

@test "--explain on run -d traces the monitor, and stops before run -d returns" {
  run vessel run -d --explain "$IMAGE" true
  [ "$status" -eq 0 ]
  [[ "$output" =~ "monitor " ]]
  [[ "$output" =~ "setsid() = " ]]
  [[ "$output" =~ "kStarted" ]]
  id=$(tail -1 <<<"$output")
  [[ "$id" =~ ^[0-9a-f]{64}$ ]]
  wait_status "$id" exited
  vessel rm "$id"
}

@test "a relative --root: run -d, exec, logs, the monitor's record of the end and rm all find it" {
  # The monitor leaves the caller's directory (it pins none): a relative root must still name
  # the same directory for it, and for every later command run from here.
  cd "$(dirname "$ROOT")"
  rel=$(basename "$ROOT")
  STRAY_ROOT=/$rel
  id=$("$VESSEL_BIN" --root "$rel" run -d --name relroot "$IMAGE" sh -c 'echo hello; while [ ! -e /tmp/go ]; do sleep 0.05; done; exit 3')
  [ -f "$ROOT/$id/state.json" ]
  [ ! -e "/$rel" ]
  [ "$("$VESSEL_BIN" --root "$rel" inspect -f '{{.State.Status}}' relroot)" = running ]
  "$VESSEL_BIN" --root "$rel" exec relroot touch /tmp/go
  wait_status relroot exited
  [ "$("$VESSEL_BIN" --root "$rel" inspect -f '{{.State.ExitCode}}' relroot)" = 3 ]
  [ "$("$VESSEL_BIN" --root "$rel" logs relroot)" = hello ]
  "$VESSEL_BIN" --root "$rel" rm relroot
  [ ! -e "$ROOT/$id" ]
  # In the foreground too, with --rm.
  run "$VESSEL_BIN" --root "$rel" run --rm "$IMAGE" echo fg
  [ "$status" -eq 0 ]
  [ "$output" = fg ]
  [ -z "$(ls "$ROOT")" ]
  [ ! -e "/$rel" ]
}
