// SPDX-License-Identifier: GPL-2.0
/*
 * vm_churn: create and destroy raw-KVM VMs one after another, for the rig
 * soak (tools/rig-soak). Each VM gets 64 KiB of guest memory, one vCPU in
 * real mode that writes a pattern over 8 pages and checks it, and is then
 * destroyed. With no other VM on the host, each creation and destruction
 * flips KVM's static keys (preempt notifiers, and more), which makes the
 * kernel patch its own text while other CPUs run: what sandbox hosts on
 * QEMU 7.2's TCG died of.
 *
 * usage: vm_churn COUNT [FILE]
 *   COUNT  VMs to create, 1..1000000
 *   FILE   back guest memory by this file (e.g. on the dormant
 *          filesystem: it is created, sized and removed), not anonymous
 *
 * Prints "vm_churn: N VMs" every 100 VMs and at the end; exit 0 when all
 * COUNT VMs ran their guest code correctly, 1 on the first failure, 2 on
 * bad arguments.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../selftests/dormant_util.h"

#define CHURN_MEM	(64 * 1024UL)
#define CHURN_PAGES	8

static int churn_one(void *mem)
{
	struct test_vm vm;
	int ret = -1;

	memset(mem, 0, CHURN_MEM);
	if (test_vm_create(&vm, mem, CHURN_MEM))
		return -1;
	test_vm_load_code(mem);
	if (test_vm_call(&vm, g_fill, 4, 4 + CHURN_PAGES) == 0 &&
	    test_vm_call(&vm, g_count_bad, 4, 4 + CHURN_PAGES) == 0)
		ret = 0;
	else
		fprintf(stderr, "vm_churn: the guest's pattern is wrong\n");
	test_vm_destroy(&vm);
	return ret;
}

int main(int argc, char **argv)
{
	unsigned long count, i;
	const char *file = NULL;
	char *end;
	void *mem;
	int fd = -1;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: vm_churn COUNT [FILE]\n");
		return 2;
	}
	errno = 0;
	count = strtoul(argv[1], &end, 10);
	if (errno || *end || end == argv[1] || argv[1][0] == '-' ||
	    count < 1 || count > 1000000) {
		fprintf(stderr, "vm_churn: COUNT must be 1..1000000, got '%s'\n",
			argv[1]);
		return 2;
	}
	if (argc == 3) {
		file = argv[2];
		fd = open(file, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 || ftruncate(fd, CHURN_MEM)) {
			fprintf(stderr, "vm_churn: %s: %s\n", file, strerror(errno));
			return 2;
		}
		mem = mmap(NULL, CHURN_MEM, PROT_READ | PROT_WRITE, MAP_SHARED,
			   fd, 0);
	} else {
		mem = mmap(NULL, CHURN_MEM, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	}
	if (mem == MAP_FAILED) {
		fprintf(stderr, "vm_churn: mmap: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < count; i++) {
		if (churn_one(mem)) {
			fprintf(stderr, "vm_churn: VM %lu of %lu failed\n",
				i + 1, count);
			break;
		}
		if ((i + 1) % 100 == 0 || i + 1 == count)
			printf("vm_churn: %lu VMs\n", i + 1);
		fflush(stdout);
	}
	munmap(mem, CHURN_MEM);
	if (fd >= 0) {
		close(fd);
		unlink(file);
	}
	return i == count ? 0 : 1;
}
