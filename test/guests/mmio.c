// SPDX-License-Identifier: GPL-2.0-only
/*
 * The passthrough test guest, on the qemu-virt board's real fw_cfg, PL031
 * RTC and PL061 GPIO. Raw accesses on purpose: no byte swapping here, so a
 * little- and a big-endian build show what each would see on real hardware.
 * Built as:
 *   mmio-le, mmio-be  (BYTES) the byte order matrix
 *   mmio-deny         (DENY)  every access pinvm must refuse with an abort
 *   mmio-hammer       (HAMMER) many reads of a direct-mapped register
 * Each prints its findings as "name: key=value ..." lines, then "done".
 */
#include "guest.h"

#define FWCFG		0x09020000ul	/* data +0x0, selector +0x8 (BE16) */
#define RTC		0x09010000ul	/* DR +0x0, MR +0x4 */
#define GPIO		0x09030000ul	/* GPIODIR +0x400 */
#define UNOWNED		0x0a001000ul

#define RTC_DR		(RTC + 0x0)
#define RTC_MR		(RTC + 0x4)
#define GPIO_DIR	(GPIO + 0x400)

#ifdef __AARCH64EB__
#define MR_VALUE	0x55667788u
#define to_be16(v)	((uint16_t)(v))
#else
#define MR_VALUE	0x11223344u
#define to_be16(v)	__builtin_bswap16(v)
#endif

#define R8(a)		(*(volatile uint8_t *)(a))
#define R16(a)		(*(volatile uint16_t *)(a))
#define R32(a)		(*(volatile uint32_t *)(a))
#define R64(a)		(*(volatile uint64_t *)(a))

/* "name: bytes=51 45 4d 55 value=0x554d4551" */
static void show(const char *name, const void *bytes, int n, uint64_t value)
{
	const uint8_t *b = bytes;
	int i;

	con_puts(name);
	con_puts(": bytes=");
	for (i = 0; i < n; i++) {
		if (i)
			con_putc(' ');
		put_hex_n(b[i], 2);
	}
	con_puts(" value=0x");
	put_hex_n(value, 2 * n);
	con_puts("\n");
}

/* The fw_cfg selector is a 16-bit big-endian register (QEMU's docs). */
static void fwcfg_select(uint16_t key)
{
	R16(FWCFG + 0x8) = to_be16(key);
}

/* One read of width n of the data register; stored back with width n. */
static void fwcfg_read(const char *name, uint16_t key, int n)
{
	union {
		uint8_t b8;
		uint16_t b16;
		uint32_t b32;
		uint64_t b64;
	} buf = { .b64 = 0 };
	uint64_t v = 0;

	fwcfg_select(key);
	switch (n) {
	case 1:
		v = buf.b8 = R8(FWCFG);
		break;
	case 2:
		v = buf.b16 = R16(FWCFG);
		break;
	case 4:
		v = buf.b32 = R32(FWCFG);
		break;
	case 8:
		v = buf.b64 = R64(FWCFG);
		break;
	}
	show(name, &buf, n, v);
}

static void test_bytes(void)
{
	uint32_t dr, mr;
	uint8_t dir;

	fwcfg_read("fwcfg-sig-1", 0, 1);
	fwcfg_read("fwcfg-sig-2", 0, 2);
	fwcfg_read("fwcfg-sig-4", 0, 4);
	fwcfg_read("fwcfg-sig-8", 0, 8);
	fwcfg_read("fwcfg-id-4", 1, 4);
	dr = R32(RTC_DR);
	show("rtc-dr", &dr, 4, dr);
	R32(RTC_MR) = MR_VALUE;
	mr = R32(RTC_MR);
	show("rtc-mr", &mr, 4, mr);
	R8(GPIO_DIR) = 0xa5;
	dir = R8(GPIO_DIR);
	show("gpio-dir", &dir, 1, dir);
}

/* Run one access that must be refused: one more abort, at that address. */
static void expect_abort(const char *name, unsigned long addr,
			 void (*access)(void))
{
	unsigned int before = abort_count;

	access();
	con_puts(name);
	con_puts(": aborts=");
	put_dec(abort_count - before);
	con_puts(" far=0x");
	put_hex_n(abort_far, 8);
	con_puts(abort_count - before == 1 && abort_far == addr ?
		 " ok\n" : " WRONG\n");
}

static void read_unowned(void) { (void)R32(UNOWNED); }
static void read_rtc_byte(void) { (void)R8(RTC_MR); }
static void write_rtc_half(void) { R16(RTC_MR) = 0xdead; }
/* One str, not the byte stores gcc makes of a known-misaligned address. */
static void write_rtc_unaligned(void)
{
	asm volatile("str %w0, [%1]" :: "r"(0xdeadbeef), "r"(RTC + 0x6)
		     : "memory");
}
static void write_gpio_readonly(void) { R8(GPIO_DIR) = 0x5a; }
static void read_fwcfg_straddle(void) { (void)R64(FWCFG + 0x10); }
/* Allowed by the partition; the host's device mapping faults it. */
static void read_fwcfg_unaligned(void)
{
	uint32_t v;

	asm volatile("ldr %w0, [%1]" : "=r"(v) : "r"(FWCFG + 0x2) : "memory");
}

/* A load pair gives KVM no syndrome to decode: KVM_EXIT_ARM_NISV. */
static void read_rtc_pair(void)
{
	uint32_t a, b;

	asm volatile("ldp %w0, %w1, [%2]" : "=r"(a), "=r"(b) : "r"(RTC_MR)
		     : "memory");
}

static void test_deny(void)
{
	uint32_t mr;
	uint8_t dir;
	int i;

	mmu_enable();
	R32(RTC_MR) = MR_VALUE;
	dir = R8(GPIO_DIR);
	expect_abort("deny-unowned", UNOWNED, read_unowned);
	expect_abort("deny-width-read", RTC_MR, read_rtc_byte);
	expect_abort("deny-width-write", RTC_MR, write_rtc_half);
	expect_abort("deny-unaligned", RTC + 0x6, write_rtc_unaligned);
	expect_abort("deny-direction", GPIO_DIR, write_gpio_readonly);
	expect_abort("deny-straddle", FWCFG + 0x10, read_fwcfg_straddle);
	expect_abort("deny-nisv", RTC_MR, read_rtc_pair);
	expect_abort("deny-device-fault", FWCFG + 0x2, read_fwcfg_unaligned);
	mr = R32(RTC_MR);
	show("deny-rtc-mr-after", &mr, 4, mr);
	con_puts(R8(GPIO_DIR) == dir ? "deny-gpio-dir-after: unchanged\n" :
		 "deny-gpio-dir-after: CHANGED\n");
	abort_verbose = 0;
	i = abort_count;
	for (int n = 0; n < 1000; n++)
		read_unowned();
	abort_verbose = 1;
	con_puts("deny-flood: aborts=");
	put_dec(abort_count - i);
	con_puts("\n");
}

static void test_hammer(void)
{
	uint32_t v = 0, zero = 0;
	int n;

	for (n = 0; n < 100000; n++) {
		v = R32(RTC_DR);
		zero += v == 0;
	}
	con_puts("hammer: reads=100000 zero=");
	put_dec(zero);
	con_puts(" aborts=");
	put_dec(abort_count);
	con_puts("\n");
}

int main(void)
{
	timer_init();
	con_puts("boot 1\n");
	if (MODE == 1)
		test_bytes();
	else if (MODE == 2)
		test_deny();
	else
		test_hammer();
	/*
	 * Stay up: a stopped guest's devices go back to the host at once, and
	 * the test still reads them from the host side while pinvm holds them.
	 */
	con_puts("done\n");
	for (;;)
		sleep_ms(1000);
}
