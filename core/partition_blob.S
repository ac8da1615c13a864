/* SPDX-License-Identifier: GPL-2.0-only */
/* The board's partition, compiled by dtc at build time, inside the binary. */
	.section .rodata.partition, "a"
	.balign 8
	.global partition_dtb
partition_dtb:
	.incbin PARTITION_DTB
	.section .note.GNU-stack, "", %progbits
