#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The KVM hook under shadow paging: with kvm_amd npt=0 (kvm_intel ept=0)
# the kvm_page_fault tracepoint reports the guest's #PF intercepts, whose
# addresses are guest-virtual. The probe must not look them up as
# guest-physical: kvm_hook_test's not_l1_gpa_ignored runs with the vendor
# module reloaded that way, then the module is loaded back as it was.
set -u
. "$(dirname "$0")/lib.sh"

bin="$top/build/selftests/kvm_hook_test"
require_root
require_module_file
[ -x "$bin" ] || skip_all "no $bin: run make"
vendor="" param=""
[ -d /sys/module/kvm_amd ] && vendor=kvm_amd param=npt
[ -d /sys/module/kvm_intel ] && vendor=kvm_intel param=ept
[ -n "$vendor" ] || skip_all "no kvm_amd or kvm_intel loaded"
module_loaded && rmmod dormant
mark=$(log_mark)

tap_plan 6
check "rmmod $vendor" rmmod "$vendor"
check "modprobe $vendor $param=0" modprobe "$vendor" "$param=0"
check "$vendor runs with $param off" \
	sh -c "grep -q '^[N0]' /sys/module/$vendor/parameters/$param"
insmod "$KO"
check "not_l1_gpa_ignored under shadow paging" "$bin" -t not_l1_gpa_ignored
rmmod dormant
check "$vendor back with its defaults" sh -c "rmmod $vendor && modprobe $vendor"
check "kernel log is clean" log_clean_since "$mark"
tap_exit
