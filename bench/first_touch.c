// SPDX-License-Identifier: GPL-2.0
/*
 * first_touch: what a guest's first touch of a page costs, by kind of
 * guest memory. A raw-KVM guest in flat 32-bit protected mode writes one
 * dword into each of N pages it has never touched (4 KiB pages, or 2 MiB
 * pages for the -2m modes); the host times that KVM_RUN and reports ns per
 * page. Each touch is an EPT/NPT violation that KVM resolves through the
 * host's page tables (and, for dormant memory, through the module's fault
 * path).
 *
 *   first_touch MODE PAGES REPEAT [DIR]
 *
 * MODE:
 *   dormant    an object on the dormant filesystem at DIR; the caller has
 *              filled the pools (or emptied them) beforehand
 *   anon       shared anonymous memory (memfd)
 *   hugetlb    memfd with 2 MiB huge pages (needs vm.nr_hugepages)
 *   prealloc   shared anonymous memory populated before the run: only
 *              KVM's side of the fault is left
 *   dormant-2m   2 MiB pages of a dormant object at DIR (the module's huge
 *                parameter on, its 2 MiB lists filled or emptied beforehand)
 *   hugetlb-2m   2 MiB pages of hugetlbfs (memfd), each zeroed at its fault
 *   thp-2m       private anonymous memory with MADV_HUGEPAGE: a THP fault
 *
 * Prints one line per repeat: "MODE PAGES NS_PER_PAGE". Exit 4 if MODE
 * cannot run here (e.g. no huge pages).
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
#include <time.h>
#include <unistd.h>

#define PAGE		4096UL
#define CODE_GPA	0x1000UL
#define DATA_GPA	0x100000UL	/* first touched page: 1 MiB */

#define HUGE		(2UL << 20)

/* ecx pages of esi bytes from edi on, one dword each; then hlt */
asm(".pushsection .rodata\n"
    ".globl ft_code, ft_code_end\n"
    "ft_code:\n"
    ".code32\n"
    "1:	movl $1, (%edi)\n"
    "	add %esi, %edi\n"
    "	dec %ecx\n"
    "	jnz 1b\n"
    "	hlt\n"
    ".code64\n"
    "ft_code_end:\n"
    ".popsection\n");
extern const unsigned char ft_code[], ft_code_end[];

static void die(const char *what)
{
	fprintf(stderr, "first_touch: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void flat_segment(struct kvm_segment *s, int code)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = code ? 8 : 16;
	s->present = 1;
	s->type = code ? 11 : 3;	/* execute/read accessed, read/write accessed */
	s->dpl = 0;
	s->db = 1;
	s->s = 1;
	s->g = 1;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int is_2m(const char *mode)
{
	return strstr(mode, "-2m") != NULL;
}

/* Private anonymous memory at a 2 MiB boundary, THP asked for. */
static void *thp_memory(size_t size)
{
	uint8_t *r = mmap(NULL, size + HUGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uint8_t *a;

	if (r == MAP_FAILED)
		return NULL;
	a = (uint8_t *)(((uintptr_t)r + HUGE - 1) & ~(HUGE - 1));
	if (a > r)
		munmap(r, a - r);
	munmap(a + size, r + size + HUGE - (a + size));
	if (madvise(a, size, MADV_HUGEPAGE)) {
		munmap(a, size);
		return NULL;
	}
	return a;
}

/* Guest memory of @size bytes for @mode; NULL (errno set) if impossible. */
static void *guest_memory(const char *mode, size_t size, const char *dir, int rep)
{
	void *mem;
	int fd;

	if (!strcmp(mode, "thp-2m"))
		return thp_memory(size);
	if (!strncmp(mode, "dormant", 7)) {
		char path[512];

		if (!dir) {
			errno = EINVAL;
			return NULL;
		}
		snprintf(path, sizeof(path), "%s/first_touch.%d.%d", dir, getpid(), rep);
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0)
			return NULL;
		unlink(path);
	} else if (!strncmp(mode, "hugetlb", 7)) {
		fd = memfd_create("first_touch", MFD_HUGETLB);
	} else if (!strcmp(mode, "anon") || !strcmp(mode, "prealloc")) {
		fd = memfd_create("first_touch", 0);
	} else {
		errno = EINVAL;
		return NULL;
	}
	if (fd < 0)
		return NULL;
	if (ftruncate(fd, size)) {
		close(fd);
		return NULL;
	}
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_SHARED | (!strcmp(mode, "prealloc") ? MAP_POPULATE : 0),
		   fd, 0);
	close(fd);
	return mem == MAP_FAILED ? NULL : mem;
}

int main(int argc, char **argv)
{
	const char *mode, *dir;
	unsigned long pages, repeat, stride, data;
	char *end;
	unsigned int r;
	size_t size, run_size;
	int kvm;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: first_touch MODE PAGES REPEAT [DIR]\n");
		return 2;
	}
	mode = argv[1];
	if (strcmp(mode, "dormant") && strcmp(mode, "anon") &&
	    strcmp(mode, "prealloc") && strcmp(mode, "hugetlb") &&
	    strcmp(mode, "dormant-2m") && strcmp(mode, "hugetlb-2m") &&
	    strcmp(mode, "thp-2m")) {
		fprintf(stderr, "first_touch: MODE is dormant, anon, prealloc, hugetlb, dormant-2m, hugetlb-2m or thp-2m, not '%s'\n",
			mode);
		return 2;
	}
	pages = strtoul(argv[2], &end, 0);
	if (*end || !pages || pages > (is_2m(mode) ? 1000 : 500000)) {
		fprintf(stderr, "first_touch: PAGES must be 1..%d for %s, not '%s'\n",
			is_2m(mode) ? 1000 : 500000, mode, argv[2]);
		return 2;
	}
	repeat = strtoul(argv[3], &end, 0);
	if (*end || !repeat || repeat > 1000) {
		fprintf(stderr, "first_touch: REPEAT must be 1..1000, not '%s'\n", argv[3]);
		return 2;
	}
	dir = argc > 4 ? argv[4] : NULL;
	if (!strncmp(mode, "dormant", 7) != !!dir) {
		fprintf(stderr, "first_touch: DIR (a dormant mount) goes with modes dormant and dormant-2m only\n");
		return 2;
	}
	/* 2 MiB pages start at 2 MiB: the first 2 MiB holds the code */
	stride = is_2m(mode) ? HUGE : PAGE;
	data = is_2m(mode) ? HUGE : DATA_GPA;
	/* 2 MiB aligned, for huge pages */
	size = (data + pages * stride + HUGE - 1) & ~(HUGE - 1);
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("/dev/kvm");
	run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);

	for (r = 0; r < repeat; r++) {
		struct kvm_userspace_memory_region region = { 0 };
		struct kvm_sregs sregs;
		struct kvm_regs regs = { 0 };
		struct kvm_run *run;
		double t0, t1;
		uint8_t *mem;
		int vm, vcpu;

		mem = guest_memory(mode, size, dir, r);
		if (!mem) {
			if (!strncmp(mode, "hugetlb", 7)) {
				fprintf(stderr, "first_touch: no huge pages: %s\n",
					strerror(errno));
				return 4;
			}
			die(mode);
		}
		memcpy(mem + CODE_GPA, ft_code, ft_code_end - ft_code);
		vm = ioctl(kvm, KVM_CREATE_VM, 0);
		if (vm < 0)
			die("KVM_CREATE_VM");
		region.memory_size = size;
		region.userspace_addr = (uintptr_t)mem;
		if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region))
			die("KVM_SET_USER_MEMORY_REGION");
		vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
		if (vcpu < 0)
			die("KVM_CREATE_VCPU");
		run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
		if (run == MAP_FAILED)
			die("mmap kvm_run");
		if (ioctl(vcpu, KVM_GET_SREGS, &sregs))
			die("KVM_GET_SREGS");
		flat_segment(&sregs.cs, 1);
		flat_segment(&sregs.ds, 0);
		sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
		sregs.cr0 |= 1;		/* protected mode, no paging */
		if (ioctl(vcpu, KVM_SET_SREGS, &sregs))
			die("KVM_SET_SREGS");
		regs.rip = CODE_GPA;
		regs.rflags = 2;
		regs.rdi = data;
		regs.rsi = stride;
		regs.rcx = pages;
		if (ioctl(vcpu, KVM_SET_REGS, &regs))
			die("KVM_SET_REGS");
		t0 = now_ns();
		do {
			if (ioctl(vcpu, KVM_RUN, 0))
				die("KVM_RUN");
		} while (run->exit_reason == KVM_EXIT_INTR);
		t1 = now_ns();
		if (run->exit_reason != KVM_EXIT_HLT) {
			fprintf(stderr, "first_touch: guest exit %u\n", run->exit_reason);
			return 1;
		}
		if (mem[data + (pages - 1) * stride] != 1) {
			fprintf(stderr, "first_touch: the guest's writes are not there\n");
			return 1;
		}
		printf("%s %lu %.0f\n", mode, pages, (t1 - t0) / pages);
		fflush(stdout);
		munmap(run, run_size);
		close(vcpu);
		close(vm);
		munmap(mem, size);
	}
	return 0;
}
