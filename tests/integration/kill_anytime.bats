#!/usr/bin/env bats
# vessel killed with SIGKILL at any instant leaves nothing that `ps -a` does not show and
# `rm -f` cannot remove (issue 12; docs/state.md, "Never half-written"; docs/lifecycle.md,
# "How a container ends"). Hundreds of `run --rm`, `run -d` and `exec` are killed at random
# instants, from before the state directory exists to after the command runs; then every
# container `ps -a` lists is removed, and the state root, the cgroup trees, the mount table and
# the process table must hold nothing of them.

load helpers

# A random instant between $1 and $2 milliseconds, for sleep(1).
instant() { printf '0.%03d' $(($1 + RANDOM % ($2 - $1))); }

# Starts vessel with "$@", kills it with SIGKILL at a random instant in [$1, $2) ms. vessel itself,
# not a subshell: `vessel` (helpers.bash) is a function, and `vessel ... &` would fork a bash.
kill_at_random() {
  local from=$1 to=$2
  shift 2
  "$VESSEL_BIN" --root "$ROOT" "$@" >/dev/null 2>&1 &
  local pid=$!
  sleep "$(instant "$from" "$to")"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# Removes what `ps -a` lists, then prints whatever vessel left of any container: entries of the
# state root other than the seccomp cache and the (empty) name table, name links, cgroups,
# mounts and processes (find_leftovers, helpers.bash).
# rm -f of a container `ps -a` listed: a janitor may have removed it in between, which is its job;
# any other failure is reported.
rm_listed() {
  local err
  err=$(vessel rm -f "$1" 2>&1 >/dev/null) || [[ $err == *"no such container"* ]] || echo "rm -f $1: $err"
}

remove_listed_and_find_leftovers() {
  local id
  for id in $(vessel ps -a -q --no-trunc); do rm_listed "$id"; done
  # The janitors of killed runs may still be finishing their teardown: give them a moment.
  for _ in $(seq 100); do
    [ -z "$(pgrep -f -- "--root $ROOT " | grep -vx "$$")" ] && break
    sleep 0.1
  done
  # A janitor that recorded an exit after our `ps -a` left a container that the next one shows.
  for id in $(vessel ps -a -q --no-trunc); do rm_listed "$id"; done
  local entry
  for entry in "$ROOT"/* "$ROOT"/.[!.]*; do
    [ -e "$entry" ] || continue
    # .networks holds the networks' leases: find_leftovers (helpers.bash) lists any that is left.
    case $(basename "$entry") in .cache | .names | .networks) ;; *) echo "state root: $entry" ;; esac
  done
  for entry in "$ROOT"/.names/*; do
    [ -e "$entry" ] || [ -L "$entry" ] && echo "name: $entry"
  done
  pgrep -f -- "--root $ROOT " | sed 's/^/process: /'
  find_leftovers "$ROOT"
}

@test "vessel run --rm killed at a random instant leaves nothing ps -a does not list" {
  local n
  for n in $(seq 120); do
    kill_at_random 1 90 run --rm "$IMAGE" sleep 30
  done
  # Named ones too: a name reservation must not outlive its container.
  for n in $(seq 30); do
    kill_at_random 1 90 run --rm --name "k$n" "$IMAGE" sleep 30
  done
  run remove_listed_and_find_leftovers
  echo "$output"
  [ -z "$output" ]
}

@test "vessel run -d and vessel exec killed at random instants leave nothing ps -a does not list" {
  local n
  for n in $(seq 60); do
    kill_at_random 1 40 run -d "$IMAGE" sleep 30
  done
  vessel run -d --name target "$IMAGE" sleep 60 >/dev/null
  for n in $(seq 90); do
    kill_at_random 1 40 exec target sleep 30
  done
  # Nothing of a killed exec may stay in the container either: only PID 1 and our ps.
  run vessel exec target ps -o pid,args
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(grep -c 'sleep 30' <<<"$output")" -eq 0 ]
  run remove_listed_and_find_leftovers
  echo "$output"
  [ -z "$output" ]
}
