// SPDX-License-Identifier: GPL-2.0-only
/*
 * The GPIO driver's real lines: host GPIO lines requested through libgpiod
 * 1.6 (the v1 character device API). The PL061 model (pl061.c) drives
 * them through struct gpio_backend, which its unit test replaces.
 */
#include <errno.h>
#include <gpiod.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "gpio.h"

static int gpiod_open(struct gpio_line *l, struct pinvm_error *err)
{
	if (!l->chip)
		l->chip = gpiod_chip_open_lookup(l->chip_name);
	if (!l->chip) {
		error_set(err, "%s: chip: GPIO chip \"%s\" (for line %u): %s",
			  l->path, l->chip_name, l->offset, strerror(errno));
		return -1;
	}
	return 0;
}

/* A label, a name, a path or a number: the chip's name says which chip. */
static int gpiod_resolve(struct gpio_line *l, struct pinvm_error *err)
{
	if (gpiod_open(l, err))
		return -1;
	snprintf(l->host, sizeof(l->host), "%s", gpiod_chip_name(l->chip));
	return 0;
}

static int gpiod_request(struct gpio_line *l, enum gpio_mode mode, int value,
			 struct pinvm_error *err)
{
	int ret;

	if (gpiod_open(l, err))
		return -1;
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

/*
 * The line goes back; the chip stays open for pinvm's life. A request
 * again (a vCPU thread's register write, a restart) is then ioctls on the
 * chip's descriptor only: those threads can open no file (Landlock, and
 * no openat in a vCPU thread's filter).
 */
static void gpiod_release(struct gpio_line *l)
{
	if (l->line)
		gpiod_line_release(l->line);
}

/* The model never asks about a line it has not requested; still, no NULL. */
static int gpiod_get(struct gpio_line *l)
{
	if (!l->line) {
		errno = ENODEV;
		return -1;
	}
	return gpiod_line_get_value(l->line);
}

static int gpiod_set(struct gpio_line *l, int value)
{
	if (!l->line) {
		errno = ENODEV;
		return -1;
	}
	return gpiod_line_set_value(l->line, value);
}

static int gpiod_event_fd(struct gpio_line *l)
{
	return l->line ? gpiod_line_event_get_fd(l->line) : -1;
}

/*
 * 1 for a rising edge, 0 for a falling one, -1 for none. The v1 event fd
 * blocks on read when empty: look first (the event thread is its only
 * reader, and holds the controller's lock, so what is there stays there).
 */
static int gpiod_event(struct gpio_line *l)
{
	struct pollfd p = { .fd = gpiod_event_fd(l), .events = POLLIN };
	const struct timespec now = { 0 };
	struct gpiod_line_event ev;

	/* ppoll on every architecture: the event thread's filter has no poll. */
	if (p.fd < 0 || ppoll(&p, 1, &now, NULL) != 1 || !(p.revents & POLLIN))
		return -1;
	if (gpiod_line_event_read(l->line, &ev))
		return -1;
	return ev.event_type == GPIOD_LINE_EVENT_RISING_EDGE;
}

const struct gpio_backend gpio_libgpiod = {
	.resolve = gpiod_resolve,
	.request = gpiod_request,
	.release = gpiod_release,
	.get = gpiod_get,
	.set = gpiod_set,
	.event_fd = gpiod_event_fd,
	.event = gpiod_event,
};
