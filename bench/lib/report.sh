# Tables from hyperfine's JSON. Sourced after common.sh.
#
# report JSON OUT.md RUNS [RATIO...]: writes, and prints, a markdown table of every contender
# (median, min, max, mean ± σ, CPU in ms) and, for each RATIO "A|B|TARGET", the ratio of A's median to
# B's with its target (may be empty). Ratios whose contenders are missing are left out.
report() {
  local json=$1 out=$2 runs=$3
  shift 3
  local a b target va vb spec
  {
    # CPU = user + system time of the whole process tree (mean): unlike wall time, it hardly
    # moves when other work competes for the machine.
    printf '| runtime | median ms | min ms | max ms | mean ± σ ms | CPU ms |\n'
    printf '| --- | ---: | ---: | ---: | ---: | ---: |\n'
    jq -r 'def ms: . * 1000 * 100 | round / 100;
      .results[] | "| \(.command) | \(.median | ms) | \(.min | ms) | \(.max | ms) | \(.mean | ms) ± \(.stddev | ms) | \(.user + .system | ms) |"' "$json"
    if [ $# -gt 0 ]; then
      printf '\n| ratio of medians | value | target |\n| --- | ---: | ---: |\n'
      for spec in "$@"; do
        IFS='|' read -r a b target <<<"$spec"
        va=$(jq -r --arg n "$a" '.results[] | select(.command == $n) | .median' "$json")
        vb=$(jq -r --arg n "$b" '.results[] | select(.command == $n) | .median' "$json")
        [ -n "$va" ] && [ -n "$vb" ] || continue
        printf '| %s / %s | %s | %s |\n' "$a" "$b" \
          "$(awk -v a="$va" -v b="$vb" 'BEGIN { printf "%.2f", a / b }')" "$target"
      done
    fi
    printf '\n%s runs each; %s\n' "$runs" "$(bench_machine)"
  } >"$out"
  echo
  cat "$out"
}
