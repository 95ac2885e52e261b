/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dormant: the differences between the kernel series we build for (Debian
 * bookworm's 6.1 and 6.12), in one place. Which side of each change a
 * kernel is on comes from compile tests (kmod/conftest/, run by
 * kmod/conftest.sh into conftest.h), not from version numbers.
 */
#ifndef _DORMANT_COMPAT_H
#define _DORMANT_COMPAT_H

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/shrinker.h>
#include <linux/slab.h>

#include "conftest.h"

#ifdef DORMANT_HAVE_MNT_IDMAP
/* 6.3: inode operations take a struct mnt_idmap, not a user_namespace */
#define dormant_idmap		mnt_idmap
#define dormant_nop_idmap	(&nop_mnt_idmap)
#else
#define dormant_idmap		user_namespace
#define dormant_nop_idmap	(&init_user_ns)
#endif

#ifdef DORMANT_HAVE_FILLATTR_MASK
/* 6.6: generic_fillattr() takes the request mask */
static inline void dormant_generic_fillattr(struct dormant_idmap *idmap,
					    u32 request_mask,
					    struct inode *inode,
					    struct kstat *stat)
{
	generic_fillattr(idmap, request_mask, inode, stat);
}
#else
static inline void dormant_generic_fillattr(struct dormant_idmap *idmap,
					    u32 request_mask,
					    struct inode *inode,
					    struct kstat *stat)
{
	generic_fillattr(idmap, inode, stat);
}
#endif

#ifdef DORMANT_HAVE_VM_FLAGS_SET
/* 6.3: vm_flags are read-only outside the vm_flags_*() helpers */
static inline void dormant_vm_flags_set(struct vm_area_struct *vma,
					vm_flags_t flags)
{
	vm_flags_set(vma, flags);
}
#else
static inline void dormant_vm_flags_set(struct vm_area_struct *vma,
					vm_flags_t flags)
{
	vma->vm_flags |= flags;
}
#endif

#ifdef DORMANT_HAVE_INODE_TS
/* 6.7: inode timestamps behind accessors */
static inline void dormant_inode_touch(struct inode *inode)
{
	simple_inode_init_ts(inode);
}

static inline void dormant_inode_touch_mc(struct inode *inode)
{
	inode_set_mtime_to_ts(inode, inode_set_ctime_current(inode));
}
#else
static inline void dormant_inode_touch(struct inode *inode)
{
	struct timespec64 now = inode_set_ctime_current(inode);

	inode->i_atime = now;
	inode->i_mtime = now;
}

static inline void dormant_inode_touch_mc(struct inode *inode)
{
	inode->i_mtime = inode_set_ctime_current(inode);
}
#endif

typedef unsigned long (*dormant_shrink_fn)(struct shrinker *,
					   struct shrink_control *);

#ifdef DORMANT_HAVE_SHRINKER_ALLOC
/* 6.7: shrinkers are allocated by shrinker_alloc() */
static inline struct shrinker *dormant_shrinker_create(dormant_shrink_fn count,
						       dormant_shrink_fn scan,
						       const char *name)
{
	struct shrinker *s = shrinker_alloc(SHRINKER_NUMA_AWARE, "%s", name);

	if (!s)
		return NULL;
	s->count_objects = count;
	s->scan_objects = scan;
	s->seeks = DEFAULT_SEEKS;
	shrinker_register(s);
	return s;
}

static inline void dormant_shrinker_destroy(struct shrinker *s)
{
	shrinker_free(s);
}
#else
static inline struct shrinker *dormant_shrinker_create(dormant_shrink_fn count,
						       dormant_shrink_fn scan,
						       const char *name)
{
	struct shrinker *s = kzalloc(sizeof(*s), GFP_KERNEL);

	if (!s)
		return NULL;
	s->count_objects = count;
	s->scan_objects = scan;
	s->seeks = DEFAULT_SEEKS;
	s->flags = SHRINKER_NUMA_AWARE;
	if (register_shrinker(s, "%s", name)) {
		kfree(s);
		return NULL;
	}
	return s;
}

static inline void dormant_shrinker_destroy(struct shrinker *s)
{
	unregister_shrinker(s);
	kfree(s);
}
#endif

#ifdef DORMANT_HAVE_RELEASE_FAULT_LOCK
/* 6.4: a fault holds either mmap_lock or the VMA's own lock */
static inline void dormant_release_fault_lock(struct vm_fault *vmf)
{
	release_fault_lock(vmf);
}
#else
static inline void dormant_release_fault_lock(struct vm_fault *vmf)
{
	mmap_read_unlock(vmf->vma->vm_mm);
}
#endif

#ifdef DORMANT_HAVE_ERROR_REMOVE_FOLIO
/* 6.8: take a locked folio out of the page cache, unmapped first */
static inline int dormant_remove_folio(struct address_space *mapping,
				       struct folio *folio)
{
	return generic_error_remove_folio(mapping, folio);
}
#else
static inline int dormant_remove_folio(struct address_space *mapping,
				       struct folio *folio)
{
	return generic_error_remove_page(mapping, &folio->page);
}
#endif

#endif /* _DORMANT_COMPAT_H */
