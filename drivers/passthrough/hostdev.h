/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Taking a real peripheral away from the host for a guest: unbind its host
 * driver through sysfs (with driver_override, so it does not come back),
 * map its registers through /dev/mem, and give it all back at the end.
 */
#ifndef PINVM_HOSTDEV_H
#define PINVM_HOSTDEV_H

#include <sys/types.h>

#include "pinvm.h"

struct hostdev {
	const char *what;	/* the partition node, for messages */
	char bus[16];		/* "platform", "amba", or "" if none found */
	char name[64];		/* e.g. "9010000.pl031" */
	char driver[64];	/* the driver we unbound, "" if none */
	uint8_t *map;		/* page-aligned mapping */
	size_t map_len;
	uint8_t *regs;		/* the registers inside it */
};

int hostdev_claim(struct hostdev *h, const char *what, uint64_t base,
		  uint64_t size, struct pinvm_error *err);
void hostdev_release(struct hostdev *h);

#endif
