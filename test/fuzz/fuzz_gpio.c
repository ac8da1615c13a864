// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: the PL061 model's register file (drivers/gpio/pl061.c) as a
 * guest drives it, through the driver's own region on a bus, with a fake
 * line backend whose host chip the input can take away and give back, and
 * whose edges it makes. The input also runs the event thread's rounds (a
 * list, then later the reads), so that lines are requested again, or die,
 * between the two, as they can between the thread's poll and its read.
 * The input is a list of 4-byte operations:
 *
 *   op, a, b, v
 *   op % 8: 0 write, 1 read (register a, GPIODATA's mask b), 2 host
 *   values b, 3 the chip loses lines b, 4 and gets them back, 5 edges on
 *   lines b (rising if v & 1), 6 a round's list (controller a & 1's
 *   lines first), 7 the listed round's reads; op & 8: a guest reset
 *
 * The invariants: the backend is never asked about a line it has not
 * requested, nor asked to request one twice; event() reads only the
 * request whose fd the round's list polled; a dead line reads 0; GPIOMIS
 * is GPIORIS & GPIOIE; the SPI is only told changes.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver.h"
#include "gpio/gpio.h"

void __sanitizer_set_report_fd(void *fd);
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BASE0	0x09030000ull
#define BASE1	0x09040000ull

/* The fake host chip's lines, by offset: c0 has 0-5, c1 has 6 and 7. */
static struct fake_line {
	bool requested;
	enum gpio_mode mode;
	int fd[2];
	int value;
	/* Which request this is, and which one a round's list polled. */
	unsigned int req, listed;
} fl[8];
static uint8_t gone;		/* lines whose chip went away */

/*
 * The model says once of every line that dies, and inputs kill lines all
 * the time: its warnings go nowhere while an input runs. libFuzzer's own
 * output (between inputs), the sanitizers' reports and fail()'s abort
 * keep the real stderr.
 */
static int real_stderr = -1, devnull = -1;
static bool in_round;		/* the event thread's reads are running */

static void fail(void)
{
	dup2(real_stderr, STDERR_FILENO);
	abort();
}

static int fake_resolve(struct gpio_line *l, struct pinvm_error *err)
{
	snprintf(l->host, sizeof(l->host), "gpiochip0");
	return 0;
}

static int fake_request(struct gpio_line *l, enum gpio_mode mode, int value,
			struct pinvm_error *err)
{
	struct fake_line *f = &fl[l->offset];

	if (f->requested)
		fail();		/* EBUSY: the model lost track of it */
	if (gone & (1u << l->offset)) {
		error_set(err, "%s: gone", l->path);
		errno = ENODEV;
		return -1;
	}
	/* Every other line has no edge events: the model falls back. */
	if (mode == GPIO_EVENTS && (l->offset & 1) && (fl[l->offset].value & 2)) {
		error_set(err, "%s: no irq", l->path);
		errno = ENXIO;
		return -1;
	}
	if (mode == GPIO_EVENTS && pipe2(f->fd, O_NONBLOCK | O_CLOEXEC))
		fail();
	if (mode == GPIO_OUT)
		f->value = value;
	f->req++;
	f->requested = true;
	f->mode = mode;
	return 0;
}

static void fake_release(struct gpio_line *l)
{
	struct fake_line *f = &fl[l->offset];

	if (!f->requested)
		return;
	if (f->mode == GPIO_EVENTS) {
		close(f->fd[0]);
		if (f->fd[1] >= 0)
			close(f->fd[1]);
	}
	f->requested = false;
}

static struct fake_line *fake_line(struct gpio_line *l)
{
	if (!fl[l->offset].requested)
		fail();		/* libgpiod's NULL line */
	return &fl[l->offset];
}

static int fake_get(struct gpio_line *l)
{
	struct fake_line *f = fake_line(l);

	if (gone & (1u << l->offset)) {
		errno = ENODEV;
		return -1;
	}
	return f->value & 1;
}

static int fake_set(struct gpio_line *l, int v)
{
	struct fake_line *f = fake_line(l);

	if (gone & (1u << l->offset)) {
		errno = ENODEV;
		return -1;
	}
	f->value = (f->value & ~1) | !!v;
	return 0;
}

static int fake_event_fd(struct gpio_line *l)
{
	struct fake_line *f = fake_line(l);

	if (f->mode != GPIO_EVENTS)
		fail();
	f->listed = f->req;
	return f->fd[0];
}

static int fake_event(struct gpio_line *l)
{
	struct fake_line *f = fake_line(l);
	char c;

	/*
	 * In a round, not the request that was polled: libgpiod would
	 * block on it. (A reset drains what the old VM left, unpolled.)
	 */
	if (f->mode != GPIO_EVENTS || (in_round && f->listed != f->req))
		fail();
	if (read(f->fd[0], &c, 1) != 1)
		return -1;
	return c == '1';
}

static const struct gpio_backend fake = {
	.resolve = fake_resolve,
	.request = fake_request,
	.release = fake_release,
	.get = fake_get,
	.set = fake_set,
	.event_fd = fake_event_fd,
	.event = fake_event,
	.no_thread = true,
};

static struct guest_config cfg = { .name = "fuzz", .path = "/pinvm/fuzz" };
static struct gpio_config lines[2];
static struct device_config dev[2];
static struct bus bus;
static bool irq_level[64];

static void set_irq(void *ctx, unsigned int intid, bool level)
{
	if (intid >= ARRAY_SIZE(irq_level) || irq_level[intid] == level)
		fail();
	irq_level[intid] = level;
}

static void config(unsigned int k, uint64_t base, unsigned int first,
		   unsigned int n)
{
	struct device_config *d = &dev[k];
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct gpio_line *l = &lines[k].lines[i];

		l->mapped = true;
		snprintf(l->path, sizeof(l->path), "/pinvm/fuzz/gpio@%llx/line@%u",
			 (unsigned long long)base, i);
		snprintf(l->chip_name, sizeof(l->chip_name), "9030000.pl061");
		l->offset = first + i;
		l->init_out = i == 1;
		l->init_value = i == 1;
		snprintf(l->consumer, sizeof(l->consumer), "fuzz-%u", i);
	}
	d->drv = driver_find("pinvm,gpio");
	d->base = base;
	d->size = 0x1000;
	d->irqs[0] = 32 + 7 + k;
	d->nr_irqs = 1;
	d->widths = BUS_WIDTH(1) | BUS_WIDTH(2) | BUS_WIDTH(4);
	d->dir = BUS_DIR_READ | BUS_DIR_WRITE;
	d->config = &lines[k];
	snprintf(d->path, sizeof(d->path), "/pinvm/fuzz/gpio@%llx",
		 (unsigned long long)base);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct pinvm_error err;
	unsigned int k;

	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	real_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (devnull < 0 || real_stderr < 0)
		abort();
	__sanitizer_set_report_fd((void *)(intptr_t)real_stderr);
	log_console_fd = devnull;
	gpio_set_backend(&fake);
	bus_init(&bus);
	bus_attach_irqs(&bus, set_irq, NULL);
	config(0, BASE0, 0, 6);
	config(1, BASE1, 6, 2);
	for (k = 0; k < 2; k++)
		if (!dev[k].drv ||
		    dev[k].drv->attach(NULL, &cfg, &dev[k], &bus, NULL, &err))
			fail();
	return 0;
}

static const uint16_t regs[] = {
	0x000, 0x400, 0x404, 0x408, 0x40c, 0x410, 0x414, 0x418, 0x41c,
	0x420, 0x424, 0xfe0, 0xffc, 0x800,
};

static uint32_t reg_access(uint64_t addr, bool is_write, uint32_t v)
{
	uint8_t data[4];

	bus_put_le(data, 4, v);
	if (bus_access(&bus, addr, data, 4, is_write) != BUS_OK)
		fail();
	return bus_get_le(data, 4);
}

/* What a read says of the model, checked against the model's state. */
static void check_read(struct pl061 *c, uint16_t reg, uint8_t mask,
		       uint32_t v)
{
	unsigned int i;

	if (v > 0xff)
		fail();
	if (reg == 0x418 && v != (c->ris & c->ie))
		fail();
	if (reg != 0x000)
		return;
	for (i = 0; i < GPIO_LINES; i++) {
		const struct gpio_line *l = &c->lines[i];

		if ((v & (1u << i)) && (!(mask & (1u << i)) || !l->mapped ||
					l->dead || l->mode == GPIO_NONE))
			fail();
	}
}

static struct pollfd fds[16];
static struct gpio_watch w[16];
static unsigned int nr_watches;

static void edges(uint8_t which, bool rising)
{
	unsigned int i;

	for (i = 0; i < 8; i++) {
		struct fake_line *f = &fl[i];

		if ((which & (1u << i)) && f->requested &&
		    f->mode == GPIO_EVENTS && f->fd[1] >= 0 &&
		    write(f->fd[1], rising ? "1" : "0", 1) < 0 && errno != EAGAIN)
			fail();
	}
}

/* The chip loses lines: they read ENODEV, their event fds hang up. */
static void take(uint8_t which)
{
	unsigned int i;

	gone |= which;
	for (i = 0; i < 8; i++) {
		struct fake_line *f = &fl[i];

		if ((which & (1u << i)) && f->requested &&
		    f->mode == GPIO_EVENTS && f->fd[1] >= 0) {
			close(f->fd[1]);
			f->fd[1] = -1;
		}
	}
}

static void round_read(void)
{
	unsigned int k;

	in_round = true;
	for (k = 0; k < nr_watches; k++) {
		/* The fd may be closed, or another's since: poll says so. */
		if (poll(&fds[k], 1, 0) < 0)
			fail();
		if (fds[k].revents)
			gpio_events_read(&w[k], fds[k].revents);
	}
	in_round = false;
	nr_watches = 0;
}

static void one_op(const uint8_t *op)
{
	struct pl061 *c = bus.regions[op[1] & 1].priv;
	uint64_t base = bus.regions[op[1] & 1].base;
	uint16_t reg = regs[(op[1] >> 1) % ARRAY_SIZE(regs)];
	uint8_t mask = op[2];
	unsigned int i;
	uint32_t v;

	if (op[0] & 8) {
		/* A new VM: its interrupt lines start low. */
		bus_reset(&bus);
		memset(irq_level, 0, sizeof(irq_level));
	}
	switch (op[0] & 7) {
	case 0:
		reg_access(base + (reg ? reg : (uint16_t)mask << 2), true, op[3]);
		break;
	case 1:
		v = reg_access(base + (reg ? reg : (uint16_t)mask << 2), false, 0);
		check_read(c, reg, reg ? 0xff : mask, v);
		break;
	case 2:
		for (i = 0; i < 8; i++)
			fl[i].value = (fl[i].value & ~1) | !!(mask & (1u << i));
		break;
	case 3:
		take(mask);
		break;
	case 4:
		gone &= ~mask;
		break;
	case 5:
		edges(mask, op[3] & 1);
		break;
	case 6:
		nr_watches = gpio_events_list(fds, w, ARRAY_SIZE(w));
		break;
	case 7:
		round_read();
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int i;

	/* Each input is a boot: the chip is whole, the devices power on. */
	gone = 0;
	nr_watches = 0;
	for (i = 0; i < 8; i++)
		fl[i].value &= ~2;
	if (size >= 1)
		for (i = 0; i < 8; i++)
			fl[i].value |= (data[0] >> i & 1) << 1;
	dup2(devnull, STDERR_FILENO);
	bus_reset(&bus);
	memset(irq_level, 0, sizeof(irq_level));
	for (; size >= 4; data += 4, size -= 4)
		one_op(data);
	dup2(real_stderr, STDERR_FILENO);
	return 0;
}
