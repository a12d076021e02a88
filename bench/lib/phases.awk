# Reads many `vessel run --explain` traces, each preceded by a line "=== run", and prints, for
# every step in the order of the trace, the median and the maximum time since the previous
# step (of any process), in ms: what each step cost, or what was waited for just before it.
# mawk-compatible (Debian's default awk).
function norm(s) {
  sub(/ +#.*/, "", s)                # the comment
  sub(/ = .*/, "", s)                # the result
  if (s ~ /^sethostname/) return "sethostname(ID)"
  gsub(/[0-9]+/, "N", s)             # pids, sizes, modes
  return substr(s, 1, 84)
}
/^=== run/ { run++; prev = 0; next }
/^ *[0-9.]+ms / {
  t = $1; sub(/ms$/, "", t); t += 0
  line = $0; sub(/^ *[0-9.]+ms +/, "", line)
  role = line; sub(/ .*/, "", role)
  sub(/^[a-z]+ +/, "", line)
  key = sprintf("%-7s %s", role, norm(line))
  if (!(key in seen)) { seen[key] = ++nkeys; order[nkeys] = key }
  n[key]++; d[key, n[key]] = t - prev; prev = t
}
END {
  printf "%9s %9s  %s\n", "median", "max", "step (time since the previous step, ms)"
  for (i = 1; i <= nkeys; i++) {
    k = order[i]; m = n[k]
    for (a = 1; a <= m; a++) v[a] = d[k, a]
    for (a = 2; a <= m; a++) { x = v[a]; b = a - 1; while (b > 0 && v[b] > x) { v[b + 1] = v[b]; b-- } v[b + 1] = x }
    med = (m % 2) ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
    printf "%9.3f %9.3f  %s\n", med, v[m], k
    total += med
  }
  printf "%9.3f %9s  sum of the medians, from the trace's start (after argument parsing)\n", total, ""
}
