#!/usr/bin/env bash
# Latency of running /bin/true in an already running container: `vessel exec` against
# `runc exec` and `crun exec`, and the floor `nsenter --all` (join the namespaces, no runtime).
#
#   bench/exec.sh [--quick] [--runs N] [--warmup N]
#
# Each runtime gets one detached `sleep 1000` container, with the docker-like configuration for
# runc and crun (seccomp, capabilities, masked paths: exec must apply them again). vessel takes
# part once it has `run -d` and `exec` (issue 3); until then it is skipped, with a message.
# Writes hyperfine's JSON and a markdown table under bench/results/.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$bench_dir/lib/bundles.sh"
source "$bench_dir/lib/report.sh"

runs=100 warmup=10
args=("$@")
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) runs=10 warmup=2 ;;
    --runs) runs=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    -h|--help) bench_usage "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done

bench_start "$0" "${args[@]}"
make_bundle "$work/sleep" docker-like sleep 1000

# Detached containers: the runtime returns once the container runs; its stdio goes nowhere.
names=() commands=()
if vessel_has_lifecycle; then
  "$VESSEL" --root "$work/vessel" run -d --network none --name "$prefix-exec" "$IMAGE" sleep 1000 >/dev/null
  names+=("vessel")
  commands+=("$VESSEL --root $work/vessel exec $prefix-exec /bin/true")
else
  say "vessel has no 'run -d' and 'exec' yet (issue 3): skipping vessel, measuring the others"
fi
for rt in crun runc; do
  "$rt" --root "$work/$rt" run -d --bundle "$work/sleep" "$prefix-exec-$rt" \
    </dev/null >/dev/null 2>&1 || die "$rt cannot start a detached container"
  names+=("$rt")
  commands+=("$rt --root $work/$rt exec $prefix-exec-$rt /bin/true")
done
# The floor: enter every namespace of the runc container (nsenter forks for the pid namespace)
# and its root; no cgroup, no capabilities, no seccomp.
pid=$(runc --root "$work/runc" state "$prefix-exec-runc" | jq -r .pid)
names+=("floor")
commands+=("nsenter --target $pid --all --root --wd /bin/true")

hyperfine_args=()
for i in "${!names[@]}"; do hyperfine_args+=(-n "${names[$i]}" "${commands[$i]}"); done
stamp=$(date +%Y%m%d-%H%M%S)
json=$results_dir/exec-$stamp.json
say "$(bench_machine)"
hyperfine -N --style basic --warmup "$warmup" --runs "$runs" --export-json "$json" \
  "${hyperfine_args[@]}" >&2
report "$json" "$results_dir/exec-$stamp.md" "$runs" \
  "vessel|crun|≤ 1" "vessel|runc|" "vessel|floor|" "crun|floor|" "runc|floor|"
cp "$json" "$results_dir/exec-latest.json"
cp "$results_dir/exec-$stamp.md" "$results_dir/exec-latest.md"
say "raw results: $json"
