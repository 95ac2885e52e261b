// SPDX-License-Identifier: GPL-2.0
/* 6.8: generic_error_remove_folio() replaces generic_error_remove_page() */
#include <linux/mm.h>

static int __maybe_unused dormant_conftest(struct address_space *mapping,
					   struct folio *folio)
{
	return generic_error_remove_folio(mapping, folio);
}
