// SPDX-License-Identifier: GPL-2.0
/*
 * dormant: per-NUMA-node pools of zeroed pages, and one zeroing thread per node.
 *
 * Each served node keeps two lists of free pages that the module owns and
 * that are already zeroed: 4 KiB pages, and 2 MiB blocks (PMD-order folios)
 * for faults that can map a whole 2 MiB page. The node's thread, created
 * on and bound to the node at the lowest priority, refills a list from the
 * page allocator whenever it has fallen below its low watermark, up to its
 * high watermark, and keeps the node's pool at its reservation (pool_pages:
 * free plus in-use pages). A page the allocator hands over zeroed (Debian's
 * kernels run with init_on_alloc=1) is not zeroed again; the thread zeroes
 * the others. Pages an object gives up go back to the page allocator, whose
 * free lists are the pages "to be zeroed". See Documentation/design.rst.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/topology.h>

#include "compat.h"
#include "dormant.h"
#include "dormant_trace.h"

/* Defaults for every node; each node's pool_pages can be changed in sysfs. */
static unsigned long pool_pages_default = 8192;		/* 32 MiB */
static unsigned long zeroed_low = 1024;			/* 4 MiB */
static unsigned long zeroed_high = 4096;		/* 16 MiB */
static unsigned long huge_low = 16;			/* 32 MiB */
static unsigned long huge_high = 64;			/* 128 MiB */
static bool grow = true;
static bool zero_nocache = true;
static unsigned int huge_grow_max = 10;		/* percent of a node's memory */
static unsigned int zeroed_grow_max = 2;	/* likewise */

/* A grown list halves after this long without running dry. */
#define DEMAND_DECAY	(300 * HZ)
static unsigned int cpu_budget_default = 100;	/* percent of one CPU */

/*
 * Parse a page count written to the setting @what (a module parameter or
 * a node's sysfs file); a log line names the setting and the bad value.
 */
int dormant_parse_pages(const char *what, const char *val, unsigned long *n)
{
	if (kstrtoul(val, 0, n) || *n > DORMANT_MAX_PAGES) {
		pr_warn("%s: '%.32s' is not a page count up to %lu\n", what,
			val, DORMANT_MAX_PAGES);
		return -EINVAL;
	}
	return 0;
}

static int param_set_pool_pages(const char *val, const struct kernel_param *kp)
{
	unsigned long n;
	int nid;

	if (dormant_parse_pages(kp->name, val, &n))
		return -EINVAL;
	WRITE_ONCE(pool_pages_default, n);
	/* At load the nodes do not exist yet; they start from the default. */
	for_each_node_mask(nid, dormant_node_mask)
		dormant_pool_set_target(&dormant_nodes[nid]->pool, n);
	return 0;
}

static const struct kernel_param_ops pool_pages_ops = {
	.set = param_set_pool_pages,
	.get = param_get_ulong,
};
module_param_cb(pool_pages, &pool_pages_ops, &pool_pages_default, 0644);
MODULE_PARM_DESC(pool_pages,
		 "Pages each node's pool holds at least (free + in use); writing it sets every node (default 8192)");

/* Each pair of watermarks must stay ordered: low < high (huge: low <= high). */
static int param_set_watermark(const char *val, const struct kernel_param *kp)
{
	bool is_huge = kp->arg == &huge_low || kp->arg == &huge_high;
	unsigned long *lowp = is_huge ? &huge_low : &zeroed_low;
	unsigned long *highp = is_huge ? &huge_high : &zeroed_high;
	unsigned long n, low, high;
	int nid;

	if (dormant_parse_pages(kp->name, val, &n))
		return -EINVAL;
	if (is_huge && n > DORMANT_MAX_PAGES / DORMANT_2M_PAGES) {
		pr_warn("%s: %lu refused: more than %lu blocks of 2 MiB\n",
			kp->name, n, DORMANT_MAX_PAGES / DORMANT_2M_PAGES);
		return -EINVAL;
	}
	low = kp->arg == lowp ? n : READ_ONCE(*lowp);
	high = kp->arg == highp ? n : READ_ONCE(*highp);
	if (is_huge ? low > high : low >= high) {
		pr_warn("%s: %lu refused: %s (%lu) must stay below %s (%lu)\n",
			kp->name, n, is_huge ? "huge_low" : "zeroed_low", low,
			is_huge ? "huge_high" : "zeroed_high", high);
		return -EINVAL;
	}
	WRITE_ONCE(*(unsigned long *)kp->arg, n);
	for_each_node_mask(nid, dormant_node_mask) {
		/* a new high watermark starts its lists' growth over */
		if (kp->arg == highp)
			WRITE_ONCE(dormant_nodes[nid]->pool.demand[is_huge], 0);
		dormant_pool_kick(&dormant_nodes[nid]->pool);
	}
	return 0;
}

static const struct kernel_param_ops watermark_ops = {
	.set = param_set_watermark,
	.get = param_get_ulong,
};
module_param_cb(zeroed_low, &watermark_ops, &zeroed_low, 0644);
MODULE_PARM_DESC(zeroed_low,
		 "A node's thread refills its 4 KiB list when it falls below this many pages (default 1024)");
module_param_cb(zeroed_high, &watermark_ops, &zeroed_high, 0644);
MODULE_PARM_DESC(zeroed_high,
		 "...and stops when the list holds this many (default 4096)");
module_param_cb(huge_low, &watermark_ops, &huge_low, 0644);
MODULE_PARM_DESC(huge_low,
		 "A node's thread refills its 2 MiB list when it falls below this many blocks (default 16)");
module_param_cb(huge_high, &watermark_ops, &huge_high, 0644);
MODULE_PARM_DESC(huge_high,
		 "...and stops when the list holds this many; 0: no 2 MiB blocks in the pools (default 64)");

static int param_set_grow(const char *val, const struct kernel_param *kp)
{
	int nid, ret = dormant_param_set_bool(val, kp);

	if (ret)
		return ret;
	for_each_node_mask(nid, dormant_node_mask)
		dormant_pool_kick(&dormant_nodes[nid]->pool);
	return 0;
}

static const struct kernel_param_ops grow_ops = {
	.set = param_set_grow,
	.get = param_get_bool,
};
module_param_cb(grow, &grow_ops, &grow, 0644);
MODULE_PARM_DESC(grow,
		 "Pools may take pages from the page allocator beyond pool_pages (default Y)");

static int param_set_grow_max(const char *val, const struct kernel_param *kp)
{
	unsigned int n;

	if (kstrtouint(val, 0, &n) || n > 100) {
		pr_warn("%s: '%.32s' is not a percentage from 0 to 100\n",
			kp->name, val);
		return -EINVAL;
	}
	WRITE_ONCE(*(unsigned int *)kp->arg, n);
	return 0;
}

static const struct kernel_param_ops grow_max_ops = {
	.set = param_set_grow_max,
	.get = param_get_uint,
};
module_param_cb(huge_grow_max, &grow_max_ops, &huge_grow_max, 0644);
MODULE_PARM_DESC(huge_grow_max,
		 "A node's 2 MiB list grows past huge_high, when faults find it empty, up to this share of the node's memory in percent (default 10; 0: never)");
module_param_cb(zeroed_grow_max, &grow_max_ops, &zeroed_grow_max, 0644);
MODULE_PARM_DESC(zeroed_grow_max,
		 "A node's 4 KiB list grows past zeroed_high, when faults find it empty, up to this share of the node's memory in percent (default 2; 0: never)");

module_param_cb(zero_nocache, &dormant_bool_ops, &zero_nocache, 0644);
MODULE_PARM_DESC(zero_nocache,
		 "The threads zero with non-temporal stores, N: with clear_page() (rep stosb) (default Y)");

/* Parse a CPU budget (percent of one CPU, 1-100) for the setting @what. */
int dormant_parse_budget(const char *what, const char *val, unsigned int *n)
{
	if (kstrtouint(val, 0, n) || *n < 1 || *n > 100) {
		pr_warn("%s: '%.32s' is not a percentage of one CPU from 1 to 100\n",
			what, val);
		return -EINVAL;
	}
	return 0;
}

static int param_set_budget(const char *val, const struct kernel_param *kp)
{
	unsigned int n;
	int nid;

	if (dormant_parse_budget(kp->name, val, &n))
		return -EINVAL;
	WRITE_ONCE(cpu_budget_default, n);
	for_each_node_mask(nid, dormant_node_mask)
		dormant_pool_set_budget(&dormant_nodes[nid]->pool, n);
	return 0;
}

static const struct kernel_param_ops budget_ops = {
	.set = param_set_budget,
	.get = param_get_uint,
};
module_param_cb(cpu_budget, &budget_ops, &cpu_budget_default, 0644);
MODULE_PARM_DESC(cpu_budget,
		 "Share of one CPU (percent) each node's thread may use; writing it sets every node (default 100)");

/*
 * Debugging aid (verify=1): every page a fault takes is checked to be all
 * zeros. A mismatch is a kernel log line naming the page and a WARN. Costs
 * a read of every page a fault takes.
 */
static bool verify;

/* A boolean module parameter whose bad values are named in the log. */
int dormant_param_set_bool(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_bool(val, kp);

	if (ret)
		pr_warn("%s: '%.32s' is not a boolean\n", kp->name, val);
	return ret;
}

const struct kernel_param_ops dormant_bool_ops = {
	.set = dormant_param_set_bool,
	.get = param_get_bool,
};
module_param_cb(verify, &dormant_bool_ops, &verify, 0644);
MODULE_PARM_DESC(verify,
		 "Debug: check that every fault gets a zeroed page (slow; default N)");

/* Complain if a page of @folio is not all zeros. */
static void pool_check(struct folio *folio)
{
	long i, nr = folio_nr_pages(folio);

	for (i = 0; i < nr; i++) {
		struct page *page = folio_page(folio, i);
		u8 *addr = kmap_local_page(page);
		u8 *bad = memchr_inv(addr, 0, PAGE_SIZE);

		if (bad) {
			pr_err("verify: fault's page (pfn 0x%lx, node %d) has 0x%02x at offset 0x%lx, expected 0\n",
			       page_to_pfn(page), page_to_nid(page), *bad,
			       (unsigned long)(bad - addr));
			WARN_ON_ONCE(1);
		}
		kunmap_local(addr);
		if (bad)
			break;
	}
}

const char * const dormant_stat_names[DN_NR_STATS] = {
	[DN_FAULT_ZEROED] = "fault_zeroed",
	[DN_FAULT_ZEROED_2M] = "fault_zeroed_2m",
	[DN_FAULT_ALLOC] = "fault_alloc",
	[DN_FAULT_OTHER_NODE] = "fault_other_node",
	[DN_FAULT_FAILED] = "fault_failed",
	[DN_FAULT_2M_FALLBACK] = "fault_2m_fallback",
	[DN_ZEROED_BG] = "zeroed_background",
	[DN_ZEROED_INLINE] = "zeroed_inline",
	[DN_ZEROED_ALLOCATOR] = "zeroed_by_allocator",
	[DN_DISCARDED] = "discarded",
	[DN_ALLOCATED] = "allocated",
	[DN_FREED] = "freed",
	[DN_SHRUNK] = "shrunk",
	[DN_ALLOC_FAILED] = "alloc_failed",
};

static inline void pool_count(struct dormant_pool *pool, enum dormant_stat s)
{
	atomic_long_inc(&pool->stats[s]);
}

static inline void pool_add(struct dormant_pool *pool, enum dormant_stat s,
			    long n)
{
	atomic_long_add(n, &pool->stats[s]);
}

/* Free pages (in 4 KiB pages) on the two lists. */
static unsigned long pool_free(struct dormant_pool *pool)
	__must_hold(&pool->lock)
{
	return pool->nr_zeroed + pool->nr_zeroed_2m * DORMANT_2M_PAGES;
}

/* Free pages plus pages in use: the pool's size. */
static unsigned long pool_total(struct dormant_pool *pool)
	__must_hold(&pool->lock)
{
	return pool_free(pool) + atomic_long_read(&pool->in_use);
}

/*
 * May the pool grow beyond its reservation now? Not with grow=N, nor for
 * a second after the shrinker took pages back (the node is short of
 * memory: refilling at once would undo it).
 */
static bool pool_in_backoff(struct dormant_pool *pool)
{
	return time_before(jiffies, READ_ONCE(pool->backoff_until));
}

static bool pool_may_grow(struct dormant_pool *pool)
{
	return READ_ONCE(grow) && !pool_in_backoff(pool);
}

/*
 * A list's high watermark now: its parameter (zeroed_high in pages,
 * huge_high in 2 MiB blocks), or what demand grew it to. 0 for the 2 MiB
 * list means no 2 MiB blocks at all, and stays 0.
 */
unsigned long dormant_pool_high(struct dormant_pool *pool, bool huge)
{
	unsigned long high = huge ? READ_ONCE(huge_high) : READ_ONCE(zeroed_high);

	return high ? max(high, READ_ONCE(pool->demand[huge])) : 0;
}

/*
 * A fault found a list empty: raise its high watermark, within
 * huge_grow_max (2 MiB) or zeroed_grow_max (4 KiB) percent of the node's
 * memory, so that the next boot like this one finds its pages zeroed. The
 * 2 MiB list's doubles (a boot's 2 MiB faults are few and come in runs);
 * the 4 KiB list's grows by one page per such fault (a burst of hundreds
 * of misses would double it to its cap at once).
 */
static void pool_list_dry(struct dormant_pool *pool, bool huge)
	__must_hold(&pool->lock)
{
	unsigned long high = dormant_pool_high(pool, huge), cap, want;

	pool->dry_at[huge] = jiffies;
	if (!high)
		return;
	cap = node_present_pages(pool->nid) / 100 *
	      (huge ? READ_ONCE(huge_grow_max) : READ_ONCE(zeroed_grow_max));
	if (huge)
		cap /= DORMANT_2M_PAGES;
	want = huge ? high * 2 : high + 1;
	if (want <= cap)
		WRITE_ONCE(pool->demand[huge], want);
	else if (cap > high)
		WRITE_ONCE(pool->demand[huge], cap);
}

/* Half of what demand added, once the list has not run dry for a while. */
static void pool_demand_decay(struct dormant_pool *pool, bool huge)
	__must_hold(&pool->lock)
{
	unsigned long high = huge ? READ_ONCE(huge_high) : READ_ONCE(zeroed_high);
	unsigned long target = READ_ONCE(pool->demand[huge]);

	if (target > high &&
	    time_after(jiffies, pool->dry_at[huge] + DEMAND_DECAY)) {
		WRITE_ONCE(pool->demand[huge], max(high, target / 2));
		pool->dry_at[huge] = jiffies;
	}
}

/* The free pages the reservation (pool_pages, free + in use) keeps. */
static unsigned long pool_reserved_free(struct dormant_pool *pool)
	__must_hold(&pool->lock)
{
	unsigned long in_use = atomic_long_read(&pool->in_use);
	unsigned long target = READ_ONCE(pool->target);

	return target > in_use ? target - in_use : 0;
}

/*
 * How many free pages the pool keeps: what its reservation leaves, and,
 * when it may grow, at least both high watermarks.
 */
static unsigned long pool_free_limit(struct dormant_pool *pool)
	__must_hold(&pool->lock)
{
	unsigned long keep = pool_reserved_free(pool);

	if (pool_may_grow(pool))
		keep = max(keep, dormant_pool_high(pool, false) +
			   dormant_pool_high(pool, true) * DORMANT_2M_PAGES);
	return keep;
}

/* What the thread has to do next; see dormant_zero_thread(). */
enum pool_work {
	PW_NONE,
	PW_TRIM,	/* give a 4 KiB page back to the page allocator */
	PW_TRIM_2M,	/* ...a 2 MiB block */
	PW_FILL,	/* allocate and zero a 4 KiB page */
	PW_FILL_2M,	/* ...a 2 MiB block */
};

/* May the pool take @nr more pages from the page allocator? */
static bool pool_may_take(struct dormant_pool *pool, unsigned long nr)
	__must_hold(&pool->lock)
{
	return pool_may_grow(pool) ||
	       pool_total(pool) + nr <= READ_ONCE(pool->target);
}

static enum pool_work pool_next_work(struct dormant_pool *pool)
	__must_hold(&pool->lock)
{
	unsigned long total = pool_total(pool);
	unsigned long target = READ_ONCE(pool->target);
	unsigned long h_high = dormant_pool_high(pool, true);

	if (pool_free(pool) > pool_free_limit(pool)) {
		/* 4 KiB pages first, unless they are within their watermark */
		if (pool->nr_zeroed &&
		    (pool->nr_zeroed > dormant_pool_high(pool, false) ||
		     !pool->nr_zeroed_2m))
			return PW_TRIM;
		return PW_TRIM_2M;
	}
	if (pool->refilling_2m && pool->nr_zeroed_2m < h_high &&
	    !pool->alloc_failed_2m && pool_may_take(pool, DORMANT_2M_PAGES))
		return PW_FILL_2M;
	if (pool->refilling && pool->nr_zeroed < dormant_pool_high(pool, false) &&
	    !pool->alloc_failed && pool_may_take(pool, 1))
		return PW_FILL;
	/* Below the reservation: take what is missing, in 2 MiB if it fits. */
	if (total + DORMANT_2M_PAGES <= target && h_high &&
	    !pool->alloc_failed_2m)
		return PW_FILL_2M;
	if (total < target && !pool->alloc_failed)
		return PW_FILL;
	return PW_NONE;
}

/* Nothing to do: refills end here until the next low watermark. */
static void pool_idle(struct dormant_pool *pool)
	__must_hold(&pool->lock)
{
	pool_demand_decay(pool, false);
	pool_demand_decay(pool, true);
	if (!pool->alloc_failed)
		pool->refilling = false;
	if (!pool->alloc_failed_2m)
		pool->refilling_2m = false;
}

static bool pool_has_work(struct dormant_pool *pool)
{
	enum pool_work w;

	spin_lock(&pool->lock);
	w = pool_next_work(pool);
	if (w == PW_NONE)
		pool_idle(pool);
	spin_unlock(&pool->lock);
	return w != PW_NONE;
}

/*
 * Zero a page with non-temporal (cache-bypassing) stores, as a page that
 * waits in a pool should be: clear_page()'s rep stosb would fill the
 * caches with it. The kernel exports no such helper (clear_page_nocache()
 * was proposed once and never merged). The caller orders the stores with
 * wmb() (sfence) before the page is handed out.
 */
static void pool_clear_page_nocache(struct page *page)
{
#ifdef CONFIG_X86_64
	u64 *p = kmap_local_page(page);
	unsigned int i;

	for (i = 0; i < PAGE_SIZE / sizeof(*p); i += 8)
		asm volatile("movnti %1, 0(%0)\n\t"
			     "movnti %1, 8(%0)\n\t"
			     "movnti %1, 16(%0)\n\t"
			     "movnti %1, 24(%0)\n\t"
			     "movnti %1, 32(%0)\n\t"
			     "movnti %1, 40(%0)\n\t"
			     "movnti %1, 48(%0)\n\t"
			     "movnti %1, 56(%0)"
			     : : "r"(p + i), "r"(0ULL) : "memory");
	kunmap_local(p);
#else
	clear_highpage(page);
#endif
}

#define POOL_GFP	(GFP_HIGHUSER | __GFP_THISNODE | __GFP_NORETRY | \
			 __GFP_NOWARN)

/*
 * A fresh zeroed folio of @order from the pool's node, or NULL. The page
 * allocator zeroes it itself when init_on_alloc is on; otherwise it is
 * zeroed here and counted as @zeroed_by (in the background or inline).
 */
static struct folio *pool_alloc_zeroed(struct dormant_pool *pool,
				       unsigned int order,
				       enum dormant_stat zeroed_by)
{
	long i, nr = 1L << order;
	struct folio *folio;

	folio = __folio_alloc_node(POOL_GFP, order, pool->nid);
	if (!folio) {
		pool_count(pool, DN_ALLOC_FAILED);
		return NULL;
	}
	pool_add(pool, DN_ALLOCATED, nr);
	if (want_init_on_alloc(POOL_GFP)) {
		pool_add(pool, DN_ZEROED_ALLOCATOR, nr);
		return folio;
	}
	for (i = 0; i < nr; i++) {
		/* the threads' pages wait in the pool: keep them out of the cache */
		if (zeroed_by == DN_ZEROED_BG && READ_ONCE(zero_nocache)) {
			pool_clear_page_nocache(folio_page(folio, i));
			cond_resched();
		} else {
			clear_highpage(folio_page(folio, i));
		}
	}
	if (zeroed_by == DN_ZEROED_BG && READ_ONCE(zero_nocache))
		wmb();	/* non-temporal stores before the folio is listed */
	pool_add(pool, zeroed_by, nr);
	trace_dormant_zero(pool->nid, order, zeroed_by == DN_ZEROED_BG);
	return folio;
}

static void pool_free_folio(struct dormant_pool *pool, struct folio *folio)
{
	pool_add(pool, DN_FREED, folio_nr_pages(folio));
	folio_put(folio);
}

/* Put a zeroed folio on its list. */
static void pool_list_add(struct dormant_pool *pool, struct folio *folio)
	__must_hold(&pool->lock)
{
	if (folio_test_large(folio)) {
		list_add(&folio->lru, &pool->zeroed_2m);
		pool->nr_zeroed_2m++;
	} else {
		list_add(&folio->lru, &pool->zeroed);
		pool->nr_zeroed++;
	}
}

/* Take a folio off the 4 KiB (@order 0) or 2 MiB list, or NULL. */
static struct folio *pool_list_take(struct dormant_pool *pool,
				    unsigned int order)
	__must_hold(&pool->lock)
{
	struct folio *folio;

	if (order) {
		folio = list_first_entry_or_null(&pool->zeroed_2m, struct folio,
						 lru);
		if (folio)
			pool->nr_zeroed_2m--;
	} else {
		folio = list_first_entry_or_null(&pool->zeroed, struct folio,
						 lru);
		if (folio)
			pool->nr_zeroed--;
	}
	if (folio)
		list_del(&folio->lru);
	return folio;
}

/*
 * Do one folio's worth of work; false when there was nothing to do. The
 * lock is never held while a page is zeroed or allocated.
 */
static bool pool_work_one(struct dormant_pool *pool)
{
	struct folio *folio = NULL;
	unsigned int order = 0;
	enum pool_work w;

	spin_lock(&pool->lock);
	w = pool_next_work(pool);
	switch (w) {
	case PW_TRIM:
		folio = pool_list_take(pool, 0);
		break;
	case PW_TRIM_2M:
		folio = pool_list_take(pool, DORMANT_2M_ORDER);
		break;
	case PW_NONE:
		pool_idle(pool);
		break;
	default:
		break;
	}
	spin_unlock(&pool->lock);

	switch (w) {
	case PW_NONE:
		return false;
	case PW_TRIM:
	case PW_TRIM_2M:
		if (folio)
			pool_free_folio(pool, folio);
		return true;
	case PW_FILL_2M:
		order = DORMANT_2M_ORDER;
		fallthrough;
	case PW_FILL:
		folio = pool_alloc_zeroed(pool, order, DN_ZEROED_BG);
		break;
	}

	spin_lock(&pool->lock);
	if (folio) {
		pool_list_add(pool, folio);
	} else if (order) {
		/* No 2 MiB block to be had: stop trying until the next kick. */
		pool->alloc_failed_2m = true;
	} else {
		/* The node is short of memory: stop until the next kick. */
		pool->alloc_failed = true;
	}
	spin_unlock(&pool->lock);
	return true;
}

/*
 * Keep the thread within its node's CPU budget: after @busy ns of work it
 * sleeps busy * (100 - budget) / budget ns, once that is a jiffy or more.
 * Returns the busy time not yet slept for.
 */
static u64 pool_budget_sleep(struct dormant_pool *pool, u64 busy)
{
	unsigned int budget = READ_ONCE(pool->cpu_budget);
	u64 sleep_ns;

	if (budget >= 100)
		return 0;
	sleep_ns = div_u64(busy * (100 - budget), budget);
	if (sleep_ns < jiffies_to_nsecs(1))
		return busy;
	schedule_timeout_interruptible(nsecs_to_jiffies(sleep_ns));
	return 0;
}

static int dormant_zero_thread(void *data)
{
	struct dormant_pool *pool = data;
	u64 busy = 0, t0;

	/* Background work: never take CPU time a vCPU wants. */
	set_user_nice(current, MAX_NICE);
	while (!kthread_should_stop()) {
		t0 = ktime_get_ns();
		if (pool_work_one(pool)) {
			busy = pool_budget_sleep(pool,
						 busy + ktime_get_ns() - t0);
			cond_resched();
			continue;
		}
		if (READ_ONCE(pool->alloc_failed) ||
		    READ_ONCE(pool->alloc_failed_2m) || pool_in_backoff(pool)) {
			/* The node was short of memory: try again in a while. */
			wait_event_interruptible_timeout(pool->wait,
							 kthread_should_stop(),
							 HZ);
			spin_lock(&pool->lock);
			pool->alloc_failed = false;
			pool->alloc_failed_2m = false;
			pool->refilling = true;
			pool->refilling_2m = true;
			spin_unlock(&pool->lock);
			continue;
		}
		/* (a grown list wakes it to decay) */
		wait_event_interruptible_timeout(pool->wait,
						 kthread_should_stop() ||
						 pool_has_work(pool) ||
						 pool_in_backoff(pool),
						 READ_ONCE(pool->demand[0]) ||
						 READ_ONCE(pool->demand[1]) ?
						 DEMAND_DECAY :
						 MAX_SCHEDULE_TIMEOUT);
	}
	return 0;
}

/* Start a refill (and allow allocation again) and wake the node's thread. */
void dormant_pool_kick(struct dormant_pool *pool)
{
	spin_lock(&pool->lock);
	pool->refilling = true;
	pool->refilling_2m = true;
	pool->alloc_failed = false;
	pool->alloc_failed_2m = false;
	spin_unlock(&pool->lock);
	wake_up(&pool->wait);
}

/* (the thread's budget sleeps are a jiffy or two: it sees this soon) */
void dormant_pool_set_budget(struct dormant_pool *pool, unsigned int percent)
{
	WRITE_ONCE(pool->cpu_budget, percent);
}

void dormant_pool_set_target(struct dormant_pool *pool, unsigned long pages)
{
	WRITE_ONCE(pool->target, pages);
	dormant_pool_kick(pool);
}

/*
 * Take a zeroed folio of @order from one node's pool for the fault path:
 * from its list, else (growth allowed) a fresh one of that node, zeroed on
 * the spot. @path gets the DN_FAULT_* that served it.
 */
static struct folio *pool_take(struct dormant_pool *pool, unsigned int order,
			       enum dormant_stat *path)
{
	long nr = 1L << order;
	struct folio *folio;
	bool wake = false;

	spin_lock(&pool->lock);
	folio = pool_list_take(pool, order);
	if (folio) {
		atomic_long_add(nr, &pool->in_use);
		*path = order ? DN_FAULT_ZEROED_2M : DN_FAULT_ZEROED;
	} else {
		pool_list_dry(pool, order);
	}
	if (order && pool->nr_zeroed_2m < READ_ONCE(huge_low) &&
	    !pool->refilling_2m) {
		pool->refilling_2m = true;
		pool->alloc_failed_2m = false;
		wake = true;
	}
	if (!order && pool->nr_zeroed < READ_ONCE(zeroed_low) &&
	    !pool->refilling) {
		pool->refilling = true;
		pool->alloc_failed = false;
		wake = true;
	}
	spin_unlock(&pool->lock);
	if (wake)
		wake_up(&pool->wait);
	/* (a fault may grow the pool under pressure too: it needs the page) */
	if (folio || !READ_ONCE(grow))
		return folio;

	folio = pool_alloc_zeroed(pool, order, DN_ZEROED_INLINE);
	if (!folio)
		return NULL;
	atomic_long_add(nr, &pool->in_use);
	*path = DN_FAULT_ALLOC;
	return folio;
}

/*
 * The fault path's folio of @order (0, or DORMANT_2M_ORDER): zeroed, with
 * one reference (the caller's), from node @nid's pool, or else, for 4 KiB,
 * from the nearest other node in @allowed. Counts how it was served on
 * @nid's pool and in @served (a DN_FAULT_*). NULL if none could be had; a
 * 2 MiB fault then falls back to 4 KiB, which the caller counts.
 */
struct folio *dormant_pool_get(int nid, const nodemask_t *allowed,
			       unsigned int order, int *served)
{
	struct dormant_pool *pool;
	enum dormant_stat path;
	struct folio *folio;
	nodemask_t tried;

	nodes_clear(tried);
	if (node_isset(nid, dormant_node_mask) && node_isset(nid, *allowed)) {
		pool = &dormant_nodes[nid]->pool;
		folio = pool_take(pool, order, &path);
		if (folio) {
			if (READ_ONCE(verify))
				pool_check(folio);
			pool_count(pool, path);
			*served = path;
			return folio;
		}
		node_set(nid, tried);
	}
	/* A 2 MiB page from afar is worse than 4 KiB pages from nearby. */
	if (order)
		return NULL;
	for (;;) {
		int n, best = NUMA_NO_NODE;

		for_each_node_mask(n, dormant_node_mask) {
			if (node_isset(n, tried) || !node_isset(n, *allowed))
				continue;
			if (best == NUMA_NO_NODE ||
			    node_distance(nid, n) < node_distance(nid, best))
				best = n;
		}
		if (best == NUMA_NO_NODE)
			break;
		node_set(best, tried);
		folio = pool_take(&dormant_nodes[best]->pool, 0, &path);
		if (folio) {
			if (READ_ONCE(verify))
				pool_check(folio);
			if (node_isset(nid, dormant_node_mask))
				pool_count(&dormant_nodes[nid]->pool,
					   DN_FAULT_OTHER_NODE);
			*served = DN_FAULT_OTHER_NODE;
			return folio;
		}
	}
	if (node_isset(nid, dormant_node_mask))
		pool_count(&dormant_nodes[nid]->pool, DN_FAULT_FAILED);
	return NULL;
}

/* A 2 MiB fault on node @nid got no 2 MiB page and takes 4 KiB. */
void dormant_pool_count_fallback(int nid)
{
	if (node_isset(nid, dormant_node_mask))
		pool_count(&dormant_nodes[nid]->pool, DN_FAULT_2M_FALLBACK);
}

/* A folio from dormant_pool_get() that was not used: it is still zero. */
void dormant_pool_put_zeroed(struct folio *folio)
{
	struct dormant_pool *pool = &dormant_nodes[folio_nid(folio)]->pool;

	spin_lock(&pool->lock);
	atomic_long_sub(folio_nr_pages(folio), &pool->in_use);
	pool_list_add(pool, folio);
	spin_unlock(&pool->lock);
}

/* @pages of node @nid left an object's page cache: count them gone. */
void dormant_pool_lost(int nid, unsigned long pages)
{
	struct dormant_pool *pool = &dormant_nodes[nid]->pool;

	atomic_long_sub(pages, &pool->in_use);
	pool_add(pool, DN_DISCARDED, pages);
	/* below the reservation now? */
	if (READ_ONCE(pool->target))
		wake_up(&pool->wait);
}

/*
 * An object's folio left its page cache (discard, truncation, object
 * gone): the page cache's free_folio callback. Its pages go back to the
 * page allocator with the page cache's last reference (they may still be
 * pinned for a while); the pool counts them out.
 */
void dormant_pool_gone(struct folio *folio)
{
	dormant_pool_lost(folio_nid(folio), folio_nr_pages(folio));
}

/*
 * The shrinker: under memory pressure on a node, its pool gives back the
 * free pages beyond its reservation, 4 KiB pages first, and keeps no more
 * than the reservation for a second.
 */
static struct shrinker *dormant_shrinker;

static struct dormant_pool *shrink_pool(struct shrink_control *sc)
{
	if (sc->nid < 0 || sc->nid >= MAX_NUMNODES ||
	    !node_isset(sc->nid, dormant_node_mask))
		return NULL;
	return &dormant_nodes[sc->nid]->pool;
}

static unsigned long dormant_shrink_count(struct shrinker *sh,
					  struct shrink_control *sc)
{
	struct dormant_pool *pool = shrink_pool(sc);
	unsigned long n = 0, free, keep;

	if (!pool)
		return SHRINK_EMPTY;
	spin_lock(&pool->lock);
	free = pool_free(pool);
	keep = pool_reserved_free(pool);
	if (free > keep)
		n = free - keep;
	spin_unlock(&pool->lock);
	return n ? n : SHRINK_EMPTY;
}

static unsigned long dormant_shrink_scan(struct shrinker *sh,
					 struct shrink_control *sc)
{
	struct dormant_pool *pool = shrink_pool(sc);
	unsigned long freed = 0;
	struct folio *folio;

	if (!pool)
		return SHRINK_STOP;
	WRITE_ONCE(pool->backoff_until, jiffies + HZ);
	/* demand yields to pressure */
	WRITE_ONCE(pool->demand[0], 0);
	WRITE_ONCE(pool->demand[1], 0);
	while (freed < sc->nr_to_scan) {
		spin_lock(&pool->lock);
		folio = NULL;
		if (pool_free(pool) > pool_reserved_free(pool))
			folio = pool_list_take(pool, pool->nr_zeroed ? 0 :
					       DORMANT_2M_ORDER);
		spin_unlock(&pool->lock);
		if (!folio)
			break;
		freed += folio_nr_pages(folio);
		pool_add(pool, DN_SHRUNK, folio_nr_pages(folio));
		pool_free_folio(pool, folio);
	}
	/* the thread waits out the backoff, then refills */
	wake_up(&pool->wait);
	return freed ? freed : SHRINK_STOP;
}

/* After the nodes' pools exist; before they go. */
int dormant_pool_shrinker_init(void)
{
	dormant_shrinker = dormant_shrinker_create(dormant_shrink_count,
						   dormant_shrink_scan,
						   "dormant-pools");
	return dormant_shrinker ? 0 : -ENOMEM;
}

void dormant_pool_shrinker_exit(void)
{
	dormant_shrinker_destroy(dormant_shrinker);
}

void dormant_pool_read(struct dormant_pool *pool, struct dormant_pool_snapshot *s)
{
	int i;

	spin_lock(&pool->lock);
	s->nr_zeroed = pool->nr_zeroed;
	s->nr_zeroed_2m = pool->nr_zeroed_2m;
	s->in_use = atomic_long_read(&pool->in_use);
	spin_unlock(&pool->lock);
	s->target = READ_ONCE(pool->target);
	for (i = 0; i < DN_NR_STATS; i++)
		s->stats[i] = atomic_long_read(&pool->stats[i]);
}

static void pool_free_list(struct list_head *list)
{
	struct folio *folio, *tmp;

	list_for_each_entry_safe(folio, tmp, list, lru) {
		list_del(&folio->lru);
		folio_put(folio);
	}
}

int dormant_pool_start(struct dormant_pool *pool, int nid)
{
	struct task_struct *t;
	const struct cpumask *cpus = cpumask_of_node(nid);

	pool->nid = nid;
	spin_lock_init(&pool->lock);
	INIT_LIST_HEAD(&pool->zeroed);
	INIT_LIST_HEAD(&pool->zeroed_2m);
	init_waitqueue_head(&pool->wait);
	pool->target = READ_ONCE(pool_pages_default);
	pool->cpu_budget = READ_ONCE(cpu_budget_default);
	pool->refilling = true;
	pool->refilling_2m = true;

	t = kthread_create_on_node(dormant_zero_thread, pool, nid,
				   "dormant_zero/%d", nid);
	if (IS_ERR(t))
		return PTR_ERR(t);
	/* A memory-only node has no CPUs: its thread may run anywhere. */
	if (!cpumask_empty(cpus))
		set_cpus_allowed_ptr(t, cpus);
	pool->thread = t;
	wake_up_process(t);
	return 0;
}

/* Stop the thread and give every free page back; all objects are gone. */
void dormant_pool_stop(struct dormant_pool *pool)
{
	long in_use;

	if (!pool->thread)
		return;
	kthread_stop(pool->thread);
	pool->thread = NULL;
	pool_free_list(&pool->zeroed);
	pool_free_list(&pool->zeroed_2m);
	pool->nr_zeroed = 0;
	pool->nr_zeroed_2m = 0;
	in_use = atomic_long_read(&pool->in_use);
	WARN(in_use, "dormant: node %d: %ld pages still in use at unload\n",
	     pool->nid, in_use);
}
