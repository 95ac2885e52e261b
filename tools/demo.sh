#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: the main job, in a sandbox host. Today (foundation stage) it
# boots a two-NUMA-node sandbox host on the newest kernel series, loads the
# module, shows what it reports, runs a raw-KVM guest with nested paging,
# and unloads the module. The dormant-memory guest boot comparison comes
# with the dormant-memory work (see README.md, "What works today").
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
kver=${KVERS:-}
kver=${kver##* }
[ -n "$kver" ] || kver=$(ls -d /lib/modules/*/build | sed 's|/lib/modules/||; s|/build||' | sort -V | tail -n 1)
exec tools/sandbox -k "$kver" -n 2 -t 600 -- '
set -e
ko=build/$(uname -r)/dormant.ko
echo "== kernel $(uname -r), NUMA nodes with memory: $(cat /sys/devices/system/node/has_memory)"
insmod "$ko"
dmesg | grep "dormant:" | tail -n 1
echo "== dormantctl info"
build/bin/dormantctl info
echo "== dormantctl --json info"
build/bin/dormantctl --json info
modprobe kvm_amd 2>/dev/null || modprobe kvm_intel
echo "== a raw-KVM guest (nested paging) writes 240 pages, the host checks them"
build/selftests/kvm_pattern_test | grep -E "^(ok|not ok)"
rmmod dormant
echo "== module unloaded"
'
