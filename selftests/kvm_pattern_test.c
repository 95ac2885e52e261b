// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_pattern_test: proves that real KVM runs inside the sandbox host with
 * nested paging. A VM made through the raw KVM API runs real-mode guest code
 * that writes a pattern over 240 pages (0x10000-0xfffff, every dword its own
 * guest-physical address xor a key), halts, and the host checks every byte
 * of the guest's memory.
 *
 * Skips (exit 4) without /dev/kvm.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"

#define GUEST_MEM	0x100000UL	/* 1 MiB: all that real mode reaches */
#define CODE_GPA	0x1000UL
#define FILL_START	0x10000UL
#define PATTERN_KEY	0xa5c3f00dU

/*
 * Real-mode guest: for es = 0x1000, 0x2000, ... 0xf000, fill the 64 KiB
 * segment with dwords (linear address ^ key), then hlt. Position
 * independent; it uses no stack.
 */
asm(".pushsection .rodata\n"
    ".globl guest_code, guest_code_end\n"
    "guest_code:\n"
    ".code16\n"
    "	mov $0x1000, %ax\n"
    "1:	mov %ax, %es\n"
    "	movzwl %ax, %ebx\n"
    "	shl $4, %ebx\n"
    "	xor %di, %di\n"
    "	mov $16384, %cx\n"
    "2:	mov %ebx, %eax\n"
    "	xor $0xa5c3f00d, %eax\n"
    "	stosl\n"
    "	add $4, %ebx\n"
    "	loop 2b\n"
    "	mov %es, %ax\n"
    "	add $0x1000, %ax\n"
    "	jnz 1b\n"
    "	hlt\n"
    ".code64\n"
    "guest_code_end:\n"
    ".popsection\n");
extern const unsigned char guest_code[], guest_code_end[];

static const char *exit_reason_str(unsigned int r)
{
	switch (r) {
	case KVM_EXIT_HLT: return "HLT";
	case KVM_EXIT_IO: return "IO";
	case KVM_EXIT_MMIO: return "MMIO";
	case KVM_EXIT_SHUTDOWN: return "SHUTDOWN";
	case KVM_EXIT_FAIL_ENTRY: return "FAIL_ENTRY";
	case KVM_EXIT_INTERNAL_ERROR: return "INTERNAL_ERROR";
	default: return "other";
	}
}

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
	int kvm, vm, vcpu;
	struct kvm_run *run;
	size_t run_size;
	uint8_t *mem;
};

FIXTURE_SETUP(vm)
{
	struct kvm_userspace_memory_region region = { 0 };
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int api;

	self->vm = self->vcpu = -1;
	self->run = MAP_FAILED;
	self->mem = MAP_FAILED;
	self->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (self->kvm < 0)
		SKIP(return, "no /dev/kvm (%s)", strerror(errno));
	api = ioctl(self->kvm, KVM_GET_API_VERSION, 0);
	ASSERT_EQ(KVM_API_VERSION, api);

	self->vm = ioctl(self->kvm, KVM_CREATE_VM, 0);
	ASSERT_LE(0, self->vm) TH_LOG("KVM_CREATE_VM: %s", strerror(errno));

	self->mem = mmap(NULL, GUEST_MEM, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	memcpy(self->mem + CODE_GPA, guest_code, guest_code_end - guest_code);

	region.slot = 0;
	region.guest_phys_addr = 0;
	region.memory_size = GUEST_MEM;
	region.userspace_addr = (uintptr_t)self->mem;
	ASSERT_EQ(0, ioctl(self->vm, KVM_SET_USER_MEMORY_REGION, &region))
		TH_LOG("KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));

	self->vcpu = ioctl(self->vm, KVM_CREATE_VCPU, 0);
	ASSERT_LE(0, self->vcpu) TH_LOG("KVM_CREATE_VCPU: %s", strerror(errno));
	self->run_size = ioctl(self->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	ASSERT_LT(0, (long)self->run_size);
	self->run = mmap(NULL, self->run_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, self->vcpu, 0);
	ASSERT_NE(MAP_FAILED, self->run);

	ASSERT_EQ(0, ioctl(self->vcpu, KVM_GET_SREGS, &sregs));
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	ASSERT_EQ(0, ioctl(self->vcpu, KVM_SET_SREGS, &sregs));
	memset(&regs, 0, sizeof(regs));
	regs.rip = CODE_GPA;
	regs.rflags = 2;
	ASSERT_EQ(0, ioctl(self->vcpu, KVM_SET_REGS, &regs));
}

FIXTURE_TEARDOWN(vm)
{
	if (self->run != MAP_FAILED)
		munmap(self->run, self->run_size);
	if (self->mem != MAP_FAILED)
		munmap(self->mem, GUEST_MEM);
	if (self->vcpu >= 0)
		close(self->vcpu);
	if (self->vm >= 0)
		close(self->vm);
	if (self->kvm >= 0)
		close(self->kvm);
}

TEST_F(vm, nested_paging)
{
	const char *which;

	ASSERT_TRUE(nested_paging_on(&which))
		TH_LOG("KVM does not use nested paging (%s)", which);
}

TEST_F(vm, guest_writes_pattern)
{
	unsigned long bad = 0, first_bad = 0;
	unsigned long gpa;
	int i;

	for (i = 0; i < 100; i++) {
		ASSERT_EQ(0, ioctl(self->vcpu, KVM_RUN, 0))
			TH_LOG("KVM_RUN: %s", strerror(errno));
		if (self->run->exit_reason == KVM_EXIT_HLT)
			break;
		ASSERT_EQ(KVM_EXIT_HLT, self->run->exit_reason)
			TH_LOG("unexpected exit %u (%s)", self->run->exit_reason,
			       exit_reason_str(self->run->exit_reason));
	}
	ASSERT_EQ(KVM_EXIT_HLT, self->run->exit_reason);

	/* Every dword the guest wrote, read from the host side. */
	for (gpa = FILL_START; gpa < GUEST_MEM; gpa += 4) {
		uint32_t want = (uint32_t)gpa ^ PATTERN_KEY, got;

		memcpy(&got, self->mem + gpa, 4);
		if (got != want) {
			if (!bad++)
				first_bad = gpa;
		}
	}
	EXPECT_EQ(0, bad) TH_LOG("%lu dwords wrong, first at 0x%lx", bad, first_bad);
	/* ...and the guest wrote nothing below FILL_START but its own code. */
	for (gpa = 0; gpa < FILL_START; gpa++) {
		if (gpa >= CODE_GPA &&
		    gpa < CODE_GPA + (guest_code_end - guest_code))
			continue;
		if (self->mem[gpa]) {
			EXPECT_EQ(0, self->mem[gpa]) TH_LOG("stray write at 0x%lx", gpa);
			break;
		}
	}
}

TEST_HARNESS_MAIN
