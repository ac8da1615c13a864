/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control socket (CONFIG_CONTROL_SOCKET, --control): how `pinvm update`
 * hands a bundle to the running monitor. A Unix seqpacket socket, mode
 * 0600, answering only root and pinvm's own user; the bundle travels as an
 * open file descriptor, so it is read with the client's permissions.
 */
#ifndef PINVM_CONTROL_H
#define PINVM_CONTROL_H

#include "pinvm.h"

/* The listening socket, or -1 with err set. */
int control_listen(const char *path, struct pinvm_error *err);
/*
 * The listening socket is readable: accept what waits, check each peer,
 * and hand each request that came to field update (which answers it). A
 * client that has not sent its request yet waits in control_poll()'s
 * care; this never waits for a client.
 */
void control_serve_one(int listen_fd);
/*
 * After every wake of the main loop: serve the requests that came, refuse
 * the clients that said nothing in time (a second).
 */
void control_poll(void);
/* Milliseconds until control_poll() has work, or -1 when no client waits. */
int control_timeout_ms(void);
void control_close(int listen_fd, const char *path);

/*
 * The client side: pinvm update GUEST BUNDLE; returns the exit status. It
 * waits timeout_s seconds for the outcome (0: the default, 300).
 */
int control_update(const char *path, const char *guest, const char *bundle,
		   bool allow_downgrade, unsigned int timeout_s);

#endif
