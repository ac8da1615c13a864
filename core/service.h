/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The monitor's services: work of the main thread beside running guests
 * (field update today). A service is a const struct service in the
 * pinvm_services section (DEFINE_SERVICE); the monitor calls its hooks
 * and polls its descriptor, and never names it. The devices that front a
 * service (a health register fronts field update) reach it through the
 * guest's links, handed to their attach().
 */
#ifndef PINVM_SERVICE_H
#define PINVM_SERVICE_H

#include <stdio.h>

#include "guest.h"
#include "monitor.h"
#include "registry.h"

struct monitor;

struct service {
	const char *name;
	/*
	 * With the partition parsed, before any guest is created: take the
	 * guests it serves and make their links; may choose the image a
	 * guest boots (guest->image).
	 */
	int (*init)(struct monitor *m, struct pinvm_error *err);
	/* pinvm ends. */
	void (*exit)(struct monitor *m);
	/* A guest is about to (re)boot. */
	void (*guest_boot)(struct monitor *m, struct guest *g);
	/*
	 * A guest's vCPU left its loop (why) and waits for the main thread:
	 * true when the service took care of it (restarted or stopped it).
	 */
	bool (*guest_ended)(struct monitor *m, struct guest *g,
			    enum guest_exit why);
	/* After every wake of the main loop: act on reports and deadlines. */
	void (*poll)(struct monitor *m);
	/* Milliseconds until the service's next deadline, or -1 for none. */
	int (*timeout_ms)(struct monitor *m);
	/* A descriptor to poll (-1 for none), and what to do when readable. */
	int (*get_fd)(struct monitor *m);
	void (*fd_ready)(struct monitor *m);
	/* Its lines about g in the status file. */
	void (*status)(struct monitor *m, FILE *f, const struct guest *g);
	/*
	 * `pinvm COMMAND ARGS...`: the service's client of a running pinvm
	 * (field update: `pinvm update GUEST BUNDLE`); returns the exit
	 * status. usage and help are for pinvm --help.
	 */
	const char *command;
	const char *command_usage;
	const char *command_help;
	int (*run_command)(const struct monitor_options *o, int argc,
			   char **argv);
};

/* DEFINE_SERVICE(obj): obj, a const struct service, in the table. */
#define DEFINE_SERVICE(obj)	REGISTRY_ENTRY(pinvm_services, struct service, obj)

REGISTRY_DECLARE(pinvm_services, struct service);
/* svc (a const struct service *) takes every compiled-in service in turn. */
#define for_each_service(svc)	registry_for_each(pinvm_services, svc)

/* Every service's guest_boot() hook, for a guest about to (re)boot. */
void services_guest_boot(struct monitor *m, struct guest *g);

#endif
