#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# stop, kill, rm, ps, inspect, and naming containers (issue 3).

load helpers

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

@test "stop ends a sleep (under --init) within the grace period: 143" {
  id=$(vessel run -d --init "$IMAGE" sleep 1000)
  start=$(now_ms)
  run vessel stop -t 10 "$id"
  elapsed=$(( $(now_ms) - start ))
  [ "$status" -eq 0 ]
  [ "$output" = "$id" ]
  [ "$elapsed" -lt 5000 ]
  # stop returns once the exit is recorded.
  [ "$(state_of "$id" .status)" = exited ]
  [ "$(state_of "$id" .exit_code)" = 143 ]
  vessel rm "$id"
}

@test "stop: a PID 1 that ignores SIGTERM is SIGKILLed after the grace period: 137" {
  id=$(vessel run -d "$IMAGE" sh -c "trap '' TERM; touch /tmp/ready; while :; do sleep 0.1; done")
  for _ in $(seq 100); do vessel exec "$id" test -e /tmp/ready && break; sleep 0.05; done
  start=$(now_ms)
  run vessel stop -t 1 "$id"
  elapsed=$(( $(now_ms) - start ))
  [ "$status" -eq 0 ]
  [ "$elapsed" -ge 1000 ]
  [ "$elapsed" -lt 5000 ]
  [ "$(state_of "$id" .exit_code)" = 137 ]
  run vessel ps -a
  [[ "${lines[1]}" =~ "Exited (137)" ]]
  vessel rm "$id"
}

@test "stop: several at once share one grace period; stopped ones are fine; -s" {
  a=$(vessel run -d --name sa "$IMAGE" sleep 1000)
  b=$(vessel run -d --name sb "$IMAGE" sleep 1000)
  c=$(vessel run -d --name sc "$IMAGE" true)
  wait_status sc exited
  start=$(now_ms)
  run vessel stop -t 1 sa sb sc
  elapsed=$(( $(now_ms) - start ))
  [ "$status" -eq 0 ]
  [ "$output" = "sa
sb
sc" ]
  [ "$elapsed" -lt 3000 ]  # not 1 s per container
  [ "$(state_of "$a" .exit_code)" = 137 ]
  [ "$(state_of "$c" .exit_code)" = 0 ]
  # -s: a signal of our choice first; a shell that traps it exits at once.
  d=$(vessel run -d --name sd "$IMAGE" sh -c 'trap "exit 9" INT; while :; do sleep 0.1; done')
  sleep 0.3
  run vessel stop -s INT -t 10 sd
  [ "$(state_of "$d" .exit_code)" = 9 ]
  run vessel stop nosuch sa
  [ "$status" -eq 125 ]
  [ "${lines[0]}" = "vessel: error: no such container: nosuch" ]
  [ "${lines[1]}" = sa ]
  vessel rm sa sb sc sd
}

@test "stop of a foreground container waits for its vessel run to record the exit" {
  "$VESSEL_BIN" --root "$ROOT" run --name fg --init "$IMAGE" sleep 1000 &
  runner=$!
  id=$(only_container_id)
  wait_running "$id"
  run vessel stop fg
  [ "$status" -eq 0 ]
  [ "$(state_of "$id" .status)" = exited ]
  status=0; wait "$runner" || status=$?
  [ "$status" -eq 143 ]
  vessel rm fg
}

@test "kill -s USR1 reaches PID 1; kill defaults to SIGKILL" {
  id=$(vessel run -d "$IMAGE" sh -c 'trap "echo got-usr1" USR1; touch /tmp/ready; while :; do sleep 0.1; done')
  for _ in $(seq 100); do vessel exec "$id" test -e /tmp/ready && break; sleep 0.05; done
  run vessel kill -s USR1 "$id"
  [ "$status" -eq 0 ]
  [ "$output" = "$id" ]
  wait_log "$id" got-usr1
  [ "$(status_of "$id")" = running ]
  run vessel kill -s 10 "$id"   # numbers work too
  [ "$status" -eq 0 ]
  run vessel kill "$id"
  [ "$status" -eq 0 ]
  wait_status "$id" exited
  [ "$(state_of "$id" .exit_code)" = 137 ]
  vessel rm "$id"
}

@test "kill: invalid signal or stopped container: one clear line, 125" {
  id=$(vessel run -d --name kk "$IMAGE" sleep 1000)
  run vessel kill -s SIGBOGUS kk
  [ "$status" -eq 125 ]
  [ "$output" = 'vessel: error: invalid signal "SIGBOGUS": use a name (TERM, SIGUSR1) or a number' ]
  run vessel kill -s 0x9 kk
  [ "$status" -eq 125 ]
  [ "$(status_of kk)" = running ]
  vessel kill kk
  wait_status kk exited
  run vessel kill kk
  [ "$status" -eq 125 ]
  [ "$output" = "vessel: error: container kk is not running" ]
  vessel rm kk
}

@test "rm refuses a running container without -f; rm -f removes it and all it owned" {
  id=$(vessel run -d --name victim "$IMAGE" sleep 1000)
  pid=$(state_of "$id" .pid)
  run vessel rm victim
  [ "$status" -eq 125 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ "$output" =~ "cannot remove container victim: it is running; stop it first, or use rm -f" ]]
  [ "$(status_of victim)" = running ]
  cgroups=$(state_of "$id" '.cgroup.paths[]')
  [ -n "$cgroups" ]
  for cg in $cgroups; do [ -d "$cg" ]; done
  run vessel rm -f victim
  [ "$status" -eq 0 ]
  [ "$output" = victim ]
  gone_or_zombie "$pid"
  [ ! -e "$ROOT/$id" ]
  [ ! -e "$ROOT/.names/victim" ]
  for cg in $cgroups; do [ ! -d "$cg" ]; done
  run vessel inspect victim
  [ "$status" -eq 125 ]
  # rm of an exited container needs no -f; the name is free again.
  id=$(vessel run -d --name victim "$IMAGE" true)
  wait_status victim exited
  vessel rm victim
  [ ! -e "$ROOT/$id" ]
}

@test "rm -f of a foreground container ends its vessel run with 137" {
  "$VESSEL_BIN" --root "$ROOT" run --name fg "$IMAGE" sleep 1000 &
  runner=$!
  id=$(only_container_id)
  wait_running "$id"
  vessel rm -f fg
  status=0; wait "$runner" || status=$?
  [ "$status" -eq 137 ]
  [ ! -e "$ROOT/$id" ]
}

@test "ps: running only by default, -a for all, -q for ids, newest first" {
  old=$(vessel run -d --name old "$IMAGE" true)
  wait_status old exited
  new=$(vessel run -d --name new "$IMAGE" sleep 1000)
  run vessel ps
  [ "${#lines[@]}" -eq 2 ]
  [[ "${lines[1]}" =~ " new " ]]
  run vessel ps -a
  [ "${#lines[@]}" -eq 3 ]
  [[ "${lines[1]}" =~ ^${new:0:12}\ +new\ .*Up ]]
  [[ "${lines[2]}" =~ ^${old:0:12}\ +old\ .*Exited\ \(0\) ]]
  run vessel ps -aq
  [ "$output" = "${new:0:12}
${old:0:12}" ]
  run vessel ps -aq --no-trunc
  [ "${lines[0]}" = "$new" ]
  vessel rm -f old new
}

@test "ps --format json parses, one object per container" {
  a=$(vessel run -d --name ja "$IMAGE" sleep 1000)
  b=$(vessel run -d --name jb "$IMAGE" sh -c 'exit 3')
  wait_status jb exited
  run vessel ps -a --format json
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -eq 2 ]
  [ "$(jq -s length <<<"$output")" -eq 2 ]
  [ "$(jq -r 'select(.Names == "ja") | .State' <<<"$output")" = running ]
  [ "$(jq -r 'select(.Names == "ja") | .Pid' <<<"$output")" = "$(state_of "$a" .pid)" ]
  [ "$(jq -r 'select(.Names == "jb") | .ExitCode' <<<"$output")" = 3 ]
  [[ "$(jq -r 'select(.Names == "jb") | .Status' <<<"$output")" =~ ^Exited\ \(3\) ]]
  [ "$(jq -r 'select(.Names == "ja") | .Command' <<<"$output")" = '"sleep 1000"' ]
  run vessel ps --format yaml
  [ "$status" -eq 125 ]
  vessel rm -f ja jb
}

@test "inspect: state, pid, namespace ids, cgroup, log path, exit code, OOMKilled" {
  id=$(vessel run -d --name insp "$IMAGE" sleep 1000)
  pid=$(state_of "$id" .pid)
  run vessel inspect insp
  [ "$status" -eq 0 ]
  doc=$(jq '.[0]' <<<"$output")
  [ "$(jq -r .Id <<<"$doc")" = "$id" ]
  [ "$(jq -r .Name <<<"$doc")" = insp ]
  [ "$(jq -r .Path <<<"$doc")" = sleep ]
  [ "$(jq -r '.State.Status' <<<"$doc")" = running ]
  [ "$(jq -r '.State.Running' <<<"$doc")" = true ]
  [ "$(jq -r '.State.Pid' <<<"$doc")" = "$pid" ]
  [ "$(jq -r '.State.OOMKilled' <<<"$doc")" = false ]
  [ "$(jq -r '.LogPath' <<<"$doc")" = "$ROOT/$id/container.log" ]
  [ "$(jq -r '.Config.args | join(" ")' <<<"$doc")" = "sleep 1000" ]
  [ "$(jq -r '.Limits.pids_limit' <<<"$doc")" = 4096 ]
  for ns in mnt uts ipc net pid cgroup; do
    [ "$ns:[$(jq -r ".Namespaces.$ns" <<<"$doc")]" = "$(readlink /proc/$pid/ns/$ns)" ]
  done
  for cg in $(jq -r '.Cgroup.paths[]' <<<"$doc"); do grep -qx "$pid" "$cg/cgroup.procs"; done
  [ "$(vessel inspect -f '{{.State.Pid}} {{.Name}}' insp)" = "$pid insp" ]
  vessel kill insp
  wait_status insp exited
  run vessel inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.State.Pid}} {{json .Namespaces}}' insp
  [ "$output" = "exited 137 0 {}" ]
  run vessel inspect -f '{{.State.Nope}}' insp
  [ "$status" -eq 125 ]
  vessel rm insp
}

@test "inspect several: what exists is shown, each unknown one is an error line" {
  vessel run -d --name i1 "$IMAGE" true >/dev/null
  run vessel inspect i1 nosuch
  [ "$status" -eq 125 ]
  [[ "$output" =~ "no such container: nosuch" ]]
  [ "$(vessel inspect i1 nosuch 2>/dev/null | jq length)" -eq 1 ]
  vessel rm -f i1
}

@test "containers are named by id, unique id prefix or name; ambiguity is an error" {
  # Make two ids share a first character.
  declare -A by_first
  ids=()
  while :; do
    id=$(vessel run -d "$IMAGE" sleep 1000)
    ids+=("$id")
    first=${id:0:1}
    [ -n "${by_first[$first]:-}" ] && break
    by_first[$first]=$id
  done
  other=${by_first[$first]}
  run vessel inspect -f '{{.Id}}' "$first"
  [ "$status" -eq 125 ]
  [[ "$output" =~ "multiple containers match the id prefix \"$first\"" ]]
  for ref in "$id" "${id:0:12}" "${id:0:20}"; do
    [ "$(vessel inspect -f '{{.Id}}' "$ref")" = "$id" ]
  done
  [ "$(vessel inspect -f '{{.Id}}' "${other:0:12}")" = "$other" ]
  for cmd in stop kill rm logs "exec" inspect; do
    args=(nosuchthing)
    [ "$cmd" = exec ] && args+=(true)
    run vessel $cmd "${args[@]}"
    [ "$status" -eq 125 ]
    [ "$output" = "vessel: error: no such container: nosuchthing" ]
  done
  vessel rm -f "${ids[@]}"
}

@test "pause freezes every process, unpause thaws them; exec is refused while paused, stop thaws" {
  id=$(vessel run -d --name counter "$IMAGE" sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/n; sleep 0.05; done')
  wait_running "$id"
  vessel pause counter
  # The kernel says so: the cgroup2 directory's cgroup.events reads "frozen 1".
  events=$(jq -r '.cgroup.paths[]' "$ROOT/$id/state.json" | while read -r d; do
    [ -f "$d/cgroup.events" ] && cat "$d/cgroup.events"; done)
  grep -qx 'frozen 1' <<<"$events"
  [ "$(vessel inspect -f '{{.State.Status}} {{.State.Paused}}' counter)" = "paused true" ]
  vessel ps | grep -q 'Up .* (Paused)'
  n1=$(cat "/proc/$(state_of "$id" .pid)/root/tmp/n")
  sleep 0.5
  [ "$(cat "/proc/$(state_of "$id" .pid)/root/tmp/n")" = "$n1" ]  # nothing ran
  run vessel exec counter true
  [ "$status" -eq 125 ]
  [[ "$output" == *"is paused"* ]]
  run vessel pause counter
  [ "$status" -eq 125 ]
  vessel unpause counter
  sleep 0.5
  [ "$(cat "/proc/$(state_of "$id" .pid)/root/tmp/n")" -gt "$n1" ]  # counting again
  [ "$(vessel inspect -f '{{.State.Status}} {{.State.Paused}}' counter)" = "running false" ]
  run vessel unpause counter
  [ "$status" -eq 125 ]
  # stop (and kill) of a paused container thaw it first; it ends, and is not paused any more.
  vessel pause counter
  vessel stop -t 1 counter
  [ "$(vessel inspect -f '{{.State.Status}}' counter)" = exited ]
}
