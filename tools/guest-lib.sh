# SPDX-License-Identifier: GPL-2.0
# Helpers to boot a stock QEMU/KVM Linux guest inside a sandbox host (or on
# a real host), shared by selftests/qemu_guest_test.sh and tools/demo.sh.
# Source it; it needs busybox-static, cpio, gzip, qemu-system-x86_64. The
# functions keep their scratch variables local (dash and bash have local).

# guest_initrd OUT [MODULE...]: a busybox initramfs whose /init prints
# "DORMANT_GUEST_INIT <uptime>" on the serial console as its first act,
# loads MODULEs (from this machine's /lib/modules/$(uname -r)), runs
# /guest.sh if the caller put one in GUEST_SCRIPT, prints
# "DORMANT_GUEST_DONE <status>" and powers off.
guest_initrd() {
	local out gdir n m f rc
	out=$1
	shift
	gdir=$(mktemp -d) || return 1
	mkdir -p "$gdir/bin" "$gdir/dev" "$gdir/proc" "$gdir/sys" "$gdir/mods" "$gdir/tmp" "$gdir/mnt"
	cp /bin/busybox "$gdir/bin/busybox" || return 1
	n=0
	for m in "$@"; do
		for f in $(modprobe --show-depends "$m" | awk '$1 == "insmod" { print $2 }'); do
			n=$((n + 1))
			case "$f" in
			*.xz) xz -dc "$f" > "$gdir/mods/$(printf %02d $n).ko" ;;
			*.zst) zstd -qdc "$f" > "$gdir/mods/$(printf %02d $n).ko" ;;
			*) cp "$f" "$gdir/mods/$(printf %02d $n).ko" ;;
			esac
		done
	done
	cat > "$gdir/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox mount -t devtmpfs dev /dev
/bin/busybox mount -t proc proc /proc
read up idle < /proc/uptime
echo "DORMANT_GUEST_INIT $up" > /dev/ttyS0
/bin/busybox --install -s /bin
mount -t sysfs sys /sys
for m in /mods/*.ko; do [ -e "$m" ] && insmod "$m"; done
rc=0
[ -f /guest.sh ] && { sh /guest.sh > /dev/ttyS0 2>&1; rc=$?; }
echo "DORMANT_GUEST_DONE $rc" > /dev/ttyS0
poweroff -f
INIT
	chmod 755 "$gdir/init"
	[ -n "${GUEST_SCRIPT:-}" ] && cp "$GUEST_SCRIPT" "$gdir/guest.sh"
	(cd "$gdir" && find . | cpio -o -H newc --quiet | gzip -1) > "$out"
	rc=$?
	rm -rf "$gdir"
	return $rc
}

# guest_boot_retry LOG TIMEOUT QEMU-ARGS...: guest_boot, once more if the
# guest died before its /init (QEMU exit 0 without "DORMANT_GUEST_INIT" on
# the console: with -no-reboot, a panic's reboot or a triple fault). Under
# nested TCG about one boot in ten dies so, on any kind of memory, of the
# guest kernel's own text patching (see Documentation/testing.rst). Says so
# on stderr, creates LOG.died, and keeps the dead boot's console, QEMU
# messages and QEMU's -d log as LOG.died.*, and in DORMANT_OUT when that is
# set. Prints what the last guest_boot printed.
guest_boot_retry() {
	local t rc d
	t=$(guest_boot "$@")
	rc=$?
	if [ $rc = 0 ] && [ "$t" = none ]; then
		echo "# guest died before its /init; booting it once more (logs: $1.died.*)" >&2
		: > "$1.died"
		cp "$1" "$1.died.console"
		cp "$1.qemu" "$1.died.qemu"
		cp "$1.cpu" "$1.died.cpu" 2>/dev/null
		if [ -n "${DORMANT_OUT:-}" ] && [ -d "$DORMANT_OUT" ]; then
			d=$(mktemp -d "$DORMANT_OUT/died.XXXXXX")
			cp "$1".died.* "$d/"
			echo "$*" > "$d/args"
		fi
		t=$(guest_boot "$@")
		rc=$?
	fi
	echo "$t"
	return $rc
}

# guest_boot LOG TIMEOUT QEMU-ARGS...: boot the machine's kernel as a KVM
# guest (GUEST_SMP vCPUs, default 1) with the given memory arguments; the
# serial console goes to LOG, QEMU's messages to LOG.qemu and its log of
# CPU resets and guest errors to LOG.cpu.
# Prints the seconds from QEMU's start to the guest's /init
# ("DORMANT_GUEST_INIT" on the console) and returns QEMU's exit status
# (124 on timeout).
guest_boot() {
	local log tmo t0 qpid t_init end qrc
	log=$1 tmo=$2
	shift 2
	: > "$log"
	t0=$(date +%s.%N)
	qemu-system-x86_64 -enable-kvm -cpu host -smp "${GUEST_SMP:-1}" -nodefaults \
		-no-user-config -display none -no-reboot \
		-kernel "/boot/vmlinuz-$(uname -r)" -initrd "$GUEST_INITRD" \
		-append "console=ttyS0 earlyprintk=serial,ttyS0,115200 quiet panic=-1" \
		-serial "file:$log" -d cpu_reset,guest_errors -D "$log.cpu" \
		"$@" < /dev/null > "$log.qemu" 2>&1 &
	qpid=$!
	t_init=""
	end=$(( $(date +%s) + tmo ))
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
