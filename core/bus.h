/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A guest's MMIO bus: the regions of guest-physical space that trap to
 * pinvm, each served by one driver. Built once when the guest is created,
 * kept sorted, and looked up by binary search on every MMIO exit.
 */
#ifndef PINVM_BUS_H
#define PINVM_BUS_H

#include <pthread.h>

#include "pinvm.h"

#define BUS_MAX_REGIONS		32
#define REGION_MAX_IRQS		4
#define REGION_MAX_IOEVENTFDS	1

/* Allowed access widths, as a mask: bit n set means 2^n bytes allowed. */
#define BUS_WIDTH(len)		(1u << __builtin_ctz(len))
#define BUS_WIDTHS_ALL		(BUS_WIDTH(1) | BUS_WIDTH(2) | BUS_WIDTH(4) | BUS_WIDTH(8))

#define BUS_DIR_READ		0x1
#define BUS_DIR_WRITE		0x2

struct region;

/*
 * data[] holds the access in bus byte order, exactly as KVM hands it in
 * kvm_run.mmio.data; a driver never swaps it.
 */
/* read and write return false when the device itself refused the access. */
struct region_ops {
	bool (*read)(struct region *r, uint64_t offset, uint8_t *data,
		     unsigned int len);
	bool (*write)(struct region *r, uint64_t offset, const uint8_t *data,
		      unsigned int len);
	/* Back to the power-on state, on guest reset; may be NULL. */
	void (*reset)(struct region *r);
	/* Flush and free what the driver took; may be NULL. */
	void (*release)(struct region *r);
};

/*
 * An interrupt of a passed-through device that the kernel delivers on its
 * own: the host driver (VFIO) signals trigger_fd, and a KVM irqfd on that
 * eventfd raises the guest's SPI. For a level interrupt KVM signals
 * resample_fd when the guest ends it (EOI), and the host driver unmasks
 * its line. No thread of pinvm's is on the path.
 */
struct region_irq {
	unsigned int spi;	/* the guest's SPI (GIC INTID - 32) */
	bool level;
	int trigger_fd;
	int resample_fd;	/* -1 for an edge interrupt */
	unsigned int host_irq;	/* Linux's number, for the status file */
};

/*
 * A register whose write the kernel answers on its own (KVM_IOEVENTFD): a
 * 4-byte write of datamatch at base + offset signals fd, with no exit to
 * pinvm; any other write there exits as usual.
 */
struct region_ioeventfd {
	uint64_t offset;
	uint32_t datamatch;
	int fd;
};

struct region {
	uint64_t base;
	uint64_t size;
	const char *name;
	const struct region_ops *ops;
	void *priv;
	uint8_t widths;		/* BUS_WIDTH() mask */
	uint8_t dir;		/* BUS_DIR_* mask */
	bool unaligned;		/* unaligned accesses allowed */
	/*
	 * A direct window: these host pages are mapped into the guest's
	 * stage 2 (a KVM memory slot), so its accesses never exit.
	 */
	void *direct;
	/*
	 * The direct window is read-only in stage 2 (KVM_MEM_READONLY): reads
	 * never exit, a write exits to the region's write() like any MMIO.
	 */
	bool direct_readonly;
	/* Registers the kernel serves (ioeventfd), wired at every boot. */
	struct region_ioeventfd ioeventfds[REGION_MAX_IOEVENTFDS];
	unsigned int nr_ioeventfds;
	/* Interrupts forwarded by the kernel (irqfd), wired at every boot. */
	struct region_irq irqs[REGION_MAX_IRQS];
	unsigned int nr_irqs;
	uint64_t reads;
	uint64_t writes;
};

struct bus {
	unsigned int nr_regions;
	struct region regions[BUS_MAX_REGIONS];
	/* The region the last access hit: guests poll one device in a loop. */
	struct region *last;
	/*
	 * Where the devices' interrupt lines go: set_irq(irq_ctx, a GIC
	 * INTID, level) while a VM is attached. Under irq_lock: a model on
	 * another thread (a GPIO edge) may raise a line while the main
	 * thread rebuilds the VM, and must never meet a closed or reused
	 * VM descriptor.
	 */
	pthread_mutex_t irq_lock;
	void (*set_irq)(void *ctx, unsigned int intid, bool level);
	void *irq_ctx;
};


/* Why an access was refused; BUS_OK means the region's driver served it. */
enum bus_status {
	BUS_OK = 0,
	BUS_UNMAPPED,
	BUS_BAD_WIDTH,
	BUS_BAD_DIRECTION,
	BUS_UNALIGNED,
	BUS_STRADDLE,
	BUS_DEVICE_FAULT,
};

/*
 * Value of a little-endian device register as the bus carries it. For a
 * device model that, like the PL011, is a little-endian peripheral: a
 * big-endian guest then sees exactly what it would see on real hardware.
 */
static inline uint64_t bus_get_le(const uint8_t *data, unsigned int len)
{
	uint64_t v = 0;

	while (len--)
		v = (v << 8) | data[len];
	return v;
}

static inline void bus_put_le(uint8_t *data, unsigned int len, uint64_t v)
{
	unsigned int i;

	for (i = 0; i < len; i++, v >>= 8)
		data[i] = v & 0xff;
}

int bus_add(struct bus *bus, const struct region *r, struct pinvm_error *err);
struct region *bus_find(struct bus *bus, uint64_t addr);
enum bus_status bus_access(struct bus *bus, uint64_t addr, uint8_t *data,
			   unsigned int len, bool is_write);
const char *bus_status_str(enum bus_status status);
void bus_reset(struct bus *bus);
void bus_release(struct bus *bus);

/* An empty bus with no VM attached. */
void bus_init(struct bus *bus);
void bus_attach_irqs(struct bus *bus,
		     void (*set_irq)(void *ctx, unsigned int intid, bool level),
		     void *ctx);
/* Returns once no call is in flight; none goes out until the next attach. */
void bus_detach_irqs(struct bus *bus);
/* Drive a line: false when no VM is attached, and nothing was driven. */
bool bus_set_irq(struct bus *bus, unsigned int intid, bool level);
/*
 * A device model's line intid (0: it has none) to level, when that is not
 * *line, the level the VM last got. While no VM is attached *line stays,
 * so the model's next update raises the line in the next VM.
 */
void bus_update_irq(struct bus *bus, unsigned int intid, bool level,
		    bool *line);

#endif
