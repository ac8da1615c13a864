/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Field update of one guest's firmware: A/B slots, signed bundles, a trial
 * boot that must report health, commit or roll back. Runs on the main
 * thread only; the guests it does not update never notice.
 * docs/update.md tells the whole story.
 */
#ifndef PINVM_UPDATE_H
#define PINVM_UPDATE_H

#include <stdio.h>

#include "guest.h"

/*
 * At start, before the guests are created: the slots of every guest with
 * a health register, recovered from their state records; each such
 * guest's image becomes its boot slot's. dir: CONFIG_UPDATE_DIR or -u.
 */
int update_init(struct partition *p, struct guest *guests, const char *dir,
		struct pinvm_error *err);
/*
 * A guest was created: show it its boot in the health register, and
 * start a trial's health deadline.
 */
void update_prepare(struct guest *g);
/* Act on health reports, trials that ended, and deadlines. */
void update_poll(void);
/* Milliseconds until the next deadline, or -1 for none. */
int update_timeout_ms(void);
/*
 * `pinvm update`: check the bundle in bundle_fd and start its trial. The
 * outcome goes to client as "info|ok|error <text>" messages; the client
 * fd is kept (and closed) until the trial ends.
 */
void update_request(const char *guest, int bundle_fd, bool allow_downgrade,
		    int client);
/* The guest's update line of the status file, if it has slots. */
void update_status(FILE *f, const struct guest *g);
/* pinvm ends: tell waiting clients so. */
void update_exit(void);

#endif
