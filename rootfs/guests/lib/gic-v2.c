// SPDX-License-Identifier: GPL-2.0-only
/*
 * The GICv2 back-end (the Pi 4's GIC-400): everything in group 0, which a
 * GIC without security signals as IRQ; the CPU interface is memory
 * mapped; SPIs are targeted at CPU interface 0, the guest's one vCPU.
 */
#include "gic.h"

#define GICD_CTLR_ENABLE	(1u << 0)
#define GICD_ITARGETSR(id)	(0x0800 + (id))
#define GICC_CTLR		0x0000
#define GICC_CTLR_ENABLE	(1u << 0)
#define GICC_PMR		0x0004
#define GICC_IAR		0x000c
#define GICC_EOIR		0x0010

/* Distributor and CPU interface on, priority mask open: idempotent. */
static void gic_cpu_init(void)
{
	mmio_write32(GICD_BASE + GICD_CTLR, GICD_CTLR_ENABLE);
	mmio_write32(GIC_CPU_BASE + GICC_PMR, 0xff);
	mmio_write32(GIC_CPU_BASE + GICC_CTLR, GICC_CTLR_ENABLE);
}

/* A GICv2's PPIs are banked in the distributor, per CPU interface. */
void gic_ppi_enable(unsigned int intid)
{
	gic_cpu_init();
	mmio_write32(GICD_BASE + GICD_ISENABLER(intid), 1u << (intid % 32));
}

void gic_spi_enable(unsigned int spi, int trigger, unsigned int priority)
{
	unsigned int id = GIC_SPI_BASE + spi;
	unsigned long reg = GICD_BASE + GICD_ITARGETSR(id) / 4 * 4;
	uint32_t v;

	gic_cpu_init();
	gicd_set_priority(GICD_BASE, id, priority);
	gicd_set_trigger(GICD_BASE, id, trigger);
	/* Byte-wide targets; a word access works on every GICv2. */
	v = mmio_read32(reg) & ~(0xffu << 8 * (id % 4));
	mmio_write32(reg, v | 1u << 8 * (id % 4));
	mmio_write32(GICD_BASE + GICD_ISENABLER(id), 1u << (id % 32));
}

int gic_spi_trigger(unsigned int spi)
{
	return gicd_trigger(GICD_BASE, GIC_SPI_BASE + spi);
}

uint32_t gic_ack(void)
{
	return mmio_read32(GIC_CPU_BASE + GICC_IAR);
}

unsigned int gic_intid(uint32_t iar)
{
	return iar & 0x3ff;
}

void gic_eoi(uint32_t iar)
{
	mmio_write32(GIC_CPU_BASE + GICC_EOIR, iar);
}
