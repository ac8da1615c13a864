// SPDX-License-Identifier: GPL-2.0-only
/*
 * Shared memory between two guests (compatible "pinvm,shmem"), one node
 * in each guest naming the other (peer = <&guest>). Each side sees, at
 * its node's reg, a register page and then the window: the same host
 * pages (one memfd) for both, mapped into both VMs' stage 2, so data
 * never exits. The register page is read-only host memory too (a
 * KVM_MEM_READONLY slot): reads never exit either. Its writes fault into
 * KVM, which answers the doorbell itself: an ioeventfd in the writer's VM
 * whose eventfd is an irqfd (edge) on the peer's SPI in the peer's VM, so
 * no pinvm thread is on a doorbell's path. The other registers a guest
 * writes (its state, the relayed doorbell) exit to pinvm as MMIO.
 *
 * Register page, 32-bit little-endian words:
 *   0x00 ID          read: this guest's number in the link, 0 or 1
 *   0x04 PEER_STATE  read: 1 while the peer is up (wrote STATE 1 since
 *                    its boot), 0 once it went down or stopped
 *   0x08 PEER_UPS    read: how many times the peer came up
 *   0x0c SIZE        read: the window's size in bytes
 *   0x10 FLAGS       read: bit 0 the window is read-only for this guest
 *   0x40 DOORBELL    write the peer's number (1 - ID): the peer's SPI,
 *                    in the kernel alone
 *   0x44 STATE       write 1 when up (its side of the window is ready),
 *                    0 when going down; the peer gets its SPI
 *   0x48 RELAY       write the peer's number: the same SPI, through
 *                    pinvm (an exit; for comparison, make bench)
 * Any change of PEER_STATE raises this guest's SPI too.
 */
#include <errno.h>
#include <libfdt.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "driver.h"
#include "guest_fdt.h"

#define SHMEM_PAGE		0x1000ul
#define SHMEM_ID		0x00
#define SHMEM_PEER_STATE	0x04
#define SHMEM_PEER_UPS		0x08
#define SHMEM_SIZE		0x0c
#define SHMEM_FLAGS		0x10
#define SHMEM_DOORBELL		0x40
#define SHMEM_STATE		0x44
#define SHMEM_RELAY		0x48
#define SHMEM_FLAG_READ_ONLY	0x1

/* Every pair of guests has one link at most: so many fit a partition. */
#define SHMEM_MAX_LINKS		(CONFIG_MAX_GUESTS * (CONFIG_MAX_GUESTS - 1) / 2 + 1)

struct shmem_config {
	int peer_dev;		/* the peer's pinvm,shmem node */
	unsigned int id;	/* 0: the node first in the partition */
	bool read_only;		/* this guest cannot write the window */
	bool zero_on_restart;	/* the window is zeroed when it restarts */
};

/*
 * One link, both sides: the memfd's pages are side 0's register page,
 * side 1's, then the window. evt[i] raises side i's SPI.
 */
struct shmem_link {
	int nodes[2];
	uint64_t size;
	int memfd;
	uint8_t *map;
	int evt[2];
	unsigned int users;
};

/* One side: the priv of both its regions. */
struct shmem_side {
	struct shmem_link *link;
	unsigned int id;
	bool zero_on_restart;
	bool up;		/* it wrote STATE 1 this boot */
};

static struct shmem_link links[SHMEM_MAX_LINKS];

static _Atomic uint32_t *shmem_reg(struct shmem_link *l, unsigned int side,
				   unsigned int offset)
{
	return (_Atomic uint32_t *)(l->map + side * SHMEM_PAGE + offset);
}

static void shmem_kick(struct shmem_link *l, unsigned int side)
{
	uint64_t one = 1;

	/* A full counter (2^64 - 2 kicks unread) only means one is pending. */
	if (write(l->evt[side], &one, sizeof(one)) < 0)
		return;
}

/*
 * What side shows the other about it: a change of its state, and the
 * other's SPI. Saying it again changes nothing: PEER_UPS counts real ups.
 */
static void shmem_set_state(struct shmem_side *s, bool up)
{
	struct shmem_link *l = s->link;
	unsigned int peer = 1 - s->id;

	if (s->up == up)
		return;
	s->up = up;
	if (up)
		atomic_fetch_add(shmem_reg(l, peer, SHMEM_PEER_UPS), 1);
	atomic_store(shmem_reg(l, peer, SHMEM_PEER_STATE), up);
	shmem_kick(l, peer);
}

/* The register page: reads never exit (a read-only slot). */
static bool shmem_regs_read(struct region *r, uint64_t offset, uint8_t *data,
			    unsigned int len)
{
	struct shmem_side *s = r->priv;

	bus_put_le(data, len, atomic_load(shmem_reg(s->link, s->id, offset)));
	return true;
}

/*
 * Only what the kernel did not answer gets here: STATE, RELAY, and a
 * doorbell written with another number (ignored).
 */
static bool shmem_regs_write(struct region *r, uint64_t offset,
			     const uint8_t *data, unsigned int len)
{
	struct shmem_side *s = r->priv;
	uint64_t v = bus_get_le(data, len);

	if (offset == SHMEM_STATE && v <= 1)
		shmem_set_state(s, v);
	else if (offset == SHMEM_RELAY && v == 1 - s->id)
		shmem_kick(s->link, 1 - s->id);
	return true;
}

/* Between its two VMs: the peer sees it go down; it boots to a quiet SPI. */
static void shmem_regs_reset(struct region *r)
{
	struct shmem_side *s = r->priv;
	struct shmem_link *l = s->link;
	uint64_t stale;

	shmem_set_state(s, false);
	if (read(l->evt[s->id], &stale, sizeof(stale)) < 0 && errno != EAGAIN)
		pr_warn("%s: cannot drop a stale doorbell: %s", r->name,
			strerror(errno));
	if (s->zero_on_restart)
		memset(l->map + 2 * SHMEM_PAGE, 0, l->size);
}

/* What of the link is open, closed; the slot free again. */
static void shmem_link_close(struct shmem_link *l)
{
	if (l->map)
		munmap(l->map, 2 * SHMEM_PAGE + l->size);
	if (l->memfd >= 0)
		close(l->memfd);
	if (l->evt[0] >= 0)
		close(l->evt[0]);
	if (l->evt[1] >= 0)
		close(l->evt[1]);
	memset(l, 0, sizeof(*l));
}

static void shmem_link_put(struct shmem_link *l)
{
	if (!--l->users)
		shmem_link_close(l);
}

/* The guest is done: down for the peer, whose view of the pages stays. */
static void shmem_regs_release(struct region *r)
{
	struct shmem_side *s = r->priv;

	shmem_set_state(s, false);
	shmem_link_put(s->link);
	free(s);
	r->priv = NULL;
}

/* A write to a read-only window: the guest takes a data abort. */
static bool shmem_window_write(struct region *r, uint64_t offset,
			       const uint8_t *data, unsigned int len)
{
	return false;
}

static bool shmem_window_read(struct region *r, uint64_t offset,
			      uint8_t *data, unsigned int len)
{
	struct shmem_side *s = r->priv;

	memcpy(data, s->link->map + 2 * SHMEM_PAGE + offset, len);
	return true;
}

static const struct region_ops shmem_regs_ops = {
	.read = shmem_regs_read,
	.write = shmem_regs_write,
	.reset = shmem_regs_reset,
	.release = shmem_regs_release,
};

static const struct region_ops shmem_window_ops = {
	.read = shmem_window_read,
	.write = shmem_window_write,
};

static int shmem_link_open(struct shmem_link *l, const char *what,
			   struct pinvm_error *err)
{
	size_t len = 2 * SHMEM_PAGE + l->size;

	l->memfd = memfd_create("pinvm-shmem", MFD_CLOEXEC);
	if (l->memfd < 0 || ftruncate(l->memfd, len) < 0) {
		error_set(err, "%s: cannot make 0x%zx bytes of shared memory: %s",
			  what, len, strerror(errno));
		return -1;
	}
	l->map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
		      l->memfd, 0);
	if (l->map == MAP_FAILED) {
		l->map = NULL;
		error_set(err, "%s: cannot map the shared memory: %s", what,
			  strerror(errno));
		return -1;
	}
	/* Resident now: neither guest takes a fault for it later. */
	if (madvise(l->map, len, MADV_POPULATE_WRITE) && errno != EINVAL)
		pr_warn("%s: shared memory not populated: %s", what,
			strerror(errno));
	l->evt[0] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	l->evt[1] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (l->evt[0] < 0 || l->evt[1] < 0) {
		error_set(err, "%s: eventfd: %s", what, strerror(errno));
		return -1;
	}
	return 0;
}

/* The link of dev and its peer, made by whichever side attaches first. */
static struct shmem_link *shmem_link_get(const struct device_config *dev,
					 struct pinvm_error *err)
{
	const struct shmem_config *cfg = dev->config;
	int lo = cfg->id ? cfg->peer_dev : dev->node;
	int hi = cfg->id ? dev->node : cfg->peer_dev;
	struct shmem_link *l, *free_link = NULL;

	for (l = links; l < links + SHMEM_MAX_LINKS; l++) {
		if (l->users && l->nodes[0] == lo && l->nodes[1] == hi) {
			l->users++;
			return l;
		}
		if (!l->users && !free_link)
			free_link = l;
	}
	/* One link per pair of guests: the table has room for all. */
	l = free_link;
	if (!l) {
		error_set(err, "%s: more than %d links", dev->path,
			  SHMEM_MAX_LINKS);
		return NULL;
	}
	l->nodes[0] = lo;
	l->nodes[1] = hi;
	l->size = dev->size - SHMEM_PAGE;
	l->memfd = l->evt[0] = l->evt[1] = -1;
	l->users = 1;
	if (shmem_link_open(l, dev->path, err)) {
		shmem_link_close(l);
		return NULL;
	}
	return l;
}

static void shmem_init_page(struct shmem_side *s,
			    const struct shmem_config *cfg)
{
	struct shmem_link *l = s->link;

	atomic_store(shmem_reg(l, s->id, SHMEM_ID), s->id);
	atomic_store(shmem_reg(l, s->id, SHMEM_SIZE), l->size);
	atomic_store(shmem_reg(l, s->id, SHMEM_FLAGS),
		     cfg->read_only ? SHMEM_FLAG_READ_ONLY : 0);
}

static int shmem_attach(const struct partition *p,
			const struct guest_config *g,
			const struct device_config *dev, struct bus *bus,
			const struct guest_links *guest_links,
			struct pinvm_error *err)
{
	const struct shmem_config *cfg = dev->config;
	struct shmem_side *s;
	struct region regs, win;

	s = device_zalloc(dev, sizeof(*s), err);
	if (!s)
		return -1;
	s->link = shmem_link_get(dev, err);
	if (!s->link) {
		free(s);
		return -1;
	}
	s->id = cfg->id;
	s->zero_on_restart = cfg->zero_on_restart;
	shmem_init_page(s, cfg);

	regs = device_region(dev, &shmem_regs_ops, s);
	regs.size = SHMEM_PAGE;
	regs.widths = BUS_WIDTH(4);
	regs.direct = s->link->map + s->id * SHMEM_PAGE;
	regs.direct_readonly = true;
	regs.ioeventfds[0] = (struct region_ioeventfd){
		.offset = SHMEM_DOORBELL,
		.datamatch = 1 - s->id,
		.fd = s->link->evt[1 - s->id],
	};
	regs.nr_ioeventfds = 1;
	regs.irqs[0] = (struct region_irq){
		.spi = dev->irqs[0] - 32,
		.trigger_fd = s->link->evt[s->id],
		.resample_fd = -1,
	};
	regs.nr_irqs = 1;

	win = device_region(dev, &shmem_window_ops, s);
	win.base += SHMEM_PAGE;
	win.size = s->link->size;
	win.direct = s->link->map + 2 * SHMEM_PAGE;
	win.direct_readonly = cfg->read_only;

	if (bus_add(bus, &regs, err) || bus_add(bus, &win, err)) {
		shmem_link_put(s->link);
		free(s);
		return -1;
	}
	return 0;
}

/*
 * The node pinvm writes for a Linux guest binds stock uio_pdrv_genirq
 * (of_id=generic-uio): one map, the register page then the window, and
 * the SPI, which read() on /dev/uioN waits for.
 */
static void shmem_guest_fdt(struct guest_fdt *b, const struct partition *p,
			    const struct device_config *dev)
{
	static const char compat[] = "pinvm,shmem\0generic-uio";
	/* Edge: an irqfd pulses the line, which a level SPI would lose. */
	fdt32_t spec[3] = {
		0, cpu_to_fdt32(dev->irqs[0] - 32), cpu_to_fdt32(1),
	};
	int node = guest_fdt_node(b, 0, "shmem@%llx", dev->base);

	guest_fdt_prop(b, node, "compatible", compat, sizeof(compat));
	guest_fdt_reg(b, node, dev->base, dev->size);
	guest_fdt_prop(b, node, "interrupts", spec, sizeof(spec));
}

/* --- validation --------------------------------------------------------- */

/* The guest node a phandle names, or a negative value if it is none. */
static int shmem_peer_guest(const struct partition *p,
			    const struct guest_config *g, uint32_t phandle)
{
	int node = fdt_node_offset_by_phandle(p->fdt, phandle);

	if (node < 0 || fdt_parent_offset(p->fdt, node) !=
			fdt_parent_offset(p->fdt, g->node) ||
	    fdt_node_check_compatible(p->fdt, node, "pinvm,guest"))
		return -1;
	return node;
}

static bool shmem_node_names(const struct partition *p, int node,
			     uint32_t phandle)
{
	const fdt32_t *v;
	int len;

	if (fdt_node_check_compatible(p->fdt, node, "pinvm,shmem"))
		return false;
	v = fdt_getprop(p->fdt, node, "peer", &len);
	return v && len == 4 && fdt32_to_cpu(*v) == phandle;
}

/* The peer's node for this link: exactly one, naming g back. */
static int shmem_find_other(const struct partition *p,
			    const struct guest_config *g,
			    const struct device_config *dev, int peer,
			    struct pinvm_error *err)
{
	uint32_t me = fdt_get_phandle(p->fdt, g->node);
	char peer_path[NODE_PATH_MAX];
	int child, found = -1;

	partition_path(p->fdt, peer, peer_path);
	fdt_for_each_subnode(child, p->fdt, peer) {
		if (!me || !shmem_node_names(p, child, me))
			continue;
		if (found >= 0) {
			partition_error(err, p, dev->path, "peer: %s has two pinvm,shmem nodes naming %s: one link per pair of guests",
					peer_path, g->path);
			return -1;
		}
		found = child;
	}
	if (found < 0)
		partition_error(err, p, dev->path, "peer: %s has no pinvm,shmem node whose peer is %s: a link needs one node in each of its two guests",
				peer_path, g->path);
	return found;
}

static int shmem_check_reg(const struct partition *p,
			   const struct device_config *dev,
			   struct pinvm_error *err)
{
	if ((dev->base | dev->size) & (SHMEM_PAGE - 1) ||
	    dev->size < 2 * SHMEM_PAGE) {
		partition_error(err, p, dev->path, "reg: 0x%llx+0x%llx must be page aligned, base and size multiples of 0x1000: a register page, then a window of at least one page",
				(unsigned long long)dev->base,
				(unsigned long long)dev->size);
		return -1;
	}
	if (dev->nr_irqs != 1) {
		partition_error(err, p, dev->path, "interrupts: missing: a link needs the SPI its peer's doorbell raises, <0 n 1>");
		return -1;
	}
	return 0;
}

/* The two nodes agree: one window size, not read-only on both sides. */
static int shmem_check_pair(const struct partition *p,
			    const struct device_config *dev, int other,
			    struct pinvm_error *err)
{
	const struct shmem_config *cfg = dev->config;
	char other_path[NODE_PATH_MAX];
	uint64_t base, size;

	partition_path(p->fdt, other, other_path);
	if (partition_read_reg(p->fdt, other, 0, &base, &size) ||
	    size != dev->size) {
		partition_error(err, p, dev->path, "reg: 0x%llx bytes (a page and the window), but %s's reg is 0x%llx: both sides share one window",
				(unsigned long long)dev->size, other_path,
				(unsigned long long)size);
		return -1;
	}
	if (cfg->read_only &&
	    fdt_getprop(p->fdt, other, "read-only", NULL)) {
		partition_error(err, p, dev->path, "read-only: %s is read-only too: nobody could write the window",
				other_path);
		return -1;
	}
	return 0;
}

static int shmem_check(const struct partition *p,
		       const struct guest_config *g,
		       struct device_config *dev, struct pinvm_error *err)
{
	struct shmem_config *cfg = dev->config;
	const fdt32_t *v;
	unsigned int i;
	int len, peer, other;

	if (partition_read_spi(p, dev, err) || shmem_check_reg(p, dev, err))
		return -1;
	v = fdt_getprop(p->fdt, dev->node, "peer", &len);
	if (!v || len != 4) {
		partition_error(err, p, dev->path, "peer: %s (one phandle: the other guest's node)",
				v ? "malformed" : "missing");
		return -1;
	}
	peer = shmem_peer_guest(p, g, fdt32_to_cpu(*v));
	if (peer < 0) {
		partition_error(err, p, dev->path, "peer: <0x%x> is not a guest of this partition",
				fdt32_to_cpu(*v));
		return -1;
	}
	if (peer == g->node) {
		partition_error(err, p, dev->path, "peer: a guest cannot be linked to itself");
		return -1;
	}
	for (i = 0; i < g->nr_devices; i++) {
		const struct device_config *o = &g->devices[i];

		if (o->drv == dev->drv &&
		    shmem_node_names(p, o->node, fdt32_to_cpu(*v))) {
			partition_error(err, p, dev->path, "peer: %s links this guest to the same peer already: one link per pair of guests",
					o->path);
			return -1;
		}
	}
	cfg->read_only = fdt_getprop(p->fdt, dev->node, "read-only", NULL);
	cfg->zero_on_restart = fdt_getprop(p->fdt, dev->node,
					   "zero-on-restart", NULL);
	other = shmem_find_other(p, g, dev, peer, err);
	if (other < 0 || shmem_check_pair(p, dev, other, err))
		return -1;
	cfg->peer_dev = other;
	cfg->id = other < dev->node;
	return 0;
}

/*
 * No seccomp rules of its own: a vCPU thread's STATE and RELAY writes
 * are write(2) on an eventfd (every thread may write), the main thread's
 * reset reads one (it may read).
 */
DEFINE_DRIVER(shmem) = {
	.compatible = "pinvm,shmem",
	.config_size = sizeof(struct shmem_config),
	.check = shmem_check,
	.attach = shmem_attach,
	.guest_fdt = shmem_guest_fdt,
};
