// SPDX-License-Identifier: GPL-2.0-only
/*
 * The board's whole PL061 passed through (not pinvm's virtual one): line 3
 * is QEMU's power button, which `system_powerdown` pulses high. The guest
 * makes line 3 an interrupt on its rising edge (GPIOIS 0: edge, GPIOIBE 0,
 * GPIOIEV 1: rising) and takes it on the controller's SPI 7. The PL061
 * latches the edge and holds its interrupt output up until GPIOIC clears
 * it, so the SPI is a level line (the board's tree says <0 7 4>) and the
 * second press only arrives if the first EOI unmasked it on the host.
 * PRESSES edges, then "gpio done".
 */
#include "guest.h"

#define GPIO		0x09030000ul
#define GPIODIR		(GPIO + 0x400)
#define GPIOIS		(GPIO + 0x404)
#define GPIOIBE		(GPIO + 0x408)
#define GPIOIEV		(GPIO + 0x40c)
#define GPIOIE		(GPIO + 0x410)
#define GPIORIS		(GPIO + 0x414)
#define GPIOMIS		(GPIO + 0x418)
#define GPIOIC		(GPIO + 0x41c)
#define GPIO_SPI	7
#define BUTTON		(1u << 3)

#ifndef PRESSES
#define PRESSES 2
#endif

static volatile unsigned int edges;

static void put_byte(const char *what, uint32_t v)
{
	con_puts(what);
	con_puts("=0x");
	put_hex_n(v, 2);
}

static void gpio_irq(unsigned int intid)
{
	uint32_t mis = mmio_read32(GPIOMIS);

	if (intid != GIC_SPI_BASE + GPIO_SPI) {
		con_puts("unexpected interrupt ");
		put_dec(intid);
		con_puts("\n");
		return;
	}
	mmio_write32(GPIOIC, mis);
	if (mis & BUTTON)
		edges++;
	con_puts("gpio-irq ");
	put_dec(edges);
	put_byte(" mis", mis);
	put_byte(" after", mmio_read32(GPIOMIS));
	con_puts("\n");
}

int main(void)
{
	timer_init();
	print_boot();
	irq_set_handler(gpio_irq);
	mmio_write32(GPIOIE, 0);
	mmio_write32(GPIODIR, mmio_read32(GPIODIR) & ~BUTTON);
	mmio_write32(GPIOIS, mmio_read32(GPIOIS) & ~BUTTON);
	mmio_write32(GPIOIBE, mmio_read32(GPIOIBE) & ~BUTTON);
	mmio_write32(GPIOIEV, mmio_read32(GPIOIEV) | BUTTON);
	mmio_write32(GPIOIC, 0xff);
	mmio_write32(GPIOIE, BUTTON);
	gic_spi_enable(GPIO_SPI, GIC_TRIGGER_KEEP, 0x80);
	con_puts("gpio spi 7 trigger ");
	con_puts(gic_spi_trigger(GPIO_SPI) == GIC_TRIGGER_EDGE ? "edge" :
		 "level");
	put_byte(" ris", mmio_read32(GPIORIS));
	con_puts("\n");
	irq_enable();
	con_puts("gpio-wait-irq\n");
	wait_for_count(&edges, PRESSES);
	irq_disable();
	con_puts("gpio done ");
	put_dec(edges);
	con_puts("\n");
	for (;;)
		sleep_ms(1000);
}
