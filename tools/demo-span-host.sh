#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The spanning-VM demo, in each of two sandbox hosts (tools/demo-span.sh
# starts them): members a (host 0) and b (host 1) of a pod with one object
# per guest size in DEMO_SPAN_SIZES (default "1G 8G"), all a's at the start.
# For each size in turn, a stock QEMU/KVM guest boots on a, fills 16 MiB
# with random data and checks and rewrites them without end
# (selftests/span_guest.sh); `dormantctl move` moves it to b, where it
# runs on for a few checks. Host a writes each move's figures to
# $DORMANT_OUT/move-SIZE, host b the page data that came after the move
# to $DORMANT_OUT/pages-SIZE; tools/demo-span.sh prints them side by side.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tools/guest-lib.sh"
sizes=${DEMO_SPAN_SIZES:-1G 8G}
set -- $sizes
for s in "${@:-none}"; do
	if [ "${s%G}G" != "$s" ] || ! is_count "${s%G}"; then
		echo "demo-span: DEMO_SPAN_SIZES must be sizes in GiB such as '1G 8G', got '$s'" >&2
		exit 2
	fi
done
case ${DORMANT_HOST:-} in
0) me=a ;;
1) me=b ;;
*) echo "demo-span: run it in two sandbox hosts (make demo-span)" >&2; exit 2 ;;
esac
out=${DORMANT_OUT:-/tmp}
work=$(mktemp -d) || exit 1
mnt="$work/mnt"
mkdir "$mnt"
pod_pid=
guest_pid=
cleanup() {
	[ -n "$guest_pid" ] && kill -9 "$guest_pid" 2>/dev/null && wait "$guest_pid" 2>/dev/null
	[ -n "$pod_pid" ] && pod_stop
	umount "$mnt" 2>/dev/null
	[ -d /sys/module/dormant ] && rmmod dormant
	rm -rf "$work"
}
trap cleanup EXIT

modprobe kvm_amd 2>/dev/null || modprobe kvm_intel || exit 1
insmod "$top/build/$(uname -r)/dormant.ko" || exit 1
mount -t dormant none "$mnt" || exit 1
objs=""
for s in $sizes; do
	objs="$objs${objs:+, }{ \"name\": \"vm$s\", \"size\": \"$s\", \"owner\": \"a\" }"
done
pod_file "$work/pod.json" "[ $objs ]"
pod_start "$work/pod.json" $me "$mnt" "$work" || exit 1
. "$top/tools/span-lib.sh"

GUEST_KERNEL=$(ls /boot/vmlinuz-* | sort -V | tail -n 1)
GUEST_SCRIPT="$top/selftests/span_guest.sh"
GUEST_INITRD="$work/initrd.gz"
export GUEST_KERNEL GUEST_SCRIPT GUEST_INITRD
guest_initrd "$GUEST_INITRD" || exit 1

for s in $sizes; do
	mem="-m $s -object memory-backend-file,id=ram0,size=$s,mem-path=$mnt/vm$s,share=on,align=2M -machine memory-backend=ram0"
	if [ $me = a ]; then
		echo "demo-span: a $s guest boots on a"
		span_qemu "a$s" $mem
		span_wait_checks "a$s" 2 900 || { span_show "a$s"; exit 1; }
		echo "demo-span: it runs; moving it to b"
		span_move "$work/a$s.sock" b
		rc=$?
		cat "$work/move.out"
		[ $rc = 0 ] || exit 1
		echo "$(span_field total) $(span_field downtime) $(span_field stream)" > "$out/move-$s"
		wait "$guest_pid"
		guest_pid=
	else
		d0=$(pod_counter data_bytes_in)
		span_qemu "b$s" $mem -incoming defer
		span_accept "b$s" || { cat "$work/accept.out"; span_show "b$s"; exit 1; }
		span_wait_checks "b$s" 3 900 || { span_show "b$s"; exit 1; }
		d1=$(pod_counter data_bytes_in)
		bad=$(span_bad "b$s")
		echo "demo-span: the $s guest runs on b: $(span_checks "b$s") checks of its data here, $bad failed"
		echo "$((d1 - d0)) $bad" > "$out/pages-$s"
		$span_qmp "$work/b$s.sock" run quit > /dev/null
		wait "$guest_pid"
		guest_pid=
		[ "$bad" = 0 ] || exit 1
	fi
done
# a stays until b is done with its pages
if [ $me = a ]; then
	pod_await peer_drops 1 900 || exit 1
fi
pod_stop
