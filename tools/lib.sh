# SPDX-License-Identifier: GPL-2.0
# Shell helpers shared by tools/, bench/ and selftests/: one place for each
# job. POSIX sh (dash runs the selftests inside sandbox hosts); source it.

# Kernel log lines that mean a kernel bug: tools/sandbox fails a host whose
# log has one, the selftests check the log since a mark for them.
BAD_LOG_RE='BUG[: ]|WARNING:|Oops|general protection fault|KFENCE:|Kernel panic|Call Trace:|sleeping function called from invalid context|INFO: task .* blocked|UBSAN:|kernel BUG|Unable to handle|Object .*overwritten|Redzone|Poison overwritten|Padding overwritten|list_add corruption|list_del corruption|refcount_t:|pagealloc: memory corruption|Bad page state'

# kernels: the kernel releases to build and test, oldest first: $KVERS if
# set, else every release with headers in /lib/modules/*/build.
kernels() {
	if [ -n "${KVERS:-}" ]; then
		printf '%s\n' $KVERS
	else
		for d in /lib/modules/*/build; do
			[ -d "$d" ] || continue
			d=${d%/build}
			echo "${d##*/}"
		done | sort -V
	fi
}

# is_count VALUE: true if VALUE is a positive decimal number (no sign, no
# leading zero, at most 9 digits).
is_count() {
	case $1 in
	'' | 0* | *[!0-9]*) return 1 ;;
	esac
	[ ${#1} -le 9 ]
}

# QEMU binaries. The sandbox hosts run on QEMU 10.0 (Debian 13's, extracted
# from bookworm-backports into .deps/qemu-10.0 by make deps): bookworm's 7.2
# was seen to kill them (Documentation/testing.rst). Inside a sandbox host
# the VMM is bookworm's own qemu-system-x86_64 (7.2) or that 10.0.
# qemu_path VERSION: the command for QEMU VERSION (7.2: the system's; 10.0:
# the one in $top/.deps), or a message on stderr and status 1 if it is not
# there or is another version.
qemu_path() {
	case $1 in
	7.2) _q=/usr/bin/qemu-system-x86_64 ;;
	10.0) _q=$top/.deps/qemu-10.0/bin/qemu-system-x86_64 ;;
	*) echo "unknown QEMU version '$1' (7.2 or 10.0)" >&2; return 1 ;;
	esac
	if ! "$_q" --version 2>/dev/null | grep -q "version $1\."; then
		echo "no QEMU $1 at $_q: run 'make deps'" >&2
		return 1
	fi
	echo "$_q"
}

# initramfs_build OUT KVER INIT [MODULE...]: a gzipped cpio with busybox,
# INIT as /init, empty /proc /sys /dev /tmp /mnt /newroot, and MODULE and
# what it needs from /lib/modules/KVER, decompressed, in load order, as
# /mods/NN-name.ko (built-ins skipped). INITRAMFS_SCRIPT, if set, is put at
# /guest.sh.
initramfs_build() {
	_out=$1 _kver=$2 _init=$3
	shift 3
	_tmp=$(mktemp -d) || return 1
	mkdir -p "$_tmp/bin" "$_tmp/mods" "$_tmp/proc" "$_tmp/sys" "$_tmp/dev" \
		"$_tmp/tmp" "$_tmp/mnt" "$_tmp/newroot"
	cp /bin/busybox "$_tmp/bin/busybox" && cp "$_init" "$_tmp/init" &&
		chmod 755 "$_tmp/init" || { rm -rf "$_tmp"; return 1; }
	if [ -n "${INITRAMFS_SCRIPT:-}" ]; then
		cp "$INITRAMFS_SCRIPT" "$_tmp/guest.sh" || { rm -rf "$_tmp"; return 1; }
	fi
	_n=0
	for _m in $(for _x in "$@"; do
			modprobe -S "$_kver" --show-depends "$_x" || echo FAILED
		done | awk '$1 == "FAILED" { print "FAILED" } $1 == "insmod" && !seen[$2]++ { print $2 }'); do
		if [ "$_m" = FAILED ]; then
			echo "initramfs_build: a module of '$*' is unknown to kernel $_kver" >&2
			rm -rf "$_tmp"
			return 1
		fi
		_f="$_tmp/mods/$(printf %02d $_n)-$(basename "${_m%.ko*}").ko"
		_n=$((_n + 1))
		case "$_m" in
		*.ko.xz) xz -dc "$_m" > "$_f" ;;
		*.ko.zst) zstd -qdc "$_m" > "$_f" ;;
		*.ko) cp "$_m" "$_f" ;;
		*) echo "initramfs_build: unexpected module file $_m" >&2; false ;;
		esac || { rm -rf "$_tmp"; return 1; }
	done
	(cd "$_tmp" && find . | cpio -o -H newc --quiet | gzip -1) > "$_out.tmp" &&
		mv "$_out.tmp" "$_out"
	_rc=$?
	rm -rf "$_tmp"
	return $_rc
}

# --- the pod in two sandbox hosts (tools/sandbox -H 2) --------------------
# pod_file FILE OBJECTS: the pod file of the two hosts, members "a" (host
# 0) and "b" (host 1), with the JSON array OBJECTS; the same bytes on both
# hosts (the members compare its hash).
pod_file() {
	if [ "${DORMANT_HOST:-}" = 0 ]; then
		set -- "$1" "$2" "$DORMANT_IP" "$DORMANT_PEER_IP"
	else
		set -- "$1" "$2" "$DORMANT_PEER_IP" "$DORMANT_IP"
	fi
	printf '{\n  "version": 1,\n  "members": [\n    { "name": "a", "addr": "%s" },\n    { "name": "b", "addr": "%s" }\n  ],\n  "objects": %s\n}\n' \
		"$3" "$4" "$2" > "$1"
}

# pod_start POD MEMBER DIR WORK: start dormantd in the background (pid in
# pod_pid, log WORK/dormantd.log (appended: a restart keeps the first
# run's lines), control socket WORK/ctl.sock (pod_ctl), counters at exit
# WORK/stats.json) and wait until it is connected to the other members;
# 0 if it is, 1 (log shown) if not.
pod_start() {
	pod_stats="$4/stats.json"
	pod_ctl="$4/ctl.sock"
	_ups=$(cat "$4/dormantd.log" 2>/dev/null | grep -c 'pod up')
	"$top/build/bin/dormantd" -p "$1" -m "$2" -d "$3" -c "$pod_ctl" \
		-s "$pod_stats" -t 120 2>> "$4/dormantd.log" &
	pod_pid=$!
	for _ in $(seq 1 150); do
		[ "$(grep -c 'pod up' "$4/dormantd.log")" -gt "$_ups" ] && return 0
		kill -0 $pod_pid 2>/dev/null || break
		sleep 1
	done
	sed 's/^/# dormantd: /' "$4/dormantd.log"
	return 1
}

# pod_counter NAME: a counter of this host's dormantd (not a peer's), as
# dormantctl reads it through the control socket.
pod_counter() {
	"$top/build/bin/dormantctl" -j -c "$pod_ctl" pod |
		grep -o "\"$1\": *[0-9]*" | head -n 1 | sed 's/.*: *//'
}

# pod_crash: kill that dormantd the hard way (SIGKILL), as a crash would.
pod_crash() {
	kill -KILL "$pod_pid" 2>/dev/null
	wait "$pod_pid" 2>/dev/null
	pod_pid=
}

# pod_await NAME VALUE SEC: until the counter NAME is at least VALUE (a
# line every minute, for tools/sandbox's watchdog); 0 if it got there
# within SEC seconds, 1 if not.
pod_await() {
	for _i in $(seq 1 "$3"); do
		[ "$(pod_counter "$1")" -ge "$2" ] 2>/dev/null && return 0
		[ $((_i % 60)) = 0 ] &&
			echo "# pod: waiting for $1 to reach $2 ($_i s; it is $(pod_counter "$1"))"
		sleep 1
	done
	return 1
}

# pod_stop: stop that dormantd; its exit status.
pod_stop() {
	kill "$pod_pid" 2>/dev/null
	wait "$pod_pid"
	set -- $?
	pod_pid=
	return "$1"
}
