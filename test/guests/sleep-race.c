// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest library's waits, with IRQs unmasked, on a bare emulated CPU
 * under QEMU's -icount (test/guests/bare.sh): the counter advances with
 * the instructions executed, so a timer fires at one exact instruction,
 * the same on every run. Waits of 1 to 64 ticks, each begun 0 to 31
 * instructions after the one before, put the deadline on every
 * instruction of the wait in turn, the few between its check and its WFI
 * among them. An IRQ taken there is slept through: sleep_ticks() waits on
 * a timer its handler has turned off, wait_for_count() for an interrupt
 * after the last; the CPU halts for good and "done" never comes.
 *   sleep_ticks():    the virtual timer, guest_irq()'s own
 *   wait_for_count(): the physical timer, counted by a handler
 */
#include "guest.h"

#define LENGTHS		64
#define PHASES		32
#define PTIMER_PPI	30

static volatile unsigned int fired;

/* n instructions and a few, the same n every time. */
static void delay(unsigned int n)
{
	while (n--)
		asm volatile("nop");
}

static void ptimer_irq(unsigned int intid)
{
	if (intid != PTIMER_PPI)
		return;
	asm volatile("msr cntp_ctl_el0, %0; isb" :: "r"(0ul));
	fired++;
}

static void ptimer_arm(uint64_t ticks)
{
	uint64_t now;

	asm volatile("isb; mrs %0, cntpct_el0" : "=r"(now));
	asm volatile("msr cntp_cval_el0, %0" :: "r"(now + ticks));
	asm volatile("msr cntp_ctl_el0, %0; isb" :: "r"(1ul));
}

static void done(const char *what, unsigned int waits)
{
	con_puts("sleep-race: ");
	con_puts(what);
	con_puts(" done: ");
	put_dec(waits);
	con_puts(" waits\n");
}

int main(void)
{
	unsigned int ticks, phase, waits = 0;

	timer_init();
	gic_ppi_enable(PTIMER_PPI);
	irq_set_handler(ptimer_irq);
	con_puts("sleep-race: start\n");
	irq_enable();
	for (ticks = 1; ticks <= LENGTHS; ticks++) {
		for (phase = 0; phase < PHASES; phase++) {
			delay(phase);
			sleep_ticks(ticks);
			waits++;
		}
	}
	done("sleep_ticks", waits);
	waits = 0;
	for (ticks = 1; ticks <= LENGTHS; ticks++) {
		for (phase = 0; phase < PHASES; phase++) {
			ptimer_arm(ticks);
			delay(phase);
			wait_for_count(&fired, ++waits);
		}
	}
	done("wait_for_count", waits);
	irq_disable();
	psci_system_off();
}
