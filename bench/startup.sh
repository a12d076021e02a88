#!/usr/bin/env bash
# Startup latency of `vessel run --rm IMAGE /bin/true` against runc, crun and the
# unshare+chroot floor, side by side in one hyperfine run on the same busybox image.
#
#   bench/startup.sh [--quick] [--runs N] [--warmup N] [--no-chart]
#
# Prints median, min and max per contender and the ratios the targets are stated in (issue 6),
# writes hyperfine's raw JSON and a markdown table under bench/results/ (git-ignored) and, unless
# --quick or --no-chart, the chart docs/performance-startup.png. See docs/performance.md.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$bench_dir/lib/bundles.sh"

runs=100 warmup=10 chart=1 quick=0
args=("$@")
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 runs=10 warmup=2 chart=0 ;;
    --runs) runs=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --no-chart) chart=0 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done

bench_prepare "$0" "${args[@]}"
bench_traps
bench_workdir

make_bundle "$work/stock" stock /bin/true
make_bundle "$work/docker-like" docker-like /bin/true

# The contenders, as name and command. hyperfine runs them without a shell (-N), so nothing
# but the runtime itself is timed. runc and crun keep their state under $work, so a crash leaves
# nothing in /run/runc or /run/crun; the same container id is reused, run after run, as each
# `run` deletes its container when /bin/true exits.
names=("vessel" "crun (stock)" "crun (docker-like)" "runc (stock)" "runc (docker-like)" "floor")
commands=(
  "$VESSEL run --rm $IMAGE /bin/true"
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
hyperfine -N --style basic --warmup "$warmup" --runs "$runs" --export-json "$json" \
  "${hyperfine_args[@]}" >&2

# The table: one line per contender, in ms, then the ratios of vessel's median to the others'.
table=$results_dir/startup-$stamp.md
jq -r '.results[] | [.command, .median, .min, .max, .mean, .stddev] | @tsv' "$json" |
  awk -F'\t' -v machine="$(bench_machine)" -v runs="$runs" '
    { name[NR] = $1; med[NR] = $2 * 1000; min[NR] = $3 * 1000; max[NR] = $4 * 1000
      mean[NR] = $5 * 1000; sd[NR] = $6 * 1000; idx[$1] = NR }
    END {
      printf "| runtime | median ms | min ms | max ms | mean ± σ ms |\n"
      printf "| --- | ---: | ---: | ---: | ---: |\n"
      for (i = 1; i <= NR; i++)
        printf "| %s | %.2f | %.2f | %.2f | %.2f ± %.2f |\n", name[i], med[i], min[i], max[i], mean[i], sd[i]
      v = med[idx["vessel"]]
      printf "\n| ratio of medians | value | target |\n| --- | ---: | ---: |\n"
      printf "| vessel / crun (stock) | %.2f | ≤ 0.75 |\n", v / med[idx["crun (stock)"]]
      printf "| vessel / crun (docker-like) | %.2f | |\n", v / med[idx["crun (docker-like)"]]
      printf "| vessel / runc (stock) | %.2f | |\n", v / med[idx["runc (stock)"]]
      printf "| vessel / runc (docker-like) | %.2f | |\n", v / med[idx["runc (docker-like)"]]
      printf "| vessel / floor | %.2f | ≤ 2 |\n", v / med[idx["floor"]]
      printf "\n%d runs each; %s\n", runs, machine
    }' >"$table"
cp "$json" "$results_dir/startup-latest.json"
cp "$table" "$results_dir/startup-latest.md"
echo
cat "$table"

if [ "$chart" -eq 1 ]; then
  png=$repo_dir/docs/performance-startup.png
  "$bench_dir/lib/chart.sh" "$json" "$png" "vessel run /bin/true vs runc, crun and the floor ($runs runs each)"
  say "chart: $png"
fi
[ "$quick" -eq 1 ] && say "quick mode: few runs, numbers are indicative only"
say "raw results: $json"
