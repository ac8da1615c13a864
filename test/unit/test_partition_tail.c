// SPDX-License-Identifier: GPL-2.0-only
/*
 * Partition blobs with a malformed property: a string without its
 * terminating NUL, or a cell property with fewer than 4 bytes. dtc never
 * writes these, but a blob given with --partition can hold them, and
 * fdt_check_header() does not look inside properties. The blob is laid out
 * header, reservations, strings, structure, in a buffer of exactly its
 * size, with the bad property last:
 *
 * - cut: the blob ends where the bad value ends. Each of these read past
 *   the blob (ASan) before partition_parse() checked the structure; now
 *   the blob is refused as a whole.
 * - whole: the structure closes after the value; the property itself is
 *   refused, by name.
 */
#include <unistd.h>

#include "guest_fdt.h"
#include "partition.h"
#include "unit.h"

enum tail {
	TAIL_DEVICE_TYPE,	/* /cpus/cpu@1 device_type = "cpu" unterminated */
	TAIL_COMPATIBLE,	/* a guest device's compatible, unterminated */
	TAIL_IMAGE_FORMAT,	/* a guest's image-format, unterminated */
	TAIL_PASSTHROUGH_MODE,	/* a passthrough's mode, unterminated */
	TAIL_GPIO_VALUE,	/* a gpio line's value, empty */
	TAIL_GPIO_REG,		/* a gpio line's reg, empty */
	TAIL_CLOCK_CELLS,	/* a clock provider's #clock-cells, empty */
	PERCENT_NAME,		/* a passed-through board node named "uart%s..." */
	LOOPING_DTB,		/* a Linux guest whose own dtb loops */
};

static void *blob;
static char image_dir[] = "/tmp/pinvm-unit-XXXXXX";
static const char *tail_node, *tail_prop;

#define OK(x)	do { if ((x) < 0) { fprintf(stderr, "fdt: %s\n", #x); exit(2); } } while (0)

static void prop_u32(void *fdt, const char *name, uint32_t v)
{
	OK(fdt_property_u32(fdt, name, v));
}

static void cells(void *fdt, const char *name, const uint32_t *v, int n)
{
	fdt32_t c[16];
	int i;

	for (i = 0; i < n; i++)
		c[i] = cpu_to_fdt32(v[i]);
	OK(fdt_property(fdt, name, c, n * 4));
}

/* Name and value of the bad property, written last in its node. */
static void bad(void *fdt, const char *node, const char *name,
		const char *value)
{
	tail_node = node;
	tail_prop = name;
	OK(fdt_property(fdt, name, value, strlen(value)));
}

/* The board's cores; the rest of the tree is cut off after the bad value. */
static void cpus(void *fdt, enum tail t)
{
	OK(fdt_begin_node(fdt, "cpus"));
	prop_u32(fdt, "#address-cells", 1);
	prop_u32(fdt, "#size-cells", 0);
	OK(fdt_begin_node(fdt, "cpu@0"));
	OK(fdt_property_string(fdt, "device_type", "cpu"));
	OK(fdt_end_node(fdt));
	if (t == TAIL_DEVICE_TYPE) {
		OK(fdt_begin_node(fdt, "cpu@1"));
		bad(fdt, "/cpus/cpu@1", "device_type", "cpu");
		OK(fdt_end_node(fdt));
	}
	OK(fdt_end_node(fdt));
}

static void build(void *fdt, enum tail t)
{
	static const uint32_t gic[] = {
		0, 0x08000000, 0, 0x10000, 0, 0x080a0000, 0, 0xf60000,
	};
	/* 4 MiB: room for a Linux guest's kernel and its tree. */
	static const uint32_t ram[] = { 0, 0x40000000, 0, 0x400000 };
	static const uint32_t dev[] = { 0, 0x09000000, 0, 0x1000 };
	static const uint32_t uart[] = { 0, 0x09040000, 0, 0x1000 };
	static const uint32_t timer[] = {
		1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4,
	};

	OK(fdt_create(fdt, 8192));
	OK(fdt_finish_reservemap(fdt));
	OK(fdt_begin_node(fdt, ""));
	prop_u32(fdt, "#address-cells", 2);
	prop_u32(fdt, "#size-cells", 2);
	if (t != TAIL_DEVICE_TYPE)
		cpus(fdt, t);
	OK(fdt_begin_node(fdt, "intc"));
	OK(fdt_property_string(fdt, "compatible",
			       IS_ENABLED(CONFIG_VGIC_V3) ? "arm,gic-v3" : "arm,gic-400"));
	cells(fdt, "reg", gic, 8);
	OK(fdt_end_node(fdt));
	OK(fdt_begin_node(fdt, "timer"));
	OK(fdt_property_string(fdt, "compatible", "arm,armv8-timer"));
	cells(fdt, "interrupts", timer, 12);
	OK(fdt_end_node(fdt));
	OK(fdt_begin_node(fdt, t == PERCENT_NAME ? "uart%s%s%s%s%s%s" : "uart"));
	cells(fdt, "reg", uart, 4);
	prop_u32(fdt, "phandle", 2);
	if (t == TAIL_CLOCK_CELLS)
		prop_u32(fdt, "clocks", 1);
	OK(fdt_end_node(fdt));
	OK(fdt_begin_node(fdt, "pinvm"));
	OK(fdt_property_string(fdt, "compatible", "pinvm,partition"));
	OK(fdt_begin_node(fdt, "g"));
	OK(fdt_property_string(fdt, "compatible", "pinvm,guest"));
	prop_u32(fdt, "#address-cells", 2);
	prop_u32(fdt, "#size-cells", 2);
	prop_u32(fdt, "cpu", 0);
	cells(fdt, "memory", ram, 4);
	OK(fdt_property_string(fdt, "image", t == PERCENT_NAME ||
			       t == LOOPING_DTB ? "Image" : "ticker.bin"));
	if (t == LOOPING_DTB) {
		OK(fdt_property_string(fdt, "image-format", "linux"));
		OK(fdt_property_string(fdt, "dtb", "loop.dtb"));
		tail_node = "/pinvm/g";
		tail_prop = "dtb";
	}
	if (t == TAIL_IMAGE_FORMAT)
		bad(fdt, "/pinvm/g", "image-format", "raw");
	if (t == TAIL_COMPATIBLE || t == TAIL_PASSTHROUGH_MODE ||
	    t == TAIL_GPIO_VALUE || t == TAIL_GPIO_REG ||
	    t == TAIL_CLOCK_CELLS || t == PERCENT_NAME) {
		OK(fdt_property_string(fdt, "image-format",
				       t == PERCENT_NAME ? "linux" : "raw"));
		OK(fdt_begin_node(fdt, "dev@9000000"));
		cells(fdt, "reg", dev, 4);
		if (t == TAIL_COMPATIBLE)
			bad(fdt, "/pinvm/g/dev@9000000", "compatible",
			    "pinvm,console");
		if (t == TAIL_PASSTHROUGH_MODE || t == TAIL_CLOCK_CELLS ||
		    t == PERCENT_NAME) {
			OK(fdt_property_string(fdt, "compatible",
					       "pinvm,passthrough"));
			prop_u32(fdt, "device", 2);
		}
		if (t == TAIL_PASSTHROUGH_MODE)
			bad(fdt, "/pinvm/g/dev@9000000", "mode", "trap");
		if (t == PERCENT_NAME) {
			tail_node = "/pinvm/g/dev@9000000";
			tail_prop = "device";
		}
		if (t == TAIL_GPIO_VALUE || t == TAIL_GPIO_REG) {
			OK(fdt_property_string(fdt, "compatible", "pinvm,gpio"));
			OK(fdt_begin_node(fdt, "line@0"));
			OK(fdt_property_string(fdt, "chip", "gpiochip0"));
			prop_u32(fdt, "line", 3);
			if (t == TAIL_GPIO_VALUE) {
				prop_u32(fdt, "reg", 0);
				bad(fdt, "/pinvm/g/dev@9000000/line@0",
				    "value", "");
			} else {
				bad(fdt, "/pinvm/g/dev@9000000/line@0",
				    "reg", "");
			}
			OK(fdt_end_node(fdt));
		}
		OK(fdt_end_node(fdt));
	}
	OK(fdt_end_node(fdt));
	OK(fdt_end_node(fdt));
	if (t == TAIL_CLOCK_CELLS) {
		OK(fdt_begin_node(fdt, "clk"));
		OK(fdt_property_string(fdt, "compatible", "fixed-clock"));
		prop_u32(fdt, "phandle", 1);
		bad(fdt, "/clk", "#clock-cells", "");
		OK(fdt_end_node(fdt));
	}
	if (t == TAIL_DEVICE_TYPE)
		cpus(fdt, t);
	OK(fdt_end_node(fdt));
	OK(fdt_finish(fdt));
}

/*
 * The tree, rearranged so its structure block comes last and ends with the
 * bad property's value, in a buffer of exactly that size.
 */
static void *tail_blob(enum tail t, bool cut)
{
	static char tree[8192];
	const char *v;
	char *out;
	uint32_t strings, struct_off, struct_size;
	int node, len;

	build(tree, t);
	/* The bad node must be the last in the tree: move what follows. */
	node = fdt_path_offset(tree, tail_node);
	v = node >= 0 ? fdt_getprop(tree, node, tail_prop, &len) : NULL;
	if (!v) {
		fprintf(stderr, "no %s:%s in the test tree\n", tail_node, tail_prop);
		exit(2);
	}
	strings = (sizeof(struct fdt_header) + 16 + fdt_size_dt_strings(tree) + 3) & ~3u;
	struct_off = strings;
	struct_size = cut ? v + len - (tree + fdt_off_dt_struct(tree)) :
			    fdt_size_dt_struct(tree);
	out = calloc(1, struct_off + struct_size);
	memcpy(out, tree, sizeof(struct fdt_header));
	fdt_set_off_mem_rsvmap(out, sizeof(struct fdt_header));
	fdt_set_off_dt_strings(out, sizeof(struct fdt_header) + 16);
	memcpy(out + sizeof(struct fdt_header) + 16,
	       tree + fdt_off_dt_strings(tree), fdt_size_dt_strings(tree));
	fdt_set_off_dt_struct(out, struct_off);
	fdt_set_size_dt_struct(out, struct_size);
	memcpy(out + struct_off, tree + fdt_off_dt_struct(tree), struct_size);
	fdt_set_totalsize(out, struct_off + struct_size);
	if (fdt_check_header(out)) {
		fprintf(stderr, "tail blob: bad header\n");
		exit(2);
	}
	return out;
}

static void expect(const char *name, enum tail t, const char *needle)
{
	struct pinvm_error err = { "" };
	struct partition part;

	TEST(name);
	blob = tail_blob(t, true);
	CHECK(partition_parse(&part, blob, "tail.dtb", image_dir, &err) == -1);
	CHECK_CONTAINS(err.msg, "tail.dtb: not a valid device tree blob");
	free(blob);
	blob = tail_blob(t, false);
	CHECK(partition_parse(&part, blob, "tail.dtb", image_dir, &err) == -1);
	CHECK_CONTAINS(err.msg, "tail.dtb: ");
	CHECK_CONTAINS(err.msg, needle);
	partition_free(&part);
	free(blob);
}

/*
 * A second top-level node after the root's end, as fuzz_partition made
 * one: fdt_get_path() on it stepped back before its buffer (the partition
 * is on the heap here, so ASan sees it).
 */
static void test_second_root(void)
{
	static const uint32_t gic[] = {
		0, 0x08000000, 0, 0x10000, 0, 0x080a0000, 0, 0xf60000,
	};
	struct pinvm_error err = { "" };
	struct partition *part = malloc(sizeof(*part));
	char *fdt = malloc(4096);

	TEST("a second top-level node");
	OK(fdt_create(fdt, 4096));
	OK(fdt_finish_reservemap(fdt));
	OK(fdt_begin_node(fdt, ""));
	cpus(fdt, TAIL_COMPATIBLE);
	OK(fdt_end_node(fdt));
	OK(fdt_begin_node(fdt, "intc"));
	OK(fdt_property_string(fdt, "compatible",
			       IS_ENABLED(CONFIG_VGIC_V3) ? "arm,gic-v3" : "arm,gic-400"));
	cells(fdt, "reg", gic, 8);
	OK(fdt_end_node(fdt));
	OK(fdt_finish(fdt));
	CHECK(fdt_check_header(fdt) == 0);
	CHECK(partition_parse(part, fdt, "root.dtb", image_dir, &err) == -1);
	CHECK_CONTAINS(err.msg, "root.dtb: not a valid device tree blob");
	free(fdt);
	free(part);
}

/*
 * A passed-through board node whose name holds '%': fuzz_partition found
 * passthrough_guest_fdt() using the name as a printf format (SEGV in the
 * Linux loader's dry run). The guest's node takes the name as it is.
 */
static void test_percent_name(void)
{
	struct pinvm_error err = { "" };
	struct partition *part = malloc(sizeof(*part));
	void *fdt = malloc(GUEST_FDT_MAX);
	char *tree;

	TEST("a board node name with printf conversions");
	tree = tail_blob(PERCENT_NAME, false);
	CHECK(partition_parse(part, tree, "pct.dtb", image_dir, &err) == 0);
	if (part->nr_guests == 1) {
		CHECK(guest_fdt_build(part, &part->guests[0], 0, 0, fdt,
				      GUEST_FDT_MAX, &err) == 0);
		CHECK(fdt_path_offset(fdt, "/uart%s%s%s%s%s%s@9000000") >= 0);
	}
	partition_free(part);
	free(tree);
	free(fdt);
	free(part);
}

/*
 * A blob holding a property whose length (0xfffffff4, -12) brings
 * fdt_next_tag() back to the property's own tag.
 */
static char *looping_blob(void)
{
	char *fdt = malloc(4096);
	fdt32_t len = cpu_to_fdt32(0xfffffff4);
	const char *v;

	OK(fdt_create(fdt, 4096));
	OK(fdt_finish_reservemap(fdt));
	OK(fdt_begin_node(fdt, ""));
	prop_u32(fdt, "loop", 0);
	cpus(fdt, TAIL_COMPATIBLE);
	OK(fdt_end_node(fdt));
	OK(fdt_finish(fdt));
	v = fdt_getprop(fdt, 0, "loop", NULL);
	if (!v)
		exit(2);
	/* struct fdt_property: tag, len, nameoff, then the value. */
	memcpy((char *)v - 8, &len, sizeof(len));
	return fdt;
}

/*
 * fuzz_partition's input hung in the structure check. The alarm turns a
 * hang into a failure.
 */
static void test_looping_prop(void)
{
	struct pinvm_error err = { "" };
	struct partition *part = malloc(sizeof(*part));
	char *fdt = looping_blob();

	TEST("a property length that leads back to its own tag");
	alarm(10);
	CHECK(partition_parse(part, fdt, "loop.dtb", image_dir, &err) == -1);
	alarm(0);
	CHECK_CONTAINS(err.msg, "loop.dtb: not a valid device tree blob");
	free(fdt);
	free(part);
}

/*
 * The same blob as a Linux guest's own dtb: the loader's dry run (and
 * pinvm -c, pinvm dtb) walked it for ever before it was checked as the
 * partition is.
 */
static void test_looping_guest_dtb(void)
{
	struct pinvm_error err = { "" };
	struct partition *part = malloc(sizeof(*part));
	char *loop = looping_blob();
	char *tree;

	TEST("a guest's own dtb whose property leads back to its own tag");
	unit_write_file(image_dir, "loop.dtb", loop, fdt_totalsize(loop));
	tree = tail_blob(LOOPING_DTB, false);
	alarm(10);
	CHECK(partition_parse(part, tree, "part.dtb", image_dir, &err) == -1);
	alarm(0);
	CHECK_CONTAINS(err.msg, "part.dtb: /pinvm/g: dtb: ");
	CHECK_CONTAINS(err.msg, "loop.dtb is not a valid device tree blob");
	partition_free(part);
	unit_write_file(image_dir, "loop.dtb", loop, 0);
	free(tree);
	free(loop);
	free(part);
}

/*
 * fuzz_partition's input made fdt_open_into() move a negative length: a
 * guest's own dtb whose blocks overlap (here its strings start inside its
 * structure block), which fdt_check_header() lets through.
 */
static void test_overlapping_guest_dtb(void)
{
	struct pinvm_error err = { "" };
	struct partition *part = malloc(sizeof(*part));
	char *own = looping_blob();
	char *tree;

	TEST("a guest's own dtb whose strings overlap its structure");
	/* Undo the loop: only the layout is at fault here. */
	memcpy((char *)fdt_getprop(own, 0, "loop", NULL) - 8,
	       &(fdt32_t){ cpu_to_fdt32(4) }, sizeof(fdt32_t));
	fdt_set_off_dt_strings(own, fdt_off_dt_struct(own) + 8);
	unit_write_file(image_dir, "loop.dtb", own, fdt_totalsize(own));
	tree = tail_blob(LOOPING_DTB, false);
	CHECK(partition_parse(part, tree, "part.dtb", image_dir, &err) == -1);
	CHECK_CONTAINS(err.msg, "part.dtb: /pinvm/g: dtb: ");
	CHECK_CONTAINS(err.msg, "loop.dtb is not a valid device tree blob");
	CHECK_CONTAINS(err.msg, "FDT_ERR_BADLAYOUT");
	partition_free(part);
	unit_write_file(image_dir, "loop.dtb", own, 0);
	free(tree);
	free(own);
	free(part);
}

int main(int argc, char **argv)
{
	static const uint8_t loop[4] = { 0x00, 0x00, 0x00, 0x14 };
	uint8_t linux_hdr[64];

	if (!mkdtemp(image_dir))
		return 2;
	unit_write_file(image_dir, "ticker.bin", loop, sizeof(loop));
	/* An arm64 Image header: image_size 64 KiB, magic "ARM\x64". */
	memset(linux_hdr, 0, sizeof(linux_hdr));
	linux_hdr[18] = 0x01;
	memcpy(linux_hdr + 56, "ARM\x64", 4);
	unit_write_file(image_dir, "Image", linux_hdr, sizeof(linux_hdr));
	expect("unterminated device_type", TAIL_DEVICE_TYPE,
	       "/cpus/cpu@1: device_type: not a string");
	expect("unterminated device compatible", TAIL_COMPATIBLE,
	       "/pinvm/g/dev@9000000: compatible: not a string");
	expect("unterminated image-format", TAIL_IMAGE_FORMAT,
	       "/pinvm/g: image-format: not a string");
	expect("unterminated passthrough mode", TAIL_PASSTHROUGH_MODE,
	       "/pinvm/g/dev@9000000: mode: not a string");
	if (IS_ENABLED(CONFIG_DRIVER_GPIO)) {
		expect("empty gpio value", TAIL_GPIO_VALUE,
		       "/pinvm/g/dev@9000000/line@0: value: must be one cell");
		expect("empty gpio reg", TAIL_GPIO_REG,
		       "/pinvm/g/dev@9000000/line@0: needs reg");
	}
	expect("empty #clock-cells", TAIL_CLOCK_CELLS,
	       "not a fixed-clock");
	test_second_root();
	test_percent_name();
	test_looping_prop();
	test_looping_guest_dtb();
	test_overlapping_guest_dtb();
	unit_write_file(image_dir, "ticker.bin", loop, 0);
	remove(image_dir);
	return unit_report();
}
