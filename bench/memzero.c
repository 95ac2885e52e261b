// SPDX-License-Identifier: GPL-2.0
/*
 * memzero: how fast one CPU zeroes memory it already has, the limit the
 * machine sets for the pools' zeroing threads. Zeroes a populated buffer
 * of MIB MiB (larger than the caches) with three methods:
 *
 *   memset   glibc's memset (what the C library picks for this CPU)
 *   stosb    rep stosb, as the kernel's clear_page_erms()
 *   movnt    non-temporal 16-byte stores (movntdq), bypassing the caches
 *
 *   memzero MIB REPEAT [CPU]
 *
 * Runs pinned to CPU when given. Prints one line per method and repeat:
 * "cpu-METHOD PAGES NS_PER_PAGE" (4 KiB pages).
 */
#define _GNU_SOURCE
#include <emmintrin.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define PAGE	4096UL

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void zero_stosb(void *p, size_t len)
{
	asm volatile("rep stosb" : "+D"(p), "+c"(len) : "a"(0) : "memory");
}

static void zero_movnt(void *p, size_t len)
{
	__m128i z = _mm_setzero_si128();
	__m128i *q = p, *end = (__m128i *)((char *)p + len);

	for (; q < end; q += 4) {
		_mm_stream_si128(q, z);
		_mm_stream_si128(q + 1, z);
		_mm_stream_si128(q + 2, z);
		_mm_stream_si128(q + 3, z);
	}
	_mm_sfence();
}

static void zero_memset(void *p, size_t len)
{
	memset(p, 0, len);
	/* keep the compiler from dropping a memset of memory never read */
	asm volatile("" : : "r"(p) : "memory");
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void *p, size_t len);
	} methods[] = {
		{ "memset", zero_memset },
		{ "stosb", zero_stosb },
		{ "movnt", zero_movnt },
	};
	unsigned long mib, reps, r, m;
	char *end;
	size_t len;
	void *buf;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: memzero MIB REPEAT [CPU]\n");
		return 2;
	}
	mib = strtoul(argv[1], &end, 0);
	if (*end || !mib || mib > 65536) {
		fprintf(stderr, "memzero: MIB must be 1..65536, not '%s'\n", argv[1]);
		return 2;
	}
	reps = strtoul(argv[2], &end, 0);
	if (*end || !reps || reps > 1000) {
		fprintf(stderr, "memzero: REPEAT must be 1..1000, not '%s'\n", argv[2]);
		return 2;
	}
	if (argc == 4) {
		unsigned long cpu = strtoul(argv[3], &end, 0);
		cpu_set_t set;

		if (*end || cpu >= CPU_SETSIZE) {
			fprintf(stderr, "memzero: bad CPU '%s'\n", argv[3]);
			return 2;
		}
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			fprintf(stderr, "memzero: cannot run on CPU %lu: %s\n",
				cpu, strerror(errno));
			return 1;
		}
	}
	len = mib << 20;
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (buf == MAP_FAILED) {
		fprintf(stderr, "memzero: mmap %lu MiB: %s\n", mib, strerror(errno));
		return 1;
	}
	/* populated and written once: no page faults in the timed runs */
	memset(buf, 1, len);
	for (r = 0; r < reps; r++) {
		for (m = 0; m < sizeof(methods) / sizeof(methods[0]); m++) {
			double t0 = now_ns();

			methods[m].fn(buf, len);
			printf("cpu-%s %lu %.0f\n", methods[m].name, len / PAGE,
			       (now_ns() - t0) / (len / PAGE));
			fflush(stdout);
		}
	}
	munmap(buf, len);
	return 0;
}
