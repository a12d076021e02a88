#!/usr/bin/env bash
# chart.sh RESULTS.json OUT.png TITLE: a bar chart of startup latency from hyperfine's JSON.
# Bars are medians (labelled), whiskers run from the 10th to the 90th percentile (min and max
# are in the table; one stray 80 ms run would flatten the chart). Dashed lines mark the targets
# of issue 6 when their reference contenders are present: 0.75 x crun (stock) and 2 x floor.
set -euo pipefail
json=$1 png=$2 title=$3
data=$(mktemp)
trap 'rm -f "$data"' EXIT

# name, median, p10, p90 in ms; names quoted for gnuplot.
jq -r '.results[] | (.times | sort) as $t | ($t | length) as $n |
  [("\"" + .command + "\""), .median * 1000, $t[($n * 0.1 | floor)] * 1000,
   $t[(($n - 1) * 0.9 | floor)] * 1000] | @tsv' "$json" >"$data"
crun_stock=$(jq -r '.results[] | select(.command == "crun (stock)") | .median * 1000' "$json")
floor=$(jq -r '.results[] | select(.command == "floor") | .median * 1000' "$json")

# The targets as horizontal lines, named in the key.
targets=() keys=""
if [ -n "$crun_stock" ]; then
  targets+=("set arrow from graph 0, first 0.75*$crun_stock to graph 1, first 0.75*$crun_stock nohead dt 2 lw 2 lc rgb '#c0392b' front")
  keys+=", NaN with lines dt 2 lw 2 lc rgb '#c0392b' title 'target: 0.75 x crun (stock)'"
fi
if [ -n "$floor" ]; then
  targets+=("set arrow from graph 0, first 2*$floor to graph 1, first 2*$floor nohead dt 3 lw 2 lc rgb '#2c7fb8' front")
  keys+=", NaN with lines dt 3 lw 2 lc rgb '#2c7fb8' title 'target: 2 x floor'"
fi

gnuplot <<EOF
set terminal pngcairo size 960,540 font "sans,11"
set output "$png"
set title "$title" noenhanced
set ylabel "milliseconds (bar: median; whiskers: 10th-90th percentile)"
set style fill solid 0.8 border -1
set boxwidth 0.6
set xrange [-0.6:*]
set yrange [0:*]
set grid ytics
set xtics noenhanced scale 0
set key below horizontal
# vessel in green, the floor in light blue, the others in grey.
color(name) = name eq "vessel" ? 0x4d9221 : (name eq "floor" ? 0x9ecae1 : 0x969696)
$(printf '%s\n' "${targets[@]}")
plot "$data" using 0:2:3:4:(0.6):(color(strcol(1))):xtic(1) with boxerrorbars lc rgb variable notitle, \
     "" using 0:4:(sprintf("%.1f", column(2))) with labels offset 0,0.8 notitle$keys
EOF
