// SPDX-License-Identifier: GPL-2.0-only
/*
 * The interrupt benchmark's VFIO no-IOMMU claim (vfio.h). The board's
 * devices do no DMA that matters here, which is why no-IOMMU is enough;
 * the kernel taints itself for it and that is the price of a board
 * without an SMMU.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vfio.h"

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "vfio: %s%s%s: %s\n", what, detail ? " " : "",
		detail ? detail : "", strerror(errno));
	exit(1);
}

static void sysfs_write(const char *path, const char *value, int must)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || write(fd, value, strlen(value)) < 0) {
		if (must)
			die("cannot write", path);
	}
	if (fd >= 0)
		close(fd);
}

/* driver_override first, then a probe: the device binds to vfio-BUS. */
static void bind_vfio(struct bench_vfio *v)
{
	char path[256], driver[32];

	snprintf(driver, sizeof(driver), "vfio-%s", v->bus);
	snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s/driver/unbind",
		 v->bus, v->name);
	/* Whatever holds it now (nothing, when its driver is kept off). */
	sysfs_write(path, v->name, 0);
	snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s/driver_override",
		 v->bus, v->name);
	sysfs_write(path, driver, 1);
	snprintf(path, sizeof(path), "/sys/bus/%s/drivers_probe", v->bus);
	sysfs_write(path, v->name, 1);
}

static void open_group(struct bench_vfio *v)
{
	char link[256], target[256], group[64];
	struct vfio_group_status status = { .argsz = sizeof(status) };
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/bus/%s/devices/%s/iommu_group",
		 v->bus, v->name);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		die("no IOMMU group (is vfio loaded with enable_unsafe_noiommu_mode=1?)",
		    link);
	target[n] = '\0';
	snprintf(group, sizeof(group), "/dev/vfio/noiommu-%s", basename(target));

	v->container = open("/dev/vfio/vfio", O_RDWR);
	if (v->container < 0)
		die("cannot open", "/dev/vfio/vfio");
	if (ioctl(v->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION ||
	    ioctl(v->container, VFIO_CHECK_EXTENSION, VFIO_NOIOMMU_IOMMU) <= 0)
		die("no VFIO no-IOMMU support in", "/dev/vfio/vfio");
	v->group = open(group, O_RDWR);
	if (v->group < 0)
		die("cannot open", group);
	if (ioctl(v->group, VFIO_GROUP_GET_STATUS, &status) < 0 ||
	    !(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		die("group not viable:", group);
	if (ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container) < 0)
		die("VFIO_GROUP_SET_CONTAINER", group);
	if (ioctl(v->container, VFIO_SET_IOMMU, VFIO_NOIOMMU_IOMMU) < 0)
		die("VFIO_SET_IOMMU", "noiommu");
	v->device = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, v->name);
	if (v->device < 0)
		die("VFIO_GROUP_GET_DEVICE_FD", v->name);
}

static void map_region(struct bench_vfio *v)
{
	struct vfio_region_info info = { .argsz = sizeof(info), .index = 0 };
	void *p;

	if (ioctl(v->device, VFIO_DEVICE_GET_REGION_INFO, &info) < 0)
		die("VFIO_DEVICE_GET_REGION_INFO", v->name);
	if (!(info.flags & VFIO_REGION_INFO_FLAG_MMAP)) {
		errno = ENOTSUP;
		die("region 0 cannot be mapped:", v->name);
	}
	p = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 v->device, info.offset);
	if (p == MAP_FAILED)
		die("mmap of region 0 of", v->name);
	v->regs = p;
	v->size = info.size;
}

static void set_trigger(struct bench_vfio *v, int fd)
{
	struct {
		struct vfio_irq_set set;
		int32_t fd;
	} req = {
		.set = {
			.argsz = sizeof(req),
			.flags = VFIO_IRQ_SET_DATA_EVENTFD |
				 VFIO_IRQ_SET_ACTION_TRIGGER,
			.index = 0, .start = 0, .count = 1,
		},
		.fd = fd,
	};

	if (ioctl(v->device, VFIO_DEVICE_SET_IRQS, &req) < 0)
		die("VFIO_DEVICE_SET_IRQS trigger", v->name);
}

static void setup_irq(struct bench_vfio *v, int nonblock)
{
	struct vfio_irq_info info = { .argsz = sizeof(info), .index = 0 };

	if (ioctl(v->device, VFIO_DEVICE_GET_IRQ_INFO, &info) < 0 ||
	    info.count < 1 || !(info.flags & VFIO_IRQ_INFO_EVENTFD))
		die("no eventfd interrupt 0 on", v->name);
	v->trigger = eventfd(0, EFD_CLOEXEC | (nonblock ? EFD_NONBLOCK : 0));
	if (v->trigger < 0)
		die("eventfd", NULL);
	set_trigger(v, v->trigger);
}

/* A program that dies half-way still leaves the device as it found it. */
static struct bench_vfio *claimed;

static void release_at_exit(void)
{
	if (claimed)
		bench_vfio_release(claimed);
}

void bench_vfio_claim(struct bench_vfio *v, const char *bus, const char *name,
		      int nonblock)
{
	memset(v, 0, sizeof(*v));
	v->container = v->group = v->device = v->trigger = -1;
	snprintf(v->name, sizeof(v->name), "%s", name);
	snprintf(v->bus, sizeof(v->bus), "%s", bus);
	claimed = v;
	atexit(release_at_exit);
	bind_vfio(v);
	open_group(v);
	map_region(v);
	setup_irq(v, nonblock);
}

void bench_vfio_unmask(struct bench_vfio *v)
{
	struct vfio_irq_set set = {
		.argsz = sizeof(set),
		.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK,
		.index = 0, .start = 0, .count = 1,
	};

	if (ioctl(v->device, VFIO_DEVICE_SET_IRQS, &set) < 0)
		die("VFIO_DEVICE_SET_IRQS unmask", v->name);
}

void bench_vfio_release(struct bench_vfio *v)
{
	struct vfio_irq_set off = {
		.argsz = sizeof(off),
		.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
		.index = 0, .start = 0, .count = 0,
	};
	char path[256];

	claimed = NULL;
	if (v->device >= 0)
		ioctl(v->device, VFIO_DEVICE_SET_IRQS, &off);
	if (v->regs)
		munmap((void *)v->regs, v->size);
	if (v->trigger >= 0)
		close(v->trigger);
	if (v->device >= 0)
		close(v->device);
	if (v->group >= 0)
		close(v->group);
	if (v->container >= 0)
		close(v->container);
	snprintf(path, sizeof(path), "/sys/bus/%s/drivers/vfio-%s/unbind",
		 v->bus, v->bus);
	sysfs_write(path, v->name, 0);
	snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s/driver_override",
		 v->bus, v->name);
	sysfs_write(path, "\n", 0);
}
