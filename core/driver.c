// SPDX-License-Identifier: GPL-2.0-only
/*
 * The driver registry: drivers add themselves at start-up (DRIVER_REGISTER)
 * and the partition parser finds them by a child node's compatible.
 */
#include <string.h>

#include "driver.h"

static struct driver *drivers;

void driver_register(struct driver *drv)
{
	drv->next = drivers;
	drivers = drv;
}

const struct driver *driver_find(const char *compatible)
{
	const struct driver *d;

	for (d = drivers; d; d = d->next)
		if (!strcmp(d->compatible, compatible))
			return d;
	return NULL;
}
