// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the main thread asks of a running guest: stop, or reset as its
 * reset line would (a watchdog's bite). Both set a flag and kick the vCPU
 * out of KVM_RUN; the vCPU thread leaves its loop with the verdict
 * (core/vcpu.c) and the main thread decides, as for any other.
 */
#include <signal.h>

#include "guest.h"

void vcpu_kick(struct guest *g)
{
	pthread_kill(g->thread, SIGUSR1);
}

void guest_request_stop(struct guest *g)
{
	atomic_store(&g->stop, true);
	if (g->has_thread)
		vcpu_kick(g);
}

void guest_request_reset(struct guest *g, const char *why)
{
	g->reset_cause = why;
	atomic_store(&g->reset, true);
	guest_request_stop(g);
}

const char *guest_reset_cause(const struct guest *g)
{
	return atomic_load(&g->reset) ? g->reset_cause : "PSCI SYSTEM_RESET";
}
