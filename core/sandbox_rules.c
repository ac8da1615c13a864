// SPDX-License-Identifier: GPL-2.0-only
/*
 * What each kind of pinvm thread may call: core's allow-lists, with what
 * every compiled-in driver declares (driver.h), built by libseccomp into
 * the BPF programs the threads load (core/sandbox.c).
 *
 * Building happens once, at build time: the build links pinvm a first
 * time with this file and libseccomp, runs that binary's `pinvm filter
 * source` (under qemu-user on a cross build: exactly the arm64 libseccomp,
 * headers and constants the monitor has) and compiles the programs it
 * writes into the monitor itself ($(BUILD)/sandbox_filters.c), which then
 * links neither this file nor libseccomp: no thread builds a filter at
 * start-up, and libseccomp's code and heap stay out of pinvm's memory.
 * The host's unit tests link this file and build on first use.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "driver.h"
#include "sandbox.h"
#include "sandbox_filter.h"

/* Every thread: logging, locks, signals (the kick, the SIGSYS handler). */
static const struct sandbox_rule base_rules[] = {
	{ "write", SANDBOX_PLAIN },
	{ "futex", SANDBOX_PLAIN },
	{ "rt_sigreturn", SANDBOX_PLAIN },
	{ "rt_sigprocmask", SANDBOX_PLAIN },
	{ "rt_sigaction", SANDBOX_PLAIN },
	{ "restart_syscall", SANDBOX_PLAIN },
	{ "tgkill", SANDBOX_PLAIN },
	{ "getpid", SANDBOX_PLAIN },
	{ "gettid", SANDBOX_PLAIN },
	{ "clock_gettime", SANDBOX_PLAIN },
	{ "sched_yield", SANDBOX_PLAIN },
	{ "exit", SANDBOX_PLAIN },
	{ "exit_group", SANDBOX_PLAIN },
};

/* malloc, guest RAM, kvm_run, /dev/mem windows, thread stacks. */
static const struct sandbox_rule memory_rules[] = {
	{ "brk", SANDBOX_PLAIN },
	{ "mmap", SANDBOX_NO_EXEC },
	{ "mprotect", SANDBOX_NO_EXEC },
	{ "munmap", SANDBOX_PLAIN },
	{ "mremap", SANDBOX_PLAIN },
	{ "madvise", SANDBOX_PLAIN },
};

/*
 * KVM's ioctls on the vCPU and the VM; close for its VM at the end
 * (kvm_vm_release(), on the guest's core, all guests at once).
 */
static const struct sandbox_rule vcpu_rules[] = {
	{ "ioctl", SANDBOX_IOCTL },
	{ "close", SANDBOX_PLAIN },
};

/*
 * The main thread adds these to the vCPU thread's, and reads files (the
 * status file, update slots and records, bundles); openat may create.
 */
static const struct sandbox_rule main_rules[] = {
	{ "pread64", SANDBOX_PLAIN },
	{ "fsync", SANDBOX_PLAIN },
	{ "fdatasync", SANDBOX_PLAIN },
	{ "mkdirat", SANDBOX_PLAIN },
	{ "renameat", SANDBOX_PLAIN },
	{ "renameat2", SANDBOX_PLAIN },
	{ "unlinkat", SANDBOX_PLAIN },
	{ "ppoll", SANDBOX_PLAIN },
	{ "poll", SANDBOX_PLAIN },
	{ "signalfd4", SANDBOX_PLAIN },
	{ "accept4", SANDBOX_PLAIN },
	{ "recvmsg", SANDBOX_PLAIN },
	{ "sendmsg", SANDBOX_PLAIN },
	{ "sendto", SANDBOX_PLAIN },
	{ "getsockopt", SANDBOX_PLAIN },
	{ "getuid", SANDBOX_PLAIN },
	{ "geteuid", SANDBOX_PLAIN },
};

/* core/vcpu.c: run, data aborts, device interrupts. Never a VM's making. */
static const unsigned long kvm_vcpu_ioctls[] = {
	KVM_RUN, KVM_SET_VCPU_EVENTS, KVM_IRQ_LINE,
};

/* The main thread also builds a restarted guest's VM (guest_restart()). */
static const unsigned long kvm_main_ioctls[] = {
	KVM_CREATE_VM, KVM_ENABLE_CAP, KVM_SET_USER_MEMORY_REGION,
	KVM_CREATE_VCPU, KVM_CREATE_DEVICE, KVM_SET_DEVICE_ATTR,
	KVM_GET_DEVICE_ATTR, KVM_SET_ONE_REG, KVM_GET_ONE_REG, KVM_IRQFD,
	KVM_IOEVENTFD,
#ifdef __aarch64__
	KVM_ARM_PREFERRED_TARGET, KVM_ARM_VCPU_INIT,
#endif
};

/* A driver's thread that raises guest interrupts (bus->set_irq). */
static const struct sandbox_rule irq_rules[] = {
	{ "ioctl", SANDBOX_IOCTL },
};

static const unsigned long irq_ioctls[] = { KVM_IRQ_LINE };

static const struct sandbox_rules base_set = SANDBOX_RULES_CALLS(base_rules);
static const struct sandbox_rules memory_set = SANDBOX_RULES_CALLS(memory_rules);
static const struct sandbox_rules vcpu_set =
	SANDBOX_RULES(vcpu_rules, kvm_vcpu_ioctls);
static const struct sandbox_rules main_set = {
	.calls = main_rules,
	.nr_calls = ARRAY_SIZE(main_rules),
	.ioctls = kvm_main_ioctls,
	.nr_ioctls = ARRAY_SIZE(kvm_main_ioctls),
	.also = &sandbox_file_reads,
};
static const struct sandbox_rules irq_set = SANDBOX_RULES(irq_rules, irq_ioctls);

#define ALLOW_MAX_CALLS		128
#define ALLOW_MAX_IOCTLS	64

/*
 * One filter's allow-list, gathered from core's rules and the drivers':
 * each system call once (by its number on this architecture, as the first
 * rule naming it says), each ioctl command once. Counting and building
 * the filter both read this, so the printed sizes are the filter's.
 */
struct allow_list {
	struct {
		int nr;
		enum sandbox_check check;
	} calls[ALLOW_MAX_CALLS];
	unsigned int nr_calls;
	unsigned long ioctls[ALLOW_MAX_IOCTLS];
	unsigned int nr_ioctls;
	bool may_create;	/* the main thread: openat unchecked */
	bool too_long;
};

static bool allow_has_call(const struct allow_list *a, int nr)
{
	unsigned int i;

	for (i = 0; i < a->nr_calls; i++)
		if (a->calls[i].nr == nr)
			return true;
	return false;
}

static bool allow_has_ioctl(const struct allow_list *a, unsigned long cmd)
{
	unsigned int i;

	for (i = 0; i < a->nr_ioctls; i++)
		if (a->ioctls[i] == cmd)
			return true;
	return false;
}

static void allow_add_part(struct allow_list *a,
			   const struct sandbox_rules *r)
{
	size_t i;

	for (i = 0; i < r->nr_calls; i++) {
		int nr = seccomp_syscall_resolve_name(r->calls[i].name);

		/* Not a system call of this architecture (e.g. poll on arm64). */
		if (nr == __NR_SCMP_ERROR || nr < 0 || allow_has_call(a, nr))
			continue;
		if (a->nr_calls == ALLOW_MAX_CALLS) {
			a->too_long = true;
			return;
		}
		a->calls[a->nr_calls].nr = nr;
		a->calls[a->nr_calls++].check = r->calls[i].check;
	}
	for (i = 0; i < r->nr_ioctls; i++) {
		if (allow_has_ioctl(a, r->ioctls[i]))
			continue;
		if (a->nr_ioctls == ALLOW_MAX_IOCTLS) {
			a->too_long = true;
			return;
		}
		a->ioctls[a->nr_ioctls++] = r->ioctls[i];
	}
}

/* r, and the part it takes in whole, and so on; r may be NULL. */
static void allow_add(struct allow_list *a, const struct sandbox_rules *r)
{
	for (; r; r = r->also)
		allow_add_part(a, r);
}

/* Core's kind, with what every compiled-in driver declares for it. */
static void allow_kind(struct allow_list *a, enum sandbox_kind kind)
{
	const struct driver *drv;

	memset(a, 0, sizeof(*a));
	allow_add(a, &base_set);
	allow_add(a, &memory_set);
	allow_add(a, &vcpu_set);
	for_each_driver(drv)
		allow_add(a, drv->vcpu_rules);
	if (kind != SANDBOX_MAIN)
		return;
	a->may_create = true;
	allow_add(a, &main_set);
	for_each_driver(drv)
		allow_add(a, drv->main_rules);
}

/* A driver's own thread: what every thread has, and its policy. */
static void allow_policy(struct allow_list *a, const struct sandbox_policy *pol)
{
	memset(a, 0, sizeof(*a));
	allow_add(a, &base_set);
	allow_add(a, &pol->rules);
	if (pol->raises_irqs)
		allow_add(a, &irq_set);
}

static int add_ioctl(scmp_filter_ctx ctx, int nr, unsigned long cmd)
{
	/* The kernel reads the command as 32 bits; so does the filter. */
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
				SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, cmd));
}

static int add_call(scmp_filter_ctx ctx, const struct allow_list *a,
		    unsigned int c)
{
	int nr = a->calls[c].nr, ret = 0;
	size_t i;

	switch (a->calls[c].check) {
	case SANDBOX_NO_EXEC:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
					SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	case SANDBOX_NO_CREATE:
		if (a->may_create)
			break;
		/* __O_TMPFILE holds O_DIRECTORY's bit: opendir must pass. */
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
					SCMP_A2(SCMP_CMP_MASKED_EQ,
						O_CREAT | O_TRUNC |
						(__O_TMPFILE & ~O_DIRECTORY), 0));
	case SANDBOX_IOCTL:
		/*
		 * KVM_RUN is a vCPU thread's hot path, once per exit.
		 * libseccomp tests the masked compares of one call in
		 * descending order of value, KVM_RUN (0xae80) last; a
		 * full-width compare is a branch of its own, tested in the
		 * order added. The upper half must then be zero: ioctl()'s
		 * command is an unsigned long made from an unsigned int.
		 */
		if (allow_has_ioctl(a, KVM_RUN))
			ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
					       SCMP_A1(SCMP_CMP_EQ, KVM_RUN, 0));
		for (i = 0; i < a->nr_ioctls && !ret; i++)
			if (a->ioctls[i] != KVM_RUN)
				ret = add_ioctl(ctx, nr, a->ioctls[i]);
		return ret;
	case SANDBOX_PLAIN:
		break;
	}
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
}

/* The filter of allow-list a as a libseccomp context; NULL on failure. */
static scmp_filter_ctx build_filter(const struct allow_list *a,
				    const char *what, struct pinvm_error *err)
{
	scmp_filter_ctx ctx;
	unsigned int c;
	int ret;

	if (a->too_long) {
		error_set(err, "seccomp: the %s allow-list has more than %d calls or %d ioctl commands",
			  what, ALLOW_MAX_CALLS, ALLOW_MAX_IOCTLS);
		return NULL;
	}
	ctx = seccomp_init(SCMP_ACT_TRAP);
	if (!ctx) {
		error_set(err, "seccomp_init failed");
		return NULL;
	}
	/* A call through another ABI (32-bit compat) is a violation too. */
	ret = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_TRAP);
	for (c = 0; c < a->nr_calls && !ret; c++)
		ret = add_call(ctx, a, c);
	/*
	 * A vCPU thread's KVM_RUN is the filter's hot path, once per exit:
	 * libseccomp would test ioctl, with its argument checks, after every
	 * other call of the list.
	 */
	if (!ret && allow_has_call(a, SCMP_SYS(ioctl)))
		ret = seccomp_syscall_priority(ctx, SCMP_SYS(ioctl), 255);
	if (ret) {
		error_set(err, "seccomp: cannot build the %s filter: %s", what,
			  strerror(-ret));
		seccomp_release(ctx);
		return NULL;
	}
	return ctx;
}

/* The BPF program libseccomp makes of ctx, through a memfd. */
static int export_filter(scmp_filter_ctx ctx, struct sock_fprog *prog,
			 struct pinvm_error *err)
{
	int fd = memfd_create("pinvm-seccomp", MFD_CLOEXEC);
	struct sock_filter *insns = NULL;
	off_t size;
	int ret;

	if (fd < 0) {
		error_set(err, "seccomp: memfd_create: %s", strerror(errno));
		return -1;
	}
	ret = seccomp_export_bpf(ctx, fd);
	size = lseek(fd, 0, SEEK_END);
	if (!ret && size > 0 && size % sizeof(*insns) == 0 &&
	    size / sizeof(*insns) <= USHRT_MAX)
		insns = malloc(size);
	if (!insns || pread(fd, insns, size, 0) != size) {
		error_set(err, "seccomp: cannot export the filter: %s",
			  ret ? strerror(-ret) : "bad size");
		free(insns);
		close(fd);
		return -1;
	}
	close(fd);
	prog->filter = insns;
	prog->len = size / sizeof(*insns);
	return 0;
}


/* name's allow-list: a core kind's or a driver thread's; false: none. */
static bool allow_named(struct allow_list *a, const char *name)
{
	const struct driver *drv;

	if (!strcmp(name, sandbox_kind_name(SANDBOX_VCPU))) {
		allow_kind(a, SANDBOX_VCPU);
		return true;
	}
	if (!strcmp(name, sandbox_kind_name(SANDBOX_MAIN))) {
		allow_kind(a, SANDBOX_MAIN);
		return true;
	}
	for_each_driver(drv)
		if (drv->thread && !strcmp(drv->thread->name, name)) {
			allow_policy(a, drv->thread);
			return true;
		}
	return false;
}

static int build_named(const char *name, struct sandbox_filter *f,
		       struct pinvm_error *err)
{
	struct allow_list a;
	struct sock_fprog prog;
	scmp_filter_ctx ctx;
	int ret;

	if (!allow_named(&a, name)) {
		error_set(err, "seccomp: no thread kind or driver thread named %s",
			  name);
		return -1;
	}
	ctx = build_filter(&a, name, err);
	if (!ctx)
		return -1;
	ret = export_filter(ctx, &prog, err);
	seccomp_release(ctx);
	if (ret)
		return -1;
	f->name = name;
	f->insns = prog.filter;
	f->len = prog.len;
	f->syscalls = a.nr_calls;
	f->ioctls = a.nr_ioctls;
	return 0;
}

/* Each built once and kept: threads of one kind share it. */
static struct sandbox_filter built[SANDBOX_FILTERS_MAX];
static unsigned int nr_built;
static pthread_mutex_t built_lock = PTHREAD_MUTEX_INITIALIZER;

const struct sandbox_filter *sandbox_filter_find(const char *name,
						 struct pinvm_error *err)
{
	const struct sandbox_filter *f = NULL;
	unsigned int i;

	pthread_mutex_lock(&built_lock);
	for (i = 0; i < nr_built && !f; i++)
		if (!strcmp(built[i].name, name))
			f = &built[i];
	if (!f && nr_built == SANDBOX_FILTERS_MAX)
		error_set(err, "seccomp: more than %d filters",
			  SANDBOX_FILTERS_MAX);
	else if (!f && !build_named(name, &built[nr_built], err))
		f = &built[nr_built++];
	pthread_mutex_unlock(&built_lock);
	return f;
}
