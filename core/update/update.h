/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Field update of one guest's firmware: A/B slots, signed bundles, a trial
 * boot that must report health, commit or roll back. A service of the
 * monitor (update_service), run by its main thread only; the guests it
 * does not update never notice. docs/update.md tells the whole story.
 */
#ifndef PINVM_UPDATE_H
#define PINVM_UPDATE_H

#include <stdatomic.h>

#include "monitor.h"
#include "service.h"

/* The service's name, which the devices fronting it give as fronts. */
#define UPDATE_SERVICE		"update"

/*
 * What a guest's health register (drivers/health.c, which fronts this
 * service) sees of its firmware: set before every boot of the guest.
 */
struct update_link {
	_Atomic uint32_t slot;		/* 0 = a, 1 = b */
	_Atomic uint32_t attempt;	/* the trial's boot attempt, 0 when committed */
	atomic_bool healthy;
	pthread_t main;			/* woken by a report */
};

/*
 * The parsed config of a device that fronts this service: its driver's
 * config (config_size) begins with this, which its check() fills in.
 */
struct update_config {
	uint32_t timeout_ms;		/* how long a trial boot has to report */
};

/* A guest's field-update properties (core/update/update_props.c). */
struct update_guest_props {
	const char *firmware_version;	/* "0" when the node has none */
	unsigned int update_attempts;
};

const struct update_guest_props *update_props_of(const struct guest_config *g);

/* The guest says it is up: from its vCPU thread, never blocks (core/update/update_link.c). */
void update_link_report(struct update_link *l);

extern const struct service update_service;

/*
 * `pinvm update`: check the bundle in bundle_fd and start its trial. The
 * outcome goes to client as "info|ok|error <text>" messages; the client
 * fd is kept (and closed) until the trial ends.
 */
void update_request(const char *guest, int bundle_fd, bool allow_downgrade,
		    int client);

#endif
