/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Small guest images for the fuzz targets, made in memory: a raw image of
 * a few instructions, an ELF64 AArch64 file with one PT_LOAD segment at
 * 0x40000000 (where every partition in the tree puts guest RAM), and a
 * 64-byte arm64 Linux Image header.
 */
#ifndef PINVM_FUZZ_IMAGES_H
#define PINVM_FUZZ_IMAGES_H

#include <elf.h>
#include <string.h>

#define FUZZ_RAM_BASE	0x40000000ull

/* b . (a branch to itself), four times. */
static const uint8_t fuzz_raw_image[16] = {
	0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x14,
	0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x14,
};

struct fuzz_elf_image {
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	uint8_t text[16];
};

static inline void fuzz_make_elf(struct fuzz_elf_image *e)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->eh.e_ident, ELFMAG, SELFMAG);
	e->eh.e_ident[EI_CLASS] = ELFCLASS64;
	e->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	e->eh.e_ident[EI_VERSION] = EV_CURRENT;
	e->eh.e_type = ET_EXEC;
	e->eh.e_machine = EM_AARCH64;
	e->eh.e_version = EV_CURRENT;
	e->eh.e_entry = FUZZ_RAM_BASE;
	e->eh.e_phoff = offsetof(struct fuzz_elf_image, ph);
	e->eh.e_ehsize = sizeof(Elf64_Ehdr);
	e->eh.e_phentsize = sizeof(Elf64_Phdr);
	e->eh.e_phnum = 1;
	e->ph.p_type = PT_LOAD;
	e->ph.p_flags = PF_R | PF_X;
	e->ph.p_offset = offsetof(struct fuzz_elf_image, text);
	e->ph.p_vaddr = e->ph.p_paddr = FUZZ_RAM_BASE;
	e->ph.p_filesz = sizeof(e->text);
	e->ph.p_memsz = 0x1000;	/* with a .bss to zero */
	memcpy(e->text, fuzz_raw_image, sizeof(e->text));
}

/* An arm64 Image header (little-endian): text_offset 0, image_size 64 KiB. */
static inline void fuzz_make_linux(uint8_t h[64])
{
	memset(h, 0, 64);
	memcpy(h, fuzz_raw_image, 8);		/* code0, code1 */
	h[18] = 0x01;				/* image_size = 0x10000 */
	memcpy(h + 56, "ARM\x64", 4);		/* magic */
}

#endif
