// SPDX-License-Identifier: GPL-2.0-only
/*
 * The lifecycle test guest. Built several ways:
 *   ticker:   a tick every TICK_MS, forever
 *   resetter: TICKS ticks, then PSCI SYSTEM_RESET
 *   stopper:  TICKS ticks, then PSCI SYSTEM_OFF
 * Every boot prints "boot" first, so a test can count restarts.
 */
#include "guest.h"

#ifndef TICK_MS
#define TICK_MS 1000
#endif
#ifndef TICKS
#define TICKS 0
#endif
#ifndef END
#define END 0
#endif

#define END_RESET	1
#define END_OFF		2

int main(void)
{
	uint64_t n;

	timer_init();
	print_boot();
	for (n = 1;; n++) {
		con_puts("tick ");
		put_dec(n);
		con_puts("\n");
		if (TICKS && n == TICKS)
			break;
		sleep_ms(TICK_MS);
	}
	if (END == END_RESET) {
		con_puts("resetting\n");
		psci_system_reset();
	}
	con_puts("powering off\n");
	psci_system_off();
}
