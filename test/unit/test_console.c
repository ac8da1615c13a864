// SPDX-License-Identifier: GPL-2.0-only
/*
 * The virtual PL011 console through the bus, as a guest drives it: its
 * output must come out as "[name] text" lines on the console descriptor.
 */
#include <unistd.h>

#include "driver.h"
#include "unit.h"

#define BASE 0x09000000ull

static struct bus bus;
static int pipe_fd[2];

static void guest_write(uint64_t offset, uint64_t v, unsigned int len)
{
	uint8_t data[8];

	bus_put_le(data, len, v);
	CHECK(bus_access(&bus, BASE + offset, data, len, true) == BUS_OK);
}

static uint64_t guest_read(uint64_t offset, unsigned int len)
{
	uint8_t data[8] = { 0 };

	CHECK(bus_access(&bus, BASE + offset, data, len, false) == BUS_OK);
	return bus_get_le(data, len);
}

static void guest_print(const char *s)
{
	while (*s)
		guest_write(0, *s++, 4);
}

static char *drain(void)
{
	static char buf[8192];
	ssize_t n = read(pipe_fd[0], buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

int main(void)
{
	struct guest_config g = { .name = "alpha" };
	struct device_config dev = {
		.drv = driver_find("pinvm,console"),
		.base = BASE, .size = 0x1000,
		.path = "/pinvm/alpha/console@9000000",
	};
	struct pinvm_error err = { "" };
	char line[CONFIG_CONSOLE_LINE_MAX + 1];
	uint8_t wide[8] = { 0 };

	if (pipe(pipe_fd))
		return 2;
	log_console_fd = pipe_fd[1];

	TEST("attach");
	CHECK(dev.drv != NULL);
	CHECK(dev.drv->attach(NULL, &g, &dev, &bus, NULL, &err) == 0);
	CHECK(bus.nr_regions == 1);

	TEST("lines");
	guest_print("hello\r\nsecond line\n");
	CHECK(!strcmp(drain(), "[alpha] hello\n[alpha] second line\n"));

	TEST("byte writes");
	guest_write(0, 'o', 1);
	guest_write(0, 'k', 1);
	guest_write(0, '\n', 1);
	CHECK(!strcmp(drain(), "[alpha] ok\n"));

	TEST("registers");
	CHECK((guest_read(0x18, 4) & 0x80) == 0x80);	/* TXFE */
	CHECK((guest_read(0x18, 4) & 0x20) == 0);	/* never TXFF */
	guest_write(0x30, 0x301, 4);			/* UARTCR */
	CHECK(guest_read(0x30, 4) == 0x301);
	CHECK(guest_read(0x31, 1) == 0x03);		/* a byte of it */
	CHECK(guest_read(0xfe0, 4) == 0x11);		/* PL011 part number */
	CHECK(guest_read(0xffc, 4) == 0xb1);		/* PrimeCell id */
	CHECK(bus_access(&bus, BASE, wide, 8, false) == BUS_BAD_WIDTH);
	CHECK(guest_read(0xfe0 - 4, 4) == 0);		/* reserved: zero */

	TEST("a larger window reads zero past the ID registers");
	bus_release(&bus);
	memset(&bus, 0, sizeof(bus));
	dev.size = 0x10000;
	CHECK(dev.drv->attach(NULL, &g, &dev, &bus, NULL, &err) == 0);
	CHECK(guest_read(0x8000, 4) == 0);
	CHECK(guest_read(0x1fe0, 4) == 0);
	CHECK(guest_read(0xffc, 4) == 0xb1);

	TEST("long line is cut, not buffered forever");
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	guest_print(line);
	CHECK_CONTAINS(drain(), "[alpha] xxxx");

	TEST("reset and release flush a partial line");
	guest_print("partial");
	bus_reset(&bus);
	CHECK(!strcmp(drain(), "[alpha] partial\n"));
	CHECK(guest_read(0x30, 4) == 0);
	guest_print("tail");
	bus_release(&bus);
	CHECK(!strcmp(drain(), "[alpha] tail\n"));
	CHECK(bus.nr_regions == 1 && bus.regions[0].priv == NULL);
	bus_release(&bus);			/* twice: nothing left to do */
	return unit_report();
}
