#!/usr/bin/env bash
# Startup latency of `vessel run --rm IMAGE /bin/true` against runc, crun and the
# unshare+chroot floor, side by side in one hyperfine run on the same busybox image.
#
#   bench/startup.sh [--quick] [--cold] [--runs N] [--warmup N] [--no-chart]
#
# --cold waits 0.2 s before each timed run (hyperfine --prepare, not timed), as a single
# `vessel run` typed at a prompt would: back-to-back runs hide part of the cost of joining v1
# cgroups (docs/cgroups.md, "Why the child moves itself"). --quick: 10 runs, no chart.
#
# Prints median, min and max per contender and the ratios the targets are stated in (issue 6),
# writes hyperfine's raw JSON and a markdown table under bench/results/ (git-ignored) and, unless
# --quick or --no-chart, the chart docs/performance-startup.png. See docs/performance.md.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$bench_dir/lib/bundles.sh"
source "$bench_dir/lib/report.sh"

runs=100 warmup=10 chart=1 quick=0 cold=()
args=("$@")
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 runs=10 warmup=2 chart=0 ;;
    --runs) runs=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --no-chart) chart=0 ;;
    --cold) cold=(--prepare "sleep 0.2") ;;
    -h|--help) bench_usage "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done

bench_start "$0" "${args[@]}"

make_bundle "$work/stock" stock /bin/true
make_bundle "$work/docker-like" docker-like /bin/true

# The contenders, as name and command. hyperfine runs them without a shell (-N), so nothing
# but the runtime itself is timed. runc and crun keep their state under $work, so a crash leaves
# nothing in /run/runc or /run/crun; the same container id is reused, run after run, as each
# `run` deletes its container when /bin/true exits.
names=("vessel" "crun (stock)" "crun (docker-like)" "runc (stock)" "runc (docker-like)" "floor")
commands=(
  "$VESSEL --root $work/vessel run --rm --network none $IMAGE /bin/true"
  "crun --root $work/crun run --bundle $work/stock $prefix-crun-stock"
  "crun --root $work/crun run --bundle $work/docker-like $prefix-crun-docker"
  "runc --root $work/runc run --bundle $work/stock $prefix-runc-stock"
  "runc --root $work/runc run --bundle $work/docker-like $prefix-runc-docker"
  # The floor: the same namespaces and a chroot, no cgroup, no overlay, no security setup.
  "unshare --fork --pid --mount --uts --ipc --net --mount-proc=$IMAGE/proc chroot $IMAGE /bin/true"
)
hyperfine_args=()
for i in "${!names[@]}"; do hyperfine_args+=(-n "${names[$i]}" "${commands[$i]}"); done

stamp=$(date +%Y%m%d-%H%M%S)
json=$results_dir/startup-$stamp.json
say "$(bench_machine)"
say "timing ${#names[@]} contenders, $warmup warm-up runs and $runs runs each"
hyperfine -N --style basic --warmup "$warmup" --runs "$runs" "${cold[@]}" --export-json "$json" \
  "${hyperfine_args[@]}" >&2

# The table, and the ratios of vessel's median to the others' (targets from issue 6).
table=$results_dir/startup-$stamp.md
report "$json" "$table" "$runs" \
  "vessel|crun (stock)|≤ 0.75" "vessel|crun (docker-like)|" "vessel|runc (stock)|" \
  "vessel|runc (docker-like)|" "vessel|floor|≤ 2"
cp "$json" "$results_dir/startup-latest.json"
cp "$table" "$results_dir/startup-latest.md"

if [ "$chart" -eq 1 ]; then
  png=$repo_dir/docs/performance-startup.png
  [ ${#cold[@]} -eq 0 ] || png=$results_dir/startup-cold-$stamp.png
  "$bench_dir/lib/chart.sh" "$json" "$png" \
    "run /bin/true: vessel vs crun, runc and the floor, $runs runs each${cold:+ (cold)}, $(date '+%F %H:%M'), load $(cut -d' ' -f1 /proc/loadavg)"
  say "chart: $png"
fi
if [ "$quick" -eq 1 ]; then say "quick mode: few runs, numbers are indicative only"; fi
say "raw results: $json"
