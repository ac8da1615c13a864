// SPDX-License-Identifier: GPL-2.0-only
/*
 * Least privilege after start-up: each thread drops the capabilities it
 * does not use and loads a seccomp filter (libseccomp) that allows only
 * the system calls, and the ioctl commands, its work needs:
 *
 *   vcpu-<guest>  KVM_RUN and the exit path: MMIO (console, GPIO lines,
 *                 health), data aborts, interrupts. A reset or a stop is
 *                 the main thread's: no VM-building call is allowed. No
 *                 file creation, no executable mappings, no sockets, no
 *                 exec, no clone.
 *   gpio-events   poll and read of the line event fds, KVM_IRQ_LINE and
 *                 the line value read. Nothing else.
 *   main          the monitor after start-up: the control socket, status
 *                 file, field updates (files, fsync, rename), restarting a
 *                 guest (its VM: KVM, guest RAM mmap; its devices' reset:
 *                 libgpiod) and ending one (sysfs writes giving devices
 *                 back). No exec, no executable mappings, no network
 *                 sockets, no ptrace, no mount.
 *
 * Anything else traps: the SIGSYS handler writes one line naming the
 * thread and the call and ends pinvm with SIGSYS.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/gpio.h>
#include <linux/kvm.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "sandbox.h"

enum rule_kind {
	PLAIN,
	NO_EXEC,	/* arg 2 (prot) without PROT_EXEC: mmap, mprotect */
	NO_CREATE,	/* openat: arg 2 (flags) without O_CREAT/O_TRUNC/O_TMPFILE */
	IOCTL,		/* ioctl: only the commands of the thread's list */
};

struct rule {
	const char *name;
	enum rule_kind kind;
};

/* Every thread: logging, locks, signals (the kick, the SIGSYS handler). */
static const struct rule base_rules[] = {
	{ "write", PLAIN },
	{ "futex", PLAIN },
	{ "rt_sigreturn", PLAIN },
	{ "rt_sigprocmask", PLAIN },
	{ "rt_sigaction", PLAIN },
	{ "restart_syscall", PLAIN },
	{ "tgkill", PLAIN },
	{ "getpid", PLAIN },
	{ "gettid", PLAIN },
	{ "clock_gettime", PLAIN },
	{ "sched_yield", PLAIN },
	{ "exit", PLAIN },
	{ "exit_group", PLAIN },
};

/* malloc, guest RAM, kvm_run, /dev/mem windows, thread stacks. */
static const struct rule memory_rules[] = {
	{ "brk", PLAIN },
	{ "mmap", NO_EXEC },
	{ "mprotect", NO_EXEC },
	{ "munmap", PLAIN },
	{ "mremap", PLAIN },
	{ "madvise", PLAIN },
};

/*
 * Reading what libgpiod opens (/dev/gpiochip*, /dev, sysfs) and writing
 * sysfs (giving a passthrough device back): openat may not create.
 */
static const struct rule file_rules[] = {
	{ "openat", NO_CREATE },
	{ "close", PLAIN },
	{ "read", PLAIN },
	{ "lseek", PLAIN },
	{ "fstat", PLAIN },
	{ "newfstatat", PLAIN },
	{ "statx", PLAIN },
	{ "readlinkat", PLAIN },
	{ "faccessat", PLAIN },
	{ "faccessat2", PLAIN },
	{ "getdents64", PLAIN },
	{ "ioctl", IOCTL },
};

static const struct rule gpio_rules[] = {
	{ "read", PLAIN },
	{ "ppoll", PLAIN },
	{ "poll", PLAIN },
	{ "ioctl", IOCTL },
};

/*
 * The main thread adds these to the vCPU thread's; openat may create. It
 * makes no thread after start-up: a restart keeps its guest's vCPU thread.
 */
static const struct rule main_rules[] = {
	{ "pread64", PLAIN },
	{ "fsync", PLAIN },
	{ "fdatasync", PLAIN },
	{ "mkdirat", PLAIN },
	{ "renameat", PLAIN },
	{ "renameat2", PLAIN },
	{ "unlinkat", PLAIN },
	{ "ppoll", PLAIN },
	{ "poll", PLAIN },
	{ "signalfd4", PLAIN },
	{ "accept4", PLAIN },
	{ "recvmsg", PLAIN },
	{ "sendmsg", PLAIN },
	{ "sendto", PLAIN },
	{ "getsockopt", PLAIN },
	{ "getuid", PLAIN },
	{ "geteuid", PLAIN },
};

/* core/vcpu.c: run, data aborts, device interrupts. Never a VM's making. */
static const unsigned long kvm_vcpu_ioctls[] = {
	KVM_RUN, KVM_SET_VCPU_EVENTS, KVM_IRQ_LINE,
};

/* The main thread also rebuilds a guest's VM (guest_restart()). */
static const unsigned long kvm_main_ioctls[] = {
	KVM_RUN, KVM_SET_VCPU_EVENTS, KVM_IRQ_LINE,
	KVM_CREATE_VM, KVM_ENABLE_CAP, KVM_SET_USER_MEMORY_REGION,
	KVM_CREATE_VCPU, KVM_CREATE_DEVICE, KVM_SET_DEVICE_ATTR,
	KVM_SET_ONE_REG, KVM_GET_ONE_REG,
#ifdef __aarch64__
	KVM_ARM_PREFERRED_TARGET, KVM_ARM_VCPU_INIT,
#endif
};

/* libgpiod 1.6 (the v1 character device API): requests, values. */
static const unsigned long gpio_ioctls[] = {
	GPIO_GET_CHIPINFO_IOCTL, GPIO_GET_LINEINFO_IOCTL,
	GPIO_GET_LINEHANDLE_IOCTL, GPIO_GET_LINEEVENT_IOCTL,
	GPIOHANDLE_GET_LINE_VALUES_IOCTL, GPIOHANDLE_SET_LINE_VALUES_IOCTL,
	GPIOHANDLE_SET_CONFIG_IOCTL,
};

/* The event thread: interrupts into the guest and level reads. */
static const unsigned long gpio_thread_ioctls[] = {
	KVM_IRQ_LINE, GPIOHANDLE_GET_LINE_VALUES_IOCTL,
};

static const char *const kind_names[SANDBOX_KINDS] = {
	[SANDBOX_MAIN] = "main",
	[SANDBOX_VCPU] = "vcpu",
	[SANDBOX_GPIO] = "gpio-events",
};

static bool enabled, filters_on;
static __thread char thread_name[16];

const char *sandbox_kind_name(enum sandbox_kind kind)
{
	return kind < SANDBOX_KINDS ? kind_names[kind] : "?";
}

bool sandbox_enabled(void)
{
	return enabled;
}

/* --- the violation line, async-signal-safe ------------------------------ */

/* Names for the calls a compromised thread would reach for first. */
static const struct {
	int nr;
	const char *name;
} syscall_names[] = {
#define N(x) { __NR_##x, #x }
	N(execve), N(execveat), N(getppid), N(openat), N(ioctl), N(mmap),
	N(mprotect), N(socket), N(connect), N(bind), N(accept4), N(sendmsg),
	N(recvmsg), N(sendto), N(ptrace), N(kill), N(clone), N(unshare),
	N(setns), N(mount), N(umount2), N(setuid), N(setgid), N(prctl),
	N(capset), N(fchmodat), N(fchownat), N(unlinkat), N(renameat),
	N(mkdirat), N(pread64), N(fsync), N(bpf), N(init_module),
	N(finit_module), N(reboot), N(kexec_load), N(personality),
	N(getdents64), N(readlinkat), N(process_vm_writev), N(memfd_create),
#ifdef __NR_open
	N(open),
#endif
#ifdef __NR_fork
	N(fork), N(vfork),
#endif
#ifdef __NR_clone3
	N(clone3),
#endif
#undef N
};

static size_t put_str(char *buf, size_t n, size_t size, const char *s)
{
	while (*s && n + 1 < size)
		buf[n++] = *s++;
	return n;
}

static size_t put_num(char *buf, size_t n, size_t size, unsigned long v,
		      unsigned int base)
{
	char digits[24];
	int i = 0;

	do {
		digits[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (base == 16)
		n = put_str(buf, n, size, "0x");
	while (i && n + 1 < size)
		buf[n++] = digits[--i];
	return n;
}

static void sandbox_sigsys(int sig, siginfo_t *si, void *uctx)
{
	ucontext_t *uc = uctx;
	unsigned long args[3] = { 0 };
	bool have_args = false;
	struct sigaction dfl;
	sigset_t sys;
	char line[256];
	size_t n = 0, i;

#if defined(__aarch64__)
	for (i = 0; i < 3; i++)
		args[i] = uc->uc_mcontext.regs[i];
	have_args = true;
#elif defined(__x86_64__)
	args[0] = uc->uc_mcontext.gregs[REG_RDI];
	args[1] = uc->uc_mcontext.gregs[REG_RSI];
	args[2] = uc->uc_mcontext.gregs[REG_RDX];
	have_args = true;
#else
	(void)uc;
#endif
	n = put_str(line, n, sizeof(line), "pinvm: error: seccomp: thread ");
	n = put_str(line, n, sizeof(line), thread_name[0] ? thread_name : "?");
	n = put_str(line, n, sizeof(line), " made system call ");
	n = put_num(line, n, sizeof(line), (unsigned int)si->si_syscall, 10);
	for (i = 0; i < ARRAY_SIZE(syscall_names); i++) {
		if (syscall_names[i].nr != si->si_syscall)
			continue;
		n = put_str(line, n, sizeof(line), " (");
		n = put_str(line, n, sizeof(line), syscall_names[i].name);
		n = put_str(line, n, sizeof(line), ")");
		break;
	}
	if (have_args) {
		n = put_str(line, n, sizeof(line), " args ");
		for (i = 0; i < 3; i++) {
			n = put_num(line, n, sizeof(line), args[i], 16);
			n = put_str(line, n, sizeof(line), i < 2 ? " " : "");
		}
	}
	n = put_str(line, n, sizeof(line),
		    ", which its filter forbids: stopping pinvm\n");
	/* Nothing to do if the line cannot be written: die all the same. */
	(void)!write(STDERR_FILENO, line, n);
	/* Die of the SIGSYS, as with no handler; never go on. */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(sig, &dfl, NULL);
	sigemptyset(&sys);
	sigaddset(&sys, sig);
	pthread_sigmask(SIG_UNBLOCK, &sys, NULL);
	raise(sig);
	_exit(128 + sig);
}

/* --- capabilities ------------------------------------------------------- */

static int drop_caps(uint64_t keep, struct pinvm_error *err)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	uint64_t eff, perm;
	int cap;

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data)) {
		error_set(err, "capget: %s", strerror(errno));
		return -1;
	}
	eff = data[0].effective | (uint64_t)data[1].effective << 32;
	perm = data[0].permitted | (uint64_t)data[1].permitted << 32;
	/* The bounding set first: dropping it needs CAP_SETPCAP. */
	if (eff & (1ull << CAP_SETPCAP)) {
		for (cap = 0; cap < 64; cap++) {
			if (keep & (1ull << cap))
				continue;
			if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) < 0)
				break;	/* past the kernel's last capability */
			if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)) {
				error_set(err, "cannot drop capability %d from the bounding set: %s",
					  cap, strerror(errno));
				return -1;
			}
		}
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) &&
	    errno != EINVAL) {
		error_set(err, "cannot clear the ambient capabilities: %s",
			  strerror(errno));
		return -1;
	}
	perm &= keep;
	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = (uint32_t)perm;
	data[1].effective = data[1].permitted = (uint32_t)(perm >> 32);
	if (syscall(SYS_capset, &hdr, data)) {
		error_set(err, "capset: %s", strerror(errno));
		return -1;
	}
	(void)eff;
	return 0;
}

/* --- filters ------------------------------------------------------------ */

struct rule_set {
	const struct rule *rules;
	size_t nr;
};

static void rule_sets(enum sandbox_kind kind, struct rule_set sets[4],
		      unsigned int *nr_sets, const unsigned long **ioctls,
		      size_t *nr_ioctls)
{
	unsigned int n = 0;

#define ADD(a) (sets[n].rules = (a), sets[n++].nr = ARRAY_SIZE(a))
	ADD(base_rules);
	if (kind == SANDBOX_GPIO) {
		ADD(gpio_rules);
		*ioctls = gpio_thread_ioctls;
		*nr_ioctls = ARRAY_SIZE(gpio_thread_ioctls);
	} else {
		ADD(memory_rules);
		ADD(file_rules);
		if (kind == SANDBOX_MAIN) {
			ADD(main_rules);
			*ioctls = kvm_main_ioctls;
			*nr_ioctls = ARRAY_SIZE(kvm_main_ioctls);
		} else {
			*ioctls = kvm_vcpu_ioctls;
			*nr_ioctls = ARRAY_SIZE(kvm_vcpu_ioctls);
		}
	}
#undef ADD
	*nr_sets = n;
}

static bool gpio_ioctls_wanted(enum sandbox_kind kind)
{
	return kind != SANDBOX_GPIO && IS_ENABLED(CONFIG_DRIVER_GPIO);
}

static int add_ioctl(scmp_filter_ctx ctx, int nr, unsigned long cmd)
{
	/* The kernel reads the command as 32 bits; so does the filter. */
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
				SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, cmd));
}

static int add_rule(scmp_filter_ctx ctx, enum sandbox_kind kind,
		    const struct rule *r, const unsigned long *ioctls,
		    size_t nr_ioctls)
{
	int nr = seccomp_syscall_resolve_name(r->name);
	int ret = 0;
	size_t i;

	/* Not a system call of this architecture (e.g. poll on arm64). */
	if (nr == __NR_SCMP_ERROR || nr < 0)
		return 0;
	switch (r->kind) {
	case NO_EXEC:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
					SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	case NO_CREATE:
		if (kind == SANDBOX_MAIN)
			break;
		/* __O_TMPFILE holds O_DIRECTORY's bit: opendir must pass. */
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
					SCMP_A2(SCMP_CMP_MASKED_EQ,
						O_CREAT | O_TRUNC |
						(__O_TMPFILE & ~O_DIRECTORY), 0));
	case IOCTL:
		for (i = 0; i < nr_ioctls && !ret; i++)
			ret = add_ioctl(ctx, nr, ioctls[i]);
		for (i = 0; gpio_ioctls_wanted(kind) &&
		     i < ARRAY_SIZE(gpio_ioctls) && !ret; i++)
			ret = add_ioctl(ctx, nr, gpio_ioctls[i]);
		return ret;
	case PLAIN:
		break;
	}
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
}

static int load_filter(enum sandbox_kind kind, struct pinvm_error *err)
{
	struct rule_set sets[4];
	const unsigned long *ioctls;
	size_t nr_ioctls, i;
	unsigned int nr_sets, s;
	scmp_filter_ctx ctx;
	int ret = 0;

	rule_sets(kind, sets, &nr_sets, &ioctls, &nr_ioctls);
	ctx = seccomp_init(SCMP_ACT_TRAP);
	if (!ctx) {
		error_set(err, "seccomp_init failed");
		return -1;
	}
	/* A call through another ABI (32-bit compat) is a violation too. */
	ret = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_TRAP);
	for (s = 0; s < nr_sets && !ret; s++)
		for (i = 0; i < sets[s].nr && !ret; i++)
			ret = add_rule(ctx, kind, &sets[s].rules[i], ioctls,
				       nr_ioctls);
	if (ret) {
		error_set(err, "seccomp: cannot build the %s filter: %s",
			  sandbox_kind_name(kind), strerror(-ret));
		seccomp_release(ctx);
		return -1;
	}
	/* Sets no_new_privs first, so no capability is needed. */
	ret = seccomp_load(ctx);
	seccomp_release(ctx);
	if (ret) {
		error_set(err, "seccomp: cannot load the %s filter: %s",
			  sandbox_kind_name(kind), strerror(-ret));
		return -1;
	}
	return 0;
}

void sandbox_count(enum sandbox_kind kind, unsigned int *syscalls,
		   unsigned int *ioctls)
{
	struct rule_set sets[4];
	const unsigned long *list;
	size_t nr_list, i, j;
	unsigned int nr_sets, s;
	int seen[128];
	unsigned int nr_seen = 0;

	rule_sets(kind, sets, &nr_sets, &list, &nr_list);
	*syscalls = 0;
	*ioctls = nr_list + (gpio_ioctls_wanted(kind) ? ARRAY_SIZE(gpio_ioctls) : 0);
	for (s = 0; s < nr_sets; s++) {
		for (i = 0; i < sets[s].nr; i++) {
			int nr = seccomp_syscall_resolve_name(sets[s].rules[i].name);

			if (nr == __NR_SCMP_ERROR || nr < 0)
				continue;
			for (j = 0; j < nr_seen && seen[j] != nr; j++)
				;
			if (j < nr_seen || nr_seen == ARRAY_SIZE(seen))
				continue;
			seen[nr_seen++] = nr;
			(*syscalls)++;
		}
	}
}

int sandbox_enable(bool filters, struct pinvm_error *err)
{
	struct sigaction sa;

	if (filters && prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0) {
		error_set(err, "this kernel has no seccomp (CONFIG_SECCOMP_FILTER): build pinvm with CONFIG_SECCOMP=n to run it here");
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sandbox_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigfillset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL)) {
		error_set(err, "cannot handle SIGSYS: %s", strerror(errno));
		return -1;
	}
	/* libseccomp probes the kernel once, now, not under a filter. */
	if (filters)
		seccomp_api_get();
	filters_on = filters;
	enabled = true;
	return 0;
}

int sandbox_enter(enum sandbox_kind kind, const char *name, uint64_t keep,
		  struct pinvm_error *err)
{
	if (!enabled)
		return 0;
	snprintf(thread_name, sizeof(thread_name), "%s", name);
	if (drop_caps(keep, err)) {
		error_prefix(err, "%s: ", name);
		return -1;
	}
	if (filters_on && load_filter(kind, err)) {
		error_prefix(err, "%s: ", name);
		return -1;
	}
	return 0;
}
