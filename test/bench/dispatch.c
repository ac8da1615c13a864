// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host-native harness for counting pinvm's userspace instructions per MMIO
 * exit with callgrind: recorded exits (a 4-byte write to the PL031's MR, a
 * 4-byte read of its DR) are fed to the very vcpu_handle_exit() and bus of
 * core/, on a bus laid out like the qemu-virt test guests'. The device is
 * memory here, accessed by the same mmio.h accessor passthrough uses.
 *   dispatch write|read N
 * Run under: valgrind --tool=callgrind --toggle-collect=vcpu_handle_exit
 */
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest.h"
#include "kvm.h"
#include "mmio.h"

static uint8_t device[0x1000];

static bool dev_read(struct region *r, uint64_t offset, uint8_t *data,
		     unsigned int len)
{
	return mmio_read(device + offset, data, len);
}

static bool dev_write(struct region *r, uint64_t offset, const uint8_t *data,
		      unsigned int len)
{
	return mmio_write(device + offset, data, len);
}

static const struct region_ops dev_ops = {
	.read = dev_read,
	.write = dev_write,
};

/* What the harness does not exercise: a refused access. */
int kvm_inject_dabt(struct vm *vm)
{
	return 0;
}

int main(int argc, char **argv)
{
	static const uint64_t bases[] = {
		0x09000000, 0x09010000, 0x09020000, 0x09030000, 0x0a000000,
	};
	struct guest_config cfg = { .name = "bench" };
	struct kvm_run run;
	struct guest g;
	struct pinvm_error err;
	unsigned long i, n;
	unsigned int b;

	if (argc != 3)
		return 2;
	n = strtoul(argv[2], NULL, 0);
	memset(&g, 0, sizeof(g));
	memset(&run, 0, sizeof(run));
	g.cfg = &cfg;
	g.vm.run = &run;
	for (b = 0; b < ARRAY_SIZE(bases); b++) {
		struct region r = {
			.base = bases[b], .size = 0x1000, .name = "dev",
			.ops = &dev_ops, .widths = BUS_WIDTH(4),
			.dir = BUS_DIR_READ | BUS_DIR_WRITE,
		};

		if (bus_add(&g.bus, &r, &err))
			return 1;
	}
	run.exit_reason = KVM_EXIT_MMIO;
	run.mmio.len = 4;
	run.mmio.is_write = !strcmp(argv[1], "write");
	run.mmio.phys_addr = run.mmio.is_write ? 0x09010004 : 0x09010000;
	for (i = 0; i < n; i++) {
		if (run.mmio.is_write)
			memcpy(run.mmio.data, &i, 4);
		if (vcpu_handle_exit(&g) != GUEST_EXIT_NONE)
			return 1;
	}
	printf("dispatch: %lu %s exits, mmio=%llu denied=%llu\n", n, argv[1],
	       (unsigned long long)g.stats.mmio,
	       (unsigned long long)g.stats.denied);
	return g.stats.mmio == n && g.stats.denied == 0 ? 0 : 1;
}
