#!/usr/bin/env bats
# Real containerd (Debian 12's 1.6.20) and its runc v2 shim driving vessel-oci (docs/oci.md,
# "Engines"), through ctr: run, exit codes, run -d, exec (pipes and terminal), ps, kill, delete,
# run -t.
#
# A containerd of this file's own: root, state, sockets and /opt in the temp dir C, no CRI
# plugin, no TCP. It runs in a mount namespace of its own where /run is an empty tmpfs, because
# the 1.6 shim puts its sockets in /run/containerd/s whatever the config says. ctr passes
# `--runc-binary` (the runc v2 shim's BinaryName option) and `--runc-root`, and keeps its fifos in
# C (--fifo-dir). The image is build/busybox-image.tar, imported: nothing reaches the network.

load helpers
bats_require_minimum_version 1.5.0

IMAGE_TAR=${IMAGE_TAR:-$BATS_TEST_DIRNAME/../../build/busybox-image.tar}
IMG=docker.io/library/busybox:latest

host_paths=(/run/containerd /var/lib/containerd /opt/containerd /run/vessel-oci)

setup_file() {
  [ "$(id -u)" = 0 ] || skip "integration tests run as root"
  command -v containerd >/dev/null || skip "containerd is not installed (apt-get install containerd)"
  [ -x "$VESSEL_BIN" ] || skip "build/vessel is missing: run scripts/test.sh"
  [ -f "$IMAGE_TAR" ] || skip "build/busybox-image.tar is missing: run scripts/setup.sh"
  C=$(mktemp -d /tmp/vessel-containerd.XXXXXX)
  export C
  local p
  for p in "${host_paths[@]}"; do [ -e "$p" ] && echo "$p"; done >"$C/host-before"
  # No C/oci: the shim passes --root C/oci/default, which vessel-oci makes as runc does (mkdir -p).
  mkdir -p "$C/bin" "$C/fifo"
  # vessel-oci behind a wrapper that records each call (the shim passes --root itself).
  cat >"$C/bin/vessel-oci" <<EOF
#!/bin/sh
printf '%s\n' "\$*" >>"$C/calls.log"
exec "$(dirname "$VESSEL_BIN")/vessel-oci" "\$@"
EOF
  chmod +x "$C/bin/vessel-oci"
  cat >"$C/config.toml" <<EOF
version = 2
root = "$C/root"
state = "$C/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$C/sock"
[ttrpc]
  address = "$C/sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$C/opt"
EOF
  unshare -m --propagation private sh -c 'mount -t tmpfs tmpfs /run && exec containerd --config "$1"' \
    sh "$C/config.toml" >"$C/containerd.log" 2>&1 3>&- &
  echo $! >"$C/containerd.pid"
  local i
  for i in $(seq 100); do ctr -a "$C/sock" version >/dev/null 2>&1 && break; sleep 0.1; done
  ctr -a "$C/sock" version >/dev/null || { cat "$C/containerd.log" >&3; return 1; }
  ctr -a "$C/sock" images import "$IMAGE_TAR" >"$C/import.log" 2>&1 ||
    { cat "$C/import.log" >&3; return 1; }
}

c() { ctr -a "$C/sock" "$@"; }
# ctr run with vessel-oci as the shim's runtime binary, its state in C.
crun_() { c run --runc-binary "$C/bin/vessel-oci" --runc-root "$C/oci" --fifo-dir "$C/fifo" "$@"; }
cexec() { c task exec --fifo-dir "$C/fifo" "$@"; }
oci() { "$(dirname "$VESSEL_BIN")/vessel-oci" --root "$C/oci/default" "$@"; }
calls() { sed -E "s#$C#C#g; s#--log C/state/\S+/log.json --log-format json#[log]#" "$C/calls.log"; }

# Removes task and container `id`, whatever state they are in.
remove() {
  c task kill -a -s KILL "$1" >/dev/null 2>&1 || true
  local i
  for i in $(seq 50); do c task delete "$1" >/dev/null 2>&1 && break; c task ls -q | grep -qx "$1" || break; sleep 0.1; done
  c containers rm "$1" >/dev/null 2>&1 || true
}

setup() {
  : >"$C/calls.log"
  CGROUPS_BEFORE=$(vessel_cgroups)
}

teardown() {
  local id
  for id in $(c containers ls -q); do remove "$id"; done
  local left
  left=$(oci list -q 2>&1 || true)
  [ -z "$left" ] || { echo "vessel-oci still has: $left" >&2; return 1; }
  local cgroups
  cgroups=$(comm -13 <(echo "$CGROUPS_BEFORE") <(vessel_cgroups) | grep . || true)
  [ -z "$cgroups" ] || { echo "cgroups left: $cgroups" >&2; return 1; }
}

teardown_file() {
  [ -n "${C:-}" ] || return 0
  local id pid
  for id in $(c containers ls -q 2>/dev/null); do remove "$id"; done
  pid=$(cat "$C/containerd.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  # Shims of this containerd that outlived it (they name its socket in their arguments).
  for pid in $(grep -lF -- "$C/sock" /proc/[0-9]*/cmdline 2>/dev/null | cut -d/ -f3); do
    kill -9 "$pid" 2>/dev/null || true
  done
  local before after
  before=$(cat "$C/host-before")
  rm -rf "$C"
  after=$(for p in "${host_paths[@]}"; do [ -e "$p" ] && echo "$p"; done)
  [ "$after" = "$before" ] || { echo "left on the machine: $after (before: $before)" >&2; return 1; }
}

@test "ctr run --rm: the output, through the shim's create, start and delete" {
  run crun_ --rm "$IMG" c1 echo hi from vessel
  [ "$status" -eq 0 ]
  [ "$output" = "hi from vessel" ]
  calls
  calls | grep -qx -- '--root C/oci/default \[log\] create --bundle C/state/io.containerd.runtime.v2.task/default/c1 --pid-file C/state/io.containerd.runtime.v2.task/default/c1/init.pid c1'
  calls | grep -qx -- '--root C/oci/default \[log\] start c1'
  calls | grep -qx -- '--root C/oci/default \[log\] delete c1'
}

@test "ctr run: the command's exit code; a missing command fails the create" {
  run -3 crun_ --rm "$IMG" c2 sh -c 'exit 3'
  run crun_ --rm "$IMG" c3 no-such-command
  [ "$status" -ne 0 ]
  [[ "$output" == *no-such-command* ]]
}

@test "ctr run -d, task exec (pipes, terminal), task ps, kill, delete" {
  crun_ -d "$IMG" d1 sh -c 'trap "exit 7" TERM; touch /tmp/ready; while :; do sleep 0.1; done'
  c task ls | grep -qE '^d1\s+[0-9]+\s+RUNNING'
  local pid
  pid=$(c task ls | awk '$1 == "d1" { print $2 }')
  # The trap is set once /tmp/ready exists. (containerd's mounts are in its own mount namespace,
  # the process's /proc/PID/root sees its root all the same.)
  for _ in $(seq 100); do [ -e "/proc/$pid/root/tmp/ready" ] && break; sleep 0.05; done
  oci state d1 | jq -e --argjson pid "$pid" '.status == "running" and .pid == $pid'

  run cexec --exec-id e1 d1 sh -c 'echo out; echo err >&2; exit 4'
  [ "$status" -eq 4 ]
  [[ "$output" == *out* ]]
  [[ "$output" == *err* ]]
  run script -qec "ctr -a $C/sock task exec --fifo-dir $C/fifo -t --exec-id e2 d1 sh -c 'tty; echo exec-terminal'" /dev/null </dev/null
  [[ "$output" == *"/dev/pts/"* ]]
  [[ "$output" == *exec-terminal* ]]
  run c task ps d1
  [[ "$output" == *"$pid"* ]]

  c task kill d1
  for _ in $(seq 50); do c task ls | grep -qE '^d1\s+[0-9]+\s+STOPPED' && break; sleep 0.1; done
  run c task delete d1
  [[ "$output" == *"exit code 7"* ]]
  c containers rm d1
  run oci state d1
  [ "$status" -ne 0 ]
  calls
  calls | grep -qE -- '\[log\] exec --process /tmp/runc-process[0-9]+ --detach --pid-file C/\S+/e1.pid d1$'
  calls | grep -qE -- '\[log\] exec --process /tmp/runc-process[0-9]+ --console-socket \S+ --detach --pid-file C/\S+/e2.pid d1$'
  calls | grep -qx -- '--root C/oci/default \[log\] ps --format json d1'
  calls | grep -qx -- '--root C/oci/default \[log\] kill d1 15'
}

@test "ctr task kill -a -s KILL: every process, exit 137" {
  crun_ -d "$IMG" k1 sh -c 'sleep 1000 & wait'
  c task kill -a -s KILL k1
  for _ in $(seq 50); do c task ls | grep -qE '^k1\s+[0-9]+\s+STOPPED' && break; sleep 0.1; done
  run c task delete k1
  [[ "$output" == *"exit code 137"* ]]
  calls | grep -qx -- '--root C/oci/default \[log\] kill --all k1 9'
}

@test "ctr run -t: a terminal through the console socket" {
  run script -qec "ctr -a $C/sock run --runc-binary $C/bin/vessel-oci --runc-root $C/oci --fifo-dir $C/fifo --rm -t $IMG t1 sh -c 'tty; echo in-a-terminal'" /dev/null </dev/null
  [ "$status" -eq 0 ]
  [[ "$output" == *"/dev/pts/0"* ]]
  [[ "$output" == *in-a-terminal* ]]
  calls | grep -qE -- ' create .* --console-socket \S+ t1$'
}
