// SPDX-License-Identifier: GPL-2.0-only
/*
 * Raw binary images: the file's bytes at load-address, entered at entry.
 */
#include "loader.h"

static int raw_load(const struct guest_config *g, const struct guest_memory *mem,
		    uint64_t *entry, struct pinvm_error *err)
{
	uint64_t load = g->has_load_addr ? g->load_addr : mem->ram[0].base;

	if (loader_copy(g, mem, load, g->image, g->image_size, g->image_path,
			err))
		return -1;
	*entry = g->has_entry ? g->entry : load;
	if (!guest_memory_contains(mem, *entry, 4)) {
		error_set(err, "%s: entry: 0x%llx is outside the guest's memory",
			  g->path, (unsigned long long)*entry);
		return -1;
	}
	return 0;
}

static struct image_loader raw_loader = {
	.format = "raw",
	.load = raw_load,
};
LOADER_REGISTER(raw_loader)
