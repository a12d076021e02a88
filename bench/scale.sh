#!/usr/bin/env bash
# 100 containers: start N detached `sleep` containers, time listing them (`vessel ps`,
# `runc list`, `crun list`) with all N present, then stop and remove them all.
#
#   bench/scale.sh [--quick] [--count N] [--runs N]
#
# For each runtime: the time to start N (one after the other, as a script would), the list
# command's median over --runs runs (target for `vessel ps`: under 10 ms with 100 containers),
# the time to remove N, and the runtime processes that stay alive per container (vessel keeps a
# monitor per detached container; runc and crun keep nothing) with their total RSS and PSS.
# vessel takes part once it has `run -d`, `ps` and `rm` (issue 3); until then it is skipped.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$bench_dir/lib/bundles.sh"
source "$bench_dir/lib/report.sh"

count=100 runs=50
args=("$@")
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) count=10 runs=10 ;;
    --count) count=$2; shift ;;
    --runs) runs=$2; shift ;;
    -h|--help) bench_usage "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done

bench_start "$0" "${args[@]}"
# A sleep with an unusual argument, so that our containers' processes are told from others'.
sleep_arg=3141592
make_bundle "$work/sleep" docker-like sleep "$sleep_arg"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# Per runtime: the commands that start container $1, list all, and remove container $1.
start_cmd() {
  case "$1" in
    vessel) echo "$VESSEL --root $work/vessel run -d --network none --name $prefix-$2 $IMAGE sleep $sleep_arg" ;;
    *) echo "$1 --root $work/$1 run -d --bundle $work/sleep $prefix-$2" ;;
  esac
}
list_cmd() {
  case "$1" in
    vessel) echo "$VESSEL --root $work/vessel ps" ;;
    *) echo "$1 --root $work/$1 list" ;;
  esac
}
list_name() { if [ "$1" = vessel ]; then echo "vessel ps"; else echo "$1 list"; fi; }
remove_cmd() {
  case "$1" in
    vessel) echo "$VESSEL --root $work/vessel rm -f $prefix-$2" ;;
    *) echo "$1 --root $work/$1 delete -f $prefix-$2" ;;
  esac
}

# The runtime processes that outlive `run -d` (vessel's monitors): the parents of our sleeps
# that are a runtime. Prints "COUNT RSS_KIB PSS_KIB": RSS counts shared library pages once per
# process, PSS shares them out, so PSS is what N more containers really cost.
resident_runtime() {
  local pids pid n=0 rss=0 pss=0 r p
  pids=$(pgrep -f "^sleep $sleep_arg\$" || true)
  for pid in $(ps -o ppid= -p "$(echo $pids | tr ' ' ,)" 2>/dev/null | sort -u); do
    case "$(cat "/proc/$pid/comm" 2>/dev/null)" in vessel*|runc*|crun*|conmon*) ;; *) continue ;; esac
    r=$(awk '/^Rss:/ { print $2 }' "/proc/$pid/smaps_rollup")
    p=$(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup")
    n=$((n + 1)) rss=$((rss + r)) pss=$((pss + p))
  done
  echo "$n $rss $pss"
}

runtimes=(crun runc)
if vessel_has_lifecycle; then
  runtimes=(vessel crun runc)
else
  say "vessel has no 'run -d', 'ps' and 'rm' yet (issue 3): skipping vessel, measuring the others"
fi

stamp=$(date +%Y%m%d-%H%M%S)
summary=$results_dir/scale-$stamp.md
list_json=$results_dir/scale-list-$stamp.json
say "$(bench_machine)"
rows=()
hyperfine_args=()
for rt in "${runtimes[@]}"; do
  say "$rt: starting $count containers"
  t0=$(now_ms)
  for i in $(seq 1 "$count"); do
    $(start_cmd "$rt" "$rt-$i") </dev/null >/dev/null 2>"$work/start.err" ||
      die "$rt: container $i did not start: $(cat "$work/start.err")"
  done
  t1=$(now_ms)
  read -r resident rss pss <<<"$(resident_runtime)"

  say "$rt: listing $count containers, $runs runs"
  hyperfine -N --style basic --warmup 3 --runs "$runs" --export-json "$work/list-$rt.json" \
    -n "$(list_name "$rt")" \
    "$(list_cmd "$rt")" >&2
  listed=$($(list_cmd "$rt") | grep -c "$prefix-" || true)
  [ "$listed" -eq "$count" ] || say "$rt: the list shows $listed of $count containers"

  say "$rt: removing $count containers"
  t2=$(now_ms)
  for i in $(seq 1 "$count"); do $(remove_cmd "$rt" "$rt-$i") >/dev/null 2>&1; done
  t3=$(now_ms)
  list_ms=$(jq -r '.results[0].median * 1000 * 100 | round / 100' "$work/list-$rt.json")
  rows+=("| $rt | $(( t1 - t0 )) | $(( (t1 - t0) / count )) | $list_ms | $(( t3 - t2 )) | $resident | $(( rss / 1024 )) / $(( pss / 1024 )) |")
done
# One JSON with every list command's results, like the other scripts'.
jq -s '{results: [.[].results[]]}' "$work"/list-*.json >"$list_json"

{
  echo "| runtime | start $count (ms) | per start (ms) | list with $count (median ms) | remove $count (ms) | runtime processes left | their RSS / PSS (MiB) |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Target: \`vessel ps\` under 10 ms with 100 containers. $runs list runs each; $(bench_machine)"
} >"$summary"
cp "$summary" "$results_dir/scale-latest.md"
echo
cat "$summary"
say "raw results: $list_json"
