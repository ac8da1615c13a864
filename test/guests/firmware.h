/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The line every field-updated test guest prints first, from its health
 * register: "firmware <VERSION> slot <a|b|-> attempt <n>". The update
 * suites compare it with what pinvm recorded.
 */
#ifndef TEST_GUESTS_FIRMWARE_H
#define TEST_GUESTS_FIRMWARE_H

#include "guest.h"

static inline void print_firmware(const char *version)
{
	uint32_t slot = mmio_read32(HEALTH_SLOT);

	con_puts("firmware ");
	con_puts(version);
	con_puts(" slot ");
	con_putc(slot == 0 ? 'a' : slot == 1 ? 'b' : '-');
	con_puts(" attempt ");
	put_dec(mmio_read32(HEALTH_ATTEMPT));
	con_puts("\n");
}

#endif
