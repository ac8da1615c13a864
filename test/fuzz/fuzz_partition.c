// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: the partition blob as pinvm reads it with --partition, through
 * partition_parse(): the board's cpus and GIC, each guest and its devices
 * (the drivers' check() hooks) and its image (the loaders' dry runs). The
 * images the seeds name are made once, small, in a temporary directory;
 * the bytes after the blob's totalsize, if any, are tail.dtb there, the
 * guest's own dtb a seed's guest may name (a second blob pinvm reads).
 * Whatever parses must be a partition pinvm could run.
 */
#include <fcntl.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_images.h"
#include "partition.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char image_dir[] = "/tmp/pinvm-fuzz-XXXXXX";
static struct partition part;
/* FUZZ_VERBOSE=1: say why each input was refused (for triage). */
static bool verbose;

static void write_image(const char *name, const void *data, size_t len)
{
	char path[sizeof(image_dir) + 64];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", image_dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len || close(fd))
		abort();
}

static void remove_images(void)
{
	char cmd[sizeof(image_dir) + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", image_dir);
	if (system(cmd))
		fprintf(stderr, "fuzz_partition: cannot remove %s\n", image_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* Every raw image the seeds name: they all hold the same loop. */
	static const char *const raw[] = {
		"ticker.bin", "demo.bin", "fw-1.bin", "gpio-hog.bin",
		"gpio-out.bin", "mmio-be.bin", "mmio-le.bin", "mmio-deny.bin",
		"mmio-hammer.bin", "resetter.bin", "stopper.bin",
	};
	static const char *const elf[] = {
		"ticker.elf", "demo.elf", "stopper.elf",
	};
	struct fuzz_elf_image e;
	uint8_t linux_hdr[64], own[256];
	unsigned int i;

	if (!mkdtemp(image_dir))
		abort();
	atexit(remove_images);
	for (i = 0; i < ARRAY_SIZE(raw); i++)
		write_image(raw[i], fuzz_raw_image, sizeof(fuzz_raw_image));
	fuzz_make_elf(&e);
	for (i = 0; i < ARRAY_SIZE(elf); i++)
		write_image(elf[i], &e, sizeof(e));
	fuzz_make_linux(linux_hdr);
	write_image("Image", linux_hdr, sizeof(linux_hdr));
	write_image("initrd.img", "070701", 6);
	write_image("linux-initrd.cpio.gz", "\x1f\x8b\x08\x00", 4);
	if (fdt_create_empty_tree(own, sizeof(own)))
		abort();
	write_image("own.dtb", own, fdt_totalsize(own));
	/* Not a regular file: the parser must refuse it. */
	snprintf((char *)own, sizeof(own), "%s/adir", image_dir);
	mkdir((char *)own, 0755);
	verbose = getenv("FUZZ_VERBOSE") != NULL;
	/* Guest consoles would write to stdout. */
	log_console_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	return 0;
}

static void check_partition(const struct partition *p)
{
	unsigned int i, j;

	if (!p->nr_guests || p->nr_guests > CONFIG_MAX_GUESTS)
		abort();
	for (i = 0; i < p->nr_guests; i++) {
		const struct guest_config *g = &p->guests[i];

		if (g->cpu >= p->nr_board_cpus || !g->image.data ||
		    !g->image.size || !g->loader || !g->mem.nr_ram ||
		    g->nr_devices > GUEST_MAX_DEVICES)
			abort();
		for (j = 0; j < i; j++)
			if (p->guests[j].cpu == g->cpu)
				abort();
		for (j = 0; j < g->nr_devices; j++) {
			const struct device_config *d = &g->devices[j];

			if (!d->drv || !d->size || d->base + d->size < d->base ||
			    guest_memory_contains(&g->mem, d->base, 1))
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pinvm_error err;

	/* What main.c's read_partition_file() checks before parsing. */
	if (size < sizeof(struct fdt_header) || fdt_check_header(data) ||
	    fdt_totalsize(data) > size)
		return 0;
	write_image("tail.dtb", data + fdt_totalsize(data),
		    size - fdt_totalsize(data));
	if (partition_parse(&part, data, "fuzz.dtb", image_dir, &err) == 0)
		check_partition(&part);
	else if (verbose)
		fprintf(stderr, "fuzz_partition: %s\n", err.msg);
	partition_free(&part);
	return 0;
}
