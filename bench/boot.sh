#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside a sandbox host (or a real one, as root, with the module built
# and nothing else using it): boot time of a stock QEMU/KVM Linux guest
# (this machine's kernel, a busybox initramfs that powers off at once)
# against its RAM size, from QEMU's start to the guest's /init:
#
#   dormant   memory-backend-file on the dormant filesystem, share=on
#   anon      QEMU's default anonymous memory
#   prealloc  anonymous memory with -mem-prealloc
#   anon-4k   (only when asked for in BENCH_BOOT_MODES) QEMU's anonymous
#             memory with transparent huge pages off: 4 KiB pages only
#   hugetlb   hugetlbfs 2 MiB pages, the pool reserved beforehand
#             (vm.nr_hugepages), each page zeroed at its first fault
#   hugetlb-prealloc  the same with prealloc=on: QEMU touches every page
#             before the guest starts
#
# Every repeat boots each size in each mode, one after the other, so that
# drift in the machine's speed spreads over all of them. Before each boot
# the pools are full and their threads idle (BENCH_ZEROED_HIGH zeroed pages
# per node, default 65536 = 256 MiB), so no boot pays for another's
# zeroing. For the dormant boots, the nodes' counters tell how many of the
# guest's faults took a page zeroed in the background and how many zeroed
# one inline.
#
# BENCH_VERIFY=1 turns the module's checks on (verify=1, see the user guide):
# for hunting bugs, not for figures.
#
# Output lines:
#   boot MODE GIB SECONDS
#   faults GIB FAULTS ZEROED_INLINE
#   died MODE GIB      (a guest died before its /init and was booted again,
#                       see guest_boot_retry in tools/guest-lib.sh; twice
#                       such a line for one boot: it is left out, and the
#                       script exits 3 at the end)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tools/guest-lib.sh"
. "$top/bench/lib.sh"
sizes=${BENCH_SIZES:-1 4 16}
reps=${BENCH_BOOT_REPEAT:-3}
modes=${BENCH_BOOT_MODES:-dormant anon prealloc hugetlb hugetlb-prealloc}
high=${BENCH_ZEROED_HIGH:-65536}
verify=${BENCH_VERIFY:-0}
thp=/sys/kernel/mm/transparent_hugepage/enabled
# shellcheck disable=SC2086
bench_num boot.sh $sizes "$reps" "$high"
for m in $modes; do
	case $m in
	dormant|anon|prealloc|anon-4k|hugetlb|hugetlb-prealloc) ;;
	*) echo "boot.sh: unknown mode '$m' (dormant anon prealloc anon-4k hugetlb hugetlb-prealloc)" >&2; exit 2 ;;
	esac
done
case $verify in
0|1) ;;
*) echo "boot.sh: BENCH_VERIFY is 0 or 1, not '$verify'" >&2; exit 2 ;;
esac

bench_kvm
bench_mount
[ "$verify" = 1 ] && { echo 1 > $par/verify || exit 1; }
echo "$high" > $par/zeroed_high || exit 1
echo $((high / 2)) > $par/zeroed_low || exit 1

hmnt="$work/hugetlbfs"
case " $modes " in
*" hugetlb"*)
	mkdir -p "$hmnt" && mount -t hugetlbfs -o pagesize=2M none "$hmnt" || exit 1 ;;
esac

GUEST_INITRD="$work/initrd.gz"
GUEST_SCRIPT=
GUEST_SMP=${GUEST_SMP:-2}
export GUEST_INITRD GUEST_SCRIPT GUEST_SMP
guest_initrd "$GUEST_INITRD" || exit 1

# sum NAME: a counter summed over the nodes
sum() { cat "$nodes"/node*/"$1" | awk '{ s += $1 } END { print s }'; }

# settle: every node's zeroed list refilled (writing zeroed_high starts a
# refill) and its thread idle for 1 s
settle() {
	echo "$high" > $par/zeroed_high || return 1
	i=0
	while :; do
		full=1
		for f in "$nodes"/node*/zeroed; do
			[ "$(cat "$f")" -ge "$high" ] || full=0
		done
		if [ $full = 1 ]; then
			a=$(sum allocated)$(sum freed)
			sleep 1
			[ "$a" = "$(sum allocated)$(sum freed)" ] && return 0
		fi
		i=$((i + 1))
		[ $i -gt 600 ] && { echo "# the pools did not settle" >&2; return 1; }
		sleep 0.2
	done
}

faults() {
	echo $(($(sum fault_zeroed) + $(sum fault_zeroed_2m) + $(sum fault_alloc) + $(sum fault_other_node)))
}

deaths=0
for r in $(seq "$reps"); do
	for g in $sizes; do
		for mode in $modes; do
			settle || exit 1
			case $mode in
			dormant)
				f0=$(faults)
				z0=$(sum fault_alloc)
				t=$(guest_boot_retry "$work/console.log" 3000 -m "${g}G" \
					-object "memory-backend-file,id=ram0,size=${g}G,mem-path=$mnt,share=on,align=2M" \
					-machine memory-backend=ram0)
				rc=$?
				[ $rc = 0 ] && [ ! -f "$work/console.log.died" ] && echo "faults $g $(($(faults) - f0)) $(($(sum fault_alloc) - z0))"
				;;
			anon)
				t=$(guest_boot_retry "$work/console.log" 3000 -m "${g}G")
				rc=$?
				;;
			anon-4k)
				thp_was=$(sed 's/.*\[\(.*\)\].*/\1/' $thp)
				echo never > $thp || exit 1
				t=$(guest_boot_retry "$work/console.log" 3000 -m "${g}G")
				rc=$?
				echo "$thp_was" > $thp
				;;
			prealloc)
				t=$(guest_boot_retry "$work/console.log" 3000 -m "${g}G" -mem-prealloc)
				rc=$?
				;;
			hugetlb|hugetlb-prealloc)
				need=$((g * 512))
				echo "$need" > /proc/sys/vm/nr_hugepages
				got=$(cat /proc/sys/vm/nr_hugepages)
				if [ "$got" -lt "$need" ]; then
					echo "# $mode ${g} GiB: only $got of $need huge pages here" >&2
					echo 0 > /proc/sys/vm/nr_hugepages
					continue
				fi
				pre=
				[ $mode = hugetlb-prealloc ] && pre=,prealloc=on
				t=$(guest_boot_retry "$work/console.log" 3000 -m "${g}G" \
					-object "memory-backend-file,id=ram0,size=${g}G,mem-path=$hmnt,share=on$pre" \
					-machine memory-backend=ram0)
				rc=$?
				echo 0 > /proc/sys/vm/nr_hugepages
				;;
			esac
			if [ -f "$work/console.log.died" ]; then
				echo "died $mode $g"
				rm -f "$work/console.log.died"
			fi
			if [ "$t" = none ]; then
				# died before /init twice (guest_boot_retry kept its
				# logs): recorded, the run goes on, the script fails
				echo "died $mode $g"
				echo "# $mode ${g} GiB guest died before its /init twice" >&2
				deaths=$((deaths + 1))
				continue
			fi
			if [ $rc != 0 ] || [ "$t" = none ]; then
				echo "# $mode ${g} GiB boot failed: QEMU status $rc, /init after $t" >&2
				tail -n 5 "$work/console.log.qemu" >&2
				exit 1
			fi
			echo "boot $mode $g $t"
		done
	done
done
umount "$mnt"
mountpoint -q "$hmnt" && umount "$hmnt"
rmmod dormant
# 3: figures complete but for guests that died (make bench keeps them and
# fails)
[ "$deaths" = 0 ] || exit 3
exit 0
