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
#include "sandbox.h"

static const char *const hostdev_buses[] = { "amba", "platform" };

int hostdev_sysfs_write(const char *path, const char *val)
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

/* The driver bound to the device now, or "". */
void hostdev_bound(const struct hostdev *h, char *name, size_t size)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s/driver", h->bus,
		 h->name);
	n = readlink(path, link, sizeof(link) - 1);
	name[0] = '\0';
	if (n > 0) {
		const char *base;

		link[n] = '\0';
		base = strrchr(link, '/');
		snprintf(name, size, "%.63s", base ? base + 1 : link);
	}
}

/*
 * A device a previous pinvm still held when it died (its driver_override
 * ours): taken over, and given to the host's driver at the end.
 */
static void hostdev_check_leftover(struct hostdev *h)
{
	char path[PATH_MAX], val[64] = "";
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s/driver_override",
		 h->bus, h->name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, val, sizeof(val) - 1);
	close(fd);
	val[n > 0 ? n : 0] = '\0';
	val[strcspn(val, "\n")] = '\0';
	if (strcmp(val, "pinvm") && strncmp(val, "vfio-", 5))
		return;
	pr_warn("%s: %s was still claimed (driver_override %s), by a pinvm that did not end cleanly: taking it over",
		h->what, h->name, val);
	h->reprobe = true;
}

/*
 * Keep every host driver but override off the device while pinvm owns
 * it, then unbind the one it has (unless it is override already).
 */
int hostdev_unbind(struct hostdev *h, const char *override,
		   struct pinvm_error *err)
{
	char path[PATH_MAX], line[80];

	snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s/driver_override",
		 h->bus, h->name);
	snprintf(line, sizeof(line), "%s\n", override);
	if (hostdev_sysfs_write(path, line)) {
		error_set(err, "%s: cannot set %s: %s", h->what, path,
			  strerror(errno));
		return -1;
	}
	hostdev_bound(h, h->driver, sizeof(h->driver));
	if (!h->driver[0] || !strcmp(h->driver, override)) {
		h->driver[0] = '\0';
		return 0;
	}
	snprintf(path, sizeof(path), "/sys/bus/%s/drivers/%s/unbind", h->bus,
		 h->driver);
	if (hostdev_sysfs_write(path, h->name)) {
		if (errno == ENOENT)
			error_set(err, "%s: cannot unbind %s from its host driver %s, which offers no unbind (built in with suppress_bind_attrs): keep %s off the device at boot (initcall_blacklist=<its init function> on the board's kernel command line; docs/boards.md)",
				  h->what, h->name, h->driver, h->driver);
		else
			error_set(err, "%s: cannot unbind %s from its host driver %s: %s",
				  h->what, h->name, h->driver, strerror(errno));
		h->driver[0] = '\0';
		return -1;
	}
	h->reprobe = true;
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

/*
 * Why the device's interrupts cannot be forwarded, or NULL if VFIO may
 * try; the reason goes into buf.
 */
static const char *hostdev_no_vfio(const struct hostdev *h, bool found,
				   char *buf, size_t size)
{
	if (!found)
		return "no device for it in /sys/bus/{amba,platform}";
	if (!vfio_has_driver(h)) {
		snprintf(buf, size, "the host kernel has no %s driver on its %s bus (modules vfio with no-IOMMU, vfio_platform_base, %s: docs/boards.md)",
			 strcmp(h->bus, "amba") ? "vfio-platform" : "vfio-amba",
			 h->bus,
			 strcmp(h->bus, "amba") ? "vfio_platform" : "vfio_amba");
		return buf;
	}
	return NULL;
}

/*
 * No device in sysfs: nothing to unbind, so a host driver may be using
 * the registers, or they are not a device's at all. Mapped only when the
 * partition node says there is none (no-host-device).
 */
static int hostdev_check_found(const struct hostdev *h,
			       const struct passthrough_config *cfg, bool found,
			       struct pinvm_error *err)
{
	if (found)
		return 0;
	if (!cfg->no_host_device) {
		error_set(err, "%s: no device at 0x%llx in /sys/bus/{amba,platform} to take from the host: if no host driver uses these registers, say so with no-host-device",
			  h->what, (unsigned long long)cfg->host_base);
		return -1;
	}
	pr_warn("%s: no-host-device: mapping 0x%llx without unbinding a host driver",
		h->what, (unsigned long long)cfg->host_base);
	return 0;
}

static int hostdev_claim_mem(struct hostdev *h,
			     const struct passthrough_config *cfg,
			     uint64_t size, bool found,
			     struct pinvm_error *err)
{
	if (hostdev_check_found(h, cfg, found, err) ||
	    (found && hostdev_unbind(h, "pinvm", err)))
		return -1;
	return hostdev_map(h, cfg->host_base, size, err);
}

/*
 * Before the claim: the record the next pinvm gives the device back by,
 * should this one die holding it, naming the host driver to be unbound
 * (a dead pinvm's claim: the one its record named).
 */
static void hostdev_record(struct hostdev *h)
{
	char now[64], was[64];

	hostdev_bound(h, now, sizeof(now));
	if (h->reprobe || !strcmp(now, "pinvm") || !strncmp(now, "vfio-", 5))
		snprintf(now, sizeof(now), "%s",
			 hostdev_record_driver(h, was, sizeof(was)) ?: "");
	h->recorded = !hostdev_record_write(h, now);
}

/*
 * Giving the device back at the end is the main thread's, confined by
 * Landlock: these sysfs files are what it writes (vfio.c, give_back).
 */
static void hostdev_allow_give_back(const struct hostdev *h)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s/driver_override",
		 h->bus, h->name);
	sandbox_allow_main(path, SANDBOX_WRITE_FILE);
	snprintf(path, sizeof(path), "/sys/bus/%s/drivers_probe", h->bus);
	sandbox_allow_main(path, SANDBOX_WRITE_FILE);
	if (!vfio_has_driver(h))
		return;
	snprintf(path, sizeof(path), "/sys/bus/%s/drivers/%s/unbind", h->bus,
		 strcmp(h->bus, "amba") ? "vfio-platform" : "vfio-amba");
	sandbox_allow_main(path, SANDBOX_WRITE_FILE);
}

int hostdev_claim(struct hostdev *h, const char *what,
		  const struct passthrough_config *cfg, const uint32_t *spis,
		  uint64_t size, struct pinvm_error *err)
{
	struct pinvm_error why;
	const char *no_vfio;
	char buf[256];
	bool found;

	memset(h, 0, sizeof(*h));
	h->what = what;
	h->container = h->group = h->device = -1;
	found = hostdev_find(h, cfg->host_base);
	if (found) {
		hostdev_check_leftover(h);
		hostdev_record(h);
		hostdev_allow_give_back(h);
	}
	if (cfg->nr_irqs) {
		no_vfio = hostdev_no_vfio(h, found, buf, sizeof(buf));
		if (!no_vfio && !vfio_claim(h, cfg, spis, size, &why))
			return 0;
		if (!no_vfio)
			no_vfio = why.msg;
		if (cfg->irqs_required) {
			error_set(err, "%s: interrupts-required, and they cannot be forwarded: %s",
				  what, no_vfio);
			hostdev_release(h);
			return -1;
		}
		pr_warn("%s: interrupts not forwarded (%s): registers through /dev/mem",
			what, no_vfio);
	}
	if (hostdev_claim_mem(h, cfg, size, found, err)) {
		hostdev_release(h);
		return -1;
	}
	return 0;
}

void hostdev_reset(struct hostdev *h)
{
	if (h->device >= 0)
		vfio_reset(h);
}

/* Let the bus find an unbound device its host driver, and say who took it. */
void hostdev_reprobe(struct hostdev *h)
{
	char path[PATH_MAX], now[64];

	snprintf(path, sizeof(path), "/sys/bus/%s/drivers_probe", h->bus);
	hostdev_bound(h, now, sizeof(now));
	if (!now[0] && hostdev_sysfs_write(path, h->name))
		pr_warn("%s: cannot give %s back to the host (%s): %s",
			h->what, h->name, path, strerror(errno));
	hostdev_bound(h, now, sizeof(now));
	if (now[0])
		pr_info("%s: gave %s back to host driver %s", h->what, h->name,
			now);
	else
		pr_warn("%s: gave %s back, but no host driver took it%s%s",
			h->what, h->name, h->driver[0] ? ": was " : "",
			h->driver);
}

/* Clear the override and let the bus find the device its host driver. */
static void hostdev_give_back(struct hostdev *h)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s/driver_override",
		 h->bus, h->name);
	if (hostdev_sysfs_write(path, "\n"))
		pr_warn("%s: cannot clear %s: %s", h->what, path,
			strerror(errno));
	if (h->reprobe)
		hostdev_reprobe(h);
}

void hostdev_release(struct hostdev *h)
{
	vfio_release(h);
	if (h->map)
		munmap(h->map, h->map_len);
	h->map = h->regs = NULL;
	if (!h->bus[0])
		return;
	hostdev_give_back(h);
	if (h->recorded)
		hostdev_record_remove(h);
	h->recorded = false;
	h->bus[0] = '\0';
}
