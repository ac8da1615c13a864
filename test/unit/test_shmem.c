// SPDX-License-Identifier: GPL-2.0-only
/*
 * Shared-memory links (drivers/shmem.c): the partition checks, each bad
 * link one message naming node and property, on partitions/shmem.dts with
 * one thing changed; then both sides attached to two buses as guest_create
 * does, driven through the bus as the guests would: one set of pages,
 * state and doorbell eventfds, a restart and an end.
 */
#include <libfdt.h>
#include <poll.h>
#include <unistd.h>

#include "bus.h"
#include "driver.h"
#include "partition.h"
#include "unit.h"
#include "unit_partition.h"

#define ALPHA	"/pinvm/alpha/link@50000000"
#define BETA	"/pinvm/beta/link@60000000"

static char image_dir[] = "/tmp/pinvm-unit-shmem-XXXXXX";
static void *good;
static struct partition part;

static int node(void *fdt, const char *path)
{
	return unit_node(fdt, path);
}

static void set_reg(void *fdt, const char *path, uint64_t base,
		    uint64_t size)
{
	fdt64_t reg[2] = { cpu_to_fdt64(base), cpu_to_fdt64(size) };

	fdt_setprop(fdt, node(fdt, path), "reg", reg, sizeof(reg));
}

static uint32_t phandle(void *fdt, const char *path)
{
	return fdt_get_phandle(fdt, node(fdt, path));
}

/* A link node under guest, to the guest at peer. */
static void add_link(void *fdt, const char *guest, const char *name,
		     uint64_t base, uint32_t spi, const char *peer)
{
	fdt32_t irq[3] = { 0, cpu_to_fdt32(spi), cpu_to_fdt32(1) };
	uint32_t ph = phandle(fdt, peer);
	int n;

	if (!ph) {
		ph = 0x100 + node(fdt, peer);
		fdt_setprop_u32(fdt, node(fdt, peer), "phandle", ph);
	}
	n = fdt_add_subnode(fdt, node(fdt, guest), name);
	fdt_setprop_string(fdt, n, "compatible", "pinvm,shmem");
	fdt_setprop_u64(fdt, n, "reg", base);
	fdt_appendprop_u64(fdt, n, "reg", 0x11000);
	fdt_setprop_u32(fdt, n, "peer", ph);
	fdt_setprop(fdt, n, "interrupts", irq, sizeof(irq));
}

static void expect_error(const char *name, void *fdt, const char *needle1,
			 const char *needle2)
{
	unit_expect_refused(&part, image_dir, name, fdt, needle1, needle2);
}

static void test_errors(void)
{
	void *fdt;

	fdt = unit_fdt_copy(good);
	fdt_setprop_u32(fdt, node(fdt, ALPHA), "peer", 0x4242);
	expect_error("peer not a guest", fdt, "test.dtb: " ALPHA ": peer: <0x4242> is not a guest", NULL);

	fdt = unit_fdt_copy(good);
	fdt_setprop_u32(fdt, node(fdt, "/pinvm/alpha/console@9000000"), "phandle", 0x77);
	fdt_setprop_u32(fdt, node(fdt, ALPHA), "peer", 0x77);
	expect_error("peer a device node", fdt, ALPHA ": peer: <0x77> is not a guest", NULL);

	fdt = unit_fdt_copy(good);
	fdt_setprop_u32(fdt, node(fdt, ALPHA), "peer", phandle(fdt, "/pinvm/alpha"));
	expect_error("a guest linked to itself", fdt, ALPHA ": peer: a guest cannot be linked to itself", NULL);

	fdt = unit_fdt_copy(good);
	fdt_delprop(fdt, node(fdt, ALPHA), "peer");
	expect_error("peer missing", fdt, ALPHA ": peer: missing", NULL);

	fdt = unit_fdt_copy(good);
	fdt_setprop_u32(fdt, node(fdt, "/pinvm/gamma"), "phandle", 0x99);
	fdt_setprop_u32(fdt, node(fdt, ALPHA), "peer", 0x99);
	expect_error("peer without the other half", fdt, ALPHA ": peer: /pinvm/gamma has no pinvm,shmem node whose peer is /pinvm/alpha", NULL);

	fdt = unit_fdt_copy(good);
	set_reg(fdt, ALPHA, 0x50000800, 0x11000);
	expect_error("base not page aligned", fdt, ALPHA ": reg: 0x50000800+0x11000 must be page aligned", NULL);

	fdt = unit_fdt_copy(good);
	set_reg(fdt, ALPHA, 0x50000000, 0x10800);
	expect_error("size not page aligned", fdt, ALPHA ": reg: 0x50000000+0x10800 must be page aligned", NULL);

	fdt = unit_fdt_copy(good);
	set_reg(fdt, ALPHA, 0x50000000, 0x1000);
	expect_error("no window", fdt, ALPHA ": reg: 0x50000000+0x1000", "a window of at least one page");

	fdt = unit_fdt_copy(good);
	set_reg(fdt, BETA, 0x60000000, 0x21000);
	expect_error("sizes differ", fdt, ALPHA ": reg: 0x11000 bytes", BETA "'s reg is 0x21000");

	fdt = unit_fdt_copy(good);
	set_reg(fdt, ALPHA, 0x40100000, 0x11000);
	expect_error("over the guest's RAM", fdt, ALPHA ": reg: 0x40100000+0x11000 overlaps the guest's memory", NULL);

	fdt = unit_fdt_copy(good);
	set_reg(fdt, ALPHA, 0x09000000, 0x11000);
	expect_error("over a device", fdt, ALPHA ": reg: 0x9000000+0x11000 overlaps /pinvm/alpha/console@9000000", NULL);

	fdt = unit_fdt_copy(good);
	fdt_delprop(fdt, node(fdt, ALPHA), "interrupts");
	expect_error("no SPI", fdt, ALPHA ": interrupts: missing", NULL);

	fdt = unit_fdt_copy(good);
	fdt_setprop(fdt, node(fdt, ALPHA), "read-only", NULL, 0);
	expect_error("read-only on both sides", fdt, ALPHA ": read-only: " BETA " is read-only too", NULL);

	fdt = unit_fdt_copy(good);
	add_link(fdt, "/pinvm/alpha", "link@50008000", 0x50008000, 42, "/pinvm/beta");
	expect_error("two links between the same guests", fdt, ALPHA ": peer: /pinvm/alpha/link@50008000 links this guest to the same peer already", NULL);

	fdt = unit_fdt_copy(good);
	add_link(fdt, "/pinvm/alpha", "link@50008000", 0x50008000, 42, "/pinvm/gamma");
	add_link(fdt, "/pinvm/gamma", "link@50000000", 0x50000000, 42, "/pinvm/alpha");
	expect_error("a link over another", fdt, ALPHA ": reg: 0x50000000+0x11000 overlaps /pinvm/alpha/link@50008000", NULL);
}

static struct bus bus[2];

static uint32_t rd(unsigned int side, uint64_t addr)
{
	uint8_t data[4] = { 0 };

	CHECK(bus_access(&bus[side], addr, data, 4, false) == BUS_OK);
	return bus_get_le(data, 4);
}

static enum bus_status wr(unsigned int side, uint64_t addr, uint32_t v)
{
	uint8_t data[4];

	bus_put_le(data, 4, v);
	return bus_access(&bus[side], addr, data, 4, true);
}

/* Kicks waiting on side's doorbell eventfd, read (and so cleared). */
static uint64_t kicks(unsigned int side)
{
	struct pollfd pfd = { .fd = bus[side].regions[0].irqs[0].trigger_fd,
			      .events = POLLIN };
	uint64_t n = 0;

	if (poll(&pfd, 1, 0) == 1 && read(pfd.fd, &n, sizeof(n)) != sizeof(n))
		n = 0;
	return n;
}

static void test_runtime(void)
{
	struct pinvm_error err = { "" };
	struct guest_links links = { { NULL } };
	const struct guest_config *a, *b;
	const struct device_config *da, *db;
	struct region *ra, *wa, *rb, *wb;
	void *fdt = unit_fdt_copy(good);

	TEST("good partition with a link");
	CHECK(partition_parse(&part, fdt, "test.dtb", image_dir, &err) == 0);
	if (err.msg[0]) {
		fprintf(stderr, "  %s\n", err.msg);
		free(fdt);
		return;
	}
	a = &part.guests[0];
	b = &part.guests[1];
	da = &a->devices[1];
	db = &b->devices[0];
	CHECK(da->drv == driver_find("pinvm,shmem") && da->nr_irqs == 1);

	TEST("both sides attached: one set of pages");
	CHECK(!da->drv->attach(&part, a, da, &bus[0], &links, &err));
	CHECK(!db->drv->attach(&part, b, db, &bus[1], &links, &err));
	CHECK(bus[0].nr_regions == 2 && bus[1].nr_regions == 2);
	ra = &bus[0].regions[0];
	wa = &bus[0].regions[1];
	rb = &bus[1].regions[0];
	wb = &bus[1].regions[1];
	CHECK(ra->base == 0x50000000 && ra->size == 0x1000);
	CHECK(wa->base == 0x50001000 && wa->size == 0x10000);
	CHECK(wb->base == 0x60001000 && wb->direct == wa->direct);
	CHECK(ra->direct_readonly && rb->direct_readonly);
	CHECK(!wa->direct_readonly && wb->direct_readonly);
	CHECK(ra->direct != rb->direct);

	TEST("the register page");
	CHECK(rd(0, 0x50000000) == 0 && rd(1, 0x60000000) == 1);
	CHECK(rd(0, 0x5000000c) == 0x10000 && rd(1, 0x6000000c) == 0x10000);
	CHECK(rd(0, 0x50000010) == 0 && rd(1, 0x60000010) == 1);
	CHECK(rd(0, 0x50000004) == 0 && rd(1, 0x60000004) == 0);

	TEST("doorbells: the kernel's, crossed");
	CHECK(ra->nr_ioeventfds == 1 && ra->ioeventfds[0].offset == 0x40);
	CHECK(ra->ioeventfds[0].datamatch == 1 && rb->ioeventfds[0].datamatch == 0);
	CHECK(ra->ioeventfds[0].fd == rb->irqs[0].trigger_fd);
	CHECK(rb->ioeventfds[0].fd == ra->irqs[0].trigger_fd);
	CHECK(ra->irqs[0].spi == 40 && rb->irqs[0].spi == 41 && !ra->irqs[0].level);

	TEST("state: the peer sees it, and is kicked");
	CHECK(wr(0, 0x50000044, 1) == BUS_OK);
	CHECK(rd(1, 0x60000004) == 1 && rd(1, 0x60000008) == 1);
	CHECK(kicks(1) == 1 && kicks(0) == 0);
	CHECK(wr(1, 0x60000044, 1) == BUS_OK);
	CHECK(rd(0, 0x50000004) == 1 && kicks(0) == 1);
	TEST("saying up again changes nothing");
	CHECK(wr(1, 0x60000044, 1) == BUS_OK);
	CHECK(rd(0, 0x50000008) == 1 && kicks(0) == 0);

	TEST("relayed doorbell, and a stray one ignored");
	CHECK(wr(0, 0x50000048, 1) == BUS_OK && kicks(1) == 1);
	CHECK(wr(0, 0x50000048, 0) == BUS_OK && kicks(1) == 0);
	CHECK(wr(0, 0x50000040, 7) == BUS_OK && kicks(1) == 0);

	TEST("a read-only window refuses a write");
	CHECK(wr(1, 0x60001000, 1) == BUS_DEVICE_FAULT);

	TEST("a restart: down for the peer, its stale doorbell dropped");
	((uint8_t *)wa->direct)[5] = 0x5a;
	CHECK(wr(1, 0x60000048, 0) == BUS_OK);
	bus_reset(&bus[0]);
	CHECK(rd(1, 0x60000004) == 0 && kicks(1) == 1 && kicks(0) == 0);
	CHECK(((uint8_t *)wa->direct)[5] == 0x5a);
	CHECK(wr(0, 0x50000044, 1) == BUS_OK);
	CHECK(rd(1, 0x60000004) == 1 && rd(1, 0x60000008) == 2);

	TEST("zero-on-restart: beta's restart zeroes the window");
	bus_reset(&bus[1]);
	CHECK(((uint8_t *)wa->direct)[5] == 0 && rd(0, 0x50000004) == 0);

	TEST("an end: the survivor keeps its pages");
	CHECK(wr(1, 0x60000044, 1) == BUS_OK && rd(0, 0x50000004) == 1);
	kicks(0);
	bus_release(&bus[1]);
	CHECK(rd(0, 0x50000004) == 0 && kicks(0) == 1);
	((volatile uint8_t *)wa->direct)[0x10000 - 1] = 1;
	bus_release(&bus[0]);
	partition_free(&part);
	free(fdt);
}

int main(int argc, char **argv)
{
	const char *build_dir = argc > 1 ? argv[1] : "build";
	char path[256];
	size_t n;
	void *img;

	snprintf(path, sizeof(path), "%s/unit/partitions/shmem.dtb", build_dir);
	good = unit_read_file(path, &n);
	if (!mkdtemp(image_dir))
		return 2;
	snprintf(path, sizeof(path), "%s/guests/ticker.bin", build_dir);
	img = unit_read_file(path, &n);
	unit_write_file(image_dir, "ticker.bin", img, n);
	free(img);

	test_errors();
	test_runtime();

	free(good);
	snprintf(path, sizeof(path), "rm -rf %s", image_dir);
	if (system(path))
		return 2;
	return unit_report();
}
