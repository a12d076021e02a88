#!/usr/bin/env bats
# vessel-oci driven as an engine drives runc (docs/oci.md): create/start/state/kill/delete, the
# pid file, the console socket, stdio inheritance, exit codes, and bad config.json. Each bundle
# is made in a temp dir from rootfs/busybox, with `vessel-oci spec` and jq edits.

load helpers
bats_require_minimum_version 1.5.0

setup() {
  [ "$(id -u)" = 0 ] || skip "integration tests run as root"
  [ -x "$VESSEL_BIN" ] || skip "build/vessel is missing: run scripts/test.sh"
  [ -d "$IMAGE" ] || skip "rootfs/busybox is missing: run scripts/mkrootfs.sh"
  ROOT=$(mktemp -d /tmp/vessel-bats.XXXXXX)
  export ROOT
  OCI_BIN=$(dirname "$VESSEL_BIN")/vessel-oci
  [ -x "$OCI_BIN" ] || skip "build/vessel-oci is missing"
  BUNDLE=$ROOT.bundle
  mkdir -p "$BUNDLE/rootfs"
  cp -a "$IMAGE/." "$BUNDLE/rootfs/"
  (cd "$BUNDLE" && "$OCI_BIN" spec)
}

teardown() {
  # Containers whose create'd process the test left waiting or running.
  for id in $("$OCI_BIN" --root "$ROOT" list -q 2>/dev/null); do
    "$OCI_BIN" --root "$ROOT" delete --force "$id" || true
  done
  if [ -d "$ROOT/.fifo" ] && [ -n "$(ls -A "$ROOT/.fifo")" ]; then
    echo "exec fifos left behind: $(ls "$ROOT/.fifo")" >&2
    rm -rf "$ROOT.bundle"
    return 1
  fi
  # helpers.bash's teardown: no state dir, cgroup or mount left.
  cleanup_root "$ROOT"
  local leftovers
  leftovers=$(find_leftovers "$ROOT")
  rm -rf "$ROOT" "$ROOT".*
  [ -z "$leftovers" ] || { echo "left behind: $leftovers" >&2; return 1; }
}

oci() { "$OCI_BIN" --root "$ROOT" "$@"; }

# config.json edited with a jq filter.
edit_config() {
  jq "$1" "$BUNDLE/config.json" >"$BUNDLE/config.json.new"
  mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}

# No terminal, and the command given as JSON, e.g. command '["sh","-c","exit 3"]'.
command() { edit_config ".root.readonly = false | .process.terminal = false | .process.args = $1"; }

status() { oci state "$1" | jq -r .status; }

@test "spec writes runc's template once, then refuses to overwrite it" {
  jq -e '.ociVersion == "1.1.0" and .root.path == "rootfs" and .process.terminal' \
    "$BUNDLE/config.json"
  run bash -c "cd '$BUNDLE' && '$OCI_BIN' spec"
  [ "$status" -eq 125 ]
  [[ "$output" == *"exists"* ]]
}

@test "create waits without running the command; start runs it; kill and delete end it" {
  command '["sh", "-c", "touch /ran; exec sleep 100"]'
  oci create --bundle "$BUNDLE" --pid-file "$ROOT.pid" c1
  [ "$(status c1)" = created ]
  # The pid file holds the number alone, without a newline, as runc writes it.
  [ "$(od -An -c "$ROOT.pid" | tr -d ' \n' | grep -c '\\n')" -eq 0 ]
  pid=$(cat "$ROOT.pid")
  [ "$(oci state c1 | jq .pid)" -eq "$pid" ]
  kill -0 "$pid"
  # Created: the process exists, but nothing of the command has run.
  sleep 0.3
  [ ! -e "$BUNDLE/rootfs/ran" ]
  oci start c1
  for _ in $(seq 50); do [ -e "$BUNDLE/rootfs/ran" ] && break; sleep 0.05; done
  [ -e "$BUNDLE/rootfs/ran" ]
  [ "$(status c1)" = running ]
  [ "$(oci list -q)" = c1 ]
  [ "$(oci ps --format json c1 | jq -c .)" = "[$pid]" ]
  # A second start is refused.
  run oci start c1
  [ "$status" -eq 125 ]
  oci kill c1 KILL
  wait_gone "$pid"
  [ "$(status c1)" = stopped ]
  oci delete c1
  run oci state c1
  [ "$status" -eq 125 ]
  [[ "$output" == *"does not exist"* ]]
}

@test "kill takes signal names with and without SIG, and numbers; the default is TERM" {
  command '["sh", "-c", "trap \"echo got >>/sig\" TERM USR1; touch /ready; while :; do sleep 0.05; done"]'
  oci create --bundle "$BUNDLE" c1
  oci start c1
  for _ in $(seq 100); do [ -e "$BUNDLE/rootfs/ready" ] && break; sleep 0.05; done
  for sig in TERM SIGTERM 15 USR1; do
    oci kill c1 "$sig"
    sleep 0.3
  done
  oci kill c1
  sleep 0.3
  [ "$(wc -l <"$BUNDLE/rootfs/sig")" -eq 5 ]
  run oci kill c1 NOSUCHSIG
  [ "$status" -eq 125 ]
  oci kill --all c1 KILL
  for _ in $(seq 50); do [ "$(status c1)" = stopped ] && break; sleep 0.1; done
  [ "$(status c1)" = stopped ]
  oci delete c1
}

@test "pause freezes every process, resume thaws them; state says paused" {
  # Each tick written whole (rename): a reader never sees the file empty.
  command '["sh", "-c", "while :; do date +%s%N >/tick.new; mv /tick.new /tick; sleep 0.05; done"]'
  oci create --bundle "$BUNDLE" c1
  oci start c1
  for _ in $(seq 100); do [ -s "$BUNDLE/rootfs/tick" ] && break; sleep 0.05; done
  oci pause c1
  [ "$(status c1)" = paused ]
  # Frozen: the loop writes nothing more.
  before=$(cat "$BUNDLE/rootfs/tick")
  sleep 0.4
  [ "$(cat "$BUNDLE/rootfs/tick")" = "$before" ]
  run oci pause c1
  [ "$status" -eq 125 ]
  run oci exec c1 true
  [ "$status" -eq 125 ]
  run oci delete c1
  [ "$status" -eq 125 ]
  oci resume c1
  [ "$(status c1)" = running ]
  for _ in $(seq 40); do [ "$(cat "$BUNDLE/rootfs/tick")" != "$before" ] && break; sleep 0.05; done
  [ "$(cat "$BUNDLE/rootfs/tick")" != "$before" ]
  run oci resume c1
  [ "$status" -eq 125 ]
  # A paused container is killed and deleted by delete --force.
  oci pause c1
  oci delete --force c1
  [ -z "$(oci list -q)" ]
}

@test "exec: a command's exit code, and --process --detach --pid-file as podman calls it" {
  command '["sleep", "100"]'
  oci create --bundle "$BUNDLE" c1
  oci start c1
  run oci exec c1 sh -c 'echo in $(hostname) as $(id -u); exit 4'
  [ "$status" -eq 4 ]
  [ "$output" = "in vessel as 0" ]
  echo '{"args": ["sh", "-c", "echo $$ >/det; sleep 100"], "cwd": "/", "env": ["PATH=/bin"],
         "user": {"uid": 0, "gid": 0}}' >"$ROOT.process.json"
  oci exec --process "$ROOT.process.json" --detach --pid-file "$ROOT.epid" c1
  [ "$(od -An -c "$ROOT.epid" | tr -d ' \n' | grep -c '\\n')" -eq 0 ]
  epid=$(cat "$ROOT.epid")
  kill -0 "$epid"
  # The pid file names the process inside: its pid in the container's namespace differs, but
  # it is the one in the container's cgroup.
  for _ in $(seq 50); do [ -s "$BUNDLE/rootfs/det" ] && break; sleep 0.05; done
  oci ps --format json c1 | jq -e "index($epid)"
  run oci exec c2 true
  [ "$status" -eq 125 ]
  # A terminal is the engine's: it needs --console-socket, and --detach (engines pass both).
  run oci exec -t c1 true
  [ "$status" -eq 125 ]
  [[ "$output" == *"--console-socket"* ]]
  run oci exec -t --console-socket "$ROOT.sock" c1 true
  [ "$status" -eq 125 ]
  [[ "$output" == *"--detach"* ]]
  oci delete --force c1
}

@test "hooks: prestart and createRuntime at create, poststart at start, poststop at delete, state on stdin" {
  command '["sleep", "100"]'
  printf '#!/bin/sh\ncat >>%s; echo >>%s\n' "$ROOT.hooks" "$ROOT.hooks" >"$ROOT.hook.sh"
  chmod +x "$ROOT.hook.sh"
  edit_config ".hooks = {prestart: [{path: \"$ROOT.hook.sh\"}], createRuntime: [{path: \"$ROOT.hook.sh\"}],
    poststart: [{path: \"$ROOT.hook.sh\"}], poststop: [{path: \"$ROOT.hook.sh\"}]}"
  oci create --bundle "$BUNDLE" c1
  [ "$(jq -s -c 'map(.status)' "$ROOT.hooks")" = '["creating","creating"]' ]
  [ "$(jq -s '.[0].pid' "$ROOT.hooks")" -eq "$(oci state c1 | jq .pid)" ]
  oci start c1
  [ "$(jq -s -c 'map(.status)' "$ROOT.hooks")" = '["creating","creating","running"]' ]
  oci delete --force c1
  [ "$(jq -s -c 'map(.status) | .[3]' "$ROOT.hooks")" = '"stopped"' ]
  [ "$(jq -s -r '.[3].id' "$ROOT.hooks")" = c1 ]
  # A failing prestart hook fails create, and leaves nothing.
  edit_config '.hooks = {prestart: [{path: "/bin/false"}]}'
  run oci create --bundle "$BUNDLE" c2
  [ "$status" -eq 125 ]
  [[ "$output" == *"hooks.prestart[0]"* ]]
  [ -z "$(oci list -q)" ]
  # A hook that overstays its timeout is killed.
  edit_config '.hooks = {createRuntime: [{path: "/bin/sleep", args: ["sleep", "10"], timeout: 1}]}'
  run oci create --bundle "$BUNDLE" c3
  [ "$status" -eq 125 ]
  [[ "$output" == *"timed out"* ]]
}

@test "delete refuses a running container without --force; --force of a missing one is no error" {
  command '["sleep", "100"]'
  oci create --bundle "$BUNDLE" c1
  oci start c1
  run oci delete c1
  [ "$status" -eq 125 ]
  [[ "$output" == *"running"* ]]
  oci delete --force c1
  oci delete --force c1
  run oci delete c1
  [ "$status" -eq 125 ]
}

@test "a created container that is never started is removed by delete" {
  command '["sh", "-c", "touch /ran"]'
  oci create --bundle "$BUNDLE" --pid-file "$ROOT.pid" c1
  pid=$(cat "$ROOT.pid")
  oci delete c1
  wait_gone "$pid"
  [ ! -e "$BUNDLE/rootfs/ran" ]
}

@test "the created process inherits the caller's stdio, as under runc" {
  command '["sh", "-c", "echo out; echo err >&2; read line; echo got:$line"]'
  echo input-line >"$ROOT.in"
  oci create --bundle "$BUNDLE" --pid-file "$ROOT.pid" c1 <"$ROOT.in" >"$ROOT.out" 2>"$ROOT.err"
  [ ! -s "$ROOT.out" ]
  oci start c1
  wait_gone "$(cat "$ROOT.pid")"
  [ "$(cat "$ROOT.out")" = "$(printf 'out\ngot:input-line')" ]
  grep -qx err "$ROOT.err"
  oci delete c1
}

@test "run waits and returns the command's exit code; the container is gone after" {
  command '["sh", "-c", "exit 3"]'
  run oci run --bundle "$BUNDLE" c1
  [ "$status" -eq 3 ]
  [ -z "$(oci list -q)" ]
  command '["/nonexistent"]'
  run -127 oci run --bundle "$BUNDLE" c1
  [ "$status" -eq 127 ]
  [ -z "$(oci list -q)" ]
}

@test "the console socket receives the pty master (SCM_RIGHTS, message /dev/ptmx)" {
  command '["sh", "-c", "tty; echo from-the-tty"]'
  edit_config '.process.terminal = true'
  # A tiny receiver, as conmon or containerd-shim: accept, take the fd, read the terminal.
  cat >"$ROOT.recv.py" <<'EOF'
import array, os, socket, sys
path, out = sys.argv[1], sys.argv[2]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path); srv.listen(1)
print("listening", flush=True)
conn, _ = srv.accept()
fds = array.array("i")
msg, anc, _, _ = conn.recvmsg(64, socket.CMSG_LEN(fds.itemsize))
for level, kind, data in anc:
    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
        fds.frombytes(data[: fds.itemsize])
data = b""
while True:
    try:
        chunk = os.read(fds[0], 1024)
    except OSError:
        break
    if not chunk:
        break
    data += chunk
open(out, "w").write(msg.decode() + "\n" + data.decode())
EOF
  python3 "$ROOT.recv.py" "$ROOT.sock" "$ROOT.tty" >"$ROOT.recv.log" &
  recv=$!
  for _ in $(seq 100); do [ -S "$ROOT.sock" ] && break; sleep 0.05; done
  oci create --bundle "$BUNDLE" --console-socket "$ROOT.sock" c1
  oci start c1
  wait "$recv"
  head -1 "$ROOT.tty" | grep -qx /dev/ptmx
  grep -q '^/dev/pts/0' "$ROOT.tty"
  grep -q from-the-tty "$ROOT.tty"
  oci delete c1
  # terminal true needs a console socket, and a console socket needs terminal true.
  run oci create --bundle "$BUNDLE" c2
  [ "$status" -eq 125 ]
  [[ "$output" == *"--console-socket is required"* ]]
}

@test "config.json's mounts, hostname, sysctl and user are applied" {
  mkdir -p "$ROOT.data"
  echo host-file >"$ROOT.data/f"
  command '["sh", "-c", "cat /data/f; touch /data/x 2>/dev/null || echo ro; hostname; id -u; cat /proc/sys/net/ipv4/ip_forward; grep \" /scratch \" /proc/mounts | cut -d\" \" -f3"]'
  edit_config ".hostname = \"oci-box\" | .process.user = {uid: 1000, gid: 1000}
    | .mounts += [{destination: \"/data\", type: \"bind\", source: \"$ROOT.data\", options: [\"rbind\", \"ro\"]},
                  {destination: \"/scratch\", type: \"tmpfs\", source: \"tmpfs\", options: [\"size=1m\"]}]
    | .linux.sysctl = {\"net.ipv4.ip_forward\": \"1\"}"
  run oci run --bundle "$BUNDLE" c1
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = host-file ]
  [ "${lines[1]}" = ro ]
  [ "${lines[2]}" = oci-box ]
  [ "${lines[3]}" = 1000 ]
  [ "${lines[4]}" = 1 ]
  [ "${lines[5]}" = tmpfs ]
  [ ! -e "$ROOT.data/x" ]
}

@test "bad or unsupported config.json: exit 125, one clear line, nothing left" {
  echo '{"ociVersion": ' >"$BUNDLE/config.json"
  run oci create --bundle "$BUNDLE" c1
  [ "$status" -eq 125 ]
  [[ "$output" == *"not valid JSON"* ]]
  (cd "$BUNDLE" && rm config.json && "$OCI_BIN" spec)
  edit_config '.process.terminal = false | .linux.namespaces[1].path = "/proc/1/ns/net"'
  run oci create --bundle "$BUNDLE" c1
  [ "$status" -eq 125 ]
  [[ "$output" == *"linux.namespaces[1].path"* ]]
  edit_config 'del(.linux.namespaces[1].path) | .linux.cgroupsPath = "system.slice:vessel:c1"'
  run oci create --bundle "$BUNDLE" c1
  [ "$status" -eq 125 ]
  [[ "$output" == *"slice:prefix:name"* ]]
  # A command that does not exist fails at create, before anything runs.
  edit_config 'del(.linux.cgroupsPath) | .process.args = ["/nonexistent"]'
  run -127 oci create --bundle "$BUNDLE" c1
  [ "$status" -eq 127 ]
  [ -z "$(oci list -q)" ]
  [ -z "$(ls -A "$ROOT/.fifo")" ]
  run oci create --bundle "$BUNDLE" "bad/id"
  [ "$status" -eq 125 ]
  # An rlimit the kernel refuses (a nofile hard limit above fs.nr_open: EPERM even with
  # CAP_SYS_RESOURCE) fails create, as under runc, not the process after start, when nobody
  # would read why.
  # (Files, not `run`'s pipe: a created process would hold the pipe open, as it inherits stdio.)
  edit_config '.process.args = ["true"] | .process.rlimits = [{"type": "RLIMIT_NOFILE", "hard": 1073741824, "soft": 1024}]'
  local rc=0
  oci create --bundle "$BUNDLE" c1 >"$ROOT.out" 2>"$ROOT.err" </dev/null || rc=$?
  [ "$rc" -eq 125 ]
  grep -qi nofile "$ROOT.err"
  [ -z "$(oci list -q)" ]
  [ -z "$(ls -A "$ROOT/.fifo")" ]
}

@test "features, --log in JSON, and clear errors for what is not supported" {
  "$OCI_BIN" features | jq -e '.ociVersionMax == "1.1.0" and (.linux.namespaces | index("pid")) and (.mountOptions | index("tmpcopyup"))'
  run "$OCI_BIN" --log "$ROOT.log" --log-format json --root "$ROOT" state nope
  [ "$status" -eq 125 ]
  jq -e 'select(.level == "error") | .msg | test("does not exist")' "$ROOT.log"
  for verb in "update c1" "events c1" "checkpoint c1" "restore c1"; do
    run oci $verb
    [ "$status" -eq 125 ]
    [[ "$output" == *"not supported"* ]]
  done
  run "$OCI_BIN" --systemd-cgroup --root "$ROOT" create --bundle "$BUNDLE" c1
  [ "$status" -eq 125 ]
  [[ "$output" == *"--systemd-cgroup"* ]]
  # The same command line as `vessel oci VERB`.
  "$VESSEL_BIN" oci features | jq -e .ociVersionMin
}
