// SPDX-License-Identifier: GPL-2.0-only
/*
 * The health register through the bus, as a guest on trial drives it: one
 * report per boot reaches the monitor, and only the agreed value counts.
 */
#include <signal.h>

#include "driver.h"
#include "service.h"
#include "unit.h"
#include "update.h"

#define BASE 0x0a000000ull

static struct bus bus;
static volatile sig_atomic_t reports;

/* The monitor's end of the link: a report wakes it with SIGUSR2. */
static void report(int sig)
{
	reports++;
}

/* Field update, as far as its health register sees it: its name. */
static const struct service fake_update = { .name = UPDATE_SERVICE };
DEFINE_SERVICE(fake_update);

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
	struct guest_links links = { { NULL } };
	struct update_link link = { .main = pthread_self() };
	struct bus other = { 0 };
	uint8_t byte[1] = { 0 };

	signal(SIGUSR2, report);
	TEST("a guest field update does not serve: no health register");
	CHECK(dev.drv != NULL);
	CHECK(dev.drv->attach(&p, &g, &dev, &other, &links, &err) == -1);
	CHECK_CONTAINS(err.msg, "the field-update service does not serve this guest");
	CHECK(other.nr_regions == 0);

	TEST("attach");
	atomic_store(&link.slot, 1);
	atomic_store(&link.attempt, 2);
	guest_set_link(&links, &fake_update, &link);
	CHECK(!dev.drv->attach(&p, &g, &dev, &bus, &links, &err));

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
	CHECK(reports == 1 && rd(0x0) == 1 && atomic_load(&link.healthy));
	TEST("once per boot");
	wr(0x0, 0x4b4f);
	CHECK(reports == 1);
	bus_reset(&bus);
	CHECK(rd(0x0) == 0);
	wr(0x0, 0x4b4f);
	CHECK(reports == 2);
	TEST("32-bit accesses only");
	CHECK(bus_access(&bus, BASE, byte, 1, false) == BUS_BAD_WIDTH);
	TEST("the monitor zeroes the attempt at commit");
	atomic_store(&link.attempt, 0);
	CHECK(rd(0x8) == 0);
	bus_release(&bus);
	return unit_report();
}
