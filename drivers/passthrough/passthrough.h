/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A passthrough device's parsed config (dev->config), shared by the
 * driver's files and exposed for the partition's unit test.
 */
#ifndef PINVM_PASSTHROUGH_H
#define PINVM_PASSTHROUGH_H

#include "partition.h"

/* One of the board node's interrupts; the guest's SPI is dev->irqs[i]. */
struct passthrough_irq {
	uint32_t host_spi;	/* the board's SPI number */
	uint32_t flags;		/* the board node's trigger flags */
	bool level;
};

struct passthrough_config {
	/* The board's node behind `device`, and its registers on the host. */
	char host_path[NODE_PATH_MAX];
	uint64_t host_base;
	uint64_t host_size;
	/* mode = "direct": mapped into stage 2, never trapped. */
	bool direct;
	/* The board node's GIC SPIs, forwarded through VFIO when it can. */
	struct passthrough_irq irqs[DEVICE_MAX_IRQS];
	unsigned int nr_irqs;
	/* interrupts-required: no start without them forwarded. */
	bool irqs_required;
	/* no-host-device: map it though sysfs has no device to claim. */
	bool no_host_device;
	/* dma-risk-accepted: a bus master whose DMA the guest can start. */
	bool dma_risk_accepted;
};

/* board.c: the board node's interrupts, and the guest's SPIs for them. */
int passthrough_read_irqs(const struct partition *p, struct device_config *d,
			  struct passthrough_config *cfg,
			  struct pinvm_error *err);
/* board.c: refuse a line or page another board device shares. */
int passthrough_check_sharing(const struct partition *p,
			      const struct device_config *d,
			      const struct passthrough_config *cfg,
			      struct pinvm_error *err);

#endif
