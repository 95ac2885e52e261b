#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside a sandbox host (or a real one, as root, with the module built):
# first_touch for each kind of guest memory, REPEAT times, N pages each.
# Output lines: "MODE PAGES NS_PER_PAGE" (see bench/first_touch.c).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
bin="$top/build/bench/first_touch"
n=${BENCH_PAGES:-16384}
reps=${BENCH_REPEAT:-5}
bench_num first_touch.sh "$n" "$reps"
node=$nodes/node0

bench_kvm
bench_mount

# 4 KiB faults (huge=0): the cost of one fault of ours; 2 MiB faults are
# measured apart (not yet: see Documentation/benchmarks.rst)
echo 0 > $par/huge
# dormant memory with a full zeroed list: every fault takes a zeroed page
echo $((n + 4096)) > $par/zeroed_high
echo $((n + 1024)) > $par/zeroed_low
echo $((n + 4096)) > $par/pool_pages
for r in $(seq "$reps"); do
	wait_for "[ \$(cat $node/zeroed) -ge $n ]" || exit 1
	"$bin" dormant "$n" 1 "$mnt" | sed 's/^dormant/dormant-zeroed/' || exit 1
done

# dormant memory with an empty pool: every fault allocates a page, zeroed
# on the fault path (by the page allocator under init_on_alloc=1)
echo 1 > $par/zeroed_low
echo 2 > $par/zeroed_high
echo 0 > $par/pool_pages
for r in $(seq "$reps"); do
	wait_for "[ \$(cat $node/zeroed) -le 2 ]" || exit 1
	"$bin" dormant "$n" 1 "$mnt" | sed 's/^dormant/dormant-inline/' || exit 1
done

"$bin" anon "$n" "$reps" || exit 1
"$bin" prealloc "$n" "$reps" || exit 1

# 2 MiB pages, as many as fill the same memory: the module's zeroed 2 MiB
# blocks (lists filled beforehand) against a hugetlbfs fault (its page
# zeroed at the fault) and a THP fault of anonymous memory
n2=$(( (n + 511) / 512 ))
echo 1 > $par/huge
echo $((n2 + 8)) > $par/huge_high
echo $((n2 + 4)) > $par/huge_low
for r in $(seq "$reps"); do
	wait_for "[ \$(cat $node/zeroed_2m) -ge $n2 ]" || exit 1
	"$bin" dormant-2m "$n2" 1 "$mnt" || exit 1
done
echo $((n2 + 2)) > /proc/sys/vm/nr_hugepages
"$bin" hugetlb-2m "$n2" "$reps"
[ $? = 4 ] && echo "# hugetlb-2m: no 2 MiB pages in this sandbox" >&2
echo 0 > /proc/sys/vm/nr_hugepages
"$bin" thp-2m "$n2" "$reps" || exit 1
echo $(( (n * 4096 + (3 << 20)) / (2 << 20) )) > /proc/sys/vm/nr_hugepages
"$bin" hugetlb "$n" "$reps"
[ $? = 4 ] && echo "# hugetlb: no 2 MiB pages in this sandbox" >&2
echo 0 > /proc/sys/vm/nr_hugepages
umount "$mnt"
rmmod dormant
# the same anonymous memory with the module (and its KVM hook) gone: what
# the hook's probe costs a VM that does not use dormant memory
"$bin" anon "$n" "$reps" | sed 's/^anon/anon-nohook/' || exit 1
exit 0
