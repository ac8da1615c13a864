// SPDX-License-Identifier: GPL-2.0-only
/*
 * The GPIO test guests, on a virtual PL061 at 0x09030000 whose lines are
 * real lines of the board's PL061:
 *   gpio-out (MODE 1): drives its lines 0 and 1 in two steps, then waits
 *                      for an edge on its line 2 as an interrupt (SPI 7)
 *   gpio-hog (MODE 2): makes every line an output and writes all ones
 */
#include "guest.h"

#define GPIO		0x09030000ul
#define GPIO_DATA(mask)	(GPIO + ((mask) << 2))
#define GPIODIR		(GPIO + 0x400)
#define GPIOIBE		(GPIO + 0x408)
#define GPIOIE		(GPIO + 0x410)
#define GPIORIS		(GPIO + 0x414)
#define GPIOMIS		(GPIO + 0x418)
#define GPIOIC		(GPIO + 0x41c)
#define GPIO_SPI	7

static void say(const char *what, uint32_t v)
{
	con_puts(what);
	con_puts("=0x");
	con_putc("0123456789abcdef"[(v >> 4) & 0xf]);
	con_putc("0123456789abcdef"[v & 0xf]);
	con_puts("\n");
}

static void test_out(void)
{
	unsigned int n;

	mmio_write32(GPIODIR, 0x03);
	mmio_write32(GPIO_DATA(0x03), 0x01);
	con_puts("gpio-step 1\n");
	sleep_ms(2000);
	mmio_write32(GPIO_DATA(0x03), 0x02);
	say("gpio-step 2 data", mmio_read32(GPIO_DATA(0xff)));
	sleep_ms(2000);

	mmio_write32(GPIOIBE, 0x04);		/* line 2: both edges */
	mmio_write32(GPIOIE, 0x04);
	/* WFI only: the test reads GPIOMIS, no handler needed. */
	gic_spi_enable(GPIO_SPI, GIC_TRIGGER_KEEP, 0x80);
	con_puts("gpio-wait-irq\n");
	/* WFI wakes on the pending SPI even with interrupts masked. */
	for (n = 0; n < 600 && !mmio_read32(GPIOMIS); n++)
		sleep_ms(100);
	say("gpio-irq mis", mmio_read32(GPIOMIS));
	/*
	 * The button is a 100 ms pulse and both its edges latch: clear
	 * only once the line is back low and its falling edge has had
	 * time to arrive, or that edge can land between GPIOIC and the
	 * read below.
	 */
	for (n = 0; n < 50 && (mmio_read32(GPIO_DATA(0x04)) & 0x04); n++)
		sleep_ms(100);
	sleep_ms(1000);
	mmio_write32(GPIOIC, 0xff);
	say("gpio-irq-cleared mis", mmio_read32(GPIOMIS));
}

static void test_hog(void)
{
	mmio_write32(GPIODIR, 0xff);
	mmio_write32(GPIO_DATA(0xff), 0xff);
	say("gpio-hog done data", mmio_read32(GPIO_DATA(0xff)));
	for (;;)
		sleep_ms(1000);
}

int main(void)
{
	timer_init();
	con_puts("boot 1\n");
	if (MODE == 1)
		test_out();
	else
		test_hog();
	con_puts("done\n");
	psci_system_off();
}
