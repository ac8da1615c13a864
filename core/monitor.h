/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The monitor: the partition, its guests, and the main thread's loop that
 * acts on what the guests' vCPUs report and runs the services.
 */
#ifndef PINVM_MONITOR_H
#define PINVM_MONITOR_H

#include "guest.h"
#include "partition.h"

struct monitor {
	struct partition part;
	struct guest guests[CONFIG_MAX_GUESTS];
	pthread_t main_thread;
	/* SIGINT/SIGTERM: every guest is stopping; nothing restarts. */
	bool stopping;
	const char *status_file;
	/* Where the field-update service keeps slots, and its socket. */
	const char *update_dir;
	const char *control;
};

/* A guest waiting on the main thread boots again, the services told. */
int monitor_restart(struct monitor *m, struct guest *g,
		    struct pinvm_error *err);

#endif
