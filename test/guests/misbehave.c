// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guests that misbehave, and the well-behaved worker whose progress next to
 * them is measured (test/system/misbehave-tests.sh). Built by MODE:
 *   worker:  rounds of 500 trapped reads of its console's flag register,
 *            each round timed: "work: n=500 ticks=T freq=F"
 *   storm:   PSCI SYSTEM_RESET as soon as it boots, every boot
 *   spin:    masks every interrupt and spins: it never exits to pinvm
 *   hammer:  reads an address it does not own, forever
 *   undef:   executes undefined instructions, forever
 *   probe:   reads and writes other guests' RAM and devices and a sweep of
 *            the address space; every access must abort
 */
#include "guest.h"

#define MODE_WORKER	1
#define MODE_STORM	2
#define MODE_SPIN	3
#define MODE_HAMMER	4
#define MODE_UNDEF	5
#define MODE_PROBE	6

#define UART_FR		(CONSOLE_BASE + 0x18)
#define UNOWNED		0x0a001000ul
#define ROUND		500

static void worker(void)
{
	uint64_t freq, t0;
	int i;

	freq = cntfrq();
	for (;;) {
		t0 = cntvct();
		for (i = 0; i < ROUND; i++)
			(void)mmio_read32(UART_FR);
		con_puts("work: n=");
		put_dec(ROUND);
		con_puts(" ticks=");
		put_dec(cntvct() - t0);
		con_puts(" freq=");
		put_dec(freq);
		con_puts("\n");
	}
}

static void hammer(void)
{
	uint64_t n;

	abort_verbose = 0;
	for (n = 1;; n++) {
		(void)*(volatile uint32_t *)UNOWNED;
		if (n % 10000 == 0) {
			con_puts("hammer: reads=");
			put_dec(n);
			con_puts(" aborts=");
			put_dec(abort_count);
			con_puts("\n");
		}
	}
}

static void undef(void)
{
	uint64_t n, v;

	abort_verbose = -1;
	for (n = 1;; n++) {
		asm volatile("udf #0");
		/* An IMPLEMENTATION DEFINED register: KVM answers with UNDEF. */
		asm volatile("mrs %0, s3_0_c15_c0_0" : "=r"(v));
		if (n % 10000 == 0) {
			con_puts("undef: rounds=");
			put_dec(n);
			con_puts(" exceptions=");
			put_dec(abort_count);
			con_puts("\n");
		}
	}
}

/* The other guests' RAM and devices (test/system/partitions/probe.dts). */
static const unsigned long targets[] = {
	0x50000000ul, 0x500ff000ul,	/* g2's second RAM range */
	0x60000000ul, 0x600ff000ul,	/* g3's */
	0x09010000ul,			/* g2's PL031 */
	0x09020000ul,			/* g3's fw_cfg */
	0x09030000ul,			/* the board's PL061: nobody's */
};

static int probe_one(unsigned long addr)
{
	unsigned int before = abort_count;

	(void)*(volatile uint32_t *)addr;
	*(volatile uint32_t *)addr = 0xdeadbeef;
	return abort_count - before == 2;
}

static void probe(void)
{
	unsigned int probes = 0, aborted = 0, i;
	unsigned long addr;

	abort_verbose = 0;
	for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		probes++;
		aborted += probe_one(targets[i]);
	}
	/* Every 256 MiB of the first 4 GiB, but for its own RAM. */
	for (addr = 0; addr < 0x100000000ul; addr += 0x10000000ul) {
		if (addr == 0x40000000ul)
			continue;
		probes++;
		if (!probe_one(addr)) {
			con_puts("probe: no abort at ");
			put_hex(addr);
			con_puts("\n");
		} else {
			aborted++;
		}
	}
	con_puts("probe: probes=");
	put_dec(probes);
	con_puts(" aborted=");
	put_dec(aborted);
	con_puts("\n");
	for (;;)
		asm volatile("wfi");
}

int main(void)
{
	if (MODE == MODE_STORM)
		psci_system_reset();
	timer_init();
	con_puts("boot 1\n");
	if (MODE == MODE_WORKER)
		worker();
	if (MODE == MODE_HAMMER)
		hammer();
	if (MODE == MODE_UNDEF)
		undef();
	if (MODE == MODE_PROBE)
		probe();
	con_puts("spinning with interrupts masked\n");
	asm volatile("msr daifset, #0xf");
	for (;;)
		;
}
