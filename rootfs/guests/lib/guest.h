/* SPDX-License-Identifier: GPL-2.0-only */
/* The little library of the bare-metal demo and test guests (lib.mk). */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include <stdint.h>

/* The virtual console, where every board's partition puts it. */
#define CONSOLE_BASE	0x09000000ul
/*
 * The vGIC, where the board's partition puts it (lib.mk passes the
 * board's CONFIG_FIRMWARE_GIC_*): GIC_CPU_BASE is a GICv3's
 * redistributor or a GICv2's CPU interface.
 */
#define GICD_BASE	GUEST_GICD_BASE
#define GIC_CPU_BASE	GUEST_GIC_CPU_BASE
/*
 * The pinvm,health register of guests that can be updated: writing
 * HEALTH_OK to STATUS commits a trial; SLOT is 0 (a), 1 (b) or none,
 * ATTEMPT the trial's boot attempt (dts/bindings/pinvm-partition.txt).
 */
#define HEALTH_BASE	0x0a000000ul
#define HEALTH_STATUS	(HEALTH_BASE + 0x0)
#define HEALTH_SLOT	(HEALTH_BASE + 0x4)
#define HEALTH_ATTEMPT	(HEALTH_BASE + 0x8)
#define HEALTH_OK	0x4b4f

void con_putc(char c);
void con_puts(const char *s);
void put_dec(uint64_t v);
void put_hex(uint64_t v);
/* v as exactly digits hex digits, without "0x". */
void put_hex_n(uint64_t v, int digits);
/* "boot N": N counts this guest's boots since its image was loaded. */
void print_boot(void);
void timer_init(void);

/*
 * Interrupts, on the board's GIC (gic-v3.c or gic-v2.c, GUEST_GIC_VERSION):
 * gic_spi_enable() routes one SPI to this CPU with a trigger and a
 * priority (0 highest); GIC_TRIGGER_KEEP leaves its GICD_ICFGR bits as
 * they are, for a test of what pinvm set there. gic_ppi_enable() enables
 * one of this CPU's PPIs. irq_set_handler() names the function each IRQ's
 * INTID is given to, between the acknowledge (gic_ack()) and the end of
 * interrupt (gic_eoi()); irq_enable() unmasks IRQs at the CPU (PSTATE.I).
 */
#define GIC_SPI_BASE		32
#define GIC_INTID_SPURIOUS	1023
#define GIC_TRIGGER_LEVEL	0
#define GIC_TRIGGER_EDGE	1
#define GIC_TRIGGER_KEEP	2

void gic_spi_enable(unsigned int spi, int trigger, unsigned int priority);
void gic_ppi_enable(unsigned int intid);
/* The ICFGR trigger of an SPI as the guest reads it: level or edge. */
int gic_spi_trigger(unsigned int spi);
uint32_t gic_ack(void);
unsigned int gic_intid(uint32_t iar);
void gic_eoi(uint32_t iar);
void irq_set_handler(void (*handler)(unsigned int intid));

static inline void irq_enable(void)
{
	asm volatile("msr daifclr, #2" ::: "memory");
}

static inline void irq_disable(void)
{
	asm volatile("msr daifset, #2" ::: "memory");
}

/*
 * Sleep until an interrupt; with IRQs unmasked, its handler runs first.
 * Never as "while (!done) wait_for_irq()" with IRQs unmasked: an IRQ
 * taken between the check and the WFI is slept through (wait_for_count()).
 */
static inline void wait_for_irq(void)
{
	asm volatile("wfi" ::: "memory");
}

/* With IRQs unmasked, until the handlers have counted *count up to n. */
void wait_for_count(volatile unsigned int *count, unsigned int n);
void mmu_enable(void);
/* The virtual counter, read in program order, and its frequency in Hz. */
static inline uint64_t cntvct(void)
{
	uint64_t v;

	asm volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

static inline uint64_t cntfrq(void)
{
	uint64_t v;

	asm volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

/* Sleep on the virtual timer, IRQs masked or not: their handlers run. */
void sleep_ms(unsigned int ms);
void sleep_ticks(uint64_t ticks);
void psci_system_off(void) __attribute__((noreturn));
void psci_system_reset(void) __attribute__((noreturn));

/*
 * Like Linux's writel/readl: the registers of the console and the GIC are
 * little-endian, so a big-endian guest swaps; byte order tests do raw
 * accesses of their own instead.
 */
#ifdef __AARCH64EB__
#define cpu_to_le32(v)	__builtin_bswap32(v)
#else
#define cpu_to_le32(v)	(v)
#endif

static inline void mmio_write32(unsigned long addr, uint32_t v)
{
	*(volatile uint32_t *)addr = cpu_to_le32(v);
}

static inline uint32_t mmio_read32(unsigned long addr)
{
	return cpu_to_le32(*(volatile uint32_t *)addr);
}

/* Data aborts taken so far, and the last one's syndrome and address. */
extern volatile unsigned int abort_count;
extern volatile uint64_t abort_esr, abort_far;
/* Print a line for each abort (default on). */
extern volatile int abort_verbose;

#endif
