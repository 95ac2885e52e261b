# SPDX-License-Identifier: GPL-2.0
# Shared by the bench/*.sh scripts that run inside a sandbox host (or on a
# real one, as root). Source it after setting "top" to the checkout.

. "$top/tools/lib.sh"
ko="$top/build/$(uname -r)/dormant.ko"
par=/sys/module/dormant/parameters
nodes=/sys/kernel/dormant/nodes

# bench_num SCRIPT VALUE...: every VALUE a positive decimal number, or the
# script stops with a message and status 2 before touching anything
bench_num() {
	_script=$1
	shift
	for _v in "$@"; do
		is_count "$_v" || { echo "$_script: '$_v' is not a positive number" >&2; exit 2; }
	done
}

# bench_kvm: KVM loaded.
bench_kvm() {
	modprobe kvm_amd 2>/dev/null || modprobe kvm_intel || exit 1
}

# bench_mount: the module loaded (if it is not) and a dormant filesystem
# mounted at $mnt, in the scratch directory $work. Everything is undone
# at exit.
bench_mount() {
	work=$(mktemp -d) || exit 1
	mnt="$work/mnt"
	mkdir -p "$mnt"
	trap bench_cleanup EXIT
	[ -d /sys/module/dormant ] || insmod "$ko" || exit 1
	mount -t dormant none "$mnt" || exit 1
}

bench_cleanup() {
	[ -n "${mnt:-}" ] && umount "$mnt" 2>/dev/null
	[ -n "${work:-}" ] && rm -rf "$work"
}

# wait_for EXPR [SECONDS]: up to SECONDS (default 60) for a shell test to
# hold, polling every 0.1 s
wait_for() {
	_i=0
	while ! eval "$1"; do
		_i=$((_i + 1))
		[ $_i -gt $((${2:-60} * 10)) ] && {
			echo "# timed out waiting for: $1" >&2
			return 1
		}
		sleep 0.1
	done
}
