// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PL031 alarm guest: the board's RTC passed through, its alarm
 * interrupt (SPI 2, level) forwarded by pinvm through VFIO and KVM irqfd.
 * Each alarm is counted, printed ("alarm N"), cleared at the device and
 * armed again one second on, ALARMS times, then "alarms done N"; the guest
 * then idles, so the test can read the host's counts while pinvm runs.
 *
 * A level line whose guest EOI did not unmask it on the host would give
 * one alarm and no more: ALARMS in a row are the resample path working.
 * Built three ways:
 *   alarm        the SPI's trigger (GICD_ICFGR) is left as pinvm set it
 *   alarm-icfgr  (ICFGR=1) the guest programs it level itself, on the
 *                SPI the partition moved it to (RTC_SPI=5)
 *   alarm-reset  (RESET_AFTER=K) after its Kth alarm, PSCI SYSTEM_RESET
 *                from inside the handler, before the EOI: the host line is
 *                still masked then, and must not stay so in the new VM
 */
#include "guest.h"

#define RTC		0x09010000ul
#define RTCDR		(RTC + 0x00)
#define RTCMR		(RTC + 0x04)
#define RTCIMSC		(RTC + 0x10)
#define RTCRIS		(RTC + 0x14)
#define RTCMIS		(RTC + 0x18)
#define RTCICR		(RTC + 0x1c)
/* The SPI the partition gives the guest (its pinvm node's interrupts). */
#ifndef RTC_SPI
#define RTC_SPI		2
#endif

#ifndef ALARMS
#define ALARMS 6
#endif
#ifndef ICFGR
#define ICFGR 0
#endif
#ifndef RESET_AFTER
#define RESET_AFTER 0
#endif

static volatile unsigned int alarms;
static volatile unsigned int others;

/*
 * QEMU's PL031 raises a match already past only when its counter wraps:
 * a vCPU that loses a second between reading RTCDR and writing RTCMR (a
 * loaded host) would never see its alarm. Set it again then, unless the
 * match came after all (RTCRIS).
 */
static void arm(void)
{
	uint32_t dr;

	do {
		dr = mmio_read32(RTCDR);
		mmio_write32(RTCMR, dr + 1);
	} while (!(mmio_read32(RTCRIS) & 1) && mmio_read32(RTCDR) - dr > 1);
}

static void alarm_irq(unsigned int intid)
{
	uint32_t mis = mmio_read32(RTCMIS);

	if (intid != GIC_SPI_BASE + RTC_SPI || !mis) {
		others++;
		con_puts("unexpected interrupt ");
		put_dec(intid);
		con_puts("\n");
		return;
	}
	/* Quiet the device before the EOI, or the line comes straight back. */
	mmio_write32(RTCICR, 1);
	alarms++;
	con_puts("alarm ");
	put_dec(alarms);
	con_puts(" dr=");
	put_dec(mmio_read32(RTCDR));
	con_puts(" ris=");
	put_dec(mmio_read32(RTCRIS));
	con_puts("\n");
	if (RESET_AFTER && alarms == RESET_AFTER) {
		con_puts("resetting in the handler\n");
		psci_system_reset();
	}
	if (alarms < ALARMS)
		arm();
}

int main(void)
{
	timer_init();
	print_boot();
	irq_set_handler(alarm_irq);
	gic_spi_enable(RTC_SPI, ICFGR ? GIC_TRIGGER_LEVEL : GIC_TRIGGER_KEEP,
		       0x80);
	con_puts("alarm spi ");
	put_dec(RTC_SPI);
	con_puts(gic_spi_trigger(RTC_SPI) == GIC_TRIGGER_EDGE ?
		 " trigger edge\n" : " trigger level\n");
	/* A previous owner's alarm may still be latched: start clean. */
	mmio_write32(RTCIMSC, 0);
	mmio_write32(RTCICR, 1);
	arm();
	mmio_write32(RTCIMSC, 1);
	irq_enable();
	con_puts("alarm armed dr=");
	put_dec(mmio_read32(RTCDR));
	con_puts("\n");
	wait_for_count(&alarms, ALARMS);
	irq_disable();
	mmio_write32(RTCIMSC, 0);
	con_puts("alarms done ");
	put_dec(alarms);
	con_puts(" others ");
	put_dec(others);
	con_puts("\n");
	for (;;)
		sleep_ms(1000);
}
