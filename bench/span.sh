#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs in two sandbox hosts joined by Soft-RoCE (make bench's span part:
# tools/sandbox -H 2), or two real hosts with an RDMA link (as root, the
# module built, DORMANT_HOST=0 or 1, DORMANT_IP and DORMANT_PEER_IP set):
# the live move of a stock QEMU/KVM guest of each size in BENCH_SPAN_SIZES
# (GiB, default "1 4 16") from host a (0) to host b (1), BENCH_REPEAT
# (default 3) times in each mode of BENCH_SPAN_MODES (default all four),
# the modes taking turns so that drift in the machine's speed hits all:
#   pod       the guest on a pod object (memory-backend-file share=on on
#             the dormant mount, a fresh object per run, all a's and all
#             dormant at the start); `dormantctl move` to a QEMU on b that
#             waits with `dormantctl accept`: no RAM in the stream, the
#             pages follow the guest's faults on b
#   device    QEMU's device-only migration: the guest on a file of a tmpfs
#             (ordinary shared memory) moves to a second QEMU on host a with
#             x-ignore-shared (tools/qmp.py migrate): the floor of a move's
#             downtime, with no memory moving at all
#   precopy   the guest on QEMU's default anonymous memory, QEMU's own
#             migration of all its RAM over TCP to a QEMU on b (cancelled,
#             a "died" line, if it has not converged within 3 minutes)
#   postcopy  the same, switched to postcopy at once
#             (migrate-start-postcopy right after migrate)
# The guest runs bench/span_guest.sh: a 32 MiB region rewritten and read
# over and over, a "PASS N MS UPTIME" line per pass by its own clock. The
# move comes after 4 passes; the target runs on for 10 passes.
#
# Output lines (the host named first prints them):
#   span-move MODE SIZE RUN TOTAL_MS DOWNTIME_MS STREAM_BYTES      (a)
#       query-migrate's total-time, downtime and ram.transferred (pod:
#       dormantctl move's "moved to" line, the stream in whole KiB)
#   span-slow MODE SIZE RUN before MS PASSES                       (a)
#   span-slow MODE SIZE RUN after MS PASSES                    (a or b)
#       the guest's passes: the median of the PASSES passes on the source
#       before the move (pass 0 left out), and the mean of the target's
#       first PASSES passes, those that end within the first 5 s of its
#       guest time (at least one; the first includes the move's pause)
#   span-pages SIZE RUN DATA_BYTES_IN DATA_PAGES_IN PAGES_IN GRANTS_IN GRANTS_IN_DATA MAPPED_PAGES  (b)
#       dormantd's counters on b over the target's run (data_bytes_in of
#       the peer a, data_pages_in, pages_in, grants_in, grants_in_data)
#       and the pages of the object b's QEMU had mapped at its end (Rss
#       of its mapping in /proc/PID/smaps, 4 KiB pages)
#   span-left SIZE RUN LEFT_PAGES DATA_PAGES_OUT                   (a)
#       pages of the object present on a (the module's own count,
#       dormantctl stat) when the move began, less those present when b's
#       target had run its passes: the data pages that left a because the
#       guest touched them on b; next to it dormantd's data_pages_out
#   died MODE SIZE RUN WHAT                                    (a or b)
#       a guest or a migration that failed; the run's figures are missing
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tools/guest-lib.sh"
sizes=${BENCH_SPAN_SIZES:-1 4 16}
reps=${BENCH_REPEAT:-3}
modes=${BENCH_SPAN_MODES:-pod device precopy postcopy}
for s in ${sizes:-none}; do
	is_count "$s" && [ "$s" -le 1024 ] ||
		{ echo "bench/span.sh: BENCH_SPAN_SIZES must be sizes in GiB (1..1024) such as '1 4 16', got '$s'" >&2; exit 2; }
done
is_count "$reps" && [ "$reps" -le 50 ] ||
	{ echo "bench/span.sh: BENCH_REPEAT must be a count (1..50), got '$reps'" >&2; exit 2; }
for m in ${modes:-none}; do
	case $m in
	pod|device|precopy|postcopy) ;;
	*) echo "bench/span.sh: unknown mode '$m' in BENCH_SPAN_MODES (pod device precopy postcopy)" >&2; exit 2 ;;
	esac
done
set -- $sizes
nsizes=$#
set -- $modes
nmodes=$#
[ $((reps * nsizes * nmodes)) -le 500 ] ||
	{ echo "bench/span.sh: $reps runs of $nsizes sizes in $nmodes modes are more than 500 steps" >&2; exit 2; }
case ${DORMANT_HOST:-} in
0) me=a ;;
1) me=b ;;
*) echo "bench/span.sh: run it in two sandbox hosts (DORMANT_HOST is 0 or 1)" >&2; exit 2 ;;
esac
[ -n "${DORMANT_IP:-}" ] && [ -n "${DORMANT_PEER_IP:-}" ] ||
	{ echo "bench/span.sh: DORMANT_IP and DORMANT_PEER_IP must be the two hosts' addresses" >&2; exit 2; }

mem="$top/build/selftests/pod_mem"
ctl="$top/build/bin/dormantctl"
work=$(mktemp -d) || exit 1
mnt="$work/mnt"
shm="$work/shm"
mkdir "$mnt" "$shm"
pod_pid=
guest_pid=
pids=
cleanup() {
	for p in $pids $guest_pid; do
		kill -9 "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	[ -n "$pod_pid" ] && pod_stop
	umount "$shm" 2>/dev/null
	umount "$mnt" 2>/dev/null
	[ -d /sys/module/dormant ] && rmmod dormant
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

modprobe kvm_amd 2>/dev/null || modprobe kvm_intel || exit 1
# QEMU's anonymous guest RAM is accounted: guests larger than the host
sysctl -q -w vm.overcommit_memory=1 || exit 1
insmod "$top/build/$(uname -r)/dormant.ko" || exit 1
mount -t dormant none "$mnt" || exit 1
# a fresh object per size and run, all a's; "sync": a page per step that b
# marks when it is done with the step
objs=
r=1
while [ $r -le "$reps" ]; do
	for s in $sizes; do
		objs="$objs{ \"name\": \"p${s}r$r\", \"size\": \"${s}G\", \"owner\": \"a\" },
    "
	done
	r=$((r + 1))
done
pod_file "$work/pod.json" "[ $objs{ \"name\": \"sync\", \"size\": \"2M\", \"owner\": \"a\" } ]"
pod_start "$work/pod.json" $me "$mnt" "$work" || exit 1
. "$top/tools/span-lib.sh"

GUEST_KERNEL=$(ls /boot/vmlinuz-* | sort -V | tail -n 1)
GUEST_SCRIPT="$top/bench/span_guest.sh"
GUEST_INITRD="$work/initrd.gz"
GUEST_SMP=1
export GUEST_KERNEL GUEST_SCRIPT GUEST_INITRD GUEST_SMP
guest_initrd "$GUEST_INITRD" || exit 1

# ---- helpers ---------------------------------------------------------------
# the complete PASS lines of a console: "N MS UPTIME"
pass_lines() { tr -d '\r' < "$work/$1.log" | sed -n 's/^PASS \([0-9]*\) \([0-9]*\) \([0-9]*\.[0-9][0-9]\)$/\1 \2 \3/p'; }
passes() { grep -c '^PASS [0-9]* [0-9]* [0-9]*\.[0-9][0-9]' "$work/$1.log"; }

# wait_passes NAME N SEC PID: until NAME's console shows N passes; 1 if
# its QEMU (PID) ended or SEC went by first. A line every minute. (It
# looks once a second: each look is a process on the host's two CPUs,
# which the guest needs.)
wait_passes() {
	_t0=$(date +%s)
	_next=$((_t0 + 60))
	while [ "$(passes "$1")" -lt "$2" ]; do
		kill -0 "$4" 2>/dev/null || return 1
		_now=$(date +%s)
		[ $((_now - _t0)) -ge "$3" ] && return 1
		if [ "$_now" -ge $_next ]; then
			echo "# span: $1 waits for pass $2 ($((_now - _t0)) s): $(tail -n 1 "$work/$1.log" | tr -d '\r' | cut -c1-100)"
			_next=$((_now + 60))
		fi
		sleep 1
	done
	return 0
}

# slow MODE SIZE RUN before|after NAME: a span-slow line from NAME's console
slow() {
	if [ "$4" = before ]; then
		_v=$(pass_lines "$5" | awk '$1 >= 1 { print $2 }' | sort -n |
			awk '{ v[NR] = $1 } END { if (NR) printf "%d %d\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 + 0.5, NR }')
	else
		_v=$(pass_lines "$5" | awk '{ s += $2; n++; if (s >= 5000) exit } END { if (n) printf "%d %d\n", s / n + 0.5, n }')
	fi
	[ -n "$_v" ] && echo "span-slow $1 $2 $3 $4 $_v"
}

# quit NAME PID: end a QEMU (QMP quit, else SIGKILL)
quit() {
	$span_qmp "$work/$1.sock" run quit > /dev/null 2>&1
	for _i in $(seq 1 20); do
		kill -0 "$2" 2>/dev/null || break
		sleep 0.5
	done
	kill -9 "$2" 2>/dev/null
	wait "$2" 2>/dev/null
	pids=
	guest_pid=
}

# died MODE SIZE RUN NAME WHAT: the died line, and what the guest said
died() {
	echo "died $1 $2 $3 $5"
	tail -n 5 "$work/$4.log" 2>/dev/null | tr -d '\r' | sed "s/^/# $4 console: /"
	tail -n 5 "$work/$4.log.qemu" 2>/dev/null | sed "s/^/# $4 qemu: /"
}

# present FILE: the object's present pages (the module's count)
present() { "$ctl" -j stat "$1" | grep -o '"present": *[0-9]*' | sed 's/.*: *//'; }

# mapped PID FILE: pages of FILE that PID has mapped (smaps Rss)
mapped() {
	awk -v f="$2" '/^[0-9a-f]+-[0-9a-f]+ / { on = ($NF == f) } on && /^Rss:/ { kb += $2 }
		END { printf "%d\n", kb / 4 }' "/proc/$1/smaps"
}

# step K: the end of step K; b marks it, a waits for it (a line a minute)
step_done() {
	if [ $me = b ]; then
		"$mem" "$mnt/sync" mark "$1" $((0x5a00 + $1)) || exit 1
		return
	fi
	_n=0
	until "$mem" "$mnt/sync" wait "$1" $((0x5a00 + $1)) 60 2>/dev/null; do
		_n=$((_n + 1))
		[ $_n -lt 60 ] || { echo "bench/span.sh: b took over an hour on step $1" >&2; exit 1; }
		echo "# span: host a waits for b to end step $1 ($_n min)"
	done
}

# move_figures MODE SIZE RUN: the span-move line from qmp.py's output
move_figures() {
	sed -n "s/^migrated: total \([0-9-]*\) ms, downtime \([0-9-]*\) ms, stream \([0-9-]*\) bytes$/span-move $1 $2 $3 \1 \2 \3/p" "$work/mig.out"
}

# ---- the modes, host a ---------------------------------------------------
# Each starts the guest (console src.log), waits for 4 passes, moves it;
# the target's side is on b (pod, precopy, postcopy) or here (device).
run_a() {
	m=$1 s=$2 r=$3
	rm -f "$work"/src.* "$work"/dst.*
	case $m in
	pod)
		obj="$mnt/p${s}r$r"
		span_qemu src -m "${s}G" -object "memory-backend-file,id=ram0,size=${s}G,mem-path=$obj,share=on,align=2M" \
			-machine memory-backend=ram0 ;;
	device)
		obj="$shm/dev$s"
		span_qemu src -m "${s}G" -object "memory-backend-file,id=ram0,size=${s}G,mem-path=$obj,share=on" \
			-machine memory-backend=ram0 ;;
	*)
		span_qemu src -m "${s}G" ;;
	esac
	src=$guest_pid
	pids=$src
	if ! wait_passes src 4 900 "$src"; then
		died "$m" "$s" "$r" src "the guest did not run 4 passes on a"
		quit src "$src"
		return
	fi
	slow "$m" "$s" "$r" before src
	echo "# span: $(passes src) passes on a, moving ($(date -u +%H:%M:%S))"
	case $m in
	pod)
		p0=$(present "$obj")
		o0=$(pod_counter data_pages_out)
		span_move "$work/src.sock" b
		rc=$?
		sed 's/^/# move: /' "$work/move.out"
		if [ $rc = 0 ]; then
			echo "span-move pod $s $r $(span_field total) $(span_field downtime) $(($(span_field stream) * 1024))"
		else
			died pod "$s" "$r" src "dormantctl move failed"
		fi
		wait "$src" 2>/dev/null
		pids=''
		guest_pid='' ;;
	device)
		span_qemu dst -m "${s}G" -object "memory-backend-file,id=ram0,size=${s}G,mem-path=$obj,share=on" \
			-machine memory-backend=ram0 -incoming defer
		dst=$guest_pid
		pids="$src $dst"
		$span_qmp "$work/dst.sock" incoming "unix:$work/dev.mig" &&
			$span_qmp "$work/src.sock" migrate "unix:$work/dev.mig" 900 > "$work/mig.out" 2>&1
		rc=$?
		sed 's/^/# migrate: /' "$work/mig.out"
		if [ $rc = 0 ] && wait_passes dst 10 900 "$dst"; then
			move_figures device "$s" "$r"
			slow device "$s" "$r" after dst
		else
			died device "$s" "$r" dst "device-only migration on a failed"
		fi
		quit src "$src"
		quit dst "$dst"
		rm -f "$obj" ;;
	precopy|postcopy)
		# a precopy that has not converged in 3 minutes is cancelled
		$span_qmp "$work/src.sock" $m "tcp:$DORMANT_PEER_IP:4445" 180 > "$work/mig.out" 2>&1
		rc=$?
		sed 's/^/# migrate: /' "$work/mig.out"
		if [ $rc = 0 ]; then
			move_figures $m "$s" "$r"
		else
			died $m "$s" "$r" src "$(tail -n 1 "$work/mig.out" | sed 's/^qmp.py: //')"
		fi
		quit src "$src" ;;
	esac
}

# ---- the modes, host b ---------------------------------------------------
run_b() {
	m=$1 s=$2 r=$3
	rm -f "$work"/src.* "$work"/dst.*
	case $m in
	device)
		return ;;
	pod)
		obj="$mnt/p${s}r$r"
		b0=$(pod_counter data_bytes_in) d0=$(pod_counter data_pages_in) q0=$(pod_counter pages_in)
		g0=$(pod_counter grants_in) gd0=$(pod_counter grants_in_data)
		span_qemu dst -m "${s}G" -object "memory-backend-file,id=ram0,size=${s}G,mem-path=$obj,share=on,align=2M" \
			-machine memory-backend=ram0 -incoming defer
		dst=$guest_pid
		pids=$dst
		if ! span_accept dst; then
			sed 's/^/# accept: /' "$work/accept.out"
			died pod "$s" "$r" dst "dormantctl accept failed"
			quit dst "$dst"
			return
		fi ;;
	precopy|postcopy)
		span_qemu dst -m "${s}G" -incoming defer
		dst=$guest_pid
		pids=$dst
		post=
		[ $m = postcopy ] && post=postcopy
		$span_qmp "$work/dst.sock" listen "tcp:0:4445" $post ||
			{ died $m "$s" "$r" dst "the target could not listen"; quit dst "$dst"; return; } ;;
	esac
	# the guest comes (or the target's QEMU ends, failed), then runs 10 passes
	if ! wait_passes dst 10 1200 "$dst"; then
		died $m "$s" "$r" dst "the guest did not run 10 passes on b"
		quit dst "$dst"
		return
	fi
	slow "$m" "$s" "$r" after dst
	if [ $m = pod ]; then
		mp=$(mapped "$dst" "$obj")
		echo "span-pages $s $r $(($(pod_counter data_bytes_in) - b0)) $(($(pod_counter data_pages_in) - d0))" \
			"$(($(pod_counter pages_in) - q0)) $(($(pod_counter grants_in) - g0))" \
			"$(($(pod_counter grants_in_data) - gd0)) $mp"
	fi
	quit dst "$dst"
}

# ---- the runs ------------------------------------------------------------
[ $me = a ] && { mount -t tmpfs -o "size=$(($(printf '%s\n' $sizes | sort -n | tail -n 1) + 1))G" none "$shm" || exit 1; }
k=0
r=1
while [ $r -le "$reps" ]; do
	for s in $sizes; do
		# the modes in turns: run 1 starts with the first, run 2 with the second...
		set -- $modes
		i=1
		while [ $i -lt $(( (r - 1) % nmodes + 1 )) ]; do
			m=$1
			shift
			set -- "$@" "$m"
			i=$((i + 1))
		done
		for m in "$@"; do
			k=$((k + 1))
			echo "# span: step $k: $m, $s GiB, run $r ($(date -u +%H:%M:%S))"
			[ $me = a ] && echo "# span: host a: $(grep MemAvailable /proc/meminfo)"
			if [ $me = a ]; then
				run_a "$m" "$s" "$r"
			else
				run_b "$m" "$s" "$r"
			fi
			step_done $k
			if [ $m = pod ]; then
				if [ $me = a ]; then
					p1=$(present "$mnt/p${s}r$r")
					[ -n "${p0:-}" ] && [ -n "$p1" ] &&
						echo "span-left $s $r $((p0 - p1)) $(($(pod_counter data_pages_out) - o0))"
					p0=
				fi
				# the object's pages back to the pools on both hosts
				fallocate --punch-hole --keep-size -o 0 -l "${s}G" "$mnt/p${s}r$r" 2>/dev/null ||
					echo "# span: could not punch p${s}r$r on $me"
			fi
		done
	done
	r=$((r + 1))
done
[ "$(pod_counter errors)" = 0 ] || { echo "bench/span.sh: dormantd counted errors" >&2; exit 1; }
# a stays until b is done with its pages
if [ $me = a ]; then
	"$mem" "$mnt/sync" wait 511 $((0x5aff)) 600 || exit 1
else
	"$mem" "$mnt/sync" mark 511 $((0x5aff))
	sleep 2
fi
exit 0
