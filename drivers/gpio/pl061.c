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
#include <sys/epoll.h>
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

/* At most this many edges of one line per round: the others get theirs. */
#define GPIO_EDGES_PER_ROUND	16

/* PL061 peripheral and PrimeCell identification (TRM, section 3.3). */
static const uint8_t pl061_id[8] = {
	0x61, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1
};

static const struct gpio_backend *backend = &gpio_libgpiod;

void gpio_set_backend(const struct gpio_backend *b)
{
	backend = b;
}

int gpio_line_resolve(struct gpio_line *l, struct pinvm_error *err)
{
	if (backend->resolve)
		return backend->resolve(l, err);
	snprintf(l->host, sizeof(l->host), "%s", l->chip_name);
	return 0;
}

/* --- the PL061 model --------------------------------------------------------- */

/* A line the backend may be asked about: mapped, requested, not gone. */
static bool line_is(const struct pl061 *c, unsigned int i)
{
	const struct gpio_line *l = &c->lines[i];

	return l->mapped && l->mode != GPIO_NONE && !l->dead;
}

/*
 * What mode a line is requested in for the current registers. Every
 * input is requested with edge events, whatever GPIOIE/IS say: the model
 * gates them (a PL061's RIS latches edges while masked), and a v1 event
 * request cannot change its edges in place, so an IE or IS change would
 * otherwise be a release and a new request: edges lost, a glitch, and a
 * window for another consumer to take the line.
 */
static enum gpio_mode pl061_mode(const struct pl061 *c, unsigned int i)
{
	return c->dir & (1u << i) ? GPIO_OUT : GPIO_EVENTS;
}

/* Set in the event thread, whose filter allows no open. */
static __thread bool in_events_thread;

/* Said once per failure, not once per guest access. */
static void pl061_report(struct pl061 *c, struct gpio_line *l, const char *msg)
{
	if (l->reported)
		return;
	l->reported = true;
	if (l->dead)
		pr_warn("%s: %s: the line reads 0 and ignores writes until the guest's next reset",
			c->guest, msg);
	else
		pr_warn("%s: %s", c->guest, msg);
}

/*
 * A read or write of a requested line failed. ENODEV: its chip is gone
 * (unbound, unplugged), so the line is dead. Anything else (an I2C
 * expander's EIO) may pass: that access reads 0 or is lost.
 */
static void pl061_failed(struct pl061 *c, struct gpio_line *l, int error,
			 const char *what)
{
	char msg[256];

	/* strerror() may look for translations: not in the event thread. */
	snprintf(msg, sizeof(msg), "%s: cannot %s chip \"%s\" line %u: %s (errno %d)",
		 l->path, what, l->chip_name, l->offset,
		 in_events_thread ? "error" : strerror(error), error);
	if (error == ENODEV)
		l->dead = true;
	pl061_report(c, l, msg);
}

/*
 * Request line i in mode, with value if an output. A chip that gives no
 * edge events (no interrupt) still gives levels: such an input is a plain
 * one. A line whose request fails is dead, never a NULL line to call;
 * the caller says why.
 */
static int pl061_request(struct pl061 *c, unsigned int i, enum gpio_mode mode,
			 int value, struct pinvm_error *err)
{
	struct gpio_line *l = &c->lines[i];
	struct pinvm_error in_err;

	l->gen++;
	l->mode = GPIO_NONE;
	if (!backend->request(l, mode, value, err)) {
		l->mode = mode;
	} else if (mode == GPIO_EVENTS &&
		   !backend->request(l, GPIO_IN, value, &in_err)) {
		if (!l->no_events)
			pr_warn("%s: %s: no edge events, only levels", c->guest,
				err->msg);
		l->no_events = true;
		l->mode = GPIO_IN;
	} else {
		l->dead = true;
		return -1;
	}
	l->dead = false;
	l->reported = false;
	return 0;
}

static int pl061_get(struct pl061 *c, unsigned int i)
{
	struct gpio_line *l = &c->lines[i];
	int v;

	if (!line_is(c, i))
		return 0;
	v = backend->get(l);
	if (v >= 0)
		return v;
	pl061_failed(c, l, errno, "read");
	return 0;
}

static void pl061_set(struct pl061 *c, unsigned int i, int value)
{
	struct gpio_line *l = &c->lines[i];

	if (line_is(c, i) && backend->set(l, value))
		pl061_failed(c, l, errno, "set");
}

/* Level-sensitive lines: raised while the line is at the IEV level. */
static void pl061_update_levels(struct pl061 *c)
{
	unsigned int i;

	for (i = 0; i < GPIO_LINES; i++) {
		uint8_t bit = 1u << i;

		if (!line_is(c, i) || !(c->is & bit) || (c->dir & bit))
			continue;
		if (!!pl061_get(c, i) == !!(c->iev & bit))
			c->ris |= bit;
		else
			c->ris &= ~bit;
	}
}

static void pl061_update_irq(struct pl061 *c)
{
	bool level = c->irq_ready && (c->ris & c->ie);

	bus_update_irq(c->bus, c->irq, level, &c->irq_level);
}

/*
 * GPIODIR changed: a line that changes direction is requested again (a
 * v1 event request is input-only, so it cannot become an output in
 * place). A dead line waits for the reset.
 */
static void pl061_sync_lines(struct pl061 *c)
{
	struct pinvm_error err;
	unsigned int i;
	bool changed = false;

	for (i = 0; i < GPIO_LINES; i++) {
		struct gpio_line *l = &c->lines[i];
		enum gpio_mode mode = pl061_mode(c, i);

		if (!l->mapped || l->dead || l->mode == mode ||
		    (mode == GPIO_EVENTS && l->mode == GPIO_IN))
			continue;
		backend->release(l);
		if (pl061_request(c, i, mode, !!(c->out & (1u << i)), &err))
			pl061_report(c, l, err.msg);
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
		else if (pl061_get(c, i) > 0)
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

		if ((mask & bit) && (c->dir & bit))
			pl061_set(c, i, !!(v & bit));
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
		/* IS/IBE/IEV/IE are the model's: no host line changes. */
		if (offset == GPIODIR)
			pl061_sync_lines(c);
	}
	pl061_update_levels(c);
	pl061_update_irq(c);
	pthread_mutex_unlock(&c->lock);
}

/*
 * An edge on line i. RIS latches it whatever GPIOIE says (the PL061's
 * RIS is before the mask; MIS = RIS & IE).
 */
static void pl061_edge_locked(struct pl061 *c, unsigned int i, bool rising)
{
	uint8_t bit = 1u << i;

	if (!(c->dir & bit) && !(c->is & bit) &&
	    ((c->ibe & bit) || !!(c->iev & bit) == rising))
		c->ris |= bit;
}

void pl061_edge(struct pl061 *c, unsigned int i, bool rising)
{
	pthread_mutex_lock(&c->lock);
	pl061_edge_locked(c, i, rising);
	pl061_update_levels(c);
	pl061_update_irq(c);
	pthread_mutex_unlock(&c->lock);
}

/*
 * Edges from before a reset are not the new VM's: RIS latches while
 * masked, so one left queued would show. At most a round's worth each
 * time; a line that bounces faster than that has edges for the guest.
 */
static void pl061_drain(struct gpio_line *l)
{
	unsigned int k;

	if (l->mode != GPIO_EVENTS)
		return;
	for (k = 0; k < GPIO_EDGES_PER_ROUND * 4; k++)
		if (backend->event(l) < 0)
			break;
}

/*
 * Power-on state, with the partition's initial directions and values
 * applied again (a guest restart starts from them, as at start). A line
 * already requested in the direction it starts in keeps its request (an
 * output just takes its initial value); a dead line is requested again,
 * its chip looked up anew. Every line is tried; the first error is told.
 */
int pl061_reset(struct pl061 *c, struct pinvm_error *err)
{
	struct pinvm_error line_err;
	unsigned int i;
	int ret = 0;

	pthread_mutex_lock(&c->lock);
	c->is = c->ibe = c->iev = c->ie = c->ris = c->afsel = 0;
	c->dir = c->out = 0;
	/* The guest's new VM starts with the line low. */
	c->irq_level = false;
	c->irq_ready = false;
	for (i = 0; i < GPIO_LINES; i++) {
		struct gpio_line *l = &c->lines[i];
		enum gpio_mode mode;

		if (!l->mapped)
			continue;
		c->dir |= l->init_out << i;
		c->out |= l->init_value << i;
		mode = pl061_mode(c, i);
		if (line_is(c, i) && l->mode == mode && mode == GPIO_OUT) {
			pl061_set(c, i, l->init_value);
			continue;
		}
		if (line_is(c, i) && mode == GPIO_EVENTS &&
		    (l->mode == GPIO_EVENTS || l->mode == GPIO_IN)) {
			pl061_drain(l);
			continue;
		}
		backend->release(l);
		if (!pl061_request(c, i, mode, l->init_value, &line_err))
			continue;
		if (ret) {
			pl061_report(c, l, line_err.msg);
		} else {
			/* The caller says this one. */
			l->reported = true;
			*err = line_err;
			ret = -1;
		}
	}
	pthread_mutex_unlock(&c->lock);
	gpio_events_changed();
	return ret;
}

void pl061_release(struct pl061 *c)
{
	unsigned int i;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < GPIO_LINES; i++) {
		if (c->lines[i].mapped)
			backend->release(&c->lines[i]);
		c->lines[i].mode = GPIO_NONE;
	}
	pthread_mutex_unlock(&c->lock);
}

/* --- edge events: one thread for every controller --------------------------- */

/*
 * The event thread: its epoll set's interests and wait, the read of the
 * event fds (looked at first with ppoll), and level reads.
 */
static const struct sandbox_rule gpio_events_calls[] = {
	{ "read", SANDBOX_PLAIN },
	{ "ppoll", SANDBOX_PLAIN },
	{ "epoll_ctl", SANDBOX_PLAIN },
	{ "epoll_pwait", SANDBOX_PLAIN },
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

/*
 * The event fds of every controller's input lines. A watch remembers the
 * request it was made for: the poll that follows is made without locks,
 * and a line requested again meanwhile has another fd (maybe with the
 * same number).
 */
unsigned int gpio_events_list(struct pollfd *fds, struct gpio_watch *w,
			      unsigned int max)
{
	struct pl061 *c;
	unsigned int i, n = 0;

	pthread_mutex_lock(&events_lock);
	for (c = controllers; c; c = c->next) {
		pthread_mutex_lock(&c->lock);
		for (i = 0; i < GPIO_LINES && n < max; i++) {
			if (c->lines[i].mode != GPIO_EVENTS || c->lines[i].dead)
				continue;
			fds[n].fd = backend->event_fd(&c->lines[i]);
			fds[n].events = POLLIN;
			fds[n].revents = 0;
			w[n].c = c;
			w[n].line = i;
			w[n++].gen = c->lines[i].gen;
		}
		pthread_mutex_unlock(&c->lock);
	}
	pthread_mutex_unlock(&events_lock);
	return n;
}

/*
 * Under events_lock, so a controller being released stays until we are
 * done, and under its lock, so the line is not requested again while we
 * read. Nothing here blocks: the backend's event() reads only what is
 * there, and only from the request that was polled.
 */
void gpio_events_read(const struct gpio_watch *w, short revents)
{
	struct gpio_line *l;
	struct pl061 *c;
	unsigned int k;
	int edge;

	pthread_mutex_lock(&events_lock);
	for (c = controllers; c && c != w->c; c = c->next)
		;
	if (!c)
		goto out;
	pthread_mutex_lock(&c->lock);
	l = &c->lines[w->line];
	/* Requested again since the poll: the next round polls the new fd. */
	if (l->gen != w->gen || l->mode != GPIO_EVENTS || l->dead)
		goto unlock;
	for (k = 0; (revents & POLLIN) && k < GPIO_EDGES_PER_ROUND; k++) {
		edge = backend->event(l);
		if (edge < 0)
			break;
		pl061_edge_locked(c, w->line, edge);
	}
	/* The chip went away: poll would say so at once, for ever. */
	if (!(revents & POLLIN) && (revents & (POLLERR | POLLHUP | POLLNVAL))) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s: chip \"%s\" line %u: its events ended (the chip went away?)",
			 l->path, l->chip_name, l->offset);
		l->dead = true;
		pl061_report(c, l, msg);
	}
	pl061_update_levels(c);
	pl061_update_irq(c);
unlock:
	pthread_mutex_unlock(&c->lock);
out:
	pthread_mutex_unlock(&events_lock);
}

enum { GPIO_WATCH_MAX = CONFIG_MAX_GUESTS * GPIO_LINES };

/*
 * Wait for any of fds[0..n] with epoll, not poll: poll() holds a
 * reference to every file it sleeps on, so a line that a vCPU releases
 * meanwhile (a GPIODIR change) would stay requested until the thread
 * woke, and its new request would fail with EBUSY. An epoll interest
 * holds none: the release is the close, which also drops the interest.
 * A round adds its fds and removes them after; one closed since, or
 * whose number is another file's now, is not ours to remove (EBADF,
 * ENOENT), and gpio_events_read() checks the request anyway.
 */
static int gpio_events_wait(int ep, struct pollfd *fds, unsigned int n)
{
	struct epoll_event ev[GPIO_WATCH_MAX + 1], e = { .events = EPOLLIN };
	int got, k;

	for (k = 0; k <= (int)n; k++) {
		fds[k].revents = 0;
		e.data.u32 = k;
		if (fds[k].fd >= 0)
			epoll_ctl(ep, EPOLL_CTL_ADD, fds[k].fd, &e);
	}
	got = epoll_pwait(ep, ev, n + 1, -1, NULL);
	for (k = 0; k < got; k++)
		fds[ev[k].data.u32].revents = ev[k].events;
	for (k = 0; k <= (int)n; k++)
		if (fds[k].fd >= 0)
			epoll_ctl(ep, EPOLL_CTL_DEL, fds[k].fd, NULL);
	return got;
}

static void *gpio_events_main(void *arg)
{
	enum { MAX = GPIO_WATCH_MAX };
	struct pollfd fds[MAX + 1];
	struct gpio_watch w[MAX];
	struct pinvm_error err;
	unsigned int n, k;
	uint64_t count;
	sigset_t sys;
	int ep = epoll_create1(EPOLL_CLOEXEC);

	in_events_thread = true;
	/* Every signal stays blocked but SIGSYS: a violation must be told. */
	sigemptyset(&sys);
	sigaddset(&sys, SIGSYS);
	pthread_sigmask(SIG_UNBLOCK, &sys, NULL);
	if (ep < 0) {
		pr_err("gpio: cannot make the event thread's epoll set: %s: no input edges reach the guests",
		       strerror(errno));
		return NULL;
	}
	if (sandbox_policy_enter(&gpio_events_policy, "gpio-events", 0, &err)) {
		pr_err("gpio: %s: no input edges reach the guests", err.msg);
		return NULL;
	}
	if (fault_armed("seccomp", "-gpio"))
		syscall(SYS_getppid);
	for (;;) {
		n = gpio_events_list(fds, w, MAX);
		fds[n].fd = events_wake;
		fds[n].events = POLLIN;
		if (gpio_events_wait(ep, fds, n) < 0)
			continue;
		if (fds[n].revents && read(events_wake, &count, sizeof(count)) < 0)
			continue;
		for (k = 0; k < n; k++)
			if (fds[k].revents)
				gpio_events_read(&w[k], fds[k].revents);
	}
	return NULL;
}

int gpio_events_start(struct pl061 *c, struct pinvm_error *err)
{
	sigset_t all, old;
	pthread_t t;
	int ret = 0;

	pthread_mutex_lock(&events_lock);
	if (events_wake < 0 && !backend->no_thread) {
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

const struct gpio_line *gpio_find_host_line(const char *chip,
					    unsigned int offset)
{
	const struct gpio_line *found = NULL;
	struct pl061 *c;
	unsigned int i;

	pthread_mutex_lock(&events_lock);
	for (c = controllers; c && !found; c = c->next)
		for (i = 0; i < GPIO_LINES && !found; i++)
			if (c->lines[i].mapped && c->lines[i].host[0] &&
			    c->lines[i].offset == offset &&
			    !strcmp(c->lines[i].host, chip))
				found = &c->lines[i];
	pthread_mutex_unlock(&events_lock);
	return found;
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
