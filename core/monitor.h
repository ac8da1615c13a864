/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The monitor: the partition, its guests, and the main thread's loop that
 * acts on what the guests' vCPUs report and runs the services.
 */
#ifndef PINVM_MONITOR_H
#define PINVM_MONITOR_H

#include "guest.h"
#include "partition.h"

/* The command line: the monitor's paths, and the services' options. */
struct monitor_options {
	/* "dtb GUEST FILE": write that guest's device tree, then exit. */
	const char *dtb_guest;
	const char *dtb_file;
	const char *status_file;
	const char *partition;
	const char *image_dir;
	const char *kvm_dev;
	/* Field update: its slots, its socket, `pinvm update`'s flags. */
	const char *update_dir;
	const char *control;
	bool check_only;
	bool allow_downgrade;
	unsigned int timeout_s;		/* for the outcome, 0: the default */
};

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

/*
 * pinvm's run with a parsed partition: the guests created, started and
 * watched until they have all stopped or a signal stops them. Returns
 * pinvm's exit status (1 when a guest crashed), or -1 with err set when
 * nothing could start.
 */
int monitor_run(struct monitor *m, const struct monitor_options *o,
		struct pinvm_error *err);

/* A guest waiting on the main thread boots again, the services told. */
int monitor_restart(struct monitor *m, struct guest *g,
		    struct pinvm_error *err);

#endif
