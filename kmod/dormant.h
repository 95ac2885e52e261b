/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dormant: internal declarations shared by the module's source files.
 */
#ifndef _DORMANT_H
#define _DORMANT_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/nodemask.h>
#include <linux/ratelimit.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#define DORMANT_VERSION	"0.3.0"

/* Upper bound of every page-count setting (4 TiB of 4 KiB pages). */
#define DORMANT_MAX_PAGES	BIT(30)

/* A 2 MiB page: the order and size of the blocks the pools also keep. */
#define DORMANT_2M_ORDER	HPAGE_PMD_ORDER
#define DORMANT_2M_PAGES	HPAGE_PMD_NR

/*
 * Per-node event counters, in sysfs as nodes/node<N>/<name>. The fault_*
 * counters count faults; all others count 4 KiB pages.
 */
enum dormant_stat {
	DN_FAULT_ZEROED,	/* 4 KiB fault served from the zeroed list */
	DN_FAULT_ZEROED_2M,	/* 2 MiB fault served from the 2 MiB list */
	DN_FAULT_ALLOC,		/* ...by a fresh page of the node, zeroed on the spot */
	DN_FAULT_OTHER_NODE,	/* ...by another node's pool */
	DN_FAULT_FAILED,	/* no node could serve it: SIGBUS */
	DN_FAULT_2M_FALLBACK,	/* a 2 MiB fault that got no 2 MiB page: 4 KiB */
	DN_ZEROED_BG,		/* pages zeroed by the node's thread */
	DN_ZEROED_INLINE,	/* pages zeroed in the fault path */
	DN_ZEROED_ALLOCATOR,	/* pages the page allocator zeroed (init_on_alloc) */
	DN_DISCARDED,		/* pages given back by objects, to the page allocator */
	DN_ALLOCATED,		/* pages taken from the page allocator */
	DN_FREED,		/* free pages given back to the page allocator */
	DN_SHRUNK,		/* ...of those, by the shrinker (memory pressure) */
	DN_ALLOC_FAILED,	/* allocations the page allocator refused */
	DN_NR_STATS
};

extern const char * const dormant_stat_names[DN_NR_STATS];

/**
 * struct dormant_pool - one NUMA node's free, zeroed pages
 * @nid:             the node
 * @lock:            protects @zeroed, @zeroed_2m, @nr_zeroed, @nr_zeroed_2m,
 *                   @refilling, @refilling_2m, @alloc_failed and
 *                   @alloc_failed_2m; never held while a page is zeroed or
 *                   allocated
 * @zeroed:          zeroed 4 KiB pages, linked by page->lru; one reference
 *                   each
 * @zeroed_2m:       zeroed 2 MiB folios, linked by folio->lru, likewise
 * @nr_zeroed:       length of @zeroed
 * @nr_zeroed_2m:    length of @zeroed_2m (in 2 MiB blocks)
 * @refilling:       the thread fills @zeroed up to zeroed_high; set when it
 *                   falls below zeroed_low
 * @refilling_2m:    the same for @zeroed_2m with huge_high and huge_low
 * @alloc_failed:    the page allocator said no to a 4 KiB page; no more
 *                   tries until a kick or a second has passed
 * @alloc_failed_2m: ...to a 2 MiB block (fragmentation: 4 KiB may still go)
 * @in_use:          4 KiB pages of this node in objects' page caches
 *                   (atomic; changed under @lock when a list changes with
 *                   it, so that free + in use is exact under @lock)
 * @target:          pool_pages: free + in-use pages the pool keeps at least
 * @cpu_budget:      share of one CPU (percent) the thread may use; written
 *                   by the setters, read by the thread without a lock
 * @demand:          high watermarks that demand grew the lists to, 0 if
 *                   none: [0] the 4 KiB list's (pages), [1] the 2 MiB
 *                   list's (blocks); written under @lock or by parameter
 *                   setters and the shrinker, read without it
 * @dry_at:          jiffies when a fault last found the list empty, [0]
 *                   4 KiB, [1] 2 MiB (under @lock)
 * @backoff_until:   jiffies until which the pool keeps no more than its
 *                   reservation: the shrinker gave pages back (memory
 *                   pressure); written by the shrinker, read without a lock
 * @wait:            the thread sleeps here
 * @thread:          the node's zeroing thread
 * @stats:           event counters (enum dormant_stat), atomic
 *
 * Pages leave the pool for an object's page cache and never come back: a
 * page an object gives up goes to the page allocator (see
 * Documentation/design.rst, "Where pages go").
 */
struct dormant_pool {
	int nid;
	spinlock_t lock;	/* see above */
	struct list_head zeroed;
	struct list_head zeroed_2m;
	unsigned long nr_zeroed;
	unsigned long nr_zeroed_2m;
	bool refilling;
	bool refilling_2m;
	bool alloc_failed;
	bool alloc_failed_2m;
	atomic_long_t in_use;
	unsigned long target;
	unsigned int cpu_budget;
	unsigned long demand[2];
	unsigned long dry_at[2];
	unsigned long backoff_until;
	wait_queue_head_t wait;
	struct task_struct *thread;
	atomic_long_t stats[DN_NR_STATS];
};

/* A consistent copy of a pool's list lengths and counters. */
struct dormant_pool_snapshot {
	unsigned long nr_zeroed;
	unsigned long nr_zeroed_2m;
	unsigned long in_use;
	unsigned long target;
	unsigned long stats[DN_NR_STATS];
};

/**
 * struct dormant_node - what the module keeps for one NUMA node
 * @nid:  the node's id
 * @pool: its free pages and zeroing thread
 * @kobj: /sys/kernel/dormant/nodes/node<nid>; owns the structure (freed by
 *        its release callback once the last sysfs reader is gone)
 *
 * Created at module load for every node with memory; @nid never changes.
 */
struct dormant_node {
	int nid;
	struct dormant_pool pool;
	struct kobject kobj;
};

/*
 * dormant_nodes[nid] is set for every served node between dormant_sysfs_init()
 * and dormant_sysfs_exit(), which run at module load and unload only; the
 * array is read-only in between, so the fault path reads it with no lock.
 * dormant_node_mask says which entries are set. Both are published and
 * unpublished under kernel_param_lock(THIS_MODULE), the lock the module
 * parameter setters (which walk the nodes) run under: a parameter's file
 * exists before our init and after our exit.
 */
extern struct dormant_node *dormant_nodes[MAX_NUMNODES];
extern nodemask_t dormant_node_mask;

int dormant_sysfs_init(void);
void dormant_sysfs_exit(void);

int dormant_pool_start(struct dormant_pool *pool, int nid);
void dormant_pool_stop(struct dormant_pool *pool);
int dormant_parse_pages(const char *what, const char *val, unsigned long *n);
struct kernel_param;
int dormant_param_set_bool(const char *val, const struct kernel_param *kp);
extern const struct kernel_param_ops dormant_bool_ops;
void dormant_pool_kick(struct dormant_pool *pool);
void dormant_pool_set_target(struct dormant_pool *pool, unsigned long pages);
void dormant_pool_set_budget(struct dormant_pool *pool, unsigned int percent);
unsigned long dormant_pool_high(struct dormant_pool *pool, bool huge);
int dormant_parse_budget(const char *what, const char *val, unsigned int *n);
void dormant_pool_read(struct dormant_pool *pool,
		       struct dormant_pool_snapshot *s);
struct folio *dormant_pool_get(int nid, const nodemask_t *allowed,
			       unsigned int order, int *served);
void dormant_pool_count_fallback(int nid);
bool dormant_huge_on(void);
void dormant_pool_put_zeroed(struct folio *folio);
void dormant_pool_gone(struct folio *folio);
int dormant_pool_shrinker_init(void);
void dormant_pool_shrinker_exit(void);
void dormant_pool_lost(int nid, unsigned long pages);

bool __dormant_reserved_zero(struct ratelimit_state *rs, const char *cmd,
			     const __u64 *reserved, int n);
/*
 * True if the @n reserved words are zero; else a log line naming @cmd, rate
 * limited per caller, so that one command's garbage cannot hide another's.
 */
#define dormant_reserved_zero(cmd, reserved, n) ({			\
	static DEFINE_RATELIMIT_STATE(_rs, DEFAULT_RATELIMIT_INTERVAL,	\
				      DEFAULT_RATELIMIT_BURST);		\
	__dormant_reserved_zero(&_rs, cmd, reserved, n);		\
})

struct vm_area_struct;
bool dormant_vma_is_ours(struct vm_area_struct *vma);
enum dormant_page_state {
	DORMANT_PAGE_PRESENT,
	DORMANT_PAGE_DORMANT,
	DORMANT_PAGE_REMOTE,
};

enum dormant_page_state
dormant_vma_page_state(struct vm_area_struct *vma, unsigned long addr);

struct dormant_vcpu_stats_req;
int dormant_kvm_init(void);
void dormant_kvm_exit(void);
bool dormant_kvm_hooked(void);
ssize_t dormant_kvm_hook_show(char *buf);
int dormant_ioctl_vcpu_stats(struct dormant_vcpu_stats_req __user *ureq);

struct dormant_pod_chan;

/**
 * struct dormant_inode - a guest memory object
 * @faults:       dormant pages (4 KiB) made present by a fault
 * @discards:     present pages (4 KiB) made dormant again
 * @align_warned: the log has named a mapping that cannot get 2 MiB pages
 * @remote:       the pages owned by another host of the pod: page index ->
 *                xa_mk_value(owner | DORMANT_POD_ASKED | DORMANT_POD_LOST |
 *                DORMANT_POD_FAILED)
 *                (dormant_pod.c). An index is never both here and in the
 *                page cache where a fault could see it: entries come and
 *                go only under the mapping's invalidate_lock held
 *                exclusive; the ASKED, LOST and FAILED bits flip with
 *                exact xa_cmpxchg()es, by faults (lock shared, or none
 *                once they wait), by POD_ATTACH and by a failing GRANT
 * @nr_remote:    entries in @remote (changed under the invalidate_lock
 *                held exclusive)
 * @pod_lock:     protects @chan and @pod_obj_id
 * @chan:         the pod channel that faults on @remote pages ask, or NULL;
 *                holds a reference to it
 * @pod_obj_id:   the pod daemon's number for the object
 * @pod_wait:     faults waiting for a remote page sleep here
 * @pod_requests: requests for remote pages sent to the pod daemon
 * @pod_failed:   faults on remote pages that failed (timeout, lost)
 * @vfs_inode:    the VFS inode; its page cache holds the present pages
 */
struct dormant_inode {
	atomic64_t faults;
	atomic64_t discards;
	atomic_t align_warned;
	struct xarray remote;
	unsigned long nr_remote;
	spinlock_t pod_lock;	/* see above */
	struct dormant_pod_chan *chan;
	u32 pod_obj_id;
	wait_queue_head_t pod_wait;
	atomic64_t pod_requests;
	atomic64_t pod_failed;
	struct inode vfs_inode;
};

static inline struct dormant_inode *DORMANT_I(struct inode *inode)
{
	return container_of(inode, struct dormant_inode, vfs_inode);
}

bool dormant_sb_charge(struct super_block *sb, long nr);
void dormant_sb_uncharge(struct super_block *sb, long nr);
struct inode *dormant_file_object(struct file *file);

int dormant_fs_init(void);
void dormant_fs_exit(void);

/* The pod (dormant_pod.c) */
struct dormant_pod_open;
struct dormant_pod_xfer;
struct dormant_pod_map;
int dormant_pod_open(struct dormant_pod_open __user *uarg);
long dormant_pod_release(struct file *file,
			 struct dormant_pod_xfer __user *uarg);
long dormant_pod_grant(struct file *file, struct dormant_pod_xfer __user *uarg);
long dormant_pod_map(struct file *file, struct dormant_pod_map __user *uarg);
bool dormant_pod_any_remote(struct inode *inode, pgoff_t first, pgoff_t last);
vm_fault_t dormant_pod_fault(struct vm_fault *vmf, struct inode *inode,
			     unsigned long *deadline);
void dormant_pod_shrink(struct inode *inode, pgoff_t end);
void dormant_pod_init_inode(struct dormant_inode *di);
void dormant_pod_evict(struct dormant_inode *di);

#endif /* _DORMANT_H */
