/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest image loaders, one file per format, each in the linker's
 * pinvm_loaders table (DEFINE_LOADER).
 */
#ifndef PINVM_LOADER_H
#define PINVM_LOADER_H

#include "partition.h"
#include "registry.h"

/* The vCPU's registers at entry, as the image's boot protocol wants them. */
struct boot_info {
	uint64_t entry;
	uint64_t x0;
};

struct image_loader {
	const char *format;
	/*
	 * Check img against g's memory and, when mem's ranges have host
	 * mappings, copy it in (with g's initrd and device tree). Validation
	 * and loading share one function so they can never disagree on what
	 * fits.
	 */
	int (*load)(const struct partition *p, const struct guest_config *g,
		    const struct guest_image *img,
		    const struct guest_memory *mem, struct boot_info *boot,
		    struct pinvm_error *err);
};

const struct image_loader *loader_find(const char *format);
/* Space-separated names of the compiled-in formats, for error messages. */
const char *loader_formats(void);

/* Copy len bytes to guest-physical dst, or only check it fits when unmapped. */
int loader_copy(const struct guest_config *g, const struct guest_memory *mem,
		uint64_t dst, const void *src, uint64_t len, const char *what,
		struct pinvm_error *err);
/* Zero-fill len bytes at guest-physical dst (an ELF segment's .bss). */
int loader_zero(const struct guest_config *g, const struct guest_memory *mem,
		uint64_t dst, uint64_t len, const char *what,
		struct pinvm_error *err);

/*
 * DEFINE_LOADER(name) = { .format = ..., .load = ... }; defines
 * name##_loader and its entry in the table.
 */
#define DEFINE_LOADER(name)						\
	REGISTRY_DEFINE(pinvm_loaders, struct image_loader, name##_loader)

REGISTRY_DECLARE(pinvm_loaders, struct image_loader);
/* l (a const struct image_loader *) takes every compiled-in loader in turn. */
#define for_each_loader(l)	registry_for_each(pinvm_loaders, l)

#endif
