// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest names and firmware versions, as the partition, bundles, the state
 * record and pinvm-sign all spell them: one definition for all.
 */
#include <stdlib.h>
#include <string.h>

#include "names.h"

bool guest_name_valid(const char *name)
{
	size_t i, len = strlen(name);

	if (len == 0 || len >= GUEST_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
	}
	return true;
}

bool version_valid(const char *v)
{
	unsigned int parts = 0, digits = 0;

	if (strlen(v) >= VERSION_MAX)
		return false;
	for (;; v++) {
		if (*v >= '0' && *v <= '9') {
			/* At most 9 digits: every part fits an unsigned long. */
			if (++digits > 9)
				return false;
			continue;
		}
		if (!digits || ++parts > 4 || (*v && *v != '.'))
			return false;
		if (!*v)
			return true;
		digits = 0;
	}
}

int version_compare(const char *a, const char *b)
{
	while (*a || *b) {
		unsigned long x = strtoul(a, (char **)&a, 10);
		unsigned long y = strtoul(b, (char **)&b, 10);

		if (x != y)
			return x < y ? -1 : 1;
		a += *a == '.';
		b += *b == '.';
	}
	return 0;
}
