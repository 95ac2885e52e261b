// SPDX-License-Identifier: GPL-2.0
/* 6.3: vm_flags are changed through vm_flags_set() */
#include <linux/mm.h>

static void __maybe_unused dormant_conftest(struct vm_area_struct *vma)
{
	vm_flags_set(vma, VM_MIXEDMAP);
}
