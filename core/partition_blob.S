/* SPDX-License-Identifier: GPL-2.0-only */
/* The board's partition, compiled by dtc at build time, inside the binary. */
	.section .rodata.partition, "a"
	.balign 8
	.global partition_dtb
	.global partition_dtb_end
partition_dtb:
	.incbin PARTITION_DTB
partition_dtb_end:
	.section .note.GNU-stack, "", %progbits
