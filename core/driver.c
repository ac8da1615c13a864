// SPDX-License-Identifier: GPL-2.0-only
/*
 * The driver registry: the linker's table of DEFINE_DRIVER()s, in which the
 * partition parser finds a child node's driver by its compatible.
 */
#include <stdlib.h>
#include <string.h>

#include "driver.h"

const struct driver *driver_find(const char *compatible)
{
	const struct driver *d;

	for_each_driver(d)
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

const struct device_config *device_earlier(const struct partition *p,
					   const struct guest_config *g,
					   const struct device_config *d,
					   struct device_iter *it)
{
	for (; it->guest <= p->nr_guests && it->guest < ARRAY_SIZE(p->guests);
	     it->guest++, it->dev = 0) {
		const struct guest_config *o = it->guest < p->nr_guests ?
					       &p->guests[it->guest] : g;

		while (it->dev < o->nr_devices) {
			const struct device_config *od = &o->devices[it->dev++];

			if (od->drv == d->drv)
				return od;
		}
		/* g's own devices come last, even if g is already counted. */
		if (o == g)
			break;
	}
	return NULL;
}

int device_config_alloc(struct device_config *dev, struct pinvm_error *err)
{
	dev->config = NULL;
	if (!dev->drv->config_size)
		return 0;
	dev->config = device_zalloc(dev, dev->drv->config_size, err);
	return dev->config ? 0 : -1;
}

void device_config_free(struct device_config *dev)
{
	free(dev->config);
	dev->config = NULL;
}

void *device_zalloc(const struct device_config *dev, size_t size,
		    struct pinvm_error *err)
{
	void *p = calloc(1, size);

	if (!p)
		error_set(err, "%s: out of memory", dev->path);
	return p;
}
