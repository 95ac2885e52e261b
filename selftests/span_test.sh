#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The spanning VM, on two sandbox hosts joined by Soft-RoCE (members "a",
# host 0, and "b", host 1, of one pod): a stock QEMU/KVM guest whose memory
# is the pod object "span" (owned by a at the start) boots on a, writes
# 64 MiB of random data and takes its sum (selftests/span_guest.sh), then
# moves live to b with QEMU's own migration and the capability
# x-ignore-shared: no guest RAM goes into the stream, the pod moves it. On
# b the guest runs on and checks its sum every second to its end; the
# pages it touches there come from a through the pod (with their data when
# they hold data, as ownership alone when dormant).
#
#   tools/sandbox -H 2 -- 'sh selftests/span_test.sh'
set -u
. "$(dirname "$0")/lib.sh"
. "$top/tools/guest-lib.sh"

host=${DORMANT_HOST:-}
qmp="python3 $top/tools/qmp.py"
port=4444

[ -n "${DORMANT_PEER_IP:-}" ] || skip_all "no peer host (DORMANT_PEER_IP is empty)"
rdma link show 2>/dev/null | grep -q rxe0 || skip_all "no Soft-RoCE device rxe0"
require_root
require_module_file

case $host in
0) me=a; tap_plan 5 ;;
1) me=b; tap_plan 5 ;;
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

# The same machine on both hosts, the same guest kernel (the newest in
# /boot: both hosts see the machine's /boot), an initramfs with no modules.
GUEST_KERNEL=$(ls /boot/vmlinuz-* | sort -V | tail -n 1)
GUEST_SCRIPT="$top/selftests/span_guest.sh"
GUEST_INITRD="$work/initrd.gz"
GUEST_SMP=1
export GUEST_KERNEL GUEST_SCRIPT GUEST_INITRD GUEST_SMP
guest_initrd "$GUEST_INITRD" || { not_ok "span: the guest's initramfs"; tap_exit; }
log="$work/guest.log"
sock="$work/qmp.sock"
set -- -m 512 \
	-object "memory-backend-file,id=ram0,size=512M,mem-path=$mnt/span,share=on,align=2M" \
	-machine memory-backend=ram0 -qmp "unix:$sock,server=on,wait=off"

# wait_log PATTERN SEC: until the guest's console has PATTERN, saying every
# minute that it still waits (for tools/sandbox's watchdog); 0 if it came.
wait_log() {
	for i in $(seq 1 "$2"); do
		grep -q "$1" "$log" 2>/dev/null && return 0
		kill -0 "$guest_pid" 2>/dev/null || return 1
		[ $((i % 60)) = 0 ] && echo "# span: waiting for '$1' ($i s)"
		sleep 1
	done
	return 1
}

if [ $me = b ]; then
	: > "$log"
	guest_qemu "$log" "$@" -incoming defer
	good=0
	$qmp "$sock" wait-socket 120 && $qmp "$sock" incoming "tcp:$DORMANT_IP:$port" && good=1
	check "span: b's QEMU waits for the guest on port $port" [ $good = 1 ]
	g0=$(pod_counter grants_in)
	d0=$(pod_counter data_bytes_in)
	good=0
	wait_log "DORMANT_GUEST_DONE" 900 && grep -q "DORMANT_GUEST_DONE 0" "$log" && good=1
	n=$(grep -c "^SPAN_CHECK" "$log")
	check "span: the guest ran on b to its end, its 64 MiB intact in $n checks there" \
		[ $good = 1 -a "$n" -ge 1 ]
	[ $good = 1 ] || { sed 's/^/# console: /' "$log" | tail -n 20; sed 's/^/# qemu: /' "$log.qemu" | tail -n 10; }
	wait "$guest_pid" 2>/dev/null
	guest_pid=
	g1=$(pod_counter grants_in)
	d1=$(pod_counter data_bytes_in)
	# the 64 MiB the guest wrote on a came with their data (and more
	# pages it had written before: the kernel, its initramfs)
	check "span: b's faults pulled the guest's pages from a: $((g1 - g0)) grants, $(((d1 - d0) >> 20)) MiB of page data" \
		[ $((d1 - d0)) -ge $((64 << 20)) ]
	# b's dormantd leaving tells a that the guest is done with a's pages
	"$top/build/bin/dormantctl" -c "$pod_ctl" pod | sed 's/^/# dormantctl pod: /'
	check "span: b's dormantd stops cleanly" pod_stop
else
	guest_qemu "$log" "$@"
	good=0
	wait_log "SPAN_SUM" 900 && good=1
	check "span: the guest booted on a and wrote its 64 MiB ($(grep -m1 -o 'SPAN_SUM [0-9a-f]*' "$log"))" [ $good = 1 ]
	[ $good = 1 ] || { sed 's/^/# console: /' "$log" | tail -n 20; sed 's/^/# qemu: /' "$log.qemu" | tail -n 10; }
	out=$($qmp "$sock" migrate "tcp:$DORMANT_PEER_IP:$port" 600 2>&1)
	rc=$?
	bytes=$(printf '%s\n' "$out" | sed -n 's/.*stream \([0-9]*\) bytes.*/\1/p')
	check "span: the guest moved to b ($out)" [ $rc = 0 ]
	# no guest RAM in the stream: firmware, ROMs and device state only
	check "span: the stream carried no guest RAM (${bytes:-?} bytes for 512 MiB)" \
		[ "${bytes:-999999999}" -lt $((8 << 20)) ]
	$qmp "$sock" run quit > /dev/null 2>&1
	wait "$guest_pid" 2>/dev/null
	guest_pid=
	# stay in the pod until b's guest is done with a's pages
	check "span: b's dormantd leaves when its guest is done" pod_await peer_drops 1 900
fi
tap_exit
