// SPDX-License-Identifier: GPL-2.0-only
/*
 * Partition parsing and validation. Every error case is the valid tree of
 * partitions/good.dts with one thing changed through libfdt; each must fail
 * with a message naming node and property, and leave no guest behind.
 */
#include <libfdt.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bus.h"
#include "driver.h"
#include "loader.h"
#include "partition.h"
#include "passthrough/hostdev.h"
#include "passthrough/passthrough.h"
#include "unit.h"
#include "unit_partition.h"
#include "update.h"

static const char *build_dir;
static char image_dir[] = "/tmp/pinvm-unit-XXXXXX";
static void *good;
static size_t good_size;
static struct partition part;

static void write_file(const char *name, const void *data, size_t len)
{
	unit_write_file(image_dir, name, data, len);
}

static void make_images(void)
{
	char path[256], *big;
	void *img;
	size_t n;

	if (!mkdtemp(image_dir))
		exit(2);
	snprintf(path, sizeof(path), "%s/guests/ticker.bin", build_dir);
	img = unit_read_file(path, &n);
	write_file("ticker.bin", img, n);
	free(img);
	snprintf(path, sizeof(path), "%s/guests/ticker.elf", build_dir);
	img = unit_read_file(path, &n);
	write_file("ticker.elf", img, n);
	write_file("truncated.elf", img, 100);
	free(img);
	big = calloc(1, 0x3000);
	write_file("big.bin", big, 0x3000);
	free(big);
	write_file("empty.bin", "", 0);
	snprintf(path, sizeof(path), "%s/adir", image_dir);
	mkdir(path, 0755);
}

static void *mutable_copy(void)
{
	return unit_fdt_copy(good);
}

static int node(void *fdt, const char *path)
{
	return unit_node(fdt, path);
}

static void set_u32(void *fdt, const char *path, const char *prop, uint32_t v)
{
	fdt_setprop_u32(fdt, node(fdt, path), prop, v);
}

static void set_str(void *fdt, const char *path, const char *prop,
		    const char *v)
{
	fdt_setprop_string(fdt, node(fdt, path), prop, v);
}

/* Set a property of 2-cell address / size pairs. */
static void set_pairs(void *fdt, const char *path, const char *prop,
		      const uint64_t *v, int n)
{
	fdt64_t cells[8];
	int i;

	for (i = 0; i < n; i++)
		cells[i] = cpu_to_fdt64(v[i]);
	fdt_setprop(fdt, node(fdt, path), prop, cells, n * sizeof(cells[0]));
}

/* n more console nodes at 0x10000000, 0x10001000, ... */
static void add_devices(void *fdt, const char *path, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		uint64_t reg[2] = { 0x10000000 + i * 0x1000ull, 0x1000 };
		char name[32];
		int child;

		snprintf(name, sizeof(name), "console@%llx",
			 (unsigned long long)reg[0]);
		child = fdt_add_subnode(fdt, node(fdt, path), name);
		fdt_setprop_string(fdt, child, "compatible", "pinvm,console");
		fdt_setprop_u64(fdt, child, "reg", reg[0]);
		fdt_appendprop_u64(fdt, child, "reg", reg[1]);
	}
}

/* Parse fdt (and free it); it must fail with every needle in the message. */
static void expect_error(const char *name, void *fdt, const char *needle1,
			 const char *needle2)
{
	unit_expect_refused(&part, image_dir, name, fdt, needle1, needle2);
}

/* What the passthrough driver's check() parsed into the device's config. */
static const struct passthrough_config *pt(const struct device_config *d)
{
	return d->config;
}

static void test_good_passthrough(const struct device_config *rtc,
				  const struct device_config *gpio)
{
	TEST("good passthrough");
	CHECK(rtc->drv == driver_find("pinvm,passthrough"));
	CHECK(!strcmp(pt(rtc)->host_path, "/rtc@9010000"));
	/* No reg: the guest sees it where the board has it. */
	CHECK(rtc->base == 0x09010000 && rtc->size == 0x1000);
	CHECK(pt(rtc)->host_base == 0x09010000 && pt(rtc)->host_size == 0x1000);
	CHECK(rtc->widths == BUS_WIDTH(4));
	CHECK(rtc->dir == BUS_DIR_READ);
	CHECK(rtc->unaligned && !pt(rtc)->direct);
	CHECK(!strcmp(pt(gpio)->host_path, "/gpio@9030000"));
	CHECK(gpio->base == 0x0c000000 && pt(gpio)->host_base == 0x09030000);
	CHECK(gpio->widths == BUS_WIDTHS_ALL);
	CHECK(gpio->dir == (BUS_DIR_READ | BUS_DIR_WRITE));
	CHECK(!gpio->unaligned && pt(gpio)->direct);
	/* The board's SPIs, level, at the same numbers in the guest. */
	CHECK(pt(rtc)->nr_irqs == 1 && pt(rtc)->irqs[0].host_spi == 2);
	CHECK(pt(rtc)->irqs[0].level && pt(rtc)->irqs[0].flags == 4);
	CHECK(rtc->nr_irqs == 1 && rtc->irqs[0] == 32 + 2);
	CHECK(!pt(rtc)->irqs_required);
	CHECK(pt(gpio)->nr_irqs == 1 && gpio->irqs[0] == 32 + 7);
}

static void test_good(void)
{
	struct pinvm_error err = { "" };
	const struct guest_config *raw = &part.guests[0], *elf = &part.guests[1];
	int ret;

	TEST("good partition");
	ret = partition_parse(&part, good, "good.dtb", image_dir, &err);
	CHECK(ret == 0);
	if (ret) {
		fprintf(stderr, "  %s\n", err.msg);
		return;
	}
	CHECK(part.nr_board_cpus == 4);
	CHECK(part.gic.version == 3);
	CHECK(part.gic.dist_base == 0x08000000 && part.gic.dist_size == 0x10000);
	CHECK(part.gic.cpu_base == 0x080a0000 && part.gic.cpu_size == 0xf60000);
	CHECK(part.nr_guests == 2);
	CHECK(!strcmp(raw->name, "raw-guest") && !strcmp(elf->name, "elf-guest"));
	CHECK(!strcmp(raw->path, "/pinvm/raw-guest"));
	CHECK(raw->cpu == 1 && elf->cpu == 3);
	CHECK(raw->mem.nr_ram == 2);
	CHECK(raw->mem.ram[0].base == 0x40000000 && raw->mem.ram[0].size == 0x200000);
	CHECK(raw->mem.ram[1].base == 0x100000000ull && raw->mem.ram[1].size == 0x10000);
	CHECK(raw->loader == loader_find("raw") && elf->loader == loader_find("elf"));
	CHECK(raw->has_load_addr && raw->load_addr == 0x40000000);
	CHECK(raw->has_entry && raw->entry == 0x40000000 && !elf->has_entry);
	CHECK(raw->image.size > 0 && raw->image.data != NULL);
	CHECK(raw->nr_devices == 3 && elf->nr_devices == 2);
	/* Translated through /soc's ranges to the CPU's address. */
	CHECK(pt(&raw->devices[2])->host_base == 0x0a001000);
	CHECK(raw->devices[2].base == 0x0a001000);
	CHECK(!raw->big_endian && elf->big_endian);
	CHECK(raw->devices[0].drv == driver_find("pinvm,console"));
	CHECK(raw->devices[0].base == 0x09000000 && raw->devices[0].size == 0x1000);
	CHECK(!strcmp(raw->devices[0].path, "/pinvm/raw-guest/console@9000000"));
	test_good_passthrough(&raw->devices[1], &elf->devices[1]);
	partition_free(&part);
	CHECK(part.nr_guests == 0);
}

static void test_board_partitions(void)
{
	struct pinvm_error err = { "" };
	char path[256], guests[256];
	size_t n;
	void *fdt;

	/* The board's own partition, exactly as built into build/pinvm. */
	TEST("board partition");
	snprintf(path, sizeof(path), "%s/partition.dtb", build_dir);
	snprintf(guests, sizeof(guests), "%s/guests", build_dir);
	fdt = unit_read_file(path, &n);
	CHECK(partition_parse(&part, fdt, path, guests, &err) == 0);
	if (err.msg[0])
		fprintf(stderr, "  %s\n", err.msg);
	CHECK(part.nr_guests == 3);
	partition_free(&part);
	free(fdt);
}

static void test_cpu_errors(void)
{
	void *fdt;

	fdt = mutable_copy();
	set_u32(fdt, "/pinvm/elf-guest", "cpu", 1);
	expect_error("two guests on one core", fdt,
		     "/pinvm/elf-guest: cpu: core 1 is already given to /pinvm/raw-guest",
		     NULL);

	fdt = mutable_copy();
	set_u32(fdt, "/pinvm/raw-guest", "cpu", 4);
	expect_error("core the board lacks", fdt,
		     "/pinvm/raw-guest: cpu: core 4 does not exist", "0-3");

	fdt = mutable_copy();
	fdt_delprop(fdt, node(fdt, "/pinvm/raw-guest"), "cpu");
	expect_error("cpu missing", fdt, "/pinvm/raw-guest: cpu: missing", NULL);
}

static void test_memory_errors(void)
{
	static const uint64_t overlap[] = {
		0x40000000, 0x200000, 0x401ff000, 0x2000
	};
	static const uint64_t unaligned_base[] = { 0x40000800, 0x200000 };
	static const uint64_t unaligned_size[] = { 0x40000000, 0x1800 };
	static const uint64_t on_gic[] = { 0x08000000, 0x10000 };
	void *fdt;

	fdt = mutable_copy();
	set_pairs(fdt, "/pinvm/raw-guest", "memory", overlap, 4);
	expect_error("overlapping memory", fdt,
		     "/pinvm/raw-guest: memory: range 0x401ff000+0x2000 overlaps range 0x40000000+0x200000",
		     NULL);

	fdt = mutable_copy();
	set_pairs(fdt, "/pinvm/raw-guest", "memory", unaligned_base, 2);
	expect_error("memory base not page aligned", fdt,
		     "/pinvm/raw-guest: memory: range 0x40000800+0x200000 is not page aligned",
		     NULL);

	fdt = mutable_copy();
	set_pairs(fdt, "/pinvm/raw-guest", "memory", unaligned_size, 2);
	expect_error("memory size not page aligned", fdt,
		     "/pinvm/raw-guest: memory:", "not page aligned");

	fdt = mutable_copy();
	set_pairs(fdt, "/pinvm/raw-guest", "memory", on_gic, 2);
	expect_error("memory over the GIC", fdt,
		     "/pinvm/raw-guest: memory:",
		     "overlaps the guest's interrupt controller (/interrupt-controller@8000000)");

	fdt = mutable_copy();
	fdt_delprop(fdt, node(fdt, "/pinvm/raw-guest"), "memory");
	expect_error("memory missing", fdt, "/pinvm/raw-guest: memory: missing",
		     NULL);
}

static void test_image_errors(void)
{
	static const uint64_t small[] = { 0x40000000, 0x2000 };
	static const uint64_t elsewhere[] = { 0x80000000, 0x200000 };
	static const uint64_t far_entry[] = { 0x50000000 };
	void *fdt;

	fdt = mutable_copy();
	set_str(fdt, "/pinvm/raw-guest", "image", "nope.bin");
	expect_error("image missing", fdt,
		     "/pinvm/raw-guest: image: cannot read /tmp/pinvm-unit-",
		     "nope.bin: No such file or directory");

	fdt = mutable_copy();
	set_str(fdt, "/pinvm/raw-guest", "image", "adir");
	expect_error("image unreadable", fdt, "/pinvm/raw-guest: image: cannot read",
		     "not a regular file");

	fdt = mutable_copy();
	set_str(fdt, "/pinvm/raw-guest", "image", "empty.bin");
	expect_error("image empty", fdt, "/pinvm/raw-guest: image:",
		     "file is empty");

	fdt = mutable_copy();
	fdt_delprop(fdt, node(fdt, "/pinvm/raw-guest"), "image");
	expect_error("image property missing", fdt,
		     "/pinvm/raw-guest: image: missing", NULL);

	fdt = mutable_copy();
	set_str(fdt, "/pinvm/raw-guest", "image", "big.bin");
	set_pairs(fdt, "/pinvm/raw-guest", "memory", small, 2);
	expect_error("image larger than memory", fdt,
		     "/pinvm/raw-guest: image:",
		     "(0x3000 bytes at 0x40000000) does not fit in the guest's memory");

	fdt = mutable_copy();
	set_str(fdt, "/pinvm/raw-guest", "image-format", "zip");
	expect_error("unknown image format", fdt,
		     "/pinvm/raw-guest: image-format: unknown format \"zip\" (known: ",
		     "elf");

	fdt = mutable_copy();
	set_pairs(fdt, "/pinvm/raw-guest", "entry", far_entry, 1);
	expect_error("entry outside memory", fdt,
		     "/pinvm/raw-guest: entry: 0x50000000 is outside the guest's memory",
		     NULL);

	fdt = mutable_copy();
	set_pairs(fdt, "/pinvm/elf-guest", "memory", elsewhere, 2);
	expect_error("ELF segment outside memory", fdt,
		     "/pinvm/elf-guest: image: ELF segment", "does not fit");

	fdt = mutable_copy();
	set_str(fdt, "/pinvm/elf-guest", "image", "truncated.elf");
	expect_error("truncated ELF", fdt, "/pinvm/elf-guest: image:",
		     "truncated");

	fdt = mutable_copy();
	set_str(fdt, "/pinvm/elf-guest", "image", "ticker.bin");
	expect_error("raw file as ELF", fdt, "/pinvm/elf-guest: image:",
		     "ticker.bin is not an ELF file");
}

static void test_device_errors(void)
{
	static const uint64_t on_ram[] = { 0x40000000, 0x1000 };
	static const uint64_t on_gic[] = { 0x08000000, 0x1000 };
	static const uint64_t tiny[] = { 0x09000000, 0x100 };
	const char *console = "/pinvm/raw-guest/console@9000000";
	void *fdt;

	fdt = mutable_copy();
	set_str(fdt, console, "compatible", "pinvm,nope");
	expect_error("unknown device", fdt,
		     "/pinvm/raw-guest/console@9000000: compatible: no driver for \"pinvm,nope\"",
		     NULL);

	fdt = mutable_copy();
	set_pairs(fdt, console, "reg", on_ram, 2);
	expect_error("device over memory", fdt,
		     "/pinvm/raw-guest/console@9000000: reg: 0x40000000+0x1000 overlaps the guest's memory",
		     NULL);

	fdt = mutable_copy();
	set_pairs(fdt, console, "reg", on_gic, 2);
	expect_error("device over the GIC", fdt,
		     "/pinvm/raw-guest/console@9000000: reg:",
		     "interrupt controller");

	fdt = mutable_copy();
	add_devices(fdt, "/pinvm/raw-guest", GUEST_MAX_DEVICES);
	expect_error("too many devices", fdt,
		     "/pinvm/raw-guest: more than 16 devices in one guest", NULL);

	fdt = mutable_copy();
	set_pairs(fdt, console, "reg", tiny, 2);
	expect_error("console too small", fdt,
		     "/pinvm/raw-guest/console@9000000: reg: a PL011 console needs 0x1000 bytes",
		     NULL);
}

static uint32_t phandle_of(void *fdt, const char *path)
{
	return fdt_get_phandle(fdt, node(fdt, path));
}

static void test_passthrough_errors(void)
{
	static const uint64_t sub_page[] = { 0x0c000000, 0x800 };
	static const uint64_t on_console[] = { 0x09000800, 0x1000 };
	static const uint64_t too_big[] = { 0x09010000, 0x2000 };
	const char *rtc = "/pinvm/raw-guest/rtc";
	const char *gpio = "/pinvm/elf-guest/gpio@c000000";
	void *fdt;

	fdt = mutable_copy();
	set_u32(fdt, gpio, "device", phandle_of(fdt, "/rtc@9010000"));
	expect_error("peripheral given to two guests", fdt,
		     "/pinvm/elf-guest/gpio@c000000: device: /rtc@9010000 (0x9010000+0x1000) is already given to /pinvm/raw-guest/rtc",
		     NULL);

	fdt = mutable_copy();
	set_u32(fdt, rtc, "device", 0x999);
	expect_error("peripheral that does not exist", fdt,
		     "/pinvm/raw-guest/rtc: device: phandle 0x999 names no node",
		     NULL);

	fdt = mutable_copy();
	set_u32(fdt, rtc, "device", phandle_of(fdt, "/clock-24000000"));
	expect_error("board node without reg", fdt,
		     "/pinvm/raw-guest/rtc: device: the board node /clock-24000000 has no reg",
		     NULL);

	fdt = mutable_copy();
	fdt_delprop(fdt, node(fdt, rtc), "device");
	expect_error("no device", fdt, "/pinvm/raw-guest/rtc: device: missing",
		     NULL);

	fdt = mutable_copy();
	set_u32(fdt, rtc, "access-widths", 3);
	expect_error("width outside 1, 2, 4, 8", fdt,
		     "/pinvm/raw-guest/rtc: access-widths: 3 is not one of 1, 2, 4, 8",
		     NULL);

	fdt = mutable_copy();
	set_pairs(fdt, gpio, "reg", sub_page, 2);
	expect_error("direct mode not page aligned", fdt,
		     "/pinvm/elf-guest/gpio@c000000: mode: direct needs page-aligned registers",
		     "size 0x800");

	fdt = mutable_copy();
	set_str(fdt, gpio, "access", "read");
	expect_error("direct mode with a policy", fdt,
		     "/pinvm/elf-guest/gpio@c000000: mode: direct cannot enforce access",
		     NULL);

	fdt = mutable_copy();
	fdt_setprop_u32(fdt, node(fdt, "/rtc@9010000"), "resets", 1);
	expect_error("peripheral with resets", fdt,
		     "/pinvm/raw-guest/rtc: device: /rtc@9010000 has power-domains or resets",
		     NULL);

	fdt = mutable_copy();
	set_pairs(fdt, rtc, "reg", on_console, 2);
	expect_error("overlapping regions", fdt,
		     "/pinvm/raw-guest/rtc: reg: 0x9000800+0x1000 overlaps /pinvm/raw-guest/console@9000000",
		     NULL);

	fdt = mutable_copy();
	set_pairs(fdt, rtc, "reg", too_big, 2);
	expect_error("window larger than the device", fdt,
		     "/pinvm/raw-guest/rtc: reg: 0x2000 bytes, more than the 0x1000 of /rtc@9010000",
		     NULL);

	fdt = mutable_copy();
	set_str(fdt, rtc, "access", "sideways");
	expect_error("bad access", fdt,
		     "/pinvm/raw-guest/rtc: access: \"sideways\" is not", NULL);

	fdt = mutable_copy();
	set_str(fdt, rtc, "mode", "magic");
	expect_error("bad mode", fdt,
		     "/pinvm/raw-guest/rtc: mode: \"magic\" is not \"trap\" or \"direct\"",
		     NULL);
}

/* A board device node at base with one SPI, beside the board's own. */
static void add_board_node(void *fdt, const char *name, uint32_t base,
			   uint32_t spi)
{
	fdt32_t reg[4] = { 0, cpu_to_fdt32(base), 0, cpu_to_fdt32(0x100) };
	fdt32_t irq[3] = { 0, cpu_to_fdt32(spi), cpu_to_fdt32(4) };
	int n = fdt_add_subnode(fdt, 0, name);

	fdt_setprop_string(fdt, n, "compatible", "test,dev");
	fdt_setprop(fdt, n, "reg", reg, sizeof(reg));
	fdt_setprop(fdt, n, "interrupts", irq, sizeof(irq));
}

static void set_irqs(void *fdt, const char *path, uint32_t type,
		     uint32_t spi, uint32_t flags)
{
	fdt32_t irq[3] = {
		cpu_to_fdt32(type), cpu_to_fdt32(spi), cpu_to_fdt32(flags),
	};

	fdt_setprop(fdt, node(fdt, path), "interrupts", irq, sizeof(irq));
}

/* A guest SPI given in the partition node, and renumbered in its config. */
static void test_passthrough_guest_spi(void)
{
	struct pinvm_error err = { "" };
	const struct device_config *rtc;
	void *fdt = mutable_copy();

	set_irqs(fdt, "/pinvm/raw-guest/rtc", 0, 40, 4);
	fdt_setprop(fdt, node(fdt, "/pinvm/raw-guest/rtc"),
		    "interrupts-required", NULL, 0);
	TEST("passthrough with the guest's own SPI");
	CHECK(partition_parse(&part, fdt, "test.dtb", image_dir, &err) == 0);
	rtc = &part.guests[0].devices[1];
	CHECK(rtc->nr_irqs == 1 && rtc->irqs[0] == 32 + 40);
	CHECK(pt(rtc)->irqs[0].host_spi == 2 && pt(rtc)->irqs_required);
	partition_free(&part);
	free(fdt);
}

static void test_passthrough_irq_errors(void)
{
	const char *rtc = "/pinvm/raw-guest/rtc";
	void *fdt;

	fdt = mutable_copy();
	add_board_node(fdt, "dev@9100000", 0x09100000, 2);
	expect_error("interrupt line shared with a host device", fdt,
		     "/pinvm/raw-guest/rtc: device: interrupt SPI 2 of /rtc@9010000 is shared with /dev@9100000",
		     NULL);

	/* A disabled node has no host driver on the line. */
	fdt = mutable_copy();
	add_board_node(fdt, "dev@9100000", 0x09100000, 2);
	set_str(fdt, "/dev@9100000", "status", "disabled");
	TEST("line shared with a disabled node");
	{
		struct pinvm_error err = { "" };

		CHECK(partition_parse(&part, fdt, "test.dtb", image_dir, &err) == 0);
		partition_free(&part);
	}
	free(fdt);

	fdt = mutable_copy();
	add_board_node(fdt, "dev@9010800", 0x09010800, 60);
	expect_error("register page shared with a host device", fdt,
		     "/pinvm/raw-guest/rtc: device: register page 0x9010000 of /rtc@9010000 is shared with /dev@9010800",
		     NULL);

	/* Two guests given devices on one line: both board nodes disabled. */
	fdt = mutable_copy();
	set_irqs(fdt, "/gpio@9030000", 0, 2, 4);
	set_str(fdt, "/rtc@9010000", "status", "disabled");
	set_str(fdt, "/gpio@9030000", "status", "disabled");
	expect_error("line of two guests' devices", fdt,
		     "/pinvm/elf-guest/gpio@c000000: device: interrupt SPI 2 of /gpio@9030000 is also /rtc@9010000's, given to /pinvm/raw-guest/rtc",
		     NULL);

	fdt = mutable_copy();
	set_irqs(fdt, "/pinvm/raw-guest/console@9000000", 0, 2, 4);
	expect_error("guest SPI of two devices", fdt,
		     "/pinvm/raw-guest/rtc: interrupts: guest SPI 2 is already /pinvm/raw-guest/console@9000000's",
		     NULL);

	fdt = mutable_copy();
	set_irqs(fdt, rtc, 0, 40, 1);
	expect_error("guest SPI with another trigger", fdt,
		     "/pinvm/raw-guest/rtc: interrupts: entry 0 must be <0 n flags>, an SPI up to 223 with the board's trigger (level)",
		     NULL);

	fdt = mutable_copy();
	fdt_setprop_u32(fdt, node(fdt, rtc), "interrupts", 3);
	expect_error("guest SPIs not one per board SPI", fdt,
		     "/pinvm/raw-guest/rtc: interrupts: must be 1 <0 n flags> entries, one for each of /rtc@9010000's interrupts",
		     NULL);

	fdt = mutable_copy();
	set_irqs(fdt, "/rtc@9010000", 1, 2, 4);
	expect_error("board interrupt not an SPI", fdt,
		     "/pinvm/raw-guest/rtc: device: /rtc@9010000's interrupt 0 is not an SPI",
		     NULL);

	fdt = mutable_copy();
	fdt_setprop_u32(fdt, node(fdt, "/rtc@9010000"), "interrupt-parent",
			phandle_of(fdt, "/clock-24000000"));
	expect_error("board interrupt not on the GIC", fdt,
		     "/pinvm/raw-guest/rtc: device: /rtc@9010000's interrupts do not go to the GIC",
		     NULL);

	fdt = mutable_copy();
	fdt_setprop(fdt, node(fdt, "/pinvm/raw-guest/bus-dev"),
		    "interrupts-required", NULL, 0);
	expect_error("interrupts required of a device without", fdt,
		     "/pinvm/raw-guest/bus-dev: interrupts-required: /soc@7e000000/dev@7e001000 has no interrupts to forward",
		     NULL);
}

/* The device of g that fronts field update: its health register. */
static const struct device_config *health_of(const struct guest_config *g)
{
	unsigned int i;

	for (i = 0; i < g->nr_devices; i++)
		if (g->devices[i].drv->fronts &&
		    !strcmp(g->devices[i].drv->fronts, "update"))
			return &g->devices[i];
	return NULL;
}

/* A health register on raw-guest, as an updatable guest has. */
static int add_health(void *fdt, uint64_t base, uint32_t timeout_ms)
{
	char name[32];
	int child;

	snprintf(name, sizeof(name), "health@%llx", (unsigned long long)base);
	child = fdt_add_subnode(fdt, node(fdt, "/pinvm/raw-guest"), name);
	fdt_setprop_string(fdt, child, "compatible", "pinvm,health");
	fdt_setprop_u64(fdt, child, "reg", base);
	fdt_appendprop_u64(fdt, child, "reg", 0x1000);
	if (timeout_ms)
		fdt_setprop_u32(fdt, child, "timeout-ms", timeout_ms);
	return child;
}

static void test_update_props(void)
{
	struct pinvm_error err = { "" };
	const struct guest_config *g;
	void *fdt;

	TEST("updatable guest");
	fdt = mutable_copy();
	add_health(fdt, 0x0a000000, 5000);
	set_str(fdt, "/pinvm/raw-guest", "firmware-version", "1.4.2");
	set_u32(fdt, "/pinvm/raw-guest", "update-attempts", 5);
	CHECK(!partition_parse(&part, fdt, "test.dtb", image_dir, &err));
	g = &part.guests[0];
	CHECK(!strcmp(g->name, "raw-guest"));
	CHECK(health_of(g) && ((const struct update_config *)
				health_of(g)->config)->timeout_ms == 5000);
	CHECK(!strcmp(update_props_of(g)->firmware_version, "1.4.2"));
	CHECK(update_props_of(g)->update_attempts == 5);
	CHECK(health_of(&part.guests[1]) == NULL);
	CHECK(!strcmp(update_props_of(&part.guests[1])->firmware_version, "0"));
	CHECK(update_props_of(&part.guests[1])->update_attempts ==
	      CONFIG_UPDATE_MAX_ATTEMPTS);
	partition_free(&part);
	free(fdt);

	fdt = mutable_copy();
	add_health(fdt, 0x0a000000, 0);
	expect_error("health without timeout", fdt,
		     "/pinvm/raw-guest/health@a000000: timeout-ms: missing", NULL);
	fdt = mutable_copy();
	add_health(fdt, 0x0a000000, 50);
	expect_error("health timeout too short", fdt,
		     "timeout-ms: out of range", "100 to 3600000");
	fdt = mutable_copy();
	add_health(fdt, 0x0a000000, 1000);
	add_health(fdt, 0x0a001000, 1000);
	expect_error("two health registers", fdt,
		     "/pinvm/raw-guest/health@a00",
		     ": a guest has one pinvm,health device at most");
	fdt = mutable_copy();
	set_str(fdt, "/pinvm/raw-guest", "firmware-version", "1.x");
	expect_error("bad firmware-version", fdt,
		     "/pinvm/raw-guest: firmware-version: 1 to 4 dot-separated numbers",
		     NULL);
	fdt = mutable_copy();
	set_u32(fdt, "/pinvm/raw-guest", "update-attempts", 0);
	expect_error("update-attempts 0", fdt,
		     "/pinvm/raw-guest: update-attempts: one cell, 1 to 100", NULL);
}

/* A watchdog on raw-guest; size 0x1000 unless told. */
static int add_watchdog(void *fdt, uint64_t base, uint64_t size)
{
	char name[32];
	int child;

	snprintf(name, sizeof(name), "watchdog@%llx", (unsigned long long)base);
	child = fdt_add_subnode(fdt, node(fdt, "/pinvm/raw-guest"), name);
	fdt_setprop_string(fdt, child, "compatible", "pinvm,watchdog");
	fdt_setprop_u64(fdt, child, "reg", base);
	fdt_appendprop_u64(fdt, child, "reg", size);
	return child;
}

static void test_watchdog_props(void)
{
	struct pinvm_error err = { "" };
	void *fdt;

	TEST("a guest with a watchdog");
	fdt = mutable_copy();
	add_watchdog(fdt, 0x0a000000, 0x1000);
	CHECK(!partition_parse(&part, fdt, "test.dtb", image_dir, &err));
	CHECK(part.nr_guests && part.guests[0].nr_devices >= 1);
	partition_free(&part);
	free(fdt);

	fdt = mutable_copy();
	add_watchdog(fdt, 0x0a000000, 0x100);
	expect_error("watchdog region too small", fdt,
		     "/pinvm/raw-guest/watchdog@a000000: reg: an SP805 watchdog needs 0x1000 bytes, not 0x100",
		     NULL);
	fdt = mutable_copy();
	fdt_setprop_u32(fdt, add_watchdog(fdt, 0x0a000000, 0x1000),
			"timeout-sec", 400);
	expect_error("watchdog timeout past WdogLoad", fdt,
		     "/pinvm/raw-guest/watchdog@a000000: timeout-sec: must be one cell, 1 to 357",
		     NULL);
	fdt = mutable_copy();
	fdt_setprop_string(fdt, add_watchdog(fdt, 0x0a000000, 0x1000),
			   "action", "panic");
	expect_error("watchdog action", fdt,
		     "/pinvm/raw-guest/watchdog@a000000: action: must be \"restart\" or \"stop\"",
		     NULL);
	fdt = mutable_copy();
	add_watchdog(fdt, 0x0a000000, 0x1000);
	add_watchdog(fdt, 0x0a001000, 0x1000);
	expect_error("two watchdogs in one guest", fdt,
		     "compatible: a guest has one pinvm,watchdog at most",
		     "/pinvm/raw-guest/watchdog@a00");
}

static void test_restart_props(void)
{
	struct pinvm_error err = { "" };
	void *fdt;

	TEST("restart policy");
	fdt = mutable_copy();
	set_str(fdt, "/pinvm/raw-guest", "restart-policy", "stop");
	set_u32(fdt, "/pinvm/elf-guest", "restart-limit", 500);
	CHECK(!partition_parse(&part, fdt, "test.dtb", image_dir, &err));
	CHECK(!part.guests[0].restart_on_reset);
	CHECK(part.guests[1].restart_on_reset);
	CHECK(part.guests[1].restart_limit == 500);
	CHECK(part.guests[0].restart_limit == CONFIG_RESTART_LIMIT);
	partition_free(&part);
	free(fdt);

	fdt = mutable_copy();
	set_str(fdt, "/pinvm/raw-guest", "restart-policy", "sometimes");
	expect_error("bad restart-policy", fdt,
		     "/pinvm/raw-guest: restart-policy: \"restart\" or \"stop\"", NULL);
	fdt = mutable_copy();
	set_u32(fdt, "/pinvm/raw-guest", "restart-limit", 0);
	expect_error("restart-limit 0", fdt,
		     "/pinvm/raw-guest: restart-limit: one cell, 1 to 100000", NULL);
}

static void test_structure_errors(void)
{
	static const char junk[64] = "not a device tree";
	void *fdt;

	fdt = mutable_copy();
	fdt_del_node(fdt, node(fdt, "/pinvm"));
	expect_error("no partition node", fdt, "/pinvm: missing", NULL);

	fdt = mutable_copy();
	fdt_set_name(fdt, node(fdt, "/pinvm/raw-guest"), "Raw.Guest");
	expect_error("bad guest name", fdt, "/pinvm/Raw.Guest:", "a-z, 0-9");

	fdt = mutable_copy();
	set_str(fdt, "/pinvm/elf-guest", "compatible", "pinvm,gust");
	expect_error("misspelt guest compatible", fdt,
		     "/pinvm/elf-guest: compatible: every child of /pinvm must be a \"pinvm,guest\"",
		     NULL);

	fdt = malloc(sizeof(junk));
	memcpy(fdt, junk, sizeof(junk));
	expect_error("not a device tree", fdt, "not a valid device tree blob",
		     NULL);
}

/* A phandle for a board node good.dts does not reference. */
static uint32_t give_phandle(void *fdt, const char *path, uint32_t ph)
{
	fdt_setprop_u32(fdt, node(fdt, path), "phandle", ph);
	return ph;
}

/* What the host runs on, each refused as a passthrough device. */
static void test_host_critical(void)
{
	static const uint64_t window[] = { 0x0c000000, 0x1000 };
	static const uint64_t small_window[] = { 0x0c000000, 0x100 };
	static const uint64_t carve_reg[] = { 0x48000000, 0x100000 };
	const char *rtc = "/pinvm/raw-guest/rtc";
	void *fdt;
	int n;

	fdt = mutable_copy();
	fdt_delprop(fdt, node(fdt, "/interrupt-controller@8000000"), "interrupts");
	set_u32(fdt, rtc, "device", phandle_of(fdt, "/interrupt-controller@8000000"));
	set_pairs(fdt, rtc, "reg", window, 2);
	expect_error("the host's GIC", fdt,
		     "/pinvm/raw-guest/rtc: device: /interrupt-controller@8000000 is an interrupt controller of the host",
		     NULL);

	fdt = mutable_copy();
	fdt_setprop(fdt, node(fdt, "/rtc@9010000"), "msi-controller", NULL, 0);
	expect_error("an MSI controller", fdt,
		     "/pinvm/raw-guest/rtc: device: /rtc@9010000 is an interrupt controller of the host",
		     NULL);

	fdt = mutable_copy();
	set_u32(fdt, rtc, "device", give_phandle(fdt, "/memory@40000000", 0x700));
	set_pairs(fdt, rtc, "reg", window, 2);
	expect_error("host RAM", fdt,
		     "/pinvm/raw-guest/rtc: device: /memory@40000000 (0x40000000+0x40000000) is host RAM, a memory node",
		     NULL);

	/* Direct mode is no way round it. */
	fdt = mutable_copy();
	set_u32(fdt, "/pinvm/elf-guest/gpio@c000000", "device",
		give_phandle(fdt, "/memory@40000000", 0x700));
	expect_error("host RAM in direct mode", fdt,
		     "/pinvm/elf-guest/gpio@c000000: device: /memory@40000000 (0x40000000+0x40000000) is host RAM",
		     NULL);

	fdt = mutable_copy();
	add_board_node(fdt, "dev@40100000", 0x40100000, 60);
	set_u32(fdt, rtc, "device", give_phandle(fdt, "/dev@40100000", 0x701));
	set_pairs(fdt, rtc, "reg", small_window, 2);
	expect_error("a device node inside host RAM", fdt,
		     "/pinvm/raw-guest/rtc: device: /dev@40100000 (0x40100000+0x100) is host RAM, inside memory node /memory@40000000",
		     NULL);

	fdt = mutable_copy();
	n = fdt_add_subnode(fdt, 0, "reserved-memory");
	fdt_setprop_u32(fdt, n, "#address-cells", 2);
	fdt_setprop_u32(fdt, n, "#size-cells", 2);
	fdt_setprop(fdt, n, "ranges", NULL, 0);
	n = fdt_add_subnode(fdt, n, "carve@48000000");
	fdt_setprop(fdt, n, "no-map", NULL, 0);
	set_pairs(fdt, "/reserved-memory/carve@48000000", "reg", carve_reg, 2);
	set_u32(fdt, rtc, "device",
		give_phandle(fdt, "/reserved-memory/carve@48000000", 0x702));
	set_pairs(fdt, rtc, "reg", window, 2);
	expect_error("a reserved-memory carve-out", fdt,
		     "/pinvm/raw-guest/rtc: device: /reserved-memory/carve@48000000 (0x48000000+0x100000) is host RAM, a reserved-memory carve-out",
		     NULL);

	/* stdout-path through an alias, with the console's options. */
	fdt = mutable_copy();
	n = fdt_add_subnode(fdt, 0, "aliases");
	fdt_setprop_string(fdt, n, "serial0", "/rtc@9010000");
	n = fdt_add_subnode(fdt, 0, "chosen");
	fdt_setprop_string(fdt, n, "stdout-path", "serial0:115200n8");
	expect_error("the host's console", fdt,
		     "/pinvm/raw-guest/rtc: device: /rtc@9010000 is the host's console (/chosen stdout-path)",
		     NULL);
}

/*
 * fw_cfg masters the bus (dma-coherent): its DMA address register at
 * +0x10 makes it read and write any host address.
 */
static void test_dma(void)
{
	static const uint64_t below_dma[] = { 0x09020000, 0x10 };
	static const uint64_t to_dma[] = { 0x09020000, 0x14 };
	struct pinvm_error err = { "" };
	const char *rtc = "/pinvm/raw-guest/rtc";
	uint32_t fw_cfg;
	void *fdt;

	fdt = mutable_copy();
	fw_cfg = give_phandle(fdt, "/fw-cfg@9020000", 0x710);
	set_u32(fdt, rtc, "device", fw_cfg);
	expect_error("fw_cfg's whole window", fdt,
		     "/pinvm/raw-guest/rtc: reg: a 0x18-byte window on /fw-cfg@9020000 reaches its DMA registers at +0x10 (it can master the bus: dma-coherent)",
		     "end the window at 0x10, or accept the risk with dma-risk-accepted");

	fdt = mutable_copy();
	set_u32(fdt, rtc, "device", give_phandle(fdt, "/fw-cfg@9020000", 0x710));
	set_pairs(fdt, rtc, "reg", to_dma, 2);
	expect_error("fw_cfg's window to half the DMA address", fdt,
		     "/pinvm/raw-guest/rtc: reg: a 0x14-byte window on /fw-cfg@9020000 reaches its DMA registers",
		     NULL);

	TEST("fw_cfg's window before its DMA registers");
	fdt = mutable_copy();
	set_u32(fdt, rtc, "device", give_phandle(fdt, "/fw-cfg@9020000", 0x710));
	set_pairs(fdt, rtc, "reg", below_dma, 2);
	CHECK(partition_parse(&part, fdt, "test.dtb", image_dir, &err) == 0);
	if (err.msg[0])
		fprintf(stderr, "  %s\n", err.msg);
	CHECK(part.nr_guests == 2 &&
	      !pt(&part.guests[0].devices[1])->dma_risk_accepted);
	partition_free(&part);
	free(fdt);

	TEST("fw_cfg's whole window, its risk accepted");
	fdt = mutable_copy();
	set_u32(fdt, rtc, "device", give_phandle(fdt, "/fw-cfg@9020000", 0x710));
	fdt_setprop(fdt, node(fdt, rtc), "dma-risk-accepted", NULL, 0);
	CHECK(partition_parse(&part, fdt, "test.dtb", image_dir, &err) == 0);
	CHECK(part.nr_guests == 2 &&
	      pt(&part.guests[0].devices[1])->dma_risk_accepted);
	partition_free(&part);
	free(fdt);

	/* A bus master pinvm knows no DMA registers of: no window will do. */
	fdt = mutable_copy();
	fdt_setprop_u32(fdt, node(fdt, "/rtc@9010000"), "dmas", 1);
	expect_error("an unknown bus master", fdt,
		     "/pinvm/raw-guest/rtc: device: /rtc@9010000 can master the bus (dmas), and pinvm knows no window",
		     "dma-risk-accepted");
}

/*
 * A board node with no device in sysfs was mapped anyway, a host
 * driver perhaps still on it; now only with no-host-device.
 */
static void test_no_host_device(void)
{
	struct passthrough_config cfg = {
		.host_base = 0x7ffe0000, .host_size = 0x1000,
	};
	struct pinvm_error err = { "" };
	struct hostdev h;

	TEST("a device sysfs does not have");
	CHECK(hostdev_claim(&h, "/pinvm/g/dev", &cfg, NULL, 0x1000, &err) == -1);
	CHECK_CONTAINS(err.msg, "/pinvm/g/dev: no device at 0x7ffe0000 in /sys/bus/{amba,platform}");
	CHECK_CONTAINS(err.msg, "no-host-device");
}

/* Things a blob from elsewhere than dtc can hold, each refused by name. */
static void test_hostile_structure(void)
{
	static const uint64_t past_window[] = { 0x7efff000, 0x2000 };
	static const uint64_t wrapping[] = { 0xfffffffffffff000ull, 0x2000 };
	fdt32_t ranges[4] = {
		cpu_to_fdt32(0x7e000000), cpu_to_fdt32(0xffffffff),
		cpu_to_fdt32(0xff800000), cpu_to_fdt32(0x1000000),
	};
	fdt32_t bus_reg[2];
	void *fdt;
	int n;

	fdt = mutable_copy();
	fdt_set_name(fdt, node(fdt, "/pinvm/elf-guest"), "raw-guest");
	expect_error("two guests of one name", fdt,
		     "test.dtb: /pinvm/raw-guest: the guest's name (its node name) is already an earlier guest's",
		     NULL);

	fdt = mutable_copy();
	n = fdt_add_subnode(fdt, 0, "pinvm2");
	fdt_setprop_string(fdt, n, "compatible", "pinvm,partition");
	fdt_set_name(fdt, n, "pinvm");
	expect_error("a second /pinvm node", fdt,
		     "test.dtb: /pinvm: the board has a second node named pinvm",
		     NULL);

	fdt = mutable_copy();
	n = fdt_add_subnode(fdt, node(fdt, "/soc@7e000000"), "partition");
	fdt_setprop_string(fdt, n, "compatible", "pinvm,partition");
	expect_error("a second pinvm,partition node", fdt,
		     "test.dtb: /soc@7e000000/partition: compatible: a second \"pinvm,partition\" node",
		     NULL);

	/* dev@7e001000 is on a 1-cell bus: its reg is <address size>. */
	fdt = mutable_copy();
	bus_reg[0] = cpu_to_fdt32(past_window[0]);
	bus_reg[1] = cpu_to_fdt32(past_window[1]);
	fdt_setprop(fdt, node(fdt, "/soc@7e000000/dev@7e001000"), "reg",
		    bus_reg, sizeof(bus_reg));
	expect_error("a board reg past its bus's window", fdt,
		     "/pinvm/raw-guest/bus-dev: device: the board node /soc@7e000000/dev@7e001000's reg 0x7efff000+0x2000 is not inside its buses' ranges",
		     NULL);

	fdt = mutable_copy();
	fdt_setprop(fdt, node(fdt, "/soc@7e000000"), "ranges", ranges,
		    sizeof(ranges));
	expect_error("a bus's ranges wrapping past 2^64", fdt,
		     "/pinvm/raw-guest/bus-dev: device: the board node /soc@7e000000/dev@7e001000's reg 0x7e001000+0x1000 is not inside its buses' ranges",
		     NULL);

	fdt = mutable_copy();
	set_pairs(fdt, "/gpio@9030000", "reg", wrapping, 2);
	expect_error("a board reg wrapping past 2^64", fdt,
		     "/pinvm/elf-guest/gpio@c000000: device: the board node /gpio@9030000's reg 0xfffffffffffff000+0x2000 is not inside",
		     NULL);
}

/* A node name of n characters "x...x@unit", for paths past NODE_PATH_MAX. */
static const char *long_name(const char *unit)
{
	static char name[NODE_PATH_MAX + 64];

	memset(name, 'x', NODE_PATH_MAX);
	snprintf(name + NODE_PATH_MAX, sizeof(name) - NODE_PATH_MAX, "@%s", unit);
	return name;
}

/*
 * Paths longer than NODE_PATH_MAX: fdt_get_path() leaves its buffer
 * unterminated, which messages printed, and the GIC's was looked up again
 * (its SPIs then "did not go to the GIC") and a board node's skipped.
 */
static void test_long_paths(void)
{
	struct pinvm_error err = { "" };
	const char *gic = "/interrupt-controller@8000000";
	void *fdt;

	TEST("a GIC whose path is longer than NODE_PATH_MAX");
	fdt = mutable_copy();
	fdt_set_name(fdt, node(fdt, gic), long_name("8000000"));
	CHECK(partition_parse(&part, fdt, "test.dtb", image_dir, &err) == 0);
	if (err.msg[0])
		fprintf(stderr, "  %s\n", err.msg);
	CHECK(part.gic.node == fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3") ||
	      !IS_ENABLED(CONFIG_VGIC_V3));
	CHECK(!strncmp(part.gic.path, ".../xxx", 7));
	CHECK(part.guests[0].devices[1].nr_irqs == 1);
	partition_free(&part);
	free(fdt);

	fdt = mutable_copy();
	fdt_add_subnode(fdt, node(fdt, "/pinvm/raw-guest"), long_name("9100000"));
	expect_error("a device whose path is longer than NODE_PATH_MAX", fdt,
		     "test.dtb: .../xxxxxxxx",
		     ": the node's path is longer than the 127 bytes");

	fdt = mutable_copy();
	add_board_node(fdt, long_name("9100000"), 0x09100000, 2);
	expect_error("a board node on the line whose path is too long", fdt,
		     "/pinvm/raw-guest/rtc: device: interrupt SPI 2 of /rtc@9010000 is shared with .../xxxx",
		     NULL);
}

/*
 * The guests' configurations the partition does not use are never
 * written (their pages stay off pinvm's RSS): each guest's is zeroed as
 * it is parsed, the header alone up front.
 */
static void test_unused_guests_untouched(void)
{
	struct pinvm_error err = { "" };
	const uint8_t *b;
	size_t i, n;

	TEST("parsing leaves the unused guests' configurations untouched");
	memset(&part, 0xa5, sizeof(part));
	CHECK(partition_parse(&part, good, "good.dtb", image_dir, &err) == 0);
	CHECK(part.nr_guests == 2 && part.nr_guests < CONFIG_MAX_GUESTS);
	b = (const uint8_t *)&part.guests[part.nr_guests];
	n = (CONFIG_MAX_GUESTS - part.nr_guests) * sizeof(part.guests[0]);
	for (i = 0; i < n && b[i] == 0xa5; i++)
		;
	CHECK(i == n);
	CHECK(part.guests[1].nr_devices == 2 && !part.guests[1].has_entry);
	partition_free(&part);
}

int main(int argc, char **argv)
{
	char path[256];

	build_dir = argc > 1 ? argv[1] : "build";
	snprintf(path, sizeof(path), "%s/unit/partitions/good.dtb", build_dir);
	good = unit_read_file(path, &good_size);
	make_images();

	test_good();
	test_board_partitions();
	test_cpu_errors();
	test_memory_errors();
	test_image_errors();
	test_device_errors();
	test_passthrough_errors();
	test_passthrough_irq_errors();
	test_passthrough_guest_spi();
	test_structure_errors();
	test_long_paths();
	test_hostile_structure();
	test_host_critical();
	test_dma();
	test_no_host_device();
	test_update_props();
	test_restart_props();
	test_watchdog_props();
	test_unused_guests_untouched();

	free(good);
	snprintf(path, sizeof(path), "rm -rf %s", image_dir);
	if (system(path))
		return 2;
	return unit_report();
}
