/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the interrupt benchmark guest's C (bench-irq.c) and its vector
 * table (bench-irq-vectors.S) share: the board's PL061 and its SPI, the
 * line it raises, and the relay VMM's doorbell (test/bench/floor.c).
 */
#ifndef BENCH_IRQ_H
#define BENCH_IRQ_H

#define BENCH_PL061		0x09030000
/* interrupts = <0 7 4> on the board: SPI 7, INTID 32 + 7. */
#define BENCH_INTID		39
#define BENCH_LINE		0
#define BENCH_BIT		(1 << BENCH_LINE)
/* GPIODATA is addressed through a mask in address bits [9:2]. */
#define BENCH_GPIODATA		(BENCH_BIT << 2)
#define BENCH_GPIOIC		0x41c
/* Unbacked in floor's VM: a write there is an MMIO exit to the relay VMM. */
#define BENCH_DOORBELL		0x0b000000

#endif
