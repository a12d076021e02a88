#!/usr/bin/env bash
# What the network costs at start: `vessel run --rm IMAGE /bin/true` on --network none, on the
# default bridge, and on the bridge with a published port, side by side in one hyperfine run.
#
#   bench/network.sh [--runs N] [--warmup N]
#
# Targets (issue 10): the bridge at most 3 ms more than none (medians of the same run), a
# published port at most 5 ms more. Everything runs in a network namespace this script makes
# (lo up), which plays the host: vessel's bridge, veth pairs and nftables table live and die
# there, never in the machine's own network. See docs/performance.md.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$bench_dir/lib/report.sh"

runs=50 warmup=5
args=("$@")
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    -h|--help) bench_usage "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done

if [ -z "${VESSEL_BENCH_NETNS:-}" ]; then
  exec env VESSEL_BENCH_NETNS=1 unshare --net -- bash -c 'ip link set lo up && exec "$0" "$@"' \
    "$(realpath "$0")" "${args[@]}"
fi
bench_start "$0" "${args[@]}"
export VESSEL_DATA_ROOT=$work/data

v="$VESSEL --root $work/vessel"
names=("none" "bridge" "bridge -p")
commands=(
  "$v run --rm --network none $IMAGE /bin/true"
  "$v run --rm $IMAGE /bin/true"
  "$v run --rm -p 127.0.0.1:8080:80 $IMAGE /bin/true"
)
# The bridge and vessel's table exist after the first start, as on any host that ran one.
$v run --rm -p 127.0.0.1:8080:80 "$IMAGE" /bin/true
hyperfine_args=()
for i in "${!names[@]}"; do hyperfine_args+=(-n "${names[$i]}" "${commands[$i]}"); done
json=$results_dir/network-$(date +%Y%m%d-%H%M%S).json
say "$(bench_machine)"
hyperfine -N --style basic --warmup "$warmup" --runs "$runs" --export-json "$json" \
  "${hyperfine_args[@]}" >&2
report "$json" "${json%.json}.md" "$runs" "bridge|none|" "bridge -p|none|"
jq -r '(.results | map({(.command): .median}) | add) as $m |
  "bridge - none: \(($m["bridge"] - $m["none"]) * 1000 * 100 | round / 100) ms (target <= 3)",
  "bridge -p - none: \(($m["bridge -p"] - $m["none"]) * 1000 * 100 | round / 100) ms (target <= 5)"' "$json"
ip link del vessel0 2>/dev/null || true
