// SPDX-License-Identifier: GPL-2.0-only
/*
 * Console, timer, interrupts and PSCI for the bare-metal guests. They sleep with WFI on
 * the virtual timer rather than spin, so an idle guest leaves its core (and
 * the emulator's host threads) alone.
 */
#include "guest.h"

#define UART_DR		0x000
#define UART_FR		0x018
#define UART_FR_TXFF	0x20

#define PSCI_SYSTEM_OFF		0x84000008u
#define PSCI_SYSTEM_RESET	0x84000009u

#define VTIMER_PPI	27

volatile unsigned int abort_count;
volatile uint64_t abort_esr, abort_far;
volatile int abort_verbose = 1;

void con_putc(char c)
{
	while (mmio_read32(CONSOLE_BASE + UART_FR) & UART_FR_TXFF)
		;
	/* A byte store: the same on the bus for either byte order. */
	*(volatile uint8_t *)(CONSOLE_BASE + UART_DR) = c;
}

/*
 * Synchronous exceptions: a data abort (EC 0x25) is counted, reported and
 * stepped over, so a test can go on after pinvm refused an access. With
 * abort_verbose off, aborts are counted silently; other exceptions are
 * reported unless abort_verbose is negative.
 */
uint64_t guest_exception(uint64_t esr, uint64_t far, uint64_t elr);
uint64_t guest_exception(uint64_t esr, uint64_t far, uint64_t elr)
{
	unsigned int ec = (esr >> 26) & 0x3f;

	abort_count++;
	abort_esr = esr;
	abort_far = far;
	if (abort_verbose > 0 || (ec != 0x25 && abort_verbose == 0)) {
		con_puts(ec == 0x25 ? "data abort at " : "exception at ");
		put_hex(far);
		con_puts(" esr ");
		put_hex(esr);
		con_puts("\n");
	}
	return elr + 4;
}

void con_puts(const char *s)
{
	while (*s)
		con_putc(*s++);
}

void put_dec(uint64_t v)
{
	char buf[21];
	int i = 0;

	do {
		buf[i++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (i)
		con_putc(buf[--i]);
}

void put_hex_n(uint64_t v, int digits)
{
	while (digits--)
		con_putc("0123456789abcdef"[(v >> (4 * digits)) & 0xf]);
}

void put_hex(uint64_t v)
{
	con_puts("0x");
	put_hex_n(v, 16);
}

/* In .data: a reset must reload it from the image, not keep the old value. */
static volatile uint64_t boots_seen = 1;

void print_boot(void)
{
	con_puts("boot ");
	put_dec(boots_seen);
	con_puts("\n");
	boots_seen++;
}

/*
 * WFI wakes on a pending interrupt even with PSTATE.I set, but KVM only
 * counts it pending once the vGIC forwards it: distributor on, the timer's
 * PPI enabled for this CPU, priority mask open.
 */
void timer_init(void)
{
	gic_ppi_enable(VTIMER_PPI);
}

static void (*irq_handler)(unsigned int intid);

void irq_set_handler(void (*handler)(unsigned int intid))
{
	irq_handler = handler;
}

/*
 * The IRQ vector's C half (start.S): acknowledge, hand the INTID over,
 * end it. EOImode is 0 (both GIC back-ends), so the EOIR write both drops
 * the priority and deactivates: for a level SPI pinvm forwards, the guest's EOI is what
 * lets the host line be unmasked, so the handler must have quietened the
 * device by then.
 */
void guest_irq(void);
void guest_irq(void)
{
	uint32_t iar = gic_ack();
	unsigned int intid = gic_intid(iar);

	if (intid == GIC_INTID_SPURIOUS)
		return;
	/*
	 * sleep_ms()'s timer: its level stays up until the timer is off, so
	 * turn it off here, or the IRQ would come back at once, forever;
	 * sleep_ms() sees the time has come.
	 */
	if (intid == VTIMER_PPI)
		asm volatile("msr cntv_ctl_el0, %0; isb" :: "r"(0ul));
	else if (irq_handler)
		irq_handler(intid);
	gic_eoi(iar);
}

static uint64_t irq_save(void)
{
	uint64_t daif;

	asm volatile("mrs %0, daif" : "=r"(daif));
	irq_disable();
	return daif;
}

static void irq_restore(uint64_t daif)
{
	asm volatile("msr daif, %0; isb" :: "r"(daif) : "memory");
}

/* WFI with IRQs masked, then a gap with the caller's mask for its IRQ. */
static void wait_window(uint64_t daif)
{
	wait_for_irq();
	irq_restore(daif);
	irq_disable();
}

/*
 * The waits check their condition, and enter WFI, with IRQs masked: WFI
 * still wakes on a pending IRQ, which is then taken in the unmasked gap
 * after it. Checked with IRQs unmasked, a vCPU held up between the check
 * and the WFI (its host thread preempted, an exit to the host) takes the
 * IRQ there, and the WFI that follows waits for another. For the timer
 * that never comes: guest_irq() has turned it off.
 */
void sleep_ticks(uint64_t ticks)
{
	uint64_t daif = irq_save(), end = cntvct() + ticks;

	asm volatile("msr cntv_cval_el0, %0" :: "r"(end));
	asm volatile("msr cntv_ctl_el0, %0; isb" :: "r"(1ul));
	while (cntvct() < end)
		wait_window(daif);
	asm volatile("msr cntv_ctl_el0, %0; isb" :: "r"(0ul));
	irq_restore(daif);
}

void wait_for_count(volatile unsigned int *count, unsigned int n)
{
	uint64_t daif = irq_save();

	while (*count < n)
		wait_window(daif);
	irq_restore(daif);
}

void sleep_ms(unsigned int ms)
{
	sleep_ticks(cntfrq() * ms / 1000);
}

static void psci_call(uint32_t fn)
{
	register uint64_t x0 asm("x0") = fn;

	asm volatile("hvc #0" : "+r"(x0) :: "x1", "x2", "x3", "memory");
}

void psci_system_off(void)
{
	psci_call(PSCI_SYSTEM_OFF);
	for (;;)
		asm volatile("wfi");
}

void psci_system_reset(void)
{
	psci_call(PSCI_SYSTEM_RESET);
	for (;;)
		asm volatile("wfi");
}

/*
 * An identity map with the MMU on: RAM (1-2 GiB) normal write-back, the
 * device gigabyte below it normal non-cacheable. Normal memory lets the CPU
 * issue an unaligned access, so it reaches pinvm as an MMIO exit; with the
 * MMU off every access is Device memory and faults in the guest itself.
 */
static uint64_t page_table[512] __attribute__((aligned(4096)));

#define PTE_BLOCK	0x1ul
#define PTE_AF		(1ul << 10)
#define PTE_SH_OUTER	(2ul << 8)
#define PTE_SH_INNER	(3ul << 8)
#define PTE_ATTR(i)	((uint64_t)(i) << 2)
#define MAIR_VALUE	0xff4400ul	/* 0: device, 1: normal NC, 2: normal WB */
#define TCR_VALUE	(32ul | (1ul << 8) | (1ul << 10) | (3ul << 12) | \
			 (1ul << 23) | (2ul << 32))

void mmu_enable(void)
{
	uint64_t sctlr;

	page_table[0] = 0x00000000ul | PTE_BLOCK | PTE_AF | PTE_SH_OUTER | PTE_ATTR(1);
	page_table[1] = 0x40000000ul | PTE_BLOCK | PTE_AF | PTE_SH_INNER | PTE_ATTR(2);
	asm volatile("dsb sy");
	asm volatile("msr mair_el1, %0" :: "r"(MAIR_VALUE));
	asm volatile("msr tcr_el1, %0" :: "r"(TCR_VALUE));
	asm volatile("msr ttbr0_el1, %0" :: "r"(page_table));
	asm volatile("isb; tlbi vmalle1; dsb sy; isb");
	asm volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
	sctlr |= (1ul << 0) | (1ul << 2) | (1ul << 12);	/* M, C, I */
	sctlr &= ~(1ul << 1);				/* A: no alignment check */
	asm volatile("msr sctlr_el1, %0; isb" :: "r"(sctlr));
}
