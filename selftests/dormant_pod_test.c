// SPDX-License-Identifier: GPL-2.0
/*
 * dormant_pod_test: the pod's kernel side on one host. Two objects stand
 * for one guest memory on two hosts, "a" (pod number 1) and "b" (2); a
 * thread of the test plays both pod daemons: it reads the requests of
 * faults on remote pages from a pod channel and moves each page with
 * DORMANT_IOC_POD_RELEASE on the owner's object and DORMANT_IOC_POD_GRANT
 * on the asker's, as dormantd does over RDMA. Needs the module loaded
 * (skips, exit 4, without it) and, for the KVM cases, /dev/kvm.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/dormant.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
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

#define OBJ_SIZE	(4UL << 20)	/* two 2 MiB blocks */
#define OBJ_PAGES	(OBJ_SIZE / PAGE)
#define HOST_A		1
#define HOST_B		2

static int obj_stats(int fd, struct dormant_obj_stats *st)
{
	memset(st, 0, sizeof(*st));
	return ioctl(fd, DORMANT_IOC_OBJ_STATS, st);
}

static int pod_open(unsigned int queue_len)
{
	struct dormant_pod_open o = { .queue_len = queue_len };
	int ctl = open(DORMANT_CTL_PATH, O_RDWR | O_CLOEXEC);
	int ret;

	if (ctl < 0)
		return -errno;
	ret = ioctl(ctl, DORMANT_IOC_POD_OPEN, &o);
	ret = ret ? -errno : o.fd;
	close(ctl);
	return ret;
}

static int pod_attach(int chan, int obj_fd, unsigned int id)
{
	struct dormant_pod_attach a = { .obj_fd = obj_fd, .obj_id = id };

	return ioctl(chan, DORMANT_IOC_POD_ATTACH, &a) ? -errno : 0;
}

/* Give up [offset, offset + len) of @fd to @owner; -errno or 0. */
static int pod_release(int fd, uint64_t offset, uint64_t len,
		       unsigned int owner, void *buf,
		       struct dormant_pod_xfer *x)
{
	memset(x, 0, sizeof(*x));
	x->owner = owner;
	x->offset = offset;
	x->len = len;
	x->data = (uintptr_t)buf;
	return ioctl(fd, DORMANT_IOC_POD_RELEASE, x) ? -errno : 0;
}

/* Grant what a release @r returned, with its data at @buf; -errno or 0. */
static int pod_grant(int fd, const struct dormant_pod_xfer *r, void *buf)
{
	struct dormant_pod_xfer x = {
		.offset = r->offset, .len = r->len, .data = (uintptr_t)buf,
	};

	memcpy(x.data_pages, r->data_pages, sizeof(x.data_pages));
	return ioctl(fd, DORMANT_IOC_POD_GRANT, &x) ? -errno : 0;
}

/*
 * The two daemons: objects [HOST_A] and [HOST_B] are one memory; a
 * request from one host's object moves the page from the other's.
 */
struct daemon {
	int chan;
	int fd[3];
	pthread_t thread;
	volatile int stop;
	/* what moved: pages, pages with data, requests served, errors */
	unsigned long pages, data_pages, served, errors;
	char *buf;
};

static int daemon_serve(struct daemon *d, int timeout_ms)
{
	struct dormant_pod_request req[16];
	struct dormant_pod_xfer x;
	struct pollfd p = { .fd = d->chan, .events = POLLIN };
	ssize_t len;
	int i, from, to;

	if (poll(&p, 1, timeout_ms) <= 0)
		return 0;
	len = read(d->chan, req, sizeof(req));
	if (len < 0)
		return errno == EAGAIN ? 0 : -errno;
	for (i = 0; i < len / (ssize_t)sizeof(req[0]); i++) {
		to = req[i].obj_id;
		from = to == HOST_A ? HOST_B : HOST_A;
		if ((to != HOST_A && to != HOST_B) || req[i].owner != (unsigned int)from ||
		    req[i].len != PAGE || req[i].reserved) {
			fprintf(stderr, "# bad request: obj %u owner %u len %llu\n",
				req[i].obj_id, req[i].owner,
				(unsigned long long)req[i].len);
			d->errors++;
			continue;
		}
		if (pod_release(d->fd[from], req[i].offset, PAGE, to, d->buf,
				&x)) {
			/* already moved by an earlier request */
			if (errno == EREMOTE)
				continue;
			fprintf(stderr, "# POD_RELEASE: %s\n", strerror(errno));
			d->errors++;
			continue;
		}
		if (pod_grant(d->fd[to], &x, d->buf)) {
			fprintf(stderr, "# POD_GRANT: %s\n", strerror(errno));
			d->errors++;
			continue;
		}
		d->pages += x.len / PAGE;
		d->data_pages += x.nr_data;
		d->served++;
	}
	return 0;
}

static void *daemon_thread(void *arg)
{
	struct daemon *d = arg;

	while (!d->stop)
		if (daemon_serve(d, 50))
			break;
	return NULL;
}

static void daemon_start(struct daemon *d)
{
	d->stop = 0;
	pthread_create(&d->thread, NULL, daemon_thread, d);
}

static void daemon_stop(struct daemon *d)
{
	d->stop = 1;
	pthread_join(d->thread, NULL);
}

FIXTURE(pod)
{
	char *dir;
	int fd[3];
	char *mem[3];
	struct daemon d;
	int kmsg;
};

FIXTURE_SETUP(pod)
{
	struct dormant_pod_xfer x;
	int h;

	memset(&self->d, 0, sizeof(self->d));
	self->d.chan = -1;
	self->kmsg = kmsg_open();
	if (access(DORMANT_CTL_PATH, F_OK))
		SKIP(return, "dormant module not loaded");
	self->dir = dormant_mount_scratch();
	ASSERT_NE(NULL, self->dir);
	for (h = HOST_A; h <= HOST_B; h++) {
		self->fd[h] = dormant_object(self->dir, h == HOST_A ? "a" : "b",
					     OBJ_SIZE);
		ASSERT_LE(0, self->fd[h]);
		self->mem[h] = mmap(NULL, OBJ_SIZE, PROT_READ | PROT_WRITE,
				    MAP_SHARED, self->fd[h], 0);
		ASSERT_NE(MAP_FAILED, self->mem[h]);
		self->d.fd[h] = self->fd[h];
	}
	self->d.buf = aligned_alloc(PAGE, DORMANT_POD_XFER_MAX);
	ASSERT_NE(NULL, self->d.buf);
	/* the memory is a's at the start: b's pages are all remote */
	ASSERT_EQ(0, pod_release(self->fd[HOST_B], 0, 2 << 20, HOST_A,
				 self->d.buf, &x));
	ASSERT_EQ(0, x.nr_data);
	ASSERT_EQ(0, pod_release(self->fd[HOST_B], 2 << 20, 2 << 20, HOST_A,
				 self->d.buf, &x));
	self->d.chan = pod_open(0);
	ASSERT_LE(0, self->d.chan);
	ASSERT_EQ(0, pod_attach(self->d.chan, self->fd[HOST_A], HOST_A));
	ASSERT_EQ(0, pod_attach(self->d.chan, self->fd[HOST_B], HOST_B));
}

FIXTURE_TEARDOWN(pod)
{
	int h;

	if (!self->dir)
		return;
	for (h = HOST_A; h <= HOST_B; h++) {
		munmap(self->mem[h], OBJ_SIZE);
		close(self->fd[h]);
	}
	if (self->d.chan >= 0)
		close(self->d.chan);
	free(self->d.buf);
	dormant_umount_scratch(self->dir);
	if (self->kmsg >= 0)
		close(self->kmsg);
}

TEST_F(pod, open_garbage)
{
	struct dormant_pod_open o;
	int ctl = open(DORMANT_CTL_PATH, O_RDWR | O_CLOEXEC);
	int i, fd;

	ASSERT_LE(0, ctl);
	memset(&o, 0, sizeof(o));
	o.flags = 1;
	EXPECT_EQ(-1, ioctl(ctl, DORMANT_IOC_POD_OPEN, &o));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_LOGGED(self->kmsg, "POD_OPEN: unknown flags 0x1");
	memset(&o, 0, sizeof(o));
	o.fd = 7;
	EXPECT_EQ(-1, ioctl(ctl, DORMANT_IOC_POD_OPEN, &o));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_LOGGED(self->kmsg, "or fd 7 not zero");
	for (i = 0; i < 4; i++) {
		memset(&o, 0, sizeof(o));
		o.reserved[i] = 1;
		EXPECT_EQ(-1, ioctl(ctl, DORMANT_IOC_POD_OPEN, &o));
		EXPECT_EQ(EINVAL, errno);
	}
	EXPECT_LOGGED(self->kmsg, "POD_OPEN: reserved[3] is not zero");
	memset(&o, 0, sizeof(o));
	o.queue_len = 3;
	EXPECT_EQ(-1, ioctl(ctl, DORMANT_IOC_POD_OPEN, &o));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_LOGGED(self->kmsg, "POD_OPEN: queue_len 3 refused");
	o.queue_len = DORMANT_POD_QUEUE_MAX * 2;
	EXPECT_EQ(-1, ioctl(ctl, DORMANT_IOC_POD_OPEN, &o));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(ctl, DORMANT_IOC_POD_OPEN, NULL));
	EXPECT_EQ(EFAULT, errno);
	/* a good one, close-on-exec, and gone again */
	fd = pod_open(DORMANT_POD_QUEUE_MAX);
	ASSERT_LE(0, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	close(ctl);
}

TEST_F(pod, channel_garbage)
{
	struct dormant_pod_attach a;
	struct dormant_pod_request req;
	int other, null, i;

	memset(&a, 0, sizeof(a));
	a.obj_fd = self->fd[HOST_A];
	a.flags = 2;
	EXPECT_EQ(-1, ioctl(self->d.chan, DORMANT_IOC_POD_ATTACH, &a));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_LOGGED(self->kmsg, "POD_ATTACH: unknown flags 0x2");
	a.flags = 0;
	a.pad = 1;
	EXPECT_EQ(-1, ioctl(self->d.chan, DORMANT_IOC_POD_ATTACH, &a));
	EXPECT_EQ(EINVAL, errno);
	a.pad = 0;
	for (i = 0; i < 4; i++) {
		memset(a.reserved, 0, sizeof(a.reserved));
		a.reserved[i] = 1;
		EXPECT_EQ(-1, ioctl(self->d.chan, DORMANT_IOC_POD_ATTACH, &a));
		EXPECT_EQ(EINVAL, errno);
	}
	EXPECT_LOGGED(self->kmsg, "POD_ATTACH: reserved[3] is not zero");
	memset(a.reserved, 0, sizeof(a.reserved));
	a.obj_fd = -1;
	EXPECT_EQ(-1, ioctl(self->d.chan, DORMANT_IOC_POD_ATTACH, &a));
	EXPECT_EQ(EBADF, errno);
	EXPECT_LOGGED(self->kmsg, "POD_ATTACH: obj_fd -1 is not an open file");
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, null);
	a.obj_fd = null;
	EXPECT_EQ(-1, ioctl(self->d.chan, DORMANT_IOC_POD_ATTACH, &a));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_LOGGED(self->kmsg, "is not an object of the dormant filesystem");
	close(null);
	/* the object must be open for writing, the caller privileged */
	{
		char path[64];
		int ro, status;
		pid_t pid;

		snprintf(path, sizeof(path), "%s/a", self->dir);
		ro = open(path, O_RDONLY | O_CLOEXEC);
		ASSERT_LE(0, ro);
		EXPECT_EQ(-EBADF, pod_attach(self->d.chan, ro, HOST_A));
		EXPECT_LOGGED(self->kmsg, "is not open for writing");
		close(ro);
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			if (setresuid(65534, 65534, 65534))
				_exit(2);
			_exit(pod_attach(self->d.chan, self->fd[HOST_A],
					 HOST_A) == -EPERM ? 0 : 1);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status));
		EXPECT_LOGGED(self->kmsg, "POD_ATTACH: object");
	}
	/* one open channel per object */
	other = pod_open(0);
	ASSERT_LE(0, other);
	EXPECT_EQ(-EBUSY, pod_attach(other, self->fd[HOST_A], 9));
	EXPECT_LOGGED(self->kmsg, "is attached to another open pod channel");
	/* attaching again to the same channel renames it */
	EXPECT_EQ(0, pod_attach(self->d.chan, self->fd[HOST_A], HOST_A));
	EXPECT_EQ(-1, ioctl(other, DORMANT_IOC_OBJ_STATS, &a));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_LOGGED(self->kmsg, "pod channel: unknown ioctl");
	/* reads: whole requests only; none queued */
	EXPECT_EQ(-1, read(self->d.chan, &req, sizeof(req) - 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_LOGGED(self->kmsg, "pod channel: read of 31 bytes refused");
	fcntl(self->d.chan, F_SETFL, O_NONBLOCK);
	EXPECT_EQ(-1, read(self->d.chan, &req, sizeof(req)));
	EXPECT_EQ(EAGAIN, errno);
	close(other);
}

TEST_F(pod, xfer_garbage)
{
	struct dormant_pod_xfer x;
	int ro, i;
	char *buf = self->d.buf;
	struct {
		uint64_t offset, len;
	} bad[] = {
		{ 1, PAGE }, { 0, 0 }, { 0, PAGE + 1 }, { 0, 4 << 20 },
		{ (2 << 20) - PAGE, 2 * PAGE }, { OBJ_SIZE, PAGE },
		{ OBJ_SIZE - PAGE, 2 * PAGE }, { ~0ULL - PAGE + 1, PAGE },
	};

	for (i = 0; i < (int)(sizeof(bad) / sizeof(bad[0])); i++) {
		EXPECT_EQ(-EINVAL, pod_release(self->fd[HOST_A], bad[i].offset,
					       bad[i].len, HOST_B, buf, &x));
		x.owner = 0;
		EXPECT_EQ(-1, ioctl(self->fd[HOST_B], DORMANT_IOC_POD_GRANT, &x));
		EXPECT_EQ(EINVAL, errno);
	}
	EXPECT_LOGGED(self->kmsg, "POD_RELEASE: object");
	EXPECT_LOGGED(self->kmsg, "must be 4 KiB-aligned pages inside the object");
	EXPECT_EQ(-EINVAL, pod_release(self->fd[HOST_A], 0, PAGE, 0, buf, &x));
	EXPECT_LOGGED(self->kmsg, "owner 0 refused: hosts are numbered 1 to 65535");
	EXPECT_EQ(-EINVAL, pod_release(self->fd[HOST_A], 0, PAGE, 65536, buf, &x));
	EXPECT_LOGGED(self->kmsg, "owner 65536 refused");
	memset(&x, 0, sizeof(x));
	x.owner = HOST_B;
	x.len = PAGE;
	x.data = (uintptr_t)buf;
	x.flags = 4;
	EXPECT_EQ(-1, ioctl(self->fd[HOST_A], DORMANT_IOC_POD_RELEASE, &x));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_LOGGED(self->kmsg, "POD_RELEASE: unknown flags 0x4");
	x.flags = 0;
	x.reserved[2] = 1;
	EXPECT_EQ(-1, ioctl(self->fd[HOST_A], DORMANT_IOC_POD_RELEASE, &x));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_LOGGED(self->kmsg, "POD_RELEASE: reserved[2] is not zero");
	/* no room for the data: nothing changes */
	EXPECT_EQ(-EFAULT, pod_release(self->fd[HOST_A], 0, PAGE, HOST_B,
				       NULL, &x));
	/* b owns nothing: no release; a owns everything: no grant */
	EXPECT_EQ(-EREMOTE, pod_release(self->fd[HOST_B], 0, PAGE, HOST_A,
					buf, &x));
	EXPECT_LOGGED(self->kmsg, "holds pages owned by another host");
	memset(&x, 0, sizeof(x));
	x.len = PAGE;
	x.data = (uintptr_t)buf;
	EXPECT_EQ(-1, ioctl(self->fd[HOST_A], DORMANT_IOC_POD_GRANT, &x));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_LOGGED(self->kmsg, "the page at 0x0 is already owned here");
	/* grant: no owner, no nr_data, no bits beyond the range */
	x.owner = 3;
	EXPECT_EQ(-1, ioctl(self->fd[HOST_B], DORMANT_IOC_POD_GRANT, &x));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_LOGGED(self->kmsg, "POD_GRANT: object");
	x.owner = 0;
	x.nr_data = 1;
	EXPECT_EQ(-1, ioctl(self->fd[HOST_B], DORMANT_IOC_POD_GRANT, &x));
	EXPECT_EQ(EINVAL, errno);
	x.nr_data = 0;
	x.data_pages[0] = 2;	/* page 1 of a one-page range */
	EXPECT_EQ(-1, ioctl(self->fd[HOST_B], DORMANT_IOC_POD_GRANT, &x));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_LOGGED(self->kmsg, "data_pages beyond the range's 1 pages");
	/* data that cannot be read: the page stays remote */
	x.data_pages[0] = 1;
	x.data = 0;
	EXPECT_EQ(-1, ioctl(self->fd[HOST_B], DORMANT_IOC_POD_GRANT, &x));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd[HOST_B], DORMANT_IOC_POD_GRANT, NULL));
	EXPECT_EQ(EFAULT, errno);
	/* an object opened read-only moves nothing */
	{
		char path[64];

		snprintf(path, sizeof(path), "%s/a", self->dir);
		ro = open(path, O_RDONLY | O_CLOEXEC);
	}
	ASSERT_LE(0, ro);
	EXPECT_EQ(-EBADF, pod_release(ro, 0, PAGE, HOST_B, buf, &x));
	EXPECT_LOGGED(self->kmsg, "not opened for writing");
	close(ro);
	/* nothing above changed a page's owner */
	{
		struct dormant_obj_stats st;

		ASSERT_EQ(0, obj_stats(self->fd[HOST_A], &st));
		EXPECT_EQ(0, st.remote);
		ASSERT_EQ(0, obj_stats(self->fd[HOST_B], &st));
		EXPECT_EQ(OBJ_PAGES, st.remote);
		EXPECT_EQ(0, st.dormant);
		EXPECT_EQ(0, st.present);
	}
}

/*
 * Pages b asks for come from a: with their data where a wrote some, as
 * ownership alone where a never wrote, or wrote only zeros.
 */
TEST_F(pod, dormant_and_data_grants)
{
	char *a = self->mem[HOST_A], *b = self->mem[HOST_B];
	struct dormant_obj_stats st;
	unsigned long i;

	/* 4 KiB pages on a, so that a release moves one page */
	ASSERT_EQ(0, madvise(a, OBJ_SIZE, MADV_NOHUGEPAGE));
	for (i = 0; i < PAGE; i++)
		a[3 * PAGE + i] = (char)(i * 7 + 1);
	EXPECT_EQ(0, a[5 * PAGE]);		/* present, all zero */
	memset(a + 6 * PAGE, 0x5a, PAGE);
	memset(a + 6 * PAGE, 0, PAGE);		/* written back to zero */
	daemon_start(&self->d);
	for (i = 0; i < PAGE; i++)
		if (b[3 * PAGE + i] != (char)(i * 7 + 1))
			break;
	EXPECT_EQ(PAGE, i);
	EXPECT_EQ(0, b[5 * PAGE]);
	EXPECT_EQ(0, b[6 * PAGE + 100]);
	EXPECT_EQ(0, b[9 * PAGE]);		/* never touched on a */
	b[9 * PAGE] = 1;
	daemon_stop(&self->d);
	EXPECT_EQ(0, self->d.errors);
	EXPECT_EQ(4, self->d.served);
	EXPECT_EQ(4, self->d.pages);
	EXPECT_EQ(1, self->d.data_pages);	/* page 3 only */
	ASSERT_EQ(0, obj_stats(self->fd[HOST_B], &st));
	EXPECT_EQ(OBJ_PAGES - 4, st.remote);
	EXPECT_EQ(4, st.present);	/* 3 with data, 5, 6 and 9 faulted */
	EXPECT_EQ(4, st.pod_requests);
	ASSERT_EQ(0, obj_stats(self->fd[HOST_A], &st));
	EXPECT_EQ(4, st.remote);
	EXPECT_EQ(0, st.pod_requests);
	/* a asks for page 3 back: b's data, and a's page 9 is b's 1 */
	daemon_start(&self->d);
	EXPECT_EQ((char)(7 * 7 + 1), a[3 * PAGE + 7]);
	EXPECT_EQ(1, a[9 * PAGE]);
	daemon_stop(&self->d);
	EXPECT_EQ(0, self->d.errors);
	EXPECT_EQ(3, self->d.data_pages);
}

/* A 2 MiB page that a release cuts is given up whole. */
TEST_F(pod, release_widens_to_2m)
{
	char *a = self->mem[HOST_A], *b = self->mem[HOST_B];
	struct dormant_obj_stats st;

	if (!read_param("huge"))
		SKIP(return, "huge=N");
	if ((uintptr_t)a % (2 << 20))
		SKIP(return, "mapping not 2 MiB-aligned");
	memset(a, 0x11, 4096);
	a[(2 << 20) - 1] = 0x22;
	ASSERT_EQ(0, obj_stats(self->fd[HOST_A], &st));
	if (st.present != 512)
		SKIP(return, "no 2 MiB page (pools without 2 MiB blocks?)");
	daemon_start(&self->d);
	EXPECT_EQ(0x22, b[(2 << 20) - 1]);
	EXPECT_EQ(0x11, b[100]);
	EXPECT_EQ(0, b[PAGE * 100]);
	daemon_stop(&self->d);
	EXPECT_EQ(0, self->d.errors);
	EXPECT_EQ(512, self->d.pages);
	EXPECT_EQ(2, self->d.data_pages);
	ASSERT_EQ(0, obj_stats(self->fd[HOST_A], &st));
	EXPECT_EQ(512, st.remote);
	EXPECT_EQ(0, st.present);
}

/*
 * A whole 2 MiB block with data comes in as one 2 MiB page, mapped with
 * one PMD, and goes back whole: one request each way, 512 pages each.
 */
TEST_F(pod, grant_keeps_2m)
{
	char *a = self->mem[HOST_A], *b = self->mem[HOST_B];
	struct dormant_obj_stats st;

	if (!read_param("huge"))
		SKIP(return, "huge=N");
	if ((uintptr_t)a % (2 << 20) || (uintptr_t)b % (2 << 20))
		SKIP(return, "mappings not 2 MiB-aligned");
	memset(a, 0x11, PAGE);
	a[(2 << 20) - 1] = 0x22;
	ASSERT_EQ(0, obj_stats(self->fd[HOST_A], &st));
	if (st.present != 512)
		SKIP(return, "no 2 MiB page (pools without 2 MiB blocks?)");
	daemon_start(&self->d);
	EXPECT_EQ(0x22, b[(2 << 20) - 1]);
	EXPECT_EQ(0x11, b[100]);
	EXPECT_EQ(0, b[PAGE * 100]);
	b[PAGE * 200] = 0x33;
	EXPECT_EQ(2048, smaps_kb(b, "FilePmdMapped"));
	ASSERT_EQ(0, obj_stats(self->fd[HOST_B], &st));
	EXPECT_EQ(512, st.present);
	EXPECT_EQ(OBJ_PAGES - 512, st.remote);
	/* back to a, whole */
	EXPECT_EQ(0x33, a[PAGE * 200]);
	EXPECT_EQ(0x22, a[(2 << 20) - 1]);
	EXPECT_EQ(0x11, a[PAGE - 1]);
	daemon_stop(&self->d);
	EXPECT_EQ(0, self->d.errors);
	EXPECT_EQ(2, self->d.served);
	EXPECT_EQ(1024, self->d.pages);
	EXPECT_EQ(2 + 3, self->d.data_pages);
	EXPECT_EQ(2048, smaps_kb(a, "FilePmdMapped"));
	ASSERT_EQ(0, obj_stats(self->fd[HOST_B], &st));
	EXPECT_EQ(OBJ_PAGES, st.remote);
	EXPECT_EQ(0, st.present);
}

/* With huge=0 the same whole block comes in 4 KiB pages: its data pages only. */
TEST_F(pod, grant_huge_off_gets_4k)
{
	char *a = self->mem[HOST_A], *b = self->mem[HOST_B];
	struct dormant_obj_stats st;
	long huge = read_param("huge");

	if (huge <= 0)
		SKIP(return, "huge=N");
	if ((uintptr_t)a % (2 << 20))
		SKIP(return, "mapping not 2 MiB-aligned");
	memset(a, 0x11, PAGE);
	a[(2 << 20) - 1] = 0x22;
	ASSERT_EQ(0, obj_stats(self->fd[HOST_A], &st));
	if (st.present != 512)
		SKIP(return, "no 2 MiB page (pools without 2 MiB blocks?)");
	ASSERT_EQ(0, write_param("huge", 0));
	daemon_start(&self->d);
	EXPECT_EQ(0x22, b[(2 << 20) - 1]);
	EXPECT_EQ(0x11, b[100]);
	EXPECT_EQ(0, b[PAGE * 100]);
	daemon_stop(&self->d);
	ASSERT_EQ(0, write_param("huge", huge));
	EXPECT_EQ(0, self->d.errors);
	EXPECT_EQ(512, self->d.pages);
	EXPECT_EQ(2, self->d.data_pages);
	ASSERT_EQ(0, obj_stats(self->fd[HOST_B], &st));
	EXPECT_EQ(OBJ_PAGES - 512, st.remote);
	/* the two data pages, and page 100 that b read (dormant: faulted) */
	EXPECT_GE(3, st.present);
	EXPECT_LE(2, st.present);
}

/* A release asked for with DORMANT_POD_RELEASE_BLOCK: dormant blocks whole. */
TEST_F(pod, release_block_flag)
{
	struct dormant_pod_xfer x;
	struct dormant_obj_stats st;

	ASSERT_EQ(0, madvise(self->mem[HOST_A], OBJ_SIZE, MADV_NOHUGEPAGE));
	memset(&x, 0, sizeof(x));
	x.flags = DORMANT_POD_RELEASE_BLOCK;
	x.owner = HOST_B;
	x.offset = (2 << 20) + 100 * PAGE;
	x.len = PAGE;
	x.data = (uintptr_t)self->d.buf;
	ASSERT_EQ(0, ioctl(self->fd[HOST_A], DORMANT_IOC_POD_RELEASE, &x));
	EXPECT_EQ(2 << 20, x.offset);
	EXPECT_EQ(2 << 20, x.len);
	EXPECT_EQ(0, x.nr_data);
	/* a block with a page in it: only the page */
	self->mem[HOST_A][3 * PAGE] = 1;
	memset(&x, 0, sizeof(x));
	x.flags = DORMANT_POD_RELEASE_BLOCK;
	x.owner = HOST_B;
	x.offset = 5 * PAGE;
	x.len = PAGE;
	x.data = (uintptr_t)self->d.buf;
	ASSERT_EQ(0, ioctl(self->fd[HOST_A], DORMANT_IOC_POD_RELEASE, &x));
	EXPECT_EQ(5 * PAGE, x.offset);
	EXPECT_EQ(PAGE, x.len);
	ASSERT_EQ(0, obj_stats(self->fd[HOST_A], &st));
	EXPECT_EQ(513, st.remote);
	EXPECT_EQ(1, st.present);
	/* a block partly remote: only the page */
	x.offset = 6 * PAGE;
	x.len = PAGE;
	x.flags = DORMANT_POD_RELEASE_BLOCK;
	self->mem[HOST_A][3 * PAGE] = 1;
	ASSERT_EQ(0, fallocate(self->fd[HOST_A], FALLOC_FL_PUNCH_HOLE |
			       FALLOC_FL_KEEP_SIZE, 3 * PAGE, PAGE));
	ASSERT_EQ(0, ioctl(self->fd[HOST_A], DORMANT_IOC_POD_RELEASE, &x));
	EXPECT_EQ(PAGE, x.len);
	/* unknown flags */
	x.flags = 2;
	x.offset = 7 * PAGE;
	EXPECT_EQ(-1, ioctl(self->fd[HOST_A], DORMANT_IOC_POD_RELEASE, &x));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_LOGGED(self->kmsg, "POD_RELEASE: unknown flags 0x2");
	x.flags = DORMANT_POD_RELEASE_BLOCK;
	EXPECT_EQ(-1, ioctl(self->fd[HOST_B], DORMANT_IOC_POD_GRANT, &x));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_LOGGED(self->kmsg, "POD_GRANT: unknown flags 0x1");
}

/* One page, written in turn on a and b 1,000 times each: every byte right. */
TEST_F_TIMEOUT(pod, bounce_1000, 300)
{
	volatile uint32_t *pa = (uint32_t *)(self->mem[HOST_A] + 8 * PAGE);
	volatile uint32_t *pb = (uint32_t *)(self->mem[HOST_B] + 8 * PAGE);
	unsigned int i, bad = 0;

	ASSERT_EQ(0, madvise(self->mem[HOST_A], OBJ_SIZE, MADV_NOHUGEPAGE));
	ASSERT_EQ(0, madvise(self->mem[HOST_B], OBJ_SIZE, MADV_NOHUGEPAGE));
	for (i = 1; i < PAGE / 4; i++)
		pa[i] = i ^ PATTERN_KEY;
	daemon_start(&self->d);
	for (i = 0; i < 1000; i++) {
		if (pb[0] != 2 * i)
			bad++;
		pb[0] = 2 * i + 1;
		if (pa[0] != 2 * i + 1)
			bad++;
		pa[0] = 2 * i + 2;
	}
	daemon_stop(&self->d);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(2000, pa[0]);
	for (i = 1; i < PAGE / 4; i++)
		if (pa[i] != (i ^ PATTERN_KEY))
			bad++;
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, self->d.errors);
	EXPECT_EQ(2000, self->d.served);
	EXPECT_EQ(2000, self->d.data_pages);
}

/* Nobody grants: the fault fails with SIGBUS after pod_timeout_ms. */
TEST_F(pod, timeout_sigbus)
{
	long old = read_param("pod_timeout_ms");
	int status;
	pid_t pid;

	ASSERT_LT(0, old);
	EXPECT_EQ(-EINVAL, write_param_str("pod_timeout_ms", "99"));
	EXPECT_LOGGED(self->kmsg, "pod_timeout_ms: '99' is not a number");
	EXPECT_EQ(-EINVAL, write_param_str("pod_timeout_ms", "x1"));
	EXPECT_EQ(-EINVAL, write_param_str("pod_timeout_ms", "600001"));
	EXPECT_EQ(old, read_param("pod_timeout_ms"));
	ASSERT_EQ(0, write_param("pod_timeout_ms", 300));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(self->mem[HOST_B][PAGE * 11] == 0 ? 0 : 1);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGBUS, WTERMSIG(status));
	EXPECT_LOGGED(self->kmsg, "is owned by host 1 and did not come within 300 ms");
	write_param("pod_timeout_ms", old);
	/* the request waits in the queue; served, the page comes */
	daemon_start(&self->d);
	EXPECT_EQ(0, self->mem[HOST_B][PAGE * 11]);
	daemon_stop(&self->d);
	EXPECT_EQ(0, self->d.errors);
}

/* A daemon that restarts: faults that asked the old channel ask the new. */
TEST_F(pod, channel_restart)
{
	int status;
	pid_t pid;

	memset(self->mem[HOST_A] + 12 * PAGE, 0x3c, PAGE);
	close(self->d.chan);
	self->d.chan = -1;
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(self->mem[HOST_B][PAGE * 12 + 5] == 0x3c ? 0 : 1);
	usleep(200000);		/* the child waits for the page */
	self->d.chan = pod_open(0);
	ASSERT_LE(0, self->d.chan);
	ASSERT_EQ(0, pod_attach(self->d.chan, self->fd[HOST_A], HOST_A));
	ASSERT_EQ(0, pod_attach(self->d.chan, self->fd[HOST_B], HOST_B));
	daemon_start(&self->d);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	daemon_stop(&self->d);
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(1, self->d.data_pages);
}

/*
 * The daemon says a page cannot come (its owner left the pod): the fault
 * waiting for it fails at once, the page stays remote, a later fault asks
 * again and gets it once it can come.
 */
TEST_F(pod, grant_fail)
{
	struct dormant_obj_stats st0, st;
	struct dormant_pod_request req;
	struct dormant_pod_xfer x;
	struct pollfd p = { .fd = self->d.chan, .events = POLLIN };
	struct timespec t0, t1;
	int status;
	pid_t pid;

	/* 4 KiB pages on a, so that one page moves */
	ASSERT_EQ(0, madvise(self->mem[HOST_A], OBJ_SIZE, MADV_NOHUGEPAGE));
	memset(self->mem[HOST_A] + 14 * PAGE, 0x77, PAGE);
	ASSERT_EQ(0, obj_stats(self->fd[HOST_B], &st0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(self->mem[HOST_B][PAGE * 14] == 0x77 ? 0 : 1);
	/* the child's request, then: it cannot come */
	ASSERT_EQ(1, poll(&p, 1, 5000));
	ASSERT_EQ((ssize_t)sizeof(req), read(self->d.chan, &req, sizeof(req)));
	EXPECT_EQ(14 * PAGE, req.offset);
	memset(&x, 0, sizeof(x));
	x.flags = DORMANT_POD_GRANT_FAIL;
	x.offset = 14 * PAGE;
	x.len = PAGE;
	/* with data pages: refused */
	x.data_pages[0] = 1;
	EXPECT_EQ(-1, ioctl(self->fd[HOST_B], DORMANT_IOC_POD_GRANT, &x));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_LOGGED(self->kmsg, "DORMANT_POD_GRANT_FAIL with pages in data_pages");
	x.data_pages[0] = 0;
	x.flags = 4;
	EXPECT_EQ(-1, ioctl(self->fd[HOST_B], DORMANT_IOC_POD_GRANT, &x));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_LOGGED(self->kmsg, "POD_GRANT: unknown flags 0x4");
	x.flags = DORMANT_POD_GRANT_FAIL;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(0, ioctl(self->fd[HOST_B], DORMANT_IOC_POD_GRANT, &x));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGBUS, WTERMSIG(status));
	/* at once, not after pod_timeout_ms (10 s by default) */
	EXPECT_GT(5, t1.tv_sec - t0.tv_sec);
	EXPECT_LOGGED(self->kmsg, "is owned by host 1, which the pod daemon reports lost");
	ASSERT_EQ(0, obj_stats(self->fd[HOST_B], &st));
	EXPECT_EQ(st0.pod_failed + 1, st.pod_failed);
	EXPECT_EQ(st0.pod_requests + 1, st.pod_requests);
	EXPECT_EQ(st0.remote, st.remote);
	/* failing pages nobody waits for, or owned here, changes nothing */
	x.offset = 20 * PAGE;
	x.len = 4 * PAGE;
	EXPECT_EQ(0, ioctl(self->fd[HOST_B], DORMANT_IOC_POD_GRANT, &x));
	EXPECT_EQ(0, ioctl(self->fd[HOST_A], DORMANT_IOC_POD_GRANT, &x));
	/* asked again, the page comes with its data */
	daemon_start(&self->d);
	EXPECT_EQ(0x77, self->mem[HOST_B][PAGE * 14 + 9]);
	daemon_stop(&self->d);
	EXPECT_EQ(0, self->d.errors);
	ASSERT_EQ(0, obj_stats(self->fd[HOST_B], &st));
	EXPECT_EQ(st0.pod_failed + 1, st.pod_failed);
	EXPECT_EQ(st0.remote - 1, st.remote);
}

static int pod_map(int fd, uint64_t offset, uint64_t len, uint32_t *owners)
{
	struct dormant_pod_map m = {
		.offset = offset, .len = len, .owners = (uintptr_t)owners,
	};

	return ioctl(fd, DORMANT_IOC_POD_MAP, &m) ? -errno : 0;
}

/* POD_MAP: who owns each page, as the module recorded it; and garbage. */
TEST_F(pod, map_owners)
{
	static uint32_t owners[DORMANT_POD_XFER_PAGES + 1];
	struct dormant_pod_map m;
	struct dormant_pod_xfer x;
	unsigned int i, bad = 0;

	self->mem[HOST_A][(2 << 20) + 3 * PAGE] = 1;
	ASSERT_EQ(0, pod_release(self->fd[HOST_A], 2 << 20, 2 << 20, 7,
				 self->d.buf, &x));
	/* a: first block here, second released to host 7 */
	ASSERT_EQ(0, pod_map(self->fd[HOST_A], 0, 2 << 20, owners));
	for (i = 0; i < DORMANT_POD_XFER_PAGES; i++)
		bad += owners[i] != DORMANT_POD_MAP_LOCAL;
	ASSERT_EQ(0, pod_map(self->fd[HOST_A], 2 << 20, 2 << 20, owners));
	for (i = 0; i < DORMANT_POD_XFER_PAGES; i++)
		bad += owners[i] != 7;
	/* b: all a's; one page comes, then it is b's */
	daemon_start(&self->d);
	EXPECT_EQ(0, self->mem[HOST_B][5 * PAGE]);
	daemon_stop(&self->d);
	owners[4] = 99;
	owners[DORMANT_POD_XFER_PAGES] = 0xdeadbeef;
	ASSERT_EQ(0, pod_map(self->fd[HOST_B], 4 * PAGE, 3 * PAGE, owners));
	EXPECT_EQ(HOST_A, owners[0]);
	EXPECT_EQ(DORMANT_POD_MAP_LOCAL, owners[1]);
	EXPECT_EQ(HOST_A, owners[2]);
	EXPECT_EQ(99, owners[4]);	/* nothing beyond the range */
	EXPECT_EQ(0, bad);
	/* garbage */
	EXPECT_EQ(-EINVAL, pod_map(self->fd[HOST_A], 1, PAGE, owners));
	EXPECT_LOGGED(self->kmsg, "POD_MAP: object");
	EXPECT_EQ(-EINVAL, pod_map(self->fd[HOST_A], 0, 0, owners));
	EXPECT_EQ(-EINVAL, pod_map(self->fd[HOST_A], (2 << 20) - PAGE,
				   2 * PAGE, owners));
	EXPECT_EQ(-EINVAL, pod_map(self->fd[HOST_A], OBJ_SIZE, PAGE, owners));
	EXPECT_EQ(-EFAULT, pod_map(self->fd[HOST_A], 0, PAGE, NULL));
	memset(&m, 0, sizeof(m));
	m.len = PAGE;
	m.owners = (uintptr_t)owners;
	m.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd[HOST_A], DORMANT_IOC_POD_MAP, &m));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_LOGGED(self->kmsg, "POD_MAP: unknown flags 0x1");
	m.flags = 0;
	m.pad = 1;
	EXPECT_EQ(-1, ioctl(self->fd[HOST_A], DORMANT_IOC_POD_MAP, &m));
	EXPECT_EQ(EINVAL, errno);
	m.pad = 0;
	m.reserved[3] = 1;
	EXPECT_EQ(-1, ioctl(self->fd[HOST_A], DORMANT_IOC_POD_MAP, &m));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_LOGGED(self->kmsg, "POD_MAP: reserved[3] is not zero");
	EXPECT_EQ(-1, ioctl(self->fd[HOST_A], DORMANT_IOC_POD_MAP, NULL));
	EXPECT_EQ(EFAULT, errno);
}

/* Shrinking the object drops its remote pages beyond the end. */
TEST_F(pod, truncate_drops_remote)
{
	struct dormant_obj_stats st;

	ASSERT_EQ(0, ftruncate(self->fd[HOST_B], 2 << 20));
	ASSERT_EQ(0, obj_stats(self->fd[HOST_B], &st));
	EXPECT_EQ(512, st.remote);
	ASSERT_EQ(0, ftruncate(self->fd[HOST_B], OBJ_SIZE));
	ASSERT_EQ(0, obj_stats(self->fd[HOST_B], &st));
	EXPECT_EQ(512, st.remote);
	EXPECT_EQ(512, st.dormant);
	/* a hole punched in remote pages leaves them to their owner */
	ASSERT_EQ(0, fallocate(self->fd[HOST_B], FALLOC_FL_PUNCH_HOLE |
			       FALLOC_FL_KEEP_SIZE, 0, 2 << 20));
	ASSERT_EQ(0, obj_stats(self->fd[HOST_B], &st));
	EXPECT_EQ(512, st.remote);
}

/*
 * KVM on both: a guest on a writes; a guest on b, whose memory is all a's
 * at the start, reads it back through the pod. A page a gave up is gone
 * from a's NPT/EPT: a's guest sees what b wrote after.
 */
TEST_F_TIMEOUT(pod, kvm_guests, 300)
{
	struct test_vm va, vb;
	char *b = self->mem[HOST_B];

	if (access("/dev/kvm", R_OK | W_OK))
		SKIP(return, "no KVM");
	test_vm_load_code(self->mem[HOST_A]);
	ASSERT_EQ(0, test_vm_create(&va, self->mem[HOST_A], 1 << 20));
	ASSERT_EQ(0, test_vm_create(&vb, b, 1 << 20));
	EXPECT_EQ(0, test_vm_call(&va, g_fill, 64, 128));
	daemon_start(&self->d);
	/* b's guest: the code page and a's pattern come with data */
	EXPECT_EQ(0, test_vm_call(&vb, g_count_bad, 64, 128));
	EXPECT_EQ(0, test_vm_call(&vb, g_count_nz, 16, 64));
	EXPECT_TRUE(page_has_pattern(b, 64));
	/*
	 * The KVM hook saw b's guest stall once on a page a owned (the code
	 * page: its grant brought the whole 2 MiB block), then on the block's
	 * pages as they came: 64 with a's data (backed), 48 without. Those
	 * are dormant where the block came in 4 KiB pages, and backed where
	 * it came as one 2 MiB page (a's was one, and b's pool had one: b
	 * then holds all 512). b's VM stalled last, so its record has the
	 * highest number of this process's.
	 */
	if (dormant_kvm_hooked()) {
		struct dormant_vcpu_stats *v, s = { 0 };
		int ctl = open(DORMANT_CTL_PATH, O_RDWR | O_CLOEXEC), i, n = 0;
		struct dormant_obj_stats st;
		int big;

		ASSERT_LE(0, ctl);
		v = dormant_vcpu_stats(ctl, 0, &n);
		ASSERT_NE(NULL, v);
		for (i = 0; i < n; i++)
			if ((pid_t)v[i].pid == getpid() && v[i].vcpu_id == 0 &&
			    v[i].vm_id >= s.vm_id)
				s = v[i];
		free(v);
		close(ctl);
		TH_LOG("b's vCPU: %llu remote stalls, %llu dormant, %llu backed",
		       (unsigned long long)s.remote_stalls,
		       (unsigned long long)s.dormant_stalls,
		       (unsigned long long)s.backed_stalls);
		ASSERT_EQ(0, obj_stats(self->fd[HOST_B], &st));
		big = st.present >= 512;
		TH_LOG("the block came %s", big ? "as one 2 MiB page" :
		       "in 4 KiB pages");
		EXPECT_EQ(1, s.remote_stalls);
		EXPECT_EQ(big ? 0 : 48, s.dormant_stalls);
		EXPECT_LE(big ? 112 : 64, s.backed_stalls);
	}
	/* b zeroes page 64; a's guest must see it, not its old page */
	memset(b + 64 * PAGE, 0, PAGE);
	EXPECT_EQ(1, test_vm_call(&va, g_count_bad, 64, 66));
	EXPECT_EQ(1, test_vm_call(&va, g_count_nz, 64, 66));
	daemon_stop(&self->d);
	EXPECT_EQ(0, self->d.errors);
	test_vm_destroy(&va);
	test_vm_destroy(&vb);
}

TEST_HARNESS_MAIN
