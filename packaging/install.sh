#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# install.sh install|uninstall: make install and make uninstall
# (packaging.mk), which pass every variable below in the environment:
#
#   DESTDIR         staging root; empty: this system
#   VERSION         the module's version (kmod/dormant.h)
#   BUILD           the build directory (bin/, man/)
#   SBINDIR MANDIR DOCDIR COMPLETIONDIR UNITDIR SYSCONFDIR   where to
#   KVERS           with DESTDIR empty and dkms installed: the kernels dkms
#                   builds and installs the module for
#
# The module's DKMS tree goes to /usr/src/dormant-VERSION, where dkms looks
# for it. SYSCONFDIR/default/dormant is never overwritten (ours goes next
# to it as dormant.new) and is removed only if it is still ours.
#
# uninstall removes the files install put there and then the directories
# install made that are left empty: with DESTDIR set, every empty one up
# to DESTDIR; with DESTDIR empty, the ones install listed as made by it in
# DOCDIR/.installed-dirs (never a directory that was there before).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
: "${DESTDIR=}" "${KVERS=}"
dkms_dir=/usr/src/dormant-$VERSION
default_file=$SYSCONFDIR/default/dormant
made_dirs=$DOCDIR/.installed-dirs

# "mode source destination" for each file, the .in ones with @...@ filled in
files() {
	cat <<-EOF
	755 $BUILD/bin/dormantctl $SBINDIR/dormantctl
	755 $BUILD/bin/dormantd $SBINDIR/dormantd
	644 $BUILD/man/dormantctl.8 $MANDIR/man8/dormantctl.8
	644 $BUILD/man/dormantd.8 $MANDIR/man8/dormantd.8
	644 packaging/systemd/dormantd.service.in $UNITDIR/dormantd.service
	644 packaging/systemd/run-dormant.mount $UNITDIR/run-dormant.mount
	644 packaging/bash-completion/dormantctl $COMPLETIONDIR/dormantctl
	644 Documentation/user-guide.rst $DOCDIR/user-guide.rst
	644 Documentation/examples/pod.json $DOCDIR/examples/pod.json
	644 packaging/examples/modules-load.d/dormant.conf $DOCDIR/examples/modules-load.d/dormant.conf
	644 packaging/examples/modprobe.d/dormant.conf $DOCDIR/examples/modprobe.d/dormant.conf
	EOF
}

# The DKMS tree: what the top-level Makefile builds the module from (not
# the conftest.h it generates), with a Makefile and a dkms.conf of its own.
dkms_files() {
	for f in Kbuild kmod/*.c kmod/*.h kmod/conftest.sh kmod/conftest/Kbuild \
		 kmod/conftest/*.c include/uapi/linux/*.h; do
		[ "$f" = kmod/conftest.h ] || echo "$f"
	done
}

subst() {
	sed -e "s|@SBINDIR@|$SBINDIR|g" -e "s|@SYSCONFDIR@|$SYSCONFDIR|g" \
	    -e "s|@DOCDIR@|$DOCDIR|g" "$1"
}

have_dkms() {
	[ -z "$DESTDIR" ] && command -v dkms > /dev/null
}

# mkdirs DIR: make DIR and its missing parents, noting each one made
mkdirs() {
	_d=$DESTDIR$1
	while [ ! -d "$_d" ]; do
		echo "$_d" >> "$made"
		_d=$(dirname "$_d")
	done
	install -d "$DESTDIR$1"
}

do_install() {
	made=$(mktemp)
	trap 'rm -f "$made"' EXIT
	files | while read -r mode src dst; do
		echo "  INSTALL $DESTDIR$dst"
		mkdirs "$(dirname "$dst")"
		case $src in
		*.in)
			subst "$src" > "$DESTDIR$dst.tmp"
			install -m "$mode" "$DESTDIR$dst.tmp" "$DESTDIR$dst"
			rm -f "$DESTDIR$dst.tmp"
			;;
		*)
			install -m "$mode" "$src" "$DESTDIR$dst"
			;;
		esac
	done

	mkdirs "$(dirname "$default_file")"
	subst packaging/default/dormant.in > "$DESTDIR$default_file.new"
	if [ -e "$DESTDIR$default_file" ] &&
	   ! cmp -s "$DESTDIR$default_file.new" "$DESTDIR$default_file"; then
		echo "  KEEP    $DESTDIR$default_file (yours; ours is $default_file.new)"
	else
		echo "  INSTALL $DESTDIR$default_file"
		install -m 644 "$DESTDIR$default_file.new" "$DESTDIR$default_file"
		rm -f "$DESTDIR$default_file.new"
	fi

	echo "  INSTALL $DESTDIR$dkms_dir/"
	rm -rf "$DESTDIR$dkms_dir"
	mkdirs "$dkms_dir"
	dkms_files | while read -r f; do
		mode=644
		[ "$f" != kmod/conftest.sh ] || mode=755
		install -D -m $mode "$f" "$DESTDIR$dkms_dir/$f"
	done
	install -m 644 packaging/dkms/Makefile "$DESTDIR$dkms_dir/Makefile"
	sed "s/#MODULE_VERSION#/$VERSION/" packaging/dkms/dkms.conf > "$DESTDIR$dkms_dir/dkms.conf"

	if [ -z "$DESTDIR" ]; then
		# directories made now, with those of an earlier install
		cat "$made_dirs" "$made" 2> /dev/null | sort -u > "$made.all"
		install -m 644 "$made.all" "$made_dirs"
		rm -f "$made.all"
	fi
	if have_dkms; then
		if [ -n "$(dkms status -m dormant -v "$VERSION")" ]; then
			dkms remove -m dormant -v "$VERSION" --all
		fi
		dkms add -m dormant -v "$VERSION"
		for k in $KVERS; do
			dkms install -m dormant -v "$VERSION" -k "$k"
		done
	elif [ -z "$DESTDIR" ]; then
		echo "make install: no dkms: the module's sources are in $dkms_dir;" \
		     "build it there with 'make KVER=<release>'"
	fi
}

do_uninstall() {
	if have_dkms && [ -n "$(dkms status -m dormant -v "$VERSION")" ]; then
		dkms remove -m dormant -v "$VERSION" --all
	fi
	echo "  REMOVE  $DESTDIR$dkms_dir/"
	rm -rf "$DESTDIR$dkms_dir"
	files | while read -r mode src dst; do
		echo "  REMOVE  $DESTDIR$dst"
		rm -f "$DESTDIR$dst"
	done
	ours=$(mktemp)
	subst packaging/default/dormant.in > "$ours"
	if [ -e "$DESTDIR$default_file" ] && ! cmp -s "$ours" "$DESTDIR$default_file"; then
		echo "  KEEP    $DESTDIR$default_file (changed since make install)"
	else
		echo "  REMOVE  $DESTDIR$default_file"
		rm -f "$DESTDIR$default_file"
	fi
	rm -f "$DESTDIR$default_file.new"

	if [ -n "$DESTDIR" ]; then
		{ files; echo "0 - $default_file"; echo "0 - $dkms_dir/-"; } |
		while read -r mode src dst; do
			d=$DESTDIR$(dirname "$dst")
			while [ "$d" != "$DESTDIR" ] &&
			      { [ ! -e "$d" ] || rmdir "$d" 2> /dev/null; }; do
				d=${d%/*}
			done
		done
	elif [ -e "$made_dirs" ]; then
		# deepest first
		sort -r "$made_dirs" > "$ours"
		rm -f "$made_dirs"
		while read -r d; do
			rmdir "$d" 2> /dev/null || true
		done < "$ours"
	fi
	rm -f "$ours"
}

case ${1:-} in
install) do_install ;;
uninstall) do_uninstall ;;
*) echo "usage: $0 install|uninstall" >&2; exit 2 ;;
esac
