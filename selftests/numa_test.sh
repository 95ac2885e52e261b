#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The module serves exactly the NUMA nodes with memory that the kernel has,
# with the kernel's CPUs per node. In a sandbox booted with --numa N
# (DORMANT_NUMA=N), that is N nodes.
set -u
. "$(dirname "$0")/lib.sh"

require_root
require_module_file
[ -d /sys/devices/system/node ] || skip_all "kernel without NUMA"

# "0-1,3" -> "0 1 3"
expand_list() {
	echo "$1" | tr ',' '\n' | while IFS=- read -r a b; do
		[ -n "$a" ] || continue
		seq "$a" "${b:-$a}"
	done | tr '\n' ' '
}

kernel_nodes=$(expand_list "$(cat /sys/devices/system/node/has_memory)")
nr_kernel=$(echo $kernel_nodes | wc -w)

loaded_here=0
if ! module_loaded; then
	insmod "$KO" || skip_all "cannot insmod $KO"
	loaded_here=1
fi

tap_plan $((3 + nr_kernel))
nr=$(cat /sys/kernel/dormant/nr_nodes)
check "module serves $nr_kernel node(s) as the kernel has memory on (says $nr)" \
	test "$nr" = "$nr_kernel"
if [ -n "${DORMANT_NUMA:-}" ]; then
	check "the sandbox was booted with $DORMANT_NUMA node(s) and the module sees $nr" \
		test "$nr" = "$DORMANT_NUMA"
else
	skip "node count matches the sandbox" "not in a sandbox host (DORMANT_NUMA unset)"
fi
json=$("$top/build/bin/dormantctl" --json info)
check "dormantctl --json info reports nr_nodes $nr" \
	sh -c "printf '%s' '$json' | grep -q '\"nr_nodes\": *$nr\\b'"
for n in $kernel_nodes; do
	want=$(cat "/sys/devices/system/node/node$n/cpulist")
	got=$(cat "/sys/kernel/dormant/nodes/node$n/cpulist" 2>/dev/null)
	check "node$n: module sees CPUs '$got', the kernel '$want'" test "$got" = "$want"
done

[ $loaded_here = 1 ] && rmmod dormant
tap_exit
