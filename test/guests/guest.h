/* SPDX-License-Identifier: GPL-2.0-only */
/* The little library of the bare-metal test and demo guests. */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include <stdint.h>

/* The virtual console and the GIC, where the qemu-virt partition puts them. */
#define CONSOLE_BASE	0x09000000ul
#define GICD_BASE	0x08000000ul
#define GICR_BASE	0x080a0000ul

void con_putc(char c);
void con_puts(const char *s);
void put_dec(uint64_t v);
void put_hex(uint64_t v);
void timer_init(void);
void sleep_ms(unsigned int ms);
void psci_system_off(void) __attribute__((noreturn));
void psci_system_reset(void) __attribute__((noreturn));

static inline void mmio_write32(unsigned long addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

#endif
