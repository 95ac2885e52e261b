#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The pod demo, in each of two sandbox hosts (tools/demo-pod.sh starts
# them): load the module, start dormantd as member a (host 0) or b
# (host 1) of a pod whose object vm1, DEMO_POD_RAM (default 2G) of guest
# memory, is all a's at the start. Host b boots a stock QEMU/KVM Linux
# guest with vm1 as its RAM: every page the boot touches comes from a,
# with its data if it held any (none did). b then prints what crossed the
# link; a waits for b through a mark in a second object, "done".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tools/guest-lib.sh"
ram=${DEMO_POD_RAM:-2G}
if [ "${ram%G}G" != "$ram" ] || ! is_count "${ram%G}"; then
	echo "demo-pod: DEMO_POD_RAM must be a size in GiB such as 2G, got '$ram'" >&2
	exit 2
fi
case ${DORMANT_HOST:-} in
0) me=a ;;
1) me=b ;;
*) echo "demo-pod: run it in two sandbox hosts (make demo-pod)" >&2; exit 2 ;;
esac
mem="$top/build/selftests/pod_mem"
out=${DORMANT_OUT:-/tmp}
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
pod_file "$work/pod.json" "[
    { \"name\": \"vm1\", \"size\": \"$ram\", \"owner\": \"a\" },
    { \"name\": \"done\", \"size\": \"2M\", \"owner\": \"a\" }
  ]"
pod_start "$work/pod.json" $me "$mnt" "$work" ||
	{ echo "demo-pod: dormantd on $me did not connect to the other host" >&2; exit 1; }

if [ $me = a ]; then
	echo "== host a: owns all $ram of vm1; the guest boots on host b"
	"$mem" "$mnt/done" wait 0 0x600d 1500 ||
		{ echo "demo-pod: host b did not finish" >&2; exit 1; }
	"$mem" "$mnt/done" mark 0 0xacc
	echo "host a gave $(pod_counter pages_out) pages in $(pod_counter grants_out) grants, $(pod_counter data_pages_out) of them with data"
	sleep 5		# b reads the acknowledgement before a stops
	exit 0
fi

GUEST_INITRD="$work/guest-initrd.gz"
GUEST_SCRIPT=
GUEST_SMP=2
export GUEST_INITRD GUEST_SCRIPT GUEST_SMP
guest_initrd "$GUEST_INITRD" || exit 1
echo "== host b: booting a $ram guest on vm1, whose every page host a owns"
t=$(guest_boot "$work/guest.log" 900 -m "$ram" \
	-object "memory-backend-file,id=ram0,size=$ram,mem-path=$mnt/vm1,share=on,align=2M" \
	-machine memory-backend=ram0)
status=0
case $t in
none | timeout)
	echo "demo-pod: the guest on host b died before its /init ($t); its console is in $out/demo-pod-guest.log" >&2
	cp "$work/guest.log" "$out/demo-pod-guest.log"
	tail -n 20 "$work/guest.log" | sed 's/^/# console: /' >&2
	status=1 ;;
*)
	echo "guest /init after $t s"
	grep -q 'DORMANT_GUEST_DONE 0' "$work/guest.log" ||
		{ echo "demo-pod: the guest did not finish cleanly" >&2; status=1; } ;;
esac
bytes=$(pod_counter data_bytes_in)
grants=$(pod_counter grants_in)
data=$(pod_counter grants_in_data)
p50=$(pod_counter grant_ns_p50)
errors=$(pod_counter errors)
"$mem" "$mnt/done" mark 0 0x600d
"$mem" "$mnt/done" wait 0 0xacc 300 || echo "demo-pod: host a did not acknowledge" >&2
[ "$errors" = 0 ] || { echo "demo-pod: dormantd on b counted $errors errors" >&2; status=1; }
echo "pod: boot on B with memory owned by A: page data $((bytes / 1024)) KiB for $grants grants (dormant $((grants - data)), data $data), grant p50 $((p50 / 1000)) us"
exit $status
