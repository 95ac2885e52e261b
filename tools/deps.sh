#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make deps: install every Debian package that building, testing and the demo
# need, and extract the kernel's kselftest headers and checkpatch.pl from
# Debian's linux-source-6.12 into .deps/ (git-ignored). Idempotent.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
deps="$top/.deps"

die() { echo "make deps: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (it installs Debian packages): try 'sudo make deps'"
command -v apt-get >/dev/null || die "apt-get not found: this needs Debian bookworm"

packages=(
	# build
	gcc make libc6-dev pkg-config perl
	linux-headers-amd64 linux-headers-6.12-amd64
	libjson-c-dev libibverbs-dev librdmacm-dev
	# sandbox hosts: kernels to boot, QEMU, the initramfs
	linux-image-amd64 linux-image-6.12-amd64
	qemu-system-x86 busybox-static cpio xz-utils zstd kmod
	# inside the sandbox hosts: network and RDMA tools
	iproute2 rdma-core ibverbs-providers ibverbs-utils rdmacm-utils
	# benchmarks and plots, the report
	gnuplot-nox python3
	# make deb, make install, tools/test_packages.sh: the packages, their
	# man pages (rst2man), DKMS, lintian, man -l
	debhelper dh-dkms dkms python3-docutils lintian man-db
)

export DEBIAN_FRONTEND=noninteractive
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "make deps: installing ${missing[*]}"
	apt-get update -q || die "apt-get update failed"
	for p in "${missing[@]}"; do
		apt-cache show "$p" >/dev/null 2>&1 ||
			die "package '$p' cannot be had from the configured Debian archives"
	done
	apt-get install -y -q --no-install-recommends "${missing[@]}" ||
		die "apt-get install failed for: ${missing[*]}"
else
	echo "make deps: all Debian packages already installed"
fi

# QEMU 10.0, Debian 13's, from bookworm-backports, unpacked into
# .deps/qemu-10.0 (not installed: the system's QEMU stays bookworm's 7.2,
# the VMM users of bookworm run). The sandbox hosts run on it (bookworm's
# 7.2 TCG was seen to kill them: Documentation/testing.rst), and the
# selftests run stock guests with both inside the hosts. The backports
# archive is added to apt's sources if missing; at its default priority
# nothing is installed from it.
qdir="$deps/qemu-10.0"
qbin="$qdir/bin/qemu-system-x86_64"
if "$qbin" --version 2>/dev/null | grep -q 'version 10\.0\.'; then
	echo "make deps: QEMU 10.0 already in .deps/qemu-10.0"
else
	bpo=/etc/apt/sources.list.d/bookworm-backports.sources
	if ! apt-cache policy 2>/dev/null | grep -q 'bookworm-backports/main'; then
		echo "make deps: adding bookworm-backports to apt's sources ($bpo)"
		cat > "$bpo" <<-EOF
		Types: deb
		URIs: http://deb.debian.org/debian
		Suites: bookworm-backports
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
		EOF
		apt-get update -q || die "apt-get update failed"
	fi
	qwork=$(mktemp -d)
	chown _apt "$qwork" 2>/dev/null || true
	(cd "$qwork" && apt-get download -q qemu-system-x86/bookworm-backports \
		qemu-system-common/bookworm-backports qemu-system-data/bookworm-backports \
		seabios/bookworm-backports) ||
		{ rm -rf "$qwork"; die "cannot download QEMU 10.0 from bookworm-backports"; }
	rm -rf "$qdir"
	mkdir -p "$qdir/bin"
	for d in "$qwork"/*.deb; do
		dpkg-deb -x "$d" "$qdir" || { rm -rf "$qwork"; die "cannot unpack $d"; }
	done
	rm -rf "$qwork"
	missing_libs=$(ldd "$qdir/usr/bin/qemu-system-x86_64" | awk '/not found/ { print $1 }')
	[ -z "$missing_libs" ] || die "QEMU 10.0 needs libraries this machine lacks: $missing_libs"
	cat > "$qbin" <<-'EOF'
	#!/bin/sh
	# QEMU 10.0 unpacked by make deps (tools/deps.sh), with its own firmware.
	d=$(cd "$(dirname "$0")/.." && pwd)
	exec "$d/usr/bin/qemu-system-x86_64" -L "$d/usr/share/qemu" \
		-L "$d/usr/share/seabios" "$@"
	EOF
	chmod 755 "$qbin"
	"$qbin" --version | grep -q 'version 10\.0\.' ||
		die "the unpacked QEMU does not run as 10.0: $("$qbin" --version 2>&1 | head -n 1)"
	echo "make deps: QEMU $("$qbin" --version | sed -n 's/.*version \([^ ]*\).*/\1/p') unpacked into .deps/qemu-10.0"
fi

# Kernel selftest headers and checkpatch.pl, from Debian's linux-source-6.12.
src="$deps/linux-source-6.12"
want=(tools/testing/selftests/kselftest.h
      tools/testing/selftests/kselftest_harness.h
      scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch)
have=1
for f in "${want[@]}"; do [ -e "$src/$f" ] || have=0; done
if [ $have = 1 ]; then
	echo "make deps: kselftest headers and checkpatch.pl already in .deps/"
	exit 0
fi

work=$(mktemp -d)
chown _apt "$work" 2>/dev/null || true	# apt-get download runs as _apt
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -q linux-source-6.12) ||
	die "cannot download linux-source-6.12"
dpkg-deb -x "$work"/linux-source-6.12_*.deb "$work/x"
tarball=$(ls "$work"/x/usr/src/linux-source-6.12*.tar.xz | head -n 1)
[ -f "$tarball" ] || die "linux-source-6.12 holds no source tarball"
mkdir -p "$deps"
tar -xJf "$tarball" -C "$deps" --wildcards \
	'*/tools/testing/selftests/kselftest.h' \
	'*/tools/testing/selftests/kselftest_harness.h' \
	'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
	'*/scripts/const_structs.checkpatch' ||
	die "cannot extract kselftest headers and checkpatch.pl from $tarball"
for f in "${want[@]}"; do
	[ -e "$src/$f" ] || die "$f missing after extraction into $src"
done
echo "make deps: kselftest headers and checkpatch.pl extracted into .deps/linux-source-6.12"
