#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The spanning VM, on two sandbox hosts joined by Soft-RoCE (members "a",
# host 0, and "b", host 1, of one pod): a stock QEMU/KVM guest whose memory
# is the pod object "span" (owned by a at the start) boots on a, fills
# 16 MiB with random data and then checks and rewrites them without end
# (selftests/span_guest.sh). With `dormantctl move` and `dormantctl accept`
# (QEMU's own migration with x-ignore-shared: no guest RAM in the stream,
# the pod moves it):
#   1. a move to a target QEMU that cannot load the guest (it lacks a
#      device the guest has) fails, that QEMU exits, the guest runs on at a;
#   2. the guest moves to b and runs on there, writing; the pages it
#      touches come from a through the pod;
#   3. it moves back to a and runs on there;
# and no check ever found its memory changed behind its back.
#
#   tools/sandbox -H 2 -- 'sh selftests/span_test.sh'
set -u
. "$(dirname "$0")/lib.sh"
. "$top/tools/guest-lib.sh"

host=${DORMANT_HOST:-}
ctl="$top/build/bin/dormantctl"

[ -n "${DORMANT_PEER_IP:-}" ] || skip_all "no peer host (DORMANT_PEER_IP is empty)"
rdma link show 2>/dev/null | grep -q rxe0 || skip_all "no Soft-RoCE device rxe0"
require_root
require_module_file

case $host in
0) me=a; tap_plan 13 ;;
1) me=b; tap_plan 8 ;;
*) tap_plan 1; not_ok "span: DORMANT_HOST is 0 or 1 (it is '$host')"; tap_exit ;;
esac

work=$(mktemp -d) || exit 1
mnt="$work/mnt"
mkdir "$mnt"
pod_pid=
guest_pid=
cleanup() {
	[ -n "$guest_pid" ] && kill -9 "$guest_pid" 2>/dev/null && wait "$guest_pid" 2>/dev/null
	[ -n "$pod_pid" ] && pod_stop
	umount "$mnt" 2>/dev/null
	unload_module
	rm -rf "$work"
}
trap cleanup EXIT

pod_file "$work/pod.json" '[ { "name": "span", "size": "512M", "owner": "a" } ]'
modprobe kvm_amd 2>/dev/null || modprobe kvm_intel 2>/dev/null
load_module || { not_ok "span: insmod"; tap_exit; }
mount -t dormant none "$mnt" || { not_ok "span: mount"; tap_exit; }
up=0
pod_start "$work/pod.json" $me "$mnt" "$work" && up=1
check "span: dormantd on $me connected to the other member" [ $up = 1 ]
[ $up = 1 ] || tap_exit
. "$top/tools/span-lib.sh"

# The same machine on both hosts, the same guest kernel (the newest in
# /boot: both hosts see the machine's /boot), an initramfs with no modules.
GUEST_KERNEL=$(ls /boot/vmlinuz-* | sort -V | tail -n 1)
GUEST_SCRIPT="$top/selftests/span_guest.sh"
GUEST_INITRD="$work/initrd.gz"
GUEST_SMP=1
export GUEST_KERNEL GUEST_SCRIPT GUEST_INITRD GUEST_SMP
guest_initrd "$GUEST_INITRD" || { not_ok "span: the guest's initramfs"; tap_exit; }
mem="-m 512 -object memory-backend-file,id=ram0,size=512M,mem-path=$mnt/span,share=on,align=2M -machine memory-backend=ram0"
# a device of the guest's that the broken target leaves out
rng="-device virtio-rng-pci,id=rng0"

if [ $me = a ]; then
	span_qemu a1 $mem $rng
	good=0
	span_wait_checks a1 1 900 && good=1
	check "span: the guest booted on a and checks its 16 MiB ($(grep -m1 -o 'SPAN_SUM [0-9a-f]*' "$work/a1.log"))" [ $good = 1 ]
	[ $good = 1 ] || { span_show a1; tap_exit; }

	# what `dormantctl move` refuses before it touches the guest
	out=$("$ctl" -c "$pod_ctl" move "$work/a1.sock" zz 2>&1)
	check "span: move to a member the pod does not have is refused ($out)" \
		sh -c "printf '%s' \"\$1\" | grep -q \"'zz' is not a member of the pod\"" - "$out"
	out=$("$ctl" -c "$pod_ctl" move "$work/a1.sock" a 2>&1)
	check "span: move to this host is refused ($out)" \
		sh -c "printf '%s' \"\$1\" | grep -q 'is this host'" - "$out"
	out=$("$ctl" -c "$pod_ctl" move "$work/none.sock" b 2>&1)
	check "span: move of a guest with no QMP socket is refused ($out)" \
		sh -c "printf '%s' \"\$1\" | grep -q \"the guest's QMP socket: .*No such file\"" - "$out"

	# 1. b waits with a QEMU that lacks the guest's rng device
	span_move "$work/a1.sock" b
	rc=$?
	sed 's/^/# move: /' "$work/move.out"
	check "span: the move to a target that cannot load the guest fails" \
		sh -c "[ $rc = 1 ] && grep -q 'the guest runs on here' '$work/move.out'"
	st=$($span_qmp "$work/a1.sock" run query-status 2>&1)
	good=0
	span_wait_checks a1 2 300 && good=1
	check "span: the guest runs on at a after the failed move ($st)" \
		sh -c "[ $good = 1 ] && printf '%s' '$st' | grep -q '\"running\"'"

	# 2. to b, with a QEMU there that can take it
	span_move "$work/a1.sock"
	rc=$?
	sed 's/^/# move: /' "$work/move.out"
	check "span: the guest moved to b, the member with the most free pool memory ($(grep '^moved' "$work/move.out"))" \
		sh -c "[ $rc = 0 ] && grep -q '^moved to b: ' '$work/move.out'"
	kb=$(span_field stream)
	check "span: the stream carried no guest RAM (${kb:-?} KB for 512 MiB)" \
		[ "${kb:-999999}" -lt 8192 ]
	wait "$guest_pid" 2>/dev/null
	check "span: a's QEMU ended after the move (dormantctl quit it)" \
		sh -c "! kill -0 $guest_pid 2>/dev/null"
	guest_pid=

	# 3. back from b
	span_qemu a2 $mem $rng -incoming defer
	span_accept a2
	rc=$?
	sed 's/^/# accept: /' "$work/accept.out"
	check "span: the guest came back to a" [ $rc = 0 ]
	good=0
	span_wait_checks a2 3 600 && good=1
	check "span: the guest runs on at a, $(span_checks a1) checks before its trip, $(span_checks a2) after, bad $(span_bad a2)" \
		[ $good = 1 -a "$(span_bad a2)" = 0 -a "$(span_bad a1)" = 0 ]
	[ $good = 1 ] || span_show a2
	$span_qmp "$work/a2.sock" run quit > /dev/null 2>&1
	wait "$guest_pid" 2>/dev/null
	guest_pid=
	"$ctl" -c "$pod_ctl" pod | sed 's/^/# dormantctl pod: /'
	check "span: a's dormantd stops cleanly" pod_stop
else
	# 1. a target that cannot load the guest: it lacks the rng device
	span_qemu b0 $mem -incoming defer
	span_accept b0
	rc=$?
	sed 's/^/# accept: /' "$work/accept.out"
	wait "$guest_pid" 2>/dev/null
	qrc=$?
	guest_pid=
	check "span: the broken target failed the move and its QEMU exited ($qrc)" \
		sh -c "[ $rc = 1 -a $qrc != 0 ] && grep -q 'Unknown\|section\|load' '$work/b0.log.qemu'"
	[ $rc = 1 ] || span_show b0

	# 2. the guest comes here
	g0=$(pod_counter grants_in)
	d0=$(pod_counter data_bytes_in)
	span_qemu b1 $mem $rng -incoming defer
	span_accept b1
	rc=$?
	sed 's/^/# accept: /' "$work/accept.out"
	check "span: the guest came to b" [ $rc = 0 ]
	good=0
	span_wait_checks b1 3 600 && good=1
	check "span: the guest runs on at b, writing, $(span_checks b1) checks here, bad $(span_bad b1)" \
		[ $good = 1 -a "$(span_bad b1)" = 0 ]
	[ $good = 1 ] || span_show b1
	g1=$(pod_counter grants_in)
	d1=$(pod_counter data_bytes_in)
	# the 16 MiB the guest wrote on a came with their data (and more
	# pages it had written before: the kernel, its initramfs)
	check "span: b's faults pulled the guest's pages from a: $((g1 - g0)) grants, $(((d1 - d0) >> 20)) MiB of page data" \
		[ $((d1 - d0)) -ge $((16 << 20)) ]

	# 3. back to a
	span_move "$work/b1.sock" a
	rc=$?
	sed 's/^/# move: /' "$work/move.out"
	kb=$(span_field stream)
	check "span: the guest moved back to a, ${kb:-?} KB of stream" \
		sh -c "[ $rc = 0 ] && [ '${kb:-999999}' -lt 8192 ]"
	wait "$guest_pid" 2>/dev/null
	guest_pid=
	# stay in the pod until a's guest is done with b's pages
	check "span: a's dormantd leaves when its guest is done" pod_await peer_drops 1 900
	"$ctl" -c "$pod_ctl" pod | sed 's/^/# dormantctl pod: /'
	check "span: b's dormantd stops cleanly" pod_stop
fi
tap_exit
