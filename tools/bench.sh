#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: benchmarks in sandbox hosts, each figure next to its
# comparison from the same sandbox in the same run. Writes
# Documentation/benchmarks.rst, the data in bench/results/ and the plots
# (gnuplot PNG) in Documentation/.
#
# So far: first-touch cost per page by kind of guest memory (issue 5, part
# 1). Boot time against RAM size, zeroing throughput and memory given back
# are still to come.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
kvers=${KVERS:-$(ls -d /lib/modules/*/build | sed 's|/lib/modules/||; s|/build||' | sort -V)}
pages=${BENCH_PAGES:-16384}
reps=${BENCH_REPEAT:-5}
res="$top/bench/results"
mkdir -p "$res"
rst="$top/Documentation/benchmarks.rst"
cmd="make bench BENCH_PAGES=$pages BENCH_REPEAT=$reps"

# stats FILE MODE: "median min max n" of the ns/page figures for MODE
stats() {
	awk -v m="$2" '$1 == m { print $3 }' "$1" | sort -n |
		awk '{ v[NR] = $1 } END {
			if (!NR) { print "- - - 0"; exit }
			med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%.0f %.0f %.0f %d\n", med, v[1], v[NR], NR }'
}

modes="dormant-zeroed dormant-inline anon hugetlb prealloc"
tables=""
for k in $kvers; do
	raw="$res/first_touch-$k.txt"
	echo "# ==== first-touch cost, kernel $k ===="
	tools/sandbox -q -k "$k" -m 2048 -c 2 -t 1800 -- \
		"BENCH_PAGES=$pages BENCH_REPEAT=$reps sh bench/first_touch.sh" |
		grep -E '^(dormant|anon|hugetlb|prealloc)' > "$raw.tmp"
	st=${PIPESTATUS[0]}
	if [ "$st" != 0 ] || [ ! -s "$raw.tmp" ]; then
		echo "make bench: the sandbox run on $k failed (status $st)" >&2
		rm -f "$raw.tmp"
		exit 1
	fi
	mv "$raw.tmp" "$raw"
	read -r anon_med _ <<< "$(stats "$raw" anon)"
	dat="$res/first_touch-$k.dat"
	: > "$dat"
	table="Kernel $k, $pages pages per run, $reps runs (ns per 4 KiB page under emulation):

========================  ==========  =================  =============
memory                    median ns   spread (min-max)   ratio to anon
========================  ==========  =================  =============
"
	i=0
	for m in $modes; do
		read -r med lo hi n <<< "$(stats "$raw" "$m")"
		if [ "$n" = 0 ]; then
			table+=$(printf '%-24s  %10s  %17s  %13s' "$m" "n/a" "n/a" "n/a")$'\n'
			continue
		fi
		ratio=$(awk -v a="$med" -v b="$anon_med" 'BEGIN { printf "%.2f", a / b }')
		table+=$(printf '%-24s  %10s  %17s  %13s' "$m" "$med" "$lo-$hi" "$ratio")$'\n'
		echo "$i $m $med $lo $hi" >> "$dat"
		i=$((i + 1))
	done
	table+="========================  ==========  =================  =============
"
	printf '%s\n' "$table"
	tables+="$table"$'\n'
	png="$top/Documentation/first-touch-$k.png"
	gnuplot <<GP || echo "make bench: gnuplot failed" >&2
set terminal png size 800,450
set output "$png"
set title "First touch of a guest page, $k (median, min-max)"
set ylabel "ns per 4 KiB page"
set style fill solid 0.6
set boxwidth 0.6
set yrange [0:*]
set xtics rotate by -20
plot "$dat" using 1:3:xtic(2) with boxes notitle, "" using 1:3:4:5 with yerrorbars notitle lc rgb "black"
GP
done

{
	cat <<EOF2
.. SPDX-License-Identifier: GPL-2.0

=====================
dormant: benchmarks
=====================

Made by \`\`$cmd\`\` on $(date -u +%Y-%m-%d), on a 2-core machine, inside QEMU
sandbox hosts under TCG with nested KVM (see testing.rst). Absolute times
under emulation mean little: read the ratios, which compare figures taken
side by side in the same sandbox in the same run. \`\`bench/README\`\` says how
to run it on real hardware.

First touch of a guest page
===========================

A raw-KVM guest (flat 32-bit protected mode) writes one dword into each of
N pages it has never touched; the host times the run (\`\`bench/first_touch.c\`\`,
driven by \`\`bench/first_touch.sh\`\`). Every touch is an EPT/NPT violation.

- **dormant-zeroed**: an object on the dormant filesystem, the node's
  zeroed list filled beforehand: each fault takes a pre-zeroed page.
- **dormant-inline**: the same with an empty pool (\`\`pool_pages=0\`\`,
  watermarks 1/2): each fault allocates and zeroes a page on the spot.
- **anon**: shared anonymous memory (memfd), what QEMU uses by default.
- **hugetlb**: memfd with 2 MiB huge pages (n/a where the sandbox had none).
- **prealloc**: anonymous memory populated before the run (as
  \`\`-mem-prealloc\`\` leaves it): only KVM's side of the fault remains.

EOF2
	printf '%s' "$tables"
	for k in $kvers; do
		printf '.. image:: first-touch-%s.png\n\n' "$k"
	done
	cat <<EOF2
Still to come (issue 5): boot time of a stock QEMU/KVM guest against its RAM
size (dormant, \`\`-mem-prealloc\`\`, default anonymous), background zeroing
throughput next to a CPU's own, and memory given back by free page
reporting.
EOF2
} > "$rst"
echo "make bench: wrote $rst, bench/results/ and Documentation/first-touch-*.png"
