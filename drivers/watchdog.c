// SPDX-License-Identifier: GPL-2.0-only
/*
 * A watchdog per guest (compatible "pinvm,watchdog"): the ARM SP805
 * register interface (ARM DDI 0270B), which Linux's sp805_wdt, Zephyr's
 * and most RTOSes' drivers feed unchanged, clocked by pinvm's 24 MHz
 * fixed clock. One 4 KiB page of 32-bit registers:
 *
 *   0x000 WdogLoad     RW  reset 0xffffffff   the count the counter restarts from
 *   0x004 WdogValue    RO  reset 0xffffffff   the counter now
 *   0x008 WdogControl  RW  reset 0            bit 0 INTEN (counter and
 *                                             interrupt on), bit 1 RESEN
 *   0x00c WdogIntClr   WO                     clears the interrupt, restarts the count
 *   0x010 WdogRIS      RO  reset 0            bit 0: the counter reached zero
 *   0x014 WdogMIS      RO  reset 0            RIS & INTEN
 *   0xc00 WdogLock     RW  reset 0 (open)     0x1acce551 opens, anything else
 *                                             closes; reads 1 when closed
 *   0xf00 WdogITCR     RW  reset 0            integration test mode
 *   0xf04 WdogITOP     WO                     in test mode bit 0 drives WDOGRES,
 *                                             bit 1 WDOGINT
 *   0xfe0-0xffc        RO  PeriphID 0x05 0x18 0x14 0x00, PCellID 0x0d 0xf0 0x05 0xb1
 *
 * The counter counts WdogLoad + 1 ticks to zero; the first zero raises the
 * interrupt (the pre-timeout, on the node's SPI if it has one) and counts
 * again; the second zero with the interrupt still raised and RESEN set is
 * the bite (WDOGRES): pinvm resets the guest, or stops it (action). A
 * locked register file ignores every write but to WdogLock, as the TRM
 * says; reserved offsets read 0 and ignore writes.
 *
 * No thread: the counter is arithmetic on CLOCK_MONOTONIC, worked out on
 * every access, and the monitor's main loop owns the deadline through this
 * file's service (timeout_ms: the next zero; poll: the bite).
 */
#include <libfdt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "driver.h"
#include "guest_fdt.h"
#include "service.h"

#define WDOG_LOAD		0x000
#define WDOG_VALUE		0x004
#define WDOG_CONTROL		0x008
#define WDOG_INTCLR		0x00c
#define WDOG_RIS		0x010
#define WDOG_MIS		0x014
#define WDOG_LOCK		0xc00
#define WDOG_ITCR		0xf00
#define WDOG_ITOP		0xf04
#define WDOG_PERIPHID0		0xfe0

#define WDOG_CTRL_INTEN		0x1
#define WDOG_CTRL_RESEN		0x2
#define WDOG_ITOP_RES		0x1
#define WDOG_ITOP_INT		0x2
#define WDOG_UNLOCK		0x1acce551u

/* pinvm's fixed clock (guest_fdt_clock()): WDOGCLK and the APB clock. */
#define WDOG_RATE_HZ		24000000ull
#define NSEC			1000000000ull
/* Two full counts of WdogLoad's 2^32 ticks: the longest timeout. */
#define WDOG_TIMEOUT_MAX	((unsigned int)((2ull << 32) / WDOG_RATE_HZ))

/* SP805 r1p0 peripheral and PrimeCell identification, as the TRM lists. */
static const uint8_t wdog_id[8] = {
	0x05, 0x18, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1
};

struct watchdog_config {
	bool stop;			/* action = "stop" */
	uint32_t timeout_sec;		/* for the guest's tree, 0: none */
};

struct watchdog {
	pthread_mutex_t lock;		/* vCPU accesses against the main loop */
	const char *guest;
	struct bus *bus;
	uint32_t irq;			/* GIC INTID, 0 for none */
	bool stop;
	/* The registers. */
	uint32_t load, control, itcr, itop;
	bool locked, ris;
	uint32_t frozen;		/* WdogValue while the counter is off */
	/* The count restarted from load at start_ns; runs with INTEN. */
	uint64_t start_ns;
	bool irq_level;
	bool asserted;			/* WDOGRES: the guest's reset is due */
	bool handled;			/* and the main loop acted on it */
	uint64_t bite_ns;
	/* What the status file shows; a reset keeps them. */
	uint64_t kicks, bites, last_kick_ns;
};

/* The model's clock (CLOCK_MONOTONIC, ns); the unit test links its own. */
uint64_t watchdog_now_ns(void);

__attribute__((weak)) uint64_t watchdog_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * NSEC + t.tv_nsec;
}

/* One count to zero, rounded up: no zero comes early. */
static uint64_t wdog_period_ns(const struct watchdog *w)
{
	unsigned __int128 ticks = (uint64_t)w->load + 1;

	return (uint64_t)((ticks * NSEC + WDOG_RATE_HZ - 1) / WDOG_RATE_HZ);
}

static void wdog_update_irq(struct watchdog *w)
{
	bool level = w->itcr ? w->itop & WDOG_ITOP_INT :
			       w->ris && (w->control & WDOG_CTRL_INTEN);

	bus_update_irq(w->bus, w->irq, level, &w->irq_level);
}

/*
 * Work out every zero the counter reached up to now: the first raises the
 * interrupt, the next with it still raised and RESEN is the bite. With
 * RESEN clear the counter goes round and round with RIS set.
 */
static void wdog_settle(struct watchdog *w, uint64_t now)
{
	uint64_t per = wdog_period_ns(w);

	while ((w->control & WDOG_CTRL_INTEN) && !w->asserted &&
	       now >= w->start_ns + per) {
		if (w->ris && (w->control & WDOG_CTRL_RESEN)) {
			w->asserted = true;
			w->bite_ns = w->start_ns + per;
		} else if (!w->ris) {
			w->ris = true;
			w->start_ns += per;
			wdog_update_irq(w);
		} else {
			w->start_ns += (now - w->start_ns) / per * per;
		}
	}
}

/* When the next zero that matters comes, or UINT64_MAX for none. */
static uint64_t wdog_next_event(const struct watchdog *w)
{
	if (w->asserted)
		return w->handled ? UINT64_MAX : 0;
	if (!(w->control & WDOG_CTRL_INTEN) ||
	    (w->ris && !(w->control & WDOG_CTRL_RESEN)))
		return UINT64_MAX;
	return w->start_ns + wdog_period_ns(w);
}

static uint32_t wdog_value(const struct watchdog *w, uint64_t now)
{
	uint64_t ticks;

	if (!(w->control & WDOG_CTRL_INTEN))
		return w->frozen;
	ticks = (uint64_t)((unsigned __int128)(now - w->start_ns) *
			   WDOG_RATE_HZ / NSEC);
	return ticks >= w->load ? 0 : w->load - (uint32_t)ticks;
}

/* The counter starts again from WdogLoad. */
static void wdog_restart_count(struct watchdog *w, uint64_t now)
{
	w->start_ns = now;
	w->last_kick_ns = now;
}

static uint32_t wdog_read_reg(struct watchdog *w, uint64_t offset,
			      uint64_t now)
{
	switch (offset) {
	case WDOG_LOAD:
		return w->load;
	case WDOG_VALUE:
		return wdog_value(w, now);
	case WDOG_CONTROL:
		return w->control;
	case WDOG_RIS:
		return w->ris;
	case WDOG_MIS:
		return w->ris && (w->control & WDOG_CTRL_INTEN);
	case WDOG_LOCK:
		return w->locked;
	case WDOG_ITCR:
		return w->itcr;
	}
	if (offset >= WDOG_PERIPHID0 && offset < WDOG_PERIPHID0 + 4 * 8)
		return wdog_id[(offset - WDOG_PERIPHID0) / 4];
	return 0;
}

static void wdog_write_control(struct watchdog *w, uint32_t v, uint64_t now)
{
	bool was_on = w->control & WDOG_CTRL_INTEN;

	v &= WDOG_CTRL_INTEN | WDOG_CTRL_RESEN;
	if (was_on && !(v & WDOG_CTRL_INTEN))
		w->frozen = wdog_value(w, now);
	w->control = v;
	/* Enabled after being disabled, the count starts from WdogLoad. */
	if (!was_on && (v & WDOG_CTRL_INTEN))
		wdog_restart_count(w, now);
}

static void wdog_write_reg(struct watchdog *w, uint64_t offset, uint32_t v,
			   uint64_t now)
{
	if (offset == WDOG_LOCK) {
		w->locked = v != WDOG_UNLOCK;
		return;
	}
	if (w->locked)
		return;
	switch (offset) {
	case WDOG_LOAD:
		w->load = v;
		if (w->control & WDOG_CTRL_INTEN)
			wdog_restart_count(w, now);
		else
			w->frozen = v;
		break;
	case WDOG_CONTROL:
		wdog_write_control(w, v, now);
		break;
	case WDOG_INTCLR:
		w->ris = false;
		w->kicks++;
		wdog_restart_count(w, now);
		break;
	case WDOG_ITCR:
		w->itcr = v & 1;
		break;
	case WDOG_ITOP:
		w->itop = v & (WDOG_ITOP_RES | WDOG_ITOP_INT);
		break;
	}
	/* In test mode WdogITOP drives the outputs themselves. */
	if (w->itcr && (w->itop & WDOG_ITOP_RES) && !w->asserted) {
		w->asserted = true;
		w->bite_ns = now;
	}
	wdog_update_irq(w);
}

static bool wdog_read(struct region *r, uint64_t offset, uint8_t *data,
		      unsigned int len)
{
	struct watchdog *w = r->priv;
	uint64_t now;
	uint32_t v;

	/* The clock read under the lock: no thread's now is older than a start. */
	pthread_mutex_lock(&w->lock);
	now = watchdog_now_ns();
	wdog_settle(w, now);
	v = wdog_read_reg(w, offset, now);
	pthread_mutex_unlock(&w->lock);
	bus_put_le(data, len, v);
	return true;
}

static bool wdog_write(struct region *r, uint64_t offset,
		       const uint8_t *data, unsigned int len)
{
	struct watchdog *w = r->priv;
	uint64_t now;

	pthread_mutex_lock(&w->lock);
	now = watchdog_now_ns();
	wdog_settle(w, now);
	wdog_write_reg(w, offset, bus_get_le(data, len), now);
	pthread_mutex_unlock(&w->lock);
	return true;
}

/* The TRM's reset values; the counters stay for the status file. */
static void wdog_reset(struct region *r)
{
	struct watchdog *w = r->priv;

	pthread_mutex_lock(&w->lock);
	w->load = w->frozen = 0xffffffff;
	w->control = w->itcr = w->itop = 0;
	w->locked = w->ris = false;
	w->asserted = w->handled = false;
	/* The guest's new VM starts with the line low. */
	w->irq_level = false;
	pthread_mutex_unlock(&w->lock);
}

static void wdog_release(struct region *r)
{
	struct watchdog *w = r->priv;

	pthread_mutex_destroy(&w->lock);
	free(w);
	r->priv = NULL;
}

static const struct region_ops watchdog_ops = {
	.read = wdog_read,
	.write = wdog_write,
	.reset = wdog_reset,
	.release = wdog_release,
};

static int watchdog_attach(const struct partition *p,
			   const struct guest_config *g,
			   const struct device_config *dev, struct bus *bus,
			   const struct guest_links *links,
			   struct pinvm_error *err)
{
	const struct watchdog_config *cfg = dev->config;
	struct watchdog *w = device_zalloc(dev, sizeof(*w), err);
	struct region r = device_region(dev, &watchdog_ops, w);

	if (!w)
		return -1;
	/* APB registers, read and written as words (the TRM's PWDATA). */
	r.widths = BUS_WIDTH(4);
	r.dir = BUS_DIR_READ | BUS_DIR_WRITE;
	pthread_mutex_init(&w->lock, NULL);
	w->guest = g->name;
	w->bus = bus;
	w->irq = dev->nr_irqs ? dev->irqs[0] : 0;
	w->stop = cfg->stop;
	wdog_reset(&r);
	if (bus_add(bus, &r, err)) {
		pthread_mutex_destroy(&w->lock);
		free(w);
		return -1;
	}
	return 0;
}

static int watchdog_check_action(const struct partition *p,
				 struct device_config *dev,
				 struct watchdog_config *cfg,
				 struct pinvm_error *err)
{
	int len;
	const char *action = fdt_getprop(p->fdt, dev->node, "action", &len);

	if (!action)
		return 0;
	if (len == sizeof("stop") && !memcmp(action, "stop", len)) {
		cfg->stop = true;
		return 0;
	}
	if (len == sizeof("restart") && !memcmp(action, "restart", len))
		return 0;
	partition_error(err, p, dev->path, "action: must be \"restart\" or \"stop\" (what a bite does to the guest)");
	return -1;
}

static int watchdog_check(const struct partition *p,
			  const struct guest_config *g,
			  struct device_config *dev, struct pinvm_error *err)
{
	struct watchdog_config *cfg = dev->config;
	const fdt32_t *timeout;
	unsigned int i;
	int len;

	for (i = 0; i < g->nr_devices; i++) {
		if (g->devices[i].drv == dev->drv) {
			partition_error(err, p, dev->path, "compatible: a guest has one pinvm,watchdog at most (%s is its watchdog)",
					g->devices[i].path);
			return -1;
		}
	}
	if (dev->size < 0x1000) {
		partition_error(err, p, dev->path, "reg: an SP805 watchdog needs 0x1000 bytes, not 0x%llx",
				(unsigned long long)dev->size);
		return -1;
	}
	timeout = fdt_getprop(p->fdt, dev->node, "timeout-sec", &len);
	if (timeout) {
		cfg->timeout_sec = len == 4 ? fdt32_to_cpu(*timeout) : 0;
		if (cfg->timeout_sec < 1 || cfg->timeout_sec > WDOG_TIMEOUT_MAX) {
			partition_error(err, p, dev->path, "timeout-sec: must be one cell, 1 to %u (two counts of the 32-bit WdogLoad at 24 MHz)",
					WDOG_TIMEOUT_MAX);
			return -1;
		}
	}
	if (watchdog_check_action(p, dev, cfg, err))
		return -1;
	return partition_read_spi(p, dev, err);
}

static void watchdog_guest_fdt(struct guest_fdt *b, const struct partition *p,
			       const struct device_config *dev)
{
	static const char compat[] = "arm,sp805\0arm,primecell";
	static const char clock_names[] = "wdog_clk\0apb_pclk";
	const struct watchdog_config *cfg = dev->config;
	uint32_t clk = guest_fdt_clock(b);
	fdt32_t clocks[2] = { cpu_to_fdt32(clk), cpu_to_fdt32(clk) };
	int node;

	node = guest_fdt_device(b, dev, "watchdog@%llx", compat, sizeof(compat));
	guest_fdt_prop(b, node, "clocks", clocks, sizeof(clocks));
	guest_fdt_prop(b, node, "clock-names", clock_names, sizeof(clock_names));
	if (cfg->timeout_sec)
		guest_fdt_prop_u32(b, node, "timeout-sec", cfg->timeout_sec);
}

DEFINE_DRIVER(watchdog) = {
	.compatible = "pinvm,watchdog",
	.config_size = sizeof(struct watchdog_config),
	.check = watchdog_check,
	.attach = watchdog_attach,
	.guest_fdt = watchdog_guest_fdt,
};

/*
 * The service: the main loop's side. What the status file shows, kept
 * here so that it outlives the guest's device (released when it ends).
 */
struct watchdog_seen {
	bool has;
	uint64_t kicks, bites, last_kick_ns;
};

static struct watchdog_seen seen[CONFIG_MAX_GUESTS];

/* g's watchdog, or NULL: the region this driver put on its bus. */
static struct watchdog *watchdog_of(struct guest *g)
{
	unsigned int i;

	if (atomic_load(&g->state) != GUEST_RUNNING)
		return NULL;
	for (i = 0; i < g->bus.nr_regions; i++)
		if (g->bus.regions[i].ops == &watchdog_ops)
			return g->bus.regions[i].priv;
	return NULL;
}

/*
 * The bite: logged with the time since the last kick as the clock says
 * now (not the deadline's arithmetic), counted, and the guest reset or
 * stopped.
 */
static void watchdog_bite(struct guest *g, struct watchdog *w, uint64_t now)
{
	double since = (double)(now - w->last_kick_ns) / NSEC;
	double timeout = 2.0 * ((double)w->load + 1) / WDOG_RATE_HZ;
	const char *what = w->stop ? "stopping it, as its action says" :
				     "resetting it";

	w->handled = true;
	w->bites++;
	if (w->itcr)
		pr_warn("%s: watchdog reset output driven in integration test mode (WdogITOP), %.3f s since the last kick: %s",
			g->cfg->name, since, what);
	else
		pr_warn("%s: watchdog bite: %.3f s since the last kick (timeout %.3f s): %s",
			g->cfg->name, since, timeout, what);
	if (w->stop)
		guest_request_stop(g);
	else
		guest_request_reset(g, "watchdog bite");
}

static void watchdog_poll(struct monitor *m)
{
	unsigned int i;

	for (i = 0; i < m->part.nr_guests; i++) {
		struct guest *g = &m->guests[i];
		struct watchdog *w = watchdog_of(g);
		uint64_t now;

		if (!w)
			continue;
		pthread_mutex_lock(&w->lock);
		now = watchdog_now_ns();
		wdog_settle(w, now);
		if (w->asserted && !w->handled)
			watchdog_bite(g, w, now);
		seen[i] = (struct watchdog_seen){
			.has = true, .kicks = w->kicks, .bites = w->bites,
			.last_kick_ns = w->last_kick_ns,
		};
		pthread_mutex_unlock(&w->lock);
	}
}

/* Until the nearest zero of a running counter, rounded up to a ms. */
static int watchdog_timeout_ms(struct monitor *m)
{
	uint64_t next = UINT64_MAX, now = watchdog_now_ns();
	unsigned int i;

	for (i = 0; i < m->part.nr_guests; i++) {
		struct watchdog *w = watchdog_of(&m->guests[i]);
		uint64_t t;

		if (!w)
			continue;
		pthread_mutex_lock(&w->lock);
		t = wdog_next_event(w);
		pthread_mutex_unlock(&w->lock);
		if (t < next)
			next = t;
	}
	if (next == UINT64_MAX)
		return -1;
	if (next <= now)
		return 0;
	next = (next - now + 999999) / 1000000;
	return next > 1000 ? 1000 : (int)next;
}

static void watchdog_status(struct monitor *m, FILE *f, const struct guest *g)
{
	const struct watchdog_seen *s = &seen[g - m->guests];

	if (!s->has)
		return;
	if (!s->last_kick_ns) {
		fprintf(f, "watchdog guest=%s kicks=%llu bites=%llu last-kick-age=-\n",
			g->cfg->name, (unsigned long long)s->kicks,
			(unsigned long long)s->bites);
		return;
	}
	fprintf(f, "watchdog guest=%s kicks=%llu bites=%llu last-kick-age=%.3f\n",
		g->cfg->name, (unsigned long long)s->kicks,
		(unsigned long long)s->bites,
		(double)(watchdog_now_ns() - s->last_kick_ns) / NSEC);
}

static const struct service watchdog_service = {
	.name = "watchdog",
	.poll = watchdog_poll,
	.timeout_ms = watchdog_timeout_ms,
	.status = watchdog_status,
};
DEFINE_SERVICE(watchdog_service);
