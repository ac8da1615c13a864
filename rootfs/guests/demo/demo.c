// SPDX-License-Identifier: GPL-2.0-only
/*
 * The demo firmware's main loop: "boot N" (N counts resets, as the ticker
 * of the tests does), health reported, the device shown, then a tick a
 * second and the device's part of each tick, until pinvm stops the guest.
 *
 * DEMO_CORE is the core dts/qemu-virt.dts gives the guest this firmware is
 * built for (a guest cannot see which host core runs it: its one vCPU is
 * its CPU 0); the portable demo leaves it out.
 */
#include "demo.h"

#ifndef DEMO_CORE
#define DEMO_CORE	0
#endif

#define TICK_MS		1000

void say(const char *what)
{
	if (DEMO_CORE) {
		con_puts("core ");
		put_dec(DEMO_CORE);
		con_puts(": ");
	}
	con_puts(what);
	con_puts(": ");
}

/* Up and running: a field update to this firmware commits on this report. */
static void report_health(void)
{
	uint32_t slot = mmio_read32(HEALTH_SLOT);

	mmio_write32(HEALTH_STATUS, HEALTH_OK);
	say("health register at 0xa000000");
	con_puts("slot ");
	con_putc(slot == 0 ? 'a' : slot == 1 ? 'b' : '?');
	con_puts(mmio_read32(HEALTH_STATUS) == 1 ? ", reported healthy\n" :
		 ", report NOT taken\n");
}

int main(void)
{
	uint64_t n;

	timer_init();
	print_boot();
	report_health();
	device_start();
	for (n = 1;; n++) {
		con_puts("tick ");
		put_dec(n);
		con_puts("\n");
		device_tick(n);
		sleep_ms(TICK_MS);
	}
}
