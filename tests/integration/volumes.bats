#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# Volumes (issue 13, docs/mounts.md): named volumes made on first use, `vessel volume`
# create/ls/inspect/rm/prune, docker's copy-up, anonymous volumes and --rm, volumes in use,
# --volumes-from. Each test has its own data root ($ROOT.data), checked empty at teardown.

load helpers


setup() {
  vessel_setup
  DATA="$ROOT.data"
}

teardown() {
  [ -n "${ROOT:-}" ] || return 0
  cleanup_root "$ROOT"
  local left=""
  if [ -d "$DATA/volumes" ]; then
    left=$(ls -A "$DATA/volumes")
    "$VESSEL_BIN" --root "$ROOT" --data-root "$DATA" volume prune -a >/dev/null 2>&1 || true
  fi
  local leftovers
  leftovers=$(find_leftovers "$ROOT")
  rm -rf "$ROOT" "$ROOT".*
  if [ -n "$leftovers$left" ]; then
    echo "left behind by this test: $leftovers volumes: $left" >&2
    return 1
  fi
}

vessel() { "$VESSEL_BIN" --root "$ROOT" --data-root "$DATA" "$@"; }

@test "volume create, ls, inspect, rm" {
  run vessel volume create data1
  [ "$status" -eq 0 ]
  [ "$output" = data1 ]
  run vessel volume create data1  # again: the same volume, as docker
  [ "$output" = data1 ]
  run vessel volume ls
  [ "${lines[0]}" = "DRIVER    VOLUME NAME" ]
  [ "${lines[1]}" = "local     data1" ]
  run vessel volume inspect data1
  [ "$status" -eq 0 ]
  [ "$(jq -r '.[0].Mountpoint' <<<"$output")" = "$DATA/volumes/data1/_data" ]
  [ "$(jq -r '.[0].Driver' <<<"$output")" = local ]
  [ -d "$DATA/volumes/data1/_data" ]
  run vessel volume rm data1
  [ "$output" = data1 ]
  [ ! -e "$DATA/volumes/data1" ]
  run vessel volume inspect data1
  [ "$status" -eq 125 ]
  [[ "$output" == *"no such volume: data1"* ]]
  run vessel volume create 'bad/name'
  [ "$status" -eq 125 ]
  [[ "$output" == *"includes invalid characters for a local volume name"* ]]
}

@test "a named volume is made on first use and outlives its containers" {
  run vessel run --rm -v keep:/data "$IMAGE" sh -c 'echo one >/data/f'
  [ "$status" -eq 0 ]
  run vessel run --rm -v keep:/data "$IMAGE" cat /data/f
  [ "$output" = one ]
  run vessel volume ls -q
  [ "$output" = keep ]
  vessel volume rm keep
}

@test "copy-up: a new empty volume gets the image's files, owners and modes kept" {
  local img="$ROOT.img"
  cp -a "$IMAGE" "$img"
  cp "$IMAGE.json" "$img.json"
  mkdir -p "$img/srv/app/sub"
  echo seed >"$img/srv/app/sub/file"
  chown 123:45 "$img/srv/app/sub/file"
  chmod 0640 "$img/srv/app/sub/file"
  chmod 0750 "$img/srv/app"
  ln -s sub/file "$img/srv/app/link"
  run vessel run --rm -v app:/srv/app "$img" sh -c \
    'cat /srv/app/sub/file; stat -c "%u:%g %a" /srv/app/sub/file; stat -c %a /srv/app; readlink /srv/app/link'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = seed ]
  [ "${lines[1]}" = "123:45 640" ]
  [ "${lines[2]}" = 750 ]
  [ "${lines[3]}" = sub/file ]
  # Once the volume holds something, it is not copied into again.
  vessel run --rm -v app:/srv/app "$img" sh -c 'echo changed >/srv/app/sub/file'
  run vessel run --rm -v app:/srv/app "$img" cat /srv/app/sub/file
  [ "$output" = changed ]
  # nocopy: an empty volume stays empty.
  run vessel run --rm -v empty1:/srv/app:nocopy "$img" ls -A /srv/app
  [ "$output" = "" ]
  vessel volume rm app empty1
}

@test "anonymous volumes: removed with their --rm container, kept otherwise, pruned" {
  run vessel run --rm -v /scratch "$IMAGE" sh -c 'echo x >/scratch/f; cat /scratch/f'
  [ "$output" = x ]
  [ -z "$(ls -A "$DATA/volumes")" ]
  run vessel run --name keeper -v /scratch "$IMAGE" true
  [ "$status" -eq 0 ]
  run vessel volume ls -q
  [ "${#lines[@]}" -eq 1 ]
  [ "${#lines[0]}" -eq 64 ]
  local anon=${lines[0]}
  [ "$(jq -r '.[0].Labels["com.docker.volume.anonymous"]' <<<"$(vessel volume inspect "$anon")")" = "" ]
  # In use by the stopped container: prune leaves it.
  run vessel volume prune
  refute_grep -q "$anon" <<<"$output"
  vessel rm keeper
  run vessel volume prune
  [[ "$output" == *"$anon"* ]]
  [ -z "$(ls -A "$DATA/volumes")" ]
}

@test "a volume in use is not removed without -f" {
  vessel run --name user1 -v busy:/d "$IMAGE" true
  run vessel volume rm busy
  [ "$status" -eq 125 ]
  [[ "$output" == *"remove busy: volume is in use - ["* ]]
  [ -d "$DATA/volumes/busy/_data" ]
  # A second user counts too.
  vessel run --name user2 -v busy:/d "$IMAGE" true
  vessel rm user1
  run vessel volume rm busy
  [ "$status" -eq 125 ]
  run vessel volume rm -f busy
  [ "$status" -eq 0 ]
  [ ! -e "$DATA/volumes/busy" ]
  vessel rm user2
}

@test "--volumes-from shares binds and volumes, :ro makes them read-only" {
  vessel run --name src1 -v shared1:/d "$IMAGE" sh -c 'echo hi >/d/f'
  run vessel run --rm --volumes-from src1:ro "$IMAGE" sh -c 'cat /d/f; echo no >/d/f'
  [ "$status" -ne 0 ]
  [ "${lines[0]}" = hi ]
  [[ "$output" == *"Read-only file system"* ]]
  run vessel run --rm --volumes-from src1 "$IMAGE" sh -c 'echo yes >/d/f'
  [ "$status" -eq 0 ]
  [ "$(cat "$DATA/volumes/shared1/_data/f")" = yes ]
  run vessel run --rm --volumes-from nosuch "$IMAGE" true
  [ "$status" -eq 125 ]
  vessel rm src1
  vessel volume rm shared1
}

@test "a detached --rm container's anonymous volume goes when it exits" {
  run vessel run -d --rm -v /scratch "$IMAGE" sleep 0.3
  [ "$status" -eq 0 ]
  [ -n "$(ls -A "$DATA/volumes")" ]
  for _ in $(seq 100); do [ -z "$(ls -A "$DATA/volumes")" ] && break; sleep 0.05; done
  [ -z "$(ls -A "$DATA/volumes")" ]
}

@test "rm -v removes the container's anonymous volumes, not its named ones" {
  vessel run --name withvols -v /anon -v named1:/named "$IMAGE" true
  run vessel volume ls -q
  [ "${#lines[@]}" -eq 2 ]
  vessel rm -v withvols
  run vessel volume ls -q
  [ "$output" = named1 ]
  vessel volume rm named1
}
