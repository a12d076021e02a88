# Shared set-up for vessel's integration tests (bats). Every test runs real containers as root,
# in a state root of its own, and its teardown proves that nothing was left behind.

VESSEL_BIN=${VESSEL_BIN:-$BATS_TEST_DIRNAME/../../build/vessel}
IMAGE=${IMAGE:-$BATS_TEST_DIRNAME/../../rootfs/busybox}

# A file that needs more set-up defines its own setup() and calls this first.
setup() { vessel_setup; }

vessel_setup() {
  [ "$(id -u)" = 0 ] || skip "integration tests run as root"
  [ -x "$VESSEL_BIN" ] || skip "build/vessel is missing: run scripts/test.sh"
  [ -d "$IMAGE" ] || skip "rootfs/busybox is missing: run scripts/mkrootfs.sh"
  ROOT=$(mktemp -d /tmp/vessel-bats.XXXXXX)
  export ROOT
  # Images, volumes and networks of the test's own (vessel reads VESSEL_DATA_ROOT when no
  # --data-root is given), never the machine's /var/lib/vessel; removed with $ROOT.*.
  export VESSEL_DATA_ROOT=$ROOT.data
  # vessel cgroups that exist before the test (other people's containers, in state roots this
  # file cannot know of) are not this test's leftovers.
  CGROUPS_BEFORE=$(vessel_cgroups)
}

vessel_cgroups() { ls -d /sys/fs/cgroup/*/vessel-*/ /sys/fs/cgroup/vessel-*/ 2>/dev/null || true; }

# A file that needs more tear-down defines its own teardown() and calls this last.
teardown() { vessel_teardown; }

vessel_teardown() {
  [ -n "${ROOT:-}" ] || return 0
  cleanup_root "$ROOT"
  reset_test_netns
  local leftovers
  leftovers=$(find_leftovers "$ROOT")
  # Also the files some tests keep beside the state root ($ROOT.out, $ROOT.err), had they
  # failed before removing them.
  rm -rf "$ROOT" "$ROOT".*
  if [ -n "$leftovers" ]; then
    echo "left behind by this test:" >&2
    echo "$leftovers" >&2
    return 1
  fi
}

# ctest runs each file in a network namespace of its own (tests/run_in_netns.sh), which plays the
# host. Each test has a data root of its own, so the next one would choose its default network
# anew: the bridges and the nftables table the test's containers made are removed with it, as
# a fresh host would have none. Never in the machine's own namespace.
reset_test_netns() {
  [ "$(readlink /proc/self/ns/net)" != "$(readlink /proc/1/ns/net)" ] || return 0
  local br
  for br in $(ip -o link show type bridge 2>/dev/null | awk -F': ' '{print $2}'); do
    case $br in vessel0|vbr-*) ip link del "$br" 2>/dev/null || true ;; esac
  done
  nft delete table ip vessel 2>/dev/null || true
}

# skopeo as root keeps a blob-info cache in /var/lib/containers/cache, the machine's default
# service root: it runs here with a private, empty /var/lib instead (a tmpfs in a mount namespace
# of its own), so the tests leave nothing there.
skopeo() {
  unshare --mount --propagation private -- sh -c \
    'mount -t tmpfs vessel-test-varlib /var/lib && exec skopeo "$@"' skopeo "$@"
}

# Fails the test when grep finds its pattern (grep's arguments and stdin). Written as a function
# because `! grep ...` can never fail a bats test: bash's errexit ignores negated commands.
refute_grep() {
  if grep "$@"; then
    echo "found, and should not be: grep $*" >&2
    return 1
  fi
}

# vessel with this test's state root.
vessel() { "$VESSEL_BIN" --root "$ROOT" "$@"; }

# Kills and removes whatever a failed test left in its state root, so the next one starts clean.
cleanup_root() {
  local root=$1 dir
  for dir in "$root"/*/; do
    [ -f "$dir/state.json" ] || continue
    local state pid
    state=$(cat "$dir/state.json")
    # A container that is still running is stopped the hard way.
    if "$VESSEL_BIN" --root "$root" rm -f "$(basename "$dir")" >/dev/null 2>&1; then continue; fi
    pid=$(jq -r '.pid // 0' <<<"$state")
    [ "$pid" -gt 0 ] && kill -9 "$pid" 2>/dev/null
    for cg in $(jq -r '.cgroup.paths // [] | .[]' <<<"$state"); do
      for _ in $(seq 50); do rmdir "$cg" 2>/dev/null && break; [ -d "$cg" ] || break; sleep 0.1; done
    done
    rm -rf "$dir"
  done
}

# Whether some state dir (of any test run, or /run/vessel) claims the cgroup dir $1.
cgroup_claimed() {
  local id
  id=$(basename "$1")
  id=${id#vessel-}
  compgen -G "/tmp/vessel-*/$id" >/dev/null || [ -d "/run/vessel/$id" ]
}

# Prints what vessel left on this machine: container dirs in the state root, cgroup dirs whose
# container has no state anywhere, and mounts that mention vessel. Empty when all is clean.
find_leftovers() {
  local root=$1 d id
  for d in "$root"/*/; do
    [ -d "$d" ] && echo "state dir: $d"
  done
  # A cgroup is a leftover when no state dir anywhere claims it. Other engineers' tests run on
  # this machine at the same time, and their cgroups may exist for a moment without a state dir
  # of ours: only one that is still unclaimed a second later counts.
  local unclaimed=()
  for d in /sys/fs/cgroup/*/vessel-*/ /sys/fs/cgroup/vessel-*/; do
    grep -qxF -- "$d" <<<"${CGROUPS_BEFORE:-}" && continue
    if [ -d "$d" ] && ! cgroup_claimed "$d"; then unclaimed+=("$d"); fi
  done
  if [ ${#unclaimed[@]} -gt 0 ]; then
    sleep 1
    for d in "${unclaimed[@]}"; do
      if [ -d "$d" ] && ! cgroup_claimed "$d"; then echo "cgroup: $d"; fi
    done
  fi
  grep -E "vessel" /proc/self/mountinfo | awk '{print "mount: " $5}'
  # Veth pairs, in the namespace that plays the host: they go with their containers' network
  # namespaces, deleted by the kernel a moment after the container ends.
  if [ "$(readlink /proc/self/ns/net)" != "$(readlink /proc/1/ns/net)" ]; then
    for _ in $(seq 40); do [ -z "$(ip -o link show type veth)" ] && break; sleep 0.05; done
    ip -o link show type veth | awk -F': ' '{print "veth: " $2}'
  fi
  # Address leases of containers that are gone (docs/network.md).
  for d in "$root"/.networks/*/leases/*; do
    [ -e "$d" ] && echo "lease: $d"
  done
  # Processes that still hold a file under this test's root: a monitor that never exited.
  find /proc/[0-9]*/fd /proc/[0-9]*/cwd -maxdepth 1 -lname "$root/*" 2>/dev/null |
    cut -d/ -f3 | sort -u | while read -r p; do echo "process: $p $(cat /proc/$p/comm 2>/dev/null)"; done
}

# The id of the only container in this test's root (waits up to 5 s for it to appear).
only_container_id() {
  local d
  for _ in $(seq 100); do
    for d in "$ROOT"/*/; do
      [ -f "$d/state.json" ] && { basename "$d"; return 0; }
    done
    sleep 0.05
  done
  return 1
}

# A field of a container's state.json (jq path), e.g. state_of ID .pid
state_of() { jq -r "$2" "$ROOT/$1/state.json"; }

# Waits until a container's state says it is running (its command has been exec'd).
wait_running() {
  local id=$1
  for _ in $(seq 100); do
    [ "$(state_of "$id" .status 2>/dev/null)" = running ] && return 0
    sleep 0.05
  done
  echo "container $id did not start" >&2
  return 1
}

# Waits for a process to go away.
wait_gone() {
  local pid=$1
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.05
  done
  return 1
}

# The status `vessel inspect` reports (created, running, exiting, exited, dead).
status_of() { vessel inspect -f '{{.State.Status}}' "$1"; }

# Waits up to 5 s until a container's status is $2.
wait_status() {
  local id=$1 want=$2 now
  for _ in $(seq 100); do
    now=$(status_of "$id" 2>/dev/null)
    [ "$now" = "$want" ] && return 0
    sleep 0.05
  done
  echo "container $id is $now, not $want" >&2
  return 1
}

# Waits up to 5 s until a container's log contains $2.
wait_log() {
  for _ in $(seq 100); do
    vessel logs "$1" 2>&1 | grep -q -- "$2" && return 0
    sleep 0.05
  done
  echo "container $1 never logged '$2'; its log:" >&2
  vessel logs "$1" >&2
  return 1
}

# Whether a process is gone, or a zombie waiting for its reaper (which, for a container whose
# monitor died, is the host's init, on its own schedule).
gone_or_zombie() {
  [ ! -e "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ] ||
    [ ! -e "/proc/$1/stat" ]
}

# on_resized_pty ROWS COLS COMMAND...: runs COMMAND on a pseudo-terminal of its own, 24x80 at
# first (bats gives tests no terminal, and `script` cannot change its window's size). Once
# COMMAND has printed "ready", the window becomes ROWS x COLS: the kernel sends SIGWINCH to
# COMMAND, as a terminal emulator's resize does. Prints all COMMAND wrote and exits with its
# status, or 124 when it runs past 20 s (it is then killed).
on_resized_pty() {
  python3 -c '
import fcntl, os, pty, select, signal, struct, sys, termios, time
rows, cols, argv = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
def winsize(fd, r, c):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", r, c, 0, 0))
pid, master = pty.fork()
if pid == 0:
    winsize(0, 24, 80)
    os.execvp(argv[0], argv)
out, resized, deadline = b"", False, time.monotonic() + 20
while time.monotonic() < deadline:
    if select.select([master], [], [], 0.1)[0]:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: every process on the terminal has closed it
            data = b""
        if not data:
            break
        out += data
    if not resized and b"ready" in out:
        winsize(master, rows, cols)
        resized = True
timed_out = time.monotonic() >= deadline
if timed_out:
    os.kill(pid, signal.SIGKILL)
status = os.waitpid(pid, 0)[1]
sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
sys.exit(124 if timed_out else os.waitstatus_to_exitcode(status) % 256)
' "$@"
}

# A command for on_resized_pty: says "ready" (again and again, for an attach that comes later),
# prints the size of its terminal whenever it changes, and exits 7 once that is 33 x 111.
RESIZE_WATCHER='trap '\''s=$(stty size); echo "size $s"; [ "$s" = "33 111" ] && exit 7'\'' WINCH; while :; do echo ready; sleep 0.3; done'
