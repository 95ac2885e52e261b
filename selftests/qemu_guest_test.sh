#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Stock QEMU boots a Linux guest (this machine's kernel, a busybox
# initramfs) with its RAM on a dormant object
# (memory-backend-file,mem-path=<dormant fs>/guest0,share=on) and
# virtio-balloon free page reporting. The guest writes and checks 32 MiB,
# then fills and frees 192 MiB: what it frees comes back to the pools
# through QEMU's hole punching; after it powers off, the object shows far
# fewer pages backed than its RAM has, and the counters agree. With the
# VMM of Debian bookworm (QEMU 7.2, the system's) and of Debian 13 (QEMU
# 10.0, from .deps/).
set -u
. "$(dirname "$0")/lib.sh"
. "$top/tools/guest-lib.sh"

require_root
require_module_file
[ -e /dev/kvm ] || skip_all "no /dev/kvm"

ram_mb=${GUEST_RAM_MB:-1024}
ram_pages=$((ram_mb * 256))
work=$(mktemp -d)
mnt="$work/mnt"
mkdir -p "$mnt"
loaded_here=0
verify=/sys/module/dormant/parameters/verify
cleanup() {
	[ -w $verify ] && echo 0 > $verify
	umount "$mnt" 2>/dev/null
	[ $loaded_here = 1 ] && rmmod dormant 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
if ! module_loaded; then
	insmod "$KO" || skip_all "cannot insmod $KO"
	loaded_here=1
fi
# DORMANT_VERIFY=1 runs the guests with the pools' checks on (a wrong page
# is a WARN, which fails the sandbox run): see "verify" in
# Documentation/user-guide.rst. Off by default: see testing.rst.
if [ "${DORMANT_VERIFY:-0}" = 1 ]; then
	echo 1 > $verify || skip_all "cannot set $verify"
fi

cat > "$work/guest.sh" <<'G'
dd if=/dev/urandom of=/tmp/a bs=1M count=32 2>/dev/null
sum1=$(md5sum < /tmp/a)
sum2=$(md5sum < /tmp/a)
[ "$sum1" = "$sum2" ] && echo DORMANT_GUEST_WROTE
mount -t tmpfs -o size=300m tmpfs /mnt
dd if=/dev/zero of=/mnt/f bs=1M count=192 2>/dev/null
sync
rm /mnt/f
# reporting runs 2 s after pages are freed, in 2 MiB (pageblock) chunks,
# a batch at a time: give it time under emulation
sleep 20
echo DORMANT_GUEST_OK
G
GUEST_SCRIPT="$work/guest.sh"
GUEST_INITRD="$work/initrd.gz"
export GUEST_SCRIPT GUEST_INITRD

vmms="7.2 10.0"
tap_plan $((3 + 7 * 2))
check "mount -t dormant" mount -t dormant none "$mnt"
check "a guest initramfs" guest_initrd "$GUEST_INITRD" virtio_pci virtio_balloon
in_use0=$(cat /sys/kernel/dormant/nodes/node*/in_use | awk '{ s += $1 } END { print s }')

# vmm_tests VERSION: the guest with QEMU VERSION as the VMM
vmm_tests() {
	q=$1
	log="$work/console-$q.log"
	disc0=$(cat /sys/kernel/dormant/nodes/node*/discarded | awk '{ s += $1 } END { print s }')
	huge0=$(cat /sys/kernel/dormant/nodes/node*/fault_zeroed_2m | awk '{ s += $1 } END { print s }')
	t=$(guest_boot_retry "$log" 600 -m "$ram_mb" \
		-object "memory-backend-file,id=ram0,size=${ram_mb}M,mem-path=$mnt/guest0,share=on,align=2M" \
		-machine memory-backend=ram0 \
		-device virtio-balloon-pci,free-page-reporting=on)
	rc=$?
	diag "QEMU $q: guest reached /init after ${t} s; QEMU exit status $rc"
	if [ "$rc" = 0 ] && grep -q "DORMANT_GUEST_DONE 0" "$log" &&
	   grep -q DORMANT_GUEST_WROTE "$log" && grep -q DORMANT_GUEST_OK "$log"; then
		ok "QEMU $q: the guest booted on dormant memory, wrote and read back 32 MiB, filled and freed 192 MiB"
	else
		not_ok "QEMU $q: the guest booted on dormant memory, wrote and read back 32 MiB, filled and freed 192 MiB"
		sed 's/^/# console: /' "$log" | tail -n 30
		sed 's/^/# qemu: /' "$log.qemu" | tail -n 10
	fi
	out=$("$top/build/bin/dormantctl" --json stat "$mnt/guest0")
	present=$(printf '%s' "$out" | sed -n 's/.*"present": *\([0-9]*\).*/\1/p')
	faults=$(printf '%s' "$out" | sed -n 's/.*"faults": *\([0-9]*\).*/\1/p')
	discards=$(printf '%s' "$out" | sed -n 's/.*"discards": *\([0-9]*\).*/\1/p')
	disc=$(cat /sys/kernel/dormant/nodes/node*/discarded | awk '{ s += $1 } END { print s }')
	diag "QEMU $q: object: $present of $ram_pages pages present, $faults faults, $discards discards"
	check "QEMU $q: pages were faulted in (32 MiB at least: $faults)" test "${faults:-0}" -ge 8192
	huge=$(cat /sys/kernel/dormant/nodes/node*/fault_zeroed_2m | awk '{ s += $1 } END { print s }')
	check "QEMU $q: align=2M got the guest 2 MiB pages ($((huge - huge0)) from the pools)" \
		test $((huge - huge0)) -gt 0
	check "QEMU $q: far fewer pages present than RAM ($present < $ram_pages / 2)" \
		test "${present:-$ram_pages}" -lt $((ram_pages / 2))
	in_use=$(cat /sys/kernel/dormant/nodes/node*/in_use | awk '{ s += $1 } END { print s }')
	check "QEMU $q: nodes count the object's pages in use ($in_use - $in_use0 = $present)" \
		test $((in_use - in_use0)) = "${present:-x}"
	# make bench sees nearly all of what a guest frees come back within
	# 10 s (Documentation/benchmarks.rst); ask for 8 MiB within the 20 s
	# this guest waits, to stay clear of slow runs.
	check "QEMU $q: reported memory came back: $discards pages discarded (>= 8 MiB)" \
		test "${discards:-0}" -ge 2048
	check "QEMU $q: the nodes took those pages back ($((disc - disc0)) >= $discards)" \
		test $((disc - disc0)) -ge "${discards:-1}"
	rm -f "$mnt/guest0"
}

for q in $vmms; do
	if GUEST_QEMU=$(qemu_path "$q"); then
		export GUEST_QEMU
		vmm_tests "$q"
	else
		for i in 1 2 3 4 5 6 7; do skip "QEMU $q: guest test $i" "no QEMU $q"; done
	fi
done
umount "$mnt"
in_use=$(cat /sys/kernel/dormant/nodes/node*/in_use | awk '{ s += $1 } END { print s }')
check "all pages back in the pools once the objects are gone" test "$in_use" = "$in_use0"
tap_exit
