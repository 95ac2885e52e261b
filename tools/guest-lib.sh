# SPDX-License-Identifier: GPL-2.0
# Helpers to boot a stock QEMU/KVM Linux guest inside a sandbox host (or on
# a real host), shared by the selftests, the demo, the benchmarks and the
# rig soak. Source it after setting "top" to the checkout; it sources
# tools/lib.sh. Needs busybox-static, cpio, gzip and QEMU. The functions
# keep their scratch variables local (dash and bash have local).
#
# Settings, from the environment:
#   GUEST_INITRD  the initramfs to boot (guest_initrd makes one)
#   GUEST_SCRIPT  a script guest_initrd puts in it as /guest.sh
#   GUEST_SMP     vCPUs (default 1)
#   GUEST_QEMU    the QEMU binary (default: qemu-system-x86_64 from PATH)
#   GUEST_KERNEL  the guest's kernel (default: the running one's in /boot)
#   DORMANT_OUT   where deaths are recorded (rig-deaths) and dead guests'
#                 logs kept
. "$top/tools/lib.sh"

# guest_initrd OUT [MODULE...]: a busybox initramfs with tools/guest-init as
# /init, MODULEs of the running kernel and GUEST_SCRIPT as /guest.sh. Its
# /init prints "DORMANT_GUEST_INIT <uptime>" on the serial console as its
# first act and "DORMANT_GUEST_DONE <status>" at the end.
guest_initrd() {
	local out
	out=$1
	shift
	INITRAMFS_SCRIPT=${GUEST_SCRIPT:-} initramfs_build "$out" "$(uname -r)" \
		"$top/tools/guest-init" "$@"
}

# guest_boot LOG TIMEOUT QEMU-ARGS...: boot the machine's kernel as a KVM
# guest with the given memory arguments; the serial console goes to LOG,
# QEMU's messages to LOG.qemu and its log of CPU resets and guest errors to
# LOG.cpu. While it runs, says on stderr every 60 s that it still does (so
# that tools/sandbox's watchdog hears the test). Prints the seconds from
# QEMU's start to the guest's /init ("DORMANT_GUEST_INIT" on the console),
# or "none" if it never got there, or "timeout"; returns QEMU's exit status
# (124 on timeout).
# guest_qemu LOG QEMU-ARGS...: start that guest's QEMU in the background
# (its pid in guest_pid); guest_boot and the spanning-VM test use it, so
# that a guest and its migration target have the same machine.
guest_qemu() {
	local log
	log=$1
	shift
	"${GUEST_QEMU:-qemu-system-x86_64}" -enable-kvm -cpu host -smp "${GUEST_SMP:-1}" \
		-nodefaults -no-user-config -display none -no-reboot \
		-kernel "${GUEST_KERNEL:-/boot/vmlinuz-$(uname -r)}" -initrd "$GUEST_INITRD" \
		-append "console=ttyS0 earlyprintk=serial,ttyS0,115200 quiet panic=-1" \
		-serial "file:$log" -d cpu_reset,guest_errors -D "$log.cpu" \
		"$@" < /dev/null > "$log.qemu" 2>&1 &
	guest_pid=$!
}

guest_boot() {
	local log tmo t0 qpid t_init start end qrc next
	log=$1 tmo=$2
	shift 2
	: > "$log"
	t0=$(date +%s.%N)
	guest_qemu "$log" "$@"
	qpid=$guest_pid
	t_init=""
	start=$(date +%s)
	end=$((start + tmo))
	next=$((start + 60))
	while kill -0 $qpid 2>/dev/null; do
		if [ -z "$t_init" ] && grep -q DORMANT_GUEST_INIT "$log"; then
			t_init=$(date +%s.%N)
		fi
		if [ "$(date +%s)" -ge $end ]; then
			kill -9 $qpid 2>/dev/null
			wait $qpid 2>/dev/null
			echo "timeout"
			return 124
		fi
		if [ "$(date +%s)" -ge $next ]; then
			echo "# guest $log still running after $((next - start)) s" >&2
			next=$((next + 60))
		fi
		sleep 0.05
	done
	wait $qpid
	qrc=$?
	[ -z "$t_init" ] && grep -q DORMANT_GUEST_INIT "$log" && t_init=$(date +%s.%N)
	if [ -n "$t_init" ]; then
		echo "$t0 $t_init" | awk '{ printf "%.2f\n", $2 - $1 }'
	else
		echo "none"
	fi
	return $qrc
}

# rig_log KIND TEXT: a line "KIND TEXT" in DORMANT_OUT/rig-deaths (when
# set) and on stderr. KIND "death" is a death the rig caused or may have
# (make check counts them into its "rig deaths: N" line), "control" the
# outcome of a control boot.
rig_log() {
	echo "# rig $*" >&2
	[ -n "${DORMANT_OUT:-}" ] && [ -d "$DORMANT_OUT" ] &&
		echo "$*" >> "$DORMANT_OUT/rig-deaths"
	return 0
}

# guest_keep LOG TAG: keep a dead boot's console, QEMU messages and -d log
# as LOG.TAG.*, and in a new folder of DORMANT_OUT when that is set.
guest_keep() {
	local d f
	for f in "$1" "$1.qemu" "$1.cpu"; do
		[ -f "$f" ] && cp "$f" "$1.$2.${f##*.}"
	done
	cp "$1" "$1.$2.console"
	if [ -n "${DORMANT_OUT:-}" ] && [ -d "$DORMANT_OUT" ]; then
		d=$(mktemp -d "$DORMANT_OUT/$2.XXXXXX") && cp "$1.$2".* "$d/"
	fi
}

# guest_boot_retry LOG TIMEOUT QEMU-ARGS...: guest_boot, and if the guest
# died before its /init (QEMU exit 0 without "DORMANT_GUEST_INIT": with
# -no-reboot, a panic or a triple fault), count it as a rig death, keep its
# logs (LOG.died.*), create LOG.died, and boot it once more. A guest that
# died on a memory-backend-file (dormant memory) first gets a control: the
# same boot on memory-backend-memfd, recorded as a "control" line in
# rig-deaths, so that the module is never excused without
# one. Prints what the last guest_boot printed; returns its status, or 1
# if the guest died twice.
guest_boot_retry() {
	local log tmo t rc file
	log=$1 tmo=$2
	t=$(guest_boot "$@")
	rc=$?
	[ $rc = 0 ] && [ "$t" = none ] || { echo "$t"; return $rc; }
	file=0
	case " $* " in *" memory-backend-file,"*) file=1 ;; esac
	rig_log death "guest died before /init ($( [ $file = 1 ] && echo file || echo other) memory): $log"
	: > "$log.died"
	guest_keep "$log" died
	if [ $file = 1 ]; then
		(
			shift 2
			n=$#
			for a; do
				case $a in
				memory-backend-file,*)
					a=$(printf '%s\n' "$a" | sed 's/^memory-backend-file,/memory-backend-memfd,/; s/,mem-path=[^,]*//; s/,align=[^,]*//') ;;
				esac
				set -- "$@" "$a"
			done
			shift "$n"
			t=$(guest_boot "$log.control" "$tmo" "$@")
			if [ $? = 0 ] && [ "$t" != none ] && [ "$t" != timeout ]; then
				rig_log control "booted on memfd: $log.control"
			else
				rig_log control "died on memfd too: $log.control"
			fi
		)
	fi
	t=$(guest_boot "$@")
	rc=$?
	echo "$t"
	if [ $rc = 0 ] && [ "$t" = none ]; then
		rig_log death "guest died before /init again: $log"
		guest_keep "$log" died2
		return 1
	fi
	return $rc
}
