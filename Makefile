# SPDX-License-Identifier: GPL-2.0
#
# dormant: top-level Makefile.
#
#   make deps     install Debian packages, fetch kselftest headers/checkpatch (root)
#   make          module for every installed kernel's headers, userspace, selftests
#   make check    unit tests, checkpatch, then the selftests in sandbox hosts
#                 on every kernel series
#   make demo     the main job in a sandbox host
#   make demo-pod a guest on one sandbox host, its memory owned by another
#   make demo-span  guests of 1 and 8 GiB move live from one sandbox host to
#                 another; what each move cost
#   make bench    benchmarks in sandbox hosts -> Documentation/benchmarks.rst
#   make deb      Debian packages dormant-dkms and dormant-utils -> build/deb/
#   make install  the same without packages, DESTDIR= PREFIX= (packaging.mk);
#                 make uninstall takes it away; make man: the man pages
#   make check-packages  lintian and tests of the packages and make install
#
# Variables: KVER=<release> builds and tests one kernel only (default: every
# /lib/modules/*/build); V=1 for verbose kbuild.

SHELL := /bin/bash
TOP := $(CURDIR)
BUILD := $(TOP)/build
DEPS := $(TOP)/.deps/linux-source-6.12
SELFTEST_INC := $(DEPS)/tools/testing/selftests

KVERS ?= $(if $(KVER),$(KVER),$(notdir $(patsubst %/build,%,$(wildcard /lib/modules/*/build))))

CC ?= gcc
CFLAGS ?= -O2 -g
CFLAGS += -Wall -Wextra -Werror -std=gnu11 -I$(TOP)/include/uapi -I$(TOP)/userspace
JSONC_CFLAGS := $(shell pkg-config --cflags json-c 2>/dev/null)
JSONC_LIBS := $(shell pkg-config --libs json-c 2>/dev/null || echo -ljson-c)

KMOD_SRCS := $(wildcard $(TOP)/kmod/*.c $(TOP)/kmod/*.h)
CONFTESTS := $(wildcard $(TOP)/kmod/conftest/*.c) $(TOP)/kmod/conftest.sh
UAPI_HDRS := $(wildcard $(TOP)/include/uapi/linux/*.h)

LIB_SRCS := userspace/libdormant.c
LIB_HDRS := userspace/libdormant.h $(UAPI_HDRS)
# the pod description and the daemons' wire format, for dormantd
POD_SRCS := userspace/pod.c userspace/pod_wire.c

# dormantd's control socket, for dormantd and dormantctl
CTL_SRCS := userspace/pod_ctl.c
CTL_HDRS := userspace/pod_ctl.h

USER_BINS := $(BUILD)/bin/dormantctl $(BUILD)/bin/dormantd
UNIT_TESTS := $(BUILD)/unit/test_libdormant $(BUILD)/unit/test_pod \
	$(BUILD)/unit/test_pod_wire $(BUILD)/unit/test_pod_ctl $(BUILD)/unit/test_qmp
SELFTESTS := $(BUILD)/selftests/dormant_ioctl_test \
	$(BUILD)/selftests/dormant_mem_test \
	$(BUILD)/selftests/dormant_pod_test \
	$(BUILD)/selftests/dormant_fuzz \
	$(BUILD)/selftests/kvm_hook_test \
	$(BUILD)/selftests/kvm_pattern_test \
	$(BUILD)/selftests/rdma_page \
	$(BUILD)/selftests/pod_mem \
	$(BUILD)/selftests/pod_peer

.PHONY: all modules userspace selftests unit tools deps check checkpatch demo demo-pod demo-span bench bench-bins clean \
	help FORCE

all: modules userspace selftests unit tools

# tools/vm_churn: the rig soak's VM creator (tools/rig-soak)
tools: $(BUILD)/tools/vm_churn

$(BUILD)/tools/vm_churn: tools/vm_churn.c selftests/dormant_util.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $<

help:
	@sed -n '3,20p' Makefile

deps:
	@bash $(TOP)/tools/deps.sh

# One build directory per kernel release: kbuild writes its objects next to
# the sources, so each release gets its own tree of symlinks to them.
modules: $(KVERS:%=$(BUILD)/%/dormant.ko)

$(BUILD)/%/dormant.ko: $(KMOD_SRCS) $(CONFTESTS) $(UAPI_HDRS) Kbuild FORCE
	@test -d /lib/modules/$*/build || \
		{ echo "no kernel headers for $*: install linux-headers-$*" >&2; exit 1; }
	@mkdir -p $(BUILD)/$*/kmod
	@ln -sfn $(TOP)/Kbuild $(BUILD)/$*/Kbuild
	@ln -sfn $(TOP)/include $(BUILD)/$*/include
	@for f in $(KMOD_SRCS); do ln -sfn $$f $(BUILD)/$*/kmod/; done
	@test $(BUILD)/$*/kmod/conftest.h -nt kmod/conftest.sh && \
		test -z "$$(find kmod/conftest -newer $(BUILD)/$*/kmod/conftest.h)" || \
		{ echo "  CONFTEST $*"; sh kmod/conftest.sh /lib/modules/$*/build $(BUILD)/$*/kmod; }
	$(MAKE) -C /lib/modules/$*/build M=$(BUILD)/$* W=1 modules 2>&1 | \
		tee $(BUILD)/$*/build.log; test $${PIPESTATUS[0]} = 0
	@if grep -q 'warning:' $(BUILD)/$*/build.log; then \
		echo "kernel $*: the module build has warnings (W=1)" >&2; exit 1; fi


userspace: $(USER_BINS)

$(BUILD)/bin/dormantctl: userspace/dormantctl.c userspace/qmp.c userspace/qmp.h $(LIB_SRCS) $(LIB_HDRS) $(CTL_SRCS) $(CTL_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(JSONC_CFLAGS) -o $@ userspace/dormantctl.c userspace/qmp.c $(LIB_SRCS) $(CTL_SRCS) $(JSONC_LIBS)

$(BUILD)/bin/dormantd: userspace/dormantd.c userspace/pod_net.c userspace/pod_net.h $(POD_SRCS) userspace/pod.h userspace/pod_wire.h $(CTL_SRCS) $(CTL_HDRS) $(LIB_SRCS) $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(JSONC_CFLAGS) -o $@ userspace/dormantd.c userspace/pod_net.c $(POD_SRCS) $(CTL_SRCS) $(LIB_SRCS) $(JSONC_LIBS) -lrdmacm -libverbs

unit: $(UNIT_TESTS)

$(BUILD)/unit/test_libdormant: userspace/tests/test_libdormant.c $(LIB_SRCS) $(LIB_HDRS) | $(SELFTEST_INC)/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(JSONC_CFLAGS) -isystem $(SELFTEST_INC) -o $@ $< $(LIB_SRCS) $(JSONC_LIBS)

$(BUILD)/unit/test_pod: userspace/tests/test_pod.c userspace/pod.c userspace/pod.h | $(SELFTEST_INC)/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(JSONC_CFLAGS) -isystem $(SELFTEST_INC) -o $@ $< userspace/pod.c $(JSONC_LIBS)

$(BUILD)/unit/test_pod_ctl: userspace/tests/test_pod_ctl.c $(CTL_SRCS) $(CTL_HDRS) | $(SELFTEST_INC)/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(JSONC_CFLAGS) -isystem $(SELFTEST_INC) -o $@ $< $(CTL_SRCS) $(JSONC_LIBS)

$(BUILD)/unit/test_qmp: userspace/tests/test_qmp.c userspace/qmp.c userspace/qmp.h | $(SELFTEST_INC)/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(JSONC_CFLAGS) -isystem $(SELFTEST_INC) -o $@ $< userspace/qmp.c $(JSONC_LIBS)

$(BUILD)/unit/test_pod_wire: userspace/tests/test_pod_wire.c userspace/pod_wire.c userspace/pod_wire.h | $(SELFTEST_INC)/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -isystem $(SELFTEST_INC) -o $@ $< userspace/pod_wire.c

selftests: $(SELFTESTS)

$(BUILD)/selftests/rdma_page: LDLIBS := -lrdmacm -libverbs
$(BUILD)/selftests/dormant_mem_test: LDLIBS := -lpthread
$(BUILD)/selftests/dormant_pod_test: LDLIBS := -lpthread
$(BUILD)/selftests/kvm_hook_test: LDLIBS := -lpthread
$(BUILD)/selftests/dormant_fuzz: LDLIBS := -lpthread
# pod_peer speaks dormantd's wire with dormantd's own code
$(BUILD)/selftests/pod_peer: selftests/pod_peer.c userspace/pod.c userspace/pod_net.c userspace/pod_wire.c userspace/pod.h userspace/pod_net.h userspace/pod_wire.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(JSONC_CFLAGS) -o $@ $< userspace/pod.c userspace/pod_net.c userspace/pod_wire.c $(JSONC_LIBS) -lrdmacm -libverbs

$(BUILD)/selftests/%: selftests/%.c selftests/dormant_util.h $(UAPI_HDRS) | $(SELFTEST_INC)/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -isystem $(SELFTEST_INC) -o $@ $< $(LDLIBS)

$(SELFTEST_INC)/kselftest_harness.h:
	@echo "missing $@: run 'make deps' first (as root)" >&2; exit 1

checkpatch:
	@test -x $(DEPS)/scripts/checkpatch.pl || \
		{ echo "missing checkpatch.pl: run 'make deps' first" >&2; exit 1; }
	$(DEPS)/scripts/checkpatch.pl --no-tree --strict --terse -f \
		$(wildcard kmod/*.c kmod/*.h kmod/conftest/*.c include/uapi/linux/*.h)

check: all bench-bins
	@KVERS="$(KVERS)" bash $(TOP)/tools/check.sh

demo: all
	@KVERS="$(KVERS)" bash $(TOP)/tools/demo.sh

demo-pod: all
	@KVERS="$(KVERS)" bash $(TOP)/tools/demo-pod.sh

demo-span: all
	@KVERS="$(KVERS)" bash $(TOP)/tools/demo-span.sh

BENCH_BINS := $(BUILD)/bench/first_touch $(BUILD)/bench/memzero

$(BUILD)/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $<

bench-bins: $(BENCH_BINS)

bench: all bench-bins
	@KVERS="$(KVERS)" bash $(TOP)/tools/bench.sh

clean:
	rm -rf $(BUILD)

include $(TOP)/packaging.mk

FORCE:
