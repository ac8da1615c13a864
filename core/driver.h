/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Region drivers: one home per device type under drivers/, each matching
 * guest child nodes by compatible. DEFINE_DRIVER() puts the driver in the
 * linker's pinvm_drivers table, so a new device touches its own files and
 * one line of drivers/objects.mk, never core/.
 */
#ifndef PINVM_DRIVER_H
#define PINVM_DRIVER_H

#include "bus.h"
#include "links.h"
#include "partition.h"
#include "registry.h"
#include "sandbox.h"

struct guest_fdt;

struct driver {
	const char *compatible;
	/*
	 * The size of the driver's own parsed config: core gives every device
	 * of this driver that many zeroed bytes in dev->config (0: none, NULL)
	 * and frees them in partition_free().
	 */
	size_t config_size;
	/*
	 * Read and validate the node's own properties, once, into dev and
	 * dev->config; may be NULL. dev->base/size hold its reg, or 0 when it
	 * has none: the driver may then fill them in.
	 */
	int (*check)(const struct partition *p, const struct guest_config *g,
		     struct device_config *dev, struct pinvm_error *err);
	/*
	 * Put the device's region(s) on the guest's bus, from what check()
	 * left in dev and dev->config; priv is its state. links holds the
	 * guest's endpoints of the services (fronts, below).
	 */
	int (*attach)(const struct partition *p, const struct guest_config *g,
		      const struct device_config *dev, struct bus *bus,
		      const struct guest_links *links, struct pinvm_error *err);
	/* Write the device's node into the guest's device tree; may be NULL. */
	void (*guest_fdt)(struct guest_fdt *b, const struct partition *p,
			  const struct device_config *dev);

	/*
	 * What core needs to know of the driver, so it names none (all
	 * optional). The name of the service this device is the guest's
	 * window on (drivers/health.c: "update").
	 */
	const char *fronts;
	/*
	 * Seccomp (core/sandbox.c): what a vCPU thread needs for this
	 * driver's region accesses. The main thread's filter includes it,
	 * since a guest restart resets the devices with the same calls.
	 */
	const struct sandbox_rules *vcpu_rules;
	/*
	 * What the main thread needs beyond that after start-up: a device's
	 * reset at a guest restart, its release when the guest ends. No
	 * restart attaches a device again, so no driver needs a capability
	 * kept.
	 */
	const struct sandbox_rules *main_rules;
	/* The driver's own thread, which enters this policy; NULL for none. */
	const struct sandbox_policy *thread;
};

/*
 * For attach(): the device's region, with the access policy its check()
 * (or the partition) left in dev, and zeroed state for its priv.
 */
struct region device_region(const struct device_config *dev,
			    const struct region_ops *ops, void *priv);
void *device_zalloc(const struct device_config *dev, size_t size,
		    struct pinvm_error *err);
const struct driver *driver_find(const char *compatible);
/*
 * For a driver's owner check in check(): the devices of d's driver parsed
 * before d (the earlier guests', then g's own), whose configs are filled
 * in, one per call; NULL at the end. it starts zeroed.
 */
struct device_iter {
	unsigned int guest, dev;
};

const struct device_config *device_earlier(const struct partition *p,
					   const struct guest_config *g,
					   const struct device_config *d,
					   struct device_iter *it);
/* For the partition parser: dev->config for dev->drv, and its release. */
int device_config_alloc(struct device_config *dev, struct pinvm_error *err);
void device_config_free(struct device_config *dev);

/*
 * DEFINE_DRIVER(name) = { .compatible = ..., ... }; defines name##_driver
 * and its entry in the table.
 */
#define DEFINE_DRIVER(name)						\
	REGISTRY_DEFINE(pinvm_drivers, struct driver, name##_driver)

REGISTRY_DECLARE(pinvm_drivers, struct driver);
/* drv (a const struct driver *) takes every compiled-in driver in turn. */
#define for_each_driver(drv)	registry_for_each(pinvm_drivers, drv)

#endif
