// SPDX-License-Identifier: GPL-2.0-only
/*
 * One of the board's virtio-mmio transports passed through in trap mode
 * (its 0x200 bytes share a page with seven others, so VFIO will not mmap
 * it and pinvm does each access with pread/pwrite of that width), with
 * QEMU's virtio-net device behind it. The guest identifies the device
 * with 32-bit reads, brings it to DRIVER_OK and waits for configuration
 * change interrupts (InterruptStatus bit 1), which QEMU raises when the
 * test turns the link off and on from its monitor (set_link); each is
 * acknowledged through InterruptACK. CHANGES of them, then "virtio done".
 *
 * No virtqueue is ever set up, and none may be: with VFIO's no-IOMMU mode
 * nothing translates the device's DMA, so descriptor addresses the guest
 * wrote (guest-physical) would be taken as host-physical and the device
 * would read and write the host's memory there. Without a queue,
 * virtio-net drops what it would receive and DMAs nothing; the config
 * space and its interrupt need none.
 */
#include "guest.h"

#define VIRTIO		0x0a003e00ul
#define VIRTIO_MAGIC	(VIRTIO + 0x000)
#define VIRTIO_VERSION	(VIRTIO + 0x004)
#define VIRTIO_DEVICEID	(VIRTIO + 0x008)
#define VIRTIO_VENDORID	(VIRTIO + 0x00c)
#define VIRTIO_DEVFEAT	(VIRTIO + 0x010)
#define VIRTIO_DEVFEATSEL (VIRTIO + 0x014)
#define VIRTIO_DRVFEAT	(VIRTIO + 0x020)
#define VIRTIO_DRVFEATSEL (VIRTIO + 0x024)
#define VIRTIO_INTSTATUS (VIRTIO + 0x060)
#define VIRTIO_INTACK	(VIRTIO + 0x064)
#define VIRTIO_STATUS	(VIRTIO + 0x070)
#define VIRTIO_CONFIG	(VIRTIO + 0x100)
#define VIRTIO_SPI	47

#define MAGIC		0x74726976u	/* "virt" */
#define ST_ACKNOWLEDGE	1u
#define ST_DRIVER	2u
#define ST_DRIVER_OK	4u
#define ST_FEATURES_OK	8u
#define INT_CONFIG	(1u << 1)
#define NET_F_STATUS	(1u << 16)
#define F_VERSION_1	(1u << 0)	/* feature bit 32: word 1, bit 0 */
#define NET_DEVICE_ID	1

#ifndef CHANGES
#define CHANGES 2
#endif

static volatile unsigned int changes;

/* virtio_net_config: mac[6] then status (le16): bytes 6-7 of the word at 4. */
static unsigned int link_status(void)
{
	return (mmio_read32(VIRTIO_CONFIG + 4) >> 16) & 0xffff;
}

static void virtio_irq(unsigned int intid)
{
	uint32_t isr;

	if (intid != GIC_SPI_BASE + VIRTIO_SPI) {
		con_puts("unexpected interrupt ");
		put_dec(intid);
		con_puts("\n");
		return;
	}
	isr = mmio_read32(VIRTIO_INTSTATUS);
	mmio_write32(VIRTIO_INTACK, isr);
	if (isr & INT_CONFIG)
		changes++;
	con_puts("virtio-irq ");
	put_dec(changes);
	con_puts(" isr=0x");
	put_hex_n(isr, 2);
	con_puts(" link=");
	put_dec(link_status() & 1);
	con_puts(" after=0x");
	put_hex_n(mmio_read32(VIRTIO_INTSTATUS), 2);
	con_puts("\n");
}

static void say32(const char *what, uint32_t v)
{
	con_puts(what);
	con_puts("=0x");
	put_hex_n(v, 8);
}

static int negotiate(uint32_t version)
{
	uint32_t want;

	mmio_write32(VIRTIO_STATUS, 0);		/* reset */
	mmio_write32(VIRTIO_STATUS, ST_ACKNOWLEDGE);
	mmio_write32(VIRTIO_STATUS, ST_ACKNOWLEDGE | ST_DRIVER);
	mmio_write32(VIRTIO_DEVFEATSEL, 0);
	want = mmio_read32(VIRTIO_DEVFEAT) & NET_F_STATUS;
	mmio_write32(VIRTIO_DRVFEATSEL, 0);
	mmio_write32(VIRTIO_DRVFEAT, want);
	/* A modern (version 2) device needs VERSION_1 accepted. */
	mmio_write32(VIRTIO_DEVFEATSEL, 1);
	want = version >= 2 ? mmio_read32(VIRTIO_DEVFEAT) & F_VERSION_1 : 0;
	mmio_write32(VIRTIO_DRVFEATSEL, 1);
	mmio_write32(VIRTIO_DRVFEAT, want);
	mmio_write32(VIRTIO_STATUS, ST_ACKNOWLEDGE | ST_DRIVER | ST_FEATURES_OK);
	/* A legacy device has no FEATURES_OK to keep; a modern one must. */
	if (version >= 2 && !(mmio_read32(VIRTIO_STATUS) & ST_FEATURES_OK))
		return -1;
	mmio_write32(VIRTIO_STATUS, ST_ACKNOWLEDGE | ST_DRIVER |
		     ST_FEATURES_OK | ST_DRIVER_OK);
	return 0;
}

int main(void)
{
	uint32_t magic, version, id;

	timer_init();
	print_boot();
	magic = mmio_read32(VIRTIO_MAGIC);
	version = mmio_read32(VIRTIO_VERSION);
	id = mmio_read32(VIRTIO_DEVICEID);
	say32("virtio magic", magic);
	say32(" version", version);
	say32(" device", id);
	say32(" vendor", mmio_read32(VIRTIO_VENDORID));
	con_puts("\n");
	if (magic != MAGIC || id != NET_DEVICE_ID) {
		con_puts("virtio: not a virtio-net transport\n");
		psci_system_off();
	}
	if (negotiate(version)) {
		con_puts("virtio: FEATURES_OK refused\n");
		psci_system_off();
	}
	say32("virtio status", mmio_read32(VIRTIO_STATUS));
	con_puts(" link=");
	put_dec(link_status() & 1);
	con_puts("\n");
	irq_set_handler(virtio_irq);
	gic_spi_enable(VIRTIO_SPI, GIC_TRIGGER_KEEP, 0x80);
	con_puts("virtio spi 47 trigger ");
	con_puts(gic_spi_trigger(VIRTIO_SPI) == GIC_TRIGGER_EDGE ? "edge\n" :
		 "level\n");
	irq_enable();
	con_puts("virtio-wait-irq\n");
	wait_for_count(&changes, CHANGES);
	irq_disable();
	/* Leave the device reset, as a driver unbinding it would. */
	mmio_write32(VIRTIO_STATUS, 0);
	con_puts("virtio done ");
	put_dec(changes);
	con_puts("\n");
	for (;;)
		sleep_ms(1000);
}
