#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside a sandbox host (or a real one, as root, with the module built
# and nothing else using it): memory given back. A stock QEMU/KVM Linux
# guest on dormant memory with virtio-balloon free page reporting fills a
# tmpfs file of BENCH_FREE_MIB (default 512) MiB, deletes it, and waits
# BENCH_RECLAIM_WAIT (default 60) s. Free page reporting tells QEMU which
# free 2 MiB blocks it may take; QEMU punches them out of the object; the
# pages go back to the pools as to-be-zeroed. From the moment the guest
# says it starts deleting the file, the pages discarded are sampled every
# second.
#
# Output lines:
#   freed RUN PAGES_FREED_BY_THE_GUEST PRESENT_PAGES_AT_DELETE
#   reclaim RUN SECONDS PAGES_DISCARDED_SINCE_DELETE
#   deleted RUN SECONDS  (when the guest said its rm was done)
#   object RUN DISCARDS PRESENT   (the object's own figures at the end)
#   died RUN ...         (the guest died before its /init and was booted
#                         again, see guest_boot_retry; twice, or after
#                         its /init: the run is skipped, and the script
#                         exits 3 at the end)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tools/guest-lib.sh"
. "$top/bench/lib.sh"
free_mib=${BENCH_FREE_MIB:-512}
wait_s=${BENCH_RECLAIM_WAIT:-60}
reps=${BENCH_RECLAIM_REPEAT:-3}
bench_num reclaim.sh "$free_mib" "$wait_s" "$reps"
ram_mib=$((free_mib * 2))
ctl="$top/build/bin/dormantctl"

bench_kvm
bench_mount

cat > "$work/guest.sh" <<G
mount -t tmpfs -o size=$((free_mib + 64))m tmpfs /mnt || exit 1
yes dormant | dd of=/mnt/f bs=1M count=$free_mib iflag=fullblock || exit 1
free -m
echo DORMANT_DELETING
rm /mnt/f
echo DORMANT_DELETED
sleep $((wait_s + 5))
G
GUEST_SCRIPT="$work/guest.sh"
GUEST_INITRD="$work/initrd.gz"
GUEST_SMP=${GUEST_SMP:-2}
export GUEST_INITRD GUEST_SCRIPT GUEST_SMP
guest_initrd "$GUEST_INITRD" virtio_pci virtio_balloon || exit 1

# obj FIELD: one field of the object's DORMANT_IOC_OBJ_STATS
obj() {
	"$ctl" --json stat "$mnt/guest" |
		sed -n "s/.*\"$1\": *\([0-9]*\).*/\1/p"
}

# Sampling must cost little next to a running guest under emulation: the
# nodes' "discarded" counters (nothing else discards here) and the clock
# are read with the shell's own read, in centiseconds.
discarded() {
	disc=0
	for f in "$nodes"/node*/discarded; do
		read -r v < "$f"
		disc=$((disc + v))
	done
}
now_cs() {
	read -r up _ < /proc/uptime
	cs=$(( ${up%.*} * 100 + 1${up#*.} - 100 ))
}

deaths=0
for r in $(seq "$reps"); do
	log="$work/console-$r.log"
	guest_boot_retry "$log" 3000 -m "$ram_mib" \
		-object "memory-backend-file,id=ram0,size=${ram_mib}M,mem-path=$mnt/guest,share=on,align=2M" \
		-machine memory-backend=ram0 \
		-device virtio-balloon-pci,free-page-reporting=on > "$work/boot-$r" &
	boot=$!
	i=0
	until grep -q DORMANT_DELETING "$log" 2>/dev/null; do
		i=$((i + 1))
		if ! kill -0 $boot 2>/dev/null; then
			# The guest died: before /init twice (see guest_boot_retry),
			# or later. Under nested TCG that happens (testing.rst):
			# keep its console, skip the run.
			wait $boot
			if [ -f "$log.died" ] && [ "$(cat "$work/boot-$r")" = none ]; then
				echo "died $r twice"
			else
				echo "died $r before filling its file"
				echo "# run $r: the guest stopped before filling its file; its console:" >&2
				tail -n 20 "$log" >&2
			fi
			[ -n "${DORMANT_OUT:-}" ] && cp "$log" "$DORMANT_OUT/"
			rm -f "$mnt/guest" "$log.died"
			deaths=$((deaths + 1))
			continue 2
		fi
		if [ $i -gt 12000 ]; then
			echo "# run $r: the guest did not fill its file in 600 s" >&2
			tail -n 20 "$log" >&2
			exit 1
		fi
		sleep 0.05
	done
	# The baseline is taken as the guest starts deleting: rm of a big
	# tmpfs file takes seconds here, and reporting starts 2 s after the
	# first free 2 MiB block.
	discarded
	d0=$disc
	now_cs
	t0=$cs
	present=$(obj present)
	echo "freed $r $((free_mib * 256)) $present"
	s=0
	deleted=""
	while [ $s -le "$wait_s" ]; do
		discarded
		now_cs
		echo "reclaim $r $(( (cs - t0) / 100 )).$(( (cs - t0) % 100 / 10 )) $((disc - d0))"
		if [ -z "$deleted" ] && grep -q DORMANT_DELETED "$log"; then
			deleted=1
			echo "deleted $r $(( (cs - t0) / 100 )).$(( (cs - t0) % 100 / 10 ))"
		fi
		s=$((s + 1))
		# the next sample one second after the previous one was due
		now_cs
		d=$(( t0 + s * 100 - cs ))
		[ $d -gt 0 ] && sleep "$((d / 100)).$(( d % 100 / 10 ))$(( d % 10 ))"
	done
	if [ -z "$deleted" ]; then
		wait $boot
		echo "died $r while deleting its file"
		rm -f "$mnt/guest" "$log.died"
		deaths=$((deaths + 1))
		continue
	fi
	echo "object $r $(obj discards) $(obj present)"
	wait $boot
	rc=$?
	if [ $rc != 0 ] || ! grep -q "DORMANT_GUEST_DONE 0" "$log"; then
		# its samples stand: they were taken while it ran
		echo "died $r after its samples (QEMU status $rc)"
		deaths=$((deaths + 1))
		echo "# run $r: the guest did not end cleanly (QEMU status $rc):" >&2
		tail -n 20 "$log" >&2
	fi
	[ -f "$log.died" ] && echo "died $r once"
	rm -f "$mnt/guest" "$log.died"
done
umount "$mnt"
rmmod dormant
# 3: figures taken but guests died (make bench keeps them and fails)
[ "$deaths" = 0 ] || exit 3
exit 0
