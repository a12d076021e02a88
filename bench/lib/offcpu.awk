# Off-CPU profile from `perf sched timehist -g --state` (system-wide): for the tasks whose name
# matches `re`, the time they slept, grouped by the kernel stack where they went to sleep, per
# run; plus the time they were runnable but waited for a CPU (contention from other work).
# timehist prints, per switch, the wait BEFORE this run and the stack at the END of it, so a
# sleep is charged to the stack printed on the task's previous line.
# Usage: awk -v re='^(vessel|true)\\[' -v runs=N -f offcpu.awk timehist.txt   (mawk-compatible)
function site(stack,   n, f, i, out, k) {
  n = split(stack, f, / <- /)
  out = ""; k = 0
  for (i = 1; i <= n && k < 4; i++) {
    if (k == 0 && f[i] ~ /^(schedule|__schedule|schedule_timeout|schedule_hrtimeout|schedule_hrtimeout_range_clock|io_schedule|io_schedule_timeout|wait_for_completion|wait_for_completion_io_timeout|wait_for_completion_state|__wait_for_common|bit_wait_io|__wait_on_bit|out_of_line_wait_on_bit|folio_wait_bit|folio_wait_bit_common|schedule_preempt_disabled|poll_schedule_timeout.constprop.0)$/) continue
    out = out (k ? " < " : "") f[i]; k++
  }
  return out
}
$1 ~ /^[0-9]+\.[0-9]+$/ && $3 ~ re {
  task = $3; wait = $4; sch = $5; state = $7
  stack = ""
  if (match($0, /[A-Za-z_][A-Za-z0-9_.]* <- .*/)) stack = substr($0, RSTART)
  if ((task in last) && wait > 0) { slept[last[task]] += wait; count[last[task]]++ }
  runq += sch
  last[task] = (state == "R") ? "(preempted)" : site(stack)
}
END {
  printf "%10s %7s  %s\n", "ms/run", "sleeps", "where the tasks slept (kernel stack, innermost first)"
  for (k in slept) printf "%10.3f %7d  %s\n", slept[k] / runs, count[k], k | "sort -rn | head -" (top ? top : 25)
  close("sort -rn | head -" (top ? top : 25))
  printf "%10.3f %7s  runnable, waiting for a CPU (run-queue delay)\n", runq / runs, ""
}
