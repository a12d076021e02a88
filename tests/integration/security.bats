#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# Secure by default (issue 5): the escape probe under the defaults and under --privileged,
# capabilities, seccomp profiles, no_new_privs, masked paths, devices, rlimits, users.
# The probe (tests/probe/probe.cpp) runs only inside containers; it refuses to run on the host.

load helpers

PROBE_BIN=${PROBE_BIN:-$BATS_TEST_DIRNAME/../../build/tests/vessel_probe}

setup_file() {
  # A copy of the busybox image with the probe in it, and a setuid-root copy of the probe for
  # the no_new_privs tests.
  [ -x "$PROBE_BIN" ] || return 0
  [ -d "$IMAGE" ] || return 0
  PROBE_IMAGE=$BATS_FILE_TMPDIR/probe-image
  cp -a "$IMAGE" "$PROBE_IMAGE"
  cp "$IMAGE.json" "$PROBE_IMAGE.json"
  install -m 0755 "$PROBE_BIN" "$PROBE_IMAGE/bin/probe"
  install -m 4755 "$PROBE_BIN" "$PROBE_IMAGE/bin/suid-probe"
  export PROBE_IMAGE
}

teardown_file() {
  [ -n "${PROBE_IMAGE:-}" ] && rm -rf "$PROBE_IMAGE" "$PROBE_IMAGE.json"
  return 0
}

need_probe() { [ -n "${PROBE_IMAGE:-}" ] || skip "the probe is not built (cmake --build build --target vessel_probe)"; }

# What vessel itself holds: --privileged gives the container exactly this.
own_caps() { awk '/^CapBnd/ {print $2}' /proc/self/status; }

# A status field of the container's command, e.g. status_in CapEff [vessel run options...]
status_in() {
  local field=$1; shift
  vessel run --rm "$@" "$IMAGE" sh -c "awk '/^$field:/ {print \$2}' /proc/self/status"
}

@test "the probe refuses to run on the host" {
  need_probe
  run "$PROBE_BIN" --expect default
  [ "$status" -eq 3 ]
  [[ "$output" =~ "refusing to run" ]]
}

@test "defaults: the probe's every escape attempt is refused" {
  need_probe
  run vessel run --rm "$PROBE_IMAGE" probe --expect default
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "${lines[-1]}" =~ "0 failed" ]]
  # The list the issue asks for, each checked (not skipped) here.
  for check in mount umount2 'unshare(CLONE_NEWUSER)' 'unshare(CLONE_NEWNS)' setns pivot_root keyctl \
      add_key request_key reboot kexec_load init_module open_by_handle_at bpf perf_event_open \
      userfaultfd io_uring_setup settimeofday sethostname 'socket(AF_ALG)' 'personality(PER_BSD)' \
      clone3 'mknod c 1:1' "open mknod'ed /dev/mem" 'mknod c 10:229' "open mknod'ed /dev/fuse" 'open host block device' 'write /proc/sys' 'write release_agent' \
      'write cgroup.procs' 'read /proc/keys' 'read /proc/timer_list' CapInh CapAmb CapEff NoNewPrivs \
      Seccomp 'no fd beyond 0-2' '/proc/1/exe is not vessel' 'no visible process runs vessel'; do
    grep -qF "ok   $check" <<<"$output" || { echo "not checked: $check"; return 1; }
  done
}

@test "--privileged: the same probe fails, because the attempts now succeed" {
  need_probe
  run vessel run --rm --privileged "$PROBE_IMAGE" probe --expect default
  [ "$status" -eq 1 ]
  for check in mount 'unshare(CLONE_NEWUSER)' setns keyctl bpf userfaultfd settimeofday sethostname \
      "open mknod'ed /dev/mem" "open mknod'ed /dev/fuse" 'write /proc/sys' 'read /proc/timer_list' CapEff \
      Seccomp clone3; do
    grep -qF "FAIL $check" <<<"$output" || { echo "did not flip: $check"; echo "$output"; return 1; }
  done
  # And they all pass when the probe expects a privileged container.
  run vessel run --rm --privileged "$PROBE_IMAGE" probe --expect privileged --cap-eff "$(own_caps)"
  echo "$output"
  [ "$status" -eq 0 ]
}

@test "--init: init and the command are both confined" {
  need_probe
  run vessel run --rm --init "$PROBE_IMAGE" probe --in-container --expect default
  echo "$output"
  [ "$status" -eq 0 ]
  run vessel run --rm --init "$IMAGE" sh -c "grep -E '^(CapEff|NoNewPrivs|Seccomp):' /proc/1/status | tr -s '\t' ' '"
  [ "${lines[0]}" = "CapEff: 00000000a80425fb" ]
  [ "${lines[1]}" = "NoNewPrivs: 1" ]
  [ "${lines[2]}" = "Seccomp: 2" ]
}

@test "capabilities: Docker's 14, inheritable and ambient empty" {
  run vessel run --rm "$IMAGE" sh -c "grep -E '^Cap' /proc/self/status | tr -s '\t' ' '"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "CapInh: 0000000000000000" ]
  [ "${lines[1]}" = "CapPrm: 00000000a80425fb" ]
  [ "${lines[2]}" = "CapEff: 00000000a80425fb" ]
  [ "${lines[3]}" = "CapBnd: 00000000a80425fb" ]
  [ "${lines[4]}" = "CapAmb: 0000000000000000" ]
}

@test "--cap-drop CHOWN: chown fails, the mask loses bit 0" {
  run vessel run --rm "$IMAGE" sh -c 'chown 1000 /tmp && echo chowned'
  [ "$output" = chowned ]
  run vessel run --rm --cap-drop CHOWN "$IMAGE" sh -c 'chown 1000 /tmp 2>&1; awk "/^CapEff/ {print \$2}" /proc/self/status'
  [[ "${lines[0]}" =~ "Operation not permitted" ]]
  [ "${lines[1]}" = 00000000a80425fa ]
}

@test "--cap-add NET_ADMIN: the container may configure its own network" {
  # Without it, the kernel refuses the change (EPERM), not anything before it.
  run -2 vessel run --rm "$IMAGE" ip link set lo mtu 1400
  [ "$output" = "ip: SIOCSIFMTU: Operation not permitted" ]
  run vessel run --rm --cap-add NET_ADMIN "$IMAGE" sh -c 'ip link set lo mtu 1400 && cat /sys/class/net/lo/mtu'
  [ "$status" -eq 0 ]
  [ "$output" = 1400 ]
  [ "$(status_in CapEff --cap-add net_admin)" = 00000000a80435fb ]
}

@test "--cap-add SYS_ADMIN opens the seccomp groups gated on it (mount, unshare)" {
  run vessel run --rm --cap-add SYS_ADMIN "$IMAGE" sh -c 'mkdir /tmp/m && mount -t tmpfs t /tmp/m && grep -c " /tmp/m tmpfs" /proc/mounts && unshare -m true && echo unshared'
  [ "$status" -eq 0 ]
  [ "$(echo $output)" = "1 unshared" ]
  [ "$(status_in CapEff --cap-add CAP_SYS_ADMIN)" = 00000000a82425fb ]
}

@test "--cap-drop ALL, and --cap-drop ALL --cap-add CHOWN" {
  [ "$(status_in CapEff --cap-drop ALL)" = 0000000000000000 ]
  [ "$(status_in CapBnd --cap-drop ALL)" = 0000000000000000 ]
  run vessel run --rm --cap-drop ALL "$IMAGE" sh -c 'chown 1000 /tmp 2>&1'
  [[ "$output" =~ "Operation not permitted" ]]
  [ "$(status_in CapEff --cap-drop ALL --cap-add CHOWN)" = 0000000000000001 ]
  run vessel run --rm --cap-drop ALL --cap-add CHOWN "$IMAGE" sh -c 'chown 1000 /tmp && echo ok'
  [ "$output" = ok ]
}

@test "--cap-add ALL --cap-drop SYS_ADMIN: everything vessel has but SYS_ADMIN" {
  want=$(printf '%016x' $(( 0x$(own_caps) & ~(1 << 21) )))
  [ "$(status_in CapEff --cap-add ALL --cap-drop SYS_ADMIN)" = "$want" ]
  run -1 vessel run --rm --cap-add ALL --cap-drop SYS_ADMIN "$IMAGE" mount -t tmpfs t /tmp
  [ "$output" = "mount: permission denied (are you root?)" ]
  # The same call goes through with SYS_ADMIN: the refusal above is the missing capability's.
  run vessel run --rm --cap-add ALL "$IMAGE" mount -t tmpfs t /tmp
  [ "$status" -eq 0 ]
}

@test "an unknown capability: one line, exit 125" {
  run vessel run --rm --cap-add NOT_A_CAP "$IMAGE" true
  [ "$status" -eq 125 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ "$output" =~ 'unknown capability "NOT_A_CAP"' ]]
}

@test "-u user: no capabilities in effect, the bounding set kept" {
  run vessel run --rm -u user "$IMAGE" sh -c "id; grep -E '^Cap(Prm|Eff|Bnd)' /proc/self/status | tr -s '\t' ' '"
  [ "${lines[0]}" = "uid=1000(user) gid=1000(user) groups=29(audio),100(users),1000(user)" ]
  [ "${lines[1]}" = "CapPrm: 0000000000000000" ]
  [ "${lines[2]}" = "CapEff: 0000000000000000" ]
  [ "${lines[3]}" = "CapBnd: 00000000a80425fb" ]
  run vessel run --rm -u nobody "$IMAGE" id
  [ "$output" = "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)" ]
  run vessel run --rm -u user:users "$IMAGE" id -g
  [ "$output" = 100 ]
}

@test "no_new_privs: a setuid-root binary gives nothing; with no-new-privileges=false it does" {
  need_probe
  run vessel run --rm -u user "$PROBE_IMAGE" suid-probe --in-container --ids
  [ "$output" = "uid=1000 euid=1000" ]
  run vessel run --rm -u user --security-opt no-new-privileges=false "$PROBE_IMAGE" suid-probe --in-container --ids
  [ "$output" = "uid=1000 euid=0" ]
  # Still filtered: without no_new_privs the filter is loaded while vessel is still privileged.
  run vessel run --rm -u user --security-opt no-new-privileges=false "$IMAGE" sh -c "grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status | tr -s '\t' ' '"
  [ "${lines[0]}" = "NoNewPrivs: 0" ]
  [ "${lines[1]}" = "Seccomp: 2" ]
}

@test "seccomp=unconfined: no filter, and what it blocked works" {
  [ "$(status_in Seccomp --security-opt seccomp=unconfined)" = 0 ]
  run -1 vessel run --rm "$IMAGE" unshare -U true
  [ "$output" = "unshare: unshare(0x10000000): Operation not permitted" ]
  run vessel run --rm --security-opt seccomp=unconfined "$IMAGE" unshare -U true
  [ "$status" -eq 0 ]
}

@test "vessel runs, with its filter, when it is itself under a native-only seccomp filter" {
  [ "$(uname -m)" = x86_64 ] || skip "x86_64 only"
  [ -x "${NATIVE_ONLY:-}" ] || skip "native_only is not built"
  # vessel asks whether the kernel runs x32 calls; under a filter that kills them (systemd's
  # SystemCallArchitectures=native), it must ask in a child, or die of SIGSYS (docs/seccomp.md).
  run "$NATIVE_ONLY" "$VESSEL_BIN" --root "$ROOT" run --rm "$IMAGE" sh -c 'grep ^Seccomp: /proc/self/status; echo alive'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "Seccomp:	2" ]
  [ "${lines[1]}" = alive ]
}

@test "a custom profile in Docker's format: errnoRet, argument filters, kill" {
  cat >"$ROOT/no-mkdir.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
               "comment": "EACCES for mkdir"}]}
JSON
  run vessel run --rm --security-opt "seccomp=$ROOT/no-mkdir.json" "$IMAGE" sh -c 'mkdir /tmp/x 2>&1; touch /tmp/y && echo touched'
  [[ "${lines[0]}" =~ "Permission denied" ]]
  [ "${lines[1]}" = touched ]
  cat >"$ROOT/no-inet.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 97,
               "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]}]}
JSON
  run -1 vessel run --rm --security-opt "seccomp=$ROOT/no-inet.json" "$IMAGE" ping -c1 -W1 127.0.0.1
  grep -qx "ping: can't create raw socket: Address family not supported by protocol" <<<"$output"
  echo '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getpid"],"action":"SCMP_ACT_KILL_PROCESS"}]}' >"$ROOT/kill.json"
  run vessel run --rm --security-opt "seccomp=$ROOT/kill.json" "$IMAGE" sh -c 'echo $$'
  [ "$status" -eq 159 ]  # 128 + SIGSYS
  rm -f "$ROOT"/*.json
}

# The compiled seccomp programs a state root keeps (src/linux/seccomp_cache.cpp).
cache_dir() { echo "$ROOT/.cache/seccomp"; }
cached_files() { ls "$(cache_dir)" 2>/dev/null | sort; }

@test "seccomp cache: a second container in the same root runs the program the first compiled" {
  run vessel run --rm --explain "$IMAGE" true
  [ "$status" -eq 0 ]
  [[ "$output" =~ seccomp_export_bpf ]]
  entry=$(cached_files)
  [[ "$entry" =~ ^[0-9a-f]{16}\.bpf$ ]]
  file=$(cache_dir)/$entry
  cp "$file" "$ROOT/first.bpf"
  # The second start reads it instead of compiling, and what it loads still blocks unshare.
  run -1 vessel run --rm --explain "$IMAGE" unshare -U true
  grep -qF "read(\"$file\")" <<<"$output"
  refute_grep -q seccomp_export_bpf <<<"$output"
  grep -qx "unshare: unshare(0x10000000): Operation not permitted" <<<"$output"
  run -1 vessel run --rm "$IMAGE" unshare -U true
  [ "$output" = "unshare: unshare(0x10000000): Operation not permitted" ]
  [ "$(status_in Seccomp)" = 2 ]
  cmp "$file" "$ROOT/first.bpf"
  # What runs is the file's program: with another valid program in its place (one that only
  # refuses mkdir, with EACCES), a container with the default profile gets exactly that.
  echo '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}' >"$ROOT/no-mkdir.json"
  vessel run --rm --security-opt "seccomp=$ROOT/no-mkdir.json" "$IMAGE" true
  other=$(cached_files | grep -vx "$entry")
  [ -n "$other" ]
  cp "$(cache_dir)/$other" "$file"
  run -1 vessel run --rm "$IMAGE" sh -c 'unshare -U true && echo unshared; mkdir /tmp/x'
  [ "${lines[0]}" = unshared ]
  [ "${lines[1]}" = "mkdir: can't create directory '/tmp/x': Permission denied" ]
  rm -f "$ROOT/first.bpf" "$ROOT/no-mkdir.json"
}

@test "seccomp cache: a damaged entry, or one made for other inputs, is never loaded" {
  # An allow-all program, compiled and cached by vessel itself.
  echo '{"defaultAction":"SCMP_ACT_ALLOW"}' >"$ROOT/allow.json"
  vessel run --rm --security-opt "seccomp=$ROOT/allow.json" "$IMAGE" true
  allow=$(cached_files)
  vessel run --rm "$IMAGE" true
  entry=$(cached_files | grep -vx "$allow")
  file=$(cache_dir)/$entry
  cp "$file" "$ROOT/good.bpf"
  # Damaged: the allow-all program in the default profile's place, one byte of its checksum
  # (bytes 20-27 of the file) changed. Loaded, it would let unshare through.
  cp "$(cache_dir)/$allow" "$file"
  byte=$(od -An -tu1 -j20 -N1 "$file" | tr -d ' ')
  printf "\\$(printf %03o $(( byte ^ 1 )))" | dd of="$file" bs=1 seek=20 conv=notrunc status=none
  run -1 vessel run --rm --explain "$IMAGE" unshare -U true
  grep -q seccomp_export_bpf <<<"$output"
  grep -qx "unshare: unshare(0x10000000): Operation not permitted" <<<"$output"
  cmp "$file" "$ROOT/good.bpf"   # compiled afresh, and cached again
  # Torn: cut short by a crash.
  head -c 100 "$ROOT/good.bpf" >"$file"
  run -1 vessel run --rm --explain "$IMAGE" unshare -U true
  grep -q seccomp_export_bpf <<<"$output"
  grep -qx "unshare: unshare(0x10000000): Operation not permitted" <<<"$output"
  cmp "$file" "$ROOT/good.bpf"
  # Stale: other capabilities need another program (SYS_ADMIN opens unshare)...
  run vessel run --rm --explain --cap-add SYS_ADMIN "$IMAGE" unshare -m true
  [ "$status" -eq 0 ]
  grep -q seccomp_export_bpf <<<"$output"
  [ "$(cached_files | wc -l)" -eq 3 ]
  # ...and so does a profile whose text changed since its program was cached.
  echo '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}' >"$ROOT/allow.json"
  run -1 vessel run --rm --explain --security-opt "seccomp=$ROOT/allow.json" "$IMAGE" mkdir /tmp/x
  grep -q seccomp_export_bpf <<<"$output"
  grep -qx "mkdir: can't create directory '/tmp/x': Permission denied" <<<"$output"
  [ "$(cached_files | wc -l)" -eq 4 ]
  rm -f "$ROOT/allow.json" "$ROOT/good.bpf"
}

@test "the OCI rendering of Docker's profile, and a whole OCI config, hold like the default" {
  need_probe
  run vessel run --rm --security-opt "seccomp=$BATS_TEST_DIRNAME/../../profiles/docker-default-seccomp.oci-amd64.json" "$PROBE_IMAGE" probe --expect default
  echo "$output"
  [ "$status" -eq 0 ]
  jq '{ociVersion: "1.0.2", linux: {seccomp: .}}' "$BATS_TEST_DIRNAME/../../profiles/docker-default-seccomp.oci-amd64.json" >"$ROOT/config.json"
  run vessel run --rm --security-opt "seccomp=$ROOT/config.json" "$PROBE_IMAGE" probe --expect default
  [ "$status" -eq 0 ]
  rm -f "$ROOT/config.json"
}

@test "malformed profiles: one line naming the entry, exit 125, nothing left" {
  echo '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [' >"$ROOT/bad.json"
  run vessel run --rm --security-opt "seccomp=$ROOT/bad.json" "$IMAGE" true
  [ "$status" -eq 125 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ "$output" =~ "seccomp profile $ROOT/bad.json: not valid JSON" ]]
  echo '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_NOPE"}]}' >"$ROOT/bad.json"
  run vessel run --rm --security-opt "seccomp=$ROOT/bad.json" "$IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" =~ 'syscalls[0] ("mkdir"): unknown action "SCMP_ACT_NOPE"' ]]
  echo '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getpid"],"action":"SCMP_ACT_ERRNO"},{"names":["no_such_call"],"action":"SCMP_ACT_ERRNO"}]}' >"$ROOT/bad.json"
  run vessel run --rm --security-opt "seccomp=$ROOT/bad.json" "$IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" =~ 'syscalls[1] ("no_such_call"): unknown system call "no_such_call"' ]]
  echo '{"defaultAction":"SCMP_ACT_NOPE"}' >"$ROOT/bad.json"
  run vessel run --rm --security-opt "seccomp=$ROOT/bad.json" "$IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" =~ 'defaultAction: unknown action "SCMP_ACT_NOPE"' ]]
  run vessel run --rm --security-opt "seccomp=$ROOT/missing.json" "$IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" =~ "cannot read seccomp profile" ]]
  run vessel run --rm --security-opt "seccomp" "$IMAGE" true
  [ "$status" -eq 125 ]
  [ "$output" = 'vessel: error: invalid --security-opt "seccomp": use seccomp=unconfined or seccomp=PROFILE.json' ]
  run vessel run --rm --security-opt "apparmor=x" "$IMAGE" true
  [ "$status" -eq 125 ]
  [ "$output" = "vessel: error: --security-opt apparmor is not supported by vessel" ]
  rm -f "$ROOT/bad.json"
  [ -z "$(ls -A "$ROOT" | grep -v '^.names$')" ]
}

@test "masked paths read empty, read-only paths cannot be written, /sys/firmware is an empty tmpfs" {
  run vessel run --rm "$IMAGE" sh -c '
    stat -c "%n %F %t:%T" /proc/keys /proc/timer_list /proc/interrupts
    cat /proc/keys /proc/timer_list /proc/interrupts | wc -c
    ls -A /sys/firmware | wc -l; touch /sys/firmware/x 2>&1
    grep -E " /proc/(sys|bus|fs|irq) " /proc/mounts | cut -d" " -f2,4 | cut -d, -f1
    echo 1 > /proc/sys/kernel/ns_last_pid 2>&1'
  echo "$output"
  [ "${lines[0]}" = "/proc/keys character special file 1:3" ]
  [ "${lines[1]}" = "/proc/timer_list character special file 1:3" ]
  [ "${lines[2]}" = "/proc/interrupts character special file 1:3" ]
  [ "${lines[3]}" = 0 ]
  [ "${lines[4]}" = 0 ]
  [[ "${lines[5]}" =~ "Read-only file system" ]]
  [[ "$output" =~ "/proc/sys ro" ]]
  [[ "$output" =~ "/proc/bus ro" ]]
  [[ "$output" =~ "/proc/irq ro" ]]
  [[ "${lines[-1]}" =~ "Read-only file system" ]]
  # --privileged: nothing masked.
  run vessel run --rm --privileged "$IMAGE" sh -c 'stat -c "%F" /proc/keys; grep -c " /proc/sys " /proc/mounts'
  [ "${lines[0]}" = "regular empty file" ]
  [ "${lines[1]}" = 0 ]
}

@test "--read-only: the root, and still the masked and read-only paths" {
  run vessel run --rm --read-only "$IMAGE" sh -c 'touch /x 2>&1; stat -c %t:%T /proc/keys; (: > /proc/sys/kernel/hostname) 2>&1; (echo ok > /tmp/x) 2>&1'
  [[ "${lines[0]}" =~ "Read-only file system" ]]
  [ "${lines[1]}" = 1:3 ]
  [[ "${lines[2]}" =~ "Read-only file system" ]]
  [[ "${lines[3]}" =~ "Read-only file system" ]]
}

@test "devices: mknod works, opening a node outside the allow list does not" {
  # mknod succeeds (CAP_MKNOD), so the EPERM on open is the device cgroup's alone; an allowed
  # node made the same way opens, so nothing else (nodev, permissions) refuses it.
  run -1 vessel run --rm "$IMAGE" sh -c '
    mknod /tmp/null c 1 3 && echo x > /tmp/null && echo null-opened
    mknod /tmp/fuse c 10 229 && stat -c "%F %t:%T" /tmp/fuse
    : < /tmp/fuse'
  [ "${lines[0]}" = null-opened ]
  [ "${lines[1]}" = "character special file a:e5" ]
  [ "${lines[2]}" = "sh: can't open /tmp/fuse: Operation not permitted" ]
  [ "${#lines[@]}" -eq 3 ]
  run vessel run --rm --device /etc/passwd:/dev/passwd "$IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" =~ "not a character or block device" ]]
  run vessel run --rm --device relative "$IMAGE" true
  [ "$status" -eq 125 ]
  [ "$output" = 'vessel: error: invalid --device "relative": paths must be absolute' ]
}

@test "--device adds a node; :r lets it be read and the device cgroup refuses writes" {
  [ -c /dev/fuse ] || skip "this host has no /dev/fuse"
  run vessel run --rm --device /dev/fuse "$IMAGE" sh -c 'stat -c "%F %t:%T" /dev/fuse; : < /dev/fuse && echo opened'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "character special file a:e5" ]
  [ "${lines[1]}" = opened ]
  # Read-only access: the node exists and opens for reading, so EPERM on write is the cgroup's.
  run -1 vessel run --rm --device /dev/fuse:/dev/myfuse:r "$IMAGE" sh -c ': < /dev/myfuse && echo read-ok; : > /dev/myfuse'
  [ "${lines[0]}" = read-ok ]
  [ "${lines[1]}" = "sh: can't create /dev/myfuse: Operation not permitted" ]
}

@test "hybrid cgroups: the eBPF device program denies on its own" {
  [ -d /sys/fs/cgroup/unified ] && [ -d /sys/fs/cgroup/devices ] || skip "not a hybrid cgroup host"
  "$VESSEL_BIN" --root "$ROOT" run --rm "$IMAGE" sh -c 'mknod /tmp/mem c 1 1 && echo made; while [ ! -e /tmp/go ]; do sleep 0.05; done; : < /tmp/mem' >"$ROOT/out" 2>&1 &
  runner=$!
  id=$(only_container_id)
  wait_running "$id"
  pid=$(state_of "$id" .pid)
  # Lift the v1 controller's restriction for this container: only the program is left to say no.
  devices=$(jq -r '.cgroup.paths[] | select(test("/devices/"))' "$ROOT/$id/state.json")
  [ -n "$devices" ]
  [ -d "$devices" ]
  echo a > "$devices/devices.allow"
  grep -q '^a \*:\* rwm' "$devices/devices.list"
  touch "/proc/$pid/root/tmp/go"
  status=0; wait "$runner" || status=$?
  cat "$ROOT/out"
  [ "$status" -eq 1 ]
  [ "$(cat "$ROOT/out")" = "made
sh: can't open /tmp/mem: Operation not permitted" ]
}

@test "rlimits: nofile is 1024 whatever the caller had; --ulimit sets others" {
  hard=$(( $(ulimit -Hn) < 524288 ? $(ulimit -Hn) : 524288 ))
  run bash -c "ulimit -Sn 2000; $VESSEL_BIN --root $ROOT run --rm $IMAGE sh -c 'ulimit -Sn; ulimit -Hn'"
  [ "${lines[0]}" = 1024 ]
  [ "${lines[1]}" = "$hard" ]
  run vessel run --rm --ulimit nofile=100:200 --ulimit nproc=50 "$IMAGE" sh -c 'ulimit -Sn; ulimit -Hn; ulimit -u'
  [ "$(echo $output)" = "100 200 50" ]
  run vessel run --rm --ulimit core=-1 "$IMAGE" sh -c 'ulimit -c'
  [ "$output" = unlimited ]
  run vessel run --rm --ulimit nofile=2:1 "$IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" =~ "soft limit is above the hard limit" ]]
  run vessel run --rm --ulimit bogus=1 "$IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" =~ 'unknown limit "bogus"' ]]
}

@test "CVE-2019-5736: the container's PID 1 is the command, not vessel" {
  "$VESSEL_BIN" --root "$ROOT" run --rm "$IMAGE" sleep 1000 &
  runner=$!
  id=$(only_container_id)
  wait_running "$id"
  pid=$(state_of "$id" .pid)
  # From the host: its executable is busybox from the image, not vessel's binary.
  [ "$(stat -L -c %i /proc/$pid/exe)" = "$(stat -L -c %i "$IMAGE/bin/busybox")" ]
  [ "$(stat -L -c %i /proc/$pid/exe)" != "$(stat -L -c %i "$VESSEL_BIN")" ]
  # From inside, the probe checks that /proc/1/exe is the command and cannot be opened for
  # writing, and that no process of vessel's is in the pid namespace (see the defaults test).
  kill -KILL "$pid"
  wait "$runner" || true
}

@test "--explain shows the confinement steps in order" {
  run vessel run --rm --explain "$IMAGE" true
  [ "$status" -eq 0 ]
  calls=$(sed -nE 's/^ *[0-9.]+ms (vessel|child) +//p' <<<"$output")
  order=$(grep -oE '^(prlimit|prctl\(PR_CAPBSET_DROP|setresuid|capset|prctl\(PR_SET_NO_NEW_PRIVS|close_range\(3, ~0U, CLOSE_RANGE_CLOEXEC|seccomp\(|execve)' <<<"$calls" | uniq | tr '\n' ' ')
  [ "$order" = "prlimit prctl(PR_CAPBSET_DROP setresuid capset prctl(PR_SET_NO_NEW_PRIVS close_range(3, ~0U, CLOSE_RANGE_CLOEXEC seccomp( execve " ]
  # And long before all that, the child's first step: it lets go of what it inherited
  # (CVE-2024-21626), before it builds its filesystem.
  first=$(grep -oE '^(close_range\([0-9]+, ~0U, 0\)|mount|pivot_root)' <<<"$calls" | head -1)
  [ "$first" = "close_range(" ] || [[ $first == "close_range("*", ~0U, 0)" ]]
  [[ "$output" =~ "docs/seccomp.md" ]]
  [[ "$output" =~ "docs/capabilities.md" ]]
}

@test "--userns=remap: root inside is uid 100000 outside (checked from the host)" {
  "$VESSEL_BIN" --root "$ROOT" run --rm --userns=remap "$IMAGE" sh -c 'touch /made-inside; sleep 1000' &
  runner=$!
  id=$(only_container_id)
  wait_running "$id"
  pid=$(state_of "$id" .pid)
  for _ in $(seq 50); do [ -e "$ROOT/$id/upper/made-inside" ] && break; sleep 0.05; done
  uid=$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")
  gid=$(awk '/^Gid:/ {print $2}' "/proc/$pid/status")
  map=$(tr -s ' ' <"/proc/$pid/uid_map")
  owner=$(stat -c %u:%g "$ROOT/$id/upper/made-inside")
  kill -KILL "$pid"
  wait "$runner" || true
  [ "$uid" = 100000 ]
  [ "$gid" = 100000 ]
  [ "$map" = " 0 100000 65536" ]
  [ "$owner" = 100000:100000 ]
}

@test "--userns=remap: the image's files belong to the container's root, who can write them" {
  run vessel run --rm --userns=remap "$IMAGE" sh -c 'id -u; stat -c "%u %U" /etc/passwd; echo x >> /etc/passwd && touch /newfile && echo wrote; ls /dev/null /dev/zero >/dev/null && echo devices'
  echo "$output"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 0 ]
  [ "${lines[1]}" = "0 root" ]
  [ "${lines[2]}" = wrote ]
  [ "${lines[3]}" = devices ]
  # The image on disk is untouched.
  refute_grep -q '^x$' "$IMAGE/etc/passwd"
  [ "$(stat -c %u "$IMAGE/etc/passwd")" = 0 ]
}

@test "--userns=remap: the probe's checks still hold inside" {
  need_probe
  run vessel run --rm --userns=remap:200000:65536 "$PROBE_IMAGE" probe --expect default --userns
  echo "$output"
  [ "$status" -eq 0 ]
  # mknod is the kernel's to refuse there; the device cgroup is tested on an existing node below.
  grep -qF "ok   mknod c 1:1" <<<"$output"
}

@test "--userns=remap: the device cgroup refuses an existing node it does not allow" {
  # A node the container may only read (--device ...:r), world-readable so that the user
  # namespace's root may open it at all (the host's /dev/fuse is 0600, owned by a uid that has
  # no name there: EACCES), in a directory it may enter (the state root is 0700): reading
  # works, so the EPERM on write is the device cgroup's.
  mkdir -m 755 "$ROOT.dev"
  mknod -m 666 "$ROOT.dev/fuse" c 10 229
  run -1 vessel run --rm --userns=remap --device "$ROOT.dev/fuse:/dev/myfuse:r" "$IMAGE" sh -c '
    stat -c "%F %t:%T" /dev/myfuse; : < /dev/myfuse && echo read-ok; : > /dev/myfuse'
  [ "${lines[0]}" = "character special file a:e5" ]
  [ "${lines[1]}" = read-ok ]
  [ "${lines[2]}" = "sh: can't create /dev/myfuse: Operation not permitted" ]
  # mknod itself is the kernel's to refuse there, whatever the device cgroup says.
  run vessel run --rm --userns=remap "$IMAGE" sh -c 'mknod /tmp/mem c 1 1'
  [ "$status" -eq 1 ]
  [ "$output" = "mknod: /tmp/mem: Operation not permitted" ]
  rm -rf "$ROOT.dev"
}

@test "--userns: a custom range, and what does not go together" {
  run vessel run --rm --userns=remap:300000:1000 "$IMAGE" sh -c 'tr -s " " < /proc/self/uid_map'
  [ "$output" = " 0 300000 1000" ]
  run vessel run --rm --userns=remap:0 "$IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" =~ 'invalid --userns "remap:0": FIRST_HOST_ID must be above 0' ]]
  run vessel run --rm --userns=private "$IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" =~ 'invalid --userns "private": use remap' ]]
  run vessel run --rm --userns=remap --privileged "$IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" =~ "--privileged and --userns=remap do not go together" ]]
  run vessel run --rm --userns=remap --network host "$IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" =~ "do not go together" ]]
}
