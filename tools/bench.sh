#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: benchmarks in sandbox hosts, each figure next to its
# comparison from the same sandbox in the same run. Writes the raw figures
# in bench/results/, then bench/report.py writes Documentation/benchmarks.rst
# and the plots (gnuplot PNG) in Documentation/. See bench/README.
#
# Parts (BENCH_PARTS, default all six, in this order):
#   touch    first-touch cost per page by kind of guest memory
#   boot     boot time of a stock QEMU/KVM guest against its RAM size
#   zero     background zeroing throughput against one CPU's own
#   reclaim  memory given back by free page reporting
#   pod      a page moved between two hosts of a pod against the raw RDMA
#            round trip (two sandbox hosts)
#   span     a live guest's move with the pod against QEMU's device-only
#            migration, precopy and postcopy (two sandbox hosts)
# A part left out keeps its results from an earlier run (bench/results/)
# in the report; BENCH_PARTS set but empty writes the report alone.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
. tools/lib.sh
kvers=$(kernels)
parts=${BENCH_PARTS-touch boot zero reclaim pod span}
pages=${BENCH_PAGES:-16384}
reps=${BENCH_REPEAT:-5}
sizes=${BENCH_SIZES:-1 4 16}
boot_reps=${BENCH_BOOT_REPEAT:-3}
boot_modes=${BENCH_BOOT_MODES:-dormant anon prealloc hugetlb hugetlb-prealloc}
zero_mib=${BENCH_ZERO_MIB:-1024}
free_mib=${BENCH_FREE_MIB:-512}
rec_wait=${BENCH_RECLAIM_WAIT:-60}
rec_reps=${BENCH_RECLAIM_REPEAT:-3}
span_sizes=${BENCH_SPAN_SIZES:-1 4 16}
span_reps=${BENCH_REPEAT:-3}
span_modes=${BENCH_SPAN_MODES:-pod device precopy postcopy}
res="$top/bench/results"
mkdir -p "$res"

for p in $parts; do
	case $p in
	touch|boot|zero|reclaim|pod|span) ;;
	*) echo "make bench: unknown part '$p' in BENCH_PARTS (touch boot zero reclaim pod span)" >&2; exit 2 ;;
	esac
done
for v in "$pages" "$reps" "$boot_reps" "$zero_mib" "$free_mib" "$rec_wait" "$rec_reps" $sizes $span_sizes; do
	is_count "$v" || { echo "make bench: '$v' is not a positive number" >&2; exit 2; }
done
for m in $boot_modes; do
	case $m in
	dormant|anon|prealloc|anon-4k|hugetlb|hugetlb-prealloc) ;;
	*) echo "make bench: unknown mode '$m' in BENCH_BOOT_MODES (dormant anon prealloc anon-4k hugetlb hugetlb-prealloc)" >&2; exit 2 ;;
	esac
done
for m in $span_modes; do
	case $m in
	pod|device|precopy|postcopy) ;;
	*) echo "make bench: unknown mode '$m' in BENCH_SPAN_MODES (pod device precopy postcopy)" >&2; exit 2 ;;
	esac
done
[ -n "$kvers" ] || [ -z "$parts" ] ||
	{ echo "make bench: no kernel headers in /lib/modules/*/build; name the kernels in KVERS" >&2; exit 2; }
for k in $kvers; do
	[ -f "$top/build/$k/dormant.ko" ] || [ -z "$parts" ] ||
		{ echo "make bench: no module built for kernel '$k' (make KVER=$k all bench-bins)" >&2; exit 2; }
done
max_size=$(printf '%s\n' $sizes | sort -n | tail -n 1)
span_max=$(printf '%s\n' $span_sizes | sort -n | tail -n 1)

# run_part PART KVER SANDBOX-ARGS... -- COMMAND: one sandbox run; its lines
# matching PATTERN (in $pat) go to bench/results/PART-KVER.txt
run_part() {
	local part=$1 k=$2 raw
	shift 2
	raw="$res/$part-$k.txt"
	echo "# ==== $part, kernel $k ($(date -u +%H:%M:%S)) ===="
	tools/sandbox -q -k "$k" "$@" | tee "$raw.log" | grep -E "$pat" > "$raw.tmp"
	local st=${PIPESTATUS[0]}
	if [ "$st" = 3 ] && [ -s "$raw.tmp" ]; then
		# complete but for guests that died: kept, and counted as failed
		echo "make bench: guests died in the $part run on $k; its output is in $raw.log" >&2
		failed="$failed $part-$k(guest-deaths)"
		mv "$raw.tmp" "$raw"
		return
	fi
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
			pat='^(dormant|anon|hugetlb|prealloc|thp)'
			run_part touch "$k" -m 2048 -c 2 -t 1800 -- \
				"BENCH_PAGES=$pages BENCH_REPEAT=$reps sh bench/first_touch.sh" ;;
		boot)
			pat='^(boot|faults|died) '
			run_part boot "$k" -n 2 -m $(( (max_size + 4) * 1024 )) -c 2 -t 14400 -- \
				"BENCH_SIZES='$sizes' BENCH_BOOT_REPEAT=$boot_reps BENCH_BOOT_MODES='$boot_modes' sh bench/boot.sh" ;;
		zero)
			pat='^(zero-|cpu-)'
			run_part zero "$k" -a init_on_alloc=0 -n 2 -m $(( (zero_mib + 2048) * 2 )) -c 2 -t 3600 -- \
				"BENCH_ZERO_MIB=$zero_mib BENCH_REPEAT=$reps sh bench/zeroing.sh" ;;
		reclaim)
			pat='^(freed|reclaim|deleted|object|died) '
			run_part reclaim "$k" -m $(( free_mib * 2 + 2048 )) -c 2 -t 3600 -- \
				"BENCH_FREE_MIB=$free_mib BENCH_RECLAIM_WAIT=$rec_wait BENCH_RECLAIM_REPEAT=$rec_reps sh bench/reclaim.sh" ;;
		pod)
			pat='^pod-'
			run_part pod "$k" -H 2 -m 2048 -c 2 -t 1800 -- \
				"BENCH_REPEAT=$reps sh bench/pod.sh" ;;
		span)
			# Each host holds one guest's touched memory at a time (its
			# kernel, the 32 MiB region, and its struct pages: 1/64 of its
			# RAM, 256 MiB at 16 GiB) next to the pools and its own
			# kernel: 3 GiB, and 64 MiB per GiB of the largest guest
			# (4 GiB for 16 GiB; demo-span's 8 GiB guest ran in 3 GiB).
			# A step (boot, 4 passes, move, 6 passes) takes 1-3 minutes
			# under TCG, the 16 GiB precopy longer: 10 minutes a step.
			pat='^(span-|died )'
			run_part span "$k" -H 2 -s 900 -m $((3072 + span_max * 64)) -c 2 \
				-t $(( $(set -- $span_sizes; echo $#) * $(set -- $span_modes; echo $#) * span_reps * 600 + 600 )) -- \
				"BENCH_SPAN_SIZES='$span_sizes' BENCH_REPEAT=$span_reps BENCH_SPAN_MODES='$span_modes' sh bench/span.sh" ;;
		esac
	done
done

# ---- the report ----------------------------------------------------------
# bench/report.py, its prose in bench/benchmarks.rst.in: every kernel with
# results, and the kernels run now even if all their runs failed.
ran=""
[ -n "$parts" ] && ran=$kvers
python3 "$top/bench/report.py" --pages "$pages" --repeat "$reps" --sizes "$sizes" \
	--boot-repeat "$boot_reps" --zero-mib "$zero_mib" --free-mib "$free_mib" \
	--reclaim-wait "$rec_wait" --reclaim-repeat "$rec_reps" --span-sizes "$span_sizes" \
	--span-repeat "$span_reps" -- $ran
st=$?
if [ -n "$failed" ]; then
	echo "make bench: these runs failed, the report keeps their earlier results:$failed" >&2
	[ $st = 0 ] && st=1
fi
exit $st
