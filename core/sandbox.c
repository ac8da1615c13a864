// SPDX-License-Identifier: GPL-2.0-only
/*
 * Least privilege after start-up: each thread drops the capabilities it
 * does not use and loads a seccomp filter (libseccomp) that allows only
 * the system calls, and the ioctl commands, its work needs:
 *
 *   vcpu-<guest>  KVM_RUN and the exit path: MMIO, data aborts,
 *                 interrupts, plus what every compiled-in driver declares
 *                 for its regions' accesses (driver.h: vcpu_rules). A
 *                 reset or a stop is the main thread's: no VM-building
 *                 call. No file creation, no executable mappings, no
 *                 sockets, no exec, no clone.
 *   main          the monitor after start-up: the control socket, status
 *                 file, field updates (files, fsync, rename), restarting a
 *                 guest (its new VM: the KVM ioctls, guest RAM mmap) and
 *                 ending one, plus what the drivers declare for their
 *                 devices' resets and releases (vcpu_rules, main_rules).
 *                 It makes no thread after start-up: no clone, no
 *                 capability or filter calls. No exec, no executable
 *                 mappings, no network sockets, no ptrace, no mount.
 *   a driver's    its own policy (struct sandbox_policy, e.g. the GPIO
 *   thread        driver's gpio-events), on top of what every thread has.
 *
 * Landlock (landlock.c) bounds what each can still open: a vCPU thread
 * and a driver's thread nothing, main reads anything and writes only
 * what start-up registered (sandbox_allow_main).
 *
 * Core knows KVM's ioctls; a driver's ioctl commands are the driver's.
 * Anything else traps: the SIGSYS handler writes one line naming the
 * thread and the call and ends pinvm with SIGSYS.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/kvm.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "driver.h"
#include "file.h"
#include "landlock.h"
#include "sandbox.h"

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

static const struct sandbox_rule file_read_rules[] = {
	{ "openat", SANDBOX_NO_CREATE },
	{ "close", SANDBOX_PLAIN },
	{ "read", SANDBOX_PLAIN },
	{ "lseek", SANDBOX_PLAIN },
	{ "fstat", SANDBOX_PLAIN },
	{ "newfstatat", SANDBOX_PLAIN },
	{ "statx", SANDBOX_PLAIN },
	{ "faccessat", SANDBOX_PLAIN },
	{ "faccessat2", SANDBOX_PLAIN },
};

const struct sandbox_rules sandbox_file_reads =
	SANDBOX_RULES_CALLS(file_read_rules);

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

static const char *const kind_names[SANDBOX_KINDS] = {
	[SANDBOX_MAIN] = "main",
	[SANDBOX_VCPU] = "vcpu",
};

static bool enabled, filters_on;
static __thread char thread_name[16];
/* The running kernel's Landlock ABI, 0 without Landlock (sandbox_enable). */
static int landlock_version;

/*
 * What the main thread may still reach of the file system after start-up,
 * besides reading: its status file's, update and control directories, the
 * claims and sysfs files of the devices it gives back (sandbox_allow_main).
 */
#define MAIN_REACH_MAX	64
static struct landlock_rule main_reach[MAIN_REACH_MAX] = {
	/* Images, bundles, /proc/interrupts, sysfs: reads stay open. */
	{ "/", LANDLOCK_READ },
};
static char main_reach_paths[MAIN_REACH_MAX][PATH_MAX];
static unsigned int nr_main_reach = 1;

const char *sandbox_kind_name(enum sandbox_kind kind)
{
	return kind < SANDBOX_KINDS ? kind_names[kind] : "?";
}

bool sandbox_enabled(void)
{
	return enabled;
}

int sandbox_landlock_abi(void)
{
	return landlock_version;
}

void sandbox_allow_main(const char *path, enum sandbox_reach reach)
{
	unsigned int i;

	if (!path || !path[0])
		return;
	for (i = 1; i < nr_main_reach; i++)
		if (!strcmp(main_reach[i].path, path) &&
		    main_reach[i].reach == (enum landlock_reach)reach)
			return;
	if (nr_main_reach == MAIN_REACH_MAX) {
		pr_warn("landlock: more than %d paths for the main thread: %s left out",
			MAIN_REACH_MAX, path);
		return;
	}
	snprintf(main_reach_paths[nr_main_reach], PATH_MAX, "%s", path);
	main_reach[nr_main_reach].path = main_reach_paths[nr_main_reach];
	main_reach[nr_main_reach++].reach = (enum landlock_reach)reach;
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

/*
 * sandbox_enable() emptied the main thread's bounding set: every thread
 * made after it starts with an empty one (pinvm never execs, so the set
 * keeps nothing pinvm needs), and drop_caps() need not read it again.
 */
static bool bounding_empty;

/*
 * The bounding set but keep. Dropping a capability the set lacks is no
 * error, so none is read first: one call each, until the first number
 * past the kernel's last capability (EINVAL).
 */
static int drop_bounding(uint64_t keep, struct pinvm_error *err)
{
	int cap;

	for (cap = 0; cap < 64; cap++) {
		if (keep & (1ull << cap))
			continue;
		if (!prctl(PR_CAPBSET_DROP, cap, 0, 0, 0))
			continue;
		if (errno == EINVAL)
			break;
		error_set(err, "cannot drop capability %d from the bounding set: %s",
			  cap, strerror(errno));
		return -1;
	}
	return 0;
}

static bool have_setpcap(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	return !syscall(SYS_capget, &hdr, data) &&
	       (data[0].effective & (1u << CAP_SETPCAP));
}

static int drop_caps(uint64_t keep, struct pinvm_error *err)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	uint64_t eff, perm;

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data)) {
		error_set(err, "capget: %s", strerror(errno));
		return -1;
	}
	eff = data[0].effective | (uint64_t)data[1].effective << 32;
	perm = data[0].permitted | (uint64_t)data[1].permitted << 32;
	/*
	 * The bounding set first: dropping it needs CAP_SETPCAP. A thread
	 * made after sandbox_enable() emptied the main thread's has an empty
	 * one: no need to drop it again on a guest's way to its first run.
	 */
	if ((eff & (1ull << CAP_SETPCAP)) && !bounding_empty &&
	    drop_bounding(keep, err))
		return -1;
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

	/* Without filters nothing needs the lists, nor links libseccomp. */
	if (!IS_ENABLED(CONFIG_SECCOMP))
		return;
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

	if (!IS_ENABLED(CONFIG_SECCOMP)) {
		error_set(err, "seccomp: pinvm is built with CONFIG_SECCOMP=n");
		return NULL;
	}
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

static int load_filter(const struct allow_list *a, const char *what,
		       struct pinvm_error *err)
{
	scmp_filter_ctx ctx = build_filter(a, what, err);
	int ret;

	if (!IS_ENABLED(CONFIG_SECCOMP) || !ctx)
		return -1;
	/* Sets no_new_privs first, so no capability is needed. */
	ret = seccomp_load(ctx);
	seccomp_release(ctx);
	if (ret) {
		error_set(err, "seccomp: cannot load the %s filter: %s", what,
			  strerror(-ret));
		return -1;
	}
	return 0;
}

/*
 * The vCPU threads' filter, built once by the main thread while the
 * threads build their VMs (sandbox_share_begin/_build): each thread then
 * only loads the BPF program, the same one seccomp_load() would load
 * (no_new_privs, then the filter, no flags).
 */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum { SHARE_NONE, SHARE_PENDING, SHARE_READY, SHARE_FAILED } state;
	enum sandbox_kind kind;
	struct sock_fprog prog;
	struct pinvm_error err;
} shared = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

void sandbox_share_begin(enum sandbox_kind kind)
{
	if (!enabled || !filters_on)
		return;
	pthread_mutex_lock(&shared.lock);
	shared.state = SHARE_PENDING;
	shared.kind = kind;
	pthread_mutex_unlock(&shared.lock);
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

int sandbox_export(enum sandbox_kind kind, struct sock_fprog *prog,
		   struct pinvm_error *err)
{
	struct allow_list a;
	scmp_filter_ctx ctx;
	int ret;

	allow_kind(&a, kind);
	ctx = build_filter(&a, sandbox_kind_name(kind), err);
	if (!IS_ENABLED(CONFIG_SECCOMP) || !ctx)
		return -1;
	ret = export_filter(ctx, prog, err);
	seccomp_release(ctx);
	return ret;
}

void sandbox_share_build(void)
{
	bool ok;

	if (!IS_ENABLED(CONFIG_SECCOMP) || !enabled || !filters_on)
		return;
	ok = !sandbox_export(shared.kind, &shared.prog, &shared.err);
	pthread_mutex_lock(&shared.lock);
	shared.state = ok ? SHARE_READY : SHARE_FAILED;
	pthread_cond_broadcast(&shared.cond);
	pthread_mutex_unlock(&shared.lock);
}

/* 1: loaded the shared filter, 0: kind has none, -1: failed. */
static int load_shared(enum sandbox_kind kind, struct pinvm_error *err)
{
	int state;

	pthread_mutex_lock(&shared.lock);
	if (shared.state == SHARE_NONE || shared.kind != kind) {
		pthread_mutex_unlock(&shared.lock);
		return 0;
	}
	while (shared.state == SHARE_PENDING)
		pthread_cond_wait(&shared.cond, &shared.lock);
	state = shared.state;
	pthread_mutex_unlock(&shared.lock);
	if (state == SHARE_FAILED) {
		*err = shared.err;
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &shared.prog)) {
		error_set(err, "seccomp: cannot load the %s filter: %s",
			  sandbox_kind_name(kind), strerror(errno));
		return -1;
	}
	return 1;
}

void sandbox_count(enum sandbox_kind kind, unsigned int *syscalls,
		   unsigned int *ioctls)
{
	struct allow_list a;

	allow_kind(&a, kind);
	*syscalls = a.nr_calls;
	*ioctls = a.nr_ioctls;
}

void sandbox_policy_count(const struct sandbox_policy *pol,
			  unsigned int *syscalls, unsigned int *ioctls)
{
	struct allow_list a;

	allow_policy(&a, pol);
	*syscalls = a.nr_calls;
	*ioctls = a.nr_ioctls;
}

/*
 * "vcpu N syscalls + M ioctls, <thread> N + M, ..., main N + M": core's
 * kinds and every compiled-in driver's own thread.
 */
const char *sandbox_describe(char *buf, size_t size)
{
	const struct driver *drv;
	unsigned int sys, ioc;
	size_t n;

	sandbox_count(SANDBOX_VCPU, &sys, &ioc);
	n = snprintf(buf, size, "vcpu %u syscalls + %u ioctls", sys, ioc);
	for_each_driver(drv) {
		if (!drv->thread || n >= size)
			continue;
		sandbox_policy_count(drv->thread, &sys, &ioc);
		n += snprintf(buf + n, size - n, ", %s %u + %u",
			      drv->thread->name, sys, ioc);
	}
	sandbox_count(SANDBOX_MAIN, &sys, &ioc);
	if (n < size)
		snprintf(buf + n, size - n, ", main %u + %u", sys, ioc);
	return buf;
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
	if (IS_ENABLED(CONFIG_SECCOMP) && filters)
		seccomp_api_get();
	landlock_version = landlock_abi();
	if (!landlock_version)
		pr_warn("Landlock is not enabled in this kernel (CONFIG_SECURITY_LANDLOCK, \"landlock\" in CONFIG_LSM or lsm=): pinvm's threads keep uid 0's reach of the file system");
	/* pinvm never execs: no thread made from now on needs a bounding set. */
	if (have_setpcap()) {
		if (drop_bounding(0, err))
			return -1;
		bounding_empty = true;
	}
	filters_on = filters;
	enabled = true;
	return 0;
}

/*
 * Test hook (PINVM_FAULT=landlock): the thread, confined, tries to open
 * root's files and a block device for writing, and says what it got.
 */
static void landlock_probe(const char *name)
{
	static const char *const targets[] = {
		"/etc/pinvm-probe", "/etc/init.d/S50pinvm", "/dev/ram0",
		"/dev/vda", "/dev/mmcblk0",
	};
	struct stat st;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(targets); i++) {
		int fd;

		if (i && stat(targets[i], &st))
			continue;
		fd = open(targets[i], O_WRONLY | O_CLOEXEC | (i ? 0 : O_CREAT | O_EXCL),
			  0600);
		if (fd < 0) {
			pr_info("landlock probe: thread %s: %s: open for writing: %s",
				name, targets[i], strerror(errno));
			continue;
		}
		pr_info("landlock probe: thread %s: %s: open for writing: WRITABLE",
			name, targets[i]);
		close(fd);
		if (!i)
			unlink(targets[i]);
	}
}

/*
 * Capabilities, then the file-system reach (Landlock: rules, none for
 * nothing at all), then (with filters) the allow-list a, for thread name.
 */
static int enter(const struct allow_list *a, const char *what, int shared_kind,
		 const struct landlock_rule *reach, size_t nr_reach,
		 const char *name, uint64_t keep, struct pinvm_error *err)
{
	int ret = 0;

	snprintf(thread_name, sizeof(thread_name), "%s", name);
	if (drop_caps(keep, err) ||
	    landlock_restrict(landlock_version, reach, nr_reach, err)) {
		error_prefix(err, "%s: ", name);
		return -1;
	}
	if (fault_armed("landlock", ""))
		landlock_probe(name);
	if (filters_on && shared_kind >= 0)
		ret = load_shared(shared_kind, err);
	if (filters_on && !ret)
		ret = load_filter(a, what, err);
	if (ret < 0) {
		error_prefix(err, "%s: ", name);
		return -1;
	}
	return 0;
}

int sandbox_enter(enum sandbox_kind kind, const char *name, uint64_t keep,
		  struct pinvm_error *err)
{
	struct allow_list a;

	if (!enabled)
		return 0;
	allow_kind(&a, kind);
	/* A vCPU thread opens nothing: all it uses was opened before. */
	if (kind != SANDBOX_MAIN)
		return enter(&a, sandbox_kind_name(kind), kind, NULL, 0, name,
			     keep, err);
	return enter(&a, sandbox_kind_name(kind), kind, main_reach,
		     nr_main_reach, name, keep, err);
}

int sandbox_policy_enter(const struct sandbox_policy *pol, const char *name,
			 uint64_t keep, struct pinvm_error *err)
{
	struct allow_list a;

	if (!enabled)
		return 0;
	allow_policy(&a, pol);
	/* A driver's thread works on descriptors it is given: no files. */
	return enter(&a, pol->name, -1, NULL, 0, name, keep, err);
}
