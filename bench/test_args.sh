#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Garbage to make bench, its scripts and its programs: each must refuse it
# with status 2 and a message naming the bad value, before it boots, loads
# or writes anything. Runs on the build host (make check), TAP output.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
n=0
failed=0
rst=Documentation/benchmarks.rst
# the report's contents and times, and the plots' (report.py rewrites them)
written() { { cat "$rst"; ls -l --full-time "$rst" Documentation/*.png; } 2>/dev/null | cksum; }
rst_sum=$(written)
res_list=$(ls -l --full-time bench/results 2>/dev/null | cksum)
out=$(mktemp)
bad=$(mktemp -d)
trap 'rm -rf "$out" "$bad"' EXIT
mkdir "$bad/boot" "$bad/touch"
printf 'boot dormant 1 30.5\nboot dormant 1 fast\n' > "$bad/boot/boot-test.txt"
printf 'anon 16384 120904\nanon 16384\n' > "$bad/touch/touch-test.txt"

# refuse NAME NEEDLE COMMAND...: COMMAND exits 2 within 30 s, saying NEEDLE
refuse() {
	local name=$1 needle=$2 rc
	shift 2
	n=$((n + 1))
	timeout 30 "$@" > "$out" 2>&1 < /dev/null
	rc=$?
	if [ $rc = 2 ] && grep -qF -- "$needle" "$out"; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name: status $rc (want 2), output:"
		sed 's/^/# /' "$out"
		failed=$((failed + 1))
	fi
}

echo "TAP version 13"
echo "1..50"
refuse "bench: unknown part" "unknown part 'all'" env BENCH_PARTS=all bash tools/bench.sh
refuse "bench: BENCH_PAGES not a number" "'lots'" env BENCH_PAGES=lots bash tools/bench.sh
refuse "bench: BENCH_SIZES with garbage" "'x'" env "BENCH_SIZES=1 x 4" bash tools/bench.sh
refuse "bench: BENCH_REPEAT zero" "'0'" env BENCH_REPEAT=0 bash tools/bench.sh
refuse "bench: BENCH_FREE_MIB negative" "'-5'" env BENCH_FREE_MIB=-5 bash tools/bench.sh
refuse "bench: BENCH_RECLAIM_WAIT with a unit" "'60s'" env BENCH_RECLAIM_WAIT=60s bash tools/bench.sh
refuse "bench: unknown boot mode" "unknown mode 'hugepages'" env BENCH_BOOT_MODES=hugepages bash tools/bench.sh
refuse "bench: kernel without a module" "no module built for kernel 'no-such-kernel'" \
	env KVERS=no-such-kernel BENCH_PARTS=touch bash tools/bench.sh
refuse "boot.sh: unknown mode" "unknown mode 'tmpfs'" env BENCH_BOOT_MODES=tmpfs sh bench/boot.sh
refuse "boot.sh: BENCH_SIZES garbage" "'1G'" env BENCH_SIZES=1G sh bench/boot.sh
refuse "boot.sh: BENCH_VERIFY not 0 or 1" "'yes'" env BENCH_VERIFY=yes sh bench/boot.sh
refuse "reclaim.sh: BENCH_FREE_MIB garbage" "'512M'" env BENCH_FREE_MIB=512M sh bench/reclaim.sh
refuse "pod.sh: BENCH_POD_PAGES garbage" "BENCH_POD_PAGES must be 1..500, got '1k'" env BENCH_POD_PAGES=1k sh bench/pod.sh
refuse "pod.sh: BENCH_POD_PAGES past a block" "got '501'" env BENCH_POD_PAGES=501 sh bench/pod.sh
refuse "pod.sh: BENCH_POD_GUEST garbage" "BENCH_POD_GUEST must be a size in GiB such as 1G, got '1.5G'" env BENCH_POD_GUEST=1.5G sh bench/pod.sh
refuse "pod.sh: BENCH_REPEAT garbage" "BENCH_REPEAT must be a count, got '0'" env BENCH_REPEAT=0 sh bench/pod.sh
refuse "pod.sh: outside two sandbox hosts" "DORMANT_HOST is 0 or 1" env DORMANT_HOST= sh bench/pod.sh
refuse "make bench: an unknown part" "unknown part 'pods'" env BENCH_PARTS=pods bash tools/bench.sh
refuse "bench: BENCH_SPAN_SIZES with a unit" "'16G'" env "BENCH_SPAN_SIZES=1 16G" bash tools/bench.sh
refuse "bench: unknown span mode" "unknown mode 'rdma' in BENCH_SPAN_MODES" env BENCH_SPAN_MODES=rdma bash tools/bench.sh
refuse "span.sh: BENCH_SPAN_SIZES garbage" "BENCH_SPAN_SIZES must be sizes in GiB (1..1024) such as '1 4 16', got '4G'" \
	env "BENCH_SPAN_SIZES=1 4G" sh bench/span.sh
refuse "span.sh: BENCH_SPAN_SIZES zero" "got '0'" env BENCH_SPAN_SIZES=0 sh bench/span.sh
refuse "span.sh: BENCH_REPEAT garbage" "BENCH_REPEAT must be a count (1..50), got 'x3'" env BENCH_REPEAT=x3 sh bench/span.sh
refuse "span.sh: unknown mode" "unknown mode 'hybrid' in BENCH_SPAN_MODES" env BENCH_SPAN_MODES="pod hybrid" sh bench/span.sh
refuse "span.sh: outside two sandbox hosts" "DORMANT_HOST is 0 or 1" env DORMANT_HOST=2 sh bench/span.sh
refuse "span.sh: no addresses" "DORMANT_IP and DORMANT_PEER_IP" env DORMANT_HOST=0 DORMANT_IP= sh bench/span.sh
refuse "qmp.py: listen, a word that is not postcopy" "see qmp.py's usage" \
	python3 tools/qmp.py /nonexistent listen tcp:0:1 precopy
refuse "report.py: --span-sizes with garbage" "'x' is not a positive number (--span-sizes or BENCH_SPAN_SIZES)" \
	python3 bench/report.py --span-sizes "1 x"
refuse "first_touch.sh: BENCH_PAGES negative" "'-1'" env BENCH_PAGES=-1 sh bench/first_touch.sh
refuse "zeroing.sh: BENCH_ZERO_MIB garbage" "'a lot'" env "BENCH_ZERO_MIB=a lot" sh bench/zeroing.sh
refuse "memzero: no arguments" "usage: memzero" build/bench/memzero
refuse "memzero: MIB garbage" "not '1x'" build/bench/memzero 1x 1
refuse "memzero: REPEAT zero" "not '0'" build/bench/memzero 1 0
refuse "memzero: bad CPU" "bad CPU '-1'" build/bench/memzero 1 1 -1
refuse "first_touch: unknown mode" "not 'shm'" build/bench/first_touch shm 16 1
refuse "first_touch: PAGES garbage" "not '16k'" build/bench/first_touch anon 16k 1
refuse "first_touch: REPEAT garbage" "not 'twice'" build/bench/first_touch anon 16 twice
refuse "first_touch: dormant without its mount" "goes with modes dormant and dormant-2m only" \
	build/bench/first_touch dormant 16 1
refuse "first_touch: 2 MiB pages past the bound" "PAGES must be 1..1000 for thp-2m, not '5000'" \
	build/bench/first_touch thp-2m 5000 1
refuse "first_touch: dormant-2m without its mount" "goes with modes dormant and dormant-2m only" \
	build/bench/first_touch dormant-2m 16 1
refuse "report.py: unknown option" "unrecognized arguments: --colour" python3 bench/report.py --colour
refuse "report.py: --pages not a number" "'lots' is not a positive number" python3 bench/report.py --pages lots
refuse "report.py: BENCH_REPEAT zero" "'0' is not a positive number (--repeat or BENCH_REPEAT)" \
	env BENCH_REPEAT=0 python3 bench/report.py
refuse "report.py: --sizes with garbage" "'16G' is not a positive number" python3 bench/report.py --sizes "1 16G"
refuse "report.py: no results directory" "no results directory '$bad/none'" \
	python3 bench/report.py --results "$bad/none"
refuse "report.py: a results line that is not a number" "$bad/boot/boot-test.txt:2: not a boot results line" \
	python3 bench/report.py --results "$bad/boot"
refuse "report.py: a results line short of a field" "$bad/touch/touch-test.txt:2: not a touch results line" \
	python3 bench/report.py --results "$bad/touch"
refuse "report.py: a kernel that is a path" "'../x' is not a kernel release" python3 bench/report.py -- ../x
refuse "bench: BENCH_SIZES garbage when writing the report alone" "'x'" env "BENCH_SIZES=1 x" BENCH_PARTS= bash tools/bench.sh

# nothing written: the report, the plots and the results are as they were
n=$((n + 1))
if [ "$(written)" = "$rst_sum" ] &&
   [ "$(ls -l --full-time bench/results 2>/dev/null | cksum)" = "$res_list" ]; then
	echo "ok $n - refused runs left $rst, its plots and bench/results/ alone"
else
	echo "not ok $n - refused runs left $rst, its plots and bench/results/ alone"
	failed=$((failed + 1))
fi
[ $failed = 0 ]
