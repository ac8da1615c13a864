/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A thread kind's seccomp filter as the kernel runs it: built by
 * libseccomp from the allow-lists (core/sandbox_rules.c) in the build's
 * first link and in the host's unit tests, carried built by the monitor
 * ($(BUILD)/sandbox_filters.c, which `pinvm filter source` wrote).
 */
#ifndef PINVM_SANDBOX_FILTER_H
#define PINVM_SANDBOX_FILTER_H

#include <linux/filter.h>

#include "pinvm.h"

/* Filters pinvm has: the vCPU threads', each driver thread's, the main's. */
#define SANDBOX_FILTERS_MAX	8

struct sandbox_filter {
	const char *name;		/* "vcpu", "main" or a driver thread's */
	const struct sock_filter *insns;
	unsigned short len;
	unsigned int syscalls, ioctls;	/* the allow-list's size */
};

/*
 * The monitor's table, NULL name last: $(BUILD)/sandbox_filters.c, looked
 * up by core/sandbox_carried.c.
 */
extern const struct sandbox_filter sandbox_carried[];

/* The filter of the thread kind (or driver thread) name; NULL: err says. */
const struct sandbox_filter *sandbox_filter_find(const char *name,
						 struct pinvm_error *err);

#endif
