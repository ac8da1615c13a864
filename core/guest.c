// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest lifecycle: create a guest's devices and VM, start its vCPU thread on
 * its own core, stop it, and tear it down. A guest's failure touches no
 * other guest: each has its own VM, thread and bus.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "driver.h"
#include "file.h"
#include "guest.h"
#include "kvm.h"
#include "loader.h"
#include "sandbox.h"

static int guest_attach_devices(struct guest *g, struct pinvm_error *err)
{
	const struct guest_config *cfg = g->cfg;
	unsigned int i;

	for (i = 0; i < cfg->nr_devices; i++) {
		const struct device_config *d = &cfg->devices[i];

		if (d->drv->attach(g->part, cfg, d, &g->bus, err))
			return -1;
	}
	return 0;
}

int guest_boot(struct guest *g, struct pinvm_error *err)
{
	struct boot_info boot = { 0 };

	if (kvm_vm_create(g, err) ||
	    g->cfg->loader->load(g->part, g->cfg, &g->mem, &boot, err) ||
	    kvm_vcpu_set_boot(g, &boot, err)) {
		guest_halt(g);
		return -1;
	}
	return 0;
}

void guest_halt(struct guest *g)
{
	kvm_vm_destroy(g);
}

static void guest_set_irq(struct bus *bus, unsigned int intid, bool level)
{
	struct guest *g = bus->irq_ctx;

	/* A GPIO edge may come in while a stopped guest's VM is gone. */
	if (g->vm_fd < 0)
		return;
	if (kvm_irq_line(g, intid, level) < 0)
		pr_warn("%s: cannot set interrupt %u to %d: %s", g->cfg->name,
			intid, level, strerror(errno));
}

static void guest_health(struct bus *bus)
{
	struct guest *g = bus->irq_ctx;

	atomic_store(&g->healthy, true);
	pthread_kill(g->notify, SIGUSR2);
}

int guest_create(struct guest *g, const struct partition *p,
		 const struct guest_config *cfg, struct pinvm_error *err)
{
	memset(g, 0, sizeof(*g));
	g->cfg = cfg;
	g->part = p;
	g->mem = cfg->mem;
	g->vm_fd = g->vcpu_fd = -1;
	atomic_init(&g->stop, false);
	atomic_init(&g->state, GUEST_CREATED);
	g->bus.set_irq = guest_set_irq;
	g->bus.irq_ctx = g;
	g->bus.health = guest_health;
	g->bus.boot_slot = BUS_SLOT_NONE;
	if (guest_attach_devices(g, err) || guest_boot(g, err)) {
		bus_release(&g->bus);
		return -1;
	}
	return 0;
}

/*
 * vCPU threads wait here until every guest's thread exists, so a partition
 * whose last thread cannot start runs no guest at all.
 */
static pthread_mutex_t start_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t start_cond = PTHREAD_COND_INITIALIZER;
static bool start_open;

void guest_release_all(void)
{
	pthread_mutex_lock(&start_lock);
	start_open = true;
	pthread_cond_broadcast(&start_cond);
	pthread_mutex_unlock(&start_lock);
}

static void guest_wait_for_start(void)
{
	pthread_mutex_lock(&start_lock);
	while (!start_open)
		pthread_cond_wait(&start_cond, &start_lock);
	pthread_mutex_unlock(&start_lock);
}

static void *guest_thread(void *arg)
{
	struct guest *g = arg;
	char comm[16];

	struct pinvm_error err;

	g->tid = syscall(SYS_gettid);
	snprintf(comm, sizeof(comm), "vcpu-%.10s", g->cfg->name);
	pthread_setname_np(pthread_self(), comm);
	/* From here on: KVM_RUN and its exit path, no capabilities. */
	if (sandbox_enter(SANDBOX_VCPU, comm, 0, &err)) {
		pr_err("%s: %s: not started", g->cfg->name, err.msg);
		atomic_store(&g->state, GUEST_CRASHED);
		atomic_store(&g->stop, true);
	}
	guest_wait_for_start();
	if (!atomic_load(&g->stop))
		pr_info("%s: running on core %u (vcpu thread %d)",
			g->cfg->name, g->cfg->cpu, (int)g->tid);
	/* Test hook: a call outside the filter must end pinvm, loudly. */
	if (fault_armed("seccomp", "-vcpu"))
		syscall(SYS_getppid);
	vcpu_run_loop(g);
	/* A stopped guest gives its lines and devices back at once. */
	guest_halt(g);
	bus_release(&g->bus);
	pthread_kill(g->notify, SIGUSR2);
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
	/* Born pinned: the vCPU never runs a single instruction elsewhere. */
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
	return 0;
}

bool guest_running(const struct guest *g)
{
	return atomic_load(&g->state) == GUEST_RUNNING;
}

void guest_request_stop(struct guest *g)
{
	atomic_store(&g->stop, true);
	if (atomic_load(&g->state) == GUEST_RUNNING)
		vcpu_kick(g);
}

void guest_join(struct guest *g)
{
	if (atomic_load(&g->state) != GUEST_CREATED)
		pthread_join(g->thread, NULL);
}

void guest_destroy(struct guest *g)
{
	/* The VM first: its direct slots map the devices bus_release frees. */
	guest_halt(g);
	bus_release(&g->bus);
}

void guest_shutdown(struct guest *g)
{
	guest_request_stop(g);
	guest_join(g);
	guest_destroy(g);
}
