// SPDX-License-Identifier: GPL-2.0-only
/*
 * Image loaders on real images: the ELF loader, fed the test guest's ELF,
 * must put into RAM exactly the bytes objcopy put into the raw .bin.
 */
#include <libfdt.h>

#include "loader.h"
#include "unit.h"

#define RAM_BASE	0x40000000ull
#define RAM_SIZE	0x200000ull

static const char *build_dir;

static void setup(struct guest_config *g, struct guest_memory *mem,
		  uint8_t *ram, const char *image)
{
	memset(g, 0, sizeof(*g));
	strcpy(g->path, "/pinvm/test");
	snprintf(g->image_path, sizeof(g->image_path), "%s/guests/%s",
		 build_dir, image);
	g->image.data = unit_read_file(g->image_path, &g->image.size);
	g->image.path = g->image_path;
	memset(mem, 0, sizeof(*mem));
	mem->nr_ram = 1;
	mem->ram[0].base = RAM_BASE;
	mem->ram[0].size = RAM_SIZE;
	mem->ram[0].host = ram;
	memset(ram, 0xa5, RAM_SIZE);
}

static void test_elf_matches_raw(void)
{
	struct guest_config elf, raw;
	struct guest_memory mem_elf, mem_raw;
	struct pinvm_error err = { "" };
	uint8_t *ram_elf = malloc(RAM_SIZE), *ram_raw = malloc(RAM_SIZE);
	struct boot_info entry_elf = { 0 }, entry_raw = { 0 };

	TEST("ELF and raw load the same bytes");
	setup(&elf, &mem_elf, ram_elf, "ticker.elf");
	setup(&raw, &mem_raw, ram_raw, "ticker.bin");
	CHECK(loader_find("elf")->load(NULL, &elf, &elf.image, &mem_elf, &entry_elf, &err) == 0);
	CHECK(loader_find("raw")->load(NULL, &raw, &raw.image, &mem_raw, &entry_raw, &err) == 0);
	CHECK(entry_elf.entry == RAM_BASE && entry_raw.entry == RAM_BASE);
	CHECK(memcmp(ram_elf, ram_raw, raw.image.size) == 0);
	/* Raw copies only the file; the rest of RAM is untouched. */
	CHECK(ram_raw[raw.image.size] == 0xa5);
	free((void *)elf.image.data);
	free((void *)raw.image.data);
	free(ram_elf);
	free(ram_raw);
}

static void test_raw_placement(void)
{
	struct guest_config g;
	struct guest_memory mem;
	struct pinvm_error err = { "" };
	uint8_t *ram = malloc(RAM_SIZE);
	struct boot_info entry = { 0 };

	TEST("raw load-address and entry");
	setup(&g, &mem, ram, "ticker.bin");
	g.has_load_addr = true;
	g.load_addr = RAM_BASE + 0x80000;
	g.has_entry = true;
	g.entry = RAM_BASE + 0x80000;
	CHECK(loader_find("raw")->load(NULL, &g, &g.image, &mem, &entry, &err) == 0);
	CHECK(entry.entry == RAM_BASE + 0x80000);
	CHECK(memcmp(ram + 0x80000, g.image.data, g.image.size) == 0);
	CHECK(ram[0] == 0xa5 && ram[0x7ffff] == 0xa5);

	/* A load address that leaves the image hanging past RAM's end. */
	g.load_addr = RAM_BASE + RAM_SIZE - 16;
	memset(ram, 0xa5, RAM_SIZE);
	CHECK(loader_find("raw")->load(NULL, &g, &g.image, &mem, &entry, &err) == -1);
	CHECK_CONTAINS(err.msg, "/pinvm/test: image:");
	CHECK_CONTAINS(err.msg, "does not fit in the guest's memory");
	/* Nothing was written on the way to that refusal. */
	CHECK(ram[RAM_SIZE - 16] == 0xa5);
	free((void *)g.image.data);
	free(ram);
}

static void test_elf_refusals(void)
{
	struct guest_config g;
	struct guest_memory mem;
	struct pinvm_error err = { "" };
	uint8_t *ram = malloc(RAM_SIZE);
	struct boot_info entry;

	TEST("ELF refusals");
	setup(&g, &mem, ram, "ticker.elf");
	((uint8_t *)g.image.data)[18] = 0x3e;	/* e_machine = EM_X86_64 */
	CHECK(loader_find("elf")->load(NULL, &g, &g.image, &mem, &entry, &err) == -1);
	CHECK_CONTAINS(err.msg, "is not a little-endian ELF64 AArch64 file");
	((uint8_t *)g.image.data)[18] = 0xb7;	/* back to EM_AARCH64 */
	g.image.size = 200;	/* header intact, program headers cut */
	CHECK(loader_find("elf")->load(NULL, &g, &g.image, &mem, &entry, &err) == -1);
	CHECK_CONTAINS(err.msg, "truncated");
	free((void *)g.image.data);
	free(ram);
}

int main(int argc, char **argv)
{
	build_dir = argc > 1 ? argv[1] : "build";
	test_elf_matches_raw();
	test_raw_placement();
	test_elf_refusals();
	return unit_report();
}
