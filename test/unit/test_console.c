// SPDX-License-Identifier: GPL-2.0-only
/*
 * The virtual PL011 console through the bus, as a guest drives it: its
 * output must come out as "[name] text" lines on the console descriptor,
 * with what a terminal would act on escaped; and pinvm's own messages,
 * which quote bundles and requests, escaped the same way.
 */
#include <fcntl.h>
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

/* Bytes as a guest writes them, NUL included. */
static void guest_print_bytes(const char *s, size_t len)
{
	while (len--)
		guest_write(0, (uint8_t)*s++, 1);
}

static char *drain(void)
{
	static char buf[8192];
	ssize_t n = read(pipe_fd[0], buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* A pr_warn()'s line on stderr, read back through a pipe. */
static char *warned(const char *fmt, const char *arg)
{
	static char buf[4096];
	int p[2], saved = dup(STDERR_FILENO);
	ssize_t n;

	if (saved < 0 || pipe(p) || dup2(p[1], STDERR_FILENO) < 0)
		exit(2);
	pr_warn(fmt, arg);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static bool escapes_to(const char *in, size_t len, const char *want)
{
	char out[256];

	return log_escape(out, sizeof(out), in, len) == strlen(want) &&
	       !strcmp(out, want);
}

static void test_escaping(char *line)
{
	static const char forged[] = "\x1b[2K\x1b[1Gpinvm: error: forged\n";
	static const char controls[] = "a\tb\0c\bd\ae\x7f\x0b\x0c\n";
	static char message[1001];
	char out[8];
	unsigned int i;

	TEST("a guest's escape sequences cannot erase its prefix");
	guest_print(forged);
	CHECK(!strcmp(drain(), "[alpha] \\x1b[2K\\x1b[1Gpinvm: error: forged\n"));

	TEST("other control bytes are escaped, tab is kept");
	guest_print_bytes(controls, sizeof(controls) - 1);
	CHECK(!strcmp(drain(), "[alpha] a\tb\\x00c\\x08d\\x07e\\x7f\\x0b\\x0c\n"));

	TEST("UTF-8 is kept, what is not UTF-8 is escaped");
	guest_print("21.5 \xc2\xb0" "C \xe2\x9c\x93 \xf0\x9f\x98\x80\n");
	CHECK(!strcmp(drain(), "[alpha] 21.5 \xc2\xb0" "C \xe2\x9c\x93 \xf0\x9f\x98\x80\n"));
	/* Raw 8-bit CSI, a C1 CSI in UTF-8, overlong '/', a surrogate, 0xff. */
	guest_print("\x9b" "2J|\xc2\x9b|\xc0\xaf|\xed\xa0\x80|\xff|\xe2\x9c\n");
	CHECK(!strcmp(drain(), "[alpha] \\x9b2J|\\xc2\\x9b|\\xc0\\xaf|\\xed\\xa0\\x80|\\xff|\\xe2\\x9c\n"));

	TEST("a longest line of escapes comes out whole");
	memset(line, 0x1b, CONFIG_CONSOLE_LINE_MAX - 1);
	guest_print_bytes(line, CONFIG_CONSOLE_LINE_MAX - 1);
	guest_write(0, '\n', 1);
	{
		const char *got = drain();

		CHECK(strlen(got) == strlen("[alpha] \n") +
				     4 * (CONFIG_CONSOLE_LINE_MAX - 1));
		CHECK(!strncmp(got + strlen(got) - 5, "\\x1b\n", 5));
	}

	TEST("log_escape stops before what does not fit");
	CHECK(escapes_to("plain", 5, "plain"));
	CHECK(escapes_to("\x1b", 1, "\\x1b"));
	CHECK(log_escape(out, sizeof(out), "ab\x1b", 3) == 6 &&
	      !strcmp(out, "ab\\x1b"));
	CHECK(log_escape(out, sizeof(out), "abcd\x1b", 5) == 4 &&
	      !strcmp(out, "abcd"));
	CHECK(log_escape(out, 3, "\xc2\xb0\xc2\xb0", 4) == 2);
	CHECK(log_escape(out, 0, "x", 1) == 0);
	for (i = 0; i < 0x20; i++) {
		char c = i, want[5];

		snprintf(want, sizeof(want), i == '\t' ? "\t" : "\\x%02x", i);
		CHECK(escapes_to(&c, 1, want));
	}

	TEST("pinvm's messages quote bundles and requests escaped");
	CHECK(!strcmp(warned("update of %s refused", "\x1b]0;owned\x07x"),
		      "pinvm: warning: update of \\x1b]0;owned\\x07x refused\n"));
	CHECK(!strcmp(warned("%s", "two\nlines"),
		      "pinvm: warning: two\\x0alines\n"));
	/* The longest message still ends with its newline. */
	memset(message, 0x1b, sizeof(message) - 1);
	{
		const char *got = warned("%s", message);
		size_t n = strlen(got);

		CHECK(n > 4 * 600 && got[n - 1] == '\n' && got[n - 2] == 'b');
	}
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

	test_escaping(line);

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
