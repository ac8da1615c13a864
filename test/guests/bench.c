// SPDX-License-Identifier: GPL-2.0-only
/*
 * The benchmark guest: N writes to the PL031's CR and N reads of its DR,
 * each timed with the virtual counter, so pinvm and the bare KVM_RUN floor
 * (test/bench/floor.c) are measured by the same clock in the same boot.
 * CR, not MR: QEMU re-arms a host timer on every MR write, which would
 * measure QEMU's timer code rather than pinvm. Never sleeps.
 *
 * The accesses come in blocks of BLOCK, writes and reads interleaved as
 * W R R W W R R W ...: neither phase is always last, and a drift of the
 * host's speed during the run falls on both alike. Every block's ticks
 * are printed after the last one, so the host can take the median block
 * and leave out the blocks a host preemption landed in.
 */
#include "guest.h"

#define RTC_DR		0x09010000ul
#define RTC_CR		0x0901000cul
#define N		BENCH_N
#define BLOCK		BENCH_BLOCK
#define BLOCKS		(N / BLOCK)
/* Values per console line: pinvm's console cuts lines at 256 bytes. */
#define PER_LINE	10

static uint32_t ticks[2][BLOCKS];

static uint64_t cntvct(void)
{
	uint64_t v;

	asm volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

static uint32_t block(int is_read)
{
	uint64_t t0 = cntvct();
	int i;

	if (is_read)
		for (i = 0; i < BLOCK; i++)
			(void)*(volatile uint32_t *)RTC_DR;
	else
		for (i = 0; i < BLOCK; i++)
			*(volatile uint32_t *)RTC_CR = 1;
	return cntvct() - t0;
}

/* "bench-write: n=N ticks=T freq=F", then the blocks, PER_LINE a line. */
static void report(const char *what, const uint32_t *t, uint64_t freq)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < BLOCKS; i++)
		sum += t[i];
	con_puts(what);
	con_puts(": n=");
	put_dec(BLOCKS * BLOCK);
	con_puts(" ticks=");
	put_dec(sum);
	con_puts(" freq=");
	put_dec(freq);
	con_puts(" block=");
	put_dec(BLOCK);
	con_puts("\n");
	for (i = 0; i < BLOCKS; i++) {
		if (i % PER_LINE == 0) {
			con_puts(what);
			con_puts("-blocks:");
		}
		con_puts(" ");
		put_dec(t[i]);
		if (i % PER_LINE == PER_LINE - 1 || i == BLOCKS - 1)
			con_puts("\n");
	}
}

int main(void)
{
	uint64_t freq;
	int k;

	block(0);
	block(1);
	for (k = 0; k < BLOCKS; k++) {
		/* ABBA: pairs alternate which phase goes first. */
		int first = k & 1;

		ticks[first][k] = block(first);
		ticks[!first][k] = block(!first);
	}
	asm volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	report("bench-write", ticks[0], freq);
	report("bench-read", ticks[1], freq);
	psci_system_off();
}
