// SPDX-License-Identifier: GPL-2.0-only
/*
 * The MMIO bus against a memory-backed fake device: lookup, every refusal
 * reason, and that an allowed access reaches the device once, at the same
 * offset, with exactly len bytes, unchanged; and that a device's interrupt
 * line never reaches a VM that is being taken away.
 */
#include <pthread.h>
#include <time.h>

#include "bus.h"
#include "mmio.h"
#include "unit.h"

struct fake_device {
	uint8_t mem[0x100];
	unsigned int accesses;
	uint64_t last_offset;
	unsigned int last_len;
};

static bool fake_read(struct region *r, uint64_t offset, uint8_t *data,
		      unsigned int len)
{
	struct fake_device *d = r->priv;

	d->accesses++;
	d->last_offset = offset;
	d->last_len = len;
	memcpy(data, d->mem + offset, len);
	return true;
}

static bool fake_write(struct region *r, uint64_t offset, const uint8_t *data,
		       unsigned int len)
{
	struct fake_device *d = r->priv;

	d->accesses++;
	d->last_offset = offset;
	d->last_len = len;
	memcpy(d->mem + offset, data, len);
	return true;
}

static const struct region_ops fake_ops = {
	.read = fake_read,
	.write = fake_write,
};

static struct bus bus;
static struct fake_device dev_a, dev_b, dev_ro;

static void add(uint64_t base, uint64_t size, struct fake_device *d,
		uint8_t widths, uint8_t dir, bool unaligned, const char *name)
{
	struct region r = {
		.base = base, .size = size, .name = name, .ops = &fake_ops,
		.priv = d, .widths = widths, .dir = dir, .unaligned = unaligned,
	};
	struct pinvm_error err = { "" };

	CHECK(bus_add(&bus, &r, &err) == 0);
}

static void test_table(void)
{
	struct region r = { .base = 0x2080, .size = 0x100, .name = "clash",
			    .ops = &fake_ops };
	struct pinvm_error err = { "" };
	unsigned int i;

	TEST("region table");
	/* Added out of order: the table must come out sorted. */
	add(0x3000, 0x100, &dev_b, BUS_WIDTHS_ALL, BUS_DIR_READ | BUS_DIR_WRITE,
	    true, "b");
	add(0x2000, 0x100, &dev_a, BUS_WIDTH(4) | BUS_WIDTH(8),
	    BUS_DIR_READ | BUS_DIR_WRITE, false, "a");
	add(0x4000, 0x100, &dev_ro, BUS_WIDTHS_ALL, BUS_DIR_READ, false, "ro");
	CHECK(bus.nr_regions == 3);
	for (i = 1; i < bus.nr_regions; i++)
		CHECK(bus.regions[i - 1].base < bus.regions[i].base);
	CHECK(bus_add(&bus, &r, &err) == -1);
	CHECK_CONTAINS(err.msg, "clash: region 0x2080+0x100 overlaps a");
	CHECK(bus.nr_regions == 3);

	CHECK(bus_find(&bus, 0x1fff) == NULL);
	CHECK(bus_find(&bus, 0x2000)->priv == &dev_a);
	CHECK(bus_find(&bus, 0x20ff)->priv == &dev_a);
	CHECK(bus_find(&bus, 0x2100) == NULL);
	CHECK(bus_find(&bus, 0x3050)->priv == &dev_b);
	CHECK(bus_find(&bus, 0x40ff)->priv == &dev_ro);
	CHECK(bus_find(&bus, 0x4100) == NULL);
}

static void test_exact_access(void)
{
	uint8_t data[8] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
	uint8_t back[8] = { 0 };
	unsigned int len;

	TEST("exact access");
	for (len = 1; len <= 8; len <<= 1) {
		memset(dev_b.mem, 0, sizeof(dev_b.mem));
		dev_b.accesses = 0;
		CHECK(bus_access(&bus, 0x3010, data, len, true) == BUS_OK);
		CHECK(dev_b.accesses == 1 && dev_b.last_len == len);
		CHECK(dev_b.last_offset == 0x10);
		/* Bus byte order: the bytes land as they came, no swap. */
		CHECK(memcmp(dev_b.mem + 0x10, data, len) == 0);
		CHECK(dev_b.mem[0x10 + len] == 0);
		CHECK(bus_access(&bus, 0x3010, back, len, false) == BUS_OK);
		CHECK(dev_b.accesses == 2);
		CHECK(memcmp(back, data, len) == 0);
	}
	CHECK(bus.regions[1].writes == 4 && bus.regions[1].reads == 4);
}

static void test_refusals(void)
{
	uint8_t data[8] = { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x11, 0x22 };

	TEST("refusals");
	dev_a.accesses = dev_b.accesses = dev_ro.accesses = 0;
	memset(dev_ro.mem, 0x5a, sizeof(dev_ro.mem));
	CHECK(bus_access(&bus, 0x1000, data, 4, false) == BUS_UNMAPPED);
	CHECK(bus_access(&bus, 0x2100, data, 4, true) == BUS_UNMAPPED);
	CHECK(bus_access(&bus, 0x2000, data, 2, true) == BUS_BAD_WIDTH);
	CHECK(bus_access(&bus, 0x2000, data, 1, false) == BUS_BAD_WIDTH);
	CHECK(bus_access(&bus, 0x3000, data, 3, false) == BUS_BAD_WIDTH);
	CHECK(bus_access(&bus, 0x3000, data, 16, false) == BUS_BAD_WIDTH);
	CHECK(bus_access(&bus, 0x4000, data, 4, true) == BUS_BAD_DIRECTION);
	CHECK(bus_access(&bus, 0x2002, data, 4, false) == BUS_UNALIGNED);
	CHECK(bus_access(&bus, 0x2004, data, 8, true) == BUS_UNALIGNED);
	CHECK(bus_access(&bus, 0x20f8, data, 8, true) == BUS_OK);
	CHECK(bus_access(&bus, 0x30fe, data, 4, true) == BUS_STRADDLE);
	CHECK(bus_access(&bus, 0x3001, data, 4, true) == BUS_OK);
	/* Only the two allowed accesses reached a device. */
	CHECK(dev_a.accesses == 1 && dev_b.accesses == 1);
	CHECK(dev_ro.accesses == 0 && dev_ro.mem[0] == 0x5a);
	CHECK(!strcmp(bus_status_str(BUS_STRADDLE), "straddles the region's end"));
}

static void test_le_helpers(void)
{
	uint8_t data[8];

	TEST("little-endian device helpers");
	bus_put_le(data, 4, 0x11223344);
	CHECK(data[0] == 0x44 && data[3] == 0x11);
	CHECK(bus_get_le(data, 4) == 0x11223344);
	CHECK(bus_get_le(data, 2) == 0x3344);
	bus_put_le(data, 8, 0x0102030405060708ull);
	CHECK(bus_get_le(data, 8) == 0x0102030405060708ull);
}

/* The passthrough accessor (host-native build): one access, bytes as given. */
static void test_mmio_accessors(void)
{
	uint8_t data[8] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08 };
	uint8_t back[8];
	uint64_t reg[2];
	unsigned int len;

	TEST("passthrough accessors");
	for (len = 1; len <= 8; len <<= 1) {
		memset(reg, 0, sizeof(reg));
		CHECK(mmio_write(reg, data, len));
		CHECK(memcmp(reg, data, len) == 0);
		CHECK(((uint8_t *)reg)[len] == 0);
		memset(back, 0, sizeof(back));
		CHECK(mmio_read(reg, back, len));
		CHECK(memcmp(back, data, len) == 0);
	}
}

/*
 * A sink that blocks until told: a GPIO edge's thread held in the middle
 * of KVM_IRQ_LINE while the main thread restarts the guest.
 */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool in_call, release, detached;
	unsigned int calls, intid;
	bool level;
} sink = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

static void sink_set_irq(void *ctx, unsigned int intid, bool level)
{
	CHECK(ctx == &sink);
	pthread_mutex_lock(&sink.lock);
	sink.calls++;
	sink.intid = intid;
	sink.level = level;
	sink.in_call = true;
	pthread_cond_broadcast(&sink.cond);
	while (!sink.release)
		pthread_cond_wait(&sink.cond, &sink.lock);
	sink.in_call = false;
	pthread_mutex_unlock(&sink.lock);
}

static void *raise_line(void *arg)
{
	CHECK(bus_set_irq(arg, 40, true));
	return NULL;
}

static void *detach(void *arg)
{
	bus_detach_irqs(arg);
	pthread_mutex_lock(&sink.lock);
	sink.detached = true;
	pthread_mutex_unlock(&sink.lock);
	return NULL;
}

static void test_irq_detach(void)
{
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	static struct bus lines;
	pthread_t raiser, detacher;

	TEST("interrupt lines and a VM taken away");
	bus_init(&lines);
	CHECK(!bus_set_irq(&lines, 40, true));
	sink.release = true;
	bus_attach_irqs(&lines, sink_set_irq, &sink);
	CHECK(bus_set_irq(&lines, 41, false));
	CHECK(sink.calls == 1 && sink.intid == 41 && !sink.level);

	sink.release = false;
	CHECK(!pthread_create(&raiser, NULL, raise_line, &lines));
	pthread_mutex_lock(&sink.lock);
	while (!sink.in_call)
		pthread_cond_wait(&sink.cond, &sink.lock);
	pthread_mutex_unlock(&sink.lock);
	CHECK(!pthread_create(&detacher, NULL, detach, &lines));
	nanosleep(&pause, NULL);
	pthread_mutex_lock(&sink.lock);
	/* The VM cannot go while a line is being driven in it. */
	CHECK(sink.in_call && !sink.detached);
	sink.release = true;
	pthread_cond_broadcast(&sink.cond);
	pthread_mutex_unlock(&sink.lock);
	pthread_join(raiser, NULL);
	pthread_join(detacher, NULL);
	CHECK(sink.detached && sink.calls == 2 && sink.intid == 40);
	CHECK(!bus_set_irq(&lines, 40, false));
	CHECK(sink.calls == 2);
}

int main(void)
{
	test_irq_detach();
	test_mmio_accessors();
	test_table();
	test_exact_access();
	test_refusals();
	test_le_helpers();
	return unit_report();
}
