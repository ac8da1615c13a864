/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The device tree a guest boots with, written with libfdt: its one CPU,
 * PSCI, memory, interrupt controller and timer, /chosen, and a node for
 * each of its devices (written by that device's driver).
 */
#ifndef PINVM_GUEST_FDT_H
#define PINVM_GUEST_FDT_H

#include "partition.h"

/* Linux takes at most 2 MiB of device tree; pinvm's are far smaller. */
#define GUEST_DTB_MAX		0x200000
#define GUEST_FDT_MAX		0x10000
/* arm64 COMMAND_LINE_SIZE: the longest bootargs Linux takes. */
#define GUEST_BOOTARGS_MAX	2048

#define GUEST_FDT_MAX_CLOCKS	8

/* A tree being written; the first libfdt error sticks and ends it. */
struct guest_fdt {
	void *fdt;
	int err;
	const char *what;	/* the part being written, for the message */
	uint32_t gic_phandle;
	uint32_t clock_phandle;	/* pinvm's own fixed clock, 0 until made */
	/* Board clock nodes copied for passed-through devices. */
	unsigned int nr_clocks;
	int clock_board[GUEST_FDT_MAX_CLOCKS];
	uint32_t clock_guest[GUEST_FDT_MAX_CLOCKS];
	char stdout_path[NODE_PATH_MAX];
};

/*
 * Write g's tree into buf. initrd_size 0: no initramfs. A guest with its
 * own dtb gets that, with pinvm's /cpus, /psci, /memory and /chosen.
 */
int guest_fdt_build(const struct partition *p, const struct guest_config *g,
		    uint64_t initrd_start, uint64_t initrd_size, void *buf,
		    size_t size, struct pinvm_error *err);

/*
 * For drivers' guest_fdt hooks. libfdt puts a new node before its parent's
 * other children, which moves every node after it: a node's offset is only
 * good until the next node is made, so make the nodes a node refers to
 * (its clocks) before the node itself.
 */
/* A node named exactly name (from the board: never a format). */
int guest_fdt_node_named(struct guest_fdt *b, int parent, const char *name);
int guest_fdt_node(struct guest_fdt *b, int parent, const char *fmt,
		   unsigned long long unit);
void guest_fdt_prop(struct guest_fdt *b, int node, const char *name,
		    const void *val, int len);
void guest_fdt_prop_u32(struct guest_fdt *b, int node, const char *name,
			uint32_t v);
void guest_fdt_prop_str(struct guest_fdt *b, int node, const char *name,
			const char *s);
void guest_fdt_reg(struct guest_fdt *b, int node, uint64_t base,
		   uint64_t size);
/* A device pinvm models: "<name>@<base>", compatible, reg, its SPI. */
int guest_fdt_device(struct guest_fdt *b, const struct device_config *d,
		     const char *name, const char *compat, size_t compat_len);
/* pinvm's 24 MHz fixed clock, made on first use. */
uint32_t guest_fdt_clock(struct guest_fdt *b);
/* A copy of the board's fixed-clock node, made once; 0 if it is not one. */
uint32_t guest_fdt_copy_clock(struct guest_fdt *b, const void *board,
			      int board_node);

#endif
