/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The start-up benchmark's guest: PSCI SYSTEM_OFF as its first act, so a
 * program's whole run is its start-up and its teardown, and nothing in
 * between. 20 bytes, loaded raw at the guest's RAM base.
 */
	.text
	.globl	_start
_start:
	movz	w0, #0x0008		/* PSCI 0.2 SYSTEM_OFF: 0x84000008 */
	movk	w0, #0x8400, lsl #16
	hvc	#0
	/* Not reached: a VMM that resumes it finds it parked, not running on. */
1:	wfi
	b	1b
