#!/usr/bin/env bats
# Real podman (Debian 12's 4.3.1) driving vessel-oci (docs/oci.md, "Engines"): run, exit codes,
# run -d, ps, exec (pipes, stdin, terminal), stop, kill, rm, a terminal for run -t, pause and
# unpause, and the flags that become config.json (env, workdir, user, hostname, read-only,
# tmpfs, limits, --device, --privileged).
#
# Everything of podman's is private to this file's temp dir T: storage (--root, --runroot, vfs),
# containers.conf (CONTAINERS_CONF: cgroupfs, file events, file locks, tmp_dir, the runtime),
# storage.conf, registries.conf and policy.json, TMPDIR. Networking is `--network none`, so
# neither netavark nor CNI is needed. The image is build/busybox-image.tar (scripts/setup.sh,
# scripts/mkimage.sh), loaded with `podman load`: nothing reaches the network.

load helpers
bats_require_minimum_version 1.5.0

IMAGE_TAR=${IMAGE_TAR:-$BATS_TEST_DIRNAME/../../build/busybox-image.tar}

# What podman would leave on the machine if something were not private.
host_paths=(/var/lib/containers /run/containers /run/libpod /run/vessel-oci /dev/shm/libpod_lock)

setup_file() {
  [ "$(id -u)" = 0 ] || skip "integration tests run as root"
  command -v podman >/dev/null || skip "podman is not installed (apt-get install podman)"
  [ -x "$VESSEL_BIN" ] || skip "build/vessel is missing: run scripts/test.sh"
  [ -f "$IMAGE_TAR" ] || skip "build/busybox-image.tar is missing: run scripts/setup.sh"
  T=$(mktemp -d /tmp/vessel-podman.XXXXXX)
  export T
  local p
  for p in "${host_paths[@]}"; do [ -e "$p" ] && echo "$p"; done >"$T/host-before"
  md5sum /etc/containers/* /etc/containers/*/* 2>/dev/null >"$T/etc-before" || true
  mkdir -p "$T/bin" "$T/tmp" "$T/oci"
  # The runtime podman calls: vessel-oci itself, behind a two-line wrapper that records each
  # call and gives vessel-oci a state root in T. A wrapper because podman 4.3 does not pass
  # `--runtime-flag root=...` on to `podman container cleanup` (conmon starts it when the
  # container exits): its `delete --force ID` reached vessel-oci without --root (seen here).
  cat >"$T/bin/vessel-oci" <<EOF
#!/bin/sh
printf '%s\n' "\$*" >>"$T/calls.log"
exec "$(dirname "$VESSEL_BIN")/vessel-oci" --root "$T/oci" "\$@"
EOF
  chmod +x "$T/bin/vessel-oci"
  # DESIGN.md ("Engines"): cgroupfs (no systemd here), file events (no journald), default
  # ulimits (podman would raise nofile/nproc to its own defaults). lock_type "file" keeps the
  # locks in tmp_dir instead of /dev/shm/libpod_lock. runtime_supports_json: podman passes
  # `--log-format=json`, which vessel-oci writes.
  cat >"$T/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
netns = "none"
[network]
network_config_dir = "$T/networks"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$T/events.log"
lock_type = "file"
tmp_dir = "$T/libpod"
static_dir = "$T/root/libpod"
volume_path = "$T/root/volumes"
runtime = "vessel-oci"
runtime_supports_json = ["vessel-oci"]
[engine.runtimes]
vessel-oci = ["$T/bin/vessel-oci"]
EOF
  cat >"$T/storage.conf" <<EOF
[storage]
driver = "vfs"
graphroot = "$T/root"
runroot = "$T/runroot"
EOF
  echo 'unqualified-search-registries = []' >"$T/registries.conf"
  echo '{"default":[{"type":"insecureAcceptAnything"}]}' >"$T/policy.json"
  # podman load writes containers/image's blob-info cache to /var/lib/containers/cache as root,
  # and 4.3 has no setting for it: the load runs in a mount namespace of its own where /var/lib
  # is an empty tmpfs, so the cache lands there and vanishes with it.
  unshare -m --propagation private sh -c 'mount -t tmpfs tmpfs /var/lib && exec "$@"' sh \
    env TMPDIR="$T/tmp" CONTAINERS_CONF="$T/containers.conf" \
    CONTAINERS_STORAGE_CONF="$T/storage.conf" CONTAINERS_REGISTRIES_CONF="$T/registries.conf" \
    podman --root "$T/root" --runroot "$T/runroot" --storage-driver vfs \
    load --signature-policy "$T/policy.json" -q -i "$IMAGE_TAR" >"$T/load.log" 2>&1 ||
    { cat "$T/load.log" >&3; return 1; }
}

# podman with this file's private everything; --runtime names vessel-oci (the wrapper above).
pm() {
  TMPDIR="$T/tmp" CONTAINERS_CONF="$T/containers.conf" CONTAINERS_STORAGE_CONF="$T/storage.conf" \
    CONTAINERS_REGISTRIES_CONF="$T/registries.conf" \
    podman --root "$T/root" --runroot "$T/runroot" --storage-driver vfs \
    --runtime "$T/bin/vessel-oci" "$@"
}

oci() { "$(dirname "$VESSEL_BIN")/vessel-oci" --root "$T/oci" "$@"; }

# The calls vessel-oci received, ids and paths shortened: <ID>, T.
calls() { sed -E "s/[0-9a-f]{64}/<ID>/g; s#$T#T#g" "$T/calls.log"; }

# Waits until container $1 has made the file $2 (its trap is set, its loop runs).
wait_file() {
  local pid
  pid=$(pm inspect -f '{{.State.Pid}}' "$1")
  for _ in $(seq 100); do [ -e "/proc/$pid/root$2" ] && return 0; sleep 0.05; done
  echo "container $1 never made $2" >&2
  return 1
}

setup() {
  : >"$T/calls.log"
  CGROUPS_BEFORE=$(vessel_cgroups)
}

teardown() {
  pm rm -af -t 0 >/dev/null 2>&1 || true
  # Every container podman removed is gone from vessel-oci's state root too.
  local left
  left=$(oci list -q 2>&1)
  if [ -n "$left" ]; then
    echo "vessel-oci still has: $left" >&2
    for id in $left; do oci delete --force "$id" || true; done
    return 1
  fi
  local cgroups
  cgroups=$(comm -13 <(echo "$CGROUPS_BEFORE") <(vessel_cgroups) | grep . || true)
  [ -z "$cgroups" ] || { echo "cgroups left: $cgroups" >&2; return 1; }
}

teardown_file() {
  [ -n "${T:-}" ] || return 0
  pm rm -af -t 0 >/dev/null 2>&1 || true
  # What podman mounted under T (the containers' /dev/shm), deepest first.
  awk -v t="$T" '$5 == t || index($5, t "/") == 1 { print $5 }' /proc/self/mountinfo |
    sort -r | xargs -r -n1 umount -l
  local p before after etc_before etc_after
  before=$(cat "$T/host-before")
  etc_before=$(cat "$T/etc-before")
  rm -rf "$T"
  after=$(for p in "${host_paths[@]}"; do [ -e "$p" ] && echo "$p"; done)
  etc_after=$(md5sum /etc/containers/* /etc/containers/*/* 2>/dev/null || true)
  [ "$after" = "$before" ] || { echo "left on the machine: $after (before: $before)" >&2; return 1; }
  [ "$etc_after" = "$etc_before" ] || { echo "/etc/containers changed" >&2; return 1; }
}

@test "podman run --rm: the output, through vessel-oci's create, start and delete" {
  run pm run --rm --network none busybox echo hi from vessel
  [ "$status" -eq 0 ]
  [ "$output" = "hi from vessel" ]
  calls
  calls | grep -qE '^--log-format=json --log T/\S+/oci-log create --bundle T/\S+/userdata --pid-file T/\S+/pidfile <ID>$'
  calls | grep -qx 'start <ID>'
  calls | grep -qx 'delete --force <ID>'
  [ "$(pm info --format '{{.Host.OCIRuntime.Path}}')" = "$T/bin/vessel-oci" ]
}

@test "podman run: the command's exit code, and 127 for a missing command" {
  run pm run --rm --network none busybox sh -c 'exit 3'
  [ "$status" -eq 3 ]
  # vessel-oci's create fails (exit 127, the message in --log's JSON) and podman says why.
  run -127 pm run --rm --network none busybox no-such-command
  [[ "$output" == *"no-such-command"* ]]
}

@test "podman run -d, ps, exec (output, exit code, stdin), stop, rm" {
  # A shell that ends on SIGTERM: PID 1 gets only the signals it handles (DESIGN.md).
  run pm run -d --network none --name web busybox \
    sh -c 'trap "echo got-term; exit 0" TERM; touch /tmp/ready; while :; do sleep 0.1; done'
  [ "$status" -eq 0 ]
  wait_file web /tmp/ready
  pm ps --format '{{.Names}} {{.Status}}' | grep -q '^web Up'
  # vessel-oci's own view of it: running, with the pid podman knows.
  local id pid
  id=$(pm inspect -f '{{.Id}}' web)
  pid=$(pm inspect -f '{{.State.Pid}}' web)
  oci state "$id" | jq -e --argjson pid "$pid" '.status == "running" and .pid == $pid'
  [ -f "$T/oci/$(readlink "$T/oci/.names/$id")/state.json" ]

  run pm exec web sh -c 'echo out; echo err >&2; exit 4'
  [ "$status" -eq 4 ]
  [[ "$output" == *out* ]]
  [[ "$output" == *err* ]]
  [ "$(echo piped-in | pm exec -i web cat)" = "piped-in" ]
  calls
  calls | grep -qE '^--log-format=json --log T/\S+/oci-log exec --pid-file T/\S+/exec_pid --process T/\S+/exec-process-[0-9]+ --detach <ID>$'

  run pm stop -t 10 web
  [ "$status" -eq 0 ]
  pm ps -a --format '{{.Names}} {{.Status}}' | grep -q '^web Exited (0)'
  pm logs web | grep -qx got-term
  calls | grep -qx 'kill <ID> 15'
  run pm rm web
  [ "$status" -eq 0 ]
  run oci state "$id"
  [ "$status" -ne 0 ]
}

@test "podman kill: SIGKILL by default (137), and a signal by name to a trapping shell" {
  pm run -d --network none --name k1 busybox sleep 1000
  pm kill k1
  [ "$(pm wait k1)" = 137 ]
  pm run -d --network none --name k2 busybox \
    sh -c 'trap "exit 42" USR1; touch /tmp/ready; while :; do sleep 0.1; done'
  wait_file k2 /tmp/ready
  pm kill -s USR1 k2
  [ "$(pm wait k2)" = 42 ]
  calls
  calls | grep -qx 'kill <ID> 9'
  calls | grep -qx 'kill <ID> 10'
}

@test "podman run -t and exec -t: a terminal through the console socket" {
  run script -qec "$(declare -f pm); pm run --rm -t --network none busybox sh -c 'tty; echo in-a-terminal'" /dev/null </dev/null
  [ "$status" -eq 0 ]
  [[ "$output" == *"/dev/pts/0"* ]]
  [[ "$output" == *in-a-terminal* ]]
  calls | grep -qE ' create .* --console-socket \S+ <ID>$'
  pm run -d --network none --name t1 busybox sleep 1000
  run script -qec "$(declare -f pm); pm exec -t t1 sh -c 'tty; echo exec-terminal'" /dev/null </dev/null
  [ "$status" -eq 0 ]
  [[ "$output" == *"/dev/pts/"* ]]
  [[ "$output" == *exec-terminal* ]]
  calls
  calls | grep -qE ' exec .* --detach --tty --console-socket \S+ <ID>$'
}

@test "podman run's flags reach the process: env, workdir, user, hostname, ulimits" {
  run pm run --rm --network none -e FOO=bar -w /tmp -u 1000:1000 --hostname box busybox \
    sh -c 'echo $FOO $(pwd) $(id -u):$(id -g) $(hostname) $(ulimit -n)'
  [ "$status" -eq 0 ]
  [ "$output" = "bar /tmp 1000:1000 box 1024" ]
}

@test "podman run --read-only and --tmpfs: a read-only root, tmpfs with the image's files" {
  run pm run --rm --network none --read-only busybox \
    sh -c 'touch /x 2>/dev/null && echo root-writable; touch /tmp/y && echo tmp-writable'
  [ "$status" -eq 0 ]
  [ "$output" = "tmp-writable" ]
  # --tmpfs is tmpcopyup: the tmpfs starts with what the image has there.
  run pm run --rm --network none --tmpfs /etc busybox \
    sh -c 'grep -q "^root:" /etc/passwd && echo passwd-copied; grep " /etc " /proc/mounts'
  [ "$status" -eq 0 ]
  [[ "$output" == *passwd-copied* ]]
  [[ "$output" == *"tmpfs /etc tmpfs"* ]]
}

@test "podman run --memory and --pids-limit: the cgroup limits vessel sets" {
  run pm run --rm --network none --memory 64m --pids-limit 50 busybox \
    sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max 2>/dev/null ||
           cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 67108864 ]
  [ "${lines[1]}" = 50 ]
}

@test "podman pause and unpause: vessel-oci pause and resume (cgroup2's freezer)" {
  pm run -d --network none --name p1 busybox \
    sh -c 'while :; do date +%s%N >/tmp/tick.new; mv /tmp/tick.new /tmp/tick; sleep 0.05; done'
  wait_file p1 /tmp/tick
  pm pause p1
  [ "$(pm inspect -f '{{.State.Status}}' p1)" = paused ]
  [ "$(oci state "$(pm inspect -f '{{.Id}}' p1)" | jq -r .status)" = paused ]
  local root before
  root=/proc/$(pm inspect -f '{{.State.Pid}}' p1)/root
  before=$(cat "$root/tmp/tick")
  sleep 0.4
  [ "$(cat "$root/tmp/tick")" = "$before" ]
  pm unpause p1
  for _ in $(seq 40); do [ "$(cat "$root/tmp/tick")" != "$before" ] && break; sleep 0.05; done
  [ "$(cat "$root/tmp/tick")" != "$before" ]
  # rm -f of a paused container: podman resumes it, then kills it.
  pm pause p1
  pm rm -f -t 0 p1
  calls
  calls | grep -qx 'pause <ID>'
  calls | grep -qx 'resume <ID>'
}

@test "podman run --device and --privileged: linux.devices, the host's nodes" {
  [ -c /dev/fuse ] || skip "no /dev/fuse on this host"
  run pm run --rm --network none --device /dev/fuse busybox \
    sh -c 'ls -l /dev/fuse; exec 3</dev/fuse && echo opened'
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"10, 229"* ]]
  [[ "$output" == *opened* ]]
  # Not listed, not allowed: the device cgroup still denies the rest.
  run pm run --rm --network none busybox sh -c 'mknod /dev/f2 c 10 229 && exec 3</dev/f2 && echo opened'
  [[ "$output" != *opened* ]]
  run pm run --rm --network none --privileged busybox sh -c 'ls /dev/fuse && grep CapEff /proc/self/status'
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"/dev/fuse"* ]]
}
