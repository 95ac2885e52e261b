// SPDX-License-Identifier: GPL-2.0
/*
 * dormant: the pod's kernel side. A page of an object may be owned by
 * another host of the pod: it is *remote* here. A fault on it is handed to
 * the local pod daemon through a pod channel and waits for the daemon's
 * grant; the daemon gives pages up to other hosts with a release. Which
 * host owns what, and how the daemons agree, is the daemon's business
 * (Documentation/design.rst, "The pod"); the module keeps the page states
 * and moves the pages.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/highmem.h>
#include <linux/kfifo.h>
#include <linux/kref.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/pagemap.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/dormant.h>

#include "compat.h"
#include "dormant.h"
#include "dormant_trace.h"

/**
 * DOC: remote pages
 *
 * An object's remote pages are entries of its side xarray
 * (&dormant_inode.remote): xa_mk_value() of the owner's number (1..65535,
 * the daemon's) with two bits beside it:
 *
 * - DORMANT_POD_ASKED: a fault has queued a request for the page on the
 *   object's channel; later faults on it only wait. Cleared when a new
 *   channel attaches the object (its faults then ask again) and after a
 *   timeout.
 * - DORMANT_POD_LOST: a fault that dropped its locks to wait timed out;
 *   its retry fails with SIGBUS and clears both bits.
 * - DORMANT_POD_FAILED: the daemon said the page cannot come
 *   (DORMANT_POD_GRANT_FAIL); the fault that finds it fails with SIGBUS and
 *   clears the bits, so that a later fault asks again.
 *
 * A fault on a remote page (dormant_pod_fault()) sets ASKED, queues a
 * request unless one is queued, drops the invalidate_lock and waits,
 * killable and at most pod_timeout_ms, for the entry to change. Where the
 * fault flags allow it, it drops the fault's mmap or VMA lock first and
 * returns VM_FAULT_RETRY; KVM's non-sleeping lookups (FAULT_FLAG_RETRY_NOWAIT)
 * get VM_FAULT_RETRY at once.
 *
 * A release (DORMANT_IOC_POD_RELEASE) holds the invalidate_lock exclusive,
 * so that no fault puts a page in, and locks every folio of the range, so
 * that no fault-around maps one; it then unmaps them (KVM drops its NPT/EPT
 * entries through its MMU notifier), copies out those that hold data,
 * records the new owner and takes them out of the page cache. A grant
 * (DORMANT_IOC_POD_GRANT) fills pages with data outside the lock (a whole
 * 2 MiB block with data in one 2 MiB page, as its owner held it), then,
 * under it exclusive, puts them in the page cache and drops the remote
 * entries, and wakes the waiting faults.
 */
#define DORMANT_POD_OWNER_MASK	0xffffUL
#define DORMANT_POD_ASKED	BIT(16)
#define DORMANT_POD_LOST	BIT(17)
#define DORMANT_POD_FAILED	BIT(18)

/* How long a fault waits for a remote page before SIGBUS. */
static unsigned int pod_timeout_ms = 10000;

static int pod_timeout_set(const char *val, const struct kernel_param *kp)
{
	unsigned int ms;

	if (kstrtouint(val, 0, &ms) || ms < 100 || ms > 600000) {
		pr_warn("pod_timeout_ms: '%s' is not a number of milliseconds from 100 to 600000\n",
			val);
		return -EINVAL;
	}
	WRITE_ONCE(pod_timeout_ms, ms);
	return 0;
}

static const struct kernel_param_ops pod_timeout_ops = {
	.set = pod_timeout_set,
	.get = param_get_uint,
};
module_param_cb(pod_timeout_ms, &pod_timeout_ops, &pod_timeout_ms, 0644);
MODULE_PARM_DESC(pod_timeout_ms,
		 "How long a fault on a page owned by another host waits for it, in ms (100-600000, default 10000)");

/**
 * struct dormant_pod_chan - a pod channel: requests from faults to the daemon
 * @lock:       protects @fifo's input and @closed
 * @read_mutex: serialises readers (a request leaves @fifo only once a
 *              reader has copied it out)
 * @fifo:       the queued requests
 * @readers:    read(2) and poll(2) wait here
 * @closed:     the daemon closed the channel: nothing more is queued
 * @ref:        one for the open file, one per attached object
 */
struct dormant_pod_chan {
	spinlock_t lock;	/* see above */
	struct mutex read_mutex;	/* see above */
	DECLARE_KFIFO_PTR(fifo, struct dormant_pod_request);
	wait_queue_head_t readers;
	bool closed;
	struct kref ref;
};

static void pod_chan_free(struct kref *ref)
{
	struct dormant_pod_chan *chan =
		container_of(ref, struct dormant_pod_chan, ref);

	kfifo_free(&chan->fifo);
	kfree(chan);
}

static void pod_chan_put(struct dormant_pod_chan *chan)
{
	if (chan)
		kref_put(&chan->ref, pod_chan_free);
}

void dormant_pod_init_inode(struct dormant_inode *di)
{
	xa_init(&di->remote);
	di->nr_remote = 0;
	spin_lock_init(&di->pod_lock);
	di->chan = NULL;
	di->pod_obj_id = 0;
	init_waitqueue_head(&di->pod_wait);
	atomic64_set(&di->pod_requests, 0);
	atomic64_set(&di->pod_failed, 0);
}

/* The object is gone: its remote entries and its channel reference. */
void dormant_pod_evict(struct dormant_inode *di)
{
	xa_destroy(&di->remote);
	pod_chan_put(di->chan);
	di->chan = NULL;
}

/* Is any page of [@first, @last] remote? */
bool dormant_pod_any_remote(struct inode *inode, pgoff_t first, pgoff_t last)
{
	struct dormant_inode *di = DORMANT_I(inode);
	unsigned long index = first;

	if (!READ_ONCE(di->nr_remote))
		return false;
	return xa_find(&di->remote, &index, last, XA_PRESENT);
}

/*
 * The object shrank to @end pages: its remote pages beyond are gone too.
 * Caller holds the invalidate_lock exclusive.
 */
void dormant_pod_shrink(struct inode *inode, pgoff_t end)
{
	struct dormant_inode *di = DORMANT_I(inode);
	unsigned long index;
	void *entry;

	if (!di->nr_remote)
		return;
	xa_for_each_start(&di->remote, index, entry, end) {
		xa_erase(&di->remote, index);
		di->nr_remote--;
	}
	wake_up_all(&di->pod_wait);
}

/*
 * Queue a request on the object's channel: 1 if queued, 0 if the object
 * has no open channel, -ENOSPC if the channel is full.
 */
static int pod_ask(struct dormant_inode *di, pgoff_t index,
		   unsigned long owner, bool write)
{
	struct dormant_pod_request req = {
		.offset = (u64)index << PAGE_SHIFT,
		.len = PAGE_SIZE,
		.owner = owner,
		.flags = write ? DORMANT_POD_REQ_WRITE : 0,
	};
	struct dormant_pod_chan *chan;
	int ret = 0;

	spin_lock(&di->pod_lock);
	chan = di->chan;
	req.obj_id = di->pod_obj_id;
	if (chan) {
		spin_lock(&chan->lock);
		if (!chan->closed)
			ret = kfifo_put(&chan->fifo, req) ? 1 : -ENOSPC;
		spin_unlock(&chan->lock);
		if (ret > 0)
			wake_up_interruptible(&chan->readers);
	}
	spin_unlock(&di->pod_lock);
	if (ret > 0) {
		atomic64_inc(&di->pod_requests);
		trace_dormant_pod_request(di->vfs_inode.i_ino, req.offset,
					  owner);
	}
	return ret;
}

/* Has the entry at @index changed from @asked (granted, or asked anew)? */
static bool pod_settled(struct dormant_inode *di, pgoff_t index, void *asked)
{
	return xa_load(&di->remote, index) != asked;
}

/**
 * dormant_pod_fault - a fault on a remote page
 * @vmf:      the fault, at a page that dormant_pod_any_remote() found remote
 * @inode:    its object
 * @deadline: jiffies after which a fault that cannot drop its lock gives
 *            up (0: not set yet; the caller keeps it across its retries)
 *
 * Called with the mapping's invalidate_lock held shared; drops it. Asks
 * the pod daemon for the page (once per page, see "remote pages") and
 * waits for the grant.
 *
 * Return: 0 if the page changed state and the caller should look again
 * (the fault's mmap or VMA lock still held), VM_FAULT_RETRY if the fault's
 * lock was dropped (or, with FAULT_FLAG_RETRY_NOWAIT, if it would have had
 * to wait), VM_FAULT_SIGBUS if the page did not come in time.
 */
vm_fault_t dormant_pod_fault(struct vm_fault *vmf, struct inode *inode,
			     unsigned long *deadline)
{
	struct dormant_inode *di = DORMANT_I(inode);
	struct address_space *mapping = inode->i_mapping;
	pgoff_t index = vmf->pgoff;
	unsigned long owner, v;
	bool retry, full = false;
	struct file *file;
	void *entry, *want;
	long left, timeout = msecs_to_jiffies(READ_ONCE(pod_timeout_ms));

	if (!*deadline)
		*deadline = jiffies + timeout;
	entry = xa_load(&di->remote, index);
	if (!entry) {	/* granted meanwhile */
		filemap_invalidate_unlock_shared(mapping);
		return 0;
	}
	v = xa_to_value(entry);
	owner = v & DORMANT_POD_OWNER_MASK;
	if (v & (DORMANT_POD_LOST | DORMANT_POD_FAILED)) {
		/* this fault's first try timed out, or the page cannot come */
		xa_cmpxchg(&di->remote, index, entry, xa_mk_value(owner),
			   GFP_NOWAIT);
		filemap_invalidate_unlock_shared(mapping);
		if (v & DORMANT_POD_FAILED) {
			atomic64_inc(&di->pod_failed);
			pr_warn_ratelimited("object %lu: page at offset 0x%llx is owned by host %lu, which the pod daemon reports lost (pid %d): SIGBUS\n",
					    inode->i_ino,
					    (u64)index << PAGE_SHIFT, owner,
					    task_pid_nr(current));
			return VM_FAULT_SIGBUS;
		}
		goto sigbus;
	}
	want = xa_mk_value(owner | DORMANT_POD_ASKED);
	if (!(v & DORMANT_POD_ASKED) &&
	    xa_cmpxchg(&di->remote, index, entry, want, GFP_NOWAIT) == entry) {
		/*
		 * Without a channel, ASKED stays: a channel that attaches
		 * the object clears it, and the fault asks again. With a full
		 * one, clear it, give the daemon a moment, and look again.
		 */
		if (pod_ask(di, index, owner,
			    vmf->flags & FAULT_FLAG_WRITE) == -ENOSPC) {
			xa_cmpxchg(&di->remote, index, want,
				   xa_mk_value(owner), GFP_NOWAIT);
			full = true;
			/* others may wait on the ASKED that went away */
			wake_up_all(&di->pod_wait);
		}
	}
	filemap_invalidate_unlock_shared(mapping);

	if (vmf->flags & FAULT_FLAG_RETRY_NOWAIT)
		return VM_FAULT_RETRY;
	if (full) {
		if (vmf->flags & FAULT_FLAG_ALLOW_RETRY) {
			dormant_release_fault_lock(vmf);
			schedule_timeout_killable(1);
			return VM_FAULT_RETRY;
		}
		if (fatal_signal_pending(current) ||
		    time_after(jiffies, *deadline))
			goto sigbus;
		schedule_timeout_killable(1);
		return 0;
	}
	/* The file keeps the object alive once the fault's lock is gone. */
	file = get_file(vmf->vma->vm_file);
	/*
	 * Any fault that may retry drops its lock to wait, its first try or
	 * a later one (faults retry as often as they are told to since 5.7);
	 * only those that may not wait holding it, up to the deadline.
	 */
	retry = vmf->flags & FAULT_FLAG_ALLOW_RETRY;
	if (retry)
		dormant_release_fault_lock(vmf);
	if (!retry && time_after(jiffies, *deadline))
		timeout = 0;
	else if (!retry)
		timeout = *deadline - jiffies;
	left = timeout ? wait_event_killable_timeout(di->pod_wait,
						     pod_settled(di, index, want),
						     timeout) : 0;
	if (!left) {
		/*
		 * Mark it lost: the retry of this fault (or the next fault)
		 * fails. Without a retry, fail now, unless the page came
		 * just as the wait ended.
		 */
		if (xa_cmpxchg(&di->remote, index, want,
			       xa_mk_value(owner | (retry ? DORMANT_POD_LOST : 0)),
			       GFP_NOWAIT) != want)
			left = 1;	/* granted or asked anew meanwhile */
		wake_up_all(&di->pod_wait);
	}
	fput(file);
	if (retry)
		return VM_FAULT_RETRY | VM_FAULT_MAJOR;
	if (left < 0)
		return VM_FAULT_SIGBUS;	/* killed */
	if (left)
		return 0;
sigbus:
	atomic64_inc(&di->pod_failed);
	pr_warn_ratelimited("object %lu: page at offset 0x%llx is owned by host %lu and did not come within %u ms (pid %d): SIGBUS\n",
			    inode->i_ino, (u64)index << PAGE_SHIFT, owner,
			    READ_ONCE(pod_timeout_ms), task_pid_nr(current));
	return VM_FAULT_SIGBUS;
}

/*
 * A range of one command: pages inside the object and one 2 MiB block.
 * The log line is rate limited per caller (@rs).
 */
static int __pod_range_check(struct ratelimit_state *rs, struct inode *inode,
			     u64 offset, u64 len, const char *cmd)
{
	u64 size = i_size_read(inode);

	if (!len || len > DORMANT_POD_XFER_MAX ||
	    !PAGE_ALIGNED(offset) || !PAGE_ALIGNED(len) ||
	    offset >= size || len > size - offset ||
	    (offset >> HPAGE_PMD_SHIFT) !=
	    ((offset + len - 1) >> HPAGE_PMD_SHIFT)) {
		if (__ratelimit(rs))
			pr_warn("%s: object %lu: range 0x%llx+0x%llx refused: it must be 4 KiB-aligned pages inside the object (size 0x%llx) and one 2 MiB block (pid %d)\n",
				cmd, inode->i_ino, offset, len, size,
				task_pid_nr(current));
		return -EINVAL;
	}
	return 0;
}

#define pod_range_check(inode, offset, len, cmd) ({			\
	static DEFINE_RATELIMIT_STATE(_rs, DEFAULT_RATELIMIT_INTERVAL,	\
				      DEFAULT_RATELIMIT_BURST);		\
	__pod_range_check(&_rs, inode, offset, len, cmd);		\
})

/*
 * Checks what RELEASE and GRANT share: the flags, padding and reserved
 * fields, the range, the caller's rights. Returns 0 or -errno, with a
 * log line naming the cause.
 */
static int pod_xfer_check(struct file *file, struct dormant_pod_xfer *x,
			  const char *cmd, u32 known_flags)
{
	struct inode *inode = file_inode(file);

	if (!capable(CAP_SYS_ADMIN)) {
		pr_warn_ratelimited("%s: object %lu: needs CAP_SYS_ADMIN (pid %d)\n",
				    cmd, inode->i_ino, task_pid_nr(current));
		return -EPERM;
	}
	if (!(file->f_mode & FMODE_WRITE)) {
		pr_warn_ratelimited("%s: object %lu: not opened for writing (pid %d)\n",
				    cmd, inode->i_ino, task_pid_nr(current));
		return -EBADF;
	}
	if ((x->flags & ~known_flags) || x->pad) {
		pr_warn_ratelimited("%s: unknown flags 0x%x or pad 0x%x not zero (pid %d)\n",
				    cmd, x->flags, x->pad, task_pid_nr(current));
		return -EINVAL;
	}
	if (!dormant_reserved_zero(cmd, x->reserved, ARRAY_SIZE(x->reserved)))
		return -EINVAL;
	return pod_range_check(inode, x->offset, x->len, cmd);
}

/* The folio at @index with a reference, or NULL. */
static struct folio *pod_get_folio(struct address_space *mapping,
				   pgoff_t index)
{
	struct folio *folio = filemap_get_folio(mapping, index);

	return IS_ERR_OR_NULL(folio) ? NULL : folio;
}

/*
 * Copy the pages of [@first, @last] that hold data to @data, without
 * sleeping on a user fault (the caller holds the invalidate_lock, which a
 * fault on @data could need). Sets their bits. -EFAULT if a copy faulted.
 */
static int pod_copy_out(struct address_space *mapping, pgoff_t first,
			pgoff_t last, char __user *data, u64 *bits,
			unsigned int *nr)
{
	pgoff_t index;
	int ret = 0;

	for (index = first; index <= last && !ret; index++) {
		struct folio *folio = pod_get_folio(mapping, index);
		unsigned long left = 0;
		void *src;

		if (!folio)
			continue;
		src = kmap_local_page(folio_file_page(folio, index));
		if (memchr_inv(src, 0, PAGE_SIZE)) {
			pagefault_disable();
			left = __copy_to_user_inatomic(data + (index - first) *
						       PAGE_SIZE, src,
						       PAGE_SIZE);
			pagefault_enable();
			__set_bit(index - first, (unsigned long *)bits);
			(*nr)++;
		}
		kunmap_local(src);
		folio_put(folio);
		if (left)
			ret = -EFAULT;
	}
	return ret;
}

/* Lock the folios of [@first, @last] in index order; how many in @folios. */
static unsigned int pod_lock_folios(struct address_space *mapping,
				    pgoff_t first, pgoff_t last,
				    struct folio **folios)
{
	unsigned int n = 0;
	pgoff_t index = first;

	while (index <= last) {
		struct folio *folio = pod_get_folio(mapping, index);

		if (!folio) {
			index++;
			continue;
		}
		folio_lock(folio);
		/* the invalidate_lock keeps it in the page cache */
		folios[n++] = folio;
		index = folio->index + folio_nr_pages(folio);
	}
	return n;
}

static void pod_unlock_folios(struct folio **folios, unsigned int n)
{
	while (n--) {
		folio_unlock(folios[n]);
		folio_put(folios[n]);
	}
}

long dormant_pod_release(struct file *file, struct dormant_pod_xfer __user *uarg)
{
	struct inode *inode = file_inode(file);
	struct dormant_inode *di = DORMANT_I(inode);
	struct address_space *mapping = inode->i_mapping;
	unsigned long before, index;
	unsigned int i, n, tries = 0;
	struct dormant_pod_xfer x;
	pgoff_t first, last;
	struct folio **folios, *folio;
	char __user *data;
	int ret;

	if (copy_from_user(&x, uarg, sizeof(x)))
		return -EFAULT;
	ret = pod_xfer_check(file, &x, "POD_RELEASE",
			     DORMANT_POD_RELEASE_BLOCK);
	if (ret)
		return ret;
	if (!x.owner || x.owner > DORMANT_POD_OWNER_MASK) {
		pr_warn_ratelimited("POD_RELEASE: object %lu: owner %u refused: hosts are numbered 1 to 65535 (pid %d)\n",
				    inode->i_ino, x.owner, task_pid_nr(current));
		return -EINVAL;
	}
	data = u64_to_user_ptr(x.data);
	folios = kmalloc_array(DORMANT_POD_XFER_PAGES, sizeof(*folios),
			       GFP_KERNEL);
	if (!folios)
		return -ENOMEM;
again:
	/* the whole room: the range may widen to its 2 MiB block */
	if (fault_in_writeable(data, DORMANT_POD_XFER_MAX) ||
	    fault_in_writeable((char __user *)uarg, sizeof(*uarg))) {
		ret = -EFAULT;
		goto out_free;
	}
	first = x.offset >> PAGE_SHIFT;
	last = first + (x.len >> PAGE_SHIFT) - 1;
	filemap_invalidate_lock(mapping);
	if (((loff_t)last + 1) << PAGE_SHIFT > i_size_read(inode)) {
		pr_warn_ratelimited("POD_RELEASE: object %lu shrank below 0x%llx meanwhile (pid %d)\n",
				    inode->i_ino, ((u64)last + 1) << PAGE_SHIFT,
				    task_pid_nr(current));
		ret = -EINVAL;
		goto out_unlock;
	}
	/* A 2 MiB page that the range cuts is given up whole. */
	for (i = 0; i < 2; i++) {
		folio = pod_get_folio(mapping, i ? last : first);
		if (folio && folio_test_large(folio)) {
			first = min(first, folio->index);
			last = max(last, folio->index + folio_nr_pages(folio) - 1);
		}
		if (folio)
			folio_put(folio);
	}
	/* A wholly dormant block goes whole if asked: no data either way. */
	if (x.flags & DORMANT_POD_RELEASE_BLOCK) {
		pgoff_t b = round_down(first, DORMANT_2M_PAGES);

		if (((loff_t)b + DORMANT_2M_PAGES) << PAGE_SHIFT <=
		    i_size_read(inode) &&
		    !filemap_range_has_page(mapping, (loff_t)b << PAGE_SHIFT,
					    (((loff_t)b + DORMANT_2M_PAGES)
					     << PAGE_SHIFT) - 1) &&
		    !dormant_pod_any_remote(inode, b,
					    b + DORMANT_2M_PAGES - 1)) {
			first = b;
			last = b + DORMANT_2M_PAGES - 1;
		}
	}
	if (dormant_pod_any_remote(inode, first, last)) {
		pr_warn_ratelimited("POD_RELEASE: object %lu: range 0x%llx+0x%llx holds pages owned by another host (pid %d)\n",
				    inode->i_ino, (u64)first << PAGE_SHIFT,
				    (u64)(last - first + 1) << PAGE_SHIFT,
				    task_pid_nr(current));
		ret = -EREMOTE;
		goto out_unlock;
	}
	n = pod_lock_folios(mapping, first, last, folios);
	unmap_mapping_range(mapping, (loff_t)first << PAGE_SHIFT,
			    (loff_t)(last - first + 1) << PAGE_SHIFT, 1);
	/* a page pinned for DMA (vfio, io_uring) could be written after the copy */
	for (i = 0; i < n; i++) {
		if (folio_maybe_dma_pinned(folios[i])) {
			pr_warn_ratelimited("POD_RELEASE: object %lu: the page at 0x%llx is pinned for DMA (pid %d)\n",
					    inode->i_ino,
					    (u64)folios[i]->index << PAGE_SHIFT,
					    task_pid_nr(current));
			pod_unlock_folios(folios, n);
			ret = -EBUSY;
			goto out_unlock;
		}
	}
	memset(x.data_pages, 0, sizeof(x.data_pages));
	x.nr_data = 0;
	ret = pod_copy_out(mapping, first, last, data, x.data_pages,
			   &x.nr_data);
	if (!ret) {
		/* the answer goes out before anything changes: no fault now */
		x.offset = (u64)first << PAGE_SHIFT;
		x.len = (u64)(last - first + 1) << PAGE_SHIFT;
		pagefault_disable();
		if (__copy_to_user_inatomic(uarg, &x, sizeof(x)))
			ret = -EFAULT;
		pagefault_enable();
	}
	if (ret) {
		/* @data was paged out meanwhile: fault it in, try again */
		pod_unlock_folios(folios, n);
		filemap_invalidate_unlock(mapping);
		if (++tries < 8)
			goto again;
		goto out_free;
	}
	for (index = first; index <= last; index++) {
		if (xa_err(xa_store(&di->remote, index,
				    xa_mk_value(x.owner), GFP_KERNEL))) {
			while (index-- > first)
				xa_erase(&di->remote, index);
			pod_unlock_folios(folios, n);
			ret = -ENOMEM;
			goto out_unlock;
		}
	}
	di->nr_remote += last - first + 1;
	before = mapping->nrpages;
	for (i = 0; i < n; i++)
		dormant_remove_folio(mapping, folios[i]);
	dormant_sb_uncharge(inode->i_sb, before - mapping->nrpages);
	pod_unlock_folios(folios, n);
	filemap_invalidate_unlock(mapping);
	trace_dormant_pod_release(inode->i_ino, (u64)first << PAGE_SHIFT,
				  last - first + 1, x.nr_data, x.owner);
	ret = 0;
	goto out_free;

out_unlock:
	filemap_invalidate_unlock(mapping);
out_free:
	kfree(folios);
	return ret;
}

long dormant_pod_map(struct file *file, struct dormant_pod_map __user *uarg)
{
	struct inode *inode = file_inode(file);
	struct dormant_inode *di = DORMANT_I(inode);
	struct dormant_pod_map m;
	unsigned int i, n;
	pgoff_t first;
	u32 *owners;
	long ret;

	if (copy_from_user(&m, uarg, sizeof(m)))
		return -EFAULT;
	if (m.flags || m.pad) {
		pr_warn_ratelimited("POD_MAP: unknown flags 0x%x or pad 0x%x not zero (pid %d)\n",
				    m.flags, m.pad, task_pid_nr(current));
		return -EINVAL;
	}
	if (!dormant_reserved_zero("POD_MAP", m.reserved,
				   ARRAY_SIZE(m.reserved)))
		return -EINVAL;
	ret = pod_range_check(inode, m.offset, m.len, "POD_MAP");
	if (ret)
		return ret;
	n = m.len >> PAGE_SHIFT;
	first = m.offset >> PAGE_SHIFT;
	owners = kcalloc(n, sizeof(*owners), GFP_KERNEL);
	if (!owners)
		return -ENOMEM;
	/* a snapshot: entries change only under the invalidate_lock */
	filemap_invalidate_lock_shared(inode->i_mapping);
	for (i = 0; i < n; i++) {
		void *entry = xa_load(&di->remote, first + i);

		if (entry)
			owners[i] = xa_to_value(entry) & DORMANT_POD_OWNER_MASK;
	}
	filemap_invalidate_unlock_shared(inode->i_mapping);
	if (copy_to_user(u64_to_user_ptr(m.owners), owners,
			 n * sizeof(*owners)))
		ret = -EFAULT;
	kfree(owners);
	return ret;
}

/*
 * A local folio of @order from the pool (zeroed) with the data of @data's
 * pages that @bits names copied in: a 4 KiB page of a grant (@bits 1), or
 * a whole 2 MiB block with data in one 2 MiB page. A release carries data
 * for a whole block only where its owner held the block in a 2 MiB page,
 * so the block stays one folio here (one PMD, one 2 MiB NPT/EPT entry)
 * and goes back whole when it moves again. NULL if the pool has no such
 * folio, an ERR_PTR if @data could not be read.
 */
static struct folio *pod_fill(const char __user *data,
			      const unsigned long *bits, unsigned int order)
{
	nodemask_t allowed = node_states[N_MEMORY];
	struct folio *folio;
	unsigned long left;
	unsigned int i;
	void *dst;
	int path;

	folio = dormant_pool_get(numa_node_id(), &allowed, order, &path);
	if (!folio)
		return NULL;
	for_each_set_bit(i, bits, 1U << order) {
		dst = kmap_local_page(folio_page(folio, i));
		left = copy_from_user(dst, data + i * PAGE_SIZE, PAGE_SIZE);
		kunmap_local(dst);
		if (left) {
			/* partly written: not zeroed any more */
			dormant_pool_gone(folio);
			folio_put(folio);
			return ERR_PTR(-EFAULT);
		}
	}
	return folio;
}

/*
 * The grant's data pages of @bits, one 4 KiB page each, in @folios; their
 * number in @nr_data. On an error, @folios holds what was filled.
 */
static long pod_fill_pages(struct inode *inode, pgoff_t first, unsigned int n,
			   const char __user *data, const unsigned long *bits,
			   struct folio **folios, unsigned int *nr_data)
{
	static const unsigned long one = 1;	/* a 4 KiB page's bitmap */
	unsigned int i;
	long ret;

	for_each_set_bit(i, bits, n) {
		folios[i] = pod_fill(data + i * PAGE_SIZE, &one, 0);
		if (IS_ERR_OR_NULL(folios[i])) {
			ret = folios[i] ? PTR_ERR(folios[i]) : -ENOMEM;
			folios[i] = NULL;
			if (ret == -ENOMEM)
				pr_warn_ratelimited("POD_GRANT: object %lu: no memory for the page at 0x%llx (pid %d)\n",
						    inode->i_ino,
						    (u64)(first + i) << PAGE_SHIFT,
						    task_pid_nr(current));
			return ret;
		}
		(*nr_data)++;
	}
	return 0;
}

/*
 * DORMANT_POD_GRANT_FAIL: the faults waiting for the remote pages of
 * [@first, @first + @n) fail. Only asked pages have waiters; the others,
 * and pages granted meanwhile, are left alone.
 */
static long pod_fail(struct inode *inode, pgoff_t first, unsigned int n)
{
	struct dormant_inode *di = DORMANT_I(inode);
	unsigned long index = first, v;
	unsigned int failed = 0;
	void *entry;

	xa_for_each_range(&di->remote, index, entry, first, first + n - 1) {
		v = xa_to_value(entry);
		if (!(v & DORMANT_POD_ASKED))
			continue;
		if (xa_cmpxchg(&di->remote, index, entry,
			       xa_mk_value(v | DORMANT_POD_FAILED),
			       GFP_KERNEL) == entry)
			failed++;
	}
	if (failed)
		wake_up_all(&di->pod_wait);
	trace_dormant_pod_fail(inode->i_ino, (u64)first << PAGE_SHIFT, n,
			       failed);
	return 0;
}

long dormant_pod_grant(struct file *file, struct dormant_pod_xfer __user *uarg)
{
	struct inode *inode = file_inode(file);
	struct dormant_inode *di = DORMANT_I(inode);
	struct address_space *mapping = inode->i_mapping;
	unsigned int i, n, nr_data = 0, added = 0;
	struct dormant_pod_xfer x;
	struct folio **folios, *big = NULL;
	unsigned long *bits = (unsigned long *)x.data_pages;
	char __user *data;
	pgoff_t first;
	long ret;

	if (copy_from_user(&x, uarg, sizeof(x)))
		return -EFAULT;
	ret = pod_xfer_check(file, &x, "POD_GRANT", DORMANT_POD_GRANT_FAIL);
	if (ret)
		return ret;
	n = x.len >> PAGE_SHIFT;
	first = x.offset >> PAGE_SHIFT;
	if ((x.flags & DORMANT_POD_GRANT_FAIL) &&
	    !bitmap_empty((unsigned long *)x.data_pages,
			  DORMANT_POD_XFER_PAGES)) {
		pr_warn_ratelimited("POD_GRANT: object %lu: DORMANT_POD_GRANT_FAIL with pages in data_pages (pid %d)\n",
				    inode->i_ino, task_pid_nr(current));
		return -EINVAL;
	}
	if (x.owner || x.nr_data ||
	    (n < DORMANT_POD_XFER_PAGES &&
	     find_next_bit((unsigned long *)x.data_pages,
			   DORMANT_POD_XFER_PAGES, n) < DORMANT_POD_XFER_PAGES)) {
		pr_warn_ratelimited("POD_GRANT: object %lu: owner %u or nr_data %u not zero, or data_pages beyond the range's %u pages (pid %d)\n",
				    inode->i_ino, x.owner, x.nr_data, n,
				    task_pid_nr(current));
		return -EINVAL;
	}
	if (x.flags & DORMANT_POD_GRANT_FAIL)
		return pod_fail(inode, first, n);
	data = u64_to_user_ptr(x.data);
	folios = kcalloc(n, sizeof(*folios), GFP_KERNEL);
	if (!folios)
		return -ENOMEM;
	/* the data first, outside the lock: @data may fault on anything */
	if (n == DORMANT_2M_PAGES && dormant_huge_on() &&
	    !bitmap_empty(bits, n)) {
		big = pod_fill(data, bits, DORMANT_2M_ORDER);
		if (IS_ERR(big)) {
			ret = PTR_ERR(big);
			big = NULL;
			goto out_free;
		}
	}
	if (big)
		nr_data = bitmap_weight(bits, n);
	else
		ret = pod_fill_pages(inode, first, n, data, bits, folios,
				     &nr_data);
	if (ret)
		goto out_free;

again:
	filemap_invalidate_lock(mapping);
	if (x.offset + x.len > i_size_read(inode)) {
		pr_warn_ratelimited("POD_GRANT: object %lu shrank below 0x%llx meanwhile (pid %d)\n",
				    inode->i_ino, x.offset + x.len,
				    task_pid_nr(current));
		ret = -EINVAL;
		goto out_unlock;
	}
	for (i = 0; i < n; i++) {
		if (!xa_load(&di->remote, first + i)) {
			pr_warn_ratelimited("POD_GRANT: object %lu: the page at 0x%llx is already owned here (pid %d)\n",
					    inode->i_ino,
					    (u64)(first + i) << PAGE_SHIFT,
					    task_pid_nr(current));
			ret = -EEXIST;
			goto out_unlock;
		}
	}
	if (big) {
		/*
		 * The block in one 2 MiB page if the mount's limit and the
		 * memory cgroup take it whole; else in 4 KiB pages.
		 */
		ret = -ENOSPC;
		if (dormant_sb_charge(inode->i_sb, DORMANT_2M_PAGES)) {
			ret = filemap_add_folio(mapping, big, first,
						mapping_gfp_constraint(mapping,
								       GFP_KERNEL) |
						__GFP_RETRY_MAYFAIL);
			if (ret)
				dormant_sb_uncharge(inode->i_sb,
						    DORMANT_2M_PAGES);
		}
		if (ret) {
			filemap_invalidate_unlock(mapping);
			dormant_pool_gone(big);
			folio_put(big);
			big = NULL;
			nr_data = 0;
			ret = pod_fill_pages(inode, first, n, data, bits,
					     folios, &nr_data);
			if (ret)
				goto out_free;
			goto again;
		}
		folio_mark_uptodate(big);
		folio_mark_dirty(big);
	}
	if (!big && nr_data && !dormant_sb_charge(inode->i_sb, nr_data)) {
		pr_warn_ratelimited("POD_GRANT: object %lu: %u pages refused: the mount's size limit is reached (pid %d)\n",
				    inode->i_ino, nr_data, task_pid_nr(current));
		ret = -ENOSPC;
		goto out_unlock;
	}
	for (i = 0; i < n; i++) {
		if (!folios[i])
			continue;
		/* charged to the daemon's memory cgroup */
		ret = filemap_add_folio(mapping, folios[i], first + i,
					mapping_gfp_constraint(mapping,
							       GFP_KERNEL) |
					__GFP_RETRY_MAYFAIL);
		if (ret) {
			pr_warn_ratelimited("POD_GRANT: object %lu: the page at 0x%llx refused by the memory cgroup of pid %d (error %ld)\n",
					    inode->i_ino,
					    (u64)(first + i) << PAGE_SHIFT,
					    task_pid_nr(current), ret);
			goto out_remove;
		}
		/* locked until the entries go: fault-around must not map it */
		folio_mark_uptodate(folios[i]);
		folio_mark_dirty(folios[i]);
		added++;
	}
	for (i = 0; i < n; i++)
		xa_erase(&di->remote, first + i);
	di->nr_remote -= n;
	if (big)
		folio_unlock(big);
	for (i = 0; i < n; i++)
		if (folios[i])
			folio_unlock(folios[i]);
	filemap_invalidate_unlock(mapping);
	wake_up_all(&di->pod_wait);
	trace_dormant_pod_grant(inode->i_ino, x.offset, n, nr_data);
	ret = 0;
	/* the page cache holds the added folios; drop our references */
	if (big)
		folio_put(big);
	for (i = 0; i < n; i++)
		if (folios[i])
			folio_put(folios[i]);
	kfree(folios);
	return ret;

out_remove:
	/* take out what went in: the pages stay remote, the daemon has the data */
	for (i = 0; i < n && added; i++) {
		if (!folios[i] || folios[i]->mapping != mapping)
			continue;
		dormant_remove_folio(mapping, folios[i]);	/* locked */
		folio_unlock(folios[i]);
		folio_put(folios[i]);
		folios[i] = NULL;
		added--;
	}
	dormant_sb_uncharge(inode->i_sb, nr_data);
out_unlock:
	/* (a 2 MiB page that went in is never taken out again) */
	filemap_invalidate_unlock(mapping);
out_free:
	if (big) {
		dormant_pool_gone(big);
		folio_put(big);
	}
	for (i = 0; i < n; i++) {
		if (folios[i]) {
			dormant_pool_gone(folios[i]);
			folio_put(folios[i]);
		}
	}
	kfree(folios);
	return ret;
}

static ssize_t pod_chan_read(struct file *file, char __user *buf, size_t len,
			     loff_t *ppos)
{
	struct dormant_pod_chan *chan = file->private_data;
	struct dormant_pod_request reqs[32];
	unsigned int n, got;
	int ret;

	if (len < sizeof(reqs[0])) {
		pr_warn_ratelimited("pod channel: read of %zu bytes refused: a request takes %zu (pid %d)\n",
				    len, sizeof(reqs[0]), task_pid_nr(current));
		return -EINVAL;
	}
	n = min_t(size_t, len / sizeof(reqs[0]), ARRAY_SIZE(reqs));
	for (;;) {
		if (mutex_lock_interruptible(&chan->read_mutex))
			return -ERESTARTSYS;
		got = kfifo_out_peek(&chan->fifo, reqs, n);
		if (got)
			break;
		mutex_unlock(&chan->read_mutex);
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(chan->readers,
					       !kfifo_is_empty(&chan->fifo));
		if (ret)
			return ret;
	}
	/* a request leaves the queue only once it reached the reader */
	if (copy_to_user(buf, reqs, got * sizeof(reqs[0]))) {
		mutex_unlock(&chan->read_mutex);
		return -EFAULT;
	}
	for (n = 0; n < got; n++)
		kfifo_skip(&chan->fifo);	/* 6.1 has no kfifo_skip_count() */
	mutex_unlock(&chan->read_mutex);
	return got * sizeof(reqs[0]);
}

static __poll_t pod_chan_poll(struct file *file, poll_table *wait)
{
	struct dormant_pod_chan *chan = file->private_data;

	poll_wait(file, &chan->readers, wait);
	return kfifo_is_empty(&chan->fifo) ? 0 : EPOLLIN | EPOLLRDNORM;
}

/* Point the object's faults at @chan; ask again what was asked before. */
static long pod_chan_attach(struct dormant_pod_chan *chan,
			    struct dormant_pod_attach __user *uarg)
{
	struct dormant_pod_chan *old;
	struct dormant_pod_attach a;
	struct dormant_inode *di;
	struct file *obj;
	struct inode *inode;
	unsigned long index;
	void *entry;
	long ret = 0;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (a.flags || a.pad) {
		pr_warn_ratelimited("POD_ATTACH: unknown flags 0x%x or pad 0x%x not zero (pid %d)\n",
				    a.flags, a.pad, task_pid_nr(current));
		return -EINVAL;
	}
	if (!dormant_reserved_zero("POD_ATTACH", a.reserved,
				   ARRAY_SIZE(a.reserved)))
		return -EINVAL;
	obj = fget(a.obj_fd);
	if (!obj) {
		pr_warn_ratelimited("POD_ATTACH: obj_fd %d is not an open file (pid %d)\n",
				    a.obj_fd, task_pid_nr(current));
		return -EBADF;
	}
	inode = dormant_file_object(obj);
	if (!inode) {
		pr_warn_ratelimited("POD_ATTACH: obj_fd %d is not an object of the dormant filesystem (pid %d)\n",
				    a.obj_fd, task_pid_nr(current));
		ret = -EINVAL;
		goto out;
	}
	/* the channel's faults get pages the daemon writes: as for GRANT */
	if (!(obj->f_mode & FMODE_WRITE)) {
		pr_warn_ratelimited("POD_ATTACH: object %lu: obj_fd %d is not open for writing (pid %d)\n",
				    inode->i_ino, a.obj_fd, task_pid_nr(current));
		ret = -EBADF;
		goto out;
	}
	if (!capable(CAP_SYS_ADMIN)) {
		pr_warn_ratelimited("POD_ATTACH: object %lu: needs CAP_SYS_ADMIN (pid %d)\n",
				    inode->i_ino, task_pid_nr(current));
		ret = -EPERM;
		goto out;
	}
	di = DORMANT_I(inode);
	spin_lock(&di->pod_lock);
	old = di->chan;
	if (old && old != chan && !READ_ONCE(old->closed)) {
		spin_unlock(&di->pod_lock);
		pr_warn_ratelimited("POD_ATTACH: object %lu is attached to another open pod channel (pid %d)\n",
				    inode->i_ino, task_pid_nr(current));
		ret = -EBUSY;
		goto out;
	}
	kref_get(&chan->ref);
	di->chan = chan;
	di->pod_obj_id = a.obj_id;
	spin_unlock(&di->pod_lock);
	pod_chan_put(old);
	/* faults that asked a channel that is gone ask this one */
	xa_for_each(&di->remote, index, entry) {
		unsigned long v = xa_to_value(entry);

		if (v & DORMANT_POD_ASKED)
			xa_cmpxchg(&di->remote, index, entry,
				   xa_mk_value(v & ~DORMANT_POD_ASKED),
				   GFP_KERNEL);
	}
	wake_up_all(&di->pod_wait);
out:
	fput(obj);
	return ret;
}

static long pod_chan_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	if (cmd != DORMANT_IOC_POD_ATTACH) {
		pr_warn_ratelimited("pod channel: unknown ioctl 0x%x (pid %d)\n",
				    cmd, task_pid_nr(current));
		return -ENOTTY;
	}
	return pod_chan_attach(file->private_data, (void __user *)arg);
}

static int pod_chan_release(struct inode *inode, struct file *file)
{
	struct dormant_pod_chan *chan = file->private_data;

	spin_lock(&chan->lock);
	WRITE_ONCE(chan->closed, true);
	spin_unlock(&chan->lock);
	wake_up_interruptible_all(&chan->readers);
	pod_chan_put(chan);
	return 0;
}

static const struct file_operations pod_chan_fops = {
	.owner = THIS_MODULE,
	.read = pod_chan_read,
	.poll = pod_chan_poll,
	.unlocked_ioctl = pod_chan_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.release = pod_chan_release,
	.llseek = noop_llseek,
};

int dormant_pod_open(struct dormant_pod_open __user *uarg)
{
	struct dormant_pod_chan *chan;
	struct dormant_pod_open o;
	struct file *file;
	int fd, ret;

	if (copy_from_user(&o, uarg, sizeof(o)))
		return -EFAULT;
	if (!capable(CAP_SYS_ADMIN)) {
		pr_warn_ratelimited("POD_OPEN: needs CAP_SYS_ADMIN (pid %d)\n",
				    task_pid_nr(current));
		return -EPERM;
	}
	if (o.flags || o.pad || o.fd) {
		pr_warn_ratelimited("POD_OPEN: unknown flags 0x%x, or pad 0x%x or fd %d not zero (pid %d)\n",
				    o.flags, o.pad, o.fd, task_pid_nr(current));
		return -EINVAL;
	}
	if (!dormant_reserved_zero("POD_OPEN", o.reserved,
				   ARRAY_SIZE(o.reserved)))
		return -EINVAL;
	if (!o.queue_len)
		o.queue_len = DORMANT_POD_QUEUE_DEFAULT;
	if (!is_power_of_2(o.queue_len) ||
	    o.queue_len > DORMANT_POD_QUEUE_MAX) {
		pr_warn_ratelimited("POD_OPEN: queue_len %u refused: a power of two up to %u (pid %d)\n",
				    o.queue_len, DORMANT_POD_QUEUE_MAX,
				    task_pid_nr(current));
		return -EINVAL;
	}
	chan = kzalloc(sizeof(*chan), GFP_KERNEL);
	if (!chan)
		return -ENOMEM;
	ret = kfifo_alloc(&chan->fifo, o.queue_len, GFP_KERNEL);
	if (ret)
		goto err_free;
	spin_lock_init(&chan->lock);
	mutex_init(&chan->read_mutex);
	init_waitqueue_head(&chan->readers);
	kref_init(&chan->ref);

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_fifo;
	}
	file = anon_inode_getfile("[dormant-pod]", &pod_chan_fops, chan,
				  O_RDWR);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto err_fd;
	}
	o.fd = fd;
	if (copy_to_user(uarg, &o, sizeof(o))) {
		fput(file);	/* its release frees the channel */
		put_unused_fd(fd);
		return -EFAULT;
	}
	fd_install(fd, file);
	return 0;

err_fd:
	put_unused_fd(fd);
err_fifo:
	kfifo_free(&chan->fifo);
err_free:
	kfree(chan);
	return ret;
}
