// SPDX-License-Identifier: GPL-2.0
/* 6.7: inode timestamps behind accessors */
#include <linux/fs.h>

static void __maybe_unused dormant_conftest(struct inode *inode)
{
	simple_inode_init_ts(inode);
	inode_set_mtime_to_ts(inode, inode_set_ctime_current(inode));
}
