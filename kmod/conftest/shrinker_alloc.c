// SPDX-License-Identifier: GPL-2.0
/* 6.7: shrinkers are allocated with shrinker_alloc(), not embedded */
#include <linux/shrinker.h>

static void __maybe_unused dormant_conftest(void)
{
	shrinker_free(shrinker_alloc(0, "dormant-conftest"));
}
