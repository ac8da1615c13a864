// SPDX-License-Identifier: GPL-2.0-only
/*
 * The benchmark guest: N writes to the PL031's CR, then N reads of its DR,
 * each timed with the virtual counter, so pinvm and the bare KVM_RUN floor
 * (test/bench/floor.c) are measured by the same clock in the same boot.
 * CR, not MR: QEMU re-arms a host timer on every MR write, which would
 * measure QEMU's timer code rather than pinvm. Never sleeps.
 */
#include "guest.h"

#define RTC_DR		0x09010000ul
#define RTC_CR		0x0901000cul
#define N		BENCH_N

static uint64_t cntvct(void)
{
	uint64_t v;

	asm volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

static void report(const char *what, uint64_t ticks)
{
	uint64_t freq;

	asm volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	con_puts(what);
	con_puts(": n=");
	put_dec(N);
	con_puts(" ticks=");
	put_dec(ticks);
	con_puts(" freq=");
	put_dec(freq);
	con_puts("\n");
}

int main(void)
{
	uint64_t t0;
	int i;

	for (i = 0; i < 100; i++)
		*(volatile uint32_t *)RTC_CR = 1;
	t0 = cntvct();
	for (i = 0; i < N; i++)
		*(volatile uint32_t *)RTC_CR = 1;
	report("bench-write", cntvct() - t0);
	t0 = cntvct();
	for (i = 0; i < N; i++)
		(void)*(volatile uint32_t *)RTC_DR;
	report("bench-read", cntvct() - t0);
	psci_system_off();
}
