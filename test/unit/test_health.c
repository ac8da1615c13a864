// SPDX-License-Identifier: GPL-2.0-only
/*
 * The health register through the bus, as a guest on trial drives it: one
 * report per boot reaches the monitor, and only the agreed value counts.
 */
#include "driver.h"
#include "unit.h"

#define BASE 0x0a000000ull

static struct bus bus;
static unsigned int reports;

static void report(struct bus *b)
{
	CHECK(b == &bus);
	reports++;
}

static enum bus_status access32(uint64_t offset, uint32_t *v, bool write)
{
	uint8_t data[4];
	enum bus_status st;

	bus_put_le(data, 4, *v);
	st = bus_access(&bus, BASE + offset, data, 4, write);
	*v = bus_get_le(data, 4);
	return st;
}

static uint32_t rd(uint64_t offset)
{
	uint32_t v = 0;

	CHECK(access32(offset, &v, false) == BUS_OK);
	return v;
}

static void wr(uint64_t offset, uint32_t v)
{
	CHECK(access32(offset, &v, true) == BUS_OK);
}

int main(void)
{
	struct partition p = { .source = "test.dtb" };
	struct guest_config g = { .name = "alpha" };
	struct device_config dev = {
		.drv = driver_find("pinvm,health"),
		.base = BASE, .size = 0x1000,
		.path = "/pinvm/alpha/health@a000000",
	};
	struct pinvm_error err = { "" };
	uint8_t byte[1] = { 0 };

	TEST("attach");
	CHECK(dev.drv != NULL);
	CHECK(!dev.drv->attach(&p, &g, &dev, &bus, &err));
	bus.health = report;
	bus.boot_slot = 1;
	bus.boot_attempt = 2;

	TEST("registers");
	CHECK(rd(0x0) == 0);
	CHECK(rd(0x4) == 1);
	CHECK(rd(0x8) == 2);
	CHECK(rd(0xc) == 0);
	TEST("only HEALTH_OK counts");
	wr(0x0, 1);
	wr(0x4, 0x4b4f);
	CHECK(reports == 0 && rd(0x0) == 0);
	wr(0x0, 0x4b4f);
	CHECK(reports == 1 && rd(0x0) == 1);
	TEST("once per boot");
	wr(0x0, 0x4b4f);
	CHECK(reports == 1);
	bus_reset(&bus);
	CHECK(rd(0x0) == 0);
	wr(0x0, 0x4b4f);
	CHECK(reports == 2);
	TEST("32-bit accesses only");
	CHECK(bus_access(&bus, BASE, byte, 1, false) == BUS_BAD_WIDTH);
	TEST("a bus without a monitor hook");
	bus.health = NULL;
	bus_reset(&bus);
	wr(0x0, 0x4b4f);
	CHECK(rd(0x0) == 1);
	bus_release(&bus);
	return unit_report();
}
