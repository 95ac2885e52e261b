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
#include <linux/slab.h>
#include <linux/statfs.h>
#include <linux/xarray.h>
#include <uapi/linux/dormant.h>

#include "compat.h"
#include "dormant.h"
#include "dormant_trace.h"

/**
 * struct dormant_inode - a guest memory object
 * @pages:       page state by page offset. No entry: dormant. A struct page
 *               pointer: present, backed by that page, which the entry holds
 *               one reference to. (Value entries are kept free for the
 *               states of later work: owned by another host, in transit.)
 *               Entries are installed under the mapping's invalidate_lock
 *               held shared (the fault path; xa_cmpxchg settles races
 *               between faults) and removed under it held exclusive
 *               (discard, truncation), after the range is unmapped.
 * @nr_present:  number of present pages
 * @faults:      dormant pages made present by a fault
 * @discards:    present pages made dormant again
 * @vfs_inode:   the VFS inode
 */
struct dormant_inode {
	struct xarray pages;
	atomic_long_t nr_present;
	atomic64_t faults;
	atomic64_t discards;
	struct inode vfs_inode;
};

static struct kmem_cache *dormant_inode_cachep;

/* Pages a discard takes out of an object per round of its xarray lock. */
#define DORMANT_DISCARD_BATCH	32

static inline struct dormant_inode *DORMANT_I(struct inode *inode)
{
	return container_of(inode, struct dormant_inode, vfs_inode);
}

/*
 * Make pages [start, end] dormant. The caller holds the invalidate_lock
 * exclusive and has unmapped the range from every mapping (so KVM's
 * EPT/NPT entries are gone too, through its MMU notifier).
 */
static void dormant_discard(struct dormant_inode *di, pgoff_t start,
			    pgoff_t end)
{
	XA_STATE(xas, &di->pages, start);
	struct page *batch[DORMANT_DISCARD_BATCH];
	pgoff_t index[DORMANT_DISCARD_BATCH];
	unsigned long total = 0;
	struct page *page;
	int i, n;

	do {
		/*
		 * Take a batch out under the lock, give it back without it.
		 * Entries are found first and erased after, so that erasing
		 * (which may free and shrink nodes) never runs under the walk.
		 */
		n = 0;
		xas_lock(&xas);
		xas_for_each(&xas, page, end) {
			index[n] = xas.xa_index;
			batch[n++] = page;
			if (n == DORMANT_DISCARD_BATCH)
				break;
		}
		for (i = 0; i < n; i++)
			__xa_erase(&di->pages, index[i]);
		if (n)
			xas_set(&xas, index[n - 1] + 1);
		xas_unlock(&xas);
		for (i = 0; i < n; i++)
			dormant_pool_put(batch[i]);
		total += n;
		cond_resched();
	} while (n == DORMANT_DISCARD_BATCH);

	if (total) {
		atomic_long_sub(total, &di->nr_present);
		atomic64_add(total, &di->discards);
		trace_dormant_discard(di->vfs_inode.i_ino, start, total);
	}
}

/* The node a fault on @pgoff should be served from, and the allowed nodes. */
static int dormant_fault_nid(struct vm_area_struct *vma, pgoff_t pgoff,
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
		i = pgoff % w;
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

static vm_fault_t dormant_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct inode *inode = file_inode(vma->vm_file);
	struct address_space *mapping = inode->i_mapping;
	struct dormant_inode *di = DORMANT_I(inode);
	struct page *page, *old;
	nodemask_t allowed;
	vm_fault_t ret;
	int nid, path;

	filemap_invalidate_lock_shared(mapping);
	if (vmf->pgoff >= DIV_ROUND_UP(i_size_read(inode), PAGE_SIZE)) {
		ret = VM_FAULT_SIGBUS;
		goto out_unlock;
	}
	page = xa_load(&di->pages, vmf->pgoff);
	if (!page) {
		nid = dormant_fault_nid(vma, vmf->pgoff, &allowed);
		page = dormant_pool_get(nid, &allowed, &path);
		if (!page) {
			pr_warn_ratelimited("object %lu: no memory for the page at offset 0x%llx (node %d, pid %d): SIGBUS\n",
					    inode->i_ino,
					    (u64)vmf->pgoff << PAGE_SHIFT, nid,
					    task_pid_nr(current));
			ret = VM_FAULT_SIGBUS;
			goto out_unlock;
		}
		old = xa_cmpxchg(&di->pages, vmf->pgoff, NULL, page, GFP_KERNEL);
		if (old) {
			/* Another fault won, or no memory for the entry. */
			dormant_pool_put_zeroed(page);
			if (xa_is_err(old)) {
				ret = VM_FAULT_OOM;
				goto out_unlock;
			}
			page = old;
		} else {
			atomic_long_inc(&di->nr_present);
			atomic64_inc(&di->faults);
			trace_dormant_fault(inode->i_ino,
					    (u64)vmf->pgoff << PAGE_SHIFT,
					    page_to_nid(page), path);
		}
	}
	ret = vmf_insert_page(vma, vmf->address, page);
out_unlock:
	filemap_invalidate_unlock_shared(mapping);
	return ret;
}

static const struct vm_operations_struct dormant_vm_ops = {
	.fault = dormant_fault,
};

bool dormant_vma_is_ours(struct vm_area_struct *vma)
{
	return vma->vm_ops == &dormant_vm_ops;
}

/*
 * 1 if the object page mapped at @addr of our @vma is dormant, 0 if it is
 * backed. Callable in atomic context (the KVM hook's probe).
 */
int dormant_vma_page_dormant(struct vm_area_struct *vma, unsigned long addr)
{
	struct dormant_inode *di = DORMANT_I(file_inode(vma->vm_file));

	return xa_load(&di->pages, linear_page_index(vma, addr)) ? 0 : 1;
}

static int dormant_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (!(vma->vm_flags & VM_SHARED)) {
		pr_warn_ratelimited("object %lu: private mapping refused (%s, pid %d): map it MAP_SHARED (QEMU: share=on)\n",
				    file_inode(file)->i_ino, current->comm,
				    task_pid_nr(current));
		return -EINVAL;
	}
	file_accessed(file);
	/* vmf_insert_page() needs VM_MIXEDMAP; see Documentation/design.rst */
	dormant_vm_flags_set(vma, VM_MIXEDMAP);
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
		unmap_mapping_range(mapping, offset, end - offset, 1);
		dormant_discard(DORMANT_I(inode), offset >> PAGE_SHIFT,
				(end >> PAGE_SHIFT) - 1);
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

	if (cmd != DORMANT_IOC_OBJ_STATS) {
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
	if (!dormant_reserved_zero("OBJ_STATS", st.reserved,
				   ARRAY_SIZE(st.reserved)))
		return -EINVAL;
	memset(&st, 0, sizeof(st));
	pages = DIV_ROUND_UP(i_size_read(inode), PAGE_SIZE);
	st.size = i_size_read(inode);
	st.present = atomic_long_read(&di->nr_present);
	st.dormant = pages > st.present ? pages - st.present : 0;
	st.faults = atomic64_read(&di->faults);
	st.discards = atomic64_read(&di->discards);
	if (copy_to_user(uarg, &st, sizeof(st)))
		return -EFAULT;
	return 0;
}

static const struct file_operations dormant_file_fops = {
	.owner = THIS_MODULE,
	.mmap = dormant_mmap,
	.fallocate = dormant_fallocate,
	.llseek = generic_file_llseek,
	.unlocked_ioctl = dormant_obj_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.fsync = noop_fsync,
};

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
		i_size_write(inode, size);
		if (size < old) {
			/* Mappings beyond the new end get SIGBUS from now on. */
			unmap_mapping_range(mapping, size, 0, 1);
			dormant_discard(DORMANT_I(inode), size >> PAGE_SHIFT,
					ULONG_MAX);
		}
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
		stat->blocks = (u64)atomic_long_read(&DORMANT_I(inode)->nr_present)
			       << (PAGE_SHIFT - 9);
	return 0;
}

static const struct inode_operations dormant_file_iops = {
	.setattr = dormant_setattr,
	.getattr = dormant_getattr,
};

static const struct address_space_operations dormant_aops = {
	.dirty_folio = noop_dirty_folio,
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
	xa_init(&di->pages);
	atomic_long_set(&di->nr_present, 0);
	atomic64_set(&di->faults, 0);
	atomic64_set(&di->discards, 0);
	return &di->vfs_inode;
}

static void dormant_free_inode(struct inode *inode)
{
	kmem_cache_free(dormant_inode_cachep, DORMANT_I(inode));
}

/* The object is gone: no mapping is left, so its pages go to the pools. */
static void dormant_evict_inode(struct inode *inode)
{
	struct dormant_inode *di = DORMANT_I(inode);

	truncate_inode_pages_final(&inode->i_data);
	if (S_ISREG(inode->i_mode)) {
		dormant_discard(di, 0, ULONG_MAX);
		xa_destroy(&di->pages);
	}
	clear_inode(inode);
}

static const struct super_operations dormant_sops = {
	.alloc_inode = dormant_alloc_inode,
	.free_inode = dormant_free_inode,
	.evict_inode = dormant_evict_inode,
	.statfs = simple_statfs,
	.drop_inode = generic_delete_inode,
};

struct dormant_fs_opts {
	umode_t mode;
};

enum { OPT_MODE };

static const struct fs_parameter_spec dormant_fs_params[] = {
	fsparam_u32oct("mode", OPT_MODE),
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
	}
	return 0;
}

static int dormant_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct dormant_fs_opts *opts = fc->fs_private;
	struct inode *root;

	sb->s_maxbytes = MAX_LFS_FILESIZE;
	sb->s_blocksize = PAGE_SIZE;
	sb->s_blocksize_bits = PAGE_SHIFT;
	sb->s_magic = DORMANT_FS_MAGIC;
	sb->s_op = &dormant_sops;
	sb->s_time_gran = 1;

	root = dormant_get_inode(sb, dormant_nop_idmap, NULL,
				 S_IFDIR | opts->mode);
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
};

static int dormant_init_fs_context(struct fs_context *fc)
{
	struct dormant_fs_opts *opts;

	opts = kzalloc(sizeof(*opts), GFP_KERNEL);
	if (!opts)
		return -ENOMEM;
	opts->mode = 0755;
	fc->fs_private = opts;
	fc->ops = &dormant_context_ops;
	return 0;
}

static struct file_system_type dormant_fs_type = {
	.owner = THIS_MODULE,
	.name = "dormant",
	.init_fs_context = dormant_init_fs_context,
	.parameters = dormant_fs_params,
	.kill_sb = kill_litter_super,
};

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
