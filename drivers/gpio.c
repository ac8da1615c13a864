// SPDX-License-Identifier: GPL-2.0-only
/*
 * A virtual GPIO controller per guest with the ARM PL061 register interface
 * (DDI 0190), whose lines are real host GPIO lines requested through
 * libgpiod. Several guests can own different lines of one host chip, which
 * page-granular passthrough could never split.
 *
 * Register writes become libgpiod requests and value changes; reads become
 * line values. Edge events of input lines are read by one event thread (not
 * on a vCPU's path) and raise the controller's SPI in the guest, honouring
 * GPIOIS/IBE/IEV/IE, and GPIOIC. Reserved offsets read as zero and ignore
 * writes, as the TRM says of them.
 */
#include <errno.h>
#include <gpiod.h>
#include <libfdt.h>
#include <linux/gpio.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "driver.h"
#include "file.h"
#include "gpio.h"
#include "guest_fdt.h"
#include "sandbox.h"

#define GPIODATA_END	0x400
#define GPIODIR		0x400
#define GPIOIS		0x404
#define GPIOIBE		0x408
#define GPIOIEV		0x40c
#define GPIOIE		0x410
#define GPIORIS		0x414
#define GPIOMIS		0x418
#define GPIOIC		0x41c
#define GPIOAFSEL	0x420
#define GPIOPERIPHID0	0xfe0

/* PL061 peripheral and PrimeCell identification (TRM, section 3.3). */
static const uint8_t pl061_id[8] = {
	0x61, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1
};

/* --- libgpiod: the real lines --------------------------------------------- */

static int gpiod_request(struct gpio_line *l, enum gpio_mode mode, int value,
			 struct pinvm_error *err)
{
	int ret;

	if (!l->chip)
		l->chip = gpiod_chip_open_lookup(l->chip_name);
	if (!l->chip) {
		error_set(err, "%s: chip: GPIO chip \"%s\" (for line %u): %s",
			  l->path, l->chip_name, l->offset, strerror(errno));
		return -1;
	}
	if (!l->line)
		l->line = gpiod_chip_get_line(l->chip, l->offset);
	if (!l->line) {
		error_set(err, "%s: line: chip \"%s\" has no line %u: %s",
			  l->path, l->chip_name, l->offset, strerror(errno));
		return -1;
	}
	switch (mode) {
	case GPIO_OUT:
		ret = gpiod_line_request_output_flags(l->line, l->consumer,
						      l->flags, value);
		break;
	case GPIO_EVENTS:
		ret = gpiod_line_request_both_edges_events_flags(l->line,
								 l->consumer,
								 l->flags);
		break;
	default:
		ret = gpiod_line_request_input_flags(l->line, l->consumer,
						     l->flags);
		break;
	}
	if (ret) {
		error_set(err, "%s: line: chip \"%s\" line %u: %s%s", l->path,
			  l->chip_name, l->offset, strerror(errno),
			  errno == EBUSY ? " (requested by another consumer)" : "");
		return -1;
	}
	return 0;
}

static void gpiod_release(struct gpio_line *l)
{
	if (l->line)
		gpiod_line_release(l->line);
	if (l->chip)
		gpiod_chip_close(l->chip);
	l->line = NULL;
	l->chip = NULL;
}

static int gpiod_get(struct gpio_line *l)
{
	return gpiod_line_get_value(l->line);
}

static int gpiod_set(struct gpio_line *l, int value)
{
	return gpiod_line_set_value(l->line, value);
}

static int gpiod_event_fd(struct gpio_line *l)
{
	return gpiod_line_event_get_fd(l->line);
}

/* 1 for a rising edge, 0 for a falling one, -1 for none. */
static int gpiod_event(struct gpio_line *l)
{
	struct gpiod_line_event ev;

	if (gpiod_line_event_read(l->line, &ev))
		return -1;
	return ev.event_type == GPIOD_LINE_EVENT_RISING_EDGE;
}

static const struct gpio_backend gpiod_backend = {
	.request = gpiod_request,
	.release = gpiod_release,
	.get = gpiod_get,
	.set = gpiod_set,
	.event_fd = gpiod_event_fd,
	.event = gpiod_event,
};

static const struct gpio_backend *backend = &gpiod_backend;

void gpio_set_backend(const struct gpio_backend *b)
{
	backend = b;
}

/* --- the PL061 model --------------------------------------------------------- */

static bool line_is(const struct pl061 *c, unsigned int i)
{
	return c->lines[i].mapped;
}

/* What mode a line must be requested in for the current registers. */
static enum gpio_mode pl061_mode(const struct pl061 *c, unsigned int i)
{
	if (c->dir & (1u << i))
		return GPIO_OUT;
	return c->ie & (1u << i) ? GPIO_EVENTS : GPIO_IN;
}

/* Level-sensitive lines: raised while the line is at the IEV level. */
static void pl061_update_levels(struct pl061 *c)
{
	unsigned int i;

	for (i = 0; i < GPIO_LINES; i++) {
		uint8_t bit = 1u << i;

		if (!line_is(c, i) || !(c->is & bit) || (c->dir & bit))
			continue;
		if (!!backend->get(&c->lines[i]) == !!(c->iev & bit))
			c->ris |= bit;
		else
			c->ris &= ~bit;
	}
}

static void pl061_update_irq(struct pl061 *c)
{
	bool level = c->irq_ready && (c->ris & c->ie);

	if (!c->irq || level == c->irq_level || !c->bus->set_irq)
		return;
	c->irq_level = level;
	c->bus->set_irq(c->bus, c->irq, level);
}

/* Bring every mapped line's request in line with the registers. */
static void pl061_sync_lines(struct pl061 *c)
{
	struct pinvm_error err;
	unsigned int i;
	bool changed = false;

	for (i = 0; i < GPIO_LINES; i++) {
		struct gpio_line *l = &c->lines[i];
		enum gpio_mode mode = pl061_mode(c, i);

		if (!l->mapped || l->mode == mode)
			continue;
		backend->release(l);
		l->mode = GPIO_NONE;
		if (backend->request(l, mode, !!(c->out & (1u << i)), &err)) {
			pr_warn("%s: %s", c->guest, err.msg);
			continue;
		}
		l->mode = mode;
		changed = true;
	}
	if (changed)
		gpio_events_changed();
}

static uint8_t pl061_read_data(struct pl061 *c, uint8_t mask)
{
	uint8_t v = 0;
	unsigned int i;

	for (i = 0; i < GPIO_LINES; i++) {
		uint8_t bit = 1u << i;

		if (!(mask & bit) || !line_is(c, i))
			continue;
		if (c->dir & bit)
			v |= c->out & bit;
		else if (backend->get(&c->lines[i]) > 0)
			v |= bit;
	}
	return v;
}

/* GPIODATA: bits [9:2] of the address mask which lines a write touches. */
static void pl061_write_data(struct pl061 *c, uint8_t mask, uint8_t v)
{
	unsigned int i;

	c->out = (c->out & ~mask) | (v & mask);
	for (i = 0; i < GPIO_LINES; i++) {
		uint8_t bit = 1u << i;

		if ((mask & bit) && (c->dir & bit) && line_is(c, i))
			backend->set(&c->lines[i], !!(v & bit));
	}
}

static uint8_t *pl061_reg(struct pl061 *c, uint64_t offset)
{
	switch (offset) {
	case GPIODIR:
		return &c->dir;
	case GPIOIS:
		return &c->is;
	case GPIOIBE:
		return &c->ibe;
	case GPIOIEV:
		return &c->iev;
	case GPIOIE:
		return &c->ie;
	case GPIOAFSEL:
		return &c->afsel;
	}
	return NULL;
}

uint32_t pl061_read(struct pl061 *c, uint64_t offset)
{
	uint8_t *r;
	uint32_t v = 0;

	pthread_mutex_lock(&c->lock);
	c->irq_ready = true;
	if (offset < GPIODATA_END) {
		v = pl061_read_data(c, offset >> 2);
	} else if (offset == GPIORIS || offset == GPIOMIS) {
		pl061_update_levels(c);
		v = offset == GPIORIS ? c->ris : c->ris & c->ie;
	} else if (offset >= GPIOPERIPHID0 && offset < GPIOPERIPHID0 + 32) {
		v = pl061_id[(offset - GPIOPERIPHID0) / 4];
	} else if ((r = pl061_reg(c, offset))) {
		v = *r;
	}
	pthread_mutex_unlock(&c->lock);
	return v;
}

void pl061_write(struct pl061 *c, uint64_t offset, uint32_t v)
{
	uint8_t *r;

	pthread_mutex_lock(&c->lock);
	c->irq_ready = true;
	if (offset < GPIODATA_END) {
		pl061_write_data(c, offset >> 2, v);
	} else if (offset == GPIOIC) {
		/* Level-sensitive bits stay while the level does. */
		c->ris &= ~(v & ~c->is);
	} else if ((r = pl061_reg(c, offset))) {
		*r = v;
		if (offset == GPIODIR || offset == GPIOIE || offset == GPIOIS)
			pl061_sync_lines(c);
	}
	pl061_update_levels(c);
	pl061_update_irq(c);
	pthread_mutex_unlock(&c->lock);
}

/* An edge on line i, from the event thread. */
void pl061_edge(struct pl061 *c, unsigned int i, bool rising)
{
	uint8_t bit = 1u << i;

	pthread_mutex_lock(&c->lock);
	if (!(c->is & bit) && ((c->ibe & bit) || !!(c->iev & bit) == rising))
		c->ris |= bit;
	pl061_update_levels(c);
	pl061_update_irq(c);
	pthread_mutex_unlock(&c->lock);
}

/*
 * Power-on state, with the partition's initial directions and values
 * applied again (a guest restart starts from them, as at start).
 */
int pl061_reset(struct pl061 *c, struct pinvm_error *err)
{
	unsigned int i;
	int ret = 0;

	pthread_mutex_lock(&c->lock);
	c->is = c->ibe = c->iev = c->ie = c->ris = c->afsel = 0;
	c->dir = c->out = 0;
	for (i = 0; i < GPIO_LINES; i++) {
		struct gpio_line *l = &c->lines[i];

		if (!l->mapped)
			continue;
		c->dir |= l->init_out << i;
		c->out |= l->init_value << i;
		backend->release(l);
		l->mode = GPIO_NONE;
	}
	/* The guest's new VM starts with the line low. */
	c->irq_level = false;
	c->irq_ready = false;
	for (i = 0; i < GPIO_LINES && !ret; i++) {
		struct gpio_line *l = &c->lines[i];

		if (!l->mapped)
			continue;
		ret = backend->request(l, pl061_mode(c, i), l->init_value, err);
		if (!ret)
			l->mode = pl061_mode(c, i);
	}
	pthread_mutex_unlock(&c->lock);
	gpio_events_changed();
	return ret;
}

void pl061_release(struct pl061 *c)
{
	unsigned int i;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < GPIO_LINES; i++)
		if (c->lines[i].mapped)
			backend->release(&c->lines[i]);
	pthread_mutex_unlock(&c->lock);
}

/* --- edge events: one thread for every controller --------------------------- */

/* The event thread: poll and read of the event fds, and level reads. */
static const struct sandbox_rule gpio_events_calls[] = {
	{ "read", SANDBOX_PLAIN },
	{ "ppoll", SANDBOX_PLAIN },
	{ "poll", SANDBOX_PLAIN },
	{ "ioctl", SANDBOX_IOCTL },
};

static const unsigned long gpio_events_ioctls[] = {
	GPIOHANDLE_GET_LINE_VALUES_IOCTL,
};

/* Edges raise the controller's SPI: core adds KVM_IRQ_LINE. */
static const struct sandbox_policy gpio_events_policy = {
	.name = "gpio-events",
	.rules = SANDBOX_RULES(gpio_events_calls, gpio_events_ioctls),
	.raises_irqs = true,
};

static pthread_mutex_t events_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pl061 *controllers;
static int events_wake = -1;

void gpio_events_changed(void)
{
	uint64_t one = 1;

	if (events_wake >= 0 && write(events_wake, &one, sizeof(one)) < 0)
		pr_warn("gpio: cannot wake the event thread: %s", strerror(errno));
}

struct gpio_watch {
	struct pl061 *c;
	unsigned int line;
};

static unsigned int gpio_watch_list(struct pollfd *fds, struct gpio_watch *w,
				    unsigned int max)
{
	struct pl061 *c;
	unsigned int i, n = 0;

	pthread_mutex_lock(&events_lock);
	for (c = controllers; c; c = c->next) {
		pthread_mutex_lock(&c->lock);
		for (i = 0; i < GPIO_LINES && n < max; i++) {
			if (c->lines[i].mode != GPIO_EVENTS)
				continue;
			fds[n].fd = backend->event_fd(&c->lines[i]);
			fds[n].events = POLLIN;
			w[n].c = c;
			w[n++].line = i;
		}
		pthread_mutex_unlock(&c->lock);
	}
	pthread_mutex_unlock(&events_lock);
	return n;
}

/* Under events_lock, so a controller being released stays until we are done. */
static void gpio_watch_read(struct gpio_watch *w)
{
	struct pl061 *c;
	int edge = -1;

	pthread_mutex_lock(&events_lock);
	for (c = controllers; c && c != w->c; c = c->next)
		;
	if (c) {
		pthread_mutex_lock(&c->lock);
		if (c->lines[w->line].mode == GPIO_EVENTS)
			edge = backend->event(&c->lines[w->line]);
		pthread_mutex_unlock(&c->lock);
		if (edge >= 0)
			pl061_edge(c, w->line, edge);
	}
	pthread_mutex_unlock(&events_lock);
}

static void *gpio_events_main(void *arg)
{
	enum { MAX = CONFIG_MAX_GUESTS * GPIO_LINES };
	struct pollfd fds[MAX + 1];
	struct gpio_watch w[MAX];
	struct pinvm_error err;
	unsigned int n, k;
	uint64_t count;
	sigset_t sys;

	/* Every signal stays blocked but SIGSYS: a violation must be told. */
	sigemptyset(&sys);
	sigaddset(&sys, SIGSYS);
	pthread_sigmask(SIG_UNBLOCK, &sys, NULL);
	if (sandbox_policy_enter(&gpio_events_policy, "gpio-events", 0, &err)) {
		pr_err("gpio: %s: no input edges reach the guests", err.msg);
		return NULL;
	}
	if (fault_armed("seccomp", "-gpio"))
		syscall(SYS_getppid);
	for (;;) {
		n = gpio_watch_list(fds, w, MAX);
		fds[n].fd = events_wake;
		fds[n].events = POLLIN;
		if (poll(fds, n + 1, -1) < 0)
			continue;
		if (fds[n].revents && read(events_wake, &count, sizeof(count)) < 0)
			continue;
		for (k = 0; k < n; k++)
			if (fds[k].revents & POLLIN)
				gpio_watch_read(&w[k]);
	}
	return NULL;
}

static int gpio_events_start(struct pl061 *c, struct pinvm_error *err)
{
	sigset_t all, old;
	pthread_t t;
	int ret = 0;

	pthread_mutex_lock(&events_lock);
	if (events_wake < 0) {
		events_wake = eventfd(0, EFD_CLOEXEC);
		/* The thread takes no signal: they are the main thread's. */
		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, &old);
		if (events_wake < 0 ||
		    pthread_create(&t, NULL, gpio_events_main, NULL)) {
			error_set(err, "gpio: cannot start the event thread: %s",
				  strerror(errno));
			ret = -1;
		} else {
			pthread_setname_np(t, "gpio-events");
			pthread_detach(t);
		}
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	if (!ret) {
		c->next = controllers;
		controllers = c;
	}
	pthread_mutex_unlock(&events_lock);
	return ret;
}

static void gpio_events_stop(struct pl061 *c)
{
	struct pl061 **pp;

	pthread_mutex_lock(&events_lock);
	for (pp = &controllers; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	pthread_mutex_unlock(&events_lock);
}

/* --- the region, the partition, the guest's device tree ---------------------- */

static bool gpio_read(struct region *r, uint64_t offset, uint8_t *data,
		      unsigned int len)
{
	bus_put_le(data, len, pl061_read(r->priv, offset & ~3ull) >>
			      (8 * (offset & 3)));
	return true;
}

static bool gpio_write(struct region *r, uint64_t offset, const uint8_t *data,
		       unsigned int len)
{
	/* The PL061's registers are 8 bits wide in 32-bit slots. */
	if (!(offset & 3))
		pl061_write(r->priv, offset, bus_get_le(data, len) & 0xff);
	return true;
}

static void gpio_reset(struct region *r)
{
	struct pinvm_error err;

	if (pl061_reset(r->priv, &err))
		pr_warn("%s", err.msg);
}

static void gpio_release(struct region *r)
{
	struct pl061 *c = r->priv;

	gpio_events_stop(c);
	pl061_release(c);
	free(c);
	r->priv = NULL;
}

static const struct region_ops gpio_ops = {
	.read = gpio_read,
	.write = gpio_write,
	.reset = gpio_reset,
	.release = gpio_release,
};

/* The line nodes of a controller: line@N, N the guest's line 0-7. */
static int gpio_parse_line(const struct partition *p, const char *guest,
			   int node, struct gpio_line *l, unsigned int *index,
			   struct pinvm_error *err)
{
	const char *chip, *dir, *bias, *consumer;
	const fdt32_t *reg, *line, *value;
	int reg_len, line_len, value_len;

	fdt_get_path(p->fdt, node, l->path, sizeof(l->path));
	if (partition_read_string(p, node, "chip", &chip, err) ||
	    partition_read_string(p, node, "consumer", &consumer, err) ||
	    partition_read_string(p, node, "direction", &dir, err) ||
	    partition_read_string(p, node, "bias", &bias, err))
		return -1;
	reg = fdt_getprop(p->fdt, node, "reg", &reg_len);
	line = fdt_getprop(p->fdt, node, "line", &line_len);
	if (!reg || !chip || !line || reg_len != 4 || line_len != 4 ||
	    fdt32_to_cpu(*reg) >= GPIO_LINES) {
		error_set(err, "%s: %s: needs reg (the guest's line, 0-7), chip (a host gpiochip's label, name or path) and line (its offset)",
			  p->source, l->path);
		return -1;
	}
	*index = fdt32_to_cpu(*reg);
	snprintf(l->chip_name, sizeof(l->chip_name), "%s", chip);
	l->offset = fdt32_to_cpu(*line);
	if (consumer)
		snprintf(l->consumer, sizeof(l->consumer), "%s", consumer);
	else
		snprintf(l->consumer, sizeof(l->consumer), "%s-%u", guest, *index);
	if (dir && strcmp(dir, "in") && strcmp(dir, "out")) {
		error_set(err, "%s: %s: direction: \"%s\" is not \"in\" or \"out\"",
			  p->source, l->path, dir);
		return -1;
	}
	l->init_out = dir && !strcmp(dir, "out");
	value = fdt_getprop(p->fdt, node, "value", &value_len);
	if (value && value_len != 4) {
		error_set(err, "%s: %s: value: must be one cell", p->source,
			  l->path);
		return -1;
	}
	l->init_value = value && fdt32_to_cpu(*value);
	if (fdt_getprop(p->fdt, node, "active-low", NULL))
		l->flags |= GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW;
	if (bias && !strcmp(bias, "pull-up"))
		l->flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP;
	else if (bias && !strcmp(bias, "pull-down"))
		l->flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN;
	else if (bias && !strcmp(bias, "disable"))
		l->flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE;
	else if (bias && strcmp(bias, "as-is")) {
		error_set(err, "%s: %s: bias: \"%s\" is not \"pull-up\", \"pull-down\", \"disable\" or \"as-is\"",
			  p->source, l->path, bias);
		return -1;
	}
	l->mapped = true;
	return 0;
}

static int gpio_parse_lines(const struct partition *p, const char *guest,
			    const struct device_config *d,
			    struct gpio_line *lines, struct pinvm_error *err)
{
	int node;

	memset(lines, 0, sizeof(*lines) * GPIO_LINES);
	fdt_for_each_subnode(node, p->fdt, d->node) {
		struct gpio_line l = { 0 };
		unsigned int i;

		if (gpio_parse_line(p, guest, node, &l, &i, err))
			return -1;
		if (lines[i].mapped) {
			error_set(err, "%s: %s: reg: guest line %u is given twice",
				  p->source, l.path, i);
			return -1;
		}
		lines[i] = l;
	}
	return 0;
}

/* Whether a line of mine is one of other's, which is then an error. */
static int gpio_check_lines(const struct partition *p,
			    const struct gpio_line *mine,
			    const struct gpio_line *other,
			    struct pinvm_error *err)
{
	unsigned int i, j;

	for (i = 0; i < GPIO_LINES; i++)
				for (j = 0; j < GPIO_LINES; j++)
		for (j = 0; j < GPIO_LINES; j++)
			if (mine[i].mapped && other[j].mapped &&
			    mine[i].offset == other[j].offset &&
			    !strcmp(mine[i].chip_name, other[j].chip_name)) {
				error_set(err, "%s: %s: line: chip \"%s\" line %u is already given to %s",
					  p->source, mine[i].path,
					  mine[i].chip_name, mine[i].offset,
					  other[j].path);
				return -1;
			}
	return 0;
}

/*
 * A host line belongs to one guest line of one guest: compared with the
 * configs of the controllers parsed before this one.
 */
static int gpio_check_owner(const struct partition *p,
			    const struct guest_config *g,
			    const struct device_config *d,
			    struct pinvm_error *err)
{
	const struct gpio_config *mine = d->config;
	unsigned int gi, di;

	for (gi = 0; gi <= p->nr_guests && gi < ARRAY_SIZE(p->guests); gi++) {
		const struct guest_config *o = gi < p->nr_guests ? &p->guests[gi] : g;

		for (di = 0; di < o->nr_devices; di++) {
			const struct gpio_config *other = o->devices[di].config;

			if (o->devices[di].drv == d->drv &&
			    gpio_check_lines(p, mine->lines, other->lines, err))
				return -1;
		}
		if (o == g)
			break;
	}
	return 0;
}

static int gpio_check(const struct partition *p, const struct guest_config *g,
		      struct device_config *d, struct pinvm_error *err)
{
	struct gpio_config *cfg = d->config;

	if (d->size < 0x1000) {
		error_set(err, "%s: %s: reg: a PL061 needs 0x1000 bytes",
			  p->source, d->path);
		return -1;
	}
	if (partition_read_spi(p, d, err))
		return -1;
	d->widths = BUS_WIDTH(1) | BUS_WIDTH(2) | BUS_WIDTH(4);
	if (gpio_parse_lines(p, g->name, d, cfg->lines, err))
		return -1;
	return gpio_check_owner(p, g, d, err);
}

static int gpio_attach(const struct partition *p, const struct guest_config *g,
		       const struct device_config *d, struct bus *bus,
		       struct pinvm_error *err)
{
	const struct gpio_config *cfg = d->config;
	struct pl061 *c = device_zalloc(d, sizeof(*c), err);
	struct region r = device_region(d, &gpio_ops, c);

	if (!c)
		return -1;
	pthread_mutex_init(&c->lock, NULL);
	c->guest = g->name;
	c->bus = bus;
	c->irq = d->irq;
	memcpy(c->lines, cfg->lines, sizeof(c->lines));
	if (pl061_reset(c, err) || gpio_events_start(c, err) ||
	    bus_add(bus, &r, err)) {
		gpio_release(&r);
		return -1;
	}
	return 0;
}

static void gpio_guest_fdt(struct guest_fdt *b, const struct partition *p,
			   const struct device_config *d)
{
	static const char compat[] = "arm,pl061\0arm,primecell";
	uint32_t clk = guest_fdt_clock(b);
	int node;

	node = guest_fdt_device(b, d, "gpio@%llx", compat, sizeof(compat));
	if (d->irq) {
		guest_fdt_prop(b, node, "interrupt-controller", NULL, 0);
		guest_fdt_prop_u32(b, node, "#interrupt-cells", 2);
	}
	guest_fdt_prop(b, node, "gpio-controller", NULL, 0);
	guest_fdt_prop_u32(b, node, "#gpio-cells", 2);
	guest_fdt_prop_u32(b, node, "clocks", clk);
	guest_fdt_prop_str(b, node, "clock-names", "apb_pclk");
}

/*
 * A vCPU thread's register writes re-request lines (libgpiod opens the
 * chip again: by label it scans /dev and reads sysfs), read and set them,
 * and release them at its end; main does the same when it attaches again.
 */
static const struct sandbox_rule gpio_vcpu_calls[] = {
	{ "openat", SANDBOX_NO_CREATE },
	{ "close", SANDBOX_PLAIN },
	{ "read", SANDBOX_PLAIN },
	{ "lseek", SANDBOX_PLAIN },
	{ "fstat", SANDBOX_PLAIN },
	{ "newfstatat", SANDBOX_PLAIN },
	{ "statx", SANDBOX_PLAIN },
	{ "readlinkat", SANDBOX_PLAIN },
	{ "faccessat", SANDBOX_PLAIN },
	{ "faccessat2", SANDBOX_PLAIN },
	{ "getdents64", SANDBOX_PLAIN },
	{ "ioctl", SANDBOX_IOCTL },
};

/* libgpiod 1.6 (the v1 character device API): requests, values. */
static const unsigned long gpio_vcpu_ioctls[] = {
	GPIO_GET_CHIPINFO_IOCTL, GPIO_GET_LINEINFO_IOCTL,
	GPIO_GET_LINEHANDLE_IOCTL, GPIO_GET_LINEEVENT_IOCTL,
	GPIOHANDLE_GET_LINE_VALUES_IOCTL, GPIOHANDLE_SET_LINE_VALUES_IOCTL,
	GPIOHANDLE_SET_CONFIG_IOCTL,
};

static const struct sandbox_rules gpio_vcpu_rules =
	SANDBOX_RULES(gpio_vcpu_calls, gpio_vcpu_ioctls);

DEFINE_DRIVER(gpio) = {
	.compatible = "pinvm,gpio",
	.config_size = sizeof(struct gpio_config),
	.check = gpio_check,
	.attach = gpio_attach,
	.guest_fdt = gpio_guest_fdt,
	.vcpu_rules = &gpio_vcpu_rules,
	.thread = &gpio_events_policy,
};
