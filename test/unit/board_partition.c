// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every board's partition validates. test/test.mk builds this file once per
 * configs/<board>_defconfig, against that board's own autoconf.h (its vGIC
 * version, loaders, drivers, MAX_GUESTS), and runs it on the board's
 * partition (CONFIG_PARTITION_DTS) compiled to BUILD/unit/boards/<name>.dtb,
 * with an image directory holding the built images the partition names.
 * It must parse, give one guest to each core but core 0, in order.
 */
#include <libfdt.h>
#include <unistd.h>

#include "partition.h"
#include "unit.h"

static const char *build_dir;
static char image_dir[] = "/tmp/pinvm-board-XXXXXX";

/* Copy BUILD/guests/<name> into the image directory, once. */
static void copy_image(const char *name)
{
	char path[512];
	size_t n;
	void *img;

	snprintf(path, sizeof(path), "%s/%s", image_dir, name);
	if (!access(path, F_OK))
		return;
	snprintf(path, sizeof(path), "%s/guests/%s", build_dir, name);
	img = unit_read_file(path, &n);
	unit_write_file(image_dir, name, img, n);
	free(img);
}

/* The images and initrds the partition's guests name. */
static void make_images(const void *fdt)
{
	static const char *const props[] = { "image", "initrd", "dtb" };
	int root = fdt_path_offset(fdt, "/pinvm");
	int guest;
	unsigned int i;

	if (!mkdtemp(image_dir))
		exit(2);
	if (root < 0)
		return;
	fdt_for_each_subnode(guest, fdt, root) {
		for (i = 0; i < ARRAY_SIZE(props); i++) {
			const char *name = fdt_getprop(fdt, guest, props[i], NULL);

			if (name && !strchr(name, '/'))
				copy_image(name);
		}
	}
}

/*
 * Where each board's GIC distributor is for the CPU: a check that reg goes
 * through the buses' ranges (the Pi 4's sits at bus 0x40041000).
 */
static const struct {
	const char *board;
	uint64_t gicd;
} known[] = {
	{ "qemu-virt", 0x08000000 },
	{ "rpi4", 0xff841000 },
	{ "rock3a", 0xfd400000 },
};

/* "dts/rpi4.dts" -> "rpi4" */
static void board_name(char *buf, size_t size)
{
	const char *dts = CONFIG_PARTITION_DTS;
	const char *base = strrchr(dts, '/');
	size_t len;

	base = base ? base + 1 : dts;
	len = strlen(base);
	if (len > 4 && !strcmp(base + len - 4, ".dts"))
		len -= 4;
	snprintf(buf, size, "%.*s", (int)len, base);
}

/*
 * The Pi 4's partition in its old form: alpha given uart3, whose page
 * and interrupt line uart0 has, which the host keeps. A stock kernel with
 * IO_STRICT_DEVMEM refuses to map that page, so the validator must refuse
 * the partition first, naming both nodes.
 */
static void test_rpi4_old_uart(const void *board)
{
	struct pinvm_error err = { "" };
	struct partition part;
	int size = fdt_totalsize(board) + 1024, uart, node;
	uint32_t phandle;
	void *fdt = malloc(size);

	TEST("rpi4: alpha given uart3, which shares uart0's page");
	if (fdt_open_into(board, fdt, size))
		exit(2);
	uart = fdt_path_offset(fdt, "/soc/serial@7e201600");
	if (uart < 0 || fdt_generate_phandle(fdt, &phandle) ||
	    fdt_setprop_u32(fdt, uart, "phandle", phandle) ||
	    fdt_setprop_string(fdt, uart, "status", "okay"))
		exit(2);
	node = fdt_add_subnode(fdt, fdt_path_offset(fdt, "/pinvm/alpha"), "uart");
	if (node < 0 || fdt_setprop_string(fdt, node, "compatible", "pinvm,passthrough") ||
	    fdt_setprop_u32(fdt, node, "device", phandle))
		exit(2);
	CHECK(partition_parse(&part, fdt, "rpi4.dtb", image_dir, &err) == -1);
	CHECK_CONTAINS(err.msg, "/pinvm/alpha/uart: device: interrupt SPI 121 of ");
	CHECK_CONTAINS(err.msg, "is shared with /soc@7e000000/serial@7e201000");

	/* With a line of its own, the page is still uart0's. */
	TEST("rpi4: alpha given uart3 on a line of its own");
	err.msg[0] = '\0';
	uart = fdt_path_offset(fdt, "/soc/serial@7e201600");
	if (fdt_setprop(fdt, uart, "interrupts",
			(const fdt32_t[]){ cpu_to_fdt32(0), cpu_to_fdt32(200),
					   cpu_to_fdt32(4) }, 12))
		exit(2);
	CHECK(partition_parse(&part, fdt, "rpi4.dtb", image_dir, &err) == -1);
	CHECK_CONTAINS(err.msg, "/pinvm/alpha/uart: device: register page 0x");
	CHECK_CONTAINS(err.msg, "is shared with /soc@7e000000/serial@7e201000");
	free(fdt);
}

int main(int argc, char **argv)
{
	struct pinvm_error err = { "" };
	struct partition part;
	char name[64], path[512];
	unsigned int i;
	size_t n;
	void *fdt;

	build_dir = argc > 1 ? argv[1] : "build";
	board_name(name, sizeof(name));
	snprintf(path, sizeof(path), "%s/unit/boards/%s.dtb", build_dir, name);
	fdt = unit_read_file(path, &n);
	make_images(fdt);

	TEST(name);
	CHECK(partition_parse(&part, fdt, path, image_dir, &err) == 0);
	if (err.msg[0])
		fprintf(stderr, "  %s\n", err.msg);
	CHECK(part.gic.version == (IS_ENABLED(CONFIG_VGIC_V3) ? 3u : 2u));
	/* One guest per spare core: core 0 stays with the host. */
	CHECK(part.nr_board_cpus >= 2);
	CHECK(part.nr_guests == part.nr_board_cpus - 1);
	for (i = 0; i < part.nr_guests; i++) {
		CHECK(part.guests[i].cpu == i + 1);
		CHECK(part.guests[i].nr_devices > 0);
	}
	for (i = 0; i < ARRAY_SIZE(known); i++)
		if (!strcmp(name, known[i].board))
			CHECK(part.gic.dist_base == known[i].gicd);
	/* The bundled firmware is built for these addresses (lib.mk). */
	CHECK(part.gic.dist_base == CONFIG_FIRMWARE_GIC_DIST);
	CHECK(part.gic.cpu_base == CONFIG_FIRMWARE_GIC_CPU);
	printf("%s: %u cores, %u guests, GICv%u at 0x%llx\n", name,
	       part.nr_board_cpus, part.nr_guests, part.gic.version,
	       (unsigned long long)part.gic.dist_base);
	partition_free(&part);
	if (!strcmp(name, "rpi4"))
		test_rpi4_old_uart(fdt);
	free(fdt);

	snprintf(path, sizeof(path), "rm -rf %s", image_dir);
	if (system(path))
		return 2;
	return unit_report();
}
