/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest image loaders, one file per format, each registering itself.
 */
#ifndef PINVM_LOADER_H
#define PINVM_LOADER_H

#include "partition.h"

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
	struct image_loader *next;
};

void loader_register(struct image_loader *loader);
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

#define LOADER_REGISTER(l)						\
	static void __attribute__((constructor)) l##_register(void)	\
	{								\
		loader_register(&(l));					\
	}

#endif
