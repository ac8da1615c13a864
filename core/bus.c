// SPDX-License-Identifier: GPL-2.0-only
/*
 * The MMIO bus: region table and the checks every trapped access passes
 * before a driver sees it. This is the hot path of every MMIO exit: no
 * allocation, no locks, a binary search and a handful of compares. The
 * devices' interrupt lines go through it too, under their own lock.
 */
#include <string.h>

#include "bus.h"
#include "guest_memory.h"

int bus_add(struct bus *bus, const struct region *r, struct pinvm_error *err)
{
	unsigned int i, pos;

	if (r->size == 0 || r->base + r->size < r->base) {
		error_set(err, "%s: region 0x%llx+0x%llx is empty or wraps",
			  r->name, (unsigned long long)r->base,
			  (unsigned long long)r->size);
		return -1;
	}
	if (bus->nr_regions == BUS_MAX_REGIONS) {
		error_set(err, "%s: more than %d MMIO regions in one guest",
			  r->name, BUS_MAX_REGIONS);
		return -1;
	}
	for (i = 0; i < bus->nr_regions; i++) {
		const struct region *o = &bus->regions[i];

		if (ranges_overlap(r->base, r->size, o->base, o->size)) {
			error_set(err, "%s: region 0x%llx+0x%llx overlaps %s",
				  r->name, (unsigned long long)r->base,
				  (unsigned long long)r->size, o->name);
			return -1;
		}
	}
	/* Insert sorted by base so bus_find() can bisect. */
	for (pos = 0; pos < bus->nr_regions; pos++)
		if (bus->regions[pos].base > r->base)
			break;
	memmove(&bus->regions[pos + 1], &bus->regions[pos],
		(bus->nr_regions - pos) * sizeof(*r));
	bus->regions[pos] = *r;
	bus->nr_regions++;
	bus->last = NULL;
	return 0;
}

struct region *bus_find(struct bus *bus, uint64_t addr)
{
	unsigned int lo = 0, hi = bus->nr_regions;
	struct region *last = bus->last;

	if (last && addr - last->base < last->size)
		return last;
	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;
		struct region *r = &bus->regions[mid];

		if (addr < r->base)
			hi = mid;
		else if (addr - r->base >= r->size)
			lo = mid + 1;
		else
			return bus->last = r;
	}
	return NULL;
}

/*
 * Checks in the order Jailhouse uses: owner, direction, width, alignment,
 * then the region's end; only an access that passes them all reaches the
 * driver, as one access of exactly len bytes.
 */
enum bus_status bus_access(struct bus *bus, uint64_t addr, uint8_t *data,
			   unsigned int len, bool is_write)
{
	struct region *r = bus_find(bus, addr);
	uint64_t offset;

	if (!r)
		return BUS_UNMAPPED;
	if (!(r->dir & (is_write ? BUS_DIR_WRITE : BUS_DIR_READ)))
		return BUS_BAD_DIRECTION;
	if (len == 0 || len > 8 || (len & (len - 1)) ||
	    !(r->widths & BUS_WIDTH(len)))
		return BUS_BAD_WIDTH;
	if ((addr & (len - 1)) && !r->unaligned)
		return BUS_UNALIGNED;
	offset = addr - r->base;
	if (len > r->size - offset)
		return BUS_STRADDLE;
	if (is_write) {
		stat_inc(&r->writes);
		if (!r->ops->write(r, offset, data, len))
			return BUS_DEVICE_FAULT;
	} else {
		stat_inc(&r->reads);
		if (!r->ops->read(r, offset, data, len))
			return BUS_DEVICE_FAULT;
	}
	return BUS_OK;
}

const char *bus_status_str(enum bus_status status)
{
	static const char *const names[] = {
		[BUS_OK] = "ok",
		[BUS_UNMAPPED] = "no region owns the address",
		[BUS_BAD_WIDTH] = "width not allowed",
		[BUS_BAD_DIRECTION] = "direction not allowed",
		[BUS_UNALIGNED] = "unaligned",
		[BUS_STRADDLE] = "straddles the region's end",
		[BUS_DEVICE_FAULT] = "the device faulted",
	};

	return status < ARRAY_SIZE(names) ? names[status] : "?";
}

void bus_reset(struct bus *bus)
{
	unsigned int i;

	for (i = 0; i < bus->nr_regions; i++)
		if (bus->regions[i].ops->reset)
			bus->regions[i].ops->reset(&bus->regions[i]);
}

/*
 * Give back what every driver took. The table stays, with its counters, for
 * the status file; a released region has no priv, so a second call is a
 * no-op.
 */
void bus_release(struct bus *bus)
{
	unsigned int i;

	for (i = 0; i < bus->nr_regions; i++) {
		struct region *r = &bus->regions[i];

		if (r->ops->release && r->priv)
			r->ops->release(r);
		r->priv = NULL;
	}
}

/* The region table is left as it is: bus_add() writes what it takes. */
void bus_init(struct bus *bus)
{
	bus->nr_regions = 0;
	bus->last = NULL;
	bus->set_irq = NULL;
	bus->irq_ctx = NULL;
	pthread_mutex_init(&bus->irq_lock, NULL);
}

void bus_attach_irqs(struct bus *bus,
		     void (*set_irq)(void *ctx, unsigned int intid, bool level),
		     void *ctx)
{
	pthread_mutex_lock(&bus->irq_lock);
	bus->set_irq = set_irq;
	bus->irq_ctx = ctx;
	pthread_mutex_unlock(&bus->irq_lock);
}

void bus_detach_irqs(struct bus *bus)
{
	bus_attach_irqs(bus, NULL, NULL);
}

bool bus_set_irq(struct bus *bus, unsigned int intid, bool level)
{
	bool attached;

	pthread_mutex_lock(&bus->irq_lock);
	attached = bus->set_irq != NULL;
	if (attached)
		bus->set_irq(bus->irq_ctx, intid, level);
	pthread_mutex_unlock(&bus->irq_lock);
	return attached;
}

void bus_update_irq(struct bus *bus, unsigned int intid, bool level,
		    bool *line)
{
	if (intid && level != *line && bus_set_irq(bus, intid, level))
		*line = level;
}
