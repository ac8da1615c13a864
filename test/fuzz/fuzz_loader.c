// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: the image loaders (the files of core/loader/) on images from the field.
 * The first byte picks the format and how the guest is set up; the rest is
 * the image file. Each image goes through the dry run pinvm makes at start
 * and, when that passes, a real load into scratch guest RAM (malloc'd to
 * its exact size, so ASan sees any write past it). Dry run and load must
 * agree, and a load must leave its entry point inside the guest's RAM.
 *
 *   byte 0: bits 0-1 format (raw, elf, linux, linux with an initramfs)
 *           bit 2 a second RAM range, bit 3 load-address, bit 4 entry,
 *           bit 5 the guest's own device tree
 *   with bit 3 or 4: 4 bytes each, an offset from the RAM base (le32)
 */
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_images.h"
#include "loader.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 4 MiB, 2 MiB aligned: room for a Linux guest's kernel and tree. */
#define RAM_SIZE	0x400000ull
#define RAM2_BASE	0x48000000ull
#define RAM2_SIZE	0x10000ull

static struct partition part;
static uint8_t *ram, *ram2;
static uint8_t board[4096], own_dtb[512];
static uint8_t initrd[4096];

static void check(int ret)
{
	if (ret < 0)
		abort();
}

/* The board a Linux guest's device tree takes its GIC and timer from. */
static void make_board(void)
{
	static const uint32_t ppis[] = { 13, 14, 11, 10 };
	struct gic_config *gic = &part.gic;
	fdt32_t timer_irqs[12];
	unsigned int i;
	int node;

	for (i = 0; i < ARRAY_SIZE(ppis); i++) {
		timer_irqs[3 * i] = cpu_to_fdt32(1);
		timer_irqs[3 * i + 1] = cpu_to_fdt32(ppis[i]);
		timer_irqs[3 * i + 2] = cpu_to_fdt32(4);
	}

	check(fdt_create_empty_tree(board, sizeof(board)));
	check(fdt_setprop_u32(board, 0, "#address-cells", 2));
	check(fdt_setprop_u32(board, 0, "#size-cells", 2));
	check(node = fdt_add_subnode(board, 0, "intc"));
	gic->version = IS_ENABLED(CONFIG_VGIC_V3) ? 3 : 2;
	check(fdt_setprop_string(board, node, "compatible",
				 gic->version == 3 ? "arm,gic-v3" : "arm,gic-400"));
	strcpy(gic->path, "/intc");
	gic->node = node;
	gic->dist_base = 0x08000000;
	gic->dist_size = 0x10000;
	gic->cpu_base = gic->version == 3 ? 0x080a0000 : 0x08010000;
	gic->cpu_size = gic->version == 3 ? 0xf60000 : 0x10000;
	check(node = fdt_add_subnode(board, 0, "timer"));
	check(fdt_setprop_string(board, node, "compatible", "arm,armv8-timer"));
	check(fdt_setprop(board, node, "interrupts", timer_irqs,
			  sizeof(timer_irqs)));
	part.fdt = board;
	part.source = "fuzz";
	part.nr_board_cpus = 1;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	make_board();
	check(fdt_create_empty_tree(own_dtb, sizeof(own_dtb)));
	check(fdt_setprop_string(own_dtb, 0, "model", "fuzz"));
	ram = malloc(RAM_SIZE);
	ram2 = malloc(RAM2_SIZE);
	if (!ram || !ram2)
		abort();
	return 0;
}

static uint32_t take_le32(const uint8_t **data, size_t *size)
{
	uint32_t v = 0;
	unsigned int i;

	for (i = 0; i < 4 && *size; i++, (*data)++, (*size)--)
		v |= (uint32_t)**data << (8 * i);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const formats[] = { "raw", "elf", "linux", "linux" };
	const struct image_loader *l;
	struct guest_config *g = &part.guests[0];
	struct guest_memory mem;
	struct boot_info dry = { 0 }, boot = { 0 };
	struct pinvm_error err;
	uint8_t sel, *copy;
	int ret;

	if (!size)
		return 0;
	sel = *data++;
	size--;
	l = loader_find(formats[sel & 3]);
	if (!l)
		return 0;	/* not compiled in */

	memset(g, 0, sizeof(*g));
	strcpy(g->name, "fuzz");
	strcpy(g->path, "/pinvm/fuzz");
	strcpy(g->image_path, "fuzz.img");
	g->loader = l;
	g->mem.nr_ram = 1;
	g->mem.ram[0].base = FUZZ_RAM_BASE;
	g->mem.ram[0].size = RAM_SIZE;
	if (sel & 4) {
		g->mem.ram[1].base = RAM2_BASE;
		g->mem.ram[1].size = RAM2_SIZE;
		g->mem.nr_ram = 2;
	}
	if (sel & 8) {
		g->has_load_addr = true;
		g->load_addr = FUZZ_RAM_BASE + take_le32(&data, &size);
	}
	if (sel & 16) {
		g->has_entry = true;
		g->entry = FUZZ_RAM_BASE + take_le32(&data, &size);
	}
	if ((sel & 3) == 3) {
		strcpy(g->initrd_path, "initrd.img");
		g->initrd = initrd;
		g->initrd_size = sizeof(initrd);
		g->bootargs = "console=ttyAMA0";
	}
	if (sel & 32) {
		strcpy(g->dtb_path, "own.dtb");
		g->dtb = own_dtb;
		g->dtb_size = fdt_totalsize(own_dtb);
	}
	/* The image in a buffer of its exact size, as read_guest_file() reads it. */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	g->image.data = copy;
	g->image.size = size;
	g->image.path = g->image_path;
	part.nr_guests = 1;

	/* The dry run at partition_parse(): no host mappings. */
	ret = l->load(&part, g, &g->image, &g->mem, &dry, &err);
	if (ret == 0) {
		mem = g->mem;
		mem.ram[0].host = ram;
		mem.ram[1].host = ram2;
		if (l->load(&part, g, &g->image, &mem, &boot, &err) ||
		    boot.entry != dry.entry || boot.x0 != dry.x0 ||
		    !guest_memory_contains(&mem, boot.entry, 4))
			abort();
	}
	free(copy);
	g->image.data = NULL;
	part.nr_guests = 0;
	return 0;
}
