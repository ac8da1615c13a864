// SPDX-License-Identifier: GPL-2.0-only
/*
 * Raw binary images: the file's bytes at load-address, entered at entry.
 */
#include "loader.h"

static int raw_load(const struct partition *p, const struct guest_config *g,
		    const struct guest_image *img, const struct guest_memory *mem, struct boot_info *boot,
		    struct pinvm_error *err)
{
	uint64_t load = g->has_load_addr ? g->load_addr : mem->ram[0].base;

	if (loader_copy(g, mem, load, img->data, img->size, img->path, err))
		return -1;
	boot->entry = g->has_entry ? g->entry : load;
	if (!guest_memory_contains(mem, boot->entry, 4)) {
		error_set(err, "%s: entry: 0x%llx is outside the guest's memory",
			  g->path, (unsigned long long)boot->entry);
		return -1;
	}
	return 0;
}

DEFINE_LOADER(raw) = {
	.format = "raw",
	.load = raw_load,
};
