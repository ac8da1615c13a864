// SPDX-License-Identifier: GPL-2.0-only
/*
 * arm64 Linux kernel Images, as Documentation/arm64/booting.rst says: the
 * 64-byte header gives text_offset and image_size; the kernel goes at a
 * 2 MiB aligned base plus text_offset and is entered there with x0 = the
 * device tree's address, MMU off, interrupts masked (the vCPU's reset state
 * plus core/kvm.c). The device tree goes at the top of the first RAM range,
 * the initramfs just below it.
 */
#include <endian.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "guest_fdt.h"
#include "loader.h"

#define ARM64_IMAGE_MAGIC	0x644d5241	/* "ARM\x64" */
#define LEGACY_TEXT_OFFSET	0x80000
#define SZ_2M			0x200000ull

/* All fields little-endian. */
struct arm64_image_header {
	uint32_t code0;
	uint32_t code1;
	uint64_t text_offset;
	uint64_t image_size;
	uint64_t flags;
	uint64_t res2;
	uint64_t res3;
	uint64_t res4;
	uint32_t magic;
	uint32_t res5;
};

struct linux_layout {
	uint64_t kernel, kernel_end;
	uint64_t initrd;
	uint64_t fdt;
};

static int linux_header(const struct guest_config *g,
			const struct guest_image *img, uint64_t *text_offset,
			uint64_t *image_size, struct pinvm_error *err)
{
	struct arm64_image_header h;

	if (img->size < sizeof(h)) {
		error_set(err, "%s: image: %s is %zu bytes, shorter than the 64-byte arm64 Image header",
			  g->path, img->path, img->size);
		return -1;
	}
	memcpy(&h, img->data, sizeof(h));
	if (le32toh(h.magic) != ARM64_IMAGE_MAGIC) {
		error_set(err, "%s: image: %s is not an arm64 kernel Image (no ARM64 magic at offset 56)",
			  g->path, img->path);
		return -1;
	}
	*text_offset = le64toh(h.text_offset);
	*image_size = le64toh(h.image_size);
	if (*image_size == 0) {
		/* Before Linux 3.17: image_size 0 means text_offset 0x80000. */
		*text_offset = LEGACY_TEXT_OFFSET;
		*image_size = img->size;
	}
	if (*image_size < img->size) {
		error_set(err, "%s: image: %s is %zu bytes, more than its header's image_size 0x%llx (not a kernel Image?)",
			  g->path, img->path, img->size,
			  (unsigned long long)*image_size);
		return -1;
	}
	return 0;
}

static int linux_layout(const struct guest_config *g,
			const struct guest_image *img,
			const struct guest_memory *mem, struct linux_layout *l,
			struct pinvm_error *err)
{
	const struct guest_ram *ram = &mem->ram[0];
	uint64_t text_offset, image_size, page = page_size();

	if (linux_header(g, img, &text_offset, &image_size, err))
		return -1;
	if (ram->base & (SZ_2M - 1)) {
		error_set(err, "%s: memory: a Linux guest's first range must start 2 MiB aligned (0x%llx)",
			  g->path, (unsigned long long)ram->base);
		return -1;
	}
	if (text_offset >= ram->size || image_size > ram->size - text_offset) {
		error_set(err, "%s: image: the kernel (0x%llx bytes at offset 0x%llx) does not fit in the guest's memory",
			  g->path, (unsigned long long)image_size,
			  (unsigned long long)text_offset);
		return -1;
	}
	l->kernel = ram->base + text_offset;
	l->kernel_end = l->kernel + image_size;
	/* The device tree in the top 2 MiB, where the kernel never reaches. */
	l->fdt = (ram->base + ram->size - 1) & ~(SZ_2M - 1);
	if (l->fdt < ram->base || l->fdt + GUEST_FDT_MAX > ram->base + ram->size)
		l->fdt = ram->base + ram->size - GUEST_FDT_MAX;
	l->initrd = (l->fdt - g->initrd_size) & ~(page - 1);
	if (l->kernel_end > l->fdt || l->kernel_end > ram->base + ram->size) {
		error_set(err, "%s: image: the kernel (0x%llx bytes at 0x%llx) does not fit in the guest's memory below its device tree (0x%llx)",
			  g->path, (unsigned long long)image_size,
			  (unsigned long long)l->kernel,
			  (unsigned long long)l->fdt);
		return -1;
	}
	if (g->initrd_size && (g->initrd_size > l->fdt - ram->base ||
			       l->initrd < l->kernel_end)) {
		error_set(err, "%s: initrd: the kernel (0x%llx-0x%llx) and the initramfs (0x%zx bytes below 0x%llx) overlap: give the guest more memory",
			  g->path, (unsigned long long)l->kernel,
			  (unsigned long long)l->kernel_end, g->initrd_size,
			  (unsigned long long)l->fdt);
		return -1;
	}
	return 0;
}

static int linux_load(const struct partition *p, const struct guest_config *g,
		      const struct guest_image *img, const struct guest_memory *mem, struct boot_info *boot,
		      struct pinvm_error *err)
{
	struct linux_layout l;
	uint8_t *fdt = malloc(GUEST_FDT_MAX);
	int ret = -1;

	if (!fdt) {
		error_set(err, "%s: out of memory", g->path);
		return -1;
	}
	/* The kernel clears its own BSS: only the file is copied. */
	if (linux_layout(g, img, mem, &l, err) ||
	    guest_fdt_build(p, g, l.initrd, g->initrd_size, fdt, GUEST_FDT_MAX,
			    err) ||
	    loader_copy(g, mem, l.kernel, img->data, img->size,
			img->path, err) ||
	    (g->initrd_size && loader_copy(g, mem, l.initrd, g->initrd,
					   g->initrd_size, g->initrd_path, err)) ||
	    loader_copy(g, mem, l.fdt, fdt, fdt_totalsize(fdt), "device tree",
			err))
		goto out;
	boot->entry = l.kernel;
	boot->x0 = l.fdt;
	ret = 0;
out:
	free(fdt);
	return ret;
}

DEFINE_LOADER(linux) = {
	.format = "linux",
	.load = linux_load,
};
