// SPDX-License-Identifier: GPL-2.0-only
/*
 * The driver registry: drivers add themselves at start-up (DRIVER_REGISTER)
 * and the partition parser finds them by a child node's compatible.
 */
#include <stdlib.h>
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

struct region device_region(const struct device_config *dev,
			    const struct region_ops *ops, void *priv)
{
	struct region r = {
		.base = dev->base,
		.size = dev->size,
		.name = dev->path,
		.ops = ops,
		.priv = priv,
		.widths = dev->widths,
		.dir = dev->dir,
		.unaligned = dev->unaligned,
	};

	return r;
}

void *device_zalloc(const struct device_config *dev, size_t size,
		    struct pinvm_error *err)
{
	void *p = calloc(1, size);

	if (!p)
		error_set(err, "%s: out of memory", dev->path);
	return p;
}
