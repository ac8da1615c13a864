/* SPDX-License-Identifier: GPL-2.0-only */
/* The status file: every guest's state and counters, while pinvm runs. */
#ifndef PINVM_STATUS_H
#define PINVM_STATUS_H

#include "monitor.h"

/* Every guest's line and its regions' and services' lines. */
int status_write(struct monitor *m, bool running);
/* `pinvm status`: print the file a running pinvm keeps. */
int status_show(const char *path);

#endif
