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
#   2. the guest moves to b (--drain: a then hands b every page it still
#      owns) and runs on there, writing; the pages it touches come from a
#      through the pod;
#   3. a move back to a target on a that hangs (it takes the stream and
#      never answers) is cancelled by -t and the guest runs on at b;
#   4. it moves back to a and runs on there;
#   5. a guest on QEMU 10.0 (Debian 13's, from .deps/) boots on a and
#      moves to b (steps 1-4 run bookworm's QEMU 7.2);
# and no check ever found its memory changed behind its back. Before all
# that, what move and accept refuse or give up on: a member the pod does
# not have, this host, no QMP socket, shared memory that is not a pod
# object (a), no guest coming within accept's -t (b).
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
0) me=a; tap_plan 18 ;;
1) me=b; tap_plan 12 ;;
*) tap_plan 1; not_ok "span: DORMANT_HOST is 0 or 1 (it is '$host')"; tap_exit ;;
esac

work=$(mktemp -d) || exit 1
mnt="$work/mnt"
mkdir "$mnt"
pod_pid=
guest_pid=
hung_pid=
cleanup() {
	[ -n "$guest_pid" ] && kill -9 "$guest_pid" 2>/dev/null && wait "$guest_pid" 2>/dev/null
	[ -n "$hung_pid" ] && kill -9 "$hung_pid" 2>/dev/null
	[ -n "$pod_pid" ] && pod_stop
	umount "$work/shm" 2>/dev/null
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
	# shared memory that is not a pod object: QEMU would leave it out
	mkdir "$work/shm"
	mount -t tmpfs -o size=64M none "$work/shm"
	main_pid=$guest_pid
	span_qemu x -S -m 64 -object memory-backend-file,id=ram0,size=64M,mem-path="$work/shm/x",share=on \
		-machine memory-backend=ram0
	out=$("$ctl" -c "$pod_ctl" move "$work/x.sock" b 2>&1)
	check "span: move of a guest whose shared memory is not a pod object is refused ($out)" \
		sh -c "printf '%s' \"\$1\" | grep -q 'shared but not an object of this host'" - "$out"
	$span_qmp "$work/x.sock" run quit > /dev/null 2>&1
	wait "$guest_pid" 2>/dev/null
	guest_pid=$main_pid
	umount "$work/shm"

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

	# 2. to b, with a QEMU there that can take it; then a's pages follow
	span_move "$work/a1.sock" --drain
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
	present=$("$ctl" --json stat "$mnt/span" | sed -n 's/.*"present": *\([0-9]*\).*/\1/p')
	check "span: --drain handed b every page of the guest a held ($(grep '^drained' "$work/move.out"); $present present)" \
		sh -c "grep -q '^drained: every page' '$work/move.out' && [ '$present' = 0 ]"

	# 3. a target that hangs: it takes the stream on port 4445 and never
	# answers (nc; stdin a FIFO opened read-write, so it never ends)
	mkfifo "$work/hung.in"
	busybox nc -l -p 4445 <> "$work/hung.in" > /dev/null 2>&1 &
	hung_pid=$!
	for i in $(seq 1 900); do
		kill -0 "$hung_pid" 2>/dev/null || break
		[ $((i % 60)) = 0 ] && echo "# span: the hung target waits for b's move ($i s)"
		sleep 1
	done
	kill -0 "$hung_pid" 2>/dev/null && kill -9 "$hung_pid"
	good=0
	wait "$hung_pid" && good=1
	hung_pid=
	check "span: b's move came to the hung target and went" [ $good = 1 ]

	# 4. back from b
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

	# 5. QEMU 10.0: a new guest boots on a and moves to b
	if GUEST_QEMU=$(qemu_path 10.0); then
		export GUEST_QEMU
		span_qemu a3 $mem $rng
		good=0
		span_wait_checks a3 1 900 && good=1
		check "span: QEMU 10.0: a guest booted on a and checks its 16 MiB" [ $good = 1 ]
		[ $good = 1 ] || span_show a3
		span_move "$work/a3.sock" b
		rc=$?
		sed 's/^/# move: /' "$work/move.out"
		check "span: QEMU 10.0: the guest moved to b ($(grep '^moved' "$work/move.out"))" \
			sh -c "[ $rc = 0 ] && grep -q '^moved to b: ' '$work/move.out'"
		wait "$guest_pid" 2>/dev/null
		guest_pid=
		# stay in the pod until b's guest is done with a's pages
		pod_await peer_drops 1 900
	else
		skip "span: QEMU 10.0: a guest booted on a" "no QEMU 10.0"
		skip "span: QEMU 10.0: the guest moved to b" "no QEMU 10.0"
	fi
	"$ctl" -c "$pod_ctl" pod | sed 's/^/# dormantctl pod: /'
	check "span: a's dormantd stops cleanly" pod_stop
else
	# accept gives up when no guest comes within -t (on another port:
	# a's first move must not find this QEMU)
	span_qemu bt $mem -incoming defer
	"$ctl" -c "$pod_ctl" -t 2 -p 4445 accept "$work/bt.sock" > "$work/accept-t.out" 2>&1
	rc=$?
	st=$($span_qmp "$work/bt.sock" run query-status 2>&1)
	check "span: accept -t 2 gives up when no guest comes ($(tail -n 1 "$work/accept-t.out")), its QEMU still waits ($st)" \
		sh -c "[ $rc = 1 ] && grep -q 'no guest came within 2 s' '$work/accept-t.out' && printf '%s' '$st' | grep -q inmigrate"
	$span_qmp "$work/bt.sock" run quit > /dev/null 2>&1
	wait "$guest_pid" 2>/dev/null
	guest_pid=

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

	# 3. a target on a that hangs: the move is cancelled, the guest runs on
	for i in $(seq 1 300); do
		"$ctl" -c "$pod_ctl" -t 30 -p 4445 move "$work/b1.sock" a > "$work/move.out" 2>&1
		rc=$?
		grep -q "nothing waits" "$work/move.out" || break
		sleep 2
	done
	sed 's/^/# move: /' "$work/move.out"
	check "span: a move to a target that hangs is cancelled after 30 s" \
		sh -c "[ $rc = 1 ] && grep -q 'did not end within 30 s: cancelled' '$work/move.out' && grep -q 'the guest runs on here' '$work/move.out'"
	good=0
	span_wait_checks b1 2 300 && good=1
	st=$($span_qmp "$work/b1.sock" run query-status 2>&1)
	check "span: the guest runs on at b after the cancelled move ($st), bad $(span_bad b1)" \
		sh -c "[ $good = 1 ] && [ '$(span_bad b1)' = 0 ] && printf '%s' '$st' | grep -q '\"running\"'"
	[ $good = 1 ] || span_show b1

	# 4. back to a
	span_move "$work/b1.sock" a
	rc=$?
	sed 's/^/# move: /' "$work/move.out"
	kb=$(span_field stream)
	check "span: the guest moved back to a, ${kb:-?} KB of stream" \
		sh -c "[ $rc = 0 ] && [ '${kb:-999999}' -lt 8192 ]"
	wait "$guest_pid" 2>/dev/null
	guest_pid=

	# 5. QEMU 10.0: the new guest comes here from a
	if GUEST_QEMU=$(qemu_path 10.0); then
		export GUEST_QEMU
		span_qemu b3 $mem $rng -incoming defer
		span_accept b3
		rc=$?
		sed 's/^/# accept: /' "$work/accept.out"
		check "span: QEMU 10.0: the guest came to b" [ $rc = 0 ]
		good=0
		span_wait_checks b3 3 600 && good=1
		check "span: QEMU 10.0: the guest runs on at b, $(span_checks b3) checks here, bad $(span_bad b3)" \
			[ $good = 1 -a "$(span_bad b3)" = 0 ]
		[ $good = 1 ] || span_show b3
		$span_qmp "$work/b3.sock" run quit > /dev/null 2>&1
		wait "$guest_pid" 2>/dev/null
		guest_pid=
	else
		skip "span: QEMU 10.0: the guest came to b" "no QEMU 10.0"
		skip "span: QEMU 10.0: the guest runs on at b" "no QEMU 10.0"
	fi
	"$ctl" -c "$pod_ctl" pod | sed 's/^/# dormantctl pod: /'
	check "span: b's dormantd stops cleanly" pod_stop
fi
tap_exit
