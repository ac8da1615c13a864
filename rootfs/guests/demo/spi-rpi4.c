// SPDX-License-Identifier: GPL-2.0-only
/*
 * alpha of the Pi 4: SPI0, the BCM2835 SPI controller at 0xfe204000,
 * passed through whole: its registers trapped (4-byte accesses) and its
 * interrupt, GIC SPI 118 (level), forwarded through VFIO and KVM's irqfd.
 * Each tick sends one byte with "interrupt on DONE" set and sleeps until
 * the DONE interrupt comes; the handler ends the transfer (TA off clears
 * DONE, which lowers the line) before the EOI, so the host can unmask the
 * line for the next one. Nothing need be wired to the header's pins.
 *
 * QEMU 10.0's raspi4b model wires SPI0's interrupt to the legacy BCM2835
 * interrupt controller only, not to GIC SPI 118: there DONE is polled
 * after 20 ms and the line says so (docs/boards.md).
 */
#include "demo.h"

#define SPI_BASE	0xfe204000ul
#define SPI_CS		(SPI_BASE + 0x00)
#define SPI_FIFO	(SPI_BASE + 0x04)
#define SPI_CLK		(SPI_BASE + 0x08)
#define CS_CLEAR	(3u << 4)	/* both FIFOs */
#define CS_TA		(1u << 7)	/* transfer active */
#define CS_INTD		(1u << 9)	/* interrupt on DONE */
#define CS_DONE		(1u << 16)
#define CS_RXD		(1u << 17)
#define SPI0_SPI	118
/* 500 MHz core clock / 500: 1 MHz. */
#define SPI_DIVIDER	500

static volatile unsigned int spi_interrupts;

static void spi_irq(unsigned int intid)
{
	if (intid != GIC_SPI_BASE + SPI0_SPI)
		return;
	mmio_write32(SPI_CS, 0);
	spi_interrupts++;
}

void device_start(void)
{
	mmio_write32(SPI_CS, CS_CLEAR);
	mmio_write32(SPI_CLK, SPI_DIVIDER);
	irq_set_handler(spi_irq);
	gic_spi_enable(SPI0_SPI, GIC_TRIGGER_LEVEL, 0x80);
	irq_enable();
}

void device_tick(uint64_t n)
{
	unsigned int before = spi_interrupts, ms, rx = 0;
	uint32_t cs = 0;

	mmio_write32(SPI_CS, CS_CLEAR | CS_TA);
	mmio_write32(SPI_FIFO, n & 0xff);
	while (mmio_read32(SPI_CS) & CS_RXD && rx < 16) {
		mmio_read32(SPI_FIFO);
		rx++;
	}
	mmio_write32(SPI_CS, CS_TA | CS_INTD);
	for (ms = 0; ms < 20 && spi_interrupts == before; ms++)
		sleep_ms(1);
	if (spi_interrupts == before) {
		cs = mmio_read32(SPI_CS);
		mmio_write32(SPI_CS, 0);
	}
	say("SPI0 at 0xfe204000 (passthrough, interrupt SPI 118)");
	con_puts("byte ");
	put_dec(n & 0xff);
	if (spi_interrupts != before)
		con_puts(" sent, DONE: interrupt taken (");
	else if (cs & CS_DONE)
		con_puts(" sent, DONE: polled, no interrupt (");
	else
		con_puts(" NOT sent: no DONE (");
	put_dec(spi_interrupts);
	con_puts(" interrupts so far)\n");
}
