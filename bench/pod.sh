#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs in two sandbox hosts joined by Soft-RoCE (make bench's pod part:
# tools/sandbox -H 2), or two real hosts with an RDMA link (as root, the
# module built, DORMANT_HOST=0 or 1, DORMANT_IP and DORMANT_PEER_IP set):
# what a page costs to move through the pod, next to the raw RDMA round
# trip between the same two hosts. Host 0 is member a, host 1 member b;
# object vm1 is a's. Host b times, page by page, the first read of
# BENCH_POD_PAGES (default 100) pages that a never wrote (dormant grants:
# ownership alone) and of as many that a wrote (data grants: 4 KiB of data
# each), each block of them holding a page a wrote so that pages move one
# by one; then both hosts run rdma-core's ibv_rc_pingpong with 8-byte and
# 4 KiB messages, BENCH_REPEAT (default 3) times each.
#
# Output lines (host b):
#   pod-grant dormant RUN MEDIAN_NS PAGES
#   pod-grant data RUN MEDIAN_NS PAGES
#   pod-rtt BYTES RUN NS_PER_ROUND_TRIP
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tools/lib.sh"
pages=${BENCH_POD_PAGES:-100}
reps=${BENCH_REPEAT:-3}
is_count "$pages" && [ "$pages" -le 500 ] ||
	{ echo "bench/pod.sh: BENCH_POD_PAGES must be 1..500, got '$pages'" >&2; exit 2; }
is_count "$reps" || { echo "bench/pod.sh: BENCH_REPEAT must be a count, got '$reps'" >&2; exit 2; }
case ${DORMANT_HOST:-} in
0) me=a ;;
1) me=b ;;
*) echo "bench/pod.sh: run it in two sandbox hosts (DORMANT_HOST is 0 or 1)" >&2; exit 2 ;;
esac
mem="$top/build/selftests/pod_mem"
work=$(mktemp -d) || exit 1
mnt="$work/mnt"
mkdir "$mnt"
pod_pid=
cleanup() {
	[ -n "$pod_pid" ] && pod_stop
	umount "$mnt" 2>/dev/null
	[ -d /sys/module/dormant ] && rmmod dormant
	rm -rf "$work"
}
trap cleanup EXIT

insmod "$top/build/$(uname -r)/dormant.ko" || exit 1
mount -t dormant none "$mnt" || exit 1
# one 2 MiB block per run and kind: (reps * 2 + 1) blocks, and "done"
blocks=$((reps * 2 + 1))
pod_file "$work/pod.json" "[
    { \"name\": \"vm1\", \"size\": \"$((blocks * 2))M\", \"owner\": \"a\" },
    { \"name\": \"done\", \"size\": \"2M\", \"owner\": \"a\" }
  ]"
pod_start "$work/pod.json" $me "$mnt" "$work" || exit 1

# rtt BYTES RUN: ibv_rc_pingpong's round trip between the hosts, in ns
rtt() {
	if [ $me = a ]; then
		timeout 300 ibv_rc_pingpong -e -d rxe0 -g 1 -s "$1" -n 200 > /dev/null 2>&1
		return
	fi
	sleep 2		# a listens
	us=$(timeout 300 ibv_rc_pingpong -e -d rxe0 -g 1 -s "$1" -n 200 "$DORMANT_PEER_IP" 2>&1 |
		sed -n 's/.* = \([0-9.]*\) usec\/iter$/\1/p')
	[ -n "$us" ] || { echo "bench/pod.sh: ibv_rc_pingpong -s $1 failed" >&2; return 1; }
	echo "pod-rtt $1 $2 $us" | awk '{ printf "%s %s %s %.0f\n", $1, $2, $3, $4 * 1000 }'
}

if [ $me = a ]; then
	# a page with data in every block; then the data pages of the odd blocks
	r=0
	while [ $r -lt $blocks ]; do
		"$mem" "$mnt/vm1" write $((r * 512)) 1 7 || exit 1
		[ $((r % 2)) = 1 ] && { "$mem" "$mnt/vm1" write $((r * 512 + 1)) "$pages" 7 || exit 1; }
		r=$((r + 1))
	done
	"$mem" "$mnt/done" mark 0 0x600d || exit 1
else
	"$mem" "$mnt/done" wait 0 0x600d 600 || exit 1
	r=1
	while [ $r -le "$reps" ]; do
		set -- $("$mem" "$mnt/vm1" time $(( (2 * r) * 512 + 1)) "$pages")
		echo "pod-grant dormant $r $1 $2"
		set -- $("$mem" "$mnt/vm1" time $(( (2 * r - 1) * 512 + 1)) "$pages")
		echo "pod-grant data $r $1 $2"
		r=$((r + 1))
	done
	"$mem" "$mnt/vm1" check $((512 + 1)) "$pages" 7 ||
		{ echo "bench/pod.sh: the data pages came wrong" >&2; exit 1; }
	[ "$(pod_counter errors)" = 0 ] || { echo "bench/pod.sh: dormantd counted errors" >&2; exit 1; }
fi
# the raw round trips, both hosts in step (b connects to a)
r=1
while [ $r -le "$reps" ]; do
	rtt 8 $r || exit 1
	rtt 4096 $r || exit 1
	r=$((r + 1))
done
exit 0
