#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The demo, inside a sandbox host (tools/demo.sh starts it; on a real host
# run it as root from a built checkout): load the module, boot a stock
# QEMU/KVM Linux guest (2 vCPUs) with DEMO_RAM (default 8G) of RAM on
# dormant memory, show its stalls per vCPU and the pools, boot the same
# guest with -mem-prealloc on ordinary memory, and compare the time from
# QEMU's start to the guest's /init. A guest that dies makes the demo say
# so and exit 1, its console kept in DORMANT_OUT (or /tmp).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tools/guest-lib.sh"
ram=${DEMO_RAM:-8G}
if [ "${ram%G}G" != "$ram" ] || ! is_count "${ram%G}"; then
	echo "demo: DEMO_RAM must be a size in GiB such as 8G, got '$ram'" >&2
	exit 2
fi
out=${DORMANT_OUT:-/tmp}
ctl="$top/build/bin/dormantctl"
mnt=/run/dormant/mem
work=$(mktemp -d) || exit 1
cleanup() {
	umount "$mnt" 2>/dev/null
	[ -d /sys/module/dormant ] && rmmod dormant
	rm -rf "$work"
}
trap cleanup EXIT

# died NAME LOG: the guest NAME did not reach /init: say so, keep its logs.
died() {
	echo "demo: the $1 guest died before its /init; its console and QEMU's messages are in $out/demo-$1.*" >&2
	for f in "$2" "$2.qemu" "$2.cpu"; do
		[ -f "$f" ] && cp "$f" "$out/demo-$1.${f##*.}"
	done
	tail -n 20 "$2" | sed 's/^/# console: /' >&2
	exit 1
}

modprobe kvm_amd 2>/dev/null || modprobe kvm_intel || exit 1
insmod "$top/build/$(uname -r)/dormant.ko" || exit 1
mkdir -p "$mnt"
mount -t dormant none "$mnt" || exit 1
GUEST_INITRD="$work/guest-initrd.gz"
GUEST_SCRIPT=
GUEST_SMP=2
export GUEST_INITRD GUEST_SCRIPT GUEST_SMP
guest_initrd "$GUEST_INITRD" || exit 1

echo "== dormant $(uname -r) sandbox host, NUMA nodes with memory: $(cat /sys/devices/system/node/has_memory)"
"$ctl" info
echo "== pools before the guests"
"$ctl" stats
echo "== booting a $ram guest on dormant memory (memory-backend-file,mem-path=$mnt,share=on)"
d=$(guest_boot_retry "$work/dormant.log" 900 -m "$ram" \
	-object "memory-backend-file,id=ram0,size=$ram,mem-path=$mnt,share=on,align=2M" \
	-machine memory-backend=ram0)
rc=$?
case $d in none | timeout) died dormant "$work/dormant.log" ;; esac
[ $rc = 0 ] || { cat "$work/dormant.log.qemu"; exit 1; }
echo "guest /init after $d s"
echo "== EPT/NPT-violation stalls of that guest on dormant memory, per vCPU"
"$ctl" vcpus
echo "== pools after the dormant guest (its object is gone: its pages are back)"
"$ctl" stats
echo "== booting the same guest with -mem-prealloc on ordinary memory"
p=$(guest_boot_retry "$work/prealloc.log" 1500 -m "$ram" -mem-prealloc)
rc=$?
case $p in none | timeout) died prealloc "$work/prealloc.log" ;; esac
[ $rc = 0 ] || { cat "$work/prealloc.log.qemu"; exit 1; }
echo "guest /init after $p s"
deaths=0
[ -f "$out/rig-deaths" ] && deaths=$(grep -c '^death' "$out/rig-deaths")
echo "rig deaths: $deaths"
echo "$d $p" | awk '{ printf "boot: dormant %s s, prealloc %s s, ratio %.1f\n", $1, $2, $2 / $1 }'
