/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The interrupt benchmark's own VFIO no-IOMMU claim of one platform or
 * AMBA device (test/bench/vfio.c), for the host-native baseline
 * (irqnative.c) and the userspace relay (floor.c --relay). pinvm's
 * product code does its own claim; this one is kept apart so the
 * references do not depend on what they are compared with.
 */
#ifndef BENCH_VFIO_H
#define BENCH_VFIO_H

#include <stddef.h>
#include <stdint.h>

struct bench_vfio {
	char name[64];			/* e.g. "9030000.pl061" */
	char bus[16];			/* "amba" or "platform" */
	int container, group, device;
	volatile uint8_t *regs;		/* region 0, mmapped */
	size_t size;
	int trigger;			/* eventfd of interrupt 0 */
};

/*
 * Bind NAME on BUS to vfio-amba / vfio-platform through driver_override,
 * open its no-IOMMU group and device, map region 0 and give interrupt 0
 * an eventfd (nonblock: say so to have it O_NONBLOCK). Exits with a
 * message on any failure: the bench cannot go on without the device.
 */
void bench_vfio_claim(struct bench_vfio *v, const char *bus, const char *name,
		      int nonblock);
/* Interrupt 0 is level: VFIO masked it when it fired; let it in again. */
void bench_vfio_unmask(struct bench_vfio *v);
/* Close everything and leave the device without a driver override. */
void bench_vfio_release(struct bench_vfio *v);

#endif
