// SPDX-License-Identifier: GPL-2.0-only
/*
 * The monitor's filters: the table the build wrote with its first link's
 * `pinvm filter source` ($(BUILD)/sandbox_filters.c, core/sandbox_rules.c
 * says why), looked up by name. No libseccomp here.
 */
#include <string.h>

#include "sandbox_filter.h"

const struct sandbox_filter *sandbox_filter_find(const char *name,
						 struct pinvm_error *err)
{
	const struct sandbox_filter *f;

	for (f = sandbox_carried; f->name; f++)
		if (!strcmp(f->name, name))
			return f;
	error_set(err, "seccomp: pinvm carries no filter for %s", name);
	return NULL;
}
