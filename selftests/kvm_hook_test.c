// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_hook_test: the module's probe on KVM's kvm_page_fault/kvm_entry
 * tracepoints sees every EPT/NPT-violation stall on dormant memory, with its
 * vCPU, and accounts for it (DORMANT_IOC_VCPU_STATS). Needs the module and
 * KVM loaded; skips (exit 4) without them.
 *
 *   kvm_hook_test              the harness tests
 *   kvm_hook_test spin SECONDS [DIR]
 *                              run a VM (memory: anonymous, or an object in
 *                              the dormant filesystem mounted at DIR) until
 *                              SECONDS have passed; for the unload test
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <linux/dormant.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "dormant_util.h"

#define OBJ_PAGES	256UL
#define OBJ_SIZE	(OBJ_PAGES * PAGE)

/* The entry of vCPU @vcpu of the VM run by this process that has the most
 * stalls (VMs are told apart by the kernel; a test makes one at a time).
 */
static int find_vcpu(int ctl, int vm_id, int vcpu, struct dormant_vcpu_stats *out)
{
	struct dormant_vcpu_stats *v;
	int i, n, found = 0;

	v = dormant_vcpu_stats(ctl, 0, &n);
	if (!v)
		return 0;
	for (i = 0; i < n; i++) {
		if ((int)v[i].pid == getpid() && (int)v[i].vcpu_id == vcpu &&
		    (vm_id < 0 || (int)v[i].vm_id == vm_id)) {
			*out = v[i];
			found = 1;
		}
	}
	free(v);
	return found;
}

static uint64_t hist_sum(const struct dormant_vcpu_stats *s)
{
	uint64_t sum = 0;
	int b;

	for (b = 0; b < DORMANT_HIST_BUCKETS; b++)
		sum += s->hist[b];
	return sum;
}

FIXTURE(hook) {
	char *dir;
	int fd, ctl;
	uint8_t *mem;
	struct test_vm vm;
	int have_vm;
};

FIXTURE_SETUP(hook)
{
	int n;

	self->fd = self->ctl = -1;
	self->mem = MAP_FAILED;
	self->have_vm = 0;
	if (access("/sys/kernel/dormant", F_OK))
		SKIP(return, "dormant module not loaded");
	if (access("/dev/kvm", F_OK))
		SKIP(return, "no /dev/kvm");
	ASSERT_TRUE(dormant_kvm_hooked()) TH_LOG("kvm is loaded but the hook is not attached");
	self->ctl = open(DORMANT_CTL_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->ctl);
	free(dormant_vcpu_stats(self->ctl, 1, &n));	/* start from zero */
	self->dir = dormant_mount_scratch();
	ASSERT_NE(NULL, self->dir);
	self->fd = dormant_object(self->dir, "vm", OBJ_SIZE);
	ASSERT_LE(0, self->fd);
	self->mem = mmap(NULL, OBJ_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			 self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	ASSERT_EQ(0, test_vm_create(&self->vm, self->mem, OBJ_SIZE));
	self->have_vm = 1;
	test_vm_load_code(self->mem);		/* the code page is backed */
}

FIXTURE_TEARDOWN(hook)
{
	if (self->have_vm)
		test_vm_destroy(&self->vm);
	if (self->mem != MAP_FAILED)
		munmap(self->mem, OBJ_SIZE);
	if (self->fd >= 0)
		close(self->fd);
	if (self->ctl >= 0)
		close(self->ctl);
	dormant_umount_scratch(self->dir);
}

/* N dormant pages touched: N dormant stalls; touched again: none. */
TEST_F(hook, dormant_stalls_counted)
{
	struct dormant_vcpu_stats s;

	uint64_t backed;

	ASSERT_EQ(0, test_vm_call(&self->vm, g_count_nz, 16, 56));
	ASSERT_TRUE(find_vcpu(self->ctl, -1, 0, &s));
	EXPECT_EQ(40, s.dormant_stalls);
	/* the code page was backed by the host's write: its first fetch */
	EXPECT_EQ(1, s.backed_stalls);
	EXPECT_EQ(s.dormant_stalls + s.backed_stalls, hist_sum(&s));
	EXPECT_LT(0, s.stall_ns_total);

	/* mapped in the NPT now: reading them again stalls no more */
	ASSERT_EQ(0, test_vm_call(&self->vm, g_count_nz, 16, 56));
	ASSERT_TRUE(find_vcpu(self->ctl, -1, 0, &s));
	EXPECT_EQ(40, s.dormant_stalls);
	EXPECT_EQ(1, s.backed_stalls);
	/*
	 * Writing them may stall once more each, as backed pages: KVM may have
	 * mapped a page read-only for the read fault (it does on 6.12, whose
	 * fast GUP refuses our pages: Documentation/design.rst). Writing them
	 * again stalls no more.
	 */
	ASSERT_EQ(0, test_vm_call(&self->vm, g_fill, 16, 56));
	ASSERT_TRUE(find_vcpu(self->ctl, -1, 0, &s));
	EXPECT_EQ(40, s.dormant_stalls);
	EXPECT_GE(41, s.backed_stalls);
	backed = s.backed_stalls;
	ASSERT_EQ(0, test_vm_call(&self->vm, g_fill, 16, 56));
	ASSERT_TRUE(find_vcpu(self->ctl, -1, 0, &s));
	EXPECT_EQ(40, s.dormant_stalls);
	EXPECT_EQ(backed, s.backed_stalls);
	EXPECT_EQ(s.dormant_stalls + s.backed_stalls, hist_sum(&s));
}

/* Pages the host backed are backed stalls, not dormant ones. */
TEST_F(hook, backed_stalls_counted)
{
	struct dormant_vcpu_stats s;
	unsigned long p;

	for (p = 100; p < 110; p++)
		self->mem[p * PAGE] = 0;
	ASSERT_EQ(0, test_vm_call(&self->vm, g_count_nz, 100, 110));
	ASSERT_TRUE(find_vcpu(self->ctl, -1, 0, &s));
	EXPECT_EQ(0, s.dormant_stalls);
	EXPECT_EQ(11, s.backed_stalls);
	EXPECT_EQ(11, hist_sum(&s));
}

/* Two vCPUs of one VM are told apart. */
TEST_F(hook, two_vcpus)
{
	struct dormant_vcpu_stats s0, s1;

	ASSERT_EQ(0, test_vm_add_vcpu(&self->vm));
	ASSERT_EQ(0, test_vm_call_on(&self->vm, 0, g_fill, 16, 32));
	ASSERT_EQ(0, test_vm_call_on(&self->vm, 1, g_fill, 64, 100));
	ASSERT_TRUE(find_vcpu(self->ctl, -1, 0, &s0));
	ASSERT_TRUE(find_vcpu(self->ctl, -1, 1, &s1));
	EXPECT_EQ(s0.vm_id, s1.vm_id);
	EXPECT_EQ(16, s0.dormant_stalls);
	EXPECT_EQ(36, s1.dormant_stalls);
	EXPECT_EQ(s0.dormant_stalls + s0.backed_stalls, hist_sum(&s0));
	EXPECT_EQ(s1.dormant_stalls + s1.backed_stalls, hist_sum(&s1));
}

/* A punched page stalls as dormant again. */
TEST_F(hook, punched_page_stalls_again)
{
	struct dormant_vcpu_stats s;

	ASSERT_EQ(0, test_vm_call(&self->vm, g_fill, 16, 32));
	ASSERT_EQ(0, fallocate(self->fd, 3 /* PUNCH_HOLE|KEEP_SIZE */,
			       20 * PAGE, 4 * PAGE));
	/* 12 pages keep the pattern, the 4 punched ones read zero */
	ASSERT_EQ(12, test_vm_call(&self->vm, g_count_nz, 16, 32));
	ASSERT_TRUE(find_vcpu(self->ctl, -1, 0, &s));
	EXPECT_EQ(16 + 4, s.dormant_stalls);
}

/* A VM whose memory is not ours is not accounted at all. */
TEST_F(hook, other_memory_ignored)
{
	struct dormant_vcpu_stats *v;
	struct test_vm other;
	void *anon;
	int n0, n1;

	free(dormant_vcpu_stats(self->ctl, 0, &n0));
	anon = mmap(NULL, OBJ_SIZE, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, anon);
	ASSERT_EQ(0, test_vm_create(&other, anon, OBJ_SIZE));
	test_vm_load_code(anon);
	EXPECT_EQ(0, test_vm_call(&other, g_fill, 16, 200));
	v = dormant_vcpu_stats(self->ctl, 0, &n1);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(n0, n1);
	free(v);
	test_vm_destroy(&other);
	munmap(anon, OBJ_SIZE);
}

/* Reset zeroes; garbage gets EINVAL/EFAULT; too little room gets ENOSPC. */
TEST_F(hook, stats_ioctl)
{
	struct dormant_vcpu_stats_req req;
	struct dormant_vcpu_stats s, one;
	int i, n, kmsg;

	ASSERT_EQ(0, test_vm_add_vcpu(&self->vm));
	ASSERT_EQ(0, test_vm_call_on(&self->vm, 0, g_fill, 16, 20));
	ASSERT_EQ(0, test_vm_call_on(&self->vm, 1, g_fill, 20, 24));

	memset(&req, 0, sizeof(req));
	req.count = 1;
	req.entries = (uintptr_t)&one;
	EXPECT_EQ(-1, ioctl(self->ctl, DORMANT_IOC_VCPU_STATS, &req));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_LE(2, req.count);

	kmsg = kmsg_open();
	ASSERT_LE(0, kmsg);
	memset(&req, 0, sizeof(req));
	req.flags = 2;
	EXPECT_EQ(-1, ioctl(self->ctl, DORMANT_IOC_VCPU_STATS, &req));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_LOGGED(kmsg, "dormant: VCPU_STATS: unknown flags 0x2 ");
	for (i = 0; i < 3; i++) {
		memset(&req, 0, sizeof(req));
		req.reserved[i] = 1;
		EXPECT_EQ(-1, ioctl(self->ctl, DORMANT_IOC_VCPU_STATS, &req));
		EXPECT_EQ(EINVAL, errno);
	}
	memset(&req, 0, sizeof(req));
	req.reserved0 = 1;
	EXPECT_EQ(-1, ioctl(self->ctl, DORMANT_IOC_VCPU_STATS, &req));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_LOGGED(kmsg, "dormant: VCPU_STATS: reserved[0] is not zero");
	EXPECT_LOGGED(kmsg, "dormant: VCPU_STATS: reserved[2] is not zero");
	EXPECT_LOGGED(kmsg, "dormant: VCPU_STATS: reserved0 is not zero");
	{
		/* entry sizes: not a multiple of 8, below the first, past a page */
		static const uint32_t bad[] = { 4, 329, DORMANT_VCPU_STATS_SIZE_V1 - 8,
						4104, 0xfffffff8 };
		unsigned int b;

		for (b = 0; b < sizeof(bad) / sizeof(bad[0]); b++) {
			memset(&req, 0, sizeof(req));
			req.entry_size = bad[b];
			req.count = 1;
			req.entries = (uintptr_t)&one;
			EXPECT_EQ(-1, ioctl(self->ctl, DORMANT_IOC_VCPU_STATS, &req))
				TH_LOG("entry_size %u", bad[b]);
			EXPECT_EQ(EINVAL, errno);
		}
		EXPECT_LOGGED(kmsg, "dormant: VCPU_STATS: entry_size 329 is not a multiple of 8 from 328 to 4096");
		EXPECT_LOGGED(kmsg, "dormant: VCPU_STATS: entry_size 4104 is not");
	}
	close(kmsg);
	{
		/*
		 * A caller that knows a longer entry: its stride, each tail
		 * zeroed, entries sorted by VM and vCPU. (Earlier tests' VMs of
		 * this process are still listed: records go with the process.)
		 */
		const uint32_t esz = sizeof(struct dormant_vcpu_stats) + 16;
		struct dormant_vcpu_stats e, prev;
		uint8_t *big;
		uint32_t k, t, found = 0;

		memset(&req, 0, sizeof(req));
		EXPECT_EQ(-1, ioctl(self->ctl, DORMANT_IOC_VCPU_STATS, &req));
		EXPECT_EQ(ENOSPC, errno);
		n = req.count;
		big = malloc((size_t)n * esz);
		ASSERT_NE(NULL, big);
		memset(big, 0xa5, (size_t)n * esz);
		memset(&req, 0, sizeof(req));
		req.entry_size = esz;
		req.count = n;
		req.entries = (uintptr_t)big;
		ASSERT_EQ(0, ioctl(self->ctl, DORMANT_IOC_VCPU_STATS, &req));
		EXPECT_EQ(sizeof(struct dormant_vcpu_stats), req.entry_size);
		EXPECT_EQ(n, (int)req.count);
		for (k = 0; k < (uint32_t)n; k++) {
			memcpy(&e, big + (size_t)k * esz, sizeof(e));
			for (t = 0; t < 16; t++)
				EXPECT_EQ(0, big[(size_t)k * esz + sizeof(e) + t]);
			if (k)
				EXPECT_TRUE(prev.vm_id < e.vm_id ||
					    (prev.vm_id == e.vm_id &&
					     prev.vcpu_id < e.vcpu_id));
			if (k && (pid_t)e.pid == getpid() && e.vcpu_id == 1 &&
			    prev.vm_id == e.vm_id && prev.vcpu_id == 0 &&
			    e.dormant_stalls == 4)
				found++;
			prev = e;
		}
		EXPECT_EQ(1, found);
		free(big);
	}
	memset(&req, 0, sizeof(req));
	req.count = 4;
	req.entries = 16;	/* not a valid pointer */
	EXPECT_EQ(-1, ioctl(self->ctl, DORMANT_IOC_VCPU_STATS, &req));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->ctl, DORMANT_IOC_VCPU_STATS, NULL));
	EXPECT_EQ(EFAULT, errno);

	free(dormant_vcpu_stats(self->ctl, 1, &n));
	ASSERT_TRUE(find_vcpu(self->ctl, -1, 0, &s));
	EXPECT_EQ(0, s.dormant_stalls + s.backed_stalls + s.stall_ns_total +
		     hist_sum(&s));
}

/* Entries of vCPU stats that belong to process @pid. */
static int entries_of(int ctl, pid_t pid)
{
	struct dormant_vcpu_stats *v;
	int i, n, found = 0;

	v = dormant_vcpu_stats(ctl, 0, &n);
	if (!v)
		return -1;
	for (i = 0; i < n; i++)
		found += (pid_t)v[i].pid == pid;
	free(v);
	return found;
}

/*
 * A VM's record goes when its process does (the reaper looks every 5 s):
 * before, records lived until kvm.ko unloaded.
 */
TEST_F(hook, record_goes_with_its_process)
{
	int status, tries, left = -1;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct test_vm vm;

		if (test_vm_create(&vm, self->mem, OBJ_SIZE) ||
		    test_vm_call(&vm, g_fill, 60, 70) != 0)
			_exit(1);
		_exit(0);	/* the VM goes with the process */
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	for (tries = 0; tries < 30; tries++) {
		left = entries_of(self->ctl, pid);
		if (left <= 0)
			break;
		usleep(500 * 1000);
	}
	EXPECT_EQ(0, left) TH_LOG("the exited process's VM record is still there after 15 s");
}

static volatile int contend_stop;

/* Take and drop this process's mmap_lock for writing, as fast as it goes. */
static void *contend(void *arg)
{
	char *p = arg;

	while (!contend_stop) {
		mprotect(p, PAGE, PROT_READ);
		mprotect(p, PAGE, PROT_READ | PROT_WRITE);
	}
	return NULL;
}

/*
 * Stalls while another thread holds mmap_lock are counted, as missed if
 * they cannot be classified (before: dropped without a trace). The slot
 * is known to be ours first (its first violation needs the lock).
 */
TEST_F(hook, stalls_under_mmap_lock_contention_counted)
{
	struct dormant_vcpu_stats s;
	pthread_t t;
	void *p;

	ASSERT_EQ(0, test_vm_call(&self->vm, g_fill, 10, 11));
	free(dormant_vcpu_stats(self->ctl, 1, &(int){ 0 }));
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	contend_stop = 0;
	ASSERT_EQ(0, pthread_create(&t, NULL, contend, p));
	EXPECT_EQ(0, test_vm_call(&self->vm, g_fill, 16, 216));
	contend_stop = 1;
	pthread_join(t, NULL);
	munmap(p, PAGE);
	ASSERT_TRUE(find_vcpu(self->ctl, -1, 0, &s));
	TH_LOG("dormant %llu, missed %llu", (unsigned long long)s.dormant_stalls,
	       (unsigned long long)s.missed_stalls);
	EXPECT_EQ(200, s.dormant_stalls + s.missed_stalls);
}

static volatile int filler_done;

static void *filler(void *arg)
{
	struct test_vm *vm = arg;

	test_vm_call(vm, g_fill, 16, 246);
	filler_done = 1;
	return NULL;
}

/* Reading with reset while stalls come loses none of them. */
TEST_F(hook, reset_loses_nothing)
{
	struct dormant_vcpu_stats *v;
	unsigned long long sum = 0;
	pthread_t t;
	int i, n;

	filler_done = 0;
	ASSERT_EQ(0, pthread_create(&t, NULL, filler, &self->vm));
	do {
		v = dormant_vcpu_stats(self->ctl, 1, &n);
		ASSERT_NE(NULL, v);
		for (i = 0; i < n; i++)
			if ((pid_t)v[i].pid == getpid())
				sum += v[i].dormant_stalls + v[i].missed_stalls;
		free(v);
	} while (!filler_done);
	pthread_join(t, NULL);
	v = dormant_vcpu_stats(self->ctl, 1, &n);
	ASSERT_NE(NULL, v);
	for (i = 0; i < n; i++)
		if ((pid_t)v[i].pid == getpid())
			sum += v[i].dormant_stalls + v[i].missed_stalls;
	free(v);
	EXPECT_EQ(230, sum);
}

/*
 * Violations that are not L1 guest-physical addresses are not looked up:
 * a 32-bit paging guest writes virtual address 0x80000, which it maps to
 * memory that is not ours (GPA 0x10000000); GPA 0x80000 is a dormant page
 * of ours. With NPT the write is a violation at GPA 0x10000000 (not ours);
 * with shadow paging (kvm_amd npt=0: kvm_hook_shadow.sh) it is a #PF at
 * 0x80000, which the probe must not take for a GPA.
 */
TEST_F(hook, not_l1_gpa_ignored)
{
	const unsigned long code = 200 * PAGE, pd = 201 * PAGE, pt = 202 * PAGE;
	static const uint8_t insn[] = {
		0xc6, 0x05, 0x00, 0x00, 0x08, 0x00, 0x01,	/* movb $1, 0x80000 */
		0xf4,						/* hlt */
	};
	struct kvm_userspace_memory_region other = {
		.slot = 1, .guest_phys_addr = 0x10000000, .memory_size = 1 << 22,
	};
	struct kvm_segment seg = {
		.base = 0, .limit = 0xffffffff, .present = 1, .s = 1, .db = 1,
		.g = 1,
	};
	struct dormant_vcpu_stats s;
	struct kvm_sregs sregs;
	struct kvm_regs regs = { 0 };
	uint32_t *pde = (uint32_t *)(self->mem + pd);
	uint32_t *pte = (uint32_t *)(self->mem + pt);
	uint8_t *anon;
	char npt[8] = "";
	FILE *f;

	anon = mmap(NULL, other.memory_size, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, anon);
	other.userspace_addr = (uintptr_t)anon;
	ASSERT_EQ(0, ioctl(self->vm.vm, KVM_SET_USER_MEMORY_REGION, &other));
	memcpy(self->mem + code, insn, sizeof(insn));
	memset(self->mem + pd, 0, PAGE);
	memset(self->mem + pt, 0, PAGE);
	pde[0] = pt | 3;
	pte[200] = code | 3;
	pte[128] = 0x10000000 | 3;
	ASSERT_EQ(0, ioctl(self->vm.vcpu[0], KVM_GET_SREGS, &sregs));
	seg.type = 0xb;
	seg.selector = 8;
	sregs.cs = seg;
	seg.type = 3;
	seg.selector = 0x10;
	sregs.ds = sregs.es = sregs.ss = sregs.fs = sregs.gs = seg;
	sregs.cr0 = 0x80000011;		/* PG | ET | PE */
	sregs.cr3 = pd;
	sregs.cr4 = 0;
	sregs.efer = 0;
	ASSERT_EQ(0, ioctl(self->vm.vcpu[0], KVM_SET_SREGS, &sregs));
	regs.rip = code;
	regs.rflags = 2;
	ASSERT_EQ(0, ioctl(self->vm.vcpu[0], KVM_SET_REGS, &regs));
	ASSERT_EQ(0, ioctl(self->vm.vcpu[0], KVM_RUN, 0));
	ASSERT_EQ(KVM_EXIT_HLT, self->vm.run[0]->exit_reason);
	EXPECT_EQ(1, anon[0]);			/* the write went there */
	EXPECT_EQ(0, self->mem[0x80000]);	/* not here */
	f = fopen("/sys/module/kvm_amd/parameters/npt", "r");
	if (f) {
		if (!fgets(npt, sizeof(npt), f))
			npt[0] = 0;
		fclose(f);
	}
	TH_LOG("kvm_amd npt=%c", npt[0] ? npt[0] : '?');
	if (find_vcpu(self->ctl, -1, 0, &s)) {
		EXPECT_EQ(0, s.dormant_stalls);
		/* shadow paging: nothing here is a GPA the probe may look up */
		if (npt[0] == 'N')
			EXPECT_EQ(0, s.backed_stalls);
	}
	munmap(anon, other.memory_size);
}

/* spin SECONDS [DIR]: keep a VM running, for the unload test. */
static int spin(int seconds, const char *dir)
{
	struct test_vm vm;
	time_t end = time(NULL) + seconds;
	uint8_t *mem;
	long runs = 0;
	int fd = -1;

	if (dir) {
		fd = dormant_object(dir, "spin", OBJ_SIZE);
		if (fd < 0) {
			fprintf(stderr, "spin: object in %s: %s\n", dir, strerror(-fd));
			return 1;
		}
		mem = mmap(NULL, OBJ_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	} else {
		mem = mmap(NULL, OBJ_SIZE, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	}
	if (mem == MAP_FAILED || test_vm_create(&vm, mem, OBJ_SIZE))
		return 1;
	test_vm_load_code(mem);
	while (time(NULL) < end) {
		if (test_vm_call(&vm, g_fill, 16, 200) != 0 ||
		    test_vm_call(&vm, g_count_bad, 16, 200) != 0) {
			fprintf(stderr, "spin: guest run %ld failed\n", runs);
			return 1;
		}
		runs++;
	}
	printf("spin: %ld guest runs\n", runs);
	test_vm_destroy(&vm);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "spin"))
		return spin(atoi(argv[2]), argc > 3 ? argv[3] : NULL);
	return test_harness_run(argc, argv);
}
