// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinvm: start-up and shutdown. Validate the whole partition, check KVM,
 * create every guest, and only then start them; wait until all guests have
 * stopped or a signal says to stop.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libfdt.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "control.h"
#include "driver.h"
#include "file.h"
#include "guest.h"
#include "guest_fdt.h"
#include "kvm.h"
#include "loader.h"
#include "sandbox.h"
#include "status.h"
#include "update.h"

#ifndef PINVM_VERSION
#define PINVM_VERSION "unknown"
#endif

extern const char partition_dtb[];

struct options {
	/* "dtb GUEST FILE": write that guest's device tree, then exit. */
	const char *dtb_guest;
	const char *dtb_file;
	const char *status_file;
	const char *partition;
	const char *image_dir;
	const char *kvm_dev;
	const char *update_dir;
	const char *control;
	bool check_only;
	bool allow_downgrade;
};

static struct partition part;
static struct guest guests[CONFIG_MAX_GUESTS];

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pinvm [options]\n"
		"       pinvm status [--status-file FILE]\n"
		"       pinvm update [--allow-downgrade] GUEST BUNDLE\n"
		"       pinvm [-p FILE] [-i DIR] dtb GUEST FILE\n"
		"Run the board's guests, one per core, as the partition says;\n"
		"or show the guests' state and counters of a running pinvm;\n"
		"or install new firmware in one guest of a running pinvm;\n"
		"or write the device tree a guest boots with to FILE.\n\n"
		"  -p, --partition FILE  use this partition blob instead of the built-in one\n"
		"  -i, --image-dir DIR   find relative guest images here (default %s)\n"
		"  -k, --kvm DEV         the KVM device (default /dev/kvm)\n"
		"  -t, --timestamps      prefix guest lines with seconds since pinvm started\n"
		"  -s, --status-file F   keep the status file here (default %s)\n"
		"  -u, --update-dir DIR  keep guests' firmware slots here (default %s)\n"
		"  -C, --control SOCKET  the control socket (default %s)\n"
		"      --allow-downgrade update: install a version older than the running one\n"
		"  -c, --check           validate the partition and its images, then exit\n"
		"  -V, --version         print the version and the board\n"
		"  -h, --help            this text\n",
		CONFIG_IMAGE_DIR, CONFIG_STATUS_FILE, CONFIG_UPDATE_DIR,
		CONFIG_CONTROL_SOCKET);
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "partition", required_argument, NULL, 'p' },
		{ "image-dir", required_argument, NULL, 'i' },
		{ "kvm", required_argument, NULL, 'k' },
		{ "timestamps", no_argument, NULL, 't' },
		{ "status-file", required_argument, NULL, 's' },
		{ "update-dir", required_argument, NULL, 'u' },
		{ "control", required_argument, NULL, 'C' },
		{ "allow-downgrade", no_argument, NULL, 'D' },
		{ "check", no_argument, NULL, 'c' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->image_dir = CONFIG_IMAGE_DIR;
	o->kvm_dev = "/dev/kvm";
	o->status_file = CONFIG_STATUS_FILE;
	o->update_dir = CONFIG_UPDATE_DIR;
	o->control = CONFIG_CONTROL_SOCKET;
	while ((c = getopt_long(argc, argv, "p:i:k:s:u:C:tcVh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'p':
			o->partition = optarg;
			break;
		case 'i':
			o->image_dir = optarg;
			break;
		case 'k':
			o->kvm_dev = optarg;
			break;
		case 't':
			log_timestamps = true;
			break;
		case 's':
			o->status_file = optarg;
			break;
		case 'u':
			o->update_dir = optarg;
			break;
		case 'C':
			o->control = optarg;
			break;
		case 'D':
			o->allow_downgrade = true;
			break;
		case 'c':
			o->check_only = true;
			break;
		case 'V':
			printf("pinvm %s for %s\n", PINVM_VERSION,
			       CONFIG_BOARD_NAME);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc && !strcmp(argv[optind], "status") &&
	    optind + 1 == argc)
		exit(status_show(o->status_file));
	if (optind < argc && !strcmp(argv[optind], "update") &&
	    optind + 3 == argc)
		exit(control_update(o->control, argv[optind + 1],
				    argv[optind + 2], o->allow_downgrade));
	if (optind < argc && !strcmp(argv[optind], "dtb") &&
	    optind + 3 == argc) {
		o->dtb_guest = argv[optind + 1];
		o->dtb_file = argv[optind + 2];
		return 0;
	}
	if (optind != argc) {
		pr_err("unexpected argument '%s' (see pinvm --help)",
		       argv[optind]);
		return -1;
	}
	return 0;
}

static void *read_partition_file(const char *path, struct pinvm_error *err)
{
	uint8_t *blob;
	size_t size;

	if (file_read_all(path, SIZE_MAX, &blob, &size, err))
		return NULL;
	if (size < sizeof(struct fdt_header) || fdt_totalsize(blob) > size) {
		error_set(err, "%s: truncated: the file has %zu bytes, the device tree header says %u",
			  path, size,
			  size < sizeof(struct fdt_header) ? 0 : fdt_totalsize(blob));
		free(blob);
		return NULL;
	}
	return blob;
}

static const struct guest_config *find_guest(const char *name,
					     struct pinvm_error *err)
{
	unsigned int i;

	for (i = 0; i < part.nr_guests; i++)
		if (!strcmp(part.guests[i].name, name))
			return &part.guests[i];
	error_set(err, "%s: no guest named \"%s\"", part.source, name);
	return NULL;
}

/*
 * The tree a guest boots with: the loader's own, read back from a scratch
 * copy of the guest's RAM when the image format passes one in x0 (Linux),
 * else the tree pinvm would write for it.
 */
static int write_guest_dtb(const struct options *o, struct pinvm_error *err)
{
	const struct guest_config *g = find_guest(o->dtb_guest, err);
	struct guest_memory mem;
	struct boot_info boot = { 0 };
	const void *fdt = NULL;
	static uint8_t built[GUEST_FDT_MAX];
	unsigned int i;
	int ret = -1;
	FILE *f;

	if (!g)
		return -1;
	mem = g->mem;
	for (i = 0; i < mem.nr_ram; i++) {
		mem.ram[i].host = mmap(NULL, mem.ram[i].size, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				       -1, 0);
		if (mem.ram[i].host == MAP_FAILED) {
			mem.ram[i].host = NULL;
			error_set(err, "%s: cannot allocate scratch memory", g->path);
			goto out;
		}
	}
	if (g->loader->load(&part, g, &mem, &boot, err))
		goto out;
	if (boot.x0)
		fdt = guest_memory_ptr(&mem, boot.x0, sizeof(struct fdt_header));
	if (!fdt && guest_fdt_build(&part, g, 0, 0, built, sizeof(built), err))
		goto out;
	if (!fdt)
		fdt = built;
	f = fopen(o->dtb_file, "we");
	if (!f || fwrite(fdt, 1, fdt_totalsize(fdt), f) != fdt_totalsize(fdt) ||
	    fclose(f)) {
		error_set(err, "%s: cannot write: %s", o->dtb_file, strerror(errno));
		goto out;
	}
	pr_info("%s: wrote %s's device tree (%u bytes)", o->dtb_file, g->name,
		fdt_totalsize(fdt));
	ret = 0;
out:
	for (i = 0; i < mem.nr_ram; i++)
		if (mem.ram[i].host)
			munmap(mem.ram[i].host, mem.ram[i].size);
	return ret;
}

/* Whether a CPU list such as "0-3,6" (sysfs format) holds cpu. */
static bool cpu_list_has(const char *list, unsigned int cpu)
{
	while (*list) {
		char *end;
		unsigned long lo = strtoul(list, &end, 10), hi = lo;

		if (end == list)
			return false;
		if (*end == '-')
			hi = strtoul(end + 1, &end, 10);
		if (cpu >= lo && cpu <= hi)
			return true;
		list = *end == ',' ? end + 1 : end + strlen(end);
	}
	return false;
}

/*
 * A guest's core must be online before anything starts. Not our affinity:
 * isolcpus keeps guest cores out of every default mask, which is the point.
 */
static int check_cores(const struct partition *p, struct pinvm_error *err)
{
	const char *path = "/sys/devices/system/cpu/online";
	char online[256] = "";
	unsigned int i;
	FILE *f;

	errno = EIO;
	f = fopen(path, "re");
	if (!f || !fgets(online, sizeof(online), f)) {
		error_set(err, "%s: cannot read: %s", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	for (i = 0; i < p->nr_guests; i++) {
		const struct guest_config *g = &p->guests[i];

		if (!cpu_list_has(online, g->cpu)) {
			error_set(err, "%s: %s: cpu: core %u is not online on this host (online: %.*s)",
				  p->source, g->path, g->cpu,
				  (int)strcspn(online, "\n"), online);
			return -1;
		}
	}
	return 0;
}

static int create_guests(struct pinvm_error *err)
{
	unsigned int i;

	for (i = 0; i < part.nr_guests; i++) {
		if (guest_create(&guests[i], &part, &part.guests[i], err)) {
			while (i--)
				guest_destroy(&guests[i]);
			return -1;
		}
		update_prepare(&guests[i]);
	}
	return 0;
}

static void stop_guests(void)
{
	unsigned int i;

	for (i = 0; i < part.nr_guests; i++)
		guest_request_stop(&guests[i]);
}

static int start_guests(struct pinvm_error *err)
{
	unsigned int i;

	for (i = 0; i < part.nr_guests; i++) {
		if (guest_start(&guests[i], pthread_self(), err)) {
			/* The started threads see their stop flag and never run. */
			stop_guests();
			guest_release_all();
			return -1;
		}
	}
	guest_release_all();
	return 0;
}

static unsigned int guests_running(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < part.nr_guests; i++)
		n += guest_running(&guests[i]);
	return n;
}

/*
 * Sleep until every guest has stopped, or SIGINT/SIGTERM says stop them;
 * meanwhile take `pinvm update` requests, watch trials (SIGUSR2 says a
 * guest ended or reported health) and refresh the status file.
 */
static void wait_for_guests(const sigset_t *set, const struct options *o,
			    int control)
{
	struct pollfd fds[2] = {
		{ .fd = signalfd(-1, set, SFD_CLOEXEC | SFD_NONBLOCK),
		  .events = POLLIN },
		{ .fd = control, .events = POLLIN },
	};
	struct timespec last = { 0 }, now;
	struct signalfd_siginfo info;

	if (fds[0].fd < 0) {
		/* Blocked and unread, SIGTERM could never stop pinvm. */
		pr_err("signalfd: %s: stopping all guests", strerror(errno));
		stop_guests();
		return;
	}

	for (;;) {
		/* A trial that ended may restart its guest: ask before leaving. */
		bool any = guests_running();
		int timeout;

		update_poll();
		if (!any && !guests_running())
			break;
		timeout = update_timeout_ms();

		if (timeout < 0 || timeout > 1000)
			timeout = 1000;
		if (poll(fds, control >= 0 ? 2 : 1, timeout) <= 0)
			fds[0].revents = fds[1].revents = 0;
		if (fds[1].revents & POLLIN)
			control_accept(control);
		if ((fds[0].revents & POLLIN) &&
		    read(fds[0].fd, &info, sizeof(info)) == sizeof(info) &&
		    (info.ssi_signo == SIGINT || info.ssi_signo == SIGTERM)) {
			pr_info("%s: stopping all guests",
				strsignal(info.ssi_signo));
			stop_guests();
			close(fds[0].fd);
			return;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec != last.tv_sec) {
			status_write(o->status_file, guests, part.nr_guests, true);
			last = now;
		}
	}
	close(fds[0].fd);
	pr_info("all guests have stopped");
}

static int finish(const char *status_file)
{
	unsigned int i, crashed = 0;

	for (i = 0; i < part.nr_guests; i++) {
		guest_join(&guests[i]);
		crashed += atomic_load(&guests[i].state) == GUEST_CRASHED;
	}
	/* The last counters stay readable after pinvm has gone. */
	if (status_file)
		status_write(status_file, guests, part.nr_guests, false);
	for (i = 0; i < part.nr_guests; i++)
		guest_destroy(&guests[i]);
	partition_free(&part);
	kvm_exit();
	return crashed ? 1 : 0;
}

/*
 * What the monitor keeps after start-up: what the drivers of the devices
 * of guests that field updates restart (they have slots) declare, since a
 * restart attaches them again (passthrough: CAP_SYS_RAWIO for /dev/mem);
 * CAP_SYS_NICE only for SCHED_FIFO vCPU threads, which a restart creates
 * again.
 */
static uint64_t caps_to_keep(void)
{
	uint64_t keep = 0;
	unsigned int i, j;

	for (i = 0; i < part.nr_guests; i++) {
		const struct guest_config *g = &part.guests[i];

		for (j = 0; g->health && j < g->nr_devices; j++)
			keep |= g->devices[j].drv->restart_caps;
	}
	if (IS_ENABLED(CONFIG_VCPU_SCHED_FIFO))
		keep |= 1ull << CAP_SYS_NICE;
	return keep;
}

/* Start-up is over: the main thread drops what it no longer needs. */
static int drop_privileges(struct pinvm_error *err)
{
	uint64_t keep = caps_to_keep();
	char lists[256];

	if (sandbox_enter(SANDBOX_MAIN, "main", keep, err))
		return -1;
	/* The drivers' own threads come between vcpu and main. */
	if (IS_ENABLED(CONFIG_SECCOMP))
		pr_info("least privilege: capabilities kept: %s%s%s; seccomp allow-lists: %s",
			keep ? "" : "none",
			keep & (1ull << CAP_SYS_RAWIO) ? "CAP_SYS_RAWIO " : "",
			keep & (1ull << CAP_SYS_NICE) ? "CAP_SYS_NICE" : "",
			sandbox_describe(lists, sizeof(lists)));
	else
		pr_info("least privilege: capabilities kept: %s%s%s; seccomp off (CONFIG_SECCOMP=n)",
			keep ? "" : "none",
			keep & (1ull << CAP_SYS_RAWIO) ? "CAP_SYS_RAWIO " : "",
			keep & (1ull << CAP_SYS_NICE) ? "CAP_SYS_NICE" : "");
	/* Test hook: a call outside the filter must end pinvm, loudly. */
	if (fault_armed("seccomp", "-main"))
		syscall(SYS_getppid);
	return 0;
}

static int run(const struct options *o, struct pinvm_error *err)
{
	sigset_t set;
	int control;

	if (check_cores(&part, err) ||
	    sandbox_enable(IS_ENABLED(CONFIG_SECCOMP), err) ||
	    kvm_init(o->kvm_dev, part.gic.version, err))
		return -1;
	/*
	 * Every thread inherits this mask; the main thread takes the signals
	 * through a signalfd, vCPU threads unblock only their kick, SIGUSR1.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	sigdelset(&set, SIGUSR1);
	vcpu_signals_init();
	/* First: a second pinvm must not touch the first one's slots. */
	control = control_listen(o->control, err);
	if (control < 0 || update_init(&part, guests, o->update_dir, err) ||
	    create_guests(err)) {
		control_close(control, o->control);
		kvm_exit();
		return -1;
	}
	if (start_guests(err)) {
		control_close(control, o->control);
		finish(NULL);
		return -1;
	}
	pr_info("%u guests started", part.nr_guests);
	if (drop_privileges(err)) {
		pr_err("%s: stopping all guests", err->msg);
		stop_guests();
		control_close(control, o->control);
		update_exit();
		finish(o->status_file);
		return 1;
	}
	status_write(o->status_file, guests, part.nr_guests, true);
	wait_for_guests(&set, o, control);
	control_close(control, o->control);
	update_exit();
	return finish(o->status_file);
}

int main(int argc, char **argv)
{
	struct pinvm_error err;
	struct options o = { 0 };
	const void *fdt = partition_dtb;
	const char *source = "built-in partition (" CONFIG_PARTITION_DTS ")";
	int ret;

	log_start_clock();
	if (parse_options(argc, argv, &o))
		return 2;
	if (o.partition) {
		fdt = read_partition_file(o.partition, &err);
		source = o.partition;
		if (!fdt) {
			pr_err("%s", err.msg);
			return 1;
		}
	}
	if (partition_parse(&part, fdt, source, o.image_dir, &err)) {
		pr_err("%s", err.msg);
		return 1;
	}
	if (o.check_only || o.dtb_guest) {
		ret = 0;
		if (o.dtb_guest && write_guest_dtb(&o, &err)) {
			pr_err("%s", err.msg);
			ret = 1;
		} else if (o.check_only) {
			pr_info("%s: %u guests, valid", source, part.nr_guests);
		}
		partition_free(&part);
		return ret;
	}
	ret = run(&o, &err);
	if (ret < 0) {
		pr_err("%s", err.msg);
		partition_free(&part);
		return 1;
	}
	return ret;
}
