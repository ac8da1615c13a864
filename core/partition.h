/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The partition: what the board's device tree says each guest gets. It is
 * parsed and validated once, before any guest starts; a partition that does
 * not validate starts nothing.
 */
#ifndef PINVM_PARTITION_H
#define PINVM_PARTITION_H

#include <limits.h>

#include "guest_memory.h"
#include "names.h"
#include "registry.h"

#define GUEST_MAX_DEVICES	16
#define GUEST_PROPS_MAX		4
#define NODE_PATH_MAX		128
/* KVM's vGIC has 256 interrupt lines unless told: SPIs 0-223. */
#define GUEST_MAX_SPI		223
#define DEVICE_MAX_IRQS		4
#define DEVICE_MAX_USES		8

struct driver;
struct image_loader;
struct partition;

/* The bytes a guest boots from: the partition's image, or a firmware slot. */
struct guest_image {
	const uint8_t *data;
	size_t size;
	const char *path;
};

/* A virtual or passed-through device: one child node of a guest node. */
struct device_config {
	const struct driver *drv;
	int node;
	char path[NODE_PATH_MAX];
	/* Where the guest sees it. */
	uint64_t base;
	uint64_t size;
	/* The access policy of its region (bus.h: BUS_WIDTH(), BUS_DIR_*). */
	uint8_t widths;
	uint8_t dir;
	bool unaligned;
	/* The driver's own parsed config (driver.h: config_size), or NULL. */
	void *config;
	/*
	 * The SPIs the device raises in the guest (GIC INTIDs), each given to
	 * one device of the guest only; a virtual device has at most one.
	 */
	uint32_t irqs[DEVICE_MAX_IRQS];
	unsigned int nr_irqs;
	/*
	 * Host devices, by the CPU address of their registers: the one the
	 * device takes whole from the host (a passthrough's board node;
	 * claim_size 0: none), and the ones it only uses (the chips of a
	 * GPIO model's lines, where a label "<address>.<name>" says which).
	 * No device may use what another takes (check_host_devices()).
	 */
	uint64_t claim_base, claim_size;
	uint64_t uses[DEVICE_MAX_USES];
	unsigned int nr_uses;
};

struct guest_config {
	char name[GUEST_NAME_MAX];
	char path[NODE_PATH_MAX];
	int node;
	unsigned int cpu;
	struct guest_memory mem;
	bool big_endian;	/* SCTLR_EL1.EE set at every boot */

	const struct image_loader *loader;
	bool has_load_addr;
	uint64_t load_addr;
	bool has_entry;
	uint64_t entry;
	/* The partition's image, read once; guests boot from their own copy. */
	char image_path[PATH_MAX];
	struct guest_image image;
	/* Linux guests: initramfs, command line; any guest: its own DTB. */
	char initrd_path[PATH_MAX];
	uint8_t *initrd;
	size_t initrd_size;
	const char *bootargs;
	char dtb_path[PATH_MAX];
	uint8_t *dtb;
	size_t dtb_size;

	unsigned int nr_devices;
	struct device_config devices[GUEST_MAX_DEVICES];

	/* What each guest-property parser (below) read of this guest. */
	void *props[GUEST_PROPS_MAX];

	/* PSCI SYSTEM_RESET: reboot (at most restart_limit a minute) or stop. */
	bool restart_on_reset;
	unsigned int restart_limit;
};

/* The board's interrupt controller, which each guest sees at the same place. */
struct gic_config {
	unsigned int version;
	int node;			/* its offset in the partition's tree */
	char path[NODE_PATH_MAX];	/* for messages: partition_path() */
	uint64_t dist_base, dist_size;
	/* GICv3: the redistributor region; GICv2: the CPU interface. */
	uint64_t cpu_base, cpu_size;
};

/*
 * A guest's properties that belong to a service rather than to core (field
 * update: firmware-version, update-attempts): a const parser in the
 * pinvm_guest_props table, run on every guest node; what it reads goes
 * into size zeroed bytes that guest_props() finds again.
 */
struct guest_props {
	const char *name;
	size_t size;
	int (*parse)(const struct partition *p, const struct guest_config *g,
		     void *props, struct pinvm_error *err);
};

#define DEFINE_GUEST_PROPS(obj)						\
	REGISTRY_ENTRY(pinvm_guest_props, struct guest_props, obj)
REGISTRY_DECLARE(pinvm_guest_props, struct guest_props);
#define for_each_guest_props(gp)	registry_for_each(pinvm_guest_props, gp)

/* What gp read of g. */
const void *guest_props(const struct guest_config *g,
			const struct guest_props *gp);
/* For a parser: an optional one-cell property of g in [min, max], else def. */
int partition_read_guest_u32(const struct partition *p,
			     const struct guest_config *g, const char *name,
			     unsigned int min, unsigned int max,
			     unsigned int def, unsigned int *val,
			     struct pinvm_error *err);

struct partition {
	const void *fdt;
	const char *source;
	unsigned int nr_board_cpus;
	struct gic_config gic;
	unsigned int nr_guests;
	struct guest_config guests[CONFIG_MAX_GUESTS];
};

/*
 * The partition's errors, and its drivers': "source: node: " and then
 * fmt, which starts with the property at fault, so every message names
 * the file, the node and the property.
 */
void partition_error(struct pinvm_error *err, const struct partition *p,
		     const char *node, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * A blob of size bytes pinvm may walk with libfdt: its header, and the
 * structure block's shape (no looping property, one root). 0 or a libfdt
 * error. Every blob pinvm reads goes through it.
 */
int partition_check_blob(const void *fdt, size_t size);

/*
 * A node's path, for messages only: one that does not fit buf (whose
 * size is NODE_PATH_MAX) reads ".../name", never unterminated bytes.
 */
const char *partition_path(const void *fdt, int node, char *buf);
/*
 * A node's whole path into buf, for a path pinvm looks up again or shows
 * as the node's name: one that does not fit is an error.
 */
int partition_node_path(const struct partition *p, int node, char *buf,
			struct pinvm_error *err);

int partition_parse(struct partition *p, const void *fdt, const char *source,
		    const char *image_dir, struct pinvm_error *err);
void partition_free(struct partition *p);

/*
 * A string property of node into *val, NULL when absent. A value that is
 * not NUL-terminated within its length is an error: dtc never writes one,
 * but a blob from elsewhere can, and the string functions would read on.
 */
int partition_read_string(const struct partition *p, int node,
			  const char *name, const char **val,
			  struct pinvm_error *err);
/* For drivers: entry @index of a node's reg, in its parent's cells. */
int partition_read_reg(const void *fdt, int node, int index, uint64_t *base,
		       uint64_t *size);
/* A device node's optional interrupts = <0 n flags>: its SPI into d->irq. */
int partition_read_spi(const struct partition *p, struct device_config *d,
		       struct pinvm_error *err);
/*
 * The same, translated through the ancestors' ranges to a CPU address;
 * a reg that reaches past its bus's window, or wraps past 2^64, is an
 * error.
 */
int partition_read_reg_cpu(const void *fdt, int node, int index,
			   uint64_t *base, uint64_t *size);
/*
 * Where the host's Linux puts another board node, to compare with: only
 * the start translated (of_translate_address()), so a node whose reg
 * reaches past its window is still compared, never skipped.
 */
int partition_read_reg_host(const void *fdt, int node, int index,
			    uint64_t *base, uint64_t *size);

#endif
