// SPDX-License-Identifier: GPL-2.0
/*
 * dormant_ioctl_test: the control device /dev/dormant and its ioctls,
 * including every way to send it garbage. Needs the module loaded; skips
 * (exit 4) without /dev/dormant.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/dormant.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "dormant_util.h"

static int read_sysfs_uint(const char *path, unsigned int *out)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	*out = (unsigned int)strtoul(buf, NULL, 10);
	return 0;
}

FIXTURE(ctl) {
	int fd;
};

FIXTURE_SETUP(ctl)
{
	self->fd = open(DORMANT_CTL_PATH, O_RDWR | O_CLOEXEC);
	if (self->fd < 0)
		SKIP(return, "%s: %s (module not loaded?)", DORMANT_CTL_PATH,
		     strerror(errno));
}

FIXTURE_TEARDOWN(ctl)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(ctl, get_version)
{
	struct dormant_version v;
	unsigned int sysfs_nodes;
	int i;

	memset(&v, 0xff, sizeof(v));
	v.flags = 0;
	v.nodes = 0;
	v.nodes_bits = 0;
	v.reserved0 = 0;
	memset(v.reserved, 0, sizeof(v.reserved));
	ASSERT_EQ(0, ioctl(self->fd, DORMANT_IOC_GET_VERSION, &v));
	EXPECT_EQ(DORMANT_ABI_MAJOR, v.abi_major);
	EXPECT_EQ(DORMANT_ABI_MINOR, v.abi_minor);
	EXPECT_EQ(0, v.flags);
	EXPECT_EQ(0, v.features & ~DORMANT_F_ALL);
	EXPECT_LE(1, v.nr_nodes);
	EXPECT_EQ(v.nr_nodes, (unsigned int)__builtin_popcountll(v.node_mask));
	for (i = 0; i < 2; i++)
		EXPECT_EQ(0, v.reserved[i]);
	EXPECT_EQ(0, v.reserved0);
	EXPECT_EQ(0, v.nodes);
	EXPECT_LE(64, v.nodes_bits);
	EXPECT_EQ(0, v.nodes_bits % 64);
	EXPECT_NE(0, v.features & DORMANT_F_NODE_BITMAP);
	EXPECT_NE(0, v.features & DORMANT_F_VCPU_STATS_V2);
	ASSERT_EQ(0, read_sysfs_uint("/sys/kernel/dormant/nr_nodes",
				     &sysfs_nodes));
	EXPECT_EQ(v.nr_nodes, sysfs_nodes);
}

TEST_F(ctl, get_version_unknown_flags)
{
	struct dormant_version v;
	int bit, kmsg = kmsg_open();

	ASSERT_LE(0, kmsg);
	for (bit = 0; bit < 32; bit++) {
		memset(&v, 0, sizeof(v));
		v.flags = 1U << bit;
		EXPECT_EQ(-1, ioctl(self->fd, DORMANT_IOC_GET_VERSION, &v));
		EXPECT_EQ(EINVAL, errno);
		/* nothing was written back */
		EXPECT_EQ(0, v.abi_minor);
		EXPECT_EQ(0, v.nr_nodes);
	}
	EXPECT_LOGGED(kmsg, "dormant: GET_VERSION: unknown flags 0x1 ");
	close(kmsg);
}

TEST_F(ctl, get_version_reserved_not_zero)
{
	struct dormant_version v;
	int i, kmsg = kmsg_open();

	ASSERT_LE(0, kmsg);
	for (i = 0; i < 2; i++) {
		memset(&v, 0, sizeof(v));
		v.reserved[i] = 1ULL << (i * 13);
		EXPECT_EQ(-1, ioctl(self->fd, DORMANT_IOC_GET_VERSION, &v));
		EXPECT_EQ(EINVAL, errno);
	}
	memset(&v, 0, sizeof(v));
	v.reserved0 = 1;
	EXPECT_EQ(-1, ioctl(self->fd, DORMANT_IOC_GET_VERSION, &v));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_LOGGED(kmsg, "dormant: GET_VERSION: reserved[0] is not zero");
	EXPECT_LOGGED(kmsg, "dormant: GET_VERSION: reserved[1] is not zero");
	EXPECT_LOGGED(kmsg, "dormant: GET_VERSION: reserved0 is not zero");
	close(kmsg);
}

/* The node bitmap: every served node, nodes_bits says how many bits */
TEST_F(ctl, get_version_node_bitmap)
{
	struct dormant_version v, w;
	uint64_t words[4];

	memset(&v, 0, sizeof(v));
	ASSERT_EQ(0, ioctl(self->fd, DORMANT_IOC_GET_VERSION, &v));
	memset(words, 0xa5, sizeof(words));
	memset(&w, 0, sizeof(w));
	w.nodes = (uintptr_t)words;
	w.nodes_bits = 256;
	ASSERT_EQ(0, ioctl(self->fd, DORMANT_IOC_GET_VERSION, &w));
	EXPECT_EQ((uintptr_t)words, w.nodes);
	EXPECT_EQ(v.nodes_bits, w.nodes_bits);
	EXPECT_EQ(v.node_mask, words[0]);
	EXPECT_EQ(0, words[1]);		/* all four words written */
	EXPECT_EQ(0, words[3]);
	EXPECT_EQ(v.nr_nodes, (unsigned int)(__builtin_popcountll(words[0]) +
					     __builtin_popcountll(words[1]) +
					     __builtin_popcountll(words[2]) +
					     __builtin_popcountll(words[3])));
	/* a bitmap the module cannot write */
	w.nodes = 16;
	w.nodes_bits = 64;
	EXPECT_EQ(-1, ioctl(self->fd, DORMANT_IOC_GET_VERSION, &w));
	EXPECT_EQ(EFAULT, errno);
}

/* Bitmap sizes that are not multiples of 64, too big, or half given */
TEST_F(ctl, get_version_node_bitmap_garbage)
{
	static const struct { uint64_t nodes; uint32_t bits; } bad[] = {
		{ 0x1000, 63 }, { 0x1000, 65 }, { 0x1000, DORMANT_NODES_BITS_MAX + 64 },
		{ 0x1000, 0xffffffc0 }, { 0, 64 }, { 0x1000, 0 },
	};
	struct dormant_version v;
	unsigned int i;
	int kmsg = kmsg_open();

	ASSERT_LE(0, kmsg);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&v, 0, sizeof(v));
		v.nodes = bad[i].nodes;
		v.nodes_bits = bad[i].bits;
		EXPECT_EQ(-1, ioctl(self->fd, DORMANT_IOC_GET_VERSION, &v))
			TH_LOG("case %u", i);
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(0, v.abi_minor);	/* nothing written back */
	}
	EXPECT_LOGGED(kmsg, "dormant: GET_VERSION: nodes_bits 63 with nodes set: want a multiple of 64");
	EXPECT_LOGGED(kmsg, "dormant: GET_VERSION: nodes_bits 64 with nodes 0:");
	EXPECT_LOGGED(kmsg, "dormant: GET_VERSION: nodes_bits 0 with nodes set:");
	close(kmsg);
}

TEST_F(ctl, get_version_bad_pointers)
{
	void *ro, *none;

	EXPECT_EQ(-1, ioctl(self->fd, DORMANT_IOC_GET_VERSION, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, DORMANT_IOC_GET_VERSION, (void *)1));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, DORMANT_IOC_GET_VERSION,
			    (void *)0xffffffffffff0000ULL));
	EXPECT_EQ(EFAULT, errno);

	/* readable but not writable: read succeeds, the answer cannot go back */
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_EQ(-1, ioctl(self->fd, DORMANT_IOC_GET_VERSION, ro));
	EXPECT_EQ(EFAULT, errno);
	munmap(ro, 4096);

	none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	EXPECT_EQ(-1, ioctl(self->fd, DORMANT_IOC_GET_VERSION, none));
	EXPECT_EQ(EFAULT, errno);
	munmap(none, 4096);
}

TEST_F(ctl, unknown_ioctls)
{
	struct dormant_version v = { 0 };
	unsigned long bad[] = {
		_IOWR(DORMANT_IOC_MAGIC, 0x7f, struct dormant_version),
		/* right number, wrong size or direction */
		_IOWR(DORMANT_IOC_MAGIC, 0x00, uint64_t),
		_IOR(DORMANT_IOC_MAGIC, 0x00, struct dormant_version),
		_IOW(DORMANT_IOC_MAGIC, 0x00, struct dormant_version),
		_IO(DORMANT_IOC_MAGIC, 0x00),
		/* another driver's magic */
		_IOWR('f', 0x00, struct dormant_version),
		0, ~0UL,
	};
	char line[64];
	size_t i;
	int kmsg = kmsg_open();

	ASSERT_LE(0, kmsg);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-1, ioctl(self->fd, bad[i], &v));
		EXPECT_EQ(ENOTTY, errno);
		snprintf(line, sizeof(line), "dormant: unknown ioctl 0x%x ",
			 (unsigned int)bad[i]);
		EXPECT_LOGGED(kmsg, line);
	}
	close(kmsg);
}

TEST_F(ctl, not_seekable_no_rw)
{
	char c;

	EXPECT_EQ(-1, read(self->fd, &c, 1));
	EXPECT_EQ(-1, write(self->fd, &c, 1));
	EXPECT_EQ(-1, lseek(self->fd, 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
}

TEST(sysfs_tree)
{
	unsigned int nr, n = 0;
	char path[128];
	int nid;

	if (access("/sys/kernel/dormant", F_OK))
		SKIP(return, "module not loaded");
	ASSERT_EQ(0, read_sysfs_uint("/sys/kernel/dormant/nr_nodes", &nr));
	for (nid = 0; nid < 1024; nid++) {
		snprintf(path, sizeof(path),
			 "/sys/kernel/dormant/nodes/node%d/cpulist", nid);
		if (!access(path, R_OK))
			n++;
	}
	EXPECT_EQ(nr, n);
	EXPECT_EQ(0, access("/sys/kernel/dormant/version", R_OK));
	EXPECT_EQ(0, access("/sys/kernel/dormant/abi_version", R_OK));
	/* read-only attributes refuse writes, even to root */
	EXPECT_EQ(-1, open("/sys/kernel/dormant/nr_nodes", O_WRONLY));
	EXPECT_EQ(EACCES, errno);
}

TEST_HARNESS_MAIN
