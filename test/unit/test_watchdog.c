// SPDX-License-Identifier: GPL-2.0-only
/*
 * The SP805 watchdog model through the bus, on a fake clock: every
 * register's reset value and width, the lock, the counter's two zeros
 * (pre-timeout interrupt, then the bite) to the nanosecond, and the
 * service's deadline and bite as the main loop sees them.
 */
#include "driver.h"
#include "service.h"
#include "unit.h"

#define BASE	0x0a000000ull
#define NS	1000000000ull
#define RATE	24000000ull

static uint64_t fake_now = 1000 * NS;
static struct monitor mon;
static struct bus *bus = &mon.guests[0].bus;
static int irq_sets, irq_level = -1;
static unsigned int irq_intid;

/* The model's clock. */
uint64_t watchdog_now_ns(void);
uint64_t watchdog_now_ns(void)
{
	return fake_now;
}

static void fake_set_irq(void *ctx, unsigned int intid, bool level)
{
	irq_sets++;
	irq_intid = intid;
	irq_level = level;
}

static enum bus_status access(uint64_t offset, uint32_t *v, unsigned int len,
			      bool write)
{
	uint8_t data[8] = { 0 };
	enum bus_status st;

	bus_put_le(data, len, *v);
	st = bus_access(bus, BASE + offset, data, len, write);
	*v = bus_get_le(data, len);
	return st;
}

static uint32_t rd(uint64_t offset)
{
	uint32_t v = 0xdeadbeef;

	CHECK(access(offset, &v, 4, false) == BUS_OK);
	return v;
}

static void wr(uint64_t offset, uint32_t v)
{
	CHECK(access(offset, &v, 4, true) == BUS_OK);
}

static const struct service *watchdog_service(void)
{
	const struct service *sp;

	for_each_service(sp)
		if (!strcmp(sp->name, "watchdog"))
			return sp;
	return NULL;
}

static void test_reset_values(void)
{
	static const uint32_t id[8] = {
		0x05, 0x18, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1
	};
	unsigned int i;
	uint32_t v = 0;

	TEST("reset values (TRM)");
	CHECK(rd(0x000) == 0xffffffff);		/* WdogLoad */
	CHECK(rd(0x004) == 0xffffffff);		/* WdogValue */
	CHECK(rd(0x008) == 0);			/* WdogControl */
	CHECK(rd(0x00c) == 0);			/* WdogIntClr: write-only */
	CHECK(rd(0x010) == 0);			/* WdogRIS */
	CHECK(rd(0x014) == 0);			/* WdogMIS */
	CHECK(rd(0xc00) == 0);			/* WdogLock: open */
	CHECK(rd(0xf00) == 0);			/* WdogITCR */
	CHECK(rd(0xf04) == 0);			/* WdogITOP: write-only */
	CHECK(rd(0x018) == 0 && rd(0x800) == 0 && rd(0xffc + 0) == 0xb1);
	for (i = 0; i < 8; i++)
		CHECK(rd(0xfe0 + 4 * i) == id[i]);

	TEST("widths: 32-bit registers only");
	CHECK(access(0x000, &v, 1, false) == BUS_BAD_WIDTH);
	CHECK(access(0x000, &v, 2, true) == BUS_BAD_WIDTH);
	CHECK(access(0x000, &v, 8, false) == BUS_BAD_WIDTH);
	CHECK(access(0x002, &v, 4, false) == BUS_UNALIGNED);
	CHECK(access(0x1000, &v, 4, false) == BUS_UNMAPPED);
	CHECK(rd(0x000) == 0xffffffff);
}

static void test_lock(void)
{
	TEST("lock: any value but the key closes, writes then ignored");
	wr(0x000, 1000);
	wr(0xc00, 0x1acce550);
	CHECK(rd(0xc00) == 1);
	wr(0x000, 2000);
	wr(0x008, 3);
	wr(0xf00, 1);
	CHECK(rd(0x000) == 1000 && rd(0x008) == 0 && rd(0xf00) == 0);
	wr(0xc00, 0x1acce551);
	CHECK(rd(0xc00) == 0);
	wr(0x000, 2000);
	CHECK(rd(0x000) == 2000);
	TEST("control keeps its two bits; a stopped counter holds its value");
	wr(0x008, 0xfffffffc);
	CHECK(rd(0x008) == 0);
	CHECK(rd(0x004) == 2000);
}

/* load + 1 ticks per zero; the bite at the second with RIS still set. */
static void test_counter(const struct service *svc)
{
	const uint32_t load = 12000000 - 1;	/* 0.5 s: a 1 s timeout */
	const uint64_t half = NS / 2;
	uint64_t t0;

	TEST("counting down at 24 MHz");
	wr(0x000, load);
	wr(0x008, 3);			/* INTEN | RESEN: starts from load */
	t0 = fake_now;
	CHECK(rd(0x004) == load);
	fake_now = t0 + NS / 10;
	CHECK(rd(0x004) == load - 2400000);
	CHECK(svc->timeout_ms(&mon) == 400);
	fake_now = t0 + half - 1;
	CHECK(rd(0x010) == 0);
	CHECK(irq_sets == 0);

	TEST("first zero: the pre-timeout interrupt");
	fake_now = t0 + half;
	svc->poll(&mon);
	CHECK(irq_sets == 1 && irq_level == 1 && irq_intid == 32 + 7);
	CHECK(rd(0x010) == 1 && rd(0x014) == 1);
	CHECK(rd(0x004) == load);
	CHECK(svc->timeout_ms(&mon) == 500);

	TEST("a kick (WdogIntClr) clears it and counts again");
	fake_now = t0 + half + NS / 4;
	wr(0x00c, 0);
	CHECK(irq_level == 0 && rd(0x010) == 0 && rd(0x014) == 0);
	t0 = fake_now;
	CHECK(svc->timeout_ms(&mon) == 500);

	TEST("no bite a nanosecond early");
	fake_now = t0 + 2 * half - 1;
	svc->poll(&mon);
	CHECK(rd(0x010) == 1);
	CHECK(!atomic_load(&mon.guests[0].stop));
	CHECK(svc->timeout_ms(&mon) == 1);

	TEST("the bite at the second zero: the guest is reset");
	fake_now = t0 + 2 * half;
	CHECK(svc->timeout_ms(&mon) == 0);
	svc->poll(&mon);
	CHECK(atomic_load(&mon.guests[0].stop));
	CHECK(atomic_load(&mon.guests[0].reset));
	CHECK(!strcmp(guest_reset_cause(&mon.guests[0]), "watchdog bite"));
	CHECK(svc->timeout_ms(&mon) == -1);
}

static void test_status(const struct service *svc)
{
	char buf[256] = "";
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	TEST("status: kicks, bites, last kick age");
	fake_now += NS / 2;
	svc->status(&mon, f, &mon.guests[0]);
	fclose(f);
	CHECK_CONTAINS(buf, "watchdog guest=alpha kicks=1 bites=1 last-kick-age=1.500\n");
}

static void test_reset_and_resen(const struct service *svc)
{
	uint64_t t0;
	int i;

	TEST("a guest reset: registers back to their reset values");
	bus_reset(bus);
	atomic_store(&mon.guests[0].stop, false);
	atomic_store(&mon.guests[0].reset, false);
	CHECK(rd(0x000) == 0xffffffff && rd(0x008) == 0 && rd(0x010) == 0);
	CHECK(svc->timeout_ms(&mon) == -1);

	TEST("without RESEN the counter goes round, RIS set, never a bite");
	wr(0x000, 23999);		/* 1 ms */
	wr(0x008, 1);
	t0 = fake_now;
	for (i = 1; i <= 10; i++) {
		fake_now = t0 + i * 1000000ull + 500000;
		svc->poll(&mon);
	}
	CHECK(rd(0x010) == 1);
	CHECK(rd(0x004) == 11999);
	CHECK(!atomic_load(&mon.guests[0].stop));
	CHECK(svc->timeout_ms(&mon) == -1);
	TEST("RESEN set then: the bite at the next zero");
	wr(0x008, 3);
	CHECK(svc->timeout_ms(&mon) == 1);
	fake_now = t0 + 11 * 1000000ull;
	svc->poll(&mon);
	CHECK(atomic_load(&mon.guests[0].reset));

	TEST("integration test mode: WdogITOP drives the reset output");
	bus_reset(bus);
	atomic_store(&mon.guests[0].stop, false);
	atomic_store(&mon.guests[0].reset, false);
	wr(0xf04, 1);
	svc->poll(&mon);
	CHECK(!atomic_load(&mon.guests[0].reset));
	wr(0xf00, 1);
	wr(0xf04, 2);
	CHECK(irq_level == 1);
	wr(0xf04, 3);
	svc->poll(&mon);
	CHECK(atomic_load(&mon.guests[0].reset));
	bus_reset(bus);
}

static void test_load_zero(const struct service *svc)
{
	TEST("WdogLoad 0: a zero at once, the bite a tick later");
	atomic_store(&mon.guests[0].stop, false);
	atomic_store(&mon.guests[0].reset, false);
	wr(0x000, 0);
	wr(0x008, 3);
	fake_now += 42;
	CHECK(rd(0x010) == 1);
	fake_now += 42;
	svc->poll(&mon);
	CHECK(atomic_load(&mon.guests[0].reset));
	bus_reset(bus);
}

static void test_check(void)
{
	const struct driver *drv = driver_find("pinvm,watchdog");
	struct partition p = { .source = "test.dtb" };
	struct guest_config g = { .name = "alpha" };
	struct device_config dev = {
		.drv = drv, .base = BASE, .size = 0x800,
		.path = "/pinvm/alpha/watchdog@a000000",
	};
	struct pinvm_error err = { "" };
	char fdt[4096];
	int node;

	fdt_create_empty_tree(fdt, sizeof(fdt));
	node = fdt_add_subnode(fdt, 0, "watchdog@a000000");
	p.fdt = fdt;
	dev.node = node;
	CHECK(!device_config_alloc(&dev, &err));
	TEST("check: region too small");
	CHECK(drv->check(&p, &g, &dev, &err) == -1);
	CHECK_CONTAINS(err.msg, "/pinvm/alpha/watchdog@a000000: reg: an SP805 watchdog needs 0x1000 bytes, not 0x800");
	dev.size = 0x1000;
	TEST("check: timeout the registers cannot express");
	fdt_setprop_u32(fdt, node, "timeout-sec", 358);
	CHECK(drv->check(&p, &g, &dev, &err) == -1);
	CHECK_CONTAINS(err.msg, "watchdog@a000000: timeout-sec: must be one cell, 1 to 357");
	fdt_setprop_u32(fdt, node, "timeout-sec", 0);
	CHECK(drv->check(&p, &g, &dev, &err) == -1);
	fdt_setprop_u32(fdt, node, "timeout-sec", 357);
	CHECK(drv->check(&p, &g, &dev, &err) == 0);
	TEST("check: action");
	fdt_setprop_string(fdt, node, "action", "reboot");
	CHECK(drv->check(&p, &g, &dev, &err) == -1);
	CHECK_CONTAINS(err.msg, "watchdog@a000000: action: must be \"restart\" or \"stop\"");
	fdt_setprop_string(fdt, node, "action", "stop");
	CHECK(drv->check(&p, &g, &dev, &err) == 0);
	device_config_free(&dev);
}

int main(void)
{
	static struct guest_config g = { .name = "alpha" };
	struct partition p = { .source = "test.dtb" };
	struct device_config dev = {
		.drv = driver_find("pinvm,watchdog"),
		.base = BASE, .size = 0x1000, .nr_irqs = 1, .irqs = { 32 + 7 },
		.path = "/pinvm/alpha/watchdog@a000000",
	};
	struct guest_links links = { { NULL } };
	struct pinvm_error err = { "" };
	const struct service *svc = watchdog_service();

	TEST("attach");
	CHECK(dev.drv != NULL && svc != NULL);
	if (!dev.drv || !svc)
		return unit_report();
	CHECK(!device_config_alloc(&dev, &err));
	mon.part.nr_guests = 1;
	mon.guests[0].cfg = &g;
	atomic_store(&mon.guests[0].state, GUEST_RUNNING);
	bus_init(bus);
	bus_attach_irqs(bus, fake_set_irq, NULL);
	CHECK(!dev.drv->attach(&p, &g, &dev, bus, &links, &err));
	CHECK(svc->timeout_ms(&mon) == -1);

	test_reset_values();
	test_lock();
	test_counter(svc);
	test_status(svc);
	test_reset_and_resen(svc);
	test_load_zero(svc);
	test_check();
	bus_release(bus);
	device_config_free(&dev);
	return unit_report();
}
