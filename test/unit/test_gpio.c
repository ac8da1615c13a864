// SPDX-License-Identifier: GPL-2.0-only
/*
 * The virtual PL061 against a fake line backend, as the PL061 TRM
 * (DDI 0190) describes the registers: address-masked GPIODATA, GPIODIR,
 * the interrupt registers, the ID registers; and the partition's gpio
 * nodes, validated. The fake's event lines are pipes ('1' a rising edge,
 * '0' a falling one), and the test runs the event thread's rounds itself,
 * so that what happens between its poll and its read is the test's.
 */
#include <errno.h>
#include <fcntl.h>
#include <libfdt.h>
#include <poll.h>
#include <unistd.h>

#include "driver.h"
#include "gpio/gpio.h"
#include "unit.h"

#define BASE	0x09030000ull

static const char *build_dir;
static struct partition part;
static struct bus bus;
/* The fake host chip: the value of each of its lines, by offset. */
static int host_line[GPIO_LINES];
static int irq_level = -1;
static unsigned int irq_intid;

/* A fake line's request, by offset. */
static struct fake_line {
	bool requested;
	enum gpio_mode mode;
	int fd[2];		/* an event request's pipe */
} fl[GPIO_LINES];
/* Requests of this offset fail (the chip went away), -1 for none. */
static int fail_offset = -1;
static unsigned int requests, releases, events_read;
/* Calls about a line that is not requested: libgpiod's NULL line. */
static unsigned int misuse;

static int fake_resolve(struct gpio_line *l, struct pinvm_error *err)
{
	/* The board's one PL061, by label, name, path or number. */
	if (!strcmp(l->chip_name, "9030000.pl061") ||
	    !strcmp(l->chip_name, "gpiochip0") ||
	    !strcmp(l->chip_name, "/dev/gpiochip0") ||
	    !strcmp(l->chip_name, "0"))
		snprintf(l->host, sizeof(l->host), "gpiochip0");
	else
		snprintf(l->host, sizeof(l->host), "%s", l->chip_name);
	return 0;
}

static int fake_request(struct gpio_line *l, enum gpio_mode mode, int value,
			struct pinvm_error *err)
{
	struct fake_line *f = &fl[l->offset];

	if (f->requested)
		misuse++;	/* the kernel says EBUSY */
	if ((int)l->offset == fail_offset) {
		error_set(err, "%s: fake: chip gone", l->path);
		errno = ENODEV;
		return -1;
	}
	if (mode == GPIO_EVENTS && pipe2(f->fd, O_NONBLOCK | O_CLOEXEC))
		return -1;
	if (mode == GPIO_OUT)
		host_line[l->offset] = value;
	f->requested = true;
	f->mode = mode;
	requests++;
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
	releases++;
}

static bool fake_ok(struct gpio_line *l)
{
	if (fl[l->offset].requested)
		return true;
	misuse++;
	errno = EPERM;
	return false;
}

static int fake_get(struct gpio_line *l)
{
	return fake_ok(l) ? host_line[l->offset] : -1;
}

static int fake_set(struct gpio_line *l, int v)
{
	if (!fake_ok(l))
		return -1;
	host_line[l->offset] = v;
	return 0;
}

static int fake_event_fd(struct gpio_line *l)
{
	if (!fake_ok(l) || fl[l->offset].mode != GPIO_EVENTS) {
		misuse++;
		return -1;
	}
	return fl[l->offset].fd[0];
}

static int fake_event(struct gpio_line *l)
{
	char c;

	if (!fake_ok(l) || fl[l->offset].mode != GPIO_EVENTS) {
		misuse++;
		return -1;
	}
	events_read++;
	if (read(fl[l->offset].fd[0], &c, 1) != 1)
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

static void fake_set_irq(void *ctx, unsigned int intid, bool level)
{
	irq_intid = intid;
	irq_level = level;
}

static uint32_t rd(uint64_t offset)
{
	uint8_t data[4] = { 0 };

	CHECK(bus_access(&bus, BASE + offset, data, 4, false) == BUS_OK);
	return bus_get_le(data, 4);
}

static void wr(uint64_t offset, uint32_t v)
{
	uint8_t data[4];

	bus_put_le(data, 4, v);
	CHECK(bus_access(&bus, BASE + offset, data, 4, true) == BUS_OK);
}

static struct pl061 *ctl(void)
{
	return bus.regions[0].priv;
}

/* The host line behind guest line i. */
static int *host(unsigned int i)
{
	return &host_line[ctl()->lines[i].offset];
}

static void test_reset_state(void)
{
	struct pl061 *c = ctl();

	TEST("partition's initial state");
	CHECK(rd(0x400) == 0x01);			/* line 0 out */
	CHECK(c->lines[0].mode == GPIO_OUT && *host(0) == 1);
	/* Every input is requested with edge events, whatever IE says. */
	CHECK(c->lines[1].mode == GPIO_EVENTS && c->lines[2].mode == GPIO_EVENTS);
	CHECK(!strcmp(c->lines[0].consumer, "g1-led"));
	CHECK(!strcmp(c->lines[2].consumer, "g1-2"));
	CHECK(!strcmp(c->lines[1].chip_name, "9030000.pl061"));
	CHECK(c->lines[1].offset == 1 && c->lines[2].offset == 3);
	CHECK(c->lines[1].flags != 0);			/* active-low, pull-up */
	CHECK(!c->lines[3].mapped);
}

static void test_data(void)
{
	struct pl061 *c = ctl();

	TEST("address-masked GPIODATA");
	*host(1) = 1;
	CHECK(rd(0x3fc) == 0x03);		/* out 1, in 1 */
	CHECK(rd(0x008) == 0x02);		/* mask: line 1 only */
	CHECK(rd(0x004) == 0x01);		/* mask: line 0 only */
	wr(0x008, 0x00);			/* line 1 is an input: no effect */
	CHECK(*host(1) == 1);
	wr(0x3fc & ~0x004, 0x00);		/* every line but 0 */
	CHECK(*host(0) == 1);
	wr(0x004, 0x00);			/* line 0 only */
	CHECK(*host(0) == 0);
	wr(0x3fc, 0xff);
	CHECK(*host(0) == 1);

	TEST("GPIODIR re-requests lines");
	wr(0x400, 0x03);
	CHECK(c->lines[1].mode == GPIO_OUT);
	wr(0x008, 0x02);
	CHECK(*host(1) == 1 && rd(0x008) == 0x02);
	wr(0x400, 0x01);
	CHECK(c->lines[1].mode == GPIO_EVENTS);

	TEST("unmapped lines read as zero");
	wr(0x400, 0x81);
	wr(0x200, 0x80);
	CHECK(rd(0x200) == 0x00);
	wr(0x400, 0x01);
}

static void test_interrupts(void)
{
	struct pl061 *c = ctl();

	TEST("edge interrupts");
	wr(0x40c, 0x04);			/* IEV: line 2 rising */
	wr(0x410, 0x04);			/* IE */
	CHECK(irq_level != 1);
	pl061_edge(c, 2, false);		/* falling: not ours */
	CHECK(rd(0x414) == 0 && irq_level != 1);
	pl061_edge(c, 2, true);
	CHECK(rd(0x414) == 0x04 && rd(0x418) == 0x04);
	CHECK(irq_level == 1 && irq_intid == 32 + 7);
	wr(0x41c, 0x04);			/* GPIOIC */
	CHECK(rd(0x414) == 0 && irq_level == 0);
	wr(0x408, 0x04);			/* IBE: both edges */
	pl061_edge(c, 2, false);
	CHECK(rd(0x414) == 0x04 && irq_level == 1);
	wr(0x410, 0x00);			/* masked: RIS stays, MIS not */
	CHECK(rd(0x414) == 0x04 && rd(0x418) == 0 && irq_level == 0);
	wr(0x41c, 0xff);
	wr(0x408, 0x00);

	TEST("level interrupts");
	wr(0x404, 0x04);			/* IS: level */
	wr(0x40c, 0x04);			/* high */
	wr(0x410, 0x04);
	*host(2) = 1;
	CHECK(rd(0x414) == 0x04);
	wr(0x41c, 0x04);			/* IC cannot clear a level */
	CHECK(rd(0x414) == 0x04 && irq_level == 1);
	*host(2) = 0;
	CHECK(rd(0x418) == 0);
	wr(0x410, 0x00);
	CHECK(irq_level == 0);
}

/*
 * An edge while the guest's VM is being rebuilt (no VM on the bus) is not
 * lost: the line goes up in the next VM at the model's next update.
 */
static void test_edge_between_vms(void)
{
	struct pl061 *c = ctl();

	TEST("an edge between two VMs reaches the next");
	wr(0x404, 0x00);			/* IS: edges */
	wr(0x41c, 0xff);
	wr(0x40c, 0x04);			/* IEV: line 2 rising */
	wr(0x410, 0x04);
	CHECK(irq_level != 1);
	bus_detach_irqs(&bus);
	pl061_edge(c, 2, true);
	CHECK(rd(0x418) == 0x04 && irq_level != 1);
	bus_attach_irqs(&bus, fake_set_irq, NULL);
	wr(0x410, 0x04);			/* the guest's driver sets GPIOIE */
	CHECK(irq_level == 1 && irq_intid == 32 + 7);
	wr(0x41c, 0x04);
	CHECK(irq_level == 0);
	wr(0x410, 0x00);
	wr(0x40c, 0x00);
}

/* The watch of guest line i of controller c, in an event round's list. */
static int watch_of(struct pl061 *c, unsigned int i, struct pollfd *fds,
		    struct gpio_watch *w)
{
	unsigned int k, n = gpio_events_list(fds, w, GPIO_LINES * 4);

	for (k = 0; k < n; k++)
		if (w[k].c == c && w[k].line == i)
			return k;
	return -1;
}

/* Poll the watch's fd (nothing waits: the test made it ready or not). */
static short polled(struct pollfd *fd)
{
	return poll(fd, 1, 0) == 1 ? fd->revents : 0;
}

static void test_no_rerequests(void)
{
	unsigned int r = requests, rel = releases, k;

	TEST("GPIOIE, IS, IBE and IEV leave the host lines alone");
	for (k = 0; k < 100; k++) {
		wr(0x410, 0x06);
		wr(0x404, 0x02);
		wr(0x408, 0x04);
		wr(0x40c, 0x02);
		wr(0x410, 0x00);
		wr(0x404, 0x00);
		wr(0x408, 0x00);
		wr(0x40c, 0x00);
	}
	CHECK(requests == r && releases == rel);
	CHECK(misuse == 0);
}

static void test_masked_edge(void)
{
	struct pollfd fds[GPIO_LINES * 4];
	struct gpio_watch w[GPIO_LINES * 4];
	struct pl061 *c = ctl();
	int k;

	TEST("an edge while GPIOIE is 0 is in GPIORIS, not GPIOMIS");
	wr(0x41c, 0xff);
	wr(0x40c, 0x04);			/* IEV: line 2 rising */
	wr(0x410, 0x00);
	k = watch_of(c, 2, fds, w);
	CHECK(k >= 0);
	if (k < 0)
		return;
	CHECK(write(fl[c->lines[2].offset].fd[1], "1", 1) == 1);
	gpio_events_read(&w[k], polled(&fds[k]));
	CHECK(rd(0x414) == 0x04 && rd(0x418) == 0 && irq_level != 1);
	wr(0x410, 0x04);			/* unmasked: now it is pending */
	CHECK(rd(0x418) == 0x04 && irq_level == 1);
	wr(0x41c, 0x04);
	CHECK(rd(0x414) == 0 && irq_level == 0);
	wr(0x410, 0x00);
	wr(0x40c, 0x00);
}

static void test_stale_watch(void)
{
	struct pollfd fds[GPIO_LINES * 4];
	struct gpio_watch w[GPIO_LINES * 4];
	struct pl061 *c = ctl();
	unsigned int before;
	int k;

	/*
	 * The event thread's race, in order: it polled the line's fd and
	 * saw an edge; before it reads, the guest makes the line an output
	 * and an input again, a new request with a new, empty fd (perhaps
	 * with the same number). libgpiod's read of that one blocks for ever,
	 * with both locks held.
	 */
	TEST("a line requested again between poll and read is not read");
	wr(0x40c, 0x04);
	wr(0x410, 0x04);
	k = watch_of(c, 2, fds, w);
	CHECK(k >= 0);
	if (k < 0)
		return;
	CHECK(write(fl[c->lines[2].offset].fd[1], "1", 1) == 1);
	CHECK(polled(&fds[k]) & POLLIN);
	wr(0x400, 0x05);			/* line 2 out */
	wr(0x400, 0x01);			/* and in: requested again */
	before = events_read;
	gpio_events_read(&w[k], POLLIN);
	CHECK(events_read == before);
	CHECK(rd(0x414) == 0 && irq_level != 1);

	TEST("the next round polls the new request");
	k = watch_of(c, 2, fds, w);
	CHECK(k >= 0);
	if (k < 0)
		return;
	CHECK(write(fl[c->lines[2].offset].fd[1], "1", 1) == 1);
	gpio_events_read(&w[k], polled(&fds[k]));
	CHECK(rd(0x414) == 0x04 && irq_level == 1);

	TEST("a reset drops edges the old VM did not take");
	CHECK(write(fl[c->lines[2].offset].fd[1], "11", 2) == 2);
	bus_reset(&bus);
	wr(0x40c, 0x04);
	wr(0x410, 0x04);
	k = watch_of(c, 2, fds, w);
	CHECK(k >= 0 && !(polled(&fds[k]) & POLLIN));
	gpio_events_read(&w[k], POLLIN);
	CHECK(rd(0x414) == 0 && rd(0x418) == 0);
	CHECK(write(fl[c->lines[2].offset].fd[1], "1", 1) == 1);
	gpio_events_read(&w[k], polled(&fds[k]));
	CHECK(rd(0x414) == 0x04 && irq_level == 1);

	TEST("an event read never waits for an edge");
	before = events_read;
	gpio_events_read(&w[k], POLLIN);	/* nothing there: no edge */
	CHECK(events_read == before + 1 && rd(0x414) == 0x04);
	wr(0x41c, 0x04);
	wr(0x410, 0x00);
	wr(0x40c, 0x00);
	CHECK(misuse == 0);
}

/* Warnings of the model, read back from stderr. */
static char captured[4096];

static int capture_start(void)
{
	int saved = dup(STDERR_FILENO);
	FILE *f = tmpfile();

	fflush(stderr);
	dup2(fileno(f), STDERR_FILENO);
	fclose(f);
	return saved;
}

static unsigned int capture_end(int saved, const char *needle)
{
	unsigned int n = 0;
	const char *p;
	ssize_t len;

	len = pread(STDERR_FILENO, captured, sizeof(captured) - 1, 0);
	captured[len > 0 ? len : 0] = '\0';
	dup2(saved, STDERR_FILENO);
	close(saved);
	for (p = captured; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_dead_line(void)
{
	struct pollfd fds[GPIO_LINES * 4];
	struct gpio_watch w[GPIO_LINES * 4];
	struct pl061 *c = ctl();
	unsigned int m = misuse, k;
	int saved;

	/* Line 1's chip goes away; the guest makes it an output. */
	TEST("a line whose request fails is dead: 0, no writes, no calls");
	fail_offset = c->lines[1].offset;
	saved = capture_start();
	wr(0x400, 0x03);
	for (k = 0; k < 10; k++) {
		wr(0x008, 0x02);
		CHECK(rd(0x008) == 0);
		wr(0x400, k & 1 ? 0x03 : 0x01);	/* not requested again */
		wr(0x404, 0x02);		/* a level: read for RIS */
		CHECK(rd(0x414) == 0);
		wr(0x404, 0x00);
	}
	CHECK(capture_end(saved, "fake: chip gone") == 1);
	CHECK(c->lines[1].dead && misuse == m);
	CHECK(watch_of(c, 1, fds, w) < 0);
	CHECK(rd(0x3fc) == (rd(0x3fc) & ~0x02u));
	*host(0) = 0;
	wr(0x004, 0x01);			/* the others still work */
	CHECK(*host(0) == 1);

	TEST("a reset requests a dead line again");
	saved = capture_start();
	bus_reset(&bus);			/* the chip still gone */
	CHECK(capture_end(saved, "fake: chip gone") == 1);
	CHECK(c->lines[1].dead && c->lines[2].mode == GPIO_EVENTS);
	CHECK(c->lines[0].mode == GPIO_OUT && *host(0) == 1);
	fail_offset = -1;
	bus_reset(&bus);			/* it is back */
	CHECK(!c->lines[1].dead && c->lines[1].mode == GPIO_EVENTS);
	*host(1) = 1;
	CHECK(rd(0x008) == 0x02);
	CHECK(misuse == m);

	TEST("a line whose events end is dead, and no longer polled");
	k = watch_of(c, 2, fds, w);
	CHECK((int)k >= 0);
	close(fl[c->lines[2].offset].fd[1]);	/* the chip unbound */
	fl[c->lines[2].offset].fd[1] = -1;
	saved = capture_start();
	gpio_events_read(&w[k], polled(&fds[k]));
	CHECK(c->lines[2].dead && watch_of(c, 2, fds, w) < 0);
	CHECK(rd(0x010) == 0);
	CHECK(capture_end(saved, "its events ended") == 1);
	bus_reset(&bus);
	CHECK(!c->lines[2].dead && watch_of(c, 2, fds, w) >= 0);
	CHECK(misuse == m);
}

static void test_registers(void)
{
	TEST("ID and reserved registers");
	CHECK(rd(0xfe0) == 0x61 && rd(0xfe4) == 0x10 && rd(0xfe8) == 0x04);
	CHECK(rd(0xff0) == 0x0d && rd(0xffc) == 0xb1);
	wr(0x424, 0xff);
	CHECK(rd(0x424) == 0);
	CHECK(rd(0x800) == 0);
	wr(0x420, 0x3);				/* AFSEL is kept */
	CHECK(rd(0x420) == 0x3);
}

static void test_reset_again(void)
{
	TEST("reset re-applies the partition");
	wr(0x400, 0x07);
	wr(0x3fc, 0x00);
	bus_reset(&bus);
	CHECK(rd(0x400) == 0x01 && *host(0) == 1);
	CHECK(rd(0x410) == 0);
}

static void expect_error(const char *what, const char *path, const char *prop,
			 uint32_t v, const char *needle)
{
	struct pinvm_error err = { "" };
	char file[256], guests[256];
	void *fdt;

	snprintf(file, sizeof(file), "%s/unit/partitions/gpio.dtb", build_dir);
	snprintf(guests, sizeof(guests), "%s/guests", build_dir);
	fdt = unit_read_fdt(file);
	fdt_setprop_u32(fdt, fdt_path_offset(fdt, path), prop, v);
	TEST(what);
	CHECK(partition_parse(&part, fdt, "gpio.dtb", guests, &err) == -1);
	CHECK(part.nr_guests == 0);
	CHECK_CONTAINS(err.msg, needle);
	free(fdt);
}

static void *gpio_fdt(void)
{
	char file[256];

	snprintf(file, sizeof(file), "%s/unit/partitions/gpio.dtb", build_dir);
	return unit_read_fdt(file);
}

static int parse(void *fdt, struct pinvm_error *err)
{
	char guests[256];

	snprintf(guests, sizeof(guests), "%s/guests", build_dir);
	return partition_parse(&part, fdt, "gpio.dtb", guests, err);
}

static void set_line(void *fdt, const char *path, const char *chip,
		     uint32_t line)
{
	int node = fdt_path_offset(fdt, path);

	fdt_setprop_string(fdt, node, "chip", chip);
	fdt_setprop_u32(fdt, node, "line", line);
}

/*
 * A PL061 one guest takes whole (passthrough) while another guest's GPIO
 * model uses its lines: refused, naming both; its lines by name alone say
 * nothing at validation.
 */
static void test_chip_passed_through(void)
{
	struct pinvm_error err = { "" };
	void *fdt = gpio_fdt();
	uint32_t ph = fdt_get_phandle(fdt, fdt_path_offset(fdt, "/gpio@9030000"));
	int pt;

	TEST("a chip another guest passes through");
	/* Properties first: a new one moves the nodes after it. */
	if (!ph) {
		ph = 0x777;
		fdt_setprop_u32(fdt, fdt_path_offset(fdt, "/gpio@9030000"),
				"phandle", ph);
	}
	pt = fdt_add_subnode(fdt, fdt_path_offset(fdt, "/pinvm/g2"), "pl061");
	fdt_setprop_string(fdt, pt, "compatible", "pinvm,passthrough");
	fdt_setprop_u32(fdt, pt, "device", ph);
	fdt_setprop_u64(fdt, pt, "reg", 0x0c000000);
	fdt_appendprop_u64(fdt, pt, "reg", 0x1000);
	CHECK(parse(fdt, &err) == -1);
	CHECK(part.nr_guests == 0);
	CHECK_CONTAINS(err.msg, "/pinvm/g1/gpio@9030000: chip: the host device at 0x9030000 is /pinvm/g2/pl061's, which takes it whole from the host");
	free(fdt);
}

static void test_spellings(void)
{
	struct pinvm_error err = { "" };
	struct bus b1 = { 0 }, b2 = { 0 };
	struct device_config *d1, *d2;
	void *fdt = gpio_fdt();

	/* A path and a name of one chip: validation can tell. */
	TEST("one host line by name and by path, in one controller");
	set_line(fdt, "/pinvm/g1/gpio@9030000/line@1", "/dev/gpiochip0", 1);
	set_line(fdt, "/pinvm/g1/gpio@9030000/line@2", "gpiochip0", 1);
	CHECK(parse(fdt, &err) == -1);
	CHECK_CONTAINS(err.msg, "/pinvm/g1/gpio@9030000/line@2: line: chip \"gpiochip0\" line 1 is already given to /pinvm/g1/gpio@9030000/line@1");
	free(fdt);

	TEST("one host line by number and by name, in two guests");
	fdt = gpio_fdt();
	set_line(fdt, "/pinvm/g1/gpio@9030000/line@2", "0", 3);
	set_line(fdt, "/pinvm/g2/gpio@9030000/line@0", "gpiochip0", 3);
	CHECK(parse(fdt, &err) == -1);
	CHECK_CONTAINS(err.msg, "/pinvm/g2/gpio@9030000/line@0: line: chip \"gpiochip0\" line 3 is already given to /pinvm/g1/gpio@9030000/line@2");
	free(fdt);

	/* A label and a name: only the host knows, so attach refuses it. */
	TEST("one host line by label and by name, refused at attach");
	fdt = gpio_fdt();
	set_line(fdt, "/pinvm/g2/gpio@9030000/line@0", "gpiochip0", 1);
	CHECK(parse(fdt, &err) == 0);
	d1 = &part.guests[0].devices[0];
	d2 = &part.guests[1].devices[0];
	CHECK(d1->drv->attach(&part, &part.guests[0], d1, &b1, NULL, &err) == 0);
	err.msg[0] = '\0';
	CHECK(d2->drv->attach(&part, &part.guests[1], d2, &b2, NULL, &err) == -1);
	CHECK_CONTAINS(err.msg, "/pinvm/g2/gpio@9030000/line@0: line: chip \"gpiochip0\" line 1 is host line gpiochip0 1, already given to /pinvm/g1/gpio@9030000/line@1 (as chip \"9030000.pl061\")");
	CHECK(b2.nr_regions == 0 && !fl[2].requested);
	bus_release(&b1);
	CHECK(!fl[0].requested && !fl[1].requested && !fl[3].requested);
	partition_free(&part);
	free(fdt);
}

static void test_long_path(void)
{
	struct pinvm_error err = { "" };
	void *fdt = gpio_fdt();
	char name[160];
	int node;

	TEST("a line node's path longer than the driver keeps");
	memset(name, 'x', sizeof(name));
	memcpy(name, "line@3", 6);
	name[6] = '-';
	name[sizeof(name) - 1] = '\0';
	node = fdt_add_subnode(fdt, fdt_path_offset(fdt, "/pinvm/g1/gpio@9030000"),
			       name);
	CHECK(node >= 0);
	fdt_setprop_u32(fdt, node, "reg", 3);
	fdt_setprop_string(fdt, node, "chip", "9030000.pl061");
	fdt_setprop_u32(fdt, node, "line", 5);
	CHECK(parse(fdt, &err) == -1);
	CHECK_CONTAINS(err.msg, "/pinvm/g1/gpio@9030000: line@3-xxx");
	CHECK_CONTAINS(err.msg, "a line node's path must be shorter than 128 bytes");
	free(fdt);
}

int main(int argc, char **argv)
{
	struct pinvm_error err = { "" };
	char file[256], guests[256];
	size_t n;
	void *blob;

	build_dir = argc > 1 ? argv[1] : "build";
	gpio_set_backend(&fake);
	snprintf(file, sizeof(file), "%s/unit/partitions/gpio.dtb", build_dir);
	snprintf(guests, sizeof(guests), "%s/guests", build_dir);
	blob = unit_read_file(file, &n);
	TEST("gpio partition");
	CHECK(partition_parse(&part, blob, "gpio.dtb", guests, &err) == 0);
	if (err.msg[0])
		fprintf(stderr, "  %s\n", err.msg);
	bus_init(&bus);
	bus_attach_irqs(&bus, fake_set_irq, NULL);
	CHECK(part.guests[0].devices[0].drv->attach(&part, &part.guests[0],
		&part.guests[0].devices[0], &bus, NULL, &err) == 0);
	test_reset_state();
	test_data();
	test_interrupts();
	test_edge_between_vms();
	test_no_rerequests();
	test_masked_edge();
	test_stale_watch();
	test_dead_line();
	test_registers();
	test_reset_again();
	bus_release(&bus);
	partition_free(&part);
	free(blob);

	test_spellings();
	test_chip_passed_through();
	test_long_path();
	expect_error("a host line given twice", "/pinvm/g2/gpio@9030000/line@0",
		     "line", 1,
		     "/pinvm/g2/gpio@9030000/line@0: line: chip \"9030000.pl061\" line 1 is already given to /pinvm/g1/gpio@9030000/line@1");
	expect_error("guest line out of range", "/pinvm/g2/gpio@9030000/line@0",
		     "reg", 9, "needs reg (the guest's line, 0-7)");
	return unit_report();
}
