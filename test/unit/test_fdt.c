// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest device trees and the Linux loader. Every guest of every partition
 * in dts/ and of the unit partitions gets a tree that dtc reads back without
 * a warning; the Linux loader places kernel, initramfs and tree as the arm64
 * boot protocol says; a guest's own DTB keeps its devices.
 */
#include <libfdt.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest_fdt.h"
#include "loader.h"
#include "unit.h"

#define RAM_BASE	0x40000000ull
#define RAM_SIZE	0x1000000ull

static const char *build_dir;
static char dir[] = "/tmp/pinvm-fdt-XXXXXX";
static struct partition part;

static void write_file(const char *name, const void *data, size_t len)
{
	unit_write_file(dir, name, data, len);
}

/* A kernel Image: the 64-byte header, then some bytes of "code". */
static void make_image(const char *name, uint64_t text_offset,
		       uint64_t image_size, uint32_t magic, size_t file_size)
{
	uint8_t *img = calloc(1, file_size > 64 ? file_size : 64);

	memcpy(img + 8, &text_offset, 8);
	memcpy(img + 16, &image_size, 8);
	memcpy(img + 56, &magic, 4);
	memset(img + 64, 0x5a, file_size > 64 ? file_size - 64 : 0);
	write_file(name, img, file_size);
	free(img);
}

static void make_files(void)
{
	char path[256];
	size_t n;
	void *data;

	if (!mkdtemp(dir))
		exit(2);
	make_image("Image", 0, 0x200000, 0x644d5241, 0x3000);
	make_image("bad-magic", 0, 0x200000, 0x12345678, 0x3000);
	make_image("huge", 0, 0x2000000, 0x644d5241, 0x3000);
	make_image("short", 0, 0x200000, 0x644d5241, 40);
	data = calloc(1, 0xe00000);
	memset(data, 0x11, 0x2000);
	write_file("initrd.img", data, 0x2000);
	write_file("huge-initrd", data, 0xe00000);
	free(data);
	snprintf(path, sizeof(path), "%s/unit/partitions/own-guest.dtb", build_dir);
	data = unit_read_file(path, &n);
	write_file("own.dtb", data, n);
	free(data);
	snprintf(path, sizeof(path), "%s/guests/ticker.bin", build_dir);
	data = unit_read_file(path, &n);
	write_file("ticker.bin", data, n);
	free(data);
}

/* dtc must read the blob back without a word on stderr. */
static void check_dtc_clean(const void *fdt, const char *what)
{
	char path[300], cmd[700];
	struct stat st;

	snprintf(path, sizeof(path), "%s/check.dtb", dir);
	write_file("check.dtb", fdt, fdt_totalsize(fdt));
	snprintf(cmd, sizeof(cmd),
		 "dtc -I dtb -O dts -o /dev/null %s 2> %s/dtc.err", path, dir);
	TEST(what);
	CHECK(system(cmd) == 0);
	snprintf(path, sizeof(path), "%s/dtc.err", dir);
	CHECK(stat(path, &st) == 0 && st.st_size == 0);
	if (st.st_size) {
		snprintf(cmd, sizeof(cmd), "cat %s >&2", path);
		if (system(cmd))
			return;
	}
}

static const char *prop_str(const void *fdt, const char *path, const char *name)
{
	int node = fdt_path_offset(fdt, path);
	const char *v = node >= 0 ? fdt_getprop(fdt, node, name, NULL) : NULL;

	return v ? v : "(none)";
}

static uint64_t prop_u64(const void *fdt, const char *path, const char *name,
			 int index)
{
	int node = fdt_path_offset(fdt, path), len;
	const uint8_t *v = node >= 0 ? fdt_getprop(fdt, node, name, &len) : NULL;
	fdt64_t cell;

	if (!v || len < (index + 1) * 8)
		return ~0ull;
	/* Properties are only 4-byte aligned. */
	memcpy(&cell, v + index * 8, 8);
	return fdt64_to_cpu(cell);
}

/* Every guest of a partition blob gets a tree dtc accepts. */
static void check_partition_trees(const char *blob_path, const char *images)
{
	struct pinvm_error err = { "" };
	static uint8_t fdt[GUEST_FDT_MAX];
	char what[300];
	unsigned int i;
	size_t n;
	void *blob = unit_read_file(blob_path, &n);

	TEST(blob_path);
	CHECK(partition_parse(&part, blob, blob_path, images, &err) == 0);
	if (err.msg[0])
		fprintf(stderr, "  %s\n", err.msg);
	for (i = 0; i < part.nr_guests; i++) {
		snprintf(what, sizeof(what), "%s: %s", blob_path,
			 part.guests[i].name);
		CHECK(guest_fdt_build(&part, &part.guests[i], 0, 0, fdt,
				      sizeof(fdt), &err) == 0);
		check_dtc_clean(fdt, what);
	}
	partition_free(&part);
	free(blob);
}

static void test_generated_tree(const void *fdt)
{
	TEST("generated tree");
	CHECK(!strcmp(prop_str(fdt, "/", "compatible"), "pinvm,guest"));
	CHECK(!strcmp(prop_str(fdt, "/cpus/cpu@0", "enable-method"), "psci"));
	CHECK(!strcmp(prop_str(fdt, "/psci", "method"), "hvc"));
	CHECK(prop_u64(fdt, "/memory@40000000", "reg", 0) == RAM_BASE);
	CHECK(prop_u64(fdt, "/memory@40000000", "reg", 1) == RAM_SIZE);
	CHECK(!strcmp(prop_str(fdt, "/interrupt-controller@8000000", "compatible"),
		      "arm,gic-v3"));
	CHECK(prop_u64(fdt, "/interrupt-controller@8000000", "reg", 2) == 0x080a0000);
	CHECK(prop_u64(fdt, "/interrupt-controller@8000000", "reg", 3) == 0x20000);
	CHECK(!strcmp(prop_str(fdt, "/timer", "compatible"), "arm,armv8-timer"));
	CHECK(!strcmp(prop_str(fdt, "/serial@9000000", "compatible"), "arm,pl011"));
	CHECK(!strcmp(prop_str(fdt, "/chosen", "stdout-path"), "/serial@9000000"));
	CHECK(!strcmp(prop_str(fdt, "/chosen", "bootargs"),
		      "console=ttyAMA0 rdinit=/init"));
	/* The board's PL031 node, at the guest's address, with its clock. */
	CHECK(!strcmp(prop_str(fdt, "/rtc@c010000", "compatible"), "arm,pl031"));
	CHECK(prop_u64(fdt, "/rtc@c010000", "reg", 0) == 0x0c010000);
	CHECK(!strcmp(prop_str(fdt, "/rtc@c010000", "clock-names"), "apb_pclk"));
	CHECK(fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(*(const fdt32_t *)
		fdt_getprop(fdt, fdt_path_offset(fdt, "/rtc@c010000"), "clocks",
			    NULL))) >= 0);
	/* Its interrupt at the partition's guest SPI, the board's trigger. */
	{
		const fdt32_t *irq;
		int len;

		irq = fdt_getprop(fdt, fdt_path_offset(fdt, "/rtc@c010000"),
				  "interrupts", &len);
		CHECK(irq && len == 12);
		CHECK(irq && fdt32_to_cpu(irq[0]) == 0 &&
		      fdt32_to_cpu(irq[1]) == 40 && fdt32_to_cpu(irq[2]) == 4);
	}
}

static void test_linux_load(void)
{
	struct guest_config *g = &part.guests[0];
	struct pinvm_error err = { "" };
	struct guest_memory mem = g->mem;
	struct boot_info boot = { 0 };
	uint8_t *ram = malloc(RAM_SIZE);
	const void *fdt;
	uint64_t start, end;

	TEST("linux load");
	memset(ram, 0xee, RAM_SIZE);
	mem.ram[0].host = ram;
	CHECK(g->loader->load(&part, g, &g->image, &mem, &boot, &err) == 0);
	if (err.msg[0])
		fprintf(stderr, "  %s\n", err.msg);
	/* text_offset 0 at the 2 MiB aligned base; tree in the top 2 MiB. */
	CHECK(boot.entry == RAM_BASE);
	CHECK(boot.x0 == RAM_BASE + RAM_SIZE - 0x200000);
	CHECK(memcmp(ram, g->image.data, g->image.size) == 0);
	fdt = ram + (boot.x0 - RAM_BASE);
	CHECK(fdt_check_header(fdt) == 0);
	start = prop_u64(fdt, "/chosen", "linux,initrd-start", 0);
	end = prop_u64(fdt, "/chosen", "linux,initrd-end", 0);
	CHECK(end - start == 0x2000 && end <= boot.x0 && !(start & 0xfff));
	CHECK(start >= RAM_BASE + 0x200000);
	CHECK(start >= RAM_BASE && memcmp(ram + (start - RAM_BASE), g->initrd,
					  0x2000) == 0);
	test_generated_tree(fdt);
	check_dtc_clean(fdt, "linux guest tree through dtc");
	free(ram);
}

static void test_own_dtb(void)
{
	struct guest_config *g = &part.guests[1];
	struct pinvm_error err = { "" };
	static uint8_t fdt[GUEST_FDT_MAX];

	TEST("guest's own DTB merged");
	CHECK(guest_fdt_build(&part, g, 0, 0, fdt, sizeof(fdt), &err) == 0);
	CHECK(!strcmp(prop_str(fdt, "/", "compatible"), "vendor,rtos-board"));
	CHECK(!strcmp(prop_str(fdt, "/uart@9000000", "compatible"), "vendor,uart"));
	CHECK(fdt_path_offset(fdt, "/memory@80000000") < 0);
	CHECK(prop_u64(fdt, "/memory@40000000", "reg", 1) == 0x200000);
	CHECK(!strcmp(prop_str(fdt, "/cpus/cpu@0", "enable-method"), "psci"));
	CHECK(!strcmp(prop_str(fdt, "/chosen", "bootargs"), "(none)"));
	check_dtc_clean(fdt, "own DTB through dtc");
}

/* The linux guest with one property changed must fail with needle. */
static void expect_linux_error(const char *what, const char *prop,
			       const void *val, int len, const char *needle)
{
	struct pinvm_error err = { "" };
	char path[256];
	void *fdt;

	snprintf(path, sizeof(path), "%s/unit/partitions/linux.dtb", build_dir);
	fdt = unit_read_fdt(path);
	fdt_setprop(fdt, fdt_path_offset(fdt, "/pinvm/linux"), prop, val, len);
	TEST(what);
	CHECK(partition_parse(&part, fdt, "linux.dtb", dir, &err) == -1);
	CHECK(part.nr_guests == 0);
	CHECK_CONTAINS(err.msg, "linux.dtb: /pinvm/linux: ");
	CHECK_CONTAINS(err.msg, needle);
	free(fdt);
}

static void test_linux_errors(void)
{
	const fdt32_t unaligned[] = {
		0, cpu_to_fdt32(0x40100000), 0, cpu_to_fdt32(0x1000000),
	};
	char *longargs = malloc(3001);

	expect_linux_error("bad magic", "image", "bad-magic", 10,
			   "image: ");
	expect_linux_error("bad magic says so", "image", "bad-magic", 10,
			   "is not an arm64 kernel Image");
	expect_linux_error("truncated Image", "image", "short", 6,
			   "shorter than the 64-byte arm64 Image header");
	expect_linux_error("Image larger than memory", "image", "huge", 5,
			   "does not fit in the guest's memory");
	expect_linux_error("initramfs missing", "initrd", "nope.img", 9,
			   "initrd: cannot read /tmp/pinvm-fdt-");
	expect_linux_error("kernel and initramfs overlap", "initrd",
			   "huge-initrd", 12, "overlap: give the guest more memory");
	expect_linux_error("memory not 2 MiB aligned", "memory", unaligned,
			   sizeof(unaligned), "2 MiB aligned");
	memset(longargs, 'x', 3000);
	longargs[3000] = '\0';
	expect_linux_error("bootargs too long", "bootargs", longargs, 3001,
			   "bootargs: 3000 bytes, more than the 2048");
	free(longargs);
}

int main(int argc, char **argv)
{
	struct pinvm_error err = { "" };
	char path[256], guests[256];
	size_t n;
	void *blob;

	build_dir = argc > 1 ? argv[1] : "build";
	make_files();

	/* Every partition in dts/ (the board's, as built) and the unit ones. */
	snprintf(path, sizeof(path), "%s/partition.dtb", build_dir);
	snprintf(guests, sizeof(guests), "%s/guests", build_dir);
	check_partition_trees(path, guests);
	snprintf(path, sizeof(path), "%s/unit/partitions/linux.dtb", build_dir);
	check_partition_trees(path, dir);

	blob = unit_read_file(path, &n);
	TEST("linux partition");
	CHECK(partition_parse(&part, blob, "linux.dtb", dir, &err) == 0);
	if (err.msg[0])
		fprintf(stderr, "  %s\n", err.msg);
	test_linux_load();
	test_own_dtb();
	partition_free(&part);
	free(blob);
	test_linux_errors();

	snprintf(path, sizeof(path), "rm -rf %s", dir);
	if (system(path))
		return 2;
	return unit_report();
}
