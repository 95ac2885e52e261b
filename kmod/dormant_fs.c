// SPDX-License-Identifier: GPL-2.0
/*
 * dormant: the "dormant" filesystem, whose regular files are guest memory
 * objects that stock QEMU maps as guest RAM, as it does hugetlbfs files:
 *
 *   mount -t dormant none /run/dormant
 *   qemu ... -object memory-backend-file,id=ram0,size=8G,mem-path=/run/dormant,share=on
 *
 * Every page of an object starts dormant: nothing behind it, reads as zero.
 * A fault on a dormant page takes a zeroed page from the faulting node's
 * pool (dormant_pool.c); punching a hole makes pages dormant again and gives
 * their pages back to the pools. Why a filesystem, and the locking, are in
 * Documentation/design.rst.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/falloc.h>
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/mempolicy.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/statfs.h>
#include <linux/xarray.h>
#include <uapi/linux/dormant.h>

#include "compat.h"
#include "dormant.h"
#include "dormant_trace.h"

/*
 * Map 2 MiB pages where a mapping and an object allow it; off, every page
 * is 4 KiB (for comparisons).
 */
static bool huge = true;
module_param_cb(huge, &dormant_bool_ops, &huge, 0644);
MODULE_PARM_DESC(huge,
		 "Map 2 MiB pages where a mapping's alignment and an object's size allow (default Y)");

/* Does the module put 2 MiB pages in at all? (the pod's grants ask) */
bool dormant_huge_on(void)
{
	return READ_ONCE(huge);
}

/**
 * DOC: page states
 *
 * An object's pages live in its page cache (inode->i_mapping), as those of
 * ramfs and shmem do, in folios of 4 KiB or 2 MiB. A page offset is
 *
 * - *dormant*: no entry in the page cache, none in the object's remote
 *   xarray. It has no memory behind it and reads as zero.
 * - *present*: a folio from a node's pool, zeroed when it was put in, then
 *   written by its users. It is uptodate and dirty from the start (so that
 *   nothing ever drops it as clean: it may hold the only copy of guest
 *   data), unevictable, and charged to the memory cgroup of the task whose
 *   fault put it there.
 * - *remote*: owned by another host of the pod. No entry in the page cache;
 *   one in the object's side xarray @remote naming the owner. A fault on
 *   it asks the pod daemon and waits (dormant_pod.c). The side xarray, not
 *   value entries in the page cache: the page cache takes value entries
 *   for the workingset's shadow entries (filemap_add_folio() would feed
 *   ours to workingset_refault(), and the shadow-node shrinker would free
 *   nodes holding only ours).
 *
 * A fault on a dormant page (dormant_fault()) puts a 2 MiB folio in the
 * page cache when the whole 2 MiB-aligned range around it lies inside the
 * object, is wholly dormant, and lies inside a mapping that is 2 MiB
 * aligned to the file; the core fault path then maps it with one PMD, and
 * KVM with one 2 MiB NPT/EPT entry. Otherwise, or when no node has a
 * 2 MiB block, it puts a 4 KiB folio. Folios enter under the mapping's
 * invalidate_lock held shared; filemap_add_folio() settles races between
 * faults (-EEXIST: look again).
 *
 * Discard (hole punching, truncation, the object's end) takes the
 * invalidate_lock exclusive and removes folios with the page cache's own
 * truncation: whole folios leave it, and a 4 KiB range inside a 2 MiB
 * folio is split out of it, or, when the folio cannot be split (it is
 * pinned), zeroed in place. A folio that leaves the page cache goes to the
 * page allocator (dormant_free_folio() counts it out of its node's pool).
 */

/**
 * struct dormant_sb_info - one mount of the filesystem
 * @max_pages:  the size= limit in 4 KiB pages, 0 for none; changed only by
 *              a remount (under the superblock's s_umount), read without a
 *              lock
 * @used_pages: present pages of all its objects (atomic; taken before a
 *              folio enters a page cache, given back when it leaves)
 * @mode:       the mode= of its root directory, as mounted
 * @uid:        the uid= of its root directory, as mounted
 * @gid:        the gid= of its root directory, as mounted
 */
struct dormant_sb_info {
	unsigned long max_pages;
	atomic_long_t used_pages;
	umode_t mode;
	kuid_t uid;
	kgid_t gid;
};

static struct kmem_cache *dormant_inode_cachep;

static inline struct dormant_sb_info *DORMANT_SB(struct super_block *sb)
{
	return sb->s_fs_info;
}

/* Take @nr pages of the mount's size= limit; false if it would be passed. */
bool dormant_sb_charge(struct super_block *sb, long nr)
{
	struct dormant_sb_info *sbi = DORMANT_SB(sb);
	unsigned long max = READ_ONCE(sbi->max_pages);

	if (atomic_long_add_return(nr, &sbi->used_pages) > max && max) {
		atomic_long_sub(nr, &sbi->used_pages);
		return false;
	}
	return true;
}

void dormant_sb_uncharge(struct super_block *sb, long nr)
{
	atomic_long_sub(nr, &DORMANT_SB(sb)->used_pages);
}

/*
 * Make the pages of bytes [start, end] dormant, or from @start on if @end
 * is negative (truncation). The caller holds the invalidate_lock exclusive,
 * so no fault puts a page in meanwhile; the page cache's truncation unmaps
 * them from every mapping (KVM drops its NPT/EPT entries through its MMU
 * notifier) before they go.
 */
static void dormant_discard(struct inode *inode, loff_t start, loff_t end)
{
	struct address_space *mapping = inode->i_mapping;
	unsigned long before = mapping->nrpages;

	if (end < 0)
		truncate_pagecache(inode, start);
	else
		truncate_pagecache_range(inode, start, end);
	if (before > mapping->nrpages) {
		dormant_sb_uncharge(inode->i_sb, before - mapping->nrpages);
		atomic64_add(before - mapping->nrpages,
			     &DORMANT_I(inode)->discards);
		trace_dormant_discard(inode->i_ino, start >> PAGE_SHIFT,
				      before - mapping->nrpages);
	}
}

/*
 * The node a fault on @ilx (the page, or 2 MiB block, index) should be
 * served from, and the allowed nodes.
 */
static int dormant_fault_nid(struct vm_area_struct *vma, pgoff_t ilx,
			     nodemask_t *allowed)
{
	int nid = numa_node_id();
#ifdef CONFIG_NUMA
	struct mempolicy *pol = vma->vm_policy;
	unsigned int w, i;
	int n;

	/* A kworker serving an async page fault has no mm and no policy. */
	if (!pol && current->mm)
		pol = current->mempolicy;
	*allowed = node_states[N_MEMORY];
	if (!pol)
		return nid;
	switch (pol->mode) {
	case MPOL_BIND:
		nodes_and(*allowed, *allowed, pol->nodes);
		fallthrough;
	case MPOL_PREFERRED:
	case MPOL_PREFERRED_MANY:
		if (!node_isset(nid, pol->nodes) && !nodes_empty(pol->nodes))
			nid = first_node(pol->nodes);
		break;
	case MPOL_INTERLEAVE:
		w = nodes_weight(pol->nodes);
		if (!w)
			break;
		i = ilx % w;
		for_each_node_mask(n, pol->nodes)
			if (!i--)
				return n;
		break;
	default:
		break;
	}
#else
	*allowed = node_states[N_MEMORY];
#endif
	return nid;
}

/* May @vma map the object with PMDs at all? (its alignment, its flags) */
static bool dormant_vma_huge_ok(struct vm_area_struct *vma)
{
	return READ_ONCE(huge) && !(vma->vm_flags & VM_NOHUGEPAGE) &&
	       !test_bit(MMF_DISABLE_THP, &vma->vm_mm->flags) &&
	       IS_ALIGNED((vma->vm_start >> PAGE_SHIFT) - vma->vm_pgoff,
			  DORMANT_2M_PAGES);
}

/*
 * The order of the folio a fault on a dormant page puts in: 2 MiB when
 * the 2 MiB-aligned range around it is inside the object, inside the
 * mapping, and wholly dormant; 4 KiB otherwise.
 */
static unsigned int dormant_fault_order(struct vm_fault *vmf,
					struct inode *inode)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long haddr = vmf->address & HPAGE_PMD_MASK;
	pgoff_t index = round_down(vmf->pgoff, DORMANT_2M_PAGES);
	loff_t start = (loff_t)index << PAGE_SHIFT;

	if (!dormant_vma_huge_ok(vma) || haddr < vma->vm_start ||
	    haddr + HPAGE_PMD_SIZE > vma->vm_end ||
	    start + HPAGE_PMD_SIZE > i_size_read(inode) ||
	    filemap_range_has_page(inode->i_mapping, start,
				   start + HPAGE_PMD_SIZE - 1) ||
	    dormant_pod_any_remote(inode, index,
				   index + DORMANT_2M_PAGES - 1))
		return 0;
	return DORMANT_2M_ORDER;
}

/* The folio at @index, locked and with a reference, or NULL if dormant. */
static struct folio *dormant_lock_folio(struct address_space *mapping,
					pgoff_t index)
{
	/* NULL on 6.1, ERR_PTR(-ENOENT) since 6.3 */
	struct folio *folio = filemap_lock_folio(mapping, index);

	return IS_ERR_OR_NULL(folio) ? NULL : folio;
}

static vm_fault_t dormant_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct inode *inode = file_inode(vma->vm_file);
	struct address_space *mapping = inode->i_mapping;
	struct folio *folio;
	unsigned int order;
	nodemask_t allowed;
	unsigned long pod_deadline = 0;
	bool small = false;
	pgoff_t index;
	vm_fault_t ret;
	int nid, path, err;

	filemap_invalidate_lock_shared(mapping);
again:
	if (vmf->pgoff >= DIV_ROUND_UP(i_size_read(inode), PAGE_SIZE)) {
		ret = VM_FAULT_SIGBUS;
		goto out_unlock;
	}
	folio = dormant_lock_folio(mapping, vmf->pgoff);
	if (folio)
		goto out_found;
	if (dormant_pod_any_remote(inode, vmf->pgoff, vmf->pgoff)) {
		/* drops the invalidate_lock */
		ret = dormant_pod_fault(vmf, inode, &pod_deadline);
		if (ret)
			return ret;
		filemap_invalidate_lock_shared(mapping);
		goto again;
	}

	order = small ? 0 : dormant_fault_order(vmf, inode);
	if (order && !dormant_sb_charge(inode->i_sb, 1L << order))
		order = 0;	/* room for 4 KiB still, perhaps */
	if (!order && !dormant_sb_charge(inode->i_sb, 1)) {
		pr_warn_ratelimited("object %lu: page at offset 0x%llx refused: the mount's size limit (%lu pages) is reached (pid %d): SIGBUS\n",
				    inode->i_ino, (u64)vmf->pgoff << PAGE_SHIFT,
				    DORMANT_SB(inode->i_sb)->max_pages,
				    task_pid_nr(current));
		ret = VM_FAULT_SIGBUS;
		goto out_unlock;
	}
	index = round_down(vmf->pgoff, 1UL << order);
	nid = dormant_fault_nid(vma, index >> order, &allowed);
	folio = dormant_pool_get(nid, &allowed, order, &path);
	if (!folio && order) {
		dormant_pool_count_fallback(nid);
		dormant_sb_uncharge(inode->i_sb, (1L << order) - 1);
		order = 0;
		index = vmf->pgoff;
		nid = dormant_fault_nid(vma, index, &allowed);
		folio = dormant_pool_get(nid, &allowed, 0, &path);
	}
	if (!folio) {
		dormant_sb_uncharge(inode->i_sb, 1L << order);
		pr_warn_ratelimited("object %lu: no memory for the page at offset 0x%llx (node %d, pid %d): SIGBUS\n",
				    inode->i_ino, (u64)vmf->pgoff << PAGE_SHIFT,
				    nid, task_pid_nr(current));
		ret = VM_FAULT_SIGBUS;
		goto out_unlock;
	}
	/*
	 * Charges the folio to the faulting task's memory cgroup. At the
	 * cgroup's limit (after reclaim in it) the fault fails with SIGBUS,
	 * as a hugetlbfs fault does, rather than wake its OOM killer.
	 */
	err = filemap_add_folio(mapping, folio, index,
				mapping_gfp_constraint(mapping, GFP_KERNEL) |
				__GFP_RETRY_MAYFAIL);
	if (err) {
		dormant_pool_put_zeroed(folio);
		dormant_sb_uncharge(inode->i_sb, 1L << order);
		if (err == -EEXIST)
			goto again;	/* another fault put a page there */
		if (order) {
			small = true;	/* 4 KiB may still fit */
			goto again;
		}
		pr_warn_ratelimited("object %lu: page at offset 0x%llx refused: the memory cgroup of pid %d is at its limit (error %d): SIGBUS\n",
				    inode->i_ino, (u64)vmf->pgoff << PAGE_SHIFT,
				    task_pid_nr(current), err);
		ret = VM_FAULT_SIGBUS;
		goto out_unlock;
	}
	folio_mark_uptodate(folio);
	folio_mark_dirty(folio);
	atomic64_add(folio_nr_pages(folio), &DORMANT_I(inode)->faults);
	trace_dormant_fault(inode->i_ino, (u64)index << PAGE_SHIFT, order,
			    folio_nid(folio), path);
out_found:
	filemap_invalidate_unlock_shared(mapping);
	vmf->page = folio_file_page(folio, vmf->pgoff);
	return VM_FAULT_LOCKED;

out_unlock:
	filemap_invalidate_unlock_shared(mapping);
	return ret;
}

static const struct file_operations dormant_file_fops;

static const struct vm_operations_struct dormant_vm_ops = {
	.fault = dormant_fault,
	.map_pages = filemap_map_pages,
};

bool dormant_vma_is_ours(struct vm_area_struct *vma)
{
	return vma->vm_ops == &dormant_vm_ops;
}

/*
 * The state of the object page mapped at @addr of our @vma: present,
 * dormant, or remote (owned by another pod host). Callable in atomic
 * context (the KVM hook's probe): two lockless xarray lookups.
 */
enum dormant_page_state
dormant_vma_page_state(struct vm_area_struct *vma, unsigned long addr)
{
	struct inode *inode = file_inode(vma->vm_file);
	pgoff_t index = linear_page_index(vma, addr);
	void *entry = xa_load(&inode->i_mapping->i_pages, index);

	if (entry && !xa_is_value(entry))
		return DORMANT_PAGE_PRESENT;
	return xa_load(&DORMANT_I(inode)->remote, index) ? DORMANT_PAGE_REMOTE :
							    DORMANT_PAGE_DORMANT;
}

/* The object behind @file, or NULL if @file is not one of ours. */
struct inode *dormant_file_object(struct file *file)
{
	return file->f_op == &dormant_file_fops ? file_inode(file) : NULL;
}

static int dormant_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct inode *inode = file_inode(file);

	/*
	 * VM_MAYSHARE, not VM_SHARED: a MAP_SHARED mapping of a file opened
	 * read-only (QEMU readonly=on) has only the former, and is fine.
	 */
	if (!(vma->vm_flags & VM_MAYSHARE)) {
		pr_warn_ratelimited("object %lu: private mapping refused (%s, pid %d): map it MAP_SHARED (QEMU: share=on)\n",
				    inode->i_ino, current->comm,
				    task_pid_nr(current));
		return -EINVAL;
	}
	/* Say once per object why a large mapping gets no 2 MiB pages. */
	if (READ_ONCE(huge) && vma->vm_end - vma->vm_start >= HPAGE_PMD_SIZE &&
	    !IS_ALIGNED((vma->vm_start >> PAGE_SHIFT) - vma->vm_pgoff,
			DORMANT_2M_PAGES) &&
	    !atomic_xchg(&DORMANT_I(inode)->align_warned, 1))
		pr_info("object %lu: mapped at 0x%lx by %s (pid %d), not 2 MiB-aligned to the file: it gets 4 KiB pages only; QEMU: add align=2M to memory-backend-file\n",
			inode->i_ino, vma->vm_start, current->comm,
			task_pid_nr(current));
	file_accessed(file);
	/*
	 * A core dump of QEMU would read, and so fill in, every dormant page
	 * of guest memory: leave the mapping out of it.
	 */
	dormant_vm_flags_set(vma, VM_DONTDUMP);
	vma->vm_ops = &dormant_vm_ops;
	return 0;
}

static long dormant_punch_hole(struct inode *inode, loff_t offset, loff_t len)
{
	struct address_space *mapping = inode->i_mapping;
	loff_t end;

	if (!PAGE_ALIGNED(offset) || !PAGE_ALIGNED(len)) {
		pr_warn_ratelimited("object %lu: hole at 0x%llx+0x%llx refused: not page-aligned (pid %d)\n",
				    inode->i_ino, offset, len,
				    task_pid_nr(current));
		return -EINVAL;
	}
	inode_lock(inode);
	end = min_t(loff_t, offset + len, i_size_read(inode));
	if (offset < end) {
		filemap_invalidate_lock(mapping);
		dormant_discard(inode, offset, end - 1);
		filemap_invalidate_unlock(mapping);
		dormant_inode_touch_mc(inode);
	}
	inode_unlock(inode);
	return 0;
}

static long dormant_fallocate(struct file *file, int mode, loff_t offset,
			      loff_t len)
{
	struct inode *inode = file_inode(file);

	if (mode != (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)) {
		pr_warn_ratelimited("object %lu: fallocate mode 0x%x not supported (only PUNCH_HOLE|KEEP_SIZE; pid %d)\n",
				    inode->i_ino, mode, task_pid_nr(current));
		return -EOPNOTSUPP;
	}
	return dormant_punch_hole(inode, offset, len);
}

static long dormant_obj_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	struct inode *inode = file_inode(file);
	struct dormant_inode *di = DORMANT_I(inode);
	struct dormant_obj_stats __user *uarg = (void __user *)arg;
	struct dormant_obj_stats st;
	unsigned long pages;

	switch (cmd) {
	case DORMANT_IOC_OBJ_STATS:
		break;
	case DORMANT_IOC_POD_RELEASE:
		return dormant_pod_release(file, (void __user *)arg);
	case DORMANT_IOC_POD_GRANT:
		return dormant_pod_grant(file, (void __user *)arg);
	case DORMANT_IOC_POD_MAP:
		return dormant_pod_map(file, (void __user *)arg);
	default:
		pr_warn_ratelimited("object %lu: unknown ioctl 0x%x (pid %d)\n",
				    inode->i_ino, cmd, task_pid_nr(current));
		return -ENOTTY;
	}
	if (copy_from_user(&st, uarg, sizeof(st)))
		return -EFAULT;
	if (st.flags || st.pad) {
		pr_warn_ratelimited("OBJ_STATS: unknown flags 0x%x or pad 0x%x not zero (pid %d)\n",
				    st.flags, st.pad, task_pid_nr(current));
		return -EINVAL;
	}
	if (!dormant_reserved_zero("OBJ_STATS", &st.reserved, 1))
		return -EINVAL;
	memset(&st, 0, sizeof(st));
	pages = DIV_ROUND_UP(i_size_read(inode), PAGE_SIZE);
	st.size = i_size_read(inode);
	st.present = READ_ONCE(inode->i_mapping->nrpages);
	st.remote = READ_ONCE(di->nr_remote);
	st.dormant = pages > st.present + st.remote ?
		     pages - st.present - st.remote : 0;
	st.pod_requests = atomic64_read(&di->pod_requests);
	st.pod_failed = atomic64_read(&di->pod_failed);
	st.faults = atomic64_read(&di->faults);
	st.discards = atomic64_read(&di->discards);
	if (copy_to_user(uarg, &st, sizeof(st)))
		return -EFAULT;
	return 0;
}

static const struct file_operations dormant_file_fops = {
	.owner = THIS_MODULE,
	.mmap = dormant_mmap,
	.get_unmapped_area = thp_get_unmapped_area,
	.fallocate = dormant_fallocate,
	.llseek = generic_file_llseek,
	.unlocked_ioctl = dormant_obj_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.fsync = noop_fsync,
};

/*
 * Shrink the object to @size; mappings beyond the new end get SIGBUS from
 * then on. Caller holds the invalidate_lock exclusive.
 *
 * A 2 MiB folio that the new end cuts must not be split by the page cache
 * once the end has moved: a split drops the pages past i_size itself, and
 * for a mapping that is not shmem's it accounts their dirty state against
 * the inode's bdi_writeback, which a memory filesystem does not have (an
 * oops in folio_account_cleaned(), found by dormant_fuzz). So the range is
 * first punched with the old size, where a split keeps every page inside
 * the file and the small folios past the new end then go the usual way
 * (free_folio counts them out of their node). If that split failed (the
 * folio is pinned or mapped in a way that holds it), the folio is held
 * across the truncation so that it cannot be split then either: it stays
 * whole, its part past the end zeroed, until it goes as a whole.
 */
static void dormant_shrink(struct inode *inode, loff_t size)
{
	struct address_space *mapping = inode->i_mapping;
	pgoff_t end = size >> PAGE_SHIFT;
	struct folio *folio, *held = NULL;

	dormant_discard(inode, size, i_size_read(inode) - 1);
	if (end) {
		folio = filemap_get_folio(mapping, end);
		if (!IS_ERR_OR_NULL(folio)) {
			if (folio->index < end)
				held = folio;
			else
				folio_put(folio);
		}
	}
	i_size_write(inode, size);
	dormant_discard(inode, size, -1);
	dormant_pod_shrink(inode, end);
	if (held)
		folio_put(held);
}

static int dormant_setattr(struct dormant_idmap *idmap, struct dentry *dentry,
			   struct iattr *attr)
{
	struct inode *inode = d_inode(dentry);
	struct address_space *mapping = inode->i_mapping;
	loff_t old, size;
	int ret;

	ret = setattr_prepare(idmap, dentry, attr);
	if (ret)
		return ret;
	if (attr->ia_valid & ATTR_SIZE) {
		size = attr->ia_size;
		if (!PAGE_ALIGNED(size)) {
			pr_warn_ratelimited("object %lu: size 0x%llx refused: not a multiple of the page size (pid %d)\n",
					    inode->i_ino, size,
					    task_pid_nr(current));
			return -EINVAL;
		}
		ret = inode_newsize_ok(inode, size);
		if (ret)
			return ret;
		filemap_invalidate_lock(mapping);
		old = i_size_read(inode);
		if (size < old)
			dormant_shrink(inode, size);
		else
			i_size_write(inode, size);
		filemap_invalidate_unlock(mapping);
		if (size != old)
			dormant_inode_touch_mc(inode);
	}
	setattr_copy(idmap, inode, attr);
	return 0;
}

static int dormant_getattr(struct dormant_idmap *idmap, const struct path *path,
			   struct kstat *stat, u32 request_mask,
			   unsigned int query_flags)
{
	struct inode *inode = d_inode(path->dentry);

	dormant_generic_fillattr(idmap, request_mask, inode, stat);
	/* du(1) shows how much real memory backs the object. */
	if (S_ISREG(inode->i_mode))
		stat->blocks = (u64)READ_ONCE(inode->i_mapping->nrpages)
			       << (PAGE_SHIFT - 9);
	return 0;
}

static const struct inode_operations dormant_file_iops = {
	.setattr = dormant_setattr,
	.getattr = dormant_getattr,
};

/* A folio left an object's page cache: its pages leave the pool's count. */
static void dormant_free_folio(struct folio *folio)
{
	dormant_pool_gone(folio);
}

static const struct address_space_operations dormant_aops = {
	.dirty_folio = noop_dirty_folio,
	.free_folio = dormant_free_folio,
};

static const struct inode_operations dormant_dir_iops;

static struct inode *dormant_get_inode(struct super_block *sb,
				       struct dormant_idmap *idmap,
				       const struct inode *dir, umode_t mode)
{
	struct inode *inode = new_inode(sb);

	if (!inode)
		return NULL;
	inode->i_ino = get_next_ino();
	inode_init_owner(idmap, inode, dir, mode);
	inode->i_mapping->a_ops = &dormant_aops;
	dormant_inode_touch(inode);
	switch (mode & S_IFMT) {
	case S_IFREG:
		/* never reclaimed; 2 MiB folios allowed */
		mapping_set_unevictable(inode->i_mapping);
		mapping_set_large_folios(inode->i_mapping);
		inode->i_op = &dormant_file_iops;
		inode->i_fop = &dormant_file_fops;
		break;
	case S_IFDIR:
		inode->i_op = &dormant_dir_iops;
		inode->i_fop = &simple_dir_operations;
		inc_nlink(inode);
		break;
	}
	return inode;
}

static int dormant_mknod(struct dormant_idmap *idmap, struct inode *dir,
			 struct dentry *dentry, umode_t mode)
{
	struct inode *inode = dormant_get_inode(dir->i_sb, idmap, dir, mode);

	if (!inode)
		return -ENOSPC;
	d_instantiate(dentry, inode);
	dget(dentry);	/* pinned in the dcache, as in ramfs */
	dormant_inode_touch_mc(dir);
	return 0;
}

static int dormant_create(struct dormant_idmap *idmap, struct inode *dir,
			  struct dentry *dentry, umode_t mode, bool excl)
{
	return dormant_mknod(idmap, dir, dentry, (mode & ~S_IFMT) | S_IFREG);
}

static int dormant_mkdir(struct dormant_idmap *idmap, struct inode *dir,
			 struct dentry *dentry, umode_t mode)
{
	int ret = dormant_mknod(idmap, dir, dentry,
				(mode & ~S_IFMT) | S_IFDIR);

	if (!ret)
		inc_nlink(dir);
	return ret;
}

static const struct inode_operations dormant_dir_iops = {
	.create = dormant_create,
	.lookup = simple_lookup,
	.link = simple_link,
	.unlink = simple_unlink,
	.mkdir = dormant_mkdir,
	.rmdir = simple_rmdir,
	.rename = simple_rename,
};

static struct inode *dormant_alloc_inode(struct super_block *sb)
{
	struct dormant_inode *di;

	di = alloc_inode_sb(sb, dormant_inode_cachep, GFP_KERNEL);
	if (!di)
		return NULL;
	atomic_set(&di->align_warned, 0);
	atomic64_set(&di->faults, 0);
	atomic64_set(&di->discards, 0);
	dormant_pod_init_inode(di);
	return &di->vfs_inode;
}

static void dormant_free_inode(struct inode *inode)
{
	kmem_cache_free(dormant_inode_cachep, DORMANT_I(inode));
}

/* The object is gone: no mapping is left; its pages go to the page allocator. */
static void dormant_evict_inode(struct inode *inode)
{
	unsigned long nr = inode->i_data.nrpages;

	truncate_inode_pages_final(&inode->i_data);
	dormant_sb_uncharge(inode->i_sb, nr - inode->i_data.nrpages);
	dormant_pod_evict(DORMANT_I(inode));
	clear_inode(inode);
}

/* statfs: with a size= limit, its pages and what is left of them. */
static int dormant_statfs(struct dentry *dentry, struct kstatfs *buf)
{
	struct dormant_sb_info *sbi = DORMANT_SB(dentry->d_sb);
	unsigned long max = READ_ONCE(sbi->max_pages);
	long used = atomic_long_read(&sbi->used_pages);
	int ret = simple_statfs(dentry, buf);

	if (!ret && max) {
		buf->f_blocks = max;
		buf->f_bfree = used < max ? max - used : 0;
		buf->f_bavail = buf->f_bfree;
	}
	return ret;
}

/* The mount's options in /proc/mounts: those not at their default. */
static int dormant_show_options(struct seq_file *m, struct dentry *root)
{
	struct dormant_sb_info *sbi = DORMANT_SB(root->d_sb);
	unsigned long max = READ_ONCE(sbi->max_pages);

	if (sbi->mode != 0755)
		seq_printf(m, ",mode=%03o", sbi->mode);
	if (!uid_eq(sbi->uid, GLOBAL_ROOT_UID))
		seq_printf(m, ",uid=%u",
			   from_kuid_munged(&init_user_ns, sbi->uid));
	if (!gid_eq(sbi->gid, GLOBAL_ROOT_GID))
		seq_printf(m, ",gid=%u",
			   from_kgid_munged(&init_user_ns, sbi->gid));
	if (max)
		seq_printf(m, ",size=%luk", max << (PAGE_SHIFT - 10));
	return 0;
}

static const struct super_operations dormant_sops = {
	.alloc_inode = dormant_alloc_inode,
	.free_inode = dormant_free_inode,
	.evict_inode = dormant_evict_inode,
	.statfs = dormant_statfs,
	.drop_inode = generic_delete_inode,
	.show_options = dormant_show_options,
};

struct dormant_fs_opts {
	umode_t mode;
	kuid_t uid;
	kgid_t gid;
	unsigned long max_pages;
	bool size_set;
};

enum { OPT_MODE, OPT_UID, OPT_GID, OPT_SIZE };

static const struct fs_parameter_spec dormant_fs_params[] = {
	fsparam_u32oct("mode", OPT_MODE),
	fsparam_u32("uid", OPT_UID),
	fsparam_u32("gid", OPT_GID),
	fsparam_string("size", OPT_SIZE),
	{}
};

static int dormant_parse_param(struct fs_context *fc,
			       struct fs_parameter *param)
{
	struct dormant_fs_opts *opts = fc->fs_private;
	struct fs_parse_result result;
	int opt;

	opt = fs_parse(fc, dormant_fs_params, param, &result);
	if (opt < 0)
		return opt;	/* fs_parse() has logged the bad option */
	if (opt == OPT_MODE) {
		if (result.uint_32 & ~S_IALLUGO)
			return invalfc(fc, "mode 0%o has bits beyond 07777",
				       result.uint_32);
		opts->mode = result.uint_32 & S_IALLUGO;
	} else if (opt == OPT_UID) {
		/* as tmpfs: an id of the mounter's user namespace */
		kuid_t uid = make_kuid(current_user_ns(), result.uint_32);

		if (!uid_valid(uid) || !kuid_has_mapping(fc->user_ns, uid)) {
			pr_warn("mount: uid=%u refused: not a user id of the mounter's user namespace (pid %d)\n",
				result.uint_32, task_pid_nr(current));
			return -EINVAL;
		}
		opts->uid = uid;
	} else if (opt == OPT_GID) {
		kgid_t gid = make_kgid(current_user_ns(), result.uint_32);

		if (!gid_valid(gid) || !kgid_has_mapping(fc->user_ns, gid)) {
			pr_warn("mount: gid=%u refused: not a group id of the mounter's user namespace (pid %d)\n",
				result.uint_32, task_pid_nr(current));
			return -EINVAL;
		}
		opts->gid = gid;
	} else if (opt == OPT_SIZE) {
		char *rest;
		u64 size = memparse(param->string, &rest);

		if (*rest || rest == param->string ||
		    size > (u64)DORMANT_MAX_PAGES << PAGE_SHIFT)
			return invalfc(fc,
				       "size '%.32s' is not a size up to %lluG (bytes, or with k, m, g or t)",
				       param->string,
				       ((u64)DORMANT_MAX_PAGES << PAGE_SHIFT) >> 30);
		opts->max_pages = DIV_ROUND_UP(size, PAGE_SIZE);
		opts->size_set = true;
	}
	return 0;
}

/* mount -o remount,size=...: not below what the mount already holds. */
static int dormant_reconfigure(struct fs_context *fc)
{
	struct dormant_sb_info *sbi = DORMANT_SB(fc->root->d_sb);
	struct dormant_fs_opts *opts = fc->fs_private;
	long used = atomic_long_read(&sbi->used_pages);

	if (!opts->size_set)
		return 0;
	if (opts->max_pages && opts->max_pages < used)
		return invalfc(fc, "size of %lu pages is below the %ld pages present",
			       opts->max_pages, used);
	WRITE_ONCE(sbi->max_pages, opts->max_pages);
	return 0;
}

static int dormant_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct dormant_fs_opts *opts = fc->fs_private;
	struct dormant_sb_info *sbi;
	struct inode *root;

	sbi = kzalloc(sizeof(*sbi), GFP_KERNEL);
	if (!sbi)
		return -ENOMEM;
	sbi->max_pages = opts->max_pages;
	atomic_long_set(&sbi->used_pages, 0);
	sbi->mode = opts->mode;
	sbi->uid = opts->uid;
	sbi->gid = opts->gid;
	sb->s_fs_info = sbi;	/* freed by dormant_kill_sb() */
	sb->s_maxbytes = MAX_LFS_FILESIZE;
	sb->s_blocksize = PAGE_SIZE;
	sb->s_blocksize_bits = PAGE_SHIFT;
	sb->s_magic = DORMANT_FS_MAGIC;
	sb->s_op = &dormant_sops;
	sb->s_time_gran = 1;

	root = dormant_get_inode(sb, dormant_nop_idmap, NULL,
				 S_IFDIR | opts->mode);
	if (root) {
		root->i_uid = opts->uid;
		root->i_gid = opts->gid;
	}
	sb->s_root = d_make_root(root);
	if (!sb->s_root)
		return -ENOMEM;
	return 0;
}

static int dormant_get_tree(struct fs_context *fc)
{
	return get_tree_nodev(fc, dormant_fill_super);
}

static void dormant_free_fc(struct fs_context *fc)
{
	kfree(fc->fs_private);
}

static const struct fs_context_operations dormant_context_ops = {
	.free = dormant_free_fc,
	.parse_param = dormant_parse_param,
	.get_tree = dormant_get_tree,
	.reconfigure = dormant_reconfigure,
};

static int dormant_init_fs_context(struct fs_context *fc)
{
	struct dormant_fs_opts *opts;

	opts = kzalloc(sizeof(*opts), GFP_KERNEL);
	if (!opts)
		return -ENOMEM;
	opts->mode = 0755;
	opts->uid = current_fsuid();
	opts->gid = current_fsgid();
	fc->fs_private = opts;
	fc->ops = &dormant_context_ops;
	return 0;
}

static void dormant_kill_sb(struct super_block *sb)
{
	struct dormant_sb_info *sbi = DORMANT_SB(sb);

	kill_litter_super(sb);
	if (sbi)
		WARN_ON(atomic_long_read(&sbi->used_pages));
	kfree(sbi);
}

static struct file_system_type dormant_fs_type = {
	.owner = THIS_MODULE,
	.name = "dormant",
	.init_fs_context = dormant_init_fs_context,
	.parameters = dormant_fs_params,
	.kill_sb = dormant_kill_sb,
};

/* mount -t dormant loads the module */
MODULE_ALIAS_FS("dormant");

static void dormant_inode_init_once(void *p)
{
	struct dormant_inode *di = p;

	inode_init_once(&di->vfs_inode);
}

int dormant_fs_init(void)
{
	int ret;

	dormant_inode_cachep = kmem_cache_create("dormant_inode_cache",
						 sizeof(struct dormant_inode),
						 0, SLAB_RECLAIM_ACCOUNT |
						 SLAB_ACCOUNT,
						 dormant_inode_init_once);
	if (!dormant_inode_cachep)
		return -ENOMEM;
	ret = register_filesystem(&dormant_fs_type);
	if (ret)
		goto out_destroy_cache;
	return 0;

out_destroy_cache:
	kmem_cache_destroy(dormant_inode_cachep);
	return ret;
}

void dormant_fs_exit(void)
{
	unregister_filesystem(&dormant_fs_type);
	/* free_inode runs after an RCU grace period */
	rcu_barrier();
	kmem_cache_destroy(dormant_inode_cachep);
}
