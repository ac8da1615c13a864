/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Least privilege: once started, every pinvm thread runs under a seccomp
 * filter of its own (libseccomp) and without the capabilities it does not
 * need. A system call outside a thread's filter ends pinvm with one line
 * naming the thread and the call. docs/ARCHITECTURE.md, "Least privilege".
 */
#ifndef PINVM_SANDBOX_H
#define PINVM_SANDBOX_H

#include <stdint.h>

#include "pinvm.h"

enum sandbox_kind {
	SANDBOX_MAIN,		/* the monitor after start-up */
	SANDBOX_VCPU,		/* a guest's vCPU thread */
	SANDBOX_GPIO,		/* drivers/gpio.c's event thread */
	SANDBOX_KINDS,
};

/*
 * From now on sandbox_enter() applies: install the SIGSYS handler and, with
 * filters, check that the kernel has seccomp filters. Until then (unit
 * tests, pinvm dtb, --check) sandbox_enter() does nothing.
 */
int sandbox_enable(bool filters, struct pinvm_error *err);
bool sandbox_enabled(void);

/*
 * The calling thread, named name in the violation line, drops every
 * capability but those in keep (a mask of 1 << CAP_*), from its bounding
 * set too, and then installs the filter of kind.
 */
int sandbox_enter(enum sandbox_kind kind, const char *name, uint64_t keep,
		  struct pinvm_error *err);

const char *sandbox_kind_name(enum sandbox_kind kind);
/* The size of kind's allow-list on this architecture. */
void sandbox_count(enum sandbox_kind kind, unsigned int *syscalls,
		   unsigned int *ioctls);

#endif
