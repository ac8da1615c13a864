/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Region drivers: one file per device type under drivers/, each matching
 * guest child nodes by compatible and registering itself at start-up, so a
 * new device touches one file and one line of drivers/objects.mk.
 */
#ifndef PINVM_DRIVER_H
#define PINVM_DRIVER_H

#include "bus.h"
#include "links.h"
#include "partition.h"

struct guest_fdt;

struct driver {
	const char *compatible;
	/*
	 * Read and validate the node's own properties into dev; may be NULL.
	 * dev->base/size hold its reg, or 0 when it has none: the driver may
	 * then fill them in.
	 */
	int (*check)(const struct partition *p, const struct guest_config *g,
		     struct device_config *dev, struct pinvm_error *err);
	/*
	 * Put the device's region(s) on the guest's bus; priv is its state.
	 * links holds the guest's endpoints of the services (fronts, below).
	 */
	int (*attach)(const struct partition *p, const struct guest_config *g,
		      const struct device_config *dev, struct bus *bus,
		      const struct guest_links *links, struct pinvm_error *err);
	/* Write the device's node into the guest's device tree; may be NULL. */
	void (*guest_fdt)(struct guest_fdt *b, const struct partition *p,
			  const struct device_config *dev);
	/* The name of the service this device is the guest's window on. */
	const char *fronts;
	struct driver *next;
};

void driver_register(struct driver *drv);
/*
 * For attach(): the device's region, with the access policy its check()
 * (or the partition) left in dev, and zeroed state for its priv.
 */
struct region device_region(const struct device_config *dev,
			    const struct region_ops *ops, void *priv);
void *device_zalloc(const struct device_config *dev, size_t size,
		    struct pinvm_error *err);
const struct driver *driver_find(const char *compatible);

#define DRIVER_REGISTER(d)						\
	static void __attribute__((constructor)) d##_register(void)	\
	{								\
		driver_register(&(d));					\
	}

#endif
