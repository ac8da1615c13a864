/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Least privilege: once started, every pinvm thread runs under a seccomp
 * filter of its own (built by libseccomp when pinvm is, core/sandbox_rules.c)
 * and without the capabilities it does not
 * need. A system call outside a thread's filter ends pinvm with one line
 * naming the thread and the call. docs/ARCHITECTURE.md, "Least privilege".
 *
 * Core's thread kinds (main, vcpu) are core's rules plus what each
 * compiled-in driver declares (driver.h); a driver's own thread has a
 * struct sandbox_policy of its own.
 */
#ifndef PINVM_SANDBOX_H
#define PINVM_SANDBOX_H

#include <stdint.h>
#include <stdio.h>

#include "pinvm.h"

struct sock_fprog;

enum sandbox_kind {
	SANDBOX_MAIN,		/* the monitor after start-up */
	SANDBOX_VCPU,		/* a guest's vCPU thread */
	SANDBOX_KINDS,
};

/* What a rule checks of its call's arguments. */
enum sandbox_check {
	SANDBOX_PLAIN,
	SANDBOX_NO_EXEC,	/* arg 2 (prot) without PROT_EXEC: mmap, mprotect */
	/* openat: arg 2 without O_CREAT/O_TRUNC/O_TMPFILE (main: unchecked) */
	SANDBOX_NO_CREATE,
	SANDBOX_IOCTL,		/* ioctl: only the commands of the allow-list */
};

struct sandbox_rule {
	const char *name;	/* the system call, as libseccomp names it */
	enum sandbox_check check;
};

/*
 * A part of an allow-list: system calls, and ioctl commands for an
 * SANDBOX_IOCTL rule (the commands of all parts go with one rule). A call
 * named by several parts is allowed once, as the first part says.
 */
struct sandbox_rules {
	const struct sandbox_rule *calls;
	size_t nr_calls;
	const unsigned long *ioctls;
	size_t nr_ioctls;
	/* Another part this one takes in whole (sandbox_file_reads); or NULL. */
	const struct sandbox_rules *also;
};

#define SANDBOX_RULES(c, i)	{ (c), ARRAY_SIZE(c), (i), ARRAY_SIZE(i), NULL }
#define SANDBOX_RULES_CALLS(c)	{ (c), ARRAY_SIZE(c), NULL, 0, NULL }

/*
 * Opening files to read them, and stat()s: what glibc's file reads make.
 * openat may not create, but in the main thread's filter.
 */
extern const struct sandbox_rules sandbox_file_reads;

/*
 * A driver's own thread: its kind's name (messages, the least-privilege
 * line) and what its filter allows beyond what every thread may (write,
 * futex, signals, clock, exit).
 */
struct sandbox_policy {
	const char *name;
	struct sandbox_rules rules;
	/* It raises guest interrupts (bus->set_irq): core adds KVM's ioctl. */
	bool raises_irqs;
};

/*
 * From now on sandbox_enter() applies: install the SIGSYS handler and, with
 * filters, check that the kernel has seccomp filters. Until then (unit
 * tests, pinvm dtb, --check) sandbox_enter() does nothing.
 */
int sandbox_enable(bool filters, struct pinvm_error *err);
bool sandbox_enabled(void);
/* The kernel's Landlock ABI sandbox_enable() found, 0: none (a warning). */
int sandbox_landlock_abi(void);

/*
 * File-system reach (Landlock). A vCPU thread and a driver's own thread
 * can open nothing once they enter; the main thread may read anywhere and
 * write only what start-up registered here (before it enters): a
 * directory it replaces files in, or one file (a sysfs attribute).
 */
enum sandbox_reach {
	SANDBOX_WRITE_DIR = 1,	/* = LANDLOCK_WRITE_DIR */
	SANDBOX_WRITE_FILE,	/* = LANDLOCK_WRITE_FILE */
};
void sandbox_allow_main(const char *path, enum sandbox_reach reach);

/*
 * The calling thread, named name in the violation line, drops every
 * capability but those in keep (a mask of 1 << CAP_*), from its bounding
 * set too, and then installs the filter of kind.
 */
int sandbox_enter(enum sandbox_kind kind, const char *name, uint64_t keep,
		  struct pinvm_error *err);
/* kind's filter as the BPF program the kernel runs (malloc'd insns). */
int sandbox_export(enum sandbox_kind kind, struct sock_fprog *prog,
		   struct pinvm_error *err);
/*
 * Every filter, as the C source of the table the monitor carries
 * (core/sandbox_rules.c, "Building happens once").
 */
int sandbox_write_source(FILE *out, struct pinvm_error *err);
/* The same for a driver's own thread, under pol's filter. */
int sandbox_policy_enter(const struct sandbox_policy *pol, const char *name,
			 uint64_t keep, struct pinvm_error *err);

const char *sandbox_kind_name(enum sandbox_kind kind);
/* The size of kind's allow-list on this architecture. */
void sandbox_count(enum sandbox_kind kind, unsigned int *syscalls,
		   unsigned int *ioctls);
void sandbox_policy_count(const struct sandbox_policy *pol,
			  unsigned int *syscalls, unsigned int *ioctls);
/*
 * The sizes of every allow-list into buf, for the start-up line: "vcpu N
 * syscalls + M ioctls, <each driver thread> N + M, main N + M".
 */
const char *sandbox_describe(char *buf, size_t size);

#endif
