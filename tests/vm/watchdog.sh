# Sourced by limits.sh and security.sh inside the VM (busybox sh).
# run_guarded FUNCTION: runs the test function in a subshell with `set -e`, its output in
# /tmp/out. A test that hangs is killed after VM_TEST_SECONDS (60) and fails with the list of
# processes that were running, instead of stalling the whole VM until run.sh gives up on it.
run_guarded() {
  (set -e; "$1") >/tmp/out 2>&1 &
  test_pid=$!
  (
    sleep "${VM_TEST_SECONDS:-60}"
    if kill -0 "$test_pid" 2>/dev/null; then
      echo "timed out after ${VM_TEST_SECONDS:-60} s; the processes then:" >>/tmp/out
      ps -o pid,ppid,stat,args >>/tmp/out 2>&1 || ps >>/tmp/out
      kill -KILL "$test_pid"
    fi
  ) &
  dog=$!
  wait "$test_pid"
  status=$?
  kill "$dog" 2>/dev/null
  return $status
}
