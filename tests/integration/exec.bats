#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# vessel exec: into every namespace and the cgroup of a running container (issue 3).

load helpers

# A running container named `box` with hostname box1, for the test to exec into.
start_box() {
  id=$(vessel run -d --name box --hostname box1 "$@" "$IMAGE" sleep 1000)
  pid=$(state_of "$id" .pid)
}

# The host pids in the container's pids cgroup, except PID 1.
other_pids_in_cgroup() {
  local cgroup
  cgroup=$(jq -r '.cgroup.paths[]' "$ROOT/$id/state.json" | head -1)
  [ -n "$cgroup" ] || { echo "container $id records no cgroup" >&2; return 1; }
  grep -vx "$pid" "$cgroup/cgroup.procs" || true
}

@test "exec cat /proc/1/cmdline shows the container's command" {
  start_box
  run bash -c "$VESSEL_BIN --root $ROOT exec box cat /proc/1/cmdline | tr '\\0' ' '"
  [ "$status" -eq 0 ]
  [ "$output" = "sleep 1000 " ]
  vessel rm -f box
}

@test "exec sees the container's hostname, root and pid namespace" {
  start_box
  run vessel exec box sh -c 'hostname; echo $$'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = box1 ]
  [ "${lines[1]}" -lt 10 ]                  # a small pid: the container's pid namespace
  run vessel exec box ps -o pid,comm
  [[ "${lines[1]}" =~ ^\ *1\ sleep$ ]]      # PID 1 is the container's command...
  [ "${#lines[@]}" -eq 3 ]                  # ...and nothing of the host's is visible
  [ "$(vessel exec box ls -A /)" = "$(ls -A "$IMAGE")" ]
  # Every namespace is PID 1's, and none is ours.
  for ns in mnt uts ipc net pid cgroup; do
    inside=$(vessel exec box readlink /proc/self/ns/$ns)
    [ "$inside" = "$(readlink /proc/$pid/ns/$ns)" ]
    [ "$inside" != "$(readlink /proc/self/ns/$ns)" ]
  done
  vessel rm -f box
}

@test "the exec'd process sits in the container's cgroups" {
  start_box
  vessel exec -d box sleep 999
  other=$(other_pids_in_cgroup)
  [ -n "$other" ]
  [ "$(cat /proc/$other/comm)" = sleep ]
  [ "$(grep -v name=systemd /proc/$other/cgroup)" = "$(grep -v name=systemd /proc/$pid/cgroup)" ]
  # Inside, it sees its cgroups as the root of its own cgroup namespace.
  run vessel exec box cat /proc/self/cgroup
  [ "${#lines[@]}" -gt 1 ]
  [ -z "$(grep -v name=systemd <<<"$output" | grep -v ':/$')" ]
  vessel rm -f box
}

@test "exec exit codes: 0, the command's own, 127, 126, 128+N" {
  start_box
  run vessel exec box true
  [ "$status" -eq 0 ]
  run vessel exec box sh -c 'exit 3'
  [ "$status" -eq 3 ]
  run -127 vessel exec box no-such-command
  [[ "$output" =~ "executable file not found" ]]
  run -126 vessel exec box /etc/passwd
  [[ "$output" =~ "Permission denied" ]]
  run vessel exec box sh -c 'kill -9 $$'
  [ "$status" -eq 137 ]
  run -126 vessel exec -w /no/such/dir box true
  [[ "$output" =~ "/no/such/dir" ]]
  vessel rm -f box
}

@test "exec -t gets a terminal of the container's devpts, exec -it relays input" {
  start_box
  run script -qec "$VESSEL_BIN --root $ROOT exec -t box sh -c 'tty; [ -t 1 ] && echo out-is-a-tty; echo \$TERM'" /dev/null
  [ "$status" -eq 0 ]
  [[ "$output" =~ /dev/pts/[0-9] ]]
  [[ "$output" =~ out-is-a-tty ]]
  [[ "$output" =~ xterm ]]
  run script -qec "printf 'echo hello-\$((40+2))\nexit 4\n' | $VESSEL_BIN --root $ROOT exec -it box sh" /dev/null
  [ "$status" -eq 4 ]
  [[ "$output" =~ hello-42 ]]
  # Without -t: no terminal.
  run vessel exec box sh -c '[ -t 1 ] || echo no-tty'
  [ "$output" = no-tty ]
  vessel rm -f box
}

@test "exec -t: a resized window reaches the exec'd process's terminal" {
  start_box
  run on_resized_pty 33 111 "$VESSEL_BIN" --root "$ROOT" exec -t box sh -c "$RESIZE_WATCHER"
  echo "$output"
  [ "$status" -eq 7 ]
  [[ "$output" =~ "size 33 111" ]]
  vessel rm -f box
}

@test "exec -i passes stdin, without -i stdin is empty" {
  start_box
  run bash -c "echo piped | $VESSEL_BIN --root $ROOT exec -i box cat"
  [ "$output" = piped ]
  run bash -c "echo piped | $VESSEL_BIN --root $ROOT exec box cat"
  [ "$status" -eq 0 ]
  [ "$output" = "" ]
  vessel rm -f box
}

@test "exec -e, -w, -u, and the container's own user and environment by default" {
  start_box -u user -e FROM_RUN=1
  run vessel exec box sh -c 'id -u; echo $FROM_RUN $HOME; pwd'
  [ "${lines[0]}" = 1000 ]
  [ "${lines[1]}" = "1 /home/user" ]
  [ "${lines[2]}" = / ]
  run vessel exec -u root -e FOO=bar -e FROM_RUN=2 -w /tmp box sh -c 'id; echo $FOO $FROM_RUN $HOME; pwd'
  [ "${lines[0]}" = "uid=0(root) gid=0(root) groups=0(root)" ]
  [ "${lines[1]}" = "bar 2 /root" ]
  [ "${lines[2]}" = /tmp ]
  run vessel exec -u nosuchuser box true
  [ "$status" -eq 125 ]
  [[ "$output" =~ "unable to find user nosuchuser" ]]
  vessel rm -f box
}

@test "exec -d returns at once; the process runs in the container and dies with it" {
  start_box
  run vessel exec -d box sh -c 'echo started > /tmp/marker; exec sleep 998'
  [ "$status" -eq 0 ]
  [ "$output" = "" ]
  for _ in $(seq 100); do vessel exec box test -e /tmp/marker && break; sleep 0.05; done
  run vessel exec box sh -c 'cat /tmp/marker; ps -o comm | grep -c "^sleep"'
  [ "${lines[0]}" = started ]
  [ "${lines[1]}" = 2 ]
  other=$(other_pids_in_cgroup)
  [ -n "$other" ]
  # -d with -t or -i is refused while the container runs: the 125 is the refusal itself.
  [ "$(status_of box)" = running ]
  for flag in -t -i; do
    run -125 vessel exec -d $flag box true
    [ "$output" = "vessel: error: exec -d cannot be combined with -i or -t: a detached process has nobody to read its terminal or feed its input" ]
  done
  [ "$(other_pids_in_cgroup)" = "$other" ]   # and nothing was started
  vessel rm -f box
  gone_or_zombie "$other"
}

@test "signals to a foreground exec are forwarded to the exec'd process" {
  start_box
  "$VESSEL_BIN" --root "$ROOT" exec box sh -c 'trap "echo got-term; exit 4" TERM; touch /tmp/ready; while :; do sleep 0.1; done' >"$ROOT.out" &
  runner=$!
  for _ in $(seq 100); do vessel exec box test -e /tmp/ready && break; sleep 0.05; done
  kill -TERM "$runner"
  status=0; wait "$runner" || status=$?
  out=$(cat "$ROOT.out"); rm -f "$ROOT.out"
  [ "$status" -eq 4 ]
  [ "$out" = got-term ]
  # The container itself is untouched.
  [ "$(status_of box)" = running ]
  vessel rm -f box
}

@test "a SIGKILLed exec takes its process with it, also after a user switch" {
  start_box
  "$VESSEL_BIN" --root "$ROOT" exec -u user box sleep 997 &
  runner=$!
  for _ in $(seq 100); do [ -n "$(other_pids_in_cgroup)" ] && break; sleep 0.05; done
  other=$(other_pids_in_cgroup)
  [ "$(stat -c %u /proc/$other)" = 1000 ]
  kill -KILL "$runner"
  wait "$runner" || true
  for _ in $(seq 100); do gone_or_zombie "$other" && break; sleep 0.05; done
  gone_or_zombie "$other"
  [ "$(status_of box)" = running ]
  vessel rm -f box
}

@test "exec into a stopped or unknown container: one clear line, 125" {
  id=$(vessel run -d --name done "$IMAGE" true)
  wait_status "$id" exited
  run vessel exec done true
  [ "$status" -eq 125 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ "$output" =~ "container done is not running" ]]
  run vessel exec nosuchcontainer true
  [ "$status" -eq 125 ]
  [ "$output" = "vessel: error: no such container: nosuchcontainer" ]
  run vessel exec done
  [ "$status" -eq 125 ]
  [[ "$output" =~ "exec needs a command" ]]
  vessel rm done
}

@test "exec joins namespaces one by one where pidfd setns is missing" {
  start_box
  run env VESSEL_SETNS_FALLBACK=1 "$VESSEL_BIN" --root "$ROOT" exec --explain box sh -c 'hostname; readlink /proc/self/ns/pid'
  [ "$status" -eq 0 ]
  [[ "$output" =~ 'setns(open("/proc/PID/ns/mnt"), CLONE_NEWNS) = 0' ]]
  [[ "$output" =~ box1 ]]
  [[ "$output" =~ "$(readlink /proc/$pid/ns/pid)" ]]
  vessel rm -f box
}

@test "--explain: not dumpable, setns, clone3 into the cgroup, the container's confinement, execve" {
  start_box
  run vessel exec --explain box true
  [ "$status" -eq 0 ]
  [[ "$output" =~ 'setns(pidfd, CLONE_NEWIPC|CLONE_NEWUTS|CLONE_NEWNET|CLONE_NEWPID|CLONE_NEWNS) = 0' ]]
  [[ "$output" =~ 'setns(pidfd, CLONE_NEWCGROUP) = 0' ]]
  # The steps in order, with who took them: vessel outside, the new process inside.
  steps=$(sed -nE 's/^ *[0-9.]+ms (vessel|exec) +(prctl\(PR_SET_DUMPABLE|setns|clone3|prctl\(PR_SET_NO_NEW_PRIVS|seccomp\(|execve).*/\1:\2/p' <<<"$output" | uniq | tr '\n' ' ')
  [ "$steps" = "vessel:prctl(PR_SET_DUMPABLE vessel:setns vessel:clone3 exec:setns exec:prctl(PR_SET_NO_NEW_PRIVS exec:seccomp( exec:execve " ]
  vessel rm -f box
}

@test "the exec'd process is confined like the container's command" {
  start_box
  # Same capabilities, no_new_privs and seccomp mode as PID 1, whatever vessel exec itself has.
  for field in CapBnd CapEff CapPrm NoNewPrivs Seccomp; do
    inside=$(vessel exec box grep "^$field:" /proc/self/status)
    [ "$inside" = "$(grep "^$field:" /proc/$pid/status)" ]
  done
  [ "$(vessel exec box grep '^Seccomp:' /proc/self/status | awk '{print $2}')" = 2 ]
  # The filter is the container's, kept by run and loaded by exec: unshare is refused in both.
  [ -s "$ROOT/$id/seccomp.bpf" ]
  run -1 vessel exec box unshare -U true
  [ "$output" = "unshare: unshare(0x10000000): Operation not permitted" ]
  run vessel exec --explain box true
  [[ "$output" =~ seccomp.bpf\"\)\ =\ [0-9]+\ BPF\ instructions ]]
  [[ ! "$output" =~ seccomp_export_bpf ]]   # not compiled again
  [ "$(vessel exec box cat /proc/self/limits | grep 'open files')" = "$(grep 'open files' /proc/$pid/limits)" ]
  vessel rm -f box
}

@test "exec joins the user namespace of a --userns=remap container: root inside, 100000 outside" {
  start_box --userns=remap
  [ "$(vessel exec box readlink /proc/self/ns/user)" = "$(readlink /proc/$pid/ns/user)" ]
  [ "$(vessel exec box readlink /proc/self/ns/user)" != "$(readlink /proc/self/ns/user)" ]
  [ "$(vessel exec box id -u)" = 0 ]
  vessel exec -d box sleep 996
  other=$(other_pids_in_cgroup)
  [ "$(stat -c %u /proc/$other)" = "$(awk '{print $2}' /proc/$pid/uid_map)" ]
  [ "$(stat -c %u /proc/$other)" != 0 ]
  [ "$(vessel exec -u user box id -u)" = 1000 ]
  vessel rm -f box
}
