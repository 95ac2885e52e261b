#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The KVM hook's lifetime: the module attaches to KVM's tracepoints when kvm
# loads and detaches when it goes, working without it in between; it can be
# unloaded and loaded again while a VM on other memory runs; it cannot be
# unloaded while a VM runs on dormant memory. The kernel log stays clean.
set -u
. "$(dirname "$0")/lib.sh"

bin="$top/build/selftests/kvm_hook_test"
require_root
require_module_file
[ -x "$bin" ] || skip_all "no $bin: run make"
vendor=""
for m in kvm_amd kvm_intel; do [ -d "/sys/module/$m" ] && vendor=$m; done
[ -n "$vendor" ] || skip_all "no kvm_amd or kvm_intel loaded"
module_loaded && rmmod dormant
mark=$(log_mark)
mnt=$(mktemp -d)

tap_plan 14
hook() { cat /sys/kernel/dormant/kvm_hook 2>/dev/null; }

check "insmod with kvm loaded" insmod "$KO"
check "the hook is attached (says '$(hook)')" test "$(hook)" = attached
check "rmmod $vendor kvm" rmmod "$vendor" kvm
check "the hook detached with kvm (says '$(hook)')" test "$(hook)" = detached
check "dormant memory works without kvm" sh -c "mount -t dormant none '$mnt' &&
	truncate -s 1M '$mnt/x' && '$top/build/bin/dormantctl' stat '$mnt/x' >/dev/null &&
	umount '$mnt'"
check "modprobe $vendor" modprobe "$vendor"
check "the hook attached to the new kvm (says '$(hook)')" test "$(hook)" = attached
"$bin" spin 8 > /dev/null &
spinner=$!
sleep 2
check "rmmod while a VM on anonymous memory runs" rmmod dormant
check "insmod again while it runs" insmod "$KO"
check "the VM ran on unharmed" wait $spinner

mount -t dormant none "$mnt"
"$bin" spin 8 "$mnt" > /dev/null &
spinner=$!
sleep 3
if rmmod dormant 2>/dev/null; then
	not_ok "rmmod is refused while a VM runs on dormant memory"
	insmod "$KO"
else
	ok "rmmod is refused while a VM runs on dormant memory"
fi
check "that VM ran to its end" wait $spinner
umount "$mnt"
rmdir "$mnt"
check "rmmod once it is gone" rmmod dormant
check "kernel log is clean" log_clean_since "$mark"
tap_exit
