// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest lifecycle: attach a guest's devices and build its VM, start its
 * vCPU thread on its own core, and, on the main thread, boot it again or
 * end it when its vCPU says why it stopped. A guest's failure touches no
 * other guest: each has its own VM, thread and bus.
 *
 *   guest_create -> guest_start -> (vCPU runs) -> waits with a verdict
 *        main thread: guest_restart (same thread, new VM) or guest_finish
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "driver.h"
#include "file.h"
#include "guest.h"
#include "sandbox.h"

static int guest_attach_devices(struct guest *g, struct pinvm_error *err)
{
	const struct guest_config *cfg = g->cfg;
	unsigned int i;

	for (i = 0; i < cfg->nr_devices; i++) {
		const struct device_config *d = &cfg->devices[i];

		if (d->drv->attach(g->part, cfg, d, &g->bus, &g->links, err))
			return -1;
	}
	return 0;
}

/* The highest guest-physical address the guest's VM must cover. */
static uint64_t guest_top(const struct guest *g)
{
	const struct gic_config *gic = &g->part->gic;
	uint64_t top = gic->dist_base + gic->dist_size;
	unsigned int i;

	if (gic->cpu_base + gic->cpu_size > top)
		top = gic->cpu_base + gic->cpu_size;
	for (i = 0; i < g->cfg->mem.nr_ram; i++)
		if (g->cfg->mem.ram[i].base + g->cfg->mem.ram[i].size > top)
			top = g->cfg->mem.ram[i].base + g->cfg->mem.ram[i].size;
	for (i = 0; i < g->cfg->nr_devices; i++)
		if (g->cfg->devices[i].base + g->cfg->devices[i].size > top)
			top = g->cfg->devices[i].base + g->cfg->devices[i].size;
	return top;
}

static void guest_vm_config(const struct guest *g, struct vm_config *c)
{
	*c = (struct vm_config){
		.what = g->cfg->path,
		.gic = &g->part->gic,
		.mem = &g->cfg->mem,
		.top = guest_top(g),
		.bus = &g->bus,
		.big_endian = g->cfg->big_endian,
	};
}

/* g->image into the VM's (populated) RAM, and the vCPU at its entry. */
static int guest_load(struct guest *g, struct pinvm_error *err)
{
	struct boot_info boot = { 0 };
	struct vm_config c;

	guest_vm_config(g, &c);
	return g->cfg->loader->load(g->part, g->cfg, &g->image, &g->vm.mem,
				    &boot, err) ||
	       kvm_vcpu_set_boot(&g->vm, &c, &boot, err) ? -1 : 0;
}

/* A fresh VM and vCPU with g->image loaded (a restart, on the main thread). */
static int guest_boot(struct guest *g, struct pinvm_error *err)
{
	struct vm_config c;

	guest_vm_config(g, &c);
	if (kvm_vm_create(&g->vm, &c, err) || guest_load(g, err)) {
		kvm_vm_destroy(&g->vm);
		return -1;
	}
	return 0;
}

/*
 * The first boot's VM, on the main thread: KVM builds a VM (memory slots,
 * vGIC) fastest on the host's core; its RAM is left for the guest's own
 * thread to populate, on the guest's core (guest_thread()).
 */
static int guest_build_vm(struct guest *g, struct pinvm_error *err)
{
	struct vm_config c;

	guest_vm_config(g, &c);
	c.populate_later = true;
	if (kvm_vm_create(&g->vm, &c, err)) {
		kvm_vm_destroy(&g->vm);
		return -1;
	}
	return 0;
}

/* Under the bus's irq_lock: the VM stays while the line is driven. */
static void guest_set_irq(void *ctx, unsigned int intid, bool level)
{
	struct guest *g = ctx;

	if (kvm_irq_line(&g->vm, intid, level) < 0)
		pr_warn("%s: cannot set interrupt %u to %d: %s", g->cfg->name,
			intid, level, strerror(errno));
}

/*
 * g->image and g->links are the caller's: the partition's image by
 * default, a firmware slot's when a service chose one.
 */
int guest_create(struct guest *g, const struct partition *p,
		 const struct guest_config *cfg, struct pinvm_error *err)
{
	g->cfg = cfg;
	g->part = p;
	g->vm.vm_fd = g->vm.vcpu_fd = -1;
	atomic_init(&g->stop, false);
	atomic_init(&g->reset, false);
	atomic_init(&g->state, GUEST_CREATED);
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cond, NULL);
	bus_init(&g->bus);
	g->booted = g->boot_failed = false;
	if (guest_attach_devices(g, err) || guest_build_vm(g, err)) {
		bus_release(&g->bus);
		return -1;
	}
	bus_attach_irqs(&g->bus, guest_set_irq, g);
	return 0;
}

/*
 * vCPU threads wait here until every guest has booted its first VM, so a
 * partition whose last guest cannot boot (or whose last thread cannot
 * start) runs no guest at all. start_lock also guards each guest's boot
 * result.
 */
static pthread_mutex_t start_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t start_cond = PTHREAD_COND_INITIALIZER;
static bool start_open, start_failed;
static unsigned int start_expected, start_booted;

void guest_expect_boots(unsigned int n)
{
	pthread_mutex_lock(&start_lock);
	start_expected = n;
	pthread_mutex_unlock(&start_lock);
}

/*
 * A vCPU thread's boot result, then its wait at the gate, in one hold of
 * start_lock. The last guest to boot opens the gate itself when none
 * failed: its first KVM_RUN then waits for no round trip through the main
 * thread, nor to take start_lock again from the main thread its broadcast
 * woke (each a wake-up across cores). A failure leaves the gate to the
 * main thread, which stops them all first (guest_wait_booted()).
 */
static void guest_wait_at_gate(struct guest *g, bool failed)
{
	pthread_mutex_lock(&start_lock);
	g->booted = true;
	g->boot_failed = failed;
	start_failed |= failed;
	if (++start_booted == start_expected && !start_failed)
		start_open = true;
	pthread_cond_broadcast(&start_cond);
	while (!start_open)
		pthread_cond_wait(&start_cond, &start_lock);
	pthread_mutex_unlock(&start_lock);
}

int guest_wait_booted(struct guest *guests, unsigned int n,
		      struct pinvm_error *err)
{
	unsigned int i;
	int ret = 0;

	pthread_mutex_lock(&start_lock);
	for (i = 0; i < n; i++) {
		while (!guests[i].booted)
			pthread_cond_wait(&start_cond, &start_lock);
		/* The first in the partition's order, whichever failed first. */
		if (guests[i].boot_failed && !ret) {
			*err = guests[i].boot_err;
			ret = -1;
		}
	}
	pthread_mutex_unlock(&start_lock);
	return ret;
}

void guest_open_start_gate(void)
{
	pthread_mutex_lock(&start_lock);
	start_open = true;
	pthread_cond_broadcast(&start_cond);
	pthread_mutex_unlock(&start_lock);
}

/* The vCPU thread's side: say why, and wait for the main thread's order. */
static enum guest_order guest_wait_for_order(struct guest *g,
					     enum guest_exit why)
{
	enum guest_order order;

	pthread_mutex_lock(&g->lock);
	g->exit = why;
	g->waiting = true;
	/* The main thread may be waiting for this (guest_stop_and_wait). */
	pthread_cond_broadcast(&g->cond);
	pthread_kill(g->notify, SIGUSR2);
	while (g->order == GUEST_ORDER_NONE)
		pthread_cond_wait(&g->cond, &g->lock);
	order = g->order;
	g->order = GUEST_ORDER_NONE;
	pthread_mutex_unlock(&g->lock);
	return order;
}

static void *guest_thread(void *arg)
{
	struct guest *g = arg;
	struct pinvm_error err;
	enum guest_exit why = GUEST_EXIT_CRASH;
	bool failed;
	sigset_t kick;
	char comm[16];

	g->tid = syscall(SYS_gettid);
	snprintf(comm, sizeof(comm), "vcpu-%.10s", g->cfg->name);
	pthread_setname_np(pthread_self(), comm);
	sigemptyset(&kick);
	sigaddset(&kick, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);
	/*
	 * On the guest's own core: its RAM populated, in parallel with the
	 * other guests', and its image loaded. Then, from here on, KVM_RUN
	 * and its exit path only, no capabilities.
	 */
	failed = kvm_vm_populate(&g->vm, g->cfg->path, &g->boot_err) ||
		 guest_load(g, &g->boot_err);
	/* Test hook: this guest's first boot fails; no guest may run. */
	if (!failed && fault_armed("boot-", g->cfg->name)) {
		error_set(&g->boot_err, "%s: fault injection: its first boot failed",
			  g->cfg->path);
		failed = true;
	}
	if (!failed && sandbox_enter(SANDBOX_VCPU, comm, 0, &err)) {
		error_set(&g->boot_err, "%s: %s: not started", g->cfg->name,
			  err.msg);
		failed = true;
	}
	if (failed)
		atomic_store(&g->stop, true);
	guest_wait_at_gate(g, failed);
	if (!atomic_load(&g->stop)) {
		pr_info("%s: running on core %u (vcpu thread %d)",
			g->cfg->name, g->cfg->cpu, (int)g->tid);
		/* Test hook: a call outside the filter must end pinvm, loudly. */
		if (fault_armed("seccomp", "-vcpu"))
			syscall(SYS_getppid);
		why = GUEST_EXIT_NONE;
	}
	do {
		if (why == GUEST_EXIT_NONE)
			why = vcpu_run_loop(g);
	} while (guest_wait_for_order(g, why) == GUEST_ORDER_RUN &&
		 (why = GUEST_EXIT_NONE) == GUEST_EXIT_NONE);
	/* Unwired by the main thread (guest_end()): on this core, now. */
	kvm_vm_release(&g->vm);
	return NULL;
}

static int guest_thread_attr(struct guest *g, pthread_attr_t *attr,
			     struct pinvm_error *err)
{
	cpu_set_t cpus;
	int ret;

	CPU_ZERO(&cpus);
	CPU_SET(g->cfg->cpu, &cpus);
	pthread_attr_init(attr);
	/*
	 * Born pinned: the thread never runs a single instruction elsewhere.
	 * (Threads pinning themselves, all at once, measured slower here.)
	 */
	ret = pthread_attr_setaffinity_np(attr, sizeof(cpus), &cpus);
	if (!ret && IS_ENABLED(CONFIG_VCPU_SCHED_FIFO)) {
		struct sched_param sp = {
			.sched_priority = CONFIG_VCPU_SCHED_PRIORITY,
		};

		ret = pthread_attr_setinheritsched(attr, PTHREAD_EXPLICIT_SCHED);
		if (!ret)
			ret = pthread_attr_setschedpolicy(attr, SCHED_FIFO);
		if (!ret)
			ret = pthread_attr_setschedparam(attr, &sp);
	}
	if (ret) {
		error_set(err, "%s: cannot set up the vCPU thread: %s",
			  g->cfg->path, strerror(ret));
		pthread_attr_destroy(attr);
		return -1;
	}
	return 0;
}

int guest_start(struct guest *g, pthread_t notify, struct pinvm_error *err)
{
	pthread_attr_t attr;
	int ret;

	if (guest_thread_attr(g, &attr, err))
		return -1;
	g->notify = notify;
	atomic_store(&g->state, GUEST_RUNNING);
	ret = pthread_create(&g->thread, &attr, guest_thread, g);
	pthread_attr_destroy(&attr);
	if (ret) {
		atomic_store(&g->state, GUEST_CREATED);
		error_set(err, "%s: cannot start the vCPU thread on core %u: %s (core outside pinvm's cpuset%s?)",
			  g->cfg->path, g->cfg->cpu, strerror(ret),
			  IS_ENABLED(CONFIG_VCPU_SCHED_FIFO) ?
			  ", or SCHED_FIFO refused without CAP_SYS_NICE" : "");
		return -1;
	}
	g->has_thread = true;
	return 0;
}

bool guest_running(const struct guest *g)
{
	return atomic_load(&g->state) == GUEST_RUNNING;
}

bool guest_waiting(struct guest *g, enum guest_exit *why)
{
	bool waiting;

	pthread_mutex_lock(&g->lock);
	waiting = g->waiting;
	*why = g->exit;
	pthread_mutex_unlock(&g->lock);
	return waiting;
}

void guest_stop_and_wait(struct guest *g)
{
	if (!g->has_thread)
		return;
	guest_request_stop(g);
	pthread_mutex_lock(&g->lock);
	while (!g->waiting) {
		struct timespec t;

		clock_gettime(CLOCK_REALTIME, &t);
		timespec_add_ms(&t, 10);
		pthread_cond_timedwait(&g->cond, &g->lock, &t);
		/* Kicked again, in case the first kick came before KVM_RUN. */
		if (!g->waiting)
			vcpu_kick(g);
	}
	pthread_mutex_unlock(&g->lock);
}

static void guest_order(struct guest *g, enum guest_order order)
{
	pthread_mutex_lock(&g->lock);
	g->waiting = false;
	g->exit = GUEST_EXIT_NONE;
	g->order = order;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

int guest_restart(struct guest *g, struct pinvm_error *err)
{
	bus_detach_irqs(&g->bus);
	kvm_vm_destroy(&g->vm);
	bus_reset(&g->bus);
	atomic_store(&g->stop, false);
	atomic_store(&g->reset, false);
	if (guest_boot(g, err)) {
		atomic_store(&g->state, GUEST_CRASHED);
		guest_finish(g);
		return -1;
	}
	bus_attach_irqs(&g->bus, guest_set_irq, g);
	atomic_store(&g->state, GUEST_RUNNING);
	guest_order(g, GUEST_ORDER_RUN);
	return 0;
}

void guest_end(struct guest *g)
{
	/* The vCPU thread closes the VM: no line may be driven in it then. */
	bus_detach_irqs(&g->bus);
	if (!g->has_thread || g->ending)
		return;
	kvm_vm_unwire(&g->vm);
	g->ending = true;
	guest_order(g, GUEST_ORDER_EXIT);
}

void guest_finish(struct guest *g)
{
	guest_end(g);
	if (g->has_thread) {
		pthread_join(g->thread, NULL);
		g->has_thread = false;
		g->ending = false;
	}
	if (atomic_load(&g->state) == GUEST_RUNNING)
		atomic_store(&g->state, GUEST_STOPPED);
	/* The VM first: its direct slots map the devices bus_release frees. */
	kvm_vm_destroy(&g->vm);
	bus_release(&g->bus);
}

/*
 * The guest's restart policy: "stop", or "restart" at most restart-limit
 * times a minute, so a guest in a reset storm stops instead of keeping its
 * core and pinvm busy rebuilding VMs.
 */
bool guest_may_restart(struct guest *g)
{
	struct timespec now;

	if (!g->cfg->restart_on_reset) {
		pr_info("%s: reset (%s): stopped, as its restart-policy says",
			g->cfg->name, guest_reset_cause(g));
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

/*
 * Every guest at once: all are asked to stop before the first is waited
 * for, and every thread releases its VM before the first is joined.
 */
void guests_destroy(struct guest *guests, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (guests[i].has_thread)
			guest_request_stop(&guests[i]);
	for (i = 0; i < n; i++)
		guest_stop_and_wait(&guests[i]);
	for (i = 0; i < n; i++)
		guest_end(&guests[i]);
	for (i = 0; i < n; i++)
		guest_finish(&guests[i]);
}
