/* SPDX-License-Identifier: GPL-2.0-only */
/* The distributor registers both GIC back-ends share (GICv2 and GICv3). */
#ifndef GUEST_GIC_H
#define GUEST_GIC_H

#include "guest.h"

#define GICD_CTLR		0x0000
#define GICD_IGROUPR(id)	(0x0080 + 4 * ((id) / 32))
#define GICD_ISENABLER(id)	(0x0100 + 4 * ((id) / 32))
#define GICD_IPRIORITYR(id)	(0x0400 + 4 * ((id) / 4))
#define GICD_ICFGR(id)		(0x0c00 + 4 * ((id) / 16))

/* Priorities are bytes; a word access works on every GIC. */
static inline void gicd_set_priority(unsigned long gicd, unsigned int id,
				     unsigned int priority)
{
	unsigned long reg = gicd + GICD_IPRIORITYR(id);
	uint32_t v = mmio_read32(reg) & ~(0xffu << 8 * (id % 4));

	mmio_write32(reg, v | (priority & 0xff) << 8 * (id % 4));
}

static inline void gicd_set_trigger(unsigned long gicd, unsigned int id,
				    int trigger)
{
	unsigned long reg = gicd + GICD_ICFGR(id);
	uint32_t v;

	if (trigger == GIC_TRIGGER_KEEP)
		return;
	v = mmio_read32(reg) & ~(2u << 2 * (id % 16));
	mmio_write32(reg, v | (uint32_t)trigger << (2 * (id % 16) + 1));
}

static inline int gicd_trigger(unsigned long gicd, unsigned int id)
{
	return (mmio_read32(gicd + GICD_ICFGR(id)) >> (2 * (id % 16) + 1)) & 1;
}

#endif
