#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: host-side unit tests, checkpatch, then for every kernel series
# (KVERS) the selftests inside sandbox hosts: the single-host suite in a
# two-NUMA-node sandbox, and the RDMA test between two sandbox hosts. Every
# TAP line is shown; the run ends with one line "N passed, N failed, N skipped"
# and exits non-zero on any failure. A sandbox whose kernel log shows a bug
# fails too (tools/sandbox checks it). Deaths the rig caused (a nested
# guest that died before its /init and was booted again, a sandbox host
# lost) are summed into a last line "rig deaths: N".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
. tools/lib.sh
logdir="$top/build/check"
rm -rf "$logdir"
mkdir -p "$logdir"
all="$logdir/all.tap"
: > "$all"
failed_steps=()
start=$(date +%s)

# step NAME COMMAND...: run it, show and keep its output; a non-zero exit
# without any "not ok" line of its own still counts as one failure.
step() {
	local name=$1 log="$logdir/$1.log" rc
	shift
	echo "# ==== $name ($(date +%T)) ===="
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	cat "$log" >> "$all"
	if [ "$rc" != 0 ] && [ "$rc" != 4 ]; then
		failed_steps+=("$name")
		grep -q '^not ok' "$log" ||
			echo "not ok - $name exited with status $rc" | tee -a "$all"
	fi
}

checkpatch() {
	if make -s checkpatch; then
		echo "ok - checkpatch.pl --strict is clean on kmod/ and include/uapi/"
	else
		echo "not ok - checkpatch.pl --strict is clean on kmod/ and include/uapi/"
		return 1
	fi
}

kvers=$(kernels | xargs)	# one line: the mixed pod below takes the first and the last
[ -n "$kvers" ] || { echo "make check: no kernel headers installed: run 'make deps'" >&2; exit 1; }

step unit ./build/unit/test_libdormant
step unit-pod ./build/unit/test_pod
step unit-pod-wire ./build/unit/test_pod_wire
step unit-pod-ctl ./build/unit/test_pod_ctl
step unit-qmp ./build/unit/test_qmp
step dormantd-args sh userspace/tests/dormantd_args.sh
step checkpatch checkpatch
step bench-args bash bench/test_args.sh
step rig bash tools/test_rig.sh
# The oldest kernel boots with init_on_alloc=0, so that the pools' threads
# zero pages themselves (non-temporal stores), and with page_poison=1, so
# that the page allocator checks every page freed to it was not written
# after its free (page_poison takes precedence over init_on_alloc, hence
# not on the others); the others keep Debian's default, where the page
# allocator zeroes pages.
zeroing=(-a "init_on_alloc=0 page_poison=1")
for k in $kvers; do
	step "sandbox-$k" tools/sandbox -q -k "$k" -n 2 -t 1800 "${zeroing[@]}" -o "$logdir/sandbox-$k" -- \
		sh selftests/run_tests.sh
	zeroing=()
	step "rdma-$k" tools/sandbox -q -k "$k" -H 2 -t 600 -o "$logdir/rdma-$k" -- \
		sh selftests/rdma_page_test.sh
	step "pod-$k" tools/sandbox -q -k "$k" -H 2 -t 900 -o "$logdir/pod-$k" -- \
		sh selftests/pod_test.sh
done
# One pod of the oldest and the newest kernel series together.
oldest=${kvers%% *} newest=${kvers##* }
if [ "$oldest" != "$newest" ]; then
	step pod-mixed tools/sandbox -q -k "$oldest" -K "$newest" -H 2 -t 900 \
		-o "$logdir/pod-mixed" -- sh selftests/pod_test.sh
fi
# A guest that moves live from a host of the oldest kernel to one of the
# newest (the same if there is one), its memory a pod object.
step span tools/sandbox -q -k "$oldest" -K "$newest" -H 2 -t 1800 \
	-o "$logdir/span" -- sh selftests/span_test.sh

passed=$(grep -E '^ok ' "$all" | grep -cv '# SKIP')
skipped=$(grep -cE '^ok .*# SKIP|^1\.\.0 # SKIP' "$all")
failed=$(grep -c '^not ok' "$all")
echo "# make check took $(( $(date +%s) - start )) s; kernels: $kvers; logs in $logdir"
[ ${#failed_steps[@]} = 0 ] || echo "# failed steps: ${failed_steps[*]}"
echo "$passed passed, $failed failed, $skipped skipped"
deaths=$(find "$logdir" -name rig-deaths -exec cat {} + | grep -c '^death')
if [ "$deaths" != 0 ]; then
	echo "# rig deaths (files rig-deaths under $logdir):"
	find "$logdir" -name rig-deaths -exec cat {} + | sed 's/^/#   /'
fi
echo "rig deaths: $deaths"
[ "$failed" = 0 ] && [ ${#failed_steps[@]} = 0 ]
