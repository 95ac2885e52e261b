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
# 4 KiB messages, BENCH_REPEAT (default 3) times each. Last, b boots a
# stock QEMU/KVM guest of BENCH_POD_GUEST (default 1G) on an object all
# a's at the start, and the same guest on an object all b's, taking turns,
# BENCH_REPEAT times each: seconds to the guest's /init.
#
# Output lines (host b):
#   pod-grant dormant RUN MEDIAN_NS PAGES
#   pod-grant data RUN MEDIAN_NS PAGES
#   pod-rtt BYTES RUN NS_PER_ROUND_TRIP
#   pod-boot remote|local RUN SECONDS
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tools/guest-lib.sh"
pages=${BENCH_POD_PAGES:-100}
reps=${BENCH_REPEAT:-3}
guest=${BENCH_POD_GUEST:-1G}
if [ "${guest%G}G" != "$guest" ] || ! is_count "${guest%G}"; then
	echo "bench/pod.sh: BENCH_POD_GUEST must be a size in GiB such as 1G, got '$guest'" >&2
	exit 2
fi
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

modprobe kvm_amd 2>/dev/null || modprobe kvm_intel || exit 1
insmod "$top/build/$(uname -r)/dormant.ko" || exit 1
mount -t dormant none "$mnt" || exit 1
# one 2 MiB block per run and kind: (reps * 2 + 1) blocks, and "done";
# per run, a guest's memory owned by a (rN) and one owned by b (lN)
blocks=$((reps * 2 + 1))
guests=
r=1
while [ $r -le "$reps" ]; do
	guests="$guests
    { \"name\": \"r$r\", \"size\": \"$guest\", \"owner\": \"a\" },
    { \"name\": \"l$r\", \"size\": \"$guest\", \"owner\": \"b\" },"
	r=$((r + 1))
done
pod_file "$work/pod.json" "[$guests
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

# boots on b: memory all a's against memory all b's, taking turns
if [ $me = a ]; then
	# a line a minute, so that the sandbox's watchdog hears from us
	n=0
	until "$mem" "$mnt/done" wait 0 0xb007 60 2>/dev/null; do
		n=$((n + 1))
		[ $n -lt 60 ] || { echo "bench/pod.sh: b's boots took over an hour" >&2; exit 1; }
		echo "# host a: serving the boots on b ($n min)"
	done
	exit 0
fi
GUEST_INITRD="$work/initrd.gz" GUEST_SCRIPT= GUEST_SMP=2
export GUEST_INITRD GUEST_SCRIPT GUEST_SMP
guest_initrd "$GUEST_INITRD" || exit 1
r=1
while [ $r -le "$reps" ]; do
	for kind in remote local; do
		obj=l$r
		[ $kind = remote ] && obj=r$r
		t=$(guest_boot "$work/guest.log" 900 -m "$guest" \
			-object "memory-backend-file,id=ram0,size=$guest,mem-path=$mnt/$obj,share=on,align=2M" \
			-machine memory-backend=ram0)
		case $t in
		none | timeout)
			echo "bench/pod.sh: the $kind guest died before its /init ($t)" >&2
			tail -n 20 "$work/guest.log" | sed 's/^/# console: /' >&2
			exit 1 ;;
		esac
		echo "pod-boot $kind $r $t"
		# its pages (now b's either way) back to the pools
		fallocate --punch-hole --keep-size -o 0 -l "$guest" "$mnt/$obj" ||
			exit 1
	done
	r=$((r + 1))
done
[ "$(pod_counter errors)" = 0 ] || { echo "bench/pod.sh: dormantd counted errors" >&2; exit 1; }
"$mem" "$mnt/done" mark 0 0xb007
sleep 2
exit 0
