// SPDX-License-Identifier: GPL-2.0-only
/*
 * core/sandbox.c: each thread's filter, installed in a forked child (a
 * filter cannot be taken off again). Allowed calls work; a forbidden one
 * ends the child with SIGSYS and the one clear line.
 *
 * Built without ASan (test/test.mk): its runtime makes system calls of its
 * own (and a filtered child could not report a leak), so only UBSan here.
 * A child uses raw write(2) only, never stdio, once filtered.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "unit.h"
#include "driver.h"
#include "landlock.h"
#include "sandbox.h"

/*
 * Landlock's reach, per kind: the main thread's child may write only in
 * "yes" (registered as the status directory would be) and one file of
 * "no"; it reads anywhere. Made fresh for each run.
 */
static char ll_dir[64], ll_yes[80], ll_no[96], ll_file[112];

/*
 * The GPIO driver's event thread: a policy of the driver's own, not one
 * of core's kinds; the tests below take it as one more kind.
 */
#define SANDBOX_GPIO	SANDBOX_KINDS

static const struct sandbox_policy *gpio_events(void)
{
	return driver_find("pinvm,gpio")->thread;
}

static int enter(enum sandbox_kind kind, const char *name,
		 struct pinvm_error *err)
{
	if (kind == SANDBOX_GPIO)
		return sandbox_policy_enter(gpio_events(), name, 0, err);
	return sandbox_enter(kind, name, 0, err);
}

static void count(enum sandbox_kind kind, unsigned int *sys, unsigned int *ioc)
{
	if (kind == SANDBOX_GPIO)
		sandbox_policy_count(gpio_events(), sys, ioc);
	else
		sandbox_count(kind, sys, ioc);
}

static int unit_touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	return fd < 0 ? -1 : close(fd);
}

static int unit_touch_in(const char *dir, const char *name)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return unit_touch(path);
}

static void say(const char *s)
{
	if (write(STDERR_FILENO, s, strlen(s)) < 0)
		_exit(3);
}

enum action {
	ALLOWED_ONLY,		/* every allowed probe, then exit 0 */
	GETPPID,
	EXECVE,
	OPEN_CREATE,
	IOCTL_TTY,
	MMAP_EXEC,
	SOCKET,
	OPEN_READ,
	KVM_BUILD,		/* a VM-building ioctl: the main thread's alone */
	REACH,			/* landlock: the main thread writes what it may */
	FILES,			/* landlock alone, no filter: child_files() */
	THREAD_ENTERS,		/* a thread of the process enters, not main */
};

static void probe_allowed(enum sandbox_kind kind)
{
	/* Allowed calls on a bad fd: they pass the filter, fail in the kernel. */
	if (ioctl(-1, kind == SANDBOX_GPIO ? KVM_IRQ_LINE : KVM_RUN, 0) == -1 &&
	    errno == EBADF)
		say("ioctl ok\n");
	/* A vCPU thread reads nothing: its exits come through kvm_run. */
	if (kind != SANDBOX_VCPU && read(-1, NULL, 0) == -1 && errno == EBADF)
		say("read ok\n");
	if (syscall(SYS_gettid) > 0)
		say("gettid ok\n");
	if (kind != SANDBOX_GPIO) {
		void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p != MAP_FAILED && !munmap(p, 4096))
			say("mmap ok\n");
	}
	/* Only the main thread opens files after start-up. */
	if (kind == SANDBOX_MAIN) {
		char path[128];
		int fd;

		if (open("/dev/null", O_RDONLY | O_CLOEXEC) >= 0)
			say("open ok\n");
		if (open("/dev", O_RDONLY | O_DIRECTORY | O_CLOEXEC) >= 0)
			say("opendir ok\n");
		/* Not mkstemp(): glibc's asks getrandom(2), which pinvm never does. */
		snprintf(path, sizeof(path), "%s/create", ll_yes);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

		/* unlinkat: unlink(2) is no system call of arm64. */
		if (fd >= 0 && !fsync(fd) && !unlinkat(AT_FDCWD, path, 0))
			say("create ok\n");
	}
}

/* Say "<what>: <errno name>" of an open for writing, "<what>: opened". */
static void try_write(const char *what, const char *path, int flags)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | flags, 0600);

	say(what);
	say(fd >= 0 ? ": opened\n" : errno == EACCES ? ": EACCES\n" :
	    ": other error\n");
}

/* Landlock, main thread: write its directories and files, nothing else. */
static void probe_reach(void)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/new", ll_no);
	try_write("create outside", path, O_CREAT | O_EXCL);
	snprintf(path, sizeof(path), "%s/old", ll_no);
	try_write("write outside", path, 0);
	try_write("write its file", ll_file, O_TRUNC);
	snprintf(path, sizeof(path), "%s/old", ll_yes);
	try_write("write in its directory", path, O_TRUNC);
	snprintf(path, sizeof(path), "%s/new", ll_yes);
	try_write("create in its directory", path, O_CREAT | O_EXCL);
	if (renameat(AT_FDCWD, path, AT_FDCWD, ll_file))
		say(errno == EXDEV || errno == EACCES ?
		    "rename over its file: refused\n" : "rename: other error\n");
	else
		say("rename over its file: done\n");
}

static void *vcpu_thread(void *arg)
{
	struct pinvm_error err;

	(void)arg;
	if (sandbox_enter(SANDBOX_VCPU, "unit-thread", 0, &err)) {
		say(err.msg);
		return NULL;
	}
	say("thread filtered\n");
	syscall(SYS_getppid);
	say("still alive\n");
	return NULL;
}

/* The vCPU threads' start: a thread of the process enters its kind. */
static void thread_enters(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, vcpu_thread, NULL))
		_exit(2);
	pthread_join(t, NULL);
	_exit(1);
}

static void child(enum sandbox_kind kind, enum action a)
{
	struct pinvm_error err;
	char *argv[] = { "/bin/true", NULL };

	/* As monitor.c and hostdev.c register them at start-up. */
	sandbox_allow_main(ll_yes, SANDBOX_WRITE_DIR);
	sandbox_allow_main(ll_file, SANDBOX_WRITE_FILE);
	if (sandbox_enable(true, &err)) {
		say(err.msg);
		_exit(2);
	}
	if (a == THREAD_ENTERS)
		thread_enters();
	if (enter(kind, "unit-thread", &err)) {
		say(err.msg);
		say("\n");
		_exit(2);
	}
	say("filtered\n");
	probe_allowed(kind);
	switch (a) {
	case ALLOWED_ONLY:
		_exit(0);
	case GETPPID:
		syscall(SYS_getppid);
		break;
	case EXECVE:
		execve(argv[0], argv, NULL);
		break;
	case OPEN_CREATE:
		open("/tmp/pinvm-seccomp-never", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		break;
	case IOCTL_TTY: {
		struct termios t;

		ioctl(STDERR_FILENO, TCGETS, &t);
		break;
	}
	case MMAP_EXEC:
		mmap(NULL, 4096, PROT_READ | PROT_EXEC,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		break;
	case SOCKET:
		socket(AF_INET, SOCK_STREAM, 0);
		break;
	case OPEN_READ:
		open("/dev/null", O_RDONLY | O_CLOEXEC);
		break;
	case KVM_BUILD:
		ioctl(-1, KVM_CREATE_VCPU, 0);
		break;
	case REACH:
		probe_reach();
		_exit(0);
	case FILES:
	case THREAD_ENTERS:
		break;
	}
	say("still alive\n");
	_exit(1);
}

/*
 * Landlock alone (filters off, so that openat itself passes): what kind
 * can still open.
 */
static void child_files(enum sandbox_kind kind)
{
	struct pinvm_error err;
	char path[112];
	int fd;

	sandbox_allow_main(ll_yes, SANDBOX_WRITE_DIR);
	sandbox_allow_main(ll_file, SANDBOX_WRITE_FILE);
	if (sandbox_enable(false, &err) || enter(kind, "unit-thread", &err)) {
		say(err.msg);
		say("\n");
		_exit(2);
	}
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	say(fd >= 0 ? "read: opened\n" : errno == EACCES ? "read: EACCES\n" :
	    "read: other error\n");
	snprintf(path, sizeof(path), "%s/old", ll_yes);
	try_write("write", path, 0);
	try_write("write its file", ll_file, 0);
	_exit(0);
}

/* Run child(kind, a) with stderr into out; return its wait status. */
static int run(enum sandbox_kind kind, enum action a, char *out, size_t size)
{
	int pipefd[2], status = 0;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(pipefd))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		dup2(pipefd[1], STDERR_FILENO);
		if (a == FILES)
			child_files(kind);
		child(kind, a);
	}
	close(pipefd[1]);
	while (len + 1 < size &&
	       (n = read(pipefd[0], out + len, size - 1 - len)) > 0)
		len += n;
	out[len] = '\0';
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	return status;
}

static bool died_of_sigsys(int status)
{
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS;
}

/* A forbidden call: SIGSYS, and the line names thread and call. */
static void check_violation(enum sandbox_kind kind, enum action a,
			    const char *call)
{
	char out[4096], want[128];
	int status = run(kind, a, out, sizeof(out));

	CHECK(died_of_sigsys(status));
	CHECK_CONTAINS(out, "filtered\n");
	CHECK_CONTAINS(out, "pinvm: error: seccomp: thread unit-thread made system call ");
	snprintf(want, sizeof(want), "(%s) args 0x", call);
	CHECK_CONTAINS(out, want);
	CHECK_CONTAINS(out, ", which its filter forbids: stopping pinvm\n");
	CHECK(!strstr(out, "still alive"));
}

/*
 * KVM_RUN, a vCPU thread's call on every exit, is the first of the vCPU
 * filter's ioctl commands it compares (libseccomp would test it last).
 */
static void check_kvm_run_first(void)
{
	static const unsigned long others[] = {
		KVM_SET_VCPU_EVENTS, KVM_IRQ_LINE,
	};
	struct pinvm_error err;
	struct sock_fprog prog;
	int run = -1, other = -1;
	unsigned int i, j;

	CHECK(!sandbox_export(SANDBOX_VCPU, &prog, &err));
	for (i = 0; i < prog.len; i++) {
		const struct sock_filter *f = &prog.filter[i];

		if (f->code != (BPF_JMP | BPF_JEQ | BPF_K))
			continue;
		if (f->k == KVM_RUN && run < 0)
			run = i;
		for (j = 0; j < ARRAY_SIZE(others); j++)
			if (f->k == (uint32_t)others[j] && other < 0)
				other = i;
	}
	printf("KVM_RUN compared at instruction %d of %u, the next command at %d\n",
	       run, prog.len, other);
	CHECK(run >= 0 && other >= 0 && run < other);
	free(prog.filter);
}

int main(void)
{
	char out[4096];
	unsigned int sys, ioc;
	int status, abi = landlock_abi();

	snprintf(ll_dir, sizeof(ll_dir), "/tmp/pinvm-landlock-%d", (int)getpid());
	snprintf(ll_yes, sizeof(ll_yes), "%s/yes", ll_dir);
	snprintf(ll_no, sizeof(ll_no), "%s/no", ll_dir);
	snprintf(ll_file, sizeof(ll_file), "%s/file", ll_no);
	CHECK(!mkdir(ll_dir, 0700) && !mkdir(ll_yes, 0700) && !mkdir(ll_no, 0700));
	CHECK(!unit_touch(ll_file) && !unit_touch_in(ll_yes, "old") &&
	      !unit_touch_in(ll_no, "old"));

	TEST("vcpu: the filter compares KVM_RUN before any other ioctl");
	check_kvm_run_first();

	TEST("vcpu: allowed calls pass");
	status = run(SANDBOX_VCPU, ALLOWED_ONLY, out, sizeof(out));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_CONTAINS(out, "ioctl ok\ngettid ok\nmmap ok\n");

	TEST("vcpu: no openat at all: all it uses was opened before");
	check_violation(SANDBOX_VCPU, OPEN_READ, "openat");

	TEST("vcpu: forbidden calls end the process with the line");
	check_violation(SANDBOX_VCPU, GETPPID, "getppid");
	check_violation(SANDBOX_VCPU, EXECVE, "execve");
	check_violation(SANDBOX_VCPU, OPEN_CREATE, "openat");
	check_violation(SANDBOX_VCPU, IOCTL_TTY, "ioctl");
	check_violation(SANDBOX_VCPU, MMAP_EXEC, "mmap");
	check_violation(SANDBOX_VCPU, SOCKET, "socket");
	TEST("vcpu: no VM-building call (a reset is the main thread's)");
	check_violation(SANDBOX_VCPU, KVM_BUILD, "ioctl");
	status = run(SANDBOX_MAIN, KVM_BUILD, out, sizeof(out));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	CHECK_CONTAINS(out, "still alive\n");

	TEST("vcpu, entered by a thread of the process: it has the filter");
	status = run(SANDBOX_VCPU, THREAD_ENTERS, out, sizeof(out));
	CHECK(died_of_sigsys(status));
	CHECK_CONTAINS(out, "thread filtered\n");
	CHECK_CONTAINS(out, "(getppid) args 0x");
	CHECK(!strstr(out, "still alive"));

	TEST("gpio-events: only its epoll wait, ppoll, read and its two ioctls");
	status = run(SANDBOX_GPIO, ALLOWED_ONLY, out, sizeof(out));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_CONTAINS(out, "ioctl ok\nread ok\ngettid ok\n");
	check_violation(SANDBOX_GPIO, OPEN_READ, "openat");
	check_violation(SANDBOX_GPIO, IOCTL_TTY, "ioctl");

	TEST("main: files may be created; no exec, no sockets of its own");
	status = run(SANDBOX_MAIN, ALLOWED_ONLY, out, sizeof(out));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_CONTAINS(out, "open ok\nopendir ok\ncreate ok\n");
	check_violation(SANDBOX_MAIN, EXECVE, "execve");
	check_violation(SANDBOX_MAIN, SOCKET, "socket");
	check_violation(SANDBOX_MAIN, MMAP_EXEC, "mmap");

	TEST("landlock: the kernel has it (else pinvm warns, and these are skipped)");
	printf("METRIC: host_landlock_abi=%d\n", abi);
	if (abi) {
		TEST("landlock: a vCPU thread can open nothing, not even to read");
		status = run(SANDBOX_VCPU, FILES, out, sizeof(out));
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		CHECK_CONTAINS(out, "read: EACCES\nwrite: EACCES\nwrite its file: EACCES\n");
		TEST("landlock: nor can a driver's thread (gpio-events)");
		status = run(SANDBOX_GPIO, FILES, out, sizeof(out));
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		CHECK_CONTAINS(out, "read: EACCES\nwrite: EACCES\nwrite its file: EACCES\n");
		TEST("landlock: main reads anywhere, writes only what start-up registered");
		status = run(SANDBOX_MAIN, FILES, out, sizeof(out));
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		CHECK_CONTAINS(out, "read: opened\nwrite: opened\nwrite its file: opened\n");
		status = run(SANDBOX_MAIN, REACH, out, sizeof(out));
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		CHECK_CONTAINS(out, "create outside: EACCES\nwrite outside: EACCES\n");
		CHECK_CONTAINS(out, "write its file: opened\nwrite in its directory: opened\n");
		CHECK_CONTAINS(out, "create in its directory: opened\nrename over its file: refused\n");
	}

	TEST("sandbox not enabled: nothing is installed");
	{
		struct pinvm_error err;

		CHECK(!sandbox_enabled());
		CHECK(!sandbox_enter(SANDBOX_VCPU, "x", 0, &err));
	}

	TEST("allow-list sizes");
	count(SANDBOX_VCPU, &sys, &ioc);
	/* KVM_RUN, KVM_SET_VCPU_EVENTS, KVM_IRQ_LINE and libgpiod's. */
	CHECK(sys > 10 && ioc == 3 + (IS_ENABLED(CONFIG_DRIVER_GPIO) ? 7 : 0));
	printf("METRIC: host_seccomp_vcpu=%u+%u\n", sys, ioc);
	count(SANDBOX_GPIO, &sys, &ioc);
	CHECK(sys < 20 && ioc == 2);
	printf("METRIC: host_seccomp_gpio_events=%u+%u\n", sys, ioc);
	{
		unsigned int msys, mioc, vsys, vioc;

		count(SANDBOX_MAIN, &msys, &mioc);
		count(SANDBOX_VCPU, &vsys, &vioc);
		/* The main thread also rebuilds VMs, the vCPU threads never. */
		CHECK(msys > vsys && mioc >= vioc + 8);
		printf("METRIC: host_seccomp_main=%u+%u\n", msys, mioc);
	}
	{
		char cmd[96];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", ll_dir);
		CHECK(system(cmd) == 0);
	}
	return unit_report();
}
