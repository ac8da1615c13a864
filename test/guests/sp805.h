/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The test guests' SP805 driver, as Linux's sp805_wdt drives one: unlock,
 * load, clear, enable interrupt and reset, lock. The partition's
 * pinvm,watchdog sits at WATCHDOG_BASE; pinvm clocks it at 24 MHz.
 */
#ifndef TEST_GUESTS_SP805_H
#define TEST_GUESTS_SP805_H

#include "guest.h"

#define WATCHDOG_BASE		0x0a001000ul
#define WDOG_LOAD		(WATCHDOG_BASE + 0x000)
#define WDOG_VALUE		(WATCHDOG_BASE + 0x004)
#define WDOG_CONTROL		(WATCHDOG_BASE + 0x008)
#define WDOG_INTCLR		(WATCHDOG_BASE + 0x00c)
#define WDOG_RIS		(WATCHDOG_BASE + 0x010)
#define WDOG_LOCK		(WATCHDOG_BASE + 0xc00)
#define WDOG_PERIPHID0		(WATCHDOG_BASE + 0xfe0)
#define WDOG_UNLOCK		0x1acce551u
#define WDOG_RATE_HZ		24000000u

/*
 * One plain ldr, as Linux's readl: in a loop the compiler would pick a
 * post-indexed load, which has no syndrome for KVM to decode (NISV).
 */
static inline uint32_t sp805_read(unsigned long addr)
{
	uint32_t v;

	asm volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return cpu_to_le32(v);
}

static inline void sp805_write(unsigned long addr, uint32_t v)
{
	asm volatile("str %w0, [%1]" :: "r"(cpu_to_le32(v)), "r"(addr) : "memory");
}

/* Reset timeout_ms after the last kick: two counts of half of it. */
static inline void sp805_arm(unsigned int timeout_ms)
{
	sp805_write(WDOG_LOCK, WDOG_UNLOCK);
	sp805_write(WDOG_LOAD, WDOG_RATE_HZ / 2000 * timeout_ms - 1);
	sp805_write(WDOG_INTCLR, 1);
	sp805_write(WDOG_CONTROL, 3);
	sp805_write(WDOG_LOCK, 0);
}

static inline void sp805_kick(void)
{
	sp805_write(WDOG_LOCK, WDOG_UNLOCK);
	sp805_write(WDOG_INTCLR, 1);
	sp805_write(WDOG_LOCK, 0);
}

/* Spin with IRQs masked: only a reset ends this. */
static inline void __attribute__((noreturn)) hang(void)
{
	irq_disable();
	for (;;)
		asm volatile("" ::: "memory");
}

#endif
