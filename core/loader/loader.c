// SPDX-License-Identifier: GPL-2.0-only
/*
 * The image loader table (DEFINE_LOADER) and the bounds-checked copy every
 * loader uses.
 */
#include <stdio.h>
#include <string.h>

#include "loader.h"

const struct image_loader *loader_find(const char *format)
{
	const struct image_loader *l;

	for_each_loader(l)
		if (!strcmp(l->format, format))
			return l;
	return NULL;
}

const char *loader_formats(void)
{
	static char buf[128];
	const struct image_loader *l;
	size_t n = 0;

	buf[0] = '\0';
	for_each_loader(l)
		if (n < sizeof(buf))
			n += snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? " " : "",
				      l->format);
	return buf;
}

static int loader_place(const struct guest_config *g,
			const struct guest_memory *mem, uint64_t dst,
			uint64_t len, const char *what, uint8_t **host,
			struct pinvm_error *err)
{
	if (!guest_memory_contains(mem, dst, len)) {
		error_set(err, "%s: image: %s (0x%llx bytes at 0x%llx) does not fit in the guest's memory",
			  g->path, what, (unsigned long long)len,
			  (unsigned long long)dst);
		return -1;
	}
	*host = guest_memory_ptr(mem, dst, len);
	return 0;
}

int loader_copy(const struct guest_config *g, const struct guest_memory *mem,
		uint64_t dst, const void *src, uint64_t len, const char *what,
		struct pinvm_error *err)
{
	uint8_t *host;

	if (loader_place(g, mem, dst, len, what, &host, err))
		return -1;
	if (host)
		memcpy(host, src, len);
	return 0;
}

int loader_zero(const struct guest_config *g, const struct guest_memory *mem,
		uint64_t dst, uint64_t len, const char *what,
		struct pinvm_error *err)
{
	uint8_t *host;

	if (loader_place(g, mem, dst, len, what, &host, err))
		return -1;
	if (host)
		memset(host, 0, len);
	return 0;
}
