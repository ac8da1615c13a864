// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vCPU run loop and the exit dispatch: the product's hot path.
 *
 *   KVM_RUN -> KVM_EXIT_MMIO -> bus_access() -> region->ops->read/write()
 *                               refused     -> vcpu_deny(): data abort
 *
 * Nothing on the MMIO path allocates, locks or makes a system call besides
 * the device access itself.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "guest.h"
#include "kvm.h"


static __thread struct kvm_run *vcpu_current_run;

/*
 * immediate_exit makes a KVM_RUN that has not yet entered the guest return
 * EINTR at once, so a stop request between the check and the ioctl is
 * never lost.
 */
static void vcpu_kick_handler(int sig)
{
	struct kvm_run *run = vcpu_current_run;

	(void)sig;
	if (run)
		run->immediate_exit = 1;
}

void vcpu_signals_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = vcpu_kick_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	kvm_signals_init();
}

void vcpu_kick(struct guest *g)
{
	pthread_kill(g->thread, SIGUSR1);
}

static void vcpu_deny(struct guest *g, uint64_t addr, unsigned int len,
		      bool is_write, const char *why)
{
	struct timespec now;
	char what[24] = "access";

	stat_inc(&g->stats.denied);
	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	if ((uint64_t)now.tv_sec != g->log_window) {
		g->log_window = now.tv_sec;
		g->log_count = 0;
	}
	if (g->log_count < CONFIG_DENY_LOG_PER_SECOND) {
		/* Formatted only when logged: a guest in a loop pays nothing. */
		if (len)
			snprintf(what, sizeof(what), "%u-byte %s", len,
				 is_write ? "write" : "read");
		pr_warn("%s: denied %s at 0x%llx: %s; data abort injected",
			g->cfg->name, what, (unsigned long long)addr, why);
	} else if (g->log_count == CONFIG_DENY_LOG_PER_SECOND) {
		pr_warn("%s: more denied accesses this second, not logged (%llu so far)",
			g->cfg->name, (unsigned long long)g->stats.denied);
	}
	g->log_count++;
	if (kvm_inject_dabt(g) < 0)
		pr_err("%s: cannot inject a data abort: %s", g->cfg->name,
		       strerror(errno));
}

static void vcpu_mmio(struct guest *g)
{
	struct kvm_run *run = g->run;
	enum bus_status st;

	stat_inc(&g->stats.mmio);
	st = bus_access(&g->bus, run->mmio.phys_addr, run->mmio.data,
			run->mmio.len, run->mmio.is_write);
	if (st != BUS_OK)
		vcpu_deny(g, run->mmio.phys_addr, run->mmio.len,
			  run->mmio.is_write, bus_status_str(st));
}

/*
 * The guest's restart policy: "stop", or "restart" at most restart-limit
 * times a minute, so a guest in a reset storm stops instead of keeping its
 * core and pinvm busy rebuilding VMs.
 */
static bool vcpu_may_restart(struct guest *g)
{
	struct timespec now;

	if (!g->cfg->restart_on_reset) {
		pr_info("%s: reset (PSCI SYSTEM_RESET): stopped, as its restart-policy says",
			g->cfg->name);
		return false;
	}
	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	if ((uint64_t)now.tv_sec >= g->reset_window + 60) {
		g->reset_window = now.tv_sec;
		g->resets_in_window = 0;
	}
	if (++g->resets_in_window <= g->cfg->restart_limit)
		return true;
	pr_warn("%s: more than %u resets within a minute (restart-limit): stopped",
		g->cfg->name, g->cfg->restart_limit);
	return false;
}

/* PSCI SYSTEM_OFF, SYSTEM_RESET and crashes; true when the loop ends. */
static bool vcpu_system_event(struct guest *g)
{
	struct pinvm_error err;

	stat_inc(&g->stats.system_events);
	switch (g->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		pr_info("%s: powered off (PSCI SYSTEM_OFF)", g->cfg->name);
		atomic_store(&g->state, GUEST_STOPPED);
		return true;
	case KVM_SYSTEM_EVENT_RESET:
		stat_inc(&g->stats.resets);
		if (atomic_load(&g->on_trial)) {
			/* Each boot of new firmware counts: the monitor restarts it. */
			pr_info("%s: reset (PSCI SYSTEM_RESET) during its trial",
				g->cfg->name);
			g->reset_requested = true;
			atomic_store(&g->state, GUEST_STOPPED);
			return true;
		}
		if (!vcpu_may_restart(g)) {
			atomic_store(&g->state, GUEST_STOPPED);
			return true;
		}
		pr_info("%s: reset (PSCI SYSTEM_RESET): reloading %s",
			g->cfg->name, g->cfg->image_path);
		/* The kick handler must not touch kvm_run while it is remapped. */
		vcpu_current_run = NULL;
		bus_reset(&g->bus);
		guest_halt(g);
		if (guest_boot(g, &err)) {
			pr_err("%s: cannot restart: %s", g->cfg->name, err.msg);
			atomic_store(&g->state, GUEST_CRASHED);
			return true;
		}
		vcpu_current_run = g->run;
		return false;
	default:
		pr_err("%s: stopped on system event %u (crash)", g->cfg->name,
		       g->run->system_event.type);
		atomic_store(&g->state, GUEST_CRASHED);
		return true;
	}
}

bool vcpu_handle_exit(struct guest *g)
{
	struct kvm_run *run = g->run;

	switch (run->exit_reason) {
	case KVM_EXIT_MMIO:
		vcpu_mmio(g);
		return false;
	case KVM_EXIT_SYSTEM_EVENT:
		return vcpu_system_event(g);
	case KVM_EXIT_ARM_NISV:
		stat_inc(&g->stats.nisv);
		vcpu_deny(g, run->arm_nisv.fault_ipa, 0, false,
			  "no valid syndrome (e.g. a load/store pair)");
		return false;
	default:
		stat_inc(&g->stats.other);
		pr_err("%s: stopped on unexpected KVM exit %u", g->cfg->name,
		       run->exit_reason);
		atomic_store(&g->state, GUEST_CRASHED);
		return true;
	}
}

void vcpu_run_loop(struct guest *g)
{
	sigset_t kick;

	sigemptyset(&kick);
	sigaddset(&kick, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);
	vcpu_current_run = g->run;
	while (!atomic_load(&g->stop)) {
		if (ioctl(g->vcpu_fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				stat_inc(&g->stats.interrupted);
				g->run->immediate_exit = 0;
				continue;
			}
			pr_err("%s: KVM_RUN: %s", g->cfg->name, strerror(errno));
			atomic_store(&g->state, GUEST_CRASHED);
			break;
		}
		stat_inc(&g->stats.exits);
		if (vcpu_handle_exit(g))
			break;
	}
	vcpu_current_run = NULL;
	if (atomic_load(&g->state) == GUEST_RUNNING)
		atomic_store(&g->state, GUEST_STOPPED);
}
