/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Taking a real peripheral away from the host for a guest. A device with
 * interrupts is claimed through VFIO when the host has it (vfio.c): bound
 * to vfio-amba or vfio-platform, its registers mapped from the VFIO device
 * (or read and written through it, where VFIO will not map them), each
 * interrupt on an eventfd the guest's VM turns into its SPI. Otherwise its
 * host driver is unbound (driver_override keeps every driver off) and the
 * registers are mapped through /dev/mem. Everything is given back at the
 * end.
 */
#ifndef PINVM_HOSTDEV_H
#define PINVM_HOSTDEV_H

#include <sys/types.h>

#include "bus.h"
#include "passthrough.h"
#include "pinvm.h"

struct hostdev {
	const char *what;	/* the partition node, for messages */
	char bus[16];		/* "platform", "amba", or "" if none found */
	char name[64];		/* e.g. "9010000.pl031" */
	char driver[64];	/* the host driver we unbound, "" if none */
	uint8_t *map;		/* page-aligned mapping */
	size_t map_len;
	uint8_t *regs;		/* the registers inside it; NULL: pread/pwrite */
	/* Through VFIO: its descriptors, -1 otherwise. */
	int container, group, device;
	uint64_t region_offset;	/* of the registers in the device fd */
	bool can_reset;		/* VFIO_DEVICE_RESET offered */
	/* Let the bus find it a host driver at the end (one was unbound). */
	bool reprobe;
	/* Its claim is recorded in HOSTDEV_CLAIMS_DIR (claims.c). */
	bool recorded;
	/* The forwarded interrupts (eventfds), in the board node's order. */
	struct region_irq irqs[DEVICE_MAX_IRQS];
	unsigned int nr_irqs;
};

/*
 * Claim the board device of cfg (size bytes of its registers); the
 * guest's SPI of interrupt i is spis[i] (INTIDs).
 */
int hostdev_claim(struct hostdev *h, const char *what,
		  const struct passthrough_config *cfg, const uint32_t *spis,
		  uint64_t size, struct pinvm_error *err);
/* At a guest's restart: the device's own reset, its lines unmasked. */
void hostdev_reset(struct hostdev *h);
void hostdev_release(struct hostdev *h);

/* For vfio.c: sysfs, and binding the device to a driver of its bus. */
int hostdev_sysfs_write(const char *path, const char *val);
void hostdev_bound(const struct hostdev *h, char *name, size_t size);
void hostdev_reprobe(struct hostdev *h);
int hostdev_unbind(struct hostdev *h, const char *override,
		   struct pinvm_error *err);

/*
 * claims.c: a record per claimed device, HOSTDEV_CLAIMS_DIR/<sysfs name>,
 * "bus=B\nname=N\ndriver=D\npid=P\n" (D: the host driver unbound, or
 * ""), so that the next pinvm gives back what a killed one held.
 */
#define HOSTDEV_CLAIMS_DIR	"/run/pinvm/claims"
int hostdev_record_format(const struct hostdev *h, int pid, char *buf,
			  size_t size);
int hostdev_record_parse(const char *text, struct hostdev *h, int *pid);
/* Written before the claim with the host driver it unbinds. */
int hostdev_record_write(const struct hostdev *h, const char *driver);
void hostdev_record_remove(const struct hostdev *h);
/* The host driver h's record names, into driver; NULL if none. */
const char *hostdev_record_driver(const struct hostdev *h, char *driver,
				  size_t size);

/* vfio.c */
bool vfio_has_driver(const struct hostdev *h);
int vfio_claim(struct hostdev *h, const struct passthrough_config *cfg,
	       const uint32_t *spis, uint64_t size, struct pinvm_error *err);
void vfio_reset(struct hostdev *h);
void vfio_release(struct hostdev *h);

#endif
