// SPDX-License-Identifier: GPL-2.0-only
/*
 * Partition parsing and validation with libfdt. Every check happens here,
 * before any guest exists, and the first failure is reported naming the
 * source, the node and the property, so a bad partition starts nothing.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bus.h"
#include "driver.h"
#include "file.h"
#include "guest_fdt.h"
#include "loader.h"
#include "partition.h"

void partition_error(struct pinvm_error *err, const struct partition *p,
		     const char *node, const char *fmt, ...)
{
	char what[sizeof(err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	error_set(err, "%s: %s: %s", p->source, node, what);
}

static uint64_t read_cells(const fdt32_t *cell, int n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 32) | fdt32_to_cpu(*cell++);
	return v;
}

/*
 * Entry @index of a node's reg, in the cells its parent declares (the
 * devicetree spec's rule), so board nodes are read exactly as Linux reads
 * them.
 */
int partition_read_reg(const void *fdt, int node, int index, uint64_t *base,
		       uint64_t *size)
{
	int parent = fdt_parent_offset(fdt, node);
	int ac = fdt_address_cells(fdt, parent);
	int sc = fdt_size_cells(fdt, parent);
	const fdt32_t *reg;
	int len;

	if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
		return -1;
	reg = fdt_getprop(fdt, node, "reg", &len);
	if (!reg || len < (index + 1) * (ac + sc) * 4)
		return -1;
	reg += (size_t)index * (ac + sc);
	*base = read_cells(reg, ac);
	*size = read_cells(reg + ac, sc);
	return 0;
}

/*
 * A bus address of node's children, as the CPU sees it: through every
 * ancestor's ranges, as Linux's of_translate_address() does. A board's
 * /soc often maps bus 0x7e000000 to CPU 0xfe000000 (Raspberry Pi), and
 * /dev/mem and sysfs speak CPU addresses.
 */
static int partition_translate(const void *fdt, int node, uint64_t *addr,
			       uint64_t size, bool strict)
{
	int bus = fdt_parent_offset(fdt, node);

	/* A reg that wraps past 2^64 is no range of addresses. */
	if (strict && size && *addr + size - 1 < *addr)
		return -1;
	while (bus > 0) {
		int up = fdt_parent_offset(fdt, bus);
		int cac = fdt_address_cells(fdt, bus);
		int pac = fdt_address_cells(fdt, up);
		int sc = fdt_size_cells(fdt, bus);
		const fdt32_t *r;
		int len, i, n;

		r = fdt_getprop(fdt, bus, "ranges", &len);
		if (!r)
			return -1;	/* no ranges: not visible to the CPU */
		if (cac < 1 || cac > 2 || pac < 1 || pac > 2 || sc < 1 || sc > 2)
			return -1;
		n = len / ((cac + pac + sc) * 4);
		for (i = 0; i < n; i++, r += cac + pac + sc) {
			uint64_t child = read_cells(r, cac);
			uint64_t parent = read_cells(r + cac, pac);
			uint64_t rsize = read_cells(r + cac + pac, sc);

			if (*addr < child || *addr - child >= rsize)
				continue;
			/*
			 * All of reg inside the window, and the window's
			 * parent side inside 2^64: else the device reaches
			 * addresses its bus does not give it.
			 */
			if (strict && (size > rsize - (*addr - child) ||
				       parent + rsize - 1 < parent))
				return -1;
			*addr = parent + (*addr - child);
			break;
		}
		if (len && i == n)
			return -1;
		bus = up;
	}
	return 0;
}

int partition_read_reg_cpu(const void *fdt, int node, int index,
			   uint64_t *base, uint64_t *size)
{
	if (partition_read_reg(fdt, node, index, base, size))
		return -1;
	return partition_translate(fdt, node, base, *size, true);
}

int partition_read_reg_host(const void *fdt, int node, int index,
			    uint64_t *base, uint64_t *size)
{
	if (partition_read_reg(fdt, node, index, base, size))
		return -1;
	return partition_translate(fdt, node, base, *size, false);
}

/*
 * fdt_get_path() leaves buf unterminated when the path does not fit (and
 * untouched on other errors): messages then printed garbage, or read on
 * past the buffer.
 */
const char *partition_path(const void *fdt, int node, char *buf)
{
	const char *name;

	buf[0] = '\0';
	if (!fdt_get_path(fdt, node, buf, NODE_PATH_MAX))
		return buf;
	name = fdt_get_name(fdt, node, NULL);
	snprintf(buf, NODE_PATH_MAX, ".../%s", name ? name : "?");
	return buf;
}

int partition_node_path(const struct partition *p, int node, char *buf,
			struct pinvm_error *err)
{
	char shown[NODE_PATH_MAX];

	buf[0] = '\0';
	if (!fdt_get_path(p->fdt, node, buf, NODE_PATH_MAX))
		return 0;
	buf[0] = '\0';
	partition_error(err, p, partition_path(p->fdt, node, shown),
			"the node's path is longer than the %d bytes pinvm keeps (NODE_PATH_MAX): shorten its name or its parents'",
			NODE_PATH_MAX - 1);
	return -1;
}

int partition_read_string(const struct partition *p, int node,
			  const char *name, const char **val,
			  struct pinvm_error *err)
{
	const char *v;
	int len;

	*val = NULL;
	v = fdt_getprop(p->fdt, node, name, &len);
	if (!v)
		return 0;
	if (len < 1 || !memchr(v, '\0', len)) {
		char path[NODE_PATH_MAX];

		partition_error(err, p, partition_path(p->fdt, node, path),
				"%s: not a string", name);
		return -1;
	}
	*val = v;
	return 0;
}

/* A property of exactly one address, in the node's own #address-cells. */
static int read_address_prop(const void *fdt, int node, const char *name,
			     bool *present, uint64_t *val)
{
	int ac = fdt_address_cells(fdt, node);
	const fdt32_t *p;
	int len;

	p = fdt_getprop(fdt, node, name, &len);
	*present = p != NULL;
	if (!p)
		return 0;
	if (ac < 1 || ac > 2 || len != ac * 4)
		return -1;
	*val = read_cells(p, ac);
	return 0;
}

static int count_board_cpus(struct partition *p, struct pinvm_error *err)
{
	int cpus = fdt_path_offset(p->fdt, "/cpus");
	int node;

	p->nr_board_cpus = 0;
	if (cpus >= 0) {
		fdt_for_each_subnode(node, p->fdt, cpus) {
			const char *type;

			if (partition_read_string(p, node, "device_type",
						  &type, err))
				return -1;
			if (type && !strcmp(type, "cpu"))
				p->nr_board_cpus++;
		}
	}
	if (!p->nr_board_cpus) {
		error_set(err, "%s: /cpus: the board describes no cpu nodes",
			  p->source);
		return -1;
	}
	return 0;
}

static const char *const gic_v3_compat[] = { "arm,gic-v3", NULL };
static const char *const gic_v2_compat[] = {
	"arm,gic-400", "arm,cortex-a15-gic", "arm,cortex-a7-gic", NULL
};

static int parse_gic(struct partition *p, struct pinvm_error *err)
{
	struct gic_config *gic = &p->gic;
	const char *const *compat;
	int node = -FDT_ERR_NOTFOUND;

	gic->version = IS_ENABLED(CONFIG_VGIC_V3) ? 3 : 2;
	compat = gic->version == 3 ? gic_v3_compat : gic_v2_compat;
	for (; *compat && node < 0; compat++)
		node = fdt_node_offset_by_compatible(p->fdt, -1, *compat);
	if (node < 0) {
		error_set(err, "%s: the board has no GICv%u node (compatible \"%s\"), but pinvm is configured for a GICv%u (CONFIG_VGIC_V%u)",
			  p->source, gic->version,
			  (gic->version == 3 ? gic_v3_compat : gic_v2_compat)[0],
			  gic->version, gic->version);
		return -1;
	}
	/* Found again by offset: its path is only for messages. */
	gic->node = node;
	partition_path(p->fdt, node, gic->path);
	if (partition_read_reg_cpu(p->fdt, node, 0, &gic->dist_base, &gic->dist_size) ||
	    partition_read_reg_cpu(p->fdt, node, 1, &gic->cpu_base, &gic->cpu_size) ||
	    !gic->dist_size || !gic->cpu_size ||
	    gic->dist_base + gic->dist_size < gic->dist_base ||
	    gic->cpu_base + gic->cpu_size < gic->cpu_base) {
		partition_error(err, p, gic->path, "reg: needs the distributor and the %s regions",
				gic->version == 3 ? "redistributor" : "CPU interface");
		return -1;
	}
	return 0;
}

static int parse_cpu(struct partition *p, struct guest_config *g,
		     struct pinvm_error *err)
{
	const fdt32_t *v;
	unsigned int i;
	int len;

	v = fdt_getprop(p->fdt, g->node, "cpu", &len);
	if (!v || len != 4) {
		partition_error(err, p, g->path, "cpu: %s (one cell: the core this guest runs on)",
				v ? "must be one cell" : "missing");
		return -1;
	}
	g->cpu = fdt32_to_cpu(*v);
	if (g->cpu >= p->nr_board_cpus) {
		partition_error(err, p, g->path, "cpu: core %u does not exist (the board's /cpus has cores 0-%u)",
				g->cpu, p->nr_board_cpus - 1);
		return -1;
	}
	for (i = 0; i < p->nr_guests; i++) {
		if (p->guests[i].cpu == g->cpu) {
			partition_error(err, p, g->path, "cpu: core %u is already given to %s",
					g->cpu, p->guests[i].path);
			return -1;
		}
	}
	return 0;
}

static int check_ram_range(struct partition *p, struct guest_config *g,
			   const struct guest_ram *r, struct pinvm_error *err)
{
	unsigned int i;

	if (r->size == 0 || r->base + r->size < r->base) {
		partition_error(err, p, g->path, "memory: range 0x%llx+0x%llx is empty or wraps",
				(unsigned long long)r->base,
				(unsigned long long)r->size);
		return -1;
	}
	if ((r->base | r->size) & (page_size() - 1)) {
		partition_error(err, p, g->path, "memory: range 0x%llx+0x%llx is not page aligned (base and size must be multiples of 0x%llx)",
				(unsigned long long)r->base,
				(unsigned long long)r->size,
				(unsigned long long)page_size());
		return -1;
	}
	for (i = 0; i < g->mem.nr_ram; i++) {
		const struct guest_ram *o = &g->mem.ram[i];

		if (ranges_overlap(r->base, r->size, o->base, o->size)) {
			partition_error(err, p, g->path, "memory: range 0x%llx+0x%llx overlaps range 0x%llx+0x%llx",
					(unsigned long long)r->base,
					(unsigned long long)r->size,
					(unsigned long long)o->base,
					(unsigned long long)o->size);
			return -1;
		}
	}
	return 0;
}

static int parse_memory(struct partition *p, struct guest_config *g,
			struct pinvm_error *err)
{
	int ac = fdt_address_cells(p->fdt, g->node);
	int sc = fdt_size_cells(p->fdt, g->node);
	const fdt32_t *v;
	int len, n, i;

	v = fdt_getprop(p->fdt, g->node, "memory", &len);
	if (!v) {
		partition_error(err, p, g->path, "memory: missing (guest-physical base and size of the guest's RAM)");
		return -1;
	}
	n = len / ((ac + sc) * 4);
	if (ac < 1 || ac > 2 || sc < 1 || sc > 2 || n < 1 ||
	    n > GUEST_MAX_RAM || len != n * (ac + sc) * 4) {
		partition_error(err, p, g->path, "memory: must be 1 to %d <base size> pairs of #address-cells=%d and #size-cells=%d cells",
				GUEST_MAX_RAM, ac, sc);
		return -1;
	}
	for (i = 0; i < n; i++, v += ac + sc) {
		struct guest_ram r = {
			.base = read_cells(v, ac),
			.size = read_cells(v + ac, sc),
		};

		if (check_ram_range(p, g, &r, err))
			return -1;
		g->mem.ram[g->mem.nr_ram++] = r;
	}
	return 0;
}

/*
 * The shape libfdt's walks trust but fdt_check_header() does not check:
 * one root node, named "", whose end is followed only by FDT_END, and node
 * names without '/', every tag ahead of the last. With a second top-level
 * node, fdt_get_path() (libfdt 1.6.1) steps back out of the root and before
 * the start of its buffer; with a property length that wraps back to its
 * own tag, every walk of the tree goes round for ever.
 */
static int check_structure(const void *fdt)
{
	int offset, next = 0, depth = 0, len;
	bool root_seen = false;
	const char *name;
	uint32_t tag;

	do {
		offset = next;
		tag = fdt_next_tag(fdt, offset, &next);
		if (next < 0)
			return next;
		/* A property length of -12 leads back to the same tag. */
		if (next <= offset)
			return -FDT_ERR_BADSTRUCTURE;
		if (tag == FDT_NOP || tag == FDT_END)
			continue;
		if (root_seen && depth == 0)
			return -FDT_ERR_BADSTRUCTURE;	/* after the root */
		if (tag == FDT_BEGIN_NODE) {
			name = fdt_get_name(fdt, offset, &len);
			if (!name)
				return len;
			if ((depth == 0) != (len == 0) || memchr(name, '/', len))
				return -FDT_ERR_BADSTRUCTURE;
			depth++;
			root_seen = true;
		} else if (depth == 0) {
			return -FDT_ERR_BADSTRUCTURE;	/* before the root */
		} else if (tag == FDT_END_NODE) {
			depth--;
		}
	} while (tag != FDT_END);
	/* The length of the structure block, up to and with its FDT_END. */
	return root_seen && depth == 0 ? next : -FDT_ERR_BADSTRUCTURE;
}

/*
 * The memory reservation map, the structure block and the strings block
 * must not overlap, in whatever order they come: fdt_open_into() (libfdt
 * 1.6.1) repacks blocks it finds out of dtc's order and, when they
 * overlap, computes a negative length to move. fdt_check_header() checks
 * only that each block lies within totalsize.
 */
static int check_blocks(const void *fdt, uint32_t struct_size)
{
	struct {
		uint64_t off, size;
	} b[3];
	int i, j, n = fdt_num_mem_rsv(fdt);

	if (n < 0)
		return n;
	b[0].off = fdt_off_mem_rsvmap(fdt);
	b[0].size = ((uint64_t)n + 1) * sizeof(struct fdt_reserve_entry);
	b[1].off = fdt_off_dt_struct(fdt);
	b[1].size = fdt_version(fdt) >= 17 ? fdt_size_dt_struct(fdt) :
					     struct_size;
	b[2].off = fdt_off_dt_strings(fdt);
	b[2].size = fdt_size_dt_strings(fdt);
	for (i = 0; i < 3; i++) {
		if (b[i].off + b[i].size > fdt_totalsize(fdt))
			return -FDT_ERR_BADLAYOUT;
		for (j = 0; j < i; j++)
			if (b[i].size && b[j].size &&
			    b[i].off < b[j].off + b[j].size &&
			    b[j].off < b[i].off + b[i].size)
				return -FDT_ERR_BADLAYOUT;
	}
	return 0;
}

int partition_check_blob(const void *fdt, size_t size)
{
	int ret;

	if (size < sizeof(struct fdt_header))
		return -FDT_ERR_TRUNCATED;
	ret = fdt_check_header(fdt);
	if (ret)
		return ret;
	if (fdt_totalsize(fdt) > size)
		return -FDT_ERR_TRUNCATED;
	ret = check_structure(fdt);
	if (ret < 0)
		return ret;
	return check_blocks(fdt, ret);
}

/* A file the partition names: relative paths are under image_dir. */
static int resolve_path(struct partition *p, struct guest_config *g,
			const char *prop, const char *value,
			const char *image_dir, char *out, size_t size,
			struct pinvm_error *err)
{
	int n = snprintf(out, size, "%s%s%s", value[0] == '/' ? "" : image_dir,
			 value[0] == '/' ? "" : "/", value);

	if (n >= (int)size) {
		partition_error(err, p, g->path, "%s: path too long", prop);
		return -1;
	}
	return 0;
}

/*
 * Read a whole file once, at start, of at most max bytes; later boots use
 * these bytes. Whether an image fits is its loader's to say, with the
 * addresses at fault, so images and initrds are not bounded here.
 */
static int read_guest_file(struct partition *p, struct guest_config *g,
			   const char *prop, const char *path, uint64_t max,
			   uint8_t **data, size_t *size, struct pinvm_error *err)
{
	if (file_read_all(path, max, data, size, err)) {
		error_prefix(err, "%s: %s: %s: ", p->source, g->path, prop);
		return -1;
	}
	if (*size == 0) {
		partition_error(err, p, g->path, "%s: cannot read %s: file is empty",
				prop, path);
		free(*data);
		*data = NULL;
		return -1;
	}
	return 0;
}

/* image, and the optional initrd and dtb: paths resolved, files read. */
static int parse_guest_files(struct partition *p, struct guest_config *g,
			     const char *image_dir, struct pinvm_error *err)
{
	const char *image, *initrd, *dtb;
	uint8_t *data;
	int ret;

	if (partition_read_string(p, g->node, "image", &image, err) ||
	    partition_read_string(p, g->node, "initrd", &initrd, err) ||
	    partition_read_string(p, g->node, "dtb", &dtb, err))
		return -1;
	if (!image || !*image) {
		partition_error(err, p, g->path, "image: missing (path of the guest's image)");
		return -1;
	}
	if (resolve_path(p, g, "image", image, image_dir, g->image_path,
			 sizeof(g->image_path), err) ||
	    read_guest_file(p, g, "image", g->image_path, SIZE_MAX, &data,
			    &g->image.size, err))
		return -1;
	g->image.data = data;
	g->image.path = g->image_path;
	if (initrd && (resolve_path(p, g, "initrd", initrd, image_dir,
				    g->initrd_path, sizeof(g->initrd_path), err) ||
		       read_guest_file(p, g, "initrd", g->initrd_path, SIZE_MAX,
				       &g->initrd, &g->initrd_size, err)))
		return -1;
	if (dtb && (resolve_path(p, g, "dtb", dtb, image_dir, g->dtb_path,
				 sizeof(g->dtb_path), err) ||
		    read_guest_file(p, g, "dtb", g->dtb_path, GUEST_DTB_MAX,
				    &g->dtb, &g->dtb_size, err)))
		return -1;
	/*
	 * The guest's tree is walked as the partition's is (guest_fdt_build,
	 * the loaders' dry runs, pinvm dtb): the same check, or a looping
	 * property hangs every one of them.
	 */
	ret = dtb ? partition_check_blob(g->dtb, g->dtb_size) : 0;
	if (ret) {
		partition_error(err, p, g->path, "dtb: %s is not a valid device tree blob: %s",
				g->dtb_path, fdt_strerror(ret));
		return -1;
	}
	return 0;
}

static int parse_bootargs(struct partition *p, struct guest_config *g,
			  struct pinvm_error *err)
{
	size_t len;

	if (partition_read_string(p, g->node, "bootargs", &g->bootargs, err))
		return -1;
	len = g->bootargs ? strlen(g->bootargs) : 0;
	if (len >= GUEST_BOOTARGS_MAX) {
		partition_error(err, p, g->path, "bootargs: %zu bytes, more than the %d an arm64 kernel takes (COMMAND_LINE_SIZE)",
				len, GUEST_BOOTARGS_MAX);
		return -1;
	}
	return 0;
}

static int parse_image(struct partition *p, struct guest_config *g,
		       const char *image_dir, struct pinvm_error *err)
{
	const char *format;
	struct boot_info boot;

	if (partition_read_string(p, g->node, "image-format", &format, err))
		return -1;
	if (!format) {
		partition_error(err, p, g->path, "image-format: missing (one of: %s)",
				loader_formats());
		return -1;
	}
	g->loader = loader_find(format);
	if (!g->loader) {
		partition_error(err, p, g->path, "image-format: unknown format \"%s\" (known: %s)",
				format, loader_formats());
		return -1;
	}
	if (read_address_prop(p->fdt, g->node, "load-address",
			      &g->has_load_addr, &g->load_addr) ||
	    read_address_prop(p->fdt, g->node, "entry", &g->has_entry,
			      &g->entry)) {
		partition_error(err, p, g->path, "load-address/entry: must be one address of #address-cells cells");
		return -1;
	}
	if (parse_guest_files(p, g, image_dir, err) ||
	    parse_bootargs(p, g, err))
		return -1;
	/* A dry run: mem has no host mappings yet, so this only checks. */
	if (g->loader->load(p, g, &g->image, &g->mem, &boot, err)) {
		char msg[sizeof(err->msg) + NODE_PATH_MAX];

		snprintf(msg, sizeof(msg), "%s: %s", p->source, err->msg);
		error_set(err, "%s", msg);
		return -1;
	}
	return 0;
}

int partition_read_spi(const struct partition *p, struct device_config *d,
		       struct pinvm_error *err)
{
	const fdt32_t *irq;
	int len;

	irq = fdt_getprop(p->fdt, d->node, "interrupts", &len);
	if (!irq)
		return 0;
	if (len != 12 || fdt32_to_cpu(irq[0]) != 0 ||
	    fdt32_to_cpu(irq[1]) > GUEST_MAX_SPI) {
		partition_error(err, p, d->path, "interrupts: must be one SPI, <0 n flags> with n up to %d (the vGIC's 256 lines)",
				GUEST_MAX_SPI);
		return -1;
	}
	d->irqs[0] = fdt32_to_cpu(irq[1]) + 32;
	d->nr_irqs = 1;
	return 0;
}

static int check_device_space(struct partition *p, struct guest_config *g,
			      const struct device_config *d,
			      struct pinvm_error *err)
{
	unsigned int i;

	for (i = 0; i < g->mem.nr_ram; i++) {
		if (ranges_overlap(d->base, d->size, g->mem.ram[i].base,
				   g->mem.ram[i].size)) {
			partition_error(err, p, d->path, "reg: 0x%llx+0x%llx overlaps the guest's memory",
					(unsigned long long)d->base,
					(unsigned long long)d->size);
			return -1;
		}
	}
	for (i = 0; i < g->nr_devices; i++) {
		const struct device_config *o = &g->devices[i];

		if (ranges_overlap(d->base, d->size, o->base, o->size)) {
			partition_error(err, p, d->path, "reg: 0x%llx+0x%llx overlaps %s",
					(unsigned long long)d->base,
					(unsigned long long)d->size, o->path);
			return -1;
		}
	}
	if (ranges_overlap(d->base, d->size, p->gic.dist_base, p->gic.dist_size) ||
	    ranges_overlap(d->base, d->size, p->gic.cpu_base, p->gic.cpu_size)) {
		partition_error(err, p, d->path, "reg: 0x%llx+0x%llx overlaps the guest's interrupt controller (%s)",
				(unsigned long long)d->base,
				(unsigned long long)d->size, p->gic.path);
		return -1;
	}
	return 0;
}

/*
 * A guest SPI is one device's: two devices on one line would each take
 * the other's interrupts (and a forwarded one could never be masked).
 */
static int check_device_irqs(struct partition *p, struct guest_config *g,
			     const struct device_config *d,
			     struct pinvm_error *err)
{
	unsigned int i, j, k;

	for (i = 0; i < d->nr_irqs; i++) {
		for (k = i + 1; k < d->nr_irqs; k++) {
			if (d->irqs[k] != d->irqs[i])
				continue;
			partition_error(err, p, d->path, "interrupts: guest SPI %u is listed twice",
					d->irqs[i] - 32);
			return -1;
		}
		for (j = 0; j < g->nr_devices; j++) {
			const struct device_config *o = &g->devices[j];

			for (k = 0; k < o->nr_irqs; k++) {
				if (o->irqs[k] != d->irqs[i])
					continue;
				partition_error(err, p, d->path, "interrupts: guest SPI %u is already %s's",
						d->irqs[i] - 32, o->path);
				return -1;
			}
		}
	}
	return 0;
}

/* A device's reg, its driver's check and where it lies. */
static int check_device(struct partition *p, struct guest_config *g,
			struct device_config *d, struct pinvm_error *err)
{
	/* A driver may take the address from elsewhere when reg is absent. */
	if (fdt_getprop(p->fdt, d->node, "reg", NULL) &&
	    partition_read_reg(p->fdt, d->node, 0, &d->base, &d->size)) {
		partition_error(err, p, d->path, "reg: malformed (one <address size> entry)");
		return -1;
	}
	d->widths = BUS_WIDTHS_ALL;
	d->dir = BUS_DIR_READ | BUS_DIR_WRITE;
	if (d->drv->check && d->drv->check(p, g, d, err))
		return -1;
	if (d->size == 0 || d->base + d->size < d->base) {
		partition_error(err, p, d->path, "reg: missing, empty or wrapping");
		return -1;
	}
	if (check_device_space(p, g, d, err))
		return -1;
	return check_device_irqs(p, g, d, err);
}

static int parse_device(struct partition *p, struct guest_config *g, int node,
			struct pinvm_error *err)
{
	struct device_config *d;
	const char *compat;

	if (g->nr_devices == GUEST_MAX_DEVICES) {
		partition_error(err, p, g->path, "more than %d devices in one guest",
				GUEST_MAX_DEVICES);
		return -1;
	}
	d = &g->devices[g->nr_devices];
	memset(d, 0, sizeof(*d));
	d->node = node;
	if (partition_node_path(p, node, d->path, err) ||
	    partition_read_string(p, node, "compatible", &compat, err))
		return -1;
	if (!compat) {
		partition_error(err, p, d->path, "compatible: missing");
		return -1;
	}
	d->drv = driver_find(compat);
	if (!d->drv) {
		partition_error(err, p, d->path, "compatible: no driver for \"%s\" (misspelled, or not enabled in Kconfig)",
				compat);
		return -1;
	}
	if (device_config_alloc(d, err))
		return -1;
	if (check_device(p, g, d, err)) {
		device_config_free(d);
		return -1;
	}
	g->nr_devices++;
	return 0;
}

static int check_ram_vs_gic(struct partition *p, struct guest_config *g,
			    struct pinvm_error *err)
{
	unsigned int i;

	for (i = 0; i < g->mem.nr_ram; i++) {
		const struct guest_ram *r = &g->mem.ram[i];

		if (ranges_overlap(r->base, r->size, p->gic.dist_base,
				   p->gic.dist_size) ||
		    ranges_overlap(r->base, r->size, p->gic.cpu_base,
				   p->gic.cpu_size)) {
			partition_error(err, p, g->path, "memory: range 0x%llx+0x%llx overlaps the guest's interrupt controller (%s)",
					(unsigned long long)r->base,
					(unsigned long long)r->size,
					p->gic.path);
			return -1;
		}
	}
	return 0;
}

static int parse_guest_name(struct partition *p, struct guest_config *g,
			    struct pinvm_error *err)
{
	const char *name = fdt_get_name(p->fdt, g->node, NULL);

	unsigned int i;

	if (!guest_name_valid(name)) {
		partition_error(err, p, g->path, "the guest's name (its node name) must be 1 to %d characters of a-z, 0-9, '-' and '_'",
				GUEST_NAME_MAX - 1);
		return -1;
	}
	/*
	 * dtc never writes two nodes of one name, but a blob can: the second
	 * guest would boot the first one's firmware from its slot directory.
	 */
	for (i = 0; i < p->nr_guests; i++) {
		if (strcmp(p->guests[i].name, name))
			continue;
		partition_error(err, p, g->path, "the guest's name (its node name) is already an earlier guest's: each guest needs a name of its own (its firmware slots, status and updates go by it)");
		return -1;
	}
	strcpy(g->name, name);
	return 0;
}

/* An optional one-cell property of a guest in [min, max], else def. */
int partition_read_guest_u32(const struct partition *p,
			     const struct guest_config *g, const char *name,
			     unsigned int min, unsigned int max,
			     unsigned int def, unsigned int *val,
			     struct pinvm_error *err)
{
	const fdt32_t *cell;
	int len;

	*val = def;
	cell = fdt_getprop(p->fdt, g->node, name, &len);
	if (!cell)
		return 0;
	*val = len == 4 ? fdt32_to_cpu(*cell) : 0;
	if (len != 4 || *val < min || *val > max) {
		partition_error(err, p, g->path, "%s: one cell, %u to %u", name,
				min, max);
		return -1;
	}
	return 0;
}

static int props_index(const struct guest_props *gp)
{
	const struct guest_props *o;
	int i = 0;

	for_each_guest_props(o) {
		if (o == gp)
			return i < GUEST_PROPS_MAX ? i : -1;
		i++;
	}
	return -1;
}

const void *guest_props(const struct guest_config *g,
			const struct guest_props *gp)
{
	int i = props_index(gp);

	return i < 0 ? NULL : g->props[i];
}

/* The services' properties of the guest, each parser's into its bytes. */
static int parse_guest_props(struct partition *p, struct guest_config *g,
			     struct pinvm_error *err)
{
	const struct guest_props *gp;
	int i = 0;

	for_each_guest_props(gp) {
		if (i == GUEST_PROPS_MAX) {
			error_set(err, "%s: more than %d guest property parsers",
				  gp->name, GUEST_PROPS_MAX);
			return -1;
		}
		g->props[i] = calloc(1, gp->size ? gp->size : 1);
		if (!g->props[i]) {
			partition_error(err, p, g->path, "out of memory");
			return -1;
		}
		if (gp->parse(p, g, g->props[i], err))
			return -1;
		i++;
	}
	return 0;
}

static void free_guest_props(struct guest_config *g)
{
	unsigned int i;

	for (i = 0; i < GUEST_PROPS_MAX; i++) {
		free(g->props[i]);
		g->props[i] = NULL;
	}
}

/* What a guest's SYSTEM_RESET does: restart-policy and restart-limit. */
static int parse_restart(struct partition *p, struct guest_config *g,
			 struct pinvm_error *err)
{
	const char *policy;

	if (partition_read_string(p, g->node, "restart-policy", &policy, err))
		return -1;
	if (policy && strcmp(policy, "restart") && strcmp(policy, "stop")) {
		partition_error(err, p, g->path, "restart-policy: \"restart\" or \"stop\"");
		return -1;
	}
	g->restart_on_reset = !policy || !strcmp(policy, "restart");
	return partition_read_guest_u32(p, g, "restart-limit", 1, 100000,
			      CONFIG_RESTART_LIMIT, &g->restart_limit, err);
}

static void free_devices(struct guest_config *g)
{
	unsigned int i;

	for (i = 0; i < g->nr_devices; i++)
		device_config_free(&g->devices[i]);
}

static int parse_guest(struct partition *p, int node, const char *image_dir,
		       struct pinvm_error *err)
{
	struct guest_config *g = &p->guests[p->nr_guests];
	int child;

	memset(g, 0, sizeof(*g));
	g->node = node;
	if (partition_node_path(p, node, g->path, err) ||
	    parse_guest_name(p, g, err) || parse_cpu(p, g, err) ||
	    parse_memory(p, g, err) || check_ram_vs_gic(p, g, err) ||
	    parse_guest_props(p, g, err) || parse_restart(p, g, err)) {
		free_guest_props(g);
		return -1;
	}
	g->big_endian = fdt_getprop(p->fdt, node, "big-endian", NULL) != NULL;
	fdt_for_each_subnode(child, p->fdt, node) {
		if (parse_device(p, g, child, err)) {
			free_devices(g);
			free_guest_props(g);
			return -1;
		}
	}
	/* Count it now so partition_free() releases the image on failure. */
	p->nr_guests++;
	return parse_image(p, g, image_dir, err);
}

/*
 * Only the first /pinvm was read: a second one, by name or compatible,
 * would be a partition silently ignored.
 */
static int check_one_partition_node(struct partition *p, int root,
				    struct pinvm_error *err)
{
	char path[NODE_PATH_MAX];
	int node;

	fdt_for_each_subnode(node, p->fdt, 0) {
		const char *name = fdt_get_name(p->fdt, node, NULL);

		if (node == root || !name || strcmp(name, "pinvm"))
			continue;
		error_set(err, "%s: /pinvm: the board has a second node named pinvm: the partition is one /pinvm node",
			  p->source);
		return -1;
	}
	node = -1;
	while ((node = fdt_node_offset_by_compatible(p->fdt, node,
						     "pinvm,partition")) >= 0) {
		if (node == root)
			continue;
		partition_error(err, p, partition_path(p->fdt, node, path),
				"compatible: a second \"pinvm,partition\" node: the partition is /pinvm alone");
		return -1;
	}
	return 0;
}

static int parse_guests(struct partition *p, const char *image_dir,
			struct pinvm_error *err)
{
	int root, node;

	root = fdt_path_offset(p->fdt, "/pinvm");
	if (root < 0 || fdt_node_check_compatible(p->fdt, root,
						  "pinvm,partition")) {
		error_set(err, "%s: /pinvm: missing, or not compatible with \"pinvm,partition\"",
			  p->source);
		return -1;
	}
	if (check_one_partition_node(p, root, err))
		return -1;
	fdt_for_each_subnode(node, p->fdt, root) {
		/* A misspelt guest must not quietly leave the partition. */
		if (fdt_node_check_compatible(p->fdt, node, "pinvm,guest")) {
			char path[NODE_PATH_MAX];

			partition_error(err, p, partition_path(p->fdt, node, path),
					"compatible: every child of /pinvm must be a \"pinvm,guest\"");
			return -1;
		}
		if (p->nr_guests == CONFIG_MAX_GUESTS) {
			error_set(err, "%s: /pinvm: more than %d guests (CONFIG_MAX_GUESTS)",
				  p->source, CONFIG_MAX_GUESTS);
			return -1;
		}
		if (parse_guest(p, node, image_dir, err))
			return -1;
	}
	if (!p->nr_guests) {
		error_set(err, "%s: /pinvm: no guest nodes (compatible \"pinvm,guest\")",
			  p->source);
		return -1;
	}
	return 0;
}

/*
 * A host device one guest takes whole (its host driver unbound) cannot
 * also serve another device: a GPIO model's lines on a PL061 another
 * guest has passed through would go with the chip.
 */
static int check_host_devices(struct partition *p, struct pinvm_error *err)
{
	unsigned int ga, gb, a, b, u;

	for (ga = 0; ga < p->nr_guests; ga++)
	for (a = 0; a < p->guests[ga].nr_devices; a++) {
		const struct device_config *da = &p->guests[ga].devices[a];

		if (!da->claim_size)
			continue;
		for (gb = 0; gb < p->nr_guests; gb++)
		for (b = 0; b < p->guests[gb].nr_devices; b++) {
			const struct device_config *db = &p->guests[gb].devices[b];

			for (u = 0; u < db->nr_uses; u++) {
				if (!range_contains(da->claim_base, da->claim_size,
						    db->uses[u], 1))
					continue;
				partition_error(err, p, db->path, "chip: the host device at 0x%llx is %s's, which takes it whole from the host (its lines would go with it)",
						(unsigned long long)db->uses[u],
						da->path);
				return -1;
			}
		}
	}
	return 0;
}

int partition_parse(struct partition *p, const void *fdt, const char *source,
		    const char *image_dir, struct pinvm_error *err)
{
	int ret;

	/*
	 * The guests' configurations are each zeroed as parse_guest() takes
	 * them: the pages of those the partition does not use (most of
	 * CONFIG_MAX_GUESTS's) stay untouched, off pinvm's start-up and RSS.
	 */
	memset(p, 0, offsetof(struct partition, guests));
	p->fdt = fdt;
	p->source = source;
	ret = partition_check_blob(fdt, fdt_totalsize(fdt));
	if (ret) {
		error_set(err, "%s: not a valid device tree blob: %s", source,
			  fdt_strerror(ret));
		return -1;
	}
	if (count_board_cpus(p, err) || parse_gic(p, err) ||
	    parse_guests(p, image_dir, err) || check_host_devices(p, err)) {
		partition_free(p);
		return -1;
	}
	return 0;
}

void partition_free(struct partition *p)
{
	unsigned int i;

	for (i = 0; i < p->nr_guests; i++) {
		free_devices(&p->guests[i]);
		free_guest_props(&p->guests[i]);
		free((void *)p->guests[i].image.data);
		free(p->guests[i].initrd);
		free(p->guests[i].dtb);
		p->guests[i].image.data = NULL;
		p->guests[i].initrd = p->guests[i].dtb = NULL;
	}
	p->nr_guests = 0;
}
