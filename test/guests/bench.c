// SPDX-License-Identifier: GPL-2.0-only
/*
 * The benchmark guest: N writes to the PL031's CR and N reads of its DR,
 * each exit timed with the virtual counter, so pinvm and the bare KVM_RUN
 * floor (test/bench/floor.c) are measured by the same clock in the same
 * boot. CR, not MR: QEMU re-arms a host timer on every MR write, which
 * would measure QEMU's timer code rather than pinvm. Never sleeps.
 *
 * The emulated board's speed drifts by a factor of two and more within a
 * second on a shared machine, so every MMIO exit is paired with a read of
 * the vGIC's GICD_IIDR right after it: the same trap, handled in the
 * host kernel and never by the VMM, equal for every program. A block's
 * cost is the median MMIO exit over the median GICD read, both from the
 * same fraction of a second: the board's speed cancels, and the medians
 * leave out the exits a host preemption landed in.
 *
 * The blocks of BLOCK accesses go W R R W W R R W ...: neither direction
 * always comes last. Every block's two medians are printed after the last
 * block, as "mmio/gicd" in ticks.
 */
#include "guest.h"

#define RTC_DR		0x09010000ul
#define RTC_CR		0x0901000cul
#define GICD_IIDR	(GICD_BASE + 0x8)
#define N		BENCH_N
#define BLOCK		BENCH_BLOCK
#define BLOCKS		(N / BLOCK)
/* Values per console line: pinvm's console cuts lines at 256 bytes. */
#define PER_LINE	10

static uint32_t exit_t[BLOCK], ref_t[BLOCK];
static uint32_t med[2][BLOCKS], ref[2][BLOCKS];
static uint64_t sum[2];

static uint32_t median(uint32_t *v, int n)
{
	int i, j;

	for (i = 1; i < n; i++) {
		uint32_t x = v[i];

		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	return v[n / 2];
}

static void block(int is_read, int k)
{
	uint64_t t0, t1, t2;
	int i;

	for (i = 0; i < BLOCK; i++) {
		t0 = cntvct();
		if (is_read)
			(void)*(volatile uint32_t *)RTC_DR;
		else
			*(volatile uint32_t *)RTC_CR = 1;
		t1 = cntvct();
		(void)*(volatile uint32_t *)GICD_IIDR;
		t2 = cntvct();
		exit_t[i] = t1 - t0;
		ref_t[i] = t2 - t1;
		sum[is_read] += t1 - t0;
	}
	if (k < 0)
		return;
	med[is_read][k] = median(exit_t, BLOCK);
	ref[is_read][k] = median(ref_t, BLOCK);
}

/*
 * "bench-write: n=N ticks=T freq=F block=B" (T: all its exits' ticks),
 * then "bench-write-blocks: M/R ...", PER_LINE blocks a line.
 */
static void report(const char *what, int is_read, uint64_t freq)
{
	int i;

	con_puts(what);
	con_puts(": n=");
	put_dec(BLOCKS * BLOCK);
	con_puts(" ticks=");
	put_dec(sum[is_read]);
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
		put_dec(med[is_read][i]);
		con_puts("/");
		put_dec(ref[is_read][i]);
		if (i % PER_LINE == PER_LINE - 1 || i == BLOCKS - 1)
			con_puts("\n");
	}
}

int main(void)
{
	uint64_t freq;
	int k;

	block(0, -1);
	block(1, -1);
	sum[0] = sum[1] = 0;
	for (k = 0; k < BLOCKS; k++) {
		/* ABBA: pairs alternate which direction goes first. */
		int first = k & 1;

		block(first, k);
		block(!first, k);
	}
	freq = cntfrq();
	report("bench-write", 0, freq);
	report("bench-read", 1, freq);
	psci_system_off();
}
