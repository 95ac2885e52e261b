#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The single-host selftests, in order, as `make check` runs them inside a
# sandbox host (tools/sandbox -n 2 -- sh selftests/run_tests.sh). Each test
# prints TAP; a test that dies without saying "not ok" gets a "not ok" line
# here, so that a crash cannot pass for success. Also usable on a real host
# with the module built (as root): see Documentation/testing.rst.
set -u
. "$(dirname "$0")/lib.sh"

bin="$top/build/selftests"
status=0

# run NAME COMMAND...: its output shown as it comes (tools/sandbox's
# watchdog listens to it) and kept for the check below.
runlog=$(mktemp)
run() {
	name=$1
	shift
	echo "# ==== $name ===="
	{ "$@" 2>&1; echo $? > "$runlog.rc"; } | tee "$runlog"
	rc=$(cat "$runlog.rc")
	case $rc in
	0) ;;
	4) ;;
	*)
		grep -q '^not ok' "$runlog" ||
			echo "not ok - $name exited with status $rc"
		status=1
		;;
	esac
}

require_root
require_module_file

# KVM itself: in a sandbox host it must be there (emulated SVM + NPT).
kvm=1
if ! [ -e /dev/kvm ] && ! modprobe kvm_amd 2>/dev/null && ! modprobe kvm_intel 2>/dev/null; then
	echo "not ok - KVM is available (modprobe kvm_amd/kvm_intel failed)"
	status=1
	kvm=0
fi

trap 'rm -f "$runlog" "$runlog.rc"' EXIT

run module_load sh "$top/selftests/module_load.sh"

if insmod "$KO"; then
	run dormant_ioctl_test "$bin/dormant_ioctl_test"
	run dormant_mem_test "$bin/dormant_mem_test"
	run dormant_pod_test "$bin/dormant_pod_test"
	[ $kvm = 1 ] && run kvm_hook_test "$bin/kvm_hook_test"
	run dormantctl_test sh "$top/selftests/dormantctl_test.sh"
	run numa_test sh "$top/selftests/numa_test.sh"
	run dormant_fuzz "$bin/dormant_fuzz" "${DORMANT_FUZZ_SECONDS:-30}"
	if rmmod dormant; then
		echo "ok - rmmod after the module tests"
	else
		echo "not ok - rmmod after the module tests"
		status=1
	fi
else
	echo "not ok - insmod $KO for the module tests"
	status=1
fi

if [ $kvm = 1 ]; then
	run kvm_pattern_test "$bin/kvm_pattern_test"
	run kvm_hook_unload sh "$top/selftests/kvm_hook_unload.sh"
	run kvm_hook_shadow sh "$top/selftests/kvm_hook_shadow.sh"
	run qemu_guest_test sh "$top/selftests/qemu_guest_test.sh"
fi
exit $status
