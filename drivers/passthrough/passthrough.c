// SPDX-License-Identifier: GPL-2.0-only
/*
 * Passthrough of a real peripheral, named by phandle to the board's own
 * device-tree node. In trap mode every guest access exits to pinvm, passes
 * the region's policy (bus.c) and is performed as one access of the same
 * width at the same offset on the device (mmio.h). In direct mode the
 * registers are mapped into the guest's stage 2 and never exit.
 */
#include <libfdt.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver.h"
#include "guest_fdt.h"
#include "hostdev.h"
#include "mmio.h"
#include "passthrough.h"

struct passthrough {
	struct hostdev dev;
};

/*
 * Registers VFIO will not map are read and written through the device fd:
 * one pread or pwrite of len bytes is one access of that width, up to 4
 * (VFIO splits 8 bytes into two, so an 8-byte access is refused).
 */
static bool passthrough_read(struct region *r, uint64_t offset, uint8_t *data,
			     unsigned int len)
{
	struct passthrough *pt = r->priv;

	if (pt->dev.regs)
		return mmio_read(pt->dev.regs + offset, data, len);
	return len <= 4 && pread(pt->dev.device, data, len,
				 pt->dev.region_offset + offset) == len;
}

static bool passthrough_write(struct region *r, uint64_t offset,
			      const uint8_t *data, unsigned int len)
{
	struct passthrough *pt = r->priv;

	if (pt->dev.regs)
		return mmio_write(pt->dev.regs + offset, data, len);
	return len <= 4 && pwrite(pt->dev.device, data, len,
				  pt->dev.region_offset + offset) == len;
}

static void passthrough_reset(struct region *r)
{
	struct passthrough *pt = r->priv;

	hostdev_reset(&pt->dev);
}

static void passthrough_release(struct region *r)
{
	struct passthrough *pt = r->priv;

	hostdev_release(&pt->dev);
	free(pt);
	r->priv = NULL;
}

static const struct region_ops passthrough_ops = {
	.read = passthrough_read,
	.write = passthrough_write,
	.reset = passthrough_reset,
	.release = passthrough_release,
};

static int passthrough_attach(const struct partition *p,
			      const struct guest_config *g,
			      const struct device_config *d, struct bus *bus,
			      const struct guest_links *links,
			      struct pinvm_error *err)
{
	const struct passthrough_config *cfg = d->config;
	struct passthrough *pt = device_zalloc(d, sizeof(*pt), err);
	struct region r = device_region(d, &passthrough_ops, pt);

	if (!pt)
		return -1;
	if (hostdev_claim(&pt->dev, d->path, cfg, d->irqs, d->size, err)) {
		free(pt);
		return -1;
	}
	if (cfg->dma_risk_accepted)
		pr_warn("%s: dma-risk-accepted: %s can master the bus, so this guest can read and write all of the host's memory through it",
			d->path, cfg->host_path);
	if (cfg->direct)
		r.direct = pt->dev.regs;
	memcpy(r.irqs, pt->dev.irqs, sizeof(pt->dev.irqs));
	r.nr_irqs = pt->dev.nr_irqs;
	if (bus_add(bus, &r, err)) {
		passthrough_release(&r);
		return -1;
	}
	return 0;
}

/* A memory node's or a reserved-memory carve-out's reg that cfg's meets. */
static int board_ram_overlap(const void *fdt, int ram,
			     const struct passthrough_config *cfg)
{
	uint64_t base, size;
	int i;

	for (i = 0; !partition_read_reg_host(fdt, ram, i, &base, &size); i++)
		if (ranges_overlap(cfg->host_base, cfg->host_size, base, size))
			return 1;
	return 0;
}

/*
 * Host RAM: a memory node, a /reserved-memory carve-out, or registers
 * inside either (in direct mode too: the guest would own host memory).
 * What it is goes into *what, the node it lies in into ram.
 */
static bool board_is_ram(const void *fdt, int node,
			 const struct passthrough_config *cfg,
			 const char **what, int *ram)
{
	int resv = fdt_path_offset(fdt, "/reserved-memory");
	const char *type;
	int n = -1, len;

	*ram = node;
	*what = "a memory node";
	type = fdt_getprop(fdt, node, "device_type", &len);
	if (type && len == sizeof("memory") && !memcmp(type, "memory", len))
		return true;
	*what = "a reserved-memory carve-out";
	if (resv >= 0 && fdt_parent_offset(fdt, node) == resv)
		return true;
	*what = "inside memory node";
	while ((n = fdt_node_offset_by_prop_value(fdt, n, "device_type",
						  "memory", sizeof("memory"))) >= 0) {
		*ram = n;
		if (board_ram_overlap(fdt, n, cfg))
			return true;
	}
	if (resv < 0)
		return false;
	*what = "inside the reserved-memory carve-out";
	fdt_for_each_subnode(n, fdt, resv) {
		*ram = n;
		if (board_ram_overlap(fdt, n, cfg))
			return true;
	}
	return false;
}

/* The host's console, /chosen's stdout-path (a path or an alias): 1. */
static int board_is_console(const struct partition *p, int node,
			    struct pinvm_error *err)
{
	int chosen = fdt_path_offset(p->fdt, "/chosen");
	const char *v = NULL;

	if (chosen < 0)
		return 0;
	if (partition_read_string(p, chosen, "stdout-path", &v, err) ||
	    (!v && partition_read_string(p, chosen, "linux,stdout-path", &v,
					 err)))
		return -1;
	return v && fdt_path_offset_namelen(p->fdt, v, strcspn(v, ":")) == node;
}

/*
 * What the host itself runs on is never a guest's: its interrupt
 * controller (a trap window on the real GICD would let the guest route
 * the host's interrupts), its RAM and its console.
 */
static int passthrough_check_host(const struct partition *p,
				  const struct device_config *d,
				  const struct passthrough_config *cfg,
				  int node, struct pinvm_error *err)
{
	char path[NODE_PATH_MAX];
	const char *what;
	int ram, console;

	if (fdt_getprop(p->fdt, node, "interrupt-controller", NULL) ||
	    fdt_getprop(p->fdt, node, "msi-controller", NULL)) {
		partition_error(err, p, d->path, "device: %s is an interrupt controller of the host (interrupt-controller or msi-controller): a guest gets the vGIC pinvm makes, never the host's",
				cfg->host_path);
		return -1;
	}
	if (board_is_ram(p->fdt, node, cfg, &what, &ram)) {
		partition_error(err, p, d->path, "device: %s (0x%llx+0x%llx) is host RAM, %s%s%s: a guest given it could read and write the host's memory",
				cfg->host_path,
				(unsigned long long)cfg->host_base,
				(unsigned long long)cfg->host_size, what,
				ram == node ? "" : " ",
				ram == node ? "" : partition_path(p->fdt, ram, path));
		return -1;
	}
	console = board_is_console(p, node, err);
	if (console == 1)
		partition_error(err, p, d->path, "device: %s is the host's console (/chosen stdout-path): the host's messages and shell would go to the guest",
				cfg->host_path);
	return console ? -1 : 0;
}

/*
 * Where a bus master's DMA registers are, by compatible: a window (the
 * partition node's reg) that ends before them cannot start a transfer.
 */
static const struct {
	const char *compatible;
	uint64_t offset, size;
} passthrough_dma_regs[] = {
	/* QEMU docs/specs/fw_cfg.rst: the 64-bit DMA address register. */
	{ "qemu,fw-cfg-mmio", 0x10, 8 },
};

/*
 * A device that can master the bus reads and writes whatever host
 * physical address the guest writes into it: all of the host's memory.
 * Refused unless the window leaves out its DMA registers, or the
 * partition takes the risk in so many words (logged at every start).
 */
static int passthrough_check_dma(const struct partition *p,
				 const struct device_config *d,
				 struct passthrough_config *cfg,
				 struct pinvm_error *err)
{
	static const char *const master[] = { "dma-coherent", "dmas", "iommus" };
	int node = fdt_path_offset(p->fdt, cfg->host_path);
	const char *why = NULL;
	unsigned int i;

	cfg->dma_risk_accepted = fdt_getprop(p->fdt, d->node,
					     "dma-risk-accepted", NULL) != NULL;
	for (i = 0; i < ARRAY_SIZE(master) && !why; i++)
		if (fdt_getprop(p->fdt, node, master[i], NULL))
			why = master[i];
	if (!why || cfg->dma_risk_accepted)
		return 0;
	for (i = 0; i < ARRAY_SIZE(passthrough_dma_regs); i++) {
		uint64_t off = passthrough_dma_regs[i].offset;

		if (fdt_node_check_compatible(p->fdt, node,
					      passthrough_dma_regs[i].compatible))
			continue;
		if (!ranges_overlap(0, d->size, off, passthrough_dma_regs[i].size))
			return 0;
		partition_error(err, p, d->path, "reg: a 0x%llx-byte window on %s reaches its DMA registers at +0x%llx (it can master the bus: %s), through which the guest could read and write any host memory: end the window at 0x%llx, or accept the risk with dma-risk-accepted",
				(unsigned long long)d->size, cfg->host_path,
				(unsigned long long)off, why,
				(unsigned long long)off);
		return -1;
	}
	partition_error(err, p, d->path, "device: %s can master the bus (%s), and pinvm knows no window that keeps the guest from its DMA: the guest could read and write any host memory; accept the risk with dma-risk-accepted",
			cfg->host_path, why);
	return -1;
}

/* The board node behind `device`, and its registers. */
static int passthrough_board_node(const struct partition *p,
				  const struct device_config *d,
				  struct passthrough_config *cfg,
				  struct pinvm_error *err)
{
	const fdt32_t *ph;
	int len, node;

	ph = fdt_getprop(p->fdt, d->node, "device", &len);
	if (!ph || len != 4) {
		partition_error(err, p, d->path, "device: %s (a phandle to the board's node of the peripheral)",
				ph ? "must be one phandle" : "missing");
		return -1;
	}
	node = fdt_node_offset_by_phandle(p->fdt, fdt32_to_cpu(*ph));
	if (node < 0) {
		partition_error(err, p, d->path, "device: phandle 0x%x names no node of the board",
				fdt32_to_cpu(*ph));
		return -1;
	}
	/* host_path is looked up again: a cut one would name another node. */
	if (fdt_get_path(p->fdt, node, cfg->host_path, sizeof(cfg->host_path))) {
		char shown[NODE_PATH_MAX];

		cfg->host_path[0] = '\0';
		partition_error(err, p, d->path, "device: the board node %s has a path longer than the %d bytes pinvm keeps (NODE_PATH_MAX)",
				partition_path(p->fdt, node, shown),
				NODE_PATH_MAX - 1);
		return -1;
	}
	if (partition_read_reg(p->fdt, node, 0, &cfg->host_base,
			       &cfg->host_size) || cfg->host_size == 0) {
		partition_error(err, p, d->path, "device: the board node %s has no reg (missing, empty or malformed)",
				cfg->host_path);
		return -1;
	}
	if (partition_read_reg_cpu(p->fdt, node, 0, &cfg->host_base,
				   &cfg->host_size)) {
		partition_error(err, p, d->path, "device: the board node %s's reg 0x%llx+0x%llx is not inside its buses' ranges as a CPU address (no ranges, past a window's end, or wrapping past 2^64)",
				cfg->host_path,
				(unsigned long long)cfg->host_base,
				(unsigned long long)cfg->host_size);
		return -1;
	}
	if (passthrough_check_host(p, d, cfg, node, err))
		return -1;
	if (fdt_getprop(p->fdt, node, "power-domains", NULL) ||
	    fdt_getprop(p->fdt, node, "resets", NULL)) {
		partition_error(err, p, d->path, "device: %s has power-domains or resets, which pinvm cannot keep on for the guest",
				cfg->host_path);
		return -1;
	}
	return 0;
}

static int passthrough_policy(const struct partition *p,
			      struct device_config *d,
			      struct passthrough_config *cfg,
			      struct pinvm_error *err)
{
	const char *access, *mode;
	const fdt32_t *w;
	int len, i;

	w = fdt_getprop(p->fdt, d->node, "access-widths", &len);
	if (w) {
		d->widths = 0;
		for (i = 0; i < len / 4; i++) {
			uint32_t width = fdt32_to_cpu(w[i]);

			if (width != 1 && width != 2 && width != 4 && width != 8) {
				partition_error(err, p, d->path, "access-widths: %u is not one of 1, 2, 4, 8",
						width);
				return -1;
			}
			d->widths |= BUS_WIDTH(width);
		}
		if (!d->widths || len % 4) {
			partition_error(err, p, d->path, "access-widths: must list 1 to 4 of 1, 2, 4, 8");
			return -1;
		}
	}
	if (partition_read_string(p, d->node, "access", &access, err) ||
	    partition_read_string(p, d->node, "mode", &mode, err))
		return -1;
	if (access && !strcmp(access, "read"))
		d->dir = BUS_DIR_READ;
	else if (access && !strcmp(access, "write"))
		d->dir = BUS_DIR_WRITE;
	else if (access && strcmp(access, "read-write")) {
		partition_error(err, p, d->path, "access: \"%s\" is not \"read\", \"write\" or \"read-write\"",
				access);
		return -1;
	}
	d->unaligned = fdt_getprop(p->fdt, d->node, "unaligned", NULL) != NULL;
	cfg->no_host_device = fdt_getprop(p->fdt, d->node, "no-host-device",
					  NULL) != NULL;
	cfg->direct = mode && !strcmp(mode, "direct");
	if (mode && !cfg->direct && strcmp(mode, "trap")) {
		partition_error(err, p, d->path, "mode: \"%s\" is not \"trap\" or \"direct\"",
				mode);
		return -1;
	}
	return 0;
}

static int passthrough_check_direct(const struct partition *p,
				    const struct device_config *d,
				    const struct passthrough_config *cfg,
				    struct pinvm_error *err)
{
	uint64_t page = page_size();

	if ((d->base | cfg->host_base | d->size) & (page - 1)) {
		partition_error(err, p, d->path, "mode: direct needs page-aligned registers (guest 0x%llx, host 0x%llx, size 0x%llx; page 0x%llx): use mode = \"trap\" for sub-page or shared registers",
				(unsigned long long)d->base,
				(unsigned long long)cfg->host_base,
				(unsigned long long)d->size,
				(unsigned long long)page);
		return -1;
	}
	return 0;
}

static bool host_overlap(const struct passthrough_config *a,
			 const struct passthrough_config *b)
{
	return ranges_overlap(a->host_base, a->host_size, b->host_base,
			      b->host_size);
}

/* A host SPI of a and b both (the board nodes may be disabled on the host). */
static int host_shared_spi(const struct passthrough_config *a,
			   const struct passthrough_config *b)
{
	unsigned int i, j;

	for (i = 0; i < a->nr_irqs; i++)
		for (j = 0; j < b->nr_irqs; j++)
			if (a->irqs[i].host_spi == b->irqs[j].host_spi)
				return a->irqs[i].host_spi;
	return -1;
}

/*
 * A peripheral belongs to one region of one guest: compared with the
 * configs of the passthrough devices parsed before this one.
 */
static int passthrough_check_owner(const struct partition *p,
				   const struct guest_config *g,
				   const struct device_config *d,
				   struct pinvm_error *err)
{
	const struct passthrough_config *cfg = d->config;
	const struct device_config *o;
	struct device_iter it = { 0 };

	while ((o = device_earlier(p, g, d, &it))) {
		const struct passthrough_config *ocfg = o->config;
		int spi = host_shared_spi(cfg, ocfg);

		if (host_overlap(cfg, ocfg)) {
			partition_error(err, p, d->path, "device: %s (0x%llx+0x%llx) is already given to %s",
					cfg->host_path,
					(unsigned long long)cfg->host_base,
					(unsigned long long)cfg->host_size,
					o->path);
			return -1;
		}
		if (spi < 0)
			continue;
		partition_error(err, p, d->path, "device: interrupt SPI %d of %s is also %s's, given to %s: a shared line cannot be given to one guest",
				spi, cfg->host_path, ocfg->host_path, o->path);
		return -1;
	}
	return 0;
}

/*
 * Properties of the board node that name other board nodes by phandle (or
 * only make sense on the host), left out of the guest's copy. clocks and
 * interrupts are rewritten instead: the guest's SPIs may be renumbered.
 */
static bool passthrough_fdt_skip(const char *name)
{
	static const char *const skip[] = {
		"reg", "phandle", "linux,phandle", "interrupt-parent", "status",
		"clocks", "resets", "reset-names", "dmas", "dma-names",
		"power-domains", "iommus", "phys", "phy-names",
		"interrupts-extended", "gpios", "assigned-clocks",
		"assigned-clock-parents", "assigned-clock-rates",
		"memory-region", "nvmem-cells", "nvmem-cell-names", "mboxes",
		"interconnects", "syscon", "interrupts",
	};
	size_t len = strlen(name);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(skip); i++)
		if (!strcmp(name, skip[i]))
			return true;
	return !strncmp(name, "pinctrl-", 8) ||
	       (len > 7 && !strcmp(name + len - 7, "-supply")) ||
	       (len > 6 && !strcmp(name + len - 6, "-gpios")) ||
	       (len > 5 && !strcmp(name + len - 5, "-gpio"));
}

/* Each clock specifier: a provider's phandle and its #clock-cells cells. */
static int passthrough_for_each_clock(const void *fdt, int node,
				      int (*fn)(const void *fdt, int provider,
						const fdt32_t *spec, int cells,
						void *ctx),
				      void *ctx)
{
	const fdt32_t *c;
	int len, i, ret;

	c = fdt_getprop(fdt, node, "clocks", &len);
	for (i = 0; c && i < len / 4;) {
		int provider = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(c[i]));
		int cells_len = 0;
		const fdt32_t *cells = provider >= 0 ?
			fdt_getprop(fdt, provider, "#clock-cells", &cells_len) :
			NULL;
		uint32_t n = cells && cells_len == 4 ? fdt32_to_cpu(*cells) : 0;

		if ((cells && cells_len != 4) || n > 8 ||
		    i + 1 + (int)n > len / 4)
			return -1;
		ret = fn(fdt, provider, &c[i + 1], n, ctx);
		if (ret)
			return ret;
		i += 1 + n;
	}
	return 0;
}

static int clock_is_fixed(const void *fdt, int provider, const fdt32_t *spec,
			  int cells, void *ctx)
{
	if (provider < 0 || fdt_node_check_compatible(fdt, provider, "fixed-clock")) {
		if (provider >= 0)
			partition_path(fdt, provider, ctx);
		return -1;
	}
	return 0;
}

struct clock_copy {
	struct guest_fdt *b;
	fdt32_t cells[16];
	int n;
};

static int clock_copy(const void *fdt, int provider, const fdt32_t *spec,
		      int cells, void *ctx)
{
	struct clock_copy *cc = ctx;

	if (cc->n + 1 + cells > (int)ARRAY_SIZE(cc->cells))
		return -1;
	cc->cells[cc->n++] = cpu_to_fdt32(guest_fdt_copy_clock(cc->b, fdt,
								 provider));
	memcpy(&cc->cells[cc->n], spec, (size_t)cells * 4);
	cc->n += cells;
	return 0;
}

/* The board's trigger flags at the guest's SPI numbers. */
static void passthrough_fdt_irqs(struct guest_fdt *b, int node,
				 const struct device_config *d,
				 const struct passthrough_config *cfg)
{
	fdt32_t spec[3 * DEVICE_MAX_IRQS];
	fdt32_t *c = spec;
	unsigned int i;

	for (i = 0; i < cfg->nr_irqs; i++) {
		*c++ = 0;
		*c++ = cpu_to_fdt32(d->irqs[i] - 32);
		*c++ = cpu_to_fdt32(cfg->irqs[i].flags);
	}
	if (cfg->nr_irqs)
		guest_fdt_prop(b, node, "interrupts", spec, 12 * cfg->nr_irqs);
}

/* The board node, at the guest's address, for the guest's own driver. */
static void passthrough_guest_fdt(struct guest_fdt *b,
				  const struct partition *p,
				  const struct device_config *d)
{
	const struct passthrough_config *cfg = d->config;
	int board = fdt_path_offset(p->fdt, cfg->host_path);
	const char *name = fdt_get_name(p->fdt, board, NULL);
	struct clock_copy cc = { .b = b };
	char base[64];
	int node, prop;

	if (!name) {
		b->err = board;
		b->what = cfg->host_path;
		return;
	}
	/* The clock nodes first: making a node moves the ones after it. */
	if (passthrough_for_each_clock(p->fdt, board, clock_copy, &cc))
		cc.n = 0;
	/* The board's node name is data, never a format. */
	snprintf(base, sizeof(base), "%.*s@%llx", (int)strcspn(name, "@"), name,
		 (unsigned long long)d->base);
	node = guest_fdt_node_named(b, 0, base);
	fdt_for_each_property_offset(prop, p->fdt, board) {
		const char *pname;
		const void *v;
		int len;

		v = fdt_getprop_by_offset(p->fdt, prop, &pname, &len);
		if (v && !passthrough_fdt_skip(pname))
			guest_fdt_prop(b, node, pname, v, len);
	}
	guest_fdt_reg(b, node, d->base, d->size);
	if (cc.n)
		guest_fdt_prop(b, node, "clocks", cc.cells, cc.n * 4);
	passthrough_fdt_irqs(b, node, d, cfg);
}

static int passthrough_check_clocks(const struct partition *p,
				    const struct device_config *d,
				    const struct passthrough_config *cfg,
				    struct pinvm_error *err)
{
	char provider[NODE_PATH_MAX] = "?";
	int board = fdt_path_offset(p->fdt, cfg->host_path);

	if (passthrough_for_each_clock(p->fdt, board, clock_is_fixed, provider)) {
		partition_error(err, p, d->path, "device: %s's clock %s is not a fixed-clock, which is all pinvm can give a guest",
				cfg->host_path, provider);
		return -1;
	}
	return 0;
}

static int passthrough_check(const struct partition *p,
			     const struct guest_config *g,
			     struct device_config *d, struct pinvm_error *err)
{
	struct passthrough_config *cfg = d->config;
	bool has_reg = d->size != 0;

	if (passthrough_board_node(p, d, cfg, err) ||
	    passthrough_policy(p, d, cfg, err))
		return -1;
	if (!has_reg) {
		d->base = cfg->host_base;
		d->size = cfg->host_size;
	} else if (d->size > cfg->host_size) {
		partition_error(err, p, d->path, "reg: 0x%llx bytes, more than the 0x%llx of %s",
				(unsigned long long)d->size,
				(unsigned long long)cfg->host_size,
				cfg->host_path);
		return -1;
	}
	if (cfg->direct && passthrough_check_direct(p, d, cfg, err))
		return -1;
	/* Stage 2 maps pages read-write: no policy could be enforced. */
	if (cfg->direct && (d->widths != BUS_WIDTHS_ALL || d->unaligned ||
			  d->dir != (BUS_DIR_READ | BUS_DIR_WRITE))) {
		partition_error(err, p, d->path, "mode: direct cannot enforce access, access-widths or unaligned: use mode = \"trap\"");
		return -1;
	}
	if (passthrough_check_dma(p, d, cfg, err) ||
	    passthrough_check_clocks(p, d, cfg, err) ||
	    passthrough_read_irqs(p, d, cfg, err) ||
	    passthrough_check_sharing(p, d, cfg, err))
		return -1;
	d->claim_base = cfg->host_base;
	d->claim_size = cfg->host_size;
	return passthrough_check_owner(p, g, d, err);
}

/* A vCPU's accesses to registers VFIO does not map (passthrough_read). */
static const struct sandbox_rule passthrough_vcpu_calls[] = {
	{ "pread64", SANDBOX_PLAIN },
	{ "pwrite64", SANDBOX_PLAIN },
};

static const struct sandbox_rules passthrough_vcpu_rules =
	SANDBOX_RULES_CALLS(passthrough_vcpu_calls);

/*
 * On the main thread: a guest's restart resets the device and unmasks its
 * lines (vfio_reset), its end frees the interrupts and gives the device
 * back through sysfs.
 */
static const struct sandbox_rule passthrough_main_calls[] = {
	{ "openat", SANDBOX_NO_CREATE },
	{ "close", SANDBOX_PLAIN },
	{ "readlinkat", SANDBOX_PLAIN },
	{ "faccessat", SANDBOX_PLAIN },
	{ "faccessat2", SANDBOX_PLAIN },
	{ "ioctl", SANDBOX_IOCTL },
};

static const unsigned long passthrough_main_ioctls[] = {
	VFIO_DEVICE_RESET, VFIO_DEVICE_SET_IRQS,
};

static const struct sandbox_rules passthrough_main_rules =
	SANDBOX_RULES(passthrough_main_calls, passthrough_main_ioctls);

DEFINE_DRIVER(passthrough) = {
	.compatible = "pinvm,passthrough",
	.config_size = sizeof(struct passthrough_config),
	.check = passthrough_check,
	.attach = passthrough_attach,
	.guest_fdt = passthrough_guest_fdt,
	.vcpu_rules = &passthrough_vcpu_rules,
	.main_rules = &passthrough_main_rules,
};
