/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A guest's RAM as ranges of guest-physical space, and the address
 * arithmetic everyone who places something in a guest shares: the
 * partition's checks, the loaders and the drivers.
 */
#ifndef PINVM_GUEST_MEMORY_H
#define PINVM_GUEST_MEMORY_H

#include "pinvm.h"

#define GUEST_MAX_RAM		4

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

/* Guest RAM is mapped in host pages: 4 KiB, or the host's if larger. */
uint64_t page_size(void);

bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen);
/* Whether [a, a + len) lies inside [base, base + size), without overflow. */
bool range_contains(uint64_t base, uint64_t size, uint64_t a, uint64_t len);

/* Host address of [gpa, gpa + len) when it lies in one RAM range, else NULL. */
uint8_t *guest_memory_ptr(const struct guest_memory *mem, uint64_t gpa,
			  uint64_t len);
/* Whether [gpa, gpa + len) lies in one RAM range. */
bool guest_memory_contains(const struct guest_memory *mem, uint64_t gpa,
			   uint64_t len);

#endif
