# SPDX-License-Identifier: GPL-2.0
#
# Packages and installation, included by the top-level Makefile.
#
#   make man        build/man/dormantctl.8 and dormantd.8 from
#                   Documentation/man/*.rst (rst2man)
#   make deb        the dormant-dkms and dormant-utils packages, built by
#                   dpkg-buildpackage in a copy of the tree under build/deb/
#                   and collected in build/deb/
#   make install    dormantctl and dormantd, their man pages, the systemd
#                   units, the bash completion, the examples, and the
#                   module's DKMS source tree in /usr/src/dormant-VERSION
#   make uninstall  takes away what make install put there
#   make check-packages  tools/test_packages.sh: make deb, lintian, the
#                   packages' contents, man pages, units, completion, ABI
#                   files, make install/uninstall (no QEMU)
#
# install and uninstall take DESTDIR (a staging root; empty: this system)
# and PREFIX (default /usr/local; the packages use /usr), and SBINDIR,
# MANDIR, DOCDIR, COMPLETIONDIR, UNITDIR and SYSCONFDIR to go further. The
# module's sources go to /usr/src whatever PREFIX is: dkms looks there. With
# DESTDIR empty and dkms installed, make install also has dkms build and
# install the module for every kernel in KVERS (default: each with headers
# in /lib/modules/*/build), and make uninstall has dkms remove it; else the
# sources are only copied. The settings file SYSCONFDIR/default/dormant is
# never overwritten, and removed only if nobody changed it. uninstall also
# removes the directories install made, once empty (packaging/install.sh).

PKG_VERSION := $(shell sed -n 's/.*define DORMANT_VERSION[[:space:]]*"\(.*\)".*/\1/p' $(TOP)/kmod/dormant.h)

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/dormant
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
SYSCONFDIR ?= /etc
# systemd reads /usr/local/lib/systemd/system too; /lib for /usr (bookworm)
UNITDIR ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)

MAN_PAGES := $(BUILD)/man/dormantctl.8 $(BUILD)/man/dormantd.8

.PHONY: man deb install uninstall check-packages

man: $(MAN_PAGES)

$(BUILD)/man/%.8: Documentation/man/%.rst
	@mkdir -p $(dir $@)
	rst2man --halt=warning $< $@.tmp
	@mv $@.tmp $@

# dpkg-buildpackage works in the tree it builds (debian/tmp, debian/<package>)
# and writes its results next to it: a copy under build/deb/src keeps the
# checkout clean.
deb:
	@command -v dpkg-buildpackage > /dev/null || \
		{ echo "make deb: no dpkg-buildpackage: run 'make deps' first" >&2; exit 1; }
	rm -rf $(BUILD)/deb
	mkdir -p $(BUILD)/deb/src/dormant-$(PKG_VERSION)
	tar -C $(TOP) --exclude=./build --exclude=./.deps --exclude=./.git -cf - . | \
		tar -C $(BUILD)/deb/src/dormant-$(PKG_VERSION) -xf -
	cd $(BUILD)/deb/src/dormant-$(PKG_VERSION) && dpkg-buildpackage -us -uc -b
	mv $(BUILD)/deb/src/*.deb $(BUILD)/deb/src/*.buildinfo $(BUILD)/deb/src/*.changes $(BUILD)/deb/
	rm -rf $(BUILD)/deb/src
	@ls -1 $(BUILD)/deb/*.deb

# packaging/install.sh has the file lists.
INSTALL_ENV = DESTDIR="$(DESTDIR)" VERSION="$(PKG_VERSION)" BUILD="$(BUILD)" \
	SBINDIR="$(SBINDIR)" MANDIR="$(MANDIR)" DOCDIR="$(DOCDIR)" \
	COMPLETIONDIR="$(COMPLETIONDIR)" UNITDIR="$(UNITDIR)" \
	SYSCONFDIR="$(SYSCONFDIR)" KVERS="$(KVERS)"

install: $(BUILD)/bin/dormantctl $(BUILD)/bin/dormantd $(MAN_PAGES)
	@$(INSTALL_ENV) sh packaging/install.sh install

uninstall:
	@$(INSTALL_ENV) sh packaging/install.sh uninstall

check-packages:
	@bash tools/test_packages.sh
