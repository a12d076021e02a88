# What limits.sh and security.sh share inside the VM (busybox sh): they source it.

# refute COMMAND...: fails when COMMAND succeeds. `! command` cannot do it: `set -e` ignores a
# negated command, so such a check could never fail a test.
refute() {
  if "$@"; then
    echo "should have failed: $*"
    return 1
  fi
}

# run_guarded FUNCTION: runs the test function in a subshell with `set -e`, its output in
# /tmp/out. A test that hangs is killed, with everything it started, after VM_TEST_SECONDS (60)
# and fails with the list of processes that were running, instead of stalling the whole VM until
# run.sh gives up on it.

# kill_tree PID: PID and all its descendants, children first found, so none is reparented away.
kill_tree() {
  local child
  for child in $(ps -o pid,ppid | awk -v p="$1" '$2 == p { print $1 }'); do kill_tree "$child"; done
  kill -KILL "$1" 2>/dev/null
}

run_guarded() {
  (set -e; "$1") >/tmp/out 2>&1 &
  test_pid=$!
  (
    sleep "${VM_TEST_SECONDS:-60}"
    if kill -0 "$test_pid" 2>/dev/null; then
      echo "timed out after ${VM_TEST_SECONDS:-60} s; the processes then:" >>/tmp/out
      ps -o pid,ppid,stat,args >>/tmp/out 2>&1 || ps >>/tmp/out
      kill_tree "$test_pid"
    fi
  ) &
  dog=$!
  wait "$test_pid"
  status=$?
  # The test ended in time: the watchdog goes, its sleep with it.
  kill_tree "$dog"
  wait "$dog" 2>/dev/null
  return $status
}
