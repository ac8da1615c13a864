/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A running guest: one KVM VM with one vCPU on its own thread, pinned to
 * the guest's core. The vCPU thread only runs the guest: when it leaves
 * its loop it says why (enum guest_exit) and waits, and the main thread
 * decides, with the services and the guest's restart policy, whether it
 * boots again (guest_restart) or stops for good.
 */
#ifndef PINVM_GUEST_H
#define PINVM_GUEST_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/types.h>

#include "bus.h"
#include "kvm.h"
#include "links.h"
#include "partition.h"

enum guest_state {
	GUEST_CREATED,
	GUEST_RUNNING,
	GUEST_STOPPED,		/* PSCI SYSTEM_OFF, or pinvm asked it to stop */
	GUEST_CRASHED,		/* the vCPU cannot go on; the others do */
};

/* Why a vCPU thread left its run loop. */
enum guest_exit {
	GUEST_EXIT_NONE,
	GUEST_EXIT_STOP,	/* pinvm asked it to stop */
	GUEST_EXIT_POWEROFF,	/* PSCI SYSTEM_OFF */
	GUEST_EXIT_RESET,	/* PSCI SYSTEM_RESET */
	GUEST_EXIT_CRASH,	/* an exit it cannot go on from */
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

/* What the main thread tells a waiting vCPU thread. */
enum guest_order {
	GUEST_ORDER_NONE,
	GUEST_ORDER_RUN,	/* its VM is new: run it */
	GUEST_ORDER_EXIT,	/* the guest is done: end the thread */
};

struct guest {
	const struct guest_config *cfg;
	const struct partition *part;
	struct vm vm;
	struct bus bus;
	/* What the next boot loads: the partition's image, or a slot's. */
	struct guest_image image;
	pthread_t thread;
	bool has_thread;		/* created and not yet joined */
	bool ending;			/* told to end, not yet joined */
	pthread_t notify;		/* told with SIGUSR2 when it waits */
	pid_t tid;
	atomic_bool stop;
	/*
	 * Set with stop by guest_request_reset(): the vCPU leaves with
	 * GUEST_EXIT_RESET, a reset line asserted from outside (a watchdog);
	 * the text says by whom, for the log.
	 */
	atomic_bool reset;
	const char *reset_cause;
	_Atomic enum guest_state state;
	struct guest_stats stats;
	/* The vCPU thread's handshake with the main thread. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool waiting;			/* left its loop, exit says why */
	enum guest_exit exit;
	enum guest_order order;
	struct guest_links links;
	/* restart-limit: resets in the current minute, from reset_window on. */
	uint64_t reset_window;
	unsigned int resets_in_window;
	/* Denied-access log rate limit: one window a second. */
	uint64_t log_window;
	unsigned int log_count;
	/* The first boot, on the vCPU thread: its result (guest_wait_booted). */
	bool booted, boot_failed;
	struct pinvm_error boot_err;
};

/* Devices attached and the first VM built, its RAM left to its vCPU thread. */
int guest_create(struct guest *g, const struct partition *p,
		 const struct guest_config *cfg, struct pinvm_error *err);
/*
 * The thread is created pinned to the guest's core, populates the first
 * VM's RAM there and loads the image, then takes its filters; it runs the
 * guest only after guest_open_start_gate(). The main
 * thread waits for every started guest's boot with guest_wait_booted():
 * -1 and the first failure's reason when one failed.
 */
int guest_start(struct guest *g, pthread_t notify, struct pinvm_error *err);
int guest_wait_booted(struct guest *guests, unsigned int n,
		      struct pinvm_error *err);
/*
 * Before the threads start: n guests will boot; the last of them opens
 * the gate when none failed, and guest_open_start_gate() does otherwise.
 */
void guest_expect_boots(unsigned int n);
void guest_open_start_gate(void);
bool guest_running(const struct guest *g);
void guest_request_stop(struct guest *g);
/*
 * Main thread: reset g as its reset line would (why: "watchdog bite"):
 * its vCPU leaves with GUEST_EXIT_RESET, which the services and the
 * restart policy take as they take a PSCI SYSTEM_RESET.
 */
void guest_request_reset(struct guest *g, const char *why);
/* What reset g last: "PSCI SYSTEM_RESET" or guest_request_reset()'s why. */
const char *guest_reset_cause(const struct guest *g);

/* Main thread: whether g's vCPU waits for a decision, and why. */
bool guest_waiting(struct guest *g, enum guest_exit *why);
/* Ask g to stop and wait until its vCPU thread waits (or has none). */
void guest_stop_and_wait(struct guest *g);
/*
 * A waiting guest boots again, from g->image: devices reset, a new VM,
 * the same thread. On failure the guest is crashed and its thread ended.
 */
int guest_restart(struct guest *g, struct pinvm_error *err);
/*
 * A waiting guest is done: guest_end() tells its thread to end, which
 * releases the VM on its own core; guest_finish() (after guest_end() or
 * instead of it) joins the thread and releases the devices. Between the
 * two, other guests' VMs can go at the same time.
 */
void guest_end(struct guest *g);
void guest_finish(struct guest *g);
/* Whether the guest's restart-policy lets this reset reboot it. */
bool guest_may_restart(struct guest *g);
/*
 * Stop n guests, end their threads and free everything: each step for all
 * of them before the next, so their VMs go in parallel.
 */
void guests_destroy(struct guest *guests, unsigned int n);

/* The vCPU thread's body: KVM_RUN and the exit dispatch (core/vcpu.c). */
enum guest_exit vcpu_run_loop(struct guest *g);
/* One exit, by reason; GUEST_EXIT_NONE while the guest goes on. */
enum guest_exit vcpu_handle_exit(struct guest *g);
/* SIGUSR1 kicks a vCPU out of KVM_RUN; install its handler once. */
void vcpu_signals_init(void);
void vcpu_kick(struct guest *g);

#endif
