// SPDX-License-Identifier: GPL-2.0-only
/*
 * Claims that outlive pinvm: a record per claimed device under the run
 * directory, written before the claim, removed once the device is given
 * back. A pinvm killed (SIGKILL, a seccomp kill, a crash) leaves its
 * records, and the next one to start gives back each device it does not
 * claim itself (driver_override cleared, unbound from VFIO, probed for
 * its host driver); the ones it claims it takes over (hostdev.c).
 * Nothing is given back from a fatal signal: the device may be mid-access
 * and sysfs writes are no signal handler's work; the next start does it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver.h"
#include "file.h"
#include "hostdev.h"
#include "monitor.h"
#include "sandbox.h"
#include "service.h"

#define RECORD_MAX	256

/* A name fit for one sysfs path component. */
static bool record_word_ok(const char *s, bool may_be_empty)
{
	if (!*s)
		return may_be_empty;
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s <= ' ' || *s > '~')
			return false;
	return true;
}

int hostdev_record_format(const struct hostdev *h, int pid, char *buf,
			  size_t size)
{
	int n = snprintf(buf, size, "bus=%s\nname=%s\ndriver=%s\npid=%d\n",
			 h->bus, h->name, h->driver, pid);

	return n > 0 && (size_t)n < size ? n : -1;
}

/* "key=value\n" lines; value into val (size bytes), false if absent. */
static bool record_field(const char *text, const char *key, char *val,
			 size_t size)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (*p) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len > klen && !strncmp(p, key, klen) && p[klen] == '=') {
			len -= klen + 1;
			if (len >= size)
				return false;
			memcpy(val, p + klen + 1, len);
			val[len] = '\0';
			return true;
		}
		p += len + (end ? 1 : 0);
	}
	return false;
}

int hostdev_record_parse(const char *text, struct hostdev *h, int *pid)
{
	char num[16];
	char *end;
	long v;

	if (!record_field(text, "bus", h->bus, sizeof(h->bus)) ||
	    !record_field(text, "name", h->name, sizeof(h->name)) ||
	    !record_field(text, "driver", h->driver, sizeof(h->driver)) ||
	    !record_field(text, "pid", num, sizeof(num)))
		return -1;
	v = strtol(num, &end, 10);
	if (end == num || *end || v <= 0 || v > INT_MAX ||
	    (strcmp(h->bus, "amba") && strcmp(h->bus, "platform")) ||
	    !record_word_ok(h->name, false) || !record_word_ok(h->driver, true))
		return -1;
	*pid = (int)v;
	return 0;
}

/* Read dir/name's record; -1 if there is none or it is not one. */
static int record_read(const char *name, struct hostdev *h, int *pid)
{
	char path[PATH_MAX], text[RECORD_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", HOSTDEV_CLAIMS_DIR, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	return hostdev_record_parse(text, h, pid);
}

const char *hostdev_record_driver(const struct hostdev *h, char *driver,
				  size_t size)
{
	struct hostdev rec;
	int pid;

	memset(&rec, 0, sizeof(rec));
	if (record_read(h->name, &rec, &pid) || strcmp(rec.bus, h->bus) ||
	    strcmp(rec.name, h->name) || !rec.driver[0])
		return NULL;
	snprintf(driver, size, "%s", rec.driver);
	return driver;
}

int hostdev_record_write(const struct hostdev *h, const char *driver)
{
	struct pinvm_error err;
	struct hostdev rec = *h;
	char text[RECORD_MAX];
	int n;

	snprintf(rec.driver, sizeof(rec.driver), "%s", driver);
	n = hostdev_record_format(&rec, (int)getpid(), text, sizeof(text));
	if (n < 0 || file_make_dirs(HOSTDEV_CLAIMS_DIR, 0700, &err) ||
	    file_replace(HOSTDEV_CLAIMS_DIR, h->name, text, n, "claim", &err)) {
		pr_warn("%s: cannot record the claim of %s in %s (a pinvm killed now would leave it claimed until it is given back by hand): %s",
			h->what, h->name, HOSTDEV_CLAIMS_DIR,
			n < 0 ? "name too long" : err.msg);
		return -1;
	}
	/* Given back at the end, from the main thread under Landlock. */
	sandbox_allow_main(HOSTDEV_CLAIMS_DIR, SANDBOX_WRITE_DIR);
	return 0;
}

void hostdev_record_remove(const struct hostdev *h)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", HOSTDEV_CLAIMS_DIR, h->name);
	if (unlink(path) && errno != ENOENT)
		pr_warn("%s: cannot remove %s: %s", h->what, path,
			strerror(errno));
}

/* The record's pinvm is still running (and holds the device). */
static bool record_owner_alive(int pid)
{
	char path[64], comm[32] = "";
	ssize_t n;
	int fd;

	if (pid == (int)getpid())
		return false;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, comm, sizeof(comm) - 1);
	close(fd);
	comm[n > 0 ? n : 0] = '\0';
	return !strcmp(comm, "pinvm\n");
}

/* Whether the partition claims the board device h names. */
static bool partition_claims(const struct partition *p, const struct hostdev *h)
{
	const struct driver *drv = driver_find("pinvm,passthrough");
	char prefix[32];
	unsigned int i, j;

	for (i = 0; i < p->nr_guests; i++) {
		const struct guest_config *g = &p->guests[i];

		for (j = 0; j < g->nr_devices; j++) {
			const struct device_config *d = &g->devices[j];
			const struct passthrough_config *cfg = d->config;

			if (d->drv != drv || !cfg)
				continue;
			snprintf(prefix, sizeof(prefix), "%llx.",
				 (unsigned long long)cfg->host_base);
			if (!strncmp(h->name, prefix, strlen(prefix)))
				return true;
		}
	}
	return false;
}

/* A dead pinvm's device this partition does not claim: back to the host. */
static void give_back_leftover(struct hostdev *h)
{
	char path[PATH_MAX], val[64] = "", now[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s/driver_override",
		 h->bus, h->name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, val, sizeof(val) - 1);
		close(fd);
		val[n > 0 ? n : 0] = '\0';
		val[strcspn(val, "\n")] = '\0';
	}
	/* Someone else has set it since: theirs, not ours to undo. */
	if (fd < 0 || (strcmp(val, "pinvm") && strncmp(val, "vfio-", 5))) {
		hostdev_record_remove(h);
		return;
	}
	pr_warn("%s: %s was left claimed (driver_override %s) by a pinvm that did not end cleanly, and this partition does not claim it: giving it back to the host",
		h->what, h->name, val);
	if (hostdev_sysfs_write(path, "\n"))
		pr_warn("%s: cannot clear %s: %s", h->what, path,
			strerror(errno));
	hostdev_bound(h, now, sizeof(now));
	if (!strncmp(now, "vfio-", 5) || !strcmp(now, "pinvm")) {
		snprintf(path, sizeof(path), "/sys/bus/%s/drivers/%s/unbind",
			 h->bus, now);
		if (hostdev_sysfs_write(path, h->name))
			pr_warn("%s: cannot unbind %s from %s: %s", h->what,
				h->name, now, strerror(errno));
	}
	hostdev_reprobe(h);
	hostdev_record_remove(h);
}

/*
 * At start, before any guest claims a device: what dead pinvms left.
 * The partition's own devices stay for their claims to take over.
 */
static int claims_init(struct monitor *m, struct pinvm_error *err)
{
	struct dirent *de;
	DIR *dir = opendir(HOSTDEV_CLAIMS_DIR);

	if (!dir)
		return 0;
	while ((de = readdir(dir))) {
		struct hostdev h;
		int pid;

		if (de->d_name[0] == '.')
			continue;
		memset(&h, 0, sizeof(h));
		h.what = HOSTDEV_CLAIMS_DIR;
		if (record_read(de->d_name, &h, &pid) ||
		    strcmp(h.name, de->d_name)) {
			pr_warn("%s/%s: not a claim record: left alone",
				HOSTDEV_CLAIMS_DIR, de->d_name);
			continue;
		}
		if (record_owner_alive(pid) || partition_claims(&m->part, &h))
			continue;
		give_back_leftover(&h);
	}
	closedir(dir);
	return 0;
}

static const struct service claims_service = {
	.name = "passthrough-claims",
	.init = claims_init,
};

DEFINE_SERVICE(claims_service);
