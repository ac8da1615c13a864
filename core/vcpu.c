// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vCPU run loop and the exit dispatch: the product's hot path.
 *
 *   KVM_RUN -> KVM_EXIT_MMIO -> bus_access() -> region->ops->read/write()
 *                               refused     -> vcpu_deny(): data abort
 *
 * The core's MMIO path allocates nothing and takes no lock; a device model
 * that shares state with another thread (the GPIO model, the console's
 * line buffer) takes its own, and a line it raises takes the bus's
 * (bus_update_irq()). Anything that is not an access to serve
 * (power-off, reset, a crash, a stop request) ends the loop with a
 * verdict for the main thread: this thread only runs the guest.
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
	if (kvm_inject_dabt(&g->vm) < 0)
		pr_err("%s: cannot inject a data abort: %s", g->cfg->name,
		       strerror(errno));
}

static void vcpu_mmio(struct guest *g)
{
	struct kvm_run *run = g->vm.run;
	enum bus_status st;

	stat_inc(&g->stats.mmio);
	st = bus_access(&g->bus, run->mmio.phys_addr, run->mmio.data,
			run->mmio.len, run->mmio.is_write);
	if (st != BUS_OK)
		vcpu_deny(g, run->mmio.phys_addr, run->mmio.len,
			  run->mmio.is_write, bus_status_str(st));
}

/* PSCI SYSTEM_OFF, SYSTEM_RESET and crashes end the loop. */
static enum guest_exit vcpu_system_event(struct guest *g)
{
	stat_inc(&g->stats.system_events);
	switch (g->vm.run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		pr_info("%s: powered off (PSCI SYSTEM_OFF)", g->cfg->name);
		return GUEST_EXIT_POWEROFF;
	case KVM_SYSTEM_EVENT_RESET:
		stat_inc(&g->stats.resets);
		return GUEST_EXIT_RESET;
	default:
		pr_err("%s: stopped on system event %u (crash)", g->cfg->name,
		       g->vm.run->system_event.type);
		return GUEST_EXIT_CRASH;
	}
}

enum guest_exit vcpu_handle_exit(struct guest *g)
{
	struct kvm_run *run = g->vm.run;

	switch (run->exit_reason) {
	case KVM_EXIT_MMIO:
		vcpu_mmio(g);
		return GUEST_EXIT_NONE;
	case KVM_EXIT_SYSTEM_EVENT:
		return vcpu_system_event(g);
	case KVM_EXIT_ARM_NISV:
		stat_inc(&g->stats.nisv);
		vcpu_deny(g, run->arm_nisv.fault_ipa, 0, false,
			  "no valid syndrome (e.g. a load/store pair)");
		return GUEST_EXIT_NONE;
	default:
		stat_inc(&g->stats.other);
		pr_err("%s: stopped on unexpected KVM exit %u", g->cfg->name,
		       run->exit_reason);
		return GUEST_EXIT_CRASH;
	}
}

enum guest_exit vcpu_run_loop(struct guest *g)
{
	enum guest_exit why = GUEST_EXIT_NONE;

	vcpu_current_run = g->vm.run;
	while (why == GUEST_EXIT_NONE) {
		if (atomic_load(&g->stop)) {
			why = GUEST_EXIT_STOP;
			if (atomic_load(&g->reset)) {
				stat_inc(&g->stats.resets);
				why = GUEST_EXIT_RESET;
			}
			break;
		}
		if (ioctl(g->vm.vcpu_fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				stat_inc(&g->stats.interrupted);
				g->vm.run->immediate_exit = 0;
				continue;
			}
			pr_err("%s: KVM_RUN: %s", g->cfg->name, strerror(errno));
			why = GUEST_EXIT_CRASH;
			break;
		}
		stat_inc(&g->stats.exits);
		why = vcpu_handle_exit(g);
	}
	/* The main thread may rebuild the VM: the kick must not touch it. */
	vcpu_current_run = NULL;
	return why;
}
