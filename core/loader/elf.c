// SPDX-License-Identifier: GPL-2.0-only
/*
 * ELF64 images: each PT_LOAD segment at its physical address, .bss zeroed,
 * entered at e_entry. Every offset and size in the file is checked against
 * the file's length before it is used, since images come from the field.
 */
#include <elf.h>
#include <string.h>

#include "loader.h"

static int elf_check_header(const struct guest_config *g,
			    const struct guest_image *img, const Elf64_Ehdr *eh,
			    struct pinvm_error *err)
{
	if (img->size < sizeof(*eh) ||
	    memcmp(eh->e_ident, ELFMAG, SELFMAG)) {
		error_set(err, "%s: image: %s is not an ELF file", g->path,
			  img->path);
		return -1;
	}
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_AARCH64) {
		error_set(err, "%s: image: %s is not a little-endian ELF64 AArch64 file",
			  g->path, img->path);
		return -1;
	}
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 ||
	    eh->e_phoff > img->size ||
	    (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) >
	    img->size - eh->e_phoff) {
		error_set(err, "%s: image: %s has no valid program headers (truncated?)",
			  g->path, img->path);
		return -1;
	}
	return 0;
}

static int elf_load_segment(const struct guest_config *g,
			    const struct guest_image *img,
			    const struct guest_memory *mem, const Elf64_Phdr *ph,
			    struct pinvm_error *err)
{
	if (ph->p_filesz > ph->p_memsz || ph->p_offset > img->size ||
	    ph->p_filesz > img->size - ph->p_offset) {
		error_set(err, "%s: image: %s: a segment lies outside the file (truncated?)",
			  g->path, img->path);
		return -1;
	}
	if (loader_copy(g, mem, ph->p_paddr, img->data + ph->p_offset,
			ph->p_filesz, "ELF segment", err))
		return -1;
	return loader_zero(g, mem, ph->p_paddr + ph->p_filesz,
			   ph->p_memsz - ph->p_filesz, "ELF segment", err);
}

static int elf_load(const struct partition *p, const struct guest_config *g,
		    const struct guest_image *img, const struct guest_memory *mem, struct boot_info *boot,
		    struct pinvm_error *err)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img->data;
	unsigned int i, loaded = 0;

	if (elf_check_header(g, img, eh, err))
		return -1;
	for (i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;

		/* The image buffer may not be aligned for Elf64_Phdr. */
		memcpy(&ph, img->data + eh->e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if (elf_load_segment(g, img, mem, &ph, err))
			return -1;
		loaded++;
	}
	if (!loaded) {
		error_set(err, "%s: image: %s has no loadable segment", g->path,
			  img->path);
		return -1;
	}
	if (!guest_memory_contains(mem, eh->e_entry, 4)) {
		error_set(err, "%s: image: %s: entry point 0x%llx is outside the guest's memory",
			  g->path, img->path,
			  (unsigned long long)eh->e_entry);
		return -1;
	}
	boot->entry = eh->e_entry;
	return 0;
}

DEFINE_LOADER(elf) = {
	.format = "elf",
	.load = elf_load,
};
