// SPDX-License-Identifier: GPL-2.0-only
/*
 * gamma: a virtual PL061 whose line 0 is one of the board's real GPIO
 * lines: on qemu-virt line 0 of 9030000.pl061 (/dev/gpiochip0, bound to
 * the host's gpio-pl061), on the Pi 4 (DEMO_GPIO_RPI4) BCM GPIO24 of
 * pinctrl-bcm2711, header pin 18; pinvm drives it through libgpiod. The line is an output blinking once a
 * second: each tick sets it through GPIODATA and reports what it set and
 * what GPIODATA then reads. GPIODATA shows an output's set value, as a
 * PL061 does; the line's level on the host is in the kernel's
 * /sys/kernel/debug/gpio.
 */
#include "demo.h"

#ifdef DEMO_GPIO_RPI4
#define GPIO_BASE	0x0c000000ul
#define GPIO_WHAT	"PL061 GPIO at 0xc000000 (virtual; host pinctrl-bcm2711 line 24)"
#else
#define GPIO_BASE	0x09030000ul
#define GPIO_WHAT	"PL061 GPIO at 0x9030000 (virtual; host 9030000.pl061 line 0)"
#endif
#define GPIO_DATA(mask)	(GPIO_BASE + ((mask) << 2))	/* bits [9:2] mask */
#define GPIODIR		(GPIO_BASE + 0x400)
#define LED		(1u << 0)

void device_start(void)
{
	mmio_write32(GPIODIR, mmio_read32(GPIODIR) | LED);
}

void device_tick(uint64_t n)
{
	uint32_t value = n & 1 ? LED : 0;

	mmio_write32(GPIO_DATA(LED), value);
	say(GPIO_WHAT);
	con_puts("line 0 set to ");
	put_dec(!!value);
	con_puts(", GPIODATA 0x");
	put_hex_n(mmio_read32(GPIO_DATA(0xff)), 2);
	con_puts("\n");
}
