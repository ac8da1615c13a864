/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A running guest: one KVM VM with one vCPU on its own thread, pinned to
 * the guest's core.
 */
#ifndef PINVM_GUEST_H
#define PINVM_GUEST_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/types.h>

#include "bus.h"
#include "partition.h"

struct kvm_run;

enum guest_state {
	GUEST_CREATED,
	GUEST_RUNNING,
	GUEST_STOPPED,		/* PSCI SYSTEM_OFF, or pinvm asked it to stop */
	GUEST_CRASHED,		/* the vCPU cannot go on; the others do */
};

/* Exits by reason, and what came of them; see core/status.c. */
struct guest_stats {
	uint64_t exits;
	uint64_t mmio;
	uint64_t system_events;
	uint64_t nisv;
	uint64_t interrupted;	/* KVM_RUN returned EINTR: a kick */
	uint64_t other;
	uint64_t denied;	/* accesses answered with a data abort */
	uint64_t resets;
};

struct guest {
	const struct guest_config *cfg;
	const struct partition *part;
	struct guest_memory mem;	/* cfg->mem plus host mappings */
	struct bus bus;
	int vm_fd;
	int vcpu_fd;
	struct kvm_run *run;
	pthread_t thread;
	pthread_t notify;		/* told with SIGUSR2 when this guest ends */
	pid_t tid;
	atomic_bool stop;
	_Atomic enum guest_state state;
	struct guest_stats stats;
	/*
	 * Field update: a guest on trial leaves its loop on SYSTEM_RESET so
	 * the monitor counts the boot (reset_requested); healthy is set when
	 * it writes its health register. core/update.c reads both.
	 */
	atomic_bool on_trial;
	atomic_bool healthy;
	bool reset_requested;
	/* restart-limit: resets in the current minute, from reset_window on. */
	uint64_t reset_window;
	unsigned int resets_in_window;
	/* Denied-access log rate limit: one window a second. */
	uint64_t log_window;
	unsigned int log_count;
};

int guest_create(struct guest *g, const struct partition *p,
		 const struct guest_config *cfg, struct pinvm_error *err);
/* The thread is created pinned, but runs the guest only after this: */
int guest_start(struct guest *g, pthread_t notify, struct pinvm_error *err);
void guest_release_all(void);
bool guest_running(const struct guest *g);
void guest_request_stop(struct guest *g);
void guest_join(struct guest *g);
void guest_destroy(struct guest *g);
/* Stop a guest's thread, wait for it, and tear its VM and devices down. */
void guest_shutdown(struct guest *g);

/* Fresh VM and vCPU from the guest's image: at start and on SYSTEM_RESET. */
int guest_boot(struct guest *g, struct pinvm_error *err);
void guest_halt(struct guest *g);

/* The vCPU thread's body: KVM_RUN and the exit dispatch (core/vcpu.c). */
void vcpu_run_loop(struct guest *g);
/* One exit, by reason; true when the guest's loop must end. */
bool vcpu_handle_exit(struct guest *g);
/* SIGUSR1 kicks a vCPU out of KVM_RUN; install its handler once. */
void vcpu_signals_init(void);
void vcpu_kick(struct guest *g);

#endif
