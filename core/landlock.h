/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Landlock: what a thread can still reach of the file system once started
 * (core/sandbox.c applies it per thread kind). Capabilities dropped, uid 0
 * still owns nearly every system file; this is what keeps a compromised
 * thread off them.
 */
#ifndef PINVM_LANDLOCK_H
#define PINVM_LANDLOCK_H

#include <stdbool.h>
#include <stddef.h>

#include "pinvm.h"

/* What a rule lets the thread do to a path (and beneath it). */
enum landlock_reach {
	LANDLOCK_READ,		/* read files, list directories */
	LANDLOCK_WRITE_DIR,	/* that, and create, replace, remove files */
	LANDLOCK_WRITE_FILE,	/* read and write this one file */
};

struct landlock_rule {
	const char *path;
	enum landlock_reach reach;
};

/* The running kernel's Landlock ABI version; 0 when it has none enabled. */
int landlock_abi(void);

/*
 * Confine the calling thread, and the threads it makes from now on, to
 * rules: every file-system right the kernel's ABI knows is handled, so with
 * no rule the thread can open nothing at all (descriptors it holds stay
 * usable). A rule whose path does not exist is left out (the thread
 * cannot make it later either); one that cannot be opened, with a warning.
 * Without Landlock (abi 0) nothing is done.
 */
int landlock_restrict(int abi, const struct landlock_rule *rules, size_t n,
		      struct pinvm_error *err);

#endif
