#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# What a new user hits first (issue 13): bare vessel, unknown commands, help and version,
# exec -it without a terminal, --pids-limit below -1, stats of one container named twice.

load helpers

@test "bare vessel lists the commands, exit 0" {
  run vessel
  [ "$status" -eq 0 ]
  [[ "$output" == *"Commands:"* ]]
  [[ "$output" == *"  run "* ]]
  [[ "$output" == *"  volume "* ]]
  refute_grep -q "A subcommand is required" <<<"$output"
}

@test "an unknown command is named, and the commands listed, exit 125" {
  run vessel frobnicate
  [ "$status" -eq 125 ]
  [ "${lines[0]}" = "vessel: error: 'frobnicate' is not a vessel command" ]
  [[ "$output" == *"  exec "* ]]
}

@test "vessel help COMMAND and vessel version" {
  run vessel help cp
  [ "$status" -eq 0 ]
  [[ "$output" == *"--archive"* ]]
  run vessel help nosuch
  [ "$status" -eq 125 ]
  run vessel version
  [ "$status" -eq 0 ]
  [[ "$output" == "vessel "* ]]
}

@test "exec -it without a terminal: 'the input device is not a TTY', exit 1, no hang" {
  vessel run -d --name box "$IMAGE" sleep 60
  run -1 timeout 10 "$VESSEL_BIN" --root "$ROOT" exec -it box sh </dev/null
  [ "$output" = "vessel: error: the input device is not a TTY" ]
  # Also from a terminal session whose stdin is /dev/null (script gives vessel a pty as stdout).
  run -0 timeout 10 script -qec "$VESSEL_BIN --root $ROOT exec -it box sh </dev/null; echo rc=\$?" /dev/null
  [[ "$output" == *"the input device is not a TTY"* ]]
  [[ "$output" == *"rc=1"* ]]
  # -t alone, or -i alone, is fine without one.
  run vessel exec -i box echo ok </dev/null
  [ "$output" = ok ]
  vessel rm -f box
}

@test "--pids-limit below -1 is refused" {
  run vessel run --rm --pids-limit -5 "$IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" == *"invalid --pids-limit \"-5\": use a positive number, or 0 or -1 for no limit"* ]]
  run vessel run --rm --pids-limit -1 "$IMAGE" true
  [ "$status" -eq 0 ]
}

@test "stats shows a container named twice once" {
  vessel run -d --name box "$IMAGE" sleep 60
  local id
  id=$(vessel inspect -f '{{.Id}}' box)
  run vessel stats --no-stream box box "${id:0:12}"
  [ "$status" -eq 0 ]
  [ "$(grep -c box <<<"$output")" -eq 1 ]
  vessel rm -f box
}

@test "parse errors are one line in vessel's words" {
  run vessel stop --time -1 x
  [ "$status" -eq 125 ]
  [ "$output" = "vessel: error: invalid --time \"-1\": use a number of 0 or more (see 'vessel stop --help')" ]
  run "$VESSEL_BIN" --root a --root b ps
  [ "$output" = "vessel: error: --root was given 2 times: give it once (see 'vessel ps --help')" ]
  run vessel ps -v
  [ "$output" = "vessel: error: 'vessel ps' has no option -v (see 'vessel ps --help')" ]
  run vessel volume
  [[ "$output" == *"'vessel volume' needs a command: create, ls, inspect, rm, prune"* ]]
  [ "${#lines[@]}" -eq 1 ]
}

@test "misleading messages: an option that took the image, an empty command, an empty image" {
  run vessel run --rm -e "$IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" == *"did -e take the image $IMAGE as its value? -e needs KEY=VALUE"* ]]
  run vessel run --rm "$IMAGE" ''
  [ "$status" -eq 125 ]
  [[ "$output" == *"the command is an empty string"* ]]
  refute_grep -q "no default command" <<<"$output"
  run vessel run --rm ''
  [ "$status" -eq 125 ]
  [[ "$output" == *"no image given: IMAGE_DIR is an empty string"* ]]
}

@test "--init: /proc/1/cmdline shows no host command line" {
  run vessel run --rm --init "$IMAGE" sh -c 'tr "\0" "\n" </proc/1/cmdline | grep .'
  [ "$status" -eq 0 ]
  [ "$output" = vessel-init ]
  refute_grep -q -- "$ROOT" <<<"$output"
}

@test "vessel info: roots, cgroups, kernel" {
  run vessel --data-root "$ROOT.data" info
  [ "$status" -eq 0 ]
  [[ "$output" == *" State root: $ROOT"* ]]
  [[ "$output" == *" Data root: $ROOT.data"* ]]
  [[ "$output" == *" Cgroups: "* ]]
  [[ "$output" == *" Kernel: $(uname -r)"* ]]
  # Without --data-root, VESSEL_DATA_ROOT names it; --data-root wins over it.
  run env VESSEL_DATA_ROOT="$ROOT.env" "$VESSEL_BIN" --root "$ROOT" info
  [[ "$output" == *" Data root: $ROOT.env"* ]]
  run env VESSEL_DATA_ROOT="$ROOT.env" "$VESSEL_BIN" --root "$ROOT" --data-root "$ROOT.flag" info
  [[ "$output" == *" Data root: $ROOT.flag"* ]]
}

@test "ps keeps an argument's spaces quoted, as docker" {
  vessel run -d --name quoted "$IMAGE" sh -c 'sleep 60'
  run vessel ps --no-trunc
  [[ "$output" == *"\"sh -c 'sleep 60'\""* ]]
  vessel rm -f quoted
}

@test "run and exec help show where the command goes" {
  run vessel run --help
  [[ "$output" == *"Usage: vessel run [OPTIONS] IMAGE_DIR [COMMAND [ARG...]]"* ]]
  run vessel exec --help
  [[ "$output" == *"Usage: vessel exec [OPTIONS] CONTAINER COMMAND [ARG...]"* ]]
}
