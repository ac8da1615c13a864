/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The partition: what the board's device tree says each guest gets. It is
 * parsed and validated once, before any guest starts; a partition that does
 * not validate starts nothing.
 */
#ifndef PINVM_PARTITION_H
#define PINVM_PARTITION_H

#include <limits.h>

#include "pinvm.h"

#define GUEST_NAME_MAX		32
#define GUEST_MAX_RAM		4
#define GUEST_MAX_DEVICES	16
#define NODE_PATH_MAX		128

struct driver;
struct image_loader;

/* A range of guest RAM; host is NULL until the guest's VM maps it. */
struct guest_ram {
	uint64_t base;
	uint64_t size;
	uint8_t *host;
};

struct guest_memory {
	unsigned int nr_ram;
	struct guest_ram ram[GUEST_MAX_RAM];
};

/* A virtual or passed-through device: one child node of a guest node. */
struct device_config {
	const struct driver *drv;
	int node;
	char path[NODE_PATH_MAX];
	uint64_t base;
	uint64_t size;
};

struct guest_config {
	char name[GUEST_NAME_MAX];
	char path[NODE_PATH_MAX];
	int node;
	unsigned int cpu;
	struct guest_memory mem;

	char image_path[PATH_MAX];
	const struct image_loader *loader;
	bool has_load_addr;
	uint64_t load_addr;
	bool has_entry;
	uint64_t entry;
	/* The image file's bytes, read once; a reset reloads from here. */
	uint8_t *image;
	size_t image_size;

	unsigned int nr_devices;
	struct device_config devices[GUEST_MAX_DEVICES];
};

/* The board's interrupt controller, which each guest sees at the same place. */
struct gic_config {
	unsigned int version;
	char path[NODE_PATH_MAX];
	uint64_t dist_base, dist_size;
	/* GICv3: the redistributor region; GICv2: the CPU interface. */
	uint64_t cpu_base, cpu_size;
};

struct partition {
	const void *fdt;
	const char *source;
	unsigned int nr_board_cpus;
	struct gic_config gic;
	unsigned int nr_guests;
	struct guest_config guests[CONFIG_MAX_GUESTS];
};

int partition_parse(struct partition *p, const void *fdt, const char *source,
		    const char *image_dir, struct pinvm_error *err);
void partition_free(struct partition *p);

/* Host address of [gpa, gpa + len) when it lies in one RAM range, else NULL. */
uint8_t *guest_memory_ptr(const struct guest_memory *mem, uint64_t gpa,
			  uint64_t len);
/* Whether [gpa, gpa + len) lies in one RAM range. */
bool guest_memory_contains(const struct guest_memory *mem, uint64_t gpa,
			   uint64_t len);

#endif
