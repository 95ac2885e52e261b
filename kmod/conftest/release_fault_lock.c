// SPDX-License-Identifier: GPL-2.0
/* 6.4: a fault may hold the VMA's lock, not mmap_lock: release_fault_lock() */
#include <linux/mm.h>

static void __maybe_unused dormant_conftest(struct vm_fault *vmf)
{
	release_fault_lock(vmf);
}
