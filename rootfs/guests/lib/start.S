/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Entry of the bare-metal guests: EL1h, MMU off, exceptions masked. Sets up
 * a vector table so a data abort pinvm injects reaches guest_exception()
 * and an IRQ, once a guest unmasks them (irq_enable()), guest_irq().
 */
	.section .text.start, "ax"
	.global _start
_start:
	ldr	x0, =vectors
	msr	vbar_el1, x0
	isb
	ldr	x0, =__stack_top
	mov	sp, x0
	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	bl	main
3:	wfi
	b	3b

/* x0-x17 at [sp, #0] to [sp, #136]: what a C call may clobber, but x18. */
.macro	save_x0_x17
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
.endm

.macro	restore_x0_x17
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
.endm

/* Save x0-x30, call guest_exception(esr, far, elr), eret to what it returns. */
exception_entry:
	sub	sp, sp, #256
	save_x0_x17
	stp	x18, x19, [sp, #144]
	stp	x29, x30, [sp, #160]
	mrs	x0, esr_el1
	mrs	x1, far_el1
	mrs	x2, elr_el1
	bl	guest_exception
	msr	elr_el1, x0
	restore_x0_x17
	ldp	x18, x19, [sp, #144]
	ldp	x29, x30, [sp, #160]
	add	sp, sp, #256
	eret

/*
 * An IRQ: save what the AAPCS lets guest_irq() clobber, and ELR/SPSR too,
 * because a data abort taken inside the handler (exception_entry) rewrites
 * both before we return.
 */
irq_entry:
	sub	sp, sp, #192
	save_x0_x17
	stp	x18, x29, [sp, #144]
	mrs	x0, elr_el1
	mrs	x1, spsr_el1
	stp	x30, x0, [sp, #160]
	str	x1, [sp, #176]
	bl	guest_irq
	ldp	x30, x0, [sp, #160]
	ldr	x1, [sp, #176]
	msr	elr_el1, x0
	msr	spsr_el1, x1
	restore_x0_x17
	ldp	x18, x29, [sp, #144]
	add	sp, sp, #192
	eret

/*
 * 16 vectors of 0x80 bytes: {synchronous, IRQ, FIQ, SError} for the
 * current EL with SP0, with SPx, lower EL AArch64, lower EL AArch32. The
 * guests run at EL1h, so their IRQs come in at 0x280 (current EL, SPx);
 * every other vector is an exception guest_exception() reports.
 */
	.balign	2048
vectors:
	.rept	5
	.balign	0x80
	b	exception_entry
	.endr
	.balign	0x80		/* 0x280: IRQ, current EL, SPx */
	b	irq_entry
	.rept	10
	.balign	0x80
	b	exception_entry
	.endr
	.section .note.GNU-stack, "", %progbits
