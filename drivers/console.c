// SPDX-License-Identifier: GPL-2.0-only
/*
 * The per-guest virtual console: a UART with the ARM PL011 register layout
 * (DDI 0183), so guest code written for a PL011 prints unchanged. Output is
 * collected a line at a time and written as "[guest-name] text".
 */
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "guest_fdt.h"

#define UART_DR		0x000
#define UART_FR		0x018
#define UART_IBRD	0x024
#define UART_FBRD	0x028
#define UART_LCR_H	0x02c
#define UART_CR		0x030
#define UART_IFLS	0x034
#define UART_IMSC	0x038
#define UART_RIS	0x03c
#define UART_MIS	0x040
#define UART_PERIPHID0	0xfe0

#define UART_FR_RXFE	0x10
#define UART_FR_TXFE	0x80
/* The transmit FIFO is always empty, so its interrupt is always raised. */
#define UART_INT_TX	0x20

/* PL011 r1p5 peripheral and PrimeCell identification, as the TRM lists. */
static const uint8_t console_id[8] = {
	0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1
};

struct console {
	const char *guest;
	struct bus *bus;
	uint32_t irq;		/* GIC INTID, 0 for none */
	bool irq_level;
	uint32_t ibrd, fbrd, lcr_h, cr, ifls, imsc;
	unsigned int len;
	char line[CONFIG_CONSOLE_LINE_MAX];
};

static void console_flush(struct console *c)
{
	if (c->len)
		log_console_line(c->guest, c->line, c->len);
	c->len = 0;
}

static void console_putc(struct console *c, char ch)
{
	if (ch == '\n') {
		log_console_line(c->guest, c->line, c->len);
		c->len = 0;
		return;
	}
	if (ch == '\r')
		return;
	c->line[c->len++] = ch;
	if (c->len == sizeof(c->line))
		console_flush(c);
}

/*
 * The PL011's combined interrupt: TX (always pending here) masked by IMSC.
 * Linux's amba-pl011 driver transmits from that interrupt.
 */
static void console_update_irq(struct console *c)
{
	bool level = c->imsc & UART_INT_TX;

	bus_update_irq(c->bus, c->irq, level, &c->irq_level);
}

static uint32_t *console_reg(struct console *c, uint64_t offset)
{
	switch (offset) {
	case UART_IBRD:
		return &c->ibrd;
	case UART_FBRD:
		return &c->fbrd;
	case UART_LCR_H:
		return &c->lcr_h;
	case UART_CR:
		return &c->cr;
	case UART_IFLS:
		return &c->ifls;
	case UART_IMSC:
		return &c->imsc;
	}
	return NULL;
}

static bool console_read(struct region *r, uint64_t offset, uint8_t *data,
			 unsigned int len)
{
	struct console *c = r->priv;
	uint64_t reg = offset & ~3ull;
	uint32_t *p = console_reg(c, reg);
	uint32_t v = 0;

	if (reg == UART_FR)
		v = UART_FR_TXFE | UART_FR_RXFE;
	else if (reg == UART_RIS)
		v = UART_INT_TX;
	else if (reg == UART_MIS)
		v = c->imsc & UART_INT_TX;
	else if (reg >= UART_PERIPHID0 && reg < UART_PERIPHID0 + 4 * 8)
		v = console_id[(reg - UART_PERIPHID0) / 4];
	else if (p)
		v = *p;
	/* Registers are 32 bits wide; a narrower read sees the low bytes. */
	bus_put_le(data, len, v >> (8 * (offset & 3)));
	return true;
}

static bool console_write(struct region *r, uint64_t offset,
			  const uint8_t *data, unsigned int len)
{
	struct console *c = r->priv;
	uint64_t v = bus_get_le(data, len);
	uint32_t *p;

	if (offset == UART_DR) {
		console_putc(c, v & 0xff);
		return true;
	}
	p = console_reg(c, offset);
	if (!p || (offset & 3))
		return true;
	*p = v;
	if (offset == UART_IMSC)
		console_update_irq(c);
	return true;
}

static void console_reset(struct region *r)
{
	struct console *c = r->priv;

	console_flush(c);
	memset(&c->ibrd, 0, offsetof(struct console, len) -
			    offsetof(struct console, ibrd));
	/* The guest's new VM starts with the line low. */
	c->irq_level = false;
}

static void console_release(struct region *r)
{
	console_flush(r->priv);
	free(r->priv);
	r->priv = NULL;
}

static const struct region_ops console_ops = {
	.read = console_read,
	.write = console_write,
	.reset = console_reset,
	.release = console_release,
};

static int console_attach(const struct partition *p,
			  const struct guest_config *g,
			  const struct device_config *dev, struct bus *bus,
			  const struct guest_links *links,
			  struct pinvm_error *err)
{
	struct console *c = device_zalloc(dev, sizeof(*c), err);
	struct region r = device_region(dev, &console_ops, c);

	if (!c)
		return -1;
	/* The PL011's registers, as the TRM allows them: never 8 bytes. */
	r.widths = BUS_WIDTH(1) | BUS_WIDTH(2) | BUS_WIDTH(4);
	r.dir = BUS_DIR_READ | BUS_DIR_WRITE;
	c->guest = g->name;
	c->bus = bus;
	c->irq = dev->nr_irqs ? dev->irqs[0] : 0;
	if (bus_add(bus, &r, err)) {
		free(c);
		return -1;
	}
	return 0;
}

static int console_check(const struct partition *p,
			 const struct guest_config *g,
			 struct device_config *dev,
			 struct pinvm_error *err)
{
	if (dev->size < 0x1000) {
		partition_error(err, p, dev->path, "reg: a PL011 console needs 0x1000 bytes");
		return -1;
	}
	/* A Linux guest's amba-pl011 driver needs the interrupt. */
	return partition_read_spi(p, dev, err);
}

static void console_guest_fdt(struct guest_fdt *b, const struct partition *p,
			      const struct device_config *dev)
{
	static const char compat[] = "arm,pl011\0arm,primecell";
	static const char clock_names[] = "uartclk\0apb_pclk";
	uint32_t clk = guest_fdt_clock(b);
	fdt32_t clocks[2] = { cpu_to_fdt32(clk), cpu_to_fdt32(clk) };
	int node;

	node = guest_fdt_device(b, dev, "serial@%llx", compat, sizeof(compat));
	guest_fdt_prop(b, node, "clocks", clocks, sizeof(clocks));
	guest_fdt_prop(b, node, "clock-names", clock_names, sizeof(clock_names));
	if (!b->stdout_path[0])
		snprintf(b->stdout_path, sizeof(b->stdout_path), "/serial@%llx",
			 (unsigned long long)dev->base);
}

DEFINE_DRIVER(console) = {
	.compatible = "pinvm,console",
	.check = console_check,
	.attach = console_attach,
	.guest_fdt = console_guest_fdt,
};
