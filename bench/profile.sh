#!/usr/bin/env bash
# Where does `vessel run --rm IMAGE /bin/true` spend its time? The measurements behind the
# profile in docs/performance.md, so that anyone can redo them (e.g. after an optimization).
#
#   bench/profile.sh [--runs N] [SECTION...]
#
# Sections (default: all of them, in this order):
#   phases   median time of every step of the --explain trace over N runs
#   offcpu   where vessel's processes sleep (perf sched, kernel stacks), ms per run
#   oncpu    where they use the CPU (perf record -e cpu-clock): per library, top functions
#   ldso     the dynamic loader's own statistics (LD_DEBUG=statistics)
#   cli      CLI11 and spdlog set-up at process start (bench/probes/cli_init.cpp), cold
#   attach   joining v1 cgroups, three ways (bench/probes/cgroup_attach.c), cold
#   procs    the first cgroup.procs write of vessel, crun and runc, cold, via strace
#   ab       vessel's own knobs, interleaved run by run, back to back and with 0.2 s gaps:
#            state on a tmpfs vs /run/vessel; --network host vs none
#   seccomp  what Docker's profile costs: compiled by libseccomp vs loaded as ready BPF
#            (bench/probes/seccomp_build.c), and crun and runc with and without it
# Everything runs on the host's own cgroup layout, except `procs`, which needs crun (and so the
# private view of bench/lib/common.sh). Tracing needs tracefs: it is mounted in a private mount
# namespace of this script only. Output goes to stdout and bench/results/profile-*.txt.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$bench_dir/lib/bundles.sh"

runs=30
sections=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift ;;
    -h|--help) bench_usage "$0"; exit 0 ;;
    phases|offcpu|oncpu|ldso|cli|attach|procs|ab|seccomp) sections+=("$1") ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
  shift
done
[ ${#sections[@]} -gt 0 ] || sections=(phases offcpu oncpu ldso cli attach procs ab seccomp)

# The host's own layout: vessel is profiled as users run it. (The private view is entered
# only by the `procs` section, in a subshell of its own.)
export VESSEL_BENCH_VIEW=${VESSEL_BENCH_VIEW:-host}
[ "$(id -u)" -eq 0 ] || die "run as root"
source "$repo_dir/scripts/lib/apt.sh"
apt_install hyperfine runc crun jq time linux-perf strace gcc g++
[ -x "$VESSEL" ] && [ -d "$IMAGE" ] || die "run scripts/setup.sh first"
bench_traps
bench_workdir
out=$results_dir/profile-$(date +%Y%m%d-%H%M%S).txt
exec > >(tee "$out")
echo "# bench/profile.sh, $runs runs per measurement; $(bench_machine)"
echo "# $("$VESSEL" --version) at $(git -C "$repo_dir" rev-parse --short HEAD 2>/dev/null || echo '?')"

# run_traced CMD...: runs CMD in a private mount namespace where tracefs is mounted (perf needs
# it for tracepoints); the host's mounts stay as they are.
run_traced() {
  unshare --mount --propagation private -- bash -c \
    'mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing; exec "$@"' _ "$@"
}

section_phases() {
  echo; echo "## phases: the --explain trace, $runs runs"
  local i
  for i in $(seq 1 "$runs"); do
    echo "=== run $i"
    NO_COLOR=1 "$VESSEL" run --rm --network none --explain "$IMAGE" /bin/true 2>&1
  done >"$work/explain.txt"
  awk -f "$bench_dir/lib/phases.awk" "$work/explain.txt"
}

section_offcpu() {
  echo; echo "## offcpu: where vessel's processes sleep, $runs runs (0.1 s apart)"
  echo "# (the janitor's pipe read, the handshake's recvmsg and the parent's poll are waits for"
  echo "#  another of vessel's own processes; the rest are the kernel's reasons)"
  # A copy under its own name, so that other vessels running on this machine are not counted.
  cp "$VESSEL" "$work/vprof"
  run_traced perf record -q -a -g -o "$work/offcpu.data" \
    -e sched:sched_switch,sched:sched_wakeup,sched:sched_wakeup_new,sched:sched_waking \
    -- bash -c "for i in \$(seq 1 $runs); do $work/vprof run --rm --network none $IMAGE /bin/true; sleep 0.1; done" \
    >/dev/null 2>&1
  run_traced perf sched timehist -i "$work/offcpu.data" -g --state 2>/dev/null >"$work/timehist.txt"
  awk -v runs="$runs" -v re='^(vprof|true)\\[' -f "$bench_dir/lib/offcpu.awk" "$work/timehist.txt"
}

section_oncpu() {
  echo; echo "## oncpu: CPU samples of vessel's processes (cpu-clock, 20 kHz), $runs runs"
  cp "$VESSEL" "$work/vprof"
  perf record -q -F 20000 -e cpu-clock -g -o "$work/oncpu.data" \
    -- bash -c "for i in \$(seq 1 $runs); do $work/vprof run --rm --network none $IMAGE /bin/true; done" \
    >/dev/null 2>&1
  echo "# share of samples per process name and library (vprof = vessel, its janitor and the"
  echo "#  container's process before execve; true = the container's command)"
  perf report -i "$work/oncpu.data" --sort comm,dso --stdio --no-children -g none 2>/dev/null |
    grep -v '^#' | grep -v '^$' | sed -n '1,14p'
  echo "# top user-space functions of vessel's processes"
  perf report -i "$work/oncpu.data" --comms vprof --sort dso,sym --stdio --no-children -g none \
    2>/dev/null | grep -v '^#' | grep -v '^$' | grep -v 'kernel.kallsyms' | sed -n '1,15p' | cut -c1-150
  echo "# CPU time per run of the whole tree (perf stat, task-clock)"
  perf stat -r "$runs" -e task-clock,page-faults,context-switches \
    "$VESSEL" run --rm --network none "$IMAGE" /bin/true 2>&1 >/dev/null | grep -E 'task-clock|page-faults|context|elapsed'
}

section_ldso() {
  echo; echo "## ldso: the dynamic loader (one run; cycles at $(awk -F: '/MHz/ {printf "%.0f MHz", $2; exit}' /proc/cpuinfo))"
  LD_DEBUG=statistics "$VESSEL" run --rm --network none "$IMAGE" /bin/true 2>&1 | sed -n '1,12p'
  # From execve to the first system call of `run` itself (geteuid, in require_root): the
  # loader, C++ start-up, CLI11 and spdlog. strace --seccomp-bpf stops only at those two calls.
  local i
  for i in $(seq 1 "$runs"); do
    strace -f --seccomp-bpf -ttt -e trace=execve,geteuid -o "$work/pre.st" \
      "$VESSEL" run --rm --network none "$IMAGE" /bin/true >/dev/null 2>&1
    awk '/execve\(/ && !e { e = $2 } /geteuid/ && !g { g = $2 } END { printf "%.3f\n", (g - e) * 1000 }' "$work/pre.st"
  done | sort -n | awk '{ v[NR] = $1 } END {
    printf "# execve to the first syscall of run: median %.2f ms, min %.2f (%d runs)\n", v[int((NR + 1) / 2)], v[1], NR }'
  echo "# shared libraries: $(ldd "$VESSEL" 2>/dev/null | grep -c '=>' || true)"
  ldd "$VESSEL" 2>/dev/null | awk '{print "#   " $1}' || true
}

section_cli() {
  echo; echo "## cli: CLI11 and spdlog set-up in a fresh process (µs), $runs runs"
  local lib=$repo_dir/build/libvessel_lib.a
  [ -f "$lib" ] || { echo "# no $lib: build vessel first"; return; }
  # The same compile definitions as vessel's own objects (spdlog and fmt as shared libraries).
  g++ -O2 -std=c++20 -I"$repo_dir/include" -DSPDLOG_COMPILED_LIB -DSPDLOG_SHARED_LIB \
    -DSPDLOG_FMT_EXTERNAL -DFMT_SHARED "$bench_dir/probes/cli_init.cpp" "$lib" \
    -lspdlog -lfmt -lseccomp -lcap -o "$work/cli_init"
  local i
  for i in $(seq 1 "$runs"); do "$work/cli_init"; done >"$work/cli.txt"
  for i in 1 2 3; do
    cut -d' ' -f"$i" "$work/cli.txt" | sort -n | awk -v what="$(echo "CLI11-app parse log::setup" | cut -d' ' -f"$i")" '
      { v[NR] = $1 } END { printf "%-10s median %6.1f µs  min %6.1f  max %6.1f\n", what, v[int((NR + 1) / 2)], v[1], v[NR] }'
  done
}

section_attach() {
  echo; echo "## attach: joining the v1 hierarchies vessel joins, cold (0.2 s quiet before each)"
  if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
    echo "# pure cgroup v2 host: vessel uses clone3(CLONE_INTO_CGROUP), nothing to measure"
    return
  fi
  gcc -O2 -o "$work/cgroup_attach" "$bench_dir/probes/cgroup_attach.c"
  local controllers=() c
  for c in cpu cpuacct cpuset memory devices freezer blkio pids; do
    [ -e "/sys/fs/cgroup/$c/cgroup.procs" ] && controllers+=("$c")
  done
  "$work/cgroup_attach" "$(( runs < 10 ? 10 : runs ))" 200 "${controllers[@]}"
}

section_procs() {
  echo; echo "## procs: the first cgroup.procs write of each runtime (strace -T), 0.3 s apart"
  make_bundle "$work/stock" stock /bin/true
  # crun needs the private view (bench/lib/common.sh); so does everyone here, for fairness.
  unshare --mount --propagation private -- bash -c '
    mount -t tmpfs -o size=4m vessel-bench-hide-unified /sys/fs/cgroup/unified 2>/dev/null
    work=$1 runs=$2 vessel=$3 image=$4 prefix=$5
    first_write() {  # the duration of the first write to a cgroup.procs outside unified/, in ms
      strace -f -T -y -e trace=write -o "$work/procs.st" "$@" >/dev/null 2>&1
      awk "/cgroup.procs/ && !/unified/ && !f { f = 1; pid = \$1
             if (match(\$0, /<[0-9.]+>\$/)) { print substr(\$0, RSTART + 1, RLENGTH - 2) * 1000; exit }
             next }
           f && \$1 == pid && /write resumed/ {
             match(\$0, /<[0-9.]+>\$/); print substr(\$0, RSTART + 1, RLENGTH - 2) * 1000; exit }" "$work/procs.st"
    }
    for rt in vessel crun runc; do
      for i in $(seq 1 "$runs"); do
        sleep 0.3
        case $rt in
          vessel) first_write "$vessel" run --rm --network none "$image" /bin/true ;;
          *) first_write "$rt" --root "$work/$rt" run --bundle "$work/stock" "$prefix-procs-$rt" ;;
        esac
      done | sort -n | awk -v rt="$rt" "{ v[NR] = \$1 } END {
        printf \"%-7s median %6.2f ms  min %6.2f  max %6.2f  (%d runs)\n\", rt, v[int((NR + 1) / 2)], v[1], v[NR], NR }"
    done' _ "$work" "$(( runs < 10 ? 10 : runs ))" "$VESSEL" "$IMAGE" "$prefix"
}

section_ab() {
  echo; echo "## ab: vessel's own knobs, interleaved run by run (bench/probes/interleave.c)"
  gcc -O2 -o "$work/interleave" "$bench_dir/probes/interleave.c"
  unshare --mount --propagation private -- bash -c '
    work=$1 runs=$2 vessel=$3 image=$4
    mkdir -p "$work/tmpfs-root" && mount -t tmpfs -o mode=711 vessel-bench-state "$work/tmpfs-root"
    for gap in 0 200; do
      echo "# $runs rounds, ${gap} ms of quiet before each run"
      "$work/interleave" "$runs" "$gap" \
        "default" "$vessel run --rm --network none $image /bin/true" \
        "state on a tmpfs (--root)" "$vessel --root $work/tmpfs-root run --rm --network none $image /bin/true" \
        "no network namespace" "$vessel run --rm --network host $image /bin/true"
    done
    umount "$work/tmpfs-root"' _ "$work" "$runs" "$VESSEL" "$IMAGE"
}

section_seccomp() {
  echo; echo "## seccomp: Docker's profile, compiled with libseccomp vs loaded as BPF, $runs attempts"
  gcc -O2 -o "$work/seccomp_build" "$bench_dir/probes/seccomp_build.c" -lseccomp
  # The OCI profile flattened to one rule per line: NAME ACTION ERRNO NARGS [IDX OP V V2]...
  jq -r '.syscalls[] | . as $s | .names[] |
    "\(.) \(if $s.action == "SCMP_ACT_ALLOW" then "allow" else "errno" end) \($s.errnoRet // 1)" +
    " \(($s.args // []) | length) \(($s.args // []) | map("\(.index) \(.op | sub("SCMP_CMP_"; "") |
    ascii_downcase) \(.value) \(.valueTwo // 0)") | join(" "))"' "$seccomp_profile" >"$work/rules.txt"
  "$work/seccomp_build" "$runs" <"$work/rules.txt"
  "$work/seccomp_build" "$runs" native <"$work/rules.txt"
  echo; echo "## seccomp: Docker's profile in crun and runc, 3 interleaved rounds of $runs runs"
  make_bundle "$work/with" docker-like /bin/true
  make_bundle "$work/without" docker-like /bin/true
  jq 'del(.linux.seccomp)' "$work/without/config.json" >"$work/without/c" && mv "$work/without/c" "$work/without/config.json"
  unshare --mount --propagation private -- bash -c '
    mount -t tmpfs -o size=4m vessel-bench-hide-unified /sys/fs/cgroup/unified 2>/dev/null
    work=$1 runs=$2 prefix=$3
    for round in 1 2 3; do
      hyperfine -N --style none --warmup 3 --runs "$runs" --export-json "$work/sc-$round.json" \
        -n "crun docker-like" "crun --root $work/crun run --bundle $work/with $prefix-sc-c" \
        -n "crun docker-like without seccomp" "crun --root $work/crun run --bundle $work/without $prefix-sc-c" \
        -n "runc docker-like" "runc --root $work/runc run --bundle $work/with $prefix-sc-r" \
        -n "runc docker-like without seccomp" "runc --root $work/runc run --bundle $work/without $prefix-sc-r" >/dev/null
    done
    jq -s -r "[.[].results[]] | group_by(.command)[] | (map(.times[]) | sort) as \$t |
      \"\(.[0].command)\t median \(\$t[(\$t | length) / 2 | floor] * 100000 | round / 100) ms\" +
      \"\t user+sys \(map(.user + .system) | add / length * 100000 | round / 100) ms\"" \
      "$work"/sc-*.json | column -t -s "$(printf "\t")"' _ "$work" "$runs" "$prefix"
}

for s in "${sections[@]}"; do "section_$s"; done
echo; echo "# written to $out"
