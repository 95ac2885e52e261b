#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# One sandbox host's share of the rig soak (tools/rig-soak starts it):
# create and destroy VMS raw-KVM VMs in a row (tools/vm_churn, no other VM
# open, so KVM flips its static keys each time), then boot GUESTS stock
# QEMU/KVM Linux guests (2 vCPUs, 512 MiB) in turn on dormant and on
# ordinary (memfd) memory, every other pair with virtio-balloon free page
# reporting while the guest fills and frees 64 MiB. One line per result:
#   soak vms N                      N VMs created and destroyed so far
#   soak guest KIND MEM RESULT S    RESULT: ok, died-before-init,
#                                   died-after-init, timeout
# usage: sh tools/soak-host.sh VMS GUESTS [QEMU-VERSION]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tools/guest-lib.sh"
vms=$1 guests=$2
is_count "$vms" && { [ "$guests" = 0 ] || is_count "$guests"; } ||
	{ echo "soak-host: VMS must be a count, GUESTS a count or 0" >&2; exit 2; }
GUEST_QEMU=$(qemu_path "${3:-7.2}") || exit 2
export GUEST_QEMU

modprobe kvm_amd 2>/dev/null || modprobe kvm_intel || exit 1
insmod "$top/build/$(uname -r)/dormant.ko" || exit 1
work=$(mktemp -d) || exit 1
mnt="$work/mnt"
mkdir -p "$mnt"
mount -t dormant none "$mnt" || exit 1
trap 'umount "$mnt" 2>/dev/null; rmmod dormant 2>/dev/null; rm -rf "$work"' EXIT

"$top/build/tools/vm_churn" "$vms" | sed -u 's/^vm_churn: \([0-9]*\) VMs$/soak vms \1/' || exit 1

cat > "$work/balloon.sh" <<'G'
mount -t tmpfs -o size=128m tmpfs /mnt
dd if=/dev/zero of=/mnt/f bs=1M count=64 2>/dev/null
rm /mnt/f
sleep 5
G
GUEST_SMP=2
GUEST_SCRIPT=
GUEST_INITRD="$work/plain.gz"
export GUEST_SMP GUEST_SCRIPT GUEST_INITRD
guest_initrd "$work/plain.gz" || exit 1
GUEST_SCRIPT="$work/balloon.sh" guest_initrd "$work/balloon.gz" virtio_pci virtio_balloon || exit 1

i=0
while [ $i -lt "$guests" ]; do
	case $((i % 4)) in
	0 | 1) kind=plain; GUEST_INITRD="$work/plain.gz"; dev= ;;
	*) kind=balloon; GUEST_INITRD="$work/balloon.gz"
	   dev="-device virtio-balloon-pci,free-page-reporting=on" ;;
	esac
	if [ $((i % 2)) = 0 ]; then
		mem=dormant
		obj="memory-backend-file,id=ram0,size=512M,mem-path=$mnt/g,share=on,align=2M"
	else
		mem=memfd
		obj="memory-backend-memfd,id=ram0,size=512M,share=on"
	fi
	log="$work/console.log"
	# shellcheck disable=SC2086 # $dev is two words or none
	t=$(guest_boot "$log" 600 -m 512 -object "$obj" -machine memory-backend=ram0 $dev)
	case $t in
	timeout) r=timeout ;;
	none) r=died-before-init ;;
	*) if grep -q 'DORMANT_GUEST_DONE 0' "$log"; then r=ok; else r=died-after-init; fi ;;
	esac
	rm -f "$mnt/g"
	echo "soak guest $kind $mem $r $t"
	[ $r = ok ] || guest_keep "$log" "soak-$i-$kind-$mem"
	i=$((i + 1))
done
