// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_pattern_test: proves that real KVM runs inside the sandbox host with
 * nested paging. A VM made through the raw KVM API (on ordinary anonymous
 * memory) runs real-mode guest code that writes a pattern over 240 pages
 * (0x10000-0xfffff, every dword its own guest-physical address xor a key),
 * halts, and the host checks every byte of the guest's memory.
 *
 * Skips (exit 4) without /dev/kvm.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "dormant_util.h"

#define GUEST_PAGES	256UL	/* 1 MiB: all that real mode reaches */
#define FILL_FIRST	16UL

/* "Y" in the vendor module's npt/ept parameter: KVM uses nested paging. */
static int nested_paging_on(const char **which)
{
	static const char * const params[] = {
		"/sys/module/kvm_amd/parameters/npt",
		"/sys/module/kvm_intel/parameters/ept",
	};
	size_t i;

	for (i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		char c = 0;
		int fd = open(params[i], O_RDONLY);

		if (fd < 0)
			continue;
		if (read(fd, &c, 1) != 1)
			c = 0;
		close(fd);
		*which = params[i];
		return c == 'Y' || c == '1';
	}
	*which = "no kvm_amd or kvm_intel module";
	return 0;
}

FIXTURE(vm) {
	struct test_vm vm;
	uint8_t *mem;
	int have_vm;
};

FIXTURE_SETUP(vm)
{
	self->have_vm = 0;
	self->mem = MAP_FAILED;
	if (access("/dev/kvm", F_OK))
		SKIP(return, "no /dev/kvm (%s)", strerror(errno));
	self->mem = mmap(NULL, GUEST_PAGES * PAGE, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	ASSERT_EQ(0, test_vm_create(&self->vm, self->mem, GUEST_PAGES * PAGE));
	self->have_vm = 1;
	test_vm_load_code(self->mem);
}

FIXTURE_TEARDOWN(vm)
{
	if (self->have_vm)
		test_vm_destroy(&self->vm);
	if (self->mem != MAP_FAILED)
		munmap(self->mem, GUEST_PAGES * PAGE);
}

TEST_F(vm, nested_paging)
{
	const char *which;

	ASSERT_TRUE(nested_paging_on(&which))
		TH_LOG("KVM does not use nested paging (%s)", which);
}

TEST_F(vm, guest_writes_pattern)
{
	unsigned long p, bad = 0;

	ASSERT_EQ(0, test_vm_call(&self->vm, g_fill, FILL_FIRST, GUEST_PAGES));
	/* every page the guest wrote, checked dword by dword from the host */
	for (p = FILL_FIRST; p < GUEST_PAGES; p++) {
		if (!page_has_pattern(self->mem, p)) {
			if (!bad++)
				TH_LOG("first wrong page: %lu", p);
		}
	}
	EXPECT_EQ(0, bad);
	/* ...and the guest wrote nothing below them but its own code page */
	for (p = 0; p < FILL_FIRST; p++) {
		if (p == GUEST_CODE_GPA / PAGE)
			continue;
		EXPECT_TRUE(page_is_zero(self->mem, p)) TH_LOG("stray write in page %lu", p);
	}
	/* the guest reads its pattern back */
	EXPECT_EQ(0, test_vm_call(&self->vm, g_count_bad, FILL_FIRST, GUEST_PAGES));
}

TEST_HARNESS_MAIN
