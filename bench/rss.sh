#!/usr/bin/env bash
# Peak resident memory of the runtime for `run /bin/true` and `exec /bin/true`: vessel against
# runc and crun (both configurations for run; docker-like for exec), measured with GNU time.
#
#   bench/rss.sh [--quick] [--runs N]
#
# GNU time reports ru_maxrss from wait4(): the peak RSS of the largest single process in the
# tree it waited for, i.e. of the runtime itself or of a helper it started (runc's `runc init`,
# vessel's janitor, crun's container child before execve); /bin/true from the static busybox is
# smaller than all of them. Target (issue 6): vessel's peak at most crun's.
# Prints the median and the maximum over --runs runs, in MiB; writes results/rss-*.md.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$bench_dir/lib/bundles.sh"

runs=20
args=("$@")
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) runs=5 ;;
    --runs) runs=$2; shift ;;
    -h|--help) bench_usage "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done

bench_start "$0" "${args[@]}"
make_bundle "$work/stock" stock /bin/true
make_bundle "$work/docker-like" docker-like /bin/true
make_bundle "$work/sleep" docker-like sleep 1000

# peak NAME COMMAND...: runs COMMAND $runs times under GNU time; prints a table row with the
# median and maximum peak RSS in MiB.
peak() {
  local name=$1 i
  shift
  for i in $(seq 1 "$runs"); do
    /usr/bin/time -f '%M' -o "$work/time.out" "$@" </dev/null >/dev/null 2>"$work/err" ||
      die "$name failed: $(cat "$work/err")"
    cat "$work/time.out"
  done | sort -n | awk -v name="$name" '
    { kib[NR] = $1 }
    END { printf "| %s | %.1f | %.1f |\n", name, kib[int((NR + 1) / 2)] / 1024, kib[NR] / 1024 }'
}

rows=()
rows+=("$(peak "vessel run" "$VESSEL" run --rm --network none "$IMAGE" /bin/true)")
for rt in crun runc; do
  for flavor in stock docker-like; do
    rows+=("$(peak "$rt run ($flavor)" "$rt" --root "$work/$rt" run --bundle "$work/$flavor" "$prefix-rss-$rt")")
  done
done

# exec into a running container.
if vessel_has_lifecycle; then
  "$VESSEL" --root "$work/vessel" run -d --network none --name "$prefix-rss" "$IMAGE" sleep 1000 >/dev/null
  rows+=("$(peak "vessel exec" "$VESSEL" --root "$work/vessel" exec "$prefix-rss" /bin/true)")
else
  say "vessel has no 'run -d' and 'exec' yet (issue 3): no exec figure for vessel"
fi
for rt in crun runc; do
  "$rt" --root "$work/$rt" run -d --bundle "$work/sleep" "$prefix-rss-exec-$rt" </dev/null >/dev/null 2>&1
  rows+=("$(peak "$rt exec (docker-like)" "$rt" --root "$work/$rt" exec "$prefix-rss-exec-$rt" /bin/true)")
done

stamp=$(date +%Y%m%d-%H%M%S)
out=$results_dir/rss-$stamp.md
{
  echo "| runtime | peak RSS median (MiB) | peak RSS max (MiB) |"
  echo "| --- | ---: | ---: |"
  printf '%s\n' "${rows[@]}"
  echo
  echo "$runs runs each; GNU time's maximum resident set size; $(bench_machine)"
} >"$out"
cp "$out" "$results_dir/rss-latest.md"
echo
cat "$out"
