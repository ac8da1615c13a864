/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The interrupt benchmark guest's own vector table (bench-irq.c installs
 * it in VBAR_EL1 over the library's). Its IRQ entry's first instruction
 * reads the virtual counter: that is where the latency ends. It uses only
 * x14-x17, which the one place that unmasks IRQs (bench-irq.c,
 * one_interrupt()) gives up to it, so it saves nothing; the stamp is
 * handed back in x17 (0: the interrupt was not the PL061's).
 *
 * Before the EOI it drops the PL061's line and clears its interrupt, so
 * the EOI (KVM's resample, or the relay's doorbell) finds the device
 * quiet. Built with BENCH_RELAY, it rings floor.c's doorbell first: the
 * relay VMM lowers the SPI and unmasks VFIO there.
 */
#include "bench-irq.h"

#define ICC_IAR1_EL1	S3_0_C12_C12_0
#define ICC_EOIR1_EL1	S3_0_C12_C12_1

	.macro	unexpected, index
	.balign	0x80
	mov	x0, #\index
	b	unexpected_entry
	.endm

	.text
	.balign	2048
	.global	bench_vectors
bench_vectors:
	unexpected 0		/* current EL, SP0: sync */
	unexpected 1		/* irq */
	unexpected 2		/* fiq */
	unexpected 3		/* serror */
	unexpected 4		/* current EL, SPx: sync */

	.balign	0x80		/* current EL, SPx: irq */
	mrs	x17, cntvct_el0
	mrs	x16, ICC_IAR1_EL1
	cmp	x16, #BENCH_INTID
	b.ne	1f
	mov	x15, #BENCH_PL061
	str	wzr, [x15, #BENCH_GPIODATA]
	mov	w14, #BENCH_BIT
	str	w14, [x15, #BENCH_GPIOIC]
#ifdef BENCH_RELAY
	mov	x15, #BENCH_DOORBELL
	str	wzr, [x15]
#endif
	dsb	sy
	msr	ICC_EOIR1_EL1, x16
	isb
	eret
1:	mov	x17, #0
	cmp	x16, #1020		/* 1020-1023: special, no EOI */
	b.hs	2f
	msr	ICC_EOIR1_EL1, x16
2:	eret

	unexpected 6		/* fiq */
	unexpected 7		/* serror */
	.rept	8
	unexpected 8		/* lower EL: none runs */
	.endr

/* x0: the vector's index. Report and power off: never resume. */
unexpected_entry:
	mrs	x1, esr_el1
	mrs	x2, elr_el1
	bl	bench_unexpected
	.section .note.GNU-stack, "", %progbits
