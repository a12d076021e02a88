#!/usr/bin/env bats
# CVE-2024-21626 ("Leaky Vessels") in vessel's shape: a host directory fd left open in the process
# that enters the container is reachable as /proc/self/fd/N (or /proc/1/fd/N), and a working
# directory or command there leads out of the container's root. Every start path is tried with
# every fd number a process of vessel's could hold; each attempt must either be refused with one
# clear line (125 for run, 126 for exec, as docker) or run inside the container: `pwd` works and
# walking up with `..` ends at the image's `/`, not the host's. All probing runs in containers.

load helpers

FDS=$(seq 3 64)

setup_file() {
  # What the image's `/` holds, to recognise it from the host's.
  local root
  root=$(mktemp -d /tmp/vessel-bats.XXXXXX)
  IMAGE_ROOT_LS=$("$VESSEL_BIN" --root "$root" --data-root "$root.data" run --rm --network none \
    "$IMAGE" ls /)
  rm -rf "$root" "$root.data"
  export IMAGE_ROOT_LS
}

# The command every container runs: where am I, and where does `..` lead?
PROBE='pwd && ls ../../../../../../../../..'

# check_attempt WHAT EXPECTED_FAILURE_CODE: judges $status and $output of one attempt.
check_attempt() {
  local what=$1 refused=$2
  if [ "$status" -eq 0 ]; then
    local cwd listing
    cwd=$(head -1 <<<"$output")
    listing=$(tail -n +2 <<<"$output")
    if [[ $cwd != /* ]] || [ "$listing" != "$IMAGE_ROOT_LS" ]; then
      echo "ESCAPE through $what: cwd '$cwd', '..' lists:" >&2
      echo "$listing" >&2
      return 1
    fi
    return 0
  fi
  if [ "$status" -ne "$refused" ] || [ "$(wc -l <<<"$output")" -ne 1 ] ||
    [[ $output != "vessel: error: "* ]]; then
    echo "$what: expected exit $refused with one 'vessel: error:' line, got $status:" >&2
    echo "$output" >&2
    return 1
  fi
}

start_box() {
  vessel run -d --name box "$@" "$IMAGE" sleep 1000 >/dev/null
  wait_running "$(only_container_id)"
}

# try_run_workdirs FLAGS...: `vessel run FLAGS -w DIR` for every DIR a leaked fd could be.
try_run_workdirs() {
  for n in $FDS; do
    for dir in /proc/self/fd/$n /proc/1/fd/$n; do
      run vessel run --rm "$@" -w "$dir" "$IMAGE" sh -c "$PROBE"
      check_attempt "run $* -w $dir" 125
    done
  done
}

@test "run -w /proc/self/fd/N and /proc/1/fd/N: refused or inside the container" {
  try_run_workdirs
}

@test "run --init -w /proc/self/fd/N: refused or inside the container" {
  try_run_workdirs --init
}

@test "run --userns=remap -w /proc/self/fd/N: refused or inside the container" {
  try_run_workdirs --userns=remap
}

@test "run -d -w /proc/self/fd/N: refused or inside the container" {
  for n in $FDS; do
    for dir in /proc/self/fd/$n /proc/1/fd/$n; do
      run vessel run -d --name d -w "$dir" "$IMAGE" sh -c "$PROBE"
      if [ "$status" -eq 0 ]; then
        # Started: judge what it printed once it has exited.
        wait_status d exited
        run vessel logs d
        [ "$(vessel inspect -f '{{.State.ExitCode}}' d)" = 0 ] || status=1
      fi
      check_attempt "run -d -w $dir" 125
      vessel rm -f d >/dev/null 2>&1 || true
    done
  done
}

@test "exec -w /proc/self/fd/N and exec -d -w: refused or inside the container" {
  start_box
  for n in $FDS; do
    for dir in /proc/self/fd/$n /proc/1/fd/$n; do
      run vessel exec -w "$dir" box sh -c "$PROBE"
      check_attempt "exec -w $dir" 126
      run vessel exec -d -w "$dir" box sh -c "($PROBE) >/tmp/out 2>&1"
      if [ "$status" -eq 0 ]; then
        for _ in $(seq 50); do vessel exec box test -s /tmp/out && break; sleep 0.02; done
        run vessel exec box sh -c 'cat /tmp/out; rm /tmp/out'
      fi
      check_attempt "exec -d -w $dir" 126
    done
  done
}

@test "exec into a --userns=remap container with -w /proc/self/fd/N: refused or inside" {
  start_box --userns=remap
  for n in $FDS; do
    run vessel exec -w "/proc/self/fd/$n" box sh -c "$PROBE"
    check_attempt "exec (userns) -w /proc/self/fd/$n" 126
  done
}

@test "exec CONTAINER /proc/self/fd/N runs no host program and reaches no host directory" {
  start_box
  for n in $FDS; do
    for cmd in /proc/self/fd/$n /proc/1/fd/$n; do
      # (not bats' `run`, which warns about the 127 this is expected to give)
      status=0
      output=$(vessel exec box "$cmd" 2>&1) || status=$?
      # Nothing there to run: 126 (not executable, e.g. the handshake socket) or 127 (no such
      # fd), with one line saying so.
      if { [ "$status" -ne 126 ] && [ "$status" -ne 127 ]; } || [ "$(wc -l <<<"$output")" -ne 1 ]; then
        echo "exec box $cmd: got $status: $output" >&2
        return 1
      fi
    done
  done
}

@test "an image whose config says workdir /proc/self/fd/N: refused or inside the container" {
  mkdir "$ROOT.img"
  cp -a "$IMAGE" "$ROOT.img/busybox"
  for n in $(seq 3 16); do
    echo "{\"cmd\": [\"sh\", \"-c\", \"$PROBE\"], \"workdir\": \"/proc/self/fd/$n\"}" \
      >"$ROOT.img/busybox.json"
    run vessel run --rm "$ROOT.img/busybox"
    check_attempt "an image's workdir /proc/self/fd/$n" 125
  done
  run vessel run --rm "$ROOT.img/busybox"
  rm -rf "$ROOT.img"
  [[ $output == *"cannot enter the working directory /proc/self/fd/16"* ]]
}

@test "the command holds no descriptor of vessel's: only its stdio (run, --init, exec)" {
  # ls opens the directory it lists as fd 3; nothing else may be there.
  run vessel run --rm "$IMAGE" ls /proc/self/fd
  [ "$status" -eq 0 ]
  [ "$(echo $output)" = "0 1 2 3" ]
  run vessel run --rm --init "$IMAGE" sh -c 'ls /proc/1/fd; echo -; ls /proc/self/fd'
  [ "$status" -eq 0 ]
  [ "$(echo $output)" = "0 1 2 - 0 1 2 3" ]
  start_box
  run vessel exec box ls /proc/self/fd
  [ "$status" -eq 0 ]
  [ "$(echo $output)" = "0 1 2 3" ]
}

@test "a directory as the container's stdin is refused (it would be /proc/self/fd/0)" {
  run vessel run --rm -i "$IMAGE" sh -c 'cd /proc/self/fd/0 && ls ../../../../..' </
  [ "$status" -eq 125 ]
  [[ $output == *"stdin is a directory"* ]]
  start_box
  run vessel exec -i box sh -c 'cd /proc/self/fd/0 && ls ../../../../..' </
  [ "$status" -eq 125 ]
  [[ $output == *"stdin is a directory"* ]]
}
