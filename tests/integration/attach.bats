#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# vessel attach: a terminal on a detached container's PID 1, through its monitor (issue 3).

load helpers

@test "attach to run -dit: input reaches the shell, its exit code comes back" {
  vessel run -dit --name sh1 "$IMAGE" sh >/dev/null
  run timeout 60 script -qec "printf 'echo hello-\$((40+2))\nexit 5\n' | $VESSEL_BIN --root $ROOT attach sh1" /dev/null
  [ "$status" -eq 5 ]
  [[ "$output" =~ hello-42 ]]
  [ "$(vessel inspect -f '{{.State.ExitCode}}' sh1)" = 5 ]
  vessel rm sh1
}

@test "attach: a resized window reaches the container's terminal, through the monitor" {
  vessel run -dit --name win "$IMAGE" sh -c "$RESIZE_WATCHER" >/dev/null
  run on_resized_pty 33 111 "$VESSEL_BIN" --root "$ROOT" attach win
  echo "$output"
  [ "$status" -eq 7 ]
  [[ "$output" =~ "size 33 111" ]]
  [ "$(vessel inspect -f '{{.State.ExitCode}}' win)" = 7 ]
  vessel rm win
}

@test "attach to run -di without a terminal: stdin in, stdout and stderr apart" {
  vessel run -di --name rd "$IMAGE" sh -c 'read line; echo got-$line; echo to-err >&2; read x; exit 3' >/dev/null
  run bash -c "printf 'abc\nxyz\n' | $VESSEL_BIN --root $ROOT attach rd 2>$ROOT.err"
  err=$(cat "$ROOT.err"); rm -f "$ROOT.err"
  [ "$status" -eq 3 ]
  [ "$output" = got-abc ]
  [ "$err" = to-err ]
  vessel rm rd
}

@test "attach without -i shows the output from now on and the exit code" {
  vessel run -d --name late "$IMAGE" sh -c 'echo early; sleep 1; echo late; exit 4' >/dev/null
  wait_log late early
  run timeout 60 "$VESSEL_BIN" --root "$ROOT" attach late
  [ "$status" -eq 4 ]
  [ "$output" = late ]
  vessel rm late
}

@test "Ctrl-P Ctrl-Q detaches and leaves the container running" {
  vessel run -dit --name keep "$IMAGE" sh >/dev/null
  # The keys are read from a pipe: the container's terminal (-t) is what makes them keys.
  run timeout 60 bash -c "(printf 'echo marker-\$((6*7))\n'; sleep 0.5; printf '\x10\x11') | $VESSEL_BIN --root $ROOT attach keep"
  [ "$status" -eq 0 ]
  [[ "$output" =~ marker-42 ]]
  [[ "$output" =~ "detached from keep" ]]
  [ "$(status_of keep)" = running ]
  # The shell is still there for the next attach.
  run timeout 60 bash -c "(printf 'echo again-\$((1+1))\n'; sleep 0.5; printf '\x10\x11') | $VESSEL_BIN --root $ROOT attach keep"
  [ "$status" -eq 0 ]
  [[ "$output" =~ again-2 ]]
  [ "$(status_of keep)" = running ]
  vessel rm -f keep
}

@test "without a terminal, signals to attach go to PID 1" {
  vessel run -d --name sig "$IMAGE" sh -c 'trap "echo got-term; exit 6" TERM; touch /tmp/ready; while :; do sleep 0.1; done' >/dev/null
  for _ in $(seq 100); do vessel exec sig test -e /tmp/ready && break; sleep 0.05; done
  "$VESSEL_BIN" --root "$ROOT" attach sig >"$ROOT.out" &
  runner=$!
  for _ in $(seq 100); do [ -S "$ROOT/$(vessel inspect -f '{{.Id}}' sig)/attach.sock" ] && break; sleep 0.05; done
  sleep 0.3
  kill -TERM "$runner"
  status=0; wait "$runner" || status=$?
  out=$(cat "$ROOT.out"); rm -f "$ROOT.out"
  [ "$status" -eq 6 ]
  [ "$out" = got-term ]
  vessel rm sig
}

@test "attach to a foreground, stopped or unknown container: one clear line, 125" {
  vessel run --name fg "$IMAGE" true
  run vessel attach fg
  [ "$status" -eq 125 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ "$output" =~ "only containers started with -d can be attached" ]]
  vessel run -d --name ended "$IMAGE" true >/dev/null
  wait_status ended exited
  run vessel attach ended
  [ "$status" -eq 125 ]
  [ "$output" = "vessel: error: container ended is not running" ]
  run vessel attach nosuch
  [ "$status" -eq 125 ]
  vessel rm fg ended
}
