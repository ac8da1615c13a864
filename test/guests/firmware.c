// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest firmware for the field-update tests. Every boot prints
 * "firmware <VERSION> slot <a|b|-> attempt <n>" from its health register,
 * then, by MODE:
 *   healthy:   reports health, then ticks
 *   silent:    ticks, never reports health
 *   resetloop: resets after two ticks, never reports health
 *   healthreset: reports health and resets at once, every boot
 *   hang:      arms its watchdog (1 s), says nothing, spins with IRQs
 *              masked: only the watchdog's bite ends the boot
 */
#include "firmware.h"
#include "sp805.h"

#define MODE_HEALTHY	1
#define MODE_SILENT	2
#define MODE_RESETLOOP	3
#define MODE_HEALTHRESET 4
#define MODE_HANG	5

int main(void)
{
	uint64_t n;

	timer_init();
	print_firmware(FW_VERSION);
	if (MODE == MODE_HEALTHRESET) {
		mmio_write32(HEALTH_STATUS, HEALTH_OK);
		psci_system_reset();
	}
	if (MODE == MODE_HANG) {
		sp805_arm(1000);
		con_puts("hanging\n");
		hang();
	}
	if (MODE == MODE_HEALTHY) {
		/* Up after a little work, as real firmware would be. */
		sleep_ms(100);
		mmio_write32(HEALTH_STATUS, HEALTH_OK);
		con_puts("healthy\n");
	}
	for (n = 1;; n++) {
		con_puts("tick ");
		put_dec(n);
		con_puts("\n");
		if (MODE == MODE_RESETLOOP && n == 2)
			psci_system_reset();
		sleep_ms(200);
	}
}
