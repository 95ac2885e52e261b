#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: benchmarks in sandbox hosts, each figure next to its
# comparison from the same sandbox in the same run. Writes
# Documentation/benchmarks.rst, the raw figures in bench/results/ and the
# plots (gnuplot PNG) in Documentation/. See bench/README.
#
# Parts (BENCH_PARTS, default all four, in this order):
#   touch    first-touch cost per page by kind of guest memory
#   boot     boot time of a stock QEMU/KVM guest against its RAM size
#   zero     background zeroing throughput against one CPU's own
#   reclaim  memory given back by free page reporting
# A part left out keeps its results from an earlier run (bench/results/)
# in the report; BENCH_PARTS set but empty writes the report alone.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
kvers=${KVERS:-$(ls -d /lib/modules/*/build | sed 's|/lib/modules/||; s|/build||' | sort -V)}
parts=${BENCH_PARTS-touch boot zero reclaim}
pages=${BENCH_PAGES:-16384}
reps=${BENCH_REPEAT:-5}
sizes=${BENCH_SIZES:-1 4 16}
boot_reps=${BENCH_BOOT_REPEAT:-3}
boot_modes=${BENCH_BOOT_MODES:-dormant anon prealloc}
zero_mib=${BENCH_ZERO_MIB:-1024}
free_mib=${BENCH_FREE_MIB:-512}
rec_wait=${BENCH_RECLAIM_WAIT:-60}
rec_reps=${BENCH_RECLAIM_REPEAT:-3}
res="$top/bench/results"
doc="$top/Documentation"
mkdir -p "$res"
rst="$doc/benchmarks.rst"

for p in $parts; do
	case $p in
	touch|boot|zero|reclaim) ;;
	*) echo "make bench: unknown part '$p' in BENCH_PARTS (touch boot zero reclaim)" >&2; exit 2 ;;
	esac
done
for v in "$pages" "$reps" "$boot_reps" "$zero_mib" "$free_mib" "$rec_wait" "$rec_reps" $sizes; do
	[[ "$v" =~ ^[1-9][0-9]*$ ]] || { echo "make bench: '$v' is not a positive number" >&2; exit 2; }
done
for m in $boot_modes; do
	case $m in
	dormant|anon|prealloc|anon-4k) ;;
	*) echo "make bench: unknown mode '$m' in BENCH_BOOT_MODES (dormant anon prealloc anon-4k)" >&2; exit 2 ;;
	esac
done
for k in $kvers; do
	[ -f "$top/build/$k/dormant.ko" ] || [ -z "$parts" ] ||
		{ echo "make bench: no module built for kernel '$k' (make KVER=$k all bench-bins)" >&2; exit 2; }
done
max_size=$(printf '%s\n' $sizes | sort -n | tail -n 1)

# stats: "median min max n" of the numbers on stdin
stats() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (!NR) { print "- - - 0"; exit }
		med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%g %g %g %d\n", med, v[1], v[NR], NR }'
}

# sel FILE AWK-CONDITION FIELD: FIELD of the lines of FILE matching
sel() { awk "$2 { print \$$3 }" "$1"; }

# run_part PART KVER SANDBOX-ARGS... -- COMMAND: one sandbox run; its lines
# matching PATTERN (in $pat) go to bench/results/PART-KVER.txt
run_part() {
	local part=$1 k=$2 raw
	shift 2
	raw="$res/$part-$k.txt"
	echo "# ==== $part, kernel $k ($(date -u +%H:%M:%S)) ===="
	tools/sandbox -q -k "$k" "$@" | tee "$raw.log" | grep -E "$pat" > "$raw.tmp"
	local st=${PIPESTATUS[0]}
	if [ "$st" != 0 ] || [ ! -s "$raw.tmp" ]; then
		echo "make bench: the $part run on $k failed (status $st); its output is in $raw.log" >&2
		rm -f "$raw.tmp"
		failed="$failed $part-$k"
		return
	fi
	mv "$raw.tmp" "$raw"
	rm -f "$raw.log"
}

failed=""
for k in $kvers; do
	for p in $parts; do
		case $p in
		touch)
			pat='^(dormant|anon|hugetlb|prealloc)'
			run_part touch "$k" -m 2048 -c 2 -t 1800 -- \
				"BENCH_PAGES=$pages BENCH_REPEAT=$reps sh bench/first_touch.sh" ;;
		boot)
			pat='^(boot|faults|died) '
			run_part boot "$k" -n 2 -m $(( (max_size + 3) * 1024 )) -c 2 -t 14400 -- \
				"BENCH_SIZES='$sizes' BENCH_BOOT_REPEAT=$boot_reps BENCH_BOOT_MODES='$boot_modes' sh bench/boot.sh" ;;
		zero)
			pat='^(zero-|cpu-)'
			run_part zero "$k" -n 2 -m $(( (zero_mib + 2048) * 2 )) -c 2 -t 3600 -- \
				"BENCH_ZERO_MIB=$zero_mib BENCH_REPEAT=$reps sh bench/zeroing.sh" ;;
		reclaim)
			pat='^(freed|reclaim|deleted|object|died) '
			run_part reclaim "$k" -m $(( free_mib * 2 + 2048 )) -c 2 -t 3600 -- \
				"BENCH_FREE_MIB=$free_mib BENCH_RECLAIM_WAIT=$rec_wait BENCH_RECLAIM_REPEAT=$rec_reps sh bench/reclaim.sh" ;;
		esac
	done
done

# ---- the report ----------------------------------------------------------

# every kernel with results, not only those run now
kvers=$( (printf '%s\n' $kvers; ls "$res" | sed -n 's/^[a-z]*-\(.*\)\.txt$/\1/p') | sort -uV)

missing() { printf 'No results for kernel %s yet (run ``make bench BENCH_PARTS=%s``).\n\n' "$1" "$2"; }

# First touch: table and bar chart per kernel.
touch_report() {
	local k=$1 raw="$res/touch-$k.txt" dat="$res/touch-$k.dat" anon m i
	[ -s "$raw" ] || { missing "$k" touch; return; }
	read -r anon _ <<< "$(sel "$raw" '$1 == "anon"' 3 | stats)"
	n=$(sel "$raw" '$1 == "anon"' 2 | head -n 1)
	printf 'Kernel %s, %s pages per run (ns per 4 KiB page):\n\n' "$k" "$n"
	echo "==============  ==========  =================  =============  ====="
	echo "memory          median ns   spread (min-max)   ratio to anon  runs"
	echo "==============  ==========  =================  =============  ====="
	: > "$dat"
	i=0
	for m in dormant-zeroed dormant-inline anon anon-nohook hugetlb prealloc; do
		read -r med lo hi cnt <<< "$(sel "$raw" "\$1 == \"$m\"" 3 | stats)"
		if [ "$cnt" = 0 ]; then
			printf '%-14s  %10s  %17s  %13s  %5s\n' "$m" n/a n/a n/a 0
			continue
		fi
		printf '%-14s  %10s  %17s  %13.2f  %5s\n' "$m" "$med" "$lo-$hi" \
			"$(awk -v a="$med" -v b="$anon" 'BEGIN { print a / b }')" "$cnt"
		echo "$i $m $med $lo $hi" >> "$dat"
		i=$((i + 1))
	done
	echo "==============  ==========  =================  =============  ====="
	echo
	gnuplot <<GP || echo "make bench: gnuplot failed" >&2
set terminal png size 800,450
set output "$doc/first-touch-$k.png"
set title "First touch of a guest page, $k (median, min-max)"
set ylabel "ns per 4 KiB page"
set style fill solid 0.6
set boxwidth 0.6
set yrange [0:*]
set xtics rotate by -20
plot "$dat" using 1:3:xtic(2) with boxes notitle, "" using 1:3:4:5 with yerrorbars notitle lc rgb "black"
GP
	printf '.. image:: first-touch-%s.png\n\n' "$k"
}

# Boot time against RAM size: table, growth, fault shares and a plot.
boot_report() {
	local k=$1 raw="$res/boot-$k.txt" dat="$res/boot-$k.dat" g m
	[ -s "$raw" ] || { missing "$k" boot; return; }
	local gs
	gs=$(sel "$raw" '$1 == "boot"' 3 | sort -n | uniq)
	printf 'Kernel %s, seconds from QEMU'"'"'s start to the guest'"'"'s /init, median (min-max); boots per size and mode: %s:\n\n' \
		"$k" "$(awk '$1 == "boot" { n[$3 " GiB " $2]++ } END { for (c in n) print c, n[c] }' "$raw" |
			sort -n | awk '{ l = l sep $1 " " $2 " " $3 " " $4; sep = ", "; c[$4]++; n++ }
				END { if (length(c) == 1) for (v in c) print v " each"; else print l }')"
	echo "=====  =======================  =======================  =======================  ================  ============"
	echo "RAM    dormant                  anon (default)           -mem-prealloc            prealloc/dormant  anon/dormant"
	echo "=====  =======================  =======================  =======================  ================  ============"
	: > "$dat"
	for g in $gs; do
		line="$g"
		row=$(printf '%-5s' "${g}G")
		for m in dormant anon prealloc; do
			read -r med lo hi _ <<< "$(sel "$raw" "\$1 == \"boot\" && \$2 == \"$m\" && \$3 == $g" 4 | stats)"
			row+=$(printf '  %-23s' "$(printf '%.1f (%.1f-%.1f)' "$med" "$lo" "$hi")")
			line+=" $med $lo $hi"
			eval "med_$m=$med"
		done
		row+=$(awk -v d="$med_dormant" -v a="$med_anon" -v p="$med_prealloc" \
			'BEGIN { printf "  %16.2f  %12.2f", p / d, a / d }')
		echo "$row"
		read -r med lo hi _ <<< "$(sel "$raw" "\$1 == \"boot\" && \$2 == \"anon-4k\" && \$3 == $g" 4 | stats)"
		[ "$med" = - ] && { med=NaN; lo=NaN; hi=NaN; }
		echo "$line $med $lo $hi" >> "$dat"
	done
	echo "=====  =======================  =======================  =======================  ================  ============"
	echo
	local thp=0
	grep -q '^boot anon-4k ' "$raw" && thp=1
	if [ $thp = 1 ]; then
		echo "The same boots on anonymous memory with transparent huge pages off"
		echo '(**anon-4k**, ``BENCH_BOOT_MODES`` below): 4 KiB faults only, as dormant memory'
		echo "takes today. Boots per size: $(awk '$1 == "boot" && $2 == "anon-4k" { n[$3]++ }
			END { for (g in n) print g " GiB " n[g] }' "$raw" | sort -n | paste -sd, - | sed 's/,/, /g')."
		echo
		echo "=====  =======================  ===============  ============"
		echo "RAM    anon-4k (THP off)        anon-4k/dormant  anon-4k/anon"
		echo "=====  =======================  ===============  ============"
		awk '{ printf "%-5s  %-23s  %15.2f  %12.2f\n", $1 "G", sprintf("%.1f (%.1f-%.1f)", $11, $12, $13),
			$11 / $2, $11 / $5 }' "$dat"
		echo "=====  =======================  ===============  ============"
		echo
	fi
	local g1 g2
	g1=$(echo "$gs" | head -n 1)
	g2=$(echo "$gs" | tail -n 1)
	if [ "$g1" != "$g2" ]; then
		printf 'Growth from %s GiB to %s GiB (median seconds per added GiB): ' "$g1" "$g2"
		awk -v a="$g1" -v b="$g2" -v thp=$thp '$1 == a { d1 = $2; n1 = $5; p1 = $8; t1 = $11 }
			$1 == b { d2 = $2; n2 = $5; p2 = $8; t2 = $11 }
			END { printf "dormant %.2f, anon %.2f, -mem-prealloc %.2f", (d2 - d1) / (b - a),
				(n2 - n1) / (b - a), (p2 - p1) / (b - a)
			      if (thp) printf ", anon-4k %.2f", (t2 - t1) / (b - a)
			      printf ".\n\n" }' "$dat"
	fi
	local died
	died=$(awk '$1 == "died" { printf "%s%s %s GiB", sep, $2, $3; sep = ", " }' "$raw")
	if [ -n "$died" ]; then
		printf 'Guests that died before their /init and were booted once more (the\n'
		printf 'figures above are of the second boot; see testing.rst): %s.\n\n' "$died"
	else
		printf 'No guest died before its /init in these boots.\n\n'
	fi
	echo "Faults of the dormant boots on the pools: how many took a page the"
	echo "zeroing threads had zeroed in the background, and how many had to zero"
	echo "one inline (median per boot):"
	echo
	echo "=====  ==========  =====================  =================="
	echo "RAM    faults      zeroed in background   zeroed inline"
	echo "=====  ==========  =====================  =================="
	for g in $gs; do
		sel "$raw" "\$1 == \"faults\" && \$2 == $g" '3 " " $4' | sort -n -k1 |
			awk -v g="$g" '{ f[NR] = $1; z[NR] = $2 } END {
				m = int((NR + 1) / 2); bg = f[m] - z[m]
				printf "%-5s  %10d  %12d (%5.1f %%)  %8d (%5.1f %%)\n", g "G", f[m], bg,
					f[m] ? 100 * bg / f[m] : 0, z[m], f[m] ? 100 * z[m] / f[m] : 0 }'
	done
	echo "=====  ==========  =====================  =================="
	echo
	gnuplot <<GP || echo "make bench: gnuplot failed" >&2
set terminal png size 800,450
set output "$doc/boot-time-$k.png"
set title "Boot to /init of a stock QEMU/KVM guest, $k (median, min-max)"
set xlabel "guest RAM (GiB)"
set ylabel "seconds"
set key top left
set yrange [0:*]
set xrange [0:*]
plot "$dat" using 1:2:3:4 with yerrorlines title "dormant", \
     "" using 1:5:6:7 with yerrorlines title "anon (default)", \
     "" using 1:8:9:10 with yerrorlines title "-mem-prealloc"$([ $thp = 1 ] && printf ', \\\n     "" using 1:11:12:13 with yerrorlines title "anon-4k (THP off)"')
GP
	printf '.. image:: boot-time-%s.png\n\n' "$k"
}

# Zeroing throughput: per node, the thread alone and all at once, next to
# one CPU's memset / rep stosb / movnt.
zero_report() {
	local k=$1 raw="$res/zero-$k.txt" n
	[ -s "$raw" ] || { missing "$k" zero; return; }
	printf 'Kernel %s, %s pages per run; MiB/s from the median ns per page (min-max of the runs in MiB/s):\n\n' \
		"$k" "$(awk 'NR == 1 { print $3 }' "$raw")"
	echo "====  ===================  ===================  ===================  ===================  ===================  ===========  ==========="
	echo "node  thread alone         thread, all nodes    CPU memset           CPU rep stosb        CPU movnt            alone/stosb  alone/best"
	echo "====  ===================  ===================  ===================  ===================  ===================  ===========  ==========="
	for n in $(awk '{ print $2 }' "$raw" | sort -n | uniq); do
		row=$(printf '%-4s' "$n")
		for m in zero-alone zero-all cpu-memset cpu-stosb cpu-movnt; do
			read -r med lo hi _ <<< "$(sel "$raw" "\$1 == \"$m\" && \$2 == $n" 4 | stats)"
			row+=$(awk -v m="$med" -v lo="$lo" -v hi="$hi" \
				'BEGIN { f = 4096 * 1e9 / 1048576; printf "  %-19s", sprintf("%.0f (%.0f-%.0f)", f / m, f / hi, f / lo) }')
			eval "ns_${m//-/_}=$med"
		done
		row+=$(awk -v a="$ns_zero_alone" -v s="$ns_cpu_stosb" -v b1="$ns_cpu_memset" -v b2="$ns_cpu_movnt" \
			'BEGIN { b = s; if (b1 < b) b = b1; if (b2 < b) b = b2; printf "  %11.2f  %10.2f", s / a, b / a }')
		echo "$row"
	done
	echo "====  ===================  ===================  ===================  ===================  ===================  ===========  ==========="
	echo
}

# Memory given back: returned MiB at a few times after the delete, and a plot.
reclaim_report() {
	local k=$1 raw="$res/reclaim-$k.txt" dat="$res/reclaim-$k.dat" t freed
	[ -s "$raw" ] || { missing "$k" reclaim; return; }
	freed=$(sel "$raw" '$1 == "freed"' 3 | head -n 1)
	printf 'Kernel %s, the guest frees %s MiB; MiB given back to the pools since it began deleting it, median (min-max) of %s runs:\n\n' \
		"$k" $((freed / 256)) "$(sel "$raw" '$1 == "freed"' 2 | wc -l)"
	: > "$dat"
	local hdr="" row="" sep=""
	# per run, the last sample taken by t s (+0.5 s: samples drift a little)
	at() {
		awk -v t="$1" '$1 == "reclaim" && $3 <= t + 0.5 { v[$2] = $4 }
			$1 == "reclaim" && $3 >= t - 0.5 { reached[$2] = 1 }
			END { for (r in v) if (reached[r]) print v[r] }' "$raw"
	}
	for t in 5 10 20 30 45 60 90 120 180 300; do
		[ "$(at "$t" | wc -l)" = 0 ] && continue
		read -r med lo hi _ <<< "$(at "$t" | stats)"
		hdr+=$(printf '  %-17s' "after ${t} s")
		row+=$(awk -v m="$med" -v lo="$lo" -v hi="$hi" -v f="$freed" \
			'BEGIN { printf "  %-17s", sprintf("%.0f (%.0f-%.0f)", m / 256, lo / 256, hi / 256) }')
		sep+="  ================="
	done
	echo "${sep:2}"
	echo "${hdr:2}"
	echo "${sep:2}"
	echo "${row:2}"
	echo "${sep:2}"
	echo
	awk '$1 == "freed" { n++; p = p sep int($4 / 256); sep = ", " }
		END { if (n) printf "Pages of the object present when the guest began deleting its file: %s MiB.\n", p }' "$raw"
	sel "$raw" '$1 == "deleted"' 3 | stats | awk '$4 > 0 {
		printf "The guest'"'"'s rm of the file took %s s (median; %s-%s).\n", $1, $2, $3 }'
	awk '$1 == "died" { $1 = ""; d = d sep "run" $0; sep = "; " }
		END { if (d) printf "Guests that died (see testing.rst; a run whose guest died before its samples was skipped): %s.\n", d }' "$raw"
	echo
	# median over the runs at each whole second
	awk '$1 == "reclaim" { print int($3 + 0.5), $4 }' "$raw" | sort -n -k1 -k2 |
		awk '{ if ($1 != t && NR > 1) { print t, v[int((n + 1) / 2)] / 256; n = 0 } t = $1; v[++n] = $2 }
			END { if (n) print t, v[int((n + 1) / 2)] / 256 }' > "$dat"
	gnuplot <<GP || echo "make bench: gnuplot failed" >&2
set terminal png size 800,450
set output "$doc/reclaim-$k.png"
set title "Memory back in the pools after a guest frees $((freed / 256)) MiB, $k (median)"
set xlabel "seconds after the guest began deleting its file"
set ylabel "MiB given back"
set yrange [0:*]
plot "$dat" using 1:2 with linespoints notitle
GP
	printf '.. image:: reclaim-%s.png\n\n' "$k"
}

section() { printf '%s\n%s\n\n' "$1" "$(echo "$1" | sed 's/./=/g')"; }

{
	cat <<EOF2
.. SPDX-License-Identifier: GPL-2.0

=====================
dormant: benchmarks
=====================

Made by \`\`make bench\`\` (bench/README; the figures of each part come
from the run noted in its section) on a 2-core machine, inside QEMU sandbox
hosts under TCG with nested KVM (see testing.rst). Absolute times under
emulation mean little: read the ratios, which compare figures taken side
by side in the same sandbox in the same run. \`\`bench/README\`\` says how to
run it on real hardware. The raw figures are in \`\`bench/results/\`\`.

EOF2
	section "First touch of a guest page"
	cat <<EOF2
A raw-KVM guest (flat 32-bit protected mode) writes one dword into each of
N pages it has never touched; the host times the run (\`\`bench/first_touch.c\`\`,
driven by \`\`bench/first_touch.sh\`\`). Every touch is an EPT/NPT violation.

- **dormant-zeroed**: an object on the dormant filesystem, the node's
  zeroed list filled beforehand: each fault takes a pre-zeroed page.
- **dormant-inline**: the same with an empty pool (\`\`pool_pages=0\`\`,
  watermarks 1/2): each fault allocates and zeroes a page on the spot.
- **anon**: shared anonymous memory (memfd), what QEMU uses by default.
- **anon-nohook**: the same after the module is unloaded: the difference
  to **anon** is what the KVM hook's probe costs a VM on other memory.
- **hugetlb**: memfd with 2 MiB huge pages (n/a where the sandbox had none).
- **prealloc**: anonymous memory populated before the run (as
  \`\`-mem-prealloc\`\` leaves it): only KVM's side of the fault remains.

Reproduce: \`\`make bench BENCH_PARTS=touch BENCH_PAGES=$pages BENCH_REPEAT=$reps\`\`

EOF2
	for k in $kvers; do touch_report "$k"; done
	section "Boot time against RAM size"
	cat <<EOF2
Stock QEMU boots this machine's kernel with a busybox initramfs as a KVM
guest with 2 vCPUs inside a sandbox host with two NUMA nodes; the figure is
the time from QEMU's start to the guest's /init (\`\`bench/boot.sh\`\`).
**dormant** is \`\`memory-backend-file,mem-path=<dormant fs>,share=on\`\`,
**anon** QEMU's default anonymous memory, **-mem-prealloc** anonymous memory
QEMU populates before the guest starts (what users of large guests run
today to avoid faults later). Before each boot every node's zeroed list is
refilled to 65536 pages (256 MiB) and the threads are idle, so no boot pays
for the zeroing of another. Each repeat boots every size in every mode in
turn, so drift in the machine's speed spreads over all.

Reproduce: \`\`make bench BENCH_PARTS=boot BENCH_SIZES="$sizes" BENCH_BOOT_REPEAT=$boot_reps$(
	cat "$res"/boot-*.txt 2>/dev/null | grep -q '^boot anon-4k ' &&
		echo ' BENCH_BOOT_MODES="dormant anon prealloc anon-4k"')\`\`

EOF2
	for k in $kvers; do boot_report "$k"; done
	section "Background zeroing throughput"
	cat <<EOF2
Each node's zeroing thread turns a node's worth of to-be-zeroed pages
(its reservation, allocated beforehand) into zeroed ones, timed until the
node's zeroed list holds them all; first each node alone, then all nodes
at once (\`\`bench/zeroing.sh\`\`). Next to it, one CPU of the node zeroes
a populated buffer of the same size itself (\`\`bench/memzero.c\`\`) with
glibc's memset, with \`\`rep stosb\`\` (what the kernel's
\`\`clear_page_erms()\`\` does) and with non-temporal stores. The last two
columns are the thread's throughput as a share of the CPU's with
\`\`rep stosb\`\` and with its best method.

Reproduce: \`\`make bench BENCH_PARTS=zero BENCH_ZERO_MIB=$zero_mib BENCH_REPEAT=$reps\`\`

EOF2
	for k in $kvers; do zero_report "$k"; done
	section "Memory given back by free page reporting"
	cat <<EOF2
A stock QEMU/KVM guest on dormant memory with
\`\`virtio-balloon-pci,free-page-reporting=on\`\` fills a tmpfs file, deletes
it and idles (\`\`bench/reclaim.sh\`\`). The guest's free page reporting tells
QEMU which free 2 MiB blocks it may take, QEMU punches them out of the
object, and the pages go back to the pools to be zeroed again. The figure
is the pages discarded since the guest began deleting the file (the
nodes' \`\`discarded\`\` counters: nothing else discards meanwhile),
sampled every second.

Reproduce: \`\`make bench BENCH_PARTS=reclaim BENCH_FREE_MIB=$free_mib BENCH_RECLAIM_WAIT=$rec_wait BENCH_RECLAIM_REPEAT=$rec_reps\`\`

EOF2
	for k in $kvers; do reclaim_report "$k"; done
	if [ -f "$top/bench/findings.rst" ]; then
		cat "$top/bench/findings.rst"
	fi
} > "$rst.tmp" && mv "$rst.tmp" "$rst"
echo "make bench: wrote $rst, bench/results/ and the plots in Documentation/"
if [ -n "$failed" ]; then
	echo "make bench: these runs failed, the report keeps their earlier results:$failed" >&2
	exit 1
fi
