// SPDX-License-Identifier: GPL-2.0-only
/*
 * Claiming a peripheral through VFIO, so its interrupts reach the guest
 * from the kernel: the device is bound to vfio-amba or vfio-platform, its
 * IOMMU group (a no-IOMMU group on boards without an IOMMU for it) gives a
 * device fd, region 0 is mapped from it (or read and written through it),
 * and each interrupt signals an eventfd that the guest's VM has as a KVM
 * irqfd. A level interrupt stays masked by VFIO until the guest's EOI
 * signals the resample eventfd, which VFIO takes as the unmask.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "host_irq.h"
#include "hostdev.h"

static const char *vfio_driver(const struct hostdev *h)
{
	return strcmp(h->bus, "amba") ? "vfio-platform" : "vfio-amba";
}

bool vfio_has_driver(const struct hostdev *h)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/bus/%s/drivers/%s", h->bus,
		 vfio_driver(h));
	return access(path, F_OK) == 0;
}

/* Bind the device to the bus's VFIO driver. */
static int vfio_bind(struct hostdev *h, struct pinvm_error *err)
{
	char path[PATH_MAX], now[64];

	if (hostdev_unbind(h, vfio_driver(h), err))
		return -1;
	snprintf(path, sizeof(path), "/sys/bus/%s/drivers_probe", h->bus);
	hostdev_sysfs_write(path, h->name);
	hostdev_bound(h, now, sizeof(now));
	if (strcmp(now, vfio_driver(h))) {
		error_set(err, "%s did not take %s (its probe failed: see the host kernel's log)",
			  vfio_driver(h), h->name);
		return -1;
	}
	return 0;
}

/* The device's group: /dev/vfio/noiommu-N without an IOMMU, else N. */
static int vfio_open_group(struct hostdev *h, bool *noiommu,
			   struct pinvm_error *err)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *n;
	ssize_t len;

	snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s/iommu_group",
		 h->bus, h->name);
	len = readlink(path, link, sizeof(link) - 1);
	if (len <= 0) {
		error_set(err, "%s has no IOMMU group (%s): %s", h->name, path,
			  strerror(errno));
		return -1;
	}
	link[len] = '\0';
	n = strrchr(link, '/');
	n = n ? n + 1 : link;
	/* A group is a number. */
	snprintf(path, sizeof(path), "/dev/vfio/noiommu-%.20s", n);
	*noiommu = access(path, F_OK) == 0;
	if (!*noiommu)
		snprintf(path, sizeof(path), "/dev/vfio/%.20s", n);
	h->group = open(path, O_RDWR | O_CLOEXEC);
	if (h->group < 0) {
		error_set(err, "cannot open %s: %s%s", path, strerror(errno),
			  *noiommu && errno == EPERM ?
			  " (no-IOMMU groups need CAP_SYS_RAWIO)" : "");
		return -1;
	}
	return 0;
}

static int vfio_open_device(struct hostdev *h, struct pinvm_error *err)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	unsigned long iommu;
	bool noiommu;

	h->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (h->container < 0) {
		error_set(err, "cannot open /dev/vfio/vfio: %s", strerror(errno));
		return -1;
	}
	if (ioctl(h->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
		error_set(err, "/dev/vfio/vfio: not VFIO API version %d",
			  VFIO_API_VERSION);
		return -1;
	}
	if (vfio_open_group(h, &noiommu, err))
		return -1;
	iommu = noiommu ? VFIO_NOIOMMU_IOMMU : VFIO_TYPE1v2_IOMMU;
	if (ioctl(h->group, VFIO_GROUP_GET_STATUS, &status) < 0 ||
	    !(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		error_set(err, "the IOMMU group of %s is not viable (another device of the group is bound to a host driver)",
			  h->name);
		return -1;
	}
	if (ioctl(h->group, VFIO_GROUP_SET_CONTAINER, &h->container) < 0 ||
	    ioctl(h->container, VFIO_SET_IOMMU, iommu) < 0) {
		error_set(err, "cannot set up a VFIO container (%s) for %s: %s",
			  noiommu ? "no-IOMMU" : "type1v2", h->name,
			  strerror(errno));
		return -1;
	}
	h->device = ioctl(h->group, VFIO_GROUP_GET_DEVICE_FD, h->name);
	if (h->device < 0) {
		error_set(err, "VFIO_GROUP_GET_DEVICE_FD %s: %s", h->name,
			  strerror(errno));
		return -1;
	}
	return 0;
}

/* Region 0 is the node's first reg: mapped when VFIO allows it. */
static int vfio_map_regs(struct hostdev *h, uint64_t size, bool direct,
			 struct pinvm_error *err)
{
	struct vfio_region_info reg = { .argsz = sizeof(reg), .index = 0 };

	if (ioctl(h->device, VFIO_DEVICE_GET_REGION_INFO, &reg) < 0 ||
	    reg.size < size) {
		error_set(err, "%s: VFIO region 0 missing or smaller than 0x%llx",
			  h->name, (unsigned long long)size);
		return -1;
	}
	h->region_offset = reg.offset;
	if (!(reg.flags & VFIO_REGION_INFO_FLAG_MMAP)) {
		if (direct) {
			error_set(err, "%s: VFIO will not mmap its registers (0x%llx bytes): mode = \"direct\" needs that",
				  h->name, (unsigned long long)reg.size);
			return -1;
		}
		return 0;
	}
	h->map = mmap(NULL, reg.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      h->device, reg.offset);
	if (h->map == MAP_FAILED) {
		h->map = NULL;
		error_set(err, "%s: cannot mmap its VFIO region: %s", h->name,
			  strerror(errno));
		return -1;
	}
	h->map_len = reg.size;
	h->regs = h->map;
	return 0;
}

static int vfio_set_irq_fd(struct hostdev *h, unsigned int index,
			   uint32_t action, int fd)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int)];
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;

	set->argsz = sizeof(buf);
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | action;
	set->index = index;
	set->start = 0;
	set->count = 1;
	memcpy(set->data, &fd, sizeof(fd));
	return ioctl(h->device, VFIO_DEVICE_SET_IRQS, set);
}

static int vfio_set_irq_none(struct hostdev *h, unsigned int index,
			     uint32_t action, unsigned int count)
{
	struct vfio_irq_set set = {
		.argsz = sizeof(set),
		.flags = VFIO_IRQ_SET_DATA_NONE | action,
		.index = index,
		.count = count,
	};

	return ioctl(h->device, VFIO_DEVICE_SET_IRQS, &set);
}

static int vfio_irq_error(struct hostdev *h, unsigned int index,
			  struct pinvm_error *err)
{
	if (errno == EINVAL && h->driver[0])
		error_set(err, "%s: VFIO cannot request its interrupt %u (EINVAL): the host driver %s, bound until now, left its line unusable (a chained interrupt handler): keep %s off the device at boot (initcall_blacklist=%s_driver_init or the like on the board's kernel command line; docs/boards.md)",
			  h->name, index, h->driver, h->driver, h->driver);
	else
		error_set(err, "%s: VFIO_DEVICE_SET_IRQS for interrupt %u: %s",
			  h->name, index, strerror(errno));
	return -1;
}

static int vfio_wire_irq(struct hostdev *h, const struct passthrough_irq *pi,
			 unsigned int index, uint32_t spi,
			 struct pinvm_error *err)
{
	struct vfio_irq_info info = { .argsz = sizeof(info), .index = index };
	struct region_irq *q = &h->irqs[h->nr_irqs];

	if (ioctl(h->device, VFIO_DEVICE_GET_IRQ_INFO, &info) < 0 ||
	    !info.count || !(info.flags & VFIO_IRQ_INFO_EVENTFD)) {
		error_set(err, "%s: VFIO offers no eventfd for interrupt %u",
			  h->name, index);
		return -1;
	}
	q->spi = spi;
	q->level = pi->level;
	q->resample_fd = -1;
	q->trigger_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (q->trigger_fd < 0 ||
	    (q->level && (q->resample_fd = eventfd(0, EFD_CLOEXEC |
						   EFD_NONBLOCK)) < 0)) {
		error_set(err, "eventfd: %s", strerror(errno));
		return -1;
	}
	/* Counted first, so release closes what was made. */
	h->nr_irqs++;
	if (vfio_set_irq_fd(h, index, VFIO_IRQ_SET_ACTION_TRIGGER,
			    q->trigger_fd) < 0)
		return vfio_irq_error(h, index, err);
	/*
	 * VFIO requested the line when the device was opened, and names an
	 * AMBA device's action by its peripheral ID, not its sysfs name.
	 */
	q->host_irq = host_irq_find(pi->host_spi + 32, "vfio-irq[");
	if (q->level && vfio_set_irq_fd(h, index, VFIO_IRQ_SET_ACTION_UNMASK,
					q->resample_fd) < 0) {
		error_set(err, "%s: VFIO cannot unmask interrupt %u on an eventfd: %s",
			  h->name, index, strerror(errno));
		return -1;
	}
	return 0;
}

static int vfio_wire_irqs(struct hostdev *h,
			  const struct passthrough_config *cfg,
			  const uint32_t *spis, struct pinvm_error *err)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	unsigned int i;

	if (ioctl(h->device, VFIO_DEVICE_GET_INFO, &info) < 0) {
		error_set(err, "%s: VFIO_DEVICE_GET_INFO: %s", h->name,
			  strerror(errno));
		return -1;
	}
	h->can_reset = info.flags & VFIO_DEVICE_FLAGS_RESET;
	if (info.num_irqs < cfg->nr_irqs) {
		error_set(err, "%s: VFIO has %u interrupts for it, its node %u",
			  h->name, info.num_irqs, cfg->nr_irqs);
		return -1;
	}
	for (i = 0; i < cfg->nr_irqs; i++)
		if (vfio_wire_irq(h, &cfg->irqs[i], i, spis[i] - 32, err))
			return -1;
	return 0;
}

int vfio_claim(struct hostdev *h, const struct passthrough_config *cfg,
	       const uint32_t *spis, uint64_t size, struct pinvm_error *err)
{
	unsigned int i;

	if (vfio_bind(h, err) || vfio_open_device(h, err) ||
	    vfio_map_regs(h, size, cfg->direct, err) ||
	    vfio_wire_irqs(h, cfg, spis, err)) {
		vfio_release(h);
		return -1;
	}
	pr_info("%s: claimed %s through VFIO (%s)", h->what, h->name,
		vfio_driver(h));
	for (i = 0; i < h->nr_irqs; i++)
		pr_info("%s: interrupt %u: host IRQ %u -> guest SPI %u (%s)",
			h->what, i, h->irqs[i].host_irq, h->irqs[i].spi,
			h->irqs[i].level ? "level" : "edge");
	return 0;
}

/*
 * Between two VMs: what the old guest left pending is dropped, the device
 * reset where VFIO can, and each level line unmasked (the old guest may
 * never have ended its interrupt). A line still asserted fires again, into
 * the new VM once its irqfd exists.
 */
void vfio_reset(struct hostdev *h)
{
	unsigned int i;
	uint64_t n;

	if (h->can_reset && ioctl(h->device, VFIO_DEVICE_RESET) < 0)
		pr_warn("%s: VFIO_DEVICE_RESET of %s: %s", h->what, h->name,
			strerror(errno));
	for (i = 0; i < h->nr_irqs; i++) {
		while (read(h->irqs[i].trigger_fd, &n, sizeof(n)) == sizeof(n))
			;
		if (h->irqs[i].level &&
		    vfio_set_irq_none(h, i, VFIO_IRQ_SET_ACTION_UNMASK, 1) < 0)
			pr_warn("%s: cannot unmask interrupt %u of %s: %s",
				h->what, i, h->name, strerror(errno));
	}
}

static void vfio_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void vfio_release(struct hostdev *h)
{
	char path[PATH_MAX], now[64];
	unsigned int i;

	for (i = 0; i < h->nr_irqs; i++) {
		/* count 0: VFIO frees the host IRQ and its eventfds. */
		if (h->device >= 0)
			vfio_set_irq_none(h, i, VFIO_IRQ_SET_ACTION_TRIGGER, 0);
		vfio_close(&h->irqs[i].trigger_fd);
		vfio_close(&h->irqs[i].resample_fd);
	}
	h->nr_irqs = 0;
	if (h->map && h->device >= 0) {
		munmap(h->map, h->map_len);
		h->map = h->regs = NULL;
	}
	vfio_close(&h->device);
	vfio_close(&h->group);
	vfio_close(&h->container);
	if (!h->bus[0] || !vfio_has_driver(h))
		return;
	hostdev_bound(h, now, sizeof(now));
	if (strcmp(now, vfio_driver(h)))
		return;
	snprintf(path, sizeof(path), "/sys/bus/%s/drivers/%s/unbind", h->bus,
		 vfio_driver(h));
	if (hostdev_sysfs_write(path, h->name))
		pr_warn("%s: cannot unbind %s from %s: %s", h->what, h->name,
			vfio_driver(h), strerror(errno));
}
