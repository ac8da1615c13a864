// SPDX-License-Identifier: GPL-2.0-only
/*
 * Claiming host devices. Linux names a device made from a device-tree node
 * with a reg "<address in hex>.<node name>" on the platform or AMBA bus; that
 * is how the board node a partition names is found in sysfs.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hostdev.h"
#include "partition.h"

static const char *const hostdev_buses[] = { "amba", "platform" };

static int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

static bool hostdev_find(struct hostdev *h, uint64_t base)
{
	char prefix[32], path[PATH_MAX];
	unsigned int i;

	snprintf(prefix, sizeof(prefix), "%llx.", (unsigned long long)base);
	for (i = 0; i < ARRAY_SIZE(hostdev_buses); i++) {
		struct dirent *de;
		DIR *dir;

		snprintf(path, sizeof(path), "/sys/bus/%s/devices",
			 hostdev_buses[i]);
		dir = opendir(path);
		if (!dir)
			continue;
		while ((de = readdir(dir))) {
			if (strncmp(de->d_name, prefix, strlen(prefix)) ||
			    strlen(de->d_name) >= sizeof(h->name))
				continue;
			strcpy(h->name, de->d_name);
			strcpy(h->bus, hostdev_buses[i]);
			closedir(dir);
			return true;
		}
		closedir(dir);
	}
	return false;
}

static void hostdev_driver_name(struct hostdev *h)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s/driver", h->bus,
		 h->name);
	n = readlink(path, link, sizeof(link) - 1);
	h->driver[0] = '\0';
	if (n > 0) {
		const char *base;

		link[n] = '\0';
		base = strrchr(link, '/');
		snprintf(h->driver, sizeof(h->driver), "%.63s",
			 base ? base + 1 : link);
	}
}

/* Keep every host driver off it while pinvm owns it, then unbind. */
static int hostdev_unbind(struct hostdev *h, struct pinvm_error *err)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s/driver_override",
		 h->bus, h->name);
	if (sysfs_write(path, "pinvm\n")) {
		error_set(err, "%s: cannot set %s: %s", h->what, path,
			  strerror(errno));
		return -1;
	}
	hostdev_driver_name(h);
	if (!h->driver[0])
		return 0;
	snprintf(path, sizeof(path), "/sys/bus/%s/drivers/%s/unbind", h->bus,
		 h->driver);
	if (sysfs_write(path, h->name)) {
		error_set(err, "%s: cannot unbind %s from its host driver %s: %s",
			  h->what, h->name, h->driver, strerror(errno));
		h->driver[0] = '\0';
		return -1;
	}
	pr_info("%s: took %s from host driver %s", h->what, h->name, h->driver);
	return 0;
}

static int hostdev_map(struct hostdev *h, uint64_t base, uint64_t size,
		       struct pinvm_error *err)
{
	uint64_t page = page_size();
	uint64_t start = base & ~(page - 1);
	int fd;

	h->map_len = (base - start + size + page - 1) & ~(page - 1);
	fd = open("/dev/mem", O_RDWR | O_SYNC | O_CLOEXEC);
	if (fd < 0) {
		error_set(err, "%s: cannot open /dev/mem: %s", h->what,
			  strerror(errno));
		return -1;
	}
	h->map = mmap(NULL, h->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		      start);
	close(fd);
	if (h->map == MAP_FAILED) {
		h->map = NULL;
		if (errno == EPERM)
			error_set(err, "%s: /dev/mem refused to map 0x%llx+0x%llx (EPERM): %s",
				  h->what, (unsigned long long)base,
				  (unsigned long long)size,
				  h->bus[0] ? "the kernel still counts it as claimed (CONFIG_IO_STRICT_DEVMEM)" :
				  "no sysfs device found to unbind, and the kernel forbids the range (CONFIG_STRICT_DEVMEM)");
		else
			error_set(err, "%s: cannot map 0x%llx+0x%llx from /dev/mem: %s",
				  h->what, (unsigned long long)base,
				  (unsigned long long)size, strerror(errno));
		return -1;
	}
	h->regs = h->map + (base - start);
	return 0;
}

int hostdev_claim(struct hostdev *h, const char *what, uint64_t base,
		  uint64_t size, struct pinvm_error *err)
{
	memset(h, 0, sizeof(*h));
	h->what = what;
	if (!hostdev_find(h, base))
		pr_warn("%s: no device at 0x%llx in /sys/bus/{amba,platform}: mapping it without unbinding a host driver",
			what, (unsigned long long)base);
	else if (hostdev_unbind(h, err)) {
		hostdev_release(h);
		return -1;
	}
	if (hostdev_map(h, base, size, err)) {
		hostdev_release(h);
		return -1;
	}
	return 0;
}

void hostdev_release(struct hostdev *h)
{
	char path[PATH_MAX];

	if (h->map)
		munmap(h->map, h->map_len);
	h->map = h->regs = NULL;
	if (!h->bus[0])
		return;
	snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s/driver_override",
		 h->bus, h->name);
	if (sysfs_write(path, "\n"))
		pr_warn("%s: cannot clear %s: %s", h->what, path,
			strerror(errno));
	if (h->driver[0]) {
		snprintf(path, sizeof(path), "/sys/bus/%s/drivers/%s/bind",
			 h->bus, h->driver);
		if (sysfs_write(path, h->name))
			pr_warn("%s: cannot give %s back to %s: %s", h->what,
				h->name, h->driver, strerror(errno));
		else
			pr_info("%s: gave %s back to host driver %s", h->what,
				h->name, h->driver);
	}
	h->bus[0] = '\0';
}
