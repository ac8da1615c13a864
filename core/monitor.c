// SPDX-License-Identifier: GPL-2.0-only
/*
 * The monitor: check the cores and KVM, create every guest and only then
 * start them, drop privileges, and run the main loop: act on guests whose
 * vCPU waits with a verdict, run the services, keep the status file, until
 * every guest has stopped or a signal says to stop them.
 */
#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "file.h"
#include "guest.h"
#include "kvm.h"
#include "mmio.h"
#include "monitor.h"
#include "sandbox.h"
#include "service.h"
#include "status.h"

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
			guests_destroy(m->guests, i);
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

/*
 * Every guest's thread populates its VM's RAM on its own core and loads
 * its image, all at once, then loads the vCPU filter pinvm carries built.
 * The threads wait at the start gate (start_gate()).
 */
static int start_guests(struct monitor *m, struct pinvm_error *err)
{
	unsigned int i;

	guest_expect_boots(m->part.nr_guests);
	for (i = 0; i < m->part.nr_guests; i++)
		if (guest_start(&m->guests[i], m->main_thread, err))
			break;
	if (i < m->part.nr_guests) {
		/* The started threads see their stop flag and never run. */
		stop_guests(m);
		guest_open_start_gate();
		return -1;
	}
	return 0;
}

/*
 * No guest runs until every one has booted; one that could not stops
 * them all.
 */
static int start_gate(struct monitor *m, struct pinvm_error *err)
{
	int ret = guest_wait_booted(m->guests, m->part.nr_guests, err);

	if (ret)
		stop_guests(m);
	guest_open_start_gate();
	return ret;
}

/*
 * A guest's vCPU waits with its verdict: a service may take it (a trial's
 * reset or crash), else its restart-policy says whether a reset reboots
 * it; anything else ends it (reap_guests() then joins it), and its devices
 * go back to the host.
 */
static void guest_ended(struct monitor *m, struct guest *g,
			enum guest_exit why)
{
	const struct service *sp;
	struct pinvm_error err;

	atomic_store(&g->state, why == GUEST_EXIT_CRASH ? GUEST_CRASHED :
							  GUEST_STOPPED);
	if (m->stopping) {
		guest_end(g);
		return;
	}
	for_each_service(sp)
		if (sp->guest_ended && sp->guest_ended(m, g, why))
			return;
	if (why == GUEST_EXIT_RESET && guest_may_restart(g)) {
		pr_info("%s: reset (%s): reloading %s", g->cfg->name,
			guest_reset_cause(g), g->image.path);
		if (monitor_restart(m, g, &err))
			pr_err("%s: cannot restart: %s", g->cfg->name, err.msg);
		return;
	}
	guest_end(g);
}

static void reap_guests(struct monitor *m)
{
	enum guest_exit why;
	unsigned int i;

	for (i = 0; i < m->part.nr_guests; i++) {
		struct guest *g = &m->guests[i];

		if (g->has_thread && !g->ending && guest_waiting(g, &why))
			guest_ended(m, g, why);
	}
	/* The guests that ended release their VMs at once; then joined. */
	for (i = 0; i < m->part.nr_guests; i++)
		if (m->guests[i].ending)
			guest_finish(&m->guests[i]);
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

	guests_destroy(m->guests, m->part.nr_guests);
	for (i = 0; i < m->part.nr_guests; i++)
		crashed += atomic_load(&m->guests[i].state) == GUEST_CRASHED;
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

/* The directory path is in, made now: the main thread cannot later. */
static void allow_dir_of(const char *path)
{
	char dir[PATH_MAX];
	struct pinvm_error err;
	char *slash;

	if (!path || !path[0])
		return;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (file_make_dirs(dir, 0755, &err))
		pr_warn("%s", err.msg);
	sandbox_allow_main(dir, SANDBOX_WRITE_DIR);
}

/*
 * What the monitor writes after start-up: the status file (replaced in its
 * directory), field updates (the update directory), the control socket
 * (removed at the end). The drivers registered theirs at attach.
 */
static void allow_main_files(const struct monitor *m)
{
	allow_dir_of(m->status_file);
	allow_dir_of(m->control);
	if (IS_ENABLED(CONFIG_UPDATE) && m->update_dir && m->update_dir[0])
		sandbox_allow_main(m->update_dir, SANDBOX_WRITE_DIR);
}

/* Start-up is over: the main thread drops what it no longer needs. */
static int drop_privileges(struct monitor *m, struct pinvm_error *err)
{
	uint64_t keep = caps_to_keep();
	char lists[256], reach[48];

	allow_main_files(m);
	if (sandbox_landlock_abi())
		snprintf(reach, sizeof(reach), "landlock ABI %d",
			 sandbox_landlock_abi());
	else
		snprintf(reach, sizeof(reach), "no landlock");
	if (sandbox_enter(SANDBOX_MAIN, "main", keep, err))
		return -1;
	/* The drivers' own threads come between vcpu and main. */
	if (IS_ENABLED(CONFIG_SECCOMP))
		pr_info("least privilege: capabilities kept: %s; seccomp allow-lists: %s; files: %s",
			keep ? "CAP_SYS_NICE" : "none",
			sandbox_describe(lists, sizeof(lists)), reach);
	else
		pr_info("least privilege: capabilities kept: %s; seccomp off (CONFIG_SECCOMP=n); files: %s",
			keep ? "CAP_SYS_NICE" : "none", reach);
	/* Test hook: a call outside the filter must end pinvm, loudly. */
	if (fault_armed("seccomp", "-main"))
		syscall(SYS_getppid);
	return 0;
}

int monitor_run(struct monitor *m, const struct monitor_options *o,
		struct pinvm_error *err)
{
	unsigned int i;
	sigset_t set;

	if (check_cores(&m->part, err) ||
	    sandbox_enable(IS_ENABLED(CONFIG_SECCOMP), err) ||
	    kvm_init(o->kvm_dev, err))
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
	if (start_gate(m, err)) {
		exit_services(m);
		monitor_finish(m, false);
		return -1;
	}
	pr_info("%u guests started", m->part.nr_guests);
	if (drop_privileges(m, err)) {
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
