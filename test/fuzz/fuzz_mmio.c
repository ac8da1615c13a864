// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: MMIO exits as a guest could make them, fed to the very
 * vcpu_handle_exit() and bus of core/ (as test/bench/dispatch.c does), on
 * a bus with the console, health and watchdog registers (their real
 * drivers: the watchdog's counter on the real clock) and
 * memory-backed fake devices with narrow policies. The input is a list of
 * 14-byte exits:
 *
 *   kind (bit 0: NISV instead of MMIO), len, is_write, target,
 *   offset (le16, signed, from the target's base), data[8]
 *
 * The invariant: a fake device sees an access exactly when the bus's rules
 * (region, direction, width, alignment, end) allow it, once, at its offset
 * and width, and a refused access is a denied exit. KVM is stubbed: a
 * denied access counts a data abort here.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "guest.h"
#include "kvm.h"
#include "service.h"
#include "update.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fake {
	struct region policy;	/* as added to the bus */
	uint8_t *mem;		/* exactly policy.size bytes */
	unsigned int accesses;
	uint64_t last_offset;
	unsigned int last_len;
};

static struct fake fakes[] = {
	{ .policy = { .base = 0x0a000000, .size = 0x200, .name = "rw",
		      .widths = BUS_WIDTHS_ALL, .unaligned = true,
		      .dir = BUS_DIR_READ | BUS_DIR_WRITE } },
	{ .policy = { .base = 0x0a001000, .size = 0x100, .name = "ro",
		      .widths = BUS_WIDTH(4) | BUS_WIDTH(8),
		      .dir = BUS_DIR_READ } },
	{ .policy = { .base = 0x0a002000, .size = 0x10, .name = "wo",
		      .widths = BUS_WIDTH(1) | BUS_WIDTH(2),
		      .dir = BUS_DIR_WRITE } },
	/* Right below the top of the address space: offsets near wrapping. */
	{ .policy = { .base = 0xffffffffffffe000ull, .size = 0x1000,
		      .name = "top", .widths = BUS_WIDTHS_ALL,
		      .unaligned = true,
		      .dir = BUS_DIR_READ | BUS_DIR_WRITE } },
};

/* Where exits aim: the regions, a gap, address 0 and the very top. */
static const uint64_t targets[] = {
	0x09000000, 0x09030000, 0x09040000, 0x0a000000, 0x0a001000, 0x0a002000,
	0xffffffffffffe000ull, 0x0a003000, 0, 0xfffffffffffff000ull,
};

static struct guest_config cfg = { .name = "fuzz", .path = "/pinvm/fuzz" };
static struct guest g;
static struct kvm_run run;
static uint64_t aborts;

static bool fake_read(struct region *r, uint64_t offset, uint8_t *data,
		      unsigned int len)
{
	struct fake *f = r->priv;

	f->accesses++;
	f->last_offset = offset;
	f->last_len = len;
	memcpy(data, f->mem + offset, len);
	return true;
}

static bool fake_write(struct region *r, uint64_t offset, const uint8_t *data,
		       unsigned int len)
{
	struct fake *f = r->priv;

	f->accesses++;
	f->last_offset = offset;
	f->last_len = len;
	memcpy(f->mem + offset, data, len);
	return true;
}

static const struct region_ops fake_ops = {
	.read = fake_read,
	.write = fake_write,
};

/* What core/kvm.c does with KVM, stubbed as in test/bench/dispatch.c. */
int kvm_inject_dabt(struct vm *vm)
{
	aborts++;
	return 0;
}

static bool irq_level[256];

static void set_irq(void *ctx, unsigned int intid, bool level)
{
	if (intid >= ARRAY_SIZE(irq_level) || irq_level[intid] == level)
		abort();	/* the console only reports changes */
	irq_level[intid] = level;
}

/* The health register's end of field update: a link nobody reads. */
static const struct service fake_update = { .name = UPDATE_SERVICE };
DEFINE_SERVICE(fake_update);
static struct update_link health_link;
static struct guest_links links;

/*
 * The monitor a health report wakes: a thread that blocks SIGUSR2 (to the
 * fuzzer's own thread, SIGUSR2 means "exit").
 */
static void *monitor_thread(void *arg)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	for (;;)
		sigwait(&set, &sig);
	return NULL;
}

static void attach(const char *compatible, uint64_t base, uint32_t irq)
{
	const struct driver *drv = driver_find(compatible);
	struct device_config d = {
		.drv = drv, .base = base, .size = 0x1000,
		.irqs = { irq }, .nr_irqs = irq != 0,
		.widths = BUS_WIDTHS_ALL, .dir = BUS_DIR_READ | BUS_DIR_WRITE,
	};
	struct pinvm_error err;

	if (!drv)
		return;		/* not compiled in */
	strcpy(d.path, compatible);
	/*
	 * Zeroed, as the parser gives it before check(): the defaults. None
	 * of the drivers attached here keeps it past attach().
	 */
	if (device_config_alloc(&d, &err) ||
	    drv->attach(NULL, &cfg, &d, &g.bus, &links, &err))
		abort();
	device_config_free(&d);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	sigset_t usr2, old;
	struct pinvm_error err;
	unsigned int i;

	log_console_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	g.cfg = &cfg;
	g.vm.run = &run;
	bus_init(&g.bus);
	bus_attach_irqs(&g.bus, set_irq, NULL);
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &usr2, &old);
	if (pthread_create(&health_link.main, NULL, monitor_thread, NULL))
		abort();
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	guest_set_link(&links, &fake_update, &health_link);
	attach("pinvm,console", 0x09000000, 33);
	attach("pinvm,health", 0x09030000, 0);
	attach("pinvm,watchdog", 0x09040000, 34);
	for (i = 0; i < ARRAY_SIZE(fakes); i++) {
		struct region r = fakes[i].policy;

		fakes[i].mem = calloc(1, r.size);
		r.ops = &fake_ops;
		r.priv = &fakes[i];
		if (!fakes[i].mem || bus_add(&g.bus, &r, &err))
			abort();
	}
	return 0;
}

/* The fake device the bus's rules send this access to, or NULL. */
static struct fake *allowed(uint64_t addr, unsigned int len, bool is_write)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fakes); i++) {
		const struct region *r = &fakes[i].policy;
		uint64_t off = addr - r->base;

		if (addr < r->base || off >= r->size)
			continue;
		if (!(r->dir & (is_write ? BUS_DIR_WRITE : BUS_DIR_READ)) ||
		    (len != 1 && len != 2 && len != 4 && len != 8) ||
		    !(r->widths & len) || (!r->unaligned && addr % len) ||
		    off + len > r->size)
			return NULL;
		return &fakes[i];
	}
	return NULL;
}

static bool in_fake(uint64_t addr)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fakes); i++)
		if (addr >= fakes[i].policy.base &&
		    addr - fakes[i].policy.base < fakes[i].policy.size)
			return true;
	return false;
}

static void one_exit(const uint8_t *rec)
{
	unsigned int i, before[ARRAY_SIZE(fakes)];
	uint64_t denied = g.stats.denied, dabt = aborts;
	int16_t off = (int16_t)(rec[4] | rec[5] << 8);
	uint64_t addr = targets[rec[3] % ARRAY_SIZE(targets)] + off;
	bool nisv = rec[0] & 1;
	struct fake *f = NULL;

	for (i = 0; i < ARRAY_SIZE(fakes); i++)
		before[i] = fakes[i].accesses;
	memset(&run, 0, sizeof(run));
	if (nisv) {
		run.exit_reason = KVM_EXIT_ARM_NISV;
		run.arm_nisv.fault_ipa = addr;
	} else {
		run.exit_reason = KVM_EXIT_MMIO;
		run.mmio.phys_addr = addr;
		run.mmio.len = rec[1];
		run.mmio.is_write = rec[2] & 1;
		memcpy(run.mmio.data, rec + 6, 8);
		f = allowed(addr, rec[1], rec[2] & 1);
	}
	if (vcpu_handle_exit(&g) != GUEST_EXIT_NONE)
		abort();	/* MMIO and NISV exits never end the loop */
	for (i = 0; i < ARRAY_SIZE(fakes); i++) {
		unsigned int n = fakes[i].accesses - before[i];

		if (n != (f == &fakes[i]))
			abort();	/* refused, yet it reached a device */
	}
	if (f) {
		if (g.stats.denied != denied ||
		    f->last_offset != addr - f->policy.base ||
		    f->last_len != rec[1])
			abort();
	} else if ((nisv || in_fake(addr)) &&
		   (g.stats.denied != denied + 1 || aborts != dabt + 1)) {
		abort();	/* refused, yet no data abort */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Each input is a boot: devices start from their power-on state. */
	bus_reset(&g.bus);
	memset(irq_level, 0, sizeof(irq_level));
	for (; size >= 14; data += 14, size -= 14)
		one_exit(data);
	return 0;
}
