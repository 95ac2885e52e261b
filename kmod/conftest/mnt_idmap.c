// SPDX-License-Identifier: GPL-2.0
/* 6.3: inode operations take a struct mnt_idmap */
#include <linux/fs.h>
#include <linux/mnt_idmapping.h>

static __maybe_unused struct mnt_idmap *dormant_conftest(void)
{
	return &nop_mnt_idmap;
}
