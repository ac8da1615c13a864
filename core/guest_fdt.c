// SPDX-License-Identifier: GPL-2.0-only
/*
 * Writing a guest's device tree with libfdt's read-write API. Everything
 * board-specific comes from the partition tree (the GIC's compatible and
 * addresses, the timer's interrupts, passed-through nodes), so the same
 * code serves any board.
 */
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "driver.h"
#include "guest_fdt.h"

int guest_fdt_node(struct guest_fdt *b, int parent, const char *fmt,
		   unsigned long long unit)
{
	char name[64];

	snprintf(name, sizeof(name), fmt, unit);
	return guest_fdt_node_named(b, parent, name);
}

int guest_fdt_node_named(struct guest_fdt *b, int parent, const char *name)
{
	int node;

	if (b->err)
		return -1;
	node = fdt_add_subnode(b->fdt, parent, name);
	if (node < 0) {
		b->err = node;
		b->what = "a node";
	}
	return node;
}

void guest_fdt_prop(struct guest_fdt *b, int node, const char *name,
		    const void *val, int len)
{
	int ret;

	if (b->err || node < 0)
		return;
	if (len < 0 || (!val && len)) {
		/* A property the board lacks: its getprop said why in len. */
		b->err = len < 0 ? len : -FDT_ERR_BADVALUE;
		b->what = name;
		return;
	}
	ret = fdt_setprop(b->fdt, node, name, val, len);
	if (ret) {
		b->err = ret;
		b->what = name;
	}
}

void guest_fdt_prop_u32(struct guest_fdt *b, int node, const char *name,
			uint32_t v)
{
	fdt32_t c = cpu_to_fdt32(v);

	guest_fdt_prop(b, node, name, &c, sizeof(c));
}

void guest_fdt_prop_str(struct guest_fdt *b, int node, const char *name,
			const char *s)
{
	guest_fdt_prop(b, node, name, s, strlen(s) + 1);
}

/* reg in the root's cells: pinvm puts every device at the top level. */
void guest_fdt_reg(struct guest_fdt *b, int node, uint64_t base, uint64_t size)
{
	int ret;

	if (b->err || node < 0)
		return;
	ret = fdt_appendprop_addrrange(b->fdt, 0, node, "reg", base, size);
	if (ret) {
		b->err = ret;
		b->what = "reg";
	}
}

int guest_fdt_device(struct guest_fdt *b, const struct device_config *d,
		     const char *name, const char *compat, size_t compat_len)
{
	int node = guest_fdt_node(b, 0, name, d->base);

	guest_fdt_prop(b, node, "compatible", compat, compat_len);
	guest_fdt_reg(b, node, d->base, d->size);
	if (d->nr_irqs) {
		/* Level-high: pinvm holds the line while the device asserts. */
		fdt32_t spec[3] = {
			0, cpu_to_fdt32(d->irqs[0] - 32), cpu_to_fdt32(4),
		};

		guest_fdt_prop(b, node, "interrupts", spec, sizeof(spec));
	}
	return node;
}

static uint32_t guest_fdt_phandle(struct guest_fdt *b, int node)
{
	uint32_t ph = 0;

	if (b->err || node < 0)
		return 0;
	b->err = fdt_generate_phandle(b->fdt, &ph);
	guest_fdt_prop_u32(b, node, "phandle", ph);
	return ph;
}

uint32_t guest_fdt_clock(struct guest_fdt *b)
{
	int node;

	if (b->clock_phandle)
		return b->clock_phandle;
	node = guest_fdt_node(b, 0, "pinvm-clock", 0);
	guest_fdt_prop_str(b, node, "compatible", "fixed-clock");
	guest_fdt_prop_u32(b, node, "#clock-cells", 0);
	guest_fdt_prop_u32(b, node, "clock-frequency", 24000000);
	guest_fdt_prop_str(b, node, "clock-output-names", "pinvm-clk");
	b->clock_phandle = guest_fdt_phandle(b, node);
	return b->clock_phandle;
}

uint32_t guest_fdt_copy_clock(struct guest_fdt *b, const void *board,
			      int board_node)
{
	static const char *const props[] = {
		"compatible", "#clock-cells", "clock-frequency",
		"clock-output-names",
	};
	unsigned int i;
	int node;

	for (i = 0; i < b->nr_clocks; i++)
		if (b->clock_board[i] == board_node)
			return b->clock_guest[i];
	if (fdt_node_check_compatible(board, board_node, "fixed-clock"))
		return 0;
	if (b->nr_clocks == GUEST_FDT_MAX_CLOCKS) {
		b->err = -FDT_ERR_NOSPACE;
		b->what = "clocks (more than 8 board clocks)";
		return 0;
	}
	node = guest_fdt_node(b, 0, "clock-%llu", b->nr_clocks);
	for (i = 0; i < ARRAY_SIZE(props); i++) {
		const void *v;
		int len;

		v = fdt_getprop(board, board_node, props[i], &len);
		if (v)
			guest_fdt_prop(b, node, props[i], v, len);
	}
	b->clock_board[b->nr_clocks] = board_node;
	b->clock_guest[b->nr_clocks] = guest_fdt_phandle(b, node);
	return b->clock_guest[b->nr_clocks++];
}

static void guest_fdt_root(struct guest_fdt *b, const struct guest_config *g)
{
	char model[64];

	snprintf(model, sizeof(model), "pinvm guest %s", g->name);
	guest_fdt_prop_str(b, 0, "compatible", "pinvm,guest");
	guest_fdt_prop_str(b, 0, "model", model);
	guest_fdt_prop_u32(b, 0, "#address-cells", 2);
	guest_fdt_prop_u32(b, 0, "#size-cells", 2);
}

static void guest_fdt_cpus(struct guest_fdt *b)
{
	int cpus, cpu, psci;

	cpus = guest_fdt_node(b, 0, "cpus", 0);
	guest_fdt_prop_u32(b, cpus, "#address-cells", 1);
	guest_fdt_prop_u32(b, cpus, "#size-cells", 0);
	cpu = guest_fdt_node(b, cpus, "cpu@%llx", 0);
	guest_fdt_prop_str(b, cpu, "device_type", "cpu");
	guest_fdt_prop_str(b, cpu, "compatible", "arm,armv8");
	guest_fdt_prop_u32(b, cpu, "reg", 0);
	guest_fdt_prop_str(b, cpu, "enable-method", "psci");
	/* KVM's PSCI 0.2+ (KVM_ARM_VCPU_PSCI_0_2), through HVC. */
	psci = guest_fdt_node(b, 0, "psci", 0);
	guest_fdt_prop(b, psci, "compatible", "arm,psci-1.0\0arm,psci-0.2",
		       sizeof("arm,psci-1.0\0arm,psci-0.2"));
	guest_fdt_prop_str(b, psci, "method", "hvc");
}

static void guest_fdt_memory(struct guest_fdt *b, const struct guest_config *g)
{
	unsigned int i;

	for (i = 0; i < g->mem.nr_ram; i++) {
		int node = guest_fdt_node(b, 0, "memory@%llx",
					  g->mem.ram[i].base);

		guest_fdt_prop_str(b, node, "device_type", "memory");
		guest_fdt_reg(b, node, g->mem.ram[i].base, g->mem.ram[i].size);
	}
}

/* The vGIC pinvm creates: the board GIC's type and addresses, one CPU. */
static void guest_fdt_gic(struct guest_fdt *b, const struct partition *p)
{
	const struct gic_config *gic = &p->gic;
	int board = gic->node;
	const void *compat;
	int node, len;

	node = guest_fdt_node(b, 0, "interrupt-controller@%llx", gic->dist_base);
	compat = fdt_getprop(p->fdt, board, "compatible", &len);
	guest_fdt_prop(b, node, "compatible", compat, len);
	guest_fdt_prop_u32(b, node, "#interrupt-cells", 3);
	guest_fdt_prop_u32(b, node, "#address-cells", 0);
	guest_fdt_prop(b, node, "interrupt-controller", NULL, 0);
	guest_fdt_reg(b, node, gic->dist_base, gic->dist_size);
	/* GICv3: one vCPU's redistributor, two 64 KiB frames. */
	guest_fdt_reg(b, node, gic->cpu_base,
		      gic->version == 3 ? 0x20000 : gic->cpu_size);
	b->gic_phandle = guest_fdt_phandle(b, node);
	guest_fdt_prop_u32(b, 0, "interrupt-parent", b->gic_phandle);
}

/* The arch timer's PPIs as the board wires them (KVM uses the same). */
static void guest_fdt_timer(struct guest_fdt *b, const struct partition *p)
{
	int board = fdt_node_offset_by_compatible(p->fdt, -1, "arm,armv8-timer");
	const void *v;
	int node, len;

	if (board < 0) {
		b->err = board;
		b->what = "the board's timer (compatible \"arm,armv8-timer\")";
		return;
	}
	node = guest_fdt_node(b, 0, "timer", 0);
	v = fdt_getprop(p->fdt, board, "compatible", &len);
	guest_fdt_prop(b, node, "compatible", v, len);
	v = fdt_getprop(p->fdt, board, "interrupts", &len);
	guest_fdt_prop(b, node, "interrupts", v, len);
	guest_fdt_prop(b, node, "always-on", NULL, 0);
}

static void guest_fdt_devices(struct guest_fdt *b, const struct partition *p,
			      const struct guest_config *g)
{
	unsigned int i;

	for (i = 0; i < g->nr_devices && !b->err; i++) {
		const struct device_config *d = &g->devices[i];

		if (d->drv->guest_fdt)
			d->drv->guest_fdt(b, p, d);
	}
}

static void guest_fdt_chosen(struct guest_fdt *b, const struct guest_config *g,
			     uint64_t initrd_start, uint64_t initrd_size)
{
	int chosen;
	fdt64_t v;

	if (b->stdout_path[0]) {
		int aliases = guest_fdt_node(b, 0, "aliases", 0);

		guest_fdt_prop_str(b, aliases, "serial0", b->stdout_path);
	}
	chosen = guest_fdt_node(b, 0, "chosen", 0);
	if (b->stdout_path[0])
		guest_fdt_prop_str(b, chosen, "stdout-path", b->stdout_path);
	if (g->bootargs)
		guest_fdt_prop_str(b, chosen, "bootargs", g->bootargs);
	if (initrd_size) {
		v = cpu_to_fdt64(initrd_start);
		guest_fdt_prop(b, chosen, "linux,initrd-start", &v, sizeof(v));
		v = cpu_to_fdt64(initrd_start + initrd_size);
		guest_fdt_prop(b, chosen, "linux,initrd-end", &v, sizeof(v));
	}
}

/* A guest's own tree keeps everything but what pinvm decides. */
static void guest_fdt_strip(struct guest_fdt *b)
{
	static const char *const paths[] = { "/cpus", "/psci", "/chosen" };
	unsigned int i;
	int node;

	for (i = 0; i < ARRAY_SIZE(paths) && !b->err; i++) {
		node = fdt_path_offset(b->fdt, paths[i]);
		if (node >= 0)
			b->err = fdt_del_node(b->fdt, node);
	}
	while (!b->err && (node = fdt_node_offset_by_prop_value(b->fdt, -1,
				"device_type", "memory", sizeof("memory"))) >= 0)
		b->err = fdt_del_node(b->fdt, node);
}

int guest_fdt_build(const struct partition *p, const struct guest_config *g,
		    uint64_t initrd_start, uint64_t initrd_size, void *buf,
		    size_t size, struct pinvm_error *err)
{
	struct guest_fdt b = { .fdt = buf, .what = "the tree" };

	if (g->dtb) {
		b.err = fdt_open_into(g->dtb, buf, size);
		guest_fdt_strip(&b);
	} else {
		b.err = fdt_create_empty_tree(buf, size);
		guest_fdt_root(&b, g);
		guest_fdt_gic(&b, p);
		guest_fdt_timer(&b, p);
		guest_fdt_devices(&b, p, g);
	}
	guest_fdt_cpus(&b);
	guest_fdt_memory(&b, g);
	guest_fdt_chosen(&b, g, initrd_start, initrd_size);
	if (!b.err)
		b.err = fdt_pack(buf);
	if (b.err) {
		error_set(err, "%s: cannot write the guest's device tree (%s): %s",
			  g->path, b.what, fdt_strerror(b.err));
		return -1;
	}
	return 0;
}
