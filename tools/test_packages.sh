#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages and make install (issue 16), on the build host, TAP
# output:
#
#   tools/test_packages.sh [-d DEBDIR] [-s]
#
#   build     make deb, which must leave nothing in the tree outside build/
#             (as git status sees it; -d DEBDIR: take the .debs there)
#   lintian   no E: (W: and I: are listed)
#   contents  dpkg-deb -c: the files each package must hold, and no others;
#             modes; the version; the maintainer scripts (DKMS; units
#             neither enabled nor stopped on upgrade)
#   man       each page renders with man -l without a warning, and names
#             every option the program's source gives getopt_long, and no
#             other; dormantctl(8) every command of its usage
#   completion  bash -n, and the candidates it offers against the same
#   units     systemd-analyze verify (their man pages from the package),
#             the filesystem type and module name against kmod/
#   abi       Documentation/ABI: the format, every sysfs file and module
#             parameter the module creates, and nothing it does not
#   install   make install DESTDIR=... then make uninstall, for PREFIX=/usr
#             (the same files as the packages) and /usr/local: nothing left
#   system    with -s, as root, on this machine: dpkg -i both packages,
#             dkms builds and installs the module for every kernel with
#             headers, modinfo -k finds it, the units are installed but not
#             enabled; dpkg --purge leaves nothing behind
#
# Still to come: the sandbox part (the packages in a sandbox host, modprobe,
# run-dormant.mount, dormantd.service, a libvirt guest): a part like
# system_part below that takes $debdir.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
. tools/lib.sh

usage() {
	echo "usage: tools/test_packages.sh [-d DEBDIR] [-s]" >&2
	exit 2
}

debdir= system=0
while getopts d:s o; do
	case $o in
	d) debdir=$OPTARG ;;
	s) system=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# = 0 ] || usage
if [ -n "$debdir" ] && [ ! -d "$debdir" ]; then
	echo "test_packages: -d $debdir: no such directory" >&2
	exit 2
fi
if [ $system = 1 ] && [ "$(id -u)" != 0 ]; then
	echo "test_packages: -s installs the packages on this machine: run it as root" >&2
	exit 2
fi

echo "TAP version 13"
version=$(sed -n 's/.*define DORMANT_VERSION[[:space:]]*"\(.*\)".*/\1/p' kmod/dormant.h)
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
out=$work/out
n=0 failed=0

# check NAME COMMAND...: ok if COMMAND succeeds; its output goes with a
# "not ok" as comments
check() {
	local name=$1
	shift
	n=$((n + 1))
	if "$@" > "$out" 2>&1; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		sed 's/^/# /' "$out"
		failed=$((failed + 1))
	fi
}

# same LEFT RIGHT: the two files hold the same lines, else the difference
same() {
	diff -u "$1" "$2" > "$work/diff" && return 0
	tail -n +3 "$work/diff"
	return 1
}

deb_of() {
	ls "$debdir"/"$1"_"$version"-*_*.deb 2> /dev/null | head -n 1
}

# files DEB: the files (not directories) of DEB as "mode path", compressed
# documentation without its .gz (dh_compress decides by size)
files() {
	dpkg-deb -c "$1" | awk '$1 !~ /^d/ { print $1, $6 }' |
		sed 's|^\(.* \./usr/share/doc/.*\)\.gz$|\1|' | sort
}

# --- build -----------------------------------------------------------------

tree_state() {
	git status --porcelain --ignored --untracked-files=all 2> /dev/null |
		grep -v ' build/' | sort
}

build() {
	tree_state > "$work/tree.before"
	make -s deb > "$work/deb.log" 2>&1 || { tail -n 30 "$work/deb.log"; return 1; }
	tree_state > "$work/tree.after"
	same "$work/tree.before" "$work/tree.after"
}

if [ -z "$debdir" ]; then
	debdir=$top/build/deb
	echo "# make deb ($(date +%T))"
	check "make deb builds the packages and leaves nothing outside build/" build
fi
dkms_deb=$(deb_of dormant-dkms)
utils_deb=$(deb_of dormant-utils)
have_debs() {
	[ -f "$dkms_deb" ] && [ -f "$utils_deb" ] && return 0
	echo "no dormant-dkms and dormant-utils $version packages in $debdir:"
	ls -l "$debdir"
	return 1
}
check "dormant-dkms and dormant-utils $version are in $debdir" have_debs
if [ ! -f "$dkms_deb" ] || [ ! -f "$utils_deb" ]; then
	echo "1..$n"
	exit 1
fi
mkdir -p "$work/dkms" "$work/utils"
dpkg-deb -x "$dkms_deb" "$work/dkms"
dpkg-deb -x "$utils_deb" "$work/utils"
dpkg-deb -e "$dkms_deb" "$work/dkms/DEBIAN"
dpkg-deb -e "$utils_deb" "$work/utils/DEBIAN"

# --- lintian ---------------------------------------------------------------

lintian_clean() {
	local targets
	targets=$(ls "$debdir"/*.changes 2> /dev/null | head -n 1)
	[ -n "$targets" ] || targets=$(ls "$debdir"/*.deb)
	# shellcheck disable=SC2086
	lintian -I --pedantic $targets 2> "$work/lintian.err" > "$work/lintian"
	grep -v 'running with root privileges' "$work/lintian.err"
	grep -E '^[WIPX]: ' "$work/lintian"
	! grep -E '^E: ' "$work/lintian"
}

check "lintian: no errors" lintian_clean
sed 's/^/# lintian: /' "$work/lintian"

# --- contents --------------------------------------------------------------

changelog_version() {
	local v
	v=$(dpkg-parsechangelog -l debian/changelog -S Version)
	[ "${v%-*}" = "$version" ] && return 0
	echo "debian/changelog says $v; kmod/dormant.h says $version"
	return 1
}

dkms_contents() {
	local f m s=./usr/src/dormant-$version
	{
		for f in Kbuild kmod/*.c kmod/*.h kmod/conftest/Kbuild kmod/conftest/*.c \
			 include/uapi/linux/*.h; do
			[ "$f" != kmod/conftest.h ] && echo "-rw-r--r-- $s/$f"
		done
		echo "-rwxr-xr-x $s/kmod/conftest.sh"
		echo "-rw-r--r-- $s/Makefile"
		echo "-rw-r--r-- $s/dkms.conf"
		for f in README.Debian changelog.Debian copyright sysfs-kernel-dormant \
			 sysfs-module-dormant; do
			echo "-rw-r--r-- ./usr/share/doc/dormant-dkms/$f"
		done
	} | sort > "$work/dkms.want"
	files "$dkms_deb" > "$work/dkms.have"
	same "$work/dkms.want" "$work/dkms.have" || return 1
	# the sources are the tree's, byte for byte
	for f in Kbuild kmod/*.c kmod/*.h kmod/conftest.sh kmod/conftest/* include/uapi/linux/*.h; do
		cmp "$f" "$work/dkms/$s/$f" || return 1
	done
	cmp packaging/dkms/Makefile "$work/dkms/$s/Makefile"
}

dkms_conf() {
	local c=$work/dkms/usr/src/dormant-$version/dkms.conf
	grep -qx "PACKAGE_NAME=\"dormant\"" "$c" &&
		grep -qx "PACKAGE_VERSION=\"$version\"" "$c" &&
		grep -qx 'BUILT_MODULE_NAME\[0\]="dormant"' "$c" &&
		grep -qx 'AUTOINSTALL="yes"' "$c" && return 0
	cat "$c"
	return 1
}

dkms_scripts() {
	local d=$work/dkms/DEBIAN
	grep -q 'common.postinst' "$d/postinst" &&
		grep -qx 'DKMS_NAME=dormant' "$d/postinst" &&
		grep -qx "DKMS_VERSION=$version" "$d/postinst" &&
		grep -q 'dkms remove -m $DKMS_NAME -v $DKMS_VERSION --all' "$d/prerm" &&
		grep -q '^Depends:.*dkms' "$d/control" && return 0
	head -n 100 "$d"/postinst "$d"/prerm "$d"/control
	return 1
}

utils_contents() {
	local d=./usr/share/doc/dormant-utils
	sort > "$work/utils.want" <<-EOF
	-rw-r--r-- ./etc/default/dormant
	-rw-r--r-- ./lib/systemd/system/dormantd.service
	-rw-r--r-- ./lib/systemd/system/run-dormant.mount
	-rwxr-xr-x ./usr/sbin/dormantctl
	-rwxr-xr-x ./usr/sbin/dormantd
	-rw-r--r-- ./usr/share/bash-completion/completions/dormantctl
	-rw-r--r-- $d/README.Debian
	-rw-r--r-- $d/changelog.Debian
	-rw-r--r-- $d/copyright
	-rw-r--r-- $d/user-guide.rst
	-rw-r--r-- $d/examples/pod.json
	-rw-r--r-- $d/examples/modules-load.d/dormant.conf
	-rw-r--r-- $d/examples/modprobe.d/dormant.conf
	-rw-r--r-- ./usr/share/man/man8/dormantctl.8.gz
	-rw-r--r-- ./usr/share/man/man8/dormantd.8.gz
	EOF
	files "$utils_deb" > "$work/utils.have"
	same "$work/utils.want" "$work/utils.have"
}

# Not enabled, not started when installed, neither stopped nor restarted on
# upgrade, stopped on removal, /etc/default/dormant a conffile.
utils_scripts() {
	local d=$work/utils/DEBIAN u
	for u in dormantd.service run-dormant.mount; do
		grep -q "deb-systemd-helper --quiet was-enabled '$u'" "$d/postinst" ||
			{ echo "postinst: $u not left as the admin had it"; return 1; }
	done
	grep -q "deb-systemd-invoke stop 'dormantd.service' 'run-dormant.mount'" "$d/prerm" ||
		{ echo "prerm: the units are not stopped on removal"; return 1; }
	grep -A3 'deb-systemd-invoke stop' "$d/prerm" | grep -q '"$1" = remove' ||
		grep -B3 'deb-systemd-invoke stop' "$d/prerm" | grep -q '"$1" = remove' ||
		{ echo "prerm: the units are stopped on upgrade too"; return 1; }
	if [ -e "$d/preinst" ] && grep -q 'deb-systemd-invoke stop' "$d/preinst"; then
		echo "preinst stops the units before an upgrade"
		return 1
	fi
	if grep -qE 'try-restart|deb-systemd-invoke restart' "$d/postinst"; then
		echo "postinst restarts the units after an upgrade"
		return 1
	fi
	grep -qx /etc/default/dormant "$d/conffiles" || { cat "$d/conffiles"; return 1; }
}

check "debian/changelog's upstream version is kmod/dormant.h's $version" changelog_version
check "dormant-dkms holds exactly the module's sources, Makefile, dkms.conf and docs" dkms_contents
check "dormant-dkms: dkms.conf names dormant $version, autoinstalled" dkms_conf
check "dormant-dkms: postinst builds with DKMS, prerm removes it, depends on dkms" dkms_scripts
check "dormant-utils holds exactly its programs, man pages, units, completion and docs" utils_contents
check "dormant-utils: units not enabled, stopped on removal only; /etc/default/dormant a conffile" utils_scripts

# --- man pages -------------------------------------------------------------

ctl=$work/utils/usr/sbin/dormantctl
daemon=$work/utils/usr/sbin/dormantd

man_renders() {
	local w
	w=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 \
		man --warnings -E UTF-8 -l -Tutf8 -Z "$1" 2>&1 > /dev/null)
	[ -z "$w" ] && return 0
	echo "$w"
	return 1
}

# long_options NAME: the long options userspace/NAME.c gives getopt_long,
# one a line as --name
long_options() {
	sed -n '/struct option opts\[\]/,/};/p' "userspace/$1.c" |
		sed -n 's/.*{ "\([a-z][a-z-]*\)",.*/--\1/p' | sort -u
}

# short_options NAME: its getopt_long option letters, one a line as -x
short_options() {
	sed -n 's/.*getopt_long(argc, argv, "\([^"]*\)".*/\1/p' "userspace/$1.c" |
		tr -d ':' | grep -o . | sed 's/^/-/' | sort -u
}

# rendered PAGE: the page as text
rendered() {
	MANWIDTH=200 man -l "$1" 2> /dev/null | col -b
}

# man_options NAME PAGE: the page names exactly the options NAME's source
# has (none invented, none missing), long and short
man_options() {
	long_options "$1" > "$work/src.opts"
	rendered "$2" | grep -o -- '--[a-z][a-z-]*' | sort -u > "$work/man.opts"
	same "$work/src.opts" "$work/man.opts" || return 1
	short_options "$1" > "$work/src.short"
	rendered "$2" | grep -oE -- '(^|[ [])-[a-z]\b' | grep -o -- '-[a-z]' |
		sort -u > "$work/man.short"
	same "$work/src.short" "$work/man.short"
}

# the commands of dormantctl's usage: the words under "commands:"
ctl_commands() {
	"$ctl" --help | sed -n '/^commands:/,/^$/p' | grep -oE '^  [a-z]+' | tr -d ' ' | sort -u
}

man_commands() {
	local c
	ctl_commands > "$work/cmds"
	[ -s "$work/cmds" ] || return 1
	while read -r c; do
		rendered "$1" | grep -qE "^ +$c( |$)" ||
			{ echo "dormantctl(8) does not describe '$c'"; return 1; }
	done < "$work/cmds"
}

for p in dormantctl dormantd; do
	page=$work/utils/usr/share/man/man8/$p.8.gz
	check "man -l renders $p(8) without warnings" man_renders "$page"
	check "$p(8) names exactly the options of userspace/$p.c" man_options "$p" "$page"
done
check "dormantctl(8) describes every command of dormantctl --help" \
	man_commands "$work/utils/usr/share/man/man8/dormantctl.8.gz"

# --- bash completion -------------------------------------------------------

comp=$work/utils/usr/share/bash-completion/completions/dormantctl

# complete WORD...: the candidates for the last word, sorted, one a line
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_dormantctl; printf "%s\n" "${COMPREPLY[@]}"' - "$comp" dormantctl "$@" |
		grep -v '^$' | sort
}

completion() {
	bash -n "$comp" || return 1
	bash -c '. "$1"; complete -p dormantctl' - "$comp" | grep -q -- '-F _dormantctl' ||
		{ echo "no 'complete -F _dormantctl dormantctl'"; return 1; }
	ctl_commands > "$work/want"
	complete_words '' > "$work/have"
	same "$work/want" "$work/have" || return 1
	{ long_options dormantctl; short_options dormantctl; } | sort > "$work/want"
	complete_words - > "$work/have"
	same "$work/want" "$work/have" || return 1
	printf '%s\n' drain status > "$work/want"
	complete_words -j pod '' > "$work/have"
	same "$work/want" "$work/have" || return 1
	complete_words --control = /tmp/x.sock pod d > "$work/have"
	echo drain | same - "$work/have" || return 1
	complete_words stat "$work/utils/usr/sbin/dormant" > "$work/have"
	printf '%s\n' "$ctl" "$daemon" | same - "$work/have" || return 1
	complete_words info '' > "$work/have"
	same /dev/null "$work/have"
}

check "bash completion: bash -n; offers dormantctl's commands, options and pod's subcommands" \
	completion

# --- systemd units ---------------------------------------------------------

# systemd-analyze verify checks that ExecStart's program exists and that
# man finds the Documentation= pages: both are looked for in the package.
# It only warns of an unknown key: any message fails.
units_verify() {
	local u rc
	mkdir -p "$work/units"
	for u in dormantd.service run-dormant.mount; do
		sed "s|^ExecStart=/|ExecStart=$work/utils/|" \
			"$work/utils/lib/systemd/system/$u" > "$work/units/$u"
	done
	MANPATH=$work/utils/usr/share/man systemd-analyze verify \
		"$work/units/dormantd.service" "$work/units/run-dormant.mount" > "$work/verify" 2>&1
	rc=$?
	cat "$work/verify"
	[ $rc = 0 ] && [ ! -s "$work/verify" ]
}

# the mount's type is the filesystem the module registers, the module it
# loads and the examples' are the one Kbuild builds, dormantd's options
# are among those dormantd --help lists
units_match_module() {
	local fs mod u=$work/utils/lib/systemd/system o
	fs=$(sed -n '/struct file_system_type dormant_fs_type/,/};/s/.*\.name = "\(.*\)".*/\1/p' kmod/dormant_fs.c)
	mod=$(sed -n 's/^obj-m := \(.*\)\.o$/\1/p' Kbuild)
	grep -qx "Type=$fs" "$u/run-dormant.mount" ||
		{ echo "run-dormant.mount: not Type=$fs"; return 1; }
	grep -qx "Requires=modprobe@$mod.service" "$u/run-dormant.mount" ||
		{ echo "run-dormant.mount: does not require modprobe@$mod.service"; return 1; }
	grep -qx "$mod" "$work/utils/usr/share/doc/dormant-utils/examples/modules-load.d/dormant.conf" ||
		{ echo "modules-load.d example: not '$mod'"; return 1; }
	grep -q "^#options $mod " "$work/utils/usr/share/doc/dormant-utils/examples/modprobe.d/dormant.conf" ||
		{ echo "modprobe.d example: no 'options $mod'"; return 1; }
	for o in $(sed -n 's/^ExecStart=[^ ]* //p' "$u/dormantd.service" | grep -oE -- '(^| )-[a-z]'); do
		"$daemon" --help | grep -qE -- "^  $o, " ||
			{ echo "dormantd.service: dormantd has no option $o"; return 1; }
	done
}

if command -v systemd-analyze > /dev/null; then
	check "systemd-analyze verify dormantd.service run-dormant.mount: not a word" units_verify
else
	echo "ok $((n += 1)) - systemd-analyze verify # SKIP no systemd-analyze"
fi
check "units and examples name the module's filesystem type, module and dormantd's options" \
	units_match_module

# --- ABI documentation -----------------------------------------------------

# Every entry: What: lines, then Date:, KernelVersion:, Contact:,
# Description: (Users: may follow), each once.
abi_format() {
	awk '
	function done_entry() {
		if (what && !(date && kv && contact && desc)) {
			printf "%s:%d: entry lacks Date/KernelVersion/Contact/Description\n", FILENAME, start
			bad = 1
		}
		what = date = kv = contact = desc = 0
	}
	FNR == 1 { done_entry() }
	/^What:/ { if (date || desc) done_entry(); if (!what) start = FNR; what++; next }
	/^Date:/ { if (!what || date) { printf "%s:%d: Date out of place\n", FILENAME, FNR; bad = 1 } date = 1; next }
	/^KernelVersion:/ { if (!date || kv) { printf "%s:%d: KernelVersion out of place\n", FILENAME, FNR; bad = 1 } kv = 1; next }
	/^Contact:/ { if (!kv || contact) { printf "%s:%d: Contact out of place\n", FILENAME, FNR; bad = 1 } contact = 1; next }
	/^Description:/ { if (!contact || desc) { printf "%s:%d: Description out of place\n", FILENAME, FNR; bad = 1 } desc = 1; next }
	/^Users:/ { if (!desc) { printf "%s:%d: Users before Description\n", FILENAME, FNR; bad = 1 } next }
	/^[^ \t]/ && !/^$/ { printf "%s:%d: unexpected line: %s\n", FILENAME, FNR, $0; bad = 1 }
	END { done_entry(); exit bad }
	' Documentation/ABI/testing/sysfs-kernel-dormant Documentation/ABI/testing/sysfs-module-dormant
}

# the files kmod/dormant_sysfs.c creates and the parameters kmod/ declares,
# against the What: lines
abi_coverage() {
	local k=/sys/kernel/dormant
	{
		sed -n 's/.*_attr = __ATTR_R[OW](\([a-z_0-9]*\)).*/\1/p' kmod/dormant_sysfs.c |
			while read -r a; do
				case $a in
				version | abi_version | nr_nodes | kvm_hook) echo "$k/$a" ;;
				*) echo "$k/nodes/node<N>/$a" ;;
				esac
			done
		sed -n 's/^[[:space:]]*VALUE_ATTR(\([a-z_0-9]*\),.*/\1/p' kmod/dormant_sysfs.c |
			sed "s|^|$k/nodes/node<N>/|"
	} | sort > "$work/abi.want"
	sed -n 's/^What:[[:space:]]*//p' Documentation/ABI/testing/sysfs-kernel-dormant |
		sort > "$work/abi.have"
	same "$work/abi.want" "$work/abi.have" || return 1
	grep -ho 'module_param[_a-z]*([a-z_0-9]*' kmod/*.c | sed 's/.*(/\/sys\/module\/dormant\/parameters\//' |
		sort > "$work/abi.want"
	sed -n 's/^What:[[:space:]]*//p' Documentation/ABI/testing/sysfs-module-dormant |
		sort > "$work/abi.have"
	same "$work/abi.want" "$work/abi.have"
}

check "Documentation/ABI: every entry has What, Date, KernelVersion, Contact, Description" abi_format
check "Documentation/ABI: exactly the module's sysfs files and parameters" abi_coverage

# --- make install / make uninstall -----------------------------------------

# tree DIR: the files under DIR as "mode path" (as files prints them)
tree() {
	(cd "$1" && find . -type f -printf '%M %p\n') | sort
}

# install_round_trip PREFIX [VAR=VALUE...]: make install DESTDIR=... puts
# files there, make uninstall leaves DESTDIR empty; with PREFIX=/usr the
# files are the packages' (but the documentation dh adds), with the same
# contents
install_round_trip() {
	local prefix=$1 d=$work/destdir
	shift
	rm -rf "$d" && mkdir "$d"
	make -s install DESTDIR="$d" PREFIX="$prefix" "$@" > "$work/install.log" 2>&1 ||
		{ cat "$work/install.log"; return 1; }
	[ -n "$(find "$d" -type f)" ] || { echo "make install installed nothing"; return 1; }
	if [ "$prefix" = /usr ]; then
		tree "$d" | grep -v '/dkms.conf$' > "$work/installed"
		{ files "$dkms_deb"; files "$utils_deb"; } | grep -v '/dkms.conf$' |
			grep -vE '/(README\.Debian|changelog\.Debian|copyright|sysfs-(kernel|module)-dormant)$' |
			sed 's|\(/man/man8/.*\)\.gz$|\1|' | sort > "$work/packaged"
		same "$work/packaged" "$work/installed" || return 1
		# and the same bytes, but for the programs (other flags) and
		# the man pages (compressed)
		(cd "$d" && find . -type f) | grep -vE '^\./usr/(sbin|share/man)/' |
			while read -r f; do
				p=$work/dkms/$f
				[ -e "$p" ] || p=$work/utils/$f
				[ -e "$p" ] || p=$p.gz
				case $p in
				*.gz) zcat "$p" | cmp - "$d/$f" ;;
				*) cmp "$p" "$d/$f" ;;
				esac || exit 1
			done || return 1
	fi
	make -s uninstall DESTDIR="$d" PREFIX="$prefix" "$@" > "$work/install.log" 2>&1 ||
		{ cat "$work/install.log"; return 1; }
	if [ -n "$(ls -A "$d")" ]; then
		echo "left behind:"
		find "$d" -mindepth 1
		return 1
	fi
}

# A settings file someone changed stays.
install_keeps_settings() {
	local d=$work/destdir
	rm -rf "$d" && mkdir "$d"
	make -s install DESTDIR="$d" > /dev/null 2>&1 || return 1
	echo DORMANTD_MEMBER=a >> "$d/etc/default/dormant"
	make -s install DESTDIR="$d" 2>&1 | grep -q 'KEEP' || { echo "install overwrote it"; return 1; }
	make -s uninstall DESTDIR="$d" > /dev/null 2>&1 || return 1
	[ "$(find "$d" -type f)" = "$d/etc/default/dormant" ] && grep -q DORMANTD_MEMBER=a "$d/etc/default/dormant"
}

check "make install DESTDIR PREFIX=/usr: the packages' files; make uninstall leaves nothing" \
	install_round_trip /usr DOCDIR=/usr/share/doc/dormant-utils
check "make install DESTDIR (PREFIX=/usr/local), make uninstall leaves nothing" \
	install_round_trip /usr/local
check "make install and uninstall keep a changed /etc/default/dormant" install_keeps_settings

# --- on this machine (-s) --------------------------------------------------

# every file dpkg, dkms and the units may leave
system_state() {
	{
		find /usr/src /lib/modules /var/lib/dkms /etc/systemd /lib/systemd/system \
			/var/lib/systemd/deb-systemd-helper-enabled /usr/share/doc /usr/sbin \
			/etc/default -xdev 2> /dev/null
		dpkg-query -W -f '${Package} ${Status}\n' 'dormant-*' 2> /dev/null
		dkms status 2> /dev/null
	} | sort
}

system_install() {
	local k f
	dpkg -i "$dkms_deb" "$utils_deb" > "$work/dpkg.log" 2>&1 ||
		{ tail -n 40 "$work/dpkg.log"; return 1; }
	for k in $(kernels); do
		dkms status -m dormant -v "$version" -k "$k" | grep -q ': installed' ||
			{ echo "dkms status for $k:"; dkms status; return 1; }
		f=$(modinfo -k "$k" -F filename dormant) || return 1
		case $f in
		/lib/modules/$k/updates/dkms/dormant.ko*) ;;
		*) echo "modinfo -k $k: $f"; return 1 ;;
		esac
		[ "$(modinfo -k "$k" -F version dormant)" = "$version" ] || return 1
		echo "$k: $f"
	done > "$work/modules"
	for u in dormantd.service run-dormant.mount; do
		[ "$(systemctl is-enabled "$u" 2>&1)" = disabled ] ||
			{ echo "$u: $(systemctl is-enabled "$u" 2>&1)"; return 1; }
	done
}

system_purge() {
	dpkg --purge dormant-utils dormant-dkms > "$work/dpkg.log" 2>&1 ||
		{ tail -n 40 "$work/dpkg.log"; return 1; }
	system_state > "$work/state.after"
	same "$work/state.before" "$work/state.after"
}

system_part() {
	echo "# installing the packages on this machine ($(date +%T))"
	if dpkg-query -W -f '${Status}' dormant-dkms dormant-utils 2> /dev/null | grep -q installed; then
		echo "not ok $((n += 1)) - dormant-dkms or dormant-utils is installed already: not touching it"
		failed=$((failed + 1))
		return
	fi
	system_state > "$work/state.before"
	check "dpkg -i: dkms built and installed dormant $version for $(kernels | xargs); units disabled" \
		system_install
	sed 's/^/# /' "$work/modules" 2> /dev/null
	check "dpkg --purge leaves nothing behind (dkms, /lib/modules, /usr/src, units)" system_purge
}

[ $system = 1 ] && system_part

echo "1..$n"
[ $failed = 0 ]
