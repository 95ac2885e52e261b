#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: the main job, in a sandbox host (10 GiB, two NUMA nodes) on the
# newest kernel series: load the module, boot a stock QEMU/KVM Linux guest
# (2 vCPUs) with 8 GiB of RAM on dormant memory, show its stalls per vCPU
# and the pools, then boot the same
# guest with QEMU's -mem-prealloc on ordinary memory, and compare the time
# from QEMU's start to the guest's /init.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
kver=${KVERS:-}
kver=${kver##* }
[ -n "$kver" ] || kver=$(ls -d /lib/modules/*/build | sed 's|/lib/modules/||; s|/build||' | sort -V | tail -n 1)
ram=${DEMO_RAM:-8G}
exec tools/sandbox -k "$kver" -n 2 -m 10240 -t 1800 -- "
set -e
. tools/guest-lib.sh
ko=build/\$(uname -r)/dormant.ko
modprobe kvm_amd 2>/dev/null || modprobe kvm_intel
# an idle VM kept open: see selftests/run_tests.sh on KVM's static key
build/selftests/kvm_hook_test hold 3600 > /dev/null 2>&1 &
insmod \"\$ko\"
mkdir -p /run/dormant
mount -t dormant none /run/dormant
GUEST_INITRD=/tmp/guest-initrd.gz
GUEST_SCRIPT=
GUEST_SMP=2
export GUEST_INITRD GUEST_SCRIPT GUEST_SMP
guest_initrd \$GUEST_INITRD
echo '== dormant $kver sandbox host, NUMA nodes with memory:' \$(cat /sys/devices/system/node/has_memory)
build/bin/dormantctl info
echo '== pools before the guests'
build/bin/dormantctl stats
echo '== booting a $ram guest on dormant memory (memory-backend-file,mem-path=/run/dormant,share=on)'
d=\$(guest_boot /tmp/dormant.log 900 -m $ram \
	-object memory-backend-file,id=ram0,size=$ram,mem-path=/run/dormant,share=on \
	-machine memory-backend=ram0) || { cat /tmp/dormant.log.qemu; exit 1; }
echo \"guest /init after \$d s\"
echo '== EPT/NPT-violation stalls of that guest on dormant memory, per vCPU'
build/bin/dormantctl vcpus
echo '== pools after the dormant guest (its object is gone: its pages are back)'
build/bin/dormantctl stats
echo '== booting the same guest with -mem-prealloc on ordinary memory'
p=\$(guest_boot /tmp/prealloc.log 1500 -m $ram -mem-prealloc) || { cat /tmp/prealloc.log.qemu; exit 1; }
echo \"guest /init after \$p s\"
umount /run/dormant
rmmod dormant
echo \"\$d \$p\" | awk '{ printf \"boot: dormant %s s, prealloc %s s, ratio %.1f\\n\", \$1, \$2, \$2 / \$1 }'
"
