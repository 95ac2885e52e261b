// SPDX-License-Identifier: GPL-2.0
/*
 * dormant_mem_test: guest memory objects of the dormant filesystem, on one
 * host. Needs the module loaded (skips, exit 4, without it) and, for the
 * KVM cases, /dev/kvm.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/dormant.h>
#include <linux/falloc.h>
#include <linux/mempolicy.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "dormant_util.h"

#define OBJ_PAGES	256UL		/* 1 MiB: what real mode reaches */
#define OBJ_SIZE	(OBJ_PAGES * PAGE)

static int obj_stats(int fd, struct dormant_obj_stats *st)
{
	memset(st, 0, sizeof(*st));
	return ioctl(fd, DORMANT_IOC_OBJ_STATS, st);
}

/* Booted with init_on_alloc=0: the page allocator does not zero pages. */
static int init_on_alloc_off(void)
{
	char line[4096] = "";
	FILE *f = fopen("/proc/cmdline", "re");

	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = 0;
		fclose(f);
	}
	return strstr(line, "init_on_alloc=0") != NULL;
}

/* Free pages in the pools (4 KiB pages), both lists. */
static long pool_free_pages(int nid)
{
	return node_stat(nid, "zeroed") + node_stat(nid, "zeroed_2m") * 512;
}

/* Pages zeroed for the pools, by the threads or by the page allocator. */
static long pool_zeroed_pages(int nid)
{
	return node_stat(nid, "zeroed_background") +
	       node_stat(nid, "zeroed_by_allocator");
}

/*
 * Pages the module has taken from the page allocator, less those it gave
 * back (freed from the pools, or discarded by objects), must equal the
 * pages it holds: free in the pools plus in use. Counters move outside
 * the pool lock, so look until they settle.
 */
static int pages_accounted(long *diff)
{
	int i;

	for (i = 0; i < 100; i++) {
		long have = pool_free_pages(-1) + node_stat(-1, "in_use");
		long got = node_stat(-1, "allocated") - node_stat(-1, "freed") -
			   node_stat(-1, "discarded");

		*diff = got - have;
		if (!*diff)
			return 1;
		usleep(100000);
	}
	return 0;
}

FIXTURE(obj) {
	char *dir;
	int fd;
	uint8_t *mem;
	long params[4];		/* restored by the teardown */
};

static const char * const saved_params[4] = {
	"grow", "pool_pages", "zeroed_low", "zeroed_high",
};

FIXTURE_SETUP(obj)
{
	self->fd = -1;
	self->mem = MAP_FAILED;
	if (access("/sys/kernel/dormant", F_OK))
		SKIP(return, "dormant module not loaded");
	for (int i = 0; i < 4; i++)
		self->params[i] = read_param(saved_params[i]);
	self->dir = dormant_mount_scratch();
	ASSERT_NE(NULL, self->dir);
	self->fd = dormant_object(self->dir, "obj", OBJ_SIZE);
	ASSERT_LE(0, self->fd) TH_LOG("object: %s", strerror(-self->fd));
	self->mem = mmap(NULL, OBJ_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			 self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->mem) TH_LOG("mmap: %s", strerror(errno));
}

FIXTURE_TEARDOWN(obj)
{
	if (self->params[3] > 0) {
		/* keep low < high at every step */
		write_param("zeroed_high", 1L << 29);
		write_param("zeroed_low", self->params[2]);
		write_param("zeroed_high", self->params[3]);
		write_param("grow", self->params[0]);
		write_param("pool_pages", self->params[1]);
	}
	if (self->mem != MAP_FAILED)
		munmap(self->mem, OBJ_SIZE);
	if (self->fd >= 0)
		close(self->fd);
	dormant_umount_scratch(self->dir);
}

TEST_F(obj, starts_dormant_reads_zero)
{
	struct dormant_obj_stats st;
	struct statfs sfs;
	struct stat sb;
	unsigned long i;

	ASSERT_EQ(0, fstatfs(self->fd, &sfs));
	EXPECT_EQ(DORMANT_FS_MAGIC, (unsigned long)sfs.f_type);
	ASSERT_EQ(0, obj_stats(self->fd, &st));
	EXPECT_EQ(OBJ_SIZE, st.size);
	EXPECT_EQ(0, st.present);
	EXPECT_EQ(OBJ_PAGES, st.dormant);
	ASSERT_EQ(0, fstat(self->fd, &sb));
	EXPECT_EQ(0, sb.st_blocks);
	EXPECT_EQ((off_t)OBJ_SIZE, sb.st_size);
	for (i = 0; i < OBJ_PAGES; i += 7)
		EXPECT_TRUE(page_is_zero(self->mem, i));
	ASSERT_EQ(0, obj_stats(self->fd, &st));
	EXPECT_EQ((OBJ_PAGES + 6) / 7, st.present);
	EXPECT_EQ(st.present, st.faults);
	ASSERT_EQ(0, fstat(self->fd, &sb));
	EXPECT_EQ(st.present * 8, (uint64_t)sb.st_blocks);
}

TEST_F(obj, punch_makes_dormant_again)
{
	struct dormant_obj_stats st;
	long in_use0 = node_stat(-1, "in_use");
	long disc0 = node_stat(-1, "discarded");
	unsigned long i;

	for (i = 0; i < 32; i++)
		memset(self->mem + i * PAGE, 0x5a, PAGE);
	ASSERT_EQ(0, obj_stats(self->fd, &st));
	EXPECT_EQ(32, st.present);
	EXPECT_EQ(in_use0 + 32, node_stat(-1, "in_use"));

	/* pages 8..23: hole punching, as QEMU's balloon does it */
	ASSERT_EQ(0, fallocate(self->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			       8 * PAGE, 16 * PAGE));
	ASSERT_EQ(0, obj_stats(self->fd, &st));
	EXPECT_EQ(16, st.present);
	EXPECT_EQ(16, st.discards);
	EXPECT_EQ(disc0 + 16, node_stat(-1, "discarded"));
	EXPECT_EQ(in_use0 + 16, node_stat(-1, "in_use"));
	for (i = 0; i < 32; i++) {
		if (i >= 8 && i < 24) {
			EXPECT_TRUE(page_is_zero(self->mem, i));
		} else {
			EXPECT_EQ(0x5a, self->mem[i * PAGE + 100]);
		}
	}
	/* MADV_REMOVE on the mapping does the same */
	ASSERT_EQ(0, madvise(self->mem, 8 * PAGE, MADV_REMOVE));
	EXPECT_TRUE(page_is_zero(self->mem, 0));
	EXPECT_TRUE(page_is_zero(self->mem, 7));
	EXPECT_EQ(0x5a, self->mem[24 * PAGE]);
	/* punching past the end and dormant pages is fine and does nothing */
	ASSERT_EQ(0, fallocate(self->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			       100 * PAGE, 1000 * PAGE));
}

TEST_F(obj, bad_input)
{
	struct dormant_obj_stats st;
	void *p;
	int kmsg = kmsg_open();

	/* each refusal also says why in the kernel log, in this order */
	ASSERT_LE(0, kmsg);
	/* private mappings would bypass the pool */
	p = mmap(NULL, OBJ_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	EXPECT_LOGGED(kmsg, "private mapping refused");
	p = mmap(NULL, OBJ_SIZE, PROT_READ, MAP_PRIVATE, self->fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	/* sizes and holes must be page multiples */
	EXPECT_EQ(-1, ftruncate(self->fd, OBJ_SIZE + 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_LOGGED(kmsg, "refused: not a multiple of the page size");
	EXPECT_EQ(-1, fallocate(self->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 1, PAGE));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_LOGGED(kmsg, "hole at 0x1+0x1000 refused: not page-aligned");
	EXPECT_EQ(-1, fallocate(self->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 100));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_LOGGED(kmsg, "hole at 0x0+0x64 refused: not page-aligned");
	/* only hole punching */
	EXPECT_EQ(-1, fallocate(self->fd, 0, 0, PAGE));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_LOGGED(kmsg, "fallocate mode 0x0 not supported");
	EXPECT_EQ(-1, fallocate(self->fd, FALLOC_FL_ZERO_RANGE, 0, PAGE));
	EXPECT_EQ(EOPNOTSUPP, errno);
	/* no read(2)/write(2) */
	EXPECT_EQ(-1, write(self->fd, "x", 1));
	/* OBJ_STATS garbage */
	memset(&st, 0, sizeof(st));
	st.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, DORMANT_IOC_OBJ_STATS, &st));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_LOGGED(kmsg, "OBJ_STATS: unknown flags 0x1 or pad 0x0 not zero");
	memset(&st, 0, sizeof(st));
	st.pad = 1;
	EXPECT_EQ(-1, ioctl(self->fd, DORMANT_IOC_OBJ_STATS, &st));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_LOGGED(kmsg, "OBJ_STATS: unknown flags 0x0 or pad 0x1 not zero");
	memset(&st, 0, sizeof(st));
	st.reserved = 1;
	EXPECT_EQ(-1, ioctl(self->fd, DORMANT_IOC_OBJ_STATS, &st));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_LOGGED(kmsg, "OBJ_STATS: reserved[0] is not zero");
	EXPECT_EQ(-1, ioctl(self->fd, DORMANT_IOC_OBJ_STATS, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, DORMANT_IOC_GET_VERSION, &st));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_LOGGED(kmsg, ": unknown ioctl 0x");
	close(kmsg);
	/* nothing was made present by any of it */
	ASSERT_EQ(0, obj_stats(self->fd, &st));
	EXPECT_EQ(0, st.present);
}

static sigjmp_buf sigbus_jmp;

static void on_sigbus(int sig)
{
	siglongjmp(sigbus_jmp, sig);
}

/* Touch one byte; 1 if that raised SIGBUS. */
static int touch_sigbus(volatile uint8_t *p)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	int got;

	sigaction(SIGBUS, &sa, &old);
	got = sigsetjmp(sigbus_jmp, 1) != 0;
	if (!got)
		*p = 1;
	sigaction(SIGBUS, &old, NULL);
	return got;
}

TEST_F(obj, truncate_while_mapped)
{
	struct dormant_obj_stats st;
	long in_use0 = node_stat(-1, "in_use");

	memset(self->mem, 0x11, 64 * PAGE);
	ASSERT_EQ(0, ftruncate(self->fd, 16 * PAGE));
	ASSERT_EQ(0, obj_stats(self->fd, &st));
	EXPECT_EQ(16, st.present);
	EXPECT_EQ(48, st.discards);
	EXPECT_EQ(in_use0 + 16, node_stat(-1, "in_use"));
	EXPECT_EQ(0x11, self->mem[15 * PAGE]);
	EXPECT_TRUE(touch_sigbus(self->mem + 16 * PAGE));
	EXPECT_TRUE(touch_sigbus(self->mem + 200 * PAGE));
	/* growing again brings back dormant pages */
	ASSERT_EQ(0, ftruncate(self->fd, OBJ_SIZE));
	EXPECT_FALSE(touch_sigbus(self->mem + 16 * PAGE));
	EXPECT_TRUE(page_is_zero(self->mem, 17));
}

/* Wait up to 30 s for the pools' free pages to be at most @max. */
static long wait_free_at_most(long max)
{
	long free_pages = 0;
	int i;

	for (i = 0; i < 300; i++) {
		free_pages = pool_free_pages(-1);
		if (free_pages <= max)
			break;
		usleep(100000);
	}
	return free_pages;
}

TEST_F(obj, pool_exhausted_without_growth)
{
	long failed0 = node_stat(-1, "fault_failed");
	long free_pages, i, got_sigbus = 0;
	int kmsg = kmsg_open();

	/* a 32-page reservation per node, and not a page more */
	ASSERT_EQ(0, write_param("pool_pages", 32));
	ASSERT_EQ(0, write_param("grow", 0));
	free_pages = wait_free_at_most(32 * dormant_nr_nodes());
	for (i = 0; i < (long)OBJ_PAGES && !got_sigbus; i++)
		got_sigbus = touch_sigbus(self->mem + i * PAGE);
	EXPECT_TRUE(got_sigbus);
	EXPECT_GE(free_pages, i - 1) TH_LOG("%ld free pages, SIGBUS at page %ld",
					    free_pages, i - 1);
	EXPECT_LT(failed0, node_stat(-1, "fault_failed"));
	EXPECT_LOGGED(kmsg, ": SIGBUS");
	close(kmsg);
}

/* The node's thread refills the zeroed list to the high watermark alone. */
TEST_F_TIMEOUT(obj, background_refill, 120)
{
	cpu_set_t cpus;
	long bg0, by_alloc0, thread0, zeroed = -1;
	unsigned long i;
	int waited;

	/*
	 * The zeroed list refills only once it has fallen below the low
	 * watermark, and then up to the high one. No reservation and small
	 * watermarks, so that a few faults drain the list.
	 */
	ASSERT_EQ(0, write_param("pool_pages", 0));
	ASSERT_EQ(0, write_param("zeroed_low", 16));
	ASSERT_EQ(0, write_param("zeroed_high", 64));
	for (waited = 0; waited < 300; waited++) {
		if (node_stat(0, "zeroed") == 64)
			break;
		usleep(100000);
	}
	TH_LOG("settled after %d ms: zeroed %ld", waited * 100,
	       node_stat(0, "zeroed"));
	EXPECT_EQ(64, node_stat(0, "zeroed"));

	/* fault from node 0's CPU until the list is below the low watermark */
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpus), &cpus));
	bg0 = pool_zeroed_pages(0);
	by_alloc0 = node_stat(0, "zeroed_by_allocator");
	thread0 = node_stat(0, "zeroed_background");
	for (i = 0; i < OBJ_PAGES; i++) {
		self->mem[i * PAGE] = 1;
		zeroed = node_stat(0, "zeroed");
		if (zeroed < 16)
			break;
	}
	/* (the thread may have refilled it since: only this moment counts) */
	ASSERT_GT(16, zeroed) TH_LOG("%lu faults did not drain the zeroed list", i);
	/* then wait, touching nothing */
	for (waited = 0; waited < 300 && node_stat(0, "zeroed") < 64; waited++)
		usleep(100000);
	TH_LOG("refilled after %d ms: zeroed %ld", waited * 100,
	       node_stat(0, "zeroed"));
	EXPECT_EQ(64, node_stat(0, "zeroed"));
	EXPECT_LE(bg0 + 48, pool_zeroed_pages(0));
	EXPECT_EQ(0, node_stat(0, "alloc_failed"));
	/* who zeroed them: the page allocator, or the thread when it does not */
	if (init_on_alloc_off()) {
		EXPECT_EQ(by_alloc0, node_stat(0, "zeroed_by_allocator"));
	} else {
		EXPECT_EQ(thread0, node_stat(0, "zeroed_background"));
	}
}

TEST_F(obj, kvm_guest_on_dormant_memory)
{
	struct dormant_obj_stats st;
	struct test_vm vm;
	long nodes_faults0, n;
	unsigned int p;

	nodes_faults0 = node_stat(-1, "fault_zeroed") + node_stat(-1, "fault_alloc") +
			node_stat(-1, "fault_other_node");
	if (test_vm_create(&vm, self->mem, OBJ_SIZE))
		SKIP(return, "no KVM");
	test_vm_load_code(self->mem);		/* page 1 becomes present */

	/* pages 16..63 were never touched: the guest reads zeros */
	EXPECT_EQ(0, test_vm_call(&vm, g_count_nz, 16, 64));
	/* the guest writes pages 64..127 */
	EXPECT_EQ(0, test_vm_call(&vm, g_fill, 64, 128));
	ASSERT_EQ(0, obj_stats(self->fd, &st));
	EXPECT_EQ(1 + 48 + 64, st.present);
	EXPECT_EQ(1 + 48 + 64, st.faults);
	n = node_stat(-1, "fault_zeroed") + node_stat(-1, "fault_alloc") +
	    node_stat(-1, "fault_other_node");
	EXPECT_EQ(nodes_faults0 + 1 + 48 + 64, n);
	for (p = 64; p < 128; p++)
		EXPECT_TRUE(page_has_pattern(self->mem, p));

	/* the host punches pages 80..95: the guest reads zeros there ... */
	ASSERT_EQ(0, fallocate(self->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			       80 * PAGE, 16 * PAGE));
	EXPECT_EQ(0, test_vm_call(&vm, g_count_nz, 80, 96));
	/* ... and its data everywhere else */
	EXPECT_EQ(0, test_vm_call(&vm, g_count_bad, 64, 80));
	EXPECT_EQ(0, test_vm_call(&vm, g_count_bad, 96, 128));
	EXPECT_EQ(16, test_vm_call(&vm, g_count_bad, 80, 96));
	ASSERT_EQ(0, obj_stats(self->fd, &st));
	EXPECT_EQ(16, st.discards);
	EXPECT_EQ(1 + 48 + 64, st.present);	/* 16 gone, 16 back by the reads */
	EXPECT_EQ(1 + 48 + 64 + 16, st.faults);
	test_vm_destroy(&vm);
}

/* The node of the page behind @addr (it must be present), or -1. */
static int page_node(void *addr)
{
	int node = -1;

	if (syscall(SYS_get_mempolicy, &node, NULL, 0, addr,
		    MPOL_F_NODE | MPOL_F_ADDR))
		return -1;
	return node;
}

/* First CPU of @node, or -1. */
static int node_first_cpu(int node)
{
	char path[96], buf[64];
	int fd, cpu = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist", node);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		buf[n] = 0;
		if (buf[0] >= '0' && buf[0] <= '9')
			cpu = atoi(buf);
	}
	return cpu;
}

static long node_faults(int nid)
{
	return node_stat(nid, "fault_zeroed") + node_stat(nid, "fault_alloc");
}

/*
 * A vCPU thread running on node 1 gets node 1's pages; a range that mbind
 * binds to node 0 gets node 0's, wherever the vCPU runs.
 */
TEST_F(obj, numa_placement)
{
	unsigned long mask[2] = { 1UL << 0, 0 };
	long faults0, faults1;
	struct test_vm vm;
	cpu_set_t cpus;
	unsigned int p;
	int cpu;

	if (dormant_nr_nodes() < 2)
		SKIP(return, "needs two NUMA nodes (tools/sandbox -n 2)");
	cpu = node_first_cpu(1);
	ASSERT_LE(0, cpu);
	CPU_ZERO(&cpus);
	CPU_SET(cpu, &cpus);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpus), &cpus));
	if (test_vm_create(&vm, self->mem, OBJ_SIZE))
		SKIP(return, "no KVM");
	test_vm_load_code(self->mem);

	faults0 = node_faults(0);
	faults1 = node_faults(1);
	EXPECT_EQ(0, test_vm_call(&vm, g_fill, 16, 48));
	for (p = 16; p < 48; p++)
		EXPECT_EQ(1, page_node(self->mem + p * PAGE));
	EXPECT_EQ(faults1 + 32, node_faults(1));
	EXPECT_EQ(faults0, node_faults(0));

	/* QEMU's host-nodes=0,policy=bind does this */
	ASSERT_EQ(0, syscall(SYS_mbind, self->mem + 64 * PAGE, 32 * PAGE,
			     MPOL_BIND, mask, 128, 0)) TH_LOG("mbind: %s", strerror(errno));
	faults0 = node_faults(0);
	faults1 = node_faults(1);
	EXPECT_EQ(0, test_vm_call(&vm, g_fill, 64, 96));
	for (p = 64; p < 96; p++)
		EXPECT_EQ(0, page_node(self->mem + p * PAGE));
	EXPECT_EQ(faults0 + 32, node_faults(0));
	EXPECT_EQ(faults1, node_faults(1));
	for (p = 16; p < 96; p += (p == 47 ? 17 : 1))
		EXPECT_TRUE(page_has_pattern(self->mem, p));
	test_vm_destroy(&vm);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

/* Lines of the trace buffer that contain @what. */
static int trace_count(const char *what)
{
	FILE *f = fopen("/sys/kernel/tracing/trace", "re");
	char line[512];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, what))
			n++;
	fclose(f);
	return n;
}

/* The module's own tracepoints fire, with what they say they carry. */
TEST_F(obj, tracepoints)
{
	const char *ev = "/sys/kernel/tracing/events/dormant";
	char path[256];
	unsigned long i;

	if (access(ev, F_OK))
		SKIP(return, "no %s (tracefs not mounted?)", ev);
	ASSERT_EQ(0, write_file("/sys/kernel/tracing/trace", ""));
	snprintf(path, sizeof(path), "%s/enable", ev);
	ASSERT_EQ(0, write_file(path, "1"));
	for (i = 0; i < 5; i++)
		self->mem[(40 + i) * PAGE] = 1;
	ASSERT_EQ(0, fallocate(self->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			       40 * PAGE, 2 * PAGE));
	write_file(path, "0");
	EXPECT_EQ(5, trace_count("dormant_fault:"));
	EXPECT_EQ(1, trace_count("offset=0x2c000 size=4096 node="));	/* page 44 */
	EXPECT_EQ(1, trace_count("dormant_discard:"));
	EXPECT_EQ(1, trace_count("first_page=40 pages=2"));
	EXPECT_LE(0, trace_count("dormant_zero:"));
	write_file("/sys/kernel/tracing/trace", "");
}

struct race_arg {
	uint8_t *mem;
	int fd;
	int punch;
	int seed;
};

static void *race_thread(void *p)
{
	struct race_arg *a = p;
	unsigned int s = a->seed;
	int i;

	for (i = 0; i < 3000; i++) {
		unsigned long pg = rand_r(&s) % 64;

		if (a->punch && !(i % 4))
			fallocate(a->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				  pg * PAGE, (1 + rand_r(&s) % 4) * PAGE);
		else
			a->mem[pg * PAGE + (i % PAGE)] = 1;
	}
	return NULL;
}

TEST_F(obj, concurrent_faults_and_punches)
{
	struct race_arg args[6];
	pthread_t th[6];
	struct dormant_obj_stats st;
	long in_use0 = node_stat(-1, "in_use"), diff;
	unsigned long i, present = 0;
	int t;

	for (t = 0; t < 6; t++) {
		args[t] = (struct race_arg){ self->mem, self->fd, t >= 4, t + 1 };
		ASSERT_EQ(0, pthread_create(&th[t], NULL, race_thread, &args[t]));
	}
	for (t = 0; t < 6; t++)
		pthread_join(th[t], NULL);
	ASSERT_EQ(0, obj_stats(self->fd, &st));
	/* every present page is counted once, in the object and the nodes */
	for (i = 0; i < 64; i++) {
		unsigned char vec;

		ASSERT_EQ(0, mincore(self->mem + i * PAGE, PAGE, &vec));
		present += vec & 1;
	}
	EXPECT_GE(st.present, present);
	EXPECT_LE(st.present, 64);
	EXPECT_EQ(st.faults - st.discards, st.present);
	EXPECT_EQ(in_use0 + (long)st.present, node_stat(-1, "in_use"));
	EXPECT_TRUE(pages_accounted(&diff)) TH_LOG("%ld pages unaccounted", diff);
}

/*
 * 2 MiB pages: an 8 MiB object mapped at a 2 MiB boundary, as QEMU maps
 * memory-backend-file with align=2M (inside a larger reservation).
 */
#define HUGE		(2UL << 20)
#define HUGE_SIZE	(8 * HUGE)
#define HUGE_PAGES	(HUGE_SIZE / PAGE)
#define CHUNK_PAGES	(HUGE / PAGE)

static const char * const huge_params[7] = {
	"grow", "pool_pages", "zeroed_low", "zeroed_high", "huge_low",
	"huge_high", "huge",
};

FIXTURE(huge) {
	char *dir;
	int fd;
	uint8_t *res;		/* the reservation the object is mapped in */
	uint8_t *mem;
	long params[7];		/* restored by the teardown */
};

#define RES_SIZE	(HUGE_SIZE + 2 * HUGE)

/* Map @len of @fd at @off past a 2 MiB boundary inside @res. */
static uint8_t *map_at(uint8_t *res, int fd, size_t len, size_t off)
{
	uint8_t *a = (uint8_t *)(((uintptr_t)res + HUGE - 1) & ~(HUGE - 1)) + off;

	return mmap(a, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
}

FIXTURE_SETUP(huge)
{
	self->fd = -1;
	self->res = MAP_FAILED;
	if (access("/sys/kernel/dormant", F_OK))
		SKIP(return, "dormant module not loaded");
	for (int i = 0; i < 7; i++)
		self->params[i] = read_param(huge_params[i]);
	self->dir = dormant_mount_scratch();
	ASSERT_NE(NULL, self->dir);
	self->fd = dormant_object(self->dir, "huge", HUGE_SIZE);
	ASSERT_LE(0, self->fd) TH_LOG("object: %s", strerror(-self->fd));
	self->res = mmap(NULL, RES_SIZE, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, self->res);
	self->mem = map_at(self->res, self->fd, HUGE_SIZE, 0);
	ASSERT_NE(MAP_FAILED, self->mem) TH_LOG("mmap: %s", strerror(errno));
}

FIXTURE_TEARDOWN(huge)
{
	if (self->params[3] > 0) {
		/* keep each low below its high at every step */
		write_param("zeroed_high", 1L << 29);
		write_param("zeroed_low", self->params[2]);
		write_param("zeroed_high", self->params[3]);
		write_param("huge_high", 1L << 20);
		write_param("huge_low", self->params[4]);
		write_param("huge_high", self->params[5]);
		write_param("huge", self->params[6]);
		write_param("grow", self->params[0]);
		write_param("pool_pages", self->params[1]);
	}
	if (self->res != MAP_FAILED)
		munmap(self->res, RES_SIZE);
	if (self->fd >= 0)
		close(self->fd);
	dormant_umount_scratch(self->dir);
}

static long faults_2m(void)
{
	return node_stat(-1, "fault_zeroed_2m") + node_stat(-1, "fault_alloc");
}

/* One touch per 2 MiB maps it all with PMDs; bytes right at every edge. */
TEST_F(huge, pmd_mapped_bytes_right)
{
	long f0 = faults_2m(), fb0 = node_stat(-1, "fault_2m_fallback"), diff;
	struct dormant_obj_stats st;
	unsigned long c, i;

	for (c = 0; c < 8; c++) {
		self->mem[c * HUGE] = 0x10 + c;
		self->mem[c * HUGE + HUGE - 1] = 0x20 + c;
	}
	EXPECT_EQ(HUGE_SIZE >> 10, smaps_kb(self->mem, "FilePmdMapped"));
	ASSERT_EQ(0, obj_stats(self->fd, &st));
	EXPECT_EQ(HUGE_PAGES, st.present);
	EXPECT_EQ(HUGE_PAGES, st.faults);
	EXPECT_EQ(f0 + 8, faults_2m());
	EXPECT_EQ(fb0, node_stat(-1, "fault_2m_fallback"));
	for (i = 0; i < HUGE_SIZE; i++) {
		uint8_t want = 0;

		if (i % HUGE == 0)
			want = 0x10 + i / HUGE;
		else if (i % HUGE == HUGE - 1)
			want = 0x20 + i / HUGE;
		if (self->mem[i] != want) {
			EXPECT_EQ(want, self->mem[i]) TH_LOG("byte 0x%lx", i);
			break;
		}
	}
	EXPECT_TRUE(pages_accounted(&diff)) TH_LOG("%ld pages unaccounted", diff);
}

/* The kernel picks a 2 MiB-aligned address for a large enough mapping. */
TEST_F(huge, kernel_chosen_address_aligned)
{
	uint8_t *p = mmap(NULL, HUGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			  self->fd, 0);

	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, (uintptr_t)p % HUGE) TH_LOG("mapped at %p", p);
	p[HUGE] = 1;
	EXPECT_EQ(HUGE >> 10, smaps_kb(p, "FilePmdMapped"));
	munmap(p, HUGE_SIZE);
}

/*
 * A 4 KiB punch inside a 2 MiB page reads zero, its neighbours keep their
 * data; a 2 MiB punch gives the whole block back and the range maps at
 * 2 MiB again on the next touch.
 */
TEST_F(huge, punch_4k_and_2m)
{
	struct dormant_obj_stats st, st1;
	long disc0, pmd, diff;
	unsigned long p;

	memset(self->mem, 0x5a, HUGE_SIZE);
	ASSERT_EQ(0, obj_stats(self->fd, &st));
	EXPECT_EQ(HUGE_PAGES, st.present);

	disc0 = node_stat(-1, "discarded");
	ASSERT_EQ(0, fallocate(self->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			       HUGE + 3 * PAGE, PAGE));
	for (p = CHUNK_PAGES; p < 2 * CHUNK_PAGES; p++) {
		if (p == CHUNK_PAGES + 3) {
			EXPECT_TRUE(page_is_zero(self->mem, p));
		} else if (memchr(self->mem + p * PAGE, 0, PAGE)) {
			EXPECT_EQ(0x5a, 0) TH_LOG("page %lu lost its data", p);
		}
	}
	ASSERT_EQ(0, obj_stats(self->fd, &st1));
	/* split out of the block, or zeroed in place when it was pinned */
	EXPECT_LE(HUGE_PAGES - 1, st1.present);
	TH_LOG("4 KiB punch: %s", st1.present < HUGE_PAGES ? "split" : "zeroed in place");

	ASSERT_EQ(0, fallocate(self->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			       2 * HUGE, HUGE));
	pmd = smaps_kb(self->mem, "FilePmdMapped");
	ASSERT_EQ(0, obj_stats(self->fd, &st));
	EXPECT_EQ(st1.present - CHUNK_PAGES, st.present);
	EXPECT_LE(disc0 + (long)CHUNK_PAGES, node_stat(-1, "discarded"));
	/* the first read maps the whole block again, at 2 MiB */
	for (p = 2 * CHUNK_PAGES; p < 3 * CHUNK_PAGES; p++)
		ASSERT_TRUE(page_is_zero(self->mem, p)) TH_LOG("page %lu", p);
	EXPECT_EQ(pmd + (long)(HUGE >> 10), smaps_kb(self->mem, "FilePmdMapped"));
	EXPECT_EQ(0x5a, self->mem[3 * HUGE]);
	EXPECT_EQ(0x5a, self->mem[2 * HUGE - 1]);
	EXPECT_TRUE(pages_accounted(&diff)) TH_LOG("%ld pages unaccounted", diff);
}

/*
 * A read-only shared mapping (QEMU readonly=on opens the file O_RDONLY) is
 * fine and reads zero; mappings are left out of core dumps ("dd").
 */
TEST_F(huge, read_only_mapping_and_no_dump)
{
	char path[512], flags[512] = "";
	struct dormant_obj_stats st;
	const uint8_t *p;
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/huge", self->dir);
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	p = mmap(NULL, HUGE_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %s", strerror(errno));
	EXPECT_EQ(0, p[5 * PAGE]);
	ASSERT_EQ(0, obj_stats(self->fd, &st));
	EXPECT_LE(1, st.present);
	self->mem[5 * PAGE] = 7;
	EXPECT_EQ(7, p[5 * PAGE]);
	f = fopen("/proc/self/smaps", "re");
	ASSERT_NE(NULL, f);
	{
		char line[512], head[32];
		int in = 0;

		snprintf(head, sizeof(head), "%lx-", (unsigned long)p);
		while (fgets(line, sizeof(line), f)) {
			if (!strncmp(line, head, strlen(head)))
				in = 1;
			else if (in && !strncmp(line, "VmFlags:", 8)) {
				snprintf(flags, sizeof(flags), "%s", line);
				break;
			}
		}
	}
	fclose(f);
	EXPECT_NE(NULL, strstr(flags, " dd")) TH_LOG("%s", flags);
	munmap((void *)p, HUGE_SIZE);
	close(fd);
}

/* Mapped 4 KiB off a 2 MiB boundary (QEMU without align=2M): 4 KiB pages. */
TEST_F(huge, misaligned_mapping_gets_4k)
{
	long f0 = node_stat(-1, "fault_zeroed_2m");
	struct dormant_obj_stats st;
	int kmsg = kmsg_open();
	uint8_t *p;

	ASSERT_LE(0, kmsg);
	ASSERT_EQ(0, munmap(self->mem, HUGE_SIZE));
	p = map_at(self->res, self->fd, HUGE_SIZE, PAGE);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_LOGGED(kmsg, "not 2 MiB-aligned to the file: it gets 4 KiB pages only; QEMU: add align=2M");
	close(kmsg);
	p[0] = 1;
	p[HUGE + 7] = 2;
	EXPECT_EQ(0, smaps_kb(p, "FilePmdMapped"));
	ASSERT_EQ(0, obj_stats(self->fd, &st));
	EXPECT_EQ(2, st.present);
	EXPECT_EQ(f0, node_stat(-1, "fault_zeroed_2m"));
	EXPECT_EQ(2, p[HUGE + 7]);
	munmap(p, HUGE_SIZE);
}

/* huge=0: every page 4 KiB, wherever it is mapped. */
TEST_F(huge, off_gets_4k)
{
	struct dormant_obj_stats st;

	ASSERT_EQ(0, write_param_str("huge", "0"));
	self->mem[HUGE] = 1;
	EXPECT_EQ(0, smaps_kb(self->mem, "FilePmdMapped"));
	ASSERT_EQ(0, obj_stats(self->fd, &st));
	EXPECT_EQ(1, st.present);
}

/* MADV_NOHUGEPAGE on the mapping: 4 KiB pages, on either kernel. */
TEST_F(huge, nohugepage_gets_4k)
{
	struct dormant_obj_stats st;

	ASSERT_EQ(0, madvise(self->mem, HUGE_SIZE, MADV_NOHUGEPAGE));
	self->mem[HUGE] = 1;
	self->mem[3 * HUGE + 5] = 2;
	EXPECT_EQ(0, smaps_kb(self->mem, "FilePmdMapped"));
	ASSERT_EQ(0, obj_stats(self->fd, &st));
	EXPECT_EQ(2, st.present);
	EXPECT_EQ(2, self->mem[3 * HUGE + 5]);
}

/* Pools that keep no 2 MiB blocks and may not grow: 4 KiB, counted. */
TEST_F(huge, pool_without_2m_blocks)
{
	struct dormant_obj_stats st;
	long fb0;
	int i;

	ASSERT_EQ(0, write_param("huge_low", 0));
	ASSERT_EQ(0, write_param("huge_high", 0));
	ASSERT_EQ(0, write_param("grow", 0));
	ASSERT_EQ(0, write_param("pool_pages", 1024));
	for (i = 0; i < 300 && node_stat(-1, "zeroed_2m"); i++)
		usleep(100000);
	ASSERT_EQ(0, node_stat(-1, "zeroed_2m"));
	fb0 = node_stat(-1, "fault_2m_fallback");
	self->mem[HUGE + 9] = 9;
	EXPECT_EQ(fb0 + 1, node_stat(-1, "fault_2m_fallback"));
	EXPECT_EQ(0, smaps_kb(self->mem, "FilePmdMapped"));
	ASSERT_EQ(0, obj_stats(self->fd, &st));
	EXPECT_EQ(1, st.present);
	EXPECT_EQ(9, self->mem[HUGE + 9]);
}

/* KVM maps a 2 MiB page of ours with one 2 MiB NPT/EPT entry. */
TEST_F(huge, kvm_maps_2m)
{
	struct dormant_obj_stats st;
	struct test_vm vm;
	unsigned int p;

	if (test_vm_create(&vm, self->mem, HUGE_SIZE))
		SKIP(return, "no KVM");
	test_vm_load_code(self->mem);	/* the first 2 MiB become present */
	EXPECT_EQ(0, test_vm_call(&vm, g_count_nz, 16, 256));
	EXPECT_EQ(0, test_vm_call(&vm, g_fill, 64, 128));
	EXPECT_EQ(0, test_vm_call(&vm, g_count_bad, 64, 128));
	EXPECT_LE(1, test_vm_stat(&vm, "pages_2m"));
	EXPECT_EQ(HUGE >> 10, smaps_kb(self->mem, "FilePmdMapped"));
	for (p = 64; p < 128; p++)
		EXPECT_TRUE(page_has_pattern(self->mem, p));
	ASSERT_EQ(0, obj_stats(self->fd, &st));
	EXPECT_EQ(CHUNK_PAGES, st.present);
	test_vm_destroy(&vm);
}

/* Wait up to 60 s for the pools' free pages to reach @want; what they hold. */
static long wait_free_at_least(long want)
{
	long free_pages = 0;
	int i;

	for (i = 0; i < 600; i++) {
		free_pages = pool_free_pages(-1);
		if (free_pages >= want)
			break;
		usleep(100000);
	}
	return free_pages;
}

/*
 * Memory pressure (here drop_caches, which runs every shrinker): each pool
 * gives back its free pages beyond its reservation, and refills once the
 * pressure has been gone a while.
 */
TEST_F_TIMEOUT(huge, shrinker_gives_back, 300)
{
	long nodes = dormant_nr_nodes(), full, shrunk0, after;

	ASSERT_EQ(0, write_param("pool_pages", 0));
	ASSERT_EQ(0, write_param("zeroed_low", 16));
	ASSERT_EQ(0, write_param("zeroed_high", 64));
	ASSERT_EQ(0, write_param("huge_low", 2));
	ASSERT_EQ(0, write_param("huge_high", 4));
	full = nodes * (64 + 4 * 512);
	ASSERT_LE(full, wait_free_at_least(full));
	shrunk0 = node_stat(-1, "shrunk");
	ASSERT_EQ(0, write_file("/proc/sys/vm/drop_caches", "2"));
	after = pool_free_pages(-1);
	TH_LOG("free pool pages: %ld before, %ld after", full, after);
	EXPECT_GT(full / 2, after);
	EXPECT_LE(shrunk0 + full / 2, node_stat(-1, "shrunk"));
	/* the pressure is gone: the pools refill */
	EXPECT_LE(full, wait_free_at_least(full));

	/* the reservation is kept */
	ASSERT_EQ(0, write_param("pool_pages", 1024));
	ASSERT_LE(full, wait_free_at_least(full));
	ASSERT_EQ(0, write_file("/proc/sys/vm/drop_caches", "2"));
	EXPECT_LE(nodes * 1024 - node_stat(-1, "in_use"), pool_free_pages(-1));
}

/* The pid of the kernel thread named @comm, or -1. */
static pid_t thread_pid(const char *comm)
{
	char path[64], name[64];
	pid_t pid;
	FILE *f;

	for (pid = 2; pid < 4096; pid++) {
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(name, sizeof(name), f)) {
			name[strcspn(name, "\n")] = 0;
			if (!strcmp(name, comm)) {
				fclose(f);
				return pid;
			}
		}
		fclose(f);
	}
	return -1;
}

/* CPU time (user + system) of @pid in seconds, or -1. */
static double cpu_seconds(pid_t pid)
{
	unsigned long ut, st;
	char path[64], buf[1024], *p;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strrchr(buf, ')');	/* fields 14 and 15 after "pid (comm) state" */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
			 &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / sysconf(_SC_CLK_TCK);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * A burst of faults, one every @stride bytes of the mapping, @n of them,
 * with the threads at 1% of a CPU: they refill far slower than the faults
 * take, so the lists run dry (at full speed a thread keeps up with a small
 * burst, and nothing would grow). First waits until the lists hold @full
 * (@list: "zeroed" or "zeroed_2m"). Memory pressure takes growth back by
 * design (the shrinker), and the sandbox host may be under some from
 * earlier tests: a burst whose growth the shrinker demonstrably took back
 * (it gave pages back meanwhile) is tried again, at most five times; one
 * without it must grow. Returns the sum of the nodes' @high ("zeroed_high"
 * or "huge_high") after the last burst, which must pass @base.
 */
static long demand_burst(struct __test_metadata *_metadata, char *mem, int fd,
			 const char *list, long full, const char *high_name,
			 long base, unsigned long stride, unsigned long n)
{
	long budget = read_param("cpu_budget"), high = 0, shrunk;
	unsigned long c;
	int attempt;

	EXPECT_LT(0, budget);
	for (attempt = 1; budget > 0; attempt++) {
		for (c = 0; c < 600 && node_stat(-1, list) < full; c++)
			usleep(100000);
		shrunk = node_stat(-1, "shrunk");
		EXPECT_EQ(0, write_param("cpu_budget", 1));
		for (c = 0; c < n; c++)
			mem[c * stride] = 1;
		EXPECT_EQ(0, write_param("cpu_budget", budget));
		high = node_stat(-1, high_name);
		if (high > base || attempt == 5 ||
		    node_stat(-1, "shrunk") == shrunk)
			break;
		TH_LOG("burst %d: the shrinker gave %ld pages back meanwhile and took the growth back; again",
		       attempt, node_stat(-1, "shrunk") - shrunk);
		EXPECT_EQ(0, fallocate(fd, FALLOC_FL_PUNCH_HOLE |
				       FALLOC_FL_KEEP_SIZE, 0, n * stride));
	}
	TH_LOG("%s: %ld in all after %lu faults (burst %d)", high_name, high,
	       n, attempt);
	EXPECT_LT(base, high);
	return high;
}

/*
 * The 2 MiB lists follow demand: a boot (here: eight 2 MiB faults) that
 * finds its node's list empty grows the list's high watermark past
 * huge_high for the next one; memory pressure takes the growth back.
 */
TEST_F_TIMEOUT(huge, lists_follow_demand, 120)
{
	long nodes = dormant_nr_nodes(), high;

	ASSERT_EQ(0, write_param("pool_pages", 0));
	ASSERT_EQ(0, write_param("huge_low", 1));
	ASSERT_EQ(0, write_param("huge_high", 2));
	ASSERT_EQ(2 * nodes, node_stat(-1, "huge_high"));
	high = demand_burst(_metadata, (char *)self->mem, self->fd, "zeroed_2m",
			    2 * nodes, "huge_high", 2 * nodes, HUGE, 8);
	/* grown lists fill up to their new mark */
	EXPECT_LE(high * 512, wait_free_at_least(high * 512));
	ASSERT_EQ(0, write_file("/proc/sys/vm/drop_caches", "2"));
	EXPECT_EQ(2 * nodes, node_stat(-1, "huge_high"));
}

/*
 * The 4 KiB lists follow demand too: a burst of 4 KiB faults that finds
 * its node's list empty raises the list's high watermark past
 * zeroed_high, by one page per such fault; memory pressure takes the
 * growth back.
 */
TEST_F_TIMEOUT(huge, small_lists_follow_demand, 120)
{
	long nodes = dormant_nr_nodes(), high;

	/* 4 KiB faults only */
	ASSERT_EQ(0, madvise(self->mem, HUGE_SIZE, MADV_NOHUGEPAGE));
	ASSERT_EQ(0, write_param("pool_pages", 0));
	ASSERT_EQ(0, write_param("zeroed_low", 16));
	ASSERT_EQ(0, write_param("zeroed_high", 32));
	ASSERT_EQ(32 * nodes, node_stat(-1, "zeroed_high"));
	high = demand_burst(_metadata, (char *)self->mem, self->fd, "zeroed",
			    32 * nodes, "zeroed_high", 32 * nodes, PAGE,
			    HUGE_SIZE / PAGE);
	/* one page per fault that found a list empty: at most the burst */
	EXPECT_GE(32 * nodes + (long)(HUGE_SIZE / PAGE), high);
	/* grown lists fill up to their new mark */
	EXPECT_LE(high, wait_free_at_least(high));
	ASSERT_EQ(0, write_file("/proc/sys/vm/drop_caches", "2"));
	EXPECT_EQ(32 * nodes, node_stat(-1, "zeroed_high"));
}

/*
 * A node's thread keeps to its CPU budget while it fills its pool: at 10%
 * it sleeps 9 ns for each ns of work, so over the fill it uses well under
 * a third of a CPU (without the budget it would use all of one).
 */
#define BUDGET_FILL	65536L		/* 256 MiB */

TEST_F_TIMEOUT(huge, cpu_budget_kept, 300)
{
	const char *budget = "/sys/kernel/dormant/nodes/node0/cpu_budget";
	pid_t pid = thread_pid("dormant_zero/0");
	double cpu0, t0, cpu, t;
	char was[16] = "100";
	long zeroed = 0;
	int fd, i;

	ASSERT_LT(0, pid);
	fd = open(budget, O_RDONLY);
	ASSERT_LE(0, fd);
	if (read(fd, was, sizeof(was) - 1) <= 0)
		strcpy(was, "100");
	close(fd);
	/* no 2 MiB blocks, no reservation: an empty 4 KiB list */
	ASSERT_EQ(0, write_param("huge_low", 0));
	ASSERT_EQ(0, write_param("huge_high", 0));
	ASSERT_EQ(0, write_param("pool_pages", 0));
	ASSERT_EQ(0, write_param("zeroed_low", 1));
	ASSERT_EQ(0, write_param("zeroed_high", 2));
	ASSERT_GE(2 * dormant_nr_nodes(), wait_free_at_most(2 * dormant_nr_nodes()));
	ASSERT_EQ(0, write_file(budget, "10"));
	cpu0 = cpu_seconds(pid);
	t0 = now_s();
	ASSERT_EQ(0, write_param("zeroed_high", BUDGET_FILL));
	for (i = 0; i < 1200 && zeroed < BUDGET_FILL; i++) {
		usleep(100000);
		zeroed = node_stat(0, "zeroed");
	}
	cpu = cpu_seconds(pid);
	t = now_s();
	write_file(budget, was);
	TH_LOG("at 10%%: %.2f s of CPU in %.2f s to zero %ld pages", cpu - cpu0,
	       t - t0, zeroed);
	EXPECT_LE(BUDGET_FILL, zeroed);
	EXPECT_GT((t - t0) * 0.3, cpu - cpu0);
}

struct huge_race_arg {
	uint8_t *mem;
	int fd;
	int punch;
	unsigned int seed;
};

static void *huge_race_thread(void *p)
{
	struct huge_race_arg *a = p;
	unsigned int s = a->seed;
	int i;

	for (i = 0; i < 2000; i++) {
		unsigned long pg = rand_r(&s) % HUGE_PAGES;

		if (a->punch && !(i % 8))
			fallocate(a->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				  (pg & ~(CHUNK_PAGES - 1)) * PAGE, HUGE);
		else if (a->punch && !(i % 4))
			fallocate(a->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				  pg * PAGE, (1 + rand_r(&s) % 4) * PAGE);
		else
			a->mem[pg * PAGE + (i % PAGE)] = 1;
	}
	return NULL;
}

/* 2 MiB and 4 KiB faults and punches at once: the counts add up. */
TEST_F(huge, concurrent_faults_and_punches)
{
	struct huge_race_arg args[6];
	struct dormant_obj_stats st;
	long in_use0 = node_stat(-1, "in_use"), diff;
	pthread_t th[6];
	int t;

	for (t = 0; t < 6; t++) {
		args[t] = (struct huge_race_arg){ self->mem, self->fd, t >= 4, t + 7 };
		ASSERT_EQ(0, pthread_create(&th[t], NULL, huge_race_thread, &args[t]));
	}
	for (t = 0; t < 6; t++)
		pthread_join(th[t], NULL);
	ASSERT_EQ(0, obj_stats(self->fd, &st));
	EXPECT_LE(st.present, HUGE_PAGES);
	EXPECT_EQ(st.faults - st.discards, st.present);
	EXPECT_EQ(in_use0 + (long)st.present, node_stat(-1, "in_use"));
	EXPECT_TRUE(pages_accounted(&diff)) TH_LOG("%ld pages unaccounted", diff);
	/* and whatever is left reads as written or as zero, never garbage */
	for (unsigned long i = 0; i < HUGE_SIZE; i += 64) {
		if (self->mem[i] > 1) {
			EXPECT_GE(1, self->mem[i]) TH_LOG("byte 0x%lx", i);
			break;
		}
	}
}

/* Shrinking into a 2 MiB page keeps what is below the end, counts the rest. */
TEST_F(huge, shrink_into_2m)
{
	struct dormant_obj_stats st;
	long diff;

	memset(self->mem, 0x66, HUGE_SIZE);
	ASSERT_EQ(0, ftruncate(self->fd, HUGE + 5 * PAGE));
	EXPECT_EQ(0x66, self->mem[HUGE + 5 * PAGE - 1]);
	EXPECT_EQ(0x66, self->mem[0]);
	ASSERT_EQ(0, obj_stats(self->fd, &st));
	EXPECT_LE(CHUNK_PAGES + 5, st.present);
	EXPECT_TRUE(pages_accounted(&diff)) TH_LOG("%ld pages unaccounted", diff);
	ASSERT_EQ(0, ftruncate(self->fd, HUGE_SIZE));
	EXPECT_TRUE(page_is_zero(self->mem, CHUNK_PAGES + 5));
	EXPECT_TRUE(page_is_zero(self->mem, 2 * CHUNK_PAGES - 1));
	EXPECT_TRUE(pages_accounted(&diff)) TH_LOG("%ld pages unaccounted", diff);
}

/* Touch one page of each 4 KiB in [from, to); the page index that raised SIGBUS, or -1. */
static long touch_until_sigbus(uint8_t *mem, unsigned long from, unsigned long to)
{
	unsigned long i;

	for (i = from; i < to; i++)
		if (touch_sigbus(mem + i * PAGE))
			return i;
	return -1;
}

/* A mount's size= limit: faults beyond it get SIGBUS, punches make room. */
TEST(mount_size_limit)
{
	static const char * const bad[] = { "lots", "1z", "", "99999t", "-1" };
	struct statfs sfs;
	char *dir, opts[32];
	uint8_t *mem;
	long diff;
	int fd, kmsg;
	size_t i;

	if (access("/sys/kernel/dormant", F_OK))
		SKIP(return, "dormant module not loaded");
	/* garbage refused, saying why */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char why[64];

		kmsg = kmsg_open();
		ASSERT_LE(0, kmsg);
		snprintf(opts, sizeof(opts), "size=%s", bad[i]);
		dir = dormant_mount_scratch_opts(opts);
		EXPECT_EQ(NULL, dir) TH_LOG("%s accepted", opts);
		dormant_umount_scratch(dir);
		/* (an empty value is refused by the VFS's own parser) */
		snprintf(why, sizeof(why), "size '%s' is not a size", bad[i]);
		if (*bad[i])
			EXPECT_LOGGED(kmsg, why);
		close(kmsg);
	}

	dir = dormant_mount_scratch_opts("size=1m");
	ASSERT_NE(NULL, dir);
	ASSERT_EQ(0, statfs(dir, &sfs));
	EXPECT_EQ(256, sfs.f_blocks);
	EXPECT_EQ(256, sfs.f_bfree);
	fd = dormant_object(dir, "big", 4 << 20);
	ASSERT_LE(0, fd);
	mem = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, mem);
	kmsg = kmsg_open();
	ASSERT_LE(0, kmsg);
	/* 2 MiB would pass the limit: 4 KiB pages up to it, then SIGBUS */
	EXPECT_EQ(256, touch_until_sigbus(mem, 0, 1024));
	EXPECT_LOGGED(kmsg, "the mount's size limit (256 pages) is reached");
	close(kmsg);
	ASSERT_EQ(0, statfs(dir, &sfs));
	EXPECT_EQ(0, sfs.f_bfree);
	/* a punch makes room */
	ASSERT_EQ(0, fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 16 * PAGE));
	ASSERT_EQ(0, statfs(dir, &sfs));
	EXPECT_EQ(16, sfs.f_bfree);
	EXPECT_EQ(-1, touch_until_sigbus(mem, 300, 316));
	/* remount: not below what is present; above is fine */
	kmsg = kmsg_open();
	ASSERT_LE(0, kmsg);
	EXPECT_EQ(-1, mount("none", dir, "dormant", MS_REMOUNT, "size=512k"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_LOGGED(kmsg, "size of 128 pages is below the 256 pages present");
	close(kmsg);
	ASSERT_EQ(0, mount("none", dir, "dormant", MS_REMOUNT, "size=8m"));
	ASSERT_EQ(0, statfs(dir, &sfs));
	EXPECT_EQ(2048, sfs.f_blocks);
	EXPECT_EQ(-1, touch_until_sigbus(mem, 0, 1024));
	munmap(mem, 4 << 20);
	close(fd);
	dormant_umount_scratch(dir);
	EXPECT_TRUE(pages_accounted(&diff)) TH_LOG("%ld pages unaccounted", diff);
}

/* The options /proc/self/mounts shows for the dormant mount at @dir, or "". */
static const char *mount_options(const char *dir)
{
	static char opts[256];
	char line[512], where[256], type[32];
	FILE *f = fopen("/proc/self/mounts", "r");

	opts[0] = 0;
	if (!f)
		return opts;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %255s %31s %255s", where, type, opts) == 3 &&
		    !strcmp(where, dir) && !strcmp(type, "dormant"))
			break;
		else
			opts[0] = 0;
	fclose(f);
	return opts;
}

/*
 * A mount's mode=, uid= and gid= (as tmpfs's): the root directory's owner
 * and mode, shown in /proc/mounts; garbage and ids without a mapping are
 * refused with EINVAL and a log line naming the cause.
 */
TEST(mount_owner)
{
	static const struct {
		const char *opts, *why;
	} bad[] = {
		{ "uid=4294967295", "uid=4294967295 refused: not a user id" },
		{ "gid=4294967295", "gid=4294967295 refused: not a group id" },
		{ "uid=root", "Bad value for 'uid'" },
		{ "gid=-5", "Bad value for 'gid'" },
		{ "uid=12x", "Bad value for 'uid'" },
		{ "gid=", NULL },	/* the VFS's own parser refuses it */
		{ "mode=0100000", "mode 0100000 has bits beyond 07777" },
	};
	char tmpl[] = "/tmp/dormantfs-XXXXXX", *dir;
	struct stat st;
	size_t i;
	int kmsg, ret, fd;

	if (access("/sys/kernel/dormant", F_OK))
		SKIP(return, "dormant module not loaded");
	ASSERT_NE(NULL, mkdtemp(tmpl));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		kmsg = kmsg_open();
		ASSERT_LE(0, kmsg);
		errno = 0;
		ret = mount("none", tmpl, "dormant", 0, bad[i].opts);
		EXPECT_EQ(-1, ret) TH_LOG("%s accepted", bad[i].opts);
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s: %s", bad[i].opts, strerror(errno));
		if (!ret)
			umount(tmpl);
		if (bad[i].why)
			EXPECT_LOGGED(kmsg, bad[i].why);
		close(kmsg);
	}
	rmdir(tmpl);

	/* the defaults: the mounter's, 0755, nothing shown */
	dir = dormant_mount_scratch();
	ASSERT_NE(NULL, dir);
	ASSERT_EQ(0, stat(dir, &st));
	EXPECT_EQ(S_IFDIR | 0755, st.st_mode);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0, st.st_gid);
	EXPECT_STREQ("rw,relatime", mount_options(dir));
	dormant_umount_scratch(dir);

	dir = dormant_mount_scratch_opts("mode=0770,uid=64055,gid=4294967294,size=2m");
	ASSERT_NE(NULL, dir);
	ASSERT_EQ(0, stat(dir, &st));
	EXPECT_EQ(S_IFDIR | 0770, st.st_mode);
	EXPECT_EQ(64055, st.st_uid);
	EXPECT_EQ(4294967294U, st.st_gid);
	EXPECT_STREQ("rw,relatime,mode=770,uid=64055,gid=4294967294,size=2048k",
		     mount_options(dir));
	/* what root makes in it is root's: only the top is given away */
	fd = dormant_object(dir, "vm", 1 << 20);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0, st.st_uid);
	close(fd);
	dormant_umount_scratch(dir);
}

/* Write @text to the cgroup file @dir/@name; 0 or -errno. */
static int cg_write(const char *dir, const char *name, const char *text)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return write_file(path, text);
}

/* A number from the cgroup file @dir/@name (the value after @key if set). */
static long cg_read(const char *dir, const char *name, const char *key)
{
	char path[256], line[128];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!key) {
			v = strtol(line, NULL, 10);
			break;
		}
		if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ' ') {
			v = strtol(line + strlen(key) + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

#define CG_ROOT		"/sys/fs/cgroup"
#define MEMCG_OBJ	(64UL << 20)
#define MEMCG_MAX	(16UL << 20)

/*
 * Pages are charged to the memory cgroup of the process whose fault put
 * them in; at the cgroup's limit a fault gets SIGBUS (as on hugetlbfs)
 * with a log line, nothing it wrote is lost, and the charge goes when the
 * pages go.
 */
TEST(memcg_charge_and_limit)
{
	char cg[64], buf[32];
	int sync1[2], sync2[2], status, kmsg, fd;
	long cur0, cur, max_events0, diff;
	unsigned long i, got;
	uint8_t *mem;
	pid_t pid;
	char *dir;

	if (access("/sys/kernel/dormant", F_OK))
		SKIP(return, "dormant module not loaded");
	if (access(CG_ROOT "/cgroup.controllers", F_OK) &&
	    mount("none", CG_ROOT, "cgroup2", 0, NULL))
		SKIP(return, "no cgroup2 at %s: %s", CG_ROOT, strerror(errno));
	cg_write(CG_ROOT, "cgroup.subtree_control", "+memory");
	snprintf(cg, sizeof(cg), CG_ROOT "/dormant-test-%d", getpid());
	ASSERT_EQ(0, mkdir(cg, 0755));
	if (cg_read(cg, "memory.max", NULL) < 0 &&
	    cg_read(cg, "memory.current", NULL) < 0) {
		rmdir(cg);
		SKIP(return, "no memory controller in %s", cg);
	}
	snprintf(buf, sizeof(buf), "%lu", MEMCG_MAX);
	ASSERT_EQ(0, cg_write(cg, "memory.max", buf));
	cg_write(cg, "memory.swap.max", "0");
	dir = dormant_mount_scratch();
	ASSERT_NE(NULL, dir);
	fd = dormant_object(dir, "memcg", MEMCG_OBJ);
	ASSERT_LE(0, fd);
	mem = mmap(NULL, MEMCG_OBJ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_EQ(0, pipe(sync1));
	ASSERT_EQ(0, pipe(sync2));
	kmsg = kmsg_open();
	ASSERT_LE(0, kmsg);
	cur0 = cg_read(cg, "memory.current", NULL);
	max_events0 = cg_read(cg, "memory.events", "max");

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char c = 0, me[16];
		long at;

		snprintf(me, sizeof(me), "%d", getpid());
		if (cg_write(cg, "cgroup.procs", me))
			_exit(2);
		/* 8 MiB: within the limit */
		for (i = 0; i < (8UL << 20) / PAGE; i++)
			mem[i * PAGE] = (uint8_t)(i | 1);
		if (write(sync1[1], &c, 1) != 1 || read(sync2[0], &c, 1) != 1)
			_exit(3);
		/* then on until the limit says no */
		at = touch_until_sigbus(mem, (8UL << 20) / PAGE, MEMCG_OBJ / PAGE);
		if (write(sync1[1], &at, sizeof(at)) != sizeof(at))
			_exit(4);
		_exit(0);
	}
	{
		char c;
		long at = -2;

		ASSERT_EQ(1, read(sync1[0], &c, 1));
		cur = cg_read(cg, "memory.current", NULL);
		EXPECT_LE(cur0 + (long)(8UL << 20), cur) TH_LOG("memory.current %ld", cur);
		ASSERT_EQ(1, write(sync2[1], &c, 1));
		ASSERT_EQ(sizeof(at), read(sync1[0], &at, sizeof(at)));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("child status 0x%x", status);
		TH_LOG("SIGBUS at page %ld (%ld MiB)", at, at * PAGE >> 20);
		EXPECT_LT(0, at);
		EXPECT_GE((long)(MEMCG_MAX / PAGE), at);
	}
	EXPECT_LOGGED(kmsg, "is at its limit (error -12): SIGBUS");
	close(kmsg);
	EXPECT_LT(max_events0, cg_read(cg, "memory.events", "max"));
	/* what the child wrote is there; the rest reads zero */
	got = 0;
	for (i = 0; i < (8UL << 20) / PAGE; i++)
		got += mem[i * PAGE] == (uint8_t)(i | 1);
	EXPECT_EQ((8UL << 20) / PAGE, got);
	EXPECT_TRUE(page_is_zero(mem, MEMCG_OBJ / PAGE - 1));
	munmap(mem, MEMCG_OBJ);
	close(fd);
	dormant_umount_scratch(dir);
	/* the charge went with the pages */
	cur = cg_read(cg, "memory.current", NULL);
	EXPECT_GT(cur0 + (long)(1UL << 20), cur) TH_LOG("memory.current %ld", cur);
	EXPECT_EQ(0, rmdir(cg)) TH_LOG("rmdir %s: %s", cg, strerror(errno));
	EXPECT_TRUE(pages_accounted(&diff)) TH_LOG("%ld pages unaccounted", diff);
}

/* Pages go back to the page allocator when the object goes; none is lost. */
/* Many xarray nodes' worth, so that eviction walks a real tree. */
#define GONE_PAGES 2048L

TEST(object_gone_returns_pages)
{
	long in_use0, diff;
	char *dir;
	uint8_t *mem;
	int fd;

	if (access("/sys/kernel/dormant", F_OK))
		SKIP(return, "dormant module not loaded");
	in_use0 = node_stat(-1, "in_use");
	dir = dormant_mount_scratch();
	ASSERT_NE(NULL, dir);
	fd = dormant_object(dir, "gone", GONE_PAGES * PAGE);
	ASSERT_LE(0, fd);
	mem = mmap(NULL, GONE_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, mem);
	memset(mem, 0x33, GONE_PAGES * PAGE);
	EXPECT_EQ(in_use0 + GONE_PAGES, node_stat(-1, "in_use"));
	munmap(mem, GONE_PAGES * PAGE);
	close(fd);
	EXPECT_EQ(in_use0 + GONE_PAGES, node_stat(-1, "in_use"));	/* still linked */
	dormant_umount_scratch(dir);
	EXPECT_EQ(in_use0, node_stat(-1, "in_use"));
	EXPECT_TRUE(pages_accounted(&diff)) TH_LOG("%ld pages unaccounted", diff);
}

/*
 * verify=1: faults check their pages are zero. Pages go round (fault,
 * write, punch, the pools refilled, fault again) and read zero each time;
 * a failed check would be a WARN, which fails the sandbox run
 * (tools/sandbox checks the kernel log).
 */
#define VERIFY_PAGES	512

TEST(verify_mode)
{
	unsigned long i;
	char *dir, *mem;
	int fd, round;
	long bg0;

	if (read_param("zeroed_low") < 0)
		SKIP(return, "dormant module not loaded");
	ASSERT_EQ(0, write_param_str("verify", "1"));
	dir = dormant_mount_scratch();
	ASSERT_NE(NULL, dir);
	fd = dormant_object(dir, "verify", VERIFY_PAGES * PAGE);
	ASSERT_LE(0, fd);
	mem = mmap(NULL, VERIFY_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, mem);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < VERIFY_PAGES; i++)
			ASSERT_EQ(0, mem[i * PAGE + (i * 7) % PAGE]) TH_LOG("round %d page %lu", round, i);
		memset(mem, 0x77, VERIFY_PAGES * PAGE);
		bg0 = pool_zeroed_pages(-1);
		ASSERT_EQ(0, fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				       0, VERIFY_PAGES * PAGE));
		/* let the threads refill the pools */
		for (i = 0; i < 50 && pool_zeroed_pages(-1) == bg0; i++)
			usleep(100000);
	}
	munmap(mem, VERIFY_PAGES * PAGE);
	close(fd);
	dormant_umount_scratch(dir);
	EXPECT_EQ(0, write_param_str("verify", "0"));
}

/* expect_refused: writing @value to @name fails with EINVAL, saying @why */
static void expect_refused(struct __test_metadata *_metadata,
			   const char *name, const char *value, const char *why)
{
	int kmsg = kmsg_open();

	ASSERT_LE(0, kmsg);
	EXPECT_EQ(-EINVAL, write_param_str(name, value))
		TH_LOG("%s = '%s'", name, value);
	EXPECT_LOGGED(kmsg, why);
	close(kmsg);
}

TEST(bad_params)
{
	long low = read_param("zeroed_low"), high = read_param("zeroed_high");
	char val[32], why[160];

	if (low < 0)
		SKIP(return, "dormant module not loaded");
	snprintf(val, sizeof(val), "%ld", high);
	snprintf(why, sizeof(why), "zeroed_low: %ld refused: zeroed_low (%ld) must stay below",
		 high, high);
	expect_refused(_metadata, "zeroed_low", val, why);
	snprintf(val, sizeof(val), "%ld", low);
	snprintf(why, sizeof(why), "zeroed_high: %ld refused", low);
	expect_refused(_metadata, "zeroed_high", val, why);
	expect_refused(_metadata, "zeroed_high", "-1", "zeroed_high: '-1' is not a page count");
	expect_refused(_metadata, "pool_pages", "1099511627776",
		       "pool_pages: '1099511627776' is not a page count");
	expect_refused(_metadata, "pool_pages", "lots", "pool_pages: 'lots' is not a page count");
	expect_refused(_metadata, "grow", "sometimes", "grow: 'sometimes' is not a boolean");
	expect_refused(_metadata, "verify", "maybe", "verify: 'maybe' is not a boolean");
	expect_refused(_metadata, "huge", "always", "huge: 'always' is not a boolean");
	expect_refused(_metadata, "zero_nocache", "x", "zero_nocache: 'x' is not a boolean");
	expect_refused(_metadata, "huge_grow_max", "101",
		       "huge_grow_max: '101' is not a percentage from 0 to 100");
	expect_refused(_metadata, "huge_grow_max", "ten",
		       "huge_grow_max: 'ten' is not a percentage");
	expect_refused(_metadata, "zeroed_grow_max", "101",
		       "zeroed_grow_max: '101' is not a percentage from 0 to 100");
	expect_refused(_metadata, "zeroed_grow_max", "-1",
		       "zeroed_grow_max: '-1' is not a percentage");
	expect_refused(_metadata, "cpu_budget", "0",
		       "cpu_budget: '0' is not a percentage of one CPU from 1 to 100");
	expect_refused(_metadata, "cpu_budget", "101", "cpu_budget: '101' is not a percentage");
	expect_refused(_metadata, "cpu_budget", "half", "cpu_budget: 'half' is not a percentage");
	expect_refused(_metadata, "huge_low", "1000000000",
		       "huge_low: 1000000000 refused: more than 2097152 blocks of 2 MiB");
	expect_refused(_metadata, "huge_high", "x", "huge_high: 'x' is not a page count");
	snprintf(val, sizeof(val), "%ld", read_param("huge_high") + 1);
	snprintf(why, sizeof(why), "huge_low: %s refused: huge_low (%s) must stay below huge_high",
		 val, val);
	expect_refused(_metadata, "huge_low", val, why);
	EXPECT_EQ(low, read_param("zeroed_low"));
	EXPECT_EQ(high, read_param("zeroed_high"));
}

/* A node's own pool_pages in sysfs: garbage refused, the target kept. */
TEST(bad_node_pool_pages)
{
	static const char * const bad[] = {
		"lots", "-1", "12abc", "1099511627776", "", "0x",
	};
	const char *path = "/sys/kernel/dormant/nodes/node0/pool_pages";
	char before[32], after[32], why[64];
	ssize_t len;
	size_t i;
	int fd, kmsg;

	fd = open(path, O_RDWR);
	if (fd < 0)
		SKIP(return, "%s: %s", path, strerror(errno));
	len = pread(fd, before, sizeof(before) - 1, 0);
	ASSERT_LT(0, len);
	before[len] = 0;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		kmsg = kmsg_open();
		ASSERT_LE(0, kmsg);
		errno = 0;
		EXPECT_EQ(-1, pwrite(fd, bad[i], strlen(bad[i]) ? strlen(bad[i]) : 1, 0))
			TH_LOG("'%s' accepted", bad[i]);
		EXPECT_EQ(EINVAL, errno);
		snprintf(why, sizeof(why), "node0/pool_pages: '%s", bad[i]);
		EXPECT_LOGGED(kmsg, why);
		close(kmsg);
	}
	len = pread(fd, after, sizeof(after) - 1, 0);
	ASSERT_LT(0, len);
	after[len] = 0;
	EXPECT_STREQ(before, after);
	close(fd);
}

/* A node's cpu_budget in sysfs: garbage refused, the budget kept. */
TEST(bad_node_cpu_budget)
{
	static const char * const bad[] = { "0", "101", "-5", "lots", "" };
	const char *path = "/sys/kernel/dormant/nodes/node0/cpu_budget";
	char before[32], after[32], why[96];
	ssize_t len;
	size_t i;
	int fd, kmsg;

	fd = open(path, O_RDWR);
	if (fd < 0)
		SKIP(return, "%s: %s", path, strerror(errno));
	len = pread(fd, before, sizeof(before) - 1, 0);
	ASSERT_LT(0, len);
	before[len] = 0;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		kmsg = kmsg_open();
		ASSERT_LE(0, kmsg);
		errno = 0;
		EXPECT_EQ(-1, pwrite(fd, bad[i], strlen(bad[i]) ? strlen(bad[i]) : 1, 0))
			TH_LOG("'%s' accepted", bad[i]);
		EXPECT_EQ(EINVAL, errno);
		snprintf(why, sizeof(why), "node0/cpu_budget: '%s", bad[i]);
		EXPECT_LOGGED(kmsg, why);
		close(kmsg);
	}
	len = pread(fd, after, sizeof(after) - 1, 0);
	ASSERT_LT(0, len);
	after[len] = 0;
	EXPECT_STREQ(before, after);
	close(fd);
}

TEST_HARNESS_MAIN
