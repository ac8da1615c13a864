// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest-physical ranges: overlap and containment written once, without
 * overflow, since every base and size here comes from a partition or an
 * image, and both are untrusted input.
 */
#include <unistd.h>

#include "guest_memory.h"

uint64_t page_size(void)
{
	long host = sysconf(_SC_PAGESIZE);

	return host > 4096 ? (uint64_t)host : 4096;
}

bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

bool range_contains(uint64_t base, uint64_t size, uint64_t a, uint64_t len)
{
	return a >= base && len <= size && a - base <= size - len;
}

uint8_t *guest_memory_ptr(const struct guest_memory *mem, uint64_t gpa,
			  uint64_t len)
{
	unsigned int i;

	for (i = 0; i < mem->nr_ram; i++) {
		const struct guest_ram *r = &mem->ram[i];

		if (range_contains(r->base, r->size, gpa, len))
			return r->host ? r->host + (gpa - r->base) : NULL;
	}
	return NULL;
}

bool guest_memory_contains(const struct guest_memory *mem, uint64_t gpa,
			   uint64_t len)
{
	unsigned int i;

	for (i = 0; i < mem->nr_ram; i++)
		if (range_contains(mem->ram[i].base, mem->ram[i].size, gpa, len))
			return true;
	return false;
}
