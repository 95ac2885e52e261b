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

#endif /* _DORMANT_COMPAT_H */
