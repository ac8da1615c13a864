// SPDX-License-Identifier: GPL-2.0-only
/*
 * beta, a big-endian guest: QEMU's fw_cfg, passed through in trap mode.
 * Item 0 (the signature, "QEMU") is selected through the 16-bit big-endian
 * selector, then read with 1-, 2-, 4- and 8-byte accesses of the data
 * register, which gives the item's bytes in stream order whatever the
 * width. Each value read is stored back with the same width and the
 * memory's bytes printed: "QEMU" for every width shows that pinvm passed
 * every access on as it was, and the values show how a big-endian CPU
 * reads those bytes (0x51454d55; a little-endian one reads 0x554d4551).
 */
#include "demo.h"

#define FWCFG_BASE	0x09020000ul
#define FWCFG_DATA	(FWCFG_BASE + 0x0)
#define FWCFG_SEL	(FWCFG_BASE + 0x8)	/* 16-bit, big-endian */
#define FW_CFG_SIGNATURE 0x0000

#ifdef __AARCH64EB__
#define cpu_to_be16(v)	((uint16_t)(v))
#define BYTE_ORDER_NAME	"big-endian guest"
#else
#define cpu_to_be16(v)	__builtin_bswap16(v)
#define BYTE_ORDER_NAME	"little-endian guest"
#endif

#define R8(a)		(*(volatile uint8_t *)(a))
#define R16(a)		(*(volatile uint16_t *)(a))
#define R32(a)		(*(volatile uint32_t *)(a))
#define R64(a)		(*(volatile uint64_t *)(a))

/* n reads of width w bytes from the start of the item. */
static void show_reads(unsigned int w, unsigned int n)
{
	union {
		uint8_t b[8];
		uint16_t h[4];
		uint32_t s[2];
		uint64_t d;
	} mem = { .d = 0 };
	uint64_t value[4];
	unsigned int i;

	R16(FWCFG_SEL) = cpu_to_be16(FW_CFG_SIGNATURE);
	for (i = 0; i < n; i++) {
		if (w == 1)
			value[i] = mem.b[i] = R8(FWCFG_DATA);
		else if (w == 2)
			value[i] = mem.h[i] = R16(FWCFG_DATA);
		else if (w == 4)
			value[i] = mem.s[i] = R32(FWCFG_DATA);
		else
			value[i] = mem.d = R64(FWCFG_DATA);
	}
	say("fw_cfg at 0x9020000 (passthrough, trap; " BYTE_ORDER_NAME ")");
	con_puts("item 0, ");
	put_dec(w);
	con_puts(n > 1 ? "-byte reads:" : "-byte read:");
	for (i = 0; i < n; i++) {
		con_puts(" 0x");
		put_hex_n(value[i], 2 * w);
	}
	con_puts(" = bytes");
	for (i = 0; i < n * w; i++) {
		con_putc(' ');
		put_hex_n(mem.b[i], 2);
	}
	con_puts(" \"");
	for (i = 0; i < n * w; i++)
		con_putc(mem.b[i] >= 0x20 && mem.b[i] < 0x7f ? mem.b[i] : '.');
	con_puts("\"\n");
}

void device_start(void)
{
	show_reads(1, 4);
	show_reads(2, 2);
	show_reads(4, 1);
	show_reads(8, 1);
}

void device_tick(uint64_t n __attribute__((unused)))
{
}
