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

#include "driver.h"
#include "file.h"
#include "guest.h"
#include "guest_fdt.h"
#include "kvm.h"
#include "loader.h"
#include "mmio.h"
#include "monitor.h"
#include "sandbox.h"
#include "service.h"
#include "status.h"

#ifndef PINVM_VERSION
#define PINVM_VERSION "unknown"
#endif

extern const char partition_dtb[];

static struct monitor monitor;
static struct partition *const part = &monitor.part;

static void usage(FILE *f)
{
	const struct service *sp;

	fprintf(f,
		"Usage: pinvm [options]\n"
		"       pinvm status [--status-file FILE]\n"
		"       pinvm [-p FILE] [-i DIR] dtb GUEST FILE\n");
	for_each_service(sp)
		if (sp->command)
			fprintf(f, "       pinvm %s %s\n", sp->command,
				sp->command_usage);
	fprintf(f,
		"Run the board's guests, one per core, as the partition says;\n"
		"or show the guests' state and counters of a running pinvm;\n"
		"or write the device tree a guest boots with to FILE.\n");
	for_each_service(sp)
		if (sp->command)
			fprintf(f, "%s: %s.\n", sp->command,
				sp->command_help);
	fprintf(f, "\n"
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

static int parse_options(int argc, char **argv, struct monitor_options *o)
{
	const struct service *sp;
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
	for_each_service(sp)
		if (optind < argc && sp->command &&
		    !strcmp(argv[optind], sp->command))
			exit(sp->run_command(o, argc - optind - 1,
						argv + optind + 1));
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

	for (i = 0; i < part->nr_guests; i++)
		if (!strcmp(part->guests[i].name, name))
			return &part->guests[i];
	error_set(err, "%s: no guest named \"%s\"", part->source, name);
	return NULL;
}

/*
 * The tree a guest boots with: the loader's own, read back from a scratch
 * copy of the guest's RAM when the image format passes one in x0 (Linux),
 * else the tree pinvm would write for it.
 */
static int write_guest_dtb(const struct monitor_options *o, struct pinvm_error *err)
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
	if (g->loader->load(part, g, &g->image, &mem, &boot, err))
		goto out;
	if (boot.x0)
		fdt = guest_memory_ptr(&mem, boot.x0, sizeof(struct fdt_header));
	if (!fdt && guest_fdt_build(part, g, 0, 0, built, sizeof(built), err))
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
			partition_error(err, p, g->path, "cpu: core %u is not online on this host (online: %.*s)",
					g->cpu, (int)strcspn(online, "\n"),
					online);
			return -1;
		}
	}
	return 0;
}

int monitor_restart(struct monitor *m, struct guest *g,
		    struct pinvm_error *err)
{
	services_guest_boot(m, g);
	return guest_restart(g, err);
}

static int create_guests(struct monitor *m, struct pinvm_error *err)
{
	unsigned int i;

	for (i = 0; i < m->part.nr_guests; i++) {
		struct guest *g = &m->guests[i];

		if (guest_create(g, &m->part, &m->part.guests[i], err)) {
			while (i--)
				guest_destroy(&m->guests[i]);
			return -1;
		}
		services_guest_boot(m, g);
	}
	return 0;
}

static void stop_guests(struct monitor *m)
{
	unsigned int i;

	m->stopping = true;
	for (i = 0; i < m->part.nr_guests; i++)
		guest_request_stop(&m->guests[i]);
}

static int start_guests(struct monitor *m, struct pinvm_error *err)
{
	unsigned int i;

	for (i = 0; i < m->part.nr_guests; i++) {
		if (guest_start(&m->guests[i], m->main_thread, err)) {
			/* The started threads see their stop flag and never run. */
			stop_guests(m);
			guest_open_start_gate();
			return -1;
		}
	}
	guest_open_start_gate();
	return 0;
}

/*
 * A guest's vCPU waits with its verdict: a service may take it (a trial's
 * reset or crash), else its restart-policy says whether a reset reboots
 * it; anything else ends it, and its devices go back to the host.
 */
static void guest_ended(struct monitor *m, struct guest *g,
			enum guest_exit why)
{
	const struct service *sp;
	struct pinvm_error err;

	atomic_store(&g->state, why == GUEST_EXIT_CRASH ? GUEST_CRASHED :
							  GUEST_STOPPED);
	if (m->stopping) {
		guest_finish(g);
		return;
	}
	for_each_service(sp)
		if (sp->guest_ended && sp->guest_ended(m, g, why))
			return;
	if (why == GUEST_EXIT_RESET && guest_may_restart(g)) {
		pr_info("%s: reset (PSCI SYSTEM_RESET): reloading %s",
			g->cfg->name, g->image.path);
		if (monitor_restart(m, g, &err))
			pr_err("%s: cannot restart: %s", g->cfg->name, err.msg);
		return;
	}
	guest_finish(g);
}

static void reap_guests(struct monitor *m)
{
	enum guest_exit why;
	unsigned int i;

	for (i = 0; i < m->part.nr_guests; i++) {
		struct guest *g = &m->guests[i];

		if (g->has_thread && guest_waiting(g, &why))
			guest_ended(m, g, why);
	}
}

static unsigned int guests_running(const struct monitor *m)
{
	unsigned int i, n = 0;

	for (i = 0; i < m->part.nr_guests; i++)
		n += guest_running(&m->guests[i]);
	return n;
}

static void poll_services(struct monitor *m)
{
	const struct service *sp;

	for_each_service(sp)
		if (sp->poll)
			sp->poll(m);
}

/* The nearest of the services' deadlines, at most a second away. */
static int services_timeout_ms(struct monitor *m)
{
	const struct service *sp;
	int timeout = 1000;

	for_each_service(sp) {
		int t = sp->timeout_ms ? sp->timeout_ms(m) : -1;

		if (t >= 0 && t < timeout)
			timeout = t;
	}
	return timeout;
}

/* The signalfd first, then each service's descriptor. */
static unsigned int service_fds(struct monitor *m, struct pollfd *fds,
				const struct service **owner, unsigned int max)
{
	const struct service *sp;
	unsigned int n = 1;

	for_each_service(sp) {
		int fd = sp->get_fd ? sp->get_fd(m) : -1;

		if (fd < 0 || n == max)
			continue;
		fds[n].fd = fd;
		fds[n].events = POLLIN;
		fds[n].revents = 0;
		owner[n++] = sp;
	}
	return n;
}

/* SIGINT or SIGTERM read from the signalfd: true when pinvm must stop. */
static bool read_stop_signal(int sfd)
{
	struct signalfd_siginfo info;

	if (read(sfd, &info, sizeof(info)) != sizeof(info) ||
	    (info.ssi_signo != SIGINT && info.ssi_signo != SIGTERM))
		return false;
	pr_info("%s: stopping all guests", strsignal(info.ssi_signo));
	return true;
}

/*
 * Sleep until every guest has stopped, or SIGINT/SIGTERM says stop them;
 * meanwhile act on guests whose vCPU waits (SIGUSR2 says one does), run
 * the services and refresh the status file.
 */
static void monitor_loop(struct monitor *m, const sigset_t *set)
{
	struct pollfd fds[1 + GUEST_SERVICES_MAX];
	const struct service *owner[1 + GUEST_SERVICES_MAX];
	struct timespec last = { 0 }, now;
	unsigned int n, i;

	fds[0].fd = signalfd(-1, set, SFD_CLOEXEC | SFD_NONBLOCK);
	fds[0].events = POLLIN;
	if (fds[0].fd < 0) {
		/* Blocked and unread, SIGTERM could never stop pinvm. */
		pr_err("signalfd: %s: stopping all guests", strerror(errno));
		stop_guests(m);
		return;
	}
	for (;;) {
		reap_guests(m);
		poll_services(m);
		if (!guests_running(m))
			break;
		n = service_fds(m, fds, owner, ARRAY_SIZE(fds));
		fds[0].revents = 0;
		if (poll(fds, n, services_timeout_ms(m)) < 0)
			n = 0;
		for (i = 1; i < n; i++)
			if (fds[i].revents & POLLIN)
				owner[i]->fd_ready(m);
		if (n && (fds[0].revents & POLLIN) && read_stop_signal(fds[0].fd)) {
			stop_guests(m);
			close(fds[0].fd);
			return;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec != last.tv_sec) {
			status_write(m, true);
			last = now;
		}
	}
	close(fds[0].fd);
	pr_info("all guests have stopped");
}

static int monitor_finish(struct monitor *m, bool write_status)
{
	unsigned int i, crashed = 0;

	for (i = 0; i < m->part.nr_guests; i++) {
		guest_destroy(&m->guests[i]);
		crashed += atomic_load(&m->guests[i].state) == GUEST_CRASHED;
	}
	/* The last counters stay readable after pinvm has gone. */
	if (write_status)
		status_write(m, false);
	partition_free(&m->part);
	kvm_exit();
	return crashed ? 1 : 0;
}

static int init_services(struct monitor *m, struct pinvm_error *err)
{
	const struct service *sp;

	for_each_service(sp)
		if (sp->init && sp->init(m, err))
			return -1;
	return 0;
}

static void exit_services(struct monitor *m)
{
	const struct service *sp;

	for_each_service(sp)
		if (sp->exit)
			sp->exit(m);
}

/*
 * What the monitor keeps after start-up: CAP_SYS_NICE only for SCHED_FIFO
 * vCPU threads. A restart reuses its guest's vCPU thread and devices, so
 * nothing claims a device again after start-up.
 */
static uint64_t caps_to_keep(void)
{
	uint64_t keep = 0;

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
		pr_info("least privilege: capabilities kept: %s; seccomp allow-lists: %s",
			keep ? "CAP_SYS_NICE" : "none",
			sandbox_describe(lists, sizeof(lists)));
	else
		pr_info("least privilege: capabilities kept: %s; seccomp off (CONFIG_SECCOMP=n)",
			keep ? "CAP_SYS_NICE" : "none");
	/* Test hook: a call outside the filter must end pinvm, loudly. */
	if (fault_armed("seccomp", "-main"))
		syscall(SYS_getppid);
	return 0;
}

static int run(struct monitor *m, const struct monitor_options *o,
	       struct pinvm_error *err)
{
	unsigned int i;
	sigset_t set;

	if (check_cores(&m->part, err) ||
	    sandbox_enable(IS_ENABLED(CONFIG_SECCOMP), err) ||
	    kvm_init(o->kvm_dev, m->part.gic.version, err))
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
	mmio_fault_init();
	m->main_thread = pthread_self();
	m->status_file = o->status_file;
	m->update_dir = o->update_dir;
	m->control = o->control;
	for (i = 0; i < m->part.nr_guests; i++)
		m->guests[i].image = m->part.guests[i].image;
	if (init_services(m, err) || create_guests(m, err)) {
		exit_services(m);
		kvm_exit();
		return -1;
	}
	if (start_guests(m, err)) {
		exit_services(m);
		monitor_finish(m, false);
		return -1;
	}
	pr_info("%u guests started", m->part.nr_guests);
	if (drop_privileges(err)) {
		pr_err("%s: stopping all guests", err->msg);
		stop_guests(m);
		exit_services(m);
		monitor_finish(m, true);
		return 1;
	}
	status_write(m, true);
	monitor_loop(m, &set);
	exit_services(m);
	return monitor_finish(m, true);
}

int main(int argc, char **argv)
{
	struct pinvm_error err;
	struct monitor_options o = { 0 };
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
	if (partition_parse(part, fdt, source, o.image_dir, &err)) {
		pr_err("%s", err.msg);
		return 1;
	}
	if (o.check_only || o.dtb_guest) {
		ret = 0;
		if (o.dtb_guest && write_guest_dtb(&o, &err)) {
			pr_err("%s", err.msg);
			ret = 1;
		} else if (o.check_only) {
			pr_info("%s: %u guests, valid", source, part->nr_guests);
		}
		partition_free(part);
		return ret;
	}
	ret = run(&monitor, &o, &err);
	if (ret < 0) {
		pr_err("%s", err.msg);
		partition_free(part);
		return 1;
	}
	return ret;
}
