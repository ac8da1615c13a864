/* SPDX-License-Identifier: GPL-2.0-only */
/* The status file: every guest's state and counters, while pinvm runs. */
#ifndef PINVM_STATUS_H
#define PINVM_STATUS_H

#include "guest.h"

int status_write(const char *path, const struct guest *guests,
		 unsigned int nr, bool running);
/* `pinvm status`: print the file a running pinvm keeps. */
int status_show(const char *path);

#endif
