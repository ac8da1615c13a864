// SPDX-License-Identifier: GPL-2.0-only
/*
 * The health register (compatible "pinvm,health"): how a guest on trial
 * with new firmware tells pinvm it is up, so the update is committed
 * instead of rolled back. It fronts the field-update service
 * (core/update/update.c), which it reaches through the guest's update link. One
 * 4 KiB page of 32-bit registers, little-endian like every pinvm device
 * model:
 *
 *   0x00 STATUS   write HEALTH_OK: "up and well"; reads 1 once written
 *   0x04 SLOT     the firmware slot this boot runs: 0 = a, 1 = b
 *                 (a guest with a health register always has slots)
 *   0x08 ATTEMPT  the trial's boot attempt (1, 2, ...), 0 when committed
 *
 * A guest reports once per boot; later writes are counted and ignored.
 */
#include <libfdt.h>
#include <stdlib.h>

#include "driver.h"
#include "guest_fdt.h"
#include "update.h"

#define HEALTH_STATUS		0x00
#define HEALTH_SLOT		0x04
#define HEALTH_ATTEMPT		0x08
/* "OK\0\0" in ASCII: a stray write of 0 or 1 is not a health report. */
#define HEALTH_OK		0x4b4f

#define HEALTH_TIMEOUT_MS_MIN	100
#define HEALTH_TIMEOUT_MS_MAX	3600000

/* The update service reads its part: health's config is that alone. */
struct health_config {
	struct update_config update;
};

struct health {
	struct update_link *link;
	bool reported;
};

static bool health_read(struct region *r, uint64_t offset, uint8_t *data,
			unsigned int len)
{
	struct health *h = r->priv;
	uint32_t v = 0;

	if (offset == HEALTH_STATUS)
		v = h->reported;
	else if (offset == HEALTH_SLOT)
		v = atomic_load_explicit(&h->link->slot, memory_order_relaxed);
	else if (offset == HEALTH_ATTEMPT)
		/* The monitor zeroes it at commit, while the guest runs. */
		v = atomic_load_explicit(&h->link->attempt, memory_order_relaxed);
	bus_put_le(data, len, v);
	return true;
}

static bool health_write(struct region *r, uint64_t offset,
			 const uint8_t *data, unsigned int len)
{
	struct health *h = r->priv;

	if (offset != HEALTH_STATUS || bus_get_le(data, len) != HEALTH_OK ||
	    h->reported)
		return true;
	h->reported = true;
	update_link_report(h->link);
	return true;
}

/* A reset is a new boot: it has to report again. */
static void health_reset(struct region *r)
{
	struct health *h = r->priv;

	h->reported = false;
}

static void health_release(struct region *r)
{
	free(r->priv);
	r->priv = NULL;
}

static const struct region_ops health_ops = {
	.read = health_read,
	.write = health_write,
	.reset = health_reset,
	.release = health_release,
};

static int health_attach(const struct partition *p,
			 const struct guest_config *g,
			 const struct device_config *dev, struct bus *bus,
			 const struct guest_links *links,
			 struct pinvm_error *err)
{
	struct update_link *link = guest_link(links, UPDATE_SERVICE);
	struct health *h;
	struct region r;

	if (!link) {
		error_set(err, "%s: the field-update service does not serve this guest",
			  dev->path);
		return -1;
	}
	h = device_zalloc(dev, sizeof(*h), err);
	r = device_region(dev, &health_ops, h);
	if (!h)
		return -1;
	r.widths = BUS_WIDTH(4);
	r.dir = BUS_DIR_READ | BUS_DIR_WRITE;
	h->link = link;
	if (bus_add(bus, &r, err)) {
		free(h);
		return -1;
	}
	return 0;
}

static int health_check(const struct partition *p,
			const struct guest_config *g,
			struct device_config *dev, struct pinvm_error *err)
{
	struct health_config *cfg = dev->config;
	const fdt32_t *timeout;
	unsigned int i;
	int len;

	for (i = 0; i < g->nr_devices; i++) {
		if (g->devices[i].drv == dev->drv) {
			partition_error(err, p, dev->path, "a guest has one pinvm,health device at most");
			return -1;
		}
	}
	if (dev->size < 0x1000) {
		partition_error(err, p, dev->path, "reg: the health register needs 0x1000 bytes");
		return -1;
	}
	timeout = fdt_getprop(p->fdt, dev->node, "timeout-ms", &len);
	cfg->update.timeout_ms = timeout && len == 4 ? fdt32_to_cpu(*timeout) : 0;
	if (cfg->update.timeout_ms < HEALTH_TIMEOUT_MS_MIN ||
	    cfg->update.timeout_ms > HEALTH_TIMEOUT_MS_MAX) {
		partition_error(err, p, dev->path, "timeout-ms: %s (one cell, %u to %u: how long new firmware has to report health)",
				timeout ? "out of range" : "missing",
				HEALTH_TIMEOUT_MS_MIN, HEALTH_TIMEOUT_MS_MAX);
		return -1;
	}
	return 0;
}

static void health_guest_fdt(struct guest_fdt *b, const struct partition *p,
			     const struct device_config *dev)
{
	static const char compat[] = "pinvm,health";

	guest_fdt_device(b, dev, "health@%llx", compat, sizeof(compat));
}

DEFINE_DRIVER(health) = {
	.compatible = "pinvm,health",
	.config_size = sizeof(struct health_config),
	.check = health_check,
	.attach = health_attach,
	.guest_fdt = health_guest_fdt,
	.fronts = UPDATE_SERVICE,
};
