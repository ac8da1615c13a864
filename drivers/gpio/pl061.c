// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ARM PL061 GPIO controller (DDI 0190) as a guest sees it, on top of a
 * line backend (gpiod.c, or the unit test's fake), and the one event
 * thread that turns edges of every controller's input lines into its SPI.
 *
 * Register writes become line requests and value changes; reads become
 * line values. Edge events of input lines are read by the event thread
 * (not on a vCPU's path) and raise the controller's SPI in the guest,
 * honouring GPIOIS/IBE/IEV/IE, and GPIOIC. Reserved offsets read as zero
 * and ignore writes, as the TRM says of them.
 */
#include <errno.h>
#include <linux/gpio.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "file.h"
#include "gpio.h"
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

static const struct gpio_backend *backend = &gpio_libgpiod;

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
const struct sandbox_policy gpio_events_policy = {
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

int gpio_events_start(struct pl061 *c, struct pinvm_error *err)
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

void gpio_events_stop(struct pl061 *c)
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
