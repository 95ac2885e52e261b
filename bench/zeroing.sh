#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside a sandbox host (or a real one, as root, with the module built
# and nothing else using it): how fast each node's zeroing thread fills its
# pool with zeroed 4 KiB pages (taking them from the page allocator and
# zeroing them with non-temporal stores: make bench boots this part with
# init_on_alloc=0, under which the allocator does not), alone and with every node at
# it at once, next to how fast one CPU of the node zeroes memory itself
# (bench/memzero.c).
#
# For each run the pools are emptied (grow=0, no reservation, no 2 MiB
# blocks), then the node's reservation (pool_pages) is raised and the time
# until the node's zeroed list holds it all is taken (polling /proc/uptime:
# 10 ms steps, so runs are made to last well over a second).
#
# Output lines:
#   zero-alone NODE PAGES NS_PER_PAGE
#   zero-all NODE PAGES NS_PER_PAGE
#   cpu-METHOD NODE PAGES NS_PER_PAGE
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
mib=${BENCH_ZERO_MIB:-1024}
reps=${BENCH_REPEAT:-5}
bench_num zeroing.sh "$mib" "$reps"
pages=$((mib * 256))

[ -d /sys/module/dormant ] || insmod "$ko" || exit 1
node_list=$(ls "$nodes" | sed 's/node//' | sort -n)

val() { read -r v < "$nodes/node$1/$2"; echo "$v"; }

# empty every pool, and stop the threads from allocating or zeroing
empty_pools() {
	echo 0 > $par/grow
	echo 1 > $par/zeroed_low
	echo 2 > $par/zeroed_high
	echo 0 > $par/huge_low
	echo 0 > $par/huge_high
	echo 0 > $par/pool_pages
	for n in $node_list; do
		wait_for "[ \$(( \$(val $n zeroed) + \$(val $n zeroed_2m) )) = 0 ]" 120 || exit 1
	done
}

# zero_run KIND NODE...: raise the NODEs' reservations and time their
# threads filling them with zeroed pages
zero_run() {
	kind=$1
	shift
	empty_pools
	read -r t0 _ < /proc/uptime
	for n in "$@"; do
		echo $pages > "$nodes/node$n/pool_pages"
	done
	left="$*"
	while [ -n "$left" ]; do
		sleep 0.01
		read -r t _ < /proc/uptime
		still=""
		for n in $left; do
			if [ "$(val "$n" zeroed)" -ge $pages ]; then
				echo "$kind $n $t0 $t" | awk -v p=$pages \
					'{ printf "%s %s %d %.0f\n", $1, $2, p, ($4 - $3) * 1e9 / p }'
			else
				still="$still $n"
			fi
		done
		left=$still
		if awk -v a="$t0" -v b="$t" 'BEGIN { exit !(b - a > 300) }'; then
			echo "# zeroing $pages pages took over 300 s" >&2
			exit 1
		fi
	done
}

for r in $(seq "$reps"); do
	for n in $node_list; do
		zero_run zero-alone "$n"
	done
	# shellcheck disable=SC2086
	zero_run zero-all $node_list
done
empty_pools

# one CPU of each node zeroing a buffer of its own (as big as the runs)
for n in $node_list; do
	cpu=$(cut -d, -f1 "$nodes/node$n/cpulist" | cut -d- -f1)
	"$top/build/bench/memzero" "$mib" "$reps" "$cpu" |
		awk -v n="$n" '{ print $1, n, $2, $3 }' || exit 1
done
rmmod dormant
exit 0
