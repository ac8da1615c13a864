// SPDX-License-Identifier: GPL-2.0-only
/*
 * The interrupt benchmark guest: it owns the board's PL061 (direct mode,
 * claimed through VFIO by pinvm or by the relay VMM, test/bench/floor.c)
 * and times, BENCH_IRQ_N times, from the write that raises the PL061's
 * interrupt to the first instruction of its IRQ vector, in virtual
 * counter ticks.
 *
 * The trigger: line 0 an output, its interrupt level-sensitive, high.
 * QEMU's PL061 detects edges on input lines only, but its level term is
 * not masked by direction, so setting an output line's data bit raises
 * the interrupt in the same store (hw/gpio/pl061.c, pl061_update()). To
 * the GIC the PL061's line is level either way (the board's node says
 * level-high).
 *
 * Prints "bench-irq: freq=F trigger=level|edge" (the SPI's trigger as the
 * vGIC has it: set by the VMM, never by this guest), "irq-ticks T" per
 * interrupt, then "bench-irq: n=N lost=L".
 */
#include "guest.h"
#include "bench-irq.h"

#define N		BENCH_IRQ_N
#define GAP_MS		2
/* Three interrupts that never came: the host side is stuck, stop. */
#define MAX_LOST	3

#define GPIODIR		0x400
#define GPIOIS		0x404
#define GPIOIBE		0x408
#define GPIOIEV		0x40c
#define GPIOIE		0x410

#define GICD_IGROUPR	0x080
#define GICD_ISENABLER	0x100
#define GICD_IPRIORITYR	0x400
#define GICD_ICFGR	0xc00
#define GICD_IROUTER	0x6000

extern char bench_vectors[];
void bench_unexpected(uint64_t index, uint64_t esr, uint64_t elr)
	__attribute__((noreturn));

static uint64_t ticks[N];

void bench_unexpected(uint64_t index, uint64_t esr, uint64_t elr)
{
	con_puts("bench-irq: unexpected exception, vector ");
	put_dec(index);
	con_puts(" esr ");
	put_hex(esr);
	con_puts(" elr ");
	put_hex(elr);
	con_puts("\n");
	psci_system_off();
}

static void pl061_write(unsigned long off, uint32_t v)
{
	mmio_write32(BENCH_PL061 + off, v);
}

static void pl061_arm(void)
{
	pl061_write(GPIOIE, 0);
	pl061_write(GPIODIR, BENCH_BIT);
	pl061_write(BENCH_GPIODATA, 0);
	/* Event before sense: level-high with the line low raises nothing. */
	pl061_write(GPIOIEV, BENCH_BIT);
	pl061_write(GPIOIBE, 0);
	pl061_write(GPIOIS, BENCH_BIT);
	pl061_write(BENCH_GPIOIC, 0xff);
	pl061_write(GPIOIE, BENCH_BIT);
}

/* Group 1, a priority the mask lets through, routed to this vCPU, on. */
static void gic_enable(void)
{
	unsigned long word = BENCH_INTID / 32 * 4;
	uint32_t bit = 1u << (BENCH_INTID % 32);
	unsigned long prio = GICD_BASE + GICD_IPRIORITYR + BENCH_INTID / 4 * 4;
	int shift = BENCH_INTID % 4 * 8;

	mmio_write32(GICD_BASE + GICD_IGROUPR + word,
		     mmio_read32(GICD_BASE + GICD_IGROUPR + word) | bit);
	mmio_write32(prio, (mmio_read32(prio) & ~(0xffu << shift)) |
		     0xa0u << shift);
	mmio_write32(GICD_BASE + GICD_IROUTER + BENCH_INTID * 8, 0);
	mmio_write32(GICD_BASE + GICD_IROUTER + BENCH_INTID * 8 + 4, 0);
	mmio_write32(GICD_BASE + GICD_ISENABLER + word, bit);
}

/* ICFGR's odd bit per interrupt: 1 edge, 0 level. */
static const char *gic_trigger(void)
{
	uint32_t cfg = mmio_read32(GICD_BASE + GICD_ICFGR + BENCH_INTID / 16 * 4);

	return cfg >> (BENCH_INTID % 16 * 2 + 1) & 1 ? "edge" : "level";
}

/*
 * The only place IRQs are unmasked. The counter is read between ISBs
 * right before the store that raises the interrupt; the vector's first
 * instruction reads it again into x17. Waits at most a second.
 */
static uint64_t one_interrupt(uint64_t freq)
{
	register uint64_t stamp asm("x17") = 0;
	uint64_t t0, now;

	asm volatile("msr	daifclr, #2\n\t"
		     "isb\n\t"
		     "mrs	%[t0], cntvct_el0\n\t"
		     "isb\n\t"
		     "str	%w[bit], [%[data]]\n"
		     "1:	cbnz	%[stamp], 2f\n\t"
		     "mrs	%[now], cntvct_el0\n\t"
		     "sub	%[now], %[now], %[t0]\n\t"
		     "cmp	%[now], %[limit]\n\t"
		     "b.lo	1b\n"
		     "2:	msr	daifset, #2"
		     : [t0] "=&r"(t0), [now] "=&r"(now), [stamp] "+r"(stamp)
		     : [bit] "r"(BENCH_BIT),
		       [data] "r"((unsigned long)BENCH_PL061 + BENCH_GPIODATA),
		       [limit] "r"(freq)
		     : "x14", "x15", "x16", "cc", "memory");
	return stamp ? stamp - t0 : 0;
}

int main(void)
{
	int i, n = 0, lost = 0;
	uint64_t freq;

	asm volatile("msr vbar_el1, %0; isb" :: "r"(bench_vectors));
	freq = cntfrq();
	timer_init();
	pl061_arm();
	gic_enable();
	con_puts("bench-irq: freq=");
	put_dec(freq);
	con_puts(" trigger=");
	con_puts(gic_trigger());
	con_puts("\n");
	for (i = 0; i < N && lost < MAX_LOST; i++) {
		/* The EOI's unmask of the host's interrupt has long been done. */
		sleep_ms(GAP_MS);
		ticks[i] = one_interrupt(freq);
		if (!ticks[i])
			lost++;
	}
	pl061_write(GPIOIE, 0);
	/* Printed after the loop: console exits stay out of the timing. */
	for (i = 0; i < N; i++) {
		if (!ticks[i])
			continue;
		con_puts("irq-ticks ");
		put_dec(ticks[i]);
		con_puts("\n");
		n++;
	}
	con_puts("bench-irq: n=");
	put_dec(n);
	con_puts(" lost=");
	put_dec(lost);
	con_puts("\n");
	psci_system_off();
}
