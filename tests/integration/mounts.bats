#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# Mounts (issue 13, docs/mounts.md): -v and --mount binds, read-only, propagation, --tmpfs, and
# targets resolved inside the container's root even through the image's own symlinks.
# Host-side paths all live beside this test's state root ($ROOT.*), which teardown removes; the
# propagation test makes its host-side mounts inside a private mount namespace of its own.

load helpers


setup() {
  vessel_setup
  DATA="$ROOT.data"
  HOSTDIR="$ROOT.host"
  mkdir -p "$HOSTDIR"
}

# vessel with this test's state root and data root.
vessel() { "$VESSEL_BIN" --root "$ROOT" --data-root "$DATA" "$@"; }

# How many mounts of the host's mount table mention $1.
host_mounts_of() { grep -c -- "$1" /proc/self/mountinfo || true; }

# A copy of the busybox image whose mount points are symlinks an attacker would plant.
make_evil_image() {
  EVIL="$ROOT.img"
  cp -a "$IMAGE" "$EVIL"
  cp "$IMAGE.json" "$EVIL.json"
  mkdir -p "$EVIL/mnt"
  ln -s /../../.. "$EVIL/mnt/up"
  ln -s /etc "$EVIL/mnt/etc"
  ln -s ../../../../../../../../etc "$EVIL/mnt/dotdot"
}

@test "a bind mount is read-write by default and its writes reach the host" {
  echo from-host >"$HOSTDIR/in"
  run vessel run --rm -v "$HOSTDIR:/m" "$IMAGE" sh -c 'cat /m/in; echo from-ctr >/m/out'
  [ "$status" -eq 0 ]
  [ "$output" = from-host ]
  [ "$(cat "$HOSTDIR/out")" = from-ctr ]
  [ "$(host_mounts_of "$HOSTDIR")" -eq 0 ]
}

@test "a :ro bind really is read-only: writes fail with EROFS" {
  echo x >"$HOSTDIR/f"
  run vessel run --rm -v "$HOSTDIR:/m:ro" "$IMAGE" sh -c 'echo y >/m/f'
  [ "$status" -ne 0 ]
  [[ "$output" == *"Read-only file system"* ]]
  [ "$(cat "$HOSTDIR/f")" = x ]
  run vessel run --rm --mount "type=bind,src=$HOSTDIR,dst=/m,readonly" "$IMAGE" touch /m/new
  [ "$status" -ne 0 ]
  [[ "$output" == *"Read-only file system"* ]]
  [ ! -e "$HOSTDIR/new" ]
  # The mount table inside says ro too.
  run vessel run --rm -v "$HOSTDIR:/m:ro" "$IMAGE" awk '$5 == "/m" {print $6}' /proc/self/mountinfo
  [[ "$output" == ro,* ]]
}

@test "--read-only root keeps a rw bind writable" {
  run vessel run --rm --read-only -v "$HOSTDIR:/m" "$IMAGE" sh -c 'echo ok >/m/w && touch /x'
  [ "$status" -ne 0 ]
  [[ "$output" == *"Read-only file system"* ]]
  [ "$(cat "$HOSTDIR/w")" = ok ]
}

@test "-v makes a missing host path; --mount type=bind refuses it with docker's error" {
  run vessel run --rm -v "$HOSTDIR/new/deep:/m" "$IMAGE" true
  [ "$status" -eq 0 ]
  [ -d "$HOSTDIR/new/deep" ]
  run vessel run --rm --mount "type=bind,source=$HOSTDIR/missing,target=/m" "$IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" == *"invalid mount config for type \"bind\": bind source path does not exist: $HOSTDIR/missing"* ]]
  [ ! -e "$HOSTDIR/missing" ]
  [ -z "$(compgen -G "$ROOT/*/state.json")" ]
}

@test "bad mount flags: one line with docker's words, exit 125, nothing made" {
  run vessel run --rm -v "/foo:rw" "$IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" == *"invalid volume specification: '/foo:rw'"* ]]
  run vessel run --rm -v "rel/path:/m" "$IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" == *"includes invalid characters for a local volume name"*"use absolute path"* ]]
  run vessel run --rm -v "$HOSTDIR:/m" --tmpfs /m "$IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" == *"Duplicate mount point: /m"* ]]
  run vessel run --rm --mount "type=bind,target=/m,bogus" "$IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" == *"invalid field 'bogus' must be a key=value pair"* ]]
  [ "$(echo "$output" | wc -l)" -eq 1 ]
  [ -z "$(compgen -G "$ROOT/*/state.json")" ]
  [ ! -e "$DATA/volumes" ] || [ -z "$(ls -A "$DATA/volumes")" ]
}

@test "a single file can be bind-mounted" {
  echo hello >"$HOSTDIR/file"
  run vessel run --rm -v "$HOSTDIR/file:/etc/greeting:ro" "$IMAGE" cat /etc/greeting
  [ "$status" -eq 0 ]
  [ "$output" = hello ]
}

@test "--tmpfs and --mount type=tmpfs: size, mode, noexec" {
  run vessel run --rm --tmpfs /t:size=1m,mode=700 "$IMAGE" sh -c \
    'stat -c %a /t; awk "\$5 == \"/t\"" /proc/self/mountinfo'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 700 ]
  [[ "$output" == *" - tmpfs tmpfs "*"size=1024k"* ]]
  [[ "$output" == *noexec* ]]
  run vessel run --rm --mount type=tmpfs,dst=/t,tmpfs-size=2m,tmpfs-mode=1770 "$IMAGE" sh -c \
    'stat -c %a /t; awk "\$5 == \"/t\"" /proc/self/mountinfo'
  [ "${lines[0]}" = 1770 ]
  [[ "$output" == *"size=2048k"* ]]
  # A tmpfs is full at its size.
  run vessel run --rm --tmpfs /t:size=64k "$IMAGE" sh -c 'dd if=/dev/zero of=/t/f bs=1k count=128'
  [ "$status" -ne 0 ]
  [[ "$output" == *"No space left on device"* ]]
}

@test "a target that is a symlink to /../../.. is refused, nothing lands on the host" {
  make_evil_image
  local before
  before=$(wc -l </proc/self/mountinfo)
  run vessel run --rm -v "$HOSTDIR:/mnt/up" "$EVIL" true
  [ "$status" -eq 125 ]
  echo "$output"
  [[ "$output" == *"cannot mount on /mnt/up: inside the container it resolves to / itself"* ]]
  [ "$(host_mounts_of "$HOSTDIR")" -eq 0 ]
  [ "$(wc -l </proc/self/mountinfo)" -le "$before" ] || [ "$(host_mounts_of "$HOSTDIR")" -eq 0 ]
}

@test "targets that are symlinks to /etc land on the container's /etc, not the host's" {
  make_evil_image
  echo planted >"$HOSTDIR/marker"
  for target in /mnt/etc /mnt/dotdot; do
    run vessel run --rm -v "$HOSTDIR:$target:ro" "$EVIL" sh -c \
      'cat /etc/marker; awk "\$5 == \"/etc\" {print \$5}" /proc/self/mountinfo'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = planted ]
    [ "${lines[1]}" = /etc ]
    [ ! -e /etc/marker ]
    [ "$(host_mounts_of "$HOSTDIR")" -eq 0 ]
    refute_grep -q " /etc " /proc/self/mountinfo
  done
}

# Propagation, in a private mount namespace made for the test: a tmpfs mounted on the host side
# under the bind's source after the container started shows inside only with shared or slave.
propagation_seen() {
  local mode=$1 src="$HOSTDIR/src"
  mkdir -p "$src/sub"
  unshare -m --propagation private sh -c '
    set -e
    src=$1 mode=$2; shift 2
    mount --bind "$src" "$src"
    mount --make-shared "$src"
    "$@" run --rm -v "$src:/m$mode" "'"$IMAGE"'" sh -c "
      for i in \$(seq 50); do [ -e /m/sub/marker ] && { echo seen; exit 0; }; sleep 0.1; done
      echo unseen" >"$0.out" 2>&1 &
    sleep 0.5
    mount -t tmpfs tmpfs "$src/sub"
    touch "$src/sub/marker"
    wait $!
    umount "$src/sub"
    umount "$src"
  ' "$ROOT.prop" "$src" "$mode" "$VESSEL_BIN" --root "$ROOT" --data-root "$DATA"
  cat "$ROOT.prop.out"
}

@test "propagation: shared and slave binds see host mounts made later, rprivate does not" {
  command -v unshare >/dev/null || skip "unshare (util-linux) is missing"
  run propagation_seen ":shared"
  [ "$status" -eq 0 ]
  [ "$output" = seen ]
  run propagation_seen ":rslave"
  [ "$output" = seen ]
  run propagation_seen ""
  [ "$output" = unseen ]
  [ "$(host_mounts_of "$HOSTDIR")" -eq 0 ]
}

@test "--explain shows the bind made on the opened target" {
  run vessel run --rm --explain -v "$HOSTDIR:/m" "$IMAGE" true
  [ "$status" -eq 0 ]
  [[ "$output" == *"open_tree("*"OPEN_TREE_CLONE"* ]]
  [[ "$output" == *"move_mount("*"MOVE_MOUNT_T_EMPTY_PATH"* ]]
  [[ "$output" == *"docs/mounts.md"* ]]
}

@test "--userns=remap: binds and volumes are idmapped: the container's root owns root's files" {
  echo host >"$HOSTDIR/f"
  run vessel run --rm --userns=remap -v "$HOSTDIR:/m" -v uvol:/v "$IMAGE" sh -c \
    'stat -c %u /m/f; echo ctr >/m/g && stat -c %u /m/g; touch /v/new && stat -c %u /v/new'
  [ "$status" -eq 0 ]
  [ "$output" = "$(printf '0\n0\n0')" ]
  # On disk, the container root's writes are the host's uid 0, not 100000.
  [ "$(stat -c %u "$HOSTDIR/g")" = 0 ]
  [ "$(stat -c %u "$DATA/volumes/uvol/_data/new")" = 0 ]
  vessel volume rm uvol
}
