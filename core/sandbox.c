// SPDX-License-Identifier: GPL-2.0-only
/*
 * Least privilege after start-up: each thread drops the capabilities it
 * does not use and loads a seccomp filter that allows only the system
 * calls, and the ioctl commands, its work needs (the allow-lists are
 * core/sandbox_rules.c's, built into BPF when pinvm is built):
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
#include "sandbox_filter.h"

/*
 * The one part of the allow-lists here, not in core/sandbox_rules.c:
 * drivers' rules take it in whole, and the monitor, which links their
 * rules but not that file, must have it too.
 */
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

/*
 * The filter of name (a kind's, or a driver thread's), as pinvm carries
 * it (core/sandbox_rules.c says how it is built); NULL and err if none.
 */
static const struct sandbox_filter *filter_of(const char *name,
					      struct pinvm_error *err)
{
#ifdef CONFIG_SECCOMP
	return sandbox_filter_find(name, err);
#else
	error_set(err, "seccomp: pinvm is built with CONFIG_SECCOMP=n");
	return NULL;
#endif
}

/* What seccomp_load() would do: no_new_privs, then the filter, no flags. */
static int load_filter(const char *name, struct pinvm_error *err)
{
	const struct sandbox_filter *f = filter_of(name, err);
	struct sock_fprog prog;

	if (!f)
		return -1;
	prog.len = f->len;
	prog.filter = (struct sock_filter *)f->insns;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
		error_set(err, "seccomp: cannot load the %s filter: %s", name,
			  strerror(errno));
		return -1;
	}
	return 0;
}

int sandbox_export(enum sandbox_kind kind, struct sock_fprog *prog,
		   struct pinvm_error *err)
{
	const struct sandbox_filter *f = filter_of(sandbox_kind_name(kind), err);
	size_t size;

	if (!f)
		return -1;
	size = f->len * sizeof(*f->insns);
	prog->filter = malloc(size);
	if (!prog->filter) {
		error_set(err, "seccomp: out of memory");
		return -1;
	}
	memcpy(prog->filter, f->insns, size);
	prog->len = f->len;
	return 0;
}

/*
 * Every filter pinvm has, by name, in the order the start-up line and
 * the carried table list them: the vCPU threads', each compiled-in
 * driver thread's, the main thread's. The number of names, or -1.
 */
static int filter_names(const char *names[SANDBOX_FILTERS_MAX],
			struct pinvm_error *err)
{
	const struct driver *drv;
	int n = 0;

	names[n++] = sandbox_kind_name(SANDBOX_VCPU);
	for_each_driver(drv) {
		if (!drv->thread)
			continue;
		if (n == SANDBOX_FILTERS_MAX - 1) {
			error_set(err, "seccomp: more than %d filters",
				  SANDBOX_FILTERS_MAX);
			return -1;
		}
		names[n++] = drv->thread->name;
	}
	names[n++] = sandbox_kind_name(SANDBOX_MAIN);
	return n;
}

/*
 * Every filter as C for the monitor to carry (the build's `pinvm filter
 * source`, core/sandbox_rules.c).
 */
int sandbox_write_source(FILE *out, struct pinvm_error *err)
{
	const struct sandbox_filter *f[SANDBOX_FILTERS_MAX];
	const char *names[SANDBOX_FILTERS_MAX];
	int n = filter_names(names, err), i;
	unsigned int k;

	if (n < 0)
		return -1;
	for (i = 0; i < n; i++) {
		f[i] = filter_of(names[i], err);
		if (!f[i])
			return -1;
	}
	fprintf(out, "// SPDX-License-Identifier: GPL-2.0-only\n"
		"/*\n * The seccomp filters pinvm carries, as libseccomp built them from\n"
		" * core/sandbox_rules.c: written by the build's `pinvm filter source`.\n"
		" * Do not edit.\n */\n#include \"sandbox_filter.h\"\n");
	for (i = 0; i < n; i++) {
		fprintf(out, "\n/* %s: %u syscalls, %u ioctl commands */\n"
			"static const struct sock_filter insns_%d[] = {\n",
			names[i], f[i]->syscalls, f[i]->ioctls, i);
		for (k = 0; k < f[i]->len; k++)
			fprintf(out, "\t{ 0x%04x, %u, %u, 0x%08x },\n",
				f[i]->insns[k].code, f[i]->insns[k].jt,
				f[i]->insns[k].jf, f[i]->insns[k].k);
		fprintf(out, "};\n");
	}
	fprintf(out, "\nconst struct sandbox_filter sandbox_carried[] = {\n");
	for (i = 0; i < n; i++)
		fprintf(out, "\t{ \"%s\", insns_%d, %u, %u, %u },\n", names[i],
			i, f[i]->len, f[i]->syscalls, f[i]->ioctls);
	fprintf(out, "\t{ NULL, NULL, 0, 0, 0 },\n};\n");
	return 0;
}

static void count(const char *name, unsigned int *syscalls,
		  unsigned int *ioctls)
{
	struct pinvm_error err;
	const struct sandbox_filter *f = filter_of(name, &err);

	*syscalls = f ? f->syscalls : 0;
	*ioctls = f ? f->ioctls : 0;
}

void sandbox_count(enum sandbox_kind kind, unsigned int *syscalls,
		   unsigned int *ioctls)
{
	count(sandbox_kind_name(kind), syscalls, ioctls);
}

void sandbox_policy_count(const struct sandbox_policy *pol,
			  unsigned int *syscalls, unsigned int *ioctls)
{
	count(pol->name, syscalls, ioctls);
}

/*
 * "vcpu N syscalls + M ioctls, <thread> N + M, ..., main N + M": core's
 * kinds and every compiled-in driver's own thread.
 */
const char *sandbox_describe(char *buf, size_t size)
{
	const char *names[SANDBOX_FILTERS_MAX];
	struct pinvm_error err;
	unsigned int sys, ioc;
	int nr = filter_names(names, &err), i;
	size_t n = 0;

	buf[0] = '\0';
	for (i = 0; i < nr && n < size; i++) {
		count(names[i], &sys, &ioc);
		n += snprintf(buf + n, size - n,
			      i ? ", %s %u + %u" : "%s %u syscalls + %u ioctls",
			      names[i], sys, ioc);
	}
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
 * nothing at all), then (with filters) the filter of what, for thread name.
 */
static int enter(const char *what, const struct landlock_rule *reach,
		 size_t nr_reach, const char *name, uint64_t keep,
		 struct pinvm_error *err)
{
	snprintf(thread_name, sizeof(thread_name), "%s", name);
	if (drop_caps(keep, err) ||
	    landlock_restrict(landlock_version, reach, nr_reach, err)) {
		error_prefix(err, "%s: ", name);
		return -1;
	}
	if (fault_armed("landlock", ""))
		landlock_probe(name);
	if (filters_on && load_filter(what, err)) {
		error_prefix(err, "%s: ", name);
		return -1;
	}
	return 0;
}

int sandbox_enter(enum sandbox_kind kind, const char *name, uint64_t keep,
		  struct pinvm_error *err)
{
	if (!enabled)
		return 0;
	/* A vCPU thread opens nothing: all it uses was opened before. */
	if (kind != SANDBOX_MAIN)
		return enter(sandbox_kind_name(kind), NULL, 0, name, keep, err);
	return enter(sandbox_kind_name(kind), main_reach, nr_main_reach, name,
		     keep, err);
}

int sandbox_policy_enter(const struct sandbox_policy *pol, const char *name,
			 uint64_t keep, struct pinvm_error *err)
{
	if (!enabled)
		return 0;
	/* A driver's thread works on descriptors it is given: no files. */
	return enter(pol->name, NULL, 0, name, keep, err);
}
