#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# vessel cp (issue 13, docs/cp.md): both ways, running and stopped containers, modes and owners
# (-a), docker's trailing "/" and "/." rules, and symlinks in the container, also swapped while
# cp runs, that must never lead cp to the host's files.

load helpers


setup() {
  vessel_setup
  DATA="$ROOT.data"
  H="$ROOT.host"
  mkdir -p "$H"
}

vessel() { "$VESSEL_BIN" --root "$ROOT" --data-root "$DATA" "$@"; }

# A running container with /data/sub/f (owner 12:34, mode 640) and /data/top.
start_box() {
  vessel run -d --name box "$IMAGE" sh -c '
    mkdir -p /data/sub && echo hi >/data/sub/f && chown 12:34 /data/sub/f && chmod 640 /data/sub/f
    echo top >/data/top; touch /ready; exec sleep 60' >/dev/null
  for _ in $(seq 100); do vessel exec box test -e /ready 2>/dev/null && return 0; sleep 0.05; done
  return 1
}

@test "cp out of a running container: a file, a directory, modes kept, owners with -a" {
  start_box
  run vessel cp box:/data/top "$H/top"
  [ "$status" -eq 0 ]
  [ "$(cat "$H/top")" = top ]
  vessel cp box:/data "$H/copy"
  [ "$(cat "$H/copy/sub/f")" = hi ]
  [ "$(stat -c '%a %u:%g' "$H/copy/sub/f")" = "640 0:0" ]
  vessel cp -a box:/data/sub/f "$H/owned"
  [ "$(stat -c '%a %u:%g' "$H/owned")" = "640 12:34" ]
  vessel rm -f box
}

@test "cp into a running container, and both ways with a stopped one" {
  start_box
  echo in >"$H/in"
  chmod 600 "$H/in"
  chown 7:8 "$H/in"
  vessel cp "$H/in" box:/data/
  run vessel exec box stat -c '%a %u:%g' /data/in
  [ "$output" = "600 0:0" ]
  vessel cp -a "$H/in" box:/data/in-a
  run vessel exec box stat -c '%a %u:%g' /data/in-a
  [ "$output" = "600 7:8" ]
  vessel stop -t 1 box || vessel kill box
  run vessel cp box:/data/in "$H/back"
  [ "$status" -eq 0 ]
  [ "$(cat "$H/back")" = in ]
  echo later >"$H/later"
  vessel cp "$H/later" box:/data/later
  run vessel cp box:/data/later "$H/later-back"
  [ "$(cat "$H/later-back")" = later ]
  # The helper's mounts died with it: nothing of the container is mounted on the host.
  refute_grep -q "$ROOT" /proc/self/mountinfo
  vessel rm box
}

@test "cp of a stopped container sees its volumes" {
  vessel run --name vbox -v cpvol:/vol "$IMAGE" sh -c 'echo in-volume >/vol/f'
  vessel cp vbox:/vol/f "$H/f"
  [ "$(cat "$H/f")" = in-volume ]
  vessel rm vbox
  vessel volume rm cpvol
}

@test "docker's rules: trailing / and /., missing destinations, errors" {
  start_box
  mkdir "$H/existing"
  vessel cp box:/data "$H/existing"          # a directory into an existing one: existing/data
  [ -f "$H/existing/data/top" ]
  vessel cp box:/data/. "$H/existing"        # "/.": its contents, merged
  [ -f "$H/existing/top" ]
  vessel cp box:/data "$H/fresh"             # DEST missing: made, with the contents
  [ -f "$H/fresh/top" ]
  vessel cp box:/data/top "$H/existing/"     # a file into a directory, by its name
  [ -f "$H/existing/top" ]
  run vessel cp box:/data/top "$H/nodir/"
  [ "$status" -eq 125 ]
  [[ "$output" == *"must exist"* ]]
  touch "$H/afile"
  run vessel cp box:/data "$H/afile"
  [ "$status" -eq 125 ]
  [[ "$output" == *"cannot copy a directory"* ]]
  run vessel cp box:/data/top/ "$H/x"
  [ "$status" -eq 125 ]
  [[ "$output" == *"is not a directory"* ]]
  run vessel cp box:/nope "$H/x"
  [ "$status" -eq 125 ]
  [[ "$output" == *"Could not find the file /nope in container"* ]]
  run vessel cp "$H/afile" "$H/other"
  [ "$status" -eq 125 ]
  [[ "$output" == *"one side must be CONTAINER:PATH"* ]]
  vessel rm -f box
}

@test "symlinks in the container resolve inside it, for cp out and in" {
  mkdir -p "$ROOT.secret"
  echo HOST-SECRET >"$ROOT.secret/secret"
  vessel run -d --name sl "$IMAGE" sh -c "
    mkdir -p /d; ln -s $ROOT.secret /d/abs; ln -s ../../../../../../..$ROOT.secret /d/rel
    ln -s / /d/up; touch /ready; exec sleep 60" >/dev/null
  for _ in $(seq 100); do vessel exec sl test -e /ready 2>/dev/null && break; sleep 0.05; done
  run vessel cp "sl:/d/abs/secret" "$H/s1"
  [ "$status" -eq 125 ]
  [ ! -e "$H/s1" ]
  run vessel cp "sl:/d/rel/secret" "$H/s2"
  [ "$status" -eq 125 ]
  # /d/up -> / is the container's root.
  vessel cp "sl:/d/up/ready" "$H/ready"
  [ -f "$H/ready" ]
  echo planted >"$H/plant"
  run vessel cp "$H/plant" "sl:/d/abs/planted"
  [ "$status" -eq 125 ]
  run vessel cp "$H/plant" "sl:/d/rel/"
  [ "$status" -eq 125 ]
  [ ! -e "$ROOT.secret/planted" ]
  [ ! -e "$ROOT.secret/plant" ]
  # A symlink copied out stays a symlink: cp never follows it.
  vessel cp sl:/d/abs "$H/link"
  [ -L "$H/link" ]
  [ "$(readlink "$H/link")" = "$ROOT.secret" ]
  vessel rm -f sl
}

@test "a container swapping a directory for a symlink while cp runs never reaches the host" {
  mkdir -p "$ROOT.secret"
  echo HOST-SECRET >"$ROOT.secret/file"
  vessel run -d --name racer "$IMAGE" sh -c "
    touch /ready
    while :; do
      rm -rf /r/x; mkdir -p /r/x; echo inside >/r/x/file
      rm -rf /r/x; ln -s ../../../../../../..$ROOT.secret /r/x
      rm -rf /r/x; ln -s $ROOT.secret /r/x
    done" >/dev/null
  for _ in $(seq 100); do vessel exec racer test -e /ready 2>/dev/null && break; sleep 0.05; done
  echo planted >"$H/plant"
  local i copied=0
  for i in $(seq 40); do
    vessel cp racer:/r/x/file "$H/out.$i" 2>/dev/null && copied=$((copied + 1))
    vessel cp racer:/r/x/. "$H/dir.$i" 2>/dev/null || true
    vessel cp "$H/plant" "racer:/r/x/planted" 2>/dev/null || true
    vessel cp "$H/plant" "racer:/r/x/" 2>/dev/null || true
  done
  echo "copies that found /r/x/file: $copied of 40" >&3
  refute_grep -rq HOST-SECRET "$H"
  [ ! -e "$ROOT.secret/planted" ]
  [ ! -e "$ROOT.secret/plant" ]
  [ "$(ls "$ROOT.secret")" = file ]
  vessel rm -f racer
}
