#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The module inserts and removes cleanly, twice; while loaded it has its
# control device and sysfs tree and reports its version; it refuses to go
# while its control device is open; its kernel log lines are the expected
# ones and nothing else.
set -u
. "$(dirname "$0")/lib.sh"

require_root
require_module_file
module_loaded && skip_all "dormant is already loaded"

want_version=$(modinfo -F version "$KO")
tap_plan 22
for round in 1 2; do
	mark=$(log_mark)
	check "round $round: insmod" insmod "$KO"
	check "round $round: /dev/dormant is a character device" test -c /dev/dormant
	got=$(cat /sys/kernel/dormant/version 2>/dev/null)
	check "round $round: sysfs reports version $want_version (got '$got')" \
		test "$got" = "$want_version"
	got=$(cat /sys/module/dormant/version 2>/dev/null)
	check "round $round: /sys/module/dormant/version matches" test "$got" = "$want_version"
	check "round $round: load message names the version" \
		sh -c "dmesg | tail -n +$((mark + 1)) | grep -q 'dormant: version $want_version (ABI [0-9]*\.[0-9]*) loaded'"
	check "round $round: rmmod" rmmod dormant
	check "round $round: control device and sysfs tree are gone" \
		sh -c '! test -e /dev/dormant && ! test -e /sys/kernel/dormant'
	check "round $round: unload message" \
		sh -c "dmesg | tail -n +$((mark + 1)) | grep -q 'dormant: unloaded'"
	check "round $round: kernel log is clean" log_clean_since "$mark"
done

# Parameters written while the module loads and unloads (their files exist
# before its init and after its exit): no setter may walk a node that is
# not there yet or gone.
mark=$(log_mark)
params=/sys/module/dormant/parameters
(
	while :; do
		for kv in pool_pages=8192 cpu_budget=100 zeroed_high=4096 \
			huge_high=64 grow=Y; do
			printf '%s' "${kv#*=}" 2>/dev/null > "$params/${kv%%=*}"
		done
	done
) &
writer=$!
fails=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	insmod "$KO" || fails=$((fails + 1))
	rmmod dormant || fails=$((fails + 1))
done
kill $writer
wait $writer 2>/dev/null
check "10 loads and unloads while parameters are written ($fails failed)" \
	test $fails = 0
check "kernel log is clean after them" log_clean_since "$mark"

# An open control device pins the module.
insmod "$KO"
exec 3< /dev/dormant
if rmmod dormant 2>/dev/null; then
	not_ok "rmmod is refused while /dev/dormant is open"
	insmod "$KO"
else
	ok "rmmod is refused while /dev/dormant is open"
fi
exec 3<&-
check "rmmod succeeds once /dev/dormant is closed" rmmod dormant
tap_exit
