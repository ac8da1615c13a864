// SPDX-License-Identifier: GPL-2.0-only
/*
 * The virtual PL061 against a fake line backend, as the PL061 TRM
 * (DDI 0190) describes the registers: address-masked GPIODATA, GPIODIR,
 * the interrupt registers, the ID registers; and the partition's gpio
 * nodes, validated.
 */
#include <libfdt.h>

#include "driver.h"
#include "gpio/gpio.h"
#include "unit.h"

#define BASE	0x09030000ull

static const char *build_dir;
static struct partition part;
static struct bus bus;
/* The fake host chip: the value of each of its lines, by offset. */
static int host_line[GPIO_LINES];
static int irq_level = -1;
static unsigned int irq_intid;

static int fake_request(struct gpio_line *l, enum gpio_mode mode, int value,
			struct pinvm_error *err)
{
	if (mode == GPIO_OUT)
		host_line[l->offset] = value;
	return 0;
}

static void fake_release(struct gpio_line *l) { }
static int fake_get(struct gpio_line *l) { return host_line[l->offset]; }
static int fake_set(struct gpio_line *l, int v) { host_line[l->offset] = v; return 0; }
static int fake_event_fd(struct gpio_line *l) { return -1; }
static int fake_event(struct gpio_line *l) { return -1; }

static const struct gpio_backend fake = {
	.request = fake_request,
	.release = fake_release,
	.get = fake_get,
	.set = fake_set,
	.event_fd = fake_event_fd,
	.event = fake_event,
};

static void fake_set_irq(struct bus *b, unsigned int intid, bool level)
{
	irq_intid = intid;
	irq_level = level;
}

static uint32_t rd(uint64_t offset)
{
	uint8_t data[4] = { 0 };

	CHECK(bus_access(&bus, BASE + offset, data, 4, false) == BUS_OK);
	return bus_get_le(data, 4);
}

static void wr(uint64_t offset, uint32_t v)
{
	uint8_t data[4];

	bus_put_le(data, 4, v);
	CHECK(bus_access(&bus, BASE + offset, data, 4, true) == BUS_OK);
}

static struct pl061 *ctl(void)
{
	return bus.regions[0].priv;
}

/* The host line behind guest line i. */
static int *host(unsigned int i)
{
	return &host_line[ctl()->lines[i].offset];
}

static void test_reset_state(void)
{
	struct pl061 *c = ctl();

	TEST("partition's initial state");
	CHECK(rd(0x400) == 0x01);			/* line 0 out */
	CHECK(c->lines[0].mode == GPIO_OUT && *host(0) == 1);
	CHECK(c->lines[1].mode == GPIO_IN && c->lines[2].mode == GPIO_IN);
	CHECK(!strcmp(c->lines[0].consumer, "g1-led"));
	CHECK(!strcmp(c->lines[2].consumer, "g1-2"));
	CHECK(!strcmp(c->lines[1].chip_name, "9030000.pl061"));
	CHECK(c->lines[1].offset == 1 && c->lines[2].offset == 3);
	CHECK(c->lines[1].flags != 0);			/* active-low, pull-up */
	CHECK(!c->lines[3].mapped);
}

static void test_data(void)
{
	struct pl061 *c = ctl();

	TEST("address-masked GPIODATA");
	*host(1) = 1;
	CHECK(rd(0x3fc) == 0x03);		/* out 1, in 1 */
	CHECK(rd(0x008) == 0x02);		/* mask: line 1 only */
	CHECK(rd(0x004) == 0x01);		/* mask: line 0 only */
	wr(0x008, 0x00);			/* line 1 is an input: no effect */
	CHECK(*host(1) == 1);
	wr(0x3fc & ~0x004, 0x00);		/* every line but 0 */
	CHECK(*host(0) == 1);
	wr(0x004, 0x00);			/* line 0 only */
	CHECK(*host(0) == 0);
	wr(0x3fc, 0xff);
	CHECK(*host(0) == 1);

	TEST("GPIODIR re-requests lines");
	wr(0x400, 0x03);
	CHECK(c->lines[1].mode == GPIO_OUT);
	wr(0x008, 0x02);
	CHECK(*host(1) == 1 && rd(0x008) == 0x02);
	wr(0x400, 0x01);
	CHECK(c->lines[1].mode == GPIO_IN);

	TEST("unmapped lines read as zero");
	wr(0x400, 0x81);
	wr(0x200, 0x80);
	CHECK(rd(0x200) == 0x00);
	wr(0x400, 0x01);
}

static void test_interrupts(void)
{
	struct pl061 *c = ctl();

	TEST("edge interrupts");
	wr(0x40c, 0x04);			/* IEV: line 2 rising */
	wr(0x410, 0x04);			/* IE */
	CHECK(c->lines[2].mode == GPIO_EVENTS);
	CHECK(irq_level != 1);
	pl061_edge(c, 2, false);		/* falling: not ours */
	CHECK(rd(0x414) == 0 && irq_level != 1);
	pl061_edge(c, 2, true);
	CHECK(rd(0x414) == 0x04 && rd(0x418) == 0x04);
	CHECK(irq_level == 1 && irq_intid == 32 + 7);
	wr(0x41c, 0x04);			/* GPIOIC */
	CHECK(rd(0x414) == 0 && irq_level == 0);
	wr(0x408, 0x04);			/* IBE: both edges */
	pl061_edge(c, 2, false);
	CHECK(rd(0x414) == 0x04 && irq_level == 1);
	wr(0x410, 0x00);			/* masked: RIS stays, MIS not */
	CHECK(rd(0x414) == 0x04 && rd(0x418) == 0 && irq_level == 0);
	wr(0x41c, 0xff);
	wr(0x408, 0x00);

	TEST("level interrupts");
	wr(0x404, 0x04);			/* IS: level */
	wr(0x40c, 0x04);			/* high */
	wr(0x410, 0x04);
	*host(2) = 1;
	CHECK(rd(0x414) == 0x04);
	wr(0x41c, 0x04);			/* IC cannot clear a level */
	CHECK(rd(0x414) == 0x04 && irq_level == 1);
	*host(2) = 0;
	CHECK(rd(0x418) == 0);
	wr(0x410, 0x00);
	CHECK(irq_level == 0);
}

static void test_registers(void)
{
	TEST("ID and reserved registers");
	CHECK(rd(0xfe0) == 0x61 && rd(0xfe4) == 0x10 && rd(0xfe8) == 0x04);
	CHECK(rd(0xff0) == 0x0d && rd(0xffc) == 0xb1);
	wr(0x424, 0xff);
	CHECK(rd(0x424) == 0);
	CHECK(rd(0x800) == 0);
	wr(0x420, 0x3);				/* AFSEL is kept */
	CHECK(rd(0x420) == 0x3);
}

static void test_reset_again(void)
{
	TEST("reset re-applies the partition");
	wr(0x400, 0x07);
	wr(0x3fc, 0x00);
	bus_reset(&bus);
	CHECK(rd(0x400) == 0x01 && *host(0) == 1);
	CHECK(rd(0x410) == 0);
}

static void expect_error(const char *what, const char *path, const char *prop,
			 uint32_t v, const char *needle)
{
	struct pinvm_error err = { "" };
	char file[256], guests[256];
	void *fdt;

	snprintf(file, sizeof(file), "%s/unit/partitions/gpio.dtb", build_dir);
	snprintf(guests, sizeof(guests), "%s/guests", build_dir);
	fdt = unit_read_fdt(file);
	fdt_setprop_u32(fdt, fdt_path_offset(fdt, path), prop, v);
	TEST(what);
	CHECK(partition_parse(&part, fdt, "gpio.dtb", guests, &err) == -1);
	CHECK(part.nr_guests == 0);
	CHECK_CONTAINS(err.msg, needle);
	free(fdt);
}

int main(int argc, char **argv)
{
	struct pinvm_error err = { "" };
	char file[256], guests[256];
	size_t n;
	void *blob;

	build_dir = argc > 1 ? argv[1] : "build";
	gpio_set_backend(&fake);
	snprintf(file, sizeof(file), "%s/unit/partitions/gpio.dtb", build_dir);
	snprintf(guests, sizeof(guests), "%s/guests", build_dir);
	blob = unit_read_file(file, &n);
	TEST("gpio partition");
	CHECK(partition_parse(&part, blob, "gpio.dtb", guests, &err) == 0);
	if (err.msg[0])
		fprintf(stderr, "  %s\n", err.msg);
	bus.set_irq = fake_set_irq;
	CHECK(part.guests[0].devices[0].drv->attach(&part, &part.guests[0],
		&part.guests[0].devices[0], &bus, NULL, &err) == 0);
	test_reset_state();
	test_data();
	test_interrupts();
	test_registers();
	test_reset_again();
	bus_release(&bus);
	partition_free(&part);
	free(blob);

	expect_error("a host line given twice", "/pinvm/g2/gpio@9030000/line@0",
		     "line", 1,
		     "/pinvm/g2/gpio@9030000/line@0: line: chip \"9030000.pl061\" line 1 is already given to /pinvm/g1/gpio@9030000/line@1");
	expect_error("guest line out of range", "/pinvm/g2/gpio@9030000/line@0",
		     "reg", 9, "needs reg (the guest's line, 0-7)");
	return unit_report();
}
