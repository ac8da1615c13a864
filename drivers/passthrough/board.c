// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the board's tree says of a passed-through peripheral beyond its
 * registers: the GIC SPIs it raises (forwarded to the guest, which sees
 * them at the same numbers unless the partition node says otherwise), and
 * whether its interrupt line or its register page is shared with another
 * device of the board. A shared line or page cannot be given to one guest:
 * the other device's interrupts would reach the guest (or be lost to the
 * host while the guest masks the line), and a page is the smallest thing
 * VFIO and stage 2 can hand over.
 */
#include <libfdt.h>
#include <string.h>

#include "driver.h"
#include "passthrough.h"

/* Cell k of the <type number flags> triple entry of an interrupts property. */
static uint32_t irq_cell(const fdt32_t *v, int entry, int k)
{
	return fdt32_to_cpu(v[(size_t)entry * 3 + k]);
}

/* The interrupt parent of node: its own interrupt-parent, or an ancestor's. */
static int board_irq_parent(const void *fdt, int node)
{
	while (node >= 0) {
		const fdt32_t *ph;
		int len;

		ph = fdt_getprop(fdt, node, "interrupt-parent", &len);
		if (ph && len == 4)
			return fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(*ph));
		node = fdt_parent_offset(fdt, node);
	}
	return -FDT_ERR_NOTFOUND;
}

static bool board_node_enabled(const void *fdt, int node)
{
	const char *status = fdt_getprop(fdt, node, "status", NULL);

	return !status || !strcmp(status, "okay") || !strcmp(status, "ok");
}

/*
 * The SPIs of a board node whose interrupts go to the GIC, each a
 * <type number flags> triple; 0 if it has none there.
 */
static int board_spis(const struct partition *p, int node,
		      const fdt32_t **cells)
{
	int len;

	*cells = fdt_getprop(p->fdt, node, "interrupts", &len);
	if (!*cells || len % 12 || board_irq_parent(p->fdt, node) != p->gic.node)
		return 0;
	return len / 12;
}

static int board_read_irqs(const struct partition *p,
			   const struct device_config *d,
			   struct passthrough_config *cfg, int board,
			   struct pinvm_error *err)
{
	const fdt32_t *v;
	int len, i;

	v = fdt_getprop(p->fdt, board, "interrupts", &len);
	if (!v)
		return 0;
	if (board_irq_parent(p->fdt, board) != p->gic.node || len % 12) {
		partition_error(err, p, d->path, "device: %s's interrupts do not go to the GIC (%s) as <type number flags>: pinvm can forward only GIC SPIs",
				cfg->host_path, p->gic.path);
		return -1;
	}
	if (len / 12 > DEVICE_MAX_IRQS) {
		partition_error(err, p, d->path, "device: %s has %d interrupts, pinvm forwards at most %d",
				cfg->host_path, len / 12, DEVICE_MAX_IRQS);
		return -1;
	}
	for (i = 0; i < len / 12; i++) {
		struct passthrough_irq *q = &cfg->irqs[i];
		uint32_t type = irq_cell(v, i, 0);
		uint32_t spi = irq_cell(v, i, 1);

		q->flags = irq_cell(v, i, 2);
		if (type != 0 || spi > GUEST_MAX_SPI) {
			partition_error(err, p, d->path, "device: %s's interrupt %d is not an SPI up to %d (<0 n flags>): pinvm can forward only SPIs",
					cfg->host_path, i, GUEST_MAX_SPI);
			return -1;
		}
		q->host_spi = spi;
		/* 4 and 8 are level-high and -low, 1 and 2 rising and falling. */
		q->level = (q->flags & 0xc) != 0;
	}
	cfg->nr_irqs = len / 12;
	return 0;
}

/* The partition node's interrupts: the guest's SPIs, one per board SPI. */
static int board_guest_spis(const struct partition *p, struct device_config *d,
			    const struct passthrough_config *cfg,
			    struct pinvm_error *err)
{
	const fdt32_t *v;
	unsigned int i;
	int len;

	v = fdt_getprop(p->fdt, d->node, "interrupts", &len);
	if (v && (len % 12 || (unsigned int)len / 12 != cfg->nr_irqs)) {
		partition_error(err, p, d->path, "interrupts: must be %u <0 n flags> entries, one for each of %s's interrupts",
				cfg->nr_irqs, cfg->host_path);
		return -1;
	}
	for (i = 0; i < cfg->nr_irqs; i++) {
		uint32_t spi = cfg->irqs[i].host_spi;

		if (v) {
			spi = irq_cell(v, i, 1);
			if (irq_cell(v, i, 0) != 0 || spi > GUEST_MAX_SPI ||
			    ((irq_cell(v, i, 2) & 0xc) != 0) !=
			    cfg->irqs[i].level) {
				partition_error(err, p, d->path, "interrupts: entry %u must be <0 n flags>, an SPI up to %d with the board's trigger (%s)",
						i, GUEST_MAX_SPI,
						cfg->irqs[i].level ? "level" : "edge");
				return -1;
			}
		}
		d->irqs[i] = spi + 32;
	}
	d->nr_irqs = cfg->nr_irqs;
	return 0;
}

int passthrough_read_irqs(const struct partition *p, struct device_config *d,
			  struct passthrough_config *cfg,
			  struct pinvm_error *err)
{
	int board = fdt_path_offset(p->fdt, cfg->host_path);

	cfg->irqs_required = fdt_getprop(p->fdt, d->node, "interrupts-required",
					 NULL) != NULL;
	if (board_read_irqs(p, d, cfg, board, err))
		return -1;
	if (cfg->irqs_required && !cfg->nr_irqs) {
		partition_error(err, p, d->path, "interrupts-required: %s has no interrupts to forward",
				cfg->host_path);
		return -1;
	}
	return board_guest_spis(p, d, cfg, err);
}

/* node is anc, or below it. */
static bool node_under(const void *fdt, int node, int anc)
{
	while (node >= 0 && node != anc)
		node = fdt_parent_offset(fdt, node);
	return node >= 0 && anc >= 0;
}

/* Another board device on one of cfg's lines. */
static int board_check_line(const struct partition *p,
			    const struct device_config *d,
			    const struct passthrough_config *cfg, int node,
			    const char *path, struct pinvm_error *err)
{
	const fdt32_t *v;
	int n = board_spis(p, node, &v), i;
	unsigned int j;

	for (i = 0; i < n; i++) {
		if (irq_cell(v, i, 0) != 0)
			continue;
		for (j = 0; j < cfg->nr_irqs; j++) {
			if (irq_cell(v, i, 1) != cfg->irqs[j].host_spi)
				continue;
			partition_error(err, p, d->path, "device: interrupt SPI %u of %s is shared with %s: a shared line cannot be given to one guest",
					cfg->irqs[j].host_spi, cfg->host_path,
					path);
			return -1;
		}
	}
	return 0;
}

/* Another board device in the pages of cfg's registers. */
static int board_check_page(const struct partition *p,
			    const struct device_config *d,
			    const struct passthrough_config *cfg, int node,
			    const char *path, struct pinvm_error *err)
{
	uint64_t page = page_size();
	uint64_t start = cfg->host_base & ~(page - 1);
	uint64_t end = (cfg->host_base + cfg->host_size + page - 1) & ~(page - 1);
	uint64_t base, size;
	int i;

	for (i = 0; !partition_read_reg_host(p->fdt, node, i, &base, &size); i++) {
		if (!size || !ranges_overlap(start, end - start, base, size))
			continue;
		partition_error(err, p, d->path, "device: register page 0x%llx of %s is shared with %s (0x%llx+0x%llx): a shared page cannot be given to one guest",
				(unsigned long long)(base > start ? base & ~(page - 1) : start),
				cfg->host_path, path, (unsigned long long)base,
				(unsigned long long)size);
		return -1;
	}
	return 0;
}

int passthrough_check_sharing(const struct partition *p,
			      const struct device_config *d,
			      const struct passthrough_config *cfg,
			      struct pinvm_error *err)
{
	int board = fdt_path_offset(p->fdt, cfg->host_path);
	int pinvm = fdt_path_offset(p->fdt, "/pinvm");
	char path[NODE_PATH_MAX];
	int node, depth = 0;

	/*
	 * By offset, not by path: a node whose path did not fit a buffer
	 * was once skipped, its line or page never compared.
	 */
	for (node = fdt_next_node(p->fdt, -1, &depth); node >= 0;
	     node = fdt_next_node(p->fdt, node, &depth)) {
		if (node_under(p->fdt, node, pinvm) ||
		    node_under(p->fdt, board, node) ||
		    !board_node_enabled(p->fdt, node))
			continue;
		partition_path(p->fdt, node, path);
		if (board_check_line(p, d, cfg, node, path, err))
			return -1;
		/* A trapped device without interrupts stays inside its reg. */
		if ((cfg->nr_irqs || cfg->direct) &&
		    board_check_page(p, d, cfg, node, path, err))
			return -1;
	}
	return 0;
}
