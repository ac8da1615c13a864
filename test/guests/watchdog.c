// SPDX-License-Identifier: GPL-2.0-only
/*
 * The watchdog test guest: every boot prints "boot" and the SP805's
 * identification as it reads it, arms the watchdog for TIMEOUT_MS, kicks
 * it every KICK_MS for KICK_FOR_MS ("kick N" printed just before each
 * kick, so a line's time stamp is never later than its kick), then says
 * "hanging" and spins with IRQs masked until pinvm resets or stops it.
 */
#include "guest.h"
#include "sp805.h"

#ifndef TIMEOUT_MS
#define TIMEOUT_MS	2000
#endif
#define KICK_MS		500
#define KICK_FOR_MS	5000

int main(void)
{
	unsigned int i, n;

	timer_init();
	print_boot();
	con_puts("sp805 id");
	for (i = 0; i < 8; i++) {
		con_puts(" ");
		put_hex_n(sp805_read(WDOG_PERIPHID0 + 4 * i), 2);
	}
	con_puts("\n");
	con_puts("kick 0\n");
	sp805_arm(TIMEOUT_MS);
	/* Locked: this load must be ignored, as on the hardware. */
	sp805_write(WDOG_LOAD, 1);
	con_puts("armed ");
	put_dec(TIMEOUT_MS);
	con_puts(" ms, load ");
	put_hex_n(sp805_read(WDOG_LOAD), 8);
	con_puts(" locked ");
	put_dec(sp805_read(WDOG_LOCK));
	con_puts("\n");
	for (n = 1; n <= KICK_FOR_MS / KICK_MS; n++) {
		sleep_ms(KICK_MS);
		con_puts("kick ");
		put_dec(n);
		con_puts("\n");
		sp805_kick();
	}
	con_puts("hanging\n");
	hang();
}
