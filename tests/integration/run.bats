#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# vessel run: isolation, filesystem, exit codes, signals, terminal, bad input (issue 2).

load helpers

@test "the command is PID 1 of a new pid namespace" {
  run vessel run --rm "$IMAGE" sh -c 'echo $$'
  [ "$status" -eq 0 ]
  [ "$output" = 1 ]
}

@test "ps inside sees only the container's processes" {
  run vessel run --rm "$IMAGE" sh -c 'ps -o pid,comm; true'
  [ "$status" -eq 0 ]
  # The header, sh as PID 1 and ps itself: nothing of the host's.
  [ "${#lines[@]}" -eq 3 ]
  [[ "${lines[1]}" =~ ^\ *1\ sh$ ]]
  [[ "${lines[2]}" =~ ps$ ]]
}

@test "the hostname is the short id and the host's is unchanged" {
  before=$(hostname)
  run vessel run --rm "$IMAGE" hostname
  [ "$status" -eq 0 ]
  [[ "$output" =~ ^[0-9a-f]{12}$ ]]
  [ "$output" != "$before" ]
  [ "$(hostname)" = "$before" ]
  run vessel run --rm --hostname box1 "$IMAGE" cat /proc/sys/kernel/hostname
  [ "$output" = box1 ]
  [ "$(hostname)" = "$before" ]
}

@test "mountinfo inside shows no host path" {
  run vessel run --rm "$IMAGE" cat /proc/self/mountinfo
  [ "$status" -eq 0 ]
  [ -n "$output" ]
  # Except /etc/hosts, /etc/resolv.conf and /etc/hostname: bound from the state directory, their
  # lines name its path, as docker's name /var/lib/docker/containers/ID (docs/network.md).
  grep -qE " /etc/(hosts|resolv.conf|hostname) " <<<"$output"
  grep -vE " /etc/(hosts|resolv.conf|hostname) " <<<"$output" |
    refute_grep -qE "$ROOT|$(realpath "$IMAGE")|/work|/home|/var/lib"
  # The root is the overlay, and there is exactly one mount at /.
  [ "$(awk '$5 == "/" {print $9}' <<<"$output")" = overlay ]
}

@test "ls / equals the image's entries" {
  run vessel run --rm "$IMAGE" ls -A /
  [ "$status" -eq 0 ]
  [ "$output" = "$(ls -A "$IMAGE")" ]
}

@test "/dev holds exactly the allowed nodes" {
  run vessel run --rm "$IMAGE" ls -A /dev
  [ "$status" -eq 0 ]
  [ "$(echo $output)" = "fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero" ]
  run vessel run --rm "$IMAGE" sh -c 'stat -c "%n %t:%T" /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty'
  [ "$(echo $output)" = "/dev/null 1:3 /dev/zero 1:5 /dev/full 1:7 /dev/random 1:8 /dev/urandom 1:9 /dev/tty 5:0" ]
}

@test "/proc is the container's and /sys is read-only" {
  run vessel run --rm "$IMAGE" sh -c 'ls /proc | grep -E "^[0-9]+$" | sort -n | head -1; touch /sys/x 2>&1; grep " /sys " /proc/mounts'
  [ "${lines[0]}" = 1 ]
  [[ "${lines[1]}" =~ "Read-only file system" ]]
  [[ "${lines[2]}" =~ "sysfs /sys sysfs ro," ]]
}

@test "--network none: the network namespace holds only lo, and it is up" {
  run vessel run --rm --network none "$IMAGE" sh -c 'ls /sys/class/net; cat /sys/class/net/lo/operstate; ip -o addr show lo'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = lo ]
  [ "${#lines[@]}" -ge 3 ]
  [[ "$output" =~ "127.0.0.1" ]]
}

@test "--network host shares the host's interfaces" {
  # /proc/net belongs to the reader's network namespace (/sys/class/net to the one sysfs was
  # mounted in, which ctest's namespace for this file did not remount).
  host_links=$(awk -F: 'NR > 2 {print $1}' /proc/net/dev | sort | tr -d ' ' | tr '\n' ' ')
  run vessel run --rm --network host "$IMAGE" sh -c 'awk -F: "NR > 2 {print \$1}" /proc/net/dev | sort | tr -d " " | tr "\n" " "'
  [ "$status" -eq 0 ]
  [ "$output" = "$host_links" ]
  run vessel run --rm --network host "$IMAGE" readlink /proc/self/ns/net
  [ "$output" = "$(readlink /proc/self/ns/net)" ]
}

@test "exit codes: the command's own, 128+N, 126, 127" {
  run vessel run --rm "$IMAGE" true
  [ "$status" -eq 0 ]
  run vessel run --rm "$IMAGE" sh -c 'exit 7'
  [ "$status" -eq 7 ]
  # A process cannot SIGKILL its own pid namespace's init, so kill -9 $$ needs --init (docs/process.md).
  run vessel run --rm --init "$IMAGE" sh -c 'kill -9 $$'
  [ "$status" -eq 137 ]
  run vessel run --rm "$IMAGE" /etc/passwd
  [ "$status" -eq 126 ]
  [[ "$output" =~ "Permission denied" ]]
  run -127 vessel run --rm "$IMAGE" no-such-command
  [ "$status" -eq 127 ]
  [[ "$output" =~ "executable file not found" ]]
  run -127 vessel run --rm "$IMAGE" /bin/no-such-file
  [ "$status" -eq 127 ]
}

@test "--init reaps orphans: they become init's children, and no zombie stays" {
  # Five orphans: each subshell exits at once, leaving its sleep to PID 1, vessel's init.
  run vessel run --rm --init "$IMAGE" sh -c '
    for i in 1 2 3 4 5; do (sleep 2 &); done
    # A subshell may not have exited yet when we first look (a loaded machine): look again.
    for t in 1 2 3 4 5 6 7 8 9 10; do
      n=$(for p in /proc/[0-9]*; do cat $p/stat 2>/dev/null; done | awk "\$2 == \"(sleep)\" && \$4 == 1 {n++} END {print n+0}")
      [ "$n" = 5 ] && break
      sleep 0.1
    done
    echo "$n"
    sleep 3
    for p in /proc/[0-9]*; do cat $p/stat 2>/dev/null; done | awk "\$3 == \"Z\" {n++} END {print n+0}"
    cat /proc/1/comm
    exit 3'
  [ "$status" -eq 3 ]            # and the command's own exit code is still the container's
  [ "${lines[0]}" = 5 ]          # five orphans, all adopted by PID 1
  [ "${lines[1]}" = 0 ]          # none left a zombie behind
  [ "${lines[2]}" = vessel ]     # PID 1 was vessel's init, not the command
}

@test "PID 1 killed by a signal from outside gives 128+N" {
  "$VESSEL_BIN" --root "$ROOT" run --rm "$IMAGE" sleep 1000 &
  runner=$!
  id=$(only_container_id)
  wait_running "$id"
  kill -KILL "$(state_of "$id" .pid)"
  status=0; wait "$runner" || status=$?
  [ "$status" -eq 137 ]
}

@test "SIGTERM to vessel is forwarded: a sleep under --init ends with 143" {
  "$VESSEL_BIN" --root "$ROOT" run --rm --init "$IMAGE" sleep 1000 &
  runner=$!
  id=$(only_container_id)
  wait_running "$id"
  kill -TERM "$runner"
  status=0; wait "$runner" || status=$?
  [ "$status" -eq 143 ]
}

@test "SIGUSR1 and SIGHUP reach a shell that traps them" {
  "$VESSEL_BIN" --root "$ROOT" run --rm "$IMAGE" sh -c 'trap "echo got USR1" USR1; trap "echo got HUP; exit 5" HUP; while :; do sleep 0.1; done' >"$ROOT/out" &
  runner=$!
  id=$(only_container_id)
  wait_running "$id"
  sleep 0.2
  kill -USR1 "$runner"
  sleep 0.3
  kill -HUP "$runner"
  status=0; wait "$runner" || status=$?
  [ "$status" -eq 5 ]
  grep -q "got USR1" "$ROOT/out"
  grep -q "got HUP" "$ROOT/out"
}

@test "a SIGKILLed vessel takes its container with it and leaves nothing" {
  "$VESSEL_BIN" --root "$ROOT" run "$IMAGE" sleep 1000 &
  runner=$!
  id=$(only_container_id)
  wait_running "$id"
  pid=$(state_of "$id" .pid)
  kill -KILL "$runner"
  wait_gone "$pid"
  # The janitor records the end and removes the cgroup.
  for _ in $(seq 100); do [ "$(state_of "$id" .status)" = exited ] && break; sleep 0.05; done
  [ "$(state_of "$id" .status)" = exited ]
  [ "$(state_of "$id" .exit_code)" = 137 ]
  [ "$(find_leftovers "$ROOT" | grep -c cgroup)" = 0 ]
}

@test "the kernel kills the container with vessel even without the janitor, also under -u" {
  # PR_SET_PDEATHSIG alone: the janitor (which would empty the cgroup) is killed first.
  # Changing credentials clears the parent-death signal; the child arms it again after -u.
  for user in root user; do
    "$VESSEL_BIN" --root "$ROOT" run -u "$user" "$IMAGE" sleep 1000 &
    runner=$!
    id=$(only_container_id)
    wait_running "$id"
    pid=$(state_of "$id" .pid)
    [ "$(awk '/^Uid:/ {print $2}' /proc/$pid/status)" = "$(id -u "$user" 2>/dev/null || echo 1000)" ]
    for child in $(pgrep -P "$runner"); do
      [ "$child" != "$pid" ] && kill -KILL "$child"  # the janitor
    done
    kill -KILL "$runner"
    wait "$runner" || true
    wait_gone "$pid"
    "$VESSEL_BIN" --root "$ROOT" rm -f "$id"
  done
}

@test "-t sets the terminal's size from vessel's, and the host terminal is restored" {
  run script -qec "stty rows 33 cols 111; stty -g >$ROOT/before; $VESSEL_BIN --root $ROOT run --rm -it $IMAGE stty size </dev/tty; stty -g >$ROOT/after" /dev/null
  [ "$status" -eq 0 ]
  [[ "$output" =~ "33 111" ]]
  # Raw mode for the session, then back exactly as it was.
  [ -s "$ROOT/before" ]
  cmp "$ROOT/before" "$ROOT/after"
}

@test "-t: a resized window reaches the container's terminal (SIGWINCH, then stty size)" {
  run on_resized_pty 33 111 "$VESSEL_BIN" --root "$ROOT" run --rm -t "$IMAGE" sh -c "$RESIZE_WATCHER"
  echo "$output"
  [ "$status" -eq 7 ]
  [[ "$output" =~ "size 33 111" ]]
}

@test "-t gives the command a terminal of the container's own" {
  run script -qec "$VESSEL_BIN --root $ROOT run --rm -t $IMAGE sh -c 'tty; [ -t 0 ] && echo stdin-is-a-tty; echo \$TERM'" /dev/null
  [ "$status" -eq 0 ]
  [[ "$output" =~ /dev/pts/0 ]]
  [[ "$output" =~ stdin-is-a-tty ]]
  [[ "$output" =~ xterm ]]
}

@test "-it relays input to the container and restores the terminal" {
  # vessel's stdin is script's terminal (the input is typed into it), so vessel puts that terminal
  # in raw mode; its settings before and after, in the same session, must be the same.
  run bash -c "printf 'echo hello-\$((40+2))\nexit 3\n' | script -qec 'stty -g >$ROOT/before; $VESSEL_BIN --root $ROOT run --rm -it $IMAGE sh; s=\$?; stty -g >$ROOT/after; exit \$s' /dev/null"
  [ "$status" -eq 3 ]
  [[ "$output" =~ hello-42 ]]
  [ -s "$ROOT/before" ]
  cmp "$ROOT/before" "$ROOT/after"
  rm -f "$ROOT/before" "$ROOT/after"
}

@test "without -i the command's stdin is empty; with -i it is vessel's" {
  run bash -c "echo piped | $VESSEL_BIN --root $ROOT run --rm $IMAGE cat"
  [ "$status" -eq 0 ]
  [ "$output" = "" ]
  run bash -c "echo piped | $VESSEL_BIN --root $ROOT run --rm -i $IMAGE cat"
  [ "$output" = piped ]
}

@test "writes go to the container's own layer: the image and other containers never see them" {
  # The image as it is: every entry's type, size, mode and mtime, and its /etc/passwd.
  before=$(cd "$IMAGE" && find . -printf '%p %y %s %m %T@\n' | sort; md5sum etc/passwd)
  run vessel run --rm "$IMAGE" sh -c 'echo x > /etc/newfile; rm /bin/ls; echo y >> /etc/passwd; ls /etc/newfile'
  [ "$status" -eq 0 ]
  [ "$output" = /etc/newfile ]
  [ "$(cd "$IMAGE" && find . -printf '%p %y %s %m %T@\n' | sort; md5sum etc/passwd)" = "$before" ]
  [ ! -e "$IMAGE/etc/newfile" ]
  [ -e "$IMAGE/bin/ls" ]
  refute_grep -q '^y$' "$IMAGE/etc/passwd"
  run vessel run --rm "$IMAGE" sh -c 'ls /etc/newfile 2>&1; ls /bin/ls'
  [[ "${lines[0]}" =~ "No such file" ]]
  [ "${lines[1]}" = /bin/ls ]
}

@test "--read-only gives a read-only root" {
  run vessel run --rm --read-only "$IMAGE" sh -c 'touch /x 2>&1; echo ok > /dev/shm/y && cat /dev/shm/y'
  [[ "${lines[0]}" =~ "Read-only file system" ]]
  [ "${lines[1]}" = ok ]
}

@test "-e, -w, -u and the default environment" {
  run vessel run --rm -e FOO=bar -e HOME=/custom -w /work/dir "$IMAGE" sh -c 'echo $FOO $HOME; pwd; echo $PATH; echo $HOSTNAME'
  [ "${lines[0]}" = "bar /custom" ]
  [ "${lines[1]}" = /work/dir ]
  [ "${lines[2]}" = /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin ]
  [[ "${lines[3]}" =~ ^[0-9a-f]{12}$ ]]
  run vessel run --rm -u user "$IMAGE" sh -c 'id; echo $HOME'
  [ "${lines[0]}" = "uid=1000(user) gid=1000(user) groups=29(audio),100(users),1000(user)" ]
  [ "${lines[1]}" = /home/user ]
  run vessel run --rm -u 4242:4343 "$IMAGE" id -u
  [ "$output" = 4242 ]
  run vessel run --rm "$IMAGE" sh -c 'id -G'
  [ "$output" = 0 ]
}

@test "without a command the image's default runs" {
  run bash -c "echo 'echo from-default-sh' | $VESSEL_BIN --root $ROOT run --rm -i $IMAGE"
  [ "$status" -eq 0 ]
  [ "$output" = from-default-sh ]
}

@test "--explain traces each kernel step, pivot_root included" {
  run vessel run --rm --explain --network none "$IMAGE" true
  [ "$status" -eq 0 ]
  [[ "$output" =~ clone3\(\{flags=CLONE_NEWNS\|CLONE_NEWPID ]]
  [[ "$output" =~ 'pivot_root(".", ".") = 0' ]]
  # With --network none the network namespace is made by the child, not by clone3
  # (docs/namespaces.md); on a bridge, clone3 makes it, so the parent can put eth0 in it.
  [[ "$output" =~ 'child   unshare(CLONE_NEWNET) = 0' ]]
  [[ "$output" =~ "docs/filesystem.md" ]]
  [[ "$output" =~ 'execve("/bin/true"' ]]
  # In the order they happen: clone3, then sethostname, mounts, pivot_root, execve.
  calls=$(sed -nE 's/^ *[0-9.]+ms (vessel|child) +([a-z0-9_]+)\(.*/\2/p' <<<"$output" | tr '\n' ' ')
  order=$(grep -oE 'clone3|sethostname|pivot_root|execve' <<<"$calls" | tr '\n' ' ')
  [ "$order" = "clone3 sethostname pivot_root execve " ]
}

@test "without clone3 (kernels before 5.3), run and exec fall back to clone(2) and still join the cgroups" {
  [ "$(uname -m)" = x86_64 ] || skip "x86_64 only"
  [ -x "${NATIVE_ONLY:-}" ] || skip "native_only is not built"
  # native_only --no-clone3: vessel, and all it starts, gets ENOSYS from clone3, as on an old
  # kernel; clone(2) has no CLONE_INTO_CGROUP, so the cgroups must be joined another way.
  run "$NATIVE_ONLY" --no-clone3 "$VESSEL_BIN" --root "$ROOT" run -d --explain --name fb "$IMAGE" sleep 1000
  [ "$status" -eq 0 ]
  grep -qE 'clone3\(.*\) = -1 ENOSYS' <<<"$output"
  grep -qE 'clone\(flags=CLONE_NEWNS\|CLONE_NEWPID.*\) = [0-9]+' <<<"$output"
  id=$(tail -1 <<<"$output")
  [[ "$id" =~ ^[0-9a-f]{64}$ ]]
  pid=$(state_of "$id" .pid)
  [ "$(cat /proc/$pid/comm)" = sleep ]
  cgroups=$(state_of "$id" '.cgroup.paths[]')
  [ -n "$cgroups" ]
  for cg in $cgroups; do grep -qx "$pid" "$cg/cgroup.procs"; done
  # exec too: its process ends up in every one of the container's cgroups.
  run "$NATIVE_ONLY" --no-clone3 "$VESSEL_BIN" --root "$ROOT" exec --explain -d fb sleep 999
  [ "$status" -eq 0 ]
  grep -qE 'clone3\(.*\) = -1 ENOSYS' <<<"$output"
  first=$(head -1 <<<"$cgroups")
  for _ in $(seq 100); do other=$(grep -vx "$pid" "$first/cgroup.procs" || true); [ -n "$other" ] && break; sleep 0.05; done
  [ -n "$other" ]
  [ "$(cat /proc/$other/comm)" = sleep ]
  for cg in $cgroups; do grep -qx "$other" "$cg/cgroup.procs"; done
  [ "$(readlink /proc/$other/ns/pid)" = "$(readlink /proc/$pid/ns/pid)" ]
  vessel rm -f fb
}

@test "the command runs with vessel's CPU affinity, wherever vessel moved itself" {
  [ "$(nproc)" -ge 2 ] || skip "needs two CPUs"
  mine=$(grep Cpus_allowed_list /proc/self/status)
  for _ in 1 2 3 4 5; do
    run vessel run --rm --explain "$IMAGE" grep Cpus_allowed_list /proc/self/status
    [ "$status" -eq 0 ]
    [ "$(grep "^Cpus_allowed_list" <<<"$output")" = "$mine" ]
    # Only vessel's own affinity ever changes (cpu_placement.hpp), and it is put back at once.
    [[ ! "$output" =~ child\ +sched_setaffinity ]]
  done
  # A vessel held to one CPU gives its container that CPU alone, and moves nothing.
  run taskset -c 1 "$VESSEL_BIN" --root "$ROOT" run --rm --explain "$IMAGE" grep Cpus_allowed_list /proc/self/status
  [ "$status" -eq 0 ]
  [[ "$(grep "^Cpus_allowed_list" <<<"$output")" =~ Cpus_allowed_list:[[:space:]]1$ ]]
  [[ ! "$output" =~ sched_setaffinity ]]
}

@test "while it runs, the container is recorded in state.json" {
  "$VESSEL_BIN" --root "$ROOT" run --rm --name recorded "$IMAGE" sleep 1000 &
  runner=$!
  id=$(only_container_id)
  wait_running "$id"
  [ "$(state_of "$id" .spec.name)" = recorded ]
  [ "$(state_of "$id" .spec.args[0])" = sleep ]
  pid=$(state_of "$id" .pid)
  [ "$(readlink /proc/$pid/ns/pid)" != "$(readlink /proc/self/ns/pid)" ]
  kill -KILL "$pid"
  wait "$runner" || true
  [ ! -e "$ROOT/$id" ]
}

@test "bad input: one clear line, exit 125, nothing created" {
  run vessel run --rm /nonexistent/image true
  [ "$status" -eq 125 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ "$output" =~ "does not exist" ]]
  run vessel run --rm /etc/passwd true
  [ "$status" -eq 125 ]
  [[ "$output" =~ "not a directory" ]]
  run vessel run --rm --name x "$IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" =~ "invalid container name" ]]
  run vessel run --rm --no-such-option "$IMAGE" true
  [ "$status" -eq 125 ]
  [ "${#lines[@]}" -eq 1 ]
  run vessel run --rm -u nosuchuser "$IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" =~ "unable to find user nosuchuser" ]]
  run vessel run --rm -w relative "$IMAGE" true
  [ "$status" -eq 125 ]
  [ "$output" = 'vessel: error: the working directory "relative" must be an absolute path' ]
  run vessel run --rm --network nosuchnet "$IMAGE" true
  [ "$status" -eq 125 ]
  [ "$output" = 'vessel: error: network nosuchnet not found' ]
  run vessel run --rm --hostname "bad_host!" "$IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" =~ 'invalid hostname "bad_host!"' ]]
  run vessel run
  [ "$status" -eq 125 ]
  [ "$output" = "vessel: error: 'vessel run' needs IMAGE (see 'vessel run --help')" ]
  [ -z "$(ls -A "$ROOT" | grep -vE '^.(names|networks)$')" ]
}

@test "an image without a default command needs one" {
  mkdir "$ROOT/img"
  cp -a "$IMAGE/." "$ROOT/img/"
  run vessel run --rm "$ROOT/img"
  [ "$status" -eq 125 ]
  [[ "$output" =~ "no command given" ]]
  rm -rf "$ROOT/img"
}

@test "an image whose /proc or /dev is a symlink is refused" {
  for dir in proc dev sys; do
    mkdir "$ROOT/img-$dir"
    cp -a "$IMAGE/." "$ROOT/img-$dir/"
    rm -rf "$ROOT/img-$dir/$dir"
    ln -s /etc "$ROOT/img-$dir/$dir"
    run vessel run --rm "$ROOT/img-$dir" true
    [ "$status" -eq 125 ]
    [[ "$output" =~ "symlink at /$dir" ]]
    rm -rf "$ROOT/img-$dir"
  done
}

@test "not root: one clear line and 125" {
  run setpriv --reuid=65534 --regid=65534 --clear-groups "$VESSEL_BIN" --root "$ROOT" run --rm "$IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" =~ "must run as root" ]]
}

@test "a name is unique while its container exists" {
  "$VESSEL_BIN" --root "$ROOT" run --rm --name solo "$IMAGE" sleep 1000 &
  runner=$!
  id=$(only_container_id)
  wait_running "$id"
  run vessel run --rm --name solo "$IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" =~ "already in use" ]]
  kill -KILL "$(state_of "$id" .pid)"
  wait "$runner" || true
  run vessel run --rm --name solo "$IMAGE" true
  [ "$status" -eq 0 ]
}
