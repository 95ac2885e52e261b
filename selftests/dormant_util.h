/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the selftests: a minimal raw-KVM VM (one vCPU, real
 * mode, guest memory at GPA 0 from any host mapping) with small guest
 * routines, a scratch mount of the dormant filesystem, and the module's
 * per-node counters.
 */
#ifndef _DORMANT_UTIL_H
#define _DORMANT_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <linux/dormant.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <unistd.h>

#define PAGE		4096UL
#define GUEST_CODE_GPA	0x1000UL
#define PATTERN_KEY	0xa5c3f00dU

/*
 * Real-mode guest routines over the pages [bx, dx) in units of 4 KiB pages
 * (bx = first page, dx = end page, page n at segment n * 0x100). Each ends
 * in hlt; results in si.
 *   g_fill:       write dwords (linear address ^ PATTERN_KEY)
 *   g_count_nz:   si = number of pages that are not all zero
 *   g_count_bad:  si = number of pages whose dwords are not the pattern
 *   g_turn:       one turn of a page bounced between two guests (pod_mem
 *                 kvmbounce): page bx, dx = TURNS * 2 + ME. Dword 0 of the
 *                 page counts turns; dword i (1..1023) holds turn v's
 *                 pattern, v * 0x01000193 + i * v (zero for turn 0). si:
 *                 2 all turns done, 0 not ME's turn (v % 2 != ME), 3 the
 *                 page does not hold turn v's pattern, 1 it did and now
 *                 holds turn v + 1's, counted
 * Position independent; no stack.
 */
asm(".pushsection .rodata\n"
    ".globl g_code, g_code_end, g_fill, g_count_nz, g_count_bad, g_turn\n"
    "g_code:\n"
    ".code16\n"
    "g_fill:\n"
    "1:	cmp %dx, %bx\n"
    "	jae 9f\n"
    "	mov %bx, %ax\n"
    "	shl $8, %ax\n"
    "	mov %ax, %es\n"
    "	movzwl %bx, %eax\n"
    "	shl $12, %eax\n"
    "	mov %eax, %ebp\n"
    "	xor %di, %di\n"
    "	mov $1024, %cx\n"
    "2:	mov %ebp, %eax\n"
    "	xor $0xa5c3f00d, %eax\n"
    "	stosl\n"
    "	add $4, %ebp\n"
    "	loop 2b\n"
    "	inc %bx\n"
    "	jmp 1b\n"
    "9:	hlt\n"
    "g_count_nz:\n"
    "	xor %si, %si\n"
    "1:	cmp %dx, %bx\n"
    "	jae 9f\n"
    "	mov %bx, %ax\n"
    "	shl $8, %ax\n"
    "	mov %ax, %es\n"
    "	xor %di, %di\n"
    "	xor %ebp, %ebp\n"
    "	mov $1024, %cx\n"
    "2:	or %es:(%di), %ebp\n"
    "	add $4, %di\n"
    "	loop 2b\n"
    "	test %ebp, %ebp\n"
    "	jz 3f\n"
    "	inc %si\n"
    "3:	inc %bx\n"
    "	jmp 1b\n"
    "9:	hlt\n"
    "g_count_bad:\n"
    "	xor %si, %si\n"
    "1:	cmp %dx, %bx\n"
    "	jae 9f\n"
    "	mov %bx, %ax\n"
    "	shl $8, %ax\n"
    "	mov %ax, %es\n"
    "	movzwl %bx, %eax\n"
    "	shl $12, %eax\n"
    "	mov %eax, %ebp\n"
    "	xor %di, %di\n"
    "	mov $1024, %cx\n"
    "2:	mov %ebp, %eax\n"
    "	xor $0xa5c3f00d, %eax\n"
    "	cmp %es:(%di), %eax\n"
    "	jne 4f\n"
    "	add $4, %ebp\n"
    "	add $4, %di\n"
    "	loop 2b\n"
    "	jmp 3f\n"
    "4:	inc %si\n"
    "3:	inc %bx\n"
    "	jmp 1b\n"
    "9:	hlt\n"
    "g_turn:\n"
    "	mov %bx, %ax\n"
    "	shl $8, %ax\n"
    "	mov %ax, %es\n"
    "	mov %dx, %cx\n"
    "	shr $1, %cx\n"
    "	movzwl %cx, %ecx\n"
    "	and $1, %dx\n"
    "	mov $2, %si\n"
    "	mov %es:0, %eax\n"
    "	cmp %ecx, %eax\n"
    "	jae 9f\n"
    "	xor %si, %si\n"
    "	mov %ax, %cx\n"
    "	and $1, %cx\n"
    "	cmp %dx, %cx\n"
    "	jne 9f\n"
    "	mov %eax, %edx\n"
    "	imul $0x01000193, %eax, %ebp\n"
    "	mov $4, %di\n"
    "	mov $1023, %cx\n"
    "2:	add %edx, %ebp\n"
    "	cmp %es:(%di), %ebp\n"
    "	jne 8f\n"
    "	add $4, %di\n"
    "	loop 2b\n"
    "	inc %eax\n"
    "	mov %eax, %edx\n"
    "	imul $0x01000193, %eax, %ebp\n"
    "	mov $4, %di\n"
    "	mov $1023, %cx\n"
    "3:	add %edx, %ebp\n"
    "	mov %ebp, %es:(%di)\n"
    "	add $4, %di\n"
    "	loop 3b\n"
    "	mov %eax, %es:0\n"
    "	mov $1, %si\n"
    "	hlt\n"
    "8:	mov $3, %si\n"
    "9:	hlt\n"
    ".code64\n"
    "g_code_end:\n"
    ".popsection\n");
extern const unsigned char g_code[], g_code_end[], g_fill[], g_count_nz[],
	g_count_bad[], g_turn[];

#define TEST_VM_MAX_VCPUS 4

struct test_vm {
	int kvm, vm;
	int nr_vcpus;
	int vcpu[TEST_VM_MAX_VCPUS];
	struct kvm_run *run[TEST_VM_MAX_VCPUS];
	size_t run_size;
};

/* Add a vCPU (ids 0, 1, ...) in real mode at CS base 0; 0 or -errno. */
static inline int test_vm_add_vcpu(struct test_vm *t)
{
	struct kvm_sregs sregs;
	int i = t->nr_vcpus, fd;

	if (i >= TEST_VM_MAX_VCPUS)
		return -ENOSPC;
	fd = ioctl(t->vm, KVM_CREATE_VCPU, i);
	if (fd < 0)
		return -errno;
	t->vcpu[i] = fd;
	t->nr_vcpus++;
	t->run[i] = mmap(NULL, t->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd, 0);
	if (t->run[i] == MAP_FAILED)
		return -errno;
	if (ioctl(fd, KVM_GET_SREGS, &sregs))
		return -errno;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(fd, KVM_SET_SREGS, &sregs))
		return -errno;
	return 0;
}

/* 0, or -errno with a message on stderr. Memory: @size bytes at @mem. */
static inline int test_vm_create(struct test_vm *t, void *mem, size_t size)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = size,
		.userspace_addr = (uintptr_t)mem,
	};
	int ret;

	memset(t, 0, sizeof(*t));
	t->vm = -1;
	t->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (t->kvm < 0)
		return -errno;
	t->vm = ioctl(t->kvm, KVM_CREATE_VM, 0);
	if (t->vm < 0)
		goto fail;
	if (ioctl(t->vm, KVM_SET_USER_MEMORY_REGION, &region))
		goto fail;
	t->run_size = ioctl(t->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	ret = test_vm_add_vcpu(t);
	if (ret) {
		errno = -ret;
		goto fail;
	}
	return 0;
fail:
	fprintf(stderr, "# test_vm_create: %s\n", strerror(errno));
	return -errno;
}

static inline void test_vm_destroy(struct test_vm *t)
{
	int i;

	for (i = 0; i < t->nr_vcpus; i++) {
		if (t->run[i] && t->run[i] != MAP_FAILED)
			munmap(t->run[i], t->run_size);
		close(t->vcpu[i]);
	}
	if (t->vm >= 0)
		close(t->vm);
	if (t->kvm >= 0)
		close(t->kvm);
}

/*
 * A statistic of the VM (KVM's binary stats, as debugfs shows them), such
 * as "pages_2m", or -1 (with a message) if it cannot be read.
 */
static inline long test_vm_stat(struct test_vm *t, const char *name)
{
	struct kvm_stats_header h;
	struct kvm_stats_desc *d;
	size_t dsize;
	long val = -1;
	char *descs;
	uint32_t i;
	int fd;

	fd = ioctl(t->vm, KVM_GET_STATS_FD, NULL);
	if (fd < 0) {
		fprintf(stderr, "# KVM_GET_STATS_FD: %s\n", strerror(errno));
		return -1;
	}
	if (pread(fd, &h, sizeof(h), 0) != sizeof(h))
		goto out_close;
	dsize = sizeof(*d) + h.name_size;
	descs = calloc(h.num_desc, dsize);
	if (!descs)
		goto out_close;
	if (pread(fd, descs, h.num_desc * dsize, h.desc_offset) !=
	    (ssize_t)(h.num_desc * dsize))
		goto out_free;
	for (i = 0; i < h.num_desc; i++) {
		uint64_t v;

		d = (struct kvm_stats_desc *)(descs + i * dsize);
		if (strcmp(d->name, name))
			continue;
		if (pread(fd, &v, sizeof(v), h.data_offset + d->offset) == sizeof(v))
			val = (long)v;
		break;
	}
	if (val < 0)
		fprintf(stderr, "# KVM statistic %s not found\n", name);
out_free:
	free(descs);
out_close:
	close(fd);
	return val;
}

/* Copy the guest routines to GUEST_CODE_GPA of the guest memory at @mem. */
static inline void test_vm_load_code(void *mem)
{
	memcpy((char *)mem + GUEST_CODE_GPA, g_code, g_code_end - g_code);
}

/*
 * Run @routine on vCPU @i over pages [first, end) and return its si, or -1
 * (with a message) if the vCPU did not halt cleanly.
 */
static inline long test_vm_call_on(struct test_vm *t, int i,
				   const unsigned char *routine,
				   unsigned int first, unsigned int end)
{
	struct kvm_regs regs = { 0 };
	int n;

	regs.rip = GUEST_CODE_GPA + (routine - g_code);
	regs.rflags = 2;
	regs.rbx = first;
	regs.rdx = end;
	if (ioctl(t->vcpu[i], KVM_SET_REGS, &regs)) {
		fprintf(stderr, "# KVM_SET_REGS: %s\n", strerror(errno));
		return -1;
	}
	for (n = 0; n < 16; n++) {
		if (ioctl(t->vcpu[i], KVM_RUN, 0)) {
			fprintf(stderr, "# KVM_RUN: %s\n", strerror(errno));
			return -1;
		}
		if (t->run[i]->exit_reason == KVM_EXIT_HLT)
			break;
		if (t->run[i]->exit_reason != KVM_EXIT_INTR) {
			fprintf(stderr, "# unexpected KVM exit %u\n",
				t->run[i]->exit_reason);
			return -1;
		}
	}
	if (ioctl(t->vcpu[i], KVM_GET_REGS, &regs)) {
		fprintf(stderr, "# KVM_GET_REGS: %s\n", strerror(errno));
		return -1;
	}
	return (long)(regs.rsi & 0xffff);
}

static inline long test_vm_call(struct test_vm *t, const unsigned char *routine,
				unsigned int first, unsigned int end)
{
	return test_vm_call_on(t, 0, routine, first, end);
}

/* The pattern g_fill writes, checked from the host side. */
static inline int page_has_pattern(const void *mem, unsigned long pfn)
{
	const uint32_t *p = (const uint32_t *)((const char *)mem + pfn * PAGE);
	unsigned long i;

	for (i = 0; i < PAGE / 4; i++)
		if (p[i] != ((uint32_t)(pfn * PAGE + i * 4) ^ PATTERN_KEY))
			return 0;
	return 1;
}

static inline int page_is_zero(const void *mem, unsigned long pfn)
{
	const uint64_t *p = (const uint64_t *)((const char *)mem + pfn * PAGE);
	unsigned long i;

	for (i = 0; i < PAGE / 8; i++)
		if (p[i])
			return 0;
	return 1;
}

/* kB of @field in /proc/self/smaps for the mapping that starts at @addr. */
static inline long smaps_kb(const void *addr, const char *field)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	size_t flen = strlen(field);
	char line[512], head[32];
	long kb = -1;
	int in = 0;

	if (!f)
		return -1;
	snprintf(head, sizeof(head), "%lx-", (unsigned long)addr);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, head, strlen(head))) {
			in = 1;
		} else if (in && !strncmp(line, field, flen) && line[flen] == ':') {
			kb = strtol(line + flen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return kb;
}

/* Sum of one per-node counter over all nodes (or node @nid if >= 0). */
static inline long node_stat(int nid, const char *name)
{
	char path[256], buf[64];
	long sum = 0;
	int n, fd, found = 0;

	for (n = 0; n < 64; n++) {
		ssize_t len;

		if (nid >= 0 && n != nid)
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/dormant/nodes/node%d/%s",
			 n, name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			return -1;
		buf[len] = 0;
		sum += strtol(buf, NULL, 10);
		found = 1;
	}
	return found ? sum : -1;
}

static inline long dormant_nr_nodes(void)
{
	char buf[32];
	ssize_t len;
	int fd = open("/sys/kernel/dormant/nr_nodes", O_RDONLY);

	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -1;
	buf[len] = 0;
	return strtol(buf, NULL, 10);
}

static inline int write_param_str(const char *name, const char *value)
{
	char path[256];
	int fd, len = strlen(value), ret = 0;

	snprintf(path, sizeof(path), "/sys/module/dormant/parameters/%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, value, len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

static inline int write_param(const char *name, long value)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", value);
	return write_param_str(name, buf);
}

static inline long read_param(const char *name)
{
	char path[256], buf[32];
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/sys/module/dormant/parameters/%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -1;
	buf[len] = 0;
	if (buf[0] == 'Y')
		return 1;
	if (buf[0] == 'N')
		return 0;
	return strtol(buf, NULL, 10);
}

/*
 * The kernel log from now on: /dev/kmsg opened at its end, non-blocking.
 * kmsg_has() reads records up to the first that contains @needle (1), or
 * to the end of the log (0). The module says why it refused bad input in
 * one log line; its ioctl and fault lines are rate-limited per call site
 * (10 per 5 s), so a test sends each site only a few of them.
 */
static inline int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0 && lseek(fd, 0, SEEK_END) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static inline int kmsg_has(int fd, const char *needle)
{
	char rec[2048];
	ssize_t len;

	for (;;) {
		len = read(fd, rec, sizeof(rec) - 1);
		if (len < 0 && errno == EPIPE)	/* overwritten meanwhile */
			continue;
		if (len <= 0)
			return 0;
		rec[len] = 0;
		if (strstr(rec, needle))
			return 1;
	}
}

/* The log line for bad input, checked where the errno is. */
#define EXPECT_LOGGED(kmsg, needle) \
	EXPECT_TRUE(kmsg_has(kmsg, needle)) \
		TH_LOG("no kernel log line containing \"%s\"", needle)

/* Mount a scratch dormant filesystem; returns its path or NULL. */
static inline char *dormant_mount_scratch_opts(const char *opts)
{
	char *dir = strdup("/tmp/dormantfs-XXXXXX");

	if (!dir || !mkdtemp(dir)) {
		free(dir);
		return NULL;
	}
	if (mount("none", dir, "dormant", 0, opts)) {
		fprintf(stderr, "# mount -t dormant -o '%s' %s: %s\n",
			opts ? opts : "", dir, strerror(errno));
		rmdir(dir);
		free(dir);
		return NULL;
	}
	return dir;
}

static inline char *dormant_mount_scratch(void)
{
	return dormant_mount_scratch_opts(NULL);
}

static inline void dormant_umount_scratch(char *dir)
{
	if (!dir)
		return;
	if (umount(dir))
		fprintf(stderr, "# umount %s: %s\n", dir, strerror(errno));
	rmdir(dir);
	free(dir);
}

/* A new object of @size bytes in @dir; its fd, or -errno. */
static inline int dormant_object(const char *dir, const char *name, off_t size)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, size)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* All vCPU stats; *n entries in a malloc'ed array, or NULL on error. */
static inline struct dormant_vcpu_stats *dormant_vcpu_stats(int ctl, int reset,
							    int *n)
{
	struct dormant_vcpu_stats_req req = { 0 };
	struct dormant_vcpu_stats *v;

	req.flags = reset ? DORMANT_VCPU_STATS_RESET : 0;
	if (ioctl(ctl, DORMANT_IOC_VCPU_STATS, &req) && errno != ENOSPC)
		return NULL;
	v = calloc(req.count + 1, sizeof(*v));
	if (!v)
		return NULL;
	req.entries = (uintptr_t)v;
	req.count += 1;
	if (ioctl(ctl, DORMANT_IOC_VCPU_STATS, &req)) {
		free(v);
		return NULL;
	}
	*n = req.count;
	return v;
}

/* Is the module's KVM hook attached (/sys/kernel/dormant/kvm_hook)? */
static inline int dormant_kvm_hooked(void)
{
	char buf[16] = "";
	int fd = open("/sys/kernel/dormant/kvm_hook", O_RDONLY);

	if (fd < 0)
		return 0;
	if (read(fd, buf, sizeof(buf) - 1) <= 0)
		buf[0] = 0;
	close(fd);
	return !strncmp(buf, "attached", 8);
}

#endif /* _DORMANT_UTIL_H */
