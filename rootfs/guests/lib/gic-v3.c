// SPDX-License-Identifier: GPL-2.0-only
/*
 * The GICv3 back-end: affinity routing, group 1, the redistributor for
 * PPIs and the CPU interface through system registers (ICC_*_EL1).
 */
#include "gic.h"

#define GICD_CTLR_ARE		(1u << 4)
#define GICD_CTLR_GRP1		(1u << 1)
#define GICD_IROUTER(id)	(0x6000 + 8 * (id))
#define GICR_WAKER		0x0014
#define GICR_WAKER_SLEEP	(1u << 1)
#define GICR_WAKER_ASLEEP	(1u << 2)
#define GICR_SGI		0x10000		/* the SGI and PPI frame */
#define GICR_IGROUPR0		(GICR_SGI + 0x80)
#define GICR_ISENABLER0		(GICR_SGI + 0x100)

/*
 * The distributor (affinity routing, group 1), this CPU's redistributor
 * awake, and the CPU interface: system registers, priority mask open,
 * group 1 on. Each step is idempotent, so the timer and every SPI a guest
 * enables can ask for it.
 */
static void gic_cpu_init(void)
{
	unsigned int n;

	mmio_write32(GICD_BASE + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_GRP1);
	mmio_write32(GIC_CPU_BASE + GICR_WAKER,
		     mmio_read32(GIC_CPU_BASE + GICR_WAKER) & ~GICR_WAKER_SLEEP);
	/* KVM's redistributor never sleeps; a real one wakes in microseconds. */
	for (n = 0; n < 1000000 &&
	     (mmio_read32(GIC_CPU_BASE + GICR_WAKER) & GICR_WAKER_ASLEEP); n++)
		;
	asm volatile("msr S3_0_C12_C12_5, %0" :: "r"(7ul));	/* ICC_SRE_EL1 */
	asm volatile("isb");
	asm volatile("msr S3_0_C4_C6_0, %0" :: "r"(0xfful));	/* ICC_PMR_EL1 */
	asm volatile("msr S3_0_C12_C12_7, %0" :: "r"(1ul));	/* ICC_IGRPEN1 */
	asm volatile("isb");
}

void gic_ppi_enable(unsigned int intid)
{
	gic_cpu_init();
	mmio_write32(GIC_CPU_BASE + GICR_IGROUPR0,
		     mmio_read32(GIC_CPU_BASE + GICR_IGROUPR0) | 1u << intid);
	mmio_write32(GIC_CPU_BASE + GICR_ISENABLER0, 1u << intid);
}

void gic_spi_enable(unsigned int spi, int trigger, unsigned int priority)
{
	unsigned int id = GIC_SPI_BASE + spi;
	unsigned long reg = GICD_BASE + GICD_IGROUPR(id);

	gic_cpu_init();
	mmio_write32(reg, mmio_read32(reg) | 1u << (id % 32));
	gicd_set_priority(GICD_BASE, id, priority);
	gicd_set_trigger(GICD_BASE, id, trigger);
	/* Affinity 0.0.0.0: the guest's one vCPU. */
	mmio_write32(GICD_BASE + GICD_IROUTER(id), 0);
	mmio_write32(GICD_BASE + GICD_IROUTER(id) + 4, 0);
	mmio_write32(GICD_BASE + GICD_ISENABLER(id), 1u << (id % 32));
}

int gic_spi_trigger(unsigned int spi)
{
	return gicd_trigger(GICD_BASE, GIC_SPI_BASE + spi);
}

uint32_t gic_ack(void)
{
	uint64_t iar;

	asm volatile("mrs %0, S3_0_C12_C12_0" : "=r"(iar));	/* ICC_IAR1 */
	return iar;
}

unsigned int gic_intid(uint32_t iar)
{
	return iar & 0xffffff;
}

void gic_eoi(uint32_t iar)
{
	asm volatile("msr S3_0_C12_C12_1, %0" :: "r"((uint64_t)iar)); /* ICC_EOIR1 */
	asm volatile("isb");
}
