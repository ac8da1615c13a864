// SPDX-License-Identifier: GPL-2.0-only
/*
 * The GPIO driver (compatible "pinvm,gpio"): a virtual PL061 per guest
 * (pl061.c) whose lines are real host GPIO lines (gpiod.c). Several
 * guests can own different lines of one host chip, which page-granular
 * passthrough could never split. This file is the glue: the line nodes
 * of the partition, the region on the guest's bus, the guest's device
 * tree node, and what the driver declares to core.
 */
#include <gpiod.h>
#include <libfdt.h>
#include <linux/gpio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "gpio.h"
#include "guest_fdt.h"

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
			   const struct device_config *d, int node,
			   struct gpio_line *l, unsigned int *index,
			   struct pinvm_error *err)
{
	const char *chip, *dir, *bias, *consumer;
	const fdt32_t *reg, *line, *value;
	int reg_len, line_len, value_len;

	/* On a path too long, libfdt leaves the buffer unterminated. */
	if (fdt_get_path(p->fdt, node, l->path, sizeof(l->path))) {
		l->path[0] = '\0';
		partition_error(err, p, d->path, "%s: a line node's path must be shorter than %zu bytes",
				fdt_get_name(p->fdt, node, NULL) ?: "?",
				sizeof(l->path));
		return -1;
	}
	if (partition_read_string(p, node, "chip", &chip, err) ||
	    partition_read_string(p, node, "consumer", &consumer, err) ||
	    partition_read_string(p, node, "direction", &dir, err) ||
	    partition_read_string(p, node, "bias", &bias, err))
		return -1;
	reg = fdt_getprop(p->fdt, node, "reg", &reg_len);
	line = fdt_getprop(p->fdt, node, "line", &line_len);
	if (!reg || !chip || !line || reg_len != 4 || line_len != 4 ||
	    fdt32_to_cpu(*reg) >= GPIO_LINES) {
		partition_error(err, p, l->path, "needs reg (the guest's line, 0-7), chip (a host gpiochip's label, name or path) and line (its offset)");
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
		partition_error(err, p, l->path, "direction: \"%s\" is not \"in\" or \"out\"",
				dir);
		return -1;
	}
	l->init_out = dir && !strcmp(dir, "out");
	value = fdt_getprop(p->fdt, node, "value", &value_len);
	if (value && value_len != 4) {
		partition_error(err, p, l->path, "value: must be one cell");
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
		partition_error(err, p, l->path, "bias: \"%s\" is not \"pull-up\", \"pull-down\", \"disable\" or \"as-is\"",
				bias);
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

		if (gpio_parse_line(p, guest, d, node, &l, &i, err))
			return -1;
		if (lines[i].mapped) {
			partition_error(err, p, l.path, "reg: guest line %u is given twice",
					i);
			return -1;
		}
		lines[i] = l;
	}
	return 0;
}

/*
 * The spelling of a chip that names it without the host: a path in /dev
 * and a number are its name ("/dev/gpiochip0", "0": "gpiochip0"), as
 * libgpiod's lookup takes them. A label is left as it is: which chip it
 * is, only the host says (gpio_attach() compares what the chips resolve
 * to).
 */
static void gpio_chip_key(const char *chip, char *key, size_t size)
{
	if (!strncmp(chip, "/dev/", 5))
		chip += 5;
	if (chip[0] && strspn(chip, "0123456789") == strlen(chip))
		snprintf(key, size, "gpiochip%s", chip);
	else
		snprintf(key, size, "%s", chip);
}

static bool gpio_same_line(const struct gpio_line *a, const struct gpio_line *b)
{
	char ka[sizeof(a->chip_name) + 8], kb[sizeof(b->chip_name) + 8];

	if (!a->mapped || !b->mapped || a->offset != b->offset)
		return false;
	gpio_chip_key(a->chip_name, ka, sizeof(ka));
	gpio_chip_key(b->chip_name, kb, sizeof(kb));
	return !strcmp(ka, kb);
}

/*
 * Whether a line of mine is one of other's (or, with other == mine, one
 * of my own earlier lines), which is then an error.
 */
static int gpio_check_lines(const struct partition *p,
			    const struct gpio_line *mine,
			    const struct gpio_line *other,
			    struct pinvm_error *err)
{
	unsigned int i, j;

	for (i = 0; i < GPIO_LINES; i++) {
		for (j = 0; j < (other == mine ? i : GPIO_LINES); j++) {
			if (!gpio_same_line(&mine[i], &other[j]))
				continue;
			partition_error(err, p, mine[i].path, "line: chip \"%s\" line %u is already given to %s",
					mine[i].chip_name, mine[i].offset,
					other[j].path);
			return -1;
		}
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
	const struct device_config *o;
	struct device_iter it = { 0 };

	if (gpio_check_lines(p, mine->lines, mine->lines, err))
		return -1;
	while ((o = device_earlier(p, g, d, &it))) {
		const struct gpio_config *other = o->config;

		if (gpio_check_lines(p, mine->lines, other->lines, err))
			return -1;
	}
	return 0;
}

/*
 * The host devices the lines' chips are, where a label says: Linux labels
 * a device-tree controller's chip "<address>.<node name>" (a PL061:
 * "9030000.pl061"). A name or path says nothing until the host is asked.
 */
static void gpio_note_uses(struct device_config *d,
			   const struct gpio_line *lines)
{
	unsigned int i, j;

	for (i = 0; i < GPIO_LINES; i++) {
		const char *chip = lines[i].chip_name;
		size_t n = strspn(chip, "0123456789abcdef");
		uint64_t base;

		if (!lines[i].mapped || !n || n > 16 || chip[n] != '.')
			continue;
		base = strtoull(chip, NULL, 16);
		for (j = 0; j < d->nr_uses && d->uses[j] != base; j++)
			;
		if (j == d->nr_uses && d->nr_uses < DEVICE_MAX_USES)
			d->uses[d->nr_uses++] = base;
	}
}

static int gpio_check(const struct partition *p, const struct guest_config *g,
		      struct device_config *d, struct pinvm_error *err)
{
	struct gpio_config *cfg = d->config;

	if (d->size < 0x1000) {
		partition_error(err, p, d->path, "reg: a PL061 needs 0x1000 bytes");
		return -1;
	}
	if (partition_read_spi(p, d, err))
		return -1;
	d->widths = BUS_WIDTH(1) | BUS_WIDTH(2) | BUS_WIDTH(4);
	if (gpio_parse_lines(p, g->name, d, cfg->lines, err))
		return -1;
	gpio_note_uses(d, cfg->lines);
	return gpio_check_owner(p, g, d, err);
}

/*
 * What validation could not see: two spellings of one chip (a label and
 * a name). The chips resolve to their names, compared with this
 * controller's other lines and every attached controller's.
 */
static int gpio_check_hosts(const struct pl061 *c, struct pinvm_error *err)
{
	const struct gpio_line *o;
	unsigned int i, j;

	for (i = 0; i < GPIO_LINES; i++) {
		const struct gpio_line *l = &c->lines[i];

		if (!l->mapped || !l->host[0])
			continue;
		o = gpio_find_host_line(l->host, l->offset);
		for (j = 0; j < i && !o; j++)
			if (c->lines[j].mapped && c->lines[j].offset == l->offset &&
			    !strcmp(c->lines[j].host, l->host))
				o = &c->lines[j];
		if (o) {
			error_set(err, "%s: line: chip \"%s\" line %u is host line %s %u, already given to %s (as chip \"%s\")",
				  l->path, l->chip_name, l->offset, l->host,
				  l->offset, o->path, o->chip_name);
			return -1;
		}
	}
	return 0;
}

static int gpio_resolve(struct pl061 *c, struct pinvm_error *err)
{
	unsigned int i;

	for (i = 0; i < GPIO_LINES; i++)
		if (c->lines[i].mapped && gpio_line_resolve(&c->lines[i], err))
			return -1;
	return gpio_check_hosts(c, err);
}

static int gpio_attach(const struct partition *p, const struct guest_config *g,
		       const struct device_config *d, struct bus *bus,
		       const struct guest_links *links, struct pinvm_error *err)
{
	const struct gpio_config *cfg = d->config;
	struct pl061 *c = device_zalloc(d, sizeof(*c), err);
	struct region r = device_region(d, &gpio_ops, c);

	if (!c)
		return -1;
	pthread_mutex_init(&c->lock, NULL);
	c->guest = g->name;
	c->bus = bus;
	c->irq = d->nr_irqs ? d->irqs[0] : 0;
	memcpy(c->lines, cfg->lines, sizeof(c->lines));
	if (gpio_resolve(c, err) || pl061_reset(c, err) ||
	    gpio_events_start(c, err) ||
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
	if (d->nr_irqs) {
		guest_fdt_prop(b, node, "interrupt-controller", NULL, 0);
		guest_fdt_prop_u32(b, node, "#interrupt-cells", 2);
	}
	guest_fdt_prop(b, node, "gpio-controller", NULL, 0);
	guest_fdt_prop_u32(b, node, "#gpio-cells", 2);
	guest_fdt_prop_u32(b, node, "clocks", clk);
	guest_fdt_prop_str(b, node, "clock-names", "apb_pclk");
}

/*
 * A vCPU thread's register writes re-request lines, read and set them,
 * and release them at its end; main does the same when it attaches again.
 * All of it ioctls on the chip opened at attach (gpiod.c keeps it open).
 */
static const struct sandbox_rule gpio_vcpu_calls[] = {
	{ "ioctl", SANDBOX_IOCTL },
	{ "close", SANDBOX_PLAIN },	/* a released line's descriptor */
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
