// SPDX-License-Identifier: GPL-2.0
/*
 * dormant: per-NUMA-node pools of free pages, and one zeroing thread per node.
 *
 * Each served node has two lists of free pages that the module owns: pages
 * *to be zeroed* (discarded by guests, or fresh from the page allocator) and
 * pages *already zeroed*. The node's thread, created on and bound to the
 * node at the lowest priority, moves pages from the first list to the second
 * whenever the zeroed list has fallen below the low watermark, until it
 * reaches the high watermark. It also keeps the node's pool at its
 * reservation (pool_pages: free plus in-use pages) by allocating from the
 * page allocator, and, when growth is allowed, allocates fresh pages to reach
 * the high watermark. See Documentation/design.rst.
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

#include "dormant.h"
#include "dormant_trace.h"

/* Defaults for every node; each node's pool_pages can be changed in sysfs. */
static unsigned long pool_pages_default = 8192;		/* 32 MiB */
static unsigned long zeroed_low = 1024;			/* 4 MiB */
static unsigned long zeroed_high = 4096;		/* 16 MiB */
static bool grow = true;

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

/* The watermarks must stay ordered: low < high. */
static int param_set_watermark(const char *val, const struct kernel_param *kp)
{
	unsigned long n, low, high;
	int nid;

	if (dormant_parse_pages(kp->name, val, &n))
		return -EINVAL;
	low = kp->arg == &zeroed_low ? n : READ_ONCE(zeroed_low);
	high = kp->arg == &zeroed_high ? n : READ_ONCE(zeroed_high);
	if (low >= high) {
		pr_warn("%s: %lu refused: zeroed_low (%lu) must stay below zeroed_high (%lu)\n",
			kp->name, n, low, high);
		return -EINVAL;
	}
	WRITE_ONCE(*(unsigned long *)kp->arg, n);
	for_each_node_mask(nid, dormant_node_mask)
		dormant_pool_kick(&dormant_nodes[nid]->pool);
	return 0;
}

static const struct kernel_param_ops watermark_ops = {
	.set = param_set_watermark,
	.get = param_get_ulong,
};
module_param_cb(zeroed_low, &watermark_ops, &zeroed_low, 0644);
MODULE_PARM_DESC(zeroed_low,
		 "A node's thread starts zeroing when its zeroed list falls below this many pages (default 1024)");
module_param_cb(zeroed_high, &watermark_ops, &zeroed_high, 0644);
MODULE_PARM_DESC(zeroed_high,
		 "...and stops when the list holds this many (default 4096)");

static int param_set_grow(const char *val, const struct kernel_param *kp)
{
	int nid, ret = param_set_bool(val, kp);

	if (ret) {
		pr_warn("grow: '%s' is not a boolean\n", val);
		return ret;
	}
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

/*
 * Debugging aid (verify=1): every page a fault takes is checked to be all
 * zeros, and every page waiting on a to-be-zeroed list is filled with
 * DORMANT_POISON and checked before it is zeroed, so that a write through
 * a mapping that should be gone is caught. A mismatch is a kernel log line
 * naming the page and a WARN. Costs a page write and a page read per page.
 */
static bool verify;

#define DORMANT_POISON		0x5a
/* page->private of a free pool page filled with DORMANT_POISON */
#define DORMANT_POISONED	0x646f726dUL

static int param_set_verify(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_bool(val, kp);

	if (ret)
		pr_warn("verify: '%s' is not a boolean\n", val);
	return ret;
}

static const struct kernel_param_ops verify_ops = {
	.set = param_set_verify,
	.get = param_get_bool,
};
module_param_cb(verify, &verify_ops, &verify, 0644);
MODULE_PARM_DESC(verify,
		 "Debug: check that faults get zeroed pages and that nobody writes to pages waiting to be zeroed (slow; default N)");

/* Fill a page going to a to-be-zeroed list with the poison (verify=1). */
static void pool_poison(struct page *page)
{
	if (!READ_ONCE(verify))
		return;
	memset_page(page, 0, DORMANT_POISON, PAGE_SIZE);
	set_page_private(page, DORMANT_POISONED);
}

/* Complain if @page does not hold @val in every byte. */
static void pool_check(struct page *page, int val, const char *what)
{
	u8 *addr = kmap_local_page(page);
	u8 *bad = memchr_inv(addr, val, PAGE_SIZE);

	if (bad) {
		pr_err("verify: %s page (pfn 0x%lx, node %d) has 0x%02x at offset 0x%lx, expected 0x%02x\n",
		       what, page_to_pfn(page), page_to_nid(page), *bad,
		       (unsigned long)(bad - addr), val);
		WARN_ON_ONCE(1);
	}
	kunmap_local(addr);
}

/* A to-be-zeroed page leaves its list: was it left alone while it waited? */
static void pool_unpoison(struct page *page)
{
	if (page_private(page) != DORMANT_POISONED)
		return;
	set_page_private(page, 0);
	pool_check(page, DORMANT_POISON, "to-be-zeroed");
}

const char * const dormant_stat_names[DN_NR_STATS] = {
	[DN_FAULT_ZEROED] = "fault_zeroed",
	[DN_FAULT_INLINE] = "fault_inline",
	[DN_FAULT_ALLOC] = "fault_alloc",
	[DN_FAULT_OTHER_NODE] = "fault_other_node",
	[DN_FAULT_FAILED] = "fault_failed",
	[DN_ZEROED_BG] = "zeroed_background",
	[DN_ZEROED_INLINE] = "zeroed_inline",
	[DN_DISCARDED] = "discarded",
	[DN_DISCARDED_PINNED] = "discarded_pinned",
	[DN_ALLOCATED] = "allocated",
	[DN_FREED] = "freed",
	[DN_ALLOC_FAILED] = "alloc_failed",
};

static inline void pool_count(struct dormant_pool *pool, enum dormant_stat s)
{
	atomic_long_inc(&pool->stats[s]);
}

/* Free pages plus pages in use: the pool's size. */
static unsigned long pool_total(struct dormant_pool *pool)
	__must_hold(&pool->lock)
{
	return pool->nr_dirty + pool->nr_zeroed + atomic_long_read(&pool->in_use);
}

/*
 * How many free pages the pool keeps: what its reservation (pool_pages,
 * free + in use) leaves, and, when it may grow, at least the high watermark.
 */
static unsigned long pool_free_limit(struct dormant_pool *pool)
	__must_hold(&pool->lock)
{
	unsigned long in_use = atomic_long_read(&pool->in_use);
	unsigned long target = READ_ONCE(pool->target);
	unsigned long keep = target > in_use ? target - in_use : 0;

	if (READ_ONCE(grow))
		keep = max(keep, READ_ONCE(zeroed_high));
	return keep;
}

/* What the thread has to do next; see dormant_zero_thread(). */
enum pool_work { PW_NONE, PW_ZERO, PW_ALLOC_ZERO, PW_RESERVE, PW_TRIM };

static enum pool_work pool_next_work(struct dormant_pool *pool)
	__must_hold(&pool->lock)
{
	unsigned long total = pool_total(pool);
	unsigned long target = READ_ONCE(pool->target);

	if (pool->nr_dirty + pool->nr_zeroed > pool_free_limit(pool))
		return PW_TRIM;
	if (pool->refilling && pool->nr_zeroed < READ_ONCE(zeroed_high)) {
		if (pool->nr_dirty)
			return PW_ZERO;
		if ((READ_ONCE(grow) || total < target) && !pool->alloc_failed)
			return PW_ALLOC_ZERO;
	}
	if (total < target && !pool->alloc_failed)
		return PW_RESERVE;
	return PW_NONE;
}

static bool pool_has_work(struct dormant_pool *pool)
{
	enum pool_work w;

	spin_lock(&pool->lock);
	w = pool_next_work(pool);
	if (w == PW_NONE && !pool->alloc_failed)
		pool->refilling = false;
	spin_unlock(&pool->lock);
	return w != PW_NONE;
}

static struct page *pool_alloc_fresh(struct dormant_pool *pool)
{
	struct page *page;

	page = alloc_pages_node(pool->nid, GFP_HIGHUSER | __GFP_THISNODE |
				__GFP_NORETRY | __GFP_NOWARN, 0);
	pool_count(pool, page ? DN_ALLOCATED : DN_ALLOC_FAILED);
	return page;
}

/*
 * Do one page's worth of work; false when there was nothing to do. The lock
 * is never held while a page is zeroed or allocated.
 */
static bool pool_work_one(struct dormant_pool *pool)
{
	struct page *page = NULL;
	enum pool_work w;

	spin_lock(&pool->lock);
	w = pool_next_work(pool);
	switch (w) {
	case PW_TRIM:
		/* give back what is not zeroed first */
		if (!pool->nr_dirty) {
			page = list_first_entry(&pool->zeroed, struct page, lru);
			list_del(&page->lru);
			pool->nr_zeroed--;
			break;
		}
		fallthrough;
	case PW_ZERO:
		page = list_first_entry(&pool->dirty, struct page, lru);
		list_del(&page->lru);
		pool->nr_dirty--;
		break;
	case PW_NONE:
		if (!pool->alloc_failed)
			pool->refilling = false;
		break;
	default:
		break;
	}
	spin_unlock(&pool->lock);

	switch (w) {
	case PW_NONE:
		return false;
	case PW_TRIM:
		set_page_private(page, 0);
		__free_page(page);
		pool_count(pool, DN_FREED);
		return true;
	case PW_RESERVE:
		page = pool_alloc_fresh(pool);
		if (page)
			pool_poison(page);
		break;
	case PW_ALLOC_ZERO:
		page = pool_alloc_fresh(pool);
		fallthrough;
	case PW_ZERO:
		if (page) {
			pool_unpoison(page);
			clear_highpage(page);
			pool_count(pool, DN_ZEROED_BG);
			trace_dormant_zero(pool->nid, true);
		}
		break;
	}

	spin_lock(&pool->lock);
	if (!page) {
		/* The node is short of memory: stop until the next kick. */
		pool->alloc_failed = true;
	} else if (w == PW_RESERVE) {
		list_add(&page->lru, &pool->dirty);
		pool->nr_dirty++;
	} else {
		list_add(&page->lru, &pool->zeroed);
		pool->nr_zeroed++;
	}
	spin_unlock(&pool->lock);
	return true;
}

static int dormant_zero_thread(void *data)
{
	struct dormant_pool *pool = data;

	/* Background work: never take CPU time a vCPU wants. */
	set_user_nice(current, MAX_NICE);
	while (!kthread_should_stop()) {
		if (pool_work_one(pool)) {
			cond_resched();
			continue;
		}
		if (READ_ONCE(pool->alloc_failed)) {
			/* The node was short of memory: try again in a while. */
			wait_event_interruptible_timeout(pool->wait,
							 kthread_should_stop(),
							 HZ);
			spin_lock(&pool->lock);
			pool->alloc_failed = false;
			spin_unlock(&pool->lock);
			continue;
		}
		wait_event_interruptible(pool->wait, kthread_should_stop() ||
					 pool_has_work(pool));
	}
	return 0;
}

/* Start a refill (and allow allocation again) and wake the node's thread. */
void dormant_pool_kick(struct dormant_pool *pool)
{
	spin_lock(&pool->lock);
	pool->refilling = true;
	pool->alloc_failed = false;
	spin_unlock(&pool->lock);
	wake_up(&pool->wait);
}

void dormant_pool_set_target(struct dormant_pool *pool, unsigned long pages)
{
	WRITE_ONCE(pool->target, pages);
	dormant_pool_kick(pool);
}

/*
 * Take a zeroed page from one node's pool for the fault path: from the
 * zeroed list, else zero one from the to-be-zeroed list on the spot, else
 * (growth allowed) a fresh page of that node zeroed on the spot. @path gets
 * the DN_FAULT_* that served it.
 */
static struct page *pool_take(struct dormant_pool *pool, enum dormant_stat *path)
{
	struct page *page = NULL;
	bool wake = false;

	spin_lock(&pool->lock);
	if (pool->nr_zeroed) {
		page = list_first_entry(&pool->zeroed, struct page, lru);
		list_del(&page->lru);
		pool->nr_zeroed--;
		*path = DN_FAULT_ZEROED;
	} else if (pool->nr_dirty) {
		page = list_first_entry(&pool->dirty, struct page, lru);
		list_del(&page->lru);
		pool->nr_dirty--;
		*path = DN_FAULT_INLINE;
	}
	if (page)
		atomic_long_inc(&pool->in_use);
	if (pool->nr_zeroed < READ_ONCE(zeroed_low) && !pool->refilling) {
		pool->refilling = true;
		pool->alloc_failed = false;
		wake = true;
	}
	spin_unlock(&pool->lock);
	if (wake)
		wake_up(&pool->wait);

	if (page && *path == DN_FAULT_INLINE) {
		pool_unpoison(page);
		clear_highpage(page);
		pool_count(pool, DN_ZEROED_INLINE);
		trace_dormant_zero(pool->nid, false);
	}
	if (page || !READ_ONCE(grow))
		return page;

	page = pool_alloc_fresh(pool);
	if (!page)
		return NULL;
	clear_highpage(page);
	pool_count(pool, DN_ZEROED_INLINE);
	trace_dormant_zero(pool->nid, false);
	atomic_long_inc(&pool->in_use);
	*path = DN_FAULT_ALLOC;
	return page;
}

/*
 * The fault path's page: zeroed, with one reference (the caller's), from
 * node @nid's pool, or else from the nearest other node in @allowed. Counts
 * how it was served on @nid's pool and in @served (a DN_FAULT_*). NULL if
 * no node could give one.
 */
struct page *dormant_pool_get(int nid, const nodemask_t *allowed, int *served)
{
	struct dormant_pool *pool;
	enum dormant_stat path;
	nodemask_t tried;
	struct page *page;

	nodes_clear(tried);
	if (node_isset(nid, dormant_node_mask) && node_isset(nid, *allowed)) {
		pool = &dormant_nodes[nid]->pool;
		page = pool_take(pool, &path);
		if (page) {
			if (READ_ONCE(verify))
				pool_check(page, 0, "fault's");
			pool_count(pool, path);
			*served = path;
			return page;
		}
		node_set(nid, tried);
	}
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
		page = pool_take(&dormant_nodes[best]->pool, &path);
		if (page) {
			if (READ_ONCE(verify))
				pool_check(page, 0, "fault's");
			if (node_isset(nid, dormant_node_mask))
				pool_count(&dormant_nodes[nid]->pool,
					   DN_FAULT_OTHER_NODE);
			*served = DN_FAULT_OTHER_NODE;
			return page;
		}
	}
	if (node_isset(nid, dormant_node_mask))
		pool_count(&dormant_nodes[nid]->pool, DN_FAULT_FAILED);
	return NULL;
}

/* A page from dormant_pool_get() that was not used: it is still zero. */
void dormant_pool_put_zeroed(struct page *page)
{
	struct dormant_pool *pool = &dormant_nodes[page_to_nid(page)]->pool;

	spin_lock(&pool->lock);
	atomic_long_dec(&pool->in_use);
	list_add(&page->lru, &pool->zeroed);
	pool->nr_zeroed++;
	spin_unlock(&pool->lock);
}

/*
 * A page given back by an object (discard, truncation, object gone). If
 * nobody else holds it, it goes to its node's to-be-zeroed list, or back to
 * the page allocator when the pool already keeps all the free pages it
 * may (pool_free_limit()); otherwise only our reference is dropped and the page returns to the
 * page allocator once its last user (a GUP pin) lets go.
 */
void dormant_pool_put(struct page *page)
{
	struct dormant_pool *pool = &dormant_nodes[page_to_nid(page)]->pool;
	bool to_pool = false;

	if (page_ref_count(page) != 1 || page_mapped(page)) {
		atomic_long_dec(&pool->in_use);
		pool_count(pool, DN_DISCARDED_PINNED);
		put_page(page);
		return;
	}
	pool_poison(page);
	spin_lock(&pool->lock);
	atomic_long_dec(&pool->in_use);
	if (pool->nr_dirty + pool->nr_zeroed < pool_free_limit(pool)) {
		list_add_tail(&page->lru, &pool->dirty);
		pool->nr_dirty++;
		to_pool = true;
	}
	spin_unlock(&pool->lock);
	pool_count(pool, DN_DISCARDED);
	if (!to_pool) {
		set_page_private(page, 0);
		__free_page(page);
		pool_count(pool, DN_FREED);
	}
	/* Trim back to the reservation, or zero, in the background. */
	wake_up(&pool->wait);
}

void dormant_pool_read(struct dormant_pool *pool, struct dormant_pool_snapshot *s)
{
	int i;

	spin_lock(&pool->lock);
	s->nr_dirty = pool->nr_dirty;
	s->nr_zeroed = pool->nr_zeroed;
	s->in_use = atomic_long_read(&pool->in_use);
	spin_unlock(&pool->lock);
	s->target = READ_ONCE(pool->target);
	for (i = 0; i < DN_NR_STATS; i++)
		s->stats[i] = atomic_long_read(&pool->stats[i]);
}

static void pool_free_list(struct list_head *list)
{
	struct page *page, *tmp;

	list_for_each_entry_safe(page, tmp, list, lru) {
		list_del(&page->lru);
		set_page_private(page, 0);
		__free_page(page);
	}
}

int dormant_pool_start(struct dormant_pool *pool, int nid)
{
	struct task_struct *t;
	const struct cpumask *cpus = cpumask_of_node(nid);

	pool->nid = nid;
	spin_lock_init(&pool->lock);
	INIT_LIST_HEAD(&pool->dirty);
	INIT_LIST_HEAD(&pool->zeroed);
	init_waitqueue_head(&pool->wait);
	pool->target = READ_ONCE(pool_pages_default);
	pool->refilling = true;

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
	pool_free_list(&pool->dirty);
	pool_free_list(&pool->zeroed);
	pool->nr_dirty = 0;
	pool->nr_zeroed = 0;
	in_use = atomic_long_read(&pool->in_use);
	WARN(in_use, "dormant: node %d: %ld pages still in use at unload\n",
	     pool->nid, in_use);
}
