/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The GPIO driver's parts: the PL061 model and its event thread (pl061.c),
 * the libgpiod line backend (gpiod.c) and the driver glue (gpio.c). The
 * model is exposed for its unit test, which runs it against a fake line
 * backend instead of libgpiod.
 */
#ifndef PINVM_GPIO_H
#define PINVM_GPIO_H

#include <poll.h>
#include <pthread.h>

#include "bus.h"
#include "sandbox.h"

#define GPIO_LINES	8

enum gpio_mode {
	GPIO_NONE,
	GPIO_IN,
	GPIO_OUT,
	GPIO_EVENTS,	/* input, with edge events */
};

struct gpiod_chip;
struct gpiod_line;

/* One guest line, and the host line behind it. */
struct gpio_line {
	bool mapped;
	char path[128];
	char chip_name[64];
	unsigned int offset;
	char consumer[32];
	int flags;		/* GPIOD_LINE_REQUEST_FLAG_* */
	uint8_t init_out;	/* the partition's initial direction and value */
	uint8_t init_value;
	enum gpio_mode mode;	/* as requested, GPIO_NONE when not */
	/*
	 * Its request failed, or its chip went away: it reads 0 and ignores
	 * writes without a call to the backend until the guest's next reset
	 * requests it again. reported: that was said, once.
	 */
	bool dead;
	bool reported;
	bool no_events;		/* the chip gives it no edge events */
	/* Bumped by every request: a watch of an older request is stale. */
	unsigned int gen;
	char host[64];		/* the chip it resolved to, for duplicates */
	struct gpiod_chip *chip;
	struct gpiod_line *line;
};

/* A controller's parsed config (dev->config): its line nodes, read once. */
struct gpio_config {
	struct gpio_line lines[GPIO_LINES];
};

struct pl061 {
	pthread_mutex_t lock;
	const char *guest;
	struct bus *bus;
	uint32_t irq;		/* GIC INTID, 0 for none */
	bool irq_level;
	bool irq_ready;		/* the guest's VM is up: it has touched us */
	uint8_t dir, is, ibe, iev, ie, ris, afsel, out;
	struct gpio_line lines[GPIO_LINES];
	struct pl061 *next;
};

struct gpio_backend {
	/* The chip's own name (gpiochipN) in l->host, whatever the spelling. */
	int (*resolve)(struct gpio_line *l, struct pinvm_error *err);
	int (*request)(struct gpio_line *l, enum gpio_mode mode, int value,
		       struct pinvm_error *err);
	void (*release)(struct gpio_line *l);
	int (*get)(struct gpio_line *l);
	int (*set)(struct gpio_line *l, int value);
	int (*event_fd)(struct gpio_line *l);
	/* 1 rising, 0 falling, -1 nothing to read; never blocks. */
	int (*event)(struct gpio_line *l);
	/* The caller runs the event rounds itself (tests): no thread. */
	bool no_thread;
};

/* The real lines (gpiod.c); the model uses them unless told otherwise. */
extern const struct gpio_backend gpio_libgpiod;
void gpio_set_backend(const struct gpio_backend *b);

/*
 * The event thread, started with the first controller: it polls the event
 * fds of every controller's input lines, under gpio_events_policy.
 */
extern const struct sandbox_policy gpio_events_policy;
int gpio_events_start(struct pl061 *c, struct pinvm_error *err);
void gpio_events_stop(struct pl061 *c);
/* Lines were requested again: the thread polls the new fds. */
void gpio_events_changed(void);

/*
 * One round of the event thread, in two halves: the fds to poll (under
 * the locks), and what one fd's revents mean (under the locks again,
 * after a poll made without them). A watch is of one request of a line.
 */
struct gpio_watch {
	struct pl061 *c;
	unsigned int line;
	unsigned int gen;
};

unsigned int gpio_events_list(struct pollfd *fds, struct gpio_watch *w,
			      unsigned int max);
void gpio_events_read(const struct gpio_watch *w, short revents);
/* The chip's own name for l->host (the backend's resolve). */
int gpio_line_resolve(struct gpio_line *l, struct pinvm_error *err);
/* The guest line whose host line is chip/offset, or NULL. */
const struct gpio_line *gpio_find_host_line(const char *chip,
					    unsigned int offset);

uint32_t pl061_read(struct pl061 *c, uint64_t offset);
void pl061_write(struct pl061 *c, uint64_t offset, uint32_t v);
void pl061_edge(struct pl061 *c, unsigned int line, bool rising);
int pl061_reset(struct pl061 *c, struct pinvm_error *err);
void pl061_release(struct pl061 *c);

#endif
