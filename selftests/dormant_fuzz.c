// SPDX-License-Identifier: GPL-2.0
/*
 * dormant_fuzz: random sequences against the control device and the
 * filesystem, from several threads at once, for a fixed time: ioctls with
 * random command numbers and random (or zeroed, or unmapped) arguments on
 * /dev/dormant and on objects, opens, creates, unlinks, truncates, punches,
 * reads and writes, mmap/munmap with random protections and offsets,
 * faults on the mappings (reads, writes, across truncation: SIGBUS and
 * SIGSEGV are expected and caught), madvise, and attempts to remove the
 * module (which must fail while it is in use). Afterwards every object is
 * gone, the mount goes, every page the run took is back in the nodes'
 * counts (in_use), and the kernel log is checked by the caller
 * (tools/sandbox fails a run whose log has an oops, BUG, WARNING, KFENCE
 * or slab report).
 *
 *   dormant_fuzz SECONDS [SEED]
 *
 * Prints TAP: one line with the seed (to replay a run) and what was done.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/dormant.h>
#include <linux/falloc.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "dormant_util.h"

#define THREADS		4
#define OBJECTS		4
#define OBJ_MAX		(32UL << 20)	/* bytes: 4 objects stay small */
#define MAPS		8		/* per thread */

enum {
	OP_CTL_IOCTL, OP_OBJ_IOCTL, OP_OPEN, OP_CLOSE, OP_TRUNCATE, OP_PUNCH,
	OP_FALLOCATE, OP_PREAD, OP_PWRITE, OP_MMAP, OP_MUNMAP, OP_TOUCH,
	OP_MADVISE, OP_UNLINK, OP_RMMOD, NR_OPS
};

static const char *const op_name[NR_OPS] = {
	"ctl-ioctl", "obj-ioctl", "open", "close", "truncate", "punch",
	"fallocate", "pread", "pwrite", "mmap", "munmap", "touch", "madvise",
	"unlink", "rmmod",
};

static char *dir;
static int ctl;
static time_t deadline;
static volatile int failed;
static char fail_msg[256];

/* fds of the objects by name slot; -1 when closed (under fd_lock) */
static pthread_mutex_t fd_lock = PTHREAD_MUTEX_INITIALIZER;
static int obj_fd[OBJECTS];

static unsigned long op_count[NR_OPS];
static unsigned long signals_caught;
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;

static __thread sigjmp_buf fault_jmp;
static __thread volatile int fault_armed;

struct map {
	uint8_t *addr;
	size_t len;
};

struct worker {
	unsigned int seed;
	struct map map[MAPS];
	unsigned long ops[NR_OPS];
	unsigned long caught;
};

static void fail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void fail(const char *fmt, ...)
{
	va_list ap;

	if (__atomic_exchange_n(&failed, 1, __ATOMIC_SEQ_CST))
		return;
	va_start(ap, fmt);
	vsnprintf(fail_msg, sizeof(fail_msg), fmt, ap);
	va_end(ap);
}

static void on_fault(int sig)
{
	if (fault_armed) {
		fault_armed = 0;
		siglongjmp(fault_jmp, sig);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static unsigned long rnd(struct worker *w, unsigned long n)
{
	unsigned long r = ((unsigned long)rand_r(&w->seed) << 31) ^ rand_r(&w->seed);

	return n ? r % n : r;
}

/* An argument for a random ioctl: random bytes, zeroes, or no memory. */
static void *ioctl_arg(struct worker *w, uint8_t *buf, size_t len)
{
	size_t i;

	switch (rnd(w, 6)) {
	case 0:
		return NULL;
	case 1:
		return (void *)(uintptr_t)(rnd(w, 2) ? 16 : 0xffffffffff000000UL);
	case 2:
	case 3:
		memset(buf, 0, len);
		/* zeroes with one random word: a field that is almost right */
		if (rnd(w, 2))
			((uint32_t *)buf)[rnd(w, len / 4)] = (uint32_t)rnd(w, 0);
		return buf;
	default:
		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)rnd(w, 256);
		return buf;
	}
}

static unsigned long random_cmd(struct worker *w)
{
	static const unsigned int dirs[] = {
		_IOC_NONE, _IOC_READ, _IOC_WRITE, _IOC_READ | _IOC_WRITE,
	};

	/* mostly our magic and numbers near ours, sometimes anything */
	if (!rnd(w, 8))
		return rnd(w, 0) & 0xffffffff;
	return _IOC(dirs[rnd(w, 4)], rnd(w, 8) ? DORMANT_IOC_MAGIC : rnd(w, 256),
		    rnd(w, 16), rnd(w, 8) ? rnd(w, 512) : rnd(w, 1 << 14));
}

static void do_ioctl(struct worker *w, int fd)
{
	uint8_t buf[1 << 14] __attribute__((aligned(8)));
	long ret = ioctl(fd, random_cmd(w), ioctl_arg(w, buf, sizeof(buf)));

	/* a command that hands out a file descriptor (a pod channel) */
	if (ret > 2 && ret < 1 << 20)
		close((int)ret);
}

static int get_fd(struct worker *w)
{
	int fd;

	pthread_mutex_lock(&fd_lock);
	fd = obj_fd[rnd(w, OBJECTS)];
	fd = fd >= 0 ? dup(fd) : -1;
	pthread_mutex_unlock(&fd_lock);
	return fd;
}

static size_t random_len(struct worker *w)
{
	switch (rnd(w, 4)) {
	case 0:
		return rnd(w, OBJ_MAX + 1);			/* unaligned */
	case 1:
		return rnd(w, OBJ_MAX / PAGE + 1) * PAGE;
	case 2:
		return rnd(w, OBJ_MAX / (2 << 20) + 1) * (2 << 20);
	default:
		return rnd(w, 64) * PAGE;
	}
}

static void touch(struct worker *w)
{
	struct map *m = &w->map[rnd(w, MAPS)];
	volatile uint8_t *p;
	int sig;

	if (!m->addr)
		return;
	p = m->addr + rnd(w, m->len);
	sig = sigsetjmp(fault_jmp, 1);
	if (sig) {
		w->caught++;
		return;
	}
	fault_armed = 1;
	if (rnd(w, 2))
		*p = (uint8_t)rnd(w, 256);
	else
		(void)*p;
	fault_armed = 0;
}

static void one_op(struct worker *w, int op)
{
	char path[512], buf[8192];
	struct map *m;
	int fd, i;

	switch (op) {
	case OP_CTL_IOCTL:
		do_ioctl(w, ctl);
		break;
	case OP_OBJ_IOCTL:
		fd = get_fd(w);
		if (fd >= 0) {
			do_ioctl(w, fd);
			close(fd);
		}
		break;
	case OP_OPEN:
		i = (int)rnd(w, OBJECTS);
		snprintf(path, sizeof(path), "%s/f%d", dir, i);
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			break;
		pthread_mutex_lock(&fd_lock);
		if (obj_fd[i] >= 0)
			close(obj_fd[i]);
		obj_fd[i] = fd;
		pthread_mutex_unlock(&fd_lock);
		break;
	case OP_CLOSE:
		i = (int)rnd(w, OBJECTS);
		pthread_mutex_lock(&fd_lock);
		if (obj_fd[i] >= 0)
			close(obj_fd[i]);
		obj_fd[i] = -1;
		pthread_mutex_unlock(&fd_lock);
		break;
	case OP_TRUNCATE:
	case OP_PUNCH:
	case OP_FALLOCATE:
	case OP_PREAD:
	case OP_PWRITE:
		fd = get_fd(w);
		if (fd < 0)
			break;
		if (op == OP_TRUNCATE)
			(void)!ftruncate(fd, (off_t)random_len(w));
		else if (op == OP_PUNCH)
			fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				  (off_t)random_len(w), (off_t)random_len(w));
		else if (op == OP_FALLOCATE)
			fallocate(fd, (int)rnd(w, 4), (off_t)random_len(w),
				  (off_t)random_len(w));
		else if (op == OP_PREAD)
			(void)!pread(fd, buf, rnd(w, sizeof(buf)), (off_t)random_len(w));
		else
			(void)!pwrite(fd, buf, rnd(w, sizeof(buf)), (off_t)random_len(w));
		close(fd);
		break;
	case OP_MMAP:
		m = &w->map[rnd(w, MAPS)];
		if (m->addr)
			break;
		fd = get_fd(w);
		if (fd < 0)
			break;
		m->len = random_len(w) ?: PAGE;
		m->addr = mmap(NULL, m->len,
			       rnd(w, 4) ? PROT_READ | PROT_WRITE : PROT_READ,
			       rnd(w, 8) ? MAP_SHARED : MAP_PRIVATE, fd,
			       (off_t)(rnd(w, 4) ? 0 : rnd(w, 4096) * PAGE));
		if (m->addr == MAP_FAILED)
			m->addr = NULL;
		close(fd);	/* the mapping keeps the file */
		break;
	case OP_MUNMAP:
		m = &w->map[rnd(w, MAPS)];
		if (m->addr)
			munmap(m->addr, m->len);
		m->addr = NULL;
		break;
	case OP_TOUCH:
		for (i = 0; i < 16; i++)
			touch(w);
		break;
	case OP_MADVISE:
		m = &w->map[rnd(w, MAPS)];
		if (m->addr) {
			static const int advice[] = {
				MADV_REMOVE, MADV_DONTNEED, MADV_HUGEPAGE,
				MADV_NOHUGEPAGE, MADV_WILLNEED, MADV_POPULATE_READ,
				MADV_POPULATE_WRITE, MADV_COLD, MADV_PAGEOUT,
			};
			size_t off = rnd(w, m->len / PAGE) * PAGE;

			madvise(m->addr + off, rnd(w, (m->len - off) / PAGE + 1) * PAGE,
				advice[rnd(w, sizeof(advice) / sizeof(advice[0]))]);
		}
		break;
	case OP_UNLINK:
		snprintf(path, sizeof(path), "%s/f%lu", dir, rnd(w, OBJECTS));
		unlink(path);
		break;
	case OP_RMMOD:
		/* the mount and /dev/dormant hold the module: it must stay */
		if (!syscall(SYS_delete_module, "dormant", O_NONBLOCK))
			fail("the module was removed while in use");
		break;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	int op, i;

	while (!failed && time(NULL) < deadline) {
		op = (int)rnd(w, NR_OPS);
		one_op(w, op);
		w->ops[op]++;
	}
	for (i = 0; i < MAPS; i++)
		if (w->map[i].addr)
			munmap(w->map[i].addr, w->map[i].len);
	pthread_mutex_lock(&count_lock);
	for (op = 0; op < NR_OPS; op++)
		op_count[op] += w->ops[op];
	signals_caught += w->caught;
	pthread_mutex_unlock(&count_lock);
	return NULL;
}

int main(int argc, char **argv)
{
	struct worker w[THREADS] = { 0 };
	pthread_t t[THREADS];
	struct sigaction sa = { .sa_handler = on_fault, .sa_flags = SA_NODEFER };
	unsigned long total = 0;
	long in_use0, in_use = -1;
	unsigned int seed;
	char path[512];
	int i, seconds;

	if (argc < 2 || argc > 3 || (seconds = atoi(argv[1])) <= 0) {
		fprintf(stderr, "usage: %s SECONDS [SEED]\n", argv[0]);
		return 2;
	}
	seed = argc == 3 ? (unsigned int)strtoul(argv[2], NULL, 0) :
			   (unsigned int)time(NULL) ^ (unsigned int)getpid();
	printf("TAP version 13\n1..1\n# seed %u (dormant_fuzz %d %u replays it)\n",
	       seed, seconds, seed);
	fflush(stdout);
	if (access("/sys/kernel/dormant", F_OK)) {
		printf("ok 1 # SKIP dormant module not loaded\n");
		return 4;
	}
	in_use0 = node_stat(-1, "in_use");
	ctl = open(DORMANT_CTL_PATH, O_RDWR | O_CLOEXEC);
	dir = dormant_mount_scratch_opts("size=256m");
	if (ctl < 0 || !dir) {
		printf("not ok 1 fuzz: cannot open %s or mount a scratch filesystem\n",
		       DORMANT_CTL_PATH);
		return 1;
	}
	for (i = 0; i < OBJECTS; i++) {
		obj_fd[i] = dormant_object(dir, (char[]){ 'f', (char)('0' + i), 0 },
					   (off_t)(OBJ_MAX / 2));
		if (obj_fd[i] < 0)
			obj_fd[i] = -1;
	}
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	deadline = time(NULL) + seconds;
	for (i = 0; i < THREADS; i++) {
		w[i].seed = seed + (unsigned int)i * 7919;
		pthread_create(&t[i], NULL, worker_main, &w[i]);
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);

	for (i = 0; i < OBJECTS; i++) {
		if (obj_fd[i] >= 0)
			close(obj_fd[i]);
		snprintf(path, sizeof(path), "%s/f%d", dir, i);
		unlink(path);
	}
	close(ctl);
	if (umount(dir))
		fail("umount %s after the run: %s", dir, strerror(errno));
	rmdir(dir);
	/* every page the run took is back (LRU batches may hold some briefly) */
	for (i = 0; i < 100; i++) {
		in_use = node_stat(-1, "in_use");
		if (in_use == in_use0)
			break;
		usleep(100 * 1000);
	}
	if (!failed && in_use != in_use0)
		fail("%ld pages still in use 10 s after the objects went (%ld before)",
		     in_use, in_use0);
	for (i = 0; i < NR_OPS; i++) {
		printf("# %-10s %lu\n", op_name[i], op_count[i]);
		total += op_count[i];
	}
	printf("# SIGBUS/SIGSEGV caught: %lu\n", signals_caught);
	if (failed) {
		printf("not ok 1 fuzz: %s (seed %u)\n", fail_msg, seed);
		return 1;
	}
	printf("ok 1 fuzz: %lu operations from %d threads in %d s, seed %u\n",
	       total, THREADS, seconds, seed);
	return 0;
}
