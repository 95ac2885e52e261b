// SPDX-License-Identifier: GPL-2.0
/*
 * pod_mem: touch pages of a guest memory object the way a guest would, for
 * the pod's two-host test (pod_test.sh).
 *
 *   pod_mem FILE write FIRST N SEED   write the pattern of SEED to pages
 *                                     [FIRST, FIRST+N) (4 KiB pages)
 *   pod_mem FILE check FIRST N SEED   they hold that pattern
 *   pod_mem FILE zero FIRST N         they read as zero
 *   pod_mem FILE wait PAGE VALUE SEC  until the first dword of PAGE is
 *                                     VALUE (polled every 100 ms)
 *   pod_mem FILE mark PAGE VALUE      set the first dword of PAGE
 *   pod_mem FILE time FIRST N         read one byte of each page in turn,
 *                                     timing each read: prints
 *                                     "median_ns N" (for make bench)
 *   pod_mem FILE bounce PAGE TURNS ME SEC
 *                                     two hosts (ME 0 and 1) take turns
 *                                     on PAGE, TURNS in all: each checks
 *                                     every byte the other wrote, then
 *                                     writes the next turn's pattern
 *   pod_mem FILE kvmbounce PAGE TURNS ME SEC
 *                                     the same, by a vCPU of a raw-KVM
 *                                     guest whose memory at 512 KiB is
 *                                     the object's pages from PAGE on
 *                                     (selftests/dormant_util.h, g_turn)
 *   pod_mem FILE owned                print how many pages are owned here
 *
 * The object is mapped shared with MADV_NOHUGEPAGE, so that every page
 * moves on its own. Exit 0 if all is as asked, 1 if not (with a message
 * naming the first bad page), 2 on bad arguments.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/dormant.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dormant_util.h"

static int usage(void)
{
	fprintf(stderr,
		"usage: pod_mem FILE write|check FIRST N SEED\n"
		"       pod_mem FILE zero FIRST N\n"
		"       pod_mem FILE wait PAGE VALUE SEC\n"
		"       pod_mem FILE mark PAGE VALUE\n"
		"       pod_mem FILE time FIRST N\n"
		"       pod_mem FILE bounce PAGE TURNS ME SEC\n"
		"       pod_mem FILE kvmbounce PAGE TURNS ME SEC\n"
		"       pod_mem FILE owned\n");
	return 2;
}

static int number(const char *s, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 0);
	return !*s || *end || errno || s[0] == '-' ? -1 : 0;
}

static uint32_t pattern(unsigned long page, unsigned long i,
			unsigned long seed)
{
	return (uint32_t)((page << 10 | i) * 2654435761UL ^ seed);
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Time the first read of each of @n pages from @first; print the median. */
static int time_reads(const char *mem, unsigned long first, unsigned long n)
{
	uint64_t *ns = calloc(n ? n : 1, sizeof(*ns)), t;
	unsigned long p;

	if (!ns || !n)
		return 2;
	for (p = 0; p < n; p++) {
		t = now_ns();
		(void)*(volatile const char *)(mem + (first + p) * PAGE);
		ns[p] = now_ns() - t;
	}
	qsort(ns, n, sizeof(*ns), cmp_u64);
	printf("%llu %lu\n", (unsigned long long)ns[(n - 1) / 2], n);
	free(ns);
	return 0;
}

/* How many pages of the object (@size bytes) the module says are ours. */
static int owned(int fd, unsigned long size)
{
	static uint32_t owners[DORMANT_POD_XFER_PAGES];
	unsigned long off, n = 0, i;

	for (off = 0; off < size; off += DORMANT_POD_XFER_MAX) {
		struct dormant_pod_map m = {
			.offset = off, .len = DORMANT_POD_XFER_MAX,
			.owners = (uintptr_t)owners,
		};

		if (ioctl(fd, DORMANT_IOC_POD_MAP, &m)) {
			fprintf(stderr, "pod_mem: POD_MAP at %lu: %s\n", off,
				strerror(errno));
			return 1;
		}
		for (i = 0; i < DORMANT_POD_XFER_PAGES; i++)
			n += owners[i] == DORMANT_POD_MAP_LOCAL;
	}
	printf("%lu\n", n);
	return 0;
}

/*
 * Two hosts take turns on one page: dword 0 counts the turns; the rest
 * holds the pattern of the count. A host whose turn it is checks every
 * byte, writes the next pattern and then the count. Reading the count
 * pulls the page here, so the page moves at least once per turn.
 */
static int bounce(char *mem, unsigned long page, unsigned long turns,
		  unsigned long me, unsigned long sec)
{
	volatile uint32_t *w = (uint32_t *)(mem + page * PAGE);
	uint64_t end = now_ns() + sec * 1000000000ULL;
	unsigned long mine = 0, waits = 0, i;
	uint32_t v;

	for (;;) {
		v = w[0];
		if (v >= turns)
			break;
		if (v % 2 != me) {
			if (now_ns() > end) {
				fprintf(stderr, "pod_mem: bounce: still turn %u of %lu after %lu s\n",
					v, turns, sec);
				return 1;
			}
			waits++;
			usleep(1000);
			continue;
		}
		for (i = 1; i < PAGE / 4; i++) {
			uint32_t want = v ? pattern(page, i, v) : 0;

			if (w[i] != want) {
				fprintf(stderr, "pod_mem: bounce: turn %u: dword %lu is 0x%x, not 0x%x\n",
					v, i, w[i], want);
				return 1;
			}
		}
		for (i = 1; i < PAGE / 4; i++)
			w[i] = pattern(page, i, v + 1);
		__atomic_thread_fence(__ATOMIC_RELEASE);
		w[0] = v + 1;
		mine++;
	}
	for (i = 1; i < PAGE / 4; i++) {
		if (w[i] != pattern(page, i, v)) {
			fprintf(stderr, "pod_mem: bounce: after the last turn, dword %lu is 0x%x, not 0x%x\n",
				i, w[i], pattern(page, i, v));
			return 1;
		}
	}
	printf("%lu turns here, %lu reads found the other host's turn\n",
	       mine, waits);
	return 0;
}

#define KVM_LOW		(512UL << 10)	/* the guest's own memory, code in it */
#define KVM_OBJ_PAGES	16UL		/* object pages the guest sees */

/* g_turn's pattern of turn @v, dword @i (i >= 1) */
static uint32_t turn_pattern(uint32_t v, unsigned long i)
{
	return v * 0x01000193U + (uint32_t)i * v;
}

/*
 * The bounce by a vCPU: a raw-KVM guest whose memory slot 1 (at
 * KVM_LOW) is KVM_OBJ_PAGES pages of the object from @page, the first of
 * them bounced. Every access is the vCPU's, through KVM's NPT/EPT
 * entries, which a release on this host must take away.
 */
static int kvm_bounce(int fd, unsigned long page, unsigned long turns,
		      unsigned long me, unsigned long sec)
{
	uint64_t end = now_ns() + sec * 1000000000ULL;
	unsigned long mine = 0, waits = 0, i;
	struct kvm_userspace_memory_region region = {
		.slot = 1, .guest_phys_addr = KVM_LOW,
		.memory_size = KVM_OBJ_PAGES * PAGE,
	};
	const volatile uint32_t *w;
	struct test_vm t;
	char *low, *obj;
	long r;
	int ret = 1;

	low = mmap(NULL, KVM_LOW, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	obj = mmap(NULL, KVM_OBJ_PAGES * PAGE, PROT_READ | PROT_WRITE,
		   MAP_SHARED, fd, page * PAGE);
	if (low == MAP_FAILED || obj == MAP_FAILED ||
	    madvise(obj, KVM_OBJ_PAGES * PAGE, MADV_NOHUGEPAGE)) {
		fprintf(stderr, "pod_mem: mmap: %s\n", strerror(errno));
		return 1;
	}
	test_vm_load_code(low);
	if (test_vm_create(&t, low, KVM_LOW))
		return 1;
	region.userspace_addr = (uintptr_t)obj;
	if (ioctl(t.vm, KVM_SET_USER_MEMORY_REGION, &region)) {
		fprintf(stderr, "pod_mem: KVM_SET_USER_MEMORY_REGION: %s\n",
			strerror(errno));
		goto out;
	}
	for (;;) {
		r = test_vm_call(&t, g_turn, KVM_LOW / PAGE, turns * 2 + me);
		if (r == 2)
			break;
		if (r == 1) {
			mine++;
			continue;
		}
		if (r != 0) {
			w = (const uint32_t *)obj;
			fprintf(stderr, "pod_mem: kvmbounce: %s at turn %u\n",
				r == 3 ? "the guest found a wrong byte" :
				"the guest did not halt", w[0]);
			goto out;
		}
		if (now_ns() > end) {
			fprintf(stderr, "pod_mem: kvmbounce: still turn %u of %lu after %lu s\n",
				((const volatile uint32_t *)obj)[0], turns, sec);
			goto out;
		}
		waits++;
		usleep(1000);
	}
	/* and once more from the host side, through the host's mapping */
	w = (const uint32_t *)obj;
	for (i = 1; i < PAGE / 4; i++) {
		if (w[i] != turn_pattern(w[0], i)) {
			fprintf(stderr, "pod_mem: kvmbounce: after turn %u, dword %lu is 0x%x, not 0x%x\n",
				w[0], i, w[i], turn_pattern(w[0], i));
			goto out;
		}
	}
	printf("%lu turns by this host's vCPU, %lu runs found the other host's turn\n",
	       mine, waits);
	ret = 0;
out:
	test_vm_destroy(&t);
	return ret;
}

int main(int argc, char **argv)
{
	unsigned long a[4] = { 0, 0, 0, 0 }, p, i;
	volatile uint32_t *w;
	struct stat st;
	char *mem;
	int fd, n, k;

	if (argc < 3 || argc > 7)
		return usage();
	n = argc - 3;
	for (k = 0; k < n; k++)
		if (number(argv[3 + k], &a[k]))
			return usage();
	if (!strcmp(argv[2], "owned") ? n != 0 :
	    !strcmp(argv[2], "bounce") || !strcmp(argv[2], "kvmbounce") ?
	    n != 4 || a[2] > 1 || !a[3] || a[1] > 30000 :
	    !strcmp(argv[2], "zero") || !strcmp(argv[2], "time") ? n != 2 :
	    !strcmp(argv[2], "mark") ? n != 2 :
	    (strcmp(argv[2], "write") && strcmp(argv[2], "check") &&
	     strcmp(argv[2], "wait")) || n != 3)
		return usage();
	fd = open(argv[1], O_RDWR | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "pod_mem: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (!strcmp(argv[2], "owned"))
		return owned(fd, st.st_size);
	if (!strcmp(argv[2], "kvmbounce")) {
		if ((a[0] + KVM_OBJ_PAGES) * PAGE > (unsigned long)st.st_size) {
			fprintf(stderr, "pod_mem: pages beyond the end of %s\n", argv[1]);
			return 2;
		}
		return kvm_bounce(fd, a[0], a[1], a[2], a[3]);
	}
	if (!strcmp(argv[2], "bounce")) {
		if ((a[0] + 1) * PAGE > (unsigned long)st.st_size) {
			fprintf(stderr, "pod_mem: pages beyond the end of %s\n", argv[1]);
			return 2;
		}
		mem = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			   fd, 0);
		if (mem == MAP_FAILED ||
		    madvise(mem, st.st_size, MADV_NOHUGEPAGE)) {
			fprintf(stderr, "pod_mem: mmap %s: %s\n", argv[1],
				strerror(errno));
			return 1;
		}
		return bounce(mem, a[0], a[1], a[2], a[3]);
	}
	if (!strcmp(argv[2], "wait") || !strcmp(argv[2], "mark")) {
		a[2] = strcmp(argv[2], "wait") ? 0 : a[2];
		a[1] &= 0xffffffffUL;
	}
	if ((strcmp(argv[2], "wait") && strcmp(argv[2], "mark") &&
	     (a[0] + a[1]) * PAGE > (unsigned long)st.st_size) ||
	    (a[0] + 1) * PAGE > (unsigned long)st.st_size) {
		fprintf(stderr, "pod_mem: pages beyond the end of %s\n", argv[1]);
		return 2;
	}
	mem = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (mem == MAP_FAILED || madvise(mem, st.st_size, MADV_NOHUGEPAGE)) {
		fprintf(stderr, "pod_mem: mmap %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (!strcmp(argv[2], "wait")) {
		w = (uint32_t *)(mem + a[0] * PAGE);
		for (i = 0; i < a[2] * 10; i++) {
			if (*w == a[1])
				return 0;
			usleep(100000);
		}
		fprintf(stderr, "pod_mem: page %lu: 0x%x, not 0x%lx after %lu s\n",
			a[0], *w, a[1], a[2]);
		return 1;
	}
	if (!strcmp(argv[2], "mark")) {
		*(volatile uint32_t *)(mem + a[0] * PAGE) = a[1];
		return 0;
	}
	if (!strcmp(argv[2], "time"))
		return time_reads(mem, a[0], a[1]);
	for (p = a[0]; p < a[0] + a[1]; p++) {
		w = (uint32_t *)(mem + p * PAGE);
		for (i = 0; i < PAGE / 4; i++) {
			uint32_t want = argv[2][0] == 'z' ? 0 :
					pattern(p, i, a[2]);

			if (argv[2][0] == 'w') {
				w[i] = want;
			} else if (w[i] != want) {
				fprintf(stderr, "pod_mem: %s: page %lu dword %lu is 0x%x, not 0x%x\n",
					argv[1], p, i, w[i], want);
				return 1;
			}
		}
	}
	return 0;
}
